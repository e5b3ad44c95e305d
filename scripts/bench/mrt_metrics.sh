#!/usr/bin/env bash
# Cost of the operations that walk a whole table on the control plane's event loop: an MRT
# dump (`routehubctl dump mrt`) and a scrape of the metrics endpoint (which counts the
# effective routes), with N prefixes from one feeder (tests/tools/bgpblast, realistic AS
# paths and communities). Prints the wall-clock seconds of each, the dump's size, and
# bgpdump's count of its entries.
#
#   scripts/bench/mrt_metrics.sh [N]      default 1000000
#
# Namespaces: feed 198.18.20.1 (AS 65001) -- dut 198.18.20.2 (routehub, configs/bench-bgp.json
# with the metrics endpoint on 127.0.0.1:9420). Everything is removed on exit.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/integration/lib.sh"

n=${1:-1000000}
build=${ROUTEHUB_BUILD:-$top/build}
blast=$build/tests/tools/bgpblast
[ -x "$blast" ] || { echo "mrt_metrics.sh: build first ($blast missing)" >&2; exit 1; }

rh_init mrtbench
rh_ns feed; rh_ns dut; rh_ns coll
rh_link feed f0 198.18.20.1/24 dut d0 198.18.20.2/24
rh_link dut d1 198.18.21.2/24 coll c0 198.18.21.1/24
sed "s|/run/routehub/bench-bgp/|$RH_TMP/|" "$top/configs/bench-bgp.json" |
  jq '.["routehub:routehub"]["control-plane"].metrics = {"port": 9420}' >"$RH_TMP/routehub.json"
rh_bg dut "$RH_TMP/routehub.log" "$build/controlplane/routehub-controlplane" -c "$RH_TMP/routehub.json"
rh_wait 10 test -S "$RH_TMP/controlplane.sock" || { echo "control plane did not start" >&2; exit 1; }
rh_bg feed "$RH_TMP/feed.log" "$blast" feed --local 198.18.20.1 --local-as 65001 \
  --peer 198.18.20.2 --peer-as 65000 --prefixes "$n" --seed 1 --hold-open 600
ctl() { "$build/cli/routehubctl" --cp-socket "$RH_TMP/controlplane.sock" "$@"; }
received() {
  [ "$(ctl --json show bgp summary | jq '[.. | objects | select(has("bgp-neighbor")) |
    .["bgp-neighbor"][] | select(.address == "198.18.20.1") | .["prefixes-received"]] | add')" = "$n" ]
}
rh_wait 600 received || { echo "the feeder's $n prefixes did not arrive in 600 s" >&2; exit 1; }

t0=$(date +%s.%N)
ctl dump mrt "$RH_TMP/rib.mrt"
t1=$(date +%s.%N)
rh_exec dut curl -s -o "$RH_TMP/metrics.txt" http://127.0.0.1:9420/metrics
t2=$(date +%s.%N)
entries=$(bgpdump -m "$RH_TMP/rib.mrt" 2>/dev/null | wc -l)
printf 'prefixes %s\nmrt dump: %.2f s, %s bytes, %s entries (bgpdump -m)\nmetrics scrape: %.2f s, %s bytes\n' \
  "$n" "$(echo "$t1 - $t0" | bc)" "$(stat -c %s "$RH_TMP/rib.mrt")" "$entries" \
  "$(echo "$t2 - $t1" | bc)" "$(stat -c %s "$RH_TMP/metrics.txt")"
grep '^routehub_effective_routes' "$RH_TMP/metrics.txt"
