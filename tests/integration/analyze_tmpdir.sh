# analyze_tmpdir.sh - `mxsensor analyze` when its temporary files, or its
# store, do not fit.
#
# The analysis keeps its records in unlinked files in $TMPDIR (about 120
# bytes per SYN).  With TMPDIR on a small tmpfs (in a mount namespace of
# its own, gone with the command) a run must stop wherever the room runs
# out, in the pass or after it, with one message that names the directory,
# and leave the store's previous results as they were; given room there,
# the same run gives the same tables as one in the default directory.
# The same for the store's own file system: a store that cannot grow
# keeps its previous results (a new one is left without any), with one
# message that names the store.  And a run where not one capture, or not
# one of the MTA logs given, could be opened: it stops the same way,
# instead of storing an analysis of nothing, or without labels.
. tests/lib.sh
need_file examples/sample-syns.pcap

GEN="$MX_TOOLS/mxgen"
"$GEN" --syns 50000 --seconds 3000 --pcap "$T/t.pcap" --truth "$T/t.csv" --log "$T/t.log" \
	2>/dev/null || { not_ok "mxgen"; exit 0; }
"$MXSENSOR" analyze -q --db "$T/t.db" --pcap "$T/t.pcap" --mta-log "$T/t.log" >"$T/out" 2>&1 ||
	not_ok "analyze" "$(cat "$T/out")"
# the tables a run writes, but for the run's id (a successful re-run takes a new one)
tables() {
	for t in attempts candidates hosts mta_events; do
		cols=$(sqlite3 "$1" "SELECT group_concat(name) FROM pragma_table_info('$t')
			WHERE name != 'run_id'")
		sqlite3 "$1" "SELECT $cols FROM $t ORDER BY rowid" | md5sum
	done
}
before=$(tables "$T/t.db")
[ "$(sqlite3 "$T/t.db" "SELECT COUNT(*) FROM candidates")" -gt 10000 ] ||
	not_ok "a store with candidates to keep"

# analyze_in SIZE - analyze again with TMPDIR on a tmpfs of SIZE; its
# status into rc, its output into out
mkdir "$T/tiny"
analyze_in() {
	out=$(unshare -m sh -c 'mount -t tmpfs -o "size=$1" tmpfs "$2" &&
		TMPDIR="$2" "$3" analyze -q --db "$4" --pcap "$5" --mta-log "$6"' \
		sh "$1" "$T/tiny" "$MXSENSOR" "$T/t.db" "$T/t.pcap" "$T/t.log" 2>&1)
	rc=$?
}

# sizes that run out in the pass (attempts, candidates, meetings: which
# of them fills the room first varies from run to run; at 2800k often as
# the pass closes its last attempts, after which the decisions must not
# say it again), in the host records and rows and in the meetings' last
# blocks, where the decisions begin (4800k is enough room for the 50k
# SYNs)
files=""
# (each of them below the 7 MB the run estimates from the capture's size:
# warned about at the start, once)
warning="^mxsensor: warning: $T/tiny has [0-9]* MB free; this run's temporary files may need about 7 MB there (TMPDIR names a directory with more room)\$"
for size in 2m 2800k 3m 3600k 4100k 4500k 4600k; do
	analyze_in "$size"
	warned=$(printf '%s\n' "$out" | grep -c "$warning")
	out=$(printf '%s\n' "$out" | grep -v "$warning")
	lines=$(printf '%s\n' "$out" | grep -c .)
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ "$warned" -eq 1 ] &&
		printf '%s\n' "$out" | grep -q "^mxsensor: temporary [a-z-]* file: No space left on device in $T/tiny (TMPDIR" &&
		[ "$(tables "$T/t.db")" = "$before" ]; then
		ok "TMPDIR full at $size: one message, the previous results kept ($(printf '%s' "$out" | sed 's/.*temporary \([a-z-]*\) file.*/\1/') file)"
		files="$files $(printf '%s' "$out" | sed 's/.*temporary \([a-z-]*\) file.*/\1/')"
	else
		not_ok "TMPDIR full at $size" "exit $rc" "$(printf '%s\n' "$out" | head -5)"
	fi
done
distinct=$(printf '%s\n' $files | sort -u | wc -l)
if [ "$distinct" -ge 3 ]; then
	ok "the room ran out in $distinct different files:$(printf ' %s' $(printf '%s\n' $files | sort -u))"
else
	not_ok "the room ran out in at least 3 different files" "$files"
fi

analyze_in 64m
if [ "$rc" -eq 0 ] && [ -z "$out" ] && [ "$(tables "$T/t.db")" = "$before" ]; then
	ok "with room in TMPDIR, the same tables"
else
	not_ok "with room in TMPDIR, the same tables" "exit $rc" "$out"
fi

# the same capture gzip'd: the estimate at the start is the same, its
# pcap size read from the gzip trailer (3.4 times the compressed size,
# the guess when it cannot be read, says 6 MB here)
gzip -c "$T/t.pcap" >"$T/z.pcap.gz"
out=$(unshare -m sh -c 'mount -t tmpfs -o size=2m tmpfs "$1" &&
	TMPDIR="$1" "$2" analyze -q --db "$3" --pcap "$4" --mta-log "$5"' \
	sh "$T/tiny" "$MXSENSOR" "$T/z.db" "$T/z.pcap.gz" "$T/t.log" 2>&1)
if printf '%s\n' "$out" | grep -q "$warning"; then
	ok "a gzip'd capture: the room it needs estimated from its trailer, as for the capture itself"
else
	not_ok "a gzip'd capture's estimate" "$(printf '%s\n' "$out" | head -3)"
fi

# store_in SIZE FROM - analyze with the store on a tmpfs of SIZE, holding a
# copy of the store when FROM is 1, a new store when 0; the store's files
# copied out to $T/after afterwards; status into rc, output into out
mkdir "$T/store" "$T/after"
store_in() {
	rm -f "$T"/after/*
	out=$(unshare -m sh -c 'mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 99
		if [ "$7" = 1 ]; then cp "$4" "$2/t.db" || exit 98; fi
		"$3" analyze -q --db "$2/t.db" --pcap "$5" --mta-log "$6"
		rc=$?
		cp "$2"/t.db* "$8"/ || exit 97
		exit $rc' \
		sh "$1" "$T/store" "$MXSENSOR" "$T/t.db" "$T/t.pcap" "$T/t.log" "$2" "$T/after" 2>&1)
	rc=$?
}
# stopped_full - the run stopped with one message that names the store,
# after the warning at its start that the store's room looked too small
# (the results estimated at 3 times the 4.6 MB capture)
stopped_full() {
	warned=$(printf '%s\n' "$out" | grep -c "^mxsensor: warning: $T/store/t.db: [0-9]* MB free on its file system; this run's results may need about 14 MB more there (the store grows")
	out=$(printf '%s\n' "$out" | grep -v "^mxsensor: warning: ")
	lines=$(printf '%s\n' "$out" | grep -c .)
	[ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ "$warned" -eq 1 ] &&
		printf '%s\n' "$out" | grep -q "^mxsensor: $T/store/t.db: .*database or disk is full$"
}
kb=$(( $(stat -c %s "$T/t.db") / 1024 ))
# a re-run needs room for the emptied tables' journal and the new rows
# before the old pages are free: it runs out at different points (the
# first writes, a query, the commit) with 256k, 4m and 8m to spare
for add in 256 4096 8192; do
	store_in "$((kb + add))k" 1
	if stopped_full && [ "$(tables "$T/after/t.db")" = "$before" ] &&
		[ "$(sqlite3 "$T/after/t.db" "PRAGMA integrity_check")" = ok ]; then
		ok "store's disk full, ${add}k to spare: one message, the previous results kept"
	else
		not_ok "store's disk full, ${add}k to spare" "exit $rc" "$(printf '%s\n' "$out" | head -5)"
	fi
done
store_in 1m 0
if stopped_full && [ "$(sqlite3 "$T/after/t.db" "PRAGMA integrity_check")" = ok ] &&
	[ "$(sqlite3 "$T/after/t.db" "SELECT COUNT(*) FROM attempts")" = 0 ]; then
	ok "new store's disk full: one message, a sound store without results"
else
	not_ok "new store's disk full" "exit $rc" "$(printf '%s\n' "$out" | head -5)"
fi
store_in "$((kb + 32768))k" 1
if [ "$rc" -eq 0 ] && [ -z "$out" ] && [ "$(tables "$T/after/t.db")" = "$before" ]; then
	ok "with room for the store, the same tables"
else
	not_ok "with room for the store, the same tables" "exit $rc" "$out"
fi

# again ARGS... - analyze the test's store again: status in rc, output in
# out and $T/out; kept - its tables as before; verdict NAME - ok when the
# test right before it held, else not ok with the status and the output
again() {
	"$MXSENSOR" analyze -q --db "$T/t.db" "$@" >"$T/out" 2>&1
	rc=$?
	out=$(cat "$T/out")
}
kept() { [ "$(tables "$T/t.db")" = "$before" ]; }
verdict() {
	if [ $? = 0 ]; then ok "$1"; else not_ok "$1" "exit $rc" "$out"; fi
}

# inputs that are not there are said the same way: a run where not one
# capture could be opened (a mistyped path, a capture directory whose
# mount is missing) would replace the results with an analysis of
# nothing; it stops with exit 1 and the previous results stay
printf 'not a capture\n' >"$T/x.pcap"
mkdir "$T/empty"
again --pcap "$T/x.pcap" --pcap "$T/none.pcap*" --mta-log "$T/t.log"
[ $rc = 2 ] && [ "$out" = "mxsensor: $T/none.pcap*: no such file" ] && kept
verdict "a glob that matches nothing: exit 2 before anything is read"
# (a usage error after the inputs were listed: exit 2, which under
# make check SAN=1 also says nothing of theirs leaked)
again --pcap "$T/t.pcap" --mta-log "$T/t.log" --sensor-addr 192.0.2.1 --port 0
[ $rc = 2 ] && grep -q -- "--port: not a port: 0" "$T/out" && [ "$(wc -l <"$T/out")" = 2 ]
verdict "a usage error after the inputs: exit 2, said"
again --pcap "$T/x.pcap" --mta-log "$T/t.log"
[ $rc = 1 ] && kept && [ "$out" = "mxsensor: $T/x.pcap: unknown file format
mxsensor: no capture could be read: $T/t.db keeps its previous results" ]
verdict "not one capture opened: exit 1, the previous results kept"
again --pcap "$T/empty"
[ $rc = 2 ] && [ "$out" = "mxsensor: $T/empty: no files in this directory" ] && kept
verdict "an empty capture directory: exit 2, said, nothing read"
# one capture of two opened: what it holds is analysed (exit 1), as before
again --pcap "$T/x.pcap" --pcap "$T/t.pcap" --mta-log "$T/t.log"
[ $rc = 1 ] && kept &&
	[ "$(sqlite3 "$T/t.db" "SELECT COUNT(*) FROM inputs WHERE errors > 0")" = 1 ]
verdict "one capture of two opened: exit 1, its attempts analysed, the bad one recorded"

# by default the files go to /var/tmp, as SQLite's own do (/tmp is often a
# tmpfs): here a 1m tmpfs over it, in a mount namespace of its own, and
# TMPDIR unset; the warning and the failure name it
out=$(unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs /var/tmp &&
	env -u TMPDIR "$1" analyze -q --db "$2" --pcap "$3" --mta-log "$4"' \
	sh "$MXSENSOR" "$T/t.db" "$T/t.pcap" "$T/t.log" 2>&1)
rc=$?
[ $rc = 2 ] && kept &&
	printf '%s\n' "$out" | head -1 | grep -q "^mxsensor: warning: /var/tmp has 1 MB free; this run's temporary files may need about 7 MB there" &&
	printf '%s\n' "$out" | sed -n 2p | grep -q "^mxsensor: temporary [a-z-]* file: No space left on device in /var/tmp (TMPDIR"
verdict "TMPDIR unset: /var/tmp, warned about at the start, named when full"
# the same for the MTA logs: given, and not one could be opened, every
# IPv4 host would come out unlisted; one of two opened is used
printf 'not a mail log\n' >"$T/x.log"
again --pcap "$T/t.pcap" --mta-log "$T/x.log"
[ $rc = 1 ] && kept &&
	[ "$(sed -n 2p "$T/out")" = "mxsensor: no MTA log could be read: $T/t.db keeps its previous results" ]
verdict "not one MTA log opened: exit 1, the previous results kept"
again --pcap "$T/t.pcap" --mta-log "$T/x.log" --mta-log "$T/t.log"
[ $rc = 1 ] && kept && [ "$(wc -l <"$T/out")" = 1 ]
verdict "one MTA log of two opened: exit 1, the same tables"
# a file named twice (a directory and a file in it, a link to it, the
# same log twice) is read once, each later name said: every SYN and log
# line counted twice would double the attempts' SYN counts and the
# listings' counts; the tables are those of one reading
mkdir "$T/caps"
ln -s "$T/t.pcap" "$T/caps/link.pcap"
again --pcap "$T/caps" --pcap "$T/t.pcap" --mta-log "$T/t.log" --mta-log "$T/t.log"
[ $rc = 0 ] && kept && [ "$(wc -l <"$T/out")" = 2 ] &&
	grep -q "^mxsensor: warning: $T/t.pcap: the same capture as $T/caps/link.pcap: read once$" "$T/out" &&
	grep -q "^mxsensor: warning: $T/t.log: MTA log given twice: read once$" "$T/out"
verdict "a capture and a log named twice: read once, said, the same tables"
# a sensor name is printed in reports and on terminals: 1 to 64
# characters, none of them a control character (an escape sequence)
for what in empty escape 65; do
	case $what in
	empty) name= ;;
	escape) name=$(printf 'a\033[31mb') ;;
	65) name=$(printf '%065d' 0) ;;
	esac
	again --sensor "$name" --pcap "$T/t.pcap"
	[ $rc = 2 ] && kept && printf '%s\n' "$out" | head -1 |
		grep -q "^mxsensor analyze: --sensor: \(1 to 64 characters\|no control characters\)$"
	verdict "--sensor with a name $what: a usage error"
done
# one capture twice under two names that are not the same file (a copy,
# the file beside its .gz): said, as the file cannot tell which is whole
gzip -c "$T/t.pcap" >"$T/copy.pcap.gz"
"$MXSENSOR" analyze -q --db "$T/twice.db" --pcap "$T/t.pcap" --pcap "$T/copy.pcap.gz" \
	--pcap examples/sample-syns.pcap >"$T/out" 2>&1
rc=$?
out=$(cat "$T/out")
[ $rc = 0 ] && [ "$(wc -l <"$T/out")" = 1 ] &&
	grep -q "^mxsensor: warning: $T/\(copy.pcap.gz\|t.pcap\) begins with the same SYN as $T/\(t.pcap\|copy.pcap.gz\): the same capture twice? (both are read)$" "$T/out"
verdict "the same capture as a copy: said once, the other capture not"
# ... and one MTA log twice the same way: every rejection would count
# twice in the listings and the reputation's evidence
gzip -c "$T/t.log" >"$T/copy.log.gz"
"$MXSENSOR" analyze -q --db "$T/twice-log.db" --pcap "$T/t.pcap" --mta-log "$T/t.log" \
	--mta-log "$T/copy.log.gz" >"$T/out" 2>&1
rc=$?
out=$(cat "$T/out")
[ $rc = 0 ] && [ "$(wc -l <"$T/out")" = 1 ] &&
	grep -q "^mxsensor: warning: $T/copy.log.gz begins with the same line as $T/t.log: the same log twice? (both are read)$" "$T/out"
verdict "the same MTA log as a copy: said once"
