//! What tells a file the dump saw from a file changed since: the images record its
//! size, inode and modification time, and restore compares them.

use std::os::unix::fs::MetadataExt;

/// Modification time in nanoseconds since the epoch.
pub fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    (meta.mtime() as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(meta.mtime_nsec() as u64)
}
