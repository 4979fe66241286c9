//! Scenario 4: memory of every kind and the extended register state
//! (AVX-512 zmm and opmask registers, MXCSR, AMX tiles where the machine
//! has them) survive a dump and restore, as checked by the restored
//! program itself (programs/memstate.c).

use std::process::Command;

use crate::support::{programs_dir, Scenario};

#[test]
fn memory_and_extended_registers_survive_restore() {
    let sc = Scenario::new("memstate");
    build_memstate(&sc);
    sc.run(
        r#"
mkdir work
start_target target.log "$DIR/memstate" "$DIR/work"
ready() { [[ $(cat work/ready 2>/dev/null) == ready ]]; }
wait_until 20 "memstate to fill its state" ready
mkdir img
dump dump "$PID" img
fact pid "$PID"
reap "$PID"
wait_alone
[[ ! -e work/result ]] || die "memstate finished before it was restored"
restore restore img -d
[[ -e /proc/$PID ]] || die "no process $PID right after restore -d returned"
# The program checks everything once told to, then writes work/result.
kill -USR1 "$PID"
wait_until 30 "the restored memstate's verdict" test -e work/result
wait_until 10 "memstate to exit" gone "$PID"
"#,
    );
    let probe = sc.read("work/probe");
    let result = sc.read("work/result");
    // What this machine let the program exercise, for the CI log.
    println!("memstate probe: {}", probe.replace('\n', "; "));
    sc.ensure(
        result.starts_with(&probe),
        format!("the verdict's probe lines differ from the ones before the dump: {result:?}"),
    );
    let verdict = &result[probe.len()..];
    sc.ensure(
        verdict == "OK\n",
        format!("the restored memstate found damage:\n{verdict}"),
    );
}

/// Compiles programs/memstate.c into the scenario's dir.
fn build_memstate(sc: &Scenario) {
    let source = programs_dir().join("memstate.c");
    let output = Command::new("cc")
        .args(["-O1", "-mavx512f", "-Wall", "-o"])
        .arg(sc.path("memstate"))
        .arg(&source)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cc (install gcc): {e}"));
    assert!(
        output.status.success(),
        "cc {} failed:\n{}",
        source.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}
