#!/usr/bin/env bash
# Builds crust, then checkpoints a running program and brings it back:
# a bash loop that counts, dumped to images, killed, and restored with its pid,
# carrying on from the number it had reached. Run as root.
set -euo pipefail
cd "$(dirname "$0")"

echo "== building crust (release; the first build takes a minute or two)"
cargo build --release -p crust
crust="$PWD/target/release/crust"
work=$(mktemp -d /tmp/crust-demo.XXXXXX)

# The demo runs in its own pid namespace: the counter's pid is free again as soon
# as it is dumped and reaped, whatever else the machine is doing.
unshare --pid --fork --mount --mount-proc bash -s "$crust" "$work" <<'DEMO'
set -euo pipefail
crust=$1 work=$2
cd "$work"
# The counter gets only the three standard fds: whatever else the calling shell
# holds open (pipes of a terminal multiplexer, say) is not part of the demo.
(
  for fd in $(ls /proc/$BASHPID/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
  exec bash -c 'i=0; while :; do i=$((i+1)); echo "count $i"; sleep 0.2; done'
) </dev/null >counter.out 2>&1 &
pid=$!
sleep 1.5
echo "== pid $pid is counting:"; tail -n 3 counter.out

echo "== crust dump -t $pid -D images"
"$crust" dump -t "$pid" -D images -v4 -o dump.log
wait "$pid" 2>/dev/null || true
last=$(tail -n 1 counter.out)
echo "== dumped and killed at '$last'; images:"; ls images
sleep 1
echo "== one second later the output has not moved: $(tail -n 1 counter.out)"

echo "== crust restore -D images -d"
"$crust" restore -D images -d -v4 -o restore.log
sleep 1
echo "== pid $pid is back and counting on:"
grep -A 4 -x "$last" counter.out
ps -o pid,stat,cmd -p "$pid"
kill "$pid"
DEMO
echo "== images and logs kept in $work"
