#!/usr/bin/env bash
# `--check FILE` of both daemons (and routehubctl check): exit 0 and say "valid" for every
# shipped configuration; exit 1 with one "FILE: PATH: MESSAGE" line per problem for every
# bad one. Prints TAP.
set -u
src=$1; cp=$2; dp=$3; ctl=$4
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

for f in "$src"/configs/*.json; do
  for bin in "$cp" "$dp"; do
    name="$(basename "$bin") --check configs/$(basename "$f")"
    if "$bin" --check "$f" >"$out" 2>"$err" && grep -q "configuration valid" "$out" && [ ! -s "$err" ]; then
      ok "$name"
    else
      not_ok "$name: $(cat "$err")"
    fi
  done
done

for f in "$src"/tests/config/bad/*.json; do
  for bin in "$cp" "$dp"; do
    name="$(basename "$bin") --check bad/$(basename "$f")"
    "$bin" --check "$f" >"$out" 2>"$err"; rc=$?
    problems=$(grep -c "^$f: /" "$err")
    if [ "$rc" = 1 ] && [ "$problems" -ge 1 ] && grep -q "configuration refused" "$err" && [ ! -s "$out" ]; then
      ok "$name ($problems problem lines)"
    else
      not_ok "$name: rc=$rc, stderr: $(cat "$err")"
    fi
  done
done

"$ctl" check "$src/configs/lab-sdwan-er.json" >"$out" 2>"$err" && ok "routehubctl check accepts the lab" || not_ok "routehubctl check lab"
"$ctl" check "$src/tests/config/bad/vnet-overlap.json" >"$out" 2>"$err"
[ $? = 1 ] && grep -q "overlaps" "$err" && ok "routehubctl check refuses an overlap" || not_ok "routehubctl check overlap"
"$cp" --check /nonexistent/routehub.json >"$out" 2>"$err"
[ $? = 1 ] && grep -q "cannot open" "$err" && ok "a missing file is an error" || not_ok "missing file: $(cat "$err")"
"$dp" --bogus >"$out" 2>"$err"
[ $? = 2 ] && grep -q usage "$err" && ok "an unknown option prints the usage" || not_ok "unknown option"

echo "1..$n"
[ "$failed" = 0 ]
