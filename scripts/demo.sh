#!/bin/sh
# demo.sh - run mxsensor on the bundled example data (make demo).
#
# Writes demo-out/mxsensor.db (and the reports) and prints what an
# operator would look at.  See examples/README.md for the data.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$top/$BUILD" ;; esac
MX="$BUILD/mxsensor"
cd "$top"
out=demo-out
db=$out/mxsensor.db
mkdir -p "$out"

section() { printf '\n== %s\n\n' "$*"; }

section "mxsensor syns: the first SYN records of the capture"
"$MX" syns examples/sensor.pcap.gz | head -n 6

section "mxsensor analyze: captures + MTA log -> $db"
"$MX" analyze --db "$db" --pcap examples/sensor.pcap.gz --mta-log examples/mail.log.gz

host6=$("$MX" hosts --db "$db" --family 6 --label associated --no-header | head -n 1 | cut -d, -f1)
section "mxsensor explain $host6 (an IPv6 host associated with a listed IPv4 spammer)"
"$MX" explain --db "$db" --limit 2 "$host6"

tunnel=$("$MX" hosts --db "$db" --family 6 --no-header | awk -F, '$5 == "6to4" { print $1; exit }')
if [ -n "$tunnel" ]; then
	section "mxsensor explain $tunnel (a 6to4 host: its IPv4 attempt came first)"
	"$MX" explain --db "$db" --limit 1 "$tunnel"
fi

section "mxsensor hosts: IPv6 hosts by label"
"$MX" hosts --db "$db" --family 6 --no-header | awk -F, '{ n[$19]++ } END { for (l in n) printf "  %-22s %d\n", l, n[l] }' | sort

"$MX" report --db "$db" --format html -o "$out/report.html"
section "the lab's capture: real Postfix, Exim and swaks senders (examples/lab/)"
"$MX" analyze --db "$out/lab.db" --pcap examples/lab/sensor.pcap.gz \
	--mta-log examples/lab/mx1.log.gz --mta-log examples/lab/mx2.log.gz
echo
"$MX" hosts --db "$out/lab.db" --no-header | awk -F, '{ printf "  %-30s %-14s %-22s %s\n", $1, $3, $19, $20 }'

section "mxsensor report: the method's tables (with charts, as one web page: $out/report.html)"
"$MX" report --db "$db"
