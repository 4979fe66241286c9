//! Why a dump failed: the step, the task or object concerned, and the cause.

use crust_images::ImageError;
use crust_kernel::SysError;

#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("interrupted by a termination signal; the tree was left as it was")]
    Interrupted,
    #[error("dump needs a pid: pass -t/--tree PID")]
    NoTree,
    #[error("pid {pid}: no such process")]
    NoProcess { pid: i32 },
    #[error("freezing pid {pid}: {source}")]
    Freeze { pid: i32, source: SysError },
    #[error("freezing pid {pid}: it did not stop within {secs} s (see --timeout)")]
    FreezeTimeout { pid: i32, secs: u64 },
    #[error("pid {pid}, fd {fd}: it is the terminal {tty}; dump with --shell-job (-j)")]
    NeedsShellJob { pid: i32, fd: i32, tty: String },
    #[error("the tree to dump contains crust itself (pid {pid})")]
    ContainsSelf { pid: i32 },
    #[error("pid {pid} cannot be dumped: {what} is not supported yet")]
    Unsupported { pid: i32, what: String },
    #[error("reading the state of pid {pid}: {source}")]
    Collect { pid: i32, source: SysError },
    #[error("reading the memory of pid {pid}: {source}")]
    Memory { pid: i32, source: SysError },
    #[error("pid {pid}, fd {fd}: {source}")]
    File { pid: i32, fd: i32, source: SysError },
    #[error("writing images: {0}")]
    Images(#[from] ImageError),
    #[error("writing pages of pid {pid} to {path}: {source}")]
    Pages {
        pid: i32,
        path: String,
        source: std::io::Error,
    },
    #[error("killing pid {pid} after the dump: {source}")]
    Kill { pid: i32, source: SysError },
}
