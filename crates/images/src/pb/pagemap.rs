//! `pagemap-PID.img`: a `PagemapHead`, then one `PagemapEntry` per run of
//! pages. Present pages are stored back to back, in entry order, in
//! `pages-<pages_id>.img`.

/// First entry of a pagemap image.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PagemapHead {
    /// The `N` of the `pages-N.img` that holds this pagemap's pages.
    #[prost(uint32, required, tag = "1")]
    pub pages_id: u32,
}

/// A run of consecutive pages.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PagemapEntry {
    /// Address of the first page.
    #[prost(uint64, required, tag = "1")]
    pub vaddr: u64,
    /// Number of pages.
    #[prost(uint32, required, tag = "2")]
    pub nr_pages: u32,
    /// Old way of saying `PE_PARENT`; superseded by `flags`.
    #[prost(bool, optional, tag = "3")]
    pub in_parent: Option<bool>,
    /// `PE_*` bits from [`crate::vma`].
    #[prost(uint32, optional, tag = "4")]
    pub flags: Option<u32>,
}
