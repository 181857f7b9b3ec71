#!/bin/sh
# mtalog_journal.sh - MTA logs exported from the systemd journal, against
# a real systemd-journald and journalctl.
#
# The test runs in a mount namespace of its own, with tmpfs over /run/systemd
# and /run/log (and /var/log/journal when present), so that the journald it
# starts there is private: volatile storage, no forwarding, no kernel
# messages; it is stopped and everything removed at the end.  The corpus's
# Postfix, Exim and qmail syslog lines and an mxgen trace's Postfix log are
# replayed into it as syslog(3) datagrams, after 300 lines of another
# program, and journalctl exports them in each of its output forms.
# Checks: every form that keeps a wall-clock time gives the events of the
# original files (address, kind, list, reply), the microsecond forms
# (json, json-seq, short-unix, short-iso-precise, short-precise) the very
# same times as one another; a message that is not UTF-8 (an array of bytes
# in JSON) is read; journald's own file, read through libsystemd, gives the
# events of its JSON export; forms without a trustworthy time
# (short-monotonic, short-full in a named zone), json-pretty, a gzip'd or
# cut journal file and one on standard input are refused with what to do;
# a broken JSON line is counted and said under --strict; `analyze` labels
# the same hosts from the journal's JSON and from its file as from the
# original log.

# the rest runs in a mount namespace of its own (before lib.sh makes $T)
if [ "${MX_JOURNAL_NS:-}" != 1 ]; then
	MX_JOURNAL_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. tests/lib.sh
L=$CORPUS/logs
need_file "$MXSENSOR"
need_file "$L/fail2ban_postfix.log"
need_file "$L/crowdsec_exim-syslog-logs.log"
need_file "$L/fail2ban_qmail.log"
JOURNALD=/lib/systemd/systemd-journald
need_file "$JOURNALD"

for d in /run/systemd /run/log /var/log/journal; do
	[ -d "$d" ] || mkdir -p "$d" || { not_ok "mkdir $d"; exit 0; }
	mount -t tmpfs -o mode=0755 tmpfs "$d" || { not_ok "tmpfs over $d"; exit 0; }
done
mkdir -p /run/systemd/journal /run/systemd/journald.conf.d
cat >/run/systemd/journald.conf.d/mxtest.conf <<'EOF'
[Journal]
Storage=volatile
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
ReadKMsg=no
RateLimitBurst=0
EOF
"$JOURNALD" >"$T/journald.log" 2>&1 &
jpid=$!
trap 'kill $jpid 2>/dev/null; wait $jpid 2>/dev/null; rm -rf "$T"' EXIT INT TERM
i=0
while [ ! -S /run/systemd/journal/dev-log ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -S /run/systemd/journal/dev-log ] || { not_ok "journald listens" "$(cat "$T/journald.log")"; exit 0; }

# the lines, as they arrive from the MTAs' syslog(3) calls
"$MX_TOOLS/mxgen" --clients 150 --seconds 1800 --seed 11 --pcap "$T/gen.pcap" \
	--truth "$T/gen.truth" --log "$T/gen.log" 2>/dev/null || { not_ok "mxgen"; exit 0; }
# a message that is not UTF-8 (a HELO name in Latin-1)
printf 'Jun 29 16:05:00 server postfix/smtpd[77]: NOQUEUE: reject: RCPT from unknown[192.0.2.99]: 554 5.7.1 Service unavailable; Client host [192.0.2.99] blocked using bl.example.org; from=<a@b.c> to=<d@e.f> proto=ESMTP helo=<caf\351>\n' >"$T/latin1.log"
# the syslog lines of each file (syslog_send.py sends only those)
src=""
for f in "$L/fail2ban_postfix.log" "$L/crowdsec_exim-syslog-logs.log" "$L/fail2ban_qmail.log" \
	 "$T/latin1.log" "$T/gen.log"; do
	grep -aE '^[A-Z][a-z]{2} +[0-9]{1,2} [0-9:]{8} [^ ]+ [^][ :]+(\[[0-9]+\])?: ' "$f" \
		>"$T/src.${f##*/}"
	src="$src $T/src.${f##*/}"
done
jc() { journalctl -D /run/log/journal --no-pager "$@"; }
arrived() { i=0; until jc -o cat 2>/dev/null | grep -q "$1" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done; }
# 300 lines of another program; the journal file as it is then (no mail
# in it) is kept; then the mail lines
python3 tests/tools/syslog_send.py /run/systemd/journal/dev-log --filler 300 --end cron-end \
	>/dev/null || { not_ok "syslog_send"; exit 0; }
arrived cron-end
cp /run/log/journal/*/system.journal "$T/cron.journal"
# shellcheck disable=SC2086
sent=$(python3 tests/tools/syslog_send.py /run/systemd/journal/dev-log --end mxtest-end $src) ||
	{ not_ok "syslog_send"; exit 0; }
arrived mxtest-end
n=$(jc -o json | grep -c '"SYSLOG_IDENTIFIER"')
[ "$n" -ge $((sent + 302)) ] && ok "journald holds the $sent lines after 300 others" ||
	not_ok "journald holds the lines" "$n entries, $sent + 302 sent" "$(cat "$T/journald.log")"

for f in json json-seq short-unix short-iso-precise short-precise short-iso short-full short; do
	TZ=UTC jc -o $f >"$T/j.$f" 2>"$T/jc.err" || not_ok "journalctl -o $f" "$(cat "$T/jc.err")"
done
TZ=Asia/Dubai jc -o short-full >"$T/j.dubai"
TZ=Europe/Berlin jc -o short-full >"$T/j.berlin"
jc -o short-monotonic >"$T/j.mono"
jc -o json-pretty >"$T/j.pretty"

# what each file gives: address, kind, list, reply; and with the times
evs() { "$MXSENSOR" logs --no-header "$@" | awk -F, '{ print $2 "," $3 "," $4 "," $8 }' | sort; }
timed() { "$MXSENSOR" logs --no-header "$@" | awk -F, '{ print $1 "," $2 "," $3 "," $4 "," $8 }' | sort; }

# the original files, one format each (their syslog years do not matter here)
for f in $src; do "$MXSENSOR" logs --no-header -y 2024 "$f"; done |
	awk -F, '{ print $2 "," $3 "," $4 "," $8 }' | sort >"$T/want"
want=$(wc -l <"$T/want")
[ "$want" -gt 100 ] && ok "the original files: $want events" || not_ok "original events" "$want"

# a journal holds several MTAs' lines: each is read, by its own format
split_want() {
	for f in $src; do
		"$MXSENSOR" logs --no-header -y 2024 "$f" | awk -F, -v fm="$1" \
			'$5 == fm { print $2 "," $3 "," $4 "," $8 }'
	done | sort
}
# journalctl's text forms show a message that is not UTF-8 as "[181B blob
# data]": all but the Latin-1 line; JSON keeps its bytes
grep -v '^192\.0\.2\.99,' "$T/want" >"$T/want.text"
for f in json json-seq short-unix short-iso-precise short-precise short-iso short-full short; do
	w="$T/want.text"
	case $f in json*) w="$T/want" ;; esac
	if evs "$T/j.$f" >"$T/got.$f" 2>"$T/err.$f" && [ ! -s "$T/err.$f" ] && cmp -s "$T/got.$f" "$w"; then
		ok "journalctl -o $f: the $(wc -l <"$w") Postfix, Exim and qmail events of the originals"
	else
		not_ok "journalctl -o $f: the events of the originals" "$(cat "$T/err.$f")" \
			"$(diff "$w" "$T/got.$f" | head -5)"
	fi
done
"$MXSENSOR" logs --stats "$T/j.json" 2>&1 >/dev/null | grep -q 'format postfix+exim+qmail (a journal export)' &&
	ok "journalctl -o json: its formats are postfix+exim+qmail" ||
	not_ok "journalctl -o json: its formats" "$("$MXSENSOR" logs --stats "$T/j.json" 2>&1 >/dev/null)"
check "the Latin-1 message is read from JSON's array of bytes" sh -c \
	"grep -q '\"MESSAGE\":\\[' '$T/j.json' && grep -q '^192.0.2.99,dnsbl,bl.example.org,' '$T/got.json'"

# times: the microsecond forms agree to the microsecond, the others to the second
timed "$T/j.json" | grep -v ',192\.0\.2\.99,' >"$T/t.json"
for f in json-seq short-unix short-iso-precise short-precise; do
	timed "$T/j.$f" | grep -v ',192\.0\.2\.99,' >"$T/t.$f"
	check "journalctl -o $f: the times of -o json, to the microsecond" cmp "$T/t.json" "$T/t.$f"
done
sec() { timed "$1" | grep -v ',192\.0\.2\.99,' | sed 's/^\([^.]*\)\.[0-9]*Z/\1/' | sort; }
sec "$T/j.json" >"$T/s.json"
for f in short-iso short-full short dubai; do
	sec "$T/j.$f" >"$T/s.$f"
	check "journalctl -o $f: the times of -o json, to the second" cmp "$T/s.json" "$T/s.$f"
done
check "json: the times are journald's, this year" grep -q "^$(date -u +%Y)-" "$T/t.json"

# a journal of one MTA's entries: Exim's lines are read
# from a journal holding only them
jc -o json SYSLOG_IDENTIFIER=exim >"$T/j.exim"
split_want exim >"$T/want.exim"
evs "$T/j.exim" >"$T/got.exim" 2>&1
check "journalctl -o json SYSLOG_IDENTIFIER=exim: the Exim events" cmp "$T/want.exim" "$T/got.exim"
jc -o json SYSLOG_IDENTIFIER=qmail SYSLOG_IDENTIFIER=rblsmtpd >"$T/j.qmail"
split_want qmail >"$T/want.qmail"
evs "$T/j.qmail" >"$T/got.qmail" 2>&1
check "journalctl -o json SYSLOG_IDENTIFIER=qmail SYSLOG_IDENTIFIER=rblsmtpd: the qmail events" cmp "$T/want.qmail" "$T/got.qmail"

# gzip'd and on standard input
gzip -c "$T/j.json" >"$T/j.json.gz"
evs - <"$T/j.json.gz" >"$T/got.gz" 2>&1
check "a gzip'd export on standard input: the same events" cmp "$T/got.json" "$T/got.gz"

# refused, saying what to do
refused() {   # NAME FILE TEXT
	"$MXSENSOR" logs "$2" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "$3" "$T/err"; then ok "$1: exit 1, says $3"
	else not_ok "$1" "rc=$rc" "$(cat "$T/err")"; fi
}
refused "short-full in CET" "$T/j.berlin" "TZ=UTC"
refused "short-monotonic" "$T/j.mono" "no wall-clock time"
refused "json-pretty" "$T/j.pretty" "export with journalctl -o json"
# journald's own file, read through libsystemd: the very events of its
# JSON export, times and line (entry) numbers included
set -- /run/log/journal/*/system.journal
jf=$1
"$MXSENSOR" logs --no-header --stats "$jf" 2>"$T/err" | cut -d, -f1-5,7- >"$T/f.file"
"$MXSENSOR" logs --no-header "$T/j.json" | cut -d, -f1-5,7- >"$T/f.json"
if [ -s "$T/f.file" ] && cmp -s "$T/f.file" "$T/f.json" && grep -q "(a journal file)" "$T/err"; then
	ok "journald's own file: the $(wc -l <"$T/f.file") events of its JSON export, to the microsecond"
else
	not_ok "journald's own file" "$(cat "$T/err")" "$(diff "$T/f.json" "$T/f.file" | head -5)"
fi
cp "$jf" "$T/copy.journal"
gzip -c "$jf" >"$T/j.journal.gz"
refused "a gzip'd journal file" "$T/j.journal.gz" "decompress it first"
"$MXSENSOR" logs - <"$jf" >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q "cannot be read from standard input" "$T/err" &&
	ok "a journal file on standard input: exit 1, says to give its path" ||
	not_ok "a journal file on standard input" "rc=$rc" "$(cat "$T/err")"
# a journal file without mail: no events, no error
"$MXSENSOR" logs --no-header --stats "$T/cron.journal" >"$T/cron.csv" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/cron.csv" ] && grep -q "format empty (a journal file), 30[0-9] lines" "$T/err" &&
	ok "a journal file without mail: no events, exit 0" ||
	not_ok "a journal file without mail" "rc=$rc" "$(cat "$T/err")"
head -c 65536 "$jf" >"$T/cut.journal"
refused "a journal file cut short" "$T/cut.journal" "libsystemd cannot read it"
jc -o json SYSLOG_IDENTIFIER=CRON >"$T/j.nomta"
refused "a journal without MTA entries" "$T/j.nomta" "no entry of an MTA"

# a broken entry (a cut line): counted, said under --strict
{ head -n 400 "$T/j.json"; sed -n 401p "$T/j.json" | cut -c1-80; sed -n '402,$p' "$T/j.json"; } >"$T/j.cut"
"$MXSENSOR" logs --strict --stats "$T/j.cut" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "j.cut:401: not a journal entry" "$T/err" &&
   grep -q "format postfix+exim+qmail (a journal export), .* 1 unparsed" "$T/err"; then ok "a cut JSON line: FILE:LINE under --strict, 1 unparsed"
else not_ok "a cut JSON line" "rc=$rc" "$(cat "$T/err")"; fi

# analyze: the same labels from the journal's JSON as from the original log
"$MXSENSOR" analyze -q --no-fp --sensor s --db "$T/orig.db" --pcap "$T/gen.pcap" \
	--mta-log "$T/gen.log" 2>"$T/err" || not_ok "analyze, the original log" "$(cat "$T/err")"
jc -o json SYSLOG_IDENTIFIER=postfix/smtpd SYSLOG_IDENTIFIER=postfix/postscreen \
	SYSLOG_IDENTIFIER=postfix/dnsblog >"$T/gen.json"
"$MXSENSOR" analyze -q --no-fp --sensor s --db "$T/jrnl.db" --pcap "$T/gen.pcap" \
	--mta-log "$T/gen.json" 2>"$T/err" || not_ok "analyze, the journal's JSON" "$(cat "$T/err")"
check "analyze: the input is noted as a journal export" sh -c \
	"sqlite3 '$T/jrnl.db' \"SELECT note FROM inputs WHERE kind = 'mta-log'\" | grep -q '^format=postfix journal=json dnsbl='"
# a directory of journal files: the mail's and one without mail
mkdir "$T/jdir"
cp "$T/copy.journal" "$T/jdir/system.journal"
cp "$T/cron.journal" "$T/jdir/user-1000.journal"
"$MXSENSOR" analyze -q --no-fp --sensor s --db "$T/jfile.db" --pcap "$T/gen.pcap" \
	--mta-log "$T/jdir" 2>"$T/err" || not_ok "analyze, a directory of journal files" "$(cat "$T/err")"
q="SELECT addr, listed, lists, label, partners FROM hosts ORDER BY addr"
sqlite3 "$T/orig.db" "$q" >"$T/h.orig"
sqlite3 "$T/jrnl.db" "$q" >"$T/h.jrnl"
sqlite3 "$T/jfile.db" "$q" >"$T/h.jfile"
check "analyze: a directory of journal files labels the hosts as the JSON export does" cmp "$T/h.jrnl" "$T/h.jfile"
check "analyze: the journal file is noted as one" sh -c \
	"sqlite3 '$T/jfile.db' \"SELECT note FROM inputs WHERE kind = 'mta-log' ORDER BY path\" | tr '\n' ' ' | grep -q '^format=postfix+exim+qmail journal=file dnsbl=.* format=empty journal=file dnsbl=0'"
listed=$(sqlite3 "$T/orig.db" "SELECT COUNT(*) FROM hosts WHERE listed = 1")
if [ "$listed" -gt 10 ] && cmp -s "$T/h.orig" "$T/h.jrnl"; then
	ok "analyze: the journal's JSON labels the same hosts ($listed listed)"
else
	not_ok "analyze: the same labels" "$listed listed" "$(diff "$T/h.orig" "$T/h.jrnl" | head -5)"
fi
