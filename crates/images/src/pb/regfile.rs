//! Files opened by path (`FileEntry::reg`) and the `F_SETOWN` state that
//! every file entry kind shares.

/// `fcntl(F_GETOWN_EX)` / `F_GETSIG` state of a file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FownEntry {
    #[prost(uint32, required, tag = "1")]
    pub uid: u32,
    #[prost(uint32, required, tag = "2")]
    pub euid: u32,
    /// Signal sent on I/O readiness.
    #[prost(uint32, required, tag = "3")]
    pub signum: u32,
    /// `F_OWNER_*` kind of `pid`.
    #[prost(uint32, required, tag = "4")]
    pub pid_type: u32,
    /// Owner pid/pgid.
    #[prost(uint32, required, tag = "5")]
    pub pid: u32,
}

/// A file, directory or device opened by path.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RegFileEntry {
    /// Same id as the enclosing `FileEntry`.
    #[prost(uint32, required, tag = "1")]
    pub id: u32,
    /// `open(2)` flags.
    #[prost(uint32, required, tag = "2")]
    pub flags: u32,
    /// File position.
    #[prost(uint64, required, tag = "3")]
    pub pos: u64,
    #[prost(message, required, tag = "5")]
    pub fown: FownEntry,
    /// Path, relative to the mount's root.
    #[prost(string, required, tag = "6")]
    pub name: String,
    /// Mount id the path is relative to.
    #[prost(sint32, optional, tag = "7")]
    pub mnt_id: Option<i32>,
    /// File size at dump time, to detect changes.
    #[prost(uint64, optional, tag = "8")]
    pub size: Option<u64>,
    /// The file is external to the dump (`--external`).
    #[prost(bool, optional, tag = "9")]
    pub ext: Option<bool>,
    /// `st_mode` at dump time.
    #[prost(uint32, optional, tag = "10")]
    pub mode: Option<u32>,
    /// ELF build-id, to validate the file on restore.
    #[prost(uint32, repeated, packed = "false", tag = "11")]
    pub build_id: Vec<u32>,
    /// CRC32 of (part of) the file, alternative validation.
    #[prost(uint32, optional, tag = "12")]
    pub checksum: Option<u32>,
    #[prost(uint32, optional, tag = "13")]
    pub checksum_config: Option<u32>,
    #[prost(uint32, optional, tag = "14")]
    pub checksum_parameter: Option<u32>,
    /// crust extension: modification time (ns since the epoch) at dump time, so a
    /// restore can refuse a file that changed. CRIU tools skip it as unknown.
    #[prost(uint64, optional, tag = "100")]
    pub crust_mtime_ns: Option<u64>,
    /// crust extension: inode number at dump time (a replaced file has another).
    #[prost(uint64, optional, tag = "101")]
    pub crust_inode: Option<u64>,
    /// crust extension: device number at dump time.
    #[prost(uint64, optional, tag = "102")]
    pub crust_dev: Option<u64>,
}
