#!/bin/sh
# mxgen.sh - the synthetic trace generator (bench/mxgen.c) held against real
# peers: tshark decodes its pcap (SYN counts per family and per attempt equal
# the truth file, options and windows as documented for each stack,
# timestamps never go back), p0f -r recognises the stacks, addr6 classifies
# the IPv6 addresses as the truth file says, and the Postfix log lists
# exactly the clients the truth file marks as listed.
. tests/lib.sh

GEN="$MX_TOOLS/mxgen"
need_file "$GEN"
command -v tshark >/dev/null || { not_ok "tshark installed" "scripts/setup.sh installs it"; exit 1; }
command -v p0f >/dev/null || { not_ok "p0f installed" "scripts/setup.sh installs it"; exit 1; }
command -v addr6 >/dev/null || { not_ok "addr6 installed" "scripts/setup.sh installs ipv6toolkit"; exit 1; }
FP=/etc/p0f/p0f.fp
need_file "$FP"

gen() { # gen PREFIX SEED [extra options]
	p=$1 s=$2
	shift 2
	"$GEN" --clients 300 --seconds 600 --seed "$s" --pcap "$T/$p.pcap" \
		--truth "$T/$p.csv" --log "$T/$p.log" --clients-out "$T/$p.clients" "$@" \
		>"$T/$p.out" 2>"$T/$p.err"
}

if gen a 7; then ok "mxgen runs"; else not_ok "mxgen runs" "$(cat "$T/a.err")"; exit 1; fi
check "nothing on stdout, one summary line on stderr" \
	sh -c "[ ! -s '$T/a.out' ] && [ \$(wc -l <'$T/a.err') -eq 1 ] && grep -q 'SYNs' '$T/a.err'"

# usage errors exit 2 and write nothing
for bad in "--clients 10 --syns 100" "--mix nosuch=1" "--mix dual=x" "--seconds 5" "--clients 0"; do
	# shellcheck disable=SC2086
	"$GEN" $bad --pcap "$T/u.pcap" --truth "$T/u.csv" --log "$T/u.log" >/dev/null 2>"$T/u.err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q '^mxgen: ' "$T/u.err"; then ok "usage error exits 2: $bad"; else
		not_ok "usage error exits 2: $bad" "exit $rc" "$(head -2 "$T/u.err")"; fi
done
"$GEN" --pcap "$T/u.pcap" --truth "$T/u.csv" >/dev/null 2>&1
check "missing --log is a usage error" test $? -eq 2

# --syns scales the client count to the target
"$GEN" --syns 20000 --seconds 600 --seed 3 --pcap "$T/s.pcap" --truth "$T/s.csv" \
	--log "$T/s.log" 2>"$T/s.err"
check "--syns 20000 gives 19000..21000 SYNs" awk -F, '
	NR > 1 { n += $7 } END { print n; if (n < 19000 || n > 21000) exit 1 }' "$T/s.csv"

gen b 7
check "same seed, same pcap" cmp "$T/a.pcap" "$T/b.pcap"
check "same seed, same truth" cmp "$T/a.csv" "$T/b.csv"
check "same seed, same log" cmp "$T/a.log" "$T/b.log"
gen c 8
if cmp -s "$T/a.csv" "$T/c.csv"; then not_ok "another seed, another trace"; else ok "another seed, another trace"; fi

# --- tshark's view of every packet: ts_ns fam src sport kinds win ws mss ttl flags
tshark -r "$T/a.pcap" -T fields -E separator=/t -E occurrence=a -E aggregator=- \
	-e frame.time_epoch -e ip.src -e ipv6.src -e tcp.srcport -e tcp.option_kind \
	-e tcp.window_size_value -e tcp.options.wscale.shift -e tcp.options.mss_val \
	-e ip.ttl -e ipv6.hlim -e tcp.flags -e tcp.dstport -e ip.dst -e ipv6.dst \
	2>"$T/tshark.err" | awk -F'\t' -v OFS='\t' '{
		fam = $2 != "" ? 4 : 6; src = fam == 4 ? $2 : $3
		ttl = fam == 4 ? $9 : $10; dst = fam == 4 ? $13 : $14
		split($1, t, "."); ns = t[1] substr(t[2] "000000000", 1, 9)
		print ns, fam, src, $4, ($5 == "" ? "none" : $5), $6, ($7 == "" ? "-" : $7),
		      ($8 == "" ? "-" : $8), ttl, $11, $12, dst
	}' >"$T/pkts"
npk=$(wc -l <"$T/pkts")
if [ "$npk" -gt 500 ]; then ok "tshark decodes the pcap ($npk packets)"; else
	not_ok "tshark decodes the pcap" "$npk packets" "$(head -5 "$T/tshark.err")"; fi

check "every packet is a SYN to the sensor's port 25" awk -F'\t' '
	$10 != "0x0002" || $11 != 25 ||
	($2 == 4 && $12 != "192.0.2.25") || ($2 == 6 && $12 != "2001:db8:25::25") { bad++ }
	END { if (bad) { print bad " packets differ"; exit 1 } }' "$T/pkts"

check "timestamps never go back" awk -F'\t' '
	NR > 1 && (length($1) < length(prev) || (length($1) == length(prev) && $1 < prev)) { bad++ }
	{ prev = $1 }
	END { if (bad) { print bad " inversions"; exit 1 } }' "$T/pkts"

# SYN totals per family: tshark against the truth file
for fam in 4 6; do
	seen=$(awk -F'\t' -v f=$fam '$2 == f' "$T/pkts" | wc -l)
	want=$(awk -F, -v f=$fam 'NR > 1 && $3 == f { n += $7 } END { print n + 0 }' "$T/a.csv")
	if [ "$seen" -eq "$want" ] && [ "$want" -gt 0 ]; then
		ok "IPv$fam SYN count equals the truth file ($want)"
	else
		not_ok "IPv$fam SYN count equals the truth file" "tshark $seen, truth $want"
	fi
done

# per attempt: SYNs per (family, source, port) and each first SYN's time
check "SYNs per attempt and first-SYN times match the truth file" awk -F'\t' '
	FNR == NR { n[$2 "|" $3 "|" $4]++; at[$2 "|" $3 "|" $4 "|" $1] = 1; next }
	FNR > 1 { split($0, f, ","); k = f[3] "|" f[4] "|" f[5]; want[k] += f[7]
		  if (!((k "|" f[6]) in at)) { print "no SYN at first_ts_ns of attempt " f[1]; bad++ } }
	END { for (k in n) if (n[k] != want[k]) { print k ": pcap " n[k] ", truth " want[k]; bad++ }
	      for (k in want) if (!(k in n)) { print k ": not in pcap"; bad++ }
	      if (bad) exit 1 }' "$T/pkts" "$T/a.csv"

# TCP options, window and TTL as documented for each stack (bench/README.md)
check "options, window, scale and TTL decode as intended per OS" awk -F'\t' '
	FNR == NR { if (FNR > 1) { split($0, f, ","); os[f[3] "|" f[4] "|" f[5]] = f[8] }; next }
	{ o = os[$2 "|" $3 "|" $4]; k = $5; w = $6; s = $7; m = $8; t = $9; ok = 0
	  if (o == "windows7") ok = k == "2-1-3-1-1-4" && w == 8192 && (s == 2 || s == 8) && t > 64 && t <= 128
	  else if (o == "windowsxp") ok = k == "2-1-1-4" && w == 65535 && t > 64 && t <= 128
	  else if (o == "linux") ok = k == "2-4-8-1-3" && s == 7 && (w == m * 20 || w == 64240 || w == 64800) && t <= 64
	  else if (o == "macos") ok = k == "2-1-3-1-1-8-4-0-0" && w == 65535 && s == 6 && t <= 64
	  else if (o == "masscan") ok = k == "none" && w == 1024
	  else if (o == "zmap") ok = k == "2" && m == 1460 && w == 65535
	  else if (o == "nmap") ok = k == "2" && m == 1460 && w == 1024 && t <= 64
	  seen[o]++
	  if (!ok) { if (bad++ < 5) print "os " o ": " $0 } }
	END { for (o in seen) printf "%s=%d ", o, seen[o]; print ""
	      if (bad || !seen["windows7"] || !seen["linux"] || !seen["macos"] || !seen["masscan"]) exit 1 }' \
	"$T/a.csv" "$T/pkts"

# --- the truth file's own consistency
check "partners are mutual, same client, other family" awk -F, '
	NR > 1 { id[$1] = $0; cl[$1] = $2; fa[$1] = $3; pa[$1] = $10 }
	END { for (i in id) if (pa[i] != "") { p = pa[i]
		if (pa[p] != i || cl[p] != cl[i] || fa[p] == fa[i]) { print "attempt " i; bad++ } }
	      if (bad) exit 1 }' "$T/a.csv"

check "partner order: IPv4 first for 6to4, IPv6 first otherwise" awk -F, '
	NR > 1 { ts[$1] = $6; fa[$1] = $3; ty[$1] = $9; pa[$1] = $10 }
	END { for (i in ts) if (pa[i] != "" && fa[i] == 6) { p = pa[i]
		v6first = ts[i] < ts[p]
		if ((ty[i] == "6to4") == v6first) { print "attempt " i; bad++ }
		sub6++ }
	      if (bad || !sub6) exit 1 }' "$T/a.csv"

check "some IPv4 fallbacks come within a millisecond" awk -F, '
	NR > 1 { ts[$1] = $6; fa[$1] = $3; pa[$1] = $10; n[$1] = $7 }
	END { for (i in ts) if (fa[i] == 4 && pa[i] != "" && n[pa[i]] == 1) {
		d = ts[i] - ts[pa[i]]; if (d > 0 && d < 1000000) fast++ }
	      print fast + 0; if (fast < 3) exit 1 }' "$T/a.csv"

check "several clients start within the same millisecond" awk -F, '
	NR > 1 && $3 == 4 { ms = substr($6, 1, length($6) - 6); if (seen[ms] && seen[ms] != $2) hit++; seen[ms] = $2 }
	END { print hit + 0; if (hit < 3) exit 1 }' "$T/a.csv"

check "Windows ports: one pool, IPv4 port just above the IPv6 one" awk -F, '
	NR > 1 { po[$1] = $5; fa[$1] = $3; os[$1] = $8; pa[$1] = $10; ty[$1] = $9 }
	END { for (i in po) if (fa[i] == 6 && pa[i] != "" && os[i] == "windows7" && ty[i] != "6to4") {
		d = po[pa[i]] - po[i]; n++; if (d < 1 || d > 4) { print "attempt " i ": " d; bad++ } }
	      if (bad || !n) exit 1 }' "$T/a.csv"

check "misbehaving /64: siblings, no IPv4, every 5 s" awk -F, '
	FNR == NR { if ($2 == "misbehaving") mis[$1] = 1; next }
	FNR > 1 && ($2 in mis) { if ($3 != 6 || $10 != "") bad++; split($4, g, ":")
		p = g[1] ":" g[2] ":" g[3] ":" g[4]; pre[p] = 1; n++; src[$4] = 1 }
	END { np = 0; for (p in pre) np++
	      print n " attempts, " np " prefixes"
	      if (bad || np != 1 || n < 100) exit 1 }' "$T/a.clients" "$T/a.csv"

check "misbehaving attempts start 5 s apart" sh -c "
	awk -F, 'FNR == NR { if (\$2 == \"misbehaving\") mis[\$1] = 1; next }
		FNR > 1 && (\$2 in mis) { print \$6 }' '$T/a.clients' '$T/a.csv' | sort -n |
	awk 'NR > 1 { d = (\$1 - p) / 1e9; if (d < 4.9 || d > 5.1) { print d; bad++ } } { p = \$1 }
		END { if (bad || NR < 100) exit 1 }'"

# addr6 (ipv6toolkit) classifies the IPv6 sources as the truth file says
awk -F, 'NR > 1 && $3 == 6 && $9 != "teredo" { print $4 "," $9 }' "$T/a.csv" | sort -u >"$T/v6types"
cut -d, -f1 "$T/v6types" | addr6 -i -d >"$T/addr6.out" 2>&1
check "addr6 agrees on 6to4, EUI-64 and randomized sources" sh -c "
	paste -d, '$T/v6types' '$T/addr6.out' | awk -F, '
	{ split(\$3, c, \"=\"); t = \$2; n[t]++
	  if ((t == \"6to4\" && c[2] != \"6to4\") || (t == \"eui64\" && c[4] != \"ieee-derived\") ||
	      (t == \"randomized\" && c[4] != \"randomized\")) { print; bad++ } }
	END { for (t in n) printf \"%s=%d \", t, n[t]; print \"\"
	      if (bad || !n[\"6to4\"] || !n[\"eui64\"] || !n[\"randomized\"]) exit 1 }'"

check "6to4 and Teredo sources embed their partner's IPv4" awk -F, '
	function hex(s,   i, v) { v = 0; s = tolower(s)
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v }
	function v4(s,   q) { split(s, q, "."); return ((q[1] * 256 + q[2]) * 256 + q[3]) * 256 + q[4] }
	NR > 1 { src[$1] = $4; ty[$1] = $9; pa[$1] = $10 }
	END { for (i in src) if ((ty[i] == "6to4" || ty[i] == "teredo") && pa[i] != "") {
		n = split(src[i], g, ":"); want = v4(src[pa[i]])
		if (ty[i] == "6to4") got = hex(g[2]) * 65536 + hex(g[3])
		else got = 4294967295 - (hex(g[n - 1]) * 65536 + hex(g[n]))
		seen[ty[i]]++
		if (got != want) { print src[i] " vs " src[pa[i]]; bad++ } }
	      if (bad || !seen["6to4"] || !seen["teredo"]) exit 1 }' "$T/a.csv"

# --- the Postfix log: listed clients exactly, in time order
grep -o 'Client host \[[0-9.]*\] blocked using' "$T/a.log" | tr -d '[]' | awk '{ print $3 }' |
	sort -u >"$T/rbl"
awk -F, 'NR > 1 && $3 == 4 && $11 == 1 { print $4 }' "$T/a.csv" | sort -u >"$T/listed"
awk -F, 'NR > 1 && $3 == 4 && $11 == 0 { print $4 }' "$T/a.csv" | sort -u >"$T/unlisted"
check "every listed IPv4 has a DNSBL reject in the log" sh -c "
	[ -s '$T/listed' ] && [ -z \"\$(comm -23 '$T/listed' '$T/rbl')\" ]"
check "no unlisted IPv4 has a DNSBL reject in the log" sh -c "
	[ -s '$T/unlisted' ] && [ -z \"\$(comm -12 '$T/unlisted' '$T/rbl')\" ]"
check "some unlisted clients get User unknown rejects" sh -c "
	grep 'User unknown' '$T/a.log' | grep -o '\[[0-9.]*\]:' | tr -d '[]:' | sort -u |
	comm -12 - '$T/unlisted' | grep -q ."
check "log has postscreen DNSBL rank and accepted-message noise" sh -c "
	grep -q 'postscreen\[[0-9]*\]: DNSBL rank [0-9]* for \[' '$T/a.log' &&
	grep -q 'postfix/smtpd\[[0-9]*\]: [0-9A-F]*: client=' '$T/a.log'"
check "log lines in time order" awk '{ t = $3 } NR > 1 && t < prev { bad++ } { prev = t }
	END { if (bad) exit 1 }' "$T/a.log"

# --- p0f (its own database) recognises the stacks
p0f -f "$FP" -r "$T/a.pcap" -o "$T/p0f.log" >"$T/p0f.out" 2>&1
awk -F'|' '/mod=syn\|/ && /subj=cli/ {
		sub(/^cli=/, "", $2); n = split($2, a, "/"); port = a[n]; addr = substr($2, 1, length($2) - length(port) - 1)
		os = $5; sub(/^os=/, "", os); print addr "\t" port "\t" os }' "$T/p0f.log" >"$T/p0f.tsv"
npf=$(wc -l <"$T/p0f.tsv")
nfl=$(cut -f2-4 "$T/pkts" | sort -u | wc -l)
if [ "$npf" -eq "$nfl" ]; then ok "p0f reports every attempt once ($npf)"; else
	not_ok "p0f reports every attempt once" "p0f $npf, flows $nfl" "$(tail -3 "$T/p0f.out")"; fi

# p0f prints IPv6 uncompressed without leading zeros; bring the truth to that form
awk -F, -v OFS='\t' '
	function p0f6(s,   n, g, h, i, j, out, m, parts, hn, tn) {
		if (index(s, ":") == 0) return s
		n = split(s, parts, "::")
		hn = n >= 1 && parts[1] != "" ? split(parts[1], h, ":") : 0
		tn = n == 2 && parts[2] != "" ? split(parts[2], g, ":") : 0
		out = ""; m = 0
		for (i = 1; i <= hn; i++) out = out (m++ ? ":" : "") h[i]
		for (i = 0; i < 8 - hn - tn; i++) out = out (m++ ? ":" : "") "0"
		for (i = 1; i <= tn; i++) out = out (m++ ? ":" : "") g[i]
		return out }
	NR > 1 { print p0f6($4), $5, $8, $3 }' "$T/a.csv" >"$T/truth.tsv"
awk -F'\t' '
	FNR == NR { os[$1 "|" $2] = $3; fam[$1 "|" $2] = $4; next }
	{ o = os[$1 "|" $2]; if (o == "") o = "?"; g = $3
	  c = g ~ /^Windows/ ? "Windows" : g ~ /^Linux/ ? "Linux" : g ~ /^Mac OS/ ? "Mac" : g == "???" ? "unknown" : "other"
	  n[o]++; hit[o "|" c]++; if (c != "unknown") known[o]++
	  if (fam[$1 "|" $2] == 4) { n4[o]++; hit4[o "|" c]++ } }
	END { printf "p0f agreement (right/named/all, IPv4 right/all):"
	      split("windows7:Windows windowsxp:Windows linux:Linux macos:Mac", pairs, " ")
	      for (i in pairs) { split(pairs[i], q, ":")
		printf " %s->%s %d/%d/%d %d/%d;", q[1], q[2], hit[q[1] "|" q[2]], known[q[1]], n[q[1]],
		       hit4[q[1] "|" q[2]], n4[q[1]] }
	      print "" }' "$T/truth.tsv" "$T/p0f.tsv" >"$T/agree"
echo "# $(cat "$T/agree")"
# the right stack must dominate what p0f names, and on IPv4 (no flow labels) be >= 90%
check "p0f: windows rows are Windows, linux rows Linux, macos rows Mac OS X" \
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /->/) { split($(i + 1), a, "/"); split($(i + 2), b, "[/;]")
		seen++
		if (a[3] > 0 && !(2 * a[1] > a[2])) { print $i " " $(i + 1); bad++ }
		if (b[2] > 0 && !(10 * b[1] >= 9 * b[2])) { print $i " IPv4 " $(i + 2); bad++ } } }
	END { if (bad || seen != 4) exit 1 }' "$T/agree"
