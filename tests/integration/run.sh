#!/usr/bin/env bash
# Runs every tests/integration/test_*.sh, each in its own network namespaces, with a time
# limit. Each test prints TAP lines ("ok N - ..." / "not ok N - ..."); this runner
# renumbers them into one stream, written to $1 and to stdout.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/dev/null}
: >"$out"
n=0
shopt -s nullglob
for t in "$here"/test_*.sh; do
  name=$(basename "$t" .sh)
  log=$(mktemp)
  # Each test cleans up its own namespaces and daemons (trap); the limit is a last resort.
  timeout --kill-after=10 "${ROUTEHUB_TEST_TIMEOUT:-600}" bash "$t" >"$log" 2>&1
  rc=$?
  found=0
  while IFS= read -r line; do
    case "$line" in
      "ok "*|"not ok "*)
        found=1; n=$((n + 1))
        status=${line%% [0-9]*}
        rest=$(printf '%s' "$line" | sed -E 's/^(not )?ok [0-9]+ ?-? ?//')
        printf '%s %d - %s: %s\n' "$status" "$n" "$name" "$rest" | tee -a "$out"
        ;;
    esac
  done <"$log"
  if [ "$found" = 0 ] || { [ "$rc" != 0 ] && ! grep -q '^not ok' "$log"; }; then
    n=$((n + 1))
    printf 'not ok %d - %s: exited %d\n' "$n" "$name" "$rc" | tee -a "$out"
  fi
  if grep -q '^not ok' "$log" || [ "$rc" != 0 ]; then
    sed 's/^/    # /' "$log" | tail -n 40
  fi
  rm -f "$log"
done
echo "1..$n"
