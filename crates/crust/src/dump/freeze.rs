//! Holding a task still for the length of a dump, and letting it go unchanged.

use super::error::DumpError;
use crust_kernel::ptrace::{self, InterruptStop, Regs};
use log::{debug, warn};
use std::time::Duration;

/// A task held in a ptrace stop. Dropping it puts back the registers and signal mask
/// it had when it was frozen and detaches, so that a dump which fails half way leaves
/// the task running exactly as before.
pub struct Frozen {
    pub pid: i32,
    /// Registers at the moment of the freeze, the ones the dump records.
    pub regs: Regs,
    /// Blocked signals at the moment of the freeze.
    pub sigmask: u64,
    /// The signal of the job-control stop it was in, if any. Under ptrace it still
    /// runs crust's system calls, and the kernel puts it back into that stop when
    /// crust detaches.
    pub stop_signal: Option<i32>,
    released: bool,
}

impl Frozen {
    /// Seizes `pid` and waits until it sits in a ptrace stop, for at most `timeout`.
    pub fn seize(pid: i32, timeout: Duration) -> Result<Frozen, DumpError> {
        let freeze_err = |source| DumpError::Freeze { pid, source };
        if pid == std::process::id() as i32 {
            return Err(DumpError::ContainsSelf { pid });
        }
        let stopped = crust_kernel::proc::task_stat(pid)
            .map_err(freeze_err)?
            .state
            == 'T';
        ptrace::seize(pid, 0).map_err(freeze_err)?;
        let mut frozen = Frozen {
            pid,
            regs: ptrace::empty_regs(),
            sigmask: 0,
            stop_signal: None,
            released: true,
        };
        // Seizing a task in a job-control stop makes it report that stop by itself;
        // an interrupt on top would trap it a second time, later.
        if !stopped {
            if let Err(err) = ptrace::interrupt(pid).map_err(freeze_err) {
                let _ = ptrace::detach(pid, 0);
                return Err(err);
            }
        }
        let stop_sig = match wait_for_interrupt(pid, timeout) {
            Ok(sig) => sig,
            Err(err) => {
                let _ = ptrace::detach(pid, 0);
                return Err(err);
            }
        };

        // Nothing was changed yet: on failure the task is only let go.
        let regs = ptrace::get_regs(pid).and_then(|r| Ok((r, ptrace::get_sigmask(pid)?)));
        let (regs, sigmask) = match regs {
            Ok(got) => got,
            Err(source) => {
                let _ = ptrace::detach(pid, 0);
                return Err(freeze_err(source));
            }
        };
        frozen.stop_signal = stopped.then_some(stop_sig);
        frozen.regs = regs;
        frozen.sigmask = sigmask;
        frozen.released = false;
        debug!("pid {pid}: frozen at ip {:#x}", frozen.regs.rip);
        Ok(frozen)
    }

    /// Lets the task go on as if nothing happened.
    pub fn release(mut self) {
        self.put_back();
    }

    /// Ends the task (criu's default after a successful dump). It is killed while
    /// still frozen, so it never runs another instruction after its state was taken.
    pub fn kill(mut self) -> Result<(), DumpError> {
        self.released = true;
        // The pid cannot have been reused: crust still holds it traced.
        crust_kernel::task::kill(self.pid, libc::SIGKILL).map_err(|source| DumpError::Kill {
            pid: self.pid,
            source,
        })
    }

    fn put_back(&mut self) {
        if self.released {
            return;
        }
        self.released = true;
        let pid = self.pid;
        if let Err(e) = ptrace::set_regs(pid, &self.regs) {
            warn!("pid {pid}: putting back registers: {e}");
        }
        if let Err(e) = ptrace::set_sigmask(pid, self.sigmask) {
            warn!("pid {pid}: putting back the signal mask: {e}");
        }
        match ptrace::detach(pid, 0) {
            Ok(()) => debug!("pid {pid}: released"),
            Err(e) => warn!("pid {pid}: detaching: {e}"),
        }
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        self.put_back();
    }
}

/// Waits for the stop PTRACE_INTERRUPT asked for, signals that come first being
/// delivered as usual.
fn wait_for_interrupt(pid: i32, timeout: Duration) -> Result<i32, DumpError> {
    match ptrace::wait_interrupt_stop(pid, timeout)
        .map_err(|source| DumpError::Freeze { pid, source })?
    {
        InterruptStop::Stopped { sig } => Ok(sig),
        InterruptStop::Ended(_) => Err(DumpError::NoProcess { pid }),
        InterruptStop::TimedOut => Err(DumpError::FreezeTimeout {
            pid,
            secs: timeout.as_secs(),
        }),
    }
}

/// A child that had already exited when the tree was frozen, not yet reaped.
#[derive(Debug, Clone)]
pub struct Zombie {
    pub pid: i32,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    /// The wait status its parent will collect.
    pub exit_status: i32,
    pub comm: String,
}

/// The frozen tree: live tasks in parent-before-child order, and zombies.
pub struct FrozenTree {
    pub tasks: Vec<Frozen>,
    pub zombies: Vec<Zombie>,
}

/// Freezes `root` and, level by level, every descendant. A task is frozen before
/// its children are listed, so none can appear behind crust's back.
pub fn freeze_tree(root: i32, timeout: Duration) -> Result<FrozenTree, DumpError> {
    let mut tree = FrozenTree {
        tasks: Vec::new(),
        zombies: Vec::new(),
    };
    let mut next = 0;
    tree.tasks.push(Frozen::seize(root, timeout)?);
    while next < tree.tasks.len() {
        let pid = tree.tasks[next].pid;
        next += 1;
        let children = crust_kernel::proc::children(pid)
            .map_err(|source| DumpError::Collect { pid, source })?;
        for child in children {
            // A child that exits and is reaped at once (its parent ignores SIGCHLD)
            // can vanish between the listing and the freeze: it is simply not part
            // of the tree any more.
            let frozen = zombie(child).and_then(|z| match z {
                Some(z) => Ok(Err(z)),
                None => Frozen::seize(child, timeout).map(Ok),
            });
            match frozen {
                Ok(Ok(task)) => tree.tasks.push(task),
                Ok(Err(z)) => tree.zombies.push(z),
                Err(_) if !crust_kernel::task::exists(child) => {
                    log::debug!("pid {child} exited and was reaped while the tree was frozen")
                }
                // It may also have exited between the look and the seize.
                Err(e) => match zombie(child) {
                    Ok(Some(z)) => tree.zombies.push(z),
                    _ => return Err(e),
                },
            }
        }
    }
    Ok(tree)
}

fn zombie(pid: i32) -> Result<Option<Zombie>, DumpError> {
    let stat =
        crust_kernel::proc::task_stat(pid).map_err(|source| DumpError::Collect { pid, source })?;
    Ok((stat.state == 'Z').then_some(Zombie {
        pid,
        ppid: stat.ppid,
        pgid: stat.pgrp,
        sid: stat.session,
        exit_status: stat.exit_code,
        comm: stat.comm.clone(),
    }))
}
