# Sourced at the top of every scenario script (see support::Scenario::run).
#
# The script runs as pid 1 of its own pid and mount namespace with its own
# /proc, so pids are small, never reused while it runs, and every orphan is
# reparented to (and reaped by) this shell. When it exits, the kernel kills
# whatever is left in the namespace.
#
# Environment: $CRUST is the binary under test, $DIR the scenario's private
# temp dir (also the cwd), $PROGRAMS the test programs' sources.
#
# Conventions: `fact KEY VALUE` records what the Rust side checks afterwards;
# `die` fails the scenario; every wait is a bounded poll, never a fixed sleep.

set -eEuo pipefail
cd "$DIR"

log() { printf '[%s] %s\n' "$(date +%T.%3N)" "$*" >&2; }

# on_err STATUS COMMAND: says which command failed, with the chain of
# function calls and the scenario's own line that led to it.
on_err() {
	local i trace="" line
	for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
		trace+=" <- ${FUNCNAME[$i]} (line ${BASH_LINENO[$((i - 1))]})"
	done
	line=$(sed -n "${BASH_LINENO[$((${#FUNCNAME[@]} - 2))]}p" "$0")
	log "exit status $1 from '$2'$trace: ${line#"${line%%[![:space:]]*}"}"
}
trap 'on_err $? "$BASH_COMMAND"' ERR

# Close the fds the test harness leaked to us (cargo's jobserver pipe, ...),
# so that targets (and crust) start with only stdin, stdout and stderr. The
# fd bash reads this script from is kept.
for fd in /proc/$$/fd/*; do
	fd=${fd##*/}
	if ((fd > 2)) && [[ ! /proc/$$/fd/$fd -ef $0 ]]; then
		eval "exec $fd>&-" 2>/dev/null || true
	fi
done
unset fd

die() {
	log "FAIL: $*"
	exit 1
}

fact() {
	printf '%s=%s\n' "$1" "$2" >>"$DIR/facts"
	log "fact $1=$2"
}

# poll SECONDS CMD...: runs CMD every 20 ms until it succeeds (status 0) or
# SECONDS have passed (status 1).
poll() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.02
	done
}

# wait_until SECONDS WHAT CMD...: like poll, but a timeout fails the scenario.
wait_until() {
	local secs=$1 what=$2
	shift 2
	poll "$secs" "$@" || die "timed out after ${secs}s waiting for $what"
}

line_count() {
	if [[ -f $1 ]]; then wc -l <"$1"; else echo 0; fi
}

# has_lines FILE N: FILE has at least N complete lines.
has_lines() { (($(line_count "$1") >= $2)); }

# stat_field PID N: field N of /proc/PID/stat counting from the one after the
# command name (0 state, 1 ppid, 2 pgrp, 3 session).
stat_field() {
	local stat
	stat=$(<"/proc/$1/stat") || return 1
	local -a fields
	read -r -a fields <<<"${stat##*) }"
	echo "${fields[$2]}"
}

# status_field PID NAME: the first word of the NAME: line of /proc/PID/status.
status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

is_session_leader() { [[ $(stat_field "$1" 3 2>/dev/null) == "$1" ]]; }

# start_target OUTFILE CMD...: starts CMD in the background as the leader of
# a new session (so the dumped tree owns its session and process group, as a
# dump without --shell-job needs), stdin from /dev/null, stdout and stderr to
# OUTFILE. Sets PID.
start_target() {
	local out=$1
	shift
	setsid "$@" </dev/null >"$out" 2>&1 &
	PID=$!
	wait_until 10 "pid $PID to become a session leader" is_session_leader "$PID"
	log "target pid $PID: $*"
}

# The bash loop of several scenarios: one line per step, numbered from 1.
BASH_LOOP='i=0; while :; do i=$((i+1)); echo $i >> out.txt; sleep 0.1; done'

# crust NAME ARGS...: runs the binary under test with a deadline, keeping its
# stdout and stderr in NAME.stdout and NAME.stderr for the Rust side and
# echoing stderr into the transcript. Returns crust's exit status.
crust() {
	local name=$1 rc=0
	shift
	log "crust $* ($name)"
	timeout -k 5 "${CRUST_DEADLINE:-60}" "$CRUST" "$@" \
		>"$DIR/$name.stdout" 2>"$DIR/$name.stderr" || rc=$?
	sed "s/^/    $name stderr: /" "$DIR/$name.stderr" >&2
	log "crust ($name) exited with status $rc"
	return "$rc"
}

# dump NAME PID IMGDIR [ARGS...]: dump with a full log in IMGDIR/NAME.log.
dump() {
	local name=$1 pid=$2 img=$3
	shift 3
	crust "$name" dump -t "$pid" -D "$img" -v4 -o "$name.log" "$@"
}

# restore NAME IMGDIR [ARGS...]: restore with a full log in IMGDIR/NAME.log.
restore() {
	local name=$1 img=$2
	shift 2
	crust "$name" restore -D "$img" -v4 -o "$name.log" "$@"
}

# reap PID: waits until PID, which a dump without -R must have killed, is
# dead and reaped (this shell reaps its children, and orphans, as they die).
# Bounded, unlike `wait`, so a dump that failed to kill fails the scenario.
reap() {
	if ! poll 10 gone "$1"; then
		ps -eo pid,ppid,stat,wchan:20,args >&2
		die "pid $1 still exists 10s after the dump that should have killed it"
	fi
}

gone() { [[ ! -e /proc/$1 ]]; }

# dump_and_reap IMGDIR COUNTFILE: dumps $PID (which kills it) into IMGDIR,
# records the facts pid and lines_at_dump (the lines COUNTFILE had then), and
# returns once the whole dumped tree is dead and reaped, ready for a restore.
dump_and_reap() {
	dump dump "$PID" "$1"
	fact pid "$PID"
	fact lines_at_dump "$(line_count "$2")"
	reap "$PID"
	wait_alone
}

# alone: this shell is the only process left in the namespace. Restoring
# needs the dumped pids free, so the whole dumped tree must be dead and reaped.
alone() {
	local p
	for p in /proc/[0-9]*; do
		[[ $p == /proc/1 ]] || return 1
	done
}

wait_alone() {
	if ! poll 10 alone; then
		ps -eo pid,ppid,stat,wchan:20,args >&2
		die "processes still alive 10s after the dump should have killed them"
	fi
}

# tree_report FILE: one "pid state tracerpid" line for every process but
# this shell, for checks that nothing was left stopped or traced. A process
# that ends while being looked at gets a line with its pid only.
tree_report() {
	local p pid status
	: >"$1"
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[[ $pid == 1 ]] && continue
		# One read of the status file, so both fields are of one moment.
		if status=$(cat "$p/status" 2>/dev/null) && [[ -n $status ]]; then
			awk -v pid="$pid" '$1 == "State:" { s = $2 } $1 == "TracerPid:" { t = $2 }
				END { print pid, s, t }' <<<"$status" >>"$1"
		else
			echo "$pid" >>"$1"
		fi
	done
	sed 's/^/    tree: /' "$1" >&2
}

# kill_all_but_me: SIGKILL every process of the namespace but this shell,
# after showing them in the transcript.
kill_all_but_me() {
	local p
	ps -eo pid,ppid,stat,wchan:20,args >&2
	for p in /proc/[0-9]*; do
		[[ $p == /proc/1 ]] || kill -9 "${p#/proc/}" 2>/dev/null || true
	done
}
