#!/usr/bin/env bash
# Removes the lab that scripts/lab/up.sh made: the processes and namespaces listed in its
# state file ($LAB_DIR/state, LAB_DIR=/run/routehub-lab by default), nothing else.
set -u
. "$(dirname "$0")/lab.sh"
if [ ! -f "$LAB_STATE" ]; then
  echo "down.sh: no lab at $LAB_DIR" >&2
  exit 0
fi
lab_down
echo "lab down"
