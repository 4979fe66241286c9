//! `inventory.img`: the first file a restore reads.

use super::TaskKobjIdsEntry;

/// Linux security module active at dump time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum Lsmtype {
    NoLsm = 0,
    Selinux = 1,
    Apparmor = 2,
}

/// Facts about the whole dump.
#[derive(Clone, PartialEq, prost::Message)]
pub struct InventoryEntry {
    /// Image layout version: [`crate::magic::CRTOOLS_IMAGES_V1_1`].
    #[prost(uint32, required, tag = "1")]
    pub img_version: u32,
    /// fdinfo images are named by fd-table id (`fdinfo-N.img`); always true
    /// for current images.
    #[prost(bool, optional, tag = "2")]
    pub fdinfo_per_id: Option<bool>,
    /// Kernel object ids of the root task's namespaces.
    #[prost(message, optional, tag = "3")]
    pub root_ids: Option<TaskKobjIdsEntry>,
    /// Namespace images are named by namespace id.
    #[prost(bool, optional, tag = "4")]
    pub ns_per_id: Option<bool>,
    /// Cgroup set of the root task.
    #[prost(uint32, optional, tag = "5")]
    pub root_cg_set: Option<u32>,
    #[prost(enumeration = "Lsmtype", optional, tag = "6")]
    pub lsmtype: Option<i32>,
    /// System uptime at dump time; lets a later dump spot a reboot in between.
    #[prost(uint64, optional, tag = "8")]
    pub dump_uptime: Option<u64>,
    /// How memory was pre-dumped (CRIU's `PRE_DUMP_*` modes).
    #[prost(uint32, optional, tag = "9")]
    pub pre_dump_mode: Option<u32>,
    /// TCP connections were closed rather than dumped.
    #[prost(bool, optional, tag = "10")]
    pub tcp_close: Option<bool>,
    /// How the network was locked during the dump.
    #[prost(uint32, optional, tag = "11")]
    pub network_lock_method: Option<u32>,
}
