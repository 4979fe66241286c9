//! `pstree.img`: one entry per process, parents before children.

/// One process of the dumped tree. Ids are as seen in the tree's own pid
/// namespace.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PstreeEntry {
    #[prost(uint32, required, tag = "1")]
    pub pid: u32,
    /// Parent pid; 0 for the root of the dump.
    #[prost(uint32, required, tag = "2")]
    pub ppid: u32,
    /// Process group.
    #[prost(uint32, required, tag = "3")]
    pub pgid: u32,
    /// Session.
    #[prost(uint32, required, tag = "4")]
    pub sid: u32,
    /// Thread ids, the leader (`pid`) included.
    #[prost(uint32, repeated, packed = "false", tag = "5")]
    pub threads: Vec<u32>,
}
