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
#   - enrichment (--asn, --ptr-file) gives the same enrich rows, host
#     names and ASNs and candidate points on both, the store's cache and
#     scoring functions pass their unit test on PostgreSQL, and `report --format
#     json` over PostgreSQL equals the one over SQLite (all sensors, and
#     --sensor beta),
#   - a role that may only read (SELECT, no TEMP, read-only transactions)
#     gets every reader's output as the owner does,
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

# enrichment offline: an origin AS per client (some IPv6/IPv4 pairs of
# one client share it, others do not) and PTR names in a few domains
for f in a b; do tail -n +2 "$T/$f.csv"; done | awk -F, '
	{ key = $4; if (seen[key]++) next
	  len = $3 == 4 ? 32 : 128
	  printf "%s\t%d\t%d\n", $4, len, 64500 + ($2 * ($3 == 4 ? 1 : 3)) % 7 >"'"$T/as.pfx2as"'"
	  if ($2 % 3 != 0)
		printf "%s c%d.d%d.example\n", $4, ($3 == 4 || $2 % 2 == 0) ? $2 : $2 + 1000, $2 % 4 >"'"$T/ptr.txt"'" }'
ENRICH="--asn $T/as.pfx2as --ptr-file $T/ptr.txt"

# SQLite: the reference, one sensor after the other into one file
"$MXSENSOR" analyze -q --db "$T/ref.db" --sensor alpha $ENRICH --pcap "$T/a.pcap" --mta-log "$T/a.log" &&
"$MXSENSOR" analyze -q --db "$T/ref.db" --sensor beta $ENRICH --pcap "$T/b.pcap" --pcap "$T/a.pcap" --mta-log "$T/b.log" ||
	not_ok "analyze into SQLite"

# PostgreSQL: both at once, into a database that has no schema yet
"$MXSENSOR" analyze -q --db "$CONNINFO" --sensor alpha $ENRICH --pcap "$T/a.pcap" \
	--mta-log "$T/a.log" >"$T/a.out" 2>&1 &
pa=$!
"$MXSENSOR" analyze -q --db "$URL" --sensor beta $ENRICH --pcap "$T/b.pcap" --pcap "$T/a.pcap" \
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
# a sensor the store has no analysis of: said from PostgreSQL's runs as
# from SQLite's, the store's location shown without its password
"$MXSENSOR" hosts --db "$URL" --sensor gamma >"$T/hg.pg" 2>"$T/hg.err"
rc=$?
if [ $rc = 2 ] && [ ! -s "$T/hg.pg" ] &&
	grep -q "no analysis of sensor 'gamma' in the store (its sensors: alpha, beta)$" "$T/hg.err"; then
	ok "hosts --sensor gamma over PostgreSQL: exit 2, the sensors named"
else
	not_ok "hosts --sensor gamma over PostgreSQL" "exit $rc" "$(cat "$T/hg.err")"
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

# enrichment: the same rows, names and points on both
EQ="SELECT sensor || ' ' || addr || ' ' || COALESCE(CAST(asn AS TEXT), '-') || ' ' ||
 COALESCE(ptr, '-') || ' ' || COALESCE(ptr_domain, '-') || ' ' ||
 COALESCE(CAST(match_asn AS TEXT), '-') || ' ' || COALESCE(match_domain, '-')"
er=$(sqlite3 "$T/ref.db" "$EQ FROM enrich ORDER BY 1")
ep=$(sql_pg "$EQ FROM enrich ORDER BY 1")
HQ="SELECT sensor || ' ' || addr || ' ' || COALESCE(CAST(asn AS TEXT), '-') || ' ' ||
 COALESCE(ptr, '-') || ' ' || COALESCE(ptr_domain, '-') FROM hosts ORDER BY 1"
hr=$(sqlite3 "$T/ref.db" "$HQ")
hp=$(sql_pg "$HQ")
CQ="SELECT sensor || ' ' || a6 || ' ' || a4 || ' ' || ev_asn || ' ' || ev_ptr || ' ' ||
 score || ' ' || total || ' ' || decision FROM candidates ORDER BY 1"
cr=$(sqlite3 "$T/ref.db" "$CQ")
cp=$(sql_pg "$CQ")
nasn=$(sqlite3 "$T/ref.db" "SELECT COUNT(*) FROM candidates WHERE ev_asn > 0")
nptr=$(sqlite3 "$T/ref.db" "SELECT COUNT(*) FROM candidates WHERE ev_ptr > 0")
nhp=$(sqlite3 "$T/ref.db" "SELECT COUNT(*) FROM hosts WHERE ptr IS NOT NULL AND asn IS NOT NULL")
if [ "$er" = "$ep" ] && [ "$hr" = "$hp" ] && [ "$cr" = "$cp" ] &&
   [ "$nasn" -gt 50 ] && [ "$nptr" -gt 50 ] && [ "$nhp" -gt 300 ]; then
	ok "enrichment agrees: enrich, hosts' ASN/PTR, candidate points ($nasn with ev_asn, $nptr with ev_ptr)"
else
	not_ok "enrichment" "asn $nasn ptr $nptr hosts $nhp" \
		"$(printf '%s\n' "$er" >"$T/er"; printf '%s\n' "$ep" >"$T/ep"; diff "$T/er" "$T/ep" | head -4)" \
		"$(printf '%s\n' "$hr" >"$T/hr"; printf '%s\n' "$hp" >"$T/hp"; diff "$T/hr" "$T/hp" | head -4)" \
		"$(printf '%s\n' "$cr" >"$T/cr"; printf '%s\n' "$cp" >"$T/cp"; diff "$T/cr" "$T/cp" | head -4)"
fi

# the report: the same JSON document from both stores (but for when and
# from where it was made), for all sensors and for one
strip() { python3 -c 'import json, sys
d = json.load(sys.stdin)
for k in ("generated", "store"):
    d.pop(k, None)
print(json.dumps(d, sort_keys=True, indent=1))'; }
for s in "" beta; do
	opt=${s:+--sensor $s}
	"$MXSENSOR" report --db "$T/ref.db" $opt --format json 2>"$T/rr.err" | strip >"$T/rep$s.ref"
	"$MXSENSOR" report --db "$URL" $opt --format json 2>"$T/rp.err" | strip >"$T/rep$s.pg"
	"$MXSENSOR" report --db "$T/ref.db" $opt --format text >"$T/rept$s.ref" 2>&1
	"$MXSENSOR" report --db "$CONNINFO" $opt --format text >"$T/rept$s.pg" 2>&1
	if [ "$(wc -l <"$T/rep$s.pg")" -gt 200 ] && cmp -s "$T/rep$s.ref" "$T/rep$s.pg" &&
	   grep -q '"misbehaving"' "$T/rep$s.pg" &&
	   [ "$(grep -v '^generated\|^store\|^Generated\|^Store' "$T/rept$s.ref" | md5sum)" = \
	     "$(grep -v '^generated\|^store\|^Generated\|^Store' "$T/rept$s.pg" | md5sum)" ]; then
		ok "report --format json/text ${opt:-(all sensors)}: PostgreSQL = SQLite ($(wc -l <"$T/rep$s.pg") lines)"
	else
		not_ok "report ${opt:-all sensors}" "$(cat "$T/rr.err" "$T/rp.err")" \
			"$(diff "$T/rep$s.ref" "$T/rep$s.pg" | head -6)" \
			"$(diff "$T/rept$s.ref" "$T/rept$s.pg" | head -6)"
	fi
done
all=$(python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["tables"]["families"]
print(t["total"] if isinstance(t["total"], int) else t["total"]["attempts"])' "$T/rep.pg" 2>&1)
one=$(python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["tables"]["families"]
print(t["total"] if isinstance(t["total"], int) else t["total"]["attempts"])' "$T/repbeta.pg" 2>&1)
if [ "$all" -gt "$one" ] 2>/dev/null && [ "$one" -gt 1000 ]; then
	ok "report --sensor beta counts fewer attempts than all sensors ($one of $all)"
else
	not_ok "report --sensor" "all: $all" "beta: $one"
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
"$MXSENSOR" analyze -q --db "$URL" --sensor alpha $ENRICH --pcap "$T/a.pcap" --mta-log "$T/a.log" &
pa=$!
"$MXSENSOR" analyze -q --db "$CONNINFO" --sensor beta $ENRICH --pcap "$T/b.pcap" --pcap "$T/a.pcap" \
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

# an analyst's role that may only read: SELECT on the tables, no TEMP
# privilege, every transaction read-only (as on a hot standby); each
# reader prints what the owner's connection prints
sql_pg "CREATE ROLE analyst LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst;
 REVOKE TEMPORARY ON DATABASE mx FROM PUBLIC;
 ALTER ROLE analyst SET default_transaction_read_only = on" >/dev/null
RO="postgres:host=$P dbname=mx user=analyst"
addr6=$("$MXSENSOR" hosts --db "$URL" --family 6 --no-header | head -1 | cut -d, -f1)
bad=""
for args in "hosts" "explain $addr6" "report --format json" "reputation" "dnsbl --zone dnsbl.test"; do
	# shellcheck disable=SC2086
	"$MXSENSOR" $args --db "$URL" 2>&1 | grep -v '"store"\|"generated"' >"$T/owner.out"
	# shellcheck disable=SC2086
	"$MXSENSOR" $args --db "$RO" 2>"$T/ro.err" | grep -v '"store"\|"generated"' >"$T/ro.out"
	if ! [ -s "$T/ro.out" ] || ! cmp -s "$T/owner.out" "$T/ro.out"; then
		bad="$bad [$args: $(head -c 300 "$T/ro.err")]"
	fi
done
if [ -z "$bad" ] && [ -n "$addr6" ] &&
	sql_pg "SELECT has_database_privilege('analyst', 'mx', 'TEMP')" | grep -qx f; then
	ok "a read-only role without TEMP: hosts, explain, report, reputation, dnsbl as the owner's"
else
	not_ok "a read-only role" "$bad"
fi

# a location that does not answer: exit 2 with the reason, no password shown
"$MXSENSOR" hosts --db "postgresql://mx:secret@/nosuchdb?host=$P" >/dev/null 2>"$T/err"
rc=$?
if [ $rc = 2 ] && grep -q nosuchdb "$T/err" && ! grep -q secret "$T/err"; then
	ok "unreachable database: exit 2, password not shown"
else
	not_ok "unreachable database" "rc=$rc" "$(cat "$T/err")"
fi

# the store's enrichment functions (caches, scoring) against PostgreSQL:
# the unit test of them, run on this server (last: it adds sensor "test")
if MX_TEST_STORE="$URL" "$MX_TOOLS/../tests/test_enrich" >"$T/te.out" 2>&1 &&
   grep -q 'OK \] test_store' "$T/te.out"; then
	ok "test_enrich's store test (caches, enrich rows, scoring) passes on PostgreSQL"
else
	not_ok "test_enrich on PostgreSQL" "$(grep -v '^\[ *\(RUN\|OK\)' "$T/te.out" | head -8)"
fi
