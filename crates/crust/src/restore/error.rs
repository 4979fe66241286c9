//! Why a restore failed: the step, the task, file or mapping concerned, and the cause.

use crust_images::ImageError;
use crust_kernel::SysError;

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("reading images: {0}")]
    Images(#[from] ImageError),
    #[error("images in {dir} are not usable: {why}")]
    BadImages { dir: String, why: String },
    #[error("pid {pid} cannot be restored: {what} is not supported yet")]
    Unsupported { pid: u32, what: String },
    #[error(
        "pid {pid}, fd {fd} was a terminal: restore with --shell-job (-j) to give it this one"
    )]
    NeedsShellJob { pid: u32, fd: u32 },
    #[error("file {path} changed since the dump: {what}")]
    FileChanged { path: String, what: String },
    #[error("file {path} needed by the restore: {source}")]
    FileMissing {
        path: String,
        source: std::io::Error,
    },
    #[error("pid {pid} is in use by another process; it must be free to restore the dumped process with its pid")]
    PidInUse { pid: u32 },
    #[error("creating pid {pid}: {source}")]
    Fork { pid: u32, source: SysError },
    #[error("preparing pid {pid}: {message}")]
    Prepare { pid: u32, message: String },
    #[error("rebuilding the memory of pid {pid}: {source}")]
    Memory { pid: u32, source: SysError },
    #[error("restoring the state of pid {pid}: {source}")]
    State { pid: u32, source: SysError },
    #[error("writing the pidfile {path}: {source}")]
    Pidfile {
        path: String,
        source: std::io::Error,
    },
    #[error("waiting for pid {pid}: {source}")]
    Wait { pid: u32, source: SysError },
}
