//! `fs-PID.img`: a task's fs_struct.

/// Working directory, root and umask of a task.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FsEntry {
    /// Id in `files.img` of the working directory.
    #[prost(uint32, required, tag = "1")]
    pub cwd_id: u32,
    /// Id in `files.img` of the root directory.
    #[prost(uint32, required, tag = "2")]
    pub root_id: u32,
    /// File-creation mask. CRIU itself defines this field at tag 3, so it
    /// is not a crust extension.
    #[prost(uint32, optional, tag = "3")]
    pub umask: Option<u32>,
}
