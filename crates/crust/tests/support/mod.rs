//! Shared helpers for the end-to-end tests.
//!
//! A test builds a [`Scenario`] (a private temp dir), runs a bash script in
//! it as pid 1 of a fresh pid and mount namespace (so pids are never reused
//! under it and nothing it starts can outlive it), then checks the files
//! and facts the script left behind. Every failed check panics with a report
//! holding the script's transcript, its facts and crust's own log files.
//!
//! Environment knobs, for people debugging the tests:
//! - `CRUST_E2E_BIN`: run another criu-compatible binary (e.g. criu itself,
//!   to check a scenario against the reference) instead of crust;
//! - `CRUST_E2E_KEEP=1`: keep the temp dirs (their paths are in the report).

#![allow(dead_code)] // each test binary uses its own subset

use std::collections::HashMap;
use std::fmt::Display;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Loaded first by every scenario script: helpers such as `wait_until`,
/// `dump`, `restore`, `fact`.
const PRELUDE: &str = include_str!("prelude.sh");

/// Long enough for every scenario but the slow `sleep 30` one; the scripts'
/// own polls time out well before this, with a better message.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// Only the last lines of each log go into a failure report: a -v4 log of a
/// whole dump is long, and the end is where things went wrong.
const LOG_TAIL_LINES: usize = 300;

/// The binary under test.
pub fn crust_bin() -> PathBuf {
    std::env::var_os("CRUST_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_crust")))
}

/// Where the test programs' sources (C, Python) live.
pub fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs")
}

/// `KEY=VALUE` lines a scenario script recorded with `fact`.
pub type Facts = HashMap<String, String>;

/// One test's private temp dir and the scripts run in it.
pub struct Scenario {
    name: String,
    dir: TempDir,
}

impl Scenario {
    pub fn new(name: &str) -> Scenario {
        let keep = std::env::var_os("CRUST_E2E_KEEP").is_some();
        let dir = tempfile::Builder::new()
            .prefix(&format!("crust-e2e-{name}-"))
            .disable_cleanup(keep)
            .tempdir()
            .expect("create the scenario's temp dir");
        Scenario {
            name: name.to_string(),
            dir,
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir().join(rel)
    }

    /// Runs `body` (after the prelude) as pid 1 of a new pid and mount
    /// namespace; fails the test if it exits non-zero or outlives
    /// [`DEFAULT_DEADLINE`].
    pub fn run(&self, body: &str) {
        self.run_for(body, DEFAULT_DEADLINE)
    }

    pub fn run_for(&self, body: &str, deadline: Duration) {
        let script = self.path("scenario.sh");
        let text = format!("{PRELUDE}\n# ---- scenario {} ----\n{body}\n", self.name);
        fs::write(&script, text).expect("write scenario.sh");
        let transcript = fs::File::create(self.path("transcript.txt")).expect("transcript");
        // --kill-child: if this test dies or gives up, the namespace's pid 1
        // gets SIGKILL, and with it everything in the namespace.
        let mut child = Command::new("unshare")
            .args(["--pid", "--fork", "--mount", "--mount-proc", "--kill-child"])
            .arg("bash")
            .arg(&script)
            .env("CRUST", crust_bin())
            .env("DIR", self.dir())
            .env("PROGRAMS", programs_dir())
            .stdin(Stdio::null())
            .stdout(transcript.try_clone().expect("dup transcript"))
            .stderr(transcript)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run unshare (util-linux): {e}"));
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for unshare") {
                break status;
            }
            if started.elapsed() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                self.fail(format!("scenario still running after {deadline:?}; killed"));
            }
            thread::sleep(Duration::from_millis(50));
        };
        if !status.success() {
            self.fail(format!("scenario script failed ({status}){}", self.why()));
        }
    }

    /// The transcript's own account of why the script failed, if any.
    fn why(&self) -> String {
        let transcript = fs::read_to_string(self.path("transcript.txt")).unwrap_or_default();
        transcript
            .lines()
            .rev()
            .find(|l| l.contains("] FAIL: ") || l.contains("] exit status "))
            .map(|l| format!(": {l}"))
            .unwrap_or_default()
    }

    /// The facts recorded by the scenario scripts run so far.
    pub fn facts(&self) -> Facts {
        let text = fs::read_to_string(self.path("facts")).unwrap_or_default();
        text.lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// One fact; fails the test if the script never recorded it.
    pub fn fact(&self, key: &str) -> String {
        match self.facts().remove(key) {
            Some(value) => value,
            None => self.fail(format!("the scenario recorded no fact {key:?}")),
        }
    }

    /// A fact that must be an integer.
    pub fn fact_num(&self, key: &str) -> i64 {
        let value = self.fact(key);
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| self.fail(format!("fact {key}={value:?} is not a number")))
    }

    /// A file of the scenario (relative to its dir); fails the test if missing.
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel))
            .unwrap_or_else(|e| self.fail(format!("cannot read {rel}: {e}")))
    }

    /// The counter output file `rel` (see [`counter_lines`]), which must
    /// have gone on for at least `more` steps after step `dumped_at`.
    pub fn counter(&self, rel: &str, dumped_at: i64, more: i64) -> Vec<(u64, String)> {
        let text = self.read(rel);
        let lines = counter_lines(&text).unwrap_or_else(|e| self.fail(format!("{rel}: {e}")));
        self.ensure(
            lines.len() as i64 >= dumped_at + more,
            format!(
                "{rel} has {} lines: the counter did not go on for {more} steps after {dumped_at}",
                lines.len()
            ),
        );
        lines
    }

    /// Fails the test with `what` unless `ok`.
    pub fn ensure(&self, ok: bool, what: impl Display) {
        if !ok {
            self.fail(what);
        }
    }

    /// Fails the test: `what`, then everything that helps explain it.
    pub fn fail(&self, what: impl Display) -> ! {
        panic!("{}", self.report(&what.to_string()))
    }

    fn report(&self, what: &str) -> String {
        let mut out = format!(
            "\n==== e2e scenario '{}' failed: {what}\n==== dir: {}\n",
            self.name,
            self.dir().display()
        );
        let transcript = fs::read_to_string(self.path("transcript.txt")).unwrap_or_default();
        let facts = fs::read_to_string(self.path("facts")).unwrap_or_default();
        out += &format!("---- transcript ----\n{transcript}---- facts ----\n{facts}");
        for log in unfinished_crust_stderr(self.dir(), &transcript)
            .into_iter()
            .chain(log_files(self.dir()))
        {
            out += &log_tail(&log);
        }
        out + "==== end of report\n"
    }
}

/// Every `*.log` under `dir`: crust's own logs (-o) and the targets' output.
fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            found.extend(log_files(&path));
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "log") {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// The NAME.stderr files of crust calls that never returned (killed with
/// the scenario): the transcript only has the stderr of calls that did.
fn unfinished_crust_stderr(dir: &Path, transcript: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.strip_suffix(".stderr")
                .is_some_and(|call| !transcript.contains(&format!("crust ({call}) exited")))
        })
        .collect();
    found.sort();
    found
}

fn log_tail(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let skip = lines.len().saturating_sub(LOG_TAIL_LINES);
    let mut out = format!("---- {} ({} lines", path.display(), lines.len());
    if skip > 0 {
        out += &format!(", first {skip} omitted");
    }
    out += ") ----\n";
    for line in &lines[skip..] {
        out += line;
        out.push('\n');
    }
    out
}

/// Checks that `text` is lines whose first word runs 1, 2, 3, ... with no
/// gap and no repeat: the output of a counter that was dumped and restored
/// (a lost step shows as a gap, a replayed one as a repeat). Returns the
/// lines split into (number, rest of the line).
pub fn counter_lines(text: &str) -> Result<Vec<(u64, String)>, String> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let (first, rest) = line.split_once(' ').unwrap_or((line, ""));
        let n: u64 = first
            .parse()
            .map_err(|_| format!("line {}: {line:?} does not start with a number", index + 1))?;
        let expected = index as u64 + 1;
        if n != expected {
            let prev = index.checked_sub(1).map(|i| text.lines().nth(i));
            return Err(format!(
                "line {}: expected {expected}, got {n} (previous line {prev:?})",
                index + 1
            ));
        }
        out.push((n, rest.to_string()));
    }
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("the last line is incomplete".to_string());
    }
    Ok(out)
}

/// The lines of `/proc/PID/status`-like text whose key is in `keys`.
pub fn status_lines(text: &str, keys: &[&str]) -> Vec<String> {
    text.lines()
        .filter(|l| keys.iter().any(|k| l.split(':').next() == Some(k)))
        .map(str::to_string)
        .collect()
}

/// Parses a `tree_report` file ("pid state tracerpid" per line) and returns
/// the processes that are stopped, traced or unreadable as a message.
pub fn stopped_or_traced(report: &str) -> Option<String> {
    let bad: Vec<&str> = report
        .lines()
        .filter(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                // The process ended while being looked at: fine.
                [_pid] => false,
                [_pid, state, tracer] => matches!(*state, "t" | "T") || *tracer != "0",
                _ => true,
            }
        })
        .collect();
    (!bad.is_empty()).then(|| format!("stopped or traced: {bad:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_lines_accepts_a_clean_run() {
        let lines = counter_lines("1 a\n2 b\n3\n").unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], (2, "b".to_string()));
    }

    #[test]
    fn counter_lines_rejects_gaps_repeats_and_torn_lines() {
        assert!(counter_lines("1\n2\n4\n").is_err());
        assert!(counter_lines("1\n2\n2\n3\n").is_err());
        assert!(counter_lines("1\n2").is_err());
        assert!(counter_lines("1\nx\n").is_err());
    }

    #[test]
    fn stopped_or_traced_flags_only_bad_processes() {
        assert_eq!(stopped_or_traced("5 S 0\n7\n9 R 0\n"), None);
        assert!(stopped_or_traced("5 t 0\n").is_some());
        assert!(stopped_or_traced("5 S 12\n").is_some());
    }
}
