//! `cpuinfo.img`: CPU features of the dumping host, checked on restore.

/// Features of one x86 CPU.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CpuinfoX86Entry {
    #[prost(enumeration = "cpuinfo_x86_entry::Vendor", required, tag = "1")]
    pub vendor_id: i32,
    #[prost(uint32, required, tag = "2")]
    pub cpu_family: u32,
    #[prost(uint32, required, tag = "3")]
    pub model: u32,
    #[prost(uint32, required, tag = "4")]
    pub stepping: u32,
    /// Layout version of `capability`.
    #[prost(uint32, required, tag = "5")]
    pub capability_ver: u32,
    /// CPUID feature words, in the kernel's `x86_capability` order.
    #[prost(uint32, repeated, packed = "false", tag = "6")]
    pub capability: Vec<u32>,
    /// Brand string.
    #[prost(string, optional, tag = "7")]
    pub model_id: Option<String>,
    /// XCR0: XSAVE features enabled.
    #[prost(uint64, optional, tag = "8")]
    pub xfeatures_mask: Option<u64>,
    /// XSAVE area size for the enabled features.
    #[prost(uint32, optional, tag = "9")]
    pub xsave_size: Option<u32>,
    /// XSAVE area size for all supported features.
    #[prost(uint32, optional, tag = "10")]
    pub xsave_size_max: Option<u32>,
}

/// Types nested in `CpuinfoX86Entry`.
pub mod cpuinfo_x86_entry {
    /// CPU vendor.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum Vendor {
        Unknown = 0,
        Intel = 1,
        Amd = 2,
    }
}

/// The single entry of `cpuinfo.img`. Only the x86 list is modelled
/// (CRIU's ppc64 and s390 lists use tags 2 and 3).
#[derive(Clone, PartialEq, prost::Message)]
pub struct CpuinfoEntry {
    #[prost(message, repeated, tag = "1")]
    pub x86_entry: Vec<CpuinfoX86Entry>,
}
