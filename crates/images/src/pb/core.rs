//! `core-TID.img` (`CoreEntry`) and `ids-PID.img` (`TaskKobjIdsEntry`).
//!
//! A core entry exists per thread. The thread-group leader's entry also
//! carries the process-wide part (`tc`: state, signal handlers, rlimits,
//! timers); every thread's entry carries its registers (`thread_info`) and
//! per-thread state (`thread_core`).

use super::{
    CredsEntry, RlimitEntry, RseqEntry, SaEntry, SignalQueueEntry, TaskTimersEntry, ThreadInfoX86,
};

/// Seccomp mode of a thread (the kernel's `SECCOMP_MODE_*` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SeccompMode {
    /// No seccomp.
    Disabled = 0,
    /// Strict mode (read/write/exit/sigreturn only).
    Strict = 1,
    /// BPF filter mode; the filters are in `seccomp.img`.
    Filter = 2,
}

/// Process-wide task state, stored in the thread-group leader's core entry.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TaskCoreEntry {
    /// Alive (1), zombie (3) or stopped (6), CRIU's `TASK_*` values.
    #[prost(uint32, required, tag = "1")]
    pub task_state: u32,
    /// Exit code, for zombies.
    #[prost(uint32, required, tag = "2")]
    pub exit_code: u32,
    /// `personality(2)` value.
    #[prost(uint32, required, tag = "3")]
    pub personality: u32,
    /// Task flags (`PF_*` from `/proc/PID/stat`).
    #[prost(uint32, required, tag = "4")]
    pub flags: u32,
    /// Blocked signals (low 64), legacy place; per-thread copy is in `ThreadCoreEntry`.
    #[prost(uint64, required, tag = "5")]
    pub blk_sigset: u64,
    /// Command name (`comm`, at most 15 bytes).
    #[prost(string, required, tag = "6")]
    pub comm: String,
    /// Interval and POSIX timers.
    #[prost(message, optional, tag = "7")]
    pub timers: Option<TaskTimersEntry>,
    /// Resource limits.
    #[prost(message, optional, tag = "8")]
    pub rlimits: Option<TaskRlimitsEntry>,
    /// Cgroup set id (deprecated in favour of the per-thread field).
    #[prost(uint32, optional, tag = "9")]
    pub cg_set: Option<u32>,
    /// Process-wide pending signals.
    #[prost(message, optional, tag = "10")]
    pub signals_s: Option<SignalQueueEntry>,
    /// Deprecated process-wide seccomp mode.
    #[prost(enumeration = "SeccompMode", optional, tag = "11")]
    pub old_seccomp_mode: Option<i32>,
    /// Deprecated process-wide seccomp filter id.
    #[prost(uint32, optional, tag = "12")]
    pub old_seccomp_filter: Option<u32>,
    /// Audit login uid.
    #[prost(uint32, optional, tag = "13")]
    pub loginuid: Option<u32>,
    /// `/proc/PID/oom_score_adj`.
    #[prost(int32, optional, tag = "14")]
    pub oom_score_adj: Option<i32>,
    /// Signal handlers, one per signal number from 1.
    #[prost(message, repeated, tag = "15")]
    pub sigactions: Vec<SaEntry>,
    /// `PR_SET_CHILD_SUBREAPER` state.
    #[prost(bool, optional, tag = "18")]
    pub child_subreaper: Option<bool>,
    /// Blocked signals above 64 (legacy place).
    #[prost(uint64, optional, tag = "20")]
    pub blk_sigset_extended: Option<u64>,
    /// Signal that stopped the task, for stopped tasks (newer CRIU).
    #[prost(uint32, optional, tag = "21")]
    pub stop_signo: Option<u32>,
    /// `membarrier(2)` registrations (newer CRIU).
    #[prost(uint32, optional, tag = "22")]
    pub membarrier_registration_mask: Option<u32>,
}

/// Ids of the kernel objects a task uses; equal ids mean shared objects.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TaskKobjIdsEntry {
    /// Address space.
    #[prost(uint32, required, tag = "1")]
    pub vm_id: u32,
    /// File-descriptor table (names `fdinfo-N.img`).
    #[prost(uint32, required, tag = "2")]
    pub files_id: u32,
    /// fs_struct (cwd/root/umask).
    #[prost(uint32, required, tag = "3")]
    pub fs_id: u32,
    /// Signal-handler table.
    #[prost(uint32, required, tag = "4")]
    pub sighand_id: u32,
    /// PID namespace.
    #[prost(uint32, optional, tag = "5")]
    pub pid_ns_id: Option<u32>,
    /// Network namespace.
    #[prost(uint32, optional, tag = "6")]
    pub net_ns_id: Option<u32>,
    /// IPC namespace.
    #[prost(uint32, optional, tag = "7")]
    pub ipc_ns_id: Option<u32>,
    /// UTS namespace.
    #[prost(uint32, optional, tag = "8")]
    pub uts_ns_id: Option<u32>,
    /// Mount namespace.
    #[prost(uint32, optional, tag = "9")]
    pub mnt_ns_id: Option<u32>,
    /// User namespace.
    #[prost(uint32, optional, tag = "10")]
    pub user_ns_id: Option<u32>,
    /// Cgroup namespace.
    #[prost(uint32, optional, tag = "11")]
    pub cgroup_ns_id: Option<u32>,
    /// Time namespace.
    #[prost(uint32, optional, tag = "12")]
    pub time_ns_id: Option<u32>,
}

/// Alternate signal stack (`sigaltstack(2)`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ThreadSasEntry {
    /// Stack base.
    #[prost(uint64, required, tag = "1")]
    pub ss_sp: u64,
    /// Stack size.
    #[prost(uint64, required, tag = "2")]
    pub ss_size: u64,
    /// `SS_*` flags.
    #[prost(uint32, required, tag = "3")]
    pub ss_flags: u32,
}

/// Per-thread state other than registers.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ThreadCoreEntry {
    /// Robust futex list head (`get_robust_list(2)`).
    #[prost(uint64, required, tag = "1")]
    pub futex_rla: u64,
    /// Robust futex list head length.
    #[prost(uint32, required, tag = "2")]
    pub futex_rla_len: u32,
    /// Nice value.
    #[prost(sint32, optional, tag = "3")]
    pub sched_nice: Option<i32>,
    /// Scheduling policy.
    #[prost(uint32, optional, tag = "4")]
    pub sched_policy: Option<u32>,
    /// Real-time priority.
    #[prost(uint32, optional, tag = "5")]
    pub sched_prio: Option<u32>,
    /// Blocked signals (low 64).
    #[prost(uint64, optional, tag = "6")]
    pub blk_sigset: Option<u64>,
    /// Alternate signal stack.
    #[prost(message, optional, tag = "7")]
    pub sas: Option<ThreadSasEntry>,
    /// Parent-death signal (`PR_SET_PDEATHSIG`).
    #[prost(uint32, optional, tag = "8")]
    pub pdeath_sig: Option<u32>,
    /// Thread-private pending signals.
    #[prost(message, optional, tag = "9")]
    pub signals_p: Option<SignalQueueEntry>,
    /// Credentials (per thread in current CRIU; includes `no_new_privs`).
    #[prost(message, optional, tag = "10")]
    pub creds: Option<CredsEntry>,
    /// Seccomp mode.
    #[prost(enumeration = "SeccompMode", optional, tag = "11")]
    pub seccomp_mode: Option<i32>,
    /// Id of the innermost seccomp filter in `seccomp.img`.
    #[prost(uint32, optional, tag = "12")]
    pub seccomp_filter: Option<u32>,
    /// Thread name.
    #[prost(string, optional, tag = "13")]
    pub comm: Option<String>,
    /// Blocked signals above 64.
    #[prost(uint64, optional, tag = "14")]
    pub blk_sigset_extended: Option<u64>,
    /// Registered restartable sequence.
    #[prost(message, optional, tag = "15")]
    pub rseq_entry: Option<RseqEntry>,
    /// Cgroup set id of this thread (newer CRIU).
    #[prost(uint32, optional, tag = "16")]
    pub cg_set: Option<u32>,
    /// `PR_GET_TIMERSLACK` value in ns (newer CRIU).
    #[prost(uint64, optional, tag = "17")]
    pub timerslack_ns: Option<u64>,
}

/// Resource limits, indexed by `RLIMIT_*` number.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TaskRlimitsEntry {
    /// One entry per resource.
    #[prost(message, repeated, tag = "1")]
    pub rlimits: Vec<RlimitEntry>,
}

/// The entry of `core-TID.img`.
///
/// Only the x86-64 register block is modelled; CRIU's other architectures
/// use tags 6 and 8..=13.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CoreEntry {
    /// Architecture of the registers below.
    #[prost(enumeration = "core_entry::March", required, tag = "1")]
    pub mtype: i32,
    /// x86 registers.
    #[prost(message, optional, tag = "2")]
    pub thread_info: Option<ThreadInfoX86>,
    /// Process-wide state (thread-group leader only).
    #[prost(message, optional, tag = "3")]
    pub tc: Option<TaskCoreEntry>,
    /// Kernel object ids (legacy place; `ids-PID.img` is current).
    #[prost(message, optional, tag = "4")]
    pub ids: Option<TaskKobjIdsEntry>,
    /// Per-thread state.
    #[prost(message, optional, tag = "5")]
    pub thread_core: Option<ThreadCoreEntry>,
}

/// Types nested in `CoreEntry`.
pub mod core_entry {
    /// Machine architecture of a core entry.
    #[allow(non_camel_case_types)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum March {
        /// Not set.
        Unknown = 0,
        /// x86-64 (also used for ia32 tasks, with compat regs).
        X86_64 = 1,
        /// 32-bit ARM.
        Arm = 2,
        /// 64-bit ARM.
        Aarch64 = 3,
        /// POWER, 64-bit.
        Ppc64 = 4,
        /// IBM Z.
        S390 = 5,
        /// MIPS.
        Mips = 6,
        /// LoongArch, 64-bit (newer CRIU).
        Loongarch64 = 7,
        /// RISC-V, 64-bit (newer CRIU).
        Riscv64 = 8,
    }
}
