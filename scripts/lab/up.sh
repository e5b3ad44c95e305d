#!/usr/bin/env bash
# Builds the namespace lab of a seed diagram and waits for its BGP sessions:
#   scripts/lab/up.sh sdwan-er [CONFIG]   diagram 1 (configs/lab-sdwan-er.json by default)
#   scripts/lab/up.sh vpn-er [CONFIG]     diagram 2 (configs/lab-vpn-er.json by default)
# The lab stays up; scripts/lab/down.sh removes exactly what this created (the state file
# $LAB_DIR/state). On failure, everything already made is removed at once.
# Then, for example:
#   build/cli/routehubctl -c /run/routehub-lab/hub.json show bgp summary
#   ip netns exec rhlab-onprem1 ping 198.51.100.10
set -u
. "$(dirname "$0")/lab.sh"
if [ "$(id -u)" -ne 0 ]; then
  echo "up.sh: run as root (network namespaces)" >&2
  exit 1
fi
case "${1:-}" in
  sdwan-er | vpn-er) ;;
  *)
    echo "usage: $0 sdwan-er|vpn-er [CONFIG]" >&2
    exit 2
    ;;
esac
if [ -s "$LAB_STATE" ]; then
  echo "up.sh: a lab is already up ($LAB_STATE); scripts/lab/down.sh removes it" >&2
  exit 1
fi
# The daemons outlive this script: keep a closing terminal from hanging them up.
trap '' HUP
failed() {
  echo "up.sh: the lab did not come up; removing what was made (logs were in $LAB_DIR)" >&2
  for f in "$LAB_DIR"/*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 10 "$f" >&2; }; done
  lab_down
  exit 1
}
trap 'failed' INT TERM
lab_up "$@" || failed
trap - INT TERM
echo "lab $1 up: namespaces $(lab_nsname '*'), state in $LAB_STATE"
echo "  routehubctl -c $LAB_DIR/hub.json show bgp summary"
