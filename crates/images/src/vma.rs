//! Bit values stored in `VmaEntry::status` and `PagemapEntry::flags`.
//!
//! These are part of CRIU's image ABI: `criu restore` and `crit` interpret
//! the bits by these exact values, so crust writes the same ones. A VMA's
//! status normally combines [`VMA_AREA_REGULAR`] with one "kind" bit (file or
//! anonymous, private or shared) and optionally a special-area bit (stack,
//! heap, vdso, vvar, ...).

/// Nothing known about the area yet; never valid in a finished image.
pub const VMA_AREA_NONE: u32 = 0;
/// An ordinary area whose contents are dumped and restored.
pub const VMA_AREA_REGULAR: u32 = 1 << 0;
/// The main thread's stack (`[stack]`); the guard gap needs care on restore.
pub const VMA_AREA_STACK: u32 = 1 << 1;
/// `[vsyscall]`: provided by the kernel at a fixed address, never dumped.
pub const VMA_AREA_VSYSCALL: u32 = 1 << 2;
/// `[vdso]`: the kernel's vDSO code, remapped or proxied on restore.
pub const VMA_AREA_VDSO: u32 = 1 << 3;
/// `[heap]`: informational only.
pub const VMA_AREA_HEAP: u32 = 1 << 5;

/// A private file mapping.
pub const VMA_FILE_PRIVATE: u32 = 1 << 6;
/// A shared file mapping.
pub const VMA_FILE_SHARED: u32 = 1 << 7;
/// A shared anonymous mapping (backed by shmem).
pub const VMA_ANON_SHARED: u32 = 1 << 8;
/// A private anonymous mapping.
pub const VMA_ANON_PRIVATE: u32 = 1 << 9;

/// A SysV IPC shared-memory attachment.
pub const VMA_AREA_SYSVIPC: u32 = 1 << 10;
/// A mapping of a socket (e.g. a packet-socket ring).
pub const VMA_AREA_SOCKET: u32 = 1 << 11;
/// `[vvar]`: the kernel's vDSO data pages. CRIU also marks the
/// `[vvar_vclock]` area (split out of `[vvar]` in Linux 6.13) with this bit,
/// treating both as one vvar region; see [`CRUST_VMA_AREA_VVAR_VCLOCK`].
pub const VMA_AREA_VVAR: u32 = 1 << 12;
/// An AIO ring set up by `io_setup(2)`.
pub const VMA_AREA_AIORING: u32 = 1 << 13;
/// A mapping of a memfd.
pub const VMA_AREA_MEMFD: u32 = 1 << 14;
/// A CET shadow stack.
pub const VMA_AREA_SHSTK: u32 = 1 << 15;
/// A range covered by `MADV_GUARD_INSTALL` guards (no kernel VMA of its own).
pub const VMA_AREA_GUARD: u32 = 1 << 16;
/// `[uprobes]`: mapped by the kernel when a uprobe fires; contents not dumped.
pub const VMA_AREA_UPROBES: u32 = 1 << 17;
/// An area that is not accounted against the commit limit.
pub const VMA_AREA_NOT_ACCOUNTABLE: u32 = 1 << 18;

/// Area handled by a CRIU plugin.
pub const VMA_EXT_PLUGIN: u32 = 1 << 27;
/// CRIU restore-time bookkeeping (close the fd after mapping); not an image bit.
pub const VMA_CLOSE: u32 = 1 << 28;
/// CRIU restore-time bookkeeping (write access added temporarily); not an image bit.
pub const VMA_NO_PROT_WRITE: u32 = 1 << 29;
/// CRIU restore-time bookkeeping (already premapped); not an image bit.
pub const VMA_PREMMAPED: u32 = 1 << 30;
/// An area CRIU cannot handle; must never appear in an image.
pub const VMA_UNSUPP: u32 = 1 << 31;

/// **crust extension.** Marks the `[vvar_vclock]` area.
///
/// CRIU has no bit of its own for it: it flags `[vvar_vclock]` as
/// [`VMA_AREA_VVAR`] like the `[vvar]` area next to it. crust writes
/// `VMA_AREA_REGULAR | VMA_AREA_VVAR | CRUST_VMA_AREA_VVAR_VCLOCK`, so CRIU
/// tools see an ordinary vvar area (an unknown status bit is only shown as a
/// hex remainder by `crit`), while crust's restorer can tell the two parts
/// apart. Bit 24 sits in the gap CRIU leaves between its image bits (0..=18)
/// and its plugin/runtime bits (27..=31).
pub const CRUST_VMA_AREA_VVAR_VCLOCK: u32 = 1 << 24;

/// `PagemapEntry::flags`: the pages are in the parent (pre-dump) image.
pub const PE_PARENT: u32 = 1 << 0;
/// `PagemapEntry::flags`: the pages are served lazily (userfaultfd).
pub const PE_LAZY: u32 = 1 << 1;
/// `PagemapEntry::flags`: the pages are stored in this dump's `pages-N.img`.
pub const PE_PRESENT: u32 = 1 << 2;
