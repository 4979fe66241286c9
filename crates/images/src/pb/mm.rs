//! `mm-PID.img`: one `MmEntry` describing a process's address space.

/// One memory area; `status` bits are in [`crate::vma`].
#[derive(Clone, PartialEq, prost::Message)]
pub struct VmaEntry {
    /// First address.
    #[prost(uint64, required, tag = "1")]
    pub start: u64,
    /// One past the last address.
    #[prost(uint64, required, tag = "2")]
    pub end: u64,
    /// File offset of `start`, for file mappings.
    #[prost(uint64, required, tag = "3")]
    pub pgoff: u64,
    /// Id of the backing object (file id in `files.img`, shmem id, ...).
    #[prost(uint64, required, tag = "4")]
    pub shmid: u64,
    /// `PROT_*` bits.
    #[prost(uint32, required, tag = "5")]
    pub prot: u32,
    /// `MAP_*` bits.
    #[prost(uint32, required, tag = "6")]
    pub flags: u32,
    /// `VMA_*` bits from [`crate::vma`].
    #[prost(uint32, required, tag = "7")]
    pub status: u32,
    /// Restore-time fd slot; -1 in images.
    #[prost(sint64, required, tag = "8")]
    pub fd: i64,
    /// `MADV_*` advice bits set on the area (bit n = advice n).
    #[prost(uint64, optional, tag = "9")]
    pub madv: Option<u64>,
    /// Open flags of the mapped file.
    #[prost(uint32, optional, tag = "10")]
    pub fdflags: Option<u32>,
}

/// An AIO ring (see `VMA_AREA_AIORING`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AioRingEntry {
    /// Ring address (the `aio_context_t`).
    #[prost(uint64, required, tag = "1")]
    pub id: u64,
    /// Requested events (`io_setup` nr_events).
    #[prost(uint32, required, tag = "2")]
    pub nr_req: u32,
    /// Ring size in bytes.
    #[prost(uint32, required, tag = "3")]
    pub ring_len: u32,
}

/// Address-space layout of a process.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MmEntry {
    #[prost(uint64, required, tag = "1")]
    pub mm_start_code: u64,
    #[prost(uint64, required, tag = "2")]
    pub mm_end_code: u64,
    #[prost(uint64, required, tag = "3")]
    pub mm_start_data: u64,
    #[prost(uint64, required, tag = "4")]
    pub mm_end_data: u64,
    #[prost(uint64, required, tag = "5")]
    pub mm_start_stack: u64,
    #[prost(uint64, required, tag = "6")]
    pub mm_start_brk: u64,
    #[prost(uint64, required, tag = "7")]
    pub mm_brk: u64,
    #[prost(uint64, required, tag = "8")]
    pub mm_arg_start: u64,
    #[prost(uint64, required, tag = "9")]
    pub mm_arg_end: u64,
    #[prost(uint64, required, tag = "10")]
    pub mm_env_start: u64,
    #[prost(uint64, required, tag = "11")]
    pub mm_env_end: u64,
    /// Id in `files.img` of the executable (`/proc/PID/exe`).
    #[prost(uint32, required, tag = "12")]
    pub exe_file_id: u32,
    /// Auxiliary vector, as (type, value) pairs.
    #[prost(uint64, repeated, packed = "false", tag = "13")]
    pub mm_saved_auxv: Vec<u64>,
    /// Memory areas, in address order.
    #[prost(message, repeated, tag = "14")]
    pub vmas: Vec<VmaEntry>,
    /// `PR_GET_DUMPABLE`.
    #[prost(int32, optional, tag = "15")]
    pub dumpable: Option<i32>,
    /// AIO rings.
    #[prost(message, repeated, tag = "16")]
    pub aios: Vec<AioRingEntry>,
    /// `PR_GET_THP_DISABLE`.
    #[prost(bool, optional, tag = "17")]
    pub thp_disabled: Option<bool>,
}
