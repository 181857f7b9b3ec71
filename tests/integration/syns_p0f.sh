#!/bin/sh
# syns_p0f.sh - the p0f fields of `mxsensor syns` against p0f's own raw_sig.
#
# p0f -r FILE logs one "mod=syn" line per client SYN it fingerprints, with
#   raw_sig=ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
# For every capture of the corpus (and the bundled demo capture) each such
# line must match a record mxsensor prints for the same addresses and
# ports: IP version, IPv4 options length, MSS (p0f: 0 when absent), window
# (p0f may write it as mss*N), window scale (0 when absent), option layout,
# quirks and payload class (0 / +).  TTL is left out: p0f prints a guessed
# initial TTL there.
#
# Besides the corpus: a capture tests/tools/mkpcap --quirks writes, one
# SYN per p0f quirk and option oddity (each in its own flow), where every
# SYN must have a p0f signature.
#
# The other direction is not required: p0f skips SYNs mxsensor reads (IPv6
# extension headers, tunnels, link types whose offset it cannot find such
# as radiotap or ARCnet, big-endian IPoIB files, pcapng with several
# interfaces, retransmitted SYNs of one flow); the count is shown.

. tests/lib.sh

command -v p0f >/dev/null 2>&1 || { not_ok "peer present: p0f" "missing (scripts/setup.sh installs it)"; exit 1; }
FP=/etc/p0f/p0f.fp
need_file "$FP"
C="$CORPUS/pcap"
need_file "$C"

cat >"$T/cmp.py" <<'EOF'
import csv, ipaddress, sys

ours = {}
for r in csv.DictReader(open(sys.argv[1])):
    key = (ipaddress.ip_address(r['src']), int(r['sport']),
           ipaddress.ip_address(r['dst']), int(r['dport']))
    ours.setdefault(key, []).append(r)

def ours_sig(r, wsize):
    mss = int(r['mss'] or 0)
    if wsize.startswith('mss*'):
        win = str(int(wsize[4:]) * mss) if mss else '?'
    else:
        win = r['win']
    return ':'.join([r['family'], r['ip_olen'], str(mss), win + ',' + (r['wscale'] or '0'),
                     r['olayout'], r['quirks'], '0' if r['payload_len'] == '0' else '+'])

problems, matched = [], 0
for line in open(sys.argv[2]):
    if '] mod=syn|' not in line:
        continue
    f = dict(kv.split('=', 1) for kv in line.strip().split('] ', 1)[1].split('|'))
    if f.get('subj') != 'cli':
        continue
    ca, cp = f['cli'].rsplit('/', 1)
    sa, sp = f['srv'].rsplit('/', 1)
    key = (ipaddress.ip_address(ca), int(cp), ipaddress.ip_address(sa), int(sp))
    ver, _ittl, olen, mss, win, olayout, quirks, pclass = f['raw_sig'].split(':')
    wsize = win.split(',')[0]
    p0f = ':'.join([ver, olen, mss, wsize + ',' + win.split(',')[1], olayout, quirks, pclass])
    if wsize.startswith('mss*'):
        p0f = ':'.join([ver, olen, mss, str(int(wsize[4:]) * int(mss)) + ',' + win.split(',')[1],
                        olayout, quirks, pclass])
    cands = [ours_sig(r, wsize) for r in ours.get(key, [])]
    if p0f in cands:
        matched += 1
    else:
        problems.append('%s: p0f %s, mxsensor %s' % (key, p0f, cands or 'no SYN'))
for p in problems:
    print(p)
total = sum(len(v) for v in ours.values())
print('%d p0f signatures matched; mxsensor read %d SYNs' % (matched, total), file=sys.stderr)
open(sys.argv[3], 'a').write('%d\n' % matched)
sys.exit(1 if problems else 0)
EOF

"$MX_TOOLS/mkpcap" --quirks "$T/quirks.pcap" || not_ok "mkpcap --quirks"
for f in "$C"/*.pcap "$C"/*.pcapng examples/sample-syns.pcap "$T/quirks.pcap"; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	rm -f "$T/p0f.log"
	timeout 30 p0f -r "$f" -f "$FP" -o "$T/p0f.log" >/dev/null 2>&1
	[ -f "$T/p0f.log" ] || : >"$T/p0f.log"
	"$MXSENSOR" syns --all-ports "$f" >"$T/ours.csv" 2>/dev/null
	grep -c '] mod=syn|.*|subj=cli|' "$T/p0f.log" >>"$T/p0f.count"
	if out=$(python3 "$T/cmp.py" "$T/ours.csv" "$T/p0f.log" "$T/matched.count" 2>"$T/cmp.err"); then
		ok "$b: $(cat "$T/cmp.err")"
	else
		not_ok "$b" "$out"
	fi
done

# the quirks capture: p0f fingerprinted every SYN of it
nq=$("$MXSENSOR" syns --all-ports --no-header "$T/quirks.pcap" | wc -l)
pq=$(tail -n 1 "$T/matched.count")
[ "$nq" -ge 30 ] && [ "$pq" -eq "$nq" ] && ok "quirks capture: all $nq SYNs have a matching p0f signature" ||
	not_ok "quirks capture: every SYN has a matching p0f signature" "mxsensor $nq, matched $pq"

# every signature p0f printed was matched (the comparison did run)
want=$(awk '{ s += $1 } END { print s + 0 }' "$T/p0f.count")
got=$(awk '{ s += $1 } END { print s + 0 }' "$T/matched.count")
if [ "$want" -ge 30 ] && [ "$got" -eq "$want" ]; then
	ok "all $want p0f client SYN signatures matched"
else
	not_ok "all p0f client SYN signatures matched" "p0f printed $want, matched $got"
fi
