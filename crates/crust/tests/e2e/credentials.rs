//! Scenario 5: an unprivileged process keeps its credentials and its state.

use crate::continuity::check_sums_of_squares;
use crate::support::{status_lines, Scenario};

/// The /proc/PID/status lines that make up a process's credentials.
const CRED_KEYS: &[&str] = &[
    "Uid",
    "Gid",
    "Groups",
    "NoNewPrivs",
    "CapInh",
    "CapPrm",
    "CapEff",
    "CapBnd",
    "CapAmb",
];

#[test]
fn unprivileged_python_keeps_credentials_and_state() {
    let sc = Scenario::new("unprivileged");
    sc.run(
        r#"
# nobody must be able to reach its script and write its output.
chmod 755 "$DIR"
mkdir data
cp "$PROGRAMS/counter.py" data/
chown 65534:65534 data
start_target target.log setpriv --reuid=65534 --regid=65534 --clear-groups \
	/usr/bin/python3 data/counter.py data/out.txt
wait_until 10 "5 lines of output" has_lines data/out.txt 5
cp "/proc/$PID/status" status.before
mkdir img
dump_and_reap img data/out.txt
restore restore img -d
[[ -e /proc/$PID ]] || die "no process $PID right after restore -d returned"
cp "/proc/$PID/status" status.after
n=$(line_count data/out.txt)
wait_until 10 "10 more lines from the restored python" has_lines data/out.txt $((n + 10))
kill -9 "$PID"
"#,
    );
    let before = status_lines(&sc.read("status.before"), CRED_KEYS);
    let after = status_lines(&sc.read("status.after"), CRED_KEYS);
    sc.ensure(
        before.len() == CRED_KEYS.len(),
        format!("status before the dump lacks some of {CRED_KEYS:?}: {before:?}"),
    );
    // Guard against a setup that silently ran the target as root.
    sc.ensure(
        before[0].split_whitespace().skip(1).all(|id| id == "65534"),
        format!("the target did not run as 65534: {}", before[0]),
    );
    for (b, a) in before.iter().zip(&after) {
        sc.ensure(
            b == a,
            format!("before the dump {b:?}, after restore {a:?}"),
        );
    }
    sc.ensure(
        before.len() == after.len(),
        format!("status after restore lacks lines: {after:?}"),
    );
    check_sums_of_squares(&sc, "data/out.txt", sc.fact_num("lines_at_dump"));
}
