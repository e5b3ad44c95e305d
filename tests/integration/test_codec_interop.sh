#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The BGP message codec against real speakers: codec_peer (OPEN, packed UPDATEs for 1000
# IPv4 and 1000 IPv6 prefixes, End-of-RIB, Cease with a shutdown communication, all made
# by controlplane/bgp/msg*.c) talks to FRR bgpd, BIRD 2 and GoBGP in turn; each must
# establish the session and accept every prefix with the attributes sent.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
rh_init codec-interop
PEER=$RH_BUILD/tests/integration/codec_peer
N=1000
[ -x "$PEER" ] || { rh_not_ok "codec_peer built ($PEER)"; rh_done; exit 1; }

# topology NAME: namespaces aNAME (codec_peer, 198.18.0.1) and bNAME (speaker, 198.18.0.2).
topology() {
  rh_ns "a$1" && rh_ns "b$1" && rh_link "a$1" eth0 198.18.0.1/24 "b$1" eth0 198.18.0.2/24
}
# start_peer NAME SECONDS: codec_peer in the background, its output in $RH_TMP/peer-NAME.out.
start_peer() {
  rh_bg "a$1" "$RH_TMP/peer-$1.out" "$PEER" 198.18.0.2 4200000001 198.18.0.1 "$N" "$2"
  PEER_PID=$RH_LAST_PID
}
# finish_peer NAME: waits (bounded) for codec_peer and checks it ended cleanly.
finish_peer() {
  for _ in $(seq 1 150); do kill -0 "$PEER_PID" 2>/dev/null || break; sleep 0.2; done
  rh_check "$1: codec_peer established, announced and closed cleanly" grep -q '^done$' "$RH_TMP/peer-$1.out"
  sed 's/^/# /' "$RH_TMP/peer-$1.out"
}
# json_check NAME PYTHON-EXPR: reads JSON on stdin, ok when the expression (on j) is true.
json_check() {
  python3 -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}

# ---------------------------------------------------------------- FRR
topology frr || { rh_not_ok "frr topology"; rh_done; exit 1; }
cat >"$RH_TMP/frr.conf" <<CONF
frr defaults traditional
router bgp 65000
 bgp router-id 198.18.0.2
 bgp log-neighbor-changes
 no bgp ebgp-requires-policy
 neighbor 198.18.0.1 remote-as 4200000001
 neighbor 198.18.0.1 passive
 address-family ipv6 unicast
  neighbor 198.18.0.1 activate
 exit-address-family
CONF
if rh_frr_start bfrr "$RH_TMP/frr.conf"; then
  start_peer frr 12
  frr_has() { rh_vtysh bfrr "show bgp $1 unicast summary json" | json_check "j['peers']['198.18.0.1']['pfxRcd'] == $N"; }
  rh_check "frr: $N IPv4 prefixes received" rh_wait 10 frr_has ipv4
  rh_check "frr: $N IPv6 prefixes received (MP_REACH_NLRI)" rh_wait 10 frr_has ipv6
  rh_vtysh bfrr "show bgp ipv4 unicast 198.19.3.4/30 json" >"$RH_TMP/frr-route.json"
  rh_check "frr: AS_PATH, MED, communities and large communities as sent" json_check \
    "(lambda p: p['aspath']['string'] == '4200000001' and p['metric'] == 77 and p['community']['string'] == '65001:1 no-export' and p['largeCommunity']['string'] == '4200000001:2:3')(j['paths'][0])" <"$RH_TMP/frr-route.json"
  rh_vtysh bfrr "show bgp ipv6 unicast 2001:db8:0:3e7::/64 json" >"$RH_TMP/frr-route6.json"
  rh_check "frr: IPv6 next hop 2001:db8::1" json_check \
    "j['paths'][0]['nexthops'][0]['ip'] == '2001:db8::1'" <"$RH_TMP/frr-route6.json"
  finish_peer frr
  rh_check "frr: saw the shutdown communication" rh_wait 10 grep -q "routehub codec test done" "$RH_TMP/frr-bfrr.log"
else
  rh_not_ok "frr: bgpd started"
fi

# ---------------------------------------------------------------- BIRD 2
topology bird || { rh_not_ok "bird topology"; rh_done; exit 1; }
cat >"$RH_TMP/bird.conf" <<CONF
router id 198.18.0.2;
protocol device {}
protocol bgp codec {
  local 198.18.0.2 as 65000;
  neighbor 198.18.0.1 as 4200000001;
  passive on;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; gateway recursive; igp table master6; };
}
CONF
if rh_bird_start bbird "$RH_TMP/bird.conf"; then
  start_peer bird 12
  bird_has() { rh_birdc bbird show route count protocol codec | grep -q "$1 of $1 routes"; }
  rh_check "bird: $N IPv4 + $N IPv6 prefixes imported" rh_wait 10 bird_has $((2 * N))
  rh_birdc bbird show route all 198.19.3.4/30 >"$RH_TMP/bird-route.txt"
  rh_check "bird: AS_PATH as sent" grep -q "BGP.as_path: 4200000001" "$RH_TMP/bird-route.txt"
  rh_check "bird: MED as sent" grep -q "BGP.med: 77" "$RH_TMP/bird-route.txt"
  rh_check "bird: communities as sent" grep -q "(65001,1)" "$RH_TMP/bird-route.txt"
  rh_check "bird: large community as sent" grep -q "(4200000001, 2, 3)" "$RH_TMP/bird-route.txt"
  finish_peer bird
else
  rh_not_ok "bird: started"
fi

# ---------------------------------------------------------------- GoBGP
topology gobgp || { rh_not_ok "gobgp topology"; rh_done; exit 1; }
cat >"$RH_TMP/gobgp.toml" <<CONF
[global.config]
  as = 65000
  router-id = "198.18.0.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.0.1"
    peer-as = 4200000001
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
CONF
if rh_gobgp_start bgobgp "$RH_TMP/gobgp.toml"; then
  start_peer gobgp 12
  gobgp_has() { rh_gobgp bgobgp global rib -a "$1" -j | json_check "len(j) == $N"; }
  rh_check "gobgp: $N IPv4 prefixes received" rh_wait 10 gobgp_has ipv4
  rh_check "gobgp: $N IPv6 prefixes received" rh_wait 10 gobgp_has ipv6
  rh_check "gobgp: large community as sent" sh -c \
    "ip netns exec $(rh_nsname bgobgp) gobgp -u 127.0.0.1 -p 50051 global rib -a ipv4 198.19.3.4/30 | grep -q '4200000001:2:3'"
  finish_peer gobgp
else
  rh_not_ok "gobgp: started"
fi
rh_done
