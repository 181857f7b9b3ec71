#!/bin/sh
# dnsbl_rbldnsd.sh - `mxsensor dnsbl` against real peers: rbldnsd serves the
# ip6trie/ip4trie export on a loopback port and dig asks it; dig's own
# reverse names (dig -x) are the oracle for the zone file's nibble names,
# and BIND's named-checkzone must load the zone file and read its wildcards.
# A dataset replaced by `dnsbl -o` while rbldnsd serves it is reloaded.
# The store comes from analysing the bundled example trace.
. tests/lib.sh
need_file examples/sensor.pcap.gz
for p in rbldnsd dig named-checkzone; do
	command -v $p >/dev/null 2>&1 || { not_ok "peer $p installed" "run scripts/setup.sh"; exit 1; }
done

db=$T/mx.db
"$MXSENSOR" analyze --db "$db" --pcap examples/sensor.pcap.gz --mta-log examples/mail.log.gz \
	>/dev/null 2>"$T/analyze.err" || { not_ok "analyze examples" "$(cat "$T/analyze.err")"; exit 1; }

"$MXSENSOR" reputation --db "$db" --format csv >"$T/rep.csv" 2>"$T/err" &&
	[ "$(sed -n 1p "$T/rep.csv")" = "prefix,class,bad,good,associated,listed4,dnsbl,reject,accept,policy_limit,policy_accept,last_seen" ] &&
	ok "reputation: csv header" || not_ok "reputation: csv header" "$(head -3 "$T/rep.csv"; cat "$T/err")"

# every IPv6 host labelled associated lies in a bad /64
sqlite3 "$db" "SELECT addr FROM hosts WHERE family = 6 AND label = 'associated' AND addr_type NOT IN ('6to4', 'teredo')" >"$T/assoc.txt"
n_assoc=$(wc -l <"$T/assoc.txt")
bad64=$(grep -c '^[0-9a-f:]*::/64,bad,' "$T/rep.csv")
if [ "$n_assoc" -gt 0 ] && [ "$bad64" -gt 0 ] && [ "$bad64" -le "$n_assoc" ]; then
	ok "reputation: $n_assoc associated hosts in $bad64 bad /64s"
else
	not_ok "reputation: associated hosts in bad /64s" "assoc=$n_assoc bad64=$bad64"
fi

"$MXSENSOR" dnsbl --db "$db" --format rbldnsd -o "$T/bl6.txt" 2>"$T/err" || not_ok "dnsbl rbldnsd ip6" "$(cat "$T/err")"
"$MXSENSOR" dnsbl --db "$db" --format rbldnsd --family 4 >"$T/bl4.txt" 2>"$T/err" || not_ok "dnsbl rbldnsd ip4" "$(cat "$T/err")"
entries=$(grep -c '^[0-9a-f]*:.*::/64 ' "$T/bl6.txt")
if [ "$entries" -gt 0 ] && [ "$entries" -le "$bad64" ]; then ok "dnsbl: $entries /64 entries, none per /128"; else
	not_ok "dnsbl: /64 entries" "entries=$entries bad64=$bad64"; fi
if grep -q '/128 ' "$T/bl6.txt"; then not_ok "dnsbl: no /128 entries" "$(grep /128 "$T/bl6.txt" | head -3)"; else ok "dnsbl: no /128 entries"; fi

# a listed host, another address of its /64, and an address of no listed /64
host=$(head -n 1 "$T/assoc.txt")
net=$(grep -F "$(echo "$host" | cut -d: -f1-4)::/64" "$T/bl6.txt" | head -n 1 | cut -d' ' -f1)
[ -n "$net" ] || net=$(grep '::/64 ' "$T/bl6.txt" | head -n 1 | cut -d' ' -f1)
pfx=${net%::/64}
inside="$pfx:1234:5678:9abc:def0"
outside="2001:db8:ffff:fffe::1"
grep -q "^2001:db8:ffff:fffe::" "$T/bl6.txt" && outside="3fff:ffff:ffff:fffe::1"
four=$(sed -n 's|^\([0-9.]*\)/32 .*|\1|p' "$T/bl4.txt" | head -n 1)

chmod 755 "$T"
chmod 644 "$T/bl6.txt" "$T/bl4.txt"
port=$((20000 + $$ % 20000))
rbldnsd -n -q -u rbldns -w "$T" -b "127.0.0.1/$port" -p "$T/rbldnsd.pid" -c 1 \
	bl.test:ip6trie:bl6.txt bl.test:ip4trie:bl4.txt >"$T/rbldnsd.out" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; rm -rf "$T"' EXIT INT TERM
i=0
while [ $i -lt 50 ] && ! dig +time=1 +tries=1 -p "$port" @127.0.0.1 2.0.0.127.bl.test A >/dev/null 2>&1; do
	sleep 0.1; i=$((i + 1))
done

# qname - the RFC 5782 query name of ADDR in bl.test, built by dig -x
qname() { dig -x "$1" +noall +question 2>/dev/null | sed -n 's/^;\([^ \t]*\)\.ip6\.arpa\..*/\1.bl.test/p; s/^;\([^ \t]*\)\.in-addr\.arpa\..*/\1.bl.test/p'; }
ask() { dig +time=2 +tries=1 -p "$port" @127.0.0.1 "$1" "$2" +noall +answer +comments; }

a_in=$(ask "$(qname "$inside")" A)
if echo "$a_in" | grep -q 'status: NOERROR' && echo "$a_in" | grep -q 'IN[[:space:]]*A[[:space:]]*127\.0\.0\.2'; then
	ok "rbldnsd: $inside (inside listed $net) answers 127.0.0.2"
else
	not_ok "rbldnsd: address inside a listed /64 answers 127.0.0.2" "$a_in" "$(cat "$T/rbldnsd.out")"
fi
t_in=$(ask "$(qname "$inside")" TXT)
if echo "$t_in" | grep -q 'TXT.*"IPv6 network of DNSBL-listed IPv4 spam sources (mxsensor)"\|TXT.*(mxsensor)'; then
	ok "rbldnsd: TXT reason"
else
	not_ok "rbldnsd: TXT reason" "$t_in"
fi
a_out=$(ask "$(qname "$outside")" A)
if echo "$a_out" | grep -q 'status: NXDOMAIN'; then ok "rbldnsd: unlisted $outside is NXDOMAIN"; else
	not_ok "rbldnsd: unlisted address is NXDOMAIN" "$a_out"; fi
if [ -n "$four" ]; then
	a4=$(ask "$(qname "$four")" A)
	echo "$a4" | grep -q '127\.0\.0\.2' && ok "rbldnsd: listed IPv4 $four answers" || not_ok "rbldnsd: listed IPv4 answers" "$a4"
	# its 6to4 address shares the listing (RFC 3056: 2002:V4ADDR::/48)
	sixtofour=$(printf '2002:%02x%02x:%02x%02x::1' $(echo "$four" | tr . ' '))
	a64=$(ask "$(qname "$sixtofour")" A)
	echo "$a64" | grep -q '127\.0\.0\.2' && ok "rbldnsd: 6to4 $sixtofour of listed $four answers" ||
		not_ok "rbldnsd: 6to4 of a listed IPv4 answers" "$a64"
fi

# the zone file: the wildcard of the listed /64 is the /64 part of dig's name
"$MXSENSOR" dnsbl --db "$db" --format zone --zone bl.test >"$T/bl.zone" 2>"$T/err" || not_ok "dnsbl zone" "$(cat "$T/err")"
q=$(qname "$inside")
suffix=$(echo "$q" | cut -d. -f17-)     # drop the 16 nibbles of the interface ID
if grep -q "^\*\.${suffix%.bl.test}[[:space:]]IN A 127.0.0.2" "$T/bl.zone"; then
	ok "zone: *.<16 nibbles> wildcard matches dig -x"
else
	not_ok "zone: wildcard for the listed /64" "want *.${suffix%.bl.test}" "$(grep -m3 '^\*' "$T/bl.zone")"
fi
# BIND's own zone parser loads it, and sees the wildcard and its TXT
if named-checkzone -q bl.test "$T/bl.zone"; then ok "zone: named-checkzone loads it"; else
	not_ok "zone: named-checkzone loads it" "$(named-checkzone bl.test "$T/bl.zone" 2>&1 | tail -3)"; fi
named-checkzone -D -o "$T/canon.zone" bl.test "$T/bl.zone" >/dev/null 2>&1
if grep -q "^\*\.${suffix}\.[[:space:]].*TXT[[:space:]]*\".*(mxsensor)\"" "$T/canon.zone"; then
	ok "zone: BIND reads *.${suffix%.bl.test} with its TXT reason"
else
	not_ok "zone: BIND reads the wildcard" "$(grep -m2 '^\*' "$T/canon.zone")"
fi
zone_names=$(grep -c 'IN A 127.0.0.2' "$T/bl.zone")
if [ "$zone_names" -lt $((n_assoc + 100)) ]; then ok "zone: $zone_names names"; else not_ok "zone: small" "$zone_names"; fi

# the dataset replaced by `dnsbl -o` while rbldnsd serves it: listed at
# /48, another /64 of the listed host's /48 starts to answer once rbldnsd
# has reloaded (it looks at the file's time stamp every second, -c 1; it
# runs as rbldns, and reads the new file through the old one's mode)
p48=$(echo "$pfx" | cut -d: -f1-3)
sibling="$p48:fff7::1"
if ! grep -q "^$p48:fff7::/64 " "$T/bl6.txt" && echo "$(ask "$(qname "$sibling")" A)" | grep -q 'status: NXDOMAIN'; then
	sleep 1.1   # a new time stamp, to the second
	if "$MXSENSOR" dnsbl --db "$db" --format rbldnsd --prefix-len 48 -o "$T/bl6.txt" 2>"$T/err" &&
		grep -q "^$p48::/48 " "$T/bl6.txt"; then
		i=0
		while [ $i -lt 50 ] && ! ask "$(qname "$sibling")" A | grep -q '127\.0\.0\.2'; do
			sleep 0.1; i=$((i + 1))
		done
		if ask "$(qname "$sibling")" A | grep -q '127\.0\.0\.2' &&
			ask "$(qname "$inside")" A | grep -q '127\.0\.0\.2'; then
			ok "rbldnsd reloads the dataset dnsbl -o replaced: $sibling listed with $p48::/48"
		else
			not_ok "rbldnsd reloads the dataset dnsbl -o replaced" "$(ask "$(qname "$sibling")" A)" \
				"$(cat "$T/rbldnsd.out")"
		fi
	else
		not_ok "dnsbl --prefix-len 48 -o" "$(cat "$T/err")" "$(grep -m3 /48 "$T/bl6.txt")"
	fi
else
	not_ok "a sibling /64 of $net outside the /64 list" "$sibling"
fi

kill "$rpid" 2>/dev/null
wait "$rpid" 2>/dev/null
exit 0
