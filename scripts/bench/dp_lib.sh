# Shared by the dataplane benchmarks (dataplane.sh, dataplane_ab.sh); sourced.
# dp_setup NAME HUGEPAGES: a work directory ($work), the processes to end ($pids, each
# continued if stopped, then ended, by its PID) and a trap that ends them and removes
# $work whatever happens; root checked; at least HUGEPAGES x 2 MB reserved and mounted.
dp_setup() {
  work=$(mktemp -d "/tmp/routehub-$1.XXXXXX")
  pids=()
  trap dp_cleanup EXIT
  [ "$(id -u)" = 0 ] || { echo "$1: run as root (hugepages)" >&2; exit 1; }
  if [ "$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)" -lt "$2" ]; then
    sysctl -qw vm.nr_hugepages="$2"
  fi
  mkdir -p /dev/hugepages
  mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
}

dp_cleanup() {
  local p _
  for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
  # A DPDK process removes its hugepage files as it exits: give it the time (l3fwd takes
  # a few seconds), then end what is left, and remove the files of the benchmarks' own
  # file prefixes (rhl3*, rhbench*, rhab*) that a killed process left behind.
  for _ in $(seq 1 50); do
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && break; done
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -f /dev/hugepages/rhl3*map_* /dev/hugepages/rhbench*map_* /dev/hugepages/rhab*map_*
  rm -rf "$work"
}
