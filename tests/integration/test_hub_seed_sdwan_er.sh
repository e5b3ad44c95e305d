#!/usr/bin/env bash
# The seed article's first diagram (R4, R5) with real peers: FRR as the SD-WAN NVA (AS
# 65001, "on-prem 1" = 192.0.2.0/24) peering multihop with both route-server instances
# (198.18.1.4, .5), BIRD as the on-premises router behind ExpressRoute (AS 65010, "on-prem
# 2" = 198.51.100.0/24) at 198.19.1.2; the control plane runs configs/lab-sdwan-er.json.
#   exchange off: the NVA gets only the VNet route, ER on-premises only the VNet route;
#   both on-prem prefixes are programmed (effective routes)
#   exchange on (routehubctl set branch-to-branch on): the NVA also gets on-prem 2, ER
#   on-premises also gets on-prem 1 with an AS path starting 12076 and no private ASN
#   off again: both withdrawn again
#   no session reset through all of it, by the peers' own counters
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/hub_lib.sh
. "$here/hub_lib.sh"
rh_init hub_sdwan_er

names=("sessions up (hub, FRR, BIRD)" "off: NVA gets the VNet route only"
  "off: ER on-prem gets the VNet route only" "off: both on-prem prefixes programmed"
  "on: NVA gets on-prem 2 (and the VNet route, nothing else)" "on: ER on-prem gets on-prem 1 (and the VNet route, nothing else)" "on: on-prem 1 AS path at ER on-prem starts 12076, no private ASN"
  "off again: NVA's on-prem 2 withdrawn" "off again: ER on-prem's on-prem 1 withdrawn"
  "no reset: FRR connectionsEstablished 1 on both sessions, uptime grew"
  "no reset: BIRD since-time unchanged")
if ! hub_have_tools; then
  for t in "${names[@]}"; do rh_skip "$t" "routehub build, FRR bgpd, BIRD or jq not available"; done
  rh_done
  exit $?
fi

hub_topo_base || exit 1
hub_topo_nva nva 1 || exit 1
hub_topo_er || exit 1

hub_cfg lab-sdwan-er.json "$RH_TMP/hub.json"
frr_nva_conf "$RH_TMP/frr.conf" 198.18.2.4 65001 "" "" 192.0.2.0/24
bird_onprem_conf "$RH_TMP/bird.conf" 198.19.1.2 65010 "hub 198.19.1.1 12076" -- 198.51.100.0/24

hub_start "$RH_TMP/hub.json" || { rh_not_ok "control plane started"; rh_done; exit 1; }
rh_frr_start nva "$RH_TMP/frr.conf" || exit 1
rh_bird_start er "$RH_TMP/bird.conf" || exit 1

up() { hub_all_established && frr_established nva && bird_established er hub; }
if rh_wait 30 up; then rh_ok "${names[0]}"; else
  rh_not_ok "${names[0]}"
  hub_ctl show bgp summary | sed 's/^/# /'
fi
rh_wait 10 frr_has nva 198.18.0.0/16
rh_wait 10 bird_has er hub 198.18.0.0/16
rh_wait 10 hub_eff_active 192.0.2.0/24 nva
rh_wait 10 hub_eff_active 198.51.100.0/24 expressroute
up1=$(frr_nbr nva 198.18.1.4 bgpTimerUpMsec)
since=$(bird_since er hub)
sleep 2

# exchange off (the default)
r=$(frr_routes nva | sort | tr '\n' ' ')
adv=$(hub_ctl --json show bgp neighbor 198.18.2.4 advertised-routes |
  jq -r '[.. | objects | select(has("advertised-route")) | .["advertised-route"][] | .prefix] | unique | join(" ")')
rh_log "the hub's advertised-routes toward the NVA: $adv"
if [ "$r" = "192.0.2.0/24 198.18.0.0/16 " ] && [ "$adv" = 198.18.0.0/16 ]; then rh_ok "${names[1]}"; else
  rh_not_ok "${names[1]} (FRR holds: $r; advertised: $adv)"
fi
r=$(bird_routes er hub | sort | tr '\n' ' ')
if [ "$r" = "198.18.0.0/16 " ]; then rh_ok "${names[2]}"; else rh_not_ok "${names[2]} (BIRD holds: $r)"; fi
if hub_eff_active 192.0.2.0/24 nva && hub_eff_active 198.51.100.0/24 expressroute; then
  rh_ok "${names[3]}"
else
  rh_not_ok "${names[3]}"
  hub_ctl show effective-routes | sed 's/^/# /'
fi

# exchange on
hub_ctl set branch-to-branch on >/dev/null || rh_log "set branch-to-branch on failed"
# exactly: the NVA its own on-prem 1, the VNet route and on-prem 2; ER on-premises the VNet
# route and on-prem 1
nva_set() { [ "$(frr_routes nva | sort | tr '\n' ' ')" = "192.0.2.0/24 198.18.0.0/16 198.51.100.0/24 " ]; }
er_set() { [ "$(bird_routes er hub | sort | tr '\n' ' ')" = "192.0.2.0/24 198.18.0.0/16 " ]; }
if rh_wait 10 nva_set; then rh_ok "${names[4]}"; else rh_not_ok "${names[4]} ($(frr_routes nva | tr '\n' ' '))"; fi
if rh_wait 10 er_set; then rh_ok "${names[5]}"; else rh_not_ok "${names[5]} ($(bird_routes er hub | tr '\n' ' '))"; fi
p=$(bird_aspath er hub 192.0.2.0/24)
rh_log "on-prem 1 at ER on-prem: AS path '$p'"
priv=0
for a in $p; do
  if { [ "$a" -ge 64512 ] && [ "$a" -le 65534 ]; } || { [ "$a" -ge 4200000000 ] && [ "$a" -le 4294967294 ]; }; then priv=1; fi
done
if [ "${p%% *}" = 12076 ] && [ "$priv" = 0 ]; then rh_ok "${names[6]}"; else rh_not_ok "${names[6]} (path '$p')"; fi

# off again
hub_ctl set branch-to-branch off >/dev/null || rh_log "set branch-to-branch off failed"
if rh_wait 10 frr_lacks nva 198.51.100.0/24 && frr_has nva 198.18.0.0/16; then rh_ok "${names[7]}"; else rh_not_ok "${names[7]}"; fi
if rh_wait 10 bird_lacks er hub 192.0.2.0/24 && bird_has er hub 198.18.0.0/16; then rh_ok "${names[8]}"; else rh_not_ok "${names[8]}"; fi

sleep 1
c=$(frr_conn_counts nva)
up2=$(frr_nbr nva 198.18.1.4 bgpTimerUpMsec)
rh_log "FRR connectionsEstablished: $c, uptime ${up1} ms -> ${up2} ms"
if [ "$c" = "1 1" ] && [ "$up2" -gt "$up1" ]; then rh_ok "${names[9]}"; else rh_not_ok "${names[9]} ($c; $up1 -> $up2)"; fi
s2=$(bird_since er hub)
rh_log "BIRD hub protocol: '$since' -> '$s2'"
if [ -n "$since" ] && [ "$since" = "$s2" ] && bird_established er hub; then rh_ok "${names[10]}"; else rh_not_ok "${names[10]}"; fi

rh_done
