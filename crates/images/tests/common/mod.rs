//! Filled-in sample messages shared by the integration tests.
//!
//! Values are distinctive (not zero, not repeated) so that a test checking
//! a decoder's output can tell fields apart, and every field of every
//! message is set, so that checking these samples against CRIU's own
//! descriptors (see `tests/crit/`) covers every field number and wire type.
#![allow(dead_code)]

mod files;
mod task;

use crust_images::pb;
use crust_images::vma::*;

#[allow(unused_imports)]
pub use files::{fdinfo, files, fown, tty_data, tty_info};
#[allow(unused_imports)]
pub use task::{core, thread_info};

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
        ipc_ns_id: Some(7),
        uts_ns_id: Some(8),
        mnt_ns_id: Some(9),
        user_ns_id: Some(10),
        cgroup_ns_id: Some(11),
        time_ns_id: Some(12),
    }
}

pub fn inventory() -> pb::InventoryEntry {
    pb::InventoryEntry {
        img_version: crust_images::magic::CRTOOLS_IMAGES_V1_1,
        fdinfo_per_id: Some(true),
        root_ids: Some(ids()),
        ns_per_id: Some(true),
        root_cg_set: Some(1),
        lsmtype: Some(pb::Lsmtype::Apparmor as i32),
        dump_uptime: Some(123_456_789),
        pre_dump_mode: Some(1),
        tcp_close: Some(false),
        network_lock_method: Some(1),
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
        lsm_profile: Some("unconfined".into()),
        lsm_sockcreate: Some("sock-label".into()),
        apparmor_data: Some(b"policy".to_vec()),
        no_new_privs: Some(1),
        cap_amb: vec![0x400, 0],
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
        madv: Some(1 << 14),
        fdflags: None,
    };
    pb::MmEntry {
        mm_start_code: VMA_START,
        mm_end_code: VMA_START + 0x1000,
        mm_start_data: 0x0060_0000,
        mm_end_data: 0x0060_1000,
        mm_start_stack: SP + 0x1000,
        mm_start_brk: 0x0100_0000,
        mm_brk: 0x0102_1000,
        mm_arg_start: SP + 0x1100,
        mm_arg_end: SP + 0x1180,
        mm_env_start: SP + 0x1180,
        mm_env_end: SP + 0x1f00,
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
        aios: vec![pb::AioRingEntry {
            id: 0x7f00_0000_a000,
            nr_req: 128,
            ring_len: 0x3000,
        }],
        thp_disabled: Some(false),
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
            in_parent: Some(false),
            flags: Some(PE_PRESENT),
        },
    ]
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
            pages_skipped_parent: 5,
            pages_written: 34,
            irmap_resolve: Some(7),
            pages_lazy: 0,
            page_pipes: Some(1),
            page_pipe_bufs: Some(3),
            shpages_scanned: Some(8),
            shpages_skipped_parent: Some(0),
            shpages_written: Some(8),
        }),
        restore: None,
    }
}

pub fn stats_restore() -> pb::StatsEntry {
    pb::StatsEntry {
        dump: None,
        restore: Some(pb::RestoreStatsEntry {
            pages_compared: 12,
            pages_skipped_cow: 3,
            forking_time: 6666,
            restore_time: 7777,
            pages_restored: Some(34),
        }),
    }
}

pub fn seccomp() -> pb::SeccompEntry {
    pb::SeccompEntry {
        seccomp_filters: vec![pb::SeccompFilter {
            filter: vec![0x06, 0, 0, 0, 0, 0, 0xff, 0x7f],
            prev: Some(1),
            flags: Some(0),
        }],
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
