#!/usr/bin/env bash
# routehub-dataplane with its worker on its own lcore (rte_eal_remote_launch, QSBR with a
# real reader thread), which af_packet ports cannot give (one TX queue: the worker then
# runs on the main lcore, see test_dataplane_forwarding.sh).
#
# The ports are net_tap devices whose kernel ends are moved into the hosts' namespaces:
#   A (198.18.40.10/24, tap dpt-a) -- [hub: routehub-dataplane] -- (tap dpt-b) B (198.18.41.10/24)
# Two RX queues per port: the kernel spreads a TAP's flows over all its queues, and each
# TX queue (the worker's and the main lcore's) opens one.
set -u
. "$(dirname "$0")/lib.sh"
rh_init dataplane_workers
quiet() { "$@" >/dev/null 2>&1; }

DP=$RH_BUILD/dataplane/routehub-dataplane
FIBCTL=$RH_BUILD/tests/tools/fibctl
CTL=$RH_BUILD/cli/routehubctl
if [ "$(nproc)" -lt 2 ]; then
  rh_skip "worker on its own lcore" "one CPU"
  rh_done
  exit 0
fi

rh_ns a; rh_ns b; rh_ns hub
FIBSOCK=$RH_TMP/fib.sock
MGMT=$RH_TMP/dp.sock
cat >"$RH_TMP/dp.json" <<JSON
{
  "routehub:routehub": {
    "route-server": {"instance-address": ["198.18.1.4", "198.18.1.5"],
                     "vnet-address-space": ["198.18.0.0/24"]},
    "dataplane": {
      "port": [
        {"name": "a", "vdev": "net_tap0,iface=dpt-a", "address": ["198.18.40.1/24"],
         "rx-queues": 2},
        {"name": "b", "vdev": "net_tap1,iface=dpt-b", "address": ["198.18.41.1/24"],
         "rx-queues": 2}
      ],
      "fib": {"ipv4-max-routes": 1024, "ipv6-max-routes": 1024, "max-next-hops": 64},
      "fib-socket": "$FIBSOCK",
      "mgmt-socket": "$MGMT",
      "eal-args": "--no-huge --no-pci -m 768"
    }
  }
}
JSON
rh_bg hub "$RH_TMP/dp.log" "$DP" -c "$RH_TMP/dp.json"
DP_PID=$RH_LAST_PID
if rh_wait 30 test -S "$MGMT"; then
  rh_ok "dataplane started"
else
  rh_not_ok "dataplane started"
  sed 's/^/# /' "$RH_TMP/dp.log"
  rh_done
  exit 1
fi
rh_check "the worker runs on its own lcore" grep -q "worker 0 on lcore" "$RH_TMP/dp.log"

# Move the TAPs' kernel ends to the hosts, with MACs of their own (the TAP PMD gives the
# kernel end the port's MAC, which the dataplane takes for its own frames).
hostmac=(02:00:00:00:40:10 02:00:00:00:41:10)
i=0
for h in a b; do
  ip -n "$(rh_nsname hub)" link set "dpt-$h" netns "$(rh_nsname $h)"
  rh_exec "$h" ip link set "dpt-$h" address "${hostmac[$i]}"
  rh_exec "$h" sysctl -qw "net.ipv6.conf.dpt-$h.disable_ipv6=1"
  rh_exec "$h" ip link set "dpt-$h" up
  i=$((i + 1))
done
rh_exec a ip addr add 198.18.40.10/24 dev dpt-a
rh_exec a ip route add default via 198.18.40.1
rh_exec b ip addr add 198.18.41.10/24 dev dpt-b
rh_exec b ip addr add 203.0.113.1/32 dev lo
rh_exec b ip route add default via 198.18.41.1

rh_check "A pings the dataplane's address" quiet rh_exec a ping -c 3 -i 0.2 -W 2 198.18.40.1
rh_check "fibctl: 203.0.113.0/24 via B" "$FIBCTL" --max-nh 64 "$FIBSOCK" route add 203.0.113.0/24 via 198.18.41.10
rh_check "A pings 203.0.113.1 through the worker" quiet rh_exec a ping -c 20 -i 0.05 -W 2 203.0.113.1
rh_check "worker 0 forwarded them" sh -c \
  "'$CTL' --dp-socket '$MGMT' show stats | grep -qE '^0 +forwarded +(1[6-9]|[2-9][0-9]|[0-9]{3,})'"
# Route changes with a live reader: next hops replaced and freed after a grace period.
for n in 1 2 3 4 5; do
  "$FIBCTL" --max-nh 64 "$FIBSOCK" route add 203.0.113.0/24 via 198.18.41.10 >/dev/null
  "$FIBCTL" --max-nh 64 "$FIBSOCK" route del 203.0.113.0/24 >/dev/null
done
"$FIBCTL" --max-nh 64 "$FIBSOCK" route add 203.0.113.0/24 via 198.18.41.10 >/dev/null
rh_check "forwarding after route churn" quiet rh_exec a ping -c 3 -i 0.2 -W 2 203.0.113.1

kill -TERM "$DP_PID"
stopped=1
for _ in $(seq 50); do
  kill -0 "$DP_PID" 2>/dev/null || { stopped=0; break; }
  sleep 0.2
done
dp_rc=1
[ "$stopped" = 0 ] && { wait "$DP_PID"; dp_rc=$?; }
if [ "$stopped" = 0 ] && [ "$dp_rc" = 0 ] && [ ! -e "$MGMT" ]; then
  rh_ok "SIGTERM: the worker lcore stops, exit status 0"
else
  rh_not_ok "SIGTERM: the worker lcore stops, exit status 0 (status $dp_rc)"
  tail -n 20 "$RH_TMP/dp.log" | sed 's/^/# /'
fi
if grep -qiE "AddressSanitizer|LeakSanitizer|runtime error" "$RH_TMP/dp.log"; then
  rh_not_ok "no sanitizer report"
  grep -iE -A5 "AddressSanitizer|LeakSanitizer|runtime error" "$RH_TMP/dp.log" | head -40 | sed 's/^/# /'
fi
rh_done
