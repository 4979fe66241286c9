//! `crust restore`: rebuild the dumped tree from its images, with its pids.
//!
//! The images are read and checked first (plan), so that a broken set fails before
//! anything exists. Then crust forks the root with its dumped pid and each task
//! forks its children the same way (spawn); each takes on its fds, limits and
//! signal dispositions itself and waits. crust then drives every task from outside
//! with ptrace: rebuilds its address space, sets the rest of its state and its
//! registers, and lets them all run at once. If any step fails, the tree is killed
//! and reaped: no half-restored process is left behind.

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
mod spawn;
mod state;
mod validate;

pub use error::RestoreError;

use crate::cli::Options;
use crate::stats::Timer;
use crust_images::pb::{RestoreStatsEntry, StatsEntry};
use crust_images::{ImageDir, ImageKind};
use crust_kernel::ptrace::{self, Stop};
use crust_kernel::{proc, task, PAGE_SIZE};
use driver::Driver;
use log::info;
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

/// How the restore ended for the caller: detached, or the restored process's own
/// exit status when crust stayed its parent.
pub enum Outcome {
    Detached,
    Exited(i32),
}

/// `held` keeps termination signals back until the tree runs; while crust then
/// waits for it as its parent, they end crust but not the tree.
pub fn run(opts: &Options, held: crate::interrupts::Held) -> Result<Outcome, RestoreError> {
    let dir = ImageDir::open(&opts.images_dir)?;
    let plan = plan::load(dir, opts.shell_job)?;
    session::check(&plan)?;
    check_free(&plan, opts)?;
    let stub = choose_stub(&plan)?;
    let timeout = Duration::from_secs(opts.timeout_secs);
    let root = plan.tasks[0].pid;
    let mut timer = Timer::start();

    info!(
        "restoring the tree of pid {root} from {}",
        plan.dir.path().display()
    );
    let (mut tree, reports) = spawn::spawn_tree(&plan, stub, opts.shell_job, timeout)?;
    let forking_time = timer.lap();
    let (drivers, pages) = rebuild_tasks(&plan, &mut tree, stub, timeout)?;
    finish_tasks(&plan, &drivers, &reports, opts)?;
    // The pidfile is written while the tree can still be taken back if it fails.
    if let Some(path) = &opts.pidfile {
        write_pidfile(path, root)?;
        tree.pidfile = Some(path.clone());
    }
    release(&plan, tree)?;
    if crate::interrupts::requested() {
        log::warn!("the tree of pid {root} is restored and runs; crust ends now, as asked");
    }
    drop(held);
    let restore_time = timer.lap();
    info!(
        "tree of pid {root} restored: {pages} pages in {:.3} s",
        timer.total().as_secs_f64()
    );

    let stats = RestoreStatsEntry {
        pages_compared: 0,
        pages_skipped_cow: 0,
        forking_time: forking_time.as_micros() as u32,
        restore_time: restore_time.as_micros() as u32,
        pages_restored: Some(pages),
    };
    if let Err(e) = write_stats(
        &plan.dir,
        &StatsEntry {
            dump: None,
            restore: Some(stats),
        },
    ) {
        log::warn!("writing stats-restore: {e}");
    }
    if opts.restore_detached {
        return Ok(Outcome::Detached);
    }
    wait_for_exit(root)
}

/// Every pid of the tree must be free, and the pidfile must not exist yet: both
/// are checked before anything is created.
fn check_free(plan: &plan::Plan, opts: &Options) -> Result<(), RestoreError> {
    let pids = plan
        .tasks
        .iter()
        .map(|t| t.pid)
        .chain(plan.zombies.iter().map(|z| z.pstree.pid));
    if let Some(pid) = pids.into_iter().find(|&pid| task::exists(pid as i32)) {
        return Err(RestoreError::PidInUse { pid });
    }
    match opts
        .pidfile
        .as_deref()
        .filter(|p| p.symlink_metadata().is_ok())
    {
        Some(path) => Err(RestoreError::Pidfile {
            path: path.display().to_string(),
            source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
        }),
        None => Ok(()),
    }
}

/// Takes hold of each task and rebuilds its memory and state; returns the drivers
/// and the number of pages filled.
fn rebuild_tasks(
    plan: &plan::Plan,
    tree: &mut spawn::Tree,
    stub: u64,
    timeout: Duration,
) -> Result<(Vec<Driver>, u64), RestoreError> {
    let mut pages = 0;
    let mut drivers = Vec::new();
    for task in &plan.tasks {
        let pid = task.pid;
        spawn::seize(pid, timeout)?;
        tree.seized.push(pid as i32);
        let driver =
            Driver::new(pid as i32, stub).map_err(|source| RestoreError::State { pid, source })?;
        pages += memory::rebuild(&driver, plan, task)?;
        state::restore_state(&driver, plan, task)?;
        drivers.push(driver);
    }
    Ok((drivers, pages))
}

/// Once every task exists: groups joined, then the last steps of each task.
fn finish_tasks(
    plan: &plan::Plan,
    drivers: &[Driver],
    reports: &HashMap<u32, i32>,
    opts: &Options,
) -> Result<(), RestoreError> {
    let root = plan.tasks[0].pid;
    let root_pgid = proc::task_stat(root as i32)
        .map_err(|source| RestoreError::State { pid: root, source })?
        .pgrp;
    for (task, driver) in plan.tasks.iter().zip(drivers) {
        session::join_group(driver, plan, task, root_pgid).map_err(|source| {
            RestoreError::State {
                pid: task.pid,
                source,
            }
        })?;
        let keep_pdeath = task.pid != root || !opts.restore_detached;
        finish::finish(driver, task, reports[&task.pid], keep_pdeath)?;
    }
    Ok(())
}

/// Every task is ready: only now do they run. Should a detach fail, the tree guard
/// kills all of them, those already running included.
fn release(plan: &plan::Plan, tree: spawn::Tree) -> Result<(), RestoreError> {
    for task in &plan.tasks {
        if task.tc.task_state == crust_images::task_state::STOPPED {
            // Pending as the task leaves crust's hands, it stops it as it was.
            task::kill(task.pid as i32, stop_signal(task)).map_err(|source| {
                RestoreError::State {
                    pid: task.pid,
                    source,
                }
            })?;
        }
        ptrace::detach(task.pid as i32, 0).map_err(|source| RestoreError::State {
            pid: task.pid,
            source,
        })?;
    }
    tree.disarm();
    Ok(())
}

/// The signal that stopped a task, if sending it again stops it (its default
/// action); SIGSTOP otherwise.
fn stop_signal(task: &plan::TaskPlan) -> i32 {
    let sig = task.tc.stop_signo.unwrap_or(libc::SIGSTOP as u32) as i32;
    let stops_by_default = [libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU].contains(&sig);
    let disposition = crate::signals::with_disposition()
        .zip(&task.tc.sigactions)
        .find(|(s, _)| *s == sig);
    match disposition {
        Some((_, sa)) if stops_by_default && sa.sigaction == libc::SIG_DFL as u64 => sig,
        _ => libc::SIGSTOP,
    }
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
