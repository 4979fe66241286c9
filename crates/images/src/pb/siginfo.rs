//! Pending signals: `TaskCoreEntry::signals_s`, `ThreadCoreEntry::signals_p`.

/// One queued signal.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SiginfoEntry {
    /// The raw 128-byte `siginfo_t` as `PTRACE_PEEKSIGINFO` returns it.
    #[prost(bytes = "vec", required, tag = "1")]
    pub siginfo: Vec<u8>,
}

/// A queue of pending signals, oldest first.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SignalQueueEntry {
    #[prost(message, repeated, tag = "1")]
    pub signals: Vec<SiginfoEntry>,
}
