# enrich_asn.sh - `mxsensor asn` against independent look-ups.
#
# Oracles: tests/tools/asn_oracle.py (Python ipaddress, per-length prefix
# dictionaries) over the corpus tables (CAIDA pfx2as IPv6 with MOAS and AS
# sets, iptoasn v4 ranges, pyasn IPASN-DAT plain and gzip'd) and over
# tables written here; libmaxminddb's mmdblookup over an mmdb written by
# MaxMind's own writer (MaxMind::DB::Writer, Debian
# libmaxmind-db-writer-perl) from the same prefixes.
. tests/lib.sh

A="$CORPUS/asn"
ORACLE="python3 tests/tools/asn_oracle.py"
for f in mlab_RouteViewIPv6.pfx2as asn-db_ip2asn-v4.tsv pyasn_ipasn.fake.txt \
	pyasn_ipasn_20080501_v12.dat.gz mlab_asnames-test.csv; do
	need_file "$A/$f"
done

# compare NAME N FILE... - N sampled addresses through both
compare() {
	name=$1 n=$2
	shift 2
	$ORACLE pick "$n" 7 "$T/addrs" "$@" >"$T/want"
	args=""
	for f in "$@"; do args="$args --asn $f"; done
	# shellcheck disable=SC2086
	"$MXSENSOR" asn -H -f csv $args <"$T/addrs" >"$T/got" 2>"$T/err"
	found=$(grep -c ',[0-9]' "$T/want")
	if [ "$found" -gt 0 ] && cmp -s "$T/want" "$T/got"; then
		ok "$name: $n addresses ($found with an AS) as the oracle"
	else
		not_ok "$name" "$(diff "$T/want" "$T/got" | head -5)" "$(head -3 "$T/err")"
	fi
}

compare "CAIDA pfx2as IPv6 (MOAS, AS sets) + AS names" 1000 \
	"$A/mlab_RouteViewIPv6.pfx2as" "$A/mlab_asnames-test.csv"
compare "iptoasn v4 ranges with names" 1000 "$A/asn-db_ip2asn-v4.tsv"
compare "pyasn IPASN-DAT, nested prefixes" 200 "$A/pyasn_ipasn.fake.txt"
compare "pyasn IPASN-DAT gzip'd, 270k prefixes" 400 "$A/pyasn_ipasn_20080501_v12.dat.gz"

# the exact answers of the nested fake table (pyasn's own test expectations)
got=$("$MXSENSOR" asn -H -f csv --asn "$A/pyasn_ipasn.fake.txt" 1.0.0.1 1.0.0.4 3.0.0.1 \
	3.128.0.0 2.0.0.255 | cut -d, -f2 | tr '\n' ' ')
[ "$got" = "1 2 5 4 3 " ] && ok "longest prefix wins in nested prefixes" ||
	not_ok "longest prefix in nested prefixes" "$got"

# tables written here: nested prefixes of both families, a MOAS and an AS
# set, ip2asn ranges inside pfx2as prefixes, several files merged
printf '10.0.0.0\t8\t64500\n10.1.0.0\t16\t64501_64511\n10.1.2.0\t24\t64502,64512\n' >"$T/t.pfx2as"
printf '2001:db8::\t32\t64510\n2001:db8:1::\t48\t64511\n2001:db8:1:2::\t64\t64512\n' >>"$T/t.pfx2as"
printf '0.0.0.0/0\t64599\n' >"$T/default.dat"
printf '10.1.2.16\t10.1.2.31\t64520\tZZ\tRANGE-ONE\n' >"$T/t.tsv"
printf '2001:db8:1:2::100\t2001:db8:1:2::1ff\t64521\tZZ\tRANGE-TWO\n' >>"$T/t.tsv"
printf '10.200.0.0\t10.200.0.255\t0\tNone\tNot routed\n' >>"$T/t.tsv"
printf 'asn,name\nAS64500,TEN-NET\n64501,"ONE, SIXTEEN"\n' >"$T/names.csv"
gzip -c "$T/t.tsv" >"$T/t.tsv.gz"
compare "written pfx2as + ip2asn (gzip'd) + names + a default route" 1500 \
	"$T/t.pfx2as" "$T/t.tsv.gz" "$T/names.csv" "$T/default.dat"

# MaxMind DB: written by MaxMind's writer, read back by mmdblookup and by us
cat >"$T/mk.pl" <<'EOF'
use strict; use warnings;
use MaxMind::DB::Writer::Tree;
my %t = (autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string');
my $tree = MaxMind::DB::Writer::Tree->new(ip_version => 6, record_size => 24,
    database_type => 'GeoLite2-ASN', languages => ['en'],
    description => { en => 'mxsensor test ASN database' },
    map_key_type_callback => sub { $t{ $_[0] } }, remove_reserved_networks => 0);
while (my $l = <STDIN>) {
    chomp $l;
    my ($net, $len, $asn) = split /\t/, $l;
    $tree->insert_network("$net/$len", { autonomous_system_number => $asn + 0,
        autonomous_system_organization => "ORG-$asn" });
}
open my $fh, '>:raw', $ARGV[0] or die "$ARGV[0]: $!";
$tree->write_tree($fh);
close $fh;
EOF
# routing-table-like prefixes: sorted by length so that narrower ones
# overwrite wider ones in the writer's tree, as longest-prefix match reads
python3 - "$T/mm.pfx2as" <<'EOF'
import ipaddress, random, sys
r = random.Random(5)
out = {}
for i in range(300):
    if i % 3:
        ln = r.randint(8, 24); v = r.getrandbits(32) & ((1 << 32) - (1 << (32 - ln)))
        v = v | (10 << 24) if i % 5 == 0 else v
        out.setdefault((ln, str(ipaddress.IPv4Address(v))), 64000 + i)
    else:
        ln = r.randint(20, 48); v = ((0x2001 << 112) | r.getrandbits(112)) & ((1 << 128) - (1 << (128 - ln)))
        out.setdefault((ln, str(ipaddress.IPv6Address(v))), 64000 + i)
with open(sys.argv[1], "w") as f:   # one AS per prefix: the writer keeps the last
    for (ln, a), asn in sorted(out.items()):
        f.write("%s\t%d\t%d\n" % (a, ln, asn))
EOF
if perl "$T/mk.pl" "$T/t.mmdb" <"$T/mm.pfx2as" 2>"$T/err"; then
	ok "MaxMind::DB::Writer writes a test ASN database"
else
	not_ok "MaxMind::DB::Writer" "$(cat "$T/err")"
fi
$ORACLE sample 200 11 "$T/mm.pfx2as" >"$T/addrs"
: >"$T/want"
while read -r a; do
	rec=$(mmdblookup --file "$T/t.mmdb" --ip "$a" 2>/dev/null)
	n=$(echo "$rec" | sed -n 's/^ *\([0-9][0-9]*\) <uint32>.*/\1/p')
	o=$(echo "$rec" | sed -n 's/^ *"\(.*\)" <utf8_string>.*/\1/p')
	echo "$a,$n,$o" >>"$T/want"
done <"$T/addrs"
"$MXSENSOR" asn -H -f csv --asn "$T/t.mmdb" <"$T/addrs" >"$T/got" 2>/dev/null
found=$(grep -c ',[0-9]' "$T/want")
if [ "$found" -gt 30 ] && cmp -s "$T/want" "$T/got"; then
	ok "mmdb: 200 addresses ($found with an AS) as mmdblookup"
else
	not_ok "mmdb as mmdblookup" "$(diff "$T/want" "$T/got" | head -5)"
fi
# the same prefixes as a table give the same AS numbers
"$MXSENSOR" asn -H -f csv --asn "$T/mm.pfx2as" <"$T/addrs" | cut -d, -f1,2 >"$T/tab"
cut -d, -f1,2 "$T/got" >"$T/mm"
cmp -s "$T/tab" "$T/mm" && ok "mmdb and pfx2as of the same prefixes agree" ||
	not_ok "mmdb and pfx2as agree" "$(diff "$T/tab" "$T/mm" | head -5)"

# bad input: reported as FILE:LINE, the rest used, exit 1; unknown format: 2
printf '10.0.0.0\t8\t64500\n10.0.0.0\t99\t1\nnonsense\n11.0.0.0\t8\tAS64501\n' >"$T/bad.pfx2as"
out=$("$MXSENSOR" asn -H --asn "$T/bad.pfx2as" 11.1.1.1 2>&1)
rc=$?
case $out in
*"bad.pfx2as:2: bad pfx2as line"*"bad.pfx2as:3: bad pfx2as line"*"11.1.1.1"*64501*)
	[ $rc = 1 ] && ok "bad lines reported as FILE:LINE, the rest used" ||
		not_ok "bad lines exit 1" "rc $rc";;
*)	not_ok "bad lines reported" "$out";;
esac
printf 'hello world\n' >"$T/junk"
"$MXSENSOR" asn --asn "$T/junk" 1.1.1.1 >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "junk:1: not a known ASN table" "$T/err" &&
	ok "unknown table format: FILE:LINE, exit 2" || not_ok "unknown format" "$(cat "$T/err")"
"$MXSENSOR" asn 1.1.1.1 >/dev/null 2>&1
[ $? = 2 ] && ok "no table: usage error" || not_ok "no table: usage error"
out=$(printf '1.1.1.1\nnot-an-address\n' | "$MXSENSOR" asn -H --asn "$A/asn-db_ip2asn-v4.tsv" 2>&1)
case $out in
*"-:2: not an address"*) ok "stdin: bad line reported as -:LINE";;
*) not_ok "stdin bad line" "$out";;
esac
