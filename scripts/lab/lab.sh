# shellcheck shell=bash
# The namespace lab: the hub namespace runs routehub-dataplane (a net_af_packet port on a
# veth for each port of the configuration, a TAP per port carrying the port's addresses)
# and routehub-controlplane, whose BGP sessions reach the peers through the dataplane's
# exception path; the peers (FRR with zebra, BIRD with a kernel protocol) install what
# they learn in their namespace's kernel, so that packets between the on-premises hosts
# follow BGP through the DPDK dataplane.
#
# Sourced by scripts/lab/up.sh, down.sh, scripts/demo.sh and tests/integration/test_e2e_*.sh.
# Everything created is written to a state file as it is created ("ns NAME", "pid PID COMM",
# "dir PATH"), so that lab_down removes exactly that, even after a failed lab_up.
#
#   LAB_DIR  state, configuration, sockets and logs (default /run/routehub-lab)
#   LAB_ID   prefix of the namespace names (default rhlab): LAB_ID-hub, LAB_ID-nva, ...
#   LAB_TAP  1: progress as TAP comments ("# ..."), for the tests
#
# Uses only lab addresses (198.18.0.0/15, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32). Every wait is bounded.

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_DIR=${LAB_DIR:-/run/routehub-lab}
LAB_ID=${LAB_ID:-rhlab}
LAB_TAP=${LAB_TAP:-0}
LAB_BUILD=${ROUTEHUB_BUILD:-$LAB_TOP/build}
LAB_DP=$LAB_BUILD/dataplane/routehub-dataplane
LAB_CP=$LAB_BUILD/controlplane/routehub-controlplane
LAB_CTL=$LAB_BUILD/cli/routehubctl
LAB_STATE=$LAB_DIR/state

lab_say() {
  if [ "$LAB_TAP" = 1 ]; then echo "# $*"; else printf '  \033[2m%s\033[0m\n' "$*"; fi
}
lab_err() { echo "lab: $*" >&2; }

# lab_wait SECONDS CMD...: polls CMD every 0.2 s until it succeeds or time runs out.
lab_wait() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# lab_use DIR ID: work on the lab in DIR whose namespaces are ID-* (several labs in a row).
lab_use() {
  LAB_DIR=$1
  LAB_ID=$2
  LAB_STATE=$LAB_DIR/state
}

lab_record() { echo "$*" >>"$LAB_STATE"; }
lab_nsname() { echo "$LAB_ID-$1"; }
lab_exec() {
  local ns="$LAB_ID-$1"
  shift
  ip netns exec "$ns" "$@"
}
lab_ctl() { timeout 20 "$LAB_CTL" -c "$LAB_DIR/hub.json" "$@"; }

# ------------------------------------------------------------------ state

# lab_init: a fresh state directory; refuses when a lab is already up there.
lab_init() {
  if [ -s "$LAB_STATE" ]; then
    lab_err "a lab is already up ($LAB_STATE); run scripts/lab/down.sh first"
    return 1
  fi
  mkdir -p "$LAB_DIR" || return 1
  : >"$LAB_STATE"
  for f in "$LAB_DP" "$LAB_CP" "$LAB_CTL"; do
    [ -x "$f" ] || { lab_err "not built: $f (meson setup build && meson compile -C build)"; return 1; }
  done
  for t in ip python3 vtysh bird birdc /usr/lib/frr/bgpd /usr/lib/frr/zebra; do
    command -v "$t" >/dev/null || { lab_err "missing: $t (scripts/install-deps.sh)"; return 1; }
  done
}

# lab_pid PID [COMM]: records a process this lab started, with its command name (COMM,
# or what it runs now), so that lab_down ends it only if that PID still runs that command.
lab_pid() {
  local comm=${2:-}
  kill -0 "$1" 2>/dev/null || return 1
  [ -n "$comm" ] || comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
  lab_record "pid $1 ${comm:0:15}"
}

# lab_owned PID: the PID is recorded and still runs the command recorded with it.
lab_owned() {
  local want comm
  want=$(awk -v p="$1" '$1 == "pid" && $2 == p { print $3 }' "$LAB_STATE" 2>/dev/null | tail -n 1)
  comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
  [ -n "$want" ] && [ "$comm" = "$want" ]
}

# lab_kill SIGNAL PID...: SIGNAL to the recorded PIDs that still run their command, then up
# to 5 s for them to go, then SIGKILL. Used by lab_down and by the tests' restarts.
lab_kill() {
  local sig=$1 pid i alive mine=()
  shift
  for pid in "$@"; do lab_owned "$pid" && mine+=("$pid"); done
  [ ${#mine[@]} -gt 0 ] || return 0
  kill -s "$sig" "${mine[@]}" 2>/dev/null
  for ((i = 0; i < 50; i++)); do
    alive=()
    for pid in "${mine[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ ${#alive[@]} -eq 0 ] && return 0
    [ "$i" = 25 ] && kill -KILL "${alive[@]}" 2>/dev/null
    sleep 0.1
  done
  return 1
}

# lab_down: ends every recorded process, deletes every recorded namespace and directory,
# then the state directory.
lab_down() {
  local kind a pids=() nss=() dirs=()
  [ -f "$LAB_STATE" ] || return 0
  while read -r kind a _; do
    case "$kind" in
      pid) pids+=("$a") ;;
      ns) nss+=("$a") ;;
      dir) dirs+=("$a") ;;
    esac
  done <"$LAB_STATE"
  lab_kill TERM "${pids[@]}"
  for a in "${nss[@]}"; do ip netns del "$a" 2>/dev/null; done
  for a in "${dirs[@]}"; do [ "$a" = "$LAB_DIR" ] || rm -rf "$a"; done
  rm -f "$LAB_STATE"
  if [ -z "${LAB_KEEP:-}" ]; then rm -rf "$LAB_DIR"; fi
}

# ------------------------------------------------------------------ topology

# lab_ns NAME: namespace LAB_ID-NAME, loopback up, no DAD.
lab_ns() {
  local ns="$LAB_ID-$1"
  ip netns add "$ns" || return 1
  lab_record "ns $ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# lab_txcsum_off NS IF: a veth leaves UDP and TCP checksums to the receiver
# (CHECKSUM_PARTIAL); af_packet hands such frames to the dataplane unfinished. Real NICs
# do not; turn the offload off on the lab's veths (ETHTOOL_STXCSUM via SIOCETHTOOL).
lab_txcsum_off() {
  lab_exec "$1" python3 - "$2" <<'EOF'
import ctypes, fcntl, socket, struct, sys
val = ctypes.create_string_buffer(struct.pack("II", 0x17, 0))
ifr = struct.pack("16sQ", sys.argv[1].encode(), ctypes.addressof(val)) + bytes(16)
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)
EOF
}

# lab_link NS1 IF1 NS2 IF2: a veth pair, both ends up, TX checksum offload off on both.
lab_link() {
  local n1="$LAB_ID-$1" n2="$LAB_ID-$3"
  ip link add "$2" netns "$n1" type veth peer name "$4" netns "$n2" || return 1
  ip -n "$n1" link set "$2" up && ip -n "$n2" link set "$4" up || return 1
  lab_txcsum_off "$1" "$2" && lab_txcsum_off "$3" "$4"
}

# lab_addr NS IF ADDR...
lab_addr() {
  local ns="$LAB_ID-$1" dev=$2 a
  shift 2
  for a in "$@"; do ip -n "$ns" addr add "$a" dev "$dev" nodad 2>/dev/null || ip -n "$ns" addr add "$a" dev "$dev" || return 1; done
}

# lab_host NAME ADDR/LEN GW [ADDR6/LEN GW6]: a host namespace; its eth0 is linked later.
lab_host_addr() {
  local n=$1
  lab_addr "$n" eth0 "$2" && lab_exec "$n" ip route add default via "$3" || return 1
  if [ $# -ge 5 ]; then
    lab_addr "$n" eth0 "$4" && lab_exec "$n" ip -6 route add default via "$5" || return 1
  fi
}

# lab_router NS: forwards, and does not answer with redirects (a lab router is on one
# segment with the hub).
lab_router() {
  lab_exec "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
    net.ipv6.conf.all.forwarding=1
}

# ------------------------------------------------------------------ configuration

# lab_config SRC [PYTHON]: $LAB_DIR/hub.json from SRC with the sockets in $LAB_DIR; PYTHON,
# if given, edits the dict r (the routehub:routehub container) further. Then reads the
# ports and peers into LAB_PORTS ("name iface" lines) and LAB_* variables.
lab_config() {
  local src=$1 edit=${2:-}
  python3 - "$src" "$LAB_DIR" "$edit" >"$LAB_DIR/hub.json" <<'EOF' || return 1
import json, sys
src, d, edit = sys.argv[1:4]
cfg = json.load(open(src))
r = cfg["routehub:routehub"]
r.setdefault("control-plane", {})["mgmt-socket"] = d + "/controlplane.sock"
r["dataplane"]["fib-socket"] = d + "/fib.sock"
r["dataplane"]["mgmt-socket"] = d + "/dataplane.sock"
if edit:
    exec(edit)
json.dump(cfg, sys.stdout, indent=2)
EOF
  "$LAB_CP" --check "$LAB_DIR/hub.json" >/dev/null || { lab_err "configuration refused: $LAB_DIR/hub.json"; return 1; }
  eval "$(python3 - "$LAB_DIR/hub.json" <<'EOF'
import json, re, shlex, sys
r = json.load(open(sys.argv[1]))["routehub:routehub"]
def v(name, value):
    print("%s=%s" % (name, shlex.quote(value)))
ports = []
for p in r["dataplane"]["port"]:
    m = re.search(r"iface=([^,]+)", p.get("vdev", ""))
    if not m:
        sys.exit("port %s: the lab needs a net_af_packet vdev with iface=" % p["name"])
    ports.append("%s %s %s" % (p["name"], m.group(1), ",".join(p.get("address", []))))
v("LAB_PORTS", "\n".join(ports))
rs = r.get("route-server", {})
v("LAB_RS_INST", " ".join(rs.get("instance-address", [])))
v("LAB_NVAS", " ".join("%s:%d:%d" % (n["address"], n["asn"], n.get("multihop", 1)) for n in rs.get("nva-peer", [])))
er = r.get("expressroute-gateway", {})
v("LAB_ER_INST", " ".join(er.get("instance-address", [])))
v("LAB_ER_PEERS", " ".join("%s:%d" % (n["address"], n["asn"]) for n in er.get("on-premises-peer", [])))
vpn = r.get("vpn-gateway", {})
v("LAB_VPN_INST", " ".join(vpn.get("instance-address", [])))
v("LAB_VPN_PEERS", " ".join("%s:%d" % (n["address"], n["asn"]) for n in vpn.get("on-premises-peer", [])))
v("LAB_VPN_LOCAL", " ".join(p for p in vpn.get("local-network-prefix", []) if ":" not in p))
EOF
)" || return 1
}

# lab_port_iface NAME: the veth of the dataplane's port NAME (from the configuration).
lab_port_iface() { printf '%s\n' "$LAB_PORTS" | awk -v n="$1" '$1 == n { print $2 }'; }

# ------------------------------------------------------------------ the hub

# lab_hub_ns: the hub namespace, whose kernel forwards nothing.
lab_hub_ns() {
  lab_ns hub || return 1
  lab_exec hub sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.ip_forward=0
}

# lab_attach PORT NS IF: a veth pair from the dataplane's port PORT (its af_packet
# interface, from the configuration) to IF in NS.
lab_attach() {
  local iface
  iface=$(lab_port_iface "$1")
  [ -n "$iface" ] || { lab_err "the configuration has no port $1"; return 1; }
  ip link add "$iface" netns "$(lab_nsname hub)" type veth peer name "$3" netns "$(lab_nsname "$2")" || return 1
  # The dataplane owns the af_packet veth; the hub's kernel must stay off it (no ARP, no
  # IPv6, strict reverse-path filter): the port addresses live on the TAPs.
  lab_exec hub ip link set "$iface" arp off
  lab_exec hub sysctl -qw "net.ipv6.conf.$iface.disable_ipv6=1" "net.ipv4.conf.$iface.rp_filter=1"
  lab_exec hub ip link set "$iface" up && lab_exec "$2" ip link set "$3" up || return 1
  lab_txcsum_off hub "$iface" && lab_txcsum_off "$2" "$3"
}

lab_dataplane_start() {
  local addrs name iface first
  ip netns exec "$(lab_nsname hub)" "$LAB_DP" -c "$LAB_DIR/hub.json" >>"$LAB_DIR/dataplane.log" 2>&1 </dev/null &
  LAB_DP_PID=$!
  disown "$LAB_DP_PID" 2>/dev/null
  lab_pid "$LAB_DP_PID" "$(basename "$LAB_DP")" || { lab_err "routehub-dataplane exited at once"; tail -n 20 "$LAB_DIR/dataplane.log" >&2; return 1; }
  echo "$LAB_DP_PID" >"$LAB_DIR/dataplane.pid"
  if ! lab_wait 60 test -S "$LAB_DIR/dataplane.sock"; then
    lab_err "routehub-dataplane did not start (log: $LAB_DIR/dataplane.log)"
    tail -n 20 "$LAB_DIR/dataplane.log" >&2
    return 1
  fi
  # Every port's TAP carries its addresses: the control plane binds them.
  while read -r name iface addrs; do
    [ -n "$name" ] || continue
    first=${addrs%%,*}
    [ -n "$first" ] || continue
    lab_wait 20 sh -c "ip -n $(lab_nsname hub) addr show dev rh-$name | grep -q ' ${first%/*}/'" || {
      lab_err "TAP rh-$name has no $first"
      return 1
    }
  done <<<"$LAB_PORTS"
}

lab_controlplane_start() {
  ip netns exec "$(lab_nsname hub)" "$LAB_CP" -c "$LAB_DIR/hub.json" >>"$LAB_DIR/controlplane.log" 2>&1 </dev/null &
  LAB_CP_PID=$!
  disown "$LAB_CP_PID" 2>/dev/null
  lab_pid "$LAB_CP_PID" "$(basename "$LAB_CP")" || { lab_err "routehub-controlplane exited at once"; tail -n 20 "$LAB_DIR/controlplane.log" >&2; return 1; }
  echo "$LAB_CP_PID" >"$LAB_DIR/controlplane.pid"
  lab_wait 20 test -S "$LAB_DIR/controlplane.sock" || {
    lab_err "routehub-controlplane did not start (log: $LAB_DIR/controlplane.log)"
    tail -n 20 "$LAB_DIR/controlplane.log" >&2
    return 1
  }
}

# lab_sessions_up N: at least N sessions Established (routehubctl --json show bgp summary).
lab_sessions_established() {
  lab_ctl --json show bgp summary 2>/dev/null | python3 -c '
import json, sys
def walk(o):
    if isinstance(o, dict):
        if str(o.get("session-state", "")).lower() == "established":
            yield o
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
try:
    print(len(list(walk(json.load(sys.stdin)))))
except ValueError:
    print(0)'
}
lab_sessions_up() { [ "$(lab_sessions_established)" -ge "$1" ]; }

# ------------------------------------------------------------------ FRR (zebra + bgpd)

# lab_frr_start NS CONF: zebra (so that BGP routes reach the namespace's kernel) and bgpd,
# under the FRR pathspace NS (own vty sockets).
lab_frr_start() {
  local n=$1 conf=$2 ns
  ns=$(lab_nsname "$1")
  mkdir -p "/var/run/frr/$ns" "/etc/frr/$ns" || return 1
  lab_record "dir /var/run/frr/$ns"
  lab_record "dir /etc/frr/$ns"
  chown frr:frr "/var/run/frr/$ns" 2>/dev/null
  touch "/etc/frr/$ns/vtysh.conf"
  ip netns exec "$ns" /usr/lib/frr/zebra -d -N "$ns" -f /dev/null -i "/var/run/frr/$ns/zebra.pid" \
    -u frr -g frr --log "file:/var/run/frr/$ns/zebra.log" >/dev/null 2>&1 || { lab_err "$n: zebra did not start"; return 1; }
  lab_wait 10 test -s "/var/run/frr/$ns/zebra.pid" || return 1
  lab_pid "$(cat "/var/run/frr/$ns/zebra.pid")" || return 1
  lab_wait 10 test -S "/var/run/frr/$ns/zserv.api" || { lab_err "$n: zebra has no zserv socket"; return 1; }
  lab_frr_bgpd_start "$n" "$conf"
}

# lab_frr_bgpd_start NS CONF: bgpd alone (also to restart it after a failover test).
lab_frr_bgpd_start() {
  local n=$1 conf=$2 ns
  ns=$(lab_nsname "$1")
  rm -f "$LAB_DIR/bgpd-$n.pid"
  ip netns exec "$ns" /usr/lib/frr/bgpd -d -N "$ns" -f "$conf" -i "$LAB_DIR/bgpd-$n.pid" \
    -S -u root -g root --log "file:$LAB_DIR/bgpd-$n.log" >/dev/null 2>&1 || { lab_err "$n: bgpd did not start"; return 1; }
  lab_wait 10 test -s "$LAB_DIR/bgpd-$n.pid" || return 1
  lab_pid "$(cat "$LAB_DIR/bgpd-$n.pid")" || return 1
  lab_wait 10 test -S "/var/run/frr/$ns/bgpd.vty"
}

lab_vtysh() {
  local ns c args=()
  ns=$(lab_nsname "$1")
  shift
  for c in "$@"; do args+=(-c "$c"); done
  timeout 20 vtysh -N "$ns" "${args[@]}"
}

# lab_frr_nva_conf ADDR ASN MULTIHOP PREFIX...: an NVA peering with every route-server
# instance (multihop eBGP, R1), advertising PREFIXes.
lab_frr_nva_conf() {
  local addr=$1 asn=$2 hops=$3 i p
  shift 3
  echo "frr defaults traditional"
  echo "hostname nva-$addr"
  echo "router bgp $asn"
  echo " bgp router-id $addr"
  echo " no bgp ebgp-requires-policy"
  echo " no bgp network import-check"
  for i in $LAB_RS_INST; do
    case "$i" in *:*) continue ;; esac
    echo " neighbor $i remote-as 65515"
    [ "$hops" -gt 1 ] && echo " neighbor $i ebgp-multihop $hops"
    echo " neighbor $i update-source $addr"
    echo " neighbor $i timers connect 2"
    echo " neighbor $i advertisement-interval 0"
  done
  echo " address-family ipv4 unicast"
  for p in "$@"; do echo "  network $p"; done
  echo " exit-address-family"
}

# ------------------------------------------------------------------ BIRD 2

lab_bird_start() {
  local n=$1 conf=$2
  rm -f "$LAB_DIR/bird-$n.pid"
  lab_exec "$n" bird -c "$conf" -s "$LAB_DIR/bird-$n.ctl" -P "$LAB_DIR/bird-$n.pid" || { lab_err "$n: bird did not start"; return 1; }
  lab_wait 10 test -s "$LAB_DIR/bird-$n.pid" || return 1
  lab_pid "$(cat "$LAB_DIR/bird-$n.pid")"
}
lab_birdc() {
  local n=$1
  shift
  timeout 20 birdc -s "$LAB_DIR/bird-$n.ctl" "$@"
}

# lab_bird_conf LOCAL ASN LAN_IF PEER:PEER_ASN...: a router advertising its LAN (direct
# routes of LAN_IF) to each peer, and installing what BGP learns in the kernel.
lab_bird_conf() {
  local local=$1 asn=$2 lan=$3 p i=0
  shift 3
  cat <<EOF
router id $local;
protocol device { scan time 2; }
protocol direct { ipv4; interface "$lan"; }
protocol kernel { ipv4 { import none; export where source = RTS_BGP; }; merge paths on; }
EOF
  for p in "$@"; do
    i=$((i + 1))
    cat <<EOF
protocol bgp hub$i {
  local $local as $asn;
  neighbor ${p%%:*} as ${p##*:};
  connect delay time 1;
  connect retry time 2;
  error wait time 1, 10;
  ipv4 { import all; export where source = RTS_DEVICE; };
}
EOF
  done
}

# ------------------------------------------------------------------ seed diagrams

# Every namespace and link is made first (the dataplane opens its af_packet interfaces at
# start), then the dataplane, the control plane, and the peers.

lab_hub_start() {
  lab_say "dataplane ports: $(printf '%s\n' "$LAB_PORTS" | awk '{ printf "%s%s (%s)", s, $1, $2; s=", " }'), net_af_packet; TAPs rh-<port>"
  lab_dataplane_start || return 1
  lab_say "routehub-dataplane up (pid $LAB_DP_PID)"
  lab_controlplane_start || return 1
  lab_say "routehub-controlplane up (pid $LAB_CP_PID); its sessions use the addresses on the TAPs"
}

# The ExpressRoute side of both diagrams: the on-premises router (BIRD) behind port er,
# on-prem 2 (198.51.100.0/24) behind it with a host at .10.
lab_er_links() {
  local peer=${LAB_ER_PEERS%% *}
  lab_ns er && lab_ns onprem2 || return 1
  lab_attach er er eth0 && lab_addr er eth0 "${peer%%:*}/24" || return 1
  lab_link er lan0 onprem2 eth0 && lab_addr er lan0 198.51.100.1/24 || return 1
  lab_host_addr onprem2 198.51.100.10/24 198.51.100.1 || return 1
  lab_router er
}
lab_er_start() {
  local peer=${LAB_ER_PEERS%% *} gw=${LAB_ER_INST%% *}
  lab_bird_conf "${peer%%:*}" "${peer##*:}" lan0 "$gw:12076" >"$LAB_DIR/bird-er.conf"
  lab_bird_start er "$LAB_DIR/bird-er.conf" || return 1
  lab_say "on-premises router ${peer%%:*} (BIRD, AS ${peer##*:}) behind ExpressRoute $gw; on-prem 2 198.51.100.0/24, host 198.51.100.10"
}

lab_vnet_links() {
  lab_ns vnet || return 1
  lab_attach vnet vnet eth0 || return 1
  lab_host_addr vnet 198.18.3.10/24 198.18.3.1 2001:db8:100:3::10/64 2001:db8:100:3::1
}

# lab_onprem1_links ROUTER_NS: on-prem 1 (192.0.2.0/24) behind ROUTER_NS's lan0, a host at .10.
lab_onprem1_links() {
  lab_ns onprem1 || return 1
  lab_link "$1" lan0 onprem1 eth0 && lab_addr "$1" lan0 192.0.2.1/24 || return 1
  lab_host_addr onprem1 192.0.2.10/24 192.0.2.1 || return 1
  lab_router "$1"
}

# Diagram 1: SD-WAN NVA (FRR) with on-prem 1 behind it, ExpressRoute with on-prem 2.
lab_up_sdwan_er() {
  local cfg=${1:-$LAB_TOP/configs/lab-sdwan-er.json} nva addr asn hops
  lab_config "$cfg" "${2:-}" || return 1
  nva=${LAB_NVAS%% *}
  addr=${nva%%:*}; hops=${nva##*:}; asn=${nva#*:}; asn=${asn%%:*}
  lab_hub_ns && lab_ns nva || return 1
  lab_attach nva nva eth0 && lab_addr nva eth0 "$addr/24" || return 1
  # The route servers' subnet is reached through the hub, as the VNet's routing does.
  lab_exec nva ip route add 198.18.1.0/27 via 198.18.2.1 || return 1
  lab_onprem1_links nva && lab_er_links && lab_vnet_links || return 1
  lab_hub_start || return 1
  lab_frr_nva_conf "$addr" "$asn" "$hops" 192.0.2.0/24 >"$LAB_DIR/frr-nva.conf"
  lab_frr_start nva "$LAB_DIR/frr-nva.conf" || return 1
  lab_say "SD-WAN NVA $addr (FRR, AS $asn, multihop to $LAB_RS_INST); on-prem 1 192.0.2.0/24, host 192.0.2.10"
  lab_er_start || return 1
  lab_say "VNet host 198.18.3.10 on port vnet"
}

# Diagram 2: the on-premises VPN device (BIRD) with a session to each active-active VPN
# gateway instance, on-prem 1 behind it; ExpressRoute with on-prem 2.
lab_up_vpn_er() {
  local cfg=${1:-$LAB_TOP/configs/lab-vpn-er.json} peer sessions=() i
  lab_config "$cfg" "${2:-}" || return 1
  peer=${LAB_VPN_PEERS%% *}
  lab_hub_ns && lab_ns vpn || return 1
  lab_attach vpn vpn eth0 && lab_addr vpn eth0 "${peer%%:*}/24" || return 1
  lab_onprem1_links vpn && lab_er_links && lab_vnet_links || return 1
  # The gateway's static local-network prefixes are networks of this site: the device
  # owns their first address (203.0.113.1 for 203.0.113.0/24).
  for i in $LAB_VPN_LOCAL; do
    lab_addr vpn lo "$(python3 -c 'import ipaddress,sys; n=ipaddress.ip_network(sys.argv[1]); print("%s/%d" % (n[1], n.prefixlen))' "$i")" || return 1
  done
  lab_hub_start || return 1
  for i in $LAB_VPN_INST; do sessions+=("$i:65515"); done
  lab_bird_conf "${peer%%:*}" "${peer##*:}" lan0 "${sessions[@]}" >"$LAB_DIR/bird-vpn.conf"
  lab_bird_start vpn "$LAB_DIR/bird-vpn.conf" || return 1
  lab_say "VPN device ${peer%%:*} (BIRD, AS ${peer##*:}, sessions to $LAB_VPN_INST); on-prem 1 192.0.2.0/24, host 192.0.2.10${LAB_VPN_LOCAL:+; local network $LAB_VPN_LOCAL}"
  lab_er_start || return 1
  lab_say "VNet host 198.18.3.10 on port vnet"
}

# lab_up TOPOLOGY [CONFIG [PYTHON]]: builds the lab and waits for every session.
lab_up() {
  local topo=$1 want
  shift
  lab_init || return 1
  lab_record "dir $LAB_DIR"
  case "$topo" in
    sdwan-er) lab_up_sdwan_er "$@" || return 1 ;;
    vpn-er) lab_up_vpn_er "$@" || return 1 ;;
    *) lab_err "unknown topology $topo (sdwan-er, vpn-er)"; return 1 ;;
  esac
  want=$(lab_ctl --json show bgp summary 2>/dev/null | grep -o '"session-state"' | wc -l)
  lab_say "waiting for the $want BGP sessions (through the dataplane's TAPs)"
  if ! lab_wait 60 lab_sessions_up "$want"; then
    lab_err "only $(lab_sessions_established) of $want sessions came up"
    lab_ctl show bgp summary >&2
    return 1
  fi
  lab_say "$want sessions established"
}

# ------------------------------------------------------------------ measurements

# lab_forwarded: packets the dataplane's workers forwarded (show stats, counter forwarded).
lab_forwarded() {
  lab_ctl --json show stats 2>/dev/null | python3 -c '
import json, sys
try:
    st = json.load(sys.stdin)["routehub:state"].get("worker-stats", [])
except (ValueError, KeyError):
    st = []
print(sum(int(c["value"]) for c in st if c["counter"] in ("forwarded", "slow_forwarded")))'
}

# lab_fib_nh PREFIX: the next hops of PREFIX in the dataplane's FIB ("-" when absent).
lab_fib_nh() {
  lab_ctl --json show fib "$1" 2>/dev/null | python3 -c '
import json, sys
p = sys.argv[1]
try:
    rs = json.load(sys.stdin)["routehub:state"].get("fib-route", [])
except (ValueError, KeyError):
    rs = []
nh = [",".join(sorted(r.get("next-hop", []))) for r in rs if r["prefix"] == p]
print(nh[0] if nh else "-")' "$1"
}

# lab_effective_nh PREFIX: the next hops of the active effective routes of PREFIX.
lab_effective_nh() {
  lab_ctl --json show effective-routes 2>/dev/null | python3 -c '
import json, sys
p = sys.argv[1]
try:
    rs = json.load(sys.stdin)["routehub:state"].get("effective-route", [])
except (ValueError, KeyError):
    rs = []
nh = set()
for r in rs:
    if r["prefix"] == p and r.get("active") in (True, "true"):
        v = r.get("next-hop", [])
        nh.update(v if isinstance(v, list) else [v])
print(",".join(sorted(nh)) if nh else "-")' "$1"
}

# lab_ping NS DST COUNT INTERVAL: prints "SENT RECEIVED"; status 0 when all came back.
lab_ping() {
  local out tx rx
  out=$(lab_exec "$1" ping -n -q -c "$3" -i "$4" -W 1 "$2" 2>&1)
  tx=$(printf '%s\n' "$out" | sed -nE 's/^([0-9]+) packets transmitted.*/\1/p')
  rx=$(printf '%s\n' "$out" | sed -nE 's/.* ([0-9]+) (packets )?received.*/\1/p')
  echo "${tx:-0} ${rx:-0}"
  [ "${tx:-0}" -gt 0 ] && [ "${tx:-0}" = "${rx:-0}" ]
}

# lab_route NS PREFIX: the namespace's kernel has a route to exactly PREFIX.
lab_route() { [ -n "$(lab_exec "$1" ip -4 route show "$2" 2>/dev/null)" ]; }
