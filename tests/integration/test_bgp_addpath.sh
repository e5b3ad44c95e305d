#!/usr/bin/env bash
# ADD-PATH send (RFC 7911) from the route server. Two BIRD feeders (nva1 AS 65001, nva2
# AS 65002) advertise the same prefix 203.0.113.0/24; GoBGP "rx" (AS 65003, configured
# with add-path send in routehub, add-paths receive in GoBGP) must see both paths from
# each instance, each with its own AS path (once: a feeder's two sessions, one per
# instance, bring the same path twice, and it is sent once); GoBGP "ctl" (AS 65004, add-path left at its
# default, off) sees one path per instance, as before. When nva1 stops, rx keeps nva2's
# path only. Topology: bgp_interop_lib.sh. IPv4 by default; test_bgp_addpath6.sh runs it
# over IPv6 (ADDPATH_FAMILY=6: prefix 2001:db8:ff::/48, MP_REACH/MP_UNREACH with path ids).
#   1    every session Established
#   2    rx: both paths of the prefix from the first instance (AS paths 65001 and 65002)
#   3    rx: the same from the second instance
#   4    ctl (add-path off): one path per instance
#   5    nva1 stops: rx keeps one path per instance, nva2's
#   6    no session of rx was reset (the withdrawal is by path id, not a reset)
#   7    the negotiated mode is logged: ADD-PATH send on rx's two sessions, no other
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/bgp_interop_lib.sh
. "$here/bgp_interop_lib.sh"
FAM=${ADDPATH_FAMILY:-4}
rh_init "bgp_addpath$FAM"
BI_INST=("${BI_RS4[@]}")
PFX=203.0.113.0/24
AF=ipv4-unicast
if [ "$FAM" = 6 ]; then
  BI_INST=("${BI_RS6[@]}")
  PFX=2001:db8:ff::/48
  AF=ipv6-unicast
fi

names=("every session Established"
  "ADD-PATH receiver: both paths from instance ${BI_INST[0]}"
  "ADD-PATH receiver: both paths from instance ${BI_INST[1]}"
  "peer without ADD-PATH: one path per instance"
  "one feeder stops: the receiver keeps the other path only"
  "ADD-PATH receiver: no session reset"
  "the log names ADD-PATH send for the receiver's two sessions only")
bi_require gobgpd bird "$RH_BUILD/controlplane/routehub-controlplane"

fail_setup() {
  rh_not_ok "setup: $1"
  sed 's/^/# /' "$RH_TMP/cp.log" 2>/dev/null | tail -20
  rh_done
  exit 1
}

bi_hub || fail_setup "hub namespace"
for p in "nva1 1" "nva2 2" "rx 3" "ctl 4"; do
  # shellcheck disable=SC2086 # NAME and number
  bi_peer_ns $p || fail_setup "namespace $p"
done
bi_config "$RH_TMP/hub.json" "$FAM" 1000 1:65001 2:65002 3:65003::send 4:65004
bi_cp_start "$RH_TMP/hub.json" || fail_setup "routehub-controlplane starts"
bi_bird_conf "$RH_TMP/nva1.conf" 1 65001 "$FAM" "" "$PFX"
bi_bird_conf "$RH_TMP/nva2.conf" 2 65002 "$FAM" "" "$PFX"
rh_bird_start nva1 "$RH_TMP/nva1.conf" || fail_setup "BIRD nva1 starts"
rh_bird_start nva2 "$RH_TMP/nva2.conf" || fail_setup "BIRD nva2 starts"
# GoBGP receives ADD-PATH on its unicast family (its add-paths receive knob).
bi_gobgp_conf "$RH_TMP/rx.toml" 3 65003 "$FAM" ""
sed -i "s/^      afi-safi-name = \"$AF\"\$/&\\n    [neighbors.afi-safis.add-paths.config]\\n      receive = true/" \
  "$RH_TMP/rx.toml"
grep -q 'receive = true' "$RH_TMP/rx.toml" || fail_setup "GoBGP add-paths configuration"
bi_gobgp_conf "$RH_TMP/ctl.toml" 4 65004 "$FAM" ""
rh_gobgp_start rx "$RH_TMP/rx.toml" || fail_setup "GoBGP rx starts"
rh_gobgp_start ctl "$RH_TMP/ctl.toml" || fail_setup "GoBGP ctl starts"

all_up() {
  bi_rh_all_established "$(bi_addr 1 "$FAM")" "$(bi_addr 2 "$FAM")" "$(bi_addr 3 "$FAM")" \
    "$(bi_addr 4 "$FAM")"
}
bi_check "${names[0]}" rh_wait 60 all_up || sed 's/^/# /' "$RH_TMP/cp.log" | tail -20

# paths_from NS INSTANCE: the AS paths of PFX learned from INSTANCE, sorted, one line.
paths_from() {
  bi_gobgp_paths "$1" "$FAM" "$PFX" | awk -F'|' -v n="$2" '$1 == n { print $2 }' | sort | tr '\n' ';'
}
want_paths() { [ "$(paths_from "$1" "$2")" = "$3" ]; }
both_ok() {
  want_paths rx "${BI_INST[0]}" "65001;65002;" || return 1
  want_paths rx "${BI_INST[1]}" "65001;65002;"
}
rh_wait 30 both_ok
for k in 0 1; do
  bi_check "${names[$((k + 1))]}" want_paths rx "${BI_INST[$k]}" "65001;65002;" ||
    rh_log "rx from ${BI_INST[$k]}: $(paths_from rx "${BI_INST[$k]}")"
done
one_each() {
  local i n
  for i in "${BI_INST[@]}"; do
    n=$(bi_gobgp_paths ctl "$FAM" "$PFX" | awk -F'|' -v n="$i" '$1 == n' | wc -l)
    [ "$n" = 1 ] || return 1
  done
}
rh_wait 10 one_each
bi_check "${names[3]}" one_each || bi_gobgp_paths ctl "$FAM" "$PFX" | sed 's/^/# ctl: /'

# Resets seen so far by rx: its established transitions per neighbour.
resets() {
  local i
  for i in "${BI_INST[@]}"; do
    rh_gobgp rx neighbor "$i" -j 2>/dev/null |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["state"].get("messages",{}).get("received",{}).get("notification",0))' 2>/dev/null
  done | tr '\n' ' '
}
before=$(resets)
rh_birdc nva1 disable rs1 >/dev/null
rh_birdc nva1 disable rs2 >/dev/null
only_nva2() {
  want_paths rx "${BI_INST[0]}" "65002;" || return 1
  want_paths rx "${BI_INST[1]}" "65002;"
}
rh_wait 30 only_nva2
bi_check "${names[4]}" only_nva2 ||
  rh_log "rx: $(paths_from rx "${BI_INST[0]}") / $(paths_from rx "${BI_INST[1]}")"
after=$(resets)
still_up() { bi_gobgp_established rx "${BI_INST[0]}" && bi_gobgp_established rx "${BI_INST[1]}"; }
RX=$(bi_addr 3 "$FAM")
if still_up && [ "$before" = "$after" ] &&
  [ "$(grep -F "peer route-server $RX@" "$RH_TMP/cp.log" | grep -c "session established")" = 2 ]; then
  rh_ok "${names[5]}"
else
  rh_not_ok "${names[5]}"
  rh_log "notifications before: $before after: $after"
  grep -F "$RX" "$RH_TMP/cp.log" | sed 's/^/# /' | tail -10
fi
# The negotiated mode is logged per session: send, toward rx's two sessions only.
logged_send() {
  [ "$(grep -c "ADD-PATH send for IPv$FAM" "$RH_TMP/cp.log")" = 2 ] &&
    [ "$(grep "ADD-PATH send for IPv$FAM" "$RH_TMP/cp.log" | grep -cF " $(bi_addr 3 "$FAM")@")" = 2 ]
}
bi_check "${names[6]}" logged_send || grep "ADD-PATH" "$RH_TMP/cp.log" | sed 's/^/# /'
rh_done
