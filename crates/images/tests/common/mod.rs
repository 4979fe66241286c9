//! Filled-in sample messages shared by the integration tests.
//!
//! Values are distinctive (not zero, not repeated) so that a test checking
//! a decoder's output can tell fields apart.
#![allow(dead_code)]

use crust_images::pb::{self, core_entry::March, FdTypes};
use crust_images::vma::*;

pub const PID: u32 = 4242;
pub const FILES_ID: u32 = 7;
pub const IP: u64 = 0x0040_1a2b;
pub const SP: u64 = 0x7ffd_dead_b000;
pub const VMA_START: u64 = 0x0040_0000;
pub const XSAVE_LEN: usize = 11008;

pub fn ids() -> pb::TaskKobjIdsEntry {
    pb::TaskKobjIdsEntry {
        vm_id: 1,
        files_id: FILES_ID,
        fs_id: 3,
        sighand_id: 4,
        pid_ns_id: Some(5),
        net_ns_id: Some(6),
        mnt_ns_id: Some(9),
        user_ns_id: Some(10),
        ..Default::default()
    }
}

pub fn inventory() -> pb::InventoryEntry {
    pb::InventoryEntry {
        img_version: crust_images::magic::CRTOOLS_IMAGES_V1_1,
        fdinfo_per_id: Some(true),
        root_ids: Some(ids()),
        ns_per_id: Some(true),
        lsmtype: Some(pb::Lsmtype::NoLsm as i32),
        dump_uptime: Some(123_456_789),
        ..Default::default()
    }
}

pub fn pstree() -> Vec<pb::PstreeEntry> {
    vec![
        pb::PstreeEntry {
            pid: PID,
            ppid: 0,
            pgid: PID,
            sid: 4000,
            threads: vec![PID, PID + 1],
        },
        pb::PstreeEntry {
            pid: PID + 10,
            ppid: PID,
            pgid: PID,
            sid: 4000,
            threads: vec![PID + 10],
        },
    ]
}

pub fn creds() -> pb::CredsEntry {
    pb::CredsEntry {
        uid: 1000,
        gid: 1001,
        euid: 1002,
        egid: 1003,
        suid: 1004,
        sgid: 1005,
        fsuid: 1006,
        fsgid: 1007,
        cap_inh: vec![0, 0],
        cap_prm: vec![0xffff_ffff, 0x1ff],
        cap_eff: vec![0xffff_ffff, 0x1ff],
        cap_bnd: vec![0xffff_ffff, 0x1ff],
        secbits: 0,
        groups: vec![24, 27],
        no_new_privs: Some(1),
        cap_amb: vec![0x400, 0],
        ..Default::default()
    }
}

pub fn thread_info() -> pb::ThreadInfoX86 {
    let gpregs = pb::UserX86RegsEntry {
        r15: 15,
        r14: 14,
        r13: 13,
        r12: 12,
        bp: SP + 0x40,
        bx: 6,
        ax: 0xffff_ffff_ffff_fe00,
        orig_ax: 230,
        ip: IP,
        cs: 0x33,
        flags: 0x246,
        sp: SP,
        ss: 0x2b,
        fs_base: 0x7f00_1234_5740,
        mode: Some(pb::UserX86RegsMode::Native as i32),
        ..Default::default()
    };
    let fpregs = pb::UserX86FpregsEntry {
        cwd: 0x37f,
        mxcsr: 0x1f80,
        mxcsr_mask: 0xffff,
        st_space: (0..32).collect(),
        xmm_space: (100..164).collect(),
        padding: vec![0; 24],
        xsave: Some(pb::UserX86XsaveEntry {
            xstate_bv: 0x2e7,
            ymmh_space: (200..264).collect(),
            opmask_reg: vec![1, 2, 3, 4, 5, 6, 7, 8],
            pkru: vec![0x5555_5554],
            ..Default::default()
        }),
        ..Default::default()
    };
    pb::ThreadInfoX86 {
        clear_tid_addr: 0x7f00_1234_5a10,
        gpregs,
        fpregs,
        tls: vec![pb::UserDescT {
            entry_number: 12,
            ..Default::default()
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
    let tc = pb::TaskCoreEntry {
        task_state: 1,
        personality: 0,
        flags: 0x40_0100,
        blk_sigset: 0x1_0000,
        comm: "crust-test".into(),
        timers: Some(pb::TaskTimersEntry {
            real: itimer(10),
            virt: itimer(20),
            prof: itimer(30),
            posix: vec![],
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
        oom_score_adj: Some(-17),
        child_subreaper: Some(false),
        ..Default::default()
    };
    let thread_core = pb::ThreadCoreEntry {
        futex_rla: 0x7f00_1234_5a20,
        futex_rla_len: 24,
        sched_nice: Some(-5),
        sched_policy: Some(0),
        blk_sigset: Some(0x1_0000),
        creds: Some(creds()),
        seccomp_mode: Some(pb::SeccompMode::Disabled as i32),
        comm: Some("crust-test".into()),
        rseq_entry: Some(pb::RseqEntry {
            rseq_abi_pointer: 0x7f00_1234_5e00,
            rseq_abi_size: 32,
            signature: 0x5305_3053,
            rseq_cs_pointer: None,
        }),
        ..Default::default()
    };
    pb::CoreEntry {
        mtype: March::X86_64 as i32,
        thread_info: Some(thread_info()),
        tc: Some(tc),
        ids: None,
        thread_core: Some(thread_core),
    }
}

pub fn mm() -> pb::MmEntry {
    let vma = |start: u64, end: u64, prot, flags, status| pb::VmaEntry {
        start,
        end,
        pgoff: 0,
        shmid: 0,
        prot,
        flags,
        status,
        fd: -1,
        madv: None,
        fdflags: None,
    };
    pb::MmEntry {
        mm_start_code: VMA_START,
        mm_end_code: VMA_START + 0x1000,
        mm_start_stack: SP + 0x1000,
        mm_start_brk: 0x0100_0000,
        mm_brk: 0x0102_1000,
        exe_file_id: 2,
        mm_saved_auxv: vec![6, 4096, 0, 0],
        vmas: vec![
            pb::VmaEntry {
                shmid: 2,
                fdflags: Some(0),
                ..vma(
                    VMA_START,
                    VMA_START + 0x1000,
                    5,
                    2,
                    VMA_AREA_REGULAR | VMA_FILE_PRIVATE,
                )
            },
            vma(
                0x0100_0000,
                0x0102_1000,
                3,
                0x22,
                VMA_AREA_REGULAR | VMA_ANON_PRIVATE | VMA_AREA_HEAP,
            ),
            vma(
                0x7fff_f7fc_1000,
                0x7fff_f7fc_3000,
                1,
                0x22,
                VMA_AREA_REGULAR | VMA_AREA_VVAR | CRUST_VMA_AREA_VVAR_VCLOCK,
            ),
        ],
        dumpable: Some(1),
        thp_disabled: Some(false),
        ..Default::default()
    }
}

pub fn pagemap_head() -> pb::PagemapHead {
    pb::PagemapHead { pages_id: 3 }
}

pub fn pagemap_entries() -> Vec<pb::PagemapEntry> {
    vec![
        pb::PagemapEntry {
            vaddr: VMA_START,
            nr_pages: 1,
            in_parent: None,
            flags: Some(PE_PRESENT),
        },
        pb::PagemapEntry {
            vaddr: 0x0100_0000,
            nr_pages: 33,
            in_parent: None,
            flags: Some(PE_PRESENT),
        },
    ]
}

pub fn fown() -> pb::FownEntry {
    pb::FownEntry::default()
}

pub fn files() -> Vec<pb::FileEntry> {
    vec![pb::FileEntry {
        r#type: FdTypes::Reg as i32,
        id: 2,
        reg: Some(pb::RegFileEntry {
            id: 2,
            flags: 0o2_0000,
            pos: 77,
            fown: fown(),
            name: "/usr/bin/crust-sample".into(),
            mnt_id: Some(24),
            size: Some(12_345),
            mode: Some(0o100_755),
            ..Default::default()
        }),
        tty: None,
    }]
}

pub fn fdinfo() -> Vec<pb::FdinfoEntry> {
    vec![pb::FdinfoEntry {
        id: 2,
        flags: 1,
        r#type: FdTypes::Reg as i32,
        fd: 3,
        xattr_security_selinux: None,
    }]
}

pub fn fs() -> pb::FsEntry {
    pb::FsEntry {
        cwd_id: 11,
        root_id: 12,
        umask: Some(0o027),
    }
}

pub fn stats_dump() -> pb::StatsEntry {
    pb::StatsEntry {
        dump: Some(pb::DumpStatsEntry {
            freezing_time: 1111,
            frozen_time: 2222,
            memdump_time: 3333,
            memwrite_time: 4444,
            pages_scanned: 555,
            pages_written: 34,
            ..Default::default()
        }),
        restore: None,
    }
}

pub fn stats_restore() -> pb::StatsEntry {
    pb::StatsEntry {
        dump: None,
        restore: Some(pb::RestoreStatsEntry {
            forking_time: 6666,
            restore_time: 7777,
            pages_restored: Some(34),
            ..Default::default()
        }),
    }
}

pub fn seccomp() -> pb::SeccompEntry {
    pb::SeccompEntry {
        seccomp_filters: vec![pb::SeccompFilter {
            filter: vec![0x06, 0, 0, 0, 0, 0, 0xff, 0x7f],
            prev: None,
            flags: Some(0),
        }],
    }
}

pub fn tty_info() -> pb::TtyInfoEntry {
    pb::TtyInfoEntry {
        id: 5,
        r#type: pb::TtyType::Pty as i32,
        sid: PID,
        pgrp: PID,
        rdev: 0x8801,
        termios: Some(pb::TermiosEntry {
            c_iflag: 0x500,
            c_cc: (0..19).collect(),
            ..Default::default()
        }),
        winsize: Some(pb::WinsizeEntry {
            ws_row: 24,
            ws_col: 80,
            ..Default::default()
        }),
        pty: Some(pb::TtyPtyEntry { index: 3 }),
        ..Default::default()
    }
}

pub fn tty_data() -> pb::TtyDataEntry {
    pb::TtyDataEntry {
        tty_id: 5,
        data: b"typed ahead\n".to_vec(),
    }
}

pub fn cpuinfo() -> pb::CpuinfoEntry {
    pb::CpuinfoEntry {
        x86_entry: vec![pb::CpuinfoX86Entry {
            vendor_id: pb::cpuinfo_x86_entry::Vendor::Intel as i32,
            cpu_family: 6,
            model: 143,
            stepping: 8,
            capability_ver: 2,
            capability: (0..24).collect(),
            model_id: Some("Sample CPU".into()),
            xfeatures_mask: Some(0x602e7),
            xsave_size: Some(XSAVE_LEN as u32),
            xsave_size_max: Some(XSAVE_LEN as u32),
        }],
    }
}
