#!/usr/bin/env bash
# The hub over IPv6 with a real peer: an ExpressRoute gateway whose instance is
# 2001:db8:19:1::1 and BIRD as the on-premises router at 2001:db8:19:1::2 (AS 65010) on an
# IPv6 session, advertising 2001:db8:51::/48; FRR as the NVA on the IPv4 route server.
#   R1: ER on-premises receives the IPv6 VNet space 2001:db8:100::/48 (AS path 12076, next
#       hop the gateway's instance)
#   R17: 2001:db8:51::/48 is an active effective route from ExpressRoute, next hop the BIRD
#       router
#   with branch-to-branch on, the NVA's IPv4 192.0.2.0/24 is not sent on the IPv6 session
#   (no IPv4 next hop of the gateway: docs/hub.md)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/hub_lib.sh
. "$here/hub_lib.sh"
rh_init hub_ipv6_er

names=("sessions up (IPv6 ER session, NVA)" "R1: ER on-premises receives the IPv6 VNet space with AS path 12076, next hop 2001:db8:19:1::1"
  "R17: 2001:db8:51::/48 programmed from ExpressRoute with next hop 2001:db8:19:1::2"
  "R5: on: no IPv4 route on the IPv6-only ExpressRoute session (no IPv4 next hop)")
if ! hub_have_tools; then
  for t in "${names[@]}"; do rh_skip "$t" "routehub build, FRR bgpd, BIRD or jq not available"; done
  rh_done
  exit $?
fi

hub_topo_base || exit 1
hub_topo_nva nva 1 || exit 1
hub_topo_er || exit 1
ip -n "$(rh_nsname hub)" addr add 2001:db8:19:1::1/64 dev br-er nodad
ip -n "$(rh_nsname er)" addr add 2001:db8:19:1::2/64 dev e-hub nodad

hub_cfg lab-sdwan-er.json "$RH_TMP/hub.json" '
  .["expressroute-gateway"]["instance-address"] = ["2001:db8:19:1::1"]
| .["expressroute-gateway"]["on-premises-peer"] = [{"address": "2001:db8:19:1::2", "asn": 65010}]
| .["route-server"]["branch-to-branch"] = true'
frr_nva_conf "$RH_TMP/frr.conf" 198.18.2.4 65001 "" "" 192.0.2.0/24
cat >"$RH_TMP/bird.conf" <<EOF
router id 198.19.1.2;
protocol device {}
protocol static st6 { ipv6; route 2001:db8:51::/48 blackhole; }
protocol bgp hub6 { local 2001:db8:19:1::2 as 65010; neighbor 2001:db8:19:1::1 as 12076;
  connect retry time 3; ipv6 { import all; export where source = RTS_STATIC; }; }
EOF

hub_start "$RH_TMP/hub.json" || { rh_not_ok "control plane started"; rh_done; exit 1; }
rh_frr_start nva "$RH_TMP/frr.conf" || exit 1
rh_bird_start er "$RH_TMP/bird.conf" || exit 1

up() { hub_all_established && frr_established nva && bird_established er hub6; }
if rh_wait 30 up; then rh_ok "${names[0]}"; else
  rh_not_ok "${names[0]}"
  hub_ctl show bgp summary | sed 's/^/# /'
fi
v6_vnet() {
  [ "$(bird_aspath er hub6 2001:db8:100::/48)" = 12076 ] &&
    rh_birdc er show route 2001:db8:100::/48 protocol hub6 all | grep -q "BGP.next_hop: 2001:db8:19:1::1"
}
if rh_wait 10 v6_vnet; then rh_ok "${names[1]}"; else rh_not_ok "${names[1]}"; fi
prog() {
  hub_eff_active 2001:db8:51::/48 expressroute &&
    [ "$(hub_eff 2001:db8:51::/48 | jq -r 'select(.active) | .["next-hop"][]')" = 2001:db8:19:1::2 ]
}
if rh_wait 10 prog; then rh_ok "${names[2]}"; else
  rh_not_ok "${names[2]}"
  hub_ctl show effective-routes | sed 's/^/# /'
fi
sleep 1
r=$(bird_routes er hub6 | tr '\n' ' ')
if hub_eff_active 192.0.2.0/24 nva && [ "$r" = "2001:db8:100::/48 " ]; then rh_ok "${names[3]}"; else
  rh_not_ok "${names[3]} (BIRD holds: $r)"
fi

rh_done
