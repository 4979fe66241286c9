//! Credentials: `ThreadCoreEntry::creds` and the legacy `creds-PID.img`.

/// A thread's credentials.
///
/// Capability sets are stored as arrays of 32-bit words, low word first
/// (two words cover every capability the kernel defines today).
#[derive(Clone, PartialEq, prost::Message)]
pub struct CredsEntry {
    #[prost(uint32, required, tag = "1")]
    pub uid: u32,
    #[prost(uint32, required, tag = "2")]
    pub gid: u32,
    #[prost(uint32, required, tag = "3")]
    pub euid: u32,
    #[prost(uint32, required, tag = "4")]
    pub egid: u32,
    #[prost(uint32, required, tag = "5")]
    pub suid: u32,
    #[prost(uint32, required, tag = "6")]
    pub sgid: u32,
    #[prost(uint32, required, tag = "7")]
    pub fsuid: u32,
    #[prost(uint32, required, tag = "8")]
    pub fsgid: u32,
    /// Inheritable capabilities.
    #[prost(uint32, repeated, packed = "false", tag = "9")]
    pub cap_inh: Vec<u32>,
    /// Permitted capabilities.
    #[prost(uint32, repeated, packed = "false", tag = "10")]
    pub cap_prm: Vec<u32>,
    /// Effective capabilities.
    #[prost(uint32, repeated, packed = "false", tag = "11")]
    pub cap_eff: Vec<u32>,
    /// Bounding set.
    #[prost(uint32, repeated, packed = "false", tag = "12")]
    pub cap_bnd: Vec<u32>,
    /// `prctl(PR_GET_SECUREBITS)`.
    #[prost(uint32, required, tag = "13")]
    pub secbits: u32,
    /// Supplementary groups.
    #[prost(uint32, repeated, packed = "false", tag = "14")]
    pub groups: Vec<u32>,
    /// LSM label of the task.
    #[prost(string, optional, tag = "15")]
    pub lsm_profile: Option<String>,
    /// LSM label for sockets the task creates.
    #[prost(string, optional, tag = "16")]
    pub lsm_sockcreate: Option<String>,
    /// AppArmor policy data.
    #[prost(bytes = "vec", optional, tag = "17")]
    pub apparmor_data: Option<Vec<u8>>,
    /// `prctl(PR_GET_NO_NEW_PRIVS)` (0 or 1). Newer CRIU defines this field
    /// at tag 18 as a `uint32`; crust uses the same number and type.
    #[prost(uint32, optional, tag = "18")]
    pub no_new_privs: Option<u32>,
    /// Ambient capabilities. Newer CRIU defines this field at tag 19; crust
    /// uses the same number and type.
    #[prost(uint32, repeated, packed = "false", tag = "19")]
    pub cap_amb: Vec<u32>,
}
