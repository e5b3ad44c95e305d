# shellcheck shell=bash
# Helpers for integration tests: network namespaces joined by veth pairs, real BGP peers
# (FRR bgpd, BIRD 2, GoBGP, ExaBGP) started inside them, bounded waits, TAP output, and a
# cleanup that runs even when a test fails.
#
# Rules every test keeps: only lab addresses (198.18.0.0/15, 192.0.2.0/24,
# 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32); every namespace and process it creates
# is recorded here and removed by rh_cleanup (trap on EXIT); processes are ended by their
# own PID only; every wait is bounded in count and time.
#
# Usage:
#   . "$(dirname "$0")/lib.sh"
#   rh_init mytest            # makes $RH_TMP, sets the trap, and a short unique id
#   rh_ns a; rh_ns b
#   rh_link a eth0 198.18.10.1/24 b eth0 198.18.10.2/24
#   rh_frr_start b "$conf"    # then rh_vtysh b 'show bgp summary json'
#   rh_ok "session up" / rh_not_ok "..." / rh_check "name" cmd...
#   rh_done                   # prints the plan and exits non-zero if anything failed

RH_TESTS=0
RH_FAILED=0
RH_NAMESPACES=()
RH_PIDS=()
RH_DIRS=()

rh_init() {
  local name=$1
  RH_ID="rh$(printf '%s-%s' "$name" "$$" | md5sum | cut -c1-6)"
  RH_TMP=$(mktemp -d "/tmp/routehub-$name.XXXXXX")
  RH_DIRS+=("$RH_TMP")
  trap rh_cleanup EXIT
  trap 'exit 130' INT TERM
  RH_BUILD=${ROUTEHUB_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
}

rh_cleanup() {
  local pid ns d
  for pid in "${RH_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  # Give them a moment, then make sure.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    local alive=0
    for pid in "${RH_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${RH_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for ns in "${RH_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null
    rm -rf "/var/run/frr/$ns" "/etc/frr/$ns"
  done
  for d in "${RH_DIRS[@]}"; do
    [ -n "${ROUTEHUB_KEEP_TMP:-}" ] || rm -rf "$d"
  done
}

# ------------------------------------------------------------------ TAP

rh_ok() { RH_TESTS=$((RH_TESTS + 1)); echo "ok $RH_TESTS - $*"; }
rh_not_ok() {
  RH_TESTS=$((RH_TESTS + 1)); RH_FAILED=$((RH_FAILED + 1))
  echo "not ok $RH_TESTS - $*"
}
rh_skip() { RH_TESTS=$((RH_TESTS + 1)); echo "ok $RH_TESTS - $1 # SKIP $2"; }
# rh_check NAME CMD...: ok when CMD succeeds.
rh_check() {
  local name=$1
  shift
  if "$@"; then rh_ok "$name"; else rh_not_ok "$name"; fi
}
rh_done() {
  echo "1..$RH_TESTS"
  [ "$RH_FAILED" = 0 ]
}
rh_log() { echo "# $*"; }

# rh_wait SECONDS CMD...: polls CMD every 0.2 s until it succeeds or time runs out.
rh_wait() {
  local limit=$1 tries
  shift
  tries=$((limit * 5))
  for ((i = 0; i < tries; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# ------------------------------------------------------------------ topology

# rh_ns NAME: a namespace named $RH_ID-NAME with loopback up; echoes nothing.
rh_ns() {
  local ns="$RH_ID-$1"
  ip netns add "$ns" || return 1
  RH_NAMESPACES+=("$ns")
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}
rh_nsname() { echo "$RH_ID-$1"; }
rh_exec() {
  local ns="$RH_ID-$1"
  shift
  ip netns exec "$ns" "$@"
}

# rh_link NS1 IF1 ADDR1 NS2 IF2 ADDR2 [ADDR1b ADDR2b]: a veth pair with addresses (any of
# them may be "-" for none), both ends up.
rh_link() {
  local n1="$RH_ID-$1" i1=$2 a1=$3 n2="$RH_ID-$4" i2=$5 a2=$6
  ip link add "$i1" netns "$n1" type veth peer name "$i2" netns "$n2" || return 1
  [ "$a1" = - ] || ip -n "$n1" addr add "$a1" dev "$i1" nodad 2>/dev/null || ip -n "$n1" addr add "$a1" dev "$i1"
  [ "$a2" = - ] || ip -n "$n2" addr add "$a2" dev "$i2" nodad 2>/dev/null || ip -n "$n2" addr add "$a2" dev "$i2"
  ip -n "$n1" link set "$i1" up
  ip -n "$n2" link set "$i2" up
}

# rh_bg NS LOGFILE CMD...: starts CMD in the background in a namespace, records its PID.
rh_bg() {
  local ns="$RH_ID-$1" log=$2
  shift 2
  ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null &
  RH_PIDS+=("$!")
  RH_LAST_PID=$!
}

# ------------------------------------------------------------------ FRR bgpd

# rh_frr_start NS CONF: bgpd without zebra, its vty under -N pathspace so that several
# instances (one per namespace) each have their own vtysh socket.
rh_frr_start() {
  local ns="$RH_ID-$1" conf=$2
  mkdir -p "/var/run/frr/$ns" "/etc/frr/$ns"
  chown frr:frr "/var/run/frr/$ns" 2>/dev/null
  touch "/etc/frr/$ns/vtysh.conf"
  ip netns exec "$ns" /usr/lib/frr/bgpd -d -N "$ns" -f "$conf" -i "$RH_TMP/frr-$1.pid" \
    -Z -n -S -u root -g root --log "file:$RH_TMP/frr-$1.log" >/dev/null 2>&1 || return 1
  rh_wait 10 test -s "$RH_TMP/frr-$1.pid" || return 1
  RH_PIDS+=("$(cat "$RH_TMP/frr-$1.pid")")
  rh_wait 10 test -S "/var/run/frr/$ns/bgpd.vty"
}
rh_vtysh() {
  local ns="$RH_ID-$1"
  shift
  local args=()
  for c in "$@"; do args+=(-c "$c"); done
  vtysh -N "$ns" "${args[@]}"
}

# ------------------------------------------------------------------ BIRD 2

rh_bird_start() {
  local ns="$RH_ID-$1" conf=$2
  ip netns exec "$ns" bird -c "$conf" -s "$RH_TMP/bird-$1.ctl" -P "$RH_TMP/bird-$1.pid" || return 1
  rh_wait 10 test -s "$RH_TMP/bird-$1.pid" || return 1
  RH_PIDS+=("$(cat "$RH_TMP/bird-$1.pid")")
}
rh_birdc() {
  local n=$1
  shift
  birdc -s "$RH_TMP/bird-$n.ctl" "$@"
}

# ------------------------------------------------------------------ GoBGP

rh_gobgp_start() {
  local n=$1 conf=$2
  rh_bg "$n" "$RH_TMP/gobgp-$n.log" gobgpd -f "$conf" --log-level=info --api-hosts=127.0.0.1:50051
  rh_wait 10 rh_exec "$n" gobgp global
}
rh_gobgp() {
  local n=$1
  shift
  rh_exec "$n" gobgp -u 127.0.0.1 -p 50051 "$@"
}

# ------------------------------------------------------------------ ExaBGP

# rh_exabgp_start NS CONF: runs in the foreground of a background job (no daemon), logs
# to $RH_TMP/exabgp-NS.log.
rh_exabgp_start() {
  local n=$1 conf=$2
  rh_bg "$n" "$RH_TMP/exabgp-$n.out" env exabgp.daemon.user=root exabgp.daemon.daemonize=false \
    exabgp.log.destination="$RH_TMP/exabgp-$n.log" exabgp.api.cli=false exabgp "$conf"
}

# rh_txcsum_off NS IFACE: a veth leaves UDP and TCP checksums to be completed by the
# receiving device (CHECKSUM_PARTIAL); af_packet hands such frames to the dataplane as they
# are, so they would arrive with bad checksums. Real NICs do not do this: turn the offload
# off (ETHTOOL_STXCSUM through SIOCETHTOOL: no ethtool binary needed).
rh_txcsum_off() {
  rh_exec "$1" python3 - "$2" <<'EOF'
import ctypes, fcntl, socket, struct, sys
val = ctypes.create_string_buffer(struct.pack("II", 0x17, 0))  # ETHTOOL_STXCSUM, off
ifr = struct.pack("16sQ", sys.argv[1].encode(), ctypes.addressof(val)) + bytes(16)
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)  # SIOCETHTOOL
EOF
}
