#!/usr/bin/env bash
# End to end, restarts (seed diagram 1, branch-to-branch off), with a ping from the VNet
# host to both on-premises hosts at 20 per second (VNet -> NVA -> on-prem 1, VNet ->
# ExpressRoute -> on-prem 2: the hub's FIB one way, the peers' BGP routes back):
#  1. routehub-controlplane killed (SIGKILL): the dataplane keeps forwarding on its FIB,
#     the peers keep the hub's routes (graceful restart, helper side); restarted: its
#     first resync waits for the peers' End-of-RIB, so no valid route ever leaves the FIB
#     (watched continuously) and no ping is lost.
#  2. routehub-dataplane stopped and started again: the control plane reconnects and
#     resynchronises the FIB; BGP sessions through the TAPs, loss and times are measured
#     and reported.
set -u
. "$(dirname "$0")/e2e.sh"
e2e_init e2e_restart

e2e_up sdwan-er || { rh_done; exit 1; }
rh_check "FIB programmed: 192.0.2.0/24 via the NVA" lab_wait 20 fib_is 192.0.2.0/24 198.18.2.4
rh_check "FIB programmed: 198.51.100.0/24 via the on-premises router" lab_wait 20 fib_is 198.51.100.0/24 198.19.1.2

# ping_start NAME DST COUNT: a 20/s ping from the VNet host in the background.
ping_start() { rh_bg vnet "$RH_TMP/ping-$1.txt" ping -n -i 0.05 -c "$3" -W 1 "$2"; }
# ping_result NAME: waits (bounded) for it, prints "SENT RECEIVED".
ping_result() {
  local pid=$2 tx rx
  for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  wait "$pid" 2>/dev/null
  tx=$(sed -nE 's/^([0-9]+) packets transmitted.*/\1/p' "$RH_TMP/ping-$1.txt")
  rx=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' "$RH_TMP/ping-$1.txt")
  echo "${tx:-0} ${rx:-0}"
}
# fib_watch FILE: one line "TIME NH1 NH2" for the two on-premises prefixes as often as
# routehubctl answers (one show fib a sample), until FILE.stop exists (at most 120 s).
fib_watch() {
  local out=$1 end=$(($(date +%s) + 120))
  while [ ! -e "$out.stop" ] && [ "$(date +%s)" -lt "$end" ]; do
    echo "$(date +%s%N) $("$LAB_CTL" -c "$LAB_DIR/hub.json" show fib 2>/dev/null | awk '
      $1 == "192.0.2.0/24" { a = $3 } $1 == "198.51.100.0/24" { b = $3 }
      END { print (a ? a : "-"), (b ? b : "-") }')" >>"$out"
    sleep 0.05
  done
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# ------------------------------------------------------------------ 1. control plane
rh_log "1. routehub-controlplane killed and restarted under traffic"
ping_start cp1 192.0.2.10 300; P1=$RH_LAST_PID
ping_start cp2 198.51.100.10 300; P2=$RH_LAST_PID
fib_watch "$RH_TMP/fib-cp.txt" &
W=$!
RH_PIDS+=("$W")
sleep 2
cp=$(cat "$LAB_DIR/controlplane.pid")
t0=$(date +%s%N)
lab_kill KILL "$cp"
rh_check "routehub-controlplane (pid $cp) killed" sh -c "! kill -0 $cp 2>/dev/null"
sleep 3
rh_check "control plane away: the FIB still has both on-premises routes" \
  sh -c "[ \"\$(tail -n 1 '$RH_TMP/fib-cp.txt' | cut -d' ' -f2-)\" = '198.18.2.4 198.19.1.2' ]"
rh_check "control plane away: the NVA kept the hub's routes (stale, graceful restart)" lab_route nva 198.18.0.0/16
rh_check "control plane away: the on-premises router kept them too" lab_route er 198.18.0.0/16
lab_controlplane_start
t1=$(date +%s%N)
if lab_wait 60 lab_sessions_up 3; then
  rh_ok "restarted: 3 sessions established again in $(ms_since "$t1") ms"
else
  rh_not_ok "restarted: 3 sessions established again"
fi
if lab_wait 20 grep -q "FIB channel: connected" "$LAB_DIR/controlplane.log"; then
  rh_ok "restarted: FIB channel resynchronised $(ms_since "$t1") ms after the start ($(grep -oE 'End-of-RIB (received from every peer|not received[^:]*)' "$LAB_DIR/controlplane.log" | tail -n 1))"
else
  rh_not_ok "restarted: FIB channel resynchronised"
fi
r1=$(ping_result cp1 "$P1")
r2=$(ping_result cp2 "$P2")
touch "$RH_TMP/fib-cp.txt.stop"
wait "$W" 2>/dev/null
gaps=$(awk '$2 != "198.18.2.4" || $3 != "198.19.1.2"' "$RH_TMP/fib-cp.txt" | wc -l)
n=$(wc -l <"$RH_TMP/fib-cp.txt")
span=$(awk 'NR == 1 { a = $1 } { b = $1 } END { print int((b - a) / 1000000) }' "$RH_TMP/fib-cp.txt")
rh_log "FIB read $n times over $span ms around the restart (one every $((span / (n > 1 ? n - 1 : 1))) ms): $gaps without a route"
rh_check "no valid route ever left the FIB during the restart" test "$gaps" = 0
rh_log "control-plane restart: VNet -> on-prem 1 $(pr "$r1"), VNet -> on-prem 2 $(pr "$r2") (20/s, $(ms_since "$t0") ms from the kill to the end)"
rh_check "VNet -> on-prem 1 (via the NVA): no ping lost ($(pr "$r1"))" test "${r1% *}" = 300 -a "${r1#* }" = 300
rh_check "VNet -> on-prem 2 (via ExpressRoute): no ping lost ($(pr "$r2"))" test "${r2% *}" = 300 -a "${r2#* }" = 300
lab_ctl show fib | sed 's/^/# /'

# ------------------------------------------------------------------ 2. dataplane
rh_log "2. routehub-dataplane stopped and started again under traffic"
down_before=$(grep -c "session down" "$LAB_DIR/controlplane.log")
syncs_before=$(grep -c "FIB channel: connected" "$LAB_DIR/controlplane.log")
ping_start dp1 192.0.2.10 600; P1=$RH_LAST_PID
sleep 2
dp=$(cat "$LAB_DIR/dataplane.pid")
t0=$(date +%s%N)
lab_kill TERM "$dp"
rh_check "routehub-dataplane (pid $dp) stopped (SIGTERM) in $(ms_since "$t0") ms" sh -c "! kill -0 $dp 2>/dev/null"
t1=$(date +%s%N)
if lab_dataplane_start; then
  rh_ok "routehub-dataplane started again (pid $LAB_DP_PID), TAPs with their addresses, in $(ms_since "$t1") ms"
else
  rh_not_ok "routehub-dataplane started again"
  e2e_logs
fi
if lab_wait 30 sh -c "[ \$(grep -c 'FIB channel: connected' '$LAB_DIR/controlplane.log') -gt $syncs_before ]"; then
  rh_ok "the control plane reconnected and resynchronised ($(grep 'FIB channel: connected' "$LAB_DIR/controlplane.log" | tail -n 1 | sed 's/.*connected, //')), $(ms_since "$t1") ms after the start"
else
  rh_not_ok "the control plane reconnected and resynchronised"
fi
rh_check "FIB back: 192.0.2.0/24 via the NVA" lab_wait 20 fib_is 192.0.2.0/24 198.18.2.4
rh_check "FIB back: 198.51.100.0/24 via the on-premises router" lab_wait 20 fib_is 198.51.100.0/24 198.19.1.2
if lab_wait 200 lab_sessions_up 3; then
  rh_ok "BGP sessions established $(ms_since "$t0") ms after the dataplane was stopped"
else
  rh_not_ok "BGP sessions established after the dataplane restart"
fi
down_after=$(grep -c "session down" "$LAB_DIR/controlplane.log")
rh_log "BGP sessions that dropped over the dataplane restart: $((down_after - down_before)) (TCP through the TAPs retransmits while the TAPs are gone; hold time 180 s)"
grep "session down" "$LAB_DIR/controlplane.log" | tail -n "$((down_after - down_before))" | sed 's/^/# /'
r1=$(ping_result dp1 "$P1")
lost=$((${r1% *} - ${r1#* }))
rh_log "dataplane restart: VNet -> on-prem 1 $(pr "$r1"): $lost lost at 20/s, about $((lost * 50)) ms without forwarding"
rh_check "traffic flows again after the dataplane restart ($(pr "$r1"))" test "${r1% *}" = 600 -a "$lost" -lt 400
last=$(sed -nE 's/.*icmp_seq=([0-9]+) ttl.*/\1/p' "$RH_TMP/ping-dp1.txt" | tail -n 1)
rh_check "the last pings were answered (last reply: seq ${last:-none} of 600)" test "${last:-0}" -ge 595
r=$(lab_ping onprem1 198.51.100.10 3 0.2)
rh_check "branch-to-branch still off after both restarts: on-prem 1 -> on-prem 2 refused ($(pr "$r"))" test "${r#* }" = 0
e2e_sanitizers
rh_done
