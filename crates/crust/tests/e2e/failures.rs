//! Failures must be clean: a dump that fails leaves the process running as
//! if nothing happened, a restore that fails leaves no process behind.

use crate::support::{stopped_or_traced, Scenario};

/// After a failed dump: the process still runs, is not stopped nor traced,
/// and its output goes on without a gap. `dump_cmd` is the failing dump.
fn dump_fails_cleanly(sc: &Scenario, setup: &str, dump_cmd: &str) {
    sc.run(&format!(
        r#"
start_target target.log bash -c "$BASH_LOOP"
fact pid "$PID"
wait_until 10 "5 lines of output" has_lines out.txt 5
{setup}
rc=0
{dump_cmd} || rc=$?
fact dump_rc "$rc"
[[ -e /proc/$PID ]] || die "the failed dump killed $PID"
tree_report tree-after-dump
n=$(line_count out.txt)
wait_until 10 "5 more lines after the failed dump" has_lines out.txt $((n + 5))
fact lines_at_end "$(line_count out.txt)"
"#
    ));
    sc.ensure(sc.fact_num("dump_rc") != 0, "the dump did not fail");
    if let Some(bad) = stopped_or_traced(&sc.read("tree-after-dump")) {
        sc.fail(format!("after the failed dump: {bad}"));
    }
    sc.counter("out.txt", sc.fact_num("lines_at_end"), 0);
}

/// Scenario 8: the images dir is on a 64 KiB tmpfs (mounted in the
/// scenario's own mount namespace), so writing the pages fails with ENOSPC
/// in the middle of the dump, after the process was seized.
#[test]
fn failed_dump_on_full_disk_leaves_process_running() {
    let sc = Scenario::new("enospc");
    dump_fails_cleanly(
        &sc,
        r#"mkdir small
mount -t tmpfs -o size=64k tmpfs small
mkdir small/img"#,
        // The log goes outside the full tmpfs, so it survives for the report.
        r#"crust dump dump -t "$PID" -D small/img -v4 -o "$DIR/dump.log""#,
    );
    let stderr = sc.read("dump.stderr").to_lowercase();
    sc.ensure(
        stderr.contains("no space left") || stderr.contains("enospc"),
        format!("crust's stderr does not name the problem (no space left): {stderr:?}"),
    );
}

/// Scenario 8, second way: the images dir would be under a regular file.
#[test]
fn failed_dump_under_regular_file_leaves_process_running() {
    let sc = Scenario::new("notadir");
    dump_fails_cleanly(
        &sc,
        "touch notadir",
        r#"crust dump dump -t "$PID" -D notadir/img -v4 -o "$DIR/dump.log""#,
    );
    let stderr = sc.read("dump.stderr");
    sc.ensure(
        stderr.contains("notadir"),
        format!("crust's stderr does not name the images dir: {stderr:?}"),
    );
}

/// Scenario 9: restoring from an images dir that lacks the root's
/// core-PID.img, or whose inventory.img has a bad magic, fails naming the
/// file and leaves no process with the old pid. The intact images then
/// restore fine, so the failures were the damage's doing.
#[test]
fn restore_from_damaged_images_fails_cleanly() {
    let sc = Scenario::new("damaged-images");
    sc.run(
        r#"
start_target target.log bash -c "$BASH_LOOP"
wait_until 10 "5 lines of output" has_lines out.txt 5
mkdir img
dump_and_reap img out.txt

cp -a img no-core
rm "no-core/core-$PID.img"
cp -a img bad-inventory
# inventory.img starts with its magic (unlike other images, it has no
# common magic before it).
printf '\xef\xbe\xad\xde' | dd of=bad-inventory/inventory.img bs=1 conv=notrunc status=none

for broken in no-core bad-inventory; do
	rc=0
	restore "restore-$broken" "$broken" -d || rc=$?
	fact "rc_$broken" "$rc"
	if [[ -e /proc/$PID ]]; then
		fact "state_$broken" "$(status_field "$PID" State 2>/dev/null || true)"
	fi
	# A zombie must be gone soon: this shell reaps what crust left.
	if poll 5 gone "$PID"; then fact "gone_$broken" yes; else fact "gone_$broken" no; fi
	# Clear any leftovers, so that the next restore can have the pids.
	poll 5 alone || kill_all_but_me
	wait_alone
done

restore restore-intact img -d
n=$(line_count out.txt)
wait_until 10 "5 more lines after restoring the intact images" has_lines out.txt $((n + 5))
kill -9 "$PID"
"#,
    );
    let pid = sc.fact("pid");
    // (damaged copy, file the error must name, word the error must use)
    for (broken, file, word) in [
        ("no-core", format!("core-{pid}.img"), ""),
        ("bad-inventory", "inventory.img".to_string(), "magic"),
    ] {
        sc.ensure(
            sc.fact_num(&format!("rc_{broken}")) != 0,
            format!("restore from {broken} did not fail"),
        );
        let stderr = sc.read(&format!("restore-{broken}.stderr"));
        sc.ensure(
            stderr.contains(&file),
            format!("restore from {broken}: stderr does not name {file}: {stderr:?}"),
        );
        sc.ensure(
            stderr.to_lowercase().contains(word),
            format!("restore from {broken}: stderr does not say {word:?}: {stderr:?}"),
        );
        if let Some(state) = sc.facts().get(&format!("state_{broken}")) {
            sc.ensure(
                state.starts_with('Z'),
                format!("restore from {broken} failed but left pid {pid} alive (state {state})"),
            );
        }
        sc.ensure(
            sc.fact(&format!("gone_{broken}")) == "yes",
            format!("restore from {broken} failed but pid {pid} still exists"),
        );
    }
    sc.counter("out.txt", sc.fact_num("lines_at_dump"), 5);
}
