//! Helpers that run CRIU's tools on image files and judge their output.

use std::path::Path;
use std::process::Command;

use crust_images::{ImageDir, ImageKind};
use prost::Message;

const CRIT: &str = "/usr/bin/crit";
const PYTHON: &str = "/usr/bin/python3";

pub fn write<M: Message>(dir: &ImageDir, kind: ImageKind, entries: &[M]) {
    let mut w = dir.writer(kind).expect("writer");
    for e in entries {
        w.write(e).expect("write");
    }
    w.finish().expect("finish");
}

/// Runs `crit decode --pretty` on `file` and returns its JSON output.
pub fn crit_decode(file: &Path) -> String {
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
    "UNKNOWN thread_info_x86#100",    // crust: raw XSAVE area
    "UNKNOWN reg_file_entry#100",     // crust: mtime at dump
    "UNKNOWN reg_file_entry#101",     // crust: inode at dump
    "UNKNOWN reg_file_entry#102",     // crust: device at dump
    "UNKNOWN creds_entry#18",         // newer CRIU: no_new_privs
    "UNKNOWN creds_entry#19",         // newer CRIU: cap_amb
    "UNKNOWN user_x86_xsave_entry#9", // newer CRIU: cet
    "UNKNOWN task_core_entry#21",     // newer CRIU: stop_signo
    "UNKNOWN task_core_entry#22",     // newer CRIU: membarrier_registration_mask
    "UNKNOWN thread_core_entry#16",   // newer CRIU: cg_set
    "UNKNOWN thread_core_entry#17",   // newer CRIU: timerslack_ns
];

/// Runs the strict check script on `file`; returns its report.
pub fn strict_report(file: &Path, nmagic: usize, msgs: (&str, &str)) -> String {
    let out = Command::new(PYTHON)
        .args(["-c", STRICT])
        .arg(file)
        .arg(nmagic.to_string())
        .args([msgs.0, msgs.1])
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "strict check failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts a clean strict report with `entries` entries.
fn strict_check(file: &Path, nmagic: usize, msgs: (&str, &str), entries: usize) {
    let text = strict_report(file, nmagic, msgs);
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

/// Whether to run: crit present, or absent with an explicit skip.
pub fn crit_available() -> bool {
    if Path::new(CRIT).exists() {
        return true;
    }
    if std::env::var("CRUST_SKIP_CRIT").as_deref() == Ok("1") {
        eprintln!("{CRIT} missing; skipped because CRUST_SKIP_CRIT=1");
        return false;
    }
    panic!(
        "{CRIT} not found: install CRIU's crit (Debian: apt-get install criu) \
         or set CRUST_SKIP_CRIT=1 to skip this test"
    );
}

/// Asserts that crit decodes `kind` as image `magic` and that its output
/// contains every one of `needles`; then runs the strict check with `msgs`
/// (message of the first entry, message of the others) expecting `entries`.
pub fn check(
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
pub fn roundtrip<M: Message>(
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

pub fn hex(v: u64) -> String {
    format!("\"{v:#x}\"")
}

pub fn strs(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
