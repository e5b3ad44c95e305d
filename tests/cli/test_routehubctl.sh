#!/usr/bin/env bash
# routehubctl without a lab (TAP): bash completion from the grammar (cli/routehubctl.bash
# sourced in bash, COMPREPLY checked for partial lines), neighbour addresses completed from
# a running control plane (a stand-in management server), the message and exit code when a
# daemon is not running, usage and exit 2 for a bad command.
#   test_routehubctl.sh SOURCE_ROOT ROUTEHUBCTL MGMT_FAKE
set -u
src=$1 ctl=$2 fake=$3
tmp=$(mktemp -d)
fake_pid=
cleanup() { [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
# COMP_WORDS[0] is the command as typed: routehubctl, found on PATH.
mkdir "$tmp/bin" && ln -s "$(realpath "$ctl")" "$tmp/bin/routehubctl"
export PATH="$tmp/bin:$PATH"
export ROUTEHUB_CP_SOCKET="$tmp/none.sock" ROUTEHUB_DP_SOCKET="$tmp/none-dp.sock"
# shellcheck source=/dev/null
. "$src/cli/routehubctl.bash"

n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }

# complete "LINE" "EXPECTED": the line up to the cursor (a trailing space: an empty word).
complete_line() {
	local line=$1 expected=$2 got
	read -r -a COMP_WORDS <<<"$line"
	[ "${line: -1}" = " " ] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_routehubctl
	got="${COMPREPLY[*]}"
	if [ "$got" = "$expected" ]; then ok "complete '$line' -> '$expected'"
	else not_ok "complete '$line' -> '$expected'" "got: '$got'"; fi
}

complete -p routehubctl >/dev/null 2>&1 && ok "the script registers a completion for routehubctl" ||
	not_ok "the script registers a completion for routehubctl"
complete_line "routehubctl " "check version show set clear reload dump"
complete_line "routehubctl sh" "show"
complete_line "routehubctl show " "bgp routes effective-routes fib ports stats neighbours"
complete_line "routehubctl show bgp n" "neighbor"
complete_line "routehubctl set hub-routing-preference " "expressroute vpngateway aspath"
complete_line "routehubctl set branch-to-branch o" "on off"
complete_line "routehubctl --json show e" "effective-routes"
complete_line "routehubctl show bgp neighbor 192.0.2.1 " "received-routes advertised-routes"
complete_line "routehubctl clear bgp neighbor 192.0.2.1 " "soft"
complete_line "routehubctl --js" "--json"
complete_line "routehubctl show nothing " ""
# No control plane: no neighbour to offer, and no error on the terminal.
complete_line "routehubctl show bgp neighbor " ""
# Files after -c and check.
touch "$tmp/lab.json"
complete_line "routehubctl -c $tmp/la" "$tmp/lab.json"
complete_line "routehubctl check $tmp/la" "$tmp/lab.json"
complete_line "routehubctl dump mrt $tmp/la" "$tmp/lab.json"
complete_line "routehubctl du" "dump"

# A control plane that answers: its neighbours' addresses.
"$fake" "$tmp/cp.sock" '{"routehub:state":{"bgp-neighbor":[{"local-address":"198.18.0.4","address":"198.18.2.4"},{"local-address":"198.18.0.5","address":"198.18.2.4"},{"local-address":"198.18.1.4","address":"198.18.1.10"}]}}' 20 30 &
fake_pid=$!
for _ in $(seq 50); do [ -S "$tmp/cp.sock" ] && break; sleep 0.1; done
export ROUTEHUB_CP_SOCKET="$tmp/cp.sock"
complete_line "routehubctl show bgp neighbor " "198.18.2.4 198.18.1.10"
complete_line "routehubctl show bgp neighbor 198.18.1" "198.18.1.10"
complete_line "routehubctl clear bgp neighbor 198.18.2" "198.18.2.4"
complete_line "routehubctl --cp-socket $tmp/cp.sock show bgp neighbor 198.18.1" "198.18.1.10"
kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; fake_pid=
export ROUTEHUB_CP_SOCKET="$tmp/none.sock"

# Every command with its daemon not running: a message naming it, exit code 3.
while IFS=$'\t' read -r who cmd; do
	out=$(routehubctl $cmd 2>&1); rc=$?
	if [ "$rc" = 3 ] && [[ $out == "routehubctl: the $who is not running (nothing listens at "* ]]; then
		ok "'$cmd' with no $who: exit 3, says so"
	else
		not_ok "'$cmd' with no $who: exit 3, says so" "rc=$rc" "$out"
	fi
done <<'LIST'
control plane	show bgp summary
control plane	show bgp neighbor 192.0.2.1
control plane	show bgp neighbor 192.0.2.1 received-routes
control plane	show bgp neighbor 192.0.2.1 advertised-routes
control plane	show routes
control plane	show routes 192.0.2.0/24
control plane	show effective-routes
control plane	set branch-to-branch on
control plane	set hub-routing-preference aspath
control plane	clear bgp neighbor 192.0.2.1 soft
control plane	reload
control plane	dump mrt /tmp/rh-never-written.mrt
dataplane	show fib
dataplane	show fib 192.0.2.1
dataplane	show ports
dataplane	show stats
dataplane	show neighbours
LIST
# A bad command, a bad argument, no command: usage on stderr, exit 2.
for cmd in "show bogus" "show bgp neighbor not-an-address" "set branch-to-branch maybe" ""; do
	out=$(routehubctl $cmd 2>&1 >/dev/null); rc=$?
	if [ "$rc" = 2 ] && [[ $out == *"unknown command or bad argument"* ]] && [[ $out == *"usage: routehubctl"* ]]; then
		ok "bad command '$cmd': usage, exit 2"
	else
		not_ok "bad command '$cmd': usage, exit 2" "rc=$rc" "$out"
	fi
done
echo "1..$n"
exit $fail
