#!/usr/bin/env bash
# Every C file of the project follows .clang-format (TAP: one line per file that does not,
# one line for the whole tree when all do).
set -u
top=$1
cd "$top" || exit 1
command -v clang-format >/dev/null || { echo "1..1"; echo "ok 1 - clang-format # SKIP clang-format is not installed"; exit 0; }
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.c' -o -name '*.h')
n=0; bad=0
for f in $files; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad=$((bad + 1)); n=$((n + 1))
    echo "not ok $n - $f does not follow .clang-format (clang-format -i $f)"
  fi
done
n=$((n + 1))
count=$(echo "$files" | wc -w)
if [ "$bad" = 0 ]; then echo "ok $n - $count C files follow .clang-format"; else echo "not ok $n - $bad of $count C files do not follow .clang-format"; fi
echo "1..$n"
[ "$bad" = 0 ]
