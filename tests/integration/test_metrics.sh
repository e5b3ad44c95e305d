#!/usr/bin/env bash
# The Prometheus endpoints of both daemons, scraped from inside their namespace and read
# with a real parser (python3-prometheus-client), checked against what a user sees.
#
# Control plane: the route server (198.18.1.4/.5 on the loopback of "hub", metrics on
# 127.0.0.1:9420) with FRR as an NVA in "nva" (AS 65001, 198.18.2.4) advertising three
# prefixes; no dataplane (the FIB channel retries).
#   sessions up (1) and Established (6) on both instances, prefixes received = what FRR
#   sent, UPDATEs counted, the RIB and the effective routes, FIB updates counted, the FIB
#   channel down; a reset by the operator counted as a flap; 404 and 405.
# Dataplane: routehub-dataplane in "dp" (metrics on 127.0.0.1:9421) between A
# (198.18.30.10, port a) and B (198.18.31.10, port b).
#   UDP from A to B grows the rx counters of port a and the tx counters of port b by what
#   was sent; TTL 1 packets grow the ttl_exceeded exception counter; frames with a bad IPv4
#   checksum grow the ip4_checksum drop counter; a route added over the FIB channel grows
#   the FIB size and its update counter; neighbours resolved; 404.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/hub_lib.sh
. "$here/hub_lib.sh"
# shellcheck source=tests/integration/metrics_lib.sh
. "$here/metrics_lib.sh"
rh_init metrics

cp_names=("control plane: /metrics answers, parsed" "control plane: sessions up and Established"
  "control plane: prefixes received = what FRR sent" "control plane: UPDATEs counted"
  "control plane: RIB and effective routes" "control plane: FIB updates counted, no dataplane: nothing programmed"
  "control plane: a reset is a flap" "control plane: 404 and 405")
dp_names=("dataplane: /metrics answers, parsed" "dataplane: rx/tx counters grow by what was sent"
  "dataplane: TTL 1 counted as ttl_exceeded" "dataplane: bad checksum counted as a drop"
  "dataplane: FIB size and updates" "dataplane: neighbours" "dataplane: 404")
if ! m_have_parser; then
  for t in "${cp_names[@]}" "${dp_names[@]}"; do
    rh_skip "$t" "python3-prometheus-client not installed (scripts/install-deps.sh)"
  done
  rh_done
  exit $?
fi
m_write_tools

# ------------------------------------------------------------------ control plane
cp_part() {
  local m=$RH_TMP/cp.prom m2=$RH_TMP/cp2.prom i v ok
  hub_topo_base || return 1
  hub_topo_nva nva 1 || return 1
  hub_cfg lab-sdwan-er.json "$RH_TMP/hub.json" \
    'del(.["expressroute-gateway"]) | .["control-plane"].metrics = {"port": 9420}'
  frr_nva_conf "$RH_TMP/nva.conf" 198.18.2.4 65001 "" "" \
    192.0.2.0/24 198.51.100.0/24 203.0.113.0/24
  rh_frr_start nva "$RH_TMP/nva.conf" || return 1
  hub_start "$RH_TMP/hub.json" || return 1
  rh_wait 60 hub_all_established || rh_log "sessions not Established in 60 s"
  # FRR sends its three networks to each instance: wait for them (bounded).
  have_routes() {
    m_scrape hub 9420 "$m" &&
      [ "$(m_value "$m" routehub_bgp_prefixes_received peer=198.18.2.4)" = 6 ]
  }
  rh_wait 30 have_routes
  rh_check "${cp_names[0]}" m_scrape hub 9420 "$m"
  sed "s/^/# /" "$m" | grep -E "session_up\s|fib_" | head -8

  ok=1
  for i in 198.18.1.4 198.18.1.5; do
    [ "$(m_value "$m" routehub_bgp_session_up peer=198.18.2.4 instance=$i peer_asn=65001 \
      part=route-server role=nva)" = 1 ] || ok=0
    [ "$(m_value "$m" routehub_bgp_session_state peer=198.18.2.4 instance=$i)" = 6 ] || ok=0
  done
  rh_check "${cp_names[1]}" test "$ok" = 1

  # What FRR says it sent to each instance.
  ok=1
  for i in 198.18.1.4 198.18.1.5; do
    v=$(frr_nbr nva "$i" 'addressFamilyInfo.ipv4Unicast.sentPrefixCounter')
    [ "$v" = 3 ] && [ "$(m_value "$m" routehub_bgp_prefixes_received instance=$i)" = "$v" ] &&
      [ "$(m_value "$m" routehub_bgp_prefixes_accepted instance=$i)" = 3 ] || ok=0
  done
  rh_check "${cp_names[2]}" test "$ok" = 1

  v=$(m_value "$m" routehub_bgp_messages_received_total peer=198.18.2.4 instance=198.18.1.4 \
    type=update)
  rh_check "${cp_names[3]}" test "${v:-0}" -ge 1 -a \
    "$(m_value "$m" routehub_bgp_messages_sent_total instance=198.18.1.4 type=open)" -ge 1

  # The route server's RIB: the three NVA prefixes and the two VNet spaces (IPv4, IPv6);
  # effective routes: all five active.
  rh_check "${cp_names[4]}" test \
    "$(m_value "$m" routehub_rib_prefixes part=route-server family=ipv4)" = 4 -a \
    "$(m_value "$m" routehub_rib_prefixes part=route-server family=ipv6)" = 1 -a \
    "$(m_value "$m" routehub_effective_routes state=active)" = 5 -a \
    "$(m_value "$m" routehub_effective_routes state=inactive)" = 0

  rh_check "${cp_names[5]}" test "$(m_value "$m" routehub_fib_updates_total)" -ge 3 -a \
    "$(m_value "$m" routehub_fib_channel_connected)" = 0 -a \
    "$(m_value "$m" routehub_fib_routes)" = 0

  hub_ctl clear bgp neighbor 198.18.2.4 >/dev/null
  flapped() {
    m_scrape hub 9420 "$m2" &&
      [ "$(m_value "$m2" routehub_bgp_session_flaps_total instance=198.18.1.4)" = 1 ] &&
      [ "$(m_value "$m2" routehub_bgp_session_established_total instance=198.18.1.4)" = 2 ] &&
      [ "$(m_value "$m2" routehub_bgp_session_up instance=198.18.1.4)" = 1 ]
  }
  rh_check "${cp_names[6]}" rh_wait 60 flapped

  rh_check "${cp_names[7]}" test "$(m_status hub 9420 GET /)" = 404 -a \
    "$(m_status hub 9420 POST /metrics)" = 405
}

if hub_have_tools; then
  cp_part || rh_log "control plane setup failed"
  # Lines not reached (a setup failure) are failures.
  while [ "$RH_TESTS" -lt "${#cp_names[@]}" ]; do rh_not_ok "${cp_names[$RH_TESTS]}"; done
  [ -n "${HUB_PID:-}" ] && hub_stop
else
  for t in "${cp_names[@]}"; do rh_skip "$t" "routehub build, FRR bgpd, BIRD or jq not available"; done
fi

# ------------------------------------------------------------------ dataplane
DP=$RH_BUILD/dataplane/routehub-dataplane
FIBCTL=$RH_BUILD/tests/tools/fibctl
CTL=$RH_BUILD/cli/routehubctl
dp_part() {
  local m0=$RH_TMP/dp0.prom m1=$RH_TMP/dp1.prom m2=$RH_TMP/dp2.prom mac d
  rh_ns a && rh_ns b && rh_ns dp || return 1
  rh_link a eth0 198.18.30.10/24 dp dp-a - || return 1
  rh_link b eth0 198.18.31.10/24 dp dp-b - || return 1
  rh_exec a ip route add default via 198.18.30.1
  rh_exec b ip route add default via 198.18.31.1
  # As in test_dataplane_forwarding.sh: the hub's kernel stays off the dataplane's ports.
  for i in dp-a dp-b; do
    rh_exec dp ip link set "$i" arp off
    rh_exec dp sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1"
  done
  cat >"$RH_TMP/dp.json" <<EOF
{
  "routehub:routehub": {
    "route-server": {"instance-address": ["198.18.1.4", "198.18.1.5"],
                     "vnet-address-space": ["198.18.0.0/24"]},
    "dataplane": {
      "port": [
        {"name": "a", "vdev": "net_af_packet0,iface=dp-a", "address": ["198.18.30.1/24"]},
        {"name": "b", "vdev": "net_af_packet1,iface=dp-b", "address": ["198.18.31.1/24"]}
      ],
      "fib": {"ipv4-max-routes": 1024, "ipv6-max-routes": 1024, "max-next-hops": 256},
      "fib-socket": "$RH_TMP/fib.sock",
      "mgmt-socket": "$RH_TMP/dp.sock",
      "eal-args": "--no-huge --no-pci -m 768 --log-level=lib.eal:warning",
      "metrics": {"address": "127.0.0.1", "port": 9421}
    }
  }
}
EOF
  rh_bg dp "$RH_TMP/dp.log" "$DP" -c "$RH_TMP/dp.json"
  rh_wait 30 test -S "$RH_TMP/dp.sock" || { sed 's/^/# /' "$RH_TMP/dp.log"; return 1; }
  rh_wait 10 m_scrape dp 9421 "$m0"
  # Resolve both neighbours first (ARP through the main lcore), then take the baseline.
  rh_exec a ping -c 2 -i 0.2 -W 2 198.18.31.10 >/dev/null 2>&1
  rh_check "${dp_names[0]}" m_scrape dp 9421 "$m0"

  cat >"$RH_TMP/udp_tx.py" <<'EOF'
import socket, sys
dst, n, ttl = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
for i in range(n):
    s.sendto(b"x" * 100, (dst, 9999))
EOF
  # 200 datagrams of 142 bytes on the wire (14 + 20 + 8 + 100): gaps keep the af_packet
  # rings from overflowing.
  for _ in 1 2 3 4; do
    rh_exec a "$M_PY" "$RH_TMP/udp_tx.py" 198.18.31.10 50 64
    sleep 0.2
  done
  sleep 0.5
  m_scrape dp 9421 "$m1"
  delta() { echo $(($(m_value "$2" "${@:3}") - $(m_value "$1" "${@:3}"))); }
  local rx tx rxb fwd
  rx=$(delta "$m0" "$m1" routehub_dp_port_rx_packets_total port=a)
  rxb=$(delta "$m0" "$m1" routehub_dp_worker_rx_bytes_total port=a)
  tx=$(delta "$m0" "$m1" routehub_dp_port_tx_packets_total port=b)
  fwd=$(delta "$m0" "$m1" routehub_dp_worker_forwarded_total)
  rh_log "port a rx +$rx packets (workers +$rxb bytes), port b tx +$tx, forwarded +$fwd"
  # Exactly the 200, give or take the odd ARP/ND frame of the kernels.
  rh_check "${dp_names[1]}" test "$rx" -ge 200 -a "$rx" -le 210 -a "$tx" -ge 200 -a \
    "$tx" -le 210 -a "$fwd" -ge 200 -a "$rxb" -ge $((200 * 142))

  rh_exec a "$M_PY" "$RH_TMP/udp_tx.py" 198.18.31.10 5 1
  sleep 0.5
  m_scrape dp 9421 "$m2"
  d=$(delta "$m1" "$m2" routehub_dp_exception_packets_total reason=ttl_exceeded)
  rh_check "${dp_names[2]}" test "$d" = 5 -a \
    "$(delta "$m1" "$m2" routehub_dp_slowpath_events_total event=icmp_sent)" -ge 1

  # Frames with a wrong IPv4 header checksum, to port a's MAC.
  mac=$("$CTL" --dp-socket "$RH_TMP/dp.sock" --json show ports |
    jq -r '.["routehub:state"].port[] | select(.name == "a") | .mac')
  cat >"$RH_TMP/bad_cksum.py" <<'EOF'
import socket, struct, sys
mac, n = bytes.fromhex(sys.argv[1].replace(":", "")), int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
src = s.getsockname()[4]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0xbeef,
                 socket.inet_aton("198.18.30.10"), socket.inet_aton("198.18.31.10"))
udp = struct.pack("!HHHH", 1234, 9999, 8, 0)
for i in range(n):
    s.send(mac + src + b"\x08\x00" + ip + udp + b"\x00" * 18)
EOF
  m_scrape dp 9421 "$m1"
  rh_exec a "$M_PY" "$RH_TMP/bad_cksum.py" "$mac" 7
  sleep 0.5
  m_scrape dp 9421 "$m2"
  rh_check "${dp_names[3]}" test \
    "$(delta "$m1" "$m2" routehub_dp_dropped_packets_total reason=ip4_checksum)" = 7

  m_scrape dp 9421 "$m1"
  "$FIBCTL" "$RH_TMP/fib.sock" route add 203.0.113.0/24 via 198.18.31.10 >/dev/null
  sleep 0.3
  m_scrape dp 9421 "$m2"
  rh_check "${dp_names[4]}" test \
    "$(delta "$m1" "$m2" routehub_dp_fib_routes family=ipv4)" = 1 -a \
    "$(delta "$m1" "$m2" routehub_dp_fib_updates_total)" -ge 1 -a \
    "$(m_value "$m2" routehub_dp_fib_next_hops)" -ge 1

  # Resolved: reachable, or stale once its reachable time ran out on a slow run.
  nr=$(m_value "$m2" routehub_dp_neighbours state=reachable) || nr=0
  ns=$(m_value "$m2" routehub_dp_neighbours state=stale) || ns=0
  rh_check "${dp_names[5]} ($nr reachable, $ns stale)" test $((nr + ns)) -ge 2
  rh_check "${dp_names[6]}" test "$(m_status dp 9421 GET /metricz)" = 404
}

if [ -x "$DP" ] && [ -x "$FIBCTL" ] && [ -x "$CTL" ] && command -v jq >/dev/null; then
  before=$RH_TESTS
  dp_part || rh_log "dataplane setup failed"
  while [ $((RH_TESTS - before)) -lt "${#dp_names[@]}" ]; do
    rh_not_ok "${dp_names[$((RH_TESTS - before))]}"
  done
else
  for t in "${dp_names[@]}"; do rh_skip "$t" "routehub-dataplane, fibctl or jq not built"; done
fi

rh_done
