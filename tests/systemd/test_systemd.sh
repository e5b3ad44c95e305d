#!/usr/bin/env bash
# The systemd units and the dataplane's preparation (TAP): systemd-analyze verify on the
# units as meson configured them (pointed at the build tree's binaries), and
# routehub-dataplane-prep.sh in dry-run mode on configs/baremetal-2port.json with a fake
# sysfs (an Intel and a Mellanox port): the hugepages and the devices it derives.
#   test_systemd.sh SOURCE_ROOT BUILD_ROOT
set -u
src=$1 build=$2
prep=$src/scripts/systemd/routehub-dataplane-prep.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi; }
has() { grep -qxF -- "$2" "$1" || { echo "# missing line: $2"; sed 's/^/#   /' "$1"; return 1; }; }
lacks() { ! grep -qF -- "$2" "$1"; }

# --- units
if command -v systemd-analyze >/dev/null && timeout 30 systemd-analyze verify --help >/dev/null 2>&1; then
  for u in routehub-controlplane routehub-dataplane; do
    sed -e "s|^\(Exec[A-Za-z]*=\)/[^ ]*/routehub-dataplane-prep.sh|\1$src/scripts/systemd/routehub-dataplane-prep.sh|" \
        -e "s|^\(Exec[A-Za-z]*=\)/[^ ]*/routehub-dataplane |\1$build/dataplane/routehub-dataplane |" \
        -e "s|^\(Exec[A-Za-z]*=\)/[^ ]*/routehub-controlplane |\1$build/controlplane/routehub-controlplane |" \
        -e "s|^\(Exec[A-Za-z]*=\)/[^ ]*/routehubctl |\1$build/cli/routehubctl |" \
        "$build/scripts/systemd/$u.service" >"$tmp/$u.service"
  done
  if timeout 60 systemd-analyze verify "$tmp"/routehub-*.service >"$tmp/verify.log" 2>&1; then
    ok "systemd-analyze verify: both units"
  else
    not_ok "systemd-analyze verify: both units" "$(cat "$tmp/verify.log")"
  fi
  check "both units are Type=notify (the daemons send READY=1: test_systemd_notify.sh)" \
    sh -c "grep -l '^Type=notify' $build/scripts/systemd/*.service | wc -l | grep -qx 2"
  check "dataplane unit: the preparation runs first, restarts on failure" \
    grep -q '^ExecStartPre=.*routehub-dataplane-prep.sh$' "$build/scripts/systemd/routehub-dataplane.service"
  check "both units read /etc/default/routehub and restart on failure" \
    sh -c "grep -l '^Restart=on-failure' $build/scripts/systemd/*.service | wc -l | grep -qx 2 &&
           grep -l '^EnvironmentFile=-.*/default/routehub$' $build/scripts/systemd/*.service | wc -l | grep -qx 2"
else
  n=$((n + 1)); echo "ok $n - systemd-analyze verify # SKIP systemd-analyze is missing or does not run here"
fi

# --- the preparation, dry run, on the bare-metal template
mkdir -p "$tmp/sys/bus/pci/devices/0000:3b:00.0" "$tmp/sys/bus/pci/devices/0000:3b:00.1" \
  "$tmp/sys/kernel/mm/hugepages/hugepages-2048kB" "$tmp/sys/kernel/mm/hugepages/hugepages-1048576kB"
echo 0x8086 >"$tmp/sys/bus/pci/devices/0000:3b:00.0/vendor"
echo 0x15b3 >"$tmp/sys/bus/pci/devices/0000:3b:00.1/vendor"
echo 16 >"$tmp/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
env -u ROUTEHUB_HUGEPAGES -u ROUTEHUB_PCI_DEVICES ROUTEHUB_SYSFS="$tmp/sys" \
  bash "$prep" --dry-run "$src/configs/baremetal-2port.json" >"$tmp/out" 2>&1
check "dry run on baremetal-2port.json succeeds" test $? = 0
nr=$tmp/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
check "hugepages from --socket-mem 2048: 1024 pages of 2 MB" has "$tmp/out" "would: echo 1024 > $nr"
check "the Intel port is bound to vfio-pci, the Mellanox one is not (bifurcated)" \
  has "$tmp/out" "would: dpdk-devbind.py --bind=vfio-pci 0000:3b:00.0"
check "the Mellanox port stays on its kernel driver" \
  has "$tmp/out" "routehub-dataplane-prep: 0000:3b:00.1: Mellanox: stays on its kernel driver (mlx5 is bifurcated)"
check "vfio-pci is loaded first" has "$tmp/out" "would: modprobe vfio-pci"
check "a dry run changes nothing" test "$(cat "$nr")" = 16

# The environment file's settings win over the configuration.
ROUTEHUB_SYSFS="$tmp/sys" ROUTEHUB_HUGEPAGES=4 ROUTEHUB_HUGEPAGE_SIZE=1G \
  ROUTEHUB_PCI_DEVICES="0000:3b:00.1" bash "$prep" --dry-run "$src/configs/baremetal-2port.json" >"$tmp/out2" 2>&1
check "ROUTEHUB_HUGEPAGES/SIZE: 4 pages of 1 GB" \
  has "$tmp/out2" "would: echo 4 > $tmp/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
check "ROUTEHUB_PCI_DEVICES with only a Mellanox port: nothing bound, no module loaded" \
  lacks "$tmp/out2" "would: dpdk-devbind.py"

# The lab's configuration: --no-huge, vdevs: nothing to do (and so safe to run for real).
env -u ROUTEHUB_HUGEPAGES -u ROUTEHUB_PCI_DEVICES ROUTEHUB_SYSFS="$tmp/sys" \
  bash "$prep" "$src/configs/lab-sdwan-er.json" >"$tmp/out3" 2>&1
check "a --no-huge vdev configuration needs no hugepages and no device (not a dry run)" \
  has "$tmp/out3" "routehub-dataplane-prep: ready: 0 hugepages of 2048kB, bound to vfio-pci: none"
# Not a dry run, a device that is not there: refused before anything is bound.
env -u ROUTEHUB_HUGEPAGES ROUTEHUB_SYSFS="$tmp/sys" ROUTEHUB_PCI_DEVICES=0000:99:00.0 \
  bash "$prep" "$src/configs/lab-sdwan-er.json" >"$tmp/out4" 2>&1
check "a missing PCI device fails the preparation (exit 1, named)" \
  sh -c "test $? = 1 && grep -q '0000:99:00.0: no such PCI device' '$tmp/out4'"
echo "1..$n"
exit $fail
