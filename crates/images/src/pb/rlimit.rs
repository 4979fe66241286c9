//! Resource limits: `TaskRlimitsEntry::rlimits`.

/// One `getrlimit(2)` pair; `u64::MAX` is `RLIM_INFINITY`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RlimitEntry {
    /// Soft limit.
    #[prost(uint64, required, tag = "1")]
    pub cur: u64,
    /// Hard limit.
    #[prost(uint64, required, tag = "2")]
    pub max: u64,
}
