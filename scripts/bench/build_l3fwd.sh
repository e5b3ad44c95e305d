#!/usr/bin/env bash
# Builds DPDK's l3fwd, the dataplane anchor, from the dpdk-doc example sources into $1
# (default /tmp/routehub-l3fwd), with only its setup limits changed so that it can hold
# an internet-sized table and run on virtual devices (shared/bench-notes.md):
#   - LPM: 1,024 -> 2^20 IPv4/IPv6 rules, 2^8 -> 2^16 tbl8 groups
#   - FIB: 2^16 -> 2^20 routes
#   - no receive checksum offload requested (net_pcap and net_null lack it)
# Its forwarding loop is untouched. Nothing of it is kept in the project.
set -euo pipefail
out=${1:-/tmp/routehub-l3fwd}
src=/usr/share/dpdk/examples/l3fwd
[ -d "$src" ] || { echo "build_l3fwd: $src missing (apt-get install dpdk-doc)" >&2; exit 1; }
if [ -x "$out/build/l3fwd" ]; then
  echo "$out/build/l3fwd"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"
cp -r "$src"/. "$out"/
cp -r /usr/share/dpdk/examples/common "$out/../common" 2>/dev/null || true
cd "$out"
sed -i 's/#define IPV4_L3FWD_LPM_MAX_RULES .*/#define IPV4_L3FWD_LPM_MAX_RULES (1 << 20)/;
        s/#define IPV6_L3FWD_LPM_MAX_RULES .*/#define IPV6_L3FWD_LPM_MAX_RULES (1 << 20)/;
        s/#define IPV4_L3FWD_LPM_NUMBER_TBL8S .*/#define IPV4_L3FWD_LPM_NUMBER_TBL8S (1 << 16)/' l3fwd_lpm.c
sed -i 's/config_ipv4.max_routes = (1 << 16);/config_ipv4.max_routes = (1 << 20);/;
        s/config.max_routes = (1 << 16) - 1;/config.max_routes = (1 << 20) - 1;/' l3fwd_fib.c
sed -i 's/\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/.offloads = 0,/' main.c
grep -q 'IPV4_L3FWD_LPM_MAX_RULES (1 << 20)' l3fwd_lpm.c
grep -q 'max_routes = (1 << 20);' l3fwd_fib.c
grep -q '\.offloads = 0,' main.c
make -s -j2 >build.log 2>&1 || { tail -20 build.log >&2; exit 1; }
echo "$out/build/l3fwd"
