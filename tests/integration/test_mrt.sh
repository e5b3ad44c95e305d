#!/usr/bin/env bash
# MRT table dumps (RFC 6396 TABLE_DUMP_V2) of the control plane's RIBs, read back with
# Debian's bgpdump.
#
# The route server (198.18.1.4/.5 on the loopback of "hub") with FRR as an NVA in "nva"
# (AS 65001, 198.18.2.4, also 2001:db8:2::4): 192.0.2.0/24 plain, 198.51.100.0/24 with its
# AS prepended twice, MED 50 and community 65001:100, 203.0.113.0/24 plain, and
# 2001:db8:77::/48 over IPv6 unicast (MP-BGP on the IPv4 sessions).
#   1  `routehubctl dump mrt FILE` writes the file
#   2  bgpdump reads it: one RIB entry per prefix and session (both instances), from
#      peer 198.18.2.4 AS 65001, and only the peer's routes (no VNet spaces)
#   3  AS paths, next hops, MED and communities as FRR sent them (what FRR says it
#      advertised)
#   4  the IPv6 prefix in a RIB_IPV6_UNICAST record with FRR's IPv6 next hop
#   5  a relative FILE is relative to the operator's directory (routehubctl makes it
#      absolute; the daemon takes absolute paths only)
#   6  a FILE in a directory that does not exist: an error, non-zero exit, nothing written
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/hub_lib.sh
. "$here/hub_lib.sh"
rh_init mrt

names=("dump mrt writes the file" "bgpdump reads every session's routes, only theirs"
  "AS paths, next hops, MED, communities as sent" "IPv6 prefix with its next hop"
  "relative path: the operator's directory" "missing directory: refused, nothing written")
if ! hub_have_tools || ! command -v bgpdump >/dev/null; then
  for t in "${names[@]}"; do
    rh_skip "$t" "routehub build, FRR, BIRD, jq or bgpdump (scripts/install-deps.sh) missing"
  done
  rh_done
  exit $?
fi

run() {
  local out=$RH_TMP/rib.mrt lines
  hub_topo_base || return 1
  hub_topo_nva nva 1 || return 1
  rh_exec hub ip addr add 2001:db8:2::1/64 dev h-nva nodad
  rh_exec nva ip addr add 2001:db8:2::4/64 dev n-hub nodad
  hub_cfg lab-sdwan-er.json "$RH_TMP/hub.json" 'del(.["expressroute-gateway"])'
  frr_nva_conf "$RH_TMP/nva.conf" 198.18.2.4 65001 "" \
    "$(printf '%s\n' ' exit-address-family' ' address-family ipv6 unicast' \
      '  network 2001:db8:77::/48' '  neighbor 198.18.1.4 activate' \
      '  neighbor 198.18.1.5 activate' '  neighbor 198.18.1.4 route-map OUT out' \
      '  neighbor 198.18.1.5 route-map OUT out')" \
    192.0.2.0/24 198.51.100.0/24 203.0.113.0/24
  cat >>"$RH_TMP/nva.conf" <<'EOF'
ip prefix-list P1 seq 5 permit 198.51.100.0/24
route-map OUT permit 10
 match ip address prefix-list P1
 set as-path prepend 65001 65001
 set metric 50
 set community 65001:100
!
route-map OUT permit 20
 match ipv6 address prefix-list V6
 set ipv6 next-hop global 2001:db8:2::4
!
ipv6 prefix-list V6 seq 5 permit 2001:db8:77::/48
!
EOF
  rh_frr_start nva "$RH_TMP/nva.conf" || return 1
  hub_start "$RH_TMP/hub.json" || return 1
  rh_wait 60 hub_all_established || rh_log "sessions not Established in 60 s"
  all_in() {
    [ "$(hub_ctl --json show bgp summary | jq '[.. | objects | select(has("bgp-neighbor")) |
      .["bgp-neighbor"][] | .["prefixes-received"]] | add')" = 8 ]
  }
  rh_wait 30 all_in || rh_log "not every route received in 30 s"

  rh_check "${names[0]}" sh -c "'$RH_BUILD/cli/routehubctl' --cp-socket '$RH_TMP/controlplane.sock' \
    dump mrt '$out' | sed 's/^/# /' && test -s '$out'"
  bgpdump -m "$out" >"$RH_TMP/rib.txt" 2>"$RH_TMP/bgpdump.err"
  sed 's/^/# /' "$RH_TMP/rib.txt"
  # TABLE_DUMP2|time|B|peer|peer AS|prefix|AS path|origin|next hop|local pref|MED|communities|...
  lines=$(awk -F'|' '$1 == "TABLE_DUMP2" && $3 == "B" && $4 == "198.18.2.4" && $5 == 65001' \
    "$RH_TMP/rib.txt" | wc -l)
  rh_check "${names[1]}" test "$lines" = 8 -a "$(wc -l <"$RH_TMP/rib.txt")" = 8 -a \
    "$(cut -d'|' -f6 "$RH_TMP/rib.txt" | sort -u | tr '\n' ' ')" = \
    "192.0.2.0/24 198.51.100.0/24 2001:db8:77::/48 203.0.113.0/24 "

  # What FRR says it advertised to the first instance, in bgpdump's terms: FRR lists the
  # path before its own AS goes in front (eBGP), and 0.0.0.0 for "myself" (the update
  # source, 198.18.2.4).
  rh_vtysh nva 'show bgp ipv4 unicast neighbors 198.18.1.4 advertised-routes json' |
    jq -r '.advertisedRoutes | to_entries[] |
      "\(.key)|65001\(if .value.path == "" then "" else " " + .value.path end)|\(
        if .value.nextHop == "0.0.0.0" then "198.18.2.4" else .value.nextHop end)"' |
    sort >"$RH_TMP/frr.txt"
  sed 's/^/# FRR advertised: /' "$RH_TMP/frr.txt"
  ok=1
  while IFS='|' read -r p path nh; do
    grep -q "|$p|$path|IGP|$nh|" "$RH_TMP/rib.txt" || { rh_log "$p $path $nh not in the dump"; ok=0; }
  done <"$RH_TMP/frr.txt"
  [ "$(wc -l <"$RH_TMP/frr.txt")" = 3 ] || ok=0
  grep -q '|198.51.100.0/24|65001 65001 65001|IGP|198.18.2.4|0|50|65001:100|' "$RH_TMP/rib.txt" ||
    ok=0
  rh_check "${names[2]}" test "$ok" = 1

  rh_check "${names[3]}" grep -q '|2001:db8:77::/48|65001|IGP|2001:db8:2::4|' "$RH_TMP/rib.txt"

  mkdir -p "$RH_TMP/ops"
  rh_check "${names[4]}" sh -c "cd '$RH_TMP/ops' && '$RH_BUILD/cli/routehubctl' \
    --cp-socket '$RH_TMP/controlplane.sock' dump mrt rel.mrt >/dev/null &&
    bgpdump -m '$RH_TMP/ops/rel.mrt' 2>/dev/null | grep -c . | grep -qx 8"

  local err
  err=$(hub_ctl dump mrt "$RH_TMP/no/such/dir/x.mrt" 2>&1)
  local rc=$?
  rh_log "$err"
  rh_check "${names[5]}" test "$rc" != 0 -a ! -e "$RH_TMP/no" -a -n "$err"
}

run || rh_log "setup failed"
while [ "$RH_TESTS" -lt "${#names[@]}" ]; do rh_not_ok "${names[$RH_TESTS]}"; done
rh_done
