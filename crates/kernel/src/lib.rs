//! Kernel access for crust: everything that talks to the kernel about another task.
//!
//! Dump and restore are written in terms of this crate; no other crate of the
//! workspace issues ptrace requests or raw syscalls. Each unsafe block lives here,
//! small and with the invariant it relies on stated next to it.

pub mod cpu;
pub mod error;
pub mod features;
pub mod memory;
pub mod own;
pub mod proc;
pub mod ptrace;
pub mod remote;
pub mod spawn;
pub mod task;

pub use error::SysError;

/// Native-endian 64-bit words of `bytes` (a trailing partial word is dropped): how
/// the kernel lays out pagemap entries, auxv and the structs it fills in.
pub fn words(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect()
}

/// Size of a page on every machine crust supports (x86_64).
pub const PAGE_SIZE: u64 = 4096;
