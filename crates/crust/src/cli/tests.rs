use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;

use super::{parse, Action, CliError, Options};

fn argv(args: &[&str]) -> Vec<OsString> {
    std::iter::once("crust")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect()
}

fn ok(args: &[&str]) -> Options {
    match parse(argv(args)) {
        Ok(o) => o,
        Err(e) => panic!("{args:?} should parse, got: {e}"),
    }
}

fn err(args: &[&str]) -> CliError {
    match parse(argv(args)) {
        Ok(o) => panic!("{args:?} should fail, got: {o:?}"),
        Err(e) => e,
    }
}

#[test]
fn defaults() {
    let o = ok(&["dump", "-t", "42"]);
    assert_eq!(o.action, Action::Dump);
    assert_eq!(o.tree, Some(42));
    assert_eq!(o.images_dir, PathBuf::from("."));
    assert_eq!(o.work_dir, PathBuf::from("."));
    assert_eq!(o.log_file, None);
    assert_eq!(o.pidfile, None);
    assert_eq!(o.verbosity, 2);
    assert_eq!(o.timeout_secs, 10);
    assert!(!o.leave_running && !o.leave_stopped && !o.shell_job && !o.restore_detached);
    assert_eq!(o.root, None);
    assert_eq!(o.manage_cgroups, None);
    assert_eq!(o.pre_dump_mode, None);
    assert_eq!(o.unsupported(), None);
}

#[test]
fn options_before_and_after_the_command() {
    for args in [
        &["-t", "7", "-D", "/img", "-j", "dump"][..],
        &["dump", "-t", "7", "-D", "/img", "-j"][..],
        &["-t", "7", "dump", "-D", "/img", "-j"][..],
        &["-D", "/img", "dump", "-j", "-t", "7"][..],
    ] {
        let o = ok(args);
        assert_eq!(o.action, Action::Dump, "{args:?}");
        assert_eq!(o.tree, Some(7), "{args:?}");
        assert_eq!(o.images_dir, PathBuf::from("/img"), "{args:?}");
        assert!(o.shell_job, "{args:?}");
    }
}

#[test]
fn long_options_with_equals_or_space() {
    let spaced = ok(&[
        "restore",
        "--images-dir",
        "/img",
        "--work-dir",
        "/wd",
        "--log-file",
        "r.log",
        "--pidfile",
        "r.pid",
        "--timeout",
        "30",
        "--root",
        "/newroot",
        "--verbosity",
        "4",
        "--pre-dump-mode",
        "read",
    ]);
    let equals = ok(&[
        "restore",
        "--images-dir=/img",
        "--work-dir=/wd",
        "--log-file=r.log",
        "--pidfile=r.pid",
        "--timeout=30",
        "--root=/newroot",
        "--verbosity=4",
        "--pre-dump-mode=read",
    ]);
    for o in [spaced, equals] {
        assert_eq!(o.action, Action::Restore);
        assert_eq!(o.images_dir, PathBuf::from("/img"));
        assert_eq!(o.work_dir, PathBuf::from("/wd"));
        assert_eq!(o.log_file, Some(PathBuf::from("/wd/r.log")));
        assert_eq!(o.pidfile, Some(PathBuf::from("/wd/r.pid")));
        assert_eq!(o.timeout_secs, 30);
        assert_eq!(o.root, Some(PathBuf::from("/newroot")));
        assert_eq!(o.verbosity, 4);
        assert_eq!(o.pre_dump_mode.as_deref(), Some("read"));
        assert_eq!(
            o.unsupported().as_deref(),
            Some("crust does not support --root yet")
        );
    }
}

#[test]
fn short_options_attached_or_spaced() {
    let o = ok(&["dump", "-t1234", "-D/img", "-W/wd", "-ofoo.log"]);
    assert_eq!(o.tree, Some(1234));
    assert_eq!(o.images_dir, PathBuf::from("/img"));
    assert_eq!(o.work_dir, PathBuf::from("/wd"));
    assert_eq!(o.log_file, Some(PathBuf::from("/wd/foo.log")));
    let o = ok(&["dump", "--tree=1234", "-Rj"]);
    assert_eq!(o.tree, Some(1234));
    assert!(o.leave_running && o.shell_job);
}

#[test]
fn relative_paths_resolve_in_the_work_dir() {
    // The work dir defaults to the images dir.
    let o = ok(&["dump", "-t", "1", "-D", "imgs", "-o", "dump.log"]);
    assert_eq!(o.work_dir, PathBuf::from("imgs"));
    assert_eq!(o.log_file, Some(PathBuf::from("imgs/dump.log")));
    // An explicit work dir wins over the images dir.
    let o = ok(&[
        "restore",
        "-D",
        "/img",
        "-W",
        "/tmp/wd",
        "-o",
        "sub/r.log",
        "--pidfile",
        "p",
    ]);
    assert_eq!(o.log_file, Some(PathBuf::from("/tmp/wd/sub/r.log")));
    assert_eq!(o.pidfile, Some(PathBuf::from("/tmp/wd/p")));
    // Absolute paths stay as they are.
    let o = ok(&[
        "restore",
        "-D",
        "/img",
        "-o",
        "/var/log/r.log",
        "--pidfile=/run/r.pid",
    ]);
    assert_eq!(o.log_file, Some(PathBuf::from("/var/log/r.log")));
    assert_eq!(o.pidfile, Some(PathBuf::from("/run/r.pid")));
    // No -D: everything relative to ".".
    let o = ok(&["restore", "-o", "r.log"]);
    assert_eq!(o.log_file, Some(PathBuf::from("./r.log")));
}

#[test]
fn verbosity_forms() {
    let v = |args: &[&str]| ok(args).verbosity;
    assert_eq!(v(&["check"]), 2);
    assert_eq!(v(&["check", "-v4"]), 4);
    assert_eq!(v(&["check", "-v0"]), 0);
    assert_eq!(v(&["-v1", "check"]), 1);
    assert_eq!(v(&["check", "-v"]), 3);
    assert_eq!(v(&["check", "-vv"]), 4);
    assert_eq!(v(&["check", "-vvv"]), 4, "raising stops at debug");
    assert_eq!(v(&["check", "-v", "-v"]), 4);
    assert_eq!(v(&["check", "--verbosity=0"]), 0);
    assert_eq!(v(&["check", "--verbosity", "3"]), 3);
    assert_eq!(
        v(&["--verbosity", "check"]),
        3,
        "bare --verbosity raises by one"
    );
    // Applied in order, like criu: set then raise, raise then set.
    assert_eq!(v(&["check", "-v0", "-v"]), 1);
    assert_eq!(v(&["check", "-v", "-v1"]), 1);
    // A bare -v does not swallow the command word or the next option.
    let o = ok(&["-v", "dump", "-t", "5"]);
    assert_eq!((o.action, o.verbosity, o.tree), (Action::Dump, 3, Some(5)));
    let o = ok(&["dump", "-v", "-t", "5"]);
    assert_eq!((o.verbosity, o.tree), (3, Some(5)));
    // In a cluster of short flags, as getopt has it.
    let o = ok(&["dump", "-t", "5", "-jv4"]);
    assert_eq!((o.shell_job, o.verbosity), (true, 4));
    let o = ok(&["dump", "-t", "5", "-Rv"]);
    assert_eq!((o.leave_running, o.verbosity), (true, 3));
    assert_eq!(v(&["check", "-vvvv"]), 4);
    // -v as the value of an option that takes one is left alone.
    let o = ok(&["restore", "-o", "-v"]);
    assert_eq!(o.log_file, Some(PathBuf::from("./-v")));
    assert_eq!(o.verbosity, 2);
}

#[test]
fn verbosity_out_of_range_is_an_error() {
    assert_eq!(err(&["check", "-v5"]).kind(), ErrorKind::ValueValidation);
    assert_eq!(
        err(&["check", "--verbosity=9"]).kind(),
        ErrorKind::ValueValidation
    );
    assert_eq!(
        err(&["check", "--verbosity", "300"]).kind(),
        ErrorKind::ValueValidation
    );
    assert_eq!(err(&["check", "-vx"]).kind(), ErrorKind::ValueValidation);
    assert!(err(&["check", "-v5"])
        .to_string()
        .contains("verbosity 5 is out of range"));
}

#[test]
fn dump_needs_a_tree() {
    let e = err(&["dump"]);
    assert_eq!(e.kind(), ErrorKind::MissingRequiredArgument);
    assert!(e.to_string().contains("-t/--tree"), "{e}");
    assert_eq!(err(&["dump", "-t", "0"]).kind(), ErrorKind::ValueValidation);
    assert_eq!(
        err(&["dump", "-t", "-3"]).kind(),
        ErrorKind::UnknownArgument
    );
    assert_eq!(
        err(&["dump", "-t", "abc"]).kind(),
        ErrorKind::ValueValidation
    );
    // restore and check do not.
    ok(&["restore"]);
    ok(&["check"]);
}

#[test]
fn leave_running_and_stopped_conflict() {
    let e = err(&["dump", "-t", "1", "-R", "-s"]);
    assert_eq!(e.kind(), ErrorKind::ArgumentConflict);
    assert!(e.to_string().contains("--leave-running"), "{e}");
    err(&["--leave-stopped", "dump", "-t", "1", "--leave-running"]);
    assert!(ok(&["dump", "-t", "1", "-s"]).leave_stopped);
    assert!(ok(&["dump", "-t", "1", "--leave-running"]).leave_running);
}

#[test]
fn restore_flags() {
    let o = ok(&["restore", "-d", "-j", "--pidfile", "pid"]);
    assert!(o.restore_detached && o.shell_job);
    assert!(ok(&["restore", "--restore-detached"]).restore_detached);
    assert!(ok(&["restore", "--daemon"]).restore_detached);
    assert!(ok(&["restore", "--shell-job"]).shell_job);
    // criu's --no-X forms turn an earlier X back off.
    assert!(!ok(&["restore", "-j", "--no-shell-job"]).shell_job);
    assert!(ok(&["restore", "--no-shell-job", "-j"]).shell_job);
}

#[test]
fn check_and_its_feature() {
    assert_eq!(ok(&["check"]).action, Action::Check { feature: None });
    let want = Action::Check {
        feature: Some("uffd".into()),
    };
    assert_eq!(ok(&["check", "--feature", "uffd"]).action, want);
    assert_eq!(ok(&["check", "--feature=uffd"]).action, want);
    assert_eq!(ok(&["--feature", "uffd", "check"]).action, want);
    // criu's --all/--extra/--experimental are accepted.
    assert_eq!(
        ok(&["check", "--all"]).action,
        Action::Check { feature: None }
    );
    ok(&["check", "--extra", "--experimental"]);
    assert_eq!(
        err(&["dump", "-t", "1", "--feature", "uffd"]).kind(),
        ErrorKind::ArgumentConflict
    );
}

#[test]
fn accepted_compat_options() {
    let o = ok(&[
        "--no-default-config",
        "dump",
        "-t",
        "1",
        "--pre-dump-mode=splice",
    ]);
    assert_eq!(o.pre_dump_mode.as_deref(), Some("splice"));
    assert_eq!(
        err(&["dump", "-t", "1", "--pre-dump-mode", "mmap"]).kind(),
        ErrorKind::InvalidValue
    );
    for mode in ["none", "ignore"] {
        let o = ok(&["dump", "-t", "1", &format!("--manage-cgroups={mode}")]);
        assert_eq!(o.manage_cgroups.as_deref(), Some(mode));
        assert_eq!(o.unsupported(), None);
    }
    assert_eq!(
        err(&["dump", "-t", "1", "--manage-cgroups=bogus"]).kind(),
        ErrorKind::InvalidValue
    );
}

#[test]
fn unsupported_options_are_named() {
    let msg = |args: &[&str]| ok(args).unsupported().unwrap_or_else(|| panic!("{args:?}"));
    for (opt, args) in [
        ("--file-locks", &["dump", "-t", "1", "--file-locks"][..]),
        ("--file-locks", &["dump", "-t", "1", "-l"][..]),
        ("--tcp-established", &["restore", "--tcp-established"][..]),
        ("--ext-unix-sk", &["dump", "-t", "1", "--ext-unix-sk"][..]),
        ("--ext-unix-sk", &["dump", "-t", "1", "-x"][..]),
        ("--link-remap", &["dump", "-t", "1", "--link-remap"][..]),
        (
            "--manage-cgroups=soft",
            &["dump", "-t", "1", "--manage-cgroups"][..],
        ),
        (
            "--manage-cgroups=full",
            &["restore", "--manage-cgroups=full"][..],
        ),
        ("--root", &["dump", "-t", "1", "--root", "/x"][..]),
    ] {
        let m = msg(args);
        assert!(
            m.contains(opt) && m.contains("crust does not support"),
            "{args:?}: {m}"
        );
    }
    let m = msg(&["dump", "-t", "1", "--file-locks", "--link-remap"]);
    assert!(
        m.contains("--file-locks") && m.contains("--link-remap"),
        "{m}"
    );
    // Turned off again with --no-X: nothing to complain about.
    assert_eq!(
        ok(&["dump", "-t", "1", "-l", "--no-file-locks"]).unsupported(),
        None
    );
    // --manage-cgroups takes its mode only after `=`, so it leaves the next word alone.
    let o = ok(&["--manage-cgroups", "dump", "-t", "1"]);
    assert_eq!(
        (o.action, o.manage_cgroups.as_deref()),
        (Action::Dump, Some("soft"))
    );
}

#[test]
fn usage_errors() {
    assert_eq!(
        err(&["dump", "-t", "1", "--bogus"]).kind(),
        ErrorKind::UnknownArgument
    );
    assert_eq!(
        err(&["dump", "-t", "1", "-Z"]).kind(),
        ErrorKind::UnknownArgument
    );
    assert_eq!(err(&["frobnicate"]).kind(), ErrorKind::InvalidSubcommand);
    assert_eq!(
        err(&["dump", "-t", "1", "extra"]).kind(),
        ErrorKind::UnknownArgument
    );
    assert_eq!(err(&["dump", "-t"]).kind(), ErrorKind::InvalidValue);
    assert_eq!(
        err(&["restore", "--timeout", "soon"]).kind(),
        ErrorKind::ValueValidation
    );
    let e = err(&[]);
    assert_eq!(
        e.kind(),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    assert_eq!(e.exit_code(), 1);
    assert_eq!(err(&["dump", "-t", "1", "--bogus"]).exit_code(), 1);
}

#[test]
fn help_and_version_exit_zero() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["dump", "--help"],
        &["check", "-h"],
    ] {
        let e = err(args);
        assert_eq!(e.kind(), ErrorKind::DisplayHelp, "{args:?}");
        assert!(e.is_informational());
        assert_eq!(e.exit_code(), 0);
    }
    let e = err(&["--version"]);
    assert_eq!(e.kind(), ErrorKind::DisplayVersion);
    assert_eq!(e.exit_code(), 0);
    assert_eq!(err(&["-V"]).kind(), ErrorKind::DisplayVersion);
    let help = err(&["--help"]).to_string();
    for word in [
        "dump",
        "restore",
        "check",
        "--images-dir",
        "--verbosity",
        "--manage-cgroups",
    ] {
        assert!(help.contains(word), "help lacks {word}:\n{help}");
    }
}
