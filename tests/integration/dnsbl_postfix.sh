#!/bin/sh
# dnsbl_postfix.sh - the DNSBL export used by a real Postfix: in a network
# namespace of its own (its /etc/resolv.conf, mounted by `ip netns exec`
# from /etc/netns/NS/resolv.conf, points at 127.0.0.1), rbldnsd serves
# `mxsensor dnsbl` on port 53 and Postfix checks reject_rbl_client against
# it; swaks (XCLIENT) sends from a listed IPv6 client, which must be
# rejected with the export's TXT reason, and from an unlisted one, which
# must be accepted.
. tests/lib.sh
. tests/postfix.sh
need_file examples/sensor.pcap.gz
[ "$(id -u)" = 0 ] || { not_ok "runs as root (network namespace, Postfix)"; exit 1; }
for p in postfix swaks rbldnsd dig ip; do
	command -v $p >/dev/null 2>&1 || { not_ok "peer $p installed" "run scripts/setup.sh"; exit 1; }
done

ns=mxbl$$
PF_WRAP="ip netns exec $ns"
cleanup() {
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	pf_stop "$T/pf"
	netns_gone "$ns"
	rm -rf "/etc/netns/$ns" "$T"
}
trap cleanup EXIT INT TERM
ip netns add "$ns" || { not_ok "network namespace" "ip netns add failed"; exit 1; }
ip netns exec "$ns" ip link set lo up
mkdir -p "/etc/netns/$ns"
echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"

chmod 755 "$T"
db=$T/mx.db
"$MXSENSOR" analyze --db "$db" --pcap examples/sensor.pcap.gz --mta-log examples/mail.log.gz \
	>/dev/null 2>"$T/analyze.err" || { not_ok "analyze examples" "$(cat "$T/analyze.err")"; exit 1; }
"$MXSENSOR" dnsbl --db "$db" --format rbldnsd >"$T/bl6.txt" || { not_ok "dnsbl export"; exit 1; }
chmod 644 "$T/bl6.txt"
net=$(sed -n 's|^\(2001:[0-9a-f:]*\)::/64 .*|\1|p' "$T/bl6.txt" | head -n 1)
listed="$net:dead:beef:0:1"
unlisted="2001:db8:ffff:fffe::25"
grep -q '^2001:db8:ffff:fffe::' "$T/bl6.txt" && { not_ok "test address unlisted"; exit 1; }

ip netns exec "$ns" rbldnsd -n -q -u rbldns -w "$T" -b 127.0.0.1/53 bl.test:ip6trie:bl6.txt \
	>"$T/rbldnsd.out" 2>&1 &
rpid=$!
i=0
while [ $i -lt 50 ] && ! ip netns exec "$ns" dig +time=1 +tries=1 +short bl.test SOA >/dev/null 2>&1; do
	sleep 0.1; i=$((i + 1))
done
# the namespace's resolver is rbldnsd (no @server: resolv.conf is used)
a=$(ip netns exec "$ns" dig +time=2 +tries=1 +short \
	"$(dig -x "$listed" +noall +question | sed -n 's/^;\([^ \t]*\)\.ip6\.arpa\..*/\1.bl.test/p')" A)
[ "$a" = 127.0.0.2 ] && ok "resolver in the namespace reaches rbldnsd" || not_ok "resolver in the namespace reaches rbldnsd" "$a" "$(cat "$T/rbldnsd.out")"

pf_start "$T/pf" "127.0.0.1:25" "smtpd_client_restrictions = reject_rbl_client bl.test=127.0.0.2
smtpd_recipient_restrictions = permit_auth_destination, reject
default_rbl_reply = \$rbl_code Service unavailable; \$rbl_class [\$rbl_what] blocked using \$rbl_domain\${rbl_reason?; \$rbl_reason}" ||
	{ not_ok "postfix started in the namespace" "$(cat "$T/pf/start.out")"; exit 1; }
ok "postfix started in the namespace"

send() {
	ip netns exec "$ns" timeout 30 swaks --server 127.0.0.1:25 --xclient-addr "IPV6:$1" \
		--to u@example.test --from s@example.org --quit-after RCPT >"$T/sw.out" 2>&1
	if grep -q '^<-  250 2.1.5' "$T/sw.out"; then echo 250; else
		sed -n 's/^<\*\* //p' "$T/sw.out" | tail -n 1; fi
}
r=$(send "$listed")
case $r in
5*"blocked using bl.test"*"(mxsensor)"*) ok "reject_rbl_client: listed $listed (in $net::/64) rejected with the TXT reason" ;;
*) not_ok "reject_rbl_client: listed client rejected" "$r" "$(tail -5 "$T/pf/maillog")" ;;
esac
r=$(send "$unlisted")
[ "$r" = 250 ] && ok "reject_rbl_client: unlisted $unlisted accepted" ||
	not_ok "reject_rbl_client: unlisted client accepted" "$r" "$(tail -5 "$T/pf/maillog")"
exit 0
