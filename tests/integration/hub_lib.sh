# shellcheck shell=bash
# Helpers for the hub's scenario tests (test_hub_*.sh), on top of lib.sh: the control
# plane (routehub-controlplane, without the dataplane: its FIB channel retries quietly)
# in namespace "hub", with real peers (FRR as NVA, BIRD as the on-premises routers behind
# ExpressRoute and the VPN gateway) in their own namespaces, at the addresses of
# configs/lab-sdwan-er.json and configs/lab-vpn-er.json.
#
#   hub_cfg SRC OUT [JQ-FILTER]   a configuration from configs/SRC with the sockets in
#                                 $RH_TMP, one null dataplane port, then JQ-FILTER applied
#                                 to the "routehub:routehub" object
#   hub_start CFG                 starts the control plane in "hub" (log $RH_TMP/cp-N.log,
#                                 N = 1, 2, ...), waits for its socket
#   hub_ctl ARGS...               routehubctl against it
#   hub_eff_json                  show effective-routes --json
#   frr_*, bird_*                 peers' configurations and what they received

HUB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

hub_have_tools() {
  [ -x "$RH_BUILD/controlplane/routehub-controlplane" ] && [ -x "$RH_BUILD/cli/routehubctl" ] &&
    [ -x /usr/lib/frr/bgpd ] && command -v bird >/dev/null && command -v jq >/dev/null
}

hub_cfg() {
  local src=$1 out=$2 filter=${3:-.}
  jq --arg t "$RH_TMP" '.["routehub:routehub"] |= (
      .["control-plane"]["mgmt-socket"] = ($t + "/controlplane.sock")
    | .dataplane["fib-socket"] = ($t + "/fib.sock")
    | .dataplane["mgmt-socket"] = ($t + "/dataplane.sock")
    | .dataplane.port = [{"name": "p0", "vdev": "net_null0"}]) | .["routehub:routehub"] |= ('"$filter"')' \
    "$HUB_ROOT/configs/$src" >"$out"
}

hub_start() {
  rm -f "$RH_TMP/controlplane.sock"
  HUB_RUNS=$((${HUB_RUNS:-0} + 1))
  rh_bg hub "$RH_TMP/cp-$HUB_RUNS.log" "$RH_BUILD/controlplane/routehub-controlplane" -c "$1"
  HUB_PID=$RH_LAST_PID
  rh_wait 10 test -S "$RH_TMP/controlplane.sock"
}

# hub_stop: ends the control plane this test started (by its PID).
hub_stop() {
  local i
  kill "$HUB_PID" 2>/dev/null
  for ((i = 0; i < 50; i++)); do kill -0 "$HUB_PID" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$HUB_PID" 2>/dev/null
}

hub_ctl() { "$RH_BUILD/cli/routehubctl" --cp-socket "$RH_TMP/controlplane.sock" "$@"; }
hub_eff_json() { hub_ctl --json show effective-routes; }

# hub_eff PREFIX: the effective-route entries of PREFIX, one JSON object a line.
hub_eff() {
  hub_eff_json | jq -c --arg p "$1" '.. | objects | select(has("effective-route")) |
    .["effective-route"][] | select(.prefix == $p)'
}
# hub_eff_active PREFIX SOURCE: PREFIX has an active entry of SOURCE.
hub_eff_active() {
  hub_eff "$1" | jq -s -e --arg s "$2" 'any(.[]; .active == true and (.source | ascii_downcase) == ($s | ascii_downcase))' >/dev/null
}
# hub_eff_any_active PREFIX: PREFIX has an active entry (of any source).
hub_eff_any_active() { hub_eff "$1" | jq -s -e 'any(.[]; .active == true)' >/dev/null; }

# hub_peer_state ADDR: the session state of the control plane's sessions with ADDR.
hub_peer_state() {
  hub_ctl --json show bgp summary | jq -r --arg a "$1" '.. | objects | select(has("bgp-neighbor")) |
    .["bgp-neighbor"][] | select(.address == $a) | .["session-state"]'
}
hub_all_established() {
  local s
  s=$(hub_ctl --json show bgp summary | jq -r '.. | objects | select(has("bgp-neighbor")) |
    .["bgp-neighbor"][] | .["session-state"]') || return 1
  [ -n "$s" ] && ! printf '%s\n' "$s" | grep -qvi established
}

# ------------------------------------------------------------------ topology

# hub_topo_nva NAME IDX: namespace NAME joined to "hub" by 198.18.(1+IDX).0/24 (.1 the hub,
# .4 the NVA), the route server instances 198.18.1.4 and .5 reached through it.
hub_topo_nva() {
  local n=$1 i=$2
  local net="198.18.$((1 + i))"
  rh_ns "$n" || return 1
  rh_link hub "h-$n" "$net.1/24" "$n" n-hub "$net.4/24" || return 1
  rh_exec "$n" ip route add 198.18.1.0/27 via "$net.1"
}
# hub_topo_base: "hub" with the route server instances on its loopback.
hub_topo_base() {
  rh_ns hub || return 1
  rh_exec hub ip addr add 198.18.1.4/32 dev lo
  rh_exec hub ip addr add 198.18.1.5/32 dev lo
}
# hub_topo_er: the ExpressRoute gateway's instance 198.19.1.1 on a bridge in "hub", with
# namespace "er" (198.19.1.2) on it; hub_topo_er2 adds "er2" (198.19.1.3), a second
# on-premises peer of the gateway (a second circuit).
hub_topo_er() {
  rh_ns er || return 1
  ip -n "$RH_ID-hub" link add br-er type bridge || return 1
  ip -n "$RH_ID-hub" addr add 198.19.1.1/24 dev br-er
  ip -n "$RH_ID-hub" link set br-er up
  rh_link hub h-er - er e-hub 198.19.1.2/24 || return 1
  ip -n "$RH_ID-hub" link set h-er master br-er
}
hub_topo_er2() {
  rh_ns er2 || return 1
  rh_link hub h-er2 - er2 e-hub 198.19.1.3/24 || return 1
  ip -n "$RH_ID-hub" link set h-er2 master br-er
}
hub_topo_vpn() {
  rh_ns vpn || return 1
  rh_link hub h-vpn 198.19.2.1/24 vpn v-hub 198.19.2.10/24 || return 1
  rh_exec hub ip addr add 198.19.2.2/24 dev h-vpn
}

# ------------------------------------------------------------------ FRR as an NVA

# frr_nva_conf FILE ADDR ASN EXTRA-ROUTER-LINES EXTRA-AF-LINES NETWORKS...: both route
# server sessions with the outbound route-map OUT.
frr_nva_conf() {
  local f=$1 addr=$2 asn=$3 extra=$4 af=$5 n rs
  shift 5
  {
    echo "frr defaults traditional"
    echo "router bgp $asn"
    echo " bgp router-id $addr"
    echo " no bgp ebgp-requires-policy"
    echo " no bgp network import-check"
    echo " bgp log-neighbor-changes"
    for rs in 198.18.1.4 198.18.1.5; do
      echo " neighbor $rs remote-as 65515"
      echo " neighbor $rs ebgp-multihop 2"
      echo " neighbor $rs update-source $addr"
      echo " neighbor $rs timers connect 3"
    done
    [ -n "$extra" ] && printf '%s\n' "$extra"
    echo " address-family ipv4 unicast"
    for n in "$@"; do echo "  network $n"; done
    echo "  neighbor 198.18.1.4 route-map OUT out"
    echo "  neighbor 198.18.1.5 route-map OUT out"
    [ -n "$af" ] && printf '%s\n' "$af"
    echo " exit-address-family"
    echo "!"
    # An NVA advertises its own routes only (not what it learned from one route server
    # instance back to the other); more "route-map OUT" entries below 100 may be added.
    echo "bgp as-path access-list OWN seq 5 permit ^\$"
    echo "route-map OUT permit 100"
    echo " match as-path OWN"
    echo "!"
  } >"$f"
}

# frr_routes NS: the IPv4 prefixes in FRR's BGP table, one a line.
frr_routes() { rh_vtysh "$1" 'show bgp ipv4 unicast json' | jq -r '.routes | keys[]'; }
frr_has() { frr_routes "$1" | grep -qx "$2"; }
frr_lacks() { ! frr_has "$1" "$2"; }
# frr_paths NS PREFIX: the AS paths FRR holds for PREFIX, one a line.
frr_paths() {
  rh_vtysh "$1" "show bgp ipv4 unicast $2 json" | jq -r '.paths[]?.aspath.string'
}
# frr_nbr NS ADDR FIELD: a field of FRR's neighbor json.
frr_nbr() {
  rh_vtysh "$1" "show bgp neighbors $2 json" | jq -r --arg a "$2" ".[\$a].$3"
}
frr_established() {
  [ "$(frr_nbr "$1" 198.18.1.4 bgpState)" = Established ] &&
    [ "$(frr_nbr "$1" 198.18.1.5 bgpState)" = Established ]
}
# frr_conn_counts NS: "connectionsEstablished" of both route-server sessions.
frr_conn_counts() {
  echo "$(frr_nbr "$1" 198.18.1.4 connectionsEstablished) $(frr_nbr "$1" 198.18.1.5 connectionsEstablished)"
}

# ------------------------------------------------------------------ BIRD on-premises

# bird_onprem_conf FILE ROUTER-ID ASN "PROTO NEIGHBOR NEIGHBOR-ASN"... -- ROUTES...
# ROUTES are static blackhole routes exported to every session; BIRD_EXPORT, when set, is
# the body of the sessions' export filter instead.
bird_onprem_conf() {
  local f=$1 rid=$2 asn=$3 p
  shift 3
  local sessions=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do sessions+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  {
    echo "router id $rid;"
    echo "timeformat protocol iso long ms;"
    echo "protocol device {}"
    echo "protocol static st { ipv4;"
    for p in "$@"; do echo "  route $p blackhole;"; done
    echo "}"
    for p in "${sessions[@]}"; do
      # shellcheck disable=SC2086
      set -- $p
      echo "protocol bgp $1 { local $rid as $asn; neighbor $2 as $3; connect retry time 3;"
      echo "  ipv4 { import all; export ${BIRD_EXPORT:-where source = RTS_STATIC}; }; }"
    done
  } >"$f"
}
# bird_routes N PROTO: the prefixes BIRD learned from protocol PROTO, one a line.
bird_routes() {
  rh_birdc "$1" show route protocol "$2" | awk '$1 ~ /^[0-9a-f.:]+\/[0-9]+$/ {print $1}'
}
bird_has() { bird_routes "$1" "$2" | grep -qx "$3"; }
bird_lacks() { ! bird_has "$1" "$2" "$3"; }
# bird_aspath N PROTO PREFIX: BGP.as_path of PREFIX from PROTO.
bird_aspath() {
  rh_birdc "$1" show route "$3" protocol "$2" all | sed -n 's/^[[:space:]]*BGP.as_path:[[:space:]]*//p' | head -1
}
# bird_since N PROTO: the state and since-time of a protocol ("up 2026-11-21 10:03:55").
bird_since() {
  rh_birdc "$1" show protocols "$2" | awk -v p="$2" '$1 == p {print $4, $5, $6}'
}
bird_established() {
  rh_birdc "$1" show protocols "$2" | grep -q Established
}
