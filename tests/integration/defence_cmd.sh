#!/bin/sh
# defence_cmd.sh - the command lines of reputation, dnsbl and policyd:
# the shipped example configuration is the compiled-in default, options
# are range-checked, JSON lines parse (python3's json), --prefix-len and
# per-range lengths change the aggregation, and --output replaces its file
# whole or not at all (a failed run, a full disk: the old file stays).
. tests/lib.sh
need_file examples/sensor.pcap.gz
need_file docs/cos.conf.example

"$MXSENSOR" policyd --check-config >"$T/default.txt" 2>&1
"$MXSENSOR" policyd --check-config --config docs/cos.conf.example >"$T/example.txt" 2>&1
if [ -s "$T/default.txt" ] && cmp -s "$T/default.txt" "$T/example.txt"; then
	ok "docs/cos.conf.example equals the compiled-in defaults"
else
	not_ok "docs/cos.conf.example equals the compiled-in defaults" "$(diff "$T/default.txt" "$T/example.txt")"
fi

db=$T/mx.db
"$MXSENSOR" analyze --db "$db" --pcap examples/sensor.pcap.gz --mta-log examples/mail.log.gz >/dev/null 2>&1 ||
	{ not_ok "analyze examples"; exit 1; }

for args in "reputation --prefix-len 8" "reputation --format xml" "reputation --class nice" \
	"dnsbl --format bind" "dnsbl --family all" "dnsbl --zone bad_zone!" "policyd" \
	"policyd --listen inet:127.0.0.1:1 --idle 0" "reputation --now yesterday"; do
	# shellcheck disable=SC2086
	"$MXSENSOR" $args --db "$db" >/dev/null 2>"$T/err"
	rc=$?
	[ "$rc" = 2 ] && ok "usage error exits 2: $args" || not_ok "usage error exits 2: $args" "exit $rc" "$(cat "$T/err")"
done
"$MXSENSOR" reputation --db "$T/none.db" >/dev/null 2>&1
[ $? = 2 ] && ok "missing store: exit 2" || not_ok "missing store: exit 2"
# a store without a finished analysis (an analyze that could read no
# capture leaves its schema): reputation and dnsbl say so, the store with
# one does not
"$MXSENSOR" analyze --db "$T/bare.db" --pcap docs/cos.conf.example >/dev/null 2>&1
w="mxsensor: warning: $T/bare.db holds no finished analysis: every prefix is unknown"
for c in reputation dnsbl; do
	"$MXSENSOR" $c --db "$T/bare.db" >/dev/null 2>"$T/err"
	rc=$?
	"$MXSENSOR" $c --db "$db" >/dev/null 2>"$T/err2"
	if [ $rc = 0 ] && grep -q "^$w" "$T/err" && ! grep -q "no finished analysis" "$T/err2"; then
		ok "$c on a store without an analysis says so"
	else
		not_ok "$c on a store without an analysis says so" "exit $rc" "$(cat "$T/err")"
	fi
done

"$MXSENSOR" reputation --db "$db" --format jsonl >"$T/rep.jsonl"
if python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["class"] in ("good", "mixed", "bad", "unknown") for r in rows)
assert all(isinstance(r["bad"], (int, float)) for r in rows)
print(len(rows))' "$T/rep.jsonl" >"$T/n"; then ok "reputation jsonl: $(cat "$T/n") rows parse"; else not_ok "reputation jsonl parses"; fi

n64=$("$MXSENSOR" reputation --db "$db" --format csv | grep -c '^2001:.*/64,')
n32=$("$MXSENSOR" reputation --db "$db" --format csv --prefix-len 32 | grep -c '^2001:.*/32,')
n64x=$("$MXSENSOR" reputation --db "$db" --format csv --prefix-len 32 | grep -c '^2001:.*/64,')
if [ "$n64" -gt 1 ] && [ "$n32" -ge 1 ] && [ "$n32" -lt "$n64" ] && [ "$n64x" = 0 ]; then
	ok "--prefix-len 32: $n64 /64s become $n32 /32s"
else
	not_ok "--prefix-len 32 aggregates" "n64=$n64 n32=$n32 n64x=$n64x"
fi
# a range with its own length (the rest stays /64)
printf 'prefix 2001:db8::/32 48\n' >"$T/range.conf"
n48=$("$MXSENSOR" reputation --db "$db" --format csv --config "$T/range.conf" | grep -c '^2001:db8:.*/48,')
other=$("$MXSENSOR" reputation --db "$db" --format csv --config "$T/range.conf" | grep '^2001:' | grep -vc '^2001:db8:')
if [ "$n48" -ge 1 ] && [ "$n48" -le "$n64" ]; then ok "range 2001:db8::/32 aggregated at /48 ($n48 prefixes, $other others)"; else
	not_ok "per-range length" "n48=$n48"; fi
# 6to4 hosts count under their IPv4 /32, never under 2002::/16
if "$MXSENSOR" reputation --db "$db" --format csv | grep -q '^2002:'; then
	not_ok "6to4 mapped to IPv4" "$("$MXSENSOR" reputation --db "$db" --format csv | grep '^2002:' | head -3)"
else
	ok "6to4 evidence mapped to the IPv4 /32"
fi
"$MXSENSOR" dnsbl --db "$db" --format zone --family all --zone bl.example >"$T/all.zone" &&
	grep -q '^\$ORIGIN bl.example\.$' "$T/all.zone" && grep -q '^[0-9]*\.[0-9]*\.[0-9]*\.[0-9]*	IN A 127.0.0.2' "$T/all.zone" &&
	ok "zone --family all: IPv4 and IPv6 names" || not_ok "zone --family all"

# --output: the same bytes as stdout, the old file's mode kept, and the
# old file left alone (nothing else in its directory) when the run fails
# (the report's time of generation fixed: two runs may straddle a second)
export SOURCE_DATE_EPOCH=1767225600
mkdir "$T/out"
for cmd in "dnsbl" "dnsbl --family 4" "reputation --format csv" "report --format json"; do
	# shellcheck disable=SC2086
	"$MXSENSOR" $cmd --db "$db" >"$T/stdout.txt" 2>"$T/err"
	echo old >"$T/out/f"
	chmod 640 "$T/out/f"
	# shellcheck disable=SC2086
	"$MXSENSOR" $cmd --db "$db" -o "$T/out/f" 2>>"$T/err"
	rc=$?
	if [ $rc = 0 ] && [ -s "$T/stdout.txt" ] && cmp -s "$T/stdout.txt" "$T/out/f" &&
		[ "$(stat -c %a "$T/out/f")" = 640 ] && [ "$(ls -A "$T/out")" = f ]; then
		ok "$cmd -o: stdout's $(wc -c <"$T/out/f") bytes, the file's mode kept"
	else
		not_ok "$cmd -o" "exit $rc" "$(cat "$T/err")" "$(ls -lA "$T/out")"
	fi
	# shellcheck disable=SC2086
	"$MXSENSOR" $cmd --db "$T/none.db" -o "$T/out/f" 2>"$T/err"
	rc=$?
	if [ $rc != 0 ] && cmp -s "$T/stdout.txt" "$T/out/f" && [ "$(ls -A "$T/out")" = f ]; then
		ok "$cmd -o, no store: exit $rc, the old file kept, nothing else"
	else
		not_ok "$cmd -o, no store: the old file kept" "exit $rc" "$(ls -lA "$T/out")"
	fi
done
# a file system that holds the old dataset but not a second copy of it:
# the write fails, one message, the old file as it was
"$MXSENSOR" dnsbl --db "$db" -o "$T/out/bl6" 2>"$T/err" || not_ok "dnsbl -o" "$(cat "$T/err")"
size=$(( $(stat -c %s "$T/out/bl6") / 1024 + 8 ))k
out=$(unshare -m sh -c 'mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 99
	printf "# the old list\n" >"$2/bl6"
	head -c $(( $(stat -c %s "$3") - 100 )) "$3" >>"$2/bl6" || exit 98
	cp "$2/bl6" "$2/before"
	"$4" dnsbl --db "$5" -o "$2/bl6"
	rc=$?
	cmp -s "$2/bl6" "$2/before" || { echo "the old file changed"; exit 97; }
	rm "$2/before"
	[ "$(ls -A "$2")" = bl6 ] || { echo "left: $(ls -A "$2")"; exit 96; }
	exit $rc' sh "$size" "$T/out" "$T/out/bl6" "$MXSENSOR" "$db" 2>&1)
rc=$?
if [ $rc = 1 ] && [ "$out" = "mxsensor: $T/out/bl6: write error: No space left on device" ]; then
	ok "dnsbl -o on a full disk: exit 1, one message, the old dataset kept whole"
else
	not_ok "dnsbl -o on a full disk" "exit $rc" "$out"
fi
# standard output that cannot take it: exit 1, one message
for cmd in "dnsbl" "reputation" "report"; do
	"$MXSENSOR" $cmd --db "$db" >/dev/full 2>"$T/err"
	rc=$?
	if [ $rc = 1 ] && [ "$(cat "$T/err")" = "mxsensor: stdout: write error: No space left on device" ]; then
		ok "$cmd >/dev/full: exit 1, one message"
	else
		not_ok "$cmd >/dev/full" "exit $rc" "$(cat "$T/err")"
	fi
done
exit 0
