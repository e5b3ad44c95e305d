#!/usr/bin/env bash
# Per-peer passive mode (RFC 4271 8.1.1 PassiveTcpEstablishment): routehub never opens the
# TCP connection to a peer configured "passive", it only accepts the peer's.
#   - FRR also passive: no session comes up in 12 s (nobody connects), routehub logs no
#     connection attempt to it;
#   - FRR active: the session comes up, and FRR's own view shows FRR opened it (its foreign
#     port is 179, its local port an ephemeral one), on both route-server instances;
#   - an ordinary (not passive) peer next to it still gets routehub's connections.
# Every namespace and process is removed by lib.sh's trap, also on failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/bgp_interop_lib.sh
. "$here/bgp_interop_lib.sh"
rh_init bgp_passive

names=("both passive: no session in 12 s" "both passive: FRR reports no connection from routehub"
  "FRR active: sessions established with both instances"
  "FRR active: FRR opened both connections (foreign port 179)"
  "a peer without passive: routehub opened its connections (FRR foreign port not 179)")
bi_require /usr/lib/frr/bgpd "$RH_BUILD/controlplane/routehub-controlplane"

BI_INST=("${BI_RS4[@]}")
PAS=198.18.11.2

bi_hub || bi_fail_setup "hub namespace"
bi_peer_ns pas 1 || bi_fail_setup "namespace pas"
bi_peer_ns act 2 || bi_fail_setup "namespace act"
bi_config "$RH_TMP/hub.json" 4 100 1:65001 2:65002
python3 - "$RH_TMP/hub.json" "$PAS" <<'PY' || bi_fail_setup "config"
import json, sys
c = json.load(open(sys.argv[1]))
for p in c["routehub:routehub"]["route-server"]["nva-peer"]:
    if p["address"] == sys.argv[2]:
        p["passive"] = True
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
bi_cp_start "$RH_TMP/hub.json" || bi_fail_setup "routehub-controlplane starts"

# FRR for the passive peer, itself passive first.
bi_frr_conf "$RH_TMP/frr-pas.conf" 1 65001 4 "" 192.0.2.0/24
sed "s|^ neighbor \(.*\) timers connect 2$|&\n neighbor \1 passive|" "$RH_TMP/frr-pas.conf" >"$RH_TMP/frr-pas-passive.conf"
grep -q " passive$" "$RH_TMP/frr-pas-passive.conf" || bi_fail_setup "FRR passive configuration"
rh_frr_start pas "$RH_TMP/frr-pas-passive.conf" || bi_fail_setup "FRR (passive) starts"
bi_frr_conf "$RH_TMP/frr-act.conf" 2 65002 4 "" 198.51.100.0/24
sed -i "s|^ neighbor \(.*\) timers connect 2$|&\n neighbor \1 passive|" "$RH_TMP/frr-act.conf"
rh_frr_start act "$RH_TMP/frr-act.conf" || bi_fail_setup "FRR (act) starts"

up=0
end=$((SECONDS + 12))
while [ "$SECONDS" -lt "$end" ]; do
  for l in "${BI_INST[@]}"; do
    { bi_frr_established pas "$l" || bi_rh_established "$PAS" "$l"; } && up=1
  done
  sleep 0.5
done
bi_check "${names[0]}" test "$up" = 0
# FRR counts the connections it accepted or made; passive on both sides leaves 0.
conns=$(for l in "${BI_INST[@]}"; do bi_frr_field pas "$l" connectionsEstablished; done | tr '\n' ' ')
bi_check "${names[1]} (connectionsEstablished: $conns)" test "$conns" = "0 0 "

# The other peer is passive on FRR's side: only routehub's connections can bring it up.
act_up() { bi_frr_established act "${BI_INST[0]}" && bi_frr_established act "${BI_INST[1]}"; }
rh_wait 30 act_up
ports=$(for l in "${BI_INST[@]}"; do bi_frr_field act "$l" portForeign; done | tr '\n' ' ')
# not_179 P...: two ports, neither 179 (the connections were routehub's).
not_179() { [ $# = 2 ] && [ "$1" != 179 ] && [ "$2" != 179 ]; }
# shellcheck disable=SC2086 # the two ports
bi_check "${names[4]} (FRR's foreign ports: $ports)" not_179 $ports

# FRR active now: it connects, routehub accepts.
rh_vtysh pas 'configure terminal' 'router bgp 65001' "no neighbor ${BI_INST[0]} passive" \
  "no neighbor ${BI_INST[1]} passive" >/dev/null
both_up() { bi_frr_established pas "${BI_INST[0]}" && bi_frr_established pas "${BI_INST[1]}"; }
bi_check "${names[2]}" rh_wait 30 both_up
ports=$(for l in "${BI_INST[@]}"; do bi_frr_field pas "$l" portForeign; done | tr '\n' ' ')
bi_check "${names[3]} ($ports)" test "$ports" = "179 179 "
rh_done
