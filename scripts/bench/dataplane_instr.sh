#!/usr/bin/env bash
# Instructions per forwarded packet of DPDK's l3fwd (LPM) and of routehub's worker, each in
# its own running forwarding loop (PMD receive and transmit included), counted by
# callgrind: unlike Mpps, the figure does not move with the machine's load. Same workload
# as dataplane.sh (net_pcap infinite_rx in, net_null out), without hugepages.
#   scripts/bench/dataplane_instr.sh [ROUTES]      default 16; WINDOW=20 seconds counted
# ONLY=routehub or ONLY=l3fwd measures one of the two.
# KEEP=DIR keeps the callgrind profiles there (callgrind_annotate DIR/cg.routehub.1).
# The 900,000-route table works too but takes long: l3fwd's rte_lpm_add() under valgrind.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${ROUTEHUB_BUILD:-$top/build}
n=${1:-16}
window=${WINDOW:-20}
work=$(mktemp -d /tmp/routehub-dpinstr.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$work"/cg.* "$KEEP"/ 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

command -v valgrind >/dev/null || { echo "dataplane_instr.sh: valgrind missing" >&2; exit 1; }
l3fwd=$(bash "$here/build_l3fwd.sh") || exit 1
python3 "$here/gen_workload.py" --routes "$n" --frames 65536 --out "$work/w"

# count WHAT PREFIX: l3fwd's port 1 transmitted packets, or routehub's forwarded ones
# (a few tries: under valgrind the telemetry socket comes up late).
count() {
  for _ in 1 2 3 4 5; do count1 "$2" "$1" && return 0; sleep 2; done
  return 1
}
count1() {
  python3 - "$1" "$2" 2>/dev/null <<'EOF'
import os
import sys
sys.path.insert(0, os.environ["HERE"])
from telemetry import query
prefix, what = sys.argv[1], sys.argv[2]
if what == "l3fwd":
    print(query(prefix, ["/ethdev/stats,1"])[0]["/ethdev/stats"]["opackets"])
else:
    print(query(prefix, ["/routehub/stats"])[0]["/routehub/stats"]["worker0_forwarded"])
EOF
}
export HERE=$here

# measure NAME PREFIX: zero the counts, wait, dump; prints instructions per packet.
measure() {
  local a b ir
  sleep 3
  a=$(count "$1" "$2") || return 1
  callgrind_control -z "$pid" >/dev/null 2>&1
  sleep "$window"
  b=$(count "$1" "$2") || return 1
  callgrind_control -d "$pid" >/dev/null 2>&1
  sleep 1
  kill "$pid"; wait "$pid" 2>/dev/null; pid=
  ir=$(callgrind_annotate "$work/cg.$1.1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  # The packets of the counted instructions themselves: net_pcap's receive calls in the
  # profile, 32 packets each (infinite_rx fills every burst). The telemetry counts (read
  # around the window, through a process slowed by valgrind) differ from them by up to 5 %
  # and not by the same for both forwarders.
  rx=$(callgrind_annotate --tree=caller --inclusive=yes "$work/cg.$1.1" 2>/dev/null | python3 -c '
import re, sys
calls, prev = 0, []
for line in sys.stdin:
    if "*" in line and "librte_net_pcap" in line:
        calls = max(calls, sum(int(m.replace(",", "")) for p in prev
                               for m in re.findall(r"\(([0-9,]+)x\)", p)))
    prev = prev + [line] if line.lstrip().split(" ")[1:2] and "<" in line else []
print(calls * 32)')
  awk -v n="$1" -v r="$n" -v i="$ir" -v p=$((b - a)) -v x="$rx" \
    'BEGIN { printf "%-9s %8s routes: %6.1f instructions/packet (%d packets received in the profile; %.1f per packet forwarded by the telemetry count of %d)\n", n, r, (x > 0 ? i / x : 0), x, i / p, p }'
}

if [ "${ONLY:-l3fwd}" = l3fwd ]; then
  awk '{print "R" $1 " 1"}' "$work/w.routes" >"$work/l3fwd4"
  echo "R2001:db8::/32 1" >"$work/l3fwd6"
  valgrind --tool=callgrind --fair-sched=yes --callgrind-out-file="$work/cg.l3fwd" --toggle-collect=lpm_main_loop \
    "$l3fwd" -l 1 -n 1 --no-pci --no-huge -m 1500 --file-prefix=rhinstr_l3 \
    --vdev "net_pcap0,rx_pcap=$work/w.pcap,infinite_rx=1" --vdev net_null0,no-rx=1 \
    -- -p 0x3 -P --config="(0,0,1),(1,0,1)" --lookup=lpm --rule_ipv4="$work/l3fwd4" \
    --rule_ipv6="$work/l3fwd6" --parse-ptype --rx-queue-size 32768 >"$work/l3fwd.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    grep -q "entering main loop" "$work/l3fwd.log" && break
    kill -0 "$pid" 2>/dev/null || { echo "l3fwd did not start"; tail "$work/l3fwd.log"; exit 1; }
    sleep 0.2
  done
  measure l3fwd rhinstr_l3 || { echo "l3fwd: no figure"; tail "$work/l3fwd.log"; exit 1; }
fi
[ "${ONLY:-}" = l3fwd ] && exit 0

# The worker thread would starve the main lcore (the FIB channel) under valgrind's
# one-thread-at-a-time scheduling without --fair-sched.
sed -e "s|/tmp/routehub-bench.pcap|$work/w.pcap|g; s|/run/routehub/bench/|$work/|" \
  -e "s|\"eal-args\": \"[^\"]*\"|\"eal-args\": \"--file-prefix=rhinstr_rh --no-pci --no-huge -m 3000\"|" \
  "$top/configs/bench-dataplane.json" >"$work/rh.json"
awk '{print $1 " via 198.19.1.2"}' "$work/w.routes" >"$work/w.fib"
valgrind --tool=callgrind --fair-sched=yes --callgrind-out-file="$work/cg.routehub" \
  --toggle-collect=dp_worker_main "$build/dataplane/routehub-dataplane" -c "$work/rh.json" \
  >"$work/rh.log" 2>&1 &
pid=$!
for _ in $(seq 1 1500); do
  [ -S "$work/fib.sock" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "routehub-dataplane did not start"; grep -v "^==" "$work/rh.log" | tail -20; exit 1; }
  sleep 0.2
done
"$build/tests/tools/fibctl" --max-nh 4096 "$work/fib.sock" sync-file "$work/w.fib" || exit 1
measure routehub rhinstr_rh || { echo "routehub: no figure"; tail "$work/rh.log"; exit 1; }
