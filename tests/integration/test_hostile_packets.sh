#!/usr/bin/env bash
# Hostile packets through routehub-dataplane, with a BGP session through its exception path.
#
#   A (198.18.30.10, FRR AS 65001) --veth-- [hub: dataplane port a (af_packet on dp-a),
#     TAP rh-a 198.18.30.1 <- routehub-controlplane's route server listens there]
#   [hub: port b (af_packet on dp-b) 198.18.31.1] --veth-- B (198.18.31.10)
#
# From A, tests/integration/craft.py writes crafted frames on A's link (raw AF_PACKET):
#   - truncated frames, bad IHL (< 5, past the packet), total length past the frame and
#     below the header, bad header checksum, truncated IPv6, IPv6 payload length past the
#     frame: each counted under its named drop reason (routehubctl show stats --json,
#     RFC 1812 5.2.2, RFC 8200) and never seen at B (a capture there);
#   - TTL 0, TTL 1, hop limit 1: not forwarded, ICMP time exceeded back to A (RFC 1812
#     5.3.1, RFC 4443 3.3), rate-limited when they come in a burst (RFC 1812 4.3.2.8);
#   - IP options, a fragmented datagram (af_packet's fanout reassembles it before the
#     dataplane sees it: PACKET_FANOUT_FLAG_DEFRAG), IPv6 hop-by-hop, routing (type 4, segments left 0)
#     and fragment headers: valid, forwarded to B;
#   - a flood at the appliance's own address (ICMP echo and TCP SYN to port 179, as fast
#     as a bounded loop goes, 5 s): the exception path's policer drops the excess
#     (punt_policed grows), FRR's BGP session stays up (its own counters and routehub's
#     uptime), and ping still works afterwards, through the dataplane and to it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
rh_init hostile_packets

DP=$RH_BUILD/dataplane/routehub-dataplane
CP=$RH_BUILD/controlplane/routehub-controlplane
CTL=$RH_BUILD/cli/routehubctl
PY=$(command -v python3)
for f in "$DP" "$CP" "$CTL" "$PY" /usr/lib/frr/bgpd; do
  if [ ! -x "$f" ]; then
    rh_skip "hostile packets" "$f not available"
    rh_done
    exit $?
  fi
done

rh_ns a; rh_ns b; rh_ns hub
rh_link a eth0 198.18.30.10/24 hub dp-a -
rh_link b eth0 198.18.31.10/24 hub dp-b -
rh_exec a ip route add default via 198.18.30.1
rh_exec a ip addr add 2001:db8:30::10/64 dev eth0 nodad
rh_exec a ip -6 route add default via 2001:db8:30::1
rh_exec b ip route add default via 198.18.31.1
rh_exec b ip addr add 2001:db8:31::10/64 dev eth0 nodad
rh_exec b ip -6 route add default via 2001:db8:31::1
# The hosts' veths complete their checksums as a NIC would (lib.sh, rh_txcsum_off).
for h in a b; do rh_txcsum_off "$h" eth0; done
rh_exec hub sysctl -qw net.ipv4.conf.all.rp_filter=1
for i in dp-a dp-b; do
  rh_exec hub ip link set "$i" arp off
  rh_exec hub sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1" "net.ipv4.conf.$i.rp_filter=1"
done

cat >"$RH_TMP/hub.json" <<EOF
{
  "routehub:routehub": {
    "route-server": {"instance-address": ["198.18.30.1", "198.18.31.1"],
                     "vnet-address-space": ["198.19.0.0/16"],
                     "nva-peer": [{"address": "198.18.30.10", "asn": 65001, "hold-time": 9}]},
    "control-plane": {"router-id": "198.18.30.1", "mgmt-socket": "$RH_TMP/cp.sock"},
    "dataplane": {
      "port": [
        {"name": "a", "vdev": "net_af_packet0,iface=dp-a", "address": ["198.18.30.1/24", "2001:db8:30::1/64"]},
        {"name": "b", "vdev": "net_af_packet1,iface=dp-b", "address": ["198.18.31.1/24", "2001:db8:31::1/64"]}
      ],
      "fib": {"ipv4-max-routes": 1024, "ipv6-max-routes": 1024, "max-next-hops": 256},
      "fib-socket": "$RH_TMP/fib.sock",
      "mgmt-socket": "$RH_TMP/dp.sock",
      "eal-args": "--no-huge --no-pci -m 512 --log-level=lib.eal:warning"
    }
  }
}
EOF
rh_bg hub "$RH_TMP/dp.log" "$DP" -c "$RH_TMP/hub.json"
DP_PID=$RH_LAST_PID
if ! rh_wait 30 test -S "$RH_TMP/dp.sock" || ! rh_wait 5 sh -c \
  "ip -n $(rh_nsname hub) -4 addr show dev rh-a | grep -q 198.18.30.1/24"; then
  rh_not_ok "dataplane started"
  sed 's/^/# /' "$RH_TMP/dp.log" | tail -20
  rh_done
  exit 1
fi
rh_bg hub "$RH_TMP/cp.log" "$CP" -c "$RH_TMP/hub.json"
rh_wait 10 test -S "$RH_TMP/cp.sock"
cat >"$RH_TMP/frr.conf" <<EOF
frr defaults traditional
hostname rh-frr
router bgp 65001
 bgp router-id 198.18.30.10
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 198.18.30.1 remote-as 65515
 neighbor 198.18.30.1 ebgp-multihop 2
 neighbor 198.18.30.1 update-source 198.18.30.10
 neighbor 198.18.30.1 timers 3 9
 neighbor 198.18.30.1 timers connect 2
 address-family ipv4 unicast
  network 203.0.113.0/24
 exit-address-family
!
EOF
rh_frr_start a "$RH_TMP/frr.conf" || { rh_not_ok "FRR starts"; rh_done; exit 1; }

ctl() { "$CTL" --dp-socket "$RH_TMP/dp.sock" --cp-socket "$RH_TMP/cp.sock" "$@"; }
# stat NAME...: the sum of these counters over the workers and the main lcore.
stat() {
  ctl --json show stats 2>/dev/null | "$PY" -c '
import json, sys
st = json.load(sys.stdin).get("routehub:state", {}).get("worker-stats", [])
print(sum(int(r["value"]) for r in st if r["counter"] in sys.argv[1:]))' "$@"
}
frr_state() {
  rh_vtysh a "show bgp neighbors 198.18.30.1 json" 2>/dev/null | "$PY" -c '
import json, sys
n = json.load(sys.stdin)["198.18.30.1"]
print(n.get("bgpState"), n.get("connectionsEstablished"), n.get("connectionsDropped"))'
}
rh_uptime() {
  ctl --json show bgp summary 2>/dev/null | "$PY" -c '
import json, sys
for n in json.load(sys.stdin)["routehub:state"]["bgp-neighbor"]:
    if n["address"] == "198.18.30.10" and n["local-address"] == "198.18.30.1":
        print(n["session-state"], n.get("uptime", 0))'
}
frr_up() { [ "$(frr_state | cut -d' ' -f1)" = Established ]; }
if ! rh_check "BGP: FRR on A established with routehub through the exception path" rh_wait 40 frr_up; then
  tail -5 "$RH_TMP/cp.log" | sed 's/^/# /'
fi
quiet() { "$@" >/dev/null 2>&1; }
rh_check "A pings B through the dataplane" quiet rh_exec a ping -c 3 -i 0.2 -W 2 198.18.31.10
rh_exec a ping -6 -c 2 -i 0.2 -W 2 -q 2001:db8:31::10 >/dev/null 2>&1
DPMAC=$(rh_exec a ip neigh show 198.18.30.1 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')
rh_log "port a's MAC: $DPMAC"

craft() { rh_exec a "$PY" "$here/craft.py" "$@"; }
send() { craft send eth0 "$DPMAC" "$1" "$2" 198.18.30.10 198.18.31.10 2001:db8:30::10 2001:db8:31::10; }

# ------------------------------------------------------------------ malformed: dropped, by reason
# (A frame shorter than an Ethernet header cannot be sent: the kernel refuses it on a
# veth, min_header_len; the worker's "runt" reason is unit-tested.)
declare -A reason=([ip4-truncated]=ip4_truncated [ip4-ihl-small]=ip4_ihl
  [ip4-ihl-big]=ip4_truncated [ip4-len-big]=ip4_length [ip4-len-small]=ip4_length
  [ip4-cksum]=ip4_checksum [ip6-truncated]=ip6_truncated [ip6-len-big]=ip6_length)
bad=(ip4-truncated ip4-ihl-small ip4-ihl-big ip4-len-big ip4-len-small ip4-cksum
  ip6-truncated ip6-len-big)
good=(ip4-options ip4-frag ip6-hbh ip6-rh ip6-frag)
rh_bg b "$RH_TMP/cap-b.err" "$PY" "$here/craft.py" capture eth0 60 "$RH_TMP/cap-b"
rh_bg a "$RH_TMP/cap-a.err" "$PY" "$here/craft.py" capture eth0 60 "$RH_TMP/cap-a"
rh_wait 5 test -e "$RH_TMP/cap-b.ready"
rh_wait 5 test -e "$RH_TMP/cap-a.ready"
N=5
for k in "${bad[@]}"; do
  before=$(stat "${reason[$k]}")
  send "$k" $N
  sleep 0.3
  after=$(stat "${reason[$k]}")
  d=$((after - before))
  # Two kinds share a reason; each adds its own N.
  rh_check "$k: $d dropped as ${reason[$k]}" test "$d" -ge "$N"
done
icmp0=$(stat icmp_sent)
for k in ttl0 ttl1 hl1 "${good[@]}"; do send "$k" $N; done
sleep 1
touch "$RH_TMP/cap-a.stop" "$RH_TMP/cap-b.stop"
rh_wait 15 test -s "$RH_TMP/cap-b"
rh_wait 5 test -s "$RH_TMP/cap-a"
seen_b() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))' "$RH_TMP/cap-b" "$1"; }
seen_a() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))' "$RH_TMP/cap-a" "$1"; }
leaked=""
for k in "${bad[@]}" ttl0 ttl1 hl1; do [ "$(seen_b "$k")" = 0 ] || leaked="$leaked $k"; done
rh_check "none of the malformed or expired packets reached B${leaked:+ (leaked:$leaked)}" test -z "$leaked"
for k in "${good[@]}"; do
  rh_check "$k: forwarded to B ($(seen_b "$k")/$N)" test "$(seen_b "$k")" -ge $((N - 1))
done
te=$(seen_a icmp-te)
rh_check "TTL 0, TTL 1, hop limit 1: A got $te ICMP time exceeded (of $((3 * N)))" \
  test "$te" -ge $((3 * N - 2))
rh_check "ICMP errors counted (icmp_sent +$(($(stat icmp_sent) - icmp0)))" \
  test $(($(stat icmp_sent) - icmp0)) -ge $((3 * N - 2))

# ------------------------------------------------------------------ TTL 1 in a burst
# 1000 in about 2 s, ten times the ICMP error rate (100/s, burst 50): most get none.
sent0=$(stat icmp_sent)
rl0=$(stat icmp_ratelimited)
t0=$SECONDS
send ttl1 1000
el=$((SECONDS - t0 + 1))
sleep 0.5
ds=$(($(stat icmp_sent) - sent0))
dr=$(($(stat icmp_ratelimited) - rl0))
rh_log "TTL 1 burst: $ds ICMP errors sent, $dr rate-limited in ~${el}s"
rh_check "TTL 1 burst: ICMP time exceeded rate-limited ($ds sent <= 50 + 100/s x ${el}s, $dr suppressed)" \
  test "$ds" -le $((50 + 100 * el + 20)) -a "$dr" -gt 0

# ------------------------------------------------------------------ flood at the appliance
read -r _ conn0 drop0 <<<"$(frr_state)"
up0=$(rh_uptime | cut -d' ' -f2)
pol0=$(stat punt_policed)
tk0=$(stat to_kernel)
rf0=$(stat exception_ring_full)
t0=$SECONDS
n=$(craft flood eth0 "$DPMAC" 5 198.18.30.10 198.18.30.1)
el=$((SECONDS - t0))
sleep 3
pol=$(($(stat punt_policed) - pol0))
tk=$(($(stat to_kernel) - tk0))
rf=$(($(stat exception_ring_full) - rf0))
rh_log "flood: $n frames sent in ${el}s; to the kernel +$tk, policed +$pol, exception ring full +$rf"
rh_check "flood: the exception path polices the excess (punt_policed +$pol)" test "$pol" -gt 0
rh_check "flood: the kernel got at most the policer's rate (+$tk <= 500 + 5000/s x ${el}s + BGP)" \
  test "$tk" -le $((500 + 5000 * (el + 3) + 2000))
read -r st conn drop <<<"$(frr_state)"
up1=$(rh_uptime)
rh_check "flood: FRR's session stayed up ($st, established $conn0 -> $conn, dropped $drop0 -> $drop)" \
  test "$st" = Established -a "$conn" = "$conn0" -a "$drop" = "$drop0"
rh_check "flood: routehub's uptime of the session went on ($up0 -> ${up1#* } s)" \
  test "${up1%% *}" = established -a "${up1#* }" -ge "$up0"
rh_check "after the flood: A pings B through the dataplane" \
  quiet rh_exec a ping -c 3 -i 0.2 -W 2 198.18.31.10
rh_check "after the flood: A pings the dataplane's own address" \
  quiet rh_exec a ping -c 3 -i 0.2 -W 2 198.18.30.1
accounted() {
  ctl --json show stats 2>/dev/null | "$PY" -c '
import json, sys
sys.path.insert(0, sys.argv[1])
st = json.load(sys.stdin)["routehub:state"]["worker-stats"]
w = {}
for r in st:
    if r["worker"] != "main":
        w.setdefault(r["worker"], {})[r["counter"]] = int(r["value"])
bad = [k for k, c in w.items() if c.get("in", 0) != sum(v for n, v in c.items() if n != "in")]
print(" ".join("%s: in %d, out %d" % (k, w[k].get("in", 0), sum(v for n, v in w[k].items() if n != "in")) for k in w))
sys.exit(1 if bad or not w else 0)' "$here"
}
rh_check "every worker's packets in = forwarded + dropped + punted ($(accounted))" accounted

kill -TERM "$DP_PID"
rh_done
