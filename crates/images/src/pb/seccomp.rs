//! `seccomp.img`: every seccomp filter of the dumped tree, once.
//!
//! Filters form chains (a thread's filter stack): `ThreadCoreEntry::seccomp_filter`
//! names a thread's innermost filter by its index in `seccomp_filters`, and
//! each filter names the next outer one through `prev`.

/// One BPF filter program.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SeccompFilter {
    /// The `struct sock_filter` array, 8 bytes per instruction.
    #[prost(bytes = "vec", required, tag = "1")]
    pub filter: Vec<u8>,
    /// Position of the next outer filter in the chain, if any.
    #[prost(uint32, optional, tag = "2")]
    pub prev: Option<u32>,
    /// `SECCOMP_FILTER_FLAG_*` used to install it.
    #[prost(uint32, optional, tag = "3")]
    pub flags: Option<u32>,
}

/// The single entry of `seccomp.img`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SeccompEntry {
    #[prost(message, repeated, tag = "1")]
    pub seccomp_filters: Vec<SeccompFilter>,
}
