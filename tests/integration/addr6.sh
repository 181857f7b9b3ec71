#!/bin/sh
# addr6.sh - `mxsensor addr` against ipv6toolkit's addr6, the oracle for
# address types and interface-ID classes.
#
# Input: tests/data/addrs6.txt (tests/tools/gen_addrs.py, every class and
# the edges between classes) plus every IPv6 address tshark finds in the
# corpus captures.  Both tools classify the same list; for every address
# the type (addr6's unicast subtype, or multicast/unspecified) and the
# interface-ID class must agree, and so must the Teredo flag layout and
# the OUI of ieee-derived IIDs where both tools report them.  Expected
# differences are listed, with their reason, in addr6-allow.txt; each one
# met is printed as "# allowed: ...", and an entry that matches nothing
# fails.  One ok/not ok per compared class, then the totals.
. tests/lib.sh

list=tests/data/addrs6.txt
allow=tests/integration/addr6-allow.txt
need_file "$list"
need_file "$allow"
for tool in addr6 tshark python3; do
	command -v $tool >/dev/null 2>&1 ||
		{ not_ok "$tool installed" "missing: run scripts/setup.sh"; exit 1; }
done

# the committed list is exactly the generator's output (deterministic seed)
if timeout 60 python3 tests/tools/gen_addrs.py | cmp -s - "$list"; then
	ok "tests/data/addrs6.txt is gen_addrs.py's output"
else
	not_ok "tests/data/addrs6.txt is gen_addrs.py's output" "regenerate: python3 tests/tools/gen_addrs.py > $list"
fi
n=$(wc -l <"$list")
if [ "$n" -ge 2000 ]; then ok "list holds $n addresses (>= 2000)"; else not_ok "list holds $n addresses (>= 2000)"; fi

# real addresses from the corpus captures (Teredo, 6to4, NAT64, EUI-64, ...)
for f in "$CORPUS"/pcap/*.pcap "$CORPUS"/pcap/*.pcapng; do
	[ -f "$f" ] || continue
	timeout 60 tshark -n -r "$f" -T fields -E separator=/t -e ipv6.src -e ipv6.dst 2>/dev/null
done | tr '\t,' '\n\n' | grep ':' | sort -u >"$T/corpus.txt"
nc=$(wc -l <"$T/corpus.txt")
if grep -q '^2001:0:' "$T/corpus.txt" && grep -q '^2002:' "$T/corpus.txt"; then
	ok "corpus gives $nc IPv6 addresses, Teredo and 6to4 among them"
else
	not_ok "corpus gives $nc IPv6 addresses, Teredo and 6to4 among them" "corpus: $CORPUS/pcap"
fi
cat "$list" "$T/corpus.txt" >"$T/in.txt"
total=$(wc -l <"$T/in.txt")

timeout 60 addr6 -i -d <"$T/in.txt" >"$T/addr6.txt" 2>"$T/addr6.err"
timeout 60 "$MXSENSOR" addr --format csv --no-header <"$T/in.txt" >"$T/mx.csv" 2>"$T/mx.err"
rc=$?
na=$(wc -l <"$T/addr6.txt")
nm=$(wc -l <"$T/mx.csv")
if [ "$rc" -eq 0 ] && [ "$na" -eq "$total" ] && [ "$nm" -eq "$total" ]; then
	ok "both tools classify all $total addresses"
else
	not_ok "both tools classify all $total addresses" "mxsensor exit $rc, $nm lines; addr6 $na lines" \
		"$(head -5 "$T/mx.err" "$T/addr6.err")"
	exit 1
fi

paste "$T/mx.csv" "$T/addr6.txt" | awk -F'\t' -v total="$total" '
# allow-list: FIELD MX A6 REASON...
FNR == NR {
	if ($0 ~ /^[ \t]*(#|$)/)
		next
	split($0, w, /[ \t]+/)
	na++
	af[na] = w[1]; am[na] = w[2]; aa[na] = w[3]
	r = $0
	sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", r)
	ar[na] = r
	next
}
# one compared value: class key, the address, ours, addr6s
function cmp(field, key, addr, mine, theirs,    i) {
	seen[key]++
	if (mine == theirs) {
		agree[key]++
		return
	}
	for (i = 1; i <= na; i++) {
		if (af[i] == field && am[i] == mine && (aa[i] == "*" || aa[i] == theirs)) {
			allowed[key]++
			used[i]++
			printf "# allowed: %s %s mxsensor=%s addr6=%s (%s)\n", addr, field, mine, theirs, substr(ar[i], 1, 60) "..."
			return
		}
	}
	bad[key]++
	if (bad[key] <= 20)
		detail[key] = detail[key] sprintf("    # %s: mxsensor %s, addr6 %s\n", addr, mine, theirs)
}
{
	split($1, m, ",")       # address family scope iid v4 v4_via gateway ts tc tp tf tk isatap mac port flags
	split($2, a, "=")       # type subtype scope iidtype iidsubtype
	addr = m[1]
	# type: our ranges that addr6 counts as plain global unicast map to "global"
	mine = m[3]
	if (mine ~ /^(documentation|nat64|nat64-local|reserved)$/)
		mine = "global"
	theirs = (a[1] == "unicast") ? a[2] : a[1]
	cmp("type", "type " m[3], addr, mine, theirs)
	# interface-ID class: addr6 splits embedded-ipv4 by subtype, calls "no
	# IID" unspecified and names Teredo IIDs by their flag layout
	theirs = a[4]
	if (theirs == "embedded-ipv4")
		theirs = a[5]
	else if (theirs == "unspecified")
		theirs = "none"
	else if (theirs ~ /^(rfc4380|rfc5991|unknown)$/) {
		kind = theirs
		theirs = "teredo"
	}
	cmp("iid", "iid " m[4], addr, m[4], theirs)
	if (m[4] == "teredo" && theirs == "teredo")
		cmp("teredo-kind", "teredo-kind " m[12], addr, m[12], kind)
	if (m[4] == "ieee-derived" && a[4] == "ieee-derived") {
		oui = substr(m[14], 1, 8)
		gsub(":", "-", oui)
		cmp("oui", "ieee-derived oui", addr, oui, a[5])
	}
	rows++
}
END {
	n = 0
	for (k in seen)
		keys[++n] = k
	for (i = 2; i <= n; i++)       # insertion sort: stable output order
		for (j = i; j > 1 && keys[j - 1] > keys[j]; j--) {
			t = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = t
		}
	fails = 0
	for (i = 1; i <= n; i++) {
		k = keys[i]
		msg = sprintf("%s: %d agree", k, agree[k])
		if (allowed[k])
			msg = msg sprintf(", %d allowed differences", allowed[k])
		if (bad[k]) {
			printf "not ok - %s, %d differ\n%s", msg, bad[k], detail[k]
			fails++
		} else
			printf "ok - %s\n", msg
		tagree += agree[k]; tallow += allowed[k]; tbad += bad[k]
	}
	for (i = 1; i <= na; i++)
		if (!used[i]) {
			printf "not ok - allow entry %d (%s %s %s) matches no address\n", i, af[i], am[i], aa[i]
			fails++
		}
	line = sprintf("total: %d addresses, %d classes, %d comparisons agree, %d allowed, %d differ",
		       rows, n, tagree, tallow, tbad)
	if (rows == total && tbad == 0 && fails == 0)
		print "ok - " line
	else
		print "not ok - " line
}' "$allow" -
