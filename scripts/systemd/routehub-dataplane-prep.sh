#!/usr/bin/env bash
# ExecStartPre of routehub-dataplane.service: what DPDK needs before the dataplane starts.
#  1. Reserves hugepages: ROUTEHUB_HUGEPAGES (pages of ROUTEHUB_HUGEPAGE_SIZE, default
#     2048kB), or what the configuration's eal-args ask for (--socket-mem A,B or -m N, in
#     MB; none with --no-huge). Only ever raises the reservation.
#  2. Mounts hugetlbfs on /dev/hugepages unless a hugetlbfs is mounted there.
#  3. Loads vfio-pci (ROUTEHUB_PCI_DRIVER) when a device is to be bound.
#  4. For each PCI device (ROUTEHUB_PCI_DEVICES, or every port's pci-address): an Intel
#     NIC (vendor 0x8086) is bound to vfio-pci with dpdk-devbind.py; a Mellanox one
#     (0x15b3) stays on mlx5_core, whose DPDK driver is bifurcated; another vendor is
#     bound like Intel's, with a warning.
# Settings come from the environment (systemd reads /etc/default/routehub).
#   routehub-dataplane-prep.sh [--dry-run] [CONFIG]
# --dry-run (or ROUTEHUB_PREP_DRY_RUN=1) prints what it would do ("would: ...") and
# changes nothing. ROUTEHUB_SYSFS (default /sys) is where device vendors are read.
set -euo pipefail

dry=${ROUTEHUB_PREP_DRY_RUN:-0}
if [ "${1:-}" = --dry-run ]; then dry=1; shift; fi
config=${1:-${ROUTEHUB_CONFIG:-/etc/routehub/routehub.json}}
sysfs=${ROUTEHUB_SYSFS:-/sys}
size=${ROUTEHUB_HUGEPAGE_SIZE:-2048kB}
driver=${ROUTEHUB_PCI_DRIVER:-vfio-pci}

say() { echo "routehub-dataplane-prep: $*"; }
die() { echo "routehub-dataplane-prep: $*" >&2; exit 1; }
act() {
  if [ "$dry" = 1 ]; then echo "would: $*"; else "$@"; fi
}

[ -r "$config" ] || die "cannot read the configuration $config"
# From the configuration: "PAGES_MB" (hugepage memory in MB, or "none" with --no-huge),
# then the ports' PCI addresses.
read -r mem_mb cfg_devices < <(python3 - "$config" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))["routehub:routehub"]
dp = r.get("dataplane", {})
args = dp.get("eal-args", "").split()
mem = "0"
if "--no-huge" in args:
    mem = "none"
for i, a in enumerate(args):
    v = args[i + 1] if i + 1 < len(args) else ""
    if a.startswith("--socket-mem="):
        a, v = "--socket-mem", a.split("=", 1)[1]
    if a == "--socket-mem" and mem != "none":
        mem = str(sum(int(x) for x in v.split(",") if x))
    elif a == "-m" and mem != "none":
        mem = str(int(v))
devs = [p["pci-address"] for p in dp.get("port", []) if "pci-address" in p]
print(mem, " ".join(devs))
PY
) || die "cannot read $config"
devices=${ROUTEHUB_PCI_DEVICES:-$cfg_devices}

# 1. Hugepages.
case "$size" in
  2048kB) page_kb=2048 ;;
  1048576kB | 1G | 1GB) size=1048576kB; page_kb=1048576 ;;
  *) die "ROUTEHUB_HUGEPAGE_SIZE: 2048kB or 1048576kB, not $size" ;;
esac
if [ -n "${ROUTEHUB_HUGEPAGES:-}" ]; then
  pages=$ROUTEHUB_HUGEPAGES
elif [ "$mem_mb" = none ]; then
  pages=0
else
  pages=$(((mem_mb * 1024 + page_kb - 1) / page_kb))
fi
nr=$sysfs/kernel/mm/hugepages/hugepages-$size/nr_hugepages
if [ "$pages" -gt 0 ]; then
  have=$(cat "$nr" 2>/dev/null || echo 0)
  if [ "$have" -lt "$pages" ]; then
    say "hugepages: $pages of $size (now $have)"
    if [ "$dry" = 1 ]; then echo "would: echo $pages > $nr"; else echo "$pages" >"$nr"; fi
  else
    say "hugepages: $have of $size reserved, $pages needed"
  fi
  # 2. hugetlbfs.
  if ! grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
    act mkdir -p /dev/hugepages
    act mount -t hugetlbfs -o pagesize="${page_kb}K" nodev /dev/hugepages
  fi
else
  say "hugepages: none (--no-huge or no memory asked for)"
fi

# 3, 4. Devices.
bind=()
for d in $devices; do
  vendor=$(cat "$sysfs/bus/pci/devices/$d/vendor" 2>/dev/null || echo unknown)
  case "$vendor" in
    0x8086) say "$d: Intel: bind to $driver"; bind+=("$d") ;;
    0x15b3) say "$d: Mellanox: stays on its kernel driver (mlx5 is bifurcated)" ;;
    unknown)
      [ "$dry" = 1 ] || die "$d: no such PCI device"
      say "$d: vendor unknown (no $sysfs/bus/pci/devices/$d): would bind to $driver"
      bind+=("$d")
      ;;
    *) say "$d: vendor $vendor: bind to $driver (not a known bifurcated NIC)"; bind+=("$d") ;;
  esac
done
if [ "${#bind[@]}" -gt 0 ]; then
  act modprobe "$driver"
  act dpdk-devbind.py --bind="$driver" "${bind[@]}"
fi
say "ready: $pages hugepages of $size, bound to $driver: ${bind[*]:-none}"
