#!/bin/sh
# p0f_oracle.sh - mxsensor's SYN fingerprints against the real p0f 3.09b.
#
# Verdicts come from `mxsensor syns --os` (the sensor's own packet parser)
# and, as a second opinion, from tests/tools/fp_dump (a stand-alone reading
# of p0f's packet rules), so a difference can be told apart as parser or
# matcher.
#
# (a) a generated pcap with SYNs for every [tcp:request] signature of
#     p0f.fp (IPv4 and IPv6 as the signature allows, TTL distances 0, 1..35
#     and past p0f's limit), the raw signatures of p0f's extra-sigs.txt,
#     and random variants that exercise fuzzy and no-match paths;
# (b) every SYN to port 25 in the corpus pcaps (and, as a wider check,
#     every SYN p0f logs there);
# (c) a synthetic sensor trace from bench/mxgen (Windows, Linux and macOS
#     clients retrying to port 25 over IPv4 and IPv6).
# For each SYN p0f logs, the label, distance, params, raw_sig and link must
# be mxsensor's too; every disagreement is printed with what differs, and
# the agreement must be at least 99.5 %.
. tests/lib.sh

DB=/etc/p0f/p0f.fp
EXTRA=$CORPUS/p0f/p0f_extra-sigs.txt
CMP=tests/integration/p0f_compare.awk
need_file "$DB"
need_file "$EXTRA"
need_file "$MX_TOOLS/fp_gen_pcap"
need_file "$MX_TOOLS/fp_dump"
need_file "$MXSENSOR"
command -v python3 >/dev/null 2>&1 || { not_ok "python3 installed" "install it: scripts/setup.sh"; exit 1; }
command -v p0f >/dev/null 2>&1 || { not_ok "p0f installed" "install it: scripts/setup.sh"; exit 1; }

# verdicts PCAP - mxsensor's verdict lines for a pcap (every port)
verdicts() {
	"$MXSENSOR" syns --os --fp-db "$DB" --all-ports --format jsonl "$1" |
		python3 tests/integration/syns_to_p0f.py
}
# verdicts_dump PCAP - the same through fp_dump's own packet reading
verdicts_dump() {
	"$MX_TOOLS/fp_dump" -f "$DB" "$1"
}

# p0f_log PCAP LOG - run the real p0f over a pcap (no privileges needed)
p0f_log() {
	rm -f "$2"
	timeout 120 p0f -r "$1" -f "$DB" -o "$2" -m 100000,500000 >/dev/null 2>"$T/p0f.err" ||
		echo "# p0f on $(basename "$1"): $(grep ABORT "$T/p0f.err")"
	[ -f "$2" ] || : >"$2"
}

total_agree=0
total_syns=0
# compare SCOPE MX LOG [MANIFEST] [PORT] - print DIFF lines; sets cmp_agree, cmp_total
compare() {
	awk -F'|' -v scope="$1" -v port="${5:-}" -f "$CMP" "$2" "$3" ${4:+"$4"} >"$T/cmp.out"
	sed -n 's/^DIFF /# DIFF /p' "$T/cmp.out"
	set -- $(sed -n 's/^agree \([0-9]*\) of \([0-9]*\)$/\1 \2/p' "$T/cmp.out")
	cmp_agree=${1:-0}
	cmp_total=${2:-0}
}

# (a) generated SYNs
"$MX_TOOLS/fp_gen_pcap" -f "$DB" -r "$EXTRA" -x 5000 -s 20140219 -m "$T/gen.man" "$T/gen.pcap" 2>"$T/gen.err" ||
	{ not_ok "generate SYNs from $DB" "$(cat "$T/gen.err")"; exit 1; }
# every sig line of [tcp:request] got SYNs
want=$(awk '/^\[/ { s = ($0 == "[tcp:request]") } s && /^[ \t]*sig[ \t]*=/ { n++ } END { print n + 0 }' "$DB")
have=$(awk -F'\t' -v db="$DB" 'index($2, db ":") == 1 { seen[$2] = 1 } END { n = 0; for (k in seen) n++; print n }' "$T/gen.man")
if [ "$want" -gt 0 ] && [ "$want" = "$have" ]; then
	ok "generated SYNs cover all $want [tcp:request] signatures"
else
	not_ok "generated SYNs cover all [tcp:request] signatures" "want $want, have $have"
fi
verdicts "$T/gen.pcap" >"$T/gen.mx"
p0f_log "$T/gen.pcap" "$T/gen.log"
compare generated "$T/gen.mx" "$T/gen.log" "$T/gen.man"
total_agree=$cmp_agree
total_syns=$cmp_total
gen_syns=$(wc -l <"$T/gen.man")
if [ "$cmp_total" -eq "$gen_syns" ] && [ "$cmp_total" -gt 0 ]; then
	ok "p0f logged all $gen_syns generated SYNs"
else
	not_ok "p0f logged all generated SYNs" "p0f $cmp_total, generated $gen_syns"
fi
echo "# generated: $cmp_agree of $cmp_total SYNs agree"
verdicts_dump "$T/gen.pcap" >"$T/gen.dump"
compare generated-fp_dump "$T/gen.dump" "$T/gen.log" "$T/gen.man"
if [ "$cmp_total" -gt 0 ] && [ "$cmp_agree" -eq "$cmp_total" ]; then
	ok "fp_dump reading: all $cmp_total generated SYNs agree with p0f"
else
	not_ok "fp_dump reading agrees with p0f on generated SYNs" "$cmp_agree of $cmp_total"
fi

# (b) corpus pcaps: port 25, then all SYNs
c25_agree=0
c25_total=0
call_agree=0
call_total=0
for f in "$CORPUS"/pcap/*.pcap "$CORPUS"/pcap/*.pcapng; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	p0f_log "$f" "$T/c.log"
	verdicts "$f" >"$T/c.mx" 2>/dev/null
	compare "$b:25" "$T/c.mx" "$T/c.log" "" 25
	c25_agree=$((c25_agree + cmp_agree))
	c25_total=$((c25_total + cmp_total))
	total_agree=$((total_agree + cmp_agree))
	total_syns=$((total_syns + cmp_total))
	compare "$b" "$T/c.mx" "$T/c.log" >/dev/null
	call_agree=$((call_agree + cmp_agree))
	call_total=$((call_total + cmp_total))
done
echo "# corpus: port 25: $c25_agree of $c25_total SYNs agree; all ports: $call_agree of $call_total"
if [ "$c25_total" -gt 0 ] && [ "$c25_agree" -eq "$c25_total" ]; then
	ok "corpus port-25 SYNs: all $c25_total agree with p0f"
else
	not_ok "corpus port-25 SYNs agree with p0f" "$c25_agree of $c25_total"
fi

# (c) a synthetic sensor trace
if [ -x "$MX_TOOLS/mxgen" ]; then
	"$MX_TOOLS/mxgen" --clients 2000 --seconds 600 --seed 5 --pcap "$T/mg.pcap" \
		--truth "$T/mg.csv" --log "$T/mg.log" >/dev/null 2>&1
	p0f_log "$T/mg.pcap" "$T/mg.p0f"
	verdicts "$T/mg.pcap" >"$T/mg.mx"
	compare mxgen "$T/mg.mx" "$T/mg.p0f" "" 25
	total_agree=$((total_agree + cmp_agree))
	total_syns=$((total_syns + cmp_total))
	if [ "$cmp_total" -gt 1000 ] && [ "$cmp_agree" -eq "$cmp_total" ]; then
		ok "mxgen trace: all $cmp_total SYNs p0f logs agree"
	else
		not_ok "mxgen trace SYNs agree with p0f" "$cmp_agree of $cmp_total"
	fi
else
	not_ok "mxgen built" "missing $MX_TOOLS/mxgen"
fi

pct=$(awk -v a="$total_agree" -v n="$total_syns" 'BEGIN { printf "%.3f", n ? 100 * a / n : 0 }')
echo "# agreement with p0f 3.09b: $total_agree of $total_syns SYNs ($pct %)"
if awk -v a="$total_agree" -v n="$total_syns" 'BEGIN { exit !(n > 0 && a * 1000 >= n * 995) }'; then
	ok "agreement with p0f >= 99.5 % ($pct %)"
else
	not_ok "agreement with p0f >= 99.5 %" "$pct %"
fi

# the comparison can fail: a database with one label changed must disagree
sed 's/^label = s:unix:Linux:3.11 and newer$/label = s:unix:Linux:3.11 renamed/' "$DB" >"$T/bad.fp"
"$MXSENSOR" syns --os --fp-db "$T/bad.fp" --format jsonl "$T/gen.pcap" |
	python3 tests/integration/syns_to_p0f.py >"$T/bad.mx"
compare renamed "$T/bad.mx" "$T/gen.log" "$T/gen.man" >/dev/null
if [ "$cmp_total" -gt 0 ] && [ "$cmp_agree" -lt "$cmp_total" ]; then
	ok "a changed label is caught ($((cmp_total - cmp_agree)) SYNs differ)"
else
	not_ok "a changed label is caught" "$cmp_agree of $cmp_total agree"
fi
