#!/bin/sh
# addr_tshark.sh - the data `mxsensor addr` finds inside IPv6 addresses
# against Wireshark's dissector (tshark's ipv6.src_* fields): 6to4 gateway,
# Teredo server/client/port, ISATAP IPv4, EUI-64 MAC, NAT64 IPv4.
#
# Every address of tests/data/addrs6.txt becomes the source of one raw
# IPv6 packet in a temporary pcap (written by python3); tshark decodes it.
# Expected differences, each printed as "# allowed: ..." with its reason:
#   - isatap_v4: tshark takes 100:5efe and 300:5efe too; those set the
#     group bit, which an ISATAP IID never has (RFC 5214 6.1: the IANA OUI
#     00-00-5E is an individual address), and addr6 rejects them as we do.
#   - teredo_*: tshark decodes only 2001::/32; we also decode 3ffe:831f::/32,
#     the Teredo prefix before RFC 4380 (flag legacy-teredo).
. tests/lib.sh

list=tests/data/addrs6.txt
need_file "$list"
for tool in tshark python3; do
	command -v $tool >/dev/null 2>&1 ||
		{ not_ok "$tool installed" "missing: run scripts/setup.sh"; exit 1; }
done

# one raw IPv6 packet (LINKTYPE_RAW, no next header) per address
timeout 60 python3 - "$list" >"$T/a.pcap" <<'EOF' || { not_ok "pcap written"; exit 1; }
import ipaddress, struct, sys
out = sys.stdout.buffer
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
dst = ipaddress.IPv6Address('2001:db8::25').packed
for i, line in enumerate(open(sys.argv[1])):
    src = ipaddress.IPv6Address(line.strip()).packed
    pkt = struct.pack('!IHBB', 0x60000000, 0, 59, 64) + src + dst
    out.write(struct.pack('<IIII', i, 0, len(pkt), len(pkt)) + pkt)
EOF

timeout 120 tshark -n -r "$T/a.pcap" -T fields -E separator=, -E occurrence=f \
	-e ipv6.src -e ipv6.src_6to4_gw_ipv4 -e ipv6.src_ts_ipv4 -e ipv6.src_tc_ipv4 \
	-e ipv6.src_tc_port -e ipv6.src_isatap_ipv4 -e ipv6.src_slaac_mac \
	-e ipv6.src_embed_ipv4 >"$T/tshark.csv" 2>"$T/tshark.err"
timeout 60 "$MXSENSOR" addr -f csv -H <"$list" >"$T/mx.csv" 2>"$T/mx.err"
n=$(wc -l <"$list")
nt=$(wc -l <"$T/tshark.csv")
nm=$(wc -l <"$T/mx.csv")
if [ "$nt" -eq "$n" ] && [ "$nm" -eq "$n" ]; then
	ok "tshark and mxsensor decode all $n addresses"
else
	not_ok "tshark and mxsensor decode all $n addresses" "tshark $nt, mxsensor $nm" \
		"$(head -5 "$T/tshark.err" "$T/mx.err")"
	exit 1
fi

paste -d'|' "$T/mx.csv" "$T/tshark.csv" | awk -F'|' '
function cmp(field, addr, mine, theirs, why) {
	if (mine != "" || theirs != "")
		seen[field]++
	if (mine == theirs) {
		if (mine != "")
			agree[field]++
		return
	}
	if (why != "") {
		allowed[field]++
		printf "# allowed: %s %s mxsensor=%s tshark=%s (%s)\n", addr, field, mine, theirs, why
		return
	}
	bad[field]++
	if (bad[field] <= 20)
		detail[field] = detail[field] sprintf("    # %s: mxsensor \"%s\", tshark \"%s\"\n", addr, mine, theirs)
}
{
	split($1, m, ",")   # address family scope iid v4 v4_via gateway ts tc tp tf tk isatap mac port flags
	split($2, t, ",")   # src 6to4-gw teredo-server teredo-client teredo-port isatap mac embed
	addr = m[1]
	if (addr != t[1]) {
		bad["order"]++
		detail["order"] = detail["order"] sprintf("    # line %d: %s vs %s\n", NR, addr, t[1])
	}
	legacy = (m[16] ~ /legacy-teredo/) ? "3ffe:831f::/32 is pre-RFC 4380 Teredo, which tshark does not decode" : ""
	cmp("6to4-gateway", addr, m[7], t[2], "")
	cmp("teredo-server", addr, m[8], t[3], legacy)
	cmp("teredo-client", addr, m[9], t[4], legacy)
	cmp("teredo-port", addr, m[10], t[5], legacy)
	grp = (m[13] == "" && addr ~ /:[13]00:5efe:/) ? "group bit set: not an RFC 5214 ISATAP IID (addr6 agrees)" : ""
	cmp("isatap-ipv4", addr, m[13], t[6], grp)
	cmp("eui64-mac", addr, m[14], t[7], "")
	cmp("nat64-ipv4", addr, (m[6] == "nat64") ? m[5] : "", t[8], "")
	rows++
}
END {
	split("6to4-gateway teredo-server teredo-client teredo-port isatap-ipv4 eui64-mac nat64-ipv4 order", f, " ")
	for (i = 1; i <= 8; i++) {
		k = f[i]
		if (k == "order" && !bad[k])
			continue
		msg = sprintf("%s: %d agree", k, agree[k])
		if (allowed[k])
			msg = msg sprintf(", %d allowed differences", allowed[k])
		if (bad[k] || (k != "order" && agree[k] == 0))
			printf "not ok - %s, %d differ\n%s", msg, bad[k], detail[k]
		else
			printf "ok - %s\n", msg
		tagree += agree[k]; tallow += allowed[k]; tbad += bad[k]
	}
	line = sprintf("total: %d addresses, %d values agree, %d allowed, %d differ", rows, tagree, tallow, tbad)
	print (tbad ? "not ok - " : "ok - ") line
}'
