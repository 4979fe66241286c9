//! x86-64 register state inside `CoreEntry::thread_info`.

/// Whether `UserX86RegsEntry` holds a 64-bit or an ia32 register set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum UserX86RegsMode {
    /// 64-bit registers.
    Native = 1,
    /// 32-bit (compat) registers.
    Compat = 2,
}

/// General-purpose registers, in the kernel's `user_regs_struct` order.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UserX86RegsEntry {
    #[prost(uint64, required, tag = "1")]
    pub r15: u64,
    #[prost(uint64, required, tag = "2")]
    pub r14: u64,
    #[prost(uint64, required, tag = "3")]
    pub r13: u64,
    #[prost(uint64, required, tag = "4")]
    pub r12: u64,
    #[prost(uint64, required, tag = "5")]
    pub bp: u64,
    #[prost(uint64, required, tag = "6")]
    pub bx: u64,
    #[prost(uint64, required, tag = "7")]
    pub r11: u64,
    #[prost(uint64, required, tag = "8")]
    pub r10: u64,
    #[prost(uint64, required, tag = "9")]
    pub r9: u64,
    #[prost(uint64, required, tag = "10")]
    pub r8: u64,
    #[prost(uint64, required, tag = "11")]
    pub ax: u64,
    #[prost(uint64, required, tag = "12")]
    pub cx: u64,
    #[prost(uint64, required, tag = "13")]
    pub dx: u64,
    #[prost(uint64, required, tag = "14")]
    pub si: u64,
    #[prost(uint64, required, tag = "15")]
    pub di: u64,
    #[prost(uint64, required, tag = "16")]
    pub orig_ax: u64,
    #[prost(uint64, required, tag = "17")]
    pub ip: u64,
    #[prost(uint64, required, tag = "18")]
    pub cs: u64,
    #[prost(uint64, required, tag = "19")]
    pub flags: u64,
    #[prost(uint64, required, tag = "20")]
    pub sp: u64,
    #[prost(uint64, required, tag = "21")]
    pub ss: u64,
    #[prost(uint64, required, tag = "22")]
    pub fs_base: u64,
    #[prost(uint64, required, tag = "23")]
    pub gs_base: u64,
    #[prost(uint64, required, tag = "24")]
    pub ds: u64,
    #[prost(uint64, required, tag = "25")]
    pub es: u64,
    #[prost(uint64, required, tag = "26")]
    pub fs: u64,
    #[prost(uint64, required, tag = "27")]
    pub gs: u64,
    /// Register-set width; absent means native.
    #[prost(
        enumeration = "UserX86RegsMode",
        optional,
        tag = "28",
        default = "Native"
    )]
    pub mode: Option<i32>,
}

/// CET user state (newer CRIU).
#[derive(Clone, PartialEq, prost::Message)]
pub struct UserX86CetEntry {
    /// `MSR_IA32_U_CET`.
    #[prost(uint64, required, tag = "1")]
    pub cet: u64,
    /// Shadow-stack pointer.
    #[prost(uint64, required, tag = "2")]
    pub ssp: u64,
}

/// XSAVE components beyond the legacy FXSAVE area, split by feature.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UserX86XsaveEntry {
    /// XSTATE_BV: which components hold live state.
    #[prost(uint64, required, tag = "1")]
    pub xstate_bv: u64,
    /// Upper halves of YMM0-15 (AVX), 64 words.
    #[prost(uint32, repeated, packed = "false", tag = "2")]
    pub ymmh_space: Vec<u32>,
    /// MPX bound registers.
    #[prost(uint64, repeated, packed = "false", tag = "3")]
    pub bndreg_state: Vec<u64>,
    /// MPX configuration/status.
    #[prost(uint64, repeated, packed = "false", tag = "4")]
    pub bndcsr_state: Vec<u64>,
    /// AVX-512 k0-k7.
    #[prost(uint64, repeated, packed = "false", tag = "5")]
    pub opmask_reg: Vec<u64>,
    /// AVX-512 upper halves of ZMM0-15.
    #[prost(uint64, repeated, packed = "false", tag = "6")]
    pub zmm_upper: Vec<u64>,
    /// AVX-512 ZMM16-31.
    #[prost(uint64, repeated, packed = "false", tag = "7")]
    pub hi16_zmm: Vec<u64>,
    /// Protection-key rights register.
    #[prost(uint32, repeated, packed = "false", tag = "8")]
    pub pkru: Vec<u32>,
    /// CET user state (newer CRIU).
    #[prost(message, optional, tag = "9")]
    pub cet: Option<UserX86CetEntry>,
}

/// FPU/SSE state (the FXSAVE layout) plus optional XSAVE components.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UserX86FpregsEntry {
    #[prost(uint32, required, tag = "1")]
    pub cwd: u32,
    #[prost(uint32, required, tag = "2")]
    pub swd: u32,
    #[prost(uint32, required, tag = "3")]
    pub twd: u32,
    #[prost(uint32, required, tag = "4")]
    pub fop: u32,
    #[prost(uint64, required, tag = "5")]
    pub rip: u64,
    #[prost(uint64, required, tag = "6")]
    pub rdp: u64,
    #[prost(uint32, required, tag = "7")]
    pub mxcsr: u32,
    #[prost(uint32, required, tag = "8")]
    pub mxcsr_mask: u32,
    /// x87 registers, 32 words.
    #[prost(uint32, repeated, packed = "false", tag = "9")]
    pub st_space: Vec<u32>,
    /// XMM registers, 64 words.
    #[prost(uint32, repeated, packed = "false", tag = "10")]
    pub xmm_space: Vec<u32>,
    /// Unused; kept by CRIU for old images.
    #[prost(uint32, repeated, packed = "false", tag = "11")]
    pub padding: Vec<u32>,
    /// XSAVE components, when the CPU has them.
    #[prost(message, optional, tag = "13")]
    pub xsave: Option<UserX86XsaveEntry>,
}

/// One TLS descriptor (`struct user_desc`, for ia32 GDT entries).
#[derive(Clone, PartialEq, prost::Message)]
pub struct UserDescT {
    #[prost(uint32, required, tag = "1")]
    pub entry_number: u32,
    #[prost(uint32, required, tag = "2")]
    pub base_addr: u32,
    #[prost(uint32, required, tag = "3")]
    pub limit: u32,
    #[prost(bool, required, tag = "4")]
    pub seg_32bit: bool,
    #[prost(bool, required, tag = "5")]
    pub contents_h: bool,
    #[prost(bool, required, tag = "6")]
    pub contents_l: bool,
    #[prost(bool, required, tag = "7", default = "true")]
    pub read_exec_only: bool,
    #[prost(bool, required, tag = "8")]
    pub limit_in_pages: bool,
    #[prost(bool, required, tag = "9", default = "true")]
    pub seg_not_present: bool,
    #[prost(bool, required, tag = "10")]
    pub usable: bool,
}

/// All register state of one x86 thread.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ThreadInfoX86 {
    /// `set_tid_address(2)` value.
    #[prost(uint64, required, tag = "1")]
    pub clear_tid_addr: u64,
    /// General-purpose registers.
    #[prost(message, required, tag = "2")]
    pub gpregs: UserX86RegsEntry,
    /// FPU/SSE/AVX state.
    #[prost(message, required, tag = "3")]
    pub fpregs: UserX86FpregsEntry,
    /// TLS descriptors.
    #[prost(message, repeated, tag = "4")]
    pub tls: Vec<UserDescT>,
    /// **crust extension** (tag 100): the raw `NT_X86_XSTATE` buffer as read
    /// with `PTRACE_GETREGSET`, e.g. 11008 bytes on a CPU with AMX.
    ///
    /// CRIU splits XSAVE state into the per-feature fields of
    /// [`UserX86XsaveEntry`] and has none for newer components (AMX tiles,
    /// APX, ...). Keeping the whole buffer lets crust restore exactly what
    /// it dumped on the same CPU; CRIU and `crit` skip the field as unknown.
    #[prost(bytes = "vec", optional, tag = "100")]
    pub xsave_area: Option<Vec<u8>>,
}
