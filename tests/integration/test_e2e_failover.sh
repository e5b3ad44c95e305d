#!/usr/bin/env bash
# End to end, NVA failover (R3): two SD-WAN NVAs (FRR with zebra, AS 65001 and 65002, one
# segment behind the dataplane's port nva) advertise 203.0.113.0/24 with the same AS-path
# length, and each owns 203.0.113.1. The hub programs both (ECMP) in the DPDK FIB. A ping
# from the VNet host runs at 20 per second; the bgpd of the NVA that carries it is killed;
# its sessions drop, the effective routes and the FIB keep only the other NVA, and the
# traffic moves there. The packets lost are counted and reported; then the bgpd comes back
# and ECMP with it. Done twice: bgpd stopped by SIGTERM, then killed by SIGKILL.
set -u
. "$(dirname "$0")/e2e.sh"
e2e_init e2e_failover

lab_init || { rh_not_ok "lab"; rh_done; exit 1; }
lab_record "dir $LAB_DIR"
up() {
  local i
  lab_config "$LAB_TOP/configs/lab-sdwan-er.json" \
    'r["route-server"]["nva-peer"].append({"address": "198.18.2.5", "asn": 65002, "multihop": 2})' || return 1
  lab_hub_ns && lab_ns sw || return 1
  lab_attach nva sw hub0 || return 1
  lab_exec sw ip link add br0 type bridge && lab_exec sw ip link set hub0 master br0 || return 1
  for i in 1 2; do
    lab_ns "nva$i" && lab_link sw "s$i" "nva$i" eth0 && lab_exec sw ip link set "s$i" master br0 || return 1
    lab_addr "nva$i" eth0 "198.18.2.$((3 + i))/24" && lab_addr "nva$i" lo 203.0.113.1/32 || return 1
    lab_exec "nva$i" ip route add 198.18.1.0/27 via 198.18.2.1 || return 1
  done
  lab_exec sw ip link set br0 up
  lab_er_links && lab_vnet_links && lab_hub_start || return 1
  for i in 1 2; do
    lab_frr_nva_conf "198.18.2.$((3 + i))" "6500$i" 2 203.0.113.0/24 >"$LAB_DIR/frr-nva$i.conf"
    lab_frr_start "nva$i" "$LAB_DIR/frr-nva$i.conf" || return 1
  done
  lab_er_start && lab_wait 60 lab_sessions_up 5
}
if up; then
  rh_ok "lab: two NVAs on port nva, 5 BGP sessions through the dataplane's TAPs"
else
  rh_not_ok "lab: two NVAs on port nva, 5 BGP sessions"
  e2e_logs
  rh_done
  exit 1
fi
ECMP=198.18.2.4,198.18.2.5
rh_check "effective routes: 203.0.113.0/24 active via both NVAs (R3 ECMP)" lab_wait 20 effective_is 203.0.113.0/24 $ECMP
rh_check "show fib 203.0.113.0/24: both NVAs" lab_wait 20 fib_is 203.0.113.0/24 $ECMP
lab_ctl show fib 203.0.113.0/24 | sed 's/^/# /'

# rx_packets NS: packets received on NS's eth0.
rx_packets() {
  ip -n "$(lab_nsname "$1")" -s -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}

COUNT=300
# failover SIGNAL: kills the bgpd of the NVA that carries the ping with SIGNAL, measures,
# then starts that bgpd again and waits for ECMP.
failover() {
  local sig=$1 ping=$RH_TMP/ping-failover-$1.txt ping_pid a1 a2 d1 d2 active other bgpd t0 t1
  local survivor b_other moved tx rx lost last
  rh_bg vnet "$ping" ping -n -i 0.05 -c $COUNT -W 1 203.0.113.1
  ping_pid=$RH_LAST_PID
  sleep 2
  a1=$(rx_packets nva1); a2=$(rx_packets nva2)
  sleep 1
  d1=$(($(rx_packets nva1) - a1)); d2=$(($(rx_packets nva2) - a2))
  if [ "$d1" -ge "$d2" ]; then active=1 other=2; else active=2 other=1; fi
  rh_log "SIG$sig: nva1 received $d1 packets in 1 s, nva2 $d2: the flow goes to nva$active"
  rh_check "SIG$sig: the ping flow goes through one NVA (nva$active)" test "$(( d1 > d2 ? d1 - d2 : d2 - d1 ))" -ge 10

  bgpd=$(cat "$LAB_DIR/bgpd-nva$active.pid")
  survivor=198.18.2.$((3 + other))
  t0=$(date +%s%N)
  lab_owned "$bgpd" && kill -s "$sig" "$bgpd"
  # The FIB first (timed), then the rest.
  if lab_wait 15 fib_is 203.0.113.0/24 "$survivor"; then
    t1=$(date +%s%N)
    rh_ok "SIG$sig: show fib 203.0.113.0/24: only nva$other ($survivor), within $(((t1 - t0) / 1000000)) ms of the signal"
  else
    rh_not_ok "SIG$sig: show fib 203.0.113.0/24: only nva$other ($survivor)"
  fi
  lab_kill KILL "$bgpd"
  rh_check "SIG$sig: nva$active's bgpd (pid $bgpd) gone" sh -c "! kill -0 $bgpd 2>/dev/null"
  rh_check "SIG$sig: the hub sees nva$active's two sessions drop" lab_wait 15 sh -c \
    "[ \"\$('$LAB_CTL' -c '$LAB_DIR/hub.json' show bgp summary | grep -c established)\" = 3 ]"
  rh_check "SIG$sig: effective routes: 203.0.113.0/24 via $survivor only" effective_is 203.0.113.0/24 "$survivor"
  lab_ctl show effective-routes | grep -E "prefix|203.0.113" | sed 's/^/# /'
  lab_ctl show fib 203.0.113.0/24 | sed 's/^/# /'

  b_other=$(rx_packets nva$other)
  # The ping ends by itself (COUNT x 50 ms); bounded wait.
  for _ in $(seq 60); do kill -0 "$ping_pid" 2>/dev/null || break; sleep 0.5; done
  wait "$ping_pid" 2>/dev/null
  moved=$(($(rx_packets nva$other) - b_other))
  tx=$(sed -nE 's/^([0-9]+) packets transmitted.*/\1/p' "$ping")
  rx=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' "$ping")
  lost=$((${tx:-0} - ${rx:-0}))
  rh_log "SIG$sig failover: $lost of ${tx:-0} pings lost (one every 50 ms: about $((lost * 50)) ms without forwarding)"
  rh_check "SIG$sig: traffic moved to nva$other ($moved packets there after the failover)" test "$moved" -ge 50
  rh_check "SIG$sig: failover lost $lost packets, fewer than 20 (1 s)" test "${tx:-0}" = "$COUNT" -a "$lost" -lt 20
  last=$(sed -nE 's/.*icmp_seq=([0-9]+) ttl.*/\1/p' "$ping" | tail -n 1)
  rh_check "SIG$sig: the last pings were answered (last reply: seq ${last:-none} of $COUNT)" test "${last:-0}" -ge $((COUNT - 5))

  lab_frr_bgpd_start "nva$active" "$LAB_DIR/frr-nva$active.conf"
  rh_check "SIG$sig: nva$active's bgpd back: 5 sessions" lab_wait 30 lab_sessions_up 5
  rh_check "SIG$sig: ECMP back in the effective routes and the FIB" lab_wait 20 fib_is 203.0.113.0/24 $ECMP
}
# SIGTERM: bgpd sends a NOTIFICATION (Cease) and its zebra withdraws its routes as it
# goes; SIGKILL: the kernel closes the TCP sessions and zebra drops the routes at once.
failover TERM
failover KILL
e2e_sanitizers
rh_done
