#!/usr/bin/env bash
# The session layer (controlplane/bgp/session.c, through tests/tools/bgp_session_probe)
# against FRR bgpd: two namespaces joined by a veth pair, the probe in "a" (198.18.10.1 and
# 2001:db8:10::1, AS 65001), bgpd in "b" (198.18.10.2 and 2001:db8:10::2, AS 65002),
# keepalive 3 s / hold 9 s.
#   1-3   the session reaches Established on both sides and keepalives flow for 12 s
#   4     FRR's UPDATE (198.51.100.0/24) reaches the probe's update callback
#   5     the probe's RFC 8203 shutdown communication reaches FRR
#   6     the same over IPv6
#   7-8   TCP MD5 with different keys keeps it down (RFC 2385)
#   9     TCP MD5 with the same key brings it up
#   10-11 GTSM (RFC 5082) against FRR's ttl-security: up with it, never up on FRR's side
#         without
# Every namespace and process is removed by lib.sh's trap, also on failure; every wait is
# bounded.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
rh_init bgp_session_frr

names=("established (FRR)" "established (probe)" "keepalives for 12 s, still Established"
  "UPDATE from FRR delivered" "shutdown communication" "IPv6 session established"
  "MD5 mismatch: probe down" "MD5 mismatch: FRR down" "MD5 match: established"
  "GTSM on both sides: established" "GTSM on FRR only: FRR never Established")
probe=$RH_BUILD/tests/tools/bgp_session_probe
if [ ! -x "$probe" ] || [ ! -x /usr/lib/frr/bgpd ]; then
  for t in "${names[@]}"; do rh_skip "$t" "bgp_session_probe or FRR bgpd not available"; done
  rh_done
  exit $?
fi

rh_ns a || exit 1
rh_ns b || exit 1
rh_link a veth-a 198.18.10.1/24 b veth-b 198.18.10.2/24 || exit 1
rh_exec a ip addr add 2001:db8:10::1/64 dev veth-a nodad
rh_exec b ip addr add 2001:db8:10::2/64 dev veth-b nodad

# frr_conf PASSWORD GTSM: bgpd's configuration; a TCP MD5 key when PASSWORD is not empty,
# ttl-security when GTSM is 1.
frr_conf() {
  local conf=$RH_TMP/bgpd-$RANDOM.conf n
  {
    echo "frr defaults traditional"
    echo "hostname rh-frr-peer"
    echo "router bgp 65002"
    echo " bgp router-id 198.18.10.2"
    echo " no bgp ebgp-requires-policy"
    echo " no bgp network import-check"
    echo " bgp log-neighbor-changes"
    for n in 198.18.10.1 2001:db8:10::1; do
      echo " neighbor $n remote-as 65001"
      echo " neighbor $n timers 3 9"
      echo " neighbor $n timers connect 2"
      [ -n "$1" ] && echo " neighbor $n password $1"
      [ "$2" = 1 ] && echo " neighbor $n ttl-security hops 1"
    done
    echo " address-family ipv4 unicast"
    echo "  network 198.51.100.0/24"
    echo " exit-address-family"
    echo "!"
  } >"$conf"
  echo "$conf"
}

# frr_restart PASSWORD GTSM: (re)starts bgpd with that configuration.
frr_pid=
frr_restart() {
  local i
  if [ -n "$frr_pid" ]; then
    kill "$frr_pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do kill -0 "$frr_pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$RH_TMP/frr-b.pid"
  fi
  rh_frr_start b "$(frr_conf "$1" "$2")" || return 1
  frr_pid=${RH_PIDS[-1]}
}

frr_state() {
  rh_vtysh b "show bgp neighbors $1 json" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]]["bgpState"])' "$1" \
      2>/dev/null
}
frr_established() { [ "$(frr_state "$1")" = Established ]; }

# run_probe SECONDS EXPECT FAMILY [PROBE OPTIONS]: the probe in the background; sets
# probe_pid and probe_log.
run_probe() {
  local secs=$1 expect=$2 fam=$3
  shift 3
  local l=198.18.10.1 r=198.18.10.2
  [ "$fam" = 6 ] && { l=2001:db8:10::1; r=2001:db8:10::2; }
  probe_log=$RH_TMP/probe-$RANDOM.log
  rh_bg a "$probe_log" "$probe" --local "$l" --remote "$r" --local-as 65001 --remote-as 65002 \
    --router-id 198.18.10.1 --hold 9 --time "$secs" --expect "$expect" --min-keepalives 2 "$@"
  probe_pid=$RH_LAST_PID
}

show_log() { sed -e 's/^# //' -e 's/^/# /' "$probe_log"; }

# wait_probe: the probe's exit status (it ends on its own after --time; bounded here too).
wait_probe() {
  local i rc
  for ((i = 0; i < 150; i++)); do
    kill -0 "$probe_pid" 2>/dev/null || break
    sleep 0.2
  done
  wait "$probe_pid"
  rc=$?
  show_log
  rh_log "probe exit status $rc"
  return $rc
}

# --- 1-6: plain sessions, IPv4 then IPv6
frr_restart "" 0 || { rh_not_ok "FRR bgpd starts"; rh_done; exit 1; }
run_probe 12 up 4
if rh_wait 20 frr_established 198.18.10.1; then
  rh_ok "established (FRR)"
else
  rh_not_ok "established (FRR): state $(frr_state 198.18.10.1)"
fi
wait_probe
rc=$?
rh_check "established (probe)" grep -q '^# established after' "$probe_log"
rh_check "keepalives for 12 s, still Established" test "$rc" = 0
rh_check "UPDATE from FRR delivered" grep -Eq 'updates in [1-9]' "$probe_log"
rh_check "shutdown communication" rh_wait 5 grep -q 'bgp_session_probe done' "$RH_TMP/frr-b.log"

run_probe 8 up 6
wait_probe
rh_check "IPv6 session established" test $? = 0

# --- 7-9: TCP MD5
frr_restart rh-secret-1 0 || { rh_not_ok "FRR bgpd restarts"; rh_done; exit 1; }
run_probe 10 down 4 --password wrong-key
seen_up=0
for ((i = 0; i < 45; i++)); do
  frr_established 198.18.10.1 && seen_up=1
  kill -0 "$probe_pid" 2>/dev/null || break
  sleep 0.2
done
wait_probe
rh_check "MD5 mismatch: probe down" test $? = 0
rh_check "MD5 mismatch: FRR down" test "$seen_up" = 0
run_probe 8 up 4 --password rh-secret-1
wait_probe
rh_check "MD5 match: established" test $? = 0

# --- 10-11: GTSM
frr_restart "" 1 || { rh_not_ok "FRR bgpd restarts"; rh_done; exit 1; }
run_probe 8 up 4 --gtsm
wait_probe
rh_check "GTSM on both sides: established" test $? = 0
# Without GTSM the probe's segments leave with TTL 1 and FRR drops them. The probe's first
# OPEN may still get through, queued before FRR sets IP_MINTTL on the accepted socket, so
# only FRR's side is checked: it never sees a KEEPALIVE, never Established.
run_probe 10 down 4
seen_up=0
for ((i = 0; i < 45; i++)); do
  frr_established 198.18.10.1 && seen_up=1
  kill -0 "$probe_pid" 2>/dev/null || break
  sleep 0.2
done
wait_probe
rh_check "GTSM on FRR only: FRR never Established" test "$seen_up" = 0

rh_done
