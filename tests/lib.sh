# tests/lib.sh - helpers for integration tests (sourced as . tests/lib.sh).
#
#   ok NAME                 one passing case
#   not_ok NAME [WHY]       one failing case (WHY printed indented)
#   check NAME CMD...       run CMD; ok when it exits 0
#   need_file PATH          a missing input is a failure, never a skip
#   T                       a fresh temporary directory, removed at exit
#
# MXSENSOR (the binary), MX_TOOLS (helper programs), MXSENSOR_CORPUS
# (shared test data) come from tests/run.

: "${MXSENSOR:?run through tests/run}"
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
