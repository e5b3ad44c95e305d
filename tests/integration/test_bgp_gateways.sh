#!/usr/bin/env bash
# The gateways' sessions against real on-premises peers with 4-octet ASNs (RFC 6793), next
# to an NVA of the route server (topology: bgp_interop_lib.sh):
#   FRR   (AS 65001)      NVA, multihop to the route server (198.18.1.4, 198.18.1.5)
#   BIRD  (AS 4200000001) on-premises behind ExpressRoute, direct to the ER instance
#                         198.18.12.1; the circuit's edge presents AS 12076
#   GoBGP (AS 4200000002) on-premises behind the active-active VPN gateway, direct to its
#                         instances 198.18.13.1 and 198.18.13.3 (AS 65515)
#   1-3   sessions established; BIRD sees the peer AS 12076
#   4-5   the VNet route reaches BIRD as 12076 (next hop the ER instance) and GoBGP as 65515
#         (next hop the VPN instance)
#   6     BIRD's route is an effective route of source ExpressRoute via BIRD's address
#   7     branch-to-branch off (R4): FRR and BIRD do not get each other's routes
#   8-11  branch-to-branch on at runtime (R5): FRR gets BIRD's route as 65515 4200000001;
#         BIRD gets FRR's with the private AS 65001 removed (12076 alone); GoBGP gets both
#         behind 65515; no session was reset
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/bgp_interop_lib.sh
. "$here/bgp_interop_lib.sh"
rh_init bgp_gateways

names=("FRR (NVA): both sessions Established"
  "BIRD (AS 4200000001, ExpressRoute): Established, peer AS 12076"
  "GoBGP (AS 4200000002, VPN): both sessions Established"
  "VNet route at BIRD: AS path 12076, next hop the ER instance"
  "VNet route at GoBGP: AS path 65515, next hop the VPN instance"
  "BIRD's route: effective route of source ExpressRoute via BIRD"
  "R4 branch-to-branch off: FRR and BIRD do not get each other's routes"
  "R5 on: FRR gets BIRD's route, AS path 65515 4200000001"
  "R5 on: BIRD gets FRR's route, AS path 12076 (private AS removed)"
  "R5 on: GoBGP gets FRR's and BIRD's routes behind 65515"
  "R5 on: no session reset")
bi_require gobgpd bird /usr/lib/frr/bgpd "$RH_BUILD/controlplane/routehub-controlplane"

BI_INST=("${BI_RS4[@]}")
FRR=198.18.11.2
BIRD=198.18.12.2
GOBGP=198.18.13.2

bi_hub || bi_fail_setup "hub namespace"
for p in "frr 1" "bird 2" "gobgp 3"; do
  # shellcheck disable=SC2086 # NAME and number
  bi_peer_ns $p || bi_fail_setup "namespace $p"
done
rh_exec hub ip addr add 198.18.13.3/24 dev h-gobgp

cat >"$RH_TMP/hub.json" <<EOF
{"routehub:routehub": {
 "route-server": {
  "instance-address": ["198.18.1.4", "198.18.1.5"],
  "vnet-address-space": ["$BI_VNET4", "$BI_VNET6"],
  "nva-peer": [{"address": "$FRR", "asn": 65001, "hold-time": 9, "multihop": 2}]},
 "expressroute-gateway": {
  "instance-address": ["198.18.12.1"],
  "on-premises-peer": [{"address": "$BIRD", "asn": 4200000001, "hold-time": 9}]},
 "vpn-gateway": {
  "active-active": true,
  "instance-address": ["198.18.13.1", "198.18.13.3"],
  "on-premises-peer": [{"address": "$GOBGP", "asn": 4200000002, "hold-time": 9}]},
 "control-plane": {"router-id": "198.18.1.4", "mgmt-socket": "$RH_TMP/cp.sock"},
 "dataplane": {"port": [{"name": "p0", "vdev": "net_null0"}],
  "fib-socket": "$RH_TMP/fib.sock", "mgmt-socket": "$RH_TMP/dp.sock"}
}}
EOF
bi_cp_start "$RH_TMP/hub.json" || bi_fail_setup "routehub-controlplane starts"
bi_frr_conf "$RH_TMP/frr.conf" 1 65001 4 "" 192.0.2.0/24
rh_frr_start frr "$RH_TMP/frr.conf" || bi_fail_setup "FRR starts"
cat >"$RH_TMP/bird.conf" <<EOF
router id $BIRD;
protocol device { scan time 2; }
protocol static st { ipv4; route 198.51.100.0/24 blackhole; }
protocol bgp er {
  local $BIRD as 4200000001; neighbor 198.18.12.1 as 12076;
  hold time 9; connect retry time 2;
  ipv4 { import all; export where net = 198.51.100.0/24; };
}
EOF
rh_bird_start bird "$RH_TMP/bird.conf" || bi_fail_setup "BIRD starts"
{
  echo "[global.config]"
  echo "  as = 4200000002"
  echo "  router-id = \"$GOBGP\""
  echo "  port = -1"
  for n in 198.18.13.1 198.18.13.3; do
    echo "[[neighbors]]"
    echo "  [neighbors.config]"
    echo "    neighbor-address = \"$n\""
    echo "    peer-as = 65515"
    echo "  [neighbors.timers.config]"
    echo "    connect-retry = 2"
    echo "    hold-time = 9"
    echo "    keepalive-interval = 3"
    echo "  [neighbors.transport.config]"
    echo "    local-address = \"$GOBGP\""
    echo "  [[neighbors.afi-safis]]"
    echo "    [neighbors.afi-safis.config]"
    echo "      afi-safi-name = \"ipv4-unicast\""
  done
} >"$RH_TMP/gobgp.toml"
rh_gobgp_start gobgp "$RH_TMP/gobgp.toml" || bi_fail_setup "GoBGP starts"

# ------------------------------------------------------------------ 1-3 sessions
frr_both() { bi_frr_established frr 198.18.1.4 && bi_frr_established frr 198.18.1.5; }
bird_up() {
  bi_bird_established bird er && rh_birdc bird show protocols all er | grep -q "Neighbor AS: *12076"
}
gobgp_both() { bi_gobgp_established gobgp 198.18.13.1 && bi_gobgp_established gobgp 198.18.13.3; }
bi_check "FRR (NVA): both sessions Established" rh_wait 30 frr_both
bi_check "BIRD (AS 4200000001, ExpressRoute): Established, peer AS 12076" rh_wait 30 bird_up
bi_check "GoBGP (AS 4200000002, VPN): both sessions Established" rh_wait 30 gobgp_both

# ------------------------------------------------------------------ 4-7 routes, R4
vnet_at_bird() { bi_bird_paths bird "$BI_VNET4" | grep -q "^er|12076|198.18.12.1|"; }
vnet_at_gobgp() {
  local out
  out=$(bi_gobgp_paths gobgp 4 "$BI_VNET4")
  grep -q "^198.18.13.1|65515|198.18.13.1|" <<<"$out" &&
    grep -q "^198.18.13.3|65515|198.18.13.3|" <<<"$out"
}
bi_check "VNet route at BIRD: AS path 12076, next hop the ER instance" rh_wait 20 vnet_at_bird ||
  bi_bird_paths bird "$BI_VNET4" | sed 's/^/# /'
bi_check "VNet route at GoBGP: AS path 65515, next hop the VPN instance" rh_wait 20 vnet_at_gobgp ||
  bi_gobgp_paths gobgp 4 "$BI_VNET4" | sed 's/^/# /'
er_effective() {
  bi_ctl_json show effective-routes 2>/dev/null | python3 -c '
import json, sys
for r in json.load(sys.stdin)["routehub:state"].get("effective-route", []):
    if r["prefix"] == "198.51.100.0/24" and r.get("active") and r.get("source") == "expressroute" \
       and sys.argv[1] in r.get("next-hop", []):
        sys.exit(0)
sys.exit(1)' "$BIRD"
}
bi_check "BIRD's route: effective route of source ExpressRoute via BIRD" rh_wait 20 er_effective ||
  bi_ctl show effective-routes | sed 's/^/# /'
# The NVA's route is in (FRR's own route reached routehub) before absence means anything.
rh_wait 20 bi_effective_has 192.0.2.0/24 "$FRR"
sleep 2
no_exchange() {
  [ -z "$(bi_frr_route frr 4 198.51.100.0/24)" ] && [ -z "$(bi_bird_paths bird 192.0.2.0/24)" ]
}
bi_check "R4 branch-to-branch off: FRR and BIRD do not get each other's routes" no_exchange

# ------------------------------------------------------------------ 8-11 R5
bi_ctl set branch-to-branch on >/dev/null
bird_at_frr() {
  local out
  out=$(bi_frr_route frr 4 198.51.100.0/24)
  grep -qx "65515 4200000001|198.18.1.4|198.18.1.4" <<<"$out" &&
    grep -qx "65515 4200000001|198.18.1.5|198.18.1.5" <<<"$out"
}
bi_check "R5 on: FRR gets BIRD's route, AS path 65515 4200000001" rh_wait 20 bird_at_frr ||
  bi_frr_route frr 4 198.51.100.0/24 | sed 's/^/# /'
frr_at_bird() { bi_bird_paths bird 192.0.2.0/24 | grep -q "^er|12076|198.18.12.1|"; }
bi_check "R5 on: BIRD gets FRR's route, AS path 12076 (private AS removed)" rh_wait 20 frr_at_bird ||
  bi_bird_paths bird 192.0.2.0/24 | sed 's/^/# /'
both_at_gobgp() {
  bi_gobgp_paths gobgp 4 192.0.2.0/24 | grep -q "^198.18.13.1|65515 65001|198.18.13.1|" &&
    bi_gobgp_paths gobgp 4 198.51.100.0/24 | grep -q "^198.18.13.1|65515 4200000001|198.18.13.1|"
}
bi_check "R5 on: GoBGP gets FRR's and BIRD's routes behind 65515" rh_wait 20 both_at_gobgp ||
  { bi_gobgp_paths gobgp 4 192.0.2.0/24; bi_gobgp_paths gobgp 4 198.51.100.0/24; } | sed 's/^/# /'
bi_check "R5 on: no session reset" bash -c "! grep -q 'session down' '$RH_TMP/cp.log'" ||
  grep "session down" "$RH_TMP/cp.log" | sed 's/^/# /'

rh_done
