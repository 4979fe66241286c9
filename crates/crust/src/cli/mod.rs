//! The command line: criu's options, parsed into one `Options` value.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use args::{Cli, Command, VerbosityStep};

mod args;
#[cfg(test)]
mod tests;

/// What the user asked crust to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Dump,
    Restore,
    /// `check`, optionally `--feature NAME`.
    Check {
        feature: Option<String>,
    },
}

/// Every option crust understands, after parsing and defaulting.
#[derive(Debug, Clone)]
pub struct Options {
    pub action: Action,
    /// `-t/--tree PID`: the root of the tree to dump.
    pub tree: Option<i32>,
    /// `-D/--images-dir DIR`, "." when not given.
    pub images_dir: PathBuf,
    /// `-W/--work-dir DIR`, the images dir when not given.
    pub work_dir: PathBuf,
    /// `-o/--log-file FILE`, already resolved against the work dir.
    pub log_file: Option<PathBuf>,
    /// `-v[N]`/`--verbosity=N`, criu's levels 0..=4 (default 2: errors and warnings).
    pub verbosity: u8,
    pub leave_running: bool,
    pub leave_stopped: bool,
    pub shell_job: bool,
    pub restore_detached: bool,
    /// `--pidfile FILE`, resolved against the work dir.
    pub pidfile: Option<PathBuf>,
    /// `--timeout SECONDS`: how long freezing may take.
    pub timeout_secs: u64,
    /// `--root DIR`: the root the restored tree sees.
    pub root: Option<PathBuf>,
    pub file_locks: bool,
    pub tcp_established: bool,
    pub ext_unix_sk: bool,
    pub link_remap: bool,
    pub manage_cgroups: Option<String>,
    pub pre_dump_mode: Option<String>,
}

impl Options {
    /// The options crust parses but cannot honour yet, as one message naming
    /// each of them; `None` when everything asked for is supported.
    ///
    /// Call it before doing any work: dumping while silently ignoring, say,
    /// `--tcp-established` would produce images that cannot be restored.
    pub fn unsupported(&self) -> Option<String> {
        let mut what: Vec<String> = Vec::new();
        let mut notes = "";
        if self.file_locks {
            what.push("--file-locks".into());
        }
        if self.tcp_established {
            what.push("--tcp-established".into());
        }
        if self.ext_unix_sk {
            what.push("--ext-unix-sk".into());
        }
        if self.link_remap {
            what.push("--link-remap".into());
        }
        if let Some(mode) = &self.manage_cgroups {
            if mode != "none" && mode != "ignore" {
                what.push(format!("--manage-cgroups={mode}"));
                notes = " (of the --manage-cgroups modes, only none and ignore work)";
            }
        }
        if self.root.is_some() {
            what.push("--root".into());
        }
        match what.as_slice() {
            [] => None,
            [one] => Some(format!("crust does not support {one} yet{notes}")),
            many => Some(format!(
                "crust does not support these options yet: {}{notes}",
                many.join(", ")
            )),
        }
    }
}

/// The log level when no `-v` is given: errors and warnings.
pub const DEFAULT_VERBOSITY: u8 = 2;
/// The most verbose level (debug).
pub const MAX_VERBOSITY: u8 = 4;
/// `--timeout` when not given, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Why the command line was not turned into `Options`, or a request for help
/// or the version, which clap has already rendered.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CliError(clap::Error);

impl CliError {
    /// What kind of error this is (`DisplayHelp`/`DisplayVersion` for
    /// `--help`/`--version`).
    pub fn kind(&self) -> ErrorKind {
        self.0.kind()
    }

    /// True for `--help` and `--version`: not failures, print and exit 0.
    pub fn is_informational(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
        )
    }

    /// The process exit code: 0 for help and version, 1 (as criu) otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.is_informational() {
            0
        } else {
            1
        }
    }

    /// Prints the message (help and version on stdout, errors on stderr) and exits.
    pub fn exit(&self) -> ! {
        let _ = self.0.print();
        std::process::exit(self.exit_code())
    }
}

/// Parses a command line, program name first (as `std::env::args_os()` gives it).
///
/// Options may come before or after the command word, long options take
/// their value as `--opt value` or `--opt=value`, and relative `--log-file`
/// and `--pidfile` paths are resolved against the work directory.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Options, CliError> {
    let cli = Cli::try_parse_from(normalize(args)).map_err(CliError)?;
    let c = cli.common;

    let action = match cli.command {
        Command::Dump => Action::Dump,
        Command::Restore => Action::Restore,
        Command::Check => Action::Check {
            feature: c.feature.clone(),
        },
    };
    if c.feature.is_some() && !matches!(action, Action::Check { .. }) {
        return Err(invalid(
            ErrorKind::ArgumentConflict,
            "--feature only goes with the check command",
        ));
    }
    if action == Action::Dump && c.tree.is_none() {
        return Err(invalid(
            ErrorKind::MissingRequiredArgument,
            "dump needs the tree to checkpoint: -t/--tree PID",
        ));
    }
    if c.leave_running && c.leave_stopped {
        return Err(invalid(
            ErrorKind::ArgumentConflict,
            "--leave-running (-R) and --leave-stopped (-s) cannot be used together",
        ));
    }
    let verbosity = resolve_verbosity(&c.verbosity)?;

    let images_dir = c.images_dir.unwrap_or_else(|| ".".into());
    let work_dir = c.work_dir.unwrap_or_else(|| images_dir.clone());
    let log_file = c.log_file.map(|f| work_dir.join(f));
    let pidfile = c.pidfile.map(|f| work_dir.join(f));

    Ok(Options {
        action,
        tree: c.tree,
        images_dir,
        work_dir,
        log_file,
        verbosity,
        leave_running: c.leave_running,
        leave_stopped: c.leave_stopped,
        shell_job: c.shell_job,
        restore_detached: c.restore_detached,
        pidfile,
        timeout_secs: c.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS),
        root: c.root,
        file_locks: c.file_locks,
        tcp_established: c.tcp_established,
        ext_unix_sk: c.ext_unix_sk.is_some(),
        link_remap: c.link_remap,
        manage_cgroups: c.manage_cgroups,
        pre_dump_mode: c.pre_dump_mode,
    })
}

/// A usage error in clap's format (so it carries the usage line and the
/// `--help` hint like clap's own errors).
fn invalid(kind: ErrorKind, msg: impl std::fmt::Display) -> CliError {
    CliError(Cli::command().error(kind, msg))
}

/// Applies the `-v`/`--verbosity` occurrences in order, as criu does: a value
/// sets the level, a bare `-v` raises it by one per `v`. An explicit level
/// above 4 is an error; raising past 4 stays at 4 (criu has nothing above debug).
fn resolve_verbosity(steps: &[VerbosityStep]) -> Result<u8, CliError> {
    let mut level = DEFAULT_VERBOSITY;
    for step in steps {
        level = match *step {
            VerbosityStep::Set(n) => match u8::try_from(n) {
                Ok(n) if n <= MAX_VERBOSITY => n,
                _ => {
                    return Err(invalid(
                        ErrorKind::ValueValidation,
                        format!(
                            "verbosity {n} is out of range: the levels are 0 to {MAX_VERBOSITY}"
                        ),
                    ))
                }
            },
            VerbosityStep::Raise(k) => u8::try_from(k).map_or(MAX_VERBOSITY, |k| {
                level.saturating_add(k).min(MAX_VERBOSITY)
            }),
        };
    }
    Ok(level)
}

/// Options that take their value as the next argument, alone or at the end of
/// a cluster of short flags (`-jt PID`).
const SEPARATE_VALUE_LONG: &[&str] = &[
    "--tree",
    "--images-dir",
    "--work-dir",
    "--log-file",
    "--root",
    "--pidfile",
    "--timeout",
    "--pre-dump-mode",
    "--feature",
    "--verbosity",
];
const SEPARATE_VALUE_SHORT: &[u8] = b"tDWor";
const FLAG_SHORT: &[u8] = b"RsjdlV";

/// Rewrites criu's bare `-v` (also at the end of a cluster of flags, as in
/// `-Rv`, and a bare `--verbosity` not followed by a number), which raises
/// the log level by one, into `--verbosity=+1`.
///
/// clap cannot express getopt's "optional value, attached only" for short
/// options: it would take `-v dump` as verbosity "dump". Everything else
/// (`-v4`, `-vvv`, `--verbosity=N`, `--verbosity N`) clap handles itself.
fn normalize(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let args: Vec<OsString> = args.into_iter().collect();
    let mut out = Vec::with_capacity(args.len());
    let mut value_next = false;
    let mut options_done = false;
    for (i, arg) in args.iter().enumerate() {
        let is_value = std::mem::replace(&mut value_next, false);
        let s = arg.to_str();
        if i == 0 || is_value || options_done || s.is_none() {
            out.push(arg.clone());
            continue;
        }
        let s = s.unwrap_or_default();
        let next_is_number = args
            .get(i + 1)
            .and_then(|a| a.to_str())
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if s == "--" {
            options_done = true;
            out.push(arg.clone());
        } else if s == "-v" || (s == "--verbosity" && !next_is_number) {
            out.push("--verbosity=+1".into());
        } else if let Some(flags) = flag_cluster_ending_in_v(s) {
            out.push(format!("-{flags}").into());
            out.push("--verbosity=+1".into());
        } else {
            value_next = takes_separate_value(s);
            out.push(arg.clone());
        }
    }
    out
}

/// `-Rv` and the like: flags without values, then a bare `v`. Returns the flags.
fn flag_cluster_ending_in_v(s: &str) -> Option<&str> {
    let flags = s.strip_prefix('-')?.strip_suffix('v')?;
    let is_flags = !flags.is_empty() && flags.bytes().all(|f| FLAG_SHORT.contains(&f));
    is_flags.then_some(flags)
}

fn takes_separate_value(s: &str) -> bool {
    if s.starts_with("--") {
        return SEPARATE_VALUE_LONG.contains(&s);
    }
    match s.as_bytes() {
        [b'-', flags @ .., last] => {
            flags.iter().all(|f| FLAG_SHORT.contains(f)) && SEPARATE_VALUE_SHORT.contains(last)
        }
        _ => false,
    }
}
