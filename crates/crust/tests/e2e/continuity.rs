//! Programs that keep counting across a dump and restore: the count must go
//! on with no step lost and none replayed.

use std::time::Duration;

use crate::support::Scenario;

/// Scenario 1: a bash loop, restored detached (-d) with --pidfile.
#[test]
fn bash_loop_continues_after_detached_restore() {
    let sc = Scenario::new("bash-loop");
    sc.run(
        r#"
start_target target.log bash -c "$BASH_LOOP"
wait_until 10 "5 lines of output" has_lines out.txt 5
mkdir img
dump_and_reap img out.txt
restore restore img -d --pidfile "$DIR/restored.pid"
[[ -e /proc/$PID ]] || die "no process $PID right after restore -d returned"
fact restored_comm "$(</proc/$PID/comm)"
fact pidfile "$(<restored.pid)"
n=$(line_count out.txt)
wait_until 10 "5 more lines from the restored loop" has_lines out.txt $((n + 5))
kill -9 "$PID"
"#,
    );
    let pid = sc.fact("pid");
    let comm = sc.fact("restored_comm");
    sc.ensure(
        comm == "bash",
        format!("the restored process is named {comm:?}, not \"bash\""),
    );
    sc.ensure(
        sc.fact("pidfile").trim() == pid,
        format!("--pidfile holds {:?}, not {pid}", sc.fact("pidfile")),
    );
    sc.counter("out.txt", sc.fact_num("lines_at_dump"), 5);
}

/// Scenario 2: a python3 process whose output depends on a dict it keeps
/// in memory.
#[test]
fn python_dict_state_survives_restore() {
    let sc = Scenario::new("python-state");
    sc.run(
        r#"
cp "$PROGRAMS/counter.py" .
start_target target.log /usr/bin/python3 counter.py out.txt
wait_until 10 "5 lines of output" has_lines out.txt 5
mkdir img
dump_and_reap img out.txt
restore restore img -d
[[ -e /proc/$PID ]] || die "no process $PID right after restore -d returned"
n=$(line_count out.txt)
wait_until 10 "10 more lines from the restored python" has_lines out.txt $((n + 10))
kill -9 "$PID"
"#,
    );
    check_sums_of_squares(&sc, "out.txt", sc.fact_num("lines_at_dump"));
}

/// Checks the output of counter.py: line i is "i s" with s = 1² + ... + i²,
/// the sum over the dict it keeps.
pub fn check_sums_of_squares(sc: &Scenario, rel: &str, dumped_at: i64) {
    for (i, rest) in sc.counter(rel, dumped_at, 10) {
        let i = u128::from(i);
        let expected = i * (i + 1) * (2 * i + 1) / 6;
        sc.ensure(
            rest == expected.to_string(),
            format!("{rel}: step {i} printed sum {rest:?}, the dict holds {expected}"),
        );
    }
}

/// Scenario 3: `sleep 30` dumped while blocked in nanosleep, restored in
/// the foreground: crust waits for it and passes on its exit status, and
/// the sleep still ends about 30 s after it started.
#[test]
fn sleep_in_nanosleep_ends_on_time_after_restore() {
    let sc = Scenario::new("sleep");
    sc.run_for(
        r#"
start_us=${EPOCHREALTIME/./}
elapsed_us() { echo $((${EPOCHREALTIME/./} - start_us)); }
start_target target.log sleep 30
# clock_nanosleep (230) or nanosleep (35), per /proc/PID/syscall.
in_nanosleep() {
	local nr
	nr=$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null) && [[ $nr == 230 || $nr == 35 ]]
}
wait_until 10 "sleep to block in nanosleep" in_nanosleep "$PID"
two_seconds_in() { (($(elapsed_us) >= 2000000)); }
wait_until 10 "2 s after the start" two_seconds_in
mkdir img
dump dump "$PID" img
fact pid "$PID"
fact dumped_at_us "$(elapsed_us)"
reap "$PID"
wait_alone
restore restore img &
restorer=$!
exists() { [[ -e /proc/$1 ]]; }
wait_until 10 "a process with pid $PID again" exists "$PID"
# crust is still restoring it when the pid appears (named crust until then):
# give it time to become sleep, then record what it is.
comm_is() { [[ $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]; }
poll 10 comm_is "$PID" sleep || true
fact restored_comm "$(</proc/$PID/comm)"
rc=0
wait "$restorer" || rc=$?
fact restore_rc "$rc"
fact elapsed_us "$(elapsed_us)"
"#,
        Duration::from_secs(150),
    );
    sc.ensure(
        sc.fact_num("restore_rc") == 0,
        "crust restore did not exit with sleep's status 0",
    );
    let elapsed = sc.fact_num("elapsed_us") as f64 / 1e6;
    sc.ensure(
        (29.0..=40.0).contains(&elapsed),
        format!("sleep 30 ended {elapsed:.1} s after it started"),
    );
    let comm = sc.fact("restored_comm");
    sc.ensure(
        comm == "sleep",
        format!("the restored process is named {comm:?}, not \"sleep\""),
    );
}

/// Scenario 6: `dump -R` leaves the process running, untraced and
/// unstopped; then dump, restore, dump, restore of the same process.
#[test]
fn leave_running_dump_then_repeated_dump_restore() {
    let sc = Scenario::new("leave-running");
    sc.run(
        r#"
start_target target.log bash -c "$BASH_LOOP"
fact pid "$PID"
wait_until 10 "5 lines of output" has_lines out.txt 5
mkdir img1 img2 img3

dump dump1 "$PID" img1 -R
[[ -e /proc/$PID ]] || die "dump -R killed $PID"
tree_report tree-after-R
n=$(line_count out.txt)
wait_until 10 "5 more lines after dump -R" has_lines out.txt $((n + 5))

dump dump2 "$PID" img2
fact lines_at_dump2 "$(line_count out.txt)"
reap "$PID"
wait_alone
restore restore2 img2 -d
n=$(line_count out.txt)
wait_until 10 "5 more lines after the first restore" has_lines out.txt $((n + 5))

dump dump3 "$PID" img3
fact lines_at_dump3 "$(line_count out.txt)"
reap "$PID"
wait_alone
restore restore3 img3 -d
n=$(line_count out.txt)
wait_until 10 "5 more lines after the second restore" has_lines out.txt $((n + 5))
kill -9 "$PID"
"#,
    );
    let tree = sc.read("tree-after-R");
    if let Some(bad) = crate::support::stopped_or_traced(&tree) {
        sc.fail(format!("after dump -R: {bad}"));
    }
    let pid = sc.fact("pid");
    sc.ensure(
        tree.lines()
            .any(|l| l.split_whitespace().next() == Some(pid.as_str())),
        "the tree report after dump -R lacks the dumped process",
    );
    sc.ensure(
        sc.fact_num("lines_at_dump3") > sc.fact_num("lines_at_dump2"),
        "the first restored process made no progress before the second dump",
    );
    sc.counter("out.txt", sc.fact_num("lines_at_dump3"), 5);
}

/// A tree in a job-control stop is dumped and restored stopped; SIGCONT then
/// resumes the count where it was, and the program's SIGCONT handler runs only
/// for that SIGCONT, not for anything crust did.
#[test]
fn stopped_tree_comes_back_stopped() {
    let sc = Scenario::new("stopped-tree");
    sc.run(
        r#"
start_target target.log bash -c 'trap "echo cont >> cont.txt" CONT; '"$BASH_LOOP"
wait_until 10 "5 lines of output" has_lines out.txt 5
kill -STOP -- "-$PID"
is_stopped() { [[ $(status_field "$1" State 2>/dev/null) == T ]]; }
wait_until 5 "$PID to stop" is_stopped "$PID"
mkdir img
dump_and_reap img out.txt
restore restore img -d
wait_until 5 "the restored $PID to be stopped" is_stopped "$PID"
fact tracer "$(status_field "$PID" TracerPid)"
# A stopped loop cannot write: this wait only gives a running one the time
# to show itself (it writes every 0.1 s).
sleep 0.5
fact lines_still "$(line_count out.txt)"
fact handler_runs_before_cont "$(line_count cont.txt 2>/dev/null || echo 0)"
kill -CONT -- "-$PID"
n=$(line_count out.txt)
wait_until 10 "5 more lines after SIGCONT" has_lines out.txt $((n + 5))
kill -9 "$PID"
"#,
    );
    let at_dump = sc.fact_num("lines_at_dump");
    sc.ensure(
        sc.fact_num("lines_still") == at_dump,
        format!(
            "the restored loop ran while stopped: {at_dump} lines, then {}",
            sc.fact("lines_still")
        ),
    );
    sc.ensure(
        sc.fact("tracer") == "0",
        format!("the restored task is traced by {}", sc.fact("tracer")),
    );
    sc.ensure(
        sc.fact_num("handler_runs_before_cont") == 0,
        "the SIGCONT handler ran before anyone sent SIGCONT",
    );
    sc.counter("out.txt", at_dump, 5);
}
