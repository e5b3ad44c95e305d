#!/usr/bin/env bash
# The route server over IPv6: its two instances are 2001:db8:1::4 and 2001:db8:1::5 (a
# second configuration; the router id stays 198.18.1.4), and FRR (AS 65001), BIRD 2
# (65002), GoBGP (65003) and ExaBGP (65004) peer with both over IPv6 multihop eBGP,
# carrying IPv6 unicast routes (MP_REACH_NLRI / MP_UNREACH_NLRI, RFC 4760).
#   1-5    sessions Established, seen by FRR, BIRD, GoBGP, ExaBGP's log and routehubctl
#   6-7    FRR's 2001:db8:f01::/48 reaches BIRD and GoBGP with AS path 65001, next hop
#          FRR's global address, community and large community unchanged
#   8-10   the VNet route 2001:db8:100::/48 reaches FRR, BIRD and GoBGP with AS path 65515
#          and next hop the instance it came from
#   11-12  BIRD's, GoBGP's and ExaBGP's routes reach FRR; routehub's effective routes
#          program FRR's route with FRR's next hop
#   13-15  FRR withdraws its network: BIRD, GoBGP and the effective routes lose it
#   16-17  a TCP connection from an address that is no peer is closed and logged once
#   18-19  ExaBGP re-announces an IPv6 route with ORIGIN 5: treat-as-withdraw of the
#          MP_REACH_NLRI's prefixes (RFC 7606 7.1), session kept
#   20     no session was reset
#   21-23  R11 over IPv6 (route-limit 5): FRR announces six IPv6 networks; routehub sends
#          NOTIFICATION Cease/1 whose data names AFI 2 (IPv6), SAFI 1 and the limit 5
#          (RFC 4486), and the other sessions stay up
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/bgp_interop_lib.sh
. "$here/bgp_interop_lib.sh"
rh_init bgp_interop6

names=("FRR: both IPv6 sessions Established" "BIRD: both IPv6 sessions Established"
  "GoBGP: both IPv6 sessions Established" "ExaBGP: both IPv6 sessions connected"
  "routehub: all 8 IPv6 sessions established"
  "FRR's IPv6 route at BIRD: AS path, next hop, communities unchanged"
  "FRR's IPv6 route at GoBGP: AS path, next hop, communities unchanged"
  "IPv6 VNet route at FRR: AS path 65515, next hop the instance"
  "IPv6 VNet route at BIRD: AS path 65515, next hop the instance"
  "IPv6 VNet route at GoBGP: AS path 65515, next hop the instance"
  "BIRD's, GoBGP's and ExaBGP's IPv6 routes reach FRR"
  "effective routes: FRR's IPv6 route active via FRR's address"
  "IPv6 withdrawal: BIRD loses FRR's route" "IPv6 withdrawal: GoBGP loses FRR's route"
  "IPv6 withdrawal: the effective routes lose FRR's route"
  "IPv6 unconfigured source: connection closed" "IPv6 unconfigured source: logged once"
  "IPv6 treat-as-withdraw: the route leaves BIRD and the effective routes"
  "IPv6 treat-as-withdraw: ExaBGP's sessions stay established"
  "no IPv6 session reset"
  "IPv6 route limit: FRR receives NOTIFICATION Cease/Maximum Number of Prefixes Reached"
  "IPv6 route limit: the NOTIFICATION data is AFI 2, SAFI 1, limit 5 (RFC 4486)"
  "IPv6 route limit: the other sessions stay up")
bi_require gobgpd exabgp bird /usr/lib/frr/bgpd "$RH_BUILD/controlplane/routehub-controlplane"

BI_INST=("${BI_RS6[@]}")
I4=${BI_RS6[0]}
I5=${BI_RS6[1]}
FRR=2001:db8:11::2
BIRD=2001:db8:12::2
GOBGP=2001:db8:13::2
EXA=2001:db8:14::2
NET=2001:db8:f01::/48

bi_hub || bi_fail_setup "hub namespace"
for p in "frr 1" "bird 2" "gobgp 3" "exa 4"; do
  # shellcheck disable=SC2086 # NAME and number
  bi_peer_ns $p || bi_fail_setup "namespace $p"
done
bi_config "$RH_TMP/hub.json" 6 5 1:65001 2:65002 3:65003 4:65004
bi_cp_start "$RH_TMP/hub.json" || bi_fail_setup "routehub-controlplane starts"
bi_frr_conf "$RH_TMP/frr.conf" 1 65001 6 "" "$NET"
rh_frr_start frr "$RH_TMP/frr.conf" || bi_fail_setup "FRR starts"
bi_bird_conf "$RH_TMP/bird.conf" 2 65002 6 "" 2001:db8:f02::/48
rh_bird_start bird "$RH_TMP/bird.conf" || bi_fail_setup "BIRD starts"
bi_gobgp_conf "$RH_TMP/gobgp.toml" 3 65003 6 ""
rh_gobgp_start gobgp "$RH_TMP/gobgp.toml" || bi_fail_setup "GoBGP starts"
rh_gobgp gobgp global rib add -a ipv6 2001:db8:f03::/48 nexthop "$GOBGP" >/dev/null ||
  bi_fail_setup "GoBGP takes a route"
mkfifo "$RH_TMP/exa.fifo"
exec 7<>"$RH_TMP/exa.fifo"
bi_exabgp_conf "$RH_TMP/exa.conf" 4 65004 6 "$RH_TMP/exa.fifo"
rh_exabgp_start exa "$RH_TMP/exa.conf"
echo "announce route 2001:db8:f04::/48 next-hop self" >&7

# ------------------------------------------------------------------ 1-5 sessions
frr_both() { bi_frr_established frr "$I4" && bi_frr_established frr "$I5"; }
bird_both() { bi_bird_established bird rs1 && bi_bird_established bird rs2; }
gobgp_both() { bi_gobgp_established gobgp "$I4" && bi_gobgp_established gobgp "$I5"; }
exa_both() {
  grep -q "connected to .*$EXA-$I4" "$RH_TMP/exabgp-exa.log" &&
    grep -q "connected to .*$EXA-$I5" "$RH_TMP/exabgp-exa.log" &&
    bi_rh_all_established "$EXA"
}
bi_check "FRR: both IPv6 sessions Established" rh_wait 30 frr_both
bi_check "BIRD: both IPv6 sessions Established" rh_wait 30 bird_both
bi_check "GoBGP: both IPv6 sessions Established" rh_wait 30 gobgp_both
bi_check "ExaBGP: both IPv6 sessions connected" rh_wait 30 exa_both
bi_check "routehub: all 8 IPv6 sessions established" \
  rh_wait 30 bi_rh_all_established "$FRR" "$BIRD" "$GOBGP" "$EXA"

# ------------------------------------------------------------------ 6-12 routes
frr_at_bird() {
  local out
  out=$(bi_bird_paths bird "$NET")
  grep -qx "rs1|65001|$FRR|(65001,100)|(65001, 1, 2)" <<<"$out" &&
    grep -qx "rs2|65001|$FRR|(65001,100)|(65001, 1, 2)" <<<"$out"
}
frr_at_gobgp() {
  local out
  out=$(bi_gobgp_paths gobgp 6 "$NET")
  grep -qx "$I4|65001|$FRR|65001:100|65001:1:2" <<<"$out" &&
    grep -qx "$I5|65001|$FRR|65001:100|65001:1:2" <<<"$out"
}
vnet_at_frr() {
  local out
  out=$(bi_frr_route frr 6 "$BI_VNET6")
  grep -qx "65515|$I4|$I4" <<<"$out" && grep -qx "65515|$I5|$I5" <<<"$out"
}
vnet_at_bird() {
  local out
  out=$(bi_bird_paths bird "$BI_VNET6")
  grep -q "^rs1|65515|$I4|" <<<"$out" && grep -q "^rs2|65515|$I5|" <<<"$out"
}
vnet_at_gobgp() {
  local out
  out=$(bi_gobgp_paths gobgp 6 "$BI_VNET6")
  grep -q "^$I4|65515|$I4|" <<<"$out" && grep -q "^$I5|65515|$I5|" <<<"$out"
}
others_at_frr() {
  bi_frr_route frr 6 2001:db8:f02::/48 | grep -qx "65002|$BIRD|$I4" &&
    bi_frr_route frr 6 2001:db8:f02::/48 | grep -qx "65002|$BIRD|$I5" &&
    bi_frr_route frr 6 2001:db8:f03::/48 | grep -qx "65003|$GOBGP|$I4" &&
    bi_frr_route frr 6 2001:db8:f04::/48 | grep -qx "65004|$EXA|$I5"
}
bi_check "FRR's IPv6 route at BIRD: AS path, next hop, communities unchanged" \
  rh_wait 20 frr_at_bird || bi_bird_paths bird "$NET" | sed 's/^/# /'
bi_check "FRR's IPv6 route at GoBGP: AS path, next hop, communities unchanged" \
  rh_wait 20 frr_at_gobgp || bi_gobgp_paths gobgp 6 "$NET" | sed 's/^/# /'
bi_check "IPv6 VNet route at FRR: AS path 65515, next hop the instance" rh_wait 20 vnet_at_frr ||
  bi_frr_route frr 6 "$BI_VNET6" | sed 's/^/# /'
bi_check "IPv6 VNet route at BIRD: AS path 65515, next hop the instance" rh_wait 20 vnet_at_bird ||
  bi_bird_paths bird "$BI_VNET6" | sed 's/^/# /'
bi_check "IPv6 VNet route at GoBGP: AS path 65515, next hop the instance" \
  rh_wait 20 vnet_at_gobgp || bi_gobgp_paths gobgp 6 "$BI_VNET6" | sed 's/^/# /'
bi_check "BIRD's, GoBGP's and ExaBGP's IPv6 routes reach FRR" rh_wait 20 others_at_frr ||
  rh_vtysh frr 'show bgp ipv6 unicast' | sed 's/^/# /'
bi_check "effective routes: FRR's IPv6 route active via FRR's address" \
  rh_wait 10 bi_effective_has "$NET" "$FRR" || bi_ctl show effective-routes | sed 's/^/# /'

# ------------------------------------------------------------------ 13-15 withdrawal
rh_vtysh frr 'configure terminal' 'router bgp 65001' 'address-family ipv6 unicast' \
  "no network $NET" >/dev/null
bird_lacks() { [ -z "$(bi_bird_paths bird "$NET")" ]; }
gobgp_lacks() { [ -z "$(bi_gobgp_paths gobgp 6 "$NET")" ]; }
bi_check "IPv6 withdrawal: BIRD loses FRR's route" rh_wait 15 bird_lacks
bi_check "IPv6 withdrawal: GoBGP loses FRR's route" rh_wait 15 gobgp_lacks
bi_check "IPv6 withdrawal: the effective routes lose FRR's route" \
  rh_wait 10 bi_effective_lacks "$NET"

# ------------------------------------------------------------------ 16-17 unconfigured source
rh_exec bird ip addr add 2001:db8:12::9/64 dev eth0 nodad
probe_closed() {
  rh_exec bird python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.bind(("2001:db8:12::9", 0))
s.settimeout(5)
try:
    s.connect(("2001:db8:1::5", 179))
except OSError:
    sys.exit(2)
try:
    sys.exit(0 if s.recv(100) == b"" else 1)
except ConnectionResetError:
    sys.exit(0)
except socket.timeout:
    sys.exit(1)'
}
closed_twice() { probe_closed && probe_closed; }
bi_check "IPv6 unconfigured source: connection closed" closed_twice
n=$(grep -c "refused connection from 2001:db8:12::9: not a configured peer" "$RH_TMP/cp.log")
bi_check "IPv6 unconfigured source: logged once" test "$n" = 1 || rh_log "logged $n times"

# ------------------------------------------------------------------ 18-19 RFC 7606 over MP_REACH
# ExaBGP announces 2001:db8:f05::/48, then again with ORIGIN 5: treat-as-withdraw (RFC
# 7606 7.1) of the MP_REACH_NLRI's prefixes, the session stays.
echo "announce route 2001:db8:f05::/48 next-hop self" >&7
at_bird5() { bi_bird_paths bird 2001:db8:f05::/48 | grep -q "^rs1|65004|$EXA|"; }
rh_wait 20 at_bird5
echo "announce route 2001:db8:f05::/48 next-hop self attribute [ 0x01 0x40 0x05 ]" >&7
gone() { ! at_bird5 && bi_effective_lacks 2001:db8:f05::/48; }
bi_check "IPv6 treat-as-withdraw: the route leaves BIRD and the effective routes" rh_wait 10 gone
bi_check "IPv6 treat-as-withdraw: ExaBGP's sessions stay established" \
  bi_rh_all_established "$EXA"

# ------------------------------------------------------------------ 20
bi_check "no IPv6 session reset" bash -c "! grep -q 'session down' '$RH_TMP/cp.log'" ||
  grep "session down" "$RH_TMP/cp.log" | sed 's/^/# /'

# ------------------------------------------------------------------ 21-23 route limit
cmds=('configure terminal' 'router bgp 65001' 'address-family ipv6 unicast')
for i in 1 2 3 4 5 6; do cmds+=("network 2001:db8:f1$i::/48 route-map TAG"); done
rh_vtysh frr "${cmds[@]}" >/dev/null
frr_notified() {
  bi_frr_field frr "$1" lastNotificationReason | grep -q "Cease/Maximum Number of Prefixes Reached"
}
frr_notified_both() { frr_notified "$I4" && frr_notified "$I5"; }
bi_check "IPv6 route limit: FRR receives NOTIFICATION Cease/Maximum Number of Prefixes Reached" \
  rh_wait 20 frr_notified_both
bi_check "IPv6 route limit: the NOTIFICATION data is AFI 2, SAFI 1, limit 5 (RFC 4486)" \
  grep -q "6/1 (Cease/Maximum Number of Prefixes Reached) 7 bytes 00 02 01 00 00 00 05" \
  "$RH_TMP/frr-frr.log" || grep "Maximum Number" "$RH_TMP/frr-frr.log" | sed 's/^/# /'
others_up() {
  bi_rh_all_established "$BIRD" "$GOBGP" "$EXA" && bird_both && gobgp_both &&
    ! grep -Eq "peer [a-z-]+ ($BIRD|$GOBGP|$EXA)@.*session down" "$RH_TMP/cp.log"
}
bi_check "IPv6 route limit: the other sessions stay up" others_up

rh_done
