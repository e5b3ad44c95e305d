#!/usr/bin/env bash
# Configures (once) and builds routehub in build/ (or $1); extra arguments go to meson setup.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@" >"/tmp/routehub-meson-setup-$(basename "$dir").log" 2>&1 || {
    cat "/tmp/routehub-meson-setup-$(basename "$dir").log" >&2
    exit 1
  }
fi
meson compile -C "$dir" >"/tmp/routehub-meson-compile-$(basename "$dir").log" 2>&1 || {
  tail -n 60 "/tmp/routehub-meson-compile-$(basename "$dir").log" >&2
  exit 1
}
