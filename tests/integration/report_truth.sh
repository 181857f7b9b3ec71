# report_truth.sh - `mxsensor report` numbers against mxgen's ground truth.
#
# Two days around New Year (Sunday 2025-12-28 and Monday 2025-12-29), so
# the weekly table must cross an ISO week and an ISO year boundary
# (2025-12-29 is in 2026-W01); one misbehaving /64 retrying every 5 s.
# tests/tools/report_truth.py computes every number a second way (truth
# files, or the store's tables with its own SQL) and compares.
. tests/lib.sh

GEN="$MX_TOOLS/mxgen"
"$GEN" --clients 300 --seconds 172800 --seed 11 --start 1766880000 \
	--pcap "$T/t.pcap" --truth "$T/t.csv" --log "$T/t.log" --clients-out "$T/c.csv" 2>/dev/null ||
	{ not_ok "mxgen"; exit 1; }
"$MXSENSOR" analyze -q --db "$T/t.db" --pcap "$T/t.pcap" --mta-log "$T/t.log" >"$T/out" 2>&1 ||
	{ not_ok "analyze" "$(cat "$T/out")"; exit 1; }
check "report --format json" sh -c "'$MXSENSOR' report --db '$T/t.db' --format json >'$T/r.json'"
check "report (text)" sh -c "'$MXSENSOR' report --db '$T/t.db' >'$T/r.txt'"
python3 tests/tools/report_truth.py "$T/t.db" "$T/t.csv" "$T/c.csv" "$T/r.json" "$T/r.txt" "$T/g.csv"

# text fits in 100 columns
wide=$(awk 'length($0) > 100' "$T/r.txt" | head -n 3)
if [ -z "$wide" ]; then ok "text lines fit in 100 columns"; else not_ok "text width" "$wide"; fi

# CSV: one file per table, the same numbers as JSON
rm -rf "$T/csv"
if "$MXSENSOR" report --db "$T/t.db" --format csv --out-dir "$T/csv" 2>"$T/err"; then
	n=$(ls "$T/csv" | wc -l)
	v4=$(awk -F, '$1 == "IPv4" { print $3 }' "$T/csv/families.csv")
	j4=$(python3 -c "import json,sys; print([r for r in json.load(open(sys.argv[1]))['tables']['families']['rows'] if r['family']=='IPv4'][0]['attempts'])" "$T/r.json")
	if [ "$n" -ge 13 ] && [ -n "$v4" ] && [ "$v4" = "$j4" ]; then
		ok "csv: $n files, IPv4 attempts $v4 as in JSON"
	else
		not_ok "csv files" "files: $n" "csv: $v4 json: $j4"
	fi
else
	not_ok "csv --out-dir" "$(cat "$T/err")"
fi
# again into the same directory: each file replaced whole, its mode kept,
# nothing else left there
ls "$T/csv" >"$T/csv.list"
cat "$T/csv"/*.csv | md5sum >"$T/csv.sum"
chmod 640 "$T/csv/families.csv"
"$MXSENSOR" report --db "$T/t.db" --format csv --out-dir "$T/csv" 2>"$T/err"
rc=$?
if [ $rc = 0 ] && ls "$T/csv" | cmp -s - "$T/csv.list" &&
	cat "$T/csv"/*.csv | md5sum | cmp -s - "$T/csv.sum" &&
	[ "$(stat -c %a "$T/csv/families.csv")" = 640 ]; then
	ok "csv --out-dir again: the same $(wc -l <"$T/csv.list") files, replaced, modes kept"
else
	not_ok "csv --out-dir again" "exit $rc" "$(ls -l "$T/csv")" "$(cat "$T/err")"
fi

# filters: --family 6 has no IPv4; --from/--to cut by day; --label
fam6=$("$MXSENSOR" report --db "$T/t.db" --format json --family 6 |
	python3 -c "import json,sys; t=json.load(sys.stdin)['tables']['families']; print(t['rows'][0]['attempts'], t['rows'][1]['attempts'])")
want6=$(awk -F, 'NR > 1 && $3 == 6' "$T/g.csv" | wc -l)
if [ "$fam6" = "0 $want6" ]; then ok "--family 6: 0 IPv4, $want6 IPv6 attempts"; else not_ok "--family 6" "$fam6 (want 0 $want6)"; fi
day=$("$MXSENSOR" report --db "$T/t.db" --format json --from 2025-12-28 --to 2025-12-28 --table families |
	python3 -c "import json,sys; print(json.load(sys.stdin)['tables']['families']['total']['attempts'])")
wantd=$(awk -F, 'NR > 1 && $6 >= 1766880000000000000 && $6 < 1766966400000000000' "$T/g.csv" | wc -l)
if [ "$day" = "$wantd" ]; then ok "--from/--to one day: $day attempts"; else not_ok "--from/--to" "$day (want $wantd)"; fi
sp=$("$MXSENSOR" report --db "$T/t.db" --format json --label spammer --table families |
	python3 -c "import json,sys; print(json.load(sys.stdin)['tables']['families']['total']['attempts'])")
wants=$(awk -F, 'NR > 1 && $3 == 4 && $11 == 1' "$T/g.csv" | wc -l)
if [ "$sp" = "$wants" ]; then ok "--label spammer: $sp attempts"; else not_ok "--label spammer" "$sp (want $wants)"; fi
none=$("$MXSENSOR" report --db "$T/t.db" --sensor-addr 192.0.2.99 --table families --format csv |
	awk -F, '$1 == "Total" { print $3 }')
if [ "$none" = 0 ]; then ok "--sensor-addr of another sensor: nothing counted"; else not_ok "--sensor-addr" "$none"; fi

# usage errors exit 2; a missing store exits 2
for args in "--format xml" "--family 5" "--from yesterday" "--top 0" "--table nope" \
	"--out-dir $T/x" "--label spam" "--from 2026-01-02 --to 2026-01-01"; do
	# shellcheck disable=SC2086
	"$MXSENSOR" report --db "$T/t.db" $args >/dev/null 2>&1
	rc=$?
	if [ $rc = 2 ]; then ok "usage error: $args"; else not_ok "usage error: $args" "rc=$rc"; fi
done
"$MXSENSOR" report --db "$T/none.db" >/dev/null 2>"$T/err"
rc=$?
if [ $rc = 2 ] && grep -q none.db "$T/err"; then ok "missing store: exit 2"; else not_ok "missing store" "rc=$rc"; fi
if "$MXSENSOR" help report | grep -q -- "--misbehaving-interval"; then ok "help report"; else not_ok "help report"; fi

# on a terminal, a quick report prints nothing but the report (a read
# says so only after a second); -v logs every read with its rows
script -qfec "'$MXSENSOR' report --db '$T/t.db' -o '$T/tty.txt'" /dev/null >"$T/tty" 2>&1
"$MXSENSOR" report -v --db "$T/t.db" -o /dev/null 2>"$T/v.err"
attempts=$(sqlite3 "$T/t.db" "SELECT COUNT(*) FROM attempts")
if [ ! -s "$T/tty" ] && grep -q "IPv6 spammer OSes" "$T/tty.txt" &&
	grep -q "report: attempts: $attempts rows" "$T/v.err"; then
	ok "terminal: nothing besides the report; -v: the $attempts attempts read"
else
	not_ok "report on a terminal, -v" "$(cat "$T/tty")" "$(cat "$T/v.err")"
fi
