#!/usr/bin/env bash
# ADD-PATH send (RFC 7911) from the route server. Two BIRD feeders (nva1 AS 65001, nva2
# AS 65002) advertise the same prefix 203.0.113.0/24; GoBGP "rx" (AS 65003, configured
# with add-path send in routehub, add-paths receive in GoBGP) must see both paths from
# each instance, each with its own AS path (once: a feeder's two sessions, one per
# instance, bring the same path twice, and it is sent once); GoBGP "ctl" (AS 65004, add-path left at its
# default, off) sees one path per instance, as before. When nva1 stops, rx keeps nva2's
# path only. Topology: bgp_interop_lib.sh.
#   1    every session Established
#   2    rx: both paths of the prefix from instance 198.18.1.4 (AS paths 65001 and 65002)
#   3    rx: the same from instance 198.18.1.5
#   4    ctl (add-path off): one path per instance
#   5    nva1 stops: rx keeps one path per instance, nva2's
#   6    no session of rx was reset (the withdrawal is by path id, not a reset)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/bgp_interop_lib.sh
. "$here/bgp_interop_lib.sh"
rh_init bgp_addpath

names=("every session Established"
  "ADD-PATH receiver: both paths from instance 198.18.1.4"
  "ADD-PATH receiver: both paths from instance 198.18.1.5"
  "peer without ADD-PATH: one path per instance"
  "one feeder stops: the receiver keeps the other path only"
  "ADD-PATH receiver: no session reset")
for t in gobgpd bird "$RH_BUILD/controlplane/routehub-controlplane"; do
  if ! command -v "$t" >/dev/null; then
    for n in "${names[@]}"; do rh_skip "$n" "$t not available"; done
    rh_done
    exit $?
  fi
done

BI_INST=("${BI_RS4[@]}")
PFX=203.0.113.0/24
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
bi_config "$RH_TMP/hub.json" 4 1000 1:65001 2:65002 3:65003::send 4:65004
bi_cp_start "$RH_TMP/hub.json" || fail_setup "routehub-controlplane starts"
bi_bird_conf "$RH_TMP/nva1.conf" 1 65001 4 "" "$PFX"
bi_bird_conf "$RH_TMP/nva2.conf" 2 65002 4 "" "$PFX"
rh_bird_start nva1 "$RH_TMP/nva1.conf" || fail_setup "BIRD nva1 starts"
rh_bird_start nva2 "$RH_TMP/nva2.conf" || fail_setup "BIRD nva2 starts"
# GoBGP receives ADD-PATH on its IPv4 unicast family (its add-paths receive knob).
bi_gobgp_conf "$RH_TMP/rx.toml" 3 65003 4 ""
sed -i 's/^      afi-safi-name = "ipv4-unicast"$/&\n    [neighbors.afi-safis.add-paths.config]\n      receive = true/' \
  "$RH_TMP/rx.toml"
grep -q 'receive = true' "$RH_TMP/rx.toml" || fail_setup "GoBGP add-paths configuration"
bi_gobgp_conf "$RH_TMP/ctl.toml" 4 65004 4 ""
rh_gobgp_start rx "$RH_TMP/rx.toml" || fail_setup "GoBGP rx starts"
rh_gobgp_start ctl "$RH_TMP/ctl.toml" || fail_setup "GoBGP ctl starts"

all_up() {
  bi_rh_all_established 198.18.11.2 198.18.12.2 198.18.13.2 198.18.14.2
}
bi_check "${names[0]}" rh_wait 60 all_up || sed 's/^/# /' "$RH_TMP/cp.log" | tail -20

# paths_from NS INSTANCE: the AS paths of PFX learned from INSTANCE, sorted, one line.
paths_from() {
  bi_gobgp_paths "$1" 4 "$PFX" | awk -F'|' -v n="$2" '$1 == n { print $2 }' | sort | tr '\n' ';'
}
want_paths() { [ "$(paths_from "$1" "$2")" = "$3" ]; }
both_ok() {
  want_paths rx 198.18.1.4 "65001;65002;" || return 1
  want_paths rx 198.18.1.5 "65001;65002;"
}
rh_wait 30 both_ok
bi_check "${names[1]}" want_paths rx 198.18.1.4 "65001;65002;" ||
  rh_log "rx from 198.18.1.4: $(paths_from rx 198.18.1.4)"
bi_check "${names[2]}" want_paths rx 198.18.1.5 "65001;65002;" ||
  rh_log "rx from 198.18.1.5: $(paths_from rx 198.18.1.5)"
one_each() {
  local i n
  for i in "${BI_INST[@]}"; do
    n=$(bi_gobgp_paths ctl 4 "$PFX" | awk -F'|' -v n="$i" '$1 == n' | wc -l)
    [ "$n" = 1 ] || return 1
  done
}
rh_wait 10 one_each
bi_check "${names[3]}" one_each || bi_gobgp_paths ctl 4 "$PFX" | sed 's/^/# ctl: /'

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
  want_paths rx 198.18.1.4 "65002;" || return 1
  want_paths rx 198.18.1.5 "65002;"
}
rh_wait 30 only_nva2
bi_check "${names[4]}" only_nva2 ||
  rh_log "rx: $(paths_from rx 198.18.1.4) / $(paths_from rx 198.18.1.5)"
after=$(resets)
still_up() { bi_gobgp_established rx 198.18.1.4 && bi_gobgp_established rx 198.18.1.5; }
if still_up && [ "$before" = "$after" ] &&
  [ "$(grep -c "peer route-server 198.18.13.2@.*session established" "$RH_TMP/cp.log")" = 2 ]; then
  rh_ok "${names[5]}"
else
  rh_not_ok "${names[5]}"
  rh_log "notifications before: $before after: $after"
  grep "198.18.13.2" "$RH_TMP/cp.log" | sed 's/^/# /' | tail -10
fi
rh_done
