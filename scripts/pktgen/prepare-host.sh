#!/usr/bin/env bash
# Prepares a bare-metal host for routehub-dataplane (or for pktgen-dpdk) on real NICs:
# hugepages, the right driver for each port, and a check of the core layout.
#   prepare-host.sh PCI_ADDRESS [PCI_ADDRESS ...]
# Intel (ixgbe, i40e, ice): the port is bound to vfio-pci (the kernel loses it).
# Mellanox (mlx5): the port stays on mlx5_core (bifurcated driver); DPDK uses it through
# the verbs library, and the kernel keeps its netdev for everything DPDK does not steer.
set -euo pipefail
[ $# -ge 1 ] || { sed -n 2,8p "$0"; exit 2; }
[ "$(id -u)" = 0 ] || { echo "prepare-host: run as root" >&2; exit 1; }

# 1. Hugepages: 1,024 x 2 MB per NUMA node is enough for a 2M-route FIB (the IPv4 and IPv6
#    first-level tables take 128 MB each) and the mbuf pools.
dpdk-hugepages.py --setup 2G
dpdk-hugepages.py --show

# 2. Drivers.
modprobe vfio-pci
for pci in "$@"; do
  vendor=$(cat "/sys/bus/pci/devices/$pci/vendor" 2>/dev/null || echo unknown)
  case $vendor in
    0x15b3) echo "$pci: Mellanox, stays on mlx5_core (bifurcated): nothing to bind" ;;
    0x8086) dpdk-devbind.py --bind=vfio-pci "$pci"; echo "$pci: Intel, bound to vfio-pci" ;;
    *) echo "$pci: vendor $vendor: not a NIC routehub was tested with" >&2 ;;
  esac
done
dpdk-devbind.py --status-dev net

# 3. Cores: the main lcore serves the FIB channel, neighbours and the exception path;
#    each worker-core of the configuration polls one RX queue of every port. Keep workers
#    on the NIC's NUMA node and off the cores the kernel and the control plane use
#    (isolcpus= / systemd CPUAffinity=).
for pci in "$@"; do
  echo "$pci: NUMA node $(cat "/sys/bus/pci/devices/$pci/numa_node" 2>/dev/null || echo ?)"
done
lscpu | grep -E '^NUMA node[0-9]+ CPU'
