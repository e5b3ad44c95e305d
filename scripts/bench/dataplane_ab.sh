#!/usr/bin/env bash
# Two builds of routehub-dataplane on the same workload as dataplane.sh (64-byte IPv4 frames,
# net_pcap infinite_rx in, net_null out, one worker lcore), in paired alternating windows on
# the same lcore (paired_rate.py): whether a change of the worker moves Mpps, when the
# host's noise is larger than the change. Prints B/A.
#   scripts/bench/dataplane_ab.sh BUILD_A BUILD_B [ROUTES]     default 16 routes
#   ROUNDS=41 SECONDS_PER_RUN=0.5
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: dataplane_ab.sh BUILD_A BUILD_B [ROUTES]" >&2; exit 2; }
ba=$1 bb=$2 n=${3:-16}
window=${SECONDS_PER_RUN:-0.5}
rounds=${ROUNDS:-41}
for b in "$ba" "$bb"; do
  [ -x "$b/dataplane/routehub-dataplane" ] || { echo "dataplane_ab.sh: $b not built" >&2; exit 1; }
done
. "$here/dp_lib.sh"
dp_setup dataplane_ab.sh 2048 # two dataplanes of a 2M-route FIB each: 2,048 x 2 MB
python3 "$here/gen_workload.py" --routes "$n" --frames 65536 --out "$work/w"
awk '{print $1 " via 198.19.1.2"}' "$work/w.routes" >"$work/w.fib"

# start NAME BUILD: a dataplane of its own (file prefix, sockets), programmed, then stopped.
start() {
  mkdir -p "$work/$1"
  sed -e "s|/tmp/routehub-bench.pcap|$work/w.pcap|g; s|/run/routehub/bench/|$work/$1/|" \
    -e "s|\"eal-args\": \"|\"eal-args\": \"--file-prefix=rhab$1 |" \
    "$top/configs/bench-dataplane.json" >"$work/$1.json"
  "$2/dataplane/routehub-dataplane" -c "$work/$1.json" >"$work/$1.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do [ -S "$work/$1/fib.sock" ] && break; sleep 0.2; done
  [ -S "$work/$1/fib.sock" ] || { echo "$1 did not start"; tail "$work/$1.log"; exit 1; }
  "$2/tests/tools/fibctl" --max-nh 4096 "$work/$1/fib.sock" sync-file "$work/w.fib" >/dev/null || exit 1
  kill -STOP "$pid"
  eval "pid_$1=$pid"
}
start a "$ba"
start b "$bb"
{ read -r -a ra; read -r -a rb; } < <(python3 "$here/paired_rate.py" "$rounds" "$window" \
  "$pid_a" rhaba 1 "$pid_b" rhabb 1)
python3 - "${#ra[@]}" "${ra[@]}" "${rb[@]}" <<'PY'
import statistics
import sys
k = int(sys.argv[1])
a = [float(x) for x in sys.argv[2:2 + k]]
b = [float(x) for x in sys.argv[2 + k:]]
r = sorted(y / x for x, y in zip(a, b) if x > 0)
q = len(r) // 4
print("A median %.2f Mpps, B median %.2f Mpps; B/A %.3f (median of %d pairs, middle half %.3f-%.3f)"
      % (statistics.median(a), statistics.median(b), statistics.median(r), len(r), r[q], r[-q - 1]))
PY
