#!/usr/bin/env bash
# Measures how fast the FIB channel programs a synthetic 900,000-route IPv4 table
# (tests/tools/fib_bench.c): initial load, full resync, withdrawal, in random and in address
# order, and the same load without the channel for reference. Prints the figures.
#   ROUTES=N      table size (default 900000)
#   WINDOW=W      requests in flight (default 16)
#   HUGE=0        run without hugepages (--no-huge -m 2048); default: hugepages when at
#                 least 512 free 2 MB pages, --in-memory so that no hugepage file is left
set -euo pipefail
cd "$(dirname "$0")/../.."

routes=${ROUTES:-900000}
window=${WINDOW:-16}
bash scripts/build.sh build
bin=build/tests/tools/fib_bench

free_pages=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "${HUGE:-1}" != 0 ] && [ "${free_pages:-0}" -ge 512 ]; then
  eal=(--in-memory --no-pci -l 0 --log-level=error)
  mem="2 MB hugepages"
else
  eal=(--no-huge -m 2048 --no-pci -l 0 --log-level=error --file-prefix="rh_fib_bench_$$")
  mem="no hugepages (figures roughly halved)"
fi

echo "fib_program: $routes routes, window $window, $mem, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
for order in "" --sorted; do
  "$bin" "${eal[@]}" -- --routes "$routes" --window "$window" $order
done
