//! Creating the restored tree: crust forks the root with its pid, each task forks
//! its own children, and crust learns on a pipe when every task is ready for it.

use super::child;
use super::error::RestoreError;
use super::plan::Plan;
use crust_kernel::ptrace::{self, Stop};
use crust_kernel::spawn::{fork_with_pid, Forked};
use crust_kernel::{own, task};
use log::debug;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Forks the root, which forks the rest; returns the guard that owns the tree and,
/// for each live task, the fd its copy of the report pipe has (closed at the end).
pub fn spawn_tree(
    plan: &Plan,
    stub: u64,
    shell_job: bool,
    timeout: Duration,
) -> Result<(Tree, HashMap<u32, i32>), RestoreError> {
    let root = plan.tasks[0].pid;
    let (report_read, report_write) =
        own::pipe().map_err(|source| RestoreError::Fork { pid: root, source })?;
    let crust = std::process::id() as i32;
    match fork_with_pid(root as i32) {
        Ok(Forked::Child) => {
            own::close(report_read);
            child::Spawn {
                plan,
                stub,
                report_fd: report_write,
                shell_job,
            }
            .become_task(root, crust);
        }
        Ok(Forked::Parent(_)) => own::close(report_write),
        Err(source) => {
            own::close(report_read);
            own::close(report_write);
            return Err(RestoreError::Fork { pid: root, source });
        }
    }
    let tree = Tree {
        root: root as i32,
        seized: Vec::new(),
        pidfile: None,
        armed: true,
    };
    let reports = collect_reports(plan, report_read, timeout);
    own::close(report_read);
    Ok((tree, reports?))
}

/// Reads the tasks' reports until every live task said it is ready. Returns, for
/// each pid, the fd number its copy of the report pipe has, to be closed later.
fn collect_reports(
    plan: &Plan,
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
pub fn seize(pid: u32, timeout: Duration) -> Result<(), RestoreError> {
    let err = |source| RestoreError::State { pid, source };
    ptrace::seize(pid as i32, 0).map_err(err)?;
    ptrace::interrupt(pid as i32).map_err(err)?;
    let message = match ptrace::wait_interrupt_stop(pid as i32, timeout).map_err(err)? {
        ptrace::InterruptStop::Stopped { .. } => return Ok(()),
        ptrace::InterruptStop::Ended(how) => format!("the new task ended: {how:?}"),
        ptrace::InterruptStop::TimedOut => "the new task did not stop for crust".into(),
    };
    Err(RestoreError::Prepare { pid, message })
}

/// The tree being restored: if the restore fails before it runs, the root is
/// killed (its descendants follow through their parent-death signal) and so is
/// every task crust holds traced.
pub struct Tree {
    root: i32,
    pub seized: Vec<i32>,
    /// Written for this restore; removed with the tree.
    pub pidfile: Option<std::path::PathBuf>,
    armed: bool,
}

impl Tree {
    pub fn disarm(mut self) {
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
