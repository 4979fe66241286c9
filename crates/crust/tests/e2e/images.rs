//! Scenario 7: the images crust writes are criu's: crit decodes every one,
//! and what they say matches the process that was dumped.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::Scenario;

const CRIT: &str = "/usr/bin/crit";

#[test]
fn images_decode_with_crit_and_match_the_process() {
    let sc = Scenario::new("crit");
    sc.run(
        r#"
start_target target.log bash -c "$BASH_LOOP"
wait_until 10 "5 lines of output" has_lines out.txt 5
# Two equal reads 200 ms apart: bash's mappings have settled, so the
# capture is what the dump right after it sees.
stable_maps() {
	local a b
	a=$(<"/proc/$1/maps")
	sleep 0.2
	b=$(<"/proc/$1/maps")
	[[ $a == "$b" ]] && printf '%s\n' "$a" >maps.before
}
wait_until 10 "stable /proc/$PID/maps" stable_maps "$PID"
fact pid "$PID"
# img does not exist yet: crust creates it.
dump dump "$PID" img
"#,
    );
    let pid: u64 = sc.fact_num("pid") as u64;
    let img = sc.path("img");
    check_modes(&sc, &img);
    let decoded = decode_all(&sc, &img);
    let entry = |name: &str| -> &Value {
        let image = decoded
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| sc.fail(format!("no {name} in the images dir")));
        &image["entries"][0]
    };

    let pids: Vec<Option<u64>> = decoded
        .iter()
        .filter(|(n, _)| n == "pstree.img")
        .flat_map(|(_, v)| v["entries"].as_array().cloned().unwrap_or_default())
        .map(|e| number(&e["pid"]))
        .collect();
    sc.ensure(
        pids.first() == Some(&Some(pid)),
        format!("pstree.img's root is not pid {pid}: {pids:?}"),
    );

    let ip = number(&entry(&format!("core-{pid}.img"))["thread_info"]["gpregs"]["ip"]);
    sc.ensure(
        matches!(ip, Some(ip) if ip != 0),
        format!("core-{pid}.img: thread_info.gpregs.ip is {ip:?}"),
    );

    let vmas = entry(&format!("mm-{pid}.img"))["vmas"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let image_starts: BTreeSet<Option<u64>> = vmas.iter().map(|v| number(&v["start"])).collect();
    let proc_starts: BTreeSet<Option<u64>> = map_starts(&sc.read("maps.before"));
    sc.ensure(
        image_starts == proc_starts,
        format!(
            "mm-{pid}.img vma starts differ from /proc/{pid}/maps:\n  only in image: {}\n  only in maps: {}",
            hex_list(image_starts.difference(&proc_starts)),
            hex_list(proc_starts.difference(&image_starts)),
        ),
    );
}

/// Image files are 0600, the images dir crust created 0700.
fn check_modes(sc: &Scenario, img: &Path) {
    let mode = |p: &Path| {
        fs::metadata(p)
            .unwrap_or_else(|e| sc.fail(format!("{}: {e}", p.display())))
            .permissions()
            .mode()
            & 0o7777
    };
    let dir_mode = mode(img);
    sc.ensure(
        dir_mode == 0o700,
        format!("images dir mode {dir_mode:o}, not 700"),
    );
    for path in image_files(sc, img) {
        let m = mode(&path);
        sc.ensure(
            m == 0o600,
            format!("{} has mode {m:o}, not 600", path.display()),
        );
    }
}

fn image_files(sc: &Scenario, img: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = fs::read_dir(img)
        .unwrap_or_else(|e| sc.fail(format!("{}: {e}", img.display())))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "img"))
        .collect();
    files.sort();
    sc.ensure(!files.is_empty(), "the dump wrote no *.img files");
    files
}

/// Decodes every image with crit, as (file name, decoded JSON). pages-*.img
/// hold raw page contents with no header, as in criu, and crit cannot
/// decode them by design; their pagemap-*.img is decoded instead.
fn decode_all(sc: &Scenario, img: &Path) -> Vec<(String, Value)> {
    sc.ensure(
        Path::new(CRIT).exists(),
        format!("{CRIT} is missing (apt-get install criu python3-protobuf)"),
    );
    image_files(sc, img)
        .into_iter()
        .filter(|p| !file_name(p).starts_with("pages-"))
        .map(|p| (file_name(&p), crit_decode(sc, &p)))
        .collect()
}

fn crit_decode(sc: &Scenario, path: &Path) -> Value {
    let out = Command::new("/usr/bin/python3")
        .args([CRIT, "decode", "-i"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| sc.fail(format!("cannot run crit: {e}")));
    sc.ensure(
        out.status.success(),
        format!(
            "crit decode {} failed ({}):\n{}",
            path.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        sc.fail(format!(
            "crit decode {} printed no JSON: {e}",
            path.display()
        ))
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// A crit number: plain JSON, or a "0x..." / decimal string (--pretty style).
fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => s.parse().ok(),
        },
        _ => None,
    }
}

/// Start addresses of a /proc/PID/maps text: every mapping, [vsyscall]
/// included, as criu records it too.
fn map_starts(maps: &str) -> BTreeSet<Option<u64>> {
    maps.lines()
        .map(|l| {
            let start = l.split('-').next().unwrap_or("");
            u64::from_str_radix(start, 16).ok()
        })
        .collect()
}

fn hex_list<'a>(starts: impl Iterator<Item = &'a Option<u64>>) -> String {
    let items: Vec<String> = starts
        .map(|s| match s {
            Some(s) => format!("{s:#x}"),
            None => "unparsable".to_string(),
        })
        .collect();
    format!("[{}]", items.join(", "))
}
