//! The one error type of this crate.
//!
//! Every variant carries the path of the file involved, because an image
//! directory holds dozens of files and "unexpected EOF" alone tells the user
//! nothing. I/O variants are split by the step that failed (create, open,
//! read, write) for the same reason.

use std::io;
use std::path::PathBuf;

use crate::magic;

/// Largest entry (length prefix value) this crate reads or writes: 64 MiB.
///
/// Real entries are far smaller (a core entry with a full XSAVE area is
/// about 12 KiB); the limit exists so that a corrupt length prefix is
/// reported instead of turning into a multi-gigabyte allocation.
pub const MAX_ENTRY_SIZE: u32 = 64 << 20;

/// Why an image operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Creating a file or directory failed.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Opening an existing file or directory failed.
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Reading from an open image failed.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The image file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Writing to (or flushing) an open image failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The image file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The file does not start with the magic its kind requires.
    #[error(
        "{}: bad magic: expected {expected:#010x} ({}), found {found:#010x} ({})",
        path.display(),
        magic_name(*expected),
        magic_name(*found)
    )]
    BadMagic {
        /// The image file.
        path: PathBuf,
        /// The magic this kind of image must carry.
        expected: u32,
        /// The value actually in the file.
        found: u32,
    },
    /// The file ends inside a magic, a length prefix or an entry.
    #[error("{}: truncated: record starting at offset {offset} is cut short", path.display())]
    Truncated {
        /// The image file.
        path: PathBuf,
        /// File offset where the incomplete record (magic or entry) starts.
        offset: u64,
    },
    /// An entry's length exceeds [`MAX_ENTRY_SIZE`].
    #[error(
        "{}: entry at offset {offset} is {len} bytes, over the {MAX_ENTRY_SIZE}-byte limit",
        path.display()
    )]
    TooLarge {
        /// The image file.
        path: PathBuf,
        /// File offset of the entry's length prefix.
        offset: u64,
        /// The length that was refused.
        len: u64,
    },
    /// An entry's bytes are not a valid encoding of the expected message.
    #[error("{}: entry #{index} does not decode: {source}", path.display())]
    Decode {
        /// The image file.
        path: PathBuf,
        /// Zero-based position of the entry in the file.
        index: usize,
        /// The protobuf error.
        source: prost::DecodeError,
    },
    /// `read_one` found no entry at all.
    #[error("{}: expected an entry, found end of file", path.display())]
    Missing {
        /// The image file.
        path: PathBuf,
    },
}

fn magic_name(value: u32) -> &'static str {
    magic::name_of(value).unwrap_or("unknown")
}
