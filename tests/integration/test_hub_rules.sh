#!/usr/bin/env bash
# The hub's rules R1-R17 (shared/hub-behaviour.md), one or more TAP lines each named after
# its rule, checked with real peers: what they receive (their CLIs, JSON where offered) and
# what `routehubctl show effective-routes --json` says.
#
# One hub with all three parts: route server (198.18.1.4/.5), ExpressRoute gateway
# (198.19.1.1), active-active VPN gateway (198.19.2.1/.2); route-limit 20 per NVA,
# ExpressRoute limits from-on-premises 6 and to-expressroute 9; no hold-time configured
# (R14 defaults).
#   nva1  FRR AS 65001 at 198.18.2.4 (also 198.18.2.5, its "next hop IP"), timers 100/300:
#         192.0.2.0/24 (ECMP with nva2), 198.18.0.0/15 (VNet supernet), 198.18.0.0/16 and
#         198.18.200.0/24 (equal to / inside the VNet space), 198.19.100.0/24 (65515
#         prepended), 198.19.101.0/24 (NO_ADVERTISE), 198.19.102.0/24 (next hop
#         198.18.2.5), 198.19.120.0/24 (AS path 1), 198.19.121.0/24 (AS path 3),
#         198.19.140.0/24 (AS path 3), 198.19.141.0/24 (AS path 1)
#   nva2  FRR AS 65002 at 198.18.3.4: 192.0.2.0/24
#   er    BIRD AS 65010 at 198.19.1.2: 198.51.100.0/24, 198.19.120.0/24 (AS path 3),
#         198.19.121.0/24 (AS path 1), 198.19.150.0/24 (NO_ADVERTISE)
#   er2   BIRD AS 65011 at 198.19.1.3 (a second circuit), without the route refresh
#         capability (R15): 198.19.130.0/24
#   vpn   BIRD AS 65020 at 198.19.2.10, one session to each VPN instance: 198.19.110.0/24,
#         198.19.140.0/24 (AS path 1), 198.19.141.0/24 (AS path 3)
# Then configurations refused by --check (R6, R10, R12) and a VPN gateway that is not
# active-active refusing branch-to-branch at runtime (R6).
# Checks are `eval`ed strings (single-quoted on purpose; the variables they read look unused).
# shellcheck disable=SC2016,SC2034
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/hub_lib.sh
. "$here/hub_lib.sh"
rh_init hub_rules

if ! hub_have_tools; then
  for r in R1 R2 R3 R4 R5 R6 R7 R8 R9 R10 R11 R12 R13 R14 R15 R16 R17; do
    rh_skip "$r" "routehub build, FRR bgpd, BIRD or jq not available"
  done
  rh_done
  exit $?
fi

# check NAME CMD...: one TAP line.
check() { rh_check "$@"; }
# wcheck NAME SECONDS CMD...: ok when CMD succeeds within SECONDS.
wcheck() {
  local name=$1 t=$2
  shift 2
  if rh_wait "$t" "$@"; then rh_ok "$name"; else rh_not_ok "$name"; fi
}
not() { ! "$@"; }

hub_topo_base || exit 1
hub_topo_nva nva1 1 || exit 1
hub_topo_nva nva2 2 || exit 1
rh_exec nva1 ip addr add 198.18.2.5/24 dev n-hub
hub_topo_er || exit 1
hub_topo_er2 || exit 1
hub_topo_vpn || exit 1

hub_cfg lab-sdwan-er.json "$RH_TMP/hub.json" '
  .["route-server"]["route-limit"] = 20
| .["route-server"]["nva-peer"] = [
    {"address": "198.18.2.4", "asn": 65001, "multihop": 2},
    {"address": "198.18.3.4", "asn": 65002, "multihop": 2}]
| .["expressroute-gateway"]["on-premises-peer"] += [{"address": "198.19.1.3", "asn": 65011}]
| .["expressroute-gateway"]["route-limits"] = {"from-on-premises": 6, "to-expressroute": 9}
| .["vpn-gateway"] = {"active-active": true, "instance-address": ["198.19.2.1", "198.19.2.2"],
    "on-premises-peer": [{"address": "198.19.2.10", "asn": 65020}],
    "local-network-prefix": ["203.0.113.0/24"]}'

nva1_rm='ip prefix-list P-R7 seq 5 permit 198.19.100.0/24
ip prefix-list P-R9 seq 5 permit 198.19.101.0/24
ip prefix-list P-R2 seq 5 permit 198.19.102.0/24
ip prefix-list P-LONG seq 5 permit 198.19.121.0/24
ip prefix-list P-LONG seq 10 permit 198.19.140.0/24
ip prefix-list P-ECMP seq 5 permit 192.0.2.0/24
route-map OUT permit 10
 match ip address prefix-list P-R7
 set as-path prepend 65515
route-map OUT permit 20
 match ip address prefix-list P-R9
 set community no-advertise
route-map OUT permit 30
 match ip address prefix-list P-R2
 set ip next-hop 198.18.2.5
 set community 65001:102
route-map OUT permit 40
 match ip address prefix-list P-LONG
 set as-path prepend 65001 65001
!'
frr_nva_conf "$RH_TMP/nva1.conf" 198.18.2.4 65001 \
  " neighbor 198.18.1.4 timers 100 300
 neighbor 198.18.1.5 timers 100 300" "" \
  192.0.2.0/24 198.18.0.0/15 198.18.0.0/16 198.18.200.0/24 198.19.100.0/24 198.19.101.0/24 \
  198.19.102.0/24 198.19.120.0/24 198.19.121.0/24 198.19.140.0/24 198.19.141.0/24
printf '%s\n' "$nva1_rm" >>"$RH_TMP/nva1.conf"
frr_nva_conf "$RH_TMP/nva2.conf" 198.18.3.4 65002 "" "" 192.0.2.0/24
ER_EXPORT='filter { if net = 198.19.120.0/24 then { bgp_path.prepend(65010); bgp_path.prepend(65010); }
    if net = 198.19.150.0/24 then bgp_community.add((65535, 65282));
    if source = RTS_STATIC then accept; reject; }'
BIRD_EXPORT=$ER_EXPORT bird_onprem_conf "$RH_TMP/er.conf" 198.19.1.2 65010 "hub 198.19.1.1 12076" -- \
  198.51.100.0/24 198.19.120.0/24 198.19.121.0/24 198.19.150.0/24
bird_onprem_conf "$RH_TMP/er2.conf" 198.19.1.3 65011 "hub 198.19.1.1 12076" -- 198.19.130.0/24
# R15: a peer that cannot be asked for its routes again.
sed -i 's/connect retry time 3;/connect retry time 3; enable route refresh off;/' "$RH_TMP/er2.conf"
BIRD_EXPORT='filter { if net = 198.19.141.0/24 then { bgp_path.prepend(65020); bgp_path.prepend(65020); }
    if source = RTS_STATIC then accept; reject; }' \
  bird_onprem_conf "$RH_TMP/vpn.conf" 198.19.2.10 65020 "vpn1 198.19.2.1 65515" "vpn2 198.19.2.2 65515" -- \
  198.19.110.0/24 198.19.140.0/24 198.19.141.0/24

# eff_nh PREFIX: the next hops of PREFIX's active entries, sorted, space separated.
eff_nh() { hub_eff "$1" | jq -r 'select(.active == true) | .["next-hop"][]?' | sort -u | tr '\n' ' '; }
# eff_inactive_reason PREFIX ORIGIN: the reason of ORIGIN's entries for PREFIX (inactive).
eff_reason() {
  hub_eff "$1" | jq -r --arg o "$2" 'select(.origin == $o and .active == false) | .reason' | sort -u
}
# rcv PEER PREFIX: the control plane's received-route entry (accepted, reason).
rcv() {
  hub_ctl --json show bgp neighbor "$1" received-routes |
    jq -c --arg p "$2" '.. | objects | select(has("received-route")) | .["received-route"][] | select(.prefix == $p)' | head -1
}
frr_nh() {
  rh_vtysh "$1" "show bgp ipv4 unicast $2 json" | jq -r '.paths[]?.nexthops[]?.ip' | sort -u | tr '\n' ' '
}
frr_path_is() { [ "$(frr_paths "$1" "$2" | head -1)" = "$3" ]; }
bird_path_is() { [ "$(bird_aspath "$1" "$2" "$3")" = "$4" ]; }
all_counts() { echo "$(frr_conn_counts nva1) $(frr_conn_counts nva2)"; }
all_since() { echo "$(bird_since er hub) $(bird_since er2 hub) $(bird_since vpn vpn1) $(bird_since vpn vpn2)"; }

hub_start "$RH_TMP/hub.json" || { rh_not_ok "control plane started"; cat "$RH_TMP/cp-1.log"; rh_done; exit 1; }
rh_frr_start nva1 "$RH_TMP/nva1.conf" || exit 1
rh_frr_start nva2 "$RH_TMP/nva2.conf" || exit 1
rh_bird_start er "$RH_TMP/er.conf" || exit 1
rh_bird_start er2 "$RH_TMP/er2.conf" || exit 1
rh_bird_start vpn "$RH_TMP/vpn.conf" || exit 1

up() {
  hub_all_established && frr_established nva1 && frr_established nva2 && bird_established er hub && bird_established er2 hub &&
    bird_established vpn vpn1 && bird_established vpn vpn2
}
if ! rh_wait 30 up; then
  rh_log "not every session came up"
  hub_ctl show bgp summary | sed 's/^/# /'
fi
rh_wait 10 hub_eff_active 198.19.110.0/24 vpn
rh_wait 10 hub_eff_active 198.19.121.0/24 nva
rh_wait 10 hub_eff_active 198.51.100.0/24 expressroute
rh_wait 10 frr_has nva2 198.19.102.0/24
sleep 1

# ---- R14 (read first: the sessions are fresh)
hold=$(frr_nbr nva1 198.18.1.4 bgpTimerHoldTimeMsecs) ka=$(frr_nbr nva1 198.18.1.4 bgpTimerKeepAliveIntervalMsecs)
rh_log "FRR nva1 (configured 100/300) negotiated hold ${hold} ms, keepalive ${ka} ms"
if [ "$hold" = 180000 ] && [ "$ka" = 60000 ]; then rh_ok "R14: hold time 180 s and keepalive 60 s by default (FRR neighbor json)"
else rh_not_ok "R14: hold time 180 s and keepalive 60 s by default (FRR: hold $hold ms, keepalive $ka ms)"; fi

# ---- R1
check "R1: both NVAs receive the VNet route 198.18.0.0/16 (AS path 65515)" \
  eval 'frr_paths nva1 198.18.0.0/16 | grep -qx 65515 && frr_path_is nva2 198.18.0.0/16 65515'
check "R1: ... with next hop the route server instance of each session (nva2: 198.18.1.4, 198.18.1.5)" \
  eval '[ "$(frr_nh nva2 198.18.0.0/16)" = "198.18.1.4 198.18.1.5 " ]'
check "R1: ER on-premises receives the VNet route through the ExpressRoute gateway" bird_has er hub 198.18.0.0/16
check "R1: the VPN device receives the VNet route on both VPN sessions" \
  eval 'bird_has vpn vpn1 198.18.0.0/16 && bird_has vpn vpn2 198.18.0.0/16'

# ---- R2
check "R2: 192.0.2.0/24 programmed with nva1's BGP next hop 198.18.2.4" eval '[[ " $(eff_nh 192.0.2.0/24)" == *" 198.18.2.4 "* ]]'
nh=$(eff_nh 198.19.102.0/24)
rh_log "198.19.102.0/24 (FRR set ip next-hop 198.18.2.5): effective next hops: $nh"
check "R2: next hop IP: 198.19.102.0/24 programmed with next hop 198.18.2.5 (another address of nva1)" [ "$nh" = "198.18.2.5 " ]
check "R2: nva2 receives 198.19.102.0/24 with the next hop unchanged (198.18.2.5)" [ "$(frr_nh nva2 198.19.102.0/24)" = "198.18.2.5 " ]
check "R2: ... AS path and community unchanged too (route server transparent: 65001, 65001:102)" \
  eval '[ "$(rh_vtysh nva2 "show bgp ipv4 unicast 198.19.102.0/24 json" | jq -r ".paths[] | select(.aspath.string == \"65001\") | .community.string" | sort -u)" = 65001:102 ]'

# ---- R3
nh=$(eff_nh 192.0.2.0/24)
check "R3: same AS-path length from nva1 and nva2: both active (ECMP: $nh)" [ "$nh" = "198.18.2.4 198.18.3.4 " ]
rh_vtysh nva1 "configure terminal" "route-map OUT permit 50" "match ip address prefix-list P-ECMP" \
  "set as-path prepend 65001 65001" "end" "clear bgp ipv4 unicast * soft out" >/dev/null
wcheck "R3: nva1 prepends: only nva2 active for 192.0.2.0/24" 10 eval '[ "$(eff_nh 192.0.2.0/24)" = "198.18.3.4 " ]'
check "R3: nva1's longer path listed inactive (not preferred: longer AS path)" \
  eval 'eff_reason 192.0.2.0/24 198.18.2.4 | grep -q "longer AS path"'

# ---- R4 (branch-to-branch off: the configuration's default)
c0=$(all_counts) s0=$(all_since)
check "R4: off: nva2 receives neither ER's 198.51.100.0/24 nor VPN's 198.19.110.0/24" \
  eval 'frr_lacks nva2 198.51.100.0/24 && frr_lacks nva2 198.19.110.0/24'
check "R4: off: ER on-premises receives neither NVA's 192.0.2.0/24 nor VPN's 198.19.110.0/24" \
  eval 'bird_lacks er hub 192.0.2.0/24 && bird_lacks er hub 198.19.110.0/24'
check "R4: off: the VPN device receives neither 192.0.2.0/24 nor 198.51.100.0/24" \
  eval 'bird_lacks vpn vpn1 192.0.2.0/24 && bird_lacks vpn vpn1 198.51.100.0/24 && bird_lacks vpn vpn2 198.51.100.0/24'
if hub_eff_active 192.0.2.0/24 nva && hub_eff_active 198.51.100.0/24 expressroute && hub_eff_active 198.19.110.0/24 vpn; then
  rh_ok "R4: off: NVA, ER and VPN routes all programmed"
else
  rh_not_ok "R4: off: NVA, ER and VPN routes all programmed"
  hub_ctl show effective-routes | sed 's/^/# /'
fi

# ---- R5
hub_ctl set branch-to-branch on >/dev/null || rh_log "set branch-to-branch on failed"
wcheck "R5: on: nva2 receives ER's 198.51.100.0/24 and VPN's 198.19.110.0/24" 10 \
  eval 'frr_has nva2 198.51.100.0/24 && frr_has nva2 198.19.110.0/24'
wcheck "R5: on: ER on-premises receives 192.0.2.0/24 (NVA) and 198.19.110.0/24 (VPN)" 10 \
  eval 'bird_has er hub 192.0.2.0/24 && bird_has er hub 198.19.110.0/24'
wcheck "R5: on: the VPN device receives 192.0.2.0/24 (NVA) and 198.51.100.0/24 (ER) on both sessions" 10 \
  eval 'bird_has vpn vpn1 192.0.2.0/24 && bird_has vpn vpn1 198.51.100.0/24 && bird_has vpn vpn2 198.51.100.0/24 && bird_has vpn vpn2 192.0.2.0/24'
wcheck "R5: on: never ER circuit to ER circuit: er2's 198.19.130.0/24 reaches nva2 and the VPN device, not ER on-prem 1" 10 \
  eval 'frr_has nva2 198.19.130.0/24 && bird_has vpn vpn1 198.19.130.0/24 && bird_has er2 hub 192.0.2.0/24 && bird_lacks er hub 198.19.130.0/24 && bird_lacks er2 hub 198.51.100.0/24'
sleep 1
c1=$(all_counts) s1=$(all_since)
rh_log "FRR connectionsEstablished $c0 -> $c1; BIRD since $s0 -> $s1"
check "R5: the switch reset no session (FRR connectionsEstablished, BIRD since-times)" \
  eval '[ "$c1" = "1 1 1 1" ] && [ -n "$s0" ] && [ "$s0" = "$s1" ]'

# ---- R7 (exchange on from here)
r=$(rcv 198.18.2.4 198.19.100.0/24)
rh_log "198.19.100.0/24 (65515 prepended by nva1): $r"
check "R7: AS path with 65515 rejected with its reason (received-routes)" \
  eval 'echo "$r" | jq -e "select(.accepted == false and (.reason | test(\"65515\")))" >/dev/null'
check "R7: ... not programmed, and advertised to no peer" \
  eval '! hub_eff_any_active 198.19.100.0/24 && frr_lacks nva2 198.19.100.0/24 && bird_lacks er hub 198.19.100.0/24 && bird_lacks vpn vpn1 198.19.100.0/24'

# ---- R8
check "R8: NVA prefix equal to the VNet space (198.18.0.0/16) rejected: overlaps VNet" \
  eval 'rcv 198.18.2.4 198.18.0.0/16 | jq -e "select(.accepted == false and (.reason | test(\"VNet\")))" >/dev/null'
check "R8: more specific (198.18.200.0/24) rejected, not programmed, not sent to nva2 or ER" \
  eval 'rcv 198.18.2.4 198.18.200.0/24 | jq -e "select(.accepted == false)" >/dev/null && ! hub_eff_any_active 198.18.200.0/24 && frr_lacks nva2 198.18.200.0/24 && bird_lacks er hub 198.18.200.0/24'
check "R8: nva2's 198.18.0.0/16 is the VNet route (AS path 65515), not nva1's" frr_path_is nva2 198.18.0.0/16 65515
check "R8: supernet 198.18.0.0/15 accepted: programmed, nva2 gets it (65001), ER on-prem gets it" \
  eval 'hub_eff_active 198.18.0.0/15 nva && frr_path_is nva2 198.18.0.0/15 65001 && bird_has er hub 198.18.0.0/15'

# ---- R9
check "R9: NO_ADVERTISE 198.19.101.0/24 programmed (effective route active, next hop 198.18.2.4)" \
  eval 'hub_eff_active 198.19.101.0/24 nva && [ "$(eff_nh 198.19.101.0/24)" = "198.18.2.4 " ]'
check "R9: ... advertised to no other peer (nva2, ER on-prem, VPN device), exchange on" \
  eval 'frr_lacks nva2 198.19.101.0/24 && bird_lacks er hub 198.19.101.0/24 && bird_lacks vpn vpn1 198.19.101.0/24 && bird_lacks vpn vpn2 198.19.101.0/24'

check "R9: NO_ADVERTISE from ER on-premises (198.19.150.0/24, BIRD): programmed, not sent to nva2, the VPN device or er2" \
  eval 'hub_eff_active 198.19.150.0/24 expressroute && frr_lacks nva2 198.19.150.0/24 && bird_lacks vpn vpn1 198.19.150.0/24 && bird_lacks er2 hub 198.19.150.0/24'

# ---- R13: 198.19.120.0/24 NVA path 1 / ER path 3; 198.19.121.0/24 NVA path 3 / ER path 1
pref_state() {
  echo "120:$(hub_eff 198.19.120.0/24 | jq -r 'select(.active) | .source' | sort -u | tr '\n' ,)" \
    "121:$(hub_eff 198.19.121.0/24 | jq -r 'select(.active) | .source' | sort -u | tr '\n' ,)" \
    "nva2:$(frr_paths nva2 198.19.120.0/24 | head -1)/$(frr_paths nva2 198.19.121.0/24 | head -1)" \
    "vpn:$(bird_aspath vpn vpn1 198.19.120.0/24)/$(bird_aspath vpn vpn1 198.19.121.0/24)" \
    "140:$(hub_eff 198.19.140.0/24 | jq -r 'select(.active) | .source' | sort -u | tr '\n' ,)" \
    "141:$(hub_eff 198.19.141.0/24 | jq -r 'select(.active) | .source' | sort -u | tr '\n' ,)"
}
r13() {
  local name=$1 want=$2
  if rh_wait 10 eval '[ "$(pref_state)" = "$want" ]'; then rh_ok "$name"; else rh_not_ok "$name (got '$(pref_state)', want '$want')"; fi
}
c0=$(all_counts) s0=$(all_since)
r13 "R13: ExpressRoute (default): ER active for both; nva2 and the VPN device get ER's paths; VPN vs NVA: shorter path (140 VPN, 141 NVA)" \
  "120:expressroute, 121:expressroute, nva2:65515 65010 65010 65010/65515 65010 vpn:65515 65010 65010 65010/65515 65010 140:vpn, 141:nva,"
hub_ctl set hub-routing-preference vpngateway >/dev/null || rh_log "set preference vpngateway failed"
r13 "R13: VpnGateway (runtime switch): NVA active for both; nva2 and the VPN device get nva1's paths; VPN and NVA not ranked (140 VPN, 141 NVA)" \
  "120:nva, 121:nva, nva2:65001/65001 65001 65001 vpn:65515 65001/65515 65001 65001 65001 140:vpn, 141:nva,"
hub_ctl set hub-routing-preference aspath >/dev/null || rh_log "set preference aspath failed"
r13 "R13: ASPath: the shorter path wins (NVA for .120, ER for .121), at nva2 and the VPN device too" \
  "120:nva, 121:expressroute, nva2:65001/65515 65010 vpn:65515 65001/65515 65010 140:vpn, 141:nva,"
hub_ctl set hub-routing-preference expressroute >/dev/null || rh_log "set preference expressroute failed"
r13 "R13: back to ExpressRoute" \
  "120:expressroute, 121:expressroute, nva2:65515 65010 65010 65010/65515 65010 vpn:65515 65010 65010 65010/65515 65010 140:vpn, 141:nva,"
c1=$(all_counts) s1=$(all_since)
check "R13: the switches reset no session" eval '[ "$c1" = "$c0" ] && [ "$s0" = "$s1" ]'

# ---- R15
u0=$(frr_nbr nva1 198.18.1.4 messageStats.updatesRecv)
hub_ctl clear bgp neighbor 198.18.2.4 soft >/dev/null || rh_log "clear bgp neighbor soft failed"
wcheck "R15: routehubctl clear bgp neighbor 198.18.2.4 soft: nva1 receives UPDATEs again" 10 \
  eval '[ "$(frr_nbr nva1 198.18.1.4 messageStats.updatesRecv)" -gt "$u0" ]'
rr0=$(frr_nbr nva1 198.18.1.4 messageStats.routeRefreshSent)
sleep 0.5
u1=$(frr_nbr nva1 198.18.1.4 messageStats.updatesRecv)
rh_vtysh nva1 "clear bgp ipv4 unicast 198.18.1.4 in" >/dev/null
wcheck "R15: FRR's ROUTE-REFRESH (clear bgp 198.18.1.4 in) is answered with UPDATEs" 10 \
  eval '[ "$(frr_nbr nva1 198.18.1.4 messageStats.routeRefreshSent)" -gt "$rr0" ] && [ "$(frr_nbr nva1 198.18.1.4 messageStats.updatesRecv)" -gt "$u1" ]'
check "R15: ... without a session reset, routes intact" \
  eval '[ "$(frr_conn_counts nva1)" = "1 1" ] && frr_has nva1 198.18.0.0/16 && frr_has nva1 198.51.100.0/24'
# The hub must re-learn what it filtered (a reload changes the VNet space 198.18.0.0/16 into
# 198.18.0.0/17: nva1's 198.18.200.0/24, refused by R8, becomes valid; then back): it asks
# every peer with ROUTE-REFRESH, and resets er2, configured without the capability.
# A reload applies the whole file: it keeps branch-to-branch on, as `set` left it above.
jq '.["routehub:routehub"]["route-server"]["branch-to-branch"] = true' "$RH_TMP/hub.json" >"$RH_TMP/hub-orig.json"
jq '.["routehub:routehub"]["route-server"]["vnet-address-space"] = ["198.18.0.0/17", "2001:db8:100::/48"]' \
  "$RH_TMP/hub-orig.json" >"$RH_TMP/hub-r15.json"
rra=$(frr_nbr nva1 198.18.1.4 messageStats.routeRefreshRecv) rrb=$(frr_nbr nva1 198.18.1.5 messageStats.routeRefreshRecv)
rrc=$(frr_nbr nva2 198.18.1.4 messageStats.routeRefreshRecv)
er2_since=$(bird_since er2 hub)
others() { echo "$(all_counts) $(bird_since er hub) $(bird_since vpn vpn1) $(bird_since vpn vpn2)"; }
others0=$(others)
cp "$RH_TMP/hub-r15.json" "$RH_TMP/hub.json"
out=$(hub_ctl reload 2>&1)
rh_log "routehubctl reload: $(echo "$out" | tr '\n' '|')"
r15_reply() {
  local p
  for p in 198.18.2.4@198.18.1.4 198.18.2.4@198.18.1.5 198.18.3.4@198.18.1.4 198.19.1.2@198.19.1.1 \
    198.19.2.10@198.19.2.1 198.19.2.10@198.19.2.2; do
    grep -q "R15: ROUTE-REFRESH sent to [a-z-]* $p" <<<"$out" || return 1
  done
  grep -q "R15: expressroute-gateway 198.19.1.3@198.19.1.1 has no route refresh capability: session reset" <<<"$out"
}
check "R15: a reload adds VNet space 198.18.0.0/17: ROUTE-REFRESH to nva1, nva2, er, vpn; er2 (no capability) reset" r15_reply
wcheck "R15: FRR counts the ROUTE-REFRESH received (nva1 both sessions, nva2)" 10 \
  eval '[ "$(frr_nbr nva1 198.18.1.4 messageStats.routeRefreshRecv)" -gt "$rra" ] && [ "$(frr_nbr nva1 198.18.1.5 messageStats.routeRefreshRecv)" -gt "$rrb" ] && [ "$(frr_nbr nva2 198.18.1.4 messageStats.routeRefreshRecv)" -gt "$rrc" ]'
wcheck "R15: ... and the routes sent again pass the new rules: 198.18.200.0/24 from nva1 active (was: overlaps VNet)" 10 \
  hub_eff_active 198.18.200.0/24 nva
wcheck "R15: er2 (BIRD, enable route refresh off) sees its session reset, and comes back" 30 \
  eval '[ "$(bird_since er2 hub)" != "$er2_since" ] && bird_established er2 hub'
cp "$RH_TMP/hub-orig.json" "$RH_TMP/hub.json"
out=$(hub_ctl reload 2>&1)
rh_log "routehubctl reload: $(echo "$out" | tr '\n' '|')"
wcheck "R15: the VNet space back: after another ROUTE-REFRESH 198.18.200.0/24 is refused again (overlaps VNet)" 10 \
  eval 'eff_reason 198.18.200.0/24 198.18.2.4 | grep -q VNet && ! hub_eff_active 198.18.200.0/24 nva'
rh_log "R15: other sessions before the reloads: $others0; after: $(others)"
check "R15: ... no other session reset (FRR connectionsEstablished, BIRD since of er and vpn)" \
  eval '[ "$(others)" = "$others0" ]'
# R16 below starts from the exchange running.
rh_wait 10 eval 'bird_has er hub 192.0.2.0/24 && frr_has nva2 198.51.100.0/24'

# ---- R17
check "R17: every effective route has prefix, source, active; non-VNet ones next hops; inactive ones a reason" \
  eval 'hub_eff_json | jq -e "[.. | objects | select(has(\"effective-route\")) | .[\"effective-route\"][]] | length > 0 and all(has(\"prefix\") and has(\"source\") and has(\"active\") and (.source == \"vnet\" or (.[\"next-hop\"] | length > 0)) and (.active or (.reason | length > 0)))" >/dev/null'
check "R17: sources vnet, nva, expressroute, vpn all listed" \
  eval '[ "$(hub_eff_json | jq -r "[.. | objects | select(has(\"effective-route\")) | .[\"effective-route\"][] | .source] | unique | join(\",\")")" = "expressroute,nva,vnet,vpn" ]'
check "R17: reasons of inactive routes: R7, R8, R13 (ExpressRoute), longer AS path" \
  eval 'eff_reason 198.19.100.0/24 198.18.2.4 | grep -q 65515 && eff_reason 198.18.200.0/24 198.18.2.4 | grep -q VNet && eff_reason 198.19.120.0/24 198.18.2.4 | grep -q ExpressRoute && eff_reason 192.0.2.0/24 198.18.2.4 | grep -q "longer AS path"'

# ---- R16 toward ExpressRoute: to-expressroute 9 = the 2 VNet spaces + 7 NVA prefixes it
# may send toward ER (192.0.2.0/24, 198.18.0.0/15, 198.19.102/120/121/140/141.0/24)
er_stopped() { bird_lacks er hub 192.0.2.0/24 && frr_lacks nva2 198.51.100.0/24; }
check "R16: within to-expressroute (9 of 9): RS <-> ER exchange runs" eval 'bird_has er hub 192.0.2.0/24 && frr_has nva2 198.51.100.0/24'
rh_vtysh nva1 "configure terminal" "router bgp 65001" "address-family ipv4 unicast" \
  "network 198.19.103.0/24" "network 198.19.104.0/24" "end" >/dev/null
wcheck "R16: 11 > to-expressroute 9: RS <-> ER exchange stops both ways (ER on-prem loses 192.0.2.0/24, nva2 198.51.100.0/24)" 10 er_stopped
check "R16: ... the VNet route and the ER <-> VPN exchange stay (ER on-prem keeps 198.18.0.0/16 and 198.19.110.0/24)" \
  eval 'bird_has er hub 198.18.0.0/16 && bird_has er hub 198.19.110.0/24'
why=$(hub_eff_json | jq -r '.. | objects | .["expressroute-exchange"]? // empty' | head -1)
rh_log "expressroute-exchange: $why"
rh_vtysh nva1 "configure terminal" "router bgp 65001" "address-family ipv4 unicast" \
  "no network 198.19.103.0/24" "no network 198.19.104.0/24" "end" >/dev/null
wcheck "R16: back within the limit: the exchange resumes" 10 eval 'bird_has er hub 192.0.2.0/24 && frr_has nva2 198.51.100.0/24'

# ---- R11: nva2 (limit 20) to 12 routes, prepends them all, then goes past the limit
nets=()
for i in $(seq 0 10); do nets+=("network 198.19.$((200 + i)).0/24"); done
rh_vtysh nva2 "configure terminal" "router bgp 65002" "address-family ipv4 unicast" "${nets[@]}" "end" >/dev/null
rh_wait 10 eval 'hub_eff_any_active 198.19.210.0/24'
rh_vtysh nva2 "configure terminal" "route-map OUT permit 50" "match as-path OWN" "set as-path prepend 65002" "end" \
  "clear bgp ipv4 unicast * soft out" >/dev/null
wcheck "R11: 12 routes held of 20, all re-announced with a prepended AS path: accepted, no teardown" 10 \
  eval '[ "$(hub_eff 198.19.210.0/24 | jq -r "select(.active) | .[\"as-path-length\"]" | sort -u)" = 2 ] && [ "$(hub_eff 192.0.2.0/24 | jq -r "select(.origin == \"198.18.3.4\") | .[\"as-path-length\"]" | sort -u)" = 2 ]'
rh_log "nva2 after prepending: connections $(frr_conn_counts nva2); 198.19.210.0/24: $(hub_eff 198.19.210.0/24 | jq -c '[.origin, .["as-path-length"], .active]' | tr '\n' ' '); 192.0.2.0/24 from nva2: $(hub_eff 192.0.2.0/24 | jq -c 'select(.origin == "198.18.3.4") | [.["as-path-length"], .active, .reason]' | tr '\n' ' ')"
check "R11: ... both nva2 sessions still up since the start (connectionsEstablished 1 1)" eval '[ "$(frr_conn_counts nva2)" = "1 1" ]'
nets=()
for i in $(seq 11 24); do nets+=("network 198.19.$((200 + i)).0/24"); done
rh_vtysh nva2 "configure terminal" "router bgp 65002" "address-family ipv4 unicast" "${nets[@]}" "end" >/dev/null
nva2_down() {
  rh_vtysh nva2 "show bgp neighbors 198.18.1.4 json" | grep -q "Maximum Number of Prefixes"
}
wcheck "R11: 14 more: past the route limit (20) the hub tears nva2's session down with Cease/1 (FRR: maximum number of prefixes)" 15 nva2_down
check "R11: ... and its routes are withdrawn (no effective route from 198.18.3.4, nva1 active for 192.0.2.0/24)" \
  rh_wait 10 eval '! hub_eff_json | grep -q "\"origin\":\"198.18.3.4\"" && [ "$(eff_nh 192.0.2.0/24)" = "198.18.2.4 " ]'
rh_vtysh nva1 "show bgp neighbors 198.18.1.4 json" >/dev/null
rh_vtysh nva2 "configure terminal" "router bgp 65002" "neighbor 198.18.1.4 shutdown" "neighbor 198.18.1.5 shutdown" "end" >/dev/null

# ---- R16: ER on-premises past from-on-premises (6)
extra=()
for i in $(seq 0 7); do extra+=("198.19.$((230 + i)).0/24"); done
BIRD_EXPORT=$ER_EXPORT bird_onprem_conf "$RH_TMP/er.conf" 198.19.1.2 65010 "hub 198.19.1.1 12076" -- \
  198.51.100.0/24 198.19.120.0/24 198.19.121.0/24 198.19.150.0/24 "${extra[@]}"
rh_birdc er configure >/dev/null
er_torn() { rh_birdc er show protocols all hub | grep -qi "maximum number of prefixes"; }
wcheck "R16: ER on-premises advertising 12 routes past from-on-premises 6: session torn down (BIRD: maximum number of prefixes)" 15 er_torn
wcheck "R16: ... and ER's routes are withdrawn (198.51.100.0/24 no longer programmed)" 10 \
  eval '! hub_eff 198.51.100.0/24 | grep -q .'
hub_stop

# ---- R6, R10, R12: refused by --check
chk() { "$RH_BUILD/controlplane/routehub-controlplane" --check "$1" 2>&1; }
hub_cfg lab-vpn-er.json "$RH_TMP/r6.json" '.["vpn-gateway"]["active-active"] = false | .["vpn-gateway"]["instance-address"] = ["198.19.2.1"] | .["route-server"]["branch-to-branch"] = true'
out=$(chk "$RH_TMP/r6.json"); rc=$?
rh_log "R6 --check: rc $rc: $out"
check "R6: not active-active with branch-to-branch on: refused by --check with the R6 message" \
  eval '[ "$rc" = 1 ] && [[ "$out" == *"R6: a VPN gateway that is not active-active cannot take part in branch-to-branch route exchange"* ]]'
hub_cfg lab-sdwan-er.json "$RH_TMP/r10.json" '.["route-server"]["nva-peer"][0].asn = 12076'
out=$(chk "$RH_TMP/r10.json"); rc=$?
rh_log "R10 --check: rc $rc: $out"
check "R10: an NVA with reserved ASN 12076 refused by --check with the R10 message" eval '[ "$rc" = 1 ] && [[ "$out" == *"R10:"* ]]'
bad=1
for asn in 8074 8075 65515 65517 65520 23456 64496 64511 65535; do
  hub_cfg lab-sdwan-er.json "$RH_TMP/r10b.json" ".[\"route-server\"][\"nva-peer\"][0].asn = $asn"
  o=$(chk "$RH_TMP/r10b.json") && { bad=0; rh_log "ASN $asn accepted"; }
  [[ "$o" == *R10* ]] || { [ "$asn" = 65515 ] || [ "$asn" = 23456 ]; } || { bad=0; rh_log "ASN $asn: $o"; }
done
check "R10: the other reserved ASNs (8074 8075 65515 65517 65520 23456 64496 64511 65535) refused too" [ "$bad" = 1 ]
hub_cfg lab-sdwan-er.json "$RH_TMP/r10c.json" '.["route-server"]["nva-peer"][0].asn = 65001'
check "R10: ... while 65001 is accepted" eval 'chk "$RH_TMP/r10c.json" >/dev/null'
hub_cfg lab-sdwan-er.json "$RH_TMP/r12.json" '.["route-server"]["nva-peer"] = [range(1; 10) | {"address": "198.18.2.\(. + 10)", "asn": 65001, "multihop": 2}]'
out=$(chk "$RH_TMP/r12.json"); rc=$?
rh_log "R12 --check: rc $rc: $out"
check "R12: nine NVA peers refused by --check with the R12 message" eval '[ "$rc" = 1 ] && [[ "$out" == *"R12:"* ]]'
hub_cfg lab-sdwan-er.json "$RH_TMP/r12b.json" '.["route-server"]["nva-peer"] = [range(1; 9) | {"address": "198.18.2.\(. + 10)", "asn": 65001, "multihop": 2}]'
check "R12: ... eight accepted" eval 'chk "$RH_TMP/r12b.json" >/dev/null'

# ---- R6 at runtime: a VPN gateway that is not active-active, branch-to-branch off
hub_cfg lab-vpn-er.json "$RH_TMP/r6rt.json" '.["vpn-gateway"]["active-active"] = false | .["vpn-gateway"]["instance-address"] = ["198.19.2.1"] | .["route-server"]["branch-to-branch"] = false'
if hub_start "$RH_TMP/r6rt.json"; then
  out=$(hub_ctl set branch-to-branch on 2>&1); rc=$?
  rh_log "R6 runtime: rc $rc: $out"
  check "R6: routehubctl set branch-to-branch on refused at runtime (not active-active)" \
    eval '[ "$rc" != 0 ] && [[ "$out" == *"R6: a VPN gateway that is not active-active"* ]]'
  hub_stop
else
  rh_not_ok "R6: routehubctl set branch-to-branch on refused at runtime (control plane did not start)"
fi

rh_done
