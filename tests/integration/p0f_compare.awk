# p0f_compare.awk - set mxsensor's SYN verdicts beside p0f's own log.
#
#   awk -F'|' -v scope=NAME -f p0f_compare.awk MX.txt P0F.log [MANIFEST]
#
# MX.txt: fp_dump / `syns --os --p0f-fields` lines (pkt=|cli=|srv=|os= or
# app=|dist=|params=|raw_sig=|link=).  P0F.log: p0f -o output; its
# mod=syn (and "sendsyn probe") records are the reference, its mod=mtu
# records give link=.  Every p0f SYN is looked up by client and server
# (first unused mxsensor line with the same raw_sig, else the first unused
# one).  Prints one "DIFF" line per disagreement with what differs, then
# "agree N of M"; MANIFEST (sport -> signature line) adds where a
# generated SYN came from.
function field(name,    i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
FILENAME == ARGV[1] {
	key = field("cli") "|" field("srv")
	n = ++mxn[key]
	os = field("os"); if (os == "") os = "app:" field("app")
	mxos[key, n] = os
	mxdist[key, n] = field("dist")
	mxparams[key, n] = field("params")
	mxraw[key, n] = field("raw_sig")
	mxlink[key, n] = field("link")
	next
}
FILENAME == ARGV[2] {
	sub(/^\[[^]]*\] /, "")
	mod = field("mod")
	key = field("cli") "|" field("srv")
	if (mod == "mtu" && field("subj") == "cli") {
		plink[key, pn[key]] = field("link")
		next
	}
	if ((mod != "syn" && mod != "sendsyn probe") || field("subj") != "cli")
		next
	if (port != "" && field("srv") !~ ("/" port "$"))
		next
	i = ++pn[key]
	order[++total] = key SUBSEP i
	os = field("os"); if (os == "") os = "app:" field("app")
	pos[key, i] = os
	pdist[key, i] = field("dist")
	pparams[key, i] = field("params")
	praw[key, i] = field("raw_sig")
	pmod[key, i] = mod
	if (mod == "sendsyn probe") sub(/^app:/, "", pos[key, i])
	next
}
{ where[$1] = $2 }       # manifest: sport TAB file:line TAB label
END {
	agree = 0
	for (t = 1; t <= total; t++) {
		split(order[t], kk, SUBSEP)
		key = kk[1]; i = kk[2]
		m = 0
		for (j = 1; j <= mxn[key]; j++)
			if (!used[key, j] && mxraw[key, j] == praw[key, i]) { m = j; break }
		if (!m)
			for (j = 1; j <= mxn[key]; j++)
				if (!used[key, j]) { m = j; break }
		why = ""
		if (!m) {
			why = "mxsensor saw no SYN"
		} else {
			used[key, m] = 1
			if (mxos[key, m] != pos[key, i])
				why = why sprintf(" label mx=[%s] p0f=[%s];", mxos[key, m], pos[key, i])
			if (mxraw[key, m] != praw[key, i])
				why = why sprintf(" raw_sig mx=[%s] p0f=[%s];", mxraw[key, m], praw[key, i])
			if (mxdist[key, m] != pdist[key, i])
				why = why sprintf(" dist mx=%s p0f=%s;", mxdist[key, m], pdist[key, i])
			if (mxparams[key, m] != pparams[key, i])
				why = why sprintf(" params mx=[%s] p0f=[%s];", mxparams[key, m], pparams[key, i])
			if (((key, i) in plink) && mxlink[key, m] != plink[key, i])
				why = why sprintf(" link mx=[%s] p0f=[%s];", mxlink[key, m], plink[key, i])
		}
		if (why == "") {
			agree++
			continue
		}
		sp = key; sub(/\|.*/, "", sp); sub(/.*\//, "", sp)
		src = (sp in where) ? " (generated from " where[sp] ")" : ""
		printf "DIFF %s %s%s:%s\n", scope, key, src, why
	}
	printf "agree %d of %d\n", agree, total
}
