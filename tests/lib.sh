# tests/lib.sh - helpers for integration tests (sourced as . tests/lib.sh).
#
#   ok NAME                 one passing case
#   not_ok NAME [WHY]       one failing case (WHY printed indented)
#   check NAME CMD...       run CMD; ok when it exits 0
#   need_file PATH          a missing input is a failure, never a skip
#   wait_for FILE RE SECS   until FILE has a line matching RE (bounded)
#   bounded_wait PID SECS   wait for PID, killing it after SECS
#   T                       a fresh temporary directory, removed at exit
#   netns_gone NS...        stop what runs in the namespaces, delete them (tests/netns.sh)
#
# MXSENSOR (the binary), MX_TOOLS (helper programs), MXSENSOR_CORPUS
# (shared test data) come from tests/run.

: "${MXSENSOR:?run through tests/run}"
. tests/netns.sh
CORPUS=${MXSENSOR_CORPUS}
T=$(mktemp -d "${TMPDIR:-/tmp}/mxtest.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    # /'
	return 0
}
check() {
	name=$1
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}
need_file() {
	[ -e "$1" ] || { not_ok "input present: $1" "missing"; exit 1; }
}

# netns_pair NET - a client namespace $C and a sensor namespace $S joined
# by a veth pair ($VC in C, $VS in S): client 10.NET.0.1 and fd00:NET::1,
# sensor A4=10.NET.0.2 and A6=fd00:NET::2 (IPv6 without DAD, usable at
# once).  Sets the names first, so a cleanup trap set before the call
# removes what was made.  Fails (status 1) when a step fails (no root).
# It sets the EXIT trap: the processes in $PIDS are killed, both namespaces
# and $T removed.  inC / inS run a command in one of them.
PIDS=""
netns_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	netns_gone "$C" "$S"
	rm -rf "$T"
}
inC() { ip netns exec "$C" "$@"; }
inS() { ip netns exec "$S" "$@"; }
netns_pair() {
	trap netns_cleanup EXIT INT TERM
	C=mx${1}c$$
	S=mx${1}s$$
	VC=mx${1}a$$
	VS=mx${1}b$$
	A4=10.$1.0.2
	A6=fd00:$1::2
	ip netns add "$C" && ip netns add "$S" &&
		ip link add "$VC" netns "$C" type veth peer name "$VS" netns "$S" &&
		ip -n "$C" link set lo up && ip -n "$S" link set lo up &&
		ip -n "$C" addr add "10.$1.0.1/24" dev "$VC" &&
		ip -n "$C" addr add "fd00:$1::1/64" dev "$VC" nodad &&
		ip -n "$S" addr add "$A4/24" dev "$VS" &&
		ip -n "$S" addr add "$A6/64" dev "$VS" nodad &&
		ip -n "$C" link set "$VC" up && ip -n "$S" link set "$VS" up
}

# wait_for FILE RE SECS - until FILE holds a line matching RE; 1 after SECS
wait_for() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# bounded_wait PID SECS - wait for PID, killing it after SECS; its status
bounded_wait() {
	( sleep "$2"; kill -KILL "$1" 2>/dev/null ) &
	wd=$!
	wait "$1"
	r=$?
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	return $r
}
