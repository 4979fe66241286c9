//! The core image of one task: registers, signal state, credentials, timers.

use super::inside::{ITimer, InsideState};
use crust_images::pb::{
    core_entry::March, CoreEntry, CredsEntry, ItimerEntry, RlimitEntry, RseqEntry, SaEntry,
    SiginfoEntry, SignalQueueEntry, TaskCoreEntry, TaskKobjIdsEntry, TaskRlimitsEntry,
    TaskTimersEntry, ThreadCoreEntry, ThreadInfoX86, ThreadSasEntry, UserX86FpregsEntry,
    UserX86XsaveEntry,
};
use crust_kernel::proc::Credentials;
use crust_kernel::ptrace::{RawSiginfo, Regs, RseqConfig};

/// Everything the core image of a task is built from.
pub struct TaskFacts<'a> {
    pub regs: &'a Regs,
    pub xstate: &'a [u8],
    pub sigmask: u64,
    pub shared_signals: &'a [RawSiginfo],
    pub private_signals: &'a [RawSiginfo],
    pub rseq: RseqConfig,
    pub robust_list: (u64, u64),
    /// The signal of the job-control stop it was in when frozen, if any.
    pub stop_signal: Option<i32>,
    /// Nice value, scheduling policy and real-time priority.
    pub scheduling: (i32, u32, u32),
    pub inside: &'a InsideState,
    pub creds: &'a Credentials,
    pub personality: u32,
    pub limits: &'a [(u64, u64)],
    pub ids: TaskKobjIdsEntry,
}

pub fn core_entry(facts: &TaskFacts) -> CoreEntry {
    let inside = facts.inside;
    CoreEntry {
        mtype: March::X86_64 as i32,
        thread_info: Some(ThreadInfoX86 {
            clear_tid_addr: inside.clear_child_tid,
            gpregs: crate::regs::regs_entry(facts.regs),
            fpregs: fpregs_entry(facts.xstate),
            tls: Vec::new(),
            xsave_area: Some(facts.xstate.to_vec()),
        }),
        tc: Some(TaskCoreEntry {
            task_state: if facts.stop_signal.is_some() {
                crust_images::task_state::STOPPED
            } else {
                crust_images::task_state::ALIVE
            },
            stop_signo: facts.stop_signal.map(|sig| sig as u32),
            exit_code: 0,
            personality: facts.personality,
            flags: 0,
            blk_sigset: facts.sigmask,
            comm: facts.creds.comm.clone(),
            timers: Some(TaskTimersEntry {
                real: itimer_entry(&inside.itimers[0]),
                virt: itimer_entry(&inside.itimers[1]),
                prof: itimer_entry(&inside.itimers[2]),
                posix: Vec::new(),
            }),
            rlimits: Some(TaskRlimitsEntry {
                rlimits: facts
                    .limits
                    .iter()
                    .map(|&(cur, max)| RlimitEntry { cur, max })
                    .collect(),
            }),
            signals_s: Some(signal_queue(facts.shared_signals)),
            sigactions: sa_entries(inside),
            child_subreaper: Some(inside.child_subreaper),
            ..TaskCoreEntry::default()
        }),
        ids: Some(facts.ids.clone()),
        thread_core: Some(ThreadCoreEntry {
            futex_rla: facts.robust_list.0,
            futex_rla_len: facts.robust_list.1 as u32,
            sched_nice: Some(facts.scheduling.0),
            sched_policy: Some(facts.scheduling.1),
            sched_prio: Some(facts.scheduling.2),
            blk_sigset: Some(facts.sigmask),
            sas: Some(ThreadSasEntry {
                ss_sp: inside.altstack.0,
                ss_flags: inside.altstack.1,
                ss_size: inside.altstack.2,
            }),
            pdeath_sig: Some(inside.pdeathsig),
            signals_p: Some(signal_queue(facts.private_signals)),
            creds: Some(creds_entry(facts.creds, inside.securebits)),
            comm: Some(facts.creds.comm.clone()),
            rseq_entry: Some(RseqEntry {
                rseq_abi_pointer: facts.rseq.rseq_abi_pointer,
                rseq_abi_size: facts.rseq.rseq_abi_size,
                signature: facts.rseq.signature,
                rseq_cs_pointer: None,
            }),
            ..ThreadCoreEntry::default()
        }),
    }
}

fn u32s(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect()
}

fn u64s(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

/// The criu view of the FPU state, decoded from the xsave area so that tools reading
/// the standard fields see the real values. Offsets are those of the standard
/// (non-compacted) xsave layout that NT_X86_XSTATE uses, as the CPU reports them.
/// Restore uses the raw area.
fn fpregs_entry(x: &[u8]) -> UserX86FpregsEntry {
    let at = |off: usize, len: usize| x.get(off..off + len).unwrap_or(&[]);
    let u16_at = |off| u16::from_le_bytes(at(off, 2).try_into().unwrap_or([0; 2])) as u32;
    let u32_at = |off| u32::from_le_bytes(at(off, 4).try_into().unwrap_or([0; 4]));
    let u64_at = |off| u64::from_le_bytes(at(off, 8).try_into().unwrap_or([0; 8]));
    UserX86FpregsEntry {
        cwd: u16_at(0),
        swd: u16_at(2),
        twd: u16_at(4),
        fop: u16_at(6),
        rip: u64_at(8),
        rdp: u64_at(16),
        mxcsr: u32_at(24),
        mxcsr_mask: u32_at(28),
        st_space: u32s(at(32, 128)),
        xmm_space: u32s(at(160, 256)),
        padding: u32s(at(416, 96)),
        xsave: (x.len() > 576).then(|| {
            // Where each component sits depends on the CPU (AMD and Intel differ).
            let component = |index| {
                crust_kernel::cpu::xsave_component(index).map_or(&[][..], |(off, len)| at(off, len))
            };
            UserX86XsaveEntry {
                xstate_bv: u64_at(512),
                ymmh_space: u32s(component(2)),
                opmask_reg: u64s(component(5)),
                zmm_upper: u64s(component(6)),
                hi16_zmm: u64s(component(7)),
                pkru: u32s(component(9)),
                ..UserX86XsaveEntry::default()
            }
        }),
    }
}

fn itimer_entry(t: &ITimer) -> ItimerEntry {
    ItimerEntry {
        isec: t.interval.0,
        iusec: t.interval.1,
        vsec: t.value.0,
        vusec: t.value.1,
    }
}

/// In the order of `signals::with_disposition`, as `InsideState` has them.
fn sa_entries(inside: &InsideState) -> Vec<SaEntry> {
    inside
        .sigactions
        .iter()
        .map(|sa| SaEntry {
            sigaction: sa.handler,
            flags: sa.flags,
            restorer: sa.restorer,
            mask: sa.mask,
            compat_sigaction: None,
            mask_extended: None,
        })
        .collect()
}

fn signal_queue(infos: &[RawSiginfo]) -> SignalQueueEntry {
    SignalQueueEntry {
        signals: infos
            .iter()
            .map(|i| SiginfoEntry {
                siginfo: i.to_vec(),
            })
            .collect(),
    }
}

/// Capability sets go in as two 32-bit words, low word first.
fn cap_words(caps: u64) -> Vec<u32> {
    vec![caps as u32, (caps >> 32) as u32]
}

fn creds_entry(c: &Credentials, securebits: u32) -> CredsEntry {
    CredsEntry {
        uid: c.uids[0],
        euid: c.uids[1],
        suid: c.uids[2],
        fsuid: c.uids[3],
        gid: c.gids[0],
        egid: c.gids[1],
        sgid: c.gids[2],
        fsgid: c.gids[3],
        cap_inh: cap_words(c.cap_inh),
        cap_prm: cap_words(c.cap_prm),
        cap_eff: cap_words(c.cap_eff),
        cap_bnd: cap_words(c.cap_bnd),
        cap_amb: cap_words(c.cap_amb),
        secbits: securebits,
        groups: c.groups.clone(),
        no_new_privs: Some(c.no_new_privs as u32),
        ..CredsEntry::default()
    }
}
