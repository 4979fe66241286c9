//! The one error shape of the kernel layer: what was being done, to what, and the errno.

use std::io;

/// A failed system call or /proc access.
///
/// `action` names the operation and its target ("PTRACE_SEIZE of pid 42"), so the
/// message a user reads says what crust was doing when the kernel refused.
#[derive(Debug, thiserror::Error)]
#[error("{action}: {source}")]
pub struct SysError {
    pub action: String,
    #[source]
    pub source: io::Error,
}

impl SysError {
    /// Wraps the calling thread's current errno.
    pub fn last(action: impl Into<String>) -> SysError {
        SysError {
            action: action.into(),
            source: io::Error::last_os_error(),
        }
    }

    pub fn from_io(action: impl Into<String>, source: io::Error) -> SysError {
        SysError {
            action: action.into(),
            source,
        }
    }

    pub fn from_errno(action: impl Into<String>, errno: i32) -> SysError {
        SysError {
            action: action.into(),
            source: io::Error::from_raw_os_error(errno),
        }
    }

    /// The errno, when the failure came from the kernel.
    pub fn errno(&self) -> Option<i32> {
        self.source.raw_os_error()
    }
}

/// Turns a libc return value into a `Result`, naming the action on failure.
pub fn check(ret: libc::c_long, action: impl FnOnce() -> String) -> Result<libc::c_long, SysError> {
    if ret < 0 {
        Err(SysError::last(action()))
    } else {
        Ok(ret)
    }
}
