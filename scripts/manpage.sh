#!/bin/sh
# manpage.sh - write docs/man pages from the commands' own help text, so a
# page never drifts from `mxsensor help CMD`.  Used for the commands whose
# page has no hand-written extras (analyze, explain, hosts) and for the
# command list, mxsensor(1).
#
# usage: sh scripts/manpage.sh BUILD/mxsensor
set -e
MX=${1:-build/mxsensor}
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$("$MX" --version | cut -d' ' -f2)
date=$(date -u +%Y-%m)

# esc - text safe for troff: backslashes, and lines starting with . or '
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

page() {
	name=$1 title=$2 summary=$3
	{
		echo ".TH $title 1 \"$date\" \"mxsensor $ver\" \"mxsensor manual\""
		echo ".SH NAME"
		echo "$name \\- $summary"
		echo ".SH DESCRIPTION"
		echo ".nf"
		cat | esc
		echo ".fi"
		echo ".SH SEE ALSO"
		echo "mxsensor(1); the README and docs/ of the mxsensor sources."
	} >"$top/docs/man/$name.1"
}

for cmd in analyze explain hosts; do
	summary=$("$MX" --help | sed -n "s/^   $cmd  *//p")
	"$MX" help "$cmd" | page "mxsensor-$cmd" "MXSENSOR-$(echo $cmd | tr a-z A-Z)" "$summary"
done
"$MX" --help | page mxsensor MXSENSOR "measure abusive SMTP over IPv6 with a sensor MX, and defend"
