#!/bin/sh
# logs_cmd.sh - `mxsensor logs`: CSV output, kind filter, year options,
# strict mode and exit codes, on the shared corpus.
. tests/lib.sh

L=$CORPUS/logs
need_file "$MXSENSOR"
need_file "$L/fail2ban_postfix.log"
need_file "$L/fail2ban_qmail.log"

"$MXSENSOR" logs -y 2005 "$L/fail2ban_postfix.log" >"$T/all.csv" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && ok "logs: exit 0" || not_ok "logs: exit 0" "rc=$rc" "$(cat "$T/err")"
check "logs: header line" sh -c "head -n 1 '$T/all.csv' | grep -qx 'time,address,kind,list,format,file,line,reason'"
# one event per rejection line: 'reject:' lines plus the 4 postscreen violations
want=$(( $(grep -v '^#' "$L/fail2ban_postfix.log" | grep -cE ': (milter-)?reject: ') + \
	$(grep -v '^#' "$L/fail2ban_postfix.log" | grep -cE 'postscreen\[[0-9]+\]: (PREGREET|HANGUP|COMMAND)') ))
got=$(($(wc -l <"$T/all.csv") - 1))
[ "$got" -eq "$want" ] && ok "logs: $want events" || not_ok "logs: events" "got $got, want $want"

"$MXSENSOR" logs -k dnsbl --no-header -y 2005 "$L/fail2ban_postfix.log" >"$T/dnsbl.csv"
want=$(grep -v '^#' "$L/fail2ban_postfix.log" | grep -c 'blocked using')
got=$(wc -l <"$T/dnsbl.csv")
[ "$got" -eq "$want" ] && ok "logs -k dnsbl: $want events" || not_ok "logs -k dnsbl" "got $got, want $want"
check "logs -k dnsbl: only dnsbl" sh -c "! cut -d, -f3 '$T/dnsbl.csv' | grep -vqx dnsbl"
check "logs -y: the year of the first line" grep -q '^2005-05-05T15:51:11.000000000Z,216.245.194.173,dnsbl,rbl.example.com,postfix,' "$T/dnsbl.csv"

# --ref: the first line (Sep 6) lies before 2006-01-01 + 31 days: 2005
"$MXSENSOR" logs --no-header -r 2006-01-01T00:00:00Z "$L/fail2ban_qmail.log" >"$T/q.csv"
check "logs -r: year from the capture start" grep -q '^2005-09-06T07:33:33' "$T/q.csv"
"$MXSENSOR" logs --no-header -r 1136073600 "$L/fail2ban_qmail.log" >"$T/q2.csv"
check "logs -r: epoch seconds give the same" cmp "$T/q.csv" "$T/q2.csv"
# --ref START/END, the captures' period as analyze takes it: Sep 6 is in
# 2005's period, where the start alone (2005-01-01 + 31 days) says 2004
"$MXSENSOR" logs --no-header -r 2005-01-01T00:00:00Z "$L/fail2ban_qmail.log" >"$T/q3.csv"
"$MXSENSOR" logs --no-header -r 2005-01-01T00:00:00Z/1135987200 "$L/fail2ban_qmail.log" >"$T/q4.csv"
check "logs -r START: the year before the start's" grep -q '^2004-09-06T07:33:33' "$T/q3.csv"
check "logs -r START/END: the year of the period" grep -q '^2005-09-06T07:33:33' "$T/q4.csv"
# no year but the clock's: the corpus's Postfix log (lines of many logs,
# in no order of time) never lands after tomorrow, where a jump back
# once read as a new year each time went two years ahead; said once
"$MXSENSOR" logs --no-header "$L/fail2ban_postfix.log" >"$T/now.csv" 2>"$T/err"
tomorrow=$(( $(date +%s) + 86400 ))
late=$(cut -d, -f1 "$T/now.csv" | while read -r t; do
	[ "$(date -d "$t" +%s)" -gt "$tomorrow" ] && echo "$t"; done)
[ -z "$late" ] && [ "$(wc -l <"$T/now.csv")" -eq "$(($(wc -l <"$T/all.csv") - 1))" ] &&
	ok "logs: no stamp after tomorrow" || not_ok "logs: no stamp after tomorrow" "$late"
check "logs: a jump back to a year to come, said once" sh -c "
	grep -c 'fail2ban_postfix.log:[0-9]*: this stamp is [0-9]* days before .* is still to come: read as [0-9]*, out of order' '$T/err' | grep -qx 1"
"$MXSENSOR" logs -r 2005-12-31T00:00:00Z/2005-01-01T00:00:00Z "$L/fail2ban_qmail.log" >/dev/null 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "^mxsensor logs: --ref: the period ends (2005-01-01T00:00:00Z) before it starts (2005-12-31T00:00:00Z)" "$T/err" &&
	ok "logs -r END before START: usage error, exit 2" || not_ok "logs -r END before START" "rc=$rc" "$(cat "$T/err")"

# stdin and gzip
gzip -c "$L/fail2ban_qmail.log" >"$T/q.gz"
"$MXSENSOR" logs --no-header -y 2005 - <"$T/q.gz" | cut -d, -f1-5 >"$T/stdin.csv"
"$MXSENSOR" logs --no-header -y 2005 "$L/fail2ban_qmail.log" | cut -d, -f1-5 >"$T/file.csv"
check "logs: gzip'd stdin gives the same events" cmp "$T/stdin.csv" "$T/file.csv"

# --stats
"$MXSENSOR" logs --stats -y 2005 "$L/fail2ban_qmail.log" >/dev/null 2>"$T/stats"
check "logs --stats: counters" grep -q 'fail2ban_qmail.log: format qmail, 10 lines: 4 dnsbl' "$T/stats"

# strict: an unparseable rejection is reported with its line and exit 1
printf '%s\n' \
	'Jan  5 10:00:00 mx postfix/smtpd[1]: connect from x[192.0.2.1]' \
	'Jan  5 10:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.256]: 554 5.7.1 Service unavailable; Client host [192.0.2.256] blocked using zen.spamhaus.org; proto=ESMTP' \
	>"$T/bad.log"
"$MXSENSOR" logs -s -y 2024 "$T/bad.log" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^mxsensor: $T/bad.log:2: " "$T/err"; then ok "logs -s: FILE:LINE and exit 1"
else not_ok "logs -s" "rc=$rc" "$(cat "$T/err")"; fi
"$MXSENSOR" logs -y 2024 "$T/bad.log" >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/err" ] && ok "logs without -s: quiet, exit 0" || not_ok "logs without -s" "rc=$rc"

# errors
"$MXSENSOR" logs "$L/PROVENANCE.md" >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'PROVENANCE.md' "$T/err" && ok "logs: undetectable file, exit 1" ||
	not_ok "logs: undetectable file" "rc=$rc"
for args in "" "-k bogus x" "-y 1969 x" "-r yesterday x" "-y 2020 -y 2021 x" "--nope x"; do
	# shellcheck disable=SC2086
	"$MXSENSOR" logs $args >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] && ok "logs $args: usage error" || not_ok "logs $args: usage error" "rc=$rc"
done
"$MXSENSOR" help logs >"$T/help"
check "help logs: usage text" grep -q '^usage: mxsensor logs' "$T/help"
