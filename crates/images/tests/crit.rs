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

mod common;

use std::path::Path;
use std::process::Command;

use crust_images::{ImageDir, ImageKind};
use prost::Message;

const CRIT: &str = "/usr/bin/crit";
const PYTHON: &str = "/usr/bin/python3";

fn write<M: Message>(dir: &ImageDir, kind: ImageKind, entries: &[M]) {
    let mut w = dir.writer(kind).expect("writer");
    for e in entries {
        w.write(e).expect("write");
    }
    w.finish().expect("finish");
}

/// Runs `crit decode --pretty` on `file` and returns its JSON output.
fn crit_decode(file: &Path) -> String {
    let out = Command::new(PYTHON)
        .arg(CRIT)
        .args(["decode", "--pretty", "-i"])
        .arg(file)
        .output()
        .expect("run crit");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "crit failed on {}: {}\nstdout: {stdout}\nstderr: {}",
        file.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Parses an image with pycriu's message classes (CRIU's descriptors) and
/// prints one line per problem: `MISSING <field path>` for an unset
/// required field, `UNKNOWN <message>#<tag>` for a field the descriptor
/// lacks or that came with the wrong wire type. Then `ENTRIES <count>`.
const STRICT: &str = r#"
import struct, sys
from pycriu.images import pb
path, nmagic, first, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def walk(msg):
    for f in msg.UnknownFields():
        print("UNKNOWN %s#%d" % (msg.DESCRIPTOR.name, f.field_number))
    for field, value in msg.ListFields():
        if field.type == field.TYPE_MESSAGE:
            for v in (value if field.label == field.LABEL_REPEATED else [value]):
                walk(v)
data = open(path, "rb").read()[4 * nmagic:]
count = 0
while data:
    (size,) = struct.unpack("<I", data[:4])
    msg = getattr(pb, first if count == 0 else rest)()
    msg.ParseFromString(data[4:4 + size])
    for missing in msg.FindInitializationErrors():
        print("MISSING %s" % missing)
    walk(msg)
    data = data[4 + size:]
    count += 1
print("ENTRIES %d" % count)
"#;

/// Unknown fields allowed in the strict check: crust extensions, and
/// fields of newer CRIU than the 3.17 descriptors installed here.
const ALLOWED_UNKNOWN: &[&str] = &[
    "UNKNOWN thread_info_x86#100", // crust: raw XSAVE area
    "UNKNOWN creds_entry#18",      // newer CRIU: no_new_privs
    "UNKNOWN creds_entry#19",      // newer CRIU: cap_amb
];

fn strict_check(file: &Path, nmagic: usize, msgs: (&str, &str), entries: usize) {
    let out = Command::new(PYTHON)
        .args(["-c", STRICT])
        .arg(file)
        .arg(nmagic.to_string())
        .args([msgs.0, msgs.1])
        .output()
        .expect("run python");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "strict check failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    for line in text.lines() {
        let allowed = line == format!("ENTRIES {entries}") || ALLOWED_UNKNOWN.contains(&line);
        assert!(allowed, "{}: {line}\n{text}", file.display());
    }
    assert!(
        text.contains("ENTRIES"),
        "{}: no entry count in {text}",
        file.display()
    );
}

/// Asserts that crit decodes `kind` as image `magic` and that its output
/// contains every one of `needles`; then runs the strict check with `msgs`
/// (message of the first entry, message of the others) expecting `entries`.
fn check(
    dir: &ImageDir,
    kind: ImageKind,
    magic: &str,
    msgs: (&str, &str),
    entries: usize,
    needles: &[String],
) {
    let file = dir.path().join(kind.file_name());
    let json = crit_decode(&file);
    let want_magic = format!("\"magic\": \"{magic}\"");
    assert!(
        json.contains(&want_magic),
        "{kind:?}: no {want_magic} in\n{json}"
    );
    for needle in needles {
        assert!(
            json.contains(needle.as_str()),
            "{kind:?}: no {needle} in\n{json}"
        );
    }
    strict_check(&file, kind.magics().len(), msgs, entries);
}

/// Writes `entries` as `kind` (all of CRIU message `msg`) and checks them.
fn roundtrip<M: Message>(
    dir: &ImageDir,
    kind: ImageKind,
    magic: &str,
    msg: &str,
    entries: &[M],
    needles: &[String],
) {
    write(dir, kind, entries);
    check(dir, kind, magic, (msg, msg), entries.len(), needles);
}

fn hex(v: u64) -> String {
    format!("\"{v:#x}\"")
}

fn strs(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn crit_decodes_our_images() {
    if !Path::new(CRIT).exists() {
        if std::env::var("CRUST_SKIP_CRIT").as_deref() == Ok("1") {
            eprintln!("{CRIT} missing; skipped because CRUST_SKIP_CRIT=1");
            return;
        }
        panic!("{CRIT} not found: install CRIU's crit (Debian: apt-get install criu) or set CRUST_SKIP_CRIT=1 to skip this test");
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

    let mut needles = strs(&["VMA_AREA_HEAP", "VMA_AREA_VVAR", "VMA_FILE_PRIVATE"]);
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
