#!/usr/bin/env bash
# Installs every Debian package routehub needs to build, test, run the lab and benchmark.
# Idempotent: quiet and quick when everything is already there. Debian 12 packages only.
set -euo pipefail

PKGS=(
  # build
  build-essential pkg-config meson ninja-build clang-format
  libdpdk-dev dpdk dpdk-doc libyang2-dev libcmocka-dev
  libpcap-dev libnuma-dev libbsd-dev libelf-dev libsystemd-dev
  # sanitizers and fuzzing
  clang libclang-rt-14-dev llvm
  # lab and integration tests: namespaces, real BGP peers, packet tools
  iproute2 iputils-ping procps psmisc tcpdump jq python3
  frr bird2 gobgpd exabgp openbgpd
  # metrics and MRT tests: a real Prometheus text parser, an MRT reader
  python3-prometheus-client bgpdump
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The BGP daemons are run by the tests and the lab inside namespaces, never as system
# services: keep their packages from starting them at install time.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  own_policy=1
fi
cleanup() { [ "$own_policy" = 1 ] && rm -f "$policy"; }
trap cleanup EXIT

apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/routehub-apt.log 2>&1 || {
  echo "install-deps: apt-get failed, see /tmp/routehub-apt.log" >&2
  tail -n 20 /tmp/routehub-apt.log >&2
  exit 1
}
echo "install-deps: done"
