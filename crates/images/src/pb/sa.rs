//! Signal handlers: `TaskCoreEntry::sigactions`.

/// One signal's disposition (the kernel's `struct sigaction`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SaEntry {
    /// Handler address, or `SIG_DFL` (0) / `SIG_IGN` (1).
    #[prost(uint64, required, tag = "1")]
    pub sigaction: u64,
    /// `SA_*` flags.
    #[prost(uint64, required, tag = "2")]
    pub flags: u64,
    /// `sa_restorer` trampoline address.
    #[prost(uint64, required, tag = "3")]
    pub restorer: u64,
    /// Signals blocked while the handler runs (low 64).
    #[prost(uint64, required, tag = "4")]
    pub mask: u64,
    /// The handler was installed through the ia32 compat syscall.
    #[prost(bool, optional, tag = "5")]
    pub compat_sigaction: Option<bool>,
    /// Mask bits above 64.
    #[prost(uint64, optional, tag = "6")]
    pub mask_extended: Option<u64>,
}
