//! Samples of the per-thread image: registers and task/thread state.

use crust_images::pb::{self, core_entry::March};

use super::{creds, ids, IP, PID, SP, XSAVE_LEN};

pub fn thread_info() -> pb::ThreadInfoX86 {
    let gpregs = pb::UserX86RegsEntry {
        r15: 15,
        r14: 14,
        r13: 13,
        r12: 12,
        bp: SP + 0x40,
        bx: 6,
        r11: 0x246,
        r10: 10,
        r9: 9,
        r8: 8,
        ax: 0xffff_ffff_ffff_fe00,
        cx: 0x7f00_0000_0cc0,
        dx: 0xd0,
        si: 0x51,
        di: 0xd1,
        orig_ax: 230,
        ip: IP,
        cs: 0x33,
        flags: 0x246,
        sp: SP,
        ss: 0x2b,
        fs_base: 0x7f00_1234_5740,
        gs_base: 0x9b5,
        ds: 0xd5,
        es: 0xe5,
        fs: 0xf5,
        gs: 0x95,
        mode: Some(pb::UserX86RegsMode::Native as i32),
    };
    let fpregs = pb::UserX86FpregsEntry {
        cwd: 0x37f,
        swd: 0x20,
        twd: 0x80,
        fop: 0x5d9,
        rip: 0x40_1000,
        rdp: 0x7ffd_0000_0100,
        mxcsr: 0x1f80,
        mxcsr_mask: 0xffff,
        st_space: (0..32).collect(),
        xmm_space: (100..164).collect(),
        padding: vec![0; 24],
        xsave: Some(pb::UserX86XsaveEntry {
            xstate_bv: 0x2e7,
            ymmh_space: (200..264).collect(),
            bndreg_state: vec![0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17],
            bndcsr_state: vec![0x20, 0x21],
            opmask_reg: vec![1, 2, 3, 4, 5, 6, 7, 8],
            zmm_upper: (300..364).collect(),
            hi16_zmm: (400..528).collect(),
            pkru: vec![0x5555_5554],
            cet: Some(pb::UserX86CetEntry {
                cet: 0x1,
                ssp: 0x7ffd_5500_0ff8,
            }),
        }),
    };
    pb::ThreadInfoX86 {
        clear_tid_addr: 0x7f00_1234_5a10,
        gpregs,
        fpregs,
        tls: vec![pb::UserDescT {
            entry_number: 12,
            base_addr: 0x1000,
            limit: 0xfffff,
            seg_32bit: true,
            contents_h: false,
            contents_l: true,
            read_exec_only: false,
            limit_in_pages: true,
            seg_not_present: false,
            usable: true,
        }],
        xsave_area: Some((0..XSAVE_LEN).map(|i| (i * 7 % 251) as u8).collect()),
    }
}

pub fn core() -> pb::CoreEntry {
    let itimer = |n| pb::ItimerEntry {
        isec: n,
        iusec: n + 1,
        vsec: n + 2,
        vusec: n + 3,
    };
    let signals = |n: u8| pb::SignalQueueEntry {
        signals: vec![pb::SiginfoEntry {
            siginfo: vec![n; 128],
        }],
    };
    let tc = pb::TaskCoreEntry {
        task_state: 1,
        exit_code: 0,
        personality: 0x40_0000,
        flags: 0x40_0100,
        blk_sigset: 0x1_0000,
        comm: "crust-test".into(),
        timers: Some(pb::TaskTimersEntry {
            real: itimer(10),
            virt: itimer(20),
            prof: itimer(30),
            posix: vec![pb::PosixTimerEntry {
                it_id: 1,
                clock_id: 1,
                si_signo: 14,
                it_sigev_notify: 4,
                sival_ptr: 0x7f00_0000_5000,
                overrun: 2,
                isec: 3,
                insec: 4,
                vsec: 5,
                vnsec: 6,
                notify_thread_id: Some(PID as i32 + 1),
            }],
        }),
        rlimits: Some(pb::TaskRlimitsEntry {
            rlimits: (0..16)
                .map(|i| pb::RlimitEntry {
                    cur: i,
                    max: u64::MAX,
                })
                .collect(),
        }),
        sigactions: vec![pb::SaEntry {
            sigaction: 0x40_2000,
            flags: 0x0400_0000,
            restorer: 0x7f00_0000_1000,
            mask: 0,
            compat_sigaction: Some(false),
            mask_extended: None,
        }],
        cg_set: Some(2),
        signals_s: Some(signals(0x5)),
        old_seccomp_mode: Some(pb::SeccompMode::Disabled as i32),
        old_seccomp_filter: Some(0),
        loginuid: Some(1000),
        oom_score_adj: Some(-17),
        child_subreaper: Some(false),
        blk_sigset_extended: Some(0x2),
        stop_signo: Some(19),
        membarrier_registration_mask: Some(0x4),
    };
    let thread_core = pb::ThreadCoreEntry {
        futex_rla: 0x7f00_1234_5a20,
        futex_rla_len: 24,
        sched_nice: Some(-5),
        sched_policy: Some(0),
        sched_prio: Some(0),
        blk_sigset: Some(0x1_0000),
        sas: Some(pb::ThreadSasEntry {
            ss_sp: 0x7f00_0000_8000,
            ss_size: 0x2000,
            ss_flags: 0,
        }),
        pdeath_sig: Some(9),
        signals_p: Some(signals(0x7)),
        creds: Some(creds()),
        seccomp_mode: Some(pb::SeccompMode::Filter as i32),
        seccomp_filter: Some(0),
        comm: Some("crust-test".into()),
        blk_sigset_extended: Some(0x1),
        rseq_entry: Some(pb::RseqEntry {
            rseq_abi_pointer: 0x7f00_1234_5e00,
            rseq_abi_size: 32,
            signature: 0x5305_3053,
            rseq_cs_pointer: Some(0),
        }),
        cg_set: Some(2),
        timerslack_ns: Some(50_000),
    };
    pb::CoreEntry {
        mtype: March::X86_64 as i32,
        thread_info: Some(thread_info()),
        tc: Some(tc),
        ids: Some(ids()),
        thread_core: Some(thread_core),
    }
}
