#!/bin/sh
# p0f_fp_loader.sh - mxsensor reads p0f.fp files the way p0f 3.09b does:
# for each small signature file below, both accept it, or both refuse it at
# the same line.  p0f is the oracle (`p0f -f FILE -r PCAP` aborts with
# "... in line N."); mxsensor must say "FILE:N: ..." and exit 2.
. tests/lib.sh

PCAP=$CORPUS/pcap/sv_smtperr.pcap
need_file "$PCAP"
command -v p0f >/dev/null 2>&1 || { not_ok "p0f installed" "install it: scripts/setup.sh"; exit 1; }

# p0f_verdict FILE - "ok" or the line p0f refuses
p0f_verdict() {
	rm -f "$T/p.log"
	if timeout 20 p0f -f "$1" -r "$PCAP" -o "$T/p.log" >/dev/null 2>"$T/p.err"; then
		echo ok
	else
		sed -n 's/.* in line \([0-9]*\).*/\1/p' "$T/p.err" | head -n 1
	fi
}
# mx_verdict FILE - "ok" or the line mxsensor refuses
mx_verdict() {
	if "$MXSENSOR" syns --fp-db "$1" "$PCAP" >/dev/null 2>"$T/m.err"; then
		echo ok
	else
		sed -n "s|^mxsensor: $1:\\([0-9]*\\): .*|\\1|p" "$T/m.err" | head -n 1
	fi
}

n=0
refused=0
# each case: a [tcp:request] file with one label and the given sig lines
while IFS= read -r sigs; do
	case $sigs in '#'* | '') continue ;; esac
	n=$((n + 1))
	f="$T/case$n.fp"
	printf 'classes = win,unix,other\n\n[tcp:request]\n\nlabel = s:unix:Test:one\n' >"$f"
	printf '%s\n' "$sigs" | tr '|' '\n' | sed 's/^/sig = /' >>"$f"
	p=$(p0f_verdict "$f")
	m=$(mx_verdict "$f")
	[ "$p" != ok ] && refused=$((refused + 1))
	if [ -n "$p" ] && [ "$p" = "$m" ]; then
		ok "signature file $n ($sigs): both ${p#ok}${p%%[0-9]*}"
	else
		not_ok "signature file $n ($sigs)" "p0f: ${p:-?}, mxsensor: ${m:-?}" "$(cat "$T/m.err")"
	fi
done <<'EOF'
# accepted
*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0
4:57+7:0:1460:8192,2:mss,nop,ws:df,id+:+
*:64-:0:1460:1024,0:mss::0
6:64:0:*:%512,*:mss,?30,eol+3:flow:*
*:128:0:*:mtu*4,0:::0
*:64:0:*:*,*:mss,:df:0
*:64:0:*:65535,0:mss,sok,nop,nop,ts:ecn,seq-,ack+,uptr+,urgf+,pushf+,ts1-,ts2+,opt+,exws,bad:0
*:64-0:*:8192,0:mss::0
*:64:0:*:8192,0:mss::0|*:64:0:*:8192,1:mss::0
*:64:0:*:8192,0:mss::0|*:128:0:*:8192,0:mss::0
*:64:0:*:8192,0:mss::0|4:64:0:*:8192,0:mss::+
# refused
*:0:0:*:8192,0:mss::0
*:64+192:0:*:8192,0:mss::0
x:64:0:*:8192,0:mss::0
*:64:256:*:8192,0:mss::0
*:64:0:65536:8192,0:mss::0
*:64:0:*:%1,0:mss::0
*:64:0:*:mss*1001,0:mss::0
*:64:0:*:70000,0:mss::0
*:64:0:*:8192,256:mss::0
*:64:0:*:8192,0:mss,eol+1,nop::0
*:64:0:*:8192,0:mss,eol::0
*:64:0:*:8192,0:mss,?256::0
*:64:0:*:8192,0:mss,wsx::0
*:64:0:*:8192,0:mss:foo:0
6:64:0:*:8192,0:mss:id+:0
4:64:0:*:8192,0:mss:flow:0
*:64:0:*:8192,0:mss::2
*:64:0:*:8192,0:mss::0 
*:64:0:*:8192,0:mss::0|*:64:0:*:8192,0:mss::0
*:64:0:*:8192,0:mss::0|*:60:0:*:8192,0:mss::0
*:64:0:*:8192,0:mss::*|*:64:0:*:8192,0:mss::0
EOF

# structure: labels, classes, sys, sections
m=0
while IFS= read -r body; do
	case $body in '#'* | '') continue ;; esac
	m=$((m + 1))
	f="$T/struct$m.fp"
	printf '%s\n' "$body" | tr '|' '\n' >"$f"
	p=$(p0f_verdict "$f")
	x=$(mx_verdict "$f")
	if [ -n "$p" ] && [ "$p" = "$x" ]; then
		ok "structure file $m: both ${p#ok}${p%%[0-9]*}"
	else
		not_ok "structure file $m ($body)" "p0f: ${p:-?}, mxsensor: ${x:-?}" "$(cat "$T/m.err")"
	fi
done <<'EOF'
classes = win,unix|[tcp:request]|label = s:UNIX:Linux:x|sig = *:64:0:*:8192,0:mss::0|label = g:unix:linux:|sig = *:64:0:*:*,0:mss::0
classes = win,unix|[tcp:request]|sig = *:64:0:*:8192,0:mss::0
classes = win,unix|label = s:unix:Linux:x
classes = win,unix|[tcp:request]|label = s:bsd:X:y
classes = win,unix|[tcp:request]|label = q:unix:X:y
classes = win,unix|[tcp:request]|label = s:unix:X
classes = win,unix|[tcp:request]|label = s:unix:X%:y
classes = win,unix|[tcp:request]|label = s:!:Tool:x|sig = *:64:0:*:8192,0:mss::0
classes = win,unix|[tcp:request]|label = s:!:Tool:x|sys = @unix,Windows|sig = *:64:0:*:8192,0:mss::0
classes = win,unix|[tcp:request]|label = s:!:Tool:x|sys = @bsd
classes = win,unix|[tcp:request]|label = s:unix:X:y|sys = Linux
classes = win,unix|[tcp:request]|classes = other
classes = win,
classes = win,unix|[udp:request]
classes = win,unix|[tcp:sideways]
classes = win,unix|[tcp]
classes = win,unix|[mtu]|label = Ethernet|sig = 1500|sig = 0
classes = win,unix|[mtu]|label = Ethernet|sig = 15x
classes = win,unix|[mtu]|sig = 1500
classes = win,unix|nonsense here
classes = win,unix|foo = bar
  ; comment|classes = win,unix|		[tcp:request]|  label = s:unix:X:y|	sig = *:64:0:*:8192,0:mss::0
EOF

# the one deliberate difference: "ttl+?" (as p0f writes far hosts' raw_sig)
f="$T/plus.fp"
printf 'classes = win,unix\n[tcp:request]\nlabel = s:unix:Test:one\nsig = *:90+?:0:*:8192,0:mss::0\n' >"$f"
p=$(p0f_verdict "$f")
x=$(mx_verdict "$f")
if [ "$p" = 4 ] && [ "$x" = ok ]; then
	ok "'ttl+?' refused by p0f (line 4), read by mxsensor as the next usual initial TTL"
else
	not_ok "'ttl+?' refused by p0f, read by mxsensor" "p0f: ${p:-?}, mxsensor: ${x:-?}"
fi

# a file that does not load is a configuration error: exit 2, nothing on stdout
"$MXSENSOR" syns --os --fp-db "$T/case$n.fp" "$PCAP" >"$T/out" 2>"$T/m.err"
rc=$?
if [ "$rc" = 2 ] && [ ! -s "$T/out" ] && grep -q "^mxsensor: $T/case$n.fp:[0-9]*: " "$T/m.err"; then
	ok "syns --fp-db with a broken file: exit 2, FILE:LINE message"
else
	not_ok "syns --fp-db with a broken file" "rc=$rc" "$(cat "$T/m.err")"
fi

# the default file missing (p0f not installed: /etc/p0f hidden by an
# empty tmpfs in a mount namespace): exit 2, and the message says where
# the file comes from
for cmd in "syns --os $PCAP" "analyze --db $T/nofp.db --pcap $PCAP"; do
	out=$(unshare -m sh -c 'mount -t tmpfs tmpfs /etc/p0f || exit 99
		exec "$1" $2 2>&1 >/dev/null' sh "$MXSENSOR" "$cmd")
	rc=$?
	case $rc:$out in
	"2:mxsensor: /etc/p0f/p0f.fp: No such file or directory (Debian's p0f package installs it; --fp-db names another signature file)")
		ok "${cmd%% *} without /etc/p0f/p0f.fp: exit 2, says where it comes from";;
	*)	not_ok "${cmd%% *} without /etc/p0f/p0f.fp" "rc=$rc" "$out";;
	esac
done

echo "# $n signature files ($refused refused by p0f), $m structure files"
if [ "$refused" -gt 10 ] && [ "$refused" -lt "$n" ]; then
	ok "both accepted and refused signature files were tried"
else
	not_ok "both accepted and refused signature files were tried" "$refused of $n refused"
fi
