//! `crust restore`: rebuild the dumped process from its images, with its pid.
//!
//! The images are read and checked first (plan), so that a broken set fails before
//! anything exists. Then crust forks a child with the dumped pid; the child takes
//! on the fds, directories, limits and signal dispositions itself and stops; crust
//! then drives it from outside with ptrace: rebuilds its address space, sets the
//! rest of its state and its registers, and lets it run. If any step fails, the
//! child is killed and reaped: no half-restored process is left behind.

mod child;
mod creds;
mod driver;
mod error;
mod fill;
mod finish;
mod layout;
mod memory;
mod mm;
mod plan;
mod session;
mod state;
mod validate;

pub use error::RestoreError;

use crate::cli::Options;
use crate::stats::Timer;
use crust_images::pb::{RestoreStatsEntry, StatsEntry};
use crust_images::{ImageDir, ImageKind};
use crust_kernel::ptrace::{self, Stop};
use crust_kernel::spawn::{fork_with_pid, Forked};
use crust_kernel::{own, proc, task, PAGE_SIZE};
use driver::Driver;
use log::{debug, info};
use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

use std::os::unix::fs::OpenOptionsExt;

/// How the restore ended for the caller: detached, or the restored process's own
/// exit status when crust stayed its parent.
pub enum Outcome {
    Detached,
    Exited(i32),
}

pub fn run(opts: &Options) -> Result<Outcome, RestoreError> {
    let dir = ImageDir::open(&opts.images_dir)?;
    let plan = plan::load(dir, opts.shell_job)?;
    session::check(&plan)?;
    let root = plan.tasks[0].pid;
    for pid in plan
        .tasks
        .iter()
        .map(|t| t.pid)
        .chain(plan.zombies.iter().map(|z| z.pstree.pid))
    {
        if task::exists(pid as i32) {
            return Err(RestoreError::PidInUse { pid });
        }
    }
    if let Some(path) = opts
        .pidfile
        .as_deref()
        .filter(|p| p.symlink_metadata().is_ok())
    {
        return Err(RestoreError::Pidfile {
            path: path.display().to_string(),
            source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
        });
    }
    let stub = choose_stub(&plan)?;
    let mut timer = Timer::start();

    info!(
        "restoring the tree of pid {root} from {}",
        plan.dir.path().display()
    );
    let (report_read, report_write) =
        own::pipe().map_err(|source| RestoreError::Fork { pid: root, source })?;
    let crust = std::process::id() as i32;
    let forked =
        fork_with_pid(root as i32).map_err(|source| RestoreError::Fork { pid: root, source });
    let forked = match forked {
        Ok(f) => f,
        Err(e) => {
            own::close(report_read);
            own::close(report_write);
            return Err(e);
        }
    };
    if let Forked::Child = forked {
        own::close(report_read);
        child::become_task(&plan, root, crust, stub, report_write, opts.shell_job);
    }
    own::close(report_write);
    let mut tree = Tree {
        root: root as i32,
        seized: Vec::new(),
        pidfile: None,
        armed: true,
    };
    let reports = collect_reports(&plan, report_read, Duration::from_secs(opts.timeout_secs));
    own::close(report_read);
    let reports = reports?;
    let forking_time = timer.lap();

    let mut pages = 0;
    let mut drivers = Vec::new();
    for task in &plan.tasks {
        let pid = task.pid;
        seize(pid, Duration::from_secs(opts.timeout_secs))?;
        tree.seized.push(pid as i32);
        let driver =
            Driver::new(pid as i32, stub).map_err(|source| RestoreError::State { pid, source })?;
        pages += memory::rebuild(&driver, &plan, task)?;
        state::restore_state(&driver, &plan, task)?;
        drivers.push(driver);
    }
    let root_pgid = proc::task_stat(root as i32)
        .map_err(|source| RestoreError::State { pid: root, source })?
        .pgrp;
    for (task, driver) in plan.tasks.iter().zip(&drivers) {
        session::join_group(driver, &plan, task, root_pgid).map_err(|source| {
            RestoreError::State {
                pid: task.pid,
                source,
            }
        })?;
        let keep_pdeath = task.pid != root || !opts.restore_detached;
        finish::finish(driver, task, reports[&task.pid], keep_pdeath)?;
    }
    // The pidfile is written while the tree can still be taken back if it fails.
    if let Some(path) = &opts.pidfile {
        write_pidfile(path, root)?;
        tree.pidfile = Some(path.clone());
    }
    // Every task is ready: only now do they run. Should a detach fail, the tree
    // guard kills all of them, those already running included.
    for task in &plan.tasks {
        ptrace::detach(task.pid as i32, 0).map_err(|source| RestoreError::State {
            pid: task.pid,
            source,
        })?;
    }
    tree.disarm();
    let restore_time = timer.lap();
    info!(
        "tree of pid {root} restored: {pages} pages in {:.3} s",
        timer.total().as_secs_f64()
    );

    let stats = StatsEntry {
        dump: None,
        restore: Some(RestoreStatsEntry {
            pages_compared: 0,
            pages_skipped_cow: 0,
            forking_time: forking_time.as_micros() as u32,
            restore_time: restore_time.as_micros() as u32,
            pages_restored: Some(pages),
        }),
    };
    if let Err(e) = write_stats(&plan.dir, &stats) {
        log::warn!("writing stats-restore: {e}");
    }
    if opts.restore_detached {
        return Ok(Outcome::Detached);
    }
    wait_for_exit(root)
}

/// Reads the tasks' reports until every live task said it is ready. Returns, for
/// each pid, the fd number its copy of the report pipe has, to be closed later.
fn collect_reports(
    plan: &plan::Plan,
    fd: i32,
    timeout: Duration,
) -> Result<HashMap<u32, i32>, RestoreError> {
    let root = plan.tasks[0].pid;
    let fail = |message: String| RestoreError::Prepare { pid: root, message };
    own::set_nonblocking(fd).map_err(|e| fail(e.to_string()))?;
    let deadline = Instant::now() + timeout;
    let mut text = String::new();
    let mut ready = HashMap::new();
    while ready.len() < plan.tasks.len() {
        match own::read_available(fd).map_err(|e| fail(e.to_string()))? {
            Some(bytes) if bytes.is_empty() => {
                return Err(fail("the new tasks exited before they were ready".into()))
            }
            Some(bytes) => text.push_str(&String::from_utf8_lossy(&bytes)),
            None if Instant::now() > deadline => {
                return Err(fail(format!(
                    "the new tasks were not ready within {} s",
                    timeout.as_secs()
                )))
            }
            None => std::thread::sleep(Duration::from_micros(200)),
        }
        while let Some(end) = text.find('\n') {
            let line: String = text.drain(..=end).collect();
            let mut words = line.trim_end().splitn(3, ' ');
            match (
                words.next(),
                words.next().and_then(|p| p.parse::<u32>().ok()),
                words.next(),
            ) {
                (Some("ready"), Some(pid), Some(fd)) => {
                    ready.insert(
                        pid,
                        fd.parse()
                            .map_err(|_| fail(format!("bad report {line:?}")))?,
                    );
                }
                (Some("error"), Some(pid), message) => {
                    return Err(RestoreError::Prepare {
                        pid,
                        message: message.unwrap_or_default().to_string(),
                    })
                }
                _ => return Err(fail(format!("bad report {line:?}"))),
            }
        }
    }
    Ok(ready)
}

/// Takes hold of a prepared task, which waits in pause() with signals blocked.
fn seize(pid: u32, timeout: Duration) -> Result<(), RestoreError> {
    let err = |source| RestoreError::State { pid, source };
    ptrace::seize(pid as i32, 0).map_err(err)?;
    ptrace::interrupt(pid as i32).map_err(err)?;
    let message = match ptrace::wait_interrupt_stop(pid as i32, timeout).map_err(err)? {
        ptrace::InterruptStop::Stopped => return Ok(()),
        ptrace::InterruptStop::Ended(how) => format!("the new task ended: {how:?}"),
        ptrace::InterruptStop::TimedOut => "the new task did not stop for crust".into(),
    };
    Err(RestoreError::Prepare { pid, message })
}

fn write_stats(dir: &ImageDir, stats: &StatsEntry) -> Result<(), crust_images::ImageError> {
    let mut w = dir.writer(ImageKind::StatsRestore)?;
    w.write(stats)?;
    w.finish()
}

/// The stub page must be free in crust (the child maps it before crust's own
/// mappings go) and in the restored layout (it is there until the very end).
fn choose_stub(plan: &plan::Plan) -> Result<u64, RestoreError> {
    let pid = plan.tasks[0].pid;
    let mut busy: Vec<(u64, u64)> = plan
        .tasks
        .iter()
        .flat_map(|t| &t.mm.vmas)
        .map(|v| (v.start, v.end))
        .collect();
    let own = proc::read_vmas(std::process::id() as i32)
        .map_err(|source| RestoreError::State { pid, source })?;
    busy.extend(own.iter().map(|v| (v.start, v.end)));
    layout::free_range(&busy, PAGE_SIZE).ok_or_else(|| RestoreError::Prepare {
        pid,
        message: "no address is free both in crust and in the dumped layout".into(),
    })
}

fn wait_for_exit(pid: u32) -> Result<Outcome, RestoreError> {
    loop {
        match ptrace::wait(pid as i32).map_err(|source| RestoreError::Wait { pid, source })? {
            Stop::Exited(code) => return Ok(Outcome::Exited(code)),
            Stop::Killed(sig) => return Ok(Outcome::Exited(128 + sig)),
            Stop::Stopped { .. } => continue,
        }
    }
}

fn write_pidfile(path: &std::path::Path, pid: u32) -> Result<(), RestoreError> {
    let err = |source| RestoreError::Pidfile {
        path: path.display().to_string(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(err)?;
    write!(file, "{pid}").map_err(err)
}

/// The tree being restored: if the restore fails before it runs, the root is
/// killed (its descendants follow through their parent-death signal) and so is
/// every task crust holds traced.
struct Tree {
    root: i32,
    seized: Vec<i32>,
    /// Written for this restore; removed with the tree.
    pidfile: Option<std::path::PathBuf>,
    armed: bool,
}

impl Tree {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        debug!("killing the half-restored tree of pid {}", self.root);
        for &pid in self.seized.iter().chain([&self.root]) {
            let _ = task::kill(pid, libc::SIGKILL);
        }
        while let Ok(Stop::Stopped { .. }) = ptrace::wait(self.root) {}
        if let Some(path) = &self.pidfile {
            let _ = std::fs::remove_file(path);
        }
    }
}
