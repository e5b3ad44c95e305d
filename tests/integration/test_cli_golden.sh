#!/usr/bin/env bash
# Golden tests of routehubctl against the running sdwan-er lab (scripts/lab, configs/
# lab-sdwan-er.json): every command, in table and --json form, compared with the expected
# output committed under tests/golden/ after the documented filter tests/golden/normalise.py
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
NVA=198.18.2.4
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
  for a in $NVA $ER; do
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
  run "$f" show bgp neighbor $NVA advertised-routes
  run "$f" set branch-to-branch off
  run "$f" set hub-routing-preference aspath
  run "$f" set hub-routing-preference expressroute
  run "$f" clear bgp neighbor $ER soft
  run "$f" clear bgp neighbor 192.0.2.99 soft
  run "$f" dump mrt "$RH_TMP/rib-$f.mrt"
}

lab_use "$RH_TMP/lab" "$RH_ID"
e2e_up sdwan-er || { rh_done; exit 1; }
# A settled lab: both on-premises prefixes in the FIB, and the hosts the transcript's
# ARP entries and FIB host routes come from have talked through the dataplane.
rh_check "FIB has 192.0.2.0/24 via $NVA" lab_wait 20 fib_is 192.0.2.0/24 $NVA
rh_check "FIB has 198.51.100.0/24 via $ER" lab_wait 20 fib_is 198.51.100.0/24 $ER
rh_check "the NVA got the VNet space" lab_wait 15 lab_route nva 198.18.0.0/16
r=$(lab_ping vnet 192.0.2.10 3 0.1)
rh_check "VNet host -> on-prem 1 ($(pr "$r"))" test "${r% *}" = "${r#* }" -a "${r% *}" -gt 0
r=$(lab_ping vnet 198.51.100.10 3 0.1)
rh_check "VNet host -> on-prem 2 ($(pr "$r"))" test "${r% *}" = "${r#* }" -a "${r% *}" -gt 0

for form in table json; do
  : >"$RH_TMP/$form.txt"
  transcript "$form"
  # set/clear settle before the next form (the same state for both).
  lab_wait 15 no_route nva 198.51.100.0/24
  lab_wait 15 no_route er 192.0.2.0/24
  lab_wait 10 fib_is 198.51.100.0/24 $ER
  want=$GOLDEN/cli-sdwan-er.$form.txt
  if [ "${ROUTEHUB_GOLDEN_UPDATE:-0}" = 1 ]; then
    cp "$RH_TMP/$form.txt" "$want"
    rh_ok "$form form: $want rewritten (ROUTEHUB_GOLDEN_UPDATE=1)"
  elif diff -u "$want" "$RH_TMP/$form.txt" >"$RH_TMP/$form.diff"; then
    rh_ok "$form form: every command's output is the golden one ($(grep -c '^\$ ' "$want") commands)"
  else
    rh_not_ok "$form form: output differs from $want (diff: expected, got)"
    sed 's/^/# /' "$RH_TMP/$form.diff"
  fi
done
rh_check "dump mrt wrote its file" test -s "$RH_TMP/rib-table.mrt"
# Completion of neighbour addresses from the running control plane.
got=$(ROUTEHUB_CP_SOCKET=$LAB_DIR/controlplane.sock "$LAB_CTL" --complete show bgp neighbor "" | sort | tr '\n' ' ')
rh_check "completion offers the lab's neighbours ($got)" test "$got" = "$NVA $ER "
# The daemon's log (common/log.c): session lines name the hub part and peer@instance; a
# refused route is logged once with its reason (the NVA reflects the VNet space back).
log=$LAB_DIR/controlplane.log
rh_check "log: 'peer route-server $NVA@198.18.1.4: session established'" \
  grep -q "peer route-server $NVA@198.18.1.4: session established" "$log"
rh_check "log: 'expressroute-gateway $ER@198.19.1.1' session line" \
  grep -q "expressroute-gateway $ER@198.19.1.1: session established" "$log"
n=$(grep -c "hub: route-server $NVA@198.18.1.4: refused 198.18.0.0/16: AS path contains 65515" "$log")
rh_check "log: the refused VNet space logged once for the session, with its reason ($n)" test "$n" = 1
grep -E "session established|refused" "$log" | sed 's/^/# /'
e2e_sanitizers
lab_down
rh_done
