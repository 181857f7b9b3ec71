#!/bin/sh
# export_cmd.sh - the command lines of what reads the store or the inputs
# out again.  Every command's standard output that cannot take what is
# written (a full disk: /dev/full) fails the command with exit 1 and one
# message, never exit 0 with the output lost; hosts, logs and syns
# --output replace their file whole: the same bytes as stdout, the old
# file's mode kept, nothing else left beside it, the old file kept when
# the store is missing or the disk fills up (dnsbl, reputation and
# report: defence_cmd.sh); a --sensor or --label that names nothing is
# said, not answered with an empty export.
. tests/lib.sh
need_file examples/sensor.pcap.gz
need_file examples/mail.log.gz

db=$T/mx.db
for s in alpha beta; do
	"$MXSENSOR" analyze --db "$db" --sensor $s --pcap examples/sensor.pcap.gz \
		--mta-log examples/mail.log.gz >/dev/null 2>&1 || { not_ok "analyze examples as $s"; exit 1; }
done
host=$("$MXSENSOR" hosts --db "$db" --family 6 --label associated --no-header | head -1 | cut -d, -f1)
[ -n "$host" ] || { not_ok "an associated IPv6 host in the example"; exit 1; }
printf '192.0.2.0\t24\t64500\n2001:db8::\t32\t64501\n' >"$T/t.pfx2as"

# /dev/full as standard output: exit 1 and exactly one message, for the
# commands that print a lot and those that print a line
full="mxsensor: stdout: write error: No space left on device"
while read -r args; do
	# shellcheck disable=SC2086
	eval "\"\$MXSENSOR\" $args" >/dev/full 2>"$T/err"
	rc=$?
	if [ $rc = 1 ] && [ "$(cat "$T/err")" = "$full" ]; then
		ok "$args >/dev/full: exit 1, one message"
	else
		not_ok "$args >/dev/full" "exit $rc" "$(cat "$T/err")"
	fi
done <<EOF
hosts --db "\$db"
hosts --db "\$db" --format jsonl --family 6
syns examples/sensor.pcap.gz
syns --format jsonl examples/sensor.pcap.gz
syns --os examples/sensor.pcap.gz
logs examples/mail.log.gz
explain --db "\$db" "\$host"
addr 2001:db8::1
asn --asn "\$T/t.pfx2as" 192.0.2.1 2001:db8::1
--help
--version
help analyze
analyze --help
EOF
# a command that failed for another reason says that, not a write error too
"$MXSENSOR" hosts --db "$T/none.db" >/dev/full 2>"$T/err"
rc=$?
if [ $rc = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && ! grep -q 'write error' "$T/err"; then
	ok "hosts without a store >/dev/full: exit 2, the store's message only"
else
	not_ok "hosts without a store >/dev/full" "exit $rc" "$(cat "$T/err")"
fi

# --output: the bytes stdout gets, the old file's mode kept, nothing else
# in the directory
mkdir "$T/out"
while read -r args; do
	eval "\"\$MXSENSOR\" $args" >"$T/stdout.txt" 2>"$T/err"
	echo old >"$T/out/f"
	chmod 640 "$T/out/f"
	eval "\"\$MXSENSOR\" $args --output \"\$T/out/f\"" 2>>"$T/err"
	rc=$?
	if [ $rc = 0 ] && [ "$(wc -l <"$T/stdout.txt")" -gt 10 ] && cmp -s "$T/stdout.txt" "$T/out/f" &&
		[ "$(stat -c %a "$T/out/f")" = 640 ] && [ "$(ls -A "$T/out")" = f ]; then
		ok "$args --output: stdout's $(wc -c <"$T/out/f") bytes, the file's mode kept"
	else
		not_ok "$args --output" "exit $rc" "$(cat "$T/err")" "$(ls -lA "$T/out")"
	fi
done <<EOF
hosts --db "\$db"
hosts --db "\$db" --format jsonl
logs examples/mail.log.gz
syns examples/sensor.pcap.gz
syns --format jsonl --os examples/sensor.pcap.gz
EOF
# -o is the short form for hosts and logs (syns's -o is --os)
"$MXSENSOR" logs -k dnsbl -o "$T/out/f" examples/mail.log.gz &&
	[ "$(cut -d, -f3 "$T/out/f" | sort -u | tr '\n' ' ')" = "dnsbl kind " ] &&
	ok "logs -o FILE" || not_ok "logs -o FILE" "$(head -3 "$T/out/f")"

# a missing store: exit 2, the old file as it was, nothing else
"$MXSENSOR" hosts --db "$db" -o "$T/out/f" 2>"$T/err" && cp "$T/out/f" "$T/before"
"$MXSENSOR" hosts --db "$T/none.db" -o "$T/out/f" 2>"$T/err"
rc=$?
if [ $rc = 2 ] && cmp -s "$T/before" "$T/out/f" && [ "$(ls -A "$T/out")" = f ]; then
	ok "hosts -o, no store: exit 2, the old file kept, nothing else"
else
	not_ok "hosts -o, no store" "exit $rc" "$(cat "$T/err")" "$(ls -lA "$T/out")"
fi
# an unreadable input among others: said, exit 1, the rest written (the
# analysis's rule: what could be read is used)
"$MXSENSOR" syns examples/sensor.pcap.gz >"$T/stdout.txt"
"$MXSENSOR" syns examples/sensor.pcap.gz "$T/none.pcap" --output "$T/out/f" 2>"$T/err"
rc=$?
if [ $rc = 1 ] && cmp -s "$T/stdout.txt" "$T/out/f" && grep -q "none.pcap" "$T/err" &&
	[ "$(ls -A "$T/out")" = f ]; then
	ok "syns --output with a missing capture: exit 1, the readable one written"
else
	not_ok "syns --output with a missing capture" "exit $rc" "$(cat "$T/err")"
fi
# a directory that is not there: said before anything is read
"$MXSENSOR" hosts --db "$db" -o "$T/nodir/f" 2>"$T/err"
rc=$?
if [ $rc = 1 ] && [ "$(cat "$T/err")" = "mxsensor: $T/nodir/f: No such file or directory" ]; then
	ok "hosts -o into a missing directory: exit 1, one message"
else
	not_ok "hosts -o into a missing directory" "exit $rc" "$(cat "$T/err")"
fi

# filters that name nothing: said, exit 2, nothing printed
for args in "hosts --sensor gamma" "report --sensor gamma" "explain --sensor gamma $host"; do
	# shellcheck disable=SC2086
	"$MXSENSOR" $args --db "$db" >"$T/stdout.txt" 2>"$T/err"
	rc=$?
	if [ $rc = 2 ] && [ ! -s "$T/stdout.txt" ] && [ "$(cat "$T/err")" = \
		"mxsensor: $db: no analysis of sensor 'gamma' in the store (its sensors: alpha, beta)" ]; then
		ok "$args: exit 2, the store's sensors named"
	else
		not_ok "$args: the sensors named" "exit $rc" "$(cat "$T/err")"
	fi
done
for cmd in hosts report; do
	"$MXSENSOR" $cmd --db "$db" --label spamer >"$T/stdout.txt" 2>"$T/err"
	rc=$?
	if [ $rc = 2 ] && [ ! -s "$T/stdout.txt" ] && grep -q "not a label: 'spamer' (spammer, unlisted," "$T/err"; then
		ok "$cmd --label spamer: exit 2, the labels named"
	else
		not_ok "$cmd --label spamer" "exit $rc" "$(cat "$T/err")"
	fi
done
"$MXSENSOR" report --db "$db" --table weekley >"$T/stdout.txt" 2>"$T/err"
rc=$?
if [ $rc = 2 ] && [ ! -s "$T/stdout.txt" ] &&
	grep -q "no table 'weekley' (summary, families, .*, weekly, .*, misbehaving)$" "$T/err"; then
	ok "report --table weekley: exit 2, the tables named"
else
	not_ok "report --table weekley" "exit $rc" "$(cat "$T/err")"
fi
# SOURCE_DATE_EPOCH: the report says it was generated then, and the same
# store gives the same bytes in every format; a value that is not one is
# a usage error
same=0
for fmt in text json html; do
	SOURCE_DATE_EPOCH=1767225600 "$MXSENSOR" report --db "$db" --format $fmt >"$T/r1"
	sleep 1.1
	SOURCE_DATE_EPOCH=1767225600 "$MXSENSOR" report --db "$db" --format $fmt >"$T/r2"
	cmp -s "$T/r1" "$T/r2" && grep -q "2026-01-01T00:00:00Z" "$T/r1" && same=$((same + 1))
done
SOURCE_DATE_EPOCH=yesterday "$MXSENSOR" report --db "$db" >/dev/null 2>"$T/err"
rc=$?
if [ $same = 3 ] && [ $rc = 2 ] && grep -q "SOURCE_DATE_EPOCH: seconds since the epoch, not 'yesterday'" "$T/err"; then
	ok "report with SOURCE_DATE_EPOCH: the same bytes a second apart (text, JSON, HTML); a bad value exit 2"
else
	not_ok "report with SOURCE_DATE_EPOCH" "$same of 3 formats the same" "exit $rc" "$(cat "$T/err")"
fi
# and one that names something still selects it
"$MXSENSOR" hosts --db "$db" --sensor beta --label associated --no-header >"$T/beta.csv"
n=$(wc -l <"$T/beta.csv")
others=$(awk -F, '$19 != "associated" || $NF != "beta"' "$T/beta.csv" | wc -l)
if [ "$n" -gt 0 ] && [ "$others" = 0 ] &&
	[ "$n" = "$("$MXSENSOR" hosts --db "$db" --label associated --no-header | grep -c ',beta$')" ]; then
	ok "hosts --sensor beta --label associated: $n rows, all of them"
else
	not_ok "hosts --sensor beta --label associated" "$n rows, $others others"
fi

# a file system that holds the old output but not a second copy: the
# write fails (the CSV path writes with write(2), JSON lines through
# stdio), one message, the old file as it was, nothing else left
for fmt in csv jsonl; do
	"$MXSENSOR" syns --format $fmt examples/sensor.pcap.gz >"$T/syns.$fmt"
	size=$(( $(stat -c %s "$T/syns.$fmt") / 1024 + 8 ))k
	out=$(unshare -m sh -c 'mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 99
		head -c $(( $(stat -c %s "$3") - 100 )) "$3" >"$2/f" || exit 98
		cp "$2/f" "$6"
		"$4" syns --format "$5" examples/sensor.pcap.gz --output "$2/f"
		rc=$?
		cmp -s "$2/f" "$6" || { echo "the old file changed"; exit 97; }
		[ "$(ls -A "$2")" = f ] || { echo "left: $(ls -A "$2")"; exit 96; }
		exit $rc' sh "$size" "$T/out" "$T/syns.$fmt" "$MXSENSOR" $fmt "$T/before" 2>&1)
	rc=$?
	if [ $rc = 1 ] && [ "$out" = "mxsensor: $T/out/f: write error: No space left on device" ]; then
		ok "syns --format $fmt --output on a full disk: exit 1, one message, the old file kept"
	else
		not_ok "syns --format $fmt --output on a full disk" "exit $rc" "$out"
	fi
done

# explain: an IPv6 attempt without candidates says so (none in its
# association window, or none stored after --no-lost-candidates)
h6=$("$MXSENSOR" hosts --db "$db" --sensor alpha --family 6 --label unassociated --no-header |
	head -1 | cut -d, -f1)
want=$(sqlite3 "$db" "SELECT COUNT(*) FROM (SELECT id FROM attempts WHERE sensor = 'alpha'
	AND src = '$h6' ORDER BY first_ns, id LIMIT 20) a WHERE NOT EXISTS (SELECT 1 FROM
	candidates c WHERE c.sensor = 'alpha' AND c.a6 = a.id)")
got=$("$MXSENSOR" explain --db "$db" --sensor alpha "$h6" |
	grep -c '^    none (no IPv4 attempt in its association window)$')
"$MXSENSOR" analyze -q --db "$T/nolost.db" --no-lost-candidates --pcap examples/sensor.pcap.gz
stored=$("$MXSENSOR" explain --db "$T/nolost.db" "$h6" | grep -c '^    none stored$')
if [ -n "$h6" ] && [ "$want" -gt 0 ] && [ "$got" = "$want" ] && [ "$stored" -ge "$want" ]; then
	ok "explain $h6: $got attempts without candidates say so ($stored after --no-lost-candidates)"
else
	not_ok "explain: attempts without candidates" "host $h6: want $want, got $got, stored $stored"
fi

# another program's SQLite database given as the store (a mistyped --db):
# every command refuses it with exit 2 and one message, and adds nothing
# to it; an empty file is refused by the readers and left empty, and
# becomes a store under analyze
sqlite3 "$T/other.db" "CREATE TABLE bookmarks (url TEXT); INSERT INTO bookmarks VALUES ('x');"
sum=$(md5sum <"$T/other.db")
msg="mxsensor: $T/other.db: not an mxsensor store: it holds other tables (give the store a file of its own)"
for args in "report" "hosts" "explain $host" "reputation" "dnsbl" \
	"analyze --pcap examples/sensor.pcap.gz"; do
	# shellcheck disable=SC2086
	set -- $args
	cmd=$1
	shift
	"$MXSENSOR" "$cmd" --db "$T/other.db" "$@" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc = 2 ] && [ "$(cat "$T/err")" = "$msg" ] && [ "$(md5sum <"$T/other.db")" = "$sum" ] &&
		[ "$(ls "$T" | grep -c '^other\.db')" = 1 ]; then
		ok "${args%% *} --db another program's database: exit 2, one message, the file untouched"
	else
		not_ok "${args%% *} --db another program's database" "exit $rc" "$(cat "$T/err")" \
			"$(ls "$T" | grep '^other')"
	fi
done
: >"$T/empty.db"
"$MXSENSOR" report --db "$T/empty.db" >/dev/null 2>"$T/err"
rc=$?
if [ $rc = 2 ] && [ ! -s "$T/empty.db" ] && grep -q "^mxsensor: $T/empty.db: not an mxsensor store: an empty file" "$T/err"; then
	ok "report --db an empty file: exit 2, the file left empty"
else
	not_ok "report --db an empty file" "exit $rc" "$(cat "$T/err")"
fi
if "$MXSENSOR" analyze -q --db "$T/empty.db" --pcap examples/sensor.pcap.gz &&
	"$MXSENSOR" hosts --db "$T/empty.db" --no-header | grep -q .; then
	ok "analyze --db an empty file makes it a store"
else
	not_ok "analyze --db an empty file makes it a store"
fi

# a store that cannot be opened says why: a directory, a missing
# directory, and for a user who may not write there permission (readers
# read such a store: store_readonly.sh)
chmod 755 "$T"
mkdir -p "$T/ro" && cp "$db" "$T/ro/mx.db" && chmod 755 "$T/ro" && chmod 644 "$T/ro/mx.db"
while IFS='|' read -r who args want; do
	# shellcheck disable=SC2086
	set -- $args
	cmd=$1
	shift
	if [ "$who" = root ]; then
		"$MXSENSOR" "$cmd" "$@" >/dev/null 2>"$T/err"
	else
		runuser -u nobody -- "$MXSENSOR" "$cmd" "$@" >/dev/null 2>"$T/err"
	fi
	rc=$?
	if [ $rc = 2 ] && grep -q -F "$want" "$T/err"; then
		ok "$cmd $* ($who): exit 2, says why"
	else
		not_ok "$cmd $* ($who): says why" "exit $rc" "$(cat "$T/err")"
	fi
done <<EOF
root|hosts --db $T|$T: cannot open store: unable to open database file (Is a directory)
root|analyze --db $T/nodir/x.db --pcap examples/sensor.pcap.gz|$T/nodir/x.db: cannot open store: unable to open database file (No such file or directory)
nobody|analyze --db $T/ro/new.db --pcap examples/sensor.pcap.gz|$T/ro/new.db: cannot open store: unable to open database file (Permission denied)
nobody|analyze --db $T/ro/mx.db --pcap examples/sensor.pcap.gz|$T/ro/mx.db: attempt to write a readonly database (this user may not write the store, or create SQLite's -wal and -shm files in its directory)
EOF
exit 0
