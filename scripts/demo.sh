#!/usr/bin/env bash
# The main job: sets up everything on a fresh Debian 12 machine (as root), builds routehub,
# then runs it on its default, seed diagram 1 (configs/lab-sdwan-er.json), in network
# namespaces: the SD-WAN NVA (FRR) with on-prem 1 behind it, the on-premises router behind
# ExpressRoute (BIRD) with on-prem 2, a VNet host, and the hub: routehub-dataplane (DPDK,
# net_af_packet ports, --no-huge) and routehub-controlplane, whose BGP sessions go through
# the dataplane. It shows the sessions, the routes each peer receives, the effective
# routes, and that a host on on-prem 1 reaches on-prem 2 only once branch-to-branch is on,
# with the packets counted by the DPDK dataplane. Everything is removed at the end.
# Exit status 0 only when every step did what it shows.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
config=${1:-configs/lab-sdwan-er.json}

if [ -t 1 ]; then
  B=$'\033[1m' G=$'\033[32m' R=$'\033[31m' D=$'\033[2m' N=$'\033[0m'
else
  B='' G='' R='' D='' N=''
fi
step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
ok() { printf '%s  ok%s  %s\n' "$G" "$N" "$*"; }
fail() {
  printf '%s  FAILED%s  %s\n' "$R" "$N" "$*"
  exit 1
}
# show CMD...: prints the command as one would type it in the namespace, then its output
# indented. The lab_* commands are bounded (timeout, ping counts).
show() {
  printf '%s  %s%s\n' "$D" "$(printf '%s ' "$@" | sed -E 's/^lab_ctl /hub# routehubctl /;
    s/^lab_vtysh ([a-z0-9]+) /\1# vtysh -c /; s/^lab_birdc ([a-z0-9]+) /\1# birdc /;
    s/^lab_exec ([a-z0-9]+) /\1# /')" "$N"
  "$@" 2>&1 | sed 's/^/    /'
}

if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: run as root (it installs packages and creates network namespaces)" >&2
  exit 1
fi

step "1. installing dependencies (Debian packages)"
timeout 1200 bash scripts/install-deps.sh || fail "install-deps.sh"
step "2. building routehub"
timeout 1200 bash scripts/build.sh build || fail "build"
step "3. validating every shipped configuration with both daemons"
for f in configs/*.json; do
  ./build/controlplane/routehub-controlplane --check "$f" || fail "$f"
  ./build/dataplane/routehub-dataplane --check "$f" >/dev/null || fail "$f"
done
n=0
for f in configs/*.json; do n=$((n + 1)); done
ok "$n configurations valid"

# ------------------------------------------------------------------ the lab
LAB_DIR=$(mktemp -d --suffix=.routehub-demo)
LAB_ID=rhdemo$$
export LAB_DIR LAB_ID
. scripts/lab/lab.sh
cleanup() {
  trap - EXIT INT TERM
  printf '\n%s== cleaning up: daemons, namespaces, %s%s\n' "$B" "$LAB_DIR" "$N"
  lab_down
  rm -rf "$LAB_DIR"
}
trap cleanup EXIT

# The steps run in a child shell and this one only waits: a shell waiting in "wait" runs
# its trap at once on SIGINT/SIGTERM, whatever the child was doing (a shell interrupted
# inside a command substitution may die without running its traps), and the cleanup
# starts only once the child is gone, so nothing is created after it.
interrupted() {
  kill -TERM "$child" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
  exit 130
}

steps() {
step "4. the lab of $config (seed diagram 1)"
lab_up sdwan-er "$top/$config" || fail "the lab did not come up (see above)"
ctl() { lab_ctl "$@"; }

fib_is() { [ "$(lab_fib_nh "$1")" = "$2" ]; }
# The peers' first UPDATEs follow the sessions by a moment.
lab_wait 20 fib_is 192.0.2.0/24 198.18.2.4 && lab_wait 20 fib_is 198.51.100.0/24 198.19.1.2

step "5. BGP sessions of the hub (all through the dataplane's TAPs)"
show lab_ctl show bgp summary
want=$(lab_ctl --json show bgp summary | grep -o '"session-state"' | wc -l)
[ "$want" -ge 3 ] && lab_sessions_up "$want" || fail "sessions not established"
ok "$want sessions established: the NVA with both route-server instances, the on-premises router with the ExpressRoute gateway"

b2b=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["routehub:routehub"]["route-server"].get("branch-to-branch", False))' "$LAB_DIR/hub.json")
[ "$b2b" = False ] || fail "this demo starts with branch-to-branch off (R4), as the default configuration has it"

step "6. what each peer receives with branch-to-branch off (R4)"
echo "  SD-WAN NVA (FRR):"
show lab_vtysh nva "show bgp ipv4 unicast"
echo "  on-premises router behind ExpressRoute (BIRD):"
show lab_birdc er show route
lab_wait 10 lab_route nva 198.18.0.0/16 || fail "the NVA did not get the VNet space (R1)"
lab_route nva 198.51.100.0/24 && fail "the NVA got on-prem 2 with branch-to-branch off"
lab_route er 192.0.2.0/24 && fail "on-premises got on-prem 1 with branch-to-branch off"
ok "both get the VNet space 198.18.0.0/16 (R1); neither gets the other's on-premises network"

step "7. effective routes (R17: what a VM sees; this programs the DPDK FIB)"
show lab_ctl show effective-routes
fib_is 192.0.2.0/24 198.18.2.4 || fail "192.0.2.0/24 not in the FIB via the NVA"
fib_is 198.51.100.0/24 198.19.1.2 || fail "198.51.100.0/24 not in the FIB via the on-premises router"
show lab_ctl show fib
ok "both on-premises networks are in the VNet's forwarding either way (R4 programs both)"

step "8. VNet host -> both on-premises hosts, through the dataplane"
r=$(lab_ping vnet 192.0.2.10 3 0.2) || fail "198.18.3.10 -> 192.0.2.10: $r (sent received)"
ok "198.18.3.10 -> 192.0.2.10 (on-prem 1, via the NVA): ${r#* }/${r% *} replies"
r=$(lab_ping vnet 198.51.100.10 3 0.2) || fail "198.18.3.10 -> 198.51.100.10: $r (sent received)"
ok "198.18.3.10 -> 198.51.100.10 (on-prem 2, via ExpressRoute): ${r#* }/${r% *} replies"

step "9. on-prem 1 -> on-prem 2 with branch-to-branch off"
show lab_exec onprem1 ping -n -c 3 -i 0.2 -W 1 198.51.100.10
if r=$(lab_ping onprem1 198.51.100.10 3 0.2); then
  fail "192.0.2.10 reached 198.51.100.10 with branch-to-branch off"
fi
ok "192.0.2.10 -> 198.51.100.10: no reply (${r#* }/${r% *}): the NVA has no route to on-prem 2"

step "10. set branch-to-branch on (R5: at runtime, UPDATEs only, no session reset)"
show lab_ctl set branch-to-branch on
lab_wait 15 lab_route nva 198.51.100.0/24 || fail "the NVA did not receive on-prem 2"
lab_wait 15 lab_route er 192.0.2.0/24 || fail "on-premises did not receive on-prem 1"
echo "  SD-WAN NVA (FRR) now receives on-prem 2 from the route server:"
show lab_vtysh nva "show bgp ipv4 unicast"
echo "  and installs it in its kernel:"
show lab_exec nva ip route show 198.51.100.0/24
echo "  the on-premises router (BIRD) receives on-prem 1 from the ExpressRoute gateway:"
show lab_birdc er show route 192.0.2.0/24 all
show lab_ctl show bgp summary
lab_sessions_up "$want" || fail "a session dropped when the switch turned"
ok "routes exchanged, every session still established"

step "11. on-prem 1 -> on-prem 2 with branch-to-branch on, through the DPDK dataplane"
before=$(lab_forwarded)
show lab_exec onprem1 ping -n -c 5 -i 0.2 -W 1 198.51.100.10
r=$(lab_ping onprem1 198.51.100.10 10 0.1) || fail "192.0.2.10 -> 198.51.100.10: $r (sent received)"
after=$(lab_forwarded)
show lab_ctl show fib 198.51.100.0/24
show lab_ctl show fib 192.0.2.0/24
show lab_ctl show stats
# 15 echo requests and 15 replies, each forwarded once by the hub.
[ $((after - before)) -ge 30 ] || fail "the dataplane forwarded $((after - before)) packets, expected at least 30"
ok "192.0.2.10 -> 198.51.100.10: ${r#* }/${r% *} replies; the dataplane forwarded $((after - before)) packets meanwhile"

step "12. set branch-to-branch off again: the exchanged routes are withdrawn"
show lab_ctl set branch-to-branch off
lab_wait 15 sh -c "! ip -n $(lab_nsname nva) -4 route show 198.51.100.0/24 | grep -q ." || fail "on-prem 2 still at the NVA"
if r=$(lab_ping onprem1 198.51.100.10 3 0.2); then fail "on-prem 2 still reachable from on-prem 1"; fi
ok "on-prem 1 cannot reach on-prem 2 again (${r#* }/${r% *} replies)"

step "done: routehub forwarded on-prem 1 <-> on-prem 2 through its DPDK dataplane exactly while branch-to-branch was on"
}

steps &
child=$!
trap interrupted INT TERM
wait "$child"
exit $?
