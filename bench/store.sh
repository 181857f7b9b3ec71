#!/bin/sh
# bench/store.sh - how fast `mxsensor analyze` writes into SQLite and into
# PostgreSQL, on the same mxgen trace.
#
#   BUILD=build sh bench/store.sh [CLIENTS [SECONDS]]
#
# Generates one trace (default 20000 clients over 6 hours), starts a
# private PostgreSQL cluster (tests/pgcluster.sh, default server settings:
# fsync on), and prints for each store the wall time of analyze and the
# attempts it stored per second: SQLite, PostgreSQL with one sensor, and
# PostgreSQL with 2 and 4 sensors analysing the same trace at once
# (aggregate attempts/s).  Phase times come from analyze -v.
set -eu
BUILD=${BUILD:-build}
MXSENSOR=${MXSENSOR:-$BUILD/mxsensor}
GEN=$BUILD/tools/mxgen
CLIENTS=${1:-20000}
SECONDS_=${2:-21600}
W=$(mktemp -d /tmp/mxbench-store.XXXXXX)
P=$(mktemp -d /tmp/mxbench-pg.XXXXXX)    # the server's user must reach it
. tests/pgcluster.sh
trap 'pg_stop; rm -rf "$W" "$P"' EXIT INT TERM

"$GEN" --clients "$CLIENTS" --seconds "$SECONDS_" --seed 7 --pcap "$W/t.pcap" \
	--truth "$W/t.csv" --log "$W/t.log"
pg_start "$P"

now() { date +%s.%N; }
# run NAME DB SENSOR: one analyze, phases on stderr of -v kept in $W/NAME.v
run() {
	"$MXSENSOR" analyze -v -q --db "$2" --sensor "$3" --pcap "$W/t.pcap" \
		--mta-log "$W/t.log" 2>"$W/$1.v"
}
report() {   # NAME SECONDS ATTEMPTS
	awk -v n="$1" -v s="$2" -v a="$3" 'BEGIN {
		printf "%-26s %8.2f s %10d attempts %10.0f attempts/s\n", n, s, a, a / s }'
	sed -n 's/^mxsensor: debug: \([^:]*\): \([0-9.]*\) s .*$/    \1 \2 s/p' "$W/$4.v" 2>/dev/null || true
}

t0=$(now); run sqlite "$W/t.db" s1; t1=$(now)
n=$(sqlite3 "$W/t.db" "SELECT COUNT(*) FROM attempts")
report "sqlite" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$n" sqlite

t0=$(now); run pg1 "$PG_CONNINFO" s1; t1=$(now)
n=$(pg_sql "SELECT COUNT(*) FROM attempts WHERE sensor = 's1'")
report "postgresql 1 sensor" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$n" pg1

for k in 2 4; do
	t0=$(now)
	i=1
	pids=""
	while [ $i -le $k ]; do
		run "pg$k-$i" "$PG_CONNINFO" "c$k-$i" &
		pids="$pids $!"
		i=$((i + 1))
	done
	for p in $pids; do wait "$p"; done
	t1=$(now)
	n=$(pg_sql "SELECT COUNT(*) FROM attempts WHERE sensor LIKE 'c$k-%'")
	report "postgresql $k sensors at once" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$n" "pg$k-1"
done
pg_sql "SELECT 'postgresql database size ' || pg_size_pretty(pg_database_size('mx'))"
ls -l "$W/t.db" | awk '{ print "sqlite file size " $5 " bytes (one sensor)" }'
