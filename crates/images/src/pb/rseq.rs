//! Restartable sequences: `ThreadCoreEntry::rseq_entry`.

/// A thread's `rseq(2)` registration.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RseqEntry {
    /// Address of the registered `struct rseq`.
    #[prost(uint64, required, tag = "1")]
    pub rseq_abi_pointer: u64,
    /// Registered size of it.
    #[prost(uint32, required, tag = "2")]
    pub rseq_abi_size: u32,
    /// Abort-handler signature.
    #[prost(uint32, required, tag = "3")]
    pub signature: u32,
    /// `rseq_cs` value at dump time, when a critical section was active.
    #[prost(uint64, optional, tag = "4")]
    pub rseq_cs_pointer: Option<u64>,
}
