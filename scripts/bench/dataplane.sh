#!/usr/bin/env bash
# Dataplane benchmark: routehub-dataplane and DPDK's l3fwd (its anchor) forwarding the same
# 64-byte IPv4 frames (net_pcap infinite_rx in, net_null out), one forwarding lcore each,
# with (a) 16 routes and (b) an internet-like table of 900,000 prefixes. Prints Mpps and
# cycles per packet for each and the ratio; for routehub also the routes per second
# programmed over the FIB channel, and the packets lost while the whole table is
# programmed again under traffic.
#   scripts/bench/dataplane.sh [ROUTES ...]      default: 16 900000
#   STARTS=5 ROUNDS=11 SECONDS_PER_RUN=0.5        paired windows (below)
# Both forwarders are started and programmed, then take turns on the same lcore, one
# stopped (SIGSTOP) while the other runs a window (paired_rate.py: A B, then B A, ...):
# ROUNDS pairs of windows. A shared host's noise (other VMs on the same cores) moves from
# second to second by up to 2x; within a pair of short windows side by side it is about the
# same for both. And one start of a process differs from the next by up to 10 % (two starts
# of the same binary, dataplane_ab.sh: 0.98-1.11; where its hugepages and mbufs land), so
# both are started STARTS times: the ratio printed is the median of the starts' medians.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${ROUTEHUB_BUILD:-$top/build}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(16 900000)
window=${SECONDS_PER_RUN:-0.5}
rounds=${ROUNDS:-11}
starts=${STARTS:-5}
[ -x "$build/dataplane/routehub-dataplane" ] || { echo "dataplane.sh: build first" >&2; exit 1; }
. "$here/dp_lib.sh"
# Hugepages: 1,024 x 2 MB (bench-notes: --no-huge halves the large-table figures).
dp_setup dataplane.sh 1024
l3fwd=$(bash "$here/build_l3fwd.sh") || exit 1

tsc_hz=$(awk -F: '/cpu MHz/ {printf "%d", $2 * 1e6; exit}' /proc/cpuinfo)

wait_file() { for _ in $(seq 1 300); do [ -e "$1" ] && return 0; sleep 0.2; done; return 1; }

printf '%-10s %8s %8s %10s %10s\n' forwarder routes Mpps cycles/pkt note
for n in "${sizes[@]}"; do
  python3 "$here/gen_workload.py" --routes "$n" --frames 65536 --out "$work/w$n"
  awk '{print "R" $1 " 1"}' "$work/w$n.routes" >"$work/w$n.l3fwd4"
  echo "R2001:db8::/32 1" >"$work/w.l3fwd6"
  awk '{print $1 " via 198.19.1.2"}' "$work/w$n.routes" >"$work/w$n.fib"
  starts_out=()
  for s in $(seq 1 "$starts"); do
    # --- l3fwd, LPM mode: started, then stopped until its turn
    "$l3fwd" -l 1 -n 1 --no-pci --file-prefix="rhl3$s" \
      --vdev "net_pcap0,rx_pcap=$work/w$n.pcap,infinite_rx=1" --vdev net_null0,no-rx=1 \
      -- -p 0x3 -P --config="(0,0,1),(1,0,1)" --lookup=lpm --rule_ipv4="$work/w$n.l3fwd4" \
      --rule_ipv6="$work/w.l3fwd6" --parse-ptype --rx-queue-size 32768 >"$work/l3fwd.log" 2>&1 &
    l3pid=$!
    pids+=("$l3pid")
    # rte_lpm_add() takes ~45 s for 900k routes on an idle machine (bench-notes): wait long.
    for _ in $(seq 1 3000); do grep -q "entering main loop" "$work/l3fwd.log" && break; sleep 0.2; done
    kill -STOP "$l3pid"

    # --- routehub, a file prefix of its own (the telemetry socket is found by it)
    rm -f "$work/fib.sock"
    sed -e "s|/tmp/routehub-bench.pcap|$work/w$n.pcap|g; s|/run/routehub/bench/|$work/|" \
      -e "s|\"eal-args\": \"|\"eal-args\": \"--file-prefix=rhbench$s |" \
      "$top/configs/bench-dataplane.json" >"$work/rh.json"
    "$build/dataplane/routehub-dataplane" -c "$work/rh.json" >"$work/rh.log" 2>&1 &
    rhpid=$!
    pids+=("$rhpid")
    wait_file "$work/fib.sock" || { echo "routehub-dataplane did not start"; tail "$work/rh.log"; exit 1; }
    t0=$(date +%s.%N)
    "$build/tests/tools/fibctl" --max-nh 4096 "$work/fib.sock" sync-file "$work/w$n.fib" || exit 1
    t1=$(date +%s.%N)
    if [ "$s" = 1 ]; then
      rps=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2fM routes/s", n / (b - a) / 1e6 }')
      sleep 1
      # The whole table again under traffic: nothing may be lost (replace in place).
      loss=$(python3 "$here/telemetry_rate.py" "rhbench$s" drops-during \
        "$build/tests/tools/fibctl --max-nh 4096 $work/fib.sock sync-file $work/w$n.fib")
    fi

    # --- paired windows on lcore 1, one forwarder stopped while the other runs
    { read -r rh_line; read -r l3_line; } < <(python3 "$here/paired_rate.py" "$rounds" \
      "$window" "$rhpid" "rhbench$s" 1 "$l3pid" "rhl3$s" 1)
    starts_out+=("$rh_line|$l3_line")
    kill -CONT "$l3pid"
    kill "$rhpid" "$l3pid"
    wait "$rhpid" "$l3pid" 2>/dev/null
  done
  read -r l3 rh ratio spread pooled < <(python3 - "${starts_out[@]}" <<'PY'
import statistics
import sys
rh_all, l3_all, per_start, pairs = [], [], [], []
for s in sys.argv[1:]:
    rh, l3 = ([float(x) for x in part.split()] for part in s.split("|"))
    r = [a / b for a, b in zip(rh, l3) if b > 0] or [0.0]
    rh_all += rh
    l3_all += l3
    pairs += r
    per_start.append(statistics.median(r))
print("%.2f %.2f %.2f %.2f-%.2f %.2f" % (statistics.median(l3_all), statistics.median(rh_all),
                                         statistics.median(per_start), min(per_start),
                                         max(per_start), statistics.median(pairs)))
PY
  )
  printf '%-10s %8s %8s %10s\n' l3fwd "$n" "$l3" "$(awk -v h="$tsc_hz" -v r="$l3" 'BEGIN { if (r > 0) printf "%.1f", h / (r * 1e6); else print "-" }')"
  printf '%-10s %8s %8s %10s  %s, %s lost during a resync under traffic\n' routehub "$n" "$rh" \
    "$(awk -v h="$tsc_hz" -v r="$rh" 'BEGIN { if (r > 0) printf "%.1f", h / (r * 1e6); else print "-" }')" \
    "$rps" "$loss"
  echo "routehub / l3fwd at $n routes: $ratio (median of $starts starts' medians, each of $rounds paired windows; starts $spread; all pairs $pooled)"
  for so in "${starts_out[@]}"; do
    echo "  routehub Mpps: ${so%%|*}"
    echo "  l3fwd Mpps:    ${so##*|}"
  done
done
