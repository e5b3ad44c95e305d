#!/usr/bin/env bash
# Soak: routehub-controlplane and routehub-dataplane for SOAK_SECONDS (default 600) with
# route churn, a flapping peer and traffic; not part of the default test command.
#
#   FRR   (AS 65001)  withdraws and re-announces a batch of 8 prefixes every few seconds
#   BIRD  (AS 65002)  steady
#   GoBGP (AS 65003)  adds and deletes a batch of 8 prefixes every few seconds
#   flapper (AS 65005, tests/integration/hostile_peer.py): up ~3 s with 8 routes, down,
#                     again, for the whole run
#   traffic: A -> B through the dataplane (ports a, b on af_packet): ping at 5/s and a
#            UDP flow at 200 datagrams/s, both bounded by the run's length
# Every SOAK_SAMPLE seconds (default 10) it samples both daemons' RSS. At the end it checks:
#   - memory flat: each daemon's mean RSS over the last third is within 10 % + 4 MB of
#     its mean over the first third;
#   - FRR, BIRD and GoBGP never dropped (routehub's own session uptimes cover the run);
#   - the counters add up: per worker, packets in = forwarded + dropped (by reason) +
#     punted, from routehubctl show stats --json;
# prints a summary and exits non-zero on a violation. Run as root, from the source tree:
#   SOAK_SECONDS=180 scripts/soak.sh
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
it=$top/tests/integration
# shellcheck source=tests/integration/lib.sh
. "$it/lib.sh"
# shellcheck source=tests/integration/bgp_interop_lib.sh
. "$it/bgp_interop_lib.sh"
rh_init soak

SECS=${SOAK_SECONDS:-600}
SAMPLE=${SOAK_SAMPLE:-10}
PY=$(command -v python3)
DP=$RH_BUILD/dataplane/routehub-dataplane
CP=$RH_BUILD/controlplane/routehub-controlplane
for t in "$DP" "$CP" "$PY" bird gobgpd /usr/lib/frr/bgpd; do
  command -v "$t" >/dev/null || { echo "soak: $t not available" >&2; exit 2; }
done
die() { echo "soak: $*" >&2; tail -n 20 "$RH_TMP/cp.log" "$RH_TMP/dp.log" 2>/dev/null >&2; exit 2; }

# ------------------------------------------------------------------ topology
BI_INST=("${BI_RS4[@]}")
FRR=198.18.11.2 BIRD=198.18.12.2 GOBGP=198.18.13.2 FLAP=198.18.15.2
bi_hub || die "hub namespace"
for p in "frr 1" "bird 2" "gobgp 3" "flap 5"; do
  # shellcheck disable=SC2086
  bi_peer_ns $p || die "namespace $p"
done
rh_ns a; rh_ns b
rh_link a eth0 198.18.30.10/24 hub dp-a -
rh_link b eth0 198.18.31.10/24 hub dp-b -
rh_exec a ip route add default via 198.18.30.1
rh_exec b ip route add default via 198.18.31.1
for h in a b; do rh_txcsum_off "$h" eth0; done
for i in dp-a dp-b; do
  rh_exec hub ip link set "$i" arp off
  rh_exec hub sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1"
done

bi_config "$RH_TMP/hub.json" 4 1000 1:65001 2:65002 3:65003 5:65005
# The dataplane of bi_config is a null port: give it the two af_packet ports instead.
"$PY" - "$RH_TMP/hub.json" "$RH_TMP" <<'EOF'
import json, sys
f, tmp = sys.argv[1], sys.argv[2]
c = json.load(open(f))
c["routehub:routehub"]["dataplane"] = {
    "port": [
        {"name": "a", "vdev": "net_af_packet0,iface=dp-a", "address": ["198.18.30.1/24"]},
        {"name": "b", "vdev": "net_af_packet1,iface=dp-b", "address": ["198.18.31.1/24"]}],
    "fib": {"ipv4-max-routes": 4096, "ipv6-max-routes": 1024, "max-next-hops": 256},
    "fib-socket": tmp + "/fib.sock", "mgmt-socket": tmp + "/dp.sock",
    "eal-args": "--no-huge --no-pci -m 512 --log-level=lib.eal:warning"}
json.dump(c, open(f, "w"), indent=1)
EOF
rh_bg hub "$RH_TMP/dp.log" "$DP" -c "$RH_TMP/hub.json"
DP_PID=$RH_LAST_PID
rh_wait 30 test -S "$RH_TMP/dp.sock" || die "dataplane does not start"
bi_cp_start "$RH_TMP/hub.json" || die "control plane does not start"
CP_PID=$BI_CP_PID
bi_frr_conf "$RH_TMP/frr.conf" 1 65001 4 "" 192.0.2.0/24
rh_frr_start frr "$RH_TMP/frr.conf" || die "FRR"
bi_bird_conf "$RH_TMP/bird.conf" 2 65002 4 "" 198.51.100.0/24
rh_bird_start bird "$RH_TMP/bird.conf" || die "BIRD"
bi_gobgp_conf "$RH_TMP/gobgp.toml" 3 65003 4 ""
rh_gobgp_start gobgp "$RH_TMP/gobgp.toml" || die "GoBGP"
rh_wait 60 bi_rh_all_established "$FRR" "$BIRD" "$GOBGP" || die "sessions do not come up"
rh_exec a ping -c 3 -i 0.2 -W 2 198.18.31.10 >/dev/null 2>&1 || die "A cannot ping B"
ctl_json() { "$BI_CTL" --cp-socket "$RH_TMP/cp.sock" --dp-socket "$RH_TMP/dp.sock" --json "$@"; }

# ------------------------------------------------------------------ load
T0=$SECONDS
END=$((T0 + SECS))
# Traffic, bounded by count.
rh_bg a "$RH_TMP/ping.out" ping -q -i 0.2 -W 2 -c $((SECS * 5)) 198.18.31.10
PING_PID=$RH_LAST_PID
cat >"$RH_TMP/udp_tx.py" <<'EOF'
import socket, sys, time
secs, rate = float(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n, t0 = 0, time.time()
while time.time() - t0 < secs:
    s.sendto(b"routehub-soak", ("198.18.31.10", 9))
    n += 1
    time.sleep(max(0.0, t0 + n / rate - time.time()))
print(n)
EOF
rh_bg a "$RH_TMP/udp.out" "$PY" "$RH_TMP/udp_tx.py" "$SECS" 200
# The flapping peer: one bounded cycle after another until the end.
(
  while [ "$SECONDS" -lt "$END" ]; do
    ip netns exec "$(rh_nsname flap)" "$PY" "$it/hostile_peer.py" --src "$FLAP" --dst 198.18.1.4 \
      --asn 65005 --case bounce --count 8 --wait 3 --timeout 5 >>"$RH_TMP/flap.out" 2>&1
    sleep 1
  done
) &
RH_PIDS+=("$!")
churn() {
  local on=$1 i cmds=() verb=network gverb=add
  [ "$on" = 1 ] || { verb="no network"; gverb=del; }
  for i in 0 1 2 3 4 5 6 7; do cmds+=("$verb 203.0.113.$((128 + i * 8))/29 route-map TAG"); done
  rh_vtysh frr 'configure terminal' 'router bgp 65001' 'address-family ipv4 unicast' \
    "${cmds[@]}" >/dev/null 2>&1
  for i in 0 1 2 3 4 5 6 7; do
    rh_gobgp gobgp global rib "$gverb" "198.18.200.$((i * 8))/29" -a ipv4 >/dev/null 2>&1
  done
}
rss() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
: >"$RH_TMP/rss"
on=1 churns=0 churn_seen=0 next_sample=$SECONDS
echo "soak: ${SECS}s, sampling RSS every ${SAMPLE}s (tmp $RH_TMP)"
while [ "$SECONDS" -lt "$END" ]; do
  churn "$on"
  on=$((1 - on))
  churns=$((churns + 1))
  if [ "$SECONDS" -ge "$next_sample" ]; then
    # The churn is real: right after an announcement round, routehub has both batches.
    [ "$on" = 0 ] && sleep 1 && bi_effective_has 203.0.113.128/29 "$FRR" &&
      bi_effective_has 198.18.200.0/29 "$GOBGP" && churn_seen=$((churn_seen + 1))
    echo "$((SECONDS - T0)) $(rss "$CP_PID") $(rss "$DP_PID")" >>"$RH_TMP/rss"
    next_sample=$((next_sample + SAMPLE))
  fi
  if ! kill -0 "$CP_PID" 2>/dev/null || ! kill -0 "$DP_PID" 2>/dev/null; then break; fi
  sleep 3
done
# Let the last churn and flap settle, and the traffic stop.
churn 0
sleep 5
wait "$PING_PID" 2>/dev/null

# ------------------------------------------------------------------ checks
fail=0
violation() { echo "VIOLATION: $*"; fail=1; }
kill -0 "$CP_PID" 2>/dev/null || violation "routehub-controlplane exited"
kill -0 "$DP_PID" 2>/dev/null || violation "routehub-dataplane exited"
flat() {
  # NAME COLUMN: mean RSS of the last third within 10 % + 4 MB of the first third's.
  awk -v col="$2" -v name="$1" '{ v[NR] = $col } END {
      t = int(NR / 3); if (t < 1) { print name ": too few samples"; exit 1 }
      for (i = 1; i <= t; i++) a += v[i]; for (i = NR - t + 1; i <= NR; i++) b += v[i]
      a /= t; b /= t
      printf "%s RSS: first third %.1f MB, last third %.1f MB\n", name, a / 1024, b / 1024
      exit (b <= a * 1.10 + 4096) ? 0 : 1 }' "$RH_TMP/rss"
}
flat controlplane 2 || violation "controlplane memory grew"
flat dataplane 3 || violation "dataplane memory grew"
# Sessions that should have stayed up: routehub's uptime covers the whole run.
run_secs=$((SECONDS - T0))
ctl_json show bgp summary >"$RH_TMP/summary.json"
"$PY" - "$RH_TMP/summary.json" "$run_secs" "$FRR" "$BIRD" "$GOBGP" <<'EOF' || violation "a session that should stay up dropped"
import json, sys
f, secs, want = sys.argv[1], int(sys.argv[2]), set(sys.argv[3:])
bad = 0
for n in json.load(open(f))["routehub:state"]["bgp-neighbor"]:
    if n["address"] in want:
        up = int(n.get("uptime", 0))
        ok = n["session-state"] == "established" and up >= secs
        print("session %s@%s: %s, up %d s (run %d s)%s" % (n["address"], n["local-address"],
              n["session-state"], up, secs, "" if ok else "  <- dropped"))
        bad += not ok
sys.exit(1 if bad else 0)
EOF
ctl_json show stats >"$RH_TMP/stats.json"
"$PY" - "$RH_TMP/stats.json" <<'EOF' || violation "dataplane counters do not add up"
import json, sys
rows = json.load(open(sys.argv[1]))["routehub:state"]["worker-stats"]
w = {}
for r in rows:
    w.setdefault(r["worker"], {})[r["counter"]] = int(r["value"])
bad = 0
for k, c in sorted(w.items()):
    if k == "main":
        print("main: " + ", ".join("%s %d" % kv for kv in sorted(c.items())))
        continue
    rest = sum(v for n, v in c.items() if n != "in")
    print("worker %s: in %d = forwarded %d + dropped/punted %d%s" % (
        k, c.get("in", 0), c.get("forwarded", 0), rest - c.get("forwarded", 0),
        "" if rest == c.get("in", 0) else "  <- mismatch"))
    bad += rest != c.get("in", 0)
sys.exit(1 if bad or len(w) < 2 else 0)
EOF
flaps=$(grep -c "^bounced" "$RH_TMP/flap.out" 2>/dev/null)
echo "summary: ${run_secs}s, $churns churn rounds ($churn_seen sampled with both batches in the effective routes), $flaps flaps of AS 65005," \
  "UDP sent $(cat "$RH_TMP/udp.out" 2>/dev/null || echo ?)," \
  "ping: $(grep -o '[0-9]* received, [0-9.]*% packet loss' "$RH_TMP/ping.out")"
echo "RSS samples (s, controlplane kB, dataplane kB):"
tr '\n' ';' <"$RH_TMP/rss"
echo
# A ping lost now and then is the lab's (af_packet, a busy host), not a fault: 1 % at most.
loss=$(grep -o '[0-9.]*% packet loss' "$RH_TMP/ping.out" | cut -d% -f1)
awk -v l="${loss:-100}" 'BEGIN { exit !(l <= 1) }' || violation "pings lost through the dataplane ($loss %)"
[ "$flaps" -gt 0 ] || violation "the flapping peer never came up"
[ "$churn_seen" -gt 0 ] || violation "routehub never showed the churned routes"
if [ "$fail" = 0 ]; then echo "soak: PASS"; else echo "soak: FAIL"; fi
exit "$fail"
