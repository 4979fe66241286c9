//! Scenario 10: bad input fails with an error that names what was wrong,
//! and `crust check` works. Run in a namespace like the others: in a fresh
//! pid namespace, pid 4242 certainly does not exist.

use crate::support::Scenario;

#[test]
fn dump_of_missing_pid_fails_naming_it() {
    let sc = Scenario::new("missing-pid");
    sc.run(
        r#"
[[ ! -e /proc/4242 ]] || die "pid 4242 exists in a fresh namespace?"
mkdir img
rc=0
dump dump 4242 img || rc=$?
fact rc "$rc"
"#,
    );
    sc.ensure(sc.fact_num("rc") != 0, "dump of a missing pid succeeded");
    let stderr = sc.read("dump.stderr");
    sc.ensure(
        stderr.contains("4242"),
        format!("stderr does not name pid 4242: {stderr:?}"),
    );
    sc.ensure(
        sc.path("img/dump.log").is_file(),
        "the -o log file img/dump.log was not written by the failed dump",
    );
}

#[test]
fn restore_from_missing_dir_fails_naming_it() {
    let sc = Scenario::new("missing-dir");
    sc.run(
        r#"
[[ ! -e /nonexistent-crust-e2e ]] || die "/nonexistent-crust-e2e exists"
rc=0
crust restore restore -D /nonexistent-crust-e2e -v4 -o "$DIR/restore.log" || rc=$?
fact rc "$rc"
"#,
    );
    sc.ensure(
        sc.fact_num("rc") != 0,
        "restore from a missing dir succeeded",
    );
    let stderr = sc.read("restore.stderr");
    sc.ensure(
        stderr.contains("/nonexistent-crust-e2e"),
        format!("stderr does not name the missing dir: {stderr:?}"),
    );
    sc.ensure(
        sc.path("restore.log").is_file(),
        "the -o log file was not written by the failed restore",
    );
}

#[test]
fn unknown_option_is_rejected() {
    let sc = Scenario::new("unknown-option");
    sc.run(
        r#"
mkdir img
rc=0
crust dump dump --no-such-option -t 1 -D img || rc=$?
fact rc "$rc"
"#,
    );
    sc.ensure(sc.fact_num("rc") != 0, "an unknown option was accepted");
    let stderr = sc.read("dump.stderr");
    sc.ensure(
        stderr.contains("no-such-option"),
        format!("stderr does not name the unknown option: {stderr:?}"),
    );
}

#[test]
fn check_succeeds_on_this_machine() {
    let sc = Scenario::new("check");
    sc.run(
        r#"
rc=0
crust check check || rc=$?
fact rc "$rc"
"#,
    );
    sc.ensure(sc.fact_num("rc") == 0, "crust check failed on this machine");
    let said = sc.read("check.stdout") + &sc.read("check.stderr");
    sc.ensure(!said.trim().is_empty(), "crust check printed nothing");
}
