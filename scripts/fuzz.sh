#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan, and runs each one
# for a bounded time from its seed corpus (tests/fuzz/corpus/TARGET) and its regression
# inputs (tests/fuzz/regress/TARGET), two at a time (the machine has 2 cores).
#   scripts/fuzz.sh [BUILD_DIR [COUNTS_FILE]]
#   ROUTEHUB_FUZZ_SECONDS=60      time per target (libFuzzer -max_total_time)
#   ROUTEHUB_FUZZ_SEED=1          libFuzzer -seed: fixed in CI so that a red run is reproducible
#                                 and not a matter of luck; 0 = random (for longer hunts)
#   ROUTEHUB_FUZZ_TARGETS="a b"   a subset (default: all of them)
# A crash, a timeout (> 10 s on one input), a leak or a sanitizer report fails its target:
# the log is printed with the input, which is kept in BUILD_DIR/fuzz-artifacts/TARGET/ (see
# docs/architecture.md, "Fuzzing", for reproducing it and turning it into a regression).
# With COUNTS_FILE, appends "fuzz PASSED FAILED SKIPPED" (one test per target) for
# scripts/test.sh's summary. Exits non-zero when a target failed.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
dir=${1:-build-fuzz}
counts=${2:-/dev/null}
secs=${ROUTEHUB_FUZZ_SECONDS:-60}
targets=${ROUTEHUB_FUZZ_TARGETS:-bgp_msg bgp_fsm config fib_channel packet}
ntargets=$(wc -w <<<"$targets")

if ! command -v clang-14 >/dev/null; then
  echo "fuzz: SKIP: clang-14 is not installed (scripts/install-deps.sh installs it)"
  echo "fuzz 0 0 $ntargets" >>"$counts"
  exit 0
fi

# Configure once, then build the targets only (not the whole tree a second time).
if [ ! -f "$dir/build.ninja" ]; then
  if ! CC=clang-14 meson setup "$dir" -Dfuzz=true >"/tmp/routehub-fuzz-setup.log" 2>&1; then
    tail -n 40 /tmp/routehub-fuzz-setup.log
    echo "fuzz 0 $ntargets 0" >>"$counts"
    exit 1
  fi
fi
bins=()
for t in $targets; do bins+=("tests/fuzz/fuzz_$t"); done
if ! ninja -C "$dir" -j2 "${bins[@]}" >/tmp/routehub-fuzz-build.log 2>&1; then
  tail -n 60 /tmp/routehub-fuzz-build.log
  echo "fuzz 0 $ntargets 0" >>"$counts"
  exit 1
fi

work=$(mktemp -d /tmp/routehub-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
artifacts="$top/$dir/fuzz-artifacts"
[ "${dir:0:1}" = / ] && artifacts="$dir/fuzz-artifacts"

# One target: new inputs go to a scratch corpus (the committed one stays as it is);
# the seeds and the regressions are read from the tree.
run_one() {
  local t=$1 out="$work/$t"
  # The inputs of an earlier run were printed by it: this run's alone are kept.
  rm -rf "${artifacts:?}/$t"
  mkdir -p "$out/corpus" "$artifacts/$t"
  local seeds=("$top/tests/fuzz/corpus/$t")
  [ -d "$top/tests/fuzz/regress/$t" ] && seeds+=("$top/tests/fuzz/regress/$t")
  local dict=()
  [ -f "$top/tests/fuzz/$t.dict" ] && dict=(-dict="$top/tests/fuzz/$t.dict")
  (cd "$out" && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    timeout $((secs + 120)) "$top/$dir/tests/fuzz/fuzz_$t" \
    -seed="${ROUTEHUB_FUZZ_SEED:-1}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t/" "${dict[@]}" "$out/corpus" "${seeds[@]}" >"$out/log" 2>&1)
  echo $? >"$out/rc"
}

running=0
for t in $targets; do
  if [ "$running" -ge 2 ]; then
    wait -n
    running=$((running - 1))
  fi
  echo "== fuzz $t (${secs}s)"
  run_one "$t" &
  running=$((running + 1))
done
wait

passed=0
failed=0
for t in $targets; do
  rc=$(cat "$work/$t/rc" 2>/dev/null || echo 1)
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t/log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$work/$t/log" | tail -n 1)
  if [ "$rc" = 0 ]; then
    printf 'ok   fuzz_%-12s %10s inputs, %s\n' "$t" "${runs:-?}" "${cov:-cov: ?}"
    passed=$((passed + 1))
  else
    printf 'FAIL fuzz_%-12s exit %s\n' "$t" "$rc"
    failed=$((failed + 1))
    grep -v '^#[0-9]' "$work/$t/log" | tail -n 60
    for f in "$artifacts/$t"/*; do
      [ -f "$f" ] || continue
      echo "-- input kept: $f"
      xxd -l 512 "$f"
      echo "-- reproduce: $dir/tests/fuzz/fuzz_$t $f"
    done
  fi
done
echo "fuzz $passed $failed 0" >>"$counts"
[ "$failed" -eq 0 ]
