# tests/netns.sh - network namespace clean-up, sourced by tests/lib.sh
# and tests/lab/run.
#
# netns_gone NS... - every process still in the namespaces stopped (TERM
# to all of them, then KILL to what is left after 5 s), then the
# namespaces deleted.  A daemon started through a shell function, or one
# that forked, is not the PID a test kept, and a namespace whose name is
# deleted lives on as long as a process in it does.  Safe to call any
# number of times; empty names are skipped.
netns_gone() {
	_ng_all=""
	for _ng in "$@"; do
		[ -n "$_ng" ] || continue
		_ng_all="$_ng_all $_ng"
		_ng_pids=$(ip netns pids "$_ng" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$_ng_pids" ] && kill $_ng_pids 2>/dev/null
	done
	for _ng in $_ng_all; do
		_ng_i=0
		while [ -n "$(ip netns pids "$_ng" 2>/dev/null)" ] && [ $_ng_i -lt 25 ]; do
			sleep 0.2
			_ng_i=$((_ng_i + 1))
		done
		_ng_pids=$(ip netns pids "$_ng" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$_ng_pids" ] && kill -9 $_ng_pids 2>/dev/null
		ip netns del "$_ng" 2>/dev/null
	done
	return 0
}
