//! CRIU-compatible image files for crust.
//!
//! crust writes checkpoints in CRIU's on-disk format so that CRIU's own
//! tools (`crit`, and ideally `criu restore`) can read them, and so that
//! crust can read CRIU's. This crate owns that format:
//!
//! - [`magic`]: the magic numbers that open each image file;
//! - [`pb`]: the protobuf messages stored in the images (our own schema,
//!   written from the format's facts, plus a few documented crust extensions);
//! - [`vma`]: bit values of `VmaEntry::status` and `PagemapEntry::flags`;
//! - [`ImageDir`], [`ImageWriter`], [`ImageReader`]: file naming, private
//!   file modes, magic checks and the length-prefixed entry framing.
//!
//! ```no_run
//! use crust_images::{pb, ImageDir, ImageKind};
//! # fn main() -> Result<(), crust_images::ImageError> {
//! let dir = ImageDir::create(std::path::Path::new("/tmp/dump"))?;
//! let mut w = dir.writer(ImageKind::Pstree)?;
//! w.write(&pb::PstreeEntry { pid: 1, threads: vec![1], ..Default::default() })?;
//! w.finish()?;
//! let tree: Vec<pb::PstreeEntry> = dir.reader(ImageKind::Pstree)?.read_all()?;
//! # let _ = tree; Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod dir;
mod error;
mod io;
mod kind;
pub mod magic;
pub mod pb;
pub mod vma;

pub use dir::ImageDir;
pub use error::{ImageError, MAX_ENTRY_SIZE};
pub use io::{ImageReader, ImageWriter};
pub use kind::ImageKind;

/// The image format version written in inventory.img (criu calls it V1.1).
pub const IMAGES_VERSION: u32 = 2;

/// Values of `TaskCoreEntry::task_state`.
pub mod task_state {
    /// A running (or sleeping) task.
    pub const ALIVE: u32 = 1;
    /// A task in a job-control stop (SIGSTOP and friends).
    pub const STOPPED: u32 = 3;
    /// A task that had exited and was waiting for its parent to reap it.
    pub const ZOMBIE: u32 = 6;
}
