# pg_sensors.sh - several sensors writing one PostgreSQL store at once.
#
# Starts a private PostgreSQL cluster (initdb as an unprivileged user,
# listening only on a unix socket in a temporary directory, removed at
# exit), runs two `analyze` processes of two sensors concurrently into it
# on two mxgen traces that share client addresses, and checks that
#   - every count of each sensor is exactly what SQLite stores for it,
#   - `hosts` and `explain` over PostgreSQL print what they print over an
#     SQLite store holding the same two sensors,
#   - reputation, the DNSBL export and the weekly view (all sensors
#     together) agree with SQLite,
#   - a sensor's re-run replaces only its own rows (counts unchanged, the
#     other sensor untouched).
. tests/lib.sh

. tests/pgcluster.sh

trap 'pg_stop; rm -rf "$T"' EXIT INT TERM
P=$(mktemp -d /tmp/mxpg.XXXXXX)
if ! PG_OPTS="-c fsync=off -c full_page_writes=off" pg_start "$P" 2>"$T/pg.err"; then
	not_ok "start a private PostgreSQL cluster" "$(cat "$T/pg.err")"
	exit 1
fi
ok "private PostgreSQL cluster on $P"
# the two spellings of a location: conninfo and URL
CONNINFO=$PG_CONNINFO
URL=$PG_URL
sql_pg() { pg_sql "$1"; }

GEN="$MX_TOOLS/mxgen"
# two sensors; beta also sees alpha's clients (a.pcap), so many hosts
# are seen by both
"$GEN" --clients 400 --seconds 1800 --seed 1 --pcap "$T/a.pcap" --truth "$T/a.csv" \
	--log "$T/a.log" 2>/dev/null || not_ok "mxgen a"
"$GEN" --clients 300 --seconds 1800 --seed 2 --start 1767232800 --pcap "$T/b.pcap" \
	--truth "$T/b.csv" --log "$T/b.log" 2>/dev/null || not_ok "mxgen b"

# SQLite: the reference, one sensor after the other into one file
"$MXSENSOR" analyze -q --db "$T/ref.db" --sensor alpha --pcap "$T/a.pcap" --mta-log "$T/a.log" &&
"$MXSENSOR" analyze -q --db "$T/ref.db" --sensor beta --pcap "$T/b.pcap" --pcap "$T/a.pcap" --mta-log "$T/b.log" ||
	not_ok "analyze into SQLite"

# PostgreSQL: both at once, into a database that has no schema yet
"$MXSENSOR" analyze -q --db "$CONNINFO" --sensor alpha --pcap "$T/a.pcap" \
	--mta-log "$T/a.log" >"$T/a.out" 2>&1 &
pa=$!
"$MXSENSOR" analyze -q --db "$URL" --sensor beta --pcap "$T/b.pcap" --pcap "$T/a.pcap" \
	--mta-log "$T/b.log" >"$T/b.out" 2>&1 &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
if [ $ra = 0 ] && [ $rb = 0 ]; then
	ok "two sensors analyzed concurrently into PostgreSQL"
else
	not_ok "concurrent analyze" "alpha rc=$ra: $(cat "$T/a.out")" "beta rc=$rb: $(cat "$T/b.out")"
fi

COUNTS="SELECT s.sensor || ' ' ||
 (SELECT COUNT(*) FROM attempts a WHERE a.sensor = s.sensor) || ' ' ||
 (SELECT COUNT(*) FROM attempts a WHERE a.sensor = s.sensor AND partner IS NOT NULL) || ' ' ||
 (SELECT COUNT(*) FROM candidates c WHERE c.sensor = s.sensor) || ' ' ||
 (SELECT COUNT(*) FROM candidates c WHERE c.sensor = s.sensor AND decision = 'associated') || ' ' ||
 (SELECT COUNT(*) FROM hosts h WHERE h.sensor = s.sensor) || ' ' ||
 (SELECT COUNT(*) FROM hosts h WHERE h.sensor = s.sensor AND listed = 1) || ' ' ||
 (SELECT COUNT(*) FROM hosts h WHERE h.sensor = s.sensor AND label = 'associated') || ' ' ||
 (SELECT COUNT(*) FROM mta_events m WHERE m.sensor = s.sensor) || ' ' ||
 (SELECT COALESCE(SUM(count), 0) FROM mta_events m WHERE m.sensor = s.sensor) || ' ' ||
 (SELECT COUNT(*) FROM inputs i WHERE i.sensor = s.sensor)
 FROM (SELECT DISTINCT sensor FROM runs) s ORDER BY s.sensor"
ref=$(sqlite3 "$T/ref.db" "$COUNTS")
pg=$(sql_pg "$COUNTS")
nattempts=$(echo "$ref" | awk '{ n += $2 } END { print n }')
if [ "$ref" = "$pg" ] && [ "$(echo "$pg" | wc -l)" = 2 ] && [ "$nattempts" -gt 3000 ]; then
	ok "per-sensor counts equal SQLite's exactly ($nattempts attempts)"
else
	not_ok "per-sensor counts" "sqlite:" "$ref" "postgresql:" "$pg"
fi

shared=$(sqlite3 "$T/ref.db" "SELECT COUNT(*) FROM (SELECT addr FROM hosts GROUP BY addr
	HAVING COUNT(DISTINCT sensor) = 2)")
"$MXSENSOR" hosts --db "$T/ref.db" | sort >"$T/hosts.ref"
"$MXSENSOR" hosts --db "$URL" | sort >"$T/hosts.pg"
if [ "$shared" -gt 10 ] && [ "$(wc -l <"$T/hosts.ref")" -gt 500 ] && cmp -s "$T/hosts.ref" "$T/hosts.pg"; then
	ok "hosts over PostgreSQL = over SQLite ($(wc -l <"$T/hosts.pg") lines, $shared hosts seen by both)"
else
	not_ok "hosts" "shared=$shared" "$(diff "$T/hosts.ref" "$T/hosts.pg" | head -5)"
fi
"$MXSENSOR" hosts --db "$T/ref.db" --sensor beta --family 6 | sort >"$T/hb.ref"
"$MXSENSOR" hosts --db "$CONNINFO" --sensor beta --family 6 | sort >"$T/hb.pg"
if cmp -s "$T/hb.ref" "$T/hb.pg" && ! grep -q ',alpha$' "$T/hb.pg" && grep -q ',beta$' "$T/hb.pg"; then
	ok "hosts --sensor beta --family 6 agrees and holds only beta"
else
	not_ok "hosts --sensor" "$(diff "$T/hb.ref" "$T/hb.pg" | head -5)"
fi

# explain: associated IPv6 hosts, listed IPv4 hosts and hosts both saw
addrs=$(sqlite3 "$T/ref.db" "
	SELECT addr FROM (SELECT addr FROM hosts WHERE label = 'associated' ORDER BY addr LIMIT 3)
	UNION ALL SELECT addr FROM (SELECT addr FROM hosts WHERE label = 'spammer' ORDER BY addr DESC LIMIT 3)
	UNION ALL SELECT addr FROM (SELECT addr FROM hosts GROUP BY addr
		HAVING COUNT(DISTINCT sensor) = 2 ORDER BY addr LIMIT 3)
	UNION ALL SELECT addr FROM (SELECT addr FROM hosts WHERE label = 'unassociated' ORDER BY addr LIMIT 2)")
same=0 differ=""
for a in $addrs; do
	"$MXSENSOR" explain --db "$T/ref.db" --limit 0 "$a" >"$T/e.ref" 2>&1
	"$MXSENSOR" explain --db "$URL" --limit 0 "$a" >"$T/e.pg" 2>&1
	if cmp -s "$T/e.ref" "$T/e.pg" && grep -q "^host $a" "$T/e.pg"; then
		same=$((same + 1))
	else
		differ="$differ $a"
	fi
done
if [ "$same" = 11 ] && [ -z "$differ" ]; then
	ok "explain over PostgreSQL = over SQLite for $same addresses"
else
	not_ok "explain" "same: $same" "different:$differ" "$(diff "$T/e.ref" "$T/e.pg" | head -8)"
fi
both=$(sqlite3 "$T/ref.db" "SELECT addr FROM hosts GROUP BY addr HAVING COUNT(DISTINCT sensor) = 2
	ORDER BY addr LIMIT 1")
n=$("$MXSENSOR" explain --db "$URL" "$both" | grep -c "^  sensor ")
n1=$("$MXSENSOR" explain --db "$URL" --sensor alpha "$both" | grep -c "^  sensor ")
if [ "$n" = 2 ] && [ "$n1" = 1 ]; then
	ok "explain shows a host once per sensor, --sensor one"
else
	not_ok "explain per sensor" "all: $n, --sensor alpha: $n1"
fi

week="SELECT week, series, attempts FROM weekly ORDER BY week, series"
wr=$(sqlite3 "$T/ref.db" "$week")
wp=$(sql_pg "$week")
if [ -n "$wr" ] && [ "$wr" = "$wp" ]; then
	ok "weekly view agrees ($(echo "$wp" | wc -l) rows)"
else
	not_ok "weekly view" "sqlite:" "$wr" "postgresql:" "$wp"
fi

# reputation and the DNSBL export combine every sensor's results
"$MXSENSOR" reputation --db "$T/ref.db" --now latest >"$T/rep.ref" 2>&1
"$MXSENSOR" reputation --db "$URL" --now latest >"$T/rep.pg" 2>&1
"$MXSENSOR" dnsbl --db "$T/ref.db" >"$T/bl.ref" 2>&1
"$MXSENSOR" dnsbl --db "$CONNINFO" >"$T/bl.pg" 2>&1
if [ "$(wc -l <"$T/rep.pg")" -gt 100 ] && cmp -s "$T/rep.ref" "$T/rep.pg" &&
   [ "$(wc -l <"$T/bl.pg")" -gt 10 ] && cmp -s "$T/bl.ref" "$T/bl.pg"; then
	ok "reputation and dnsbl over both sensors agree ($(wc -l <"$T/rep.pg") prefixes)"
else
	not_ok "reputation / dnsbl" "$(diff "$T/rep.ref" "$T/rep.pg" | head -4)" \
		"$(diff "$T/bl.ref" "$T/bl.pg" | head -4)"
fi

# re-running both sensors at once replaces their own rows only
"$MXSENSOR" analyze -q --db "$URL" --sensor alpha --pcap "$T/a.pcap" --mta-log "$T/a.log" &
pa=$!
"$MXSENSOR" analyze -q --db "$CONNINFO" --sensor beta --pcap "$T/b.pcap" --pcap "$T/a.pcap" \
	--mta-log "$T/b.log" &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
again=$(sql_pg "$COUNTS")
runs=$(sql_pg "SELECT sensor || ':' || COUNT(*) FROM runs WHERE status = 'complete'
	GROUP BY sensor ORDER BY sensor" | tr '\n' ' ')
if [ $ra = 0 ] && [ $rb = 0 ] && [ "$again" = "$pg" ] && [ "$runs" = "alpha:2 beta:2 " ]; then
	ok "concurrent re-runs replace, never double-count ($runs)"
else
	not_ok "re-run" "rc $ra $rb" "before:" "$pg" "after:" "$again" "runs: $runs"
fi
# one sensor again, with an empty capture: the other's rows stay
"$GEN" --clients 1 --seconds 10 --seed 3 --pcap "$T/c.pcap" --truth "$T/c.csv" \
	--log "$T/c.log" 2>/dev/null
"$MXSENSOR" analyze -q --db "$URL" --sensor alpha --pcap "$T/c.pcap" --mta-log "$T/c.log"
beta_before=$(echo "$pg" | grep '^beta ')
beta_after=$(sql_pg "$COUNTS" | grep '^beta ')
alpha_after=$(sql_pg "SELECT COUNT(*) FROM attempts WHERE sensor = 'alpha'")
if [ "$beta_before" = "$beta_after" ] && [ "$alpha_after" -lt 20 ]; then
	ok "a sensor's new run leaves the other sensor's rows ($alpha_after attempts for alpha now)"
else
	not_ok "replacement per sensor" "beta before: $beta_before" "beta after: $beta_after" \
		"alpha: $alpha_after"
fi

# a location that does not answer: exit 2 with the reason, no password shown
"$MXSENSOR" hosts --db "postgresql://mx:secret@/nosuchdb?host=$P" >/dev/null 2>"$T/err"
rc=$?
if [ $rc = 2 ] && grep -q nosuchdb "$T/err" && ! grep -q secret "$T/err"; then
	ok "unreachable database: exit 2, password not shown"
else
	not_ok "unreachable database" "rc=$rc" "$(cat "$T/err")"
fi
