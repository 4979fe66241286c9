//! `crust restore`: rebuild the dumped process from its images, with its pid.
//!
//! The images are read and checked first (plan), so that a broken set fails before
//! anything exists. Then crust forks a child with the dumped pid; the child takes
//! on the fds, directories, limits and signal dispositions itself and stops; crust
//! then drives it from outside with ptrace: rebuilds its address space, sets the
//! rest of its state and its registers, and lets it run. If any step fails, the
//! child is killed and reaped: no half-restored process is left behind.

mod child;
mod driver;
mod error;
mod layout;
mod memory;
mod plan;
mod state;

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
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

/// How the restore ended for the caller: detached, or the restored process's own
/// exit status when crust stayed its parent.
pub enum Outcome {
    Detached,
    Exited(i32),
}

pub fn run(opts: &Options) -> Result<Outcome, RestoreError> {
    let dir = ImageDir::open(&opts.images_dir)?;
    let plan = plan::load(dir)?;
    let pid = plan.task.pid;
    if task::exists(pid as i32) {
        return Err(RestoreError::PidInUse { pid });
    }
    let stub = choose_stub(&plan)?;
    let mut timer = Timer::start();

    info!("restoring pid {pid} from {}", plan.dir.path().display());
    let (report_read, report_write) = own::pipe().map_err(|source| RestoreError::Fork { pid, source })?;
    let forked = fork_with_pid(pid as i32).map_err(|source| RestoreError::Fork { pid, source });
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
        child::prepare_and_stop(&plan, stub, report_write, opts.shell_job);
    }
    own::close(report_write);
    let forking_time = timer.lap();

    let child = Child { pid: pid as i32, armed: true };
    let report = own::read_to_end(report_read);
    own::close(report_read);
    if !report.is_empty() {
        return Err(RestoreError::Prepare { pid, message: String::from_utf8_lossy(&report).into_owned() });
    }
    wait_for_stop(pid)?;

    let driver = Driver::new(pid as i32, stub).map_err(|source| RestoreError::State { pid, source })?;
    let pages = memory::rebuild(&driver, &plan)?;
    state::restore_state(&driver, &plan.task)?;
    state::resume(&driver, &plan.task)?;
    child.disarm();
    let restore_time = timer.lap();
    info!("pid {pid} restored: {pages} pages in {:.3} s", timer.total().as_secs_f64());

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
    if let Some(path) = &opts.pidfile {
        write_pidfile(path, pid)?;
    }
    if opts.restore_detached {
        return Ok(Outcome::Detached);
    }
    wait_for_exit(pid)
}

fn write_stats(dir: &ImageDir, stats: &StatsEntry) -> Result<(), crust_images::ImageError> {
    let mut w = dir.writer(ImageKind::StatsRestore)?;
    w.write(stats)?;
    w.finish()
}

/// The stub page must be free in crust (the child maps it before crust's own
/// mappings go) and in the restored layout (it is there until the very end).
fn choose_stub(plan: &plan::Plan) -> Result<u64, RestoreError> {
    let pid = plan.task.pid;
    let mut busy: Vec<(u64, u64)> = plan.task.mm.vmas.iter().map(|v| (v.start, v.end)).collect();
    let own = proc::read_vmas(std::process::id() as i32).map_err(|source| RestoreError::State { pid, source })?;
    busy.extend(own.iter().map(|v| (v.start, v.end)));
    layout::free_range(&busy, PAGE_SIZE).ok_or_else(|| RestoreError::Prepare {
        pid,
        message: "no address is free both in crust and in the dumped layout".into(),
    })
}

/// The child stops itself with SIGSTOP once it is ready for crust to take over.
fn wait_for_stop(pid: u32) -> Result<(), RestoreError> {
    match ptrace::wait(pid as i32).map_err(|source| RestoreError::Wait { pid, source })? {
        Stop::Stopped { sig: libc::SIGSTOP, .. } => Ok(()),
        other => Err(RestoreError::Prepare { pid, message: format!("the new task did not stop as expected: {other:?}") }),
    }
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
    let err = |source| RestoreError::Pidfile { path: path.display().to_string(), source };
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(err)?;
    write!(file, "{pid}").map_err(err)
}

/// The task being restored: killed and reaped if the restore fails before it runs.
struct Child {
    pid: i32,
    armed: bool,
}

impl Child {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.armed {
            debug!("pid {}: killing the half-restored task", self.pid);
            let _ = task::kill(self.pid, libc::SIGKILL);
            while let Ok(Stop::Stopped { .. }) = ptrace::wait(self.pid) {}
        }
    }
}
