# shellcheck shell=bash
# Shared by tests/integration/test_e2e_*.sh: TAP helpers (lib.sh) and the namespace lab
# (scripts/lab/lab.sh), one lab at a time under $RH_TMP, removed on exit.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# e2e_init NAME: rh_init, then the lab's settings; the trap removes the lab, then the rest.
e2e_init() {
  rh_init "$1"
  export ROUTEHUB_BUILD=$RH_BUILD
  LAB_TAP=1
  LAB_DIR=$RH_TMP/lab
  LAB_ID=$RH_ID
  . "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lab/lab.sh"
  trap 'lab_down; rh_cleanup' EXIT
  for f in "$LAB_DP" "$LAB_CP" "$LAB_CTL"; do
    if [ ! -x "$f" ]; then
      rh_not_ok "built: $f"
      rh_done
      exit 1
    fi
  done
  for t in vtysh bird /usr/lib/frr/zebra python3; do
    if ! command -v "$t" >/dev/null; then
      rh_skip "end-to-end lab" "$t is not installed (scripts/install-deps.sh installs it)"
      rh_done
      exit 0
    fi
  done
}

# e2e_up TOPOLOGY [CONFIG [PYTHON]]: the lab, or a failed test with the daemons' logs.
e2e_up() {
  if lab_up "$@"; then
    rh_ok "lab $1 up, $(lab_sessions_established) BGP sessions through the dataplane's TAPs"
    return 0
  fi
  rh_not_ok "lab $1 up"
  e2e_logs
  return 1
}

e2e_logs() {
  local f
  for f in "$LAB_DIR"/*.log; do
    [ -f "$f" ] || continue
    echo "# == $f"
    tail -n 15 "$f" | sed 's/^/# /'
  done
}

# e2e_sanitizers: no ASan/UBSan report in the daemons' logs.
e2e_sanitizers() {
  if grep -qiE "AddressSanitizer|LeakSanitizer|runtime error" "$LAB_DIR"/dataplane.log "$LAB_DIR"/controlplane.log 2>/dev/null; then
    rh_not_ok "no sanitizer report"
    grep -iE -A5 "AddressSanitizer|LeakSanitizer|runtime error" "$LAB_DIR"/*.log | head -40 | sed 's/^/# /'
  fi
}

fib_is() { [ "$(lab_fib_nh "$1")" = "$2" ]; }
effective_is() { [ "$(lab_effective_nh "$1")" = "$2" ]; }
no_route() { ! lab_route "$1" "$2"; }
# pr "SENT RECEIVED": for the test names.
pr() { echo "${1% *} sent, ${1#* } received"; }
