#!/usr/bin/env bash
# End to end, both seed diagrams (scripts/lab: routehub-dataplane on net_af_packet veths,
# routehub-controlplane's sessions through the dataplane's TAPs, real peers installing BGP
# routes in their kernels): on-prem 1 (192.0.2.0/24, behind the SD-WAN NVA or the VPN
# device) and on-prem 2 (198.51.100.0/24, behind ExpressRoute) reach each other through
# the hub's DPDK dataplane only while branch-to-branch is on (R4, R5), switched at runtime
# without a session reset; the VNet host reaches both either way (R1, R17).
set -u
. "$(dirname "$0")/e2e.sh"
e2e_init e2e_b2b

# diagram NAME TOPO PEER_NS PEER_ADDR: one diagram, from branch-to-branch off to on to off.
diagram() {
  local name=$1 topo=$2 peer=$3 paddr=$4 r before after n
  lab_use "$RH_TMP/lab-$topo" "$RH_ID"
  # Both seed configurations start with the switch off here (lab-vpn-er.json has it on).
  e2e_up "$topo" "" 'r["route-server"]["branch-to-branch"] = False' || { lab_down; return 1; }
  n=$(lab_sessions_established)

  rh_check "$name: FIB has on-prem 1 via $paddr and on-prem 2 via 198.19.1.2 (R17 programs both)" \
    lab_wait 20 fib_is 192.0.2.0/24 "$paddr"
  rh_check "$name: 198.51.100.0/24 in the FIB via the on-premises router" lab_wait 20 fib_is 198.51.100.0/24 198.19.1.2
  rh_check "$name: effective route 192.0.2.0/24 -> $paddr" effective_is 192.0.2.0/24 "$paddr"
  rh_check "$name: $peer got the VNet space (R1) in its kernel" lab_wait 15 lab_route "$peer" 198.18.0.0/16
  rh_check "$name: on-premises router got the VNet space in its kernel" lab_wait 15 lab_route er 198.18.0.0/16
  rh_check "$name: off: $peer has no route to on-prem 2 (R4)" no_route "$peer" 198.51.100.0/24
  rh_check "$name: off: on-premises router has no route to on-prem 1 (R4)" no_route er 192.0.2.0/24
  r=$(lab_ping vnet 192.0.2.10 5 0.1)
  rh_check "$name: VNet host -> on-prem 1 host through the dataplane ($(pr "$r"))" test "${r% *}" = "${r#* }" -a "${r% *}" -gt 0
  rh_check "$name: VNet host pings the hub's IPv6 address on port vnet (ND and ICMPv6 through the TAP)" \
    lab_exec vnet ping -6 -n -q -c 3 -i 0.2 -W 2 2001:db8:100:3::1
  r=$(lab_ping vnet 198.51.100.10 5 0.1)
  rh_check "$name: VNet host -> on-prem 2 host through the dataplane ($(pr "$r"))" test "${r% *}" = "${r#* }" -a "${r% *}" -gt 0
  r=$(lab_ping onprem1 198.51.100.10 5 0.1)
  rh_check "$name: off: on-prem 1 -> on-prem 2 gets no reply ($(pr "$r"))" test "${r#* }" = 0
  if [ "$topo" = vpn-er ]; then
    # The VPN gateway's static local-network prefix (programmed with or without BGP).
    rh_check "$name: FIB has the static local-network prefix 203.0.113.0/24 via $paddr" fib_is 203.0.113.0/24 "$paddr"
    r=$(lab_ping vnet 203.0.113.1 5 0.1)
    rh_check "$name: VNet host -> 203.0.113.1 on the VPN site ($(pr "$r"))" test "${r% *}" = "${r#* }" -a "${r% *}" -gt 0
  fi

  rh_check "$name: set branch-to-branch on" sh -c "'$LAB_CTL' -c '$LAB_DIR/hub.json' set branch-to-branch on | grep -q ok"
  rh_check "$name: on: $peer learns on-prem 2 (R5)" lab_wait 15 lab_route "$peer" 198.51.100.0/24
  rh_check "$name: on: on-premises router learns on-prem 1 (R5)" lab_wait 15 lab_route er 192.0.2.0/24
  before=$(lab_forwarded)
  r=$(lab_ping onprem1 198.51.100.10 20 0.05)
  after=$(lab_forwarded)
  rh_check "$name: on: on-prem 1 -> on-prem 2, $(pr "$r")" test "${r% *}" = "${r#* }" -a "${r% *}" = 20
  rh_check "$name: on: the dataplane forwarded them ($((after - before)) packets, at least 40)" test $((after - before)) -ge 40
  rh_check "$name: on: every session still established ($n), none reset by the switch" lab_sessions_up "$n"
  rh_check "$name: on: no session went down" sh -c "! grep -q 'session down' '$LAB_DIR/controlplane.log'"

  rh_check "$name: set branch-to-branch off" sh -c "'$LAB_CTL' -c '$LAB_DIR/hub.json' set branch-to-branch off | grep -q ok"
  rh_check "$name: off again: on-prem 2 withdrawn from $peer" lab_wait 15 no_route "$peer" 198.51.100.0/24
  rh_check "$name: off again: on-prem 1 withdrawn from the on-premises router" lab_wait 15 no_route er 192.0.2.0/24
  r=$(lab_ping onprem1 198.51.100.10 3 0.1)
  rh_check "$name: off again: on-prem 1 -> on-prem 2 gets no reply ($(pr "$r"))" test "${r#* }" = 0
  e2e_sanitizers
  lab_down
}

start=$(date +%s)
diagram "diagram 1 (SD-WAN NVA + ER)" sdwan-er nva 198.18.2.4
diagram "diagram 2 (VPN + ER)" vpn-er vpn 198.19.2.10
rh_log "both diagrams in $(($(date +%s) - start)) s"
rh_done
