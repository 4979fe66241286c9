//! `files.img` (`FileEntry`, one per open file description) and
//! `fdinfo-N.img` (`FdinfoEntry`, one per fd of fd table `N`).

use super::{RegFileEntry, TtyFileEntry};

/// What kind of file an fd refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum FdTypes {
    Und = 0,
    /// Regular file, directory or device opened by path.
    Reg = 1,
    Pipe = 2,
    Fifo = 3,
    Inetsk = 4,
    Unixsk = 5,
    Eventfd = 6,
    Eventpoll = 7,
    Inotify = 8,
    Signalfd = 9,
    Packetsk = 10,
    /// A terminal; see `FileEntry::tty`.
    Tty = 11,
    Fanotify = 12,
    Netlinksk = 13,
    Ns = 14,
    Tunf = 15,
    Ext = 16,
    Timerfd = 17,
    Memfd = 18,
    Bpfmap = 19,
    /// Newer CRIU only: CRIU 3.x tools cannot decode entries of this type.
    Pidfd = 20,
    /// CRIU-internal, never stored in images.
    CtlTty = 65534,
    /// CRIU-internal, never stored in images.
    AutofsPipe = 65535,
}

/// One fd of a task's fd table.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FdinfoEntry {
    /// Id of the `FileEntry` the fd refers to.
    #[prost(uint32, required, tag = "1")]
    pub id: u32,
    /// fd flags (`FD_CLOEXEC`).
    #[prost(uint32, required, tag = "2")]
    pub flags: u32,
    #[prost(enumeration = "FdTypes", required, tag = "3")]
    pub r#type: i32,
    /// The fd number.
    #[prost(uint32, required, tag = "4")]
    pub fd: u32,
    /// SELinux label of the file.
    #[prost(string, optional, tag = "5")]
    pub xattr_security_selinux: Option<String>,
}

/// One open file description.
///
/// Exactly one of the type-specific sub-entries is set, matching `type`.
/// Only the ones crust produces are modelled; CRIU's others use tags 4..=18,
/// 20..=22.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FileEntry {
    #[prost(enumeration = "FdTypes", required, tag = "1")]
    pub r#type: i32,
    /// Id referenced by `FdinfoEntry::id`, `MmEntry::exe_file_id`, ...
    #[prost(uint32, required, tag = "2")]
    pub id: u32,
    /// For [`FdTypes::Reg`].
    #[prost(message, optional, tag = "3")]
    pub reg: Option<RegFileEntry>,
    /// For [`FdTypes::Tty`].
    #[prost(message, optional, tag = "19")]
    pub tty: Option<TtyFileEntry>,
}
