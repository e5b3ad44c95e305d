#!/usr/bin/env bash
# BGP propagation benchmark: a feeder advertises N IPv4 prefixes (realistic variety of AS
# paths and communities) to the device under test, which re-advertises them to a
# collector, route-server style (AS path and next hop unchanged). For each device, in one
# run on the same feeder and collector: seconds from the feeder's first UPDATE until the
# collector holds all N, the device's peak RSS and its CPU seconds. The feeder-to-collector
# ceiling (no device) is measured too, so the feeder is never the bottleneck.
#
#   scripts/bench/bgp.sh [N ...]         default: 100000 1000000
#   DUTS="routehub bird frr gobgp openbgpd" to choose the devices
#
# Namespaces: feeder 198.18.20.1 (AS 65001) -- dut 198.18.20.2 / 198.18.21.2 (AS 65000)
# -- collector 198.18.21.1 (AS 65002). Everything is removed on exit.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/integration/lib.sh"

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
duts=${DUTS:-"routehub bird frr gobgp openbgpd"}
blast="${ROUTEHUB_BUILD:-$top/build}/tests/tools/bgpblast"
[ -x "$blast" ] || { echo "bgp.sh: build first ($blast missing)" >&2; exit 1; }

rh_init bgpbench
rh_ns feed; rh_ns dut; rh_ns coll
rh_link feed f0 198.18.20.1/24 dut d0 198.18.20.2/24
rh_link dut d1 198.18.21.2/24 coll c0 198.18.21.1/24

conf_bird() {
  cat >"$RH_TMP/bird.conf" <<EOF
router id 198.18.20.2;
protocol device {}
protocol bgp feeder {
  local 198.18.20.2 as 65000; neighbor 198.18.20.1 as 65001; rs client;
  ipv4 { import all; export none; };
}
protocol bgp collector {
  local 198.18.21.2 as 65000; neighbor 198.18.21.1 as 65002; rs client;
  ipv4 { import none; export all; };
}
EOF
}

conf_frr() {
  cat >"$RH_TMP/frr.conf" <<EOF
frr defaults traditional
router bgp 65000 view RS
 bgp router-id 198.18.20.2
 no bgp ebgp-requires-policy
 neighbor 198.18.20.1 remote-as 65001
 neighbor 198.18.21.1 remote-as 65002
 neighbor 198.18.20.1 advertisement-interval 0
 neighbor 198.18.21.1 advertisement-interval 0
 address-family ipv4 unicast
  neighbor 198.18.20.1 route-server-client
  neighbor 198.18.21.1 route-server-client
 exit-address-family
EOF
}

conf_gobgp() {
  cat >"$RH_TMP/gobgp.toml" <<EOF
[global.config]
  as = 65000
  router-id = "198.18.20.2"
  port = 179
  local-address-list = ["198.18.20.2", "198.18.21.2"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.20.1"
    peer-as = 65001
  [neighbors.route-server.config]
    route-server-client = true
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.21.1"
    peer-as = 65002
  [neighbors.route-server.config]
    route-server-client = true
EOF
}

conf_openbgpd() {
  mkdir -p /run/openbgpd
  cat >"$RH_TMP/openbgpd.conf" <<EOF
AS 65000
router-id 198.18.20.2
fib-update no
listen on 198.18.20.2
listen on 198.18.21.2
socket "$RH_TMP/openbgpd.sock"
transparent-as yes
neighbor 198.18.20.1 {
  remote-as 65001
  local-address 198.18.20.2
  set nexthop no-modify
}
neighbor 198.18.21.1 {
  remote-as 65002
  local-address 198.18.21.2
  set nexthop no-modify
}
allow from any
allow to any
EOF
  chmod 644 "$RH_TMP/openbgpd.conf"
}

conf_routehub() {
  # configs/bench-bgp.json: the route server with the feeder and the collector as NVA
  # peers, route limits lifted (R11 caps an NVA at 4,000 routes).
  sed "s|/run/routehub/bench-bgp/|$RH_TMP/|" "$top/configs/bench-bgp.json" >"$RH_TMP/routehub.json"
}

# start_dut NAME: starts the device in the dut namespace, sets DUT_PID.
start_dut() {
  case $1 in
    bird)
      conf_bird
      rh_bg dut "$RH_TMP/bird.log" bird -f -c "$RH_TMP/bird.conf" -s "$RH_TMP/bird.ctl" ;;
    frr)
      conf_frr
      rh_bg dut "$RH_TMP/frr.log" /usr/lib/frr/bgpd -Z -n -S -u root -g root \
        -N "$RH_ID-dut" -f "$RH_TMP/frr.conf" -i "$RH_TMP/frr.pid" --log stdout
      mkdir -p "/var/run/frr/$RH_ID-dut" ;;
    gobgp)
      conf_gobgp
      rh_bg dut "$RH_TMP/gobgp.log" gobgpd -f "$RH_TMP/gobgp.toml" --log-level=warn \
        --api-hosts=127.0.0.1:50051 ;;
    openbgpd)
      conf_openbgpd
      rh_bg dut "$RH_TMP/openbgpd.log" /usr/sbin/bgpd -d -f "$RH_TMP/openbgpd.conf" ;;
    routehub)
      conf_routehub
      rh_bg dut "$RH_TMP/routehub.log" "${ROUTEHUB_BUILD:-$top/build}/controlplane/routehub-controlplane" \
        --config "$RH_TMP/routehub.json" ;;
  esac
  DUT_PID=$RH_LAST_PID
}

# Peak RSS (kB) and CPU seconds of a process and its children (OpenBGPD and BIRD fork).
proc_tree() { echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"; }
rss_kb() {
  local sum=0 p
  for p in $(proc_tree "$1"); do
    sum=$((sum + $(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
cpu_s() {
  local tck sum=0 p
  tck=$(getconf CLK_TCK)
  for p in $(proc_tree "$1"); do
    sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  awk -v s="$sum" -v t="$tck" 'BEGIN { printf "%.2f", s / t }'
}

# run_one NAME N: prints "seconds rss_kb cpu_s" or "failed".
run_one() {
  local name=$1 n=$2 coll_pid feed_pid result
  local dst=198.18.21.2
  rm -f "$RH_TMP/result" "$RH_TMP/t0" "$RH_TMP/ready"
  [ "$name" = ceiling ] && dst=198.18.20.1
  if [ "$name" = ceiling ]; then
    # The collector peers with the feeder directly: the feeder listens this time.
    ip -n "$RH_ID-coll" route replace 198.18.20.0/24 via 198.18.21.2 2>/dev/null
    ip -n "$RH_ID-feed" route replace 198.18.21.0/24 via 198.18.20.2 2>/dev/null
    ip netns exec "$RH_ID-dut" sysctl -qw net.ipv4.ip_forward=1
  else
    start_dut "$name"
  fi
  rh_bg coll "$RH_TMP/coll-$name-$n.log" "$blast" collect --local 198.18.21.1 --local-as 65002 \
    --peer "$dst" --peer-as "$([ "$name" = ceiling ] && echo 65001 || echo 65000)" \
    --expect "$n" --timeout "${BENCH_TIMEOUT:-300}" --result "$RH_TMP/result" --t0-file "$RH_TMP/t0" --ready-file "$RH_TMP/ready"
  coll_pid=$RH_LAST_PID
  if [ "$name" = ceiling ]; then
    rh_bg feed "$RH_TMP/feed-$name-$n.log" "$blast" feed --local 198.18.20.1 --local-as 65001 \
      --listen --peer 198.18.21.1 --peer-as 65002 --prefixes "$n" --seed 1 --hold-open 400 --t0-file "$RH_TMP/t0" --ready-file "$RH_TMP/ready"
  else
    rh_bg feed "$RH_TMP/feed-$name-$n.log" "$blast" feed --local 198.18.20.1 --local-as 65001 \
      --peer 198.18.20.2 --peer-as 65000 --prefixes "$n" --seed 1 --hold-open 400 \
      --t0-file "$RH_TMP/t0" --ready-file "$RH_TMP/ready"
  fi
  feed_pid=$RH_LAST_PID
  # Bounded: the collector gives up after its own timeout.
  wait "$coll_pid" 2>/dev/null
  if [ -s "$RH_TMP/result" ]; then
    result="$(cat "$RH_TMP/result")"
    if [ "$name" != ceiling ]; then
      result="$result $(rss_kb "$DUT_PID") $(cpu_s "$DUT_PID")"
    else
      result="$result - -"
    fi
  else
    result="failed"
  fi
  kill "$feed_pid" 2>/dev/null
  [ "$name" != ceiling ] && kill "$DUT_PID" 2>/dev/null
  wait "$feed_pid" 2>/dev/null
  [ "$name" != ceiling ] && wait "$DUT_PID" 2>/dev/null
  sleep 1
  echo "$result"
}

printf '%-10s %10s %10s %12s %10s %10s\n' device prefixes seconds "peak RSS MB" "CPU s" "vs best"
for n in "${sizes[@]}"; do
  declare -A secs=()
  for d in ceiling $duts; do
    r=$(run_one "$d" "$n")
    if [ "$r" = failed ]; then
      printf '%-10s %10s %10s\n' "$d" "$n" failed
      continue
    fi
    read -r s rss cpu <<<"$r"
    secs[$d]=$s
    rss_mb=-
    [ "$rss" != - ] && rss_mb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
    printf '%-10s %10s %10s %12s %10s\n' "$d" "$n" "$s" "$rss_mb" "$cpu"
  done
  best=""
  for d in $duts; do
    [ "$d" = routehub ] && continue
    [ -n "${secs[$d]:-}" ] || continue
    if [ -z "$best" ] || awk -v a="${secs[$d]}" -v b="${secs[$best]}" 'BEGIN { exit !(a < b) }'; then
      best=$d
    fi
  done
  if [ -n "$best" ] && [ -n "${secs[routehub]:-}" ]; then
    awk -v a="${secs[routehub]}" -v b="${secs[$best]}" -v n="$best" \
      'BEGIN { printf "routehub / fastest anchor (%s): %.2fx the time\n", n, a / b }'
  fi
  unset secs
done
