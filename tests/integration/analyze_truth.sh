# analyze_truth.sh - `mxsensor analyze` against the generator's ground truth.
#
# mxgen (bench/mxgen.c) writes a capture, the truth of every connect()
# attempt and a Postfix log; the association must reach precision >= 0.99
# and recall >= 0.95 over the clients that tried both families, attempt
# grouping and spammer labels must be exact.  Also: a re-run replaces
# (never double-counts), and the same capture split into files given in
# reverse order gives the same result.
. tests/lib.sh

GEN="$MX_TOOLS/mxgen"
EVAL="python3 tests/tools/truth_eval.py"

# a calm hour and a crowded trace (2000 clients in 20 minutes: candidates
# of different clients overlap all the time)
for spec in "default 500 3600 1" "crowded-a 2000 1200 1" "crowded-b 2000 1200 2"; do
	set -- $spec
	name=$1
	"$GEN" --clients "$2" --seconds "$3" --seed "$4" --pcap "$T/$name.pcap" \
		--truth "$T/$name.csv" --log "$T/$name.log" 2>/dev/null ||
		{ not_ok "mxgen $name"; continue; }
	if ! "$MXSENSOR" analyze -q --db "$T/$name.db" --pcap "$T/$name.pcap" \
		--mta-log "$T/$name.log" >"$T/out" 2>&1; then
		not_ok "analyze $name" "$(cat "$T/out")"
		continue
	fi
	if out=$($EVAL "$T/$name.db" "$T/$name.csv" --min-precision 0.99 --min-recall 0.95); then
		ok "ground truth $name: $(echo "$out" | grep precision)"
	else
		not_ok "ground truth $name" "$out"
	fi
done

# bench/truth_eval.sh (the same figures in SQLite, for traces too big for
# the Python script) agrees with truth_eval.py line for line: on the
# crowded trace as analyzed, and on a copy of its store with attempts
# missing, SYN counts, partners and listings changed
if [ -s "$T/crowded-a.db" ]; then
	cp "$T/crowded-a.db" "$T/spoilt.db"
	sqlite3 "$T/spoilt.db" "DELETE FROM attempts WHERE id % 50 = 0;
		UPDATE attempts SET syns = syns + 1 WHERE id % 40 = 1;
		UPDATE attempts SET partner = partner + 2 WHERE id % 31 = 0 AND partner IS NOT NULL;
		UPDATE attempts SET partner = NULL WHERE id % 37 = 0;
		UPDATE hosts SET listed = 1 - listed WHERE family = 4 AND rowid % 7 = 0"
	for db in crowded-a spoilt; do
		py=$($EVAL "$T/$db.db" "$T/crowded-a.csv" | head -n 4)
		sq=$(sh bench/truth_eval.sh "$T/$db.db" "$T/crowded-a.csv" "$T" 2>&1)
		if [ -n "$py" ] && [ "$py" = "$sq" ] && ! ls "$T"/truth_eval.* >/dev/null 2>&1; then
			ok "bench/truth_eval.sh agrees with truth_eval.py on $db: $(echo "$sq" | sed -n 2p)"
		else
			not_ok "bench/truth_eval.sh against truth_eval.py on $db" "python: $py" "sql: $sq"
		fi
	done
	case $(sh bench/truth_eval.sh "$T/spoilt.db" "$T/crowded-a.db" 2>&1; echo " rc=$?") in
	*"not an mxgen truth file"*" rc=2") ok "bench/truth_eval.sh refuses a file that is not a truth file" ;;
	*) not_ok "bench/truth_eval.sh on a wrong truth file" ;;
	esac
else
	not_ok "bench/truth_eval.sh: no crowded-a store to score"
fi

# MTA log outcomes: one row per (address, list) with the number of lines,
# the same whether the log comes as one file or as two halves; the counts
# against awk over the reject lines
n=$(wc -l <"$T/default.log")
head -n $((n / 2)) "$T/default.log" >"$T/half1.log"
tail -n +$((n / 2 + 1)) "$T/default.log" >"$T/half2.log"
"$MXSENSOR" analyze -q --db "$T/halves.db" --pcap "$T/default.pcap" --mta-log "$T/half1.log" \
	--mta-log "$T/half2.log" >"$T/out" 2>&1 || not_ok "analyze two log halves" "$(cat "$T/out")"
mta_rows() {
	sqlite3 "$1" "SELECT addr, family, kind, list, first_ns, last_ns, count, format
		FROM mta_events ORDER BY addr, kind, list"
}
want=$(awk 'match($0, /Client host \[[^]]*\] blocked using [^;]*/) {
		s = substr($0, RSTART + 13, RLENGTH - 13); split(s, f, "] blocked using ")
		n[f[1] " " f[2]]++ }
	END { for (k in n) print k, n[k] }' "$T/default.log" | sort)
got=$(sqlite3 "$T/halves.db" "SELECT addr || ' ' || list || ' ' || count FROM mta_events
	WHERE kind = 'dnsbl' AND list != 'postscreen'" | sort)
if [ -n "$want" ] && [ "$want" = "$got" ] &&
	[ "$(mta_rows "$T/default.db" | md5sum)" = "$(mta_rows "$T/halves.db" | md5sum)" ]; then
	ok "MTA outcomes added up per address and list over two files ($(echo "$got" | wc -l) DNSBL rows)"
else
	not_ok "MTA outcomes per address and list" \
		"$(printf '%s\n' "$want" | diff - "$(printf '%s\n' "$got" >"$T/got"; echo "$T/got")" | head -5)"
fi

counts() {
	sqlite3 "$1" "SELECT (SELECT COUNT(*) FROM attempts) || ' ' ||
		(SELECT COUNT(*) FROM attempts WHERE partner IS NOT NULL) || ' ' ||
		(SELECT COUNT(*) FROM hosts WHERE listed) || ' ' ||
		(SELECT COUNT(*) FROM hosts WHERE label = 'associated')"
}

# content DB SENSOR - an md5 of a sensor's rows in the results tables,
# every column but the run's id and the candidates' row id
content() {
	sqlite3 "$1" "SELECT sensor, id, family, src, sport, dst, dport, first_ns, last_ns,
			syns, ttl, ittl, win, mss, wscale, olayout, tsval, os, os_family, emb_kind,
			emb4, partner, score FROM attempts WHERE sensor = '$2' ORDER BY id;
		SELECT sensor, a6, a4, ev_embed, ev_stack, ev_os, ev_syns, ev_port, ev_gap,
			ev_tsclock, ev_asn, ev_ptr, ev_host, ev_ehlo, score, total, ambiguous,
			gap_ns, port_dist, before, decision FROM candidates WHERE sensor = '$2'
			ORDER BY a6, a4;
		SELECT * FROM hosts WHERE sensor = '$2' ORDER BY addr;
		SELECT * FROM mta_events WHERE sensor = '$2' ORDER BY addr, kind, list;
		SELECT sensor, kind, path, records, errors, note FROM inputs
			WHERE sensor = '$2' ORDER BY path;" | md5sum | cut -c1-16
}

# re-running over the same inputs replaces the results (the store holds
# this sensor's rows alone: its tables are emptied whole)
first=$(counts "$T/default.db")
me=$(sqlite3 "$T/default.db" "SELECT sensor FROM runs LIMIT 1")
c1=$(content "$T/default.db" "$me")
"$MXSENSOR" analyze -q --db "$T/default.db" --pcap "$T/default.pcap" --mta-log "$T/default.log"
second=$(counts "$T/default.db")
c2=$(content "$T/default.db" "$me")
runs=$(sqlite3 "$T/default.db" "SELECT COUNT(*) FROM runs WHERE status = 'complete'")
if [ "$first" = "$second" ] && [ "$runs" = 2 ] && [ "$c1" = "$c2" ]; then
	ok "re-run replaces, never double-counts, the same rows ($second)"
else
	not_ok "re-run replaces" "first: $first $c1" "second: $second $c2" "runs: $runs"
fi

# a store two sensors share: a sensor's re-run replaces its own rows and
# leaves the other's (their names either side of it) as they were
for s in beta alpha gamma; do
	"$MXSENSOR" analyze -v --db "$T/shared.db" --sensor "$s" --pcap "$T/default.pcap" \
		--mta-log "$T/default.log" >/dev/null 2>"$T/shared-$s.err" ||
		not_ok "analyze --sensor $s into a shared store" "$(cat "$T/shared-$s.err")"
done
before="$(content "$T/shared.db" alpha) $(content "$T/shared.db" beta) $(content "$T/shared.db" gamma)"
"$MXSENSOR" analyze -v --db "$T/shared.db" --sensor beta --pcap "$T/default.pcap" \
	--mta-log "$T/default.log" >/dev/null 2>"$T/shared-rerun.err" ||
	not_ok "re-run of beta in a shared store" "$(cat "$T/shared-rerun.err")"
after="$(content "$T/shared.db" alpha) $(content "$T/shared.db" beta) $(content "$T/shared.db" gamma)"
n=$(sqlite3 "$T/shared.db" "SELECT COUNT(*) FROM attempts")
one=$(sqlite3 "$T/default.db" "SELECT COUNT(*) FROM attempts")
if [ "$before" = "$after" ] && [ "$n" = $((3 * one)) ]; then
	ok "re-run of one of three sensors: its rows replaced, the others' untouched ($n attempts)"
else
	not_ok "re-run in a shared store" "before: $before" "after: $after" "attempts: $n of 3 x $one"
fi

# the indexes of a shared store: alpha's and gamma's runs wrote more rows
# than an eighth of the others', so their indexes went during the run;
# beta's re-run replaced as many, so they went before its deletes.  Each
# run built them again (the same set as a store of one sensor's), and
# alpha's rows are those of a run of its own into an empty store.
indexes() {
	sqlite3 "$1" "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index'
		AND sql IS NOT NULL ORDER BY name" | md5sum | cut -c1-16
}
"$MXSENSOR" analyze -q --db "$T/alpha.db" --sensor alpha --pcap "$T/default.pcap" \
	--mta-log "$T/default.log"
if [ "$(indexes "$T/shared.db")" = "$(indexes "$T/default.db")" ] &&
	[ "$(sqlite3 "$T/shared.db" "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'")" -ge 6 ] &&
	! grep -q "debug: store:" "$T/shared-beta.err" &&
	grep -q "debug: store: the run's rows reached an eighth" "$T/shared-alpha.err" &&
	grep -q "debug: store: the run's rows reached an eighth" "$T/shared-gamma.err" &&
	grep -q "debug: store: [0-9]* rows of this sensor's to replace" "$T/shared-rerun.err" &&
	[ "$(content "$T/shared.db" alpha)" = "$(content "$T/alpha.db" alpha)" ]; then
	ok "shared store: indexes dropped for the large runs and built again, the rows as in a store of their own"
else
	not_ok "indexes of a shared store" "$(sqlite3 "$T/shared.db" "SELECT name FROM sqlite_master
		WHERE type = 'index'" | tr '\n' ' ')" "$(cat "$T"/shared-*.err | grep "debug: store")" \
		"alpha: $(content "$T/shared.db" alpha) alone: $(content "$T/alpha.db" alpha)"
fi

# a small run into a large shared store keeps the indexes: a tenth of
# the capture as sensor delta, into the three sensors' store
editcap -r "$T/default.pcap" "$T/tenth.pcap" 1-$(($(capinfos -c -M "$T/default.pcap" |
	awk '/Number of packets/ {print $NF}') / 10)) >/dev/null 2>&1
cp "$T/shared.db" "$T/shared4.db"
"$MXSENSOR" analyze -v --db "$T/shared4.db" --sensor delta --pcap "$T/tenth.pcap" \
	>/dev/null 2>"$T/shared-delta.err"
d=$(sqlite3 "$T/shared4.db" "SELECT COUNT(*) FROM attempts WHERE sensor = 'delta'")
if [ "$d" -gt 0 ] && ! grep -q "debug: store:" "$T/shared-delta.err" &&
	[ "$(indexes "$T/shared4.db")" = "$(indexes "$T/default.db")" ]; then
	ok "a small run into a shared store keeps its indexes ($d attempts)"
else
	not_ok "small run into a shared store" "attempts: $d" "$(grep "debug: store" "$T/shared-delta.err")"
fi

# split into 6 files and given newest first: the time merge restores order
mkdir -p "$T/split"
editcap -c 1200 "$T/default.pcap" "$T/split/part.pcap" >/dev/null 2>&1
nfiles=$(ls "$T/split" | wc -l)
set -- $(ls "$T/split"/* | sort -r)
args=""
for f in "$@"; do args="$args --pcap $f"; done
# shellcheck disable=SC2086
"$MXSENSOR" analyze -q --db "$T/split.db" $args --mta-log "$T/default.log"
split=$(counts "$T/split.db")
if [ "$nfiles" -ge 5 ] && [ "$split" = "$first" ]; then
	ok "$nfiles split files in reverse order give the same result"
else
	not_ok "split files" "files: $nfiles" "one file: $first" "split: $split"
fi

# a directory as input, and a gzip'd log
gzip -c "$T/default.log" >"$T/default.log.gz"
"$MXSENSOR" analyze -q --db "$T/dir.db" --pcap "$T/split" --mta-log "$T/default.log.gz"
dir=$(counts "$T/dir.db")
if [ "$dir" = "$first" ]; then ok "directory input and gzip'd log"; else not_ok "directory input" "$dir vs $first"; fi

# bad input: a missing capture is a usage error; a damaged one exits 1
# after analysing what it holds
"$MXSENSOR" analyze -q --db "$T/x.db" --pcap "$T/nonexistent.pcap" 2>"$T/err"
rc=$?
if [ $rc = 2 ] && grep -q "nonexistent.pcap" "$T/err"; then ok "missing capture: exit 2 naming it"; else not_ok "missing capture" "rc=$rc" "$(cat "$T/err")"; fi
size=$(stat -c %s "$T/default.pcap")
head -c $((size / 2 + 7)) "$T/default.pcap" >"$T/cut.pcap"
"$MXSENSOR" analyze -q --db "$T/cut.db" --pcap "$T/cut.pcap" --mta-log "$T/default.log" 2>"$T/err"
rc=$?
n=$(sqlite3 "$T/cut.db" "SELECT COUNT(*) FROM attempts")
if [ $rc = 1 ] && [ "$n" -gt 100 ] && grep -q "cut.pcap" "$T/err"; then
	ok "truncated capture: $n attempts analysed, exit 1 with the file named"
else
	not_ok "truncated capture" "rc=$rc attempts=$n" "$(cat "$T/err")"
fi

# interrupt PCAP LOG PAUSE [DB [MARK]] - analyze PCAP and LOG into DB
# (default.db) and send SIGINT PAUSE seconds after the debug message MARK
# (the capture pass has started; the MTA logs are read beside it); sets
# rc, before and after (the store's counts)
interrupt() {
	db=${4:-$T/default.db}
	mark=${5:-capture pass: started}
	before=$(counts "$db" 2>/dev/null)
	"$MXSENSOR" analyze -v --db "$db" --pcap "$1" --mta-log "$2" \
		>/dev/null 2>"$T/err" &
	pid=$!
	i=0
	while [ $i -lt 400 ] && ! grep -q "debug: $mark" "$T/err"; do
		sleep 0.05
		i=$((i + 1))
	done
	sleep "$3"
	kill -INT $pid
	wait $pid
	rc=$?
	after=$(counts "$db")
}

# SIGINT in the middle of a run (the pass and the decisions are ahead):
# exit 130, the previous results stay
"$GEN" --syns 300000 --seconds 15000 --seed 3 --pcap "$T/big.pcap" --truth "$T/big.csv" \
	--log "$T/big.log" 2>/dev/null
interrupt "$T/big.pcap" "$T/big.log" 0
if [ $rc = 130 ] && [ "$before" = "$after" ] && grep -q "previous results" "$T/err"; then
	ok "SIGINT mid-run: exit 130, previous results intact ($after)"
else
	not_ok "SIGINT mid-run" "rc=$rc" "before: $before" "after: $after" "$(cat "$T/err")"
fi

# the same into a store with no results yet, which a run loads with a
# rollback journal, while the decisions' rows are written: rolled back,
# and the store back in WAL mode
interrupt "$T/big.pcap" "$T/big.log" 0.2 "$T/first.db" "decisions: [0-9]* eligible"
mode=$(sqlite3 "$T/first.db" "PRAGMA journal_mode")
if [ $rc = 130 ] && [ "$after" = "0 0 0 0" ] && [ "$mode" = wal ] &&
	[ ! -e "$T/first.db-journal" ] && grep -q "eligible" "$T/err" &&
	! grep -q "debug: decisions: [0-9.]* s" "$T/err"; then
	ok "SIGINT in the first run into a store: exit 130, nothing committed, WAL again"
else
	not_ok "SIGINT in the first run into a store" "rc=$rc after: $after mode: $mode" \
		"$(ls "$T"/first.db*)" "$(cat "$T/err")"
fi

# the same in a shared store after the run's indexes went (a new sensor
# whose rows pass an eighth of the others'): the indexes come back with
# the rollback, and the other sensors' rows stay
cp "$T/shared.db" "$T/shared5.db"
was="$(content "$T/shared5.db" alpha) $(indexes "$T/shared5.db")"
interrupt "$T/big.pcap" "$T/big.log" 0.1 "$T/shared5.db" "store: the run's rows reached"
now="$(content "$T/shared5.db" alpha) $(indexes "$T/shared5.db")"
if [ $rc = 130 ] && [ "$before" = "$after" ] && [ "$was" = "$now" ] &&
	grep -q "reached an eighth" "$T/err"; then
	ok "SIGINT in a shared store with its indexes dropped: exit 130, rows and indexes as before"
else
	not_ok "SIGINT in a shared store" "rc=$rc" "before: $before $was" "after: $after $now" \
		"$(tail -n 5 "$T/err")"
fi

# SIGINT after the capture pass, while the MTA logs (read on their own
# thread) are still being read: exit 130 and nothing committed, not a run
# with half the labels.  The pass over a few thousand SYNs is over after
# 0.2 s; 150 MB of log are not.
for i in 1 2 3 4; do cat "$T/big.log"; done >"$T/big4.log"
interrupt "$T/default.pcap" "$T/big4.log" 0.2
if [ $rc = 130 ] && [ "$before" = "$after" ]; then
	ok "SIGINT while only the MTA logs are read: exit 130, previous results intact"
else
	not_ok "SIGINT while only the MTA logs are read" "rc=$rc" "before: $before" \
		"after: $after" "$(cat "$T/err")"
fi

# progress on a terminal: the end of the capture pass with its SYNs, the rows written (each
# count ending at the table's row count) and the index builds; none of it
# when standard error is a file
script -qfec "'$MXSENSOR' analyze -q --db '$T/prog.db' --pcap '$T/default.pcap' \
	--mta-log '$T/default.log'" /dev/null </dev/null | tr '\r' '\n' >"$T/tty" 2>&1
rc=$?
c=$(sqlite3 "$T/prog.db" "SELECT COUNT(*) FROM candidates")
a=$(sqlite3 "$T/prog.db" "SELECT COUNT(*) FROM attempts")
h=$(sqlite3 "$T/prog.db" "SELECT COUNT(*) FROM hosts")
syns=$(sqlite3 "$T/prog.db" "SELECT SUM(syns) FROM attempts")
if [ $rc = 0 ] && [ "$c" -gt 0 ] &&
	grep -q "^mxsensor: the captures are read: $syns SYNs" "$T/tty" &&
	grep -q "^mxsensor: candidates written: $c of $c (100 %)" "$T/tty" &&
	grep -q "^mxsensor: attempts written: $a of $a (100 %)" "$T/tty" &&
	grep -q "^mxsensor: hosts written: $h of $h (100 %)" "$T/tty" &&
	grep -q "^mxsensor: building the indexes and committing" "$T/tty"; then
	ok "progress on a terminal: $c candidates, $a attempts, $h hosts written, index builds"
else
	not_ok "progress on a terminal" "rc=$rc c=$c a=$a h=$h" "$(cat "$T/tty")"
fi
"$MXSENSOR" analyze -q --db "$T/prog.db" --pcap "$T/default.pcap" \
	--mta-log "$T/default.log" 2>"$T/err" >/dev/null
if [ -s "$T/err" ]; then
	not_ok "no progress when standard error is a file" "$(cat "$T/err")"
else
	ok "no progress when standard error is a file"
fi

# the running count every 2^20 SYNs, with the attempts so far and the
# share of the captures read (of 1.1M SYNs: once, at SYN 1048576), then
# the end of the pass on a line of its own (the terminal's \r\n makes
# blank lines of the tr)
"$MX_TOOLS/mxgen" --syns 1100000 --seconds 900 --seed 9 --pcap "$T/m.pcap" --truth "$T/m.csv" \
	--log "$T/m.log" 2>/dev/null || not_ok "mxgen 1.1M SYNs"
script -qfec "'$MXSENSOR' analyze -q --db '$T/m.db' --pcap '$T/m.pcap' --mta-log '$T/m.log'" \
	/dev/null </dev/null | tr '\r' '\n' >"$T/tty" 2>&1
rc=$?
syns=$(sqlite3 "$T/m.db" "SELECT SUM(syns) FROM attempts")
a=$(sqlite3 "$T/m.db" "SELECT COUNT(*) FROM attempts")
line=$(grep "^mxsensor: 1048576 SYNs, [0-9]* attempts ([0-9]* % of the captures read)$" "$T/tty")
seen=$(echo "$line" | sed 's/.*SYNs, \([0-9]*\) attempts (\([0-9]*\) %.*/\1 \2/')
if [ $rc = 0 ] && [ "$syns" -gt 1048576 ] && [ "$(echo "$line" | wc -l)" = 1 ] &&
	[ "${seen% *}" -gt $((a / 2)) ] && [ "${seen% *}" -le "$a" ] &&
	[ "${seen#* }" -ge 85 ] && [ "${seen#* }" -le 100 ] &&
	grep -v '^$' "$T/tty" | grep -A1 "^mxsensor: 1048576 SYNs" |
	grep -q "^mxsensor: the captures are read: $syns SYNs$"; then
	ok "progress every 2^20 SYNs: '$line', then the end of the pass ($syns SYNs, $a attempts)"
else
	not_ok "progress every 2^20 SYNs" "rc=$rc syns=$syns a=$a seen=$seen" "$(head -5 "$T/tty")"
fi
rm -f "$T/m.pcap" "$T/m.db" "$T/m.db-wal" "$T/m.db-shm" "$T/m.log"

# logs that outlast the capture pass: the wait is said, with the lines
# read so far (2M rejections of one address against the 3555 SYNs of the
# example capture), and every line is still counted
yes 'Jan  5 10:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; proto=ESMTP helo=<x>' |
	head -n 2000000 | gzip -1 >"$T/long.log.gz"
script -qfec "'$MXSENSOR' analyze -q --db '$T/wait.db' --pcap '$MX_TOP/examples/sensor.pcap.gz' \
	--mta-log '$T/long.log.gz' --year 2025" /dev/null </dev/null | tr '\r' '\n' >"$T/tty" 2>&1
rc=$?
n=$(sqlite3 "$T/wait.db" "SELECT count FROM mta_events WHERE addr = '192.0.2.1'")
if [ $rc = 0 ] && [ "$n" = 2000000 ] &&
	grep -q "^mxsensor: the captures are read: 3555 SYNs" "$T/tty" &&
	grep -q "^mxsensor: waiting for the MTA logs: [0-9]* lines read" "$T/tty"; then
	ok "progress while the MTA logs outlast the capture pass; all 2000000 lines counted"
else
	not_ok "progress while waiting for the logs" "rc=$rc n=$n" "$(head -5 "$T/tty")"
fi
rm -f "$T/long.log.gz"

# --no-lost-candidates: the same attempts, hosts, outcomes and labels; the
# candidates table without the rows that lost to a better pair of their
# own IPv6 attempt, all others as they were; the summary, the run's
# options and explain say so
"$MXSENSOR" analyze --db "$T/nolost.db" --pcap "$T/crowded-a.pcap" --mta-log "$T/crowded-a.log" \
	--no-lost-candidates >"$T/out" 2>&1 || not_ok "analyze --no-lost-candidates" "$(cat "$T/out")"
table() { sqlite3 "$1" "SELECT * FROM $2 ORDER BY rowid" | md5sum; }
cands() {
	sqlite3 "$1" "SELECT sensor, a6, a4, ev_embed, ev_stack, ev_os, ev_syns, ev_port, ev_gap,
		ev_tsclock, ev_asn, ev_ptr, ev_host, ev_ehlo, score, total, ambiguous, gap_ns,
		port_dist, before, decision FROM candidates $2 ORDER BY id" | md5sum
}
lost=$(sqlite3 "$T/crowded-a.db" "SELECT COUNT(*) FROM candidates WHERE decision = 'lost'")
kept=$(sqlite3 "$T/nolost.db" "SELECT COUNT(*) FROM candidates")
same=1
for t in attempts hosts mta_events; do
	[ "$(table "$T/crowded-a.db" $t)" = "$(table "$T/nolost.db" $t)" ] || same=0
done
v6=$(sqlite3 "$T/nolost.db" "SELECT addr FROM hosts WHERE family = 6 AND label = 'associated' LIMIT 1")
"$MXSENSOR" explain --db "$T/nolost.db" "$v6" >"$T/explain" 2>&1
"$MXSENSOR" explain --db "$T/crowded-a.db" "$v6" >"$T/explain-all" 2>&1
if [ "$same" = 1 ] && [ "$lost" -gt 0 ] &&
	[ "$(cands "$T/crowded-a.db" "WHERE decision <> 'lost'")" = "$(cands "$T/nolost.db" "")" ] &&
	grep -q "^ *$lost that lost to a better pair .* not stored" "$T/out" &&
	[ "$(sqlite3 "$T/nolost.db" "SELECT options LIKE '%\"lost_candidates\":false%' FROM runs")" = 1 ] &&
	[ "$(sqlite3 "$T/crowded-a.db" "SELECT options LIKE '%\"lost_candidates\":true%' FROM runs")" = 1 ] &&
	grep -q "no-lost-candidates: the candidates that lost" "$T/explain" &&
	grep -q "^analysis options" "$T/explain-all" &&
	! grep -q "no-lost-candidates" "$T/explain-all"; then
	ok "--no-lost-candidates: same attempts, hosts and outcomes; $kept candidates, $lost lost ones not stored"
else
	not_ok "--no-lost-candidates" "same=$same lost=$lost kept=$kept" "$(cat "$T/out")" \
		"$(head -5 "$T/explain")"
fi
