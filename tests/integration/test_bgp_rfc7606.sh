#!/usr/bin/env bash
# RFC 7606 error handling of routehub's route server against malformed UPDATEs sent by
# ExaBGP (AS 65004, raw attributes through its API: `attribute [ CODE FLAGS VALUE ]`),
# while FRR (65001) and BIRD (65002) peer normally (topology: bgp_interop_lib.sh).
#   1     every session established
#   2     ExaBGP's valid routes reach BIRD and the effective routes
#   3-8   203.0.113.0/26 again with ORIGIN 5 (RFC 7606 7.1: treat-as-withdraw): the session
#         stays up, the route leaves the effective routes, ExaBGP's received routes and
#         BIRD, ExaBGP's other route stays, and routehub logs it
#   9     203.0.113.192/26 with a malformed ATOMIC_AGGREGATE (length 1; RFC 7606 7.6:
#         attribute discard): accepted without it (BIRD sees none), session up
#   10-12 203.0.113.64/26 with a malformed MP_REACH_NLRI (a prefix length of 33; RFC 7606
#         5.3, 7.11: session reset): routehub sends NOTIFICATION UPDATE Message Error to
#         ExaBGP only, FRR's and BIRD's sessions are untouched
#   13    once ExaBGP withdraws it, ExaBGP's sessions come back
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/bgp_interop_lib.sh
. "$here/bgp_interop_lib.sh"
rh_init bgp_rfc7606

names=("every session established" "ExaBGP's valid routes reach BIRD and the effective routes"
  "treat-as-withdraw: ExaBGP's sessions stay established"
  "treat-as-withdraw: the route leaves the effective routes"
  "treat-as-withdraw: the route is not among ExaBGP's received routes"
  "treat-as-withdraw: BIRD loses the route" "treat-as-withdraw: ExaBGP's other route stays"
  "treat-as-withdraw: logged as such" "attribute discard: the route is accepted, session up"
  "session reset: NOTIFICATION UPDATE Message Error sent to ExaBGP"
  "session reset: ExaBGP's sessions went down"
  "session reset: FRR's and BIRD's sessions untouched"
  "session reset: ExaBGP's sessions come back once it withdraws the route")
bi_require exabgp bird /usr/lib/frr/bgpd "$RH_BUILD/controlplane/routehub-controlplane"

BI_INST=("${BI_RS4[@]}")
FRR=198.18.11.2
BIRD=198.18.12.2
EXA=198.18.14.2

bi_hub || bi_fail_setup "hub namespace"
for p in "frr 1" "bird 2" "exa 4"; do
  # shellcheck disable=SC2086 # NAME and number
  bi_peer_ns $p || bi_fail_setup "namespace $p"
done
bi_config "$RH_TMP/hub.json" 4 1000 1:65001 2:65002 4:65004
bi_cp_start "$RH_TMP/hub.json" || bi_fail_setup "routehub-controlplane starts"
bi_frr_conf "$RH_TMP/frr.conf" 1 65001 4 "" 192.0.2.0/24
rh_frr_start frr "$RH_TMP/frr.conf" || bi_fail_setup "FRR starts"
bi_bird_conf "$RH_TMP/bird.conf" 2 65002 4 "" 198.51.100.0/24
rh_bird_start bird "$RH_TMP/bird.conf" || bi_fail_setup "BIRD starts"
mkfifo "$RH_TMP/exa.fifo"
exec 7<>"$RH_TMP/exa.fifo"
bi_exabgp_conf "$RH_TMP/exa.conf" 4 65004 4 "$RH_TMP/exa.fifo"
rh_exabgp_start exa "$RH_TMP/exa.conf"
exa() { echo "$*" >&7; }

# ------------------------------------------------------------------ 1-2
all_up() { bi_rh_all_established "$FRR" "$BIRD" "$EXA" && bi_bird_established bird rs1 &&
  bi_bird_established bird rs2 && bi_frr_established frr 198.18.1.4 &&
  bi_frr_established frr 198.18.1.5; }
bi_check "every session established" rh_wait 30 all_up
exa announce route 203.0.113.0/26 next-hop self
exa announce route 203.0.113.128/25 next-hop self
at_bird() { bi_bird_paths bird "$1" | grep -q "^rs1|65004|$EXA|"; }
valid_routes() {
  at_bird 203.0.113.0/26 && at_bird 203.0.113.128/25 &&
    bi_effective_has 203.0.113.0/26 "$EXA" && bi_effective_has 203.0.113.128/25 "$EXA"
}
bi_check "ExaBGP's valid routes reach BIRD and the effective routes" rh_wait 20 valid_routes
frr_conns=$(bi_frr_field frr 198.18.1.4 connectionsEstablished),$(bi_frr_field frr 198.18.1.5 connectionsEstablished)
bird_since=$(rh_birdc bird show protocols 2>/dev/null | awk '/^rs[12] /{print $1, $5}')

# ------------------------------------------------------------------ 3-9 treat-as-withdraw
# ORIGIN (type 1, flags 0x40 well-known transitive) with the undefined value 5.
exa announce route 203.0.113.0/26 next-hop self attribute [ 0x01 0x40 0x05 ]
logged() { grep -q "peer route-server $EXA@198.18.1.4: malformed UPDATE (malformed ORIGIN): treat-as-withdraw" "$RH_TMP/cp.log"; }
rh_wait 10 logged
sleep 1
exa_up() { bi_rh_all_established "$EXA" && ! grep -q "peer route-server $EXA@.*session down" "$RH_TMP/cp.log"; }
bi_check "treat-as-withdraw: ExaBGP's sessions stay established" exa_up
bi_check "treat-as-withdraw: the route leaves the effective routes" \
  rh_wait 10 bi_effective_lacks 203.0.113.0/26
not_received() {
  local l
  for l in "${BI_INST[@]}"; do
    bi_ctl_json show bgp neighbor "$EXA" received-routes | python3 -c '
import json, sys
st = json.load(sys.stdin)["routehub:state"]
pfx = [r["prefix"] for n in st.get("bgp-neighbor", []) for r in n.get("received-route", [])]
sys.exit(0 if "203.0.113.128/25" in pfx and "203.0.113.0/26" not in pfx else 1)' || return 1
  done
}
bi_check "treat-as-withdraw: the route is not among ExaBGP's received routes" not_received ||
  bi_ctl show bgp neighbor "$EXA" received-routes | sed 's/^/# /'
bird_lacks() { [ -z "$(bi_bird_paths bird "$1")" ]; }
bi_check "treat-as-withdraw: BIRD loses the route" rh_wait 10 bird_lacks 203.0.113.0/26
other_stays() { at_bird 203.0.113.128/25 && bi_effective_has 203.0.113.128/25 "$EXA"; }
bi_check "treat-as-withdraw: ExaBGP's other route stays" other_stays
bi_check "treat-as-withdraw: logged as such" logged

# ATOMIC_AGGREGATE (type 6) must be empty; one octet makes it malformed.
exa announce route 203.0.113.192/26 next-hop self attribute [ 0x06 0x40 0x01 ]
# Accepted without the attribute: BIRD sees no ATOMIC_AGGREGATE on it.
discarded() {
  bi_effective_has 203.0.113.192/26 "$EXA" && at_bird 203.0.113.192/26 && exa_up &&
    ! rh_birdc bird show route all 203.0.113.192/26 | grep -q atomic
}
bi_check "attribute discard: the route is accepted, session up" rh_wait 10 discarded ||
  grep "$EXA" "$RH_TMP/cp.log" | grep -v "info:" | sed 's/^/# /' | tail -5

# ------------------------------------------------------------------ 10-13 session reset
# MP_REACH_NLRI (type 14, optional): AFI 1, SAFI 1, next hop 198.18.14.2, reserved 0, then
# a prefix of length 33, which no IPv4 NLRI can have.
exa announce route 203.0.113.64/26 next-hop self attribute [ 0x0e 0x80 0x00010104c6120e020021cb00710000 ]
reset_sent() { grep -q "bgp route-server $EXA@198.18.1.[45]: sent NOTIFICATION 3/" "$RH_TMP/cp.log"; }
bi_check "session reset: NOTIFICATION UPDATE Message Error sent to ExaBGP" rh_wait 10 reset_sent ||
  grep "$EXA" "$RH_TMP/cp.log" | grep -v "info:" | sed 's/^/# /' | tail -5
exa withdraw route 203.0.113.64/26 next-hop self
went_down() {
  grep -q "peer route-server $EXA@198.18.1.4: session down" "$RH_TMP/cp.log" &&
    grep -q "peer route-server $EXA@198.18.1.5: session down" "$RH_TMP/cp.log"
}
bi_check "session reset: ExaBGP's sessions went down" rh_wait 10 went_down
others_untouched() {
  [ "$(bi_frr_field frr 198.18.1.4 connectionsEstablished),$(bi_frr_field frr 198.18.1.5 connectionsEstablished)" = "$frr_conns" ] &&
    [ -n "$bird_since" ] && [ "$(rh_birdc bird show protocols 2>/dev/null | awk '/^rs[12] /{print $1, $5}')" = "$bird_since" ] &&
    bi_rh_all_established "$FRR" "$BIRD" &&
    ! grep -Eq "peer [a-z-]+ ($FRR|$BIRD)@.*session down" "$RH_TMP/cp.log"
}
bi_check "session reset: FRR's and BIRD's sessions untouched" others_untouched
back() { bi_rh_all_established "$EXA" && bi_effective_has 203.0.113.128/25 "$EXA"; }
# Up, and still up 3 s later (no new reset).
back_stable() { rh_wait 30 back && sleep 3 && back; }
bi_check "session reset: ExaBGP's sessions come back once it withdraws the route" back_stable

rh_done
