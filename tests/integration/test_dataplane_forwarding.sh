#!/usr/bin/env bash
# routehub-dataplane forwarding real packets between network namespaces.
#
#   A (198.18.30.10/24) --veth-- [hub: routehub-dataplane, port a = net_af_packet on dp-a]
#   [hub: port b = net_af_packet on dp-b] --veth-- bridge (namespace sw) --+-- B (198.18.31.10/24)
#                                                                            +-- C (198.18.31.11/24)
# B and C both own 203.0.113.1 and 2001:db8:71::1 on their loopback; routes to them come
# over the FIB channel from tests/tools/fibctl. Checks: the exception path (ping of the
# port's own addresses and TCP to the hub's kernel through the TAPs), forwarding of ICMP,
# UDP and IPv6 (ARP and ND resolution by the dataplane), ICMP time exceeded, net
# unreachable and fragmentation needed from the dataplane, the connected subnet, ECMP over
# B and C, a route moved under traffic without loss, a static neighbour, routehubctl's
# show commands, telemetry, and a clean shutdown on SIGTERM.
set -u
. "$(dirname "$0")/lib.sh"
rh_init dataplane_forwarding
quiet() { "$@" >/dev/null 2>&1; }
ctl_has() { "$CTL" --dp-socket "$MGMT" $1 2>&1 | grep -q -- "$2"; }

DP=$RH_BUILD/dataplane/routehub-dataplane
FIBCTL=$RH_BUILD/tests/tools/fibctl
CTL=$RH_BUILD/cli/routehubctl
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
for f in "$DP" "$FIBCTL" "$CTL" "$PY"; do
  if [ ! -x "$f" ]; then
    rh_not_ok "built: $f"
    rh_done
    exit 1
  fi
done

# ------------------------------------------------------------------ topology
rh_ns a; rh_ns b; rh_ns c; rh_ns sw; rh_ns hub
rh_link a eth0 198.18.30.10/24 hub dp-a -
rh_link sw s-hub - hub dp-b -
rh_link sw s-b - b eth0 198.18.31.10/24
rh_link sw s-c - c eth0 198.18.31.11/24
rh_exec sw ip link add br0 type bridge
for i in s-hub s-b s-c; do rh_exec sw ip link set "$i" master br0; done
rh_exec sw ip link set br0 up
rh_exec a ip route add default via 198.18.30.1
rh_exec a ip addr add 2001:db8:30::10/64 dev eth0 nodad
rh_exec a ip -6 route add default via 2001:db8:30::1
rh_exec b ip addr add 2001:db8:31::10/64 dev eth0 nodad
rh_exec c ip addr add 2001:db8:31::11/64 dev eth0 nodad
# The hosts' veths complete their checksums as a NIC would (lib.sh, rh_txcsum_off).
for h in a b c; do rh_txcsum_off "$h" eth0; done
for h in b c; do
  rh_exec "$h" ip addr add 203.0.113.1/32 dev lo
  rh_exec "$h" ip route add default via 198.18.31.1
  rh_exec "$h" ip addr add 2001:db8:71::1/128 dev lo
  rh_exec "$h" ip -6 route add default via 2001:db8:31::1
done
# The dataplane owns dp-a and dp-b; the hub's kernel must stay off them: no ARP or IPv6
# there, and strict reverse-path filtering, since the port addresses live on the TAPs.
rh_exec hub sysctl -qw net.ipv4.conf.all.rp_filter=1
for i in dp-a dp-b; do
  rh_exec hub ip link set "$i" arp off
  rh_exec hub sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1" "net.ipv4.conf.$i.rp_filter=1"
done

FIBSOCK=$RH_TMP/fib.sock
MGMT=$RH_TMP/dp.sock
cat >"$RH_TMP/dp.json" <<EOF
{
  "routehub:routehub": {
    "route-server": {"instance-address": ["198.18.1.4", "198.18.1.5"],
                     "vnet-address-space": ["198.18.0.0/24"]},
    "dataplane": {
      "port": [
        {"name": "a", "vdev": "net_af_packet0,iface=dp-a", "address": ["198.18.30.1/24", "2001:db8:30::1/64"]},
        {"name": "b", "vdev": "net_af_packet1,iface=dp-b", "address": ["198.18.31.1/24", "2001:db8:31::1/64"],
         "mtu": 1400,
         "neighbour": [{"address": "198.18.31.99", "mac": "02:00:00:00:31:99"}]}
      ],
      "fib": {"ipv4-max-routes": 1024, "ipv6-max-routes": 1024, "max-next-hops": 256},
      "fib-socket": "$FIBSOCK",
      "mgmt-socket": "$MGMT",
      "eal-args": "--no-huge --no-pci -m 768 --log-level=lib.eal:warning"
    }
  }
}
EOF

rh_bg hub "$RH_TMP/dp.log" "$DP" -c "$RH_TMP/dp.json"
DP_PID=$RH_LAST_PID
if rh_wait 30 test -S "$MGMT" && rh_wait 5 test -S "$FIBSOCK"; then
  rh_ok "dataplane started (FIB channel and management sockets)"
else
  rh_not_ok "dataplane started"
  sed 's/^/# /' "$RH_TMP/dp.log"
  rh_done
  exit 1
fi
rh_check "TAP rh-a carries the port address" rh_wait 5 sh -c \
  "ip -n $(rh_nsname hub) -4 addr show dev rh-a | grep -q 198.18.30.1/24"
rh_check "TAPs answer ARP only for their own addresses, NA with the Router flag" \
  rh_exec hub sh -c 'test "$(cat /proc/sys/net/ipv4/conf/rh-b/arp_ignore)" = 1 &&
    test "$(cat /proc/sys/net/ipv6/conf/rh-b/forwarding)" = 1'

# ------------------------------------------------------------------ exception path
rh_check "A pings the dataplane's own address (through the TAP)" \
  quiet rh_exec a ping -c 3 -i 0.2 -W 2 198.18.30.1

# A TCP service in the hub's kernel (as bgpd would be) answers A through the dataplane.
cat >"$RH_TMP/tcp_echo.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(20)
c, _ = s.accept()
c.sendall(c.recv(100))
c.close()
EOF
cat >"$RH_TMP/tcp_client.py" <<'EOF'
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
c.sendall(b"routehub")
sys.exit(0 if c.recv(100) == b"routehub" else 1)
EOF
rh_bg hub "$RH_TMP/tcp-echo.log" "$PY" "$RH_TMP/tcp_echo.py" 198.18.30.1 1790
rh_wait 5 sh -c "ip netns exec $(rh_nsname hub) ss -ltn | grep -q 198.18.30.1:1790"
rh_check "TCP from A to a socket on the hub's kernel (the BGP path)" \
  rh_exec a "$PY" "$RH_TMP/tcp_client.py" 198.18.30.1 1790

# ------------------------------------------------------------------ forwarding
fib() { "$FIBCTL" "$FIBSOCK" "$@"; }
rh_check "fibctl: 203.0.113.0/24 via B" fib route add 203.0.113.0/24 via 198.18.31.10
# The first packets wait for ARP on the main lcore; the rest go through the workers.
rh_check "A pings 203.0.113.1 through the dataplane" quiet rh_exec a ping -c 5 -i 0.2 -W 2 203.0.113.1

# A tiny UDP receiver: counts datagrams per source port, for `secs` seconds.
cat >"$RH_TMP/udp_rx.py" <<'EOF'
import socket, sys, time
port, secs, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("203.0.113.1", port))
s.settimeout(0.2)
n = 0
end = time.time() + secs
open(out + ".ready", "w").close()
while time.time() < end:
    try:
        s.recv(2048)
        n += 1
    except socket.timeout:
        pass
open(out, "w").write("%d\n" % n)
EOF
cat >"$RH_TMP/udp_tx.py" <<'EOF'
import socket, sys
port, flows, per = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for f in range(flows):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("198.18.30.10", 20000 + f))
    for _ in range(per):
        s.sendto(b"routehub", ("203.0.113.1", port))
    s.close()
EOF

udp_count() { cat "$RH_TMP/$1" 2>/dev/null || echo 0; }
rh_bg b "$RH_TMP/udp-b.err" "$PY" "$RH_TMP/udp_rx.py" 5000 4 "$RH_TMP/udp-b"
rh_wait 5 test -e "$RH_TMP/udp-b.ready"
rh_exec a "$PY" "$RH_TMP/udp_tx.py" 5000 4 5
rh_wait 10 test -s "$RH_TMP/udp-b"
n=$(udp_count udp-b)
if [ "$n" -ge 18 ]; then rh_ok "UDP passes to B ($n/20)"; else rh_not_ok "UDP passes to B ($n/20)"; fi

# RFC 792 / RFC 1812 5.3.1: TTL 1 expires at the dataplane, which answers from port a.
out=$(rh_exec a ping -c 1 -t 1 -W 2 203.0.113.1 2>&1)
if printf '%s' "$out" | grep -q "From 198.18.30.1.*Time to live exceeded"; then
  rh_ok "TTL-expired ping gets ICMP time exceeded from 198.18.30.1"
else
  rh_not_ok "TTL-expired ping gets ICMP time exceeded from 198.18.30.1"
  printf '%s\n' "$out" | sed 's/^/# /'
fi
# RFC 1191: port b's MTU is 1400; a larger packet with DF gets "fragmentation needed".
out=$(rh_exec a ping -c 1 -M do -s 1400 -W 2 203.0.113.1 2>&1)
if printf '%s' "$out" | grep -q "From 198.18.30.1.*Frag needed.*mtu = 1400"; then
  rh_ok "DF packet over port b's MTU: ICMP fragmentation needed, MTU 1400"
else
  rh_not_ok "DF packet over port b's MTU: ICMP fragmentation needed, MTU 1400"
  printf '%s\n' "$out" | sed 's/^/# /'
fi
out=$(rh_exec a ping -c 1 -W 2 198.51.100.1 2>&1)
if printf '%s' "$out" | grep -q "From 198.18.30.1.*Destination Net Unreachable"; then
  rh_ok "no route: ICMP destination net unreachable"
else
  rh_not_ok "no route: ICMP destination net unreachable"
  printf '%s\n' "$out" | sed 's/^/# /'
fi

# ------------------------------------------------------------------ IPv6
rh_check "A pings the dataplane's own IPv6 address" quiet rh_exec a ping -6 -c 2 -i 0.2 -W 2 2001:db8:30::1
rh_check "fibctl: 2001:db8:71::/48 via B" fib route add 2001:db8:71::/48 via 2001:db8:31::10
rh_check "A pings 2001:db8:71::1 through the dataplane (ND on port b)" \
  quiet rh_exec a ping -6 -c 4 -i 0.2 -W 2 2001:db8:71::1
out=$(rh_exec a ping -6 -c 1 -t 1 -W 2 2001:db8:71::1 2>&1)
if printf '%s' "$out" | grep -q "From 2001:db8:30::1.*Time exceeded"; then
  rh_ok "hop limit 1: ICMPv6 time exceeded from 2001:db8:30::1"
else
  rh_not_ok "hop limit 1: ICMPv6 time exceeded from 2001:db8:30::1"
  printf '%s\n' "$out" | sed 's/^/# /'
fi

# ------------------------------------------------------------------ connected subnet
# No route from the FIB channel: 198.18.31.0/24 is port b's subnet; the dataplane resolves
# C itself and then forwards through a host route.
rh_check "A pings C's interface address on the connected subnet" \
  quiet rh_exec a ping -c 3 -i 0.2 -W 2 198.18.31.11
rh_check "show fib: a neighbour host route for C" ctl_has "show fib" "198.18.31.11/32 *neighbour"

# ------------------------------------------------------------------ ECMP
rh_check "fibctl: 203.0.113.0/24 via B and C" \
  fib route add 203.0.113.0/24 via 198.18.31.10,198.18.31.11
rm -f "$RH_TMP"/udp-*.ready
rh_bg b "$RH_TMP/udp-b2.err" "$PY" "$RH_TMP/udp_rx.py" 5001 6 "$RH_TMP/udp-b2"
rh_bg c "$RH_TMP/udp-c2.err" "$PY" "$RH_TMP/udp_rx.py" 5001 6 "$RH_TMP/udp-c2"
rh_wait 5 test -e "$RH_TMP/udp-b2.ready"
rh_wait 5 test -e "$RH_TMP/udp-c2.ready"
rh_exec a "$PY" "$RH_TMP/udp_tx.py" 5001 64 3
rh_wait 10 test -s "$RH_TMP/udp-b2"
rh_wait 10 test -s "$RH_TMP/udp-c2"
nb=$(udp_count udp-b2)
nc=$(udp_count udp-c2)
rh_log "ECMP: B got $nb, C got $nc of 192 datagrams (64 flows)"
if [ "$nb" -gt 0 ] && [ "$nc" -gt 0 ] && [ $((nb + nc)) -ge 180 ]; then
  rh_ok "ECMP: flows reach both B ($nb) and C ($nc)"
else
  rh_not_ok "ECMP: flows reach both B ($nb) and C ($nc)"
fi

# ------------------------------------------------------------------ route change under traffic
fib route add 203.0.113.0/24 via 198.18.31.10 >/dev/null
rh_exec a ping -c 3 -i 0.2 -W 2 203.0.113.1 >/dev/null 2>&1
rh_exec a ping -c 300 -i 0.01 -W 2 203.0.113.1 >"$RH_TMP/ping-move.txt" 2>&1 &
PING_PID=$!
RH_PIDS+=("$PING_PID")
sleep 1
fib route add 203.0.113.0/24 via 198.18.31.11 >/dev/null
mv_rc=$?
wait "$PING_PID"
if [ "$mv_rc" = 0 ] && grep -q " 0% packet loss" "$RH_TMP/ping-move.txt"; then
  rh_ok "route moved from B to C under 10 ms pings: no loss"
else
  rh_not_ok "route moved from B to C under 10 ms pings: no loss"
  tail -n 3 "$RH_TMP/ping-move.txt" | sed 's/^/# /'
fi
out=$("$CTL" --dp-socket "$MGMT" show fib 203.0.113.0/24 2>&1)
if printf '%s' "$out" | grep -q "203.0.113.0/24.*198.18.31.11.*resolved"; then
  rh_ok "show fib 203.0.113.0/24: via C, resolved"
else
  rh_not_ok "show fib 203.0.113.0/24: via C, resolved"
  printf '%s\n' "$out" | sed 's/^/# /'
fi

# ------------------------------------------------------------------ management
rh_check "show fib lists the connected subnet" ctl_has "show fib" "198.18.31.0/24 *connected"
rh_check "show fib: the FIB's sizes" ctl_has "show fib" "^ipv4-routes: [1-9]"
rh_check "show ports: both ports, link up" sh -c \
  "'$CTL' --dp-socket '$MGMT' show ports | grep -c ' up ' | grep -qx 2"
rh_check "show neighbours: B and C reachable or stale" sh -c \
  "'$CTL' --dp-socket '$MGMT' show neighbours | grep -E '198.18.31.1[01] .*(reachable|stale)' | wc -l | grep -qx 2"
rh_check "show neighbours: B's IPv6 address learned by ND" ctl_has "show neighbours" "2001:db8:31::10 "
rh_check "show neighbours: the static neighbour" ctl_has "show neighbours" "198.18.31.99 .*02:00:00:00:31:99 *static"
rh_check "show fib: the static neighbour's host route, resolved" \
  ctl_has "show fib 198.18.31.99/32" "198.18.31.99/32 *neighbour *198.18.31.99 *b *resolved"
rh_check "show stats: the worker forwarded packets" sh -c \
  "'$CTL' --dp-socket '$MGMT' show stats | grep -qE '^0 +forwarded +[1-9]'"
rh_check "show stats --json is routehub:state" sh -c \
  "'$CTL' --dp-socket '$MGMT' --json show stats | grep -q 'routehub:state'"

# rte_telemetry: the EAL file prefix is routehub-<FNV-1a of the management socket path>.
cat >"$RH_TMP/tel.py" <<'EOF'
import json, socket, sys
h = 2166136261
for b in sys.argv[1].encode():
    h = ((h ^ b) * 16777619) & 0xffffffff
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect("/var/run/dpdk/routehub-%08x/dpdk_telemetry.v2" % h)
size = json.loads(s.recv(65536).decode()).get("max_output_len", 16384)
s.send(b"/routehub/stats")
st = json.loads(s.recv(size).decode())["/routehub/stats"]
ok = st.get("worker0_forwarded", 0) > 0 and "main_icmp_sent" in st
if not ok:
    print(json.dumps(st)[:600])
sys.exit(0 if ok else 1)
EOF
rh_check "telemetry /routehub/stats" rh_exec hub "$PY" "$RH_TMP/tel.py" "$MGMT"

# ------------------------------------------------------------------ shutdown
kill -TERM "$DP_PID"
stopped=1
for _ in $(seq 50); do
  kill -0 "$DP_PID" 2>/dev/null || { stopped=0; break; }
  sleep 0.2
done
dp_rc=1
[ "$stopped" = 0 ] && { wait "$DP_PID"; dp_rc=$?; }
if [ "$stopped" = 0 ] && [ "$dp_rc" = 0 ] && [ ! -e "$MGMT" ] && [ ! -e "$FIBSOCK" ] &&
  ! ip -n "$(rh_nsname hub)" link show rh-a >/dev/null 2>&1; then
  rh_ok "SIGTERM: exit status 0, sockets removed, TAPs gone"
else
  rh_not_ok "SIGTERM: exit status 0, sockets removed, TAPs gone (status $dp_rc)"
  tail -n 20 "$RH_TMP/dp.log" | sed 's/^/# /'
fi
if grep -qiE "AddressSanitizer|LeakSanitizer|runtime error" "$RH_TMP/dp.log"; then
  rh_not_ok "no sanitizer report"
  grep -iE -A5 "AddressSanitizer|LeakSanitizer|runtime error" "$RH_TMP/dp.log" | head -40 | sed 's/^/# /'
fi
rh_done
