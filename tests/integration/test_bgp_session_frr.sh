#!/usr/bin/env bash
# The session layer (controlplane/bgp/session.c, through tests/tools/bgp_session_probe)
# against FRR bgpd: two namespaces joined by a veth pair, the probe in "a" (198.18.10.1,
# AS 65001), bgpd in "b" (198.18.10.2, AS 65002), keepalive 3 s / hold 9 s.
#   1-3  the session reaches Established on both sides and keepalives flow for 12 s
#   4    FRR's UPDATE (198.51.100.0/24) reaches the probe's update callback
#   5    the probe's RFC 8203 shutdown communication reaches FRR
#   6-7  TCP MD5 with different keys keeps it down (RFC 2385)
#   8    TCP MD5 with the same key brings it up
# Every namespace and process is removed by lib.sh's trap, also on failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
rh_init bgp_session_frr

probe=$RH_BUILD/tests/tools/bgp_session_probe
if [ ! -x "$probe" ] || [ ! -x /usr/lib/frr/bgpd ]; then
  for t in "established (FRR)" "established (probe)" "keepalives" "UPDATE from FRR delivered" \
    "shutdown communication" \
    "MD5 mismatch: probe down" "MD5 mismatch: FRR down" "MD5 match: established"; do
    rh_skip "$t" "bgp_session_probe or FRR bgpd not available"
  done
  rh_done
  exit $?
fi

rh_ns a || exit 1
rh_ns b || exit 1
rh_link a veth-a 198.18.10.1/24 b veth-b 198.18.10.2/24 || exit 1

# frr_conf PASSWORD: bgpd configuration, with a TCP MD5 key when PASSWORD is not empty.
frr_conf() {
  local conf=$RH_TMP/bgpd.conf
  {
    echo "frr defaults traditional"
    echo "hostname rh-frr-peer"
    echo "router bgp 65002"
    echo " bgp router-id 198.18.10.2"
    echo " no bgp ebgp-requires-policy"
    echo " bgp log-neighbor-changes"
    echo " neighbor 198.18.10.1 remote-as 65001"
    echo " neighbor 198.18.10.1 timers 3 9"
    echo " neighbor 198.18.10.1 timers connect 2"
    [ -n "$1" ] && echo " neighbor 198.18.10.1 password $1"
    echo " no bgp network import-check"
    echo " address-family ipv4 unicast"
    echo "  network 198.51.100.0/24"
    echo " exit-address-family"
    echo "!"
  } >"$conf"
  echo "$conf"
}

frr_state() {
  rh_vtysh b 'show bgp neighbors 198.18.10.1 json' 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["198.18.10.1"]["bgpState"])' 2>/dev/null
}
frr_established() { [ "$(frr_state)" = Established ]; }

# run_probe SECONDS EXPECT [PASSWORD]: the probe in the background; sets probe_pid.
run_probe() {
  local secs=$1 expect=$2 key=${3:-}
  local args=(--local 198.18.10.1 --remote 198.18.10.2 --local-as 65001 --remote-as 65002
    --router-id 198.18.10.1 --hold 9 --time "$secs" --expect "$expect" --min-keepalives 2)
  [ -n "$key" ] && args+=(--password "$key")
  probe_log=$RH_TMP/probe-$RANDOM.log
  rh_bg a "$probe_log" "$probe" "${args[@]}"
  probe_pid=$RH_LAST_PID
}

show_log() { sed -e 's/^# //' -e 's/^/# /' "$probe_log"; }

# wait_probe: the probe's exit status (it ends on its own after --time; bounded here too).
wait_probe() {
  local i
  for ((i = 0; i < 150; i++)); do
    kill -0 "$probe_pid" 2>/dev/null || break
    sleep 0.2
  done
  wait "$probe_pid"
}

# --- 1-5: plain session
rh_frr_start b "$(frr_conf '')" || { rh_not_ok "FRR bgpd starts"; rh_done; exit 1; }
frr_pid=${RH_PIDS[-1]}
run_probe 12 up
if rh_wait 20 frr_established; then
  rh_ok "established (FRR)"
else
  rh_not_ok "established (FRR): state $(frr_state)"
fi
wait_probe
rc=$?
show_log
rh_log "probe exit status $rc"
rh_check "established (probe)" grep -q '^# established after' "$probe_log"
rh_check "keepalives for 12 s, still Established" test "$rc" = 0
rh_check "UPDATE from FRR delivered" grep -Eq 'updates in [1-9]' "$probe_log"
if rh_wait 5 grep -q 'bgp_session_probe done' "$RH_TMP/frr-b.log"; then
  rh_ok "shutdown communication"
else
  rh_not_ok "shutdown communication not in FRR's log"
fi

# --- 6-8: TCP MD5. Restart bgpd with a key.
kill "$frr_pid" 2>/dev/null
for ((i = 0; i < 50; i++)); do kill -0 "$frr_pid" 2>/dev/null || break; sleep 0.1; done
rm -f "$RH_TMP/frr-b.pid"
rh_frr_start b "$(frr_conf 'rh-secret-1')" || { rh_not_ok "FRR bgpd restarts"; rh_done; exit 1; }

run_probe 10 down wrong-key
seen_up=0
for ((i = 0; i < 45; i++)); do
  frr_established && seen_up=1
  kill -0 "$probe_pid" 2>/dev/null || break
  sleep 0.2
done
wait_probe
rc=$?
show_log
rh_log "probe exit status $rc"
rh_check "MD5 mismatch: probe down" test "$rc" = 0
rh_check "MD5 mismatch: FRR down" test "$seen_up" = 0

run_probe 10 up rh-secret-1
wait_probe
rc=$?
show_log
rh_log "probe exit status $rc"
rh_check "MD5 match: established" test "$rc" = 0

rh_done
