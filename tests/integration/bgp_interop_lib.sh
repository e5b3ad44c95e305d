# shellcheck shell=bash
# Topology and peer helpers shared by the test_bgp_*.sh interoperability tests (sourced
# after lib.sh and rh_init). Not a test itself: run.sh only runs test_*.sh.
#
# The hub namespace "hub" runs routehub-controlplane; its route-server instance addresses
# sit on its loopback (198.18.1.4, 198.18.1.5 or 2001:db8:1::4, 2001:db8:1::5). Each peer
# has a namespace of its own joined to the hub by a veth pair, peer number I (1..9):
#   hub h-NAME 198.18.1I.1/24 2001:db8:1I::1/64  <->  NAME eth0 198.18.1I.2/24 2001:db8:1I::2/64
# and reaches the instances through the hub (multihop eBGP, as NVAs do).
#
# The route-server VNet space is 198.19.0.0/16 and 2001:db8:100::/48 (R1).

BI_RS4=(198.18.1.4 198.18.1.5)
BI_RS6=(2001:db8:1::4 2001:db8:1::5)
BI_VNET4=198.19.0.0/16
BI_VNET6=2001:db8:100::/48
BI_CTL=

# bi_addr I FAMILY: peer I's address.
bi_addr() { if [ "$2" = 6 ]; then echo "2001:db8:1$1::2"; else echo "198.18.1$1.2"; fi; }

# bi_hub: the hub namespace with the instance addresses.
bi_hub() {
  rh_ns hub || return 1
  rh_exec hub ip addr add 198.18.1.4/32 dev lo
  rh_exec hub ip addr add 198.18.1.5/32 dev lo
  rh_exec hub ip addr add 2001:db8:1::4/128 dev lo
  rh_exec hub ip addr add 2001:db8:1::5/128 dev lo
}

# bi_peer_ns NAME I: the peer's namespace, its link to the hub, its routes to the instances.
bi_peer_ns() {
  local n=$1 i=$2
  rh_ns "$n" || return 1
  rh_link hub "h-$n" "198.18.1$i.1/24" "$n" eth0 "198.18.1$i.2/24" || return 1
  rh_exec hub ip addr add "2001:db8:1$i::1/64" dev "h-$n" nodad
  rh_exec "$n" ip addr add "2001:db8:1$i::2/64" dev eth0 nodad
  rh_exec "$n" ip route add 198.18.0.0/16 via "198.18.1$i.1"
  rh_exec "$n" ip -6 route add 2001:db8::/32 via "2001:db8:1$i::1"
}

# bi_config FILE FAMILY ROUTE_LIMIT PEERS...: the routehub configuration; each peer is
# I:ASN[:PASSWORD[:ADD_PATH]] (ADD_PATH: receive, send or both; RFC 7911). Hold time 9 s
# (keepalive 3 s) so that failures show quickly.
bi_config() {
  local file=$1 fam=$2 limit=$3 sep="" p i asn pw ap
  shift 3
  local rs=("${BI_RS4[@]}")
  [ "$fam" = 6 ] && rs=("${BI_RS6[@]}")
  {
    echo '{"routehub:routehub": {'
    echo ' "route-server": {'
    echo "  \"instance-address\": [\"${rs[0]}\", \"${rs[1]}\"],"
    echo "  \"vnet-address-space\": [\"$BI_VNET4\", \"$BI_VNET6\"],"
    echo "  \"route-limit\": $limit,"
    echo '  "nva-peer": ['
    for p in "$@"; do
      IFS=: read -r i asn pw ap <<<"$p"
      printf '%s   {"address": "%s", "asn": %s, "hold-time": 9, "multihop": 2' "$sep" \
        "$(bi_addr "$i" "$fam")" "$asn"
      [ -n "$pw" ] && printf ', "password": "%s"' "$pw"
      [ -n "$ap" ] && printf ', "add-path": "%s"' "$ap"
      printf '}'
      sep=$',\n'
    done
    echo
    echo '  ]},'
    echo " \"control-plane\": {\"router-id\": \"198.18.1.4\", \"mgmt-socket\": \"$RH_TMP/cp.sock\", \"log-level\": \"info\"},"
    echo ' "dataplane": {"port": [{"name": "p0", "vdev": "net_null0"}],'
    echo "  \"fib-socket\": \"$RH_TMP/fib.sock\", \"mgmt-socket\": \"$RH_TMP/dp.sock\"}"
    echo '}}'
  } >"$file"
}

# bi_cp_start CONFIG: routehub-controlplane in the hub namespace, log in $RH_TMP/cp.log.
bi_cp_start() {
  BI_CTL=$RH_BUILD/cli/routehubctl
  rh_bg hub "$RH_TMP/cp.log" "$RH_BUILD/controlplane/routehub-controlplane" -c "$1"
  # shellcheck disable=SC2034 # for the tests
  BI_CP_PID=$RH_LAST_PID
  rh_wait 10 test -S "$RH_TMP/cp.sock"
}
bi_ctl() { "$BI_CTL" --cp-socket "$RH_TMP/cp.sock" "$@"; }
bi_ctl_json() { "$BI_CTL" --cp-socket "$RH_TMP/cp.sock" --json "$@"; }

# bi_rh_state ADDR LOCAL: routehub's session state toward ADDR on instance LOCAL.
bi_rh_state() {
  bi_ctl_json show bgp summary 2>/dev/null | python3 -c '
import json, sys
for n in json.load(sys.stdin)["routehub:state"]["bgp-neighbor"]:
    if n["address"] == sys.argv[1] and n["local-address"] == sys.argv[2]:
        print(n["session-state"])' "$1" "$2"
}
bi_rh_established() { [ "$(bi_rh_state "$1" "$2")" = established ]; }
# bi_rh_all_established ADDR...: every session of these peers, on both instances.
bi_rh_all_established() {
  local a l
  for a in "$@"; do
    for l in "${BI_INST[@]}"; do bi_rh_established "$a" "$l" || return 1; done
  done
}

# bi_effective_has PREFIX [NEXTHOP]: an active effective route (R17) for PREFIX, with
# NEXTHOP among its next hops when given.
bi_effective_has() {
  bi_ctl_json show effective-routes 2>/dev/null | python3 -c '
import json, sys
want, nh = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
st = json.load(sys.stdin).get("routehub:state", {})
for r in st.get("effective-route", []):
    if r.get("prefix") == want and r.get("active") and (nh is None or nh in r.get("next-hop", [])):
        sys.exit(0)
sys.exit(1)' "$@"
}
bi_effective_lacks() {
  bi_ctl_json show effective-routes 2>/dev/null | python3 -c '
import json, sys
st = json.load(sys.stdin).get("routehub:state", {})
sys.exit(1 if any(r.get("prefix") == sys.argv[1] for r in st.get("effective-route", [])) else 0)' "$1"
}

# ------------------------------------------------------------------ peers

# bi_frr_conf FILE I ASN FAMILY PASSWORD NETWORKS...: bgpd toward both instances, multihop,
# each network announced with community ASN:100 and large community ASN:1:2; only its own
# networks are sent (an NVA that re-advertises what it learned would only add paths the
# route server refuses by R7 or ranks lower).
bi_frr_conf() {
  local file=$1 i=$2 asn=$3 fam=$4 pw=$5 n af=ipv4
  shift 5
  local rs=("${BI_RS4[@]}")
  [ "$fam" = 6 ] && { rs=("${BI_RS6[@]}"); af=ipv6; }
  {
    echo "frr defaults traditional"
    echo "hostname rh-frr"
    echo "route-map TAG permit 10"
    echo " set community $asn:100"
    echo " set large-community $asn:1:2"
    echo "!"
    echo "bgp as-path access-list OWN seq 5 permit ^\$"
    echo "!"
    echo "router bgp $asn"
    echo " bgp router-id 198.18.1$i.2"
    echo " no bgp ebgp-requires-policy"
    echo " no bgp network import-check"
    echo " no bgp default ipv4-unicast"
    echo " bgp log-neighbor-changes"
    for n in "${rs[@]}"; do
      echo " neighbor $n remote-as 65515"
      echo " neighbor $n ebgp-multihop 2"
      echo " neighbor $n update-source $(bi_addr "$i" "$fam")"
      echo " neighbor $n timers 3 9"
      echo " neighbor $n timers connect 2"
      [ -n "$pw" ] && echo " neighbor $n password $pw"
    done
    echo " address-family $af unicast"
    for n in "${rs[@]}"; do
      echo "  neighbor $n activate"
      echo "  neighbor $n filter-list OWN out"
    done
    for n in "$@"; do echo "  network $n route-map TAG"; done
    echo " exit-address-family"
    echo "!"
  } >"$file"
}

# bi_frr_json NS CMD: FRR's JSON answer, or nothing.
bi_frr_state() {
  rh_vtysh "$1" "show bgp neighbors $2 json" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]]["bgpState"])' "$2" \
      2>/dev/null
}
bi_frr_established() { [ "$(bi_frr_state "$1" "$2")" = Established ]; }
# bi_frr_field NS NEIGHBOR KEY...: a value of FRR's `show bgp neighbors X json`.
bi_frr_field() {
  local ns=$1 nb=$2
  shift 2
  rh_vtysh "$ns" "show bgp neighbors $nb json" 2>/dev/null | python3 -c '
import json, sys
v = json.load(sys.stdin)[sys.argv[1]]
for k in sys.argv[2:]:
    v = v.get(k, {}) if isinstance(v, dict) else {}
print(v if v != {} else "")' "$nb" "$@" 2>/dev/null
}

# bi_frr_route NS FAMILY PREFIX: FRR's paths of PREFIX as "aspath|nexthop|peer" lines.
bi_frr_route() {
  local af=ipv4
  [ "$2" = 6 ] && af=ipv6
  rh_vtysh "$1" "show bgp $af unicast $3 json" 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin).get("paths", []):
    nh = [h.get("ip") for h in p.get("nexthops", []) if h.get("scope", "global") == "global"]
    print("%s|%s|%s" % (p.get("aspath", {}).get("string", ""), ",".join(nh),
                        p.get("peer", {}).get("peerId", "")))' 2>/dev/null
}

# bi_bird_conf FILE I ASN FAMILY PASSWORD EXPORT_PREFIX: BIRD 2 toward both instances
# (protocols rs1, rs2), announcing EXPORT_PREFIX (a static blackhole) with community
# ASN:200; a static route to the hub resolves the recursive next hops of multihop BGP.
bi_bird_conf() {
  local file=$1 i=$2 asn=$3 fam=$4 pw=$5 pfx=$6 af=ipv4 via=198.18.1$2.1 cover=198.18.0.0/16
  local rs=("${BI_RS4[@]}")
  [ "$fam" = 6 ] && { rs=("${BI_RS6[@]}"); af=ipv6; via=2001:db8:1$i::1; cover=2001:db8::/32; }
  {
    echo "router id 198.18.1$i.2;"
    echo "protocol device { scan time 2; }"
    echo "protocol static st { $af; route $pfx blackhole; route $cover via $via; }"
    echo "template bgp hubrs {"
    echo "  local $(bi_addr "$i" "$fam") as $asn; multihop 2; hold time 9; connect retry time 2;"
    [ -n "$pw" ] && echo "  password \"$pw\";"
    echo "  $af { import all; export where net = $pfx; };"
    echo "}"
    echo "protocol bgp rs1 from hubrs { neighbor ${rs[0]} as 65515; }"
    echo "protocol bgp rs2 from hubrs { neighbor ${rs[1]} as 65515; }"
  } >"$file"
}
bi_bird_established() { rh_birdc "$1" show protocols "$2" 2>/dev/null | grep -q Established; }

# bi_gobgp_conf FILE I ASN FAMILY PASSWORD: gobgpd toward both instances.
bi_gobgp_conf() {
  local file=$1 i=$2 asn=$3 fam=$4 pw=$5 n af=ipv4-unicast
  local rs=("${BI_RS4[@]}")
  [ "$fam" = 6 ] && { rs=("${BI_RS6[@]}"); af=ipv6-unicast; }
  {
    echo "[global.config]"
    echo "  as = $asn"
    echo "  router-id = \"198.18.1$i.2\""
    echo "  port = -1"
    for n in "${rs[@]}"; do
      echo "[[neighbors]]"
      echo "  [neighbors.config]"
      echo "    neighbor-address = \"$n\""
      echo "    peer-as = 65515"
      [ -n "$pw" ] && echo "    auth-password = \"$pw\""
      echo "  [neighbors.timers.config]"
      echo "    connect-retry = 2"
      echo "    hold-time = 9"
      echo "    keepalive-interval = 3"
      echo "  [neighbors.transport.config]"
      echo "    local-address = \"$(bi_addr "$i" "$fam")\""
      echo "  [neighbors.ebgp-multihop.config]"
      echo "    enabled = true"
      echo "    multihop-ttl = 2"
      echo "  [[neighbors.afi-safis]]"
      echo "    [neighbors.afi-safis.config]"
      echo "      afi-safi-name = \"$af\""
    done
  } >"$file"
}
bi_gobgp_established() {
  rh_gobgp "$1" neighbor "$2" -j 2>/dev/null | python3 -c '
import json, sys
sys.exit(0 if json.load(sys.stdin)["state"]["session_state"] == 6 else 1)' 2>/dev/null
}

# bi_exabgp_conf FILE I ASN FAMILY FIFO: ExaBGP toward both instances; its API process
# reads commands from FIFO (the test writes "announce ..." lines into it).
bi_exabgp_conf() {
  local file=$1 i=$2 asn=$3 fam=$4 fifo=$5 n af="ipv4 unicast"
  local rs=("${BI_RS4[@]}")
  [ "$fam" = 6 ] && { rs=("${BI_RS6[@]}"); af="ipv6 unicast"; }
  {
    echo "process cmds { run /bin/cat $fifo; encoder text; }"
    for n in "${rs[@]}"; do
      echo "neighbor $n {"
      echo "  router-id 198.18.1$i.2; local-address $(bi_addr "$i" "$fam");"
      echo "  local-as $asn; peer-as 65515; hold-time 9;"
      echo "  family { $af; }"
      echo "  api { processes [ cmds ]; neighbor-changes; }"
      echo "}"
    done
  } >"$file"
}

# bi_check NAME CMD...: rh_check that also returns CMD's outcome, so that a failure can be
# followed by diagnostics (bi_check ... || show_something).
bi_check() {
  local name=$1
  shift
  if "$@"; then
    rh_ok "$name"
    return 0
  fi
  rh_not_ok "$name"
  return 1
}

# bi_bird_paths NS PREFIX: BIRD's paths of PREFIX, one line each:
# "protocol|as_path|next_hop|community|large_community".
bi_bird_paths() {
  rh_birdc "$1" show route all "$2" 2>/dev/null | awk '
    function out() { if (p != "") print p "|" as "|" nh "|" c "|" lc }
    /unicast \[/ { out(); match($0, /\[[a-z0-9]+ /); p = substr($0, RSTART + 1, RLENGTH - 2);
                   as = nh = c = lc = "" }
    /BGP.as_path:/ { sub(/.*BGP.as_path: */, ""); as = $0 }
    /BGP.next_hop:/ { sub(/.*BGP.next_hop: */, ""); nh = $0 }
    /BGP.community:/ { sub(/.*BGP.community: */, ""); c = $0 }
    /BGP.large_community:/ { sub(/.*BGP.large_community: */, ""); lc = $0 }
    END { out() }'
}

# bi_gobgp_paths NS FAMILY PREFIX: GoBGP's paths of PREFIX, one line each:
# "neighbor|as_path|next_hop|communities|large_communities".
bi_gobgp_paths() {
  local af=ipv4
  [ "$2" = 6 ] && af=ipv6
  rh_gobgp "$1" global rib -a "$af" -j 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin).get(sys.argv[1], []):
    asp, nh, c, lc = [], "", [], []
    for a in p["attrs"]:
        if a["type"] == 2:
            asp = [str(x) for s in a.get("as_paths", []) for x in s.get("asns", [])]
        elif a["type"] in (3, 14):
            nh = a.get("nexthop", "")
        elif a["type"] == 8:
            c = ["%d:%d" % (x >> 16, x & 0xffff) for x in a["communities"]]
        elif a["type"] == 32:
            lc = ["%d:%d:%d" % (x["ASN"], x["LocalData1"], x["LocalData2"]) for x in a["value"]]
    print("%s|%s|%s|%s|%s" % (p.get("neighbor-ip", ""), " ".join(asp), nh, ",".join(c), ",".join(lc)))
' "$3" 2>/dev/null
}

# bi_require TOOL...: when one is missing, every check named in the caller's names[] is
# skipped with the reason and the test ends.
bi_require() {
  local t n
  for t in "$@"; do
    if ! command -v "$t" >/dev/null; then
      for n in "${names[@]}"; do rh_skip "$n" "$t not available"; done
      rh_done
      exit $?
    fi
  done
}

# bi_fail_setup WHAT: a set-up step failed: one failed check with the control plane's last
# log lines, and the test ends.
bi_fail_setup() {
  rh_not_ok "setup: $1"
  sed 's/^/# /' "$RH_TMP/cp.log" 2>/dev/null | tail -20
  rh_done
  exit 1
}
