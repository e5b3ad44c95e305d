#!/usr/bin/env bash
# Live reconfiguration: `routehubctl reload` and SIGHUP with real peers (issue 7).
#
# The hub (route server 198.18.1.4/.5, ExpressRoute gateway 198.19.1.1) with
#   nva1  FRR AS 65001 at 198.18.2.4: 192.0.2.0/24, 198.18.200.0/24 (inside the VNet
#         space 198.18.0.0/16: refused by R8 until the space shrinks)
#   nva2  FRR AS 65002 at 198.18.3.4: 203.0.113.0/24
#   er    BIRD AS 65010 at 198.19.1.2, route refresh capability off: 198.51.100.0/24
#   er2   BIRD AS 65011 at 198.19.1.3, added by a reload: 198.19.130.0/24
# and these reloads of the file given with -c, each checked on the peers' side
# (FRR's connectionsEstablished and log, BIRD's protocol "since" time):
#   (a) the same file: "no change", no session reset
#   (b) nva2 hold-time 180 -> 30 and er2 added: only nva2 is reset (Cease/Other
#       Configuration Change, then hold time 30 s), er2 comes up, the others untouched
#   (c) branch-to-branch on and a VPN local-network prefix (the VPN gateway's device is not
#       running): the routes reach nva1 and er by UPDATE, no reset; the metrics endpoint
#       moves to another port
#   (d) an invalid file, and one changing the router id: refused with the problems,
#       exit code non-zero, nothing changes
#   (e) SIGHUP: nva2 removed (Cease/Peer De-configured, its routes withdrawn) and
#       branch-to-branch off; then SIGHUP with an invalid file: refused, nothing changes
#   (R15) the VNet space 198.18.0.0/16 -> 198.18.0.0/17: nva1 gets ROUTE-REFRESH and its
#       198.18.200.0/24 becomes active; er, without the capability, has its session reset
# Checks are `eval`ed strings (single-quoted on purpose).
# shellcheck disable=SC2016,SC2034
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/hub_lib.sh
. "$here/hub_lib.sh"
rh_init reload

names=("reload (a): unchanged" "reload (b): changed and added peers" "reload (c): hub setting"
  "reload (d): invalid file refused" "reload (e): SIGHUP" "R15: route refresh after a VNet change")
if ! hub_have_tools; then
  for n in "${names[@]}"; do rh_skip "$n" "routehub build, FRR bgpd, BIRD or jq not available"; done
  rh_done
  exit $?
fi

check() { rh_check "$@"; }
wcheck() {
  local name=$1 t=$2
  shift 2
  if rh_wait "$t" "$@"; then rh_ok "$name"; else rh_not_ok "$name"; fi
}

hub_topo_base || exit 1
hub_topo_nva nva1 1 || exit 1
hub_topo_nva nva2 2 || exit 1
hub_topo_er || exit 1
hub_topo_er2 || exit 1
hub_topo_vpn || exit 1

CFG=$RH_TMP/hub.json
# A VPN gateway whose device does not run: its static prefixes are the hub's own routes.
BASE='.["route-server"]["nva-peer"] = [
    {"address": "198.18.2.4", "asn": 65001, "multihop": 2},
    {"address": "198.18.3.4", "asn": 65002, "multihop": 2}]
| .["vpn-gateway"] = {"active-active": true, "instance-address": ["198.19.2.1", "198.19.2.2"],
    "on-premises-peer": [{"address": "198.19.2.10", "asn": 65020}]}'
# cfg OUT FILTER: the base configuration with FILTER applied after it.
cfg() { hub_cfg lab-sdwan-er.json "$1" "$BASE | $2"; }
cfg "$RH_TMP/v1.json" '.'
cfg "$RH_TMP/v2.json" '.["route-server"]["nva-peer"][1]["hold-time"] = 30
| .["expressroute-gateway"]["on-premises-peer"] += [{"address": "198.19.1.3", "asn": 65011}]'
cfg "$RH_TMP/v3.json" '.["route-server"]["nva-peer"][1]["hold-time"] = 30
| .["expressroute-gateway"]["on-premises-peer"] += [{"address": "198.19.1.3", "asn": 65011}]
| .["route-server"]["branch-to-branch"] = true | .["control-plane"].metrics = {"address": "127.0.0.1", "port": 9422}
| .["vpn-gateway"]["local-network-prefix"] = ["203.0.113.128/25"]'
cfg "$RH_TMP/bad.json" '.["route-server"]["nva-peer"][0]["hold-time"] = 2
| .["route-server"]["branch-to-branch"] = false'
cfg "$RH_TMP/fixed.json" '.["route-server"]["nva-peer"][1]["hold-time"] = 30
| .["expressroute-gateway"]["on-premises-peer"] += [{"address": "198.19.1.3", "asn": 65011}]
| .["route-server"]["branch-to-branch"] = true | .["control-plane"]["router-id"] = "198.18.1.99"'
cfg "$RH_TMP/v4.json" '.["route-server"]["nva-peer"] |= .[0:1]
| .["expressroute-gateway"]["on-premises-peer"] += [{"address": "198.19.1.3", "asn": 65011}]'
cfg "$RH_TMP/v5.json" '.["route-server"]["nva-peer"] |= .[0:1]
| .["expressroute-gateway"]["on-premises-peer"] += [{"address": "198.19.1.3", "asn": 65011}]
| .["route-server"]["vnet-address-space"] = ["198.18.0.0/17", "2001:db8:100::/48"]'
cp "$RH_TMP/v1.json" "$CFG"

frr_nva_conf "$RH_TMP/nva1.conf" 198.18.2.4 65001 "" "" 192.0.2.0/24 198.18.200.0/24
frr_nva_conf "$RH_TMP/nva2.conf" 198.18.3.4 65002 "" "" 203.0.113.0/24
bird_onprem_conf "$RH_TMP/er.conf" 198.19.1.2 65010 "hub 198.19.1.1 12076" -- 198.51.100.0/24
# R15: a peer that cannot be asked for its routes again.
sed -i 's/connect retry time 3;/connect retry time 3; enable route refresh off;/' "$RH_TMP/er.conf"
bird_onprem_conf "$RH_TMP/er2.conf" 198.19.1.3 65011 "hub 198.19.1.1 12076" -- 198.19.130.0/24

hub_start "$CFG" || { rh_not_ok "control plane started"; cat "$RH_TMP/cp-1.log"; rh_done; exit 1; }
rh_frr_start nva1 "$RH_TMP/nva1.conf" || exit 1
rh_frr_start nva2 "$RH_TMP/nva2.conf" || exit 1
rh_bird_start er "$RH_TMP/er.conf" || exit 1
rh_bird_start er2 "$RH_TMP/er2.conf" || exit 1

up() { frr_established nva1 && frr_established nva2 && bird_established er hub; }
if ! rh_wait 30 up; then
  rh_log "not every session came up"
  hub_ctl show bgp summary | sed 's/^/# /'
fi
rh_wait 10 frr_has nva1 203.0.113.0/24
rh_wait 10 frr_has nva2 192.0.2.0/24
sleep 1
state() { echo "nva1 $(frr_conn_counts nva1) nva2 $(frr_conn_counts nva2) er $(bird_since er hub)"; }
s0=$(state)
rh_log "before: $s0"

# ---- (a) the same file
out=$(hub_ctl reload 2>&1)
rc=$?
rh_log "reload: $(echo "$out" | tr '\n' '|')"
check "reload (a): the same file: exit 0, 'no change'" eval '[ $rc = 0 ] && grep -q "no change" <<<"$out"'
check "reload (a): --json: routehub:state/reload lists the change" \
  eval 'hub_ctl --json reload | jq -e ".[\"routehub:state\"].reload.change[0].description == \"no change\"" >/dev/null'
sleep 1
check "reload (a): no session reset (FRR connectionsEstablished, BIRD since)" eval '[ "$(state)" = "$s0" ]'

# ---- (b) nva2's hold time changes, er2 appears
cp "$RH_TMP/v2.json" "$CFG"
out=$(hub_ctl reload 2>&1)
rc=$?
rh_log "reload: $(echo "$out" | tr '\n' '|')"
check "reload (b): the reply lists 'peer 198.18.3.4 (nva): hold-time 180 -> 30, session reset' and 'peer 198.19.1.3 (expressroute-on-premises) added'" \
  eval '[ $rc = 0 ] && grep -q "peer 198.18.3.4 (nva): hold-time 180 -> 30, session reset" <<<"$out" && grep -q "peer 198.19.1.3 (expressroute-on-premises) added" <<<"$out"'
wcheck "reload (b): nva2 receives Cease/Other Configuration Change (RFC 4486 subcode 6)" 10 \
  grep -q "Cease/Other Configuration Change" "$RH_TMP/frr-nva2.log"
wcheck "reload (b): nva2 comes back with hold time 30 s on both sessions" 30 \
  eval 'frr_established nva2 && [ "$(frr_nbr nva2 198.18.1.4 bgpTimerHoldTimeMsecs)" = 30000 ] && [ "$(frr_nbr nva2 198.18.1.5 bgpTimerHoldTimeMsecs)" = 30000 ]'
wcheck "reload (b): the added peer er2 is established and receives the VNet route" 30 \
  eval 'bird_established er2 hub && bird_has er2 hub 198.18.0.0/16'
wcheck "reload (b): nva1 has nva2's route again" 10 frr_has nva1 203.0.113.0/24
check "reload (b): nva1 and er untouched (connectionsEstablished 1 1, BIRD since)" \
  eval '[ "$(frr_conn_counts nva1)" = "1 1" ] && [ "$(bird_since er hub)" = "${s0##* er }" ]'
# New sessions may still resolve a connection collision (RFC 4271 6.8): let them settle.
sleep 3
s1=$(state) s1er2=$(bird_since er2 hub)

# ---- (c) a hub setting
check "reload (c): before: branch-to-branch off, nva1 lacks the on-premises 198.51.100.0/24" frr_lacks nva1 198.51.100.0/24
# grep -c reads it all: no SIGPIPE for curl under pipefail.
scrape() { rh_exec hub curl -s -m 2 "http://127.0.0.1:$1/metrics" | grep -c '^routehub_' >/dev/null; }
check "reload (c): before: the metrics endpoint answers on port 9420" scrape 9420
cp "$RH_TMP/v3.json" "$CFG"
out=$(hub_ctl reload 2>&1)
rh_log "reload: $(echo "$out" | tr '\n' '|')"
check "reload (c): the reply lists 'branch-to-branch off -> on' and the VPN local-network prefix added" \
  eval 'grep -q "branch-to-branch off -> on" <<<"$out" && grep -q "vpn-gateway local-network-prefix 203.0.113.128/25 added" <<<"$out"'
wcheck "reload (c): nva1 receives 198.51.100.0/24, er 192.0.2.0/24, both the VPN static 203.0.113.128/25 (UPDATEs)" 10 \
  eval 'frr_has nva1 198.51.100.0/24 && bird_has er hub 192.0.2.0/24 && frr_has nva1 203.0.113.128/25 && bird_has er hub 203.0.113.128/25'
check "reload (c): the metrics endpoint moved from port 9420 to 9422" eval 'scrape 9422 && ! scrape 9420'
check "reload (c): ... with no session reset" eval '[ "$(state)" = "$s1" ] && [ "$(bird_since er2 hub)" = "$s1er2" ]'
rh_log "after (c): $(state) er2 $(bird_since er2 hub); before: $s1 er2 $s1er2"

# ---- (d) invalid files
cp "$RH_TMP/bad.json" "$CFG"
out=$(hub_ctl reload 2>&1)
rc=$?
rh_log "reload: $(echo "$out" | tr '\n' '|')"
check "reload (d): an invalid file: exit code non-zero, the file, the path and the message (hold-time)" \
  eval '[ $rc != 0 ] && grep -q "reload refused" <<<"$out" && grep -q "$CFG: .*nva-peer.*hold-time" <<<"$out"'
cp "$RH_TMP/fixed.json" "$CFG"
out=$(hub_ctl reload 2>&1)
rc=$?
rh_log "reload: $(echo "$out" | tr '\n' '|')"
check "reload (d): a router-id change is refused as a whole (cannot change at runtime), exit non-zero" \
  eval '[ $rc != 0 ] && grep -q "router-id: cannot change at runtime" <<<"$out"'
sleep 1
check "reload (d): nothing changed: sessions, branch-to-branch routes, hold time" \
  eval '[ "$(state)" = "$s1" ] && frr_has nva1 198.51.100.0/24 && [ "$(frr_nbr nva1 198.18.1.4 bgpTimerHoldTimeMsecs)" = 180000 ]'
check "reload (d): the refusal is logged once per reload" \
  eval '[ "$(grep -c "reload: .* refused" "$RH_TMP/cp-1.log")" = 2 ]'

# ---- (e) SIGHUP
cp "$RH_TMP/v4.json" "$CFG"
kill -HUP "$HUB_PID"
wcheck "reload (e): SIGHUP removes nva2: Cease/Peer De-configured (RFC 4486 subcode 3)" 10 \
  grep -q "Cease/Peer De-configured" "$RH_TMP/frr-nva2.log"
wcheck "reload (e): ... its route withdrawn (nva1 loses 203.0.113.0/24), branch-to-branch off (nva1 loses 198.51.100.0/24), the VPN static prefix gone (er loses 203.0.113.128/25)" 10 \
  eval 'frr_lacks nva1 203.0.113.0/24 && frr_lacks nva1 198.51.100.0/24 && bird_lacks er hub 203.0.113.128/25'
# Read until equal for up to 5 s: one read while FRR and BIRD take the withdrawals came
# back different once in CI (2026-11-21; not reproduced in runs by hand, and nva1 read
# "1 1" again three checks later). A reset never reads as before again: FRR's
# connectionsEstablished only grows and BIRD's since-time moves.
wcheck "reload (e): ... the others untouched" 5 \
  eval '[ "$(frr_conn_counts nva1)" = "1 1" ] && [ "$(bird_since er hub)" = "${s0##* er }" ] && [ "$(bird_since er2 hub)" = "$s1er2" ]'
rh_log "after (e): nva1 $(frr_conn_counts nva1) er $(bird_since er hub) er2 $(bird_since er2 hub); before: nva1 1 1 er ${s0##* er } er2 $s1er2"
check "reload (e): the control plane logged what SIGHUP changed" \
  eval 'grep -q "reload: peer 198.18.3.4 (nva) removed" "$RH_TMP/cp-1.log"'
rh_wait 10 eval '[ "$(frr_nbr nva2 198.18.1.4 bgpState)" != Established ]'
cp "$RH_TMP/bad.json" "$CFG"
kill -HUP "$HUB_PID"
wcheck "reload (e): SIGHUP with an invalid file: refused in the log, the daemon still runs" 10 \
  eval '[ "$(grep -c "reload: .* refused" "$RH_TMP/cp-1.log")" = 3 ] && kill -0 $HUB_PID'
check "reload (e): ... nothing changed" \
  eval '[ "$(frr_conn_counts nva1)" = "1 1" ] && frr_lacks nva1 198.51.100.0/24 && [ "$(hub_peer_state 198.18.3.4)" = "" ]'

# ---- R15
rr0=$(frr_nbr nva1 198.18.1.4 messageStats.routeRefreshRecv)
rr1=$(frr_nbr nva1 198.18.1.5 messageStats.routeRefreshRecv)
why=$(hub_eff 198.18.200.0/24 | jq -r 'select(.active == false) | .reason' | head -1)
check "R15: before: 198.18.200.0/24 from nva1 refused ($why)" grep -q VNet <<<"$why"
er_since=$(bird_since er hub)
cp "$RH_TMP/v5.json" "$CFG"
out=$(hub_ctl reload 2>&1)
rh_log "reload: $(echo "$out" | tr '\n' '|')"
check "R15: the reply lists the VNet change and the ROUTE-REFRESH sent to nva1" \
  eval 'grep -q "vnet-address-space 198.18.0.0/17 added" <<<"$out" && grep -q "R15: ROUTE-REFRESH sent to route-server 198.18.2.4@198.18.1.4" <<<"$out"'
wcheck "R15: nva1 (FRR) receives ROUTE-REFRESH on both sessions (messageStats.routeRefreshRecv)" 10 \
  eval '[ "$(frr_nbr nva1 198.18.1.4 messageStats.routeRefreshRecv)" -gt "$rr0" ] && [ "$(frr_nbr nva1 198.18.1.5 messageStats.routeRefreshRecv)" -gt "$rr1" ]'
wcheck "R15: the routes it sent again pass the new import rules: 198.18.200.0/24 active" 10 \
  hub_eff_active 198.18.200.0/24 nva
check "R15: ... without resetting nva1" eval '[ "$(frr_conn_counts nva1)" = "1 1" ]'
# FRR has Enhanced Route Refresh: its answer comes between BoRR and EoRR (RFC 7313 4), after
# which the hub purges what it did not send again; it sent everything: nothing lost.
wcheck "R15: nva1 framed its answer with BoRR and EoRR, and the hub kept its routes (192.0.2.0/24 active)" 10 \
  eval 'grep -q "peer route-server 198.18.2.4@198.18.1.4: EoRR (IPv4, RFC 7313)" "$RH_TMP/cp-1.log" && hub_eff_active 192.0.2.0/24 nva && hub_eff_active 198.18.200.0/24 nva'
wcheck "R15: er (BIRD, route refresh off) has its session reset, and comes back" 30 \
  eval '[ "$(bird_since er hub)" != "$er_since" ] && bird_established er hub'
check "R15: er2 (BIRD with route refresh) not reset" eval '[ "$(bird_since er2 hub)" = "$s1er2" ]'
grep "198.19.1.3" "$RH_TMP/cp-1.log" | grep -c "established" | sed "s/^/# er2 sessions established: /"

rh_done
