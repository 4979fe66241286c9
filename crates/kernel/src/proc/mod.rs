//! Reading a task's state from /proc.
//!
//! The `procfs` crate does the parsing where it does it right (maps, status, stat,
//! limits); the few files it does not cover are parsed here, with tests on captured
//! text.

mod fdinfo;
mod maps;
mod task;

pub use fdinfo::{fd_numbers, read_fdinfo, FdInfo};
pub use maps::{read_vmas, Vma, VmaKind};
pub use task::{
    children, credentials, limits, mm_bounds, personality, task_stat, threads, Credentials,
    MmBounds, TaskStat,
};

use crate::error::SysError;

/// Turns a procfs error into ours, naming the file that was being read.
pub(crate) fn proc_err(what: String, err: procfs::ProcError) -> SysError {
    let source = match err {
        procfs::ProcError::NotFound(_) => std::io::Error::from_raw_os_error(libc::ESRCH),
        procfs::ProcError::PermissionDenied(_) => std::io::Error::from_raw_os_error(libc::EACCES),
        procfs::ProcError::Io(e, _) => e,
        other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
    };
    SysError::from_io(what, source)
}
