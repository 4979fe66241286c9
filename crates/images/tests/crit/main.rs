//! CRIU's own decoder, `crit`, reads the images this crate writes.
//!
//! This is the test that keeps the hand-written schema honest: `crit`
//! decodes with CRIU's real descriptors. `crit decode` itself is lenient (it
//! does not complain about a missing required field, and it silently drops a
//! field sent with the wrong wire type), so each image is also parsed with
//! the same descriptors by a small script that reports missing required
//! fields and unknown fields; only crust's documented extensions and fields
//! newer than the installed CRIU may be unknown. It needs `/usr/bin/crit`
//! (Debian package `criu`); without it the test fails, unless
//! `CRUST_SKIP_CRIT=1` says that skipping is intended.

#[path = "../common/mod.rs"]
mod common;
mod tools;

use crust_images::{ImageDir, ImageKind};

use tools::{check, crit_available, crit_decode, hex, roundtrip, strict_report, strs, write};

#[test]
fn crit_decodes_our_images() {
    if !crit_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = &ImageDir::create(tmp.path()).unwrap();
    let pid = common::PID;

    let needles = strs(&["\"img_version\": 2", "\"files_id\": 7"]);
    roundtrip(
        dir,
        ImageKind::Inventory,
        "INVENTORY",
        "inventory_entry",
        &[common::inventory()],
        &needles,
    );

    let needles = [format!("\"pid\": {pid}"), format!("\"ppid\": {pid}")];
    roundtrip(
        dir,
        ImageKind::Pstree,
        "PSTREE",
        "pstree_entry",
        &common::pstree(),
        &needles,
    );

    let mut needles = strs(&[
        "\"mtype\": \"X86_64\"",
        "\"xstate_bv\"",
        "\"comm\": \"crust-test\"",
        "\"uid\": 1000",
        // Signed fields: a zigzag/two's-complement mix-up shows here.
        "\"sched_nice\": -5",
        "\"oom_score_adj\": -17",
        "\"notify_thread_id\": 4243",
        "\"seccomp_mode\": \"filter\"",
    ]);
    needles.push(format!("\"ip\": {}", hex(common::IP)));
    needles.push(format!("\"sp\": {}", hex(common::SP)));
    roundtrip(
        dir,
        ImageKind::Core(pid),
        "CORE",
        "core_entry",
        &[common::core()],
        &needles,
    );

    let mut needles = strs(&[
        "VMA_AREA_HEAP",
        "VMA_AREA_VVAR",
        "VMA_FILE_PRIVATE",
        "\"fd\": -1",
        "\"dumpable\": 1",
        "\"nr_req\": 128",
    ]);
    needles.push(format!("\"start\": {}", hex(common::VMA_START)));
    roundtrip(
        dir,
        ImageKind::Mm(pid),
        "MM",
        "mm_entry",
        &[common::mm()],
        &needles,
    );

    let kind = ImageKind::Pagemap(pid);
    let mut w = dir.writer(kind).unwrap();
    w.write(&common::pagemap_head()).unwrap();
    let entries = common::pagemap_entries();
    for e in &entries {
        w.write(e).unwrap();
    }
    w.finish().unwrap();
    let needles = strs(&["\"pages_id\": 3", "\"nr_pages\": 33", "PE_PRESENT"]);
    check(
        dir,
        kind,
        "PAGEMAP",
        ("pagemap_head", "pagemap_entry"),
        1 + entries.len(),
        &needles,
    );

    let needles = strs(&[
        "\"type\": \"REG\"",
        "\"name\": \"/usr/bin/crust-sample\"",
        "\"pos\": 77",
        "\"mnt_id\": 24",
        "\"type\": \"TTY\"",
        "\"tty_info_id\": 5",
    ]);
    roundtrip(
        dir,
        ImageKind::Files,
        "FILES",
        "file_entry",
        &common::files(),
        &needles,
    );

    let needles = strs(&["\"fd\": 3", "\"type\": \"REG\""]);
    roundtrip(
        dir,
        ImageKind::Fdinfo(common::FILES_ID),
        "FDINFO",
        "fdinfo_entry",
        &common::fdinfo(),
        &needles,
    );

    let needles = strs(&["\"cwd_id\": 11", "\"umask\": 23"]);
    roundtrip(
        dir,
        ImageKind::Fs(pid),
        "FS",
        "fs_entry",
        &[common::fs()],
        &needles,
    );

    let needles = strs(&["\"files_id\": 7", "\"user_ns_id\": 10"]);
    roundtrip(
        dir,
        ImageKind::Ids(pid),
        "IDS",
        "task_kobj_ids_entry",
        &[common::ids()],
        &needles,
    );

    let needles = strs(&["\"fsgid\": 1007", "\"groups\""]);
    roundtrip(
        dir,
        ImageKind::Creds(pid),
        "CREDS",
        "creds_entry",
        &[common::creds()],
        &needles,
    );

    let needles = strs(&["\"seccomp_filters\"", "\"flags\": 0"]);
    roundtrip(
        dir,
        ImageKind::Seccomp,
        "SECCOMP",
        "seccomp_entry",
        &[common::seccomp()],
        &needles,
    );

    let needles = strs(&["\"type\": \"PTY\"", "\"ws_col\": 80"]);
    roundtrip(
        dir,
        ImageKind::TtyInfo,
        "TTY_INFO",
        "tty_info_entry",
        &[common::tty_info()],
        &needles,
    );

    let needles = strs(&["\"tty_id\": 5"]);
    roundtrip(
        dir,
        ImageKind::TtyData,
        "TTY_DATA",
        "tty_data_entry",
        &[common::tty_data()],
        &needles,
    );

    let needles = strs(&["\"vendor_id\": \"INTEL\"", "\"model\": 143"]);
    roundtrip(
        dir,
        ImageKind::Cpuinfo,
        "CPUINFO",
        "cpuinfo_entry",
        &[common::cpuinfo()],
        &needles,
    );

    let needles = strs(&["\"freezing_time\": 1111"]);
    roundtrip(
        dir,
        ImageKind::StatsDump,
        "STATS",
        "stats_entry",
        &[common::stats_dump()],
        &needles,
    );

    let needles = strs(&["\"restore_time\": 7777"]);
    roundtrip(
        dir,
        ImageKind::StatsRestore,
        "STATS",
        "stats_entry",
        &[common::stats_restore()],
        &needles,
    );
}

/// A deliberately wrong `fs_entry`: `root_id` (required) left out and
/// `umask` sent as bytes instead of a varint.
#[derive(Clone, PartialEq, prost::Message)]
struct BrokenFsEntry {
    #[prost(uint32, required, tag = "1")]
    cwd_id: u32,
    #[prost(bytes = "vec", required, tag = "3")]
    umask: Vec<u8>,
}

/// The strict check is what catches schema mistakes `crit decode` lets by.
#[test]
fn strict_check_catches_schema_mistakes() {
    if !crit_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = &ImageDir::create(tmp.path()).unwrap();
    let broken = BrokenFsEntry {
        cwd_id: 1,
        umask: vec![0o22],
    };
    write(dir, ImageKind::Fs(1), &[broken]);
    let file = dir.path().join("fs-1.img");
    crit_decode(&file);
    let report = strict_report(&file, 2, ("fs_entry", "fs_entry"));
    assert!(report.contains("MISSING root_id"), "{report}");
    assert!(report.contains("UNKNOWN fs_entry#3"), "{report}");
}
