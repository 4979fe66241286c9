//! Protobuf messages of CRIU's image format, written by hand for prost.
//!
//! The schema here is crust's own, written from the facts of the format
//! (message layout, field numbers, wire types, labels) rather than generated
//! from CRIU's `.proto` files. Rust names are the CamelCase of CRIU's message
//! names so that anyone who knows CRIU's images can find their way.
//!
//! The format is proto2 and the labels matter on the wire:
//! - `required` fields are always encoded, even when zero. CRIU's C code and
//!   `crit` (Python) refuse a message with a required field missing, so every
//!   field CRIU marks required is `required` here and is a plain value in
//!   Rust.
//! - `optional` fields are `Option<_>` and are encoded only when `Some`.
//! - repeated scalars are *unpacked* (`packed = "false"`), as proto2 writes
//!   them by default.
//!
//! Fields CRIU defines but crust never fills (other architectures, socket
//! and namespace sub-entries of `FileEntry`, ...) are omitted; a decoder
//! skips them as unknown fields.
//!
//! **crust extensions** carry data CRIU has no field for. They use field
//! numbers CRIU does not use (100 and up), so CRIU and `crit` skip them as
//! unknown fields. Each one is marked "crust extension" in its doc comment;
//! the README lists them all.

pub mod core;
pub mod core_x86;
pub mod cpuinfo;
pub mod creds;
pub mod fdinfo;
pub mod fs;
pub mod inventory;
pub mod mm;
pub mod pagemap;
pub mod pstree;
pub mod regfile;
pub mod rlimit;
pub mod rseq;
pub mod sa;
pub mod seccomp;
pub mod siginfo;
pub mod stats;
pub mod timer;
pub mod tty;

pub use self::core::*;
pub use self::core_x86::*;
pub use self::cpuinfo::*;
pub use self::creds::*;
pub use self::fdinfo::*;
pub use self::fs::*;
pub use self::inventory::*;
pub use self::mm::*;
pub use self::pagemap::*;
pub use self::pstree::*;
pub use self::regfile::*;
pub use self::rlimit::*;
pub use self::rseq::*;
pub use self::sa::*;
pub use self::seccomp::*;
pub use self::siginfo::*;
pub use self::stats::*;
pub use self::timer::*;
pub use self::tty::*;
