#!/usr/bin/env bash
# Benchmark: crust dump and restore of a process holding N MiB of anonymous
# memory, next to this machine's own limits for the same work, measured in the
# same run so the figures can be compared as ratios. See bench/README.md.
#
# Usage: bench/memory.sh [--disk] [--runs R] [MIB]
#   MIB      memory the process touches, in MiB (default 1024)
#   --disk   images on ext4 under /var/tmp instead of tmpfs (/dev/shm)
#   --runs   runs of each crust command (default 3; the baselines run
#            max(R, 5) times)
# Environment: CRUST=path of the crust binary (default target/release/crust).

set -euo pipefail
export LC_ALL=C # EPOCHREALTIME and printf must use '.' as decimal separator

SELF=$(readlink -f "${BASH_SOURCE[0]}")
BENCH_DIR=$(dirname "$SELF")
REPO=$(dirname "$BENCH_DIR")

# Every wait has a deadline, so a hung dump or restore fails the run instead
# of hanging the benchmark.
READY_DEADLINE_S=120 # for the toucher to fill its memory
CHECK_DEADLINE_S=60  # for the restored toucher to verify its memory
RUN_DEADLINE_S=300   # for one whole dump+restore run (plus 1 s per 10 MiB)

# CRIU 4.2 on this machine, copied from ../shared/TERRAIN.md (wall seconds of
# the whole command, a few runs): what, target, MiB, lowest, highest.
CRIU_REFERENCE=(
	"dump tmpfs 1024 0.69 0.89"
	"restore tmpfs 1024 0.70 0.80"
	"dump disk 1024 3.4 3.7"
	"dump disk 4096 14.6 14.6"
	"restore disk 4096 5.9 8.4"
)
CRIU_LIMITS="memcpy 8-9 GB/s; dd into tmpfs 2.1 GB/s; dd into ext4 0.5-1.1 GB/s"

die() {
	echo "memory.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '6,12s/^# \{0,1\}//p' "$SELF"
	exit "${1:-0}"
}

# ---------------------------------------------------------------- arithmetic

# min and median of the numbers given as arguments.
min_of() { printf '%s\n' "$@" | sort -g | head -n1; }
median_of() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# calc EXPR: floating-point arithmetic, printed with %.3f.
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
# Seconds elapsed since START (an $EPOCHREALTIME value).
since() { calc "$EPOCHREALTIME - $1"; }

# ------------------------------------------------------------ the setup

parse_args() {
	MIB=1024
	TARGET=tmpfs
	RUNS=3
	while (($#)); do
		case $1 in
		--disk) TARGET=disk ;;
		--runs)
			RUNS=${2:-}
			shift
			;;
		-h | --help) usage 0 ;;
		-*) usage 2 >&2 ;;
		*) MIB=$1 ;;
		esac
		shift
	done
	[[ $MIB =~ ^[1-9][0-9]*$ ]] || die "size must be a whole number of MiB, not '$MIB'"
	[[ $RUNS =~ ^[1-9][0-9]?$ ]] || die "--runs must be 1-99, not '$RUNS'"
	# The baselines are cheap and, in this VM, noisier than crust's runs
	# (fresh memory is faulted in from the host): give them more runs.
	LIMIT_RUNS=$((RUNS > 5 ? RUNS : 5))
	PAGES=$((MIB * 256))
	BYTES=$((MIB * 1024 * 1024))
}

check_prerequisites() {
	CRUST=${CRUST:-$REPO/target/release/crust}
	[[ $EUID -eq 0 ]] || die "must run as root (crust needs ptrace and clone3 with set_tid)"
	[[ -x $CRUST ]] || die "no crust binary at $CRUST; build it: cargo build --release -p crust"
	local tool
	for tool in cc unshare dd awk timeout; do
		command -v "$tool" >/dev/null || die "$tool is not installed"
	done
}

# Helper binary and per-run files go to a temp dir; images and the dd file go
# to the target dir, on the file system being measured.
make_dirs() {
	WORK=$(mktemp -d /tmp/crust-bench.XXXXXX)
	if [[ $TARGET == disk ]]; then
		DEST=$(mktemp -d /var/tmp/crust-bench.XXXXXX)
	else
		DEST=$(mktemp -d /dev/shm/crust-bench.XXXXXX)
	fi
	trap 'rm -rf "$WORK" "$DEST"' EXIT

	# Images hold the process's memory and, with the dd file, need MIB MiB
	# each at most at a time; refuse early rather than fail half-way.
	local free_mib
	free_mib=$(df -Pm "$DEST" | awk 'NR == 2 { print $4 }')
	((free_mib > MIB * 2 + 256)) || die "$DEST has $free_mib MiB free, need about $((MIB * 2)) MiB"
}

build_helper() {
	TOUCH="$WORK/touch"
	cc -O2 -Wall -o "$TOUCH" "$BENCH_DIR/touch.c" || die "cannot compile $BENCH_DIR/touch.c"
}

# Writes back dirty pages left by the previous step, untimed, so that each
# timed command pays only for its own writes.
settle() { sync; }

# ------------------------------------------------------ the machine's limits

# (a) dd write throughput into the target dir: the floor for writing images.
measure_dd() {
	local run start
	DD_S=()
	for ((run = 1; run <= LIMIT_RUNS; run++)); do
		rm -f "$DEST/x"
		settle
		start=$EPOCHREALTIME
		dd if=/dev/zero of="$DEST/x" bs=1M count="$MIB" status=none || die "dd into $DEST failed"
		DD_S+=("$(since "$start")")
	done
}

# (b) mmap + MADV_POPULATE_WRITE + pread of an N MiB file from the target dir:
# the floor for a restore, which must allocate the memory and fill it from the
# images. Reads the file the last dd wrote (in the page cache, as crust's
# images are when restore runs right after dump).
measure_fill() {
	local run out
	FILL_S=() POPULATE_S=() PREAD_S=()
	for ((run = 1; run <= LIMIT_RUNS; run++)); do
		settle
		out=$("$TOUCH" fill "$MIB" "$DEST/x") || die "the fill baseline failed"
		read -r total populate pread <<<"$out"
		FILL_S+=("$total") POPULATE_S+=("$populate") PREAD_S+=("$pread")
	done
	rm -f "$DEST/x"
}

# (c) memcpy of warm memory: how fast memory moves when nothing else is in the
# way. 512 MiB buffers (or N if smaller) are far beyond the caches.
measure_memcpy() {
	local size=$((MIB < 512 ? MIB : 512))
	MEMCPY_GBS=$("$TOUCH" memcpy "$size") || die "the memcpy baseline failed"
	MEMCPY_S=$(calc "$BYTES / ($MEMCPY_GBS * 1e9)")
}

# ----------------------------------------------------------- crust's runs

# One dump+restore, run as pid 1 of a fresh pid namespace (see run_crust).
# Arguments: MIB RUN_DIR IMAGES_DIR CRUST TOUCH. Writes RUN_DIR/result.env.
one_run() {
	local mib=$1 run_dir=$2 images=$3 crust=$4 touch=$5
	local pid start dump_s restore_s status rss_kib check

	fail() {
		echo "run failed: $*" >&2
		exit 1
	}
	# Polls for FILE for at most SECONDS.
	wait_for_file() {
		local file=$1 seconds=$2 i
		for ((i = 0; i < seconds * 20; i++)); do
			[[ -s $file ]] && return 0
			sleep 0.05
		done
		return 1
	}

	# The toucher is our child, so `wait` can reap it after the dump frees
	# its pid; its stdio is /dev/null because crust does not dump pipes.
	"$touch" hold "$mib" "$run_dir" </dev/null >/dev/null 2>&1 &
	wait_for_file "$run_dir/ready" "$READY_DEADLINE_S" || fail "toucher not ready after ${READY_DEADLINE_S}s"
	pid=$(<"$run_dir/ready")
	[[ $pid == "$!" ]] || fail "toucher reports pid $pid, bash started $!"

	start=$EPOCHREALTIME
	"$crust" dump -t "$pid" -D "$images" -o "$run_dir/dump.log" -v4 || fail "crust dump exited $?"
	dump_s=$(since "$start")

	# The dump killed the toucher; reaping it here frees its pid at once.
	wait "$pid" 2>/dev/null || true
	[[ ! -e /proc/$pid ]] || fail "pid $pid still exists after the dump"

	start=$EPOCHREALTIME
	"$crust" restore -D "$images" -d -o "$run_dir/restore.log" -v4 || fail "crust restore exited $?"
	restore_s=$(since "$start")

	# The restored process must be running (not a zombie) with its memory in.
	status=$(<"/proc/$pid/status") || fail "restored pid $pid does not exist"
	grep -Eq '^State:\s+[RS]' <<<"$status" || fail "restored pid $pid: $(grep State <<<"$status")"
	rss_kib=$(awk '/^VmRSS:/ { print $2 }' <<<"$status")

	# Ask it to check every page against the pattern it wrote before the dump.
	kill -USR1 "$pid"
	wait_for_file "$run_dir/result" "$CHECK_DEADLINE_S" || fail "no memory check result from pid $pid"
	[[ -e /proc/$pid ]] || fail "restored pid $pid died while checking its memory"
	check=$(<"$run_dir/result")
	kill -KILL "$pid"

	# Sourced by run_crust outside the namespace; %q keeps spaces intact.
	printf 'dump_s=%q restore_s=%q rss_kib=%q check=%q\n' \
		"$dump_s" "$restore_s" "$rss_kib" "$check" >"$run_dir/result.env"
}

# Runs one_run in a new pid namespace: the toucher's pid is never reused by
# anything else, the namespace's init (our bash) reaps it, and when the run
# ends or times out everything in it is killed with the namespace.
run_crust() {
	local run=$1 run_dir="$WORK/run$1" images="$DEST/images$1"
	local deadline=$((RUN_DEADLINE_S + MIB / 10))
	mkdir -p "$run_dir" "$images"
	settle

	if ! timeout "$deadline" unshare --pid --kill-child --mount-proc \
		bash "$SELF" --one-run "$MIB" "$run_dir" "$images" "$CRUST" "$TOUCH"; then
		show_logs "$run_dir"
		die "run $run failed (deadline ${deadline}s); see the lines above"
	fi

	# Figures from the result file and crust's logs, before the images go.
	local dump_s restore_s rss_kib check
	source "$run_dir/result.env"
	[[ $check == OK ]] || die "run $run: restored memory is wrong: $check"
	local min_rss=$((MIB * 1024 * 95 / 100)) max_rss=$((MIB * 1024 + 64 * 1024))
	((rss_kib >= min_rss && rss_kib <= max_rss)) ||
		die "run $run: restored VmRSS is $rss_kib kB, expected about $((MIB * 1024)) kB"

	DUMP_S+=("$dump_s") RESTORE_S+=("$restore_s") RSS_KIB+=("$rss_kib")
	IMAGE_MIB+=("$(du -sm "$images" | cut -f1)")
	DUMP_PAGES+=("$(log_field "$run_dir/dump.log" 'finished: \K[0-9]+(?= pages written)')")
	DUMP_OWN_S+=("$(log_field "$run_dir/dump.log" 'pages written in \K[0-9.]+')")
	RESTORE_PAGES+=("$(log_field "$run_dir/restore.log" 'restored: \K[0-9]+(?= pages in)')")
	RESTORE_OWN_S+=("$(log_field "$run_dir/restore.log" 'pages in \K[0-9.]+(?= s)')")
	rm -rf "$images"
}

# Prints the first match of a Perl regex in a log, or "?" if there is none.
log_field() { grep -m1 -oP "$2" "$1" || echo "?"; }

show_logs() {
	local log
	for log in "$1"/dump.log "$1"/restore.log; do
		[[ -s $log ]] || continue
		echo "--- last lines of $log" >&2
		tail -n 20 "$log" >&2
	done
}

measure_crust() {
	DUMP_S=() RESTORE_S=() RSS_KIB=() IMAGE_MIB=()
	DUMP_PAGES=() DUMP_OWN_S=() RESTORE_PAGES=() RESTORE_OWN_S=()
	local run
	for ((run = 1; run <= RUNS; run++)); do
		run_crust "$run"
	done
}

# --------------------------------------------------------------- the report

# "X GB/s" for moving BYTES in SECONDS.
rate() { calc "$BYTES / $1 / 1e9"; }

print_header() {
	echo "crust memory benchmark: $MIB MiB of anonymous memory, images on $TARGET ($DEST)"
	echo "  $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
	echo "  crust: $CRUST ($(date -r "$CRUST" '+built %F %T'), source $(source_version))"
	echo "  load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work skews the figures)"
	echo "  $RUNS runs of each crust command, $LIMIT_RUNS of each machine-limit baseline;"
	echo "  times are wall seconds of the whole command"
	echo
}

# The commit the source is at, and whether it has uncommitted changes (the
# binary may not match either: it is whatever was built last). Read-only git.
source_version() {
	local commit
	commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null) || { echo "not a git checkout"; return; }
	if git -C "$REPO" --no-optional-locks diff-index --quiet HEAD -- 2>/dev/null; then
		echo "commit $commit"
	else
		echo "commit $commit + uncommitted changes"
	fi
}

# Row: label, then the values of one figure: min, median, and what it means.
print_timed() {
	local label=$1 note=$2
	shift 2
	printf '  %-36s min %7.3f s   median %7.3f s   %s\n' "$label" "$(min_of "$@")" "$(median_of "$@")" "$note"
}

print_limits() {
	echo "Machine limits, measured now ($LIMIT_RUNS runs)"
	print_timed "(a) dd write, $MIB MiB -> $TARGET" "= $(rate "$(median_of "${DD_S[@]}")") GB/s (median)" "${DD_S[@]}"
	print_timed "(b) fill floor, mmap+populate+pread" \
		"= populate $(calc "$(median_of "${POPULATE_S[@]}")") s + pread $(calc "$(median_of "${PREAD_S[@]}")") s" "${FILL_S[@]}"
	printf '  %-36s %s GB/s = %s s for %s MiB\n' "(c) memcpy, warm memory" "$MEMCPY_GBS" "$MEMCPY_S" "$MIB"
	echo
}

print_crust() {
	local arrow=tmpfs
	[[ $TARGET == disk ]] && arrow=ext4
	echo "crust ($RUNS runs)"
	print_timed "dump $MIB MiB -> $arrow" "crust's own timer: median $(median_of "${DUMP_OWN_S[@]}") s" "${DUMP_S[@]}"
	print_timed "restore $MIB MiB <- $arrow" "crust's own timer: median $(median_of "${RESTORE_OWN_S[@]}") s" "${RESTORE_S[@]}"
	echo "  pages written by dump:    ${DUMP_PAGES[*]} (the $MIB MiB area alone is $PAGES)"
	echo "  pages restored:           ${RESTORE_PAGES[*]}"
	echo "  image dir size, MiB:      ${IMAGE_MIB[*]}"
	echo "  restored VmRSS, kB:       ${RSS_KIB[*]} (memory content checked page by page: OK)"
	echo
}

# One ratio row: label, the name of crust's array of times, then the
# machine limit's times.
print_ratio() {
	local label=$1
	local -n mine=$2
	shift 2
	printf '  %-36s %6.2fx %13.2fx\n' "$label" \
		"$(calc "$(min_of "${mine[@]}") / $(min_of "$@")")" \
		"$(calc "$(median_of "${mine[@]}") / $(median_of "$@")")"
}

print_ratios() {
	echo "Ratios, crust time / machine limit time (1.00 = as fast as the machine allows)"
	printf '  %-36s %7s %14s\n' "" "min/min" "median/median"
	print_ratio "dump / (a) dd write" DUMP_S "${DD_S[@]}"
	print_ratio "dump / (c) memcpy" DUMP_S "$MEMCPY_S"
	print_ratio "restore / (b) fill floor" RESTORE_S "${FILL_S[@]}"
	print_ratio "restore / (c) memcpy" RESTORE_S "$MEMCPY_S"
	echo
}

# CRIU's figures were measured in another hour, so they are shown with that
# hour's machine limits; only rows matching this run's size and target get a
# crust/CRIU ratio, and that ratio is only as good as the two hours are alike.
print_criu() {
	local row what target mib low high mine ratio
	echo "CRIU 4.2 reference on this machine (TERRAIN.md, another hour)"
	for row in "${CRIU_REFERENCE[@]}"; do
		read -r what target mib low high <<<"$row"
		ratio=""
		if [[ $target == "$TARGET" && $mib == "$MIB" ]]; then
			if [[ $what == dump ]]; then mine=$(median_of "${DUMP_S[@]}"); else mine=$(median_of "${RESTORE_S[@]}"); fi
			ratio="$(calc "$mine / $high")-$(calc "$mine / $low")"
			[[ $low == "$high" ]] && ratio=$(calc "$mine / $low")
			ratio="<- this run: crust median $mine s = ${ratio}x CRIU"
		fi
		local range="$low-$high s" place=tmpfs
		[[ $low == "$high" ]] && range="$low s"
		[[ $target == disk ]] && place=ext4
		printf '  %-36s %-13s %s\n' "$what $((mib / 1024)) GiB $([[ $what == dump ]] && echo into || echo from) $place" \
			"$range" "$ratio" | sed 's/ *$//'
	done
	echo "  machine limits that hour: $CRIU_LIMITS"
	printf '  machine limits now:       memcpy %s GB/s; dd into %s %s GB/s\n' \
		"$MEMCPY_GBS" "$([[ $TARGET == disk ]] && echo ext4 || echo tmpfs)" "$(rate "$(median_of "${DD_S[@]}")")"
}

# ---------------------------------------------------------------------- main

main() {
	parse_args "$@"
	check_prerequisites
	make_dirs
	build_helper
	print_header

	measure_dd
	measure_fill
	measure_memcpy
	print_limits

	measure_crust
	print_crust
	print_ratios
	print_criu
}

if [[ ${1:-} == --one-run ]]; then
	shift
	one_run "$@"
else
	main "$@"
fi
