#!/bin/sh
# mtalog_rsyslog.sh - MTA logs as a real rsyslogd writes them: its RFC 5424
# form (RSYSLOG_SyslogProtocol23Format, as a central log server may store
# them), a <PRI> before the traditional header, its traditional form and
# its RFC 3339 one (RSYSLOG_FileFormat).
#
# Two private rsyslogd instances listen on a socket of the test's own (no
# system socket, no kernel log): one as Debian configures it, where a
# program name ends at '/' ("postfix" for every Postfix daemon in the RFC
# 5424 APP-NAME), one with parser.permitSlashInProgramName ("postfix/smtpd").
# The corpus's Postfix log and an mxgen trace's are replayed into each as
# syslog(3) datagrams.  Checks: every file rsyslogd wrote gives the events
# of the original lines (address, kind, list, reply), with no line said to
# be unreadable, the RFC 5424 ones with this year's times (rsyslogd's own,
# as it ignores the socket's stamps); `analyze` labels the same hosts from
# the RFC 5424 file as from the original log.
. tests/lib.sh
L=$CORPUS/logs
need_file "$MXSENSOR"
need_file "$L/fail2ban_postfix.log"
RSYSLOGD=/usr/sbin/rsyslogd
need_file "$RSYSLOGD"

"$MX_TOOLS/mxgen" --clients 150 --seconds 1800 --seed 12 --pcap "$T/gen.pcap" \
	--truth "$T/gen.truth" --log "$T/gen.log" 2>/dev/null || { not_ok "mxgen"; exit 0; }
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM

# rsyslogd NAME [GLOBAL]: a private instance writing $T/NAME/{ietf,pri,trad,iso}.log
rsyslogd_start() {
	d="$T/$1"
	mkdir -p "$d/work"
	cat >"$d/rsyslog.conf" <<EOF
global(workDirectory="$d/work" $2)
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$d/log.sock" RateLimit.Interval="0")
template(name="pri" type="string"
	string="<%PRI%>%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
mail.* action(type="omfile" file="$d/ietf.log" template="RSYSLOG_SyslogProtocol23Format")
mail.* action(type="omfile" file="$d/pri.log" template="pri")
mail.* action(type="omfile" file="$d/trad.log" template="RSYSLOG_TraditionalFileFormat")
mail.* action(type="omfile" file="$d/iso.log" template="RSYSLOG_FileFormat")
EOF
	"$RSYSLOGD" -n -f "$d/rsyslog.conf" -i "$d/rsyslogd.pid" >"$d/rsyslogd.out" 2>&1 &
	pids="$pids $!"
	i=0
	while [ ! -S "$d/log.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S "$d/log.sock" ]
}

evs() { awk -F, '{ print $2 "," $3 "," $4 "," $8 }' | sort; }
"$MXSENSOR" logs --no-header -y 2024 "$L/fail2ban_postfix.log" "$T/gen.log" 2>/dev/null |
	evs >"$T/want"
want=$(wc -l <"$T/want")
[ "$want" -gt 100 ] && ok "the original lines: $want events" || not_ok "original events" "$want"

for v in debian slash; do
	g=""
	[ $v = slash ] && g='parser.permitSlashInProgramName="on"'
	if ! rsyslogd_start $v "$g"; then
		not_ok "$v: rsyslogd listens" "$(cat "$T/$v/rsyslogd.out")"
		continue
	fi
	d="$T/$v"
	sent=$(python3 tests/tools/syslog_send.py "$d/log.sock" --end mxtest-end \
		"$L/fail2ban_postfix.log" "$T/gen.log") || { not_ok "$v: syslog_send"; continue; }
	i=0
	until [ "$(grep -l mxtest-end "$d"/*.log 2>/dev/null | wc -l)" -eq 4 ] || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	n=$(grep -vc mxtest-end "$d/ietf.log")
	[ "$n" -eq "$sent" ] && ok "$v: rsyslogd wrote the $sent lines in each form" ||
		not_ok "$v: rsyslogd wrote the lines" "$n of $sent" "$(cat "$d/rsyslogd.out")"
	case $v in
	debian) app='postfix' ;;
	slash) app='postfix/smtpd' ;;
	esac
	check "$v: RFC 5424 lines, APP-NAME $app" \
		grep -qE "^<22>1 $(date -u +%Y)-[0-9T:.-]+[^ ]* [^ ]+ $app [0-9]+ - - " "$d/ietf.log"
	check "$v: traditional lines after a <PRI>" grep -qE '^<22>[A-Z][a-z]{2} [ 0-9][0-9] ' "$d/pri.log"
	for f in ietf pri trad iso; do
		"$MXSENSOR" logs --no-header --strict --stats -y 2024 "$d/$f.log" >"$T/$v.$f.csv" \
			2>"$T/$v.$f.err"
		rc=$?
		evs <"$T/$v.$f.csv" >"$T/$v.$f.got"
		if [ $rc -eq 0 ] && cmp -s "$T/want" "$T/$v.$f.got" &&
			grep -q 'format postfix' "$T/$v.$f.err"; then
			ok "$v: $f.log gives the $want events of the original lines"
		else
			not_ok "$v: $f.log: the events of the original lines" "rc=$rc" \
				"$(head -3 "$T/$v.$f.err")" "$(diff "$T/want" "$T/$v.$f.got" | head -5)"
		fi
	done
	check "$v: the RFC 5424 times are this year's, with their microseconds" sh -c "
		cut -d, -f1 '$T/$v.ietf.csv' | grep -v '^$(date -u +%Y)-[0-9-]*T[0-9:]*\.[0-9]\{6\}000Z\$' | grep -q . && exit 1
		test -s '$T/$v.ietf.csv'"
done

# analyze: the RFC 5424 file labels the hosts the original log does.
# Only the trace's lines are sent again (the corpus's hosts are not in its
# capture); their times are rsyslogd's, today, and a listing counts
# whenever it was made (no --listing-window)
d="$T/debian"
python3 tests/tools/syslog_send.py "$d/log.sock" --end gen-end "$T/gen.log" >/dev/null
i=0
until grep -q gen-end "$d/ietf.log" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
sed '1,/mxtest-end/d' "$d/ietf.log" | grep -v gen-end >"$T/gen.ietf.log"
# spammers DB LOG: analyze, then the IPv4 spammers into $T/DB.spam (the
# ok/not ok lines stay on stdout, not in that file)
spammers() {
	"$MXSENSOR" analyze --db "$T/$1.db" --pcap "$T/gen.pcap" --mta-log "$2" >/dev/null \
		2>"$T/$1.err" || not_ok "analyze --mta-log $2" "$(cat "$T/$1.err")"
	"$MXSENSOR" hosts --db "$T/$1.db" --family 4 --label spammer --no-header | cut -d, -f1 |
		sort >"$T/$1.spam"
}
spammers a "$T/gen.log"
spammers b "$T/gen.ietf.log"
if [ -s "$T/a.spam" ] && cmp -s "$T/a.spam" "$T/b.spam"; then
	ok "analyze: the $(wc -l <"$T/a.spam") spammers of the original log from its RFC 5424 form"
else
	not_ok "analyze: the spammers of the RFC 5424 form" "$(wc -l <"$T/a.spam") / $(wc -l <"$T/b.spam")" \
		"$(diff "$T/a.spam" "$T/b.spam" | head -5)"
fi
