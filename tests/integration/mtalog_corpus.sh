#!/bin/sh
# mtalog_corpus.sh - every real MTA log line in the shared corpus parses to
# the right kind.  Expected counts per kind come from grep over the files
# themselves (an independent reading of the same lines), never from the
# parser; addresses and lists of the DNSBL events are checked the same way,
# gzip'd copies must give the same events, and strict mode must have
# nothing to report.
. tests/lib.sh

L=$CORPUS/logs
DUMP=$MX_TOOLS/mtalog_dump
need_file "$DUMP"
need_file "$L/PROVENANCE.md"

# field OUT NAME - a counter from the dump's "# FILE: ..." summary line
field() {
	sed -n "s/^# .*: format [a-z]*, .*$2 \([0-9]*\).*/\1/p" "$1"
}
fmt_of() {
	sed -n 's/^# .*: format \([a-z]*\),.*/\1/p' "$1"
}

# expect NAME OUT FORMAT DNSBL DOMAIN REJECT ACCEPT CONNECT ALLOW
expect() {
	name=$1 out=$2
	got="$(fmt_of "$out") $(field "$out" 'dnsbl') $(field "$out" 'domain') \
$(field "$out" ' reject') $(field "$out" 'accept') $(field "$out" 'connect') \
$(field "$out" 'allowlisted') $(field "$out" 'unparsed') $(field "$out" 'long')"
	want="$3 $4 $5 $6 $7 $8 $9 0 0"
	if [ "$got" = "$want" ]; then ok "$name: $want"; else
		not_ok "$name" "format dnsbl domain reject accept connect allow unparsed long" \
			"got  $got" "want $want"; fi
}

# strict_clean NAME FILE... - strict mode reports nothing
strict_clean() {
	name=$1
	shift
	if "$DUMP" -s -y 2005 "$@" >/dev/null 2>"$T/strict.err" && [ ! -s "$T/strict.err" ]; then
		ok "$name: nothing unparsed in strict mode"
	else
		not_ok "$name: strict mode" "$(head -n 5 "$T/strict.err")"
	fi
}

# nocomment FILE - the log lines of a fail2ban fixture (comments dropped)
nocomment() { grep -v '^#' "$1" | grep -v '^$'; }

# ---- Postfix (fail2ban fixture) ----
f=$L/fail2ban_postfix.log
need_file "$f"
"$DUMP" -y 2005 "$f" >"$T/pf.out" 2>"$T/pf.err"
dnsbl=$(nocomment "$f" | grep -c 'blocked using')
rej=$(nocomment "$f" | grep -cE ': (milter-)?reject: ')
psv=$(nocomment "$f" | grep -cE 'postscreen\[[0-9]+\]: (PREGREET|HANGUP|COMMAND (TIME|COUNT|LENGTH) LIMIT|BLACKLISTED|DENYLISTED)')
acc=$(nocomment "$f" | grep -c ': client=')
con=$(nocomment "$f" | grep -cE ': connect from |postscreen\[[0-9]+\]: CONNECT from')
expect "fail2ban postfix" "$T/pf.out" postfix "$dnsbl" 0 $((rej - dnsbl + psv)) "$acc" "$con" 0
# the DNSBL addresses and lists, as the lines spell them
nocomment "$f" | sed -n 's/.*[Cc]lient\( host\)\{0,1\} \[\([0-9a-f.:]*\)\] blocked using \([a-z0-9.-]*\).*/\2,\3/p' | sort >"$T/want"
grep ',dnsbl,' "$T/pf.out" | cut -d, -f6,7 | sort >"$T/got"
check "fail2ban postfix: DNSBL addresses and lists" cmp "$T/want" "$T/got"
# time of day and date of every event agree with the fixture's failJSON
grep -n '' "$f" | awk -F: '
	/failJSON/ && match($0, /"time": "[0-9]+-[0-9][0-9]-[0-9][0-9]T[0-9:]+"/) {
		t = substr($0, RSTART + 9, RLENGTH - 10); want[$1 + 1] = substr(t, 6)
	}
	END { for (n in want) print n "," want[n] }' | sort >"$T/want"
grep -v '^#' "$T/pf.out" | awk -F, '{ print $2 "," substr($4, 6, 14) }' | sort >"$T/got"
join -t, "$T/want" "$T/got" | awk -F, '$2 != $3 { bad++ } END { exit bad > 0 }' &&
	[ "$(join -t, "$T/want" "$T/got" | wc -l)" -ge 25 ]
if [ $? -eq 0 ]; then ok "fail2ban postfix: event times match failJSON"; else
	not_ok "fail2ban postfix: event times" "$(join -t, "$T/want" "$T/got" | awk -F, '$2 != $3' | head -n 3)"; fi
strict_clean "fail2ban postfix" "$f"

# ---- Postfix smtpd_check transcript: its log lines, as smtpd writes them ----
f=$L/postfix_smtpd_check.ref.txt
need_file "$f"
grep '^\./smtpd_check: ' "$f" |
	sed 's|^\./smtpd_check: <queue id>: |./smtpd_check: NOQUEUE: |; s|^\./smtpd_check: |Jan  1 00:00:00 mx postfix/smtpd[1]: |' >"$T/smtpd_check.log"
"$DUMP" -y 2005 "$T/smtpd_check.log" >"$T/sc.out"
dnsbl=$(grep '^\./smtpd_check: ' "$f" | grep -c 'blocked using')
rej=$(grep '^\./smtpd_check: ' "$f" | grep -c ': reject: ')
expect "postfix smtpd_check" "$T/sc.out" postfix "$dnsbl" 0 $((rej - dnsbl)) 0 0 0
check "postfix smtpd_check: the CONNECT-stage DNSBL line" \
	grep -q ',dnsbl,127.0.0.2,dnsbltest.porcupine.org,' "$T/sc.out"
strict_clean "postfix smtpd_check" "$T/smtpd_check.log"

# ---- postfix-grok-patterns cases: each data line under its program ----
for y in "$L"/pfgrok_*.yaml; do
	need_file "$y"
	b=$(basename "$y" .yaml)
	prog=$(echo "$b" | sed 's/^pfgrok_//; s/_[0-9]*$//')
	sed -n 's/^data: "\(.*\)"$/\1/p' "$y" |
		sed "s|^|Jan  1 00:00:00 mx postfix/$prog[1]: |" >"$T/$b.log"
	"$DUMP" -y 2005 "$T/$b.log" >"$T/$b.out"
	allow=$(grep -c 'postfix_dnsbl_domain: .*dnswl' "$y")
	dnsbl=$(( $(grep -c 'postfix_dnsbl_domain:' "$y") - allow + \
		$(grep -c 'postfix_postscreen_violation: DNSBL' "$y") ))
	other=$(grep -c 'postfix_postscreen_access: BLACKLISTED' "$y")
	expect "$b" "$T/$b.out" postfix "$dnsbl" 0 "$other" 0 0 "$allow"
	ip=$(sed -n 's/^ *postfix_client_ip: //p' "$y")
	if [ "$dnsbl" -gt 0 ]; then
		check "$b: address $ip" grep -q ",dnsbl,$ip," "$T/$b.out"
	fi
	strict_clean "$b" "$T/$b.log"
done
dom=$(sed -n 's/^ *postfix_dnsbl_domain: //p' "$L/pfgrok_dnsblog_0001.yaml")
check "dnsblog: list $dom" grep -q ",dnsbl,61.238.241.86,$dom," "$T/pfgrok_dnsblog_0001.out"
check "postscreen: list is 'postscreen'" grep -q ',dnsbl,111.73.45.149,postscreen,' "$T/pfgrok_postscreen_0011.out"

# ---- Exim ----
for f in "$L"/fail2ban_exim.log "$L"/crowdsec_exim-logs.log "$L"/crowdsec_exim-spam.log \
	"$L"/crowdsec_exim-syslog-logs.log; do
	need_file "$f"
	b=$(basename "$f" .log)
	"$DUMP" -y 2022 "$f" >"$T/$b.out"
	dnsbl=$(nocomment "$f" | grep -cE 'is in an RBL|is in a black list at')
	rej=$(nocomment "$f" | grep -cE '(^| )rejected |dropped by .* ACL')
	acc=$(nocomment "$f" | grep -cE ' <= .* H=')
	con=$(nocomment "$f" | grep -c 'TCP/IP connection count')
	expect "$b" "$T/$b.out" exim "$dnsbl" 0 $((rej - dnsbl)) "$acc" "$con" 0
	strict_clean "$b" "$f"
done
check "exim: the RBL line's client address" \
	grep -q ',dnsbl,1.2.3.4,,' "$T/crowdsec_exim-spam.out"
# exim mainlog times carry their year; the syslog copy gets -y
check "exim: mainlog time" grep -q ',2022-06-29T15:33:46.000000000Z,dnsbl,' "$T/crowdsec_exim-logs.out"
check "exim: syslog time" grep -q ',2022-06-29T15:33:46.000000000Z,dnsbl,' "$T/crowdsec_exim-syslog-logs.out"
# the addresses of the other rejections, as the H= fields spell them
f=$L/fail2ban_exim.log
nocomment "$f" | grep -E '(^| )rejected |dropped by .* ACL' |
	sed -n 's/.*H=[^[]*\[\([0-9a-f.:]*\)\].*/\1/p' | sort >"$T/want"
grep ',reject,' "$T/fail2ban_exim.out" | cut -d, -f6 | sort >"$T/got"
check "fail2ban exim: rejected client addresses" cmp "$T/want" "$T/got"

# ---- qmail ----
f=$L/fail2ban_qmail.log
need_file "$f"
"$DUMP" -y 2005 "$f" >"$T/qm.out"
dnsbl=$(nocomment "$f" | grep -cE 'rblsmtpd|badiprbl')
expect "fail2ban qmail" "$T/qm.out" qmail "$dnsbl" 0 0 0 0 0
grep 'failJSON' "$f" | sed -n 's/.*"host": "\([0-9.]*\)".*/\1/p' | sort >"$T/want"
grep ',dnsbl,' "$T/qm.out" | cut -d, -f6 | sort >"$T/got"
check "fail2ban qmail: addresses match failJSON" cmp "$T/want" "$T/got"
check "fail2ban qmail: rblsmtpd list" grep -q ',dnsbl,193.111.120.47,relays.ordb.org,' "$T/qm.out"
strict_clean "fail2ban qmail" "$f"

# ---- gzip: the same events from compressed copies (gzip is the oracle) ----
gz_ok=0 gz_bad=
for f in "$L"/fail2ban_postfix.log "$L"/fail2ban_exim.log "$L"/fail2ban_qmail.log; do
	b=$(basename "$f")
	cp "$f" "$T/$b"
	gzip -c "$f" >"$T/$b.gz"
	"$DUMP" -y 2005 "$T/$b" | cut -d, -f2- | sed 's/^# [^:]*:/#/' >"$T/plain"
	"$DUMP" -y 2005 "$T/$b.gz" | cut -d, -f2- | sed 's/^# [^:]*:/#/' >"$T/gz"
	if cmp -s "$T/plain" "$T/gz" && [ -s "$T/plain" ]; then gz_ok=$((gz_ok + 1)); else gz_bad="$gz_bad $b"; fi
done
if [ -z "$gz_bad" ]; then ok "gzip copies give the same events ($gz_ok files)"; else
	not_ok "gzip copies" "differ:$gz_bad"; fi

# ---- a file that is not an MTA log is an error naming it ----
"$DUMP" "$L/PROVENANCE.md" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "PROVENANCE.md" "$T/err"; then ok "undetectable format: error names the file"
else not_ok "undetectable format" "rc=$rc" "$(cat "$T/err")"; fi
