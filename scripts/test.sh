#!/usr/bin/env bash
# Sets up everything and runs every test suite: unit and configuration tests (cmocka, under
# meson test) in the normal and in the ASan/UBSan build, then the integration tests in
# network namespaces. Ends with one line "N passed, M failed" that totals them all.
#   ROUTEHUB_SKIP_ASAN=1   leave out the sanitizer build (quicker local runs)
#   ROUTEHUB_SKIP_FUZZ=1   leave out the fuzz stage (scripts/fuzz.sh: each libFuzzer target
#                          for ROUTEHUB_FUZZ_SECONDS, default 60; one test per target)
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: run as root (it installs packages and creates network namespaces)" >&2
  exit 1
fi
bash scripts/install-deps.sh || exit 1

results=$(mktemp -d /tmp/routehub-test.XXXXXX)
trap 'rm -rf "$results"' EXIT

# meson test with TAP: each subtest is counted; a test binary that crashed before printing
# its plan counts as one failure.
count_meson() {
  local dir=$1 label=$2
  python3 - "$dir/meson-logs/testlog.json" "$label" >>"$results/counts" <<'PY'
import json, re, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = t.get("stdout", "") or ""
    ok = len(re.findall(r"^ok \d+(?! .*# SKIP)", out, re.M))
    sk = len(re.findall(r"^ok \d+.*# SKIP", out, re.M))
    bad = len(re.findall(r"^not ok \d+", out, re.M))
    if t["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and bad == 0:
        bad = 1
    if ok + bad + sk == 0:
        if t["result"] == "OK": ok = 1
        elif t["result"] == "SKIP": sk = 1
    passed += ok; failed += bad; skipped += sk
print(f"{sys.argv[2]} {passed} {failed} {skipped}")
PY
}

run_meson_suite() {
  local dir=$1 label=$2
  shift 2
  echo "== build ($label)"
  if ! bash scripts/build.sh "$dir" "$@"; then
    echo "$label 0 1 0" >>"$results/counts"
    return
  fi
  echo "== unit and configuration tests ($label)"
  meson test -C "$dir" --print-errorlogs --num-processes 2 2>&1 | grep -E "^ *[0-9]+/[0-9]+ |FAIL|not ok" || true
  count_meson "$dir" "$label"
}

run_meson_suite build default
if [ "${ROUTEHUB_SKIP_ASAN:-0}" != 1 ]; then
  # The sanitizer build runs the same tests; ASan's leak check is on by default.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_meson_suite build-asan asan -Db_sanitize=address,undefined -Db_lundef=false
fi

if [ "${ROUTEHUB_SKIP_FUZZ:-0}" != 1 ]; then
  # clang + ASan/UBSan, every target for a bounded time, two at a time; a crash fails
  # its target and its input is printed and kept in build-fuzz/fuzz-artifacts/.
  echo "== fuzzing (${ROUTEHUB_FUZZ_SECONDS:-60}s per target)"
  bash scripts/fuzz.sh build-fuzz "$results/counts"
fi

echo "== integration tests"
ROUTEHUB_BUILD="$top/build" bash tests/integration/run.sh "$results/integration.tap"
python3 - "$results/integration.tap" >>"$results/counts" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
ok = len(re.findall(r"^ok \d+(?! .*# SKIP)", out, re.M))
sk = len(re.findall(r"^ok \d+.*# SKIP", out, re.M))
bad = len(re.findall(r"^not ok \d+", out, re.M))
print(f"integration {ok} {bad} {sk}")
PY

echo "== summary"
passed=0; failed=0; skipped=0
while read -r label p f s; do
  printf '  %-12s %5d passed, %d failed, %d skipped\n' "$label" "$p" "$f" "$s"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done <"$results/counts"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
