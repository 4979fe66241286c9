//! Terminals: `tty-info.img` (`TtyInfoEntry`), `tty-data.img`
//! (`TtyDataEntry`) and the `FileEntry::tty` sub-entry (`TtyFileEntry`).

use super::FownEntry;

/// Kind of terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum TtyType {
    Unknown = 0,
    /// A pseudo-terminal (master or slave).
    Pty = 1,
    /// `/dev/console`.
    Console = 2,
    /// A virtual console.
    Vt = 3,
    /// `/dev/tty`, the controlling terminal alias.
    Ctty = 4,
    /// A terminal outside the dump (`--external tty[...]`).
    ExtTty = 5,
    /// A serial line.
    Serial = 6,
}

/// `struct winsize`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WinsizeEntry {
    #[prost(uint32, required, tag = "1")]
    pub ws_row: u32,
    #[prost(uint32, required, tag = "2")]
    pub ws_col: u32,
    #[prost(uint32, required, tag = "3")]
    pub ws_xpixel: u32,
    #[prost(uint32, required, tag = "4")]
    pub ws_ypixel: u32,
}

/// `struct termios2`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TermiosEntry {
    #[prost(uint32, required, tag = "1")]
    pub c_iflag: u32,
    #[prost(uint32, required, tag = "2")]
    pub c_oflag: u32,
    #[prost(uint32, required, tag = "3")]
    pub c_cflag: u32,
    #[prost(uint32, required, tag = "4")]
    pub c_lflag: u32,
    #[prost(uint32, required, tag = "5")]
    pub c_line: u32,
    #[prost(uint32, required, tag = "6")]
    pub c_ispeed: u32,
    #[prost(uint32, required, tag = "7")]
    pub c_ospeed: u32,
    /// Control characters, one per word.
    #[prost(uint32, repeated, packed = "false", tag = "8")]
    pub c_cc: Vec<u32>,
}

/// Pty-specific part of a `TtyInfoEntry`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TtyPtyEntry {
    /// The `N` of `/dev/pts/N`.
    #[prost(uint32, required, tag = "1")]
    pub index: u32,
}

/// Input queued on a terminal but not yet read.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TtyDataEntry {
    /// Id of the `TtyInfoEntry`.
    #[prost(uint32, required, tag = "1")]
    pub tty_id: u32,
    #[prost(bytes = "vec", required, tag = "2")]
    pub data: Vec<u8>,
}

/// State of one terminal, shared by all files open on it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TtyInfoEntry {
    #[prost(uint32, required, tag = "1")]
    pub id: u32,
    #[prost(enumeration = "TtyType", required, tag = "2")]
    pub r#type: i32,
    /// Pty slave locked (`TIOCGPTLCK`).
    #[prost(bool, required, tag = "3")]
    pub locked: bool,
    /// `TIOCEXCL` set.
    #[prost(bool, required, tag = "4")]
    pub exclusive: bool,
    /// `TIOCPKT` mode.
    #[prost(bool, required, tag = "5")]
    pub packet_mode: bool,
    /// Session the terminal controls.
    #[prost(uint32, required, tag = "6")]
    pub sid: u32,
    /// Foreground process group.
    #[prost(uint32, required, tag = "7")]
    pub pgrp: u32,
    /// Device number (`st_rdev`).
    #[prost(uint32, required, tag = "8")]
    pub rdev: u32,
    #[prost(message, optional, tag = "9")]
    pub termios: Option<TermiosEntry>,
    #[prost(message, optional, tag = "10")]
    pub termios_locked: Option<TermiosEntry>,
    #[prost(message, optional, tag = "11")]
    pub winsize: Option<WinsizeEntry>,
    #[prost(message, optional, tag = "12")]
    pub pty: Option<TtyPtyEntry>,
    /// Device of the filesystem holding the device node (`st_dev`).
    #[prost(uint32, optional, tag = "13")]
    pub dev: Option<u32>,
    /// Owner of the device node.
    #[prost(uint32, optional, tag = "14")]
    pub uid: Option<u32>,
    #[prost(uint32, optional, tag = "15")]
    pub gid: Option<u32>,
}

/// A file open on a terminal (`FileEntry::tty`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct TtyFileEntry {
    /// Same id as the enclosing `FileEntry`.
    #[prost(uint32, required, tag = "1")]
    pub id: u32,
    /// Id of the `TtyInfoEntry` of the terminal.
    #[prost(uint32, required, tag = "2")]
    pub tty_info_id: u32,
    /// `open(2)` flags.
    #[prost(uint32, required, tag = "3")]
    pub flags: u32,
    #[prost(message, required, tag = "4")]
    pub fown: FownEntry,
    /// Id of a `RegFileEntry` giving the device path, when it is not the
    /// canonical one.
    #[prost(uint32, optional, tag = "6")]
    pub regf_id: Option<u32>,
}
