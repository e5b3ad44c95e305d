#!/usr/bin/env bash
# Golden tests of routehubctl against the running labs of both seed diagrams (scripts/lab,
# configs/lab-sdwan-er.json, then lab-vpn-er.json): every command, in table and --json
# form, compared with the expected output committed under tests/golden/cli-DIAGRAM.FORM.txt
# after the documented filter tests/golden/normalise.py
# (uptimes, counters, MACs, ARP states; the test's temporary directory is <tmp>). A
# failure prints the diff.
#   ROUTEHUB_GOLDEN_UPDATE=1 bash tests/integration/test_cli_golden.sh   rewrites them
# (then review the diff with git). The daemon-not-running messages and exit codes, and
# usage for a bad command, are in tests/cli/test_routehubctl.sh (no lab needed).
set -u
. "$(dirname "$0")/e2e.sh"
e2e_init cli_golden
GOLDEN=$(cd "$(dirname "$0")/../golden" && pwd)
NORM=$GOLDEN/normalise.py
ER=198.19.1.2

# run FORM CMD...: "$ routehubctl CMD" then its normalised stdout, its stderr and its exit
# code when not 0, into the transcript of FORM (table or json).
run() {
  local form=$1 out err rc
  shift
  if [ "$form" = json ]; then
    out=$(lab_ctl --json "$@" 2>"$RH_TMP/err"); rc=$?
  else
    out=$(lab_ctl "$@" 2>"$RH_TMP/err"); rc=$?
  fi
  err=$(cat "$RH_TMP/err")
  {
    echo "\$ routehubctl $([ "$form" = json ] && echo "--json ")$*"
    printf '%s\n' "$out" | python3 "$NORM" "$form"
    [ -z "$err" ] || echo "[stderr] $err"
    [ "$rc" = 0 ] || echo "[exit $rc]"
    echo
  } | sed "s|$RH_TMP|<tmp>|g" >>"$RH_TMP/$form.txt"
}

# The commands, in an order whose effects are undone before the end.
transcript() {
  local f=$1 a
  run "$f" show bgp summary
  for a in $PEER $ER; do
    run "$f" show bgp neighbor $a
    run "$f" show bgp neighbor $a received-routes
    run "$f" show bgp neighbor $a advertised-routes
  done
  run "$f" show bgp neighbor 192.0.2.99
  run "$f" show routes
  run "$f" show routes 192.0.2.0/24
  run "$f" show routes 192.0.2.10
  run "$f" show routes 203.0.113.0/24
  run "$f" show effective-routes
  run "$f" show fib
  run "$f" show fib 192.0.2.10
  run "$f" show fib 198.51.100.0/24
  run "$f" show ports
  run "$f" show stats
  run "$f" show neighbours
  # R5 at runtime: the RIBs exchange routes at once (peers get UPDATEs after).
  run "$f" set branch-to-branch on
  run "$f" show routes
  run "$f" show bgp neighbor $PEER advertised-routes
  run "$f" set branch-to-branch off
  run "$f" set hub-routing-preference aspath
  run "$f" set hub-routing-preference expressroute
  run "$f" clear bgp neighbor $ER soft
  run "$f" clear bgp neighbor 192.0.2.99 soft
  run "$f" dump mrt "$RH_TMP/rib-$f.mrt"
}

# diagram TOPO PEER_NS PEER: the lab of one diagram (branch-to-branch off), its transcripts
# against the golden files, completion and log checks. PEER (in PEER_NS) is the on-prem 1
# side's BGP speaker: the SD-WAN NVA or the VPN device.
diagram() {
  local topo=$1 peer_ns=$2 form want r got log n part
  PEER=$3
  lab_use "$RH_TMP/lab-$topo" "$RH_ID"
  e2e_up "$topo" "" 'r["route-server"]["branch-to-branch"] = False' || { lab_down; return 1; }
  # A settled lab: both on-premises prefixes in the FIB, and the hosts the transcript's
  # ARP entries and FIB host routes come from have talked through the dataplane.
  rh_check "$topo: FIB has 192.0.2.0/24 via $PEER" lab_wait 20 fib_is 192.0.2.0/24 "$PEER"
  rh_check "$topo: FIB has 198.51.100.0/24 via $ER" lab_wait 20 fib_is 198.51.100.0/24 $ER
  rh_check "$topo: $peer_ns got the VNet space" lab_wait 15 lab_route "$peer_ns" 198.18.0.0/16
  r=$(lab_ping vnet 192.0.2.10 3 0.1)
  rh_check "$topo: VNet host -> on-prem 1 ($(pr "$r"))" test "${r% *}" = "${r#* }" -a "${r% *}" -gt 0
  r=$(lab_ping vnet 198.51.100.10 3 0.1)
  rh_check "$topo: VNet host -> on-prem 2 ($(pr "$r"))" test "${r% *}" = "${r#* }" -a "${r% *}" -gt 0

  for form in table json; do
    : >"$RH_TMP/$form.txt"
    transcript "$form"
    # set/clear settle before the next form (the same state for both).
    lab_wait 15 no_route "$peer_ns" 198.51.100.0/24
    lab_wait 15 no_route er 192.0.2.0/24
    lab_wait 10 fib_is 198.51.100.0/24 $ER
    want=$GOLDEN/cli-$topo.$form.txt
    if [ "${ROUTEHUB_GOLDEN_UPDATE:-0}" = 1 ]; then
      cp "$RH_TMP/$form.txt" "$want"
      rh_ok "$topo, $form form: $want rewritten (ROUTEHUB_GOLDEN_UPDATE=1)"
    elif diff -u "$want" "$RH_TMP/$form.txt" >"$RH_TMP/$form.diff"; then
      rh_ok "$topo, $form form: every command's output is the golden one ($(grep -c '^\$ ' "$want") commands)"
    else
      rh_not_ok "$topo, $form form: output differs from $want (diff: expected, got)"
      sed 's/^/# /' "$RH_TMP/$form.diff"
    fi
  done
  rh_check "$topo: dump mrt wrote its file" test -s "$RH_TMP/rib-table.mrt"
  rm -f "$RH_TMP"/rib-*.mrt
  # Completion of neighbour addresses from the running control plane.
  got=$(ROUTEHUB_CP_SOCKET=$LAB_DIR/controlplane.sock "$LAB_CTL" --complete show bgp neighbor "" | sort | tr '\n' ' ')
  rh_check "$topo: completion offers the lab's neighbours ($got)" test "$got" = "$(printf '%s\n' "$PEER" $ER | sort | tr '\n' ' ')"
  # The daemon's log (common/log.c): session lines name the hub part and peer@instance; a
  # refused route is logged once with its reason (the peer reflects the VNet space back).
  log=$LAB_DIR/controlplane.log
  part=route-server
  [ "$topo" = vpn-er ] && part=vpn-gateway
  rh_check "$topo: log: 'peer $part $PEER@...: session established'" \
    grep -q "peer $part $PEER@[0-9.]*: session established" "$log"
  rh_check "$topo: log: 'expressroute-gateway $ER@198.19.1.1' session line" \
    grep -q "expressroute-gateway $ER@198.19.1.1: session established" "$log"
  if [ "$topo" = sdwan-er ]; then
    n=$(grep -c "hub: $part $PEER@[0-9.]*: refused 198.18.0.0/16: AS path contains 65515" "$log")
    rh_check "$topo: log: the refused VNet space logged once per session, with its reason ($n)" \
      test "$n" = 2
  fi
  grep -E "session established|: refused" "$log" | sed 's/^/# /'
  e2e_sanitizers
  lab_down
}

diagram sdwan-er nva 198.18.2.4
diagram vpn-er vpn 198.19.2.10
rh_done
