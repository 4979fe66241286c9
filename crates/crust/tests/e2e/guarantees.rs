//! Promises crust makes beyond "the process comes back": a restore is
//! refused when a file the process uses changed since the dump, a failed
//! dump leaves the earlier images as they were, a terminal is carried only
//! with --shell-job, --pidfile never overwrites, and `dump -s` leaves the
//! tree stopped for SIGCONT.

use crate::support::{stopped_or_traced, Scenario};

/// Scenario helper `refused_restore NAME [ARGS...]`: a detached restore from
/// img (with ARGS) that must fail. Records its status, whether the dumped
/// pid ($PID) showed up and whether the counter in out.txt moved, then
/// clears whatever crust might have left. See [`check_refused`].
const REFUSED_RESTORE: &str = r#"
refused_restore() {
	local name=$1 rc=0 lines
	shift
	lines=$(line_count out.txt)
	restore "restore-$name" img -d "$@" || rc=$?
	fact "rc_$name" "$rc"
	if [[ -e /proc/$PID ]]; then
		fact "state_$name" "$(status_field "$PID" State 2>/dev/null || true)"
	fi
	# A zombie must be gone soon: this shell reaps what crust left.
	if poll 5 gone "$PID"; then fact "gone_$name" yes; else fact "gone_$name" no; fi
	fact "grew_$name" "$(($(line_count out.txt) - lines))"
	# Clear any leftovers, so that the next restore can have the pids.
	poll 5 alone || kill_all_but_me
	wait_alone
}
"#;

/// Runs `body` after [`REFUSED_RESTORE`].
fn run_with_refused_restore(sc: &Scenario, body: &str) {
    sc.run(&[REFUSED_RESTORE, body].concat());
}

/// Checks what `refused_restore NAME` recorded: the restore failed, its
/// stderr holds each of `must_say` (case-insensitive), and the tree never
/// ran: no process with the dumped pid, no new line in out.txt.
fn check_refused(sc: &Scenario, name: &str, must_say: &[&str]) {
    let pid = sc.fact("pid");
    sc.ensure(
        sc.fact_num(&format!("rc_{name}")) != 0,
        format!("restore-{name} did not fail"),
    );
    let stderr = sc.read(&format!("restore-{name}.stderr"));
    for word in must_say {
        sc.ensure(
            stderr.to_lowercase().contains(&word.to_lowercase()),
            format!("restore-{name}: stderr does not say {word:?}: {stderr:?}"),
        );
    }
    if let Some(state) = sc.facts().get(&format!("state_{name}")) {
        sc.ensure(
            state.starts_with('Z'),
            format!("restore-{name} failed but left pid {pid} alive (state {state})"),
        );
    }
    sc.ensure(
        sc.fact(&format!("gone_{name}")) == "yes",
        format!("restore-{name} failed but pid {pid} still exists"),
    );
    let grew = sc.fact_num(&format!("grew_{name}"));
    sc.ensure(
        grew == 0,
        format!("restore-{name} failed but the tree ran: out.txt grew by {grew} lines"),
    );
}

/// A file the process holds open was appended to, then replaced by a copy
/// with the same size, bytes and mtime but another inode: both restores are
/// refused naming the file. The same setup dumped afresh restores, with the
/// fd's offset kept.
#[test]
fn changed_open_file_is_refused() {
    let sc = Scenario::new("changed-open-file");
    run_with_refused_restore(
        &sc,
        r#"
printf 'first line\nsecond line\n' >data.txt
# The loop reads a line from fd 3 first, so the fd has an offset to keep.
HOLD='exec 3<data.txt; read -r _ <&3; '
start_target target.log bash -c "$HOLD$BASH_LOOP"
fact pid "$PID"
wait_until 10 "5 lines of output" has_lines out.txt 5
[[ /proc/$PID/fd/3 -ef data.txt ]] || die "fd 3 of $PID is not data.txt"
fact stat_at_dump "$(stat -c '%i %s %.9Y' data.txt)"
# A copy with the same bytes and mtime, for the new inode later.
cp -p data.txt data.orig
mkdir img
dump_and_reap img out.txt

printf x >>data.txt
refused_restore appended

cp -p data.orig x
mv x data.txt
fact stat_replaced "$(stat -c '%i %s %.9Y' data.txt)"
refused_restore replaced

# The refusals were the files' doing: dumped afresh, the same setup restores.
start_target target2.log bash -c "$HOLD${BASH_LOOP//out.txt/out2.txt}"
fact pid2 "$PID"
wait_until 10 "5 lines of output in out2.txt" has_lines out2.txt 5
fact pos_at_dump "$(awk '$1 == "pos:" { print $2 }' "/proc/$PID/fdinfo/3")"
mkdir img2
dump dump2 "$PID" img2
fact lines_at_dump2 "$(line_count out2.txt)"
reap "$PID"
wait_alone
restore restore2 img2 -d
[[ -e /proc/$PID ]] || die "no process $PID right after restore -d returned"
[[ /proc/$PID/fd/3 -ef data.txt ]] || die "fd 3 of the restored $PID is not data.txt"
fact pos_restored "$(awk '$1 == "pos:" { print $2 }' "/proc/$PID/fdinfo/3")"
n=$(line_count out2.txt)
wait_until 10 "5 more lines from the restored loop" has_lines out2.txt $((n + 5))
kill -9 "$PID"
"#,
    );
    let before: Vec<String> = words(&sc.fact("stat_at_dump"));
    let replaced: Vec<String> = words(&sc.fact("stat_replaced"));
    sc.ensure(
        before.len() == 3 && before[1..] == replaced[1..] && before[0] != replaced[0],
        format!(
            "the replacement is not a new inode with the same size and mtime \
             (inode size mtime at dump {before:?}, replaced {replaced:?})"
        ),
    );
    check_refused(&sc, "appended", &["data.txt", "changed"]);
    check_refused(&sc, "replaced", &["data.txt", "changed"]);
    // Nothing ran the first loop again: it stopped where it was dumped.
    let lines = sc.counter("out.txt", sc.fact_num("lines_at_dump"), 0);
    sc.ensure(
        lines.len() as i64 == sc.fact_num("lines_at_dump"),
        format!(
            "out.txt has {} lines, {} at the dump: a refused restore ran the loop",
            lines.len(),
            sc.fact_num("lines_at_dump")
        ),
    );
    let (at_dump, restored) = (sc.fact_num("pos_at_dump"), sc.fact_num("pos_restored"));
    sc.ensure(
        at_dump > 0 && at_dump == restored,
        format!("fd 3 was at offset {at_dump} at the dump, {restored} after restore"),
    );
    sc.counter("out2.txt", sc.fact_num("lines_at_dump2"), 5);
}

/// A file the process only maps (no fd refers to it) got a new mtime, and
/// nothing else: the restore is refused naming it. With the old mtime put
/// back the same images restore, and the mapping shows the file's bytes.
#[test]
fn changed_mapped_file_is_refused() {
    let sc = Scenario::new("changed-mapped-file");
    run_with_refused_restore(
        &sc,
        r#"
cp "$PROGRAMS/mapped.py" .
# Two pages and a bit of bytes that differ from page to page.
seq 1 2000 >map.dat
fact digest "$(md5sum <map.dat | cut -d' ' -f1)"
start_target target.log /usr/bin/python3 mapped.py map.dat out.txt
fact pid "$PID"
wait_until 10 "5 lines of output" has_lines out.txt 5
maps_file() { awk -v f="$DIR/map.dat" '$6 == f { n++ } END { exit !n }' "/proc/$1/maps"; }
maps_file "$PID" || die "$PID does not map map.dat"
for fd in /proc/$PID/fd/*; do
	[[ ! $fd -ef map.dat ]] || die "$fd refers to map.dat: the mapping is not alone"
done
mkdir img
dump_and_reap img out.txt

touch -r map.dat stamp
touch -d '2001-01-01' map.dat
refused_restore touched

touch -r stamp map.dat
restore restore img -d
[[ -e /proc/$PID ]] || die "no process $PID right after restore -d returned"
maps_file "$PID" || die "the restored $PID does not map map.dat"
n=$(line_count out.txt)
wait_until 10 "5 more lines from the restored python" has_lines out.txt $((n + 5))
kill -9 "$PID"
"#,
    );
    check_refused(&sc, "touched", &["map.dat", "changed"]);
    let digest = sc.fact("digest");
    for (i, rest) in sc.counter("out.txt", sc.fact_num("lines_at_dump"), 5) {
        sc.ensure(
            rest == digest,
            format!("out.txt step {i}: the mapping's md5 is {rest:?}, map.dat's {digest}"),
        );
    }
}

/// A dump that fails (the loop has started a pipeline, and pipes are not
/// supported) leaves the images of the earlier `dump -R` exactly as they
/// were, no staging dir behind, and the loop running untraced.
#[test]
fn failed_dump_keeps_earlier_images() {
    let sc = Scenario::new("failed-dump-keeps-images");
    sc.run(
        r#"
# Once make-pipe exists, the loop starts `sleep 1000 | cat`: two children
# holding the ends of a pipe.
PIPE_LOOP='i=0; piped=0; while :; do i=$((i+1)); echo $i >> out.txt
	if ((!piped)) && [[ -e make-pipe ]]; then sleep 1000 | cat & piped=1; fi
	sleep 0.1; done'
start_target target.log bash -c "$PIPE_LOOP"
fact pid "$PID"
wait_until 10 "5 lines of output" has_lines out.txt 5
mkdir img
dump dump1 "$PID" img -R
[[ -e /proc/$PID ]] || die "dump -R killed $PID"

# manifest DIR: every entry under DIR with its inode, size, mtime and, for
# a file, its md5.
manifest() {
	local path sum
	(cd "$1" && find . -mindepth 1 | sort) | while read -r path; do
		sum=dir
		[[ -f $1/$path ]] && sum=$(md5sum <"$1/$path" | cut -d' ' -f1)
		echo "$path $(stat -c '%F %i %s %.9Y' "$1/$path") $sum"
	done
}
manifest img >manifest.before
sed 's/^/    before: /' manifest.before >&2

pipe_child() {
	local p fd
	for p in /proc/[0-9]*; do
		[[ $(stat_field "${p#/proc/}" 1 2>/dev/null) == "$PID" ]] || continue
		for fd in "$p"/fd/*; do
			[[ $(readlink "$fd" 2>/dev/null) != pipe:* ]] || return 0
		done
	done
	return 1
}
touch make-pipe
wait_until 10 "a child of $PID holding a pipe" pipe_child
rc=0
# The log goes outside img, which must not change.
crust dump2 dump -t "$PID" -D img -v4 -o "$DIR/dump2.log" || rc=$?
fact dump2_rc "$rc"
[[ -e /proc/$PID ]] || die "the failed dump killed $PID"
tree_report tree-after-dump2
manifest img >manifest.after
sed 's/^/    after: /' manifest.after >&2
n=$(line_count out.txt)
wait_until 10 "5 more lines after the failed dump" has_lines out.txt $((n + 5))
fact lines_at_end "$(line_count out.txt)"
"#,
    );
    sc.ensure(
        sc.fact_num("dump2_rc") != 0,
        "the dump with a pipe did not fail",
    );
    let stderr = sc.read("dump2.stderr");
    sc.ensure(
        stderr.contains("pipe"),
        format!("the failed dump's stderr does not name the pipe: {stderr:?}"),
    );
    let before = sc.read("manifest.before");
    let after = sc.read("manifest.after");
    sc.ensure(
        before.contains("./inventory.img "),
        format!("the first dump left no inventory.img in img:\n{before}"),
    );
    let leftovers: Vec<&str> = after
        .lines()
        .filter(|l| l.starts_with("./.crust-dump-"))
        .collect();
    sc.ensure(
        leftovers.is_empty(),
        format!("the failed dump left its staging dir behind: {leftovers:?}"),
    );
    if before != after {
        let gone: Vec<&str> = before.lines().filter(|l| !after.contains(l)).collect();
        let new: Vec<&str> = after.lines().filter(|l| !before.contains(l)).collect();
        sc.fail(format!(
            "the failed dump changed img:\n  before: {gone:#?}\n  after: {new:#?}"
        ));
    }
    if let Some(bad) = stopped_or_traced(&sc.read("tree-after-dump2")) {
        sc.fail(format!("after the failed dump: {bad}"));
    }
    sc.counter("out.txt", sc.fact_num("lines_at_end"), 0);
}

/// A loop on a pseudo-terminal (util-linux `script`): the dump is refused
/// without --shell-job and leaves it running; with -j it is dumped, and a
/// restore -j -d run on another terminal gives it that terminal: it goes on
/// counting both in out.txt and on the new terminal.
#[test]
fn shell_job_terminal() {
    let sc = Scenario::new("shell-job");
    sc.run(
        r#"
TTY_LOOP='i=0; while :; do i=$((i+1)); echo $i; echo $i >> out.txt; sleep 0.1; done'
# script runs "$SHELL -c CMD" as the leader of a new session whose
# controlling terminal is the pty; what is written to it ends in tty1.log.
SHELL=/bin/bash script -qfec "echo \$\$ >loop.pid; $TTY_LOOP" /dev/null </dev/null >tty1.log 2>&1 &
wait_until 10 "the loop to say its pid" test -s loop.pid
PID=$(<loop.pid)
fact pid "$PID"
fact tty_at_dump "$(readlink "/proc/$PID/fd/1")"
[[ $(readlink "/proc/$PID/fd/0") == /dev/pts/* ]] || die "fd 0 of $PID is not a pty"
is_session_leader "$PID" || die "$PID does not lead its session"
wait_until 10 "5 lines of output" has_lines out.txt 5
mkdir img
rc=0
dump dump-no-j "$PID" img || rc=$?
fact rc_no_j "$rc"
[[ -e /proc/$PID ]] || die "the refused dump killed $PID"
tree_report tree-after-no-j
n=$(line_count out.txt)
wait_until 10 "5 more lines after the refused dump" has_lines out.txt $((n + 5))

dump dump "$PID" img -j
fact lines_at_dump "$(line_count out.txt)"
reap "$PID"
# script ends with its child: then only this shell is left.
wait_alone

# The restore runs on a second terminal, which stays open until the scenario
# has seen the loop on it. `crust` and `log` are exported for it.
export -f crust log
cat >restore-in-tty.sh <<'EOF'
readlink /proc/$$/fd/0 >tty2.name
rc=0
crust restore restore -D img -j -d -v4 -o restore.log 2>>tty-side.txt || rc=$?
echo "$rc" >restore.rc
timeout 30 bash -c 'until [[ -e tty-done ]]; do sleep 0.02; done'
EOF
SHELL=/bin/bash script -qfec "bash restore-in-tty.sh" /dev/null </dev/null >tty2.log 2>&1 &
SCRIPT2=$!
wait_until 30 "the restore on the second terminal" test -s restore.rc
cat tty-side.txt >&2
fact restore_rc "$(<restore.rc)"
[[ $(<restore.rc) == 0 ]] || die "restore -j failed"
[[ -e /proc/$PID ]] || die "no process $PID right after restore -d returned"
fact tty_new "$(<tty2.name)"
fact tty_restored "$(readlink "/proc/$PID/fd/0") $(readlink "/proc/$PID/fd/1") $(readlink "/proc/$PID/fd/2")"
tree_report tree-after-restore
n=$(line_count out.txt)
wait_until 10 "5 more lines from the restored loop" has_lines out.txt $((n + 5))
tty_lines() { (($(tr -d '\r' <tty2.log | grep -c '^[0-9][0-9]*$') >= $1)); }
wait_until 10 "5 lines of the restored loop on the new terminal" tty_lines 5
kill -9 "$PID"
touch tty-done
wait_until 10 "the second script to end" gone "$SCRIPT2"
"#,
    );
    sc.ensure(
        sc.fact_num("rc_no_j") != 0,
        "the dump of a process on a terminal succeeded without --shell-job",
    );
    let stderr = sc.read("dump-no-j.stderr");
    sc.ensure(
        stderr.contains("--shell-job"),
        format!("the refused dump's stderr does not say --shell-job: {stderr:?}"),
    );
    if let Some(bad) = stopped_or_traced(&sc.read("tree-after-no-j")) {
        sc.fail(format!("after the refused dump: {bad}"));
    }
    if let Some(bad) = stopped_or_traced(&sc.read("tree-after-restore")) {
        sc.fail(format!("after restore -j: {bad}"));
    }
    let tty = sc.fact("tty_new");
    let restored = sc.fact("tty_restored");
    sc.ensure(
        tty.starts_with("/dev/pts/") && restored == format!("{tty} {tty} {tty}"),
        format!("the restored fds 0-2 are {restored:?}, not the new terminal {tty}"),
    );
    let dumped_at = sc.fact_num("lines_at_dump");
    sc.counter("out.txt", dumped_at, 5);
    // What the restored loop wrote on the new terminal: the steps after the
    // dump, in order. The first is dumped_at + 2 if the dump came between
    // the echo to the terminal and the one to out.txt.
    let text = sc.read("tty2.log").replace('\r', "");
    let steps: Vec<i64> = text.lines().filter_map(|l| l.parse().ok()).collect();
    sc.ensure(
        steps.len() >= 5
            && (steps[0] == dumped_at + 1 || steps[0] == dumped_at + 2)
            && steps.windows(2).all(|w| w[1] == w[0] + 1),
        format!(
            "the new terminal shows {steps:?}, not the steps after {dumped_at}; all of it: {text:?}"
        ),
    );
}

/// `restore --pidfile` onto an existing file (or a dangling symlink) fails,
/// keeps the file as it was, and leaves no tree running; with a free name
/// the same images restore and the pidfile holds the pid.
#[test]
fn pidfile_is_exclusive() {
    let sc = Scenario::new("pidfile");
    run_with_refused_restore(
        &sc,
        r#"
start_target target.log bash -c "$BASH_LOOP"
fact pid "$PID"
wait_until 10 "5 lines of output" has_lines out.txt 5
mkdir img
dump_and_reap img out.txt

echo "not crust's" >taken.pid
refused_restore taken --pidfile "$DIR/taken.pid"
fact taken_after "$(<taken.pid)"
ln -s "$DIR/nowhere" dangling.pid
refused_restore dangling --pidfile "$DIR/dangling.pid"
[[ ! -e nowhere ]] || fact nowhere "$(<nowhere)"

restore restore img -d --pidfile "$DIR/restored.pid"
[[ -e /proc/$PID ]] || die "no process $PID right after restore -d returned"
fact pidfile "$(<restored.pid)"
n=$(line_count out.txt)
wait_until 10 "5 more lines from the restored loop" has_lines out.txt $((n + 5))
kill -9 "$PID"
"#,
    );
    check_refused(&sc, "taken", &["taken.pid"]);
    check_refused(&sc, "dangling", &["dangling.pid"]);
    let taken = sc.fact("taken_after");
    sc.ensure(
        taken == "not crust's",
        format!("the failed restore rewrote the existing pidfile: {taken:?}"),
    );
    if let Some(written) = sc.facts().get("nowhere") {
        sc.fail(format!(
            "the failed restore wrote {written:?} through the dangling symlink"
        ));
    }
    let pid = sc.fact("pid");
    sc.ensure(
        sc.fact("pidfile").trim() == pid,
        format!("--pidfile holds {:?}, not {pid}", sc.fact("pidfile")),
    );
    // A refused restore that had let the loop run would show as a repeat.
    sc.counter("out.txt", sc.fact_num("lines_at_dump"), 5);
}

/// `dump -s` leaves every task stopped by SIGSTOP (State T), not traced,
/// with the output standing still; SIGCONT resumes it with no step lost.
#[test]
fn leave_stopped() {
    let sc = Scenario::new("leave-stopped");
    sc.run(
        r#"
start_target target.log bash -c "$BASH_LOOP"
fact pid "$PID"
wait_until 10 "5 lines of output" has_lines out.txt 5
mkdir img
dump dump "$PID" img -s
[[ -e /proc/$PID ]] || die "dump -s killed $PID"
# crust queues SIGSTOP before it lets go of each task, which then stops at
# once: wait for that (a task that never stops times the wait out).
is_stopped() { [[ $(status_field "$1" State 2>/dev/null) == [TZ] ]]; }
tree_stopped() {
	local p
	for p in /proc/[0-9]*; do
		[[ $p == /proc/1 ]] || is_stopped "${p#/proc/}" || [[ ! -e $p ]] || return 1
	done
}
wait_until 5 "every task of $PID's tree to be stopped" tree_stopped
n=$(line_count out.txt)
fact lines_stopped "$n"
tree_report tree-after-dump
# A stopped loop cannot write: this wait only gives a running one the time
# to show itself (it writes every 0.1 s).
sleep 0.5
fact lines_still "$(line_count out.txt)"
fact state_still "$(status_field "$PID" State)"
kill -CONT -- "-$PID"
wait_until 10 "5 more lines after SIGCONT" has_lines out.txt $((n + 5))
tree_report tree-after-cont
"#,
    );
    let pid = sc.fact("pid");
    let tree = sc.read("tree-after-dump");
    let mut root_seen = false;
    for line in tree.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        root_seen |= w.first() == Some(&pid.as_str());
        // Zombies (a `sleep` that ended before the dump) cannot stop.
        let ok = matches!(w.as_slice(), [_, "T" | "Z", "0"]);
        sc.ensure(
            ok,
            format!("after dump -s, {line:?} is not \"pid T 0\" (stopped, untraced)"),
        );
    }
    sc.ensure(
        root_seen,
        "the tree report after dump -s lacks the dumped process",
    );
    let stopped = sc.fact_num("lines_stopped");
    sc.ensure(
        sc.fact_num("lines_still") == stopped && sc.fact("state_still") == "T",
        format!(
            "the stopped loop went on: {stopped} lines, then {} (state {})",
            sc.fact("lines_still"),
            sc.fact("state_still")
        ),
    );
    if let Some(bad) = stopped_or_traced(&sc.read("tree-after-cont")) {
        sc.fail(format!("after SIGCONT: {bad}"));
    }
    sc.counter("out.txt", stopped, 5);
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}
