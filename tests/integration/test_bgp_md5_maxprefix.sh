#!/usr/bin/env bash
# TCP MD5 (RFC 2385) and the route limit (R11, RFC 4486) of routehub's route server against
# real peers (topology: bgp_interop_lib.sh), with route-limit 5 for the NVAs:
#   BIRD  (AS 65002) the same key as routehub
#   FRR   (AS 65001) a different key first, then the same one
#   GoBGP (AS 65003) no key, while routehub has one for it
#   1     MD5 with the same key: BIRD's sessions establish
#   2-3   different keys (FRR) and a key on routehub's side only (GoBGP): no session for 12 s
#   4     FRR given the right key: Established
#   5     FRR's two networks reach BIRD
#   6-8   FRR announces four more (six > 5): routehub sends NOTIFICATION Cease/1 (maximum
#         number of prefixes reached), as FRR's `show bgp neighbors json` reports, with
#         AFI/SAFI/limit as its data (FRR's log), and logs it
#   9-10  FRR's routes are withdrawn from BIRD and from the effective routes
#   11    BIRD's sessions stay up
#   12    FRR's sessions stay down afterwards (routehub keeps them down)
#   13    back within the limit, `routehubctl clear bgp neighbor` brings them up again
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/bgp_interop_lib.sh
. "$here/bgp_interop_lib.sh"
rh_init bgp_md5_maxprefix

names=("MD5 same key: BIRD established" "MD5 different keys: FRR stays down"
  "MD5 on routehub's side only: GoBGP stays down" "MD5 same key: FRR established"
  "FRR's two networks reach BIRD"
  "route limit: FRR receives NOTIFICATION Cease/Maximum Number of Prefixes Reached"
  "route limit: the NOTIFICATION carries AFI 1, SAFI 1 and the limit 5 (RFC 4486)"
  "route limit: routehub logs the teardown" "route limit: BIRD loses FRR's routes"
  "route limit: the effective routes lose FRR's routes" "route limit: BIRD's sessions stay up"
  "route limit: FRR's sessions stay down"
  "route limit: routehubctl clear bgp neighbor brings FRR back within the limit")
bi_require gobgpd bird /usr/lib/frr/bgpd "$RH_BUILD/controlplane/routehub-controlplane"

BI_INST=("${BI_RS4[@]}")
FRR=198.18.11.2
BIRD=198.18.12.2
GOBGP=198.18.13.2
KEY=rh-md5-key-1

bi_hub || bi_fail_setup "hub namespace"
for p in "frr 1" "bird 2" "gobgp 3"; do
  # shellcheck disable=SC2086 # NAME and number
  bi_peer_ns $p || bi_fail_setup "namespace $p"
done
bi_config "$RH_TMP/hub.json" 4 5 "1:65001:$KEY" "2:65002:$KEY" "3:65003:$KEY"
bi_cp_start "$RH_TMP/hub.json" || bi_fail_setup "routehub-controlplane starts"
bi_frr_conf "$RH_TMP/frr.conf" 1 65001 4 wrong-key 192.0.2.0/25 192.0.2.128/25
rh_frr_start frr "$RH_TMP/frr.conf" || bi_fail_setup "FRR starts"
bi_bird_conf "$RH_TMP/bird.conf" 2 65002 4 "$KEY" 198.51.100.0/24
rh_bird_start bird "$RH_TMP/bird.conf" || bi_fail_setup "BIRD starts"
bi_gobgp_conf "$RH_TMP/gobgp.toml" 3 65003 4 ""
rh_gobgp_start gobgp "$RH_TMP/gobgp.toml" || bi_fail_setup "GoBGP starts"

# ------------------------------------------------------------------ 1-4 MD5
bird_both() { bi_bird_established bird rs1 && bi_bird_established bird rs2; }
bi_check "MD5 same key: BIRD established" rh_wait 30 bird_both
# For 12 s (FRR and GoBGP retry every 2 s, routehub every 5 s at first), neither side of
# either peer may see the session up.
frr_up=0 gobgp_up=0
end=$((SECONDS + 12))
while [ "$SECONDS" -lt "$end" ]; do
  for l in "${BI_INST[@]}"; do
    { bi_frr_established frr "$l" || bi_rh_established "$FRR" "$l"; } && frr_up=1
    { bi_gobgp_established gobgp "$l" || bi_rh_established "$GOBGP" "$l"; } && gobgp_up=1
  done
  sleep 0.5
done
bi_check "MD5 different keys: FRR stays down" test "$frr_up" = 0
bi_check "MD5 on routehub's side only: GoBGP stays down" test "$gobgp_up" = 0
rh_vtysh frr 'configure terminal' 'router bgp 65001' "neighbor 198.18.1.4 password $KEY" \
  "neighbor 198.18.1.5 password $KEY" >/dev/null
frr_both() { bi_frr_established frr 198.18.1.4 && bi_frr_established frr 198.18.1.5; }
bi_check "MD5 same key: FRR established" rh_wait 30 frr_both

# ------------------------------------------------------------------ 5-11 route limit
frr_at_bird() {
  local p
  for p in 192.0.2.0/25 192.0.2.128/25; do
    bi_bird_paths bird "$p" | grep -q "^rs1|65001|$FRR|" || return 1
  done
}
bi_check "FRR's two networks reach BIRD" rh_wait 20 frr_at_bird
bird_since=$(rh_birdc bird show protocols 2>/dev/null | awk '/^rs[12] /{print $1, $5}')
rh_vtysh frr 'configure terminal' 'router bgp 65001' 'address-family ipv4 unicast' \
  'network 203.0.113.0/26 route-map TAG' 'network 203.0.113.64/26 route-map TAG' \
  'network 203.0.113.128/26 route-map TAG' 'network 203.0.113.192/26 route-map TAG' >/dev/null
frr_notified() {
  bi_frr_field frr "$1" lastNotificationReason |
    grep -q "Cease/Maximum Number of Prefixes Reached"
}
frr_notified_both() { frr_notified 198.18.1.4 && frr_notified 198.18.1.5; }
if bi_check "route limit: FRR receives NOTIFICATION Cease/Maximum Number of Prefixes Reached" \
  rh_wait 20 frr_notified_both; then :; else
  for l in "${BI_INST[@]}"; do
    rh_log "$l: $(bi_frr_field frr "$l" lastNotificationReason) / $(bi_frr_field frr "$l" lastResetDueTo)"
  done
fi
bi_check "route limit: the NOTIFICATION carries AFI 1, SAFI 1 and the limit 5 (RFC 4486)" \
  grep -q "6/1 (Cease/Maximum Number of Prefixes Reached) 7 bytes 00 01 01 00 00 00 05" \
  "$RH_TMP/frr-frr.log"
bi_check "route limit: routehub logs the teardown" \
  grep -q "peer route-server $FRR@198.18.1.4: route limit of 5 exceeded" "$RH_TMP/cp.log"
bird_lacks() {
  local p
  for p in 192.0.2.0/25 192.0.2.128/25 203.0.113.0/26; do
    [ -z "$(bi_bird_paths bird "$p")" ] || return 1
  done
}
bi_check "route limit: BIRD loses FRR's routes" rh_wait 15 bird_lacks
eff_lacks() {
  local p
  for p in 192.0.2.0/25 192.0.2.128/25 203.0.113.0/26; do
    bi_effective_lacks "$p" || return 1
  done
}
bi_check "route limit: the effective routes lose FRR's routes" rh_wait 10 eff_lacks
bird_still() {
  bird_both && bi_rh_all_established "$BIRD" &&
    [ -n "$bird_since" ] && [ "$(rh_birdc bird show protocols 2>/dev/null | awk '/^rs[12] /{print $1, $5}')" = "$bird_since" ]
}
bi_check "route limit: BIRD's sessions stay up" bird_still
# FRR retries every 2 s; routehub refuses it.
frr_up=0
end=$((SECONDS + 8))
while [ "$SECONDS" -lt "$end" ]; do
  for l in "${BI_INST[@]}"; do
    { bi_frr_established frr "$l" || bi_rh_established "$FRR" "$l"; } && frr_up=1
  done
  sleep 0.5
done
bi_check "route limit: FRR's sessions stay down" test "$frr_up" = 0
# The operator brings it back once FRR is within the limit again.
rh_vtysh frr 'configure terminal' 'router bgp 65001' 'address-family ipv4 unicast' \
  'no network 203.0.113.0/26' 'no network 203.0.113.64/26' 'no network 203.0.113.128/26' \
  'no network 203.0.113.192/26' >/dev/null
bi_ctl clear bgp neighbor "$FRR" >/dev/null
frr_back() { frr_both && bi_rh_all_established "$FRR" && frr_at_bird; }
bi_check "route limit: routehubctl clear bgp neighbor brings FRR back within the limit" \
  rh_wait 30 frr_back

rh_done
