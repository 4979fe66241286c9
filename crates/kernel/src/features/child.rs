//! The child process the ptrace probes work on.

use super::PTRACE_DENIED_HINT;
use crate::ptrace::{self, Stop};
use crate::{spawn, task};
use libc::pid_t;
use std::time::Duration;

/// A forked child that waits in `pause()`, seized and stopped with
/// `PTRACE_INTERRUPT`. Dropping it kills and reaps the child.
pub(super) struct TracedChild {
    pub(super) pid: pid_t,
}

impl TracedChild {
    pub(super) fn spawn() -> Result<Self, String> {
        let pid =
            spawn::fork_idle().map_err(|e| format!("cannot fork a probe child: {}", e.source))?;
        let child = TracedChild { pid };
        ptrace::seize(pid, libc::PTRACE_O_EXITKILL as libc::c_long).map_err(|e| {
            match e.errno() {
                Some(libc::EPERM | libc::EACCES) => format!(
                    "PTRACE_SEIZE of a child was refused ({}): {PTRACE_DENIED_HINT}",
                    e.source
                ),
                Some(libc::EIO | libc::EINVAL) => format!(
                    "the kernel lacks PTRACE_SEIZE ({}): Linux 3.4 or newer is needed",
                    e.source
                ),
                _ => format!("PTRACE_SEIZE of a child failed: {}", e.source),
            }
        })?;
        ptrace::interrupt(pid)
            .map_err(|e| format!("PTRACE_INTERRUPT of a seized child failed: {}", e.source))?;
        let waited = ptrace::wait_interrupt_stop(pid, Duration::from_secs(5))
            .map_err(|e| format!("waiting for the probe child failed: {}", e.source))?;
        match waited {
            ptrace::InterruptStop::Stopped { .. } => Ok(child),
            other => Err(format!(
                "the seized child did not report a PTRACE_EVENT_STOP after PTRACE_INTERRUPT \
                 (it reported {other:?})"
            )),
        }
    }
}

impl Drop for TracedChild {
    fn drop(&mut self) {
        // `pid` is our own child, not yet reaped, so it names no other process.
        let _ = task::kill(self.pid, libc::SIGKILL);
        // Until it has died (or waiting fails): stops before SIGKILL lands do not count.
        while let Ok(Stop::Stopped { .. }) = ptrace::wait(self.pid) {}
    }
}
