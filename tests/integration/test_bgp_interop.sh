#!/usr/bin/env bash
# routehub-controlplane's route server against four BGP implementations over IPv4: FRR
# bgpd (AS 65001), BIRD 2 (65002), GoBGP (65003) and ExaBGP (65004), each an NVA peering
# with both route-server instances (198.18.1.4, 198.18.1.5) over multihop eBGP
# (topology: bgp_interop_lib.sh). Every assertion reads the peers' own CLIs.
#   1-5    sessions Established, seen by FRR, BIRD, GoBGP, ExaBGP's log and routehubctl
#   6-7    FRR's route reaches BIRD and GoBGP from both instances with its attributes
#          unchanged: AS path 65001, next hop FRR's address, community 65001:100, large
#          community 65001:1:2 (the route server reflects NVA routes, RFC 7947 2.2, R1)
#   8-10   the VNet route reaches FRR, BIRD and GoBGP with AS path 65515 and next hop the
#          instance it came from (R1)
#   11-12  BIRD's, GoBGP's and ExaBGP's routes reach FRR; routehub's effective routes
#          program FRR's route with FRR's next hop (R2, R17)
#   13-15  FRR withdraws its network: BIRD, GoBGP and routehub's effective routes lose it
#   16-18  FRR's `clear bgp X in` (ROUTE-REFRESH) gets the table again, framed by BoRR and
#          EoRR (RFC 7313: both sides announce Enhanced Route Refresh), without a reset
#   19     `routehubctl clear bgp neighbor ADDR soft` sends the table again, no reset
#   20     BIRD's `reload in` (Enhanced Route Refresh) gets its table again, whole, without
#          a reset
#   21-23  a TCP connection from an address that is no peer is closed, logged once, and
#          disturbs nobody
#   24     no session was reset until then
#   25-26  `routehubctl clear bgp neighbor ADDR`: FRR gets Cease/Administrative Reset with
#          the shutdown communication (RFC 8203), and its sessions and routes come back
#   27     routehub stops (SIGTERM): its peers get Cease/Administrative Shutdown
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/bgp_interop_lib.sh
. "$here/bgp_interop_lib.sh"
rh_init bgp_interop4

names=("FRR: both sessions Established" "BIRD: both sessions Established"
  "GoBGP: both sessions Established" "ExaBGP: both sessions connected"
  "routehub: all 8 sessions established"
  "FRR's route at BIRD: AS path, next hop, communities, large communities unchanged"
  "FRR's route at GoBGP: AS path, next hop, communities, large communities unchanged"
  "VNet route at FRR: AS path 65515, next hop the instance"
  "VNet route at BIRD: AS path 65515, next hop the instance"
  "VNet route at GoBGP: AS path 65515, next hop the instance"
  "BIRD's, GoBGP's and ExaBGP's routes reach FRR with their AS paths and next hops"
  "effective routes: FRR's route active via FRR's address"
  "withdrawal: BIRD loses FRR's route" "withdrawal: GoBGP loses FRR's route"
  "withdrawal: routehub's effective routes lose FRR's route"
  "FRR ROUTE-REFRESH: the table is sent again"
  "FRR ROUTE-REFRESH: the answer is framed by BoRR and EoRR (RFC 7313)"
  "FRR ROUTE-REFRESH: no session reset"
  "routehubctl clear soft: the table is sent again, no session reset"
  "BIRD reload in (enhanced ROUTE-REFRESH): table whole, no reset"
  "unconfigured source: connection closed" "unconfigured source: logged once"
  "unconfigured source: the sessions stay up" "no session reset during the test"
  "clear bgp neighbor: FRR gets Cease/Administrative Reset with the shutdown message"
  "clear bgp neighbor: FRR's sessions and routes come back"
  "routehub stops: FRR, BIRD and GoBGP see Cease/Administrative Shutdown")
bi_require gobgpd exabgp bird /usr/lib/frr/bgpd "$RH_BUILD/controlplane/routehub-controlplane"

BI_INST=("${BI_RS4[@]}")
FRR=198.18.11.2
BIRD=198.18.12.2
GOBGP=198.18.13.2
EXA=198.18.14.2

bi_hub || bi_fail_setup "hub namespace"
for p in "frr 1" "bird 2" "gobgp 3" "exa 4"; do
  # shellcheck disable=SC2086 # NAME and number
  bi_peer_ns $p || bi_fail_setup "namespace $p"
done
bi_config "$RH_TMP/hub.json" 4 1000 1:65001 2:65002 3:65003 4:65004
bi_cp_start "$RH_TMP/hub.json" || bi_fail_setup "routehub-controlplane starts"
bi_frr_conf "$RH_TMP/frr.conf" 1 65001 4 "" 192.0.2.0/24
rh_frr_start frr "$RH_TMP/frr.conf" || bi_fail_setup "FRR starts"
bi_bird_conf "$RH_TMP/bird.conf" 2 65002 4 "" 198.51.100.0/24
rh_bird_start bird "$RH_TMP/bird.conf" || bi_fail_setup "BIRD starts"
bi_gobgp_conf "$RH_TMP/gobgp.toml" 3 65003 4 ""
rh_gobgp_start gobgp "$RH_TMP/gobgp.toml" || bi_fail_setup "GoBGP starts"
rh_gobgp gobgp global rib add -a ipv4 203.0.113.0/25 nexthop "$GOBGP" >/dev/null ||
  bi_fail_setup "GoBGP takes a route"
mkfifo "$RH_TMP/exa.fifo"
exec 7<>"$RH_TMP/exa.fifo"
bi_exabgp_conf "$RH_TMP/exa.conf" 4 65004 4 "$RH_TMP/exa.fifo"
rh_exabgp_start exa "$RH_TMP/exa.conf"
echo "announce route 203.0.113.128/25 next-hop self" >&7

# ------------------------------------------------------------------ 1-5 sessions
frr_both() { bi_frr_established frr 198.18.1.4 && bi_frr_established frr 198.18.1.5; }
bird_both() { bi_bird_established bird rs1 && bi_bird_established bird rs2; }
gobgp_both() { bi_gobgp_established gobgp 198.18.1.4 && bi_gobgp_established gobgp 198.18.1.5; }
exa_both() {
  grep -q "connected to .*198.18.14.2-198.18.1.4" "$RH_TMP/exabgp-exa.log" &&
    grep -q "connected to .*198.18.14.2-198.18.1.5" "$RH_TMP/exabgp-exa.log" &&
    bi_rh_all_established "$EXA"
}
bi_check "FRR: both sessions Established" rh_wait 30 frr_both
bi_check "BIRD: both sessions Established" rh_wait 30 bird_both
bi_check "GoBGP: both sessions Established" rh_wait 30 gobgp_both
bi_check "ExaBGP: both sessions connected" rh_wait 30 exa_both
bi_check "routehub: all 8 sessions established" \
  rh_wait 30 bi_rh_all_established "$FRR" "$BIRD" "$GOBGP" "$EXA"
conns_at_start=$(bi_frr_field frr 198.18.1.4 connectionsEstablished)

# ------------------------------------------------------------------ 6-12 routes
frr_at_bird() {
  local out
  out=$(bi_bird_paths bird 192.0.2.0/24)
  grep -qx "rs1|65001|$FRR|(65001,100)|(65001, 1, 2)" <<<"$out" &&
    grep -qx "rs2|65001|$FRR|(65001,100)|(65001, 1, 2)" <<<"$out"
}
frr_at_gobgp() {
  local out
  out=$(bi_gobgp_paths gobgp 4 192.0.2.0/24)
  grep -qx "198.18.1.4|65001|$FRR|65001:100|65001:1:2" <<<"$out" &&
    grep -qx "198.18.1.5|65001|$FRR|65001:100|65001:1:2" <<<"$out"
}
vnet_at_frr() {
  local out
  out=$(bi_frr_route frr 4 "$BI_VNET4")
  grep -qx "65515|198.18.1.4|198.18.1.4" <<<"$out" && grep -qx "65515|198.18.1.5|198.18.1.5" <<<"$out"
}
vnet_at_bird() {
  local out
  out=$(bi_bird_paths bird "$BI_VNET4")
  grep -q "^rs1|65515|198.18.1.4|" <<<"$out" && grep -q "^rs2|65515|198.18.1.5|" <<<"$out"
}
vnet_at_gobgp() {
  local out
  out=$(bi_gobgp_paths gobgp 4 "$BI_VNET4")
  grep -q "^198.18.1.4|65515|198.18.1.4|" <<<"$out" && grep -q "^198.18.1.5|65515|198.18.1.5|" <<<"$out"
}
others_at_frr() {
  bi_frr_route frr 4 198.51.100.0/24 | grep -qx "65002|$BIRD|198.18.1.4" &&
    bi_frr_route frr 4 198.51.100.0/24 | grep -qx "65002|$BIRD|198.18.1.5" &&
    bi_frr_route frr 4 203.0.113.0/25 | grep -qx "65003|$GOBGP|198.18.1.4" &&
    bi_frr_route frr 4 203.0.113.128/25 | grep -qx "65004|$EXA|198.18.1.5"
}
bi_check "FRR's route at BIRD: AS path, next hop, communities, large communities unchanged" \
  rh_wait 20 frr_at_bird || bi_bird_paths bird 192.0.2.0/24 | sed 's/^/# /'
bi_check "FRR's route at GoBGP: AS path, next hop, communities, large communities unchanged" \
  rh_wait 20 frr_at_gobgp || bi_gobgp_paths gobgp 4 192.0.2.0/24 | sed 's/^/# /'
bi_check "VNet route at FRR: AS path 65515, next hop the instance" rh_wait 20 vnet_at_frr ||
  bi_frr_route frr 4 "$BI_VNET4" | sed 's/^/# /'
bi_check "VNet route at BIRD: AS path 65515, next hop the instance" rh_wait 20 vnet_at_bird ||
  bi_bird_paths bird "$BI_VNET4" | sed 's/^/# /'
bi_check "VNet route at GoBGP: AS path 65515, next hop the instance" rh_wait 20 vnet_at_gobgp ||
  bi_gobgp_paths gobgp 4 "$BI_VNET4" | sed 's/^/# /'
bi_check "BIRD's, GoBGP's and ExaBGP's routes reach FRR with their AS paths and next hops" \
  rh_wait 20 others_at_frr || rh_vtysh frr 'show bgp ipv4 unicast' | sed 's/^/# /'
bi_check "effective routes: FRR's route active via FRR's address" \
  rh_wait 10 bi_effective_has 192.0.2.0/24 "$FRR"

# ------------------------------------------------------------------ 13-15 withdrawal
rh_vtysh frr 'configure terminal' 'router bgp 65001' 'address-family ipv4 unicast' \
  'no network 192.0.2.0/24' >/dev/null
bird_lacks() { [ -z "$(bi_bird_paths bird 192.0.2.0/24)" ]; }
gobgp_lacks() { [ -z "$(bi_gobgp_paths gobgp 4 192.0.2.0/24)" ]; }
bi_check "withdrawal: BIRD loses FRR's route" rh_wait 15 bird_lacks
bi_check "withdrawal: GoBGP loses FRR's route" rh_wait 15 gobgp_lacks
bi_check "withdrawal: routehub's effective routes lose FRR's route" \
  rh_wait 10 bi_effective_lacks 192.0.2.0/24

# ------------------------------------------------------------------ 16-20 route refresh
frr_updates() { bi_frr_field frr "$1" messageStats updatesRecv; }
more_updates() { [ "$(frr_updates "$1")" -gt "$2" ] 2>/dev/null; }
before=$(frr_updates 198.18.1.4)
rr_before=$(bi_frr_field frr 198.18.1.4 messageStats routeRefreshSent)
rrr_before=$(bi_frr_field frr 198.18.1.4 messageStats routeRefreshRecv)
rh_vtysh frr 'clear bgp ipv4 unicast 198.18.1.4 in' >/dev/null
refreshed() {
  more_updates 198.18.1.4 "$before" &&
    [ "$(bi_frr_field frr 198.18.1.4 messageStats routeRefreshSent)" -gt "${rr_before:-0}" ] &&
    vnet_at_frr && others_at_frr
}
if rh_wait 10 refreshed; then
  rh_ok "FRR ROUTE-REFRESH: the table is sent again"
else
  rh_not_ok "FRR ROUTE-REFRESH: the table is sent again"
  rh_log "updates $before -> $(frr_updates 198.18.1.4), route refresh sent $rr_before ->" \
    "$(bi_frr_field frr 198.18.1.4 messageStats routeRefreshSent)"
  rh_vtysh frr 'show bgp ipv4 unicast' | sed 's/^/# /'
fi
# RFC 7313 4: routehub and FRR both announce Enhanced Route Refresh, so the answer is
# framed by a BoRR and an EoRR, which FRR counts as route-refresh messages received.
framed() {
  [ "$(bi_frr_field frr 198.18.1.4 messageStats routeRefreshRecv)" -ge $((rrr_before + 2)) ]
}
bi_check "FRR ROUTE-REFRESH: the answer is framed by BoRR and EoRR (RFC 7313)" \
  rh_wait 10 framed ||
  rh_log "route refresh received $rrr_before -> $(bi_frr_field frr 198.18.1.4 messageStats routeRefreshRecv)"
bi_check "FRR ROUTE-REFRESH: no session reset" \
  test "$(bi_frr_field frr 198.18.1.4 connectionsEstablished)" = "$conns_at_start"

b4=$(frr_updates 198.18.1.4)
b5=$(frr_updates 198.18.1.5)
resent() {
  more_updates 198.18.1.4 "$b4" && more_updates 198.18.1.5 "$b5" &&
    [ "$(bi_frr_field frr 198.18.1.4 connectionsEstablished)" = "$conns_at_start" ] &&
    [ "$(bi_frr_field frr 198.18.1.5 connectionsEstablished)" = "$conns_at_start" ] &&
    vnet_at_frr && others_at_frr
}
if bi_ctl clear bgp neighbor "$FRR" soft >/dev/null && rh_wait 10 resent; then
  rh_ok "routehubctl clear soft: the table is sent again, no session reset"
else
  rh_not_ok "routehubctl clear soft: the table is sent again, no session reset"
  rh_log "updates $b4 -> $(frr_updates 198.18.1.4), $b5 -> $(frr_updates 198.18.1.5)"
  rh_vtysh frr 'show bgp ipv4 unicast' | sed 's/^/# /'
fi

# BIRD asks too (with Enhanced Route Refresh: it marks its routes stale at the BoRR and
# drops those still stale at the EoRR): its table comes back whole, the session stays.
# (GoBGP's softresetin re-applies its import policy to its own Adj-RIB-In and sends no
# ROUTE-REFRESH, so it is not used here.)
bird_table() {
  bi_bird_paths bird "$BI_VNET4" | grep -q "^rs1|65515|198.18.1.4|" &&
    bi_bird_paths bird 203.0.113.0/25 | grep -q "^rs1|65003|$GOBGP|" &&
    bi_bird_paths bird 203.0.113.128/25 | grep -q "^rs1|65004|$EXA|"
}
bird_since=$(rh_birdc bird show protocols rs1 2>/dev/null | awk '/^rs1 /{print $5}')
rh_birdc bird reload in rs1 >/dev/null
sleep 2
bird_refreshed() {
  bird_table && bi_bird_established bird rs1 &&
    [ "$(rh_birdc bird show protocols rs1 2>/dev/null | awk '/^rs1 /{print $5}')" = "$bird_since" ]
}
bi_check "BIRD reload in (enhanced ROUTE-REFRESH): table whole, no reset" rh_wait 10 bird_refreshed ||
  bi_bird_paths bird 203.0.113.0/24 | sed 's/^/# /'

# ------------------------------------------------------------------ 21-23 unconfigured source
# A second address in BIRD's namespace, which is no peer, connects to an instance twice.
rh_exec bird ip addr add 198.18.12.9/24 dev eth0
# probe_closed: connects from 198.18.12.9 and succeeds when routehub closes the connection
# (EOF or reset) within 5 s; fails when the connection cannot be made or stays open.
probe_closed() {
  rh_exec bird python3 -c '
import socket, sys
s = socket.socket()
s.bind(("198.18.12.9", 0))
s.settimeout(5)
try:
    s.connect(("198.18.1.4", 179))
except OSError:
    sys.exit(2)
try:
    sys.exit(0 if s.recv(100) == b"" else 1)
except ConnectionResetError:
    sys.exit(0)
except socket.timeout:
    sys.exit(1)'
}
if probe_closed && probe_closed; then
  rh_ok "unconfigured source: connection closed"
else
  rh_not_ok "unconfigured source: connection closed"
fi
n=$(grep -c "refused connection from 198.18.12.9: not a configured peer" "$RH_TMP/cp.log")
bi_check "unconfigured source: logged once" test "$n" = 1 || rh_log "logged $n times"
bi_check "unconfigured source: the sessions stay up" \
  bi_rh_all_established "$FRR" "$BIRD" "$GOBGP" "$EXA"

# ------------------------------------------------------------------ 24
no_reset() {
  local l
  for l in "${BI_INST[@]}"; do
    [ "$(bi_frr_field frr "$l" connectionsEstablished)" = 1 ] || return 1
  done
  ! grep -q "session down" "$RH_TMP/cp.log"
}
bi_check "no session reset during the test" no_reset ||
  grep "session down" "$RH_TMP/cp.log" | sed 's/^/# /'

# ------------------------------------------------------------------ 25-27 resets
# `routehubctl clear bgp neighbor ADDR`: Cease/Administrative Reset with the RFC 8203
# shutdown communication, then the sessions come back.
bi_ctl clear bgp neighbor "$FRR" >/dev/null
# FRR's log keeps every NOTIFICATION it received; its lastNotificationReason field can be
# overwritten by what happens as the session comes straight back (a collision, say).
reset_seen() {
  grep -q "Cease/Administrative Reset" "$RH_TMP/frr-frr.log" &&
    grep -q "reset by the operator" "$RH_TMP/frr-frr.log"
}
bi_check "clear bgp neighbor: FRR gets Cease/Administrative Reset with the shutdown message" \
  rh_wait 10 reset_seen || rh_log "$(bi_frr_field frr 198.18.1.4 lastNotificationReason)"
frr_back() { frr_both && bi_rh_all_established "$FRR" && vnet_at_frr && others_at_frr; }
bi_check "clear bgp neighbor: FRR's sessions and routes come back" rh_wait 30 frr_back
# SIGTERM: every peer gets Cease/Administrative Shutdown with the shutdown message.
kill "$BI_CP_PID"
shut_frr() {
  bi_frr_field frr 198.18.1.5 lastNotificationReason | grep -q "Cease/Administrative Shutdown" &&
    grep -q "routehub-controlplane shutting down" "$RH_TMP/frr-frr.log"
}
shut_bird() { rh_birdc bird show protocols all rs1 | grep -q "Administrative shutdown"; }
shut_all() { shut_frr && shut_bird && ! bi_gobgp_established gobgp 198.18.1.4; }
bi_check "routehub stops: FRR, BIRD and GoBGP see Cease/Administrative Shutdown" rh_wait 10 shut_all ||
  rh_birdc bird show protocols all rs1 | sed 's/^/# /' | head -12

rh_done
