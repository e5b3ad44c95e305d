#!/usr/bin/env bash
# Graceful restart, the hub as receiving speaker (RFC 4724 4.2), with real FRR bgpd:
#   nva1  FRR AS 65001 at 198.18.2.4, `bgp graceful-restart` with preserved forwarding
#         state (F bit), restart time 60: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
#   nva2  FRR AS 65002 at 198.18.3.4, no graceful restart configured (FRR's helper mode
#         lists no family): 198.51.100.128/25; it also watches what the hub sends it.
# 1. nva1's bgpd is killed with SIGKILL (no NOTIFICATION): the hub keeps its routes,
#    stale, in the effective routes and in what nva2 holds; show bgp summary says
#    "restarting" with the stale count.
# 2. bgpd comes back without 203.0.113.0/24 (and with a 5 s restart time): after its
#    End-of-RIB 203.0.113.0/24 is withdrawn, the other two stay in nva2 without any new
#    UPDATE (same last-update time in nva2's table).
# 3. A reboot of nva1 (no FIN, no RST): the hub learns of the restart from the new OPEN
#    while its old sessions still look Established, closes them and keeps the routes.
# 4. bgpd killed again, then `routehubctl clear bgp neighbor`: its stale routes go at once.
# 5. bgpd killed again and kept away: its routes go when the 5 s restart time runs out.
# 6. nva2's bgpd killed (no graceful restart): its route goes at once.
# Checks are `eval`ed strings (single-quoted on purpose).
# shellcheck disable=SC2016
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/hub_lib.sh
. "$here/hub_lib.sh"
rh_init bgp_gr

if ! hub_have_tools; then
  rh_skip "graceful restart" "routehub build, FRR bgpd, BIRD or jq not available"
  rh_done
  exit $?
fi

hub_topo_base || exit 1
hub_topo_nva nva1 1 || exit 1
hub_topo_nva nva2 2 || exit 1
hub_cfg lab-sdwan-er.json "$RH_TMP/hub.json" '
  del(.["expressroute-gateway"]) | del(.["vpn-gateway"])
| .["route-server"]["nva-peer"] = [
    {"address": "198.18.2.4", "asn": 65001, "multihop": 2},
    {"address": "198.18.3.4", "asn": 65002, "multihop": 2}]'

# nva1_conf FILE RESTART-TIME NETWORKS...: an NVA with graceful restart (restarting
# mode, forwarding state preserved: F bit). The outbound policy comes before the router
# block: defined after it, FRR filters its routes until its route-map timer runs, and
# sends its End-of-RIB before them, which would make the hub sweep them as it should.
nva1_conf() {
  local f=$1 t=$2 n rs
  shift 2
  {
    echo "frr defaults traditional"
    [ -n "${GR_DEBUG:-}" ] && printf 'debug bgp updates\ndebug bgp graceful-restart\n'
    echo "bgp as-path access-list OWN seq 5 permit ^\$"
    echo "route-map OUT permit 100"
    echo " match as-path OWN"
    echo "!"
    echo "router bgp 65001"
    echo " bgp router-id 198.18.2.4"
    echo " bgp graceful-restart"
    echo " bgp graceful-restart preserve-fw-state"
    echo " bgp graceful-restart restart-time $t"
    echo " no bgp ebgp-requires-policy"
    echo " no bgp network import-check"
    echo " bgp log-neighbor-changes"
    for rs in 198.18.1.4 198.18.1.5; do
      echo " neighbor $rs remote-as 65515"
      echo " neighbor $rs ebgp-multihop 2"
      echo " neighbor $rs update-source 198.18.2.4"
      echo " neighbor $rs timers connect 3"
    done
    echo " address-family ipv4 unicast"
    for n in "$@"; do echo "  network $n"; done
    echo "  neighbor 198.18.1.4 route-map OUT out"
    echo "  neighbor 198.18.1.5 route-map OUT out"
    echo " exit-address-family"
    echo "!"
  } >"$f"
}
nva1_conf "$RH_TMP/nva1.conf" 60 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24
nva1_conf "$RH_TMP/nva1-back.conf" 5 192.0.2.0/24 198.51.100.0/24
frr_nva_conf "$RH_TMP/nva2.conf" 198.18.3.4 65002 "" "" 198.51.100.128/25
[ -n "${GR_DEBUG:-}" ] && sed -i '1i debug bgp updates' "$RH_TMP/nva2.conf"

# bgpd_restart NS CONF: a new bgpd in NS (the old one is gone: its files go first).
bgpd_restart() {
  rm -f "$RH_TMP/frr-$1.pid" "/var/run/frr/$(rh_nsname "$1")/bgpd.vty"
  rh_frr_start "$1" "$2"
}
# bgpd_kill NS: SIGKILL to the bgpd this test started in NS, and waits for it to be gone.
bgpd_kill() {
  local pid
  pid=$(cat "$RH_TMP/frr-$1.pid") || return 1
  kill -9 "$pid" || return 1
  rh_wait 5 sh -c "! kill -0 $pid 2>/dev/null"
}

hub_start "$RH_TMP/hub.json" || { rh_not_ok "control plane starts"; rh_done; exit 1; }
rh_frr_start nva1 "$RH_TMP/nva1.conf" || { rh_not_ok "nva1 bgpd starts"; rh_done; exit 1; }
rh_frr_start nva2 "$RH_TMP/nva2.conf" || { rh_not_ok "nva2 bgpd starts"; rh_done; exit 1; }

# summary ADDR FIELD: FIELD of the hub's first session with ADDR ("null" when absent).
summary() {
  hub_ctl --json show bgp summary | jq -r --arg a "$1" --arg f "$2" \
    '[.. | objects | select(has("bgp-neighbor")) | .["bgp-neighbor"][] | select(.address == $a)][0][$f]'
}
# stale_routes PREFIX: the hub's effective-route entries of PREFIX marked stale and active.
stale_active() {
  hub_eff "$1" | jq -s -e 'any(.[]; .stale == true and .active == true)' >/dev/null
}
# nva2_updated PREFIX: when nva2's paths to PREFIX (one from each route server
# instance) were last updated, "peer:epoch" sorted.
nva2_updated() {
  rh_vtysh nva2 "show bgp ipv4 unicast $1 json" |
    jq -r '[.paths[]? | "\(.peer.peerId):\(.lastUpdate.epoch)"] | sort | join(" ")'
}
# same_age "peer:epoch..." "peer:epoch...": the same paths, each last updated at the same
# time, give or take 1 s (FRR derives the epoch from its monotonic clock at each query).
same_age() {
  local a b i
  read -r -a a <<<"$1"
  read -r -a b <<<"$2"
  [ "${#a[@]}" -ge 2 ] && [ "${#a[@]}" = "${#b[@]}" ] || return 1
  for i in "${!a[@]}"; do
    [ "${a[$i]%%:*}" = "${b[$i]%%:*}" ] || return 1
    [ $((${a[$i]##*:} - ${b[$i]##*:})) -le 1 ] && [ $((${b[$i]##*:} - ${a[$i]##*:})) -le 1 ] || return 1
  done
}
hub_gone() { ! hub_eff_any_active "$1"; }
hub_has() { hub_eff_any_active "$1"; }

rh_check "the hub's four sessions are established" rh_wait 40 hub_all_established
rh_check "nva2 holds nva1's three prefixes" rh_wait 20 eval \
  'frr_has nva2 192.0.2.0/24 && frr_has nva2 198.51.100.0/24 && frr_has nva2 203.0.113.0/24'
# The route's age in nva2 must come from before the restart: let a second pass.
sleep 2
t_keep=$(nva2_updated 192.0.2.0/24)
t_keep2=$(nva2_updated 198.51.100.0/24)
rh_log "nva2's paths last updated at $t_keep (192.0.2.0/24), $t_keep2 (198.51.100.0/24)"

# 1. No NOTIFICATION: routes kept, stale.
rh_check "nva1's bgpd killed with SIGKILL" bgpd_kill nva1
rh_check "the hub sees nva1's sessions drop" rh_wait 10 eval '[ "$(summary 198.18.2.4 session-state)" != established ]'
gr_state=$(summary 198.18.2.4 graceful-restart)
rh_log "show bgp summary for nva1: graceful-restart \"$gr_state\", prefixes-stale $(summary 198.18.2.4 prefixes-stale)"
rh_check "show bgp summary: nva1 restarting, 3 stale prefixes" eval \
  '[[ "$gr_state" == "restarting, "*" s left" ]] && [ "$(summary 198.18.2.4 prefixes-stale)" = 3 ]'
hub_ctl show bgp summary | sed 's/^/# /'
rh_check "effective routes: nva1's prefixes still active, marked stale" eval \
  'stale_active 192.0.2.0/24 && stale_active 198.51.100.0/24 && stale_active 203.0.113.0/24'
hub_ctl show effective-routes | grep -E "^prefix|192.0.2.0/24" | sed 's/^/# /'
sleep 3
rh_check "nva2 still holds the three prefixes 3 s after the kill" eval \
  'frr_has nva2 192.0.2.0/24 && frr_has nva2 198.51.100.0/24 && frr_has nva2 203.0.113.0/24'

# 2. Back, without 203.0.113.0/24.
rh_check "nva1's bgpd back, without 203.0.113.0/24" bgpd_restart nva1 "$RH_TMP/nva1-back.conf"
rh_check "the hub's four sessions are established again" rh_wait 40 hub_all_established
rh_check "203.0.113.0/24 withdrawn: from the effective routes and from nva2" rh_wait 20 eval \
  'hub_gone 203.0.113.0/24 && frr_lacks nva2 203.0.113.0/24'
rh_check "the hub withdrew it at nva1's End-of-RIB (its log, both sessions)" eval \
  '[ "$(grep -c "graceful restart: End-of-RIB for IPv4, 1 stale routes removed" "$RH_TMP/cp-1.log")" = 2 ]'
grep "graceful restart" "$RH_TMP/cp-1.log" | sed 's/^/# /'
rh_check "192.0.2.0/24 and 198.51.100.0/24 stay, no longer stale" eval \
  'hub_has 192.0.2.0/24 && hub_has 198.51.100.0/24 && ! stale_active 192.0.2.0/24 && [ "$(summary 198.18.2.4 graceful-restart)" = null ]'
t_after=$(nva2_updated 192.0.2.0/24)
t_after2=$(nva2_updated 198.51.100.0/24)
rh_log "nva2's paths last updated at $t_after (192.0.2.0/24), $t_after2 (198.51.100.0/24)"
rh_check "nva2: no withdraw/re-announce of the prefixes that stayed (same last update)" eval \
  'same_age "$t_keep" "$t_after" && same_age "$t_keep2" "$t_after2"'

# 3. A reboot: nothing reaches the hub (no FIN, no RST) until bgpd's new connection.
# nva1's link goes down, its bgpd is killed, its dead sockets are destroyed (their FIN or
# RST lost on the down link), the link comes back and a new bgpd connects: the hub still
# has the old sessions Established and learns of the restart from the new OPEN.
t_keep=$(nva2_updated 192.0.2.0/24)
link_up() {
  rh_exec nva1 ip link set n-hub up &&
    rh_exec nva1 ip route replace 198.18.1.0/27 via 198.18.2.1
}
rh_exec nva1 ip link set n-hub down
rh_check "nva1 reboots: link down, bgpd killed" bgpd_kill nva1
rh_exec nva1 ss -K -tn dst 198.18.1.0/27 >/dev/null 2>&1
if [ -z "$(rh_exec nva1 ss -Htn dst 198.18.1.0/27)" ]; then
  rh_check "nva1's dead sockets destroyed without a word, link up" link_up
  rh_check "the hub still has nva1's sessions Established" eval '[ "$(summary 198.18.2.4 session-state)" = established ]'
  rh_check "nva1's new bgpd starts" bgpd_restart nva1 "$RH_TMP/nva1-back.conf"
  rh_check "the hub closes the old sessions at the new OPEN and keeps the routes (its log)" rh_wait 20 eval \
    '[ "$(grep -c "the peer restarted: new connection announcing graceful restart" "$RH_TMP/cp-1.log")" -ge 2 ] &&
     [ "$(grep -c "graceful restart: 2 routes kept stale" "$RH_TMP/cp-1.log")" -ge 2 ]'
  rh_check "the hub's four sessions are established again" rh_wait 40 eval \
    'hub_all_established && [ "$(summary 198.18.2.4 graceful-restart)" = null ]'
  t_after=$(nva2_updated 192.0.2.0/24)
  rh_log "nva2's paths to 192.0.2.0/24 last updated at $t_keep before the reboot, $t_after after"
  rh_check "nva2: 192.0.2.0/24 kept throughout, no withdraw/re-announce" eval \
    'same_age "$t_keep" "$t_after"'
else
  rh_skip "reboot detected by the new OPEN" "ss -K cannot destroy sockets here (kernel without CONFIG_INET_DIAG_DESTROY)"
  link_up
  bgpd_restart nva1 "$RH_TMP/nva1-back.conf"
  rh_check "the hub's four sessions are established again" rh_wait 40 hub_all_established
fi

# 4. The operator clears a restarting peer: graceful restart ends, its routes go now.
rh_check "nva1's bgpd killed: routes kept stale" eval \
  'bgpd_kill nva1 && rh_wait 10 stale_active 192.0.2.0/24'
hub_ctl clear bgp neighbor 198.18.2.4 >/dev/null
rh_check "clear bgp neighbor: its stale routes removed at once" rh_wait 2 eval \
  'hub_gone 192.0.2.0/24 && hub_gone 198.51.100.0/24 && [ "$(summary 198.18.2.4 graceful-restart)" = null ]'
rh_check "nva1's bgpd back: sessions and routes too" eval \
  'bgpd_restart nva1 "$RH_TMP/nva1-back.conf" && rh_wait 40 hub_all_established && rh_wait 20 hub_has 192.0.2.0/24'

# 5. Killed again and kept away: gone when its restart time (5 s now) runs out.
t0=$(date +%s%N)
rh_check "nva1's bgpd killed again" bgpd_kill nva1
rh_check "the hub sees nva1's sessions drop" rh_wait 10 eval '[ "$(summary 198.18.2.4 session-state)" != established ]'
rh_check "2 s after: nva1's routes still there (stale)" eval 'sleep 2; stale_active 192.0.2.0/24 && frr_has nva2 192.0.2.0/24'
if rh_wait 15 eval 'hub_gone 192.0.2.0/24 && hub_gone 198.51.100.0/24'; then
  ms=$((($(date +%s%N) - t0) / 1000000))
  rh_log "nva1's routes removed $ms ms after the kill (restart time 5 s)"
  rh_check "restart time passed: nva1's routes removed after 5 s ($ms ms), not before 4 s" test "$ms" -ge 4000 -a "$ms" -le 9000
else
  rh_not_ok "restart time passed: nva1's routes removed"
fi
rh_check "and withdrawn from nva2" rh_wait 10 eval 'frr_lacks nva2 192.0.2.0/24 && frr_lacks nva2 198.51.100.0/24'

# 6. A peer without graceful restart: its routes go with its session.
rh_check "nva2's own 198.51.100.128/25 is in the hub's effective routes" hub_has 198.51.100.128/25
nva2_pid=$(cat "$RH_TMP/frr-nva2.pid")
t0=$(date +%s%N)
kill -9 "$nva2_pid"
if rh_wait 10 hub_gone 198.51.100.128/25; then
  ms=$((($(date +%s%N) - t0) / 1000000))
  rh_check "no graceful restart: nva2's route removed at once ($ms ms after SIGKILL)" test "$ms" -lt 2000
else
  rh_not_ok "no graceful restart: nva2's route removed"
fi
rh_check "nva2's bgpd gone" rh_wait 5 sh -c "! kill -0 $nva2_pid 2>/dev/null"
rh_check "show bgp summary: nva2 not restarting" eval '[ "$(summary 198.18.3.4 graceful-restart)" = null ]'
rh_check "control plane still running" kill -0 "$HUB_PID"
rh_done
