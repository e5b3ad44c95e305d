#!/usr/bin/env bash
# routehub-controlplane under a Type=notify unit (scripts/systemd): with NOTIFY_SOCKET set,
# as systemd sets it, the daemon sends READY=1 once its management socket answers, and
# STOPPING=1 when it is asked to stop. A Python datagram socket stands in for systemd.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/integration/hub_lib.sh
. "$here/hub_lib.sh"
rh_init systemd_notify

names=("READY=1 sent once the daemon is up" "the management socket answers by then"
  "STOPPING=1 sent on SIGTERM")
if [ ! -x "$RH_BUILD/controlplane/routehub-controlplane" ] || ! command -v jq >/dev/null; then
  for t in "${names[@]}"; do rh_skip "$t" "routehub build or jq not available"; done
  rh_done
  exit $?
fi
hub_topo_base || exit 1
rh_exec hub ip addr add 198.19.1.1/32 dev lo
hub_cfg lab-sdwan-er.json "$RH_TMP/hub.json"

# The stand-in for systemd: records each datagram as a line, for at most 30 s.
python3 - "$RH_TMP/notify.sock" "$RH_TMP/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 30
with open(sys.argv[2], "a", buffering=1) as log:
    while time.time() < end:
        try:
            log.write(s.recv(4096).decode().replace("\n", " ") + "\n")
        except socket.timeout:
            pass
PY
RH_PIDS+=("$!")
rh_wait 10 test -S "$RH_TMP/notify.sock" || { rh_not_ok "the stand-in notify socket"; rh_done; exit 1; }

rh_bg hub "$RH_TMP/cp.log" env NOTIFY_SOCKET="$RH_TMP/notify.sock" \
  "$RH_BUILD/controlplane/routehub-controlplane" -c "$RH_TMP/hub.json"
cp_pid=$RH_LAST_PID
ready() { grep -qx "READY=1" "$RH_TMP/notify.log"; }
rh_check "${names[0]}" rh_wait 15 ready
rh_check "${names[1]}" sh -c "'$RH_BUILD/cli/routehubctl' --cp-socket '$RH_TMP/controlplane.sock' show bgp summary | grep -q '^local-address'"
kill "$cp_pid"
stopping() { grep -qx "STOPPING=1" "$RH_TMP/notify.log"; }
rh_check "${names[2]}" rh_wait 10 stopping
sed 's/^/# notify: /' "$RH_TMP/notify.log"
rh_done
