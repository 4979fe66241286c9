//! The clap description of crust's command line.
//!
//! Every option is `global`, so, as with criu (whose getopt permutes its
//! arguments), it may be written before or after the command word. The raw
//! values land here; `super::parse` turns them into `Options`. As with
//! getopt, an option's value may start with `-` (`-o -v` logs to the file `-v`).

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "crust",
    version,
    about = "Checkpoint and restore Linux process trees (a CRIU-compatible command line)",
    subcommand_required = true,
    arg_required_else_help = true,
    args_override_self = true,
    disable_help_subcommand = true
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub(super) enum Command {
    /// Checkpoint the process tree rooted at --tree into the images directory.
    Dump,
    /// Restore a process tree from the images directory.
    Restore,
    /// Probe the running kernel for the features crust needs.
    Check,
}

#[derive(Debug, Args)]
pub(super) struct Common {
    /// PID of the root of the process tree to checkpoint.
    #[arg(short = 't', long = "tree", value_name = "PID", global = true,
          value_parser = clap::value_parser!(i32).range(1..))]
    pub tree: Option<i32>,

    /// Directory holding the image files [default: .].
    #[arg(
        short = 'D',
        long = "images-dir",
        value_name = "DIR",
        global = true,
        allow_hyphen_values = true
    )]
    pub images_dir: Option<PathBuf>,

    /// Directory for the log and pid files [default: the images directory].
    #[arg(
        short = 'W',
        long = "work-dir",
        value_name = "DIR",
        global = true,
        allow_hyphen_values = true
    )]
    pub work_dir: Option<PathBuf>,

    /// Write the log here (stderr then keeps errors and warnings); a relative path
    /// is taken inside the work directory.
    #[arg(
        short = 'o',
        long = "log-file",
        value_name = "FILE",
        global = true,
        allow_hyphen_values = true
    )]
    pub log_file: Option<PathBuf>,

    /// Log level 0-4 (0 none, 1 errors, 2 +warnings, 3 +info, 4 +debug; default 2).
    /// `-vN` sets it, each bare `-v` (or `-vv`, `-vvv`...) raises it.
    #[arg(short = 'v', long = "verbosity", value_name = "N", global = true,
          action = ArgAction::Append,
          value_parser = parse_verbosity_step)]
    pub verbosity: Vec<VerbosityStep>,

    /// dump: leave the tree running after the checkpoint.
    #[arg(short = 'R', long = "leave-running", global = true)]
    pub leave_running: bool,

    /// dump: leave the tree stopped after the checkpoint.
    #[arg(short = 's', long = "leave-stopped", global = true)]
    pub leave_stopped: bool,

    /// The tree is a job of the calling shell (shares its session and terminal).
    #[arg(
        short = 'j',
        long = "shell-job",
        global = true,
        overrides_with = "no_shell_job"
    )]
    pub shell_job: bool,
    #[arg(
        long = "no-shell-job",
        global = true,
        hide = true,
        overrides_with = "shell_job"
    )]
    pub no_shell_job: bool,

    /// restore: detach from the restored tree once it runs.
    #[arg(
        short = 'd',
        long = "restore-detached",
        visible_alias = "daemon",
        global = true,
        overrides_with = "no_restore_detached"
    )]
    pub restore_detached: bool,
    #[arg(
        long = "no-restore-detached",
        alias = "no-daemon",
        global = true,
        hide = true,
        overrides_with = "restore_detached"
    )]
    pub no_restore_detached: bool,

    /// restore: write the PID of the restored root here (relative: inside the work directory).
    #[arg(
        long = "pidfile",
        value_name = "FILE",
        global = true,
        allow_hyphen_values = true
    )]
    pub pidfile: Option<PathBuf>,

    /// dump: seconds to wait for the tree to freeze [default: 10].
    #[arg(long = "timeout", value_name = "SECONDS", global = true)]
    pub timeout: Option<u64>,

    /// Accepted for compatibility; crust reads no configuration files.
    #[arg(long = "no-default-config", global = true)]
    pub no_default_config: bool,

    /// pre-dump: how pages are taken (splice or read).
    #[arg(long = "pre-dump-mode", value_name = "MODE", global = true,
          value_parser = ["splice", "read"])]
    pub pre_dump_mode: Option<String>,

    /// Checkpoint and restore file locks (not supported yet).
    #[arg(
        short = 'l',
        long = "file-locks",
        global = true,
        overrides_with = "no_file_locks"
    )]
    pub file_locks: bool,
    #[arg(
        long = "no-file-locks",
        global = true,
        hide = true,
        overrides_with = "file_locks"
    )]
    pub no_file_locks: bool,

    /// Checkpoint and restore established TCP connections (not supported yet).
    #[arg(
        long = "tcp-established",
        global = true,
        overrides_with = "no_tcp_established"
    )]
    pub tcp_established: bool,
    #[arg(
        long = "no-tcp-established",
        global = true,
        hide = true,
        overrides_with = "tcp_established"
    )]
    pub no_tcp_established: bool,

    /// Allow unix sockets connected to peers outside the tree (not supported yet).
    #[arg(short = 'x', long = "ext-unix-sk", value_name = "IDS", global = true,
          num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub ext_unix_sk: Option<String>,

    /// Allow link remaps of open but unlinked files (not supported yet).
    #[arg(long = "link-remap", global = true, overrides_with = "no_link_remap")]
    pub link_remap: bool,
    #[arg(
        long = "no-link-remap",
        global = true,
        hide = true,
        overrides_with = "link_remap"
    )]
    pub no_link_remap: bool,

    /// How to treat cgroups: none, props, soft (when no mode is given), full, strict, ignore.
    /// crust supports only none and ignore yet.
    #[arg(long = "manage-cgroups", value_name = "MODE", global = true,
          num_args = 0..=1, require_equals = true, default_missing_value = "soft",
          value_parser = ["none", "props", "soft", "full", "strict", "ignore"])]
    pub manage_cgroups: Option<String>,

    /// The root directory the restored tree sees (not supported yet).
    #[arg(
        short = 'r',
        long = "root",
        value_name = "DIR",
        global = true,
        allow_hyphen_values = true
    )]
    pub root: Option<PathBuf>,

    /// check: probe only this feature (`list` prints the known names); exit 0 when supported.
    #[arg(long = "feature", value_name = "NAME", global = true)]
    pub feature: Option<String>,

    /// check: accepted for compatibility; crust always runs every probe.
    #[arg(long = "all", global = true, hide_short_help = true)]
    pub all: bool,
    /// check: accepted for compatibility; crust always runs every probe.
    #[arg(long = "extra", global = true, hide_short_help = true)]
    pub extra: bool,
    /// check: accepted for compatibility; crust always runs every probe.
    #[arg(long = "experimental", global = true, hide_short_help = true)]
    pub experimental: bool,
}

/// One `-v...`/`--verbosity` occurrence, applied in command-line order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VerbosityStep {
    /// `-vN`, `--verbosity=N`, `--verbosity N`.
    Set(u32),
    /// `-v` (once per `v`).
    Raise(u32),
}

/// Parses the value clap hands over for `-v`/`--verbosity`.
///
/// clap gives `-vvv` as short `v` with the value `vv`, and `-v4` as `4`. A bare
/// `-v` never reaches clap as such: `super::normalize` rewrites it to
/// `--verbosity=+1`, so that it does not swallow the next argument.
fn parse_verbosity_step(s: &str) -> Result<VerbosityStep, String> {
    if let Some(n) = s.strip_prefix('+') {
        return n
            .parse()
            .map(VerbosityStep::Raise)
            .map_err(|_| format!("`{s}` is not a verbosity level (0-4)"));
    }
    if !s.is_empty() && s.bytes().all(|b| b == b'v') {
        // `-vvv`: the first `v` is the option, the rest its value.
        return Ok(VerbosityStep::Raise(s.len() as u32 + 1));
    }
    s.parse()
        .map(VerbosityStep::Set)
        .map_err(|_| format!("`{s}` is not a verbosity level (0-4)"))
}
