# enrich_dns.sh - `analyze --ptr --asn-dns` against a real DNS server (NSD)
# on a loopback port, serving PTR zones (in-addr.arpa, ip6.arpa nibbles)
# and a Team Cymru-style origin/origin6/AS-name TXT zone written from an
# mxgen trace's truth (tests/tools/enrich_fixture.py).  Checks every host's
# name, registered domain, AS and AS name, every candidate's ASN/PTR
# points, the association against the truth, that a re-run with the
# server gone answers everything from the store's cache, that a server
# that never answers costs bounded time and caches nothing, that the same
# data given offline (--ptr-file, --asn tables) gives the same hosts, and
# that without options nothing is looked up.
. tests/lib.sh

FIX="python3 tests/tools/enrich_fixture.py"
command -v nsd >/dev/null || { not_ok "nsd installed (scripts/setup.sh)"; exit 0; }

"$MX_TOOLS/mxgen" --clients 120 --seconds 600 --seed 3 --pcap "$T/s.pcap" \
	--truth "$T/truth.csv" --log "$T/mail.log" 2>/dev/null || { not_ok "mxgen"; exit 0; }
mkdir -p "$T/z"
$FIX gen "$T/truth.csv" "$T/z" || { not_ok "fixture"; exit 0; }

# start_nsd - NSD in the foreground on a free loopback port; sets PORT, NSD_PID
start_nsd() {
	for try in 1 2 3 4 5; do
		PORT=$((20000 + ($$ * 7 + try * 977) % 40000))
		cat >"$T/z/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$PORT
	port: $PORT
	username: ""
	chroot: ""
	zonesdir: "$T/z"
	pidfile: "$T/z/nsd.pid"
	database: ""
	xfrdfile: "$T/z/xfrd.state"
	zonelistfile: "$T/z/zone.list"
	logfile: "$T/z/nsd.log"
	do-ip6: no
	server-count: 1
	verbosity: 2
remote-control:
	control-enable: no
zone:
	name: "in-addr.arpa"
	zonefile: "in-addr.zone"
zone:
	name: "ip6.arpa"
	zonefile: "ip6.zone"
zone:
	name: "asn.cymru.com"
	zonefile: "cymru.zone"
EOF
		: >"$T/z/nsd.log"
		nsd -d -c "$T/z/nsd.conf" >/dev/null 2>&1 &
		NSD_PID=$!
		for i in $(seq 1 50); do
			grep -q "nsd started" "$T/z/nsd.log" 2>/dev/null && return 0
			kill -0 "$NSD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$NSD_PID" 2>/dev/null
		wait "$NSD_PID" 2>/dev/null
	done
	return 1
}
stop_nsd() {
	kill "$NSD_PID" 2>/dev/null
	wait "$NSD_PID" 2>/dev/null
}
trap 'stop_nsd; [ -n "$SILENT_PID" ] && kill "$SILENT_PID" 2>/dev/null; rm -rf "$T"' EXIT INT TERM

if ! start_nsd; then
	not_ok "NSD starts on a loopback port" "$(cat "$T/z/nsd.log")"
	exit 0
fi
ok "NSD serves the fixture zones on 127.0.0.1:$PORT"

DNS="--dns-server 127.0.0.1:$PORT --dns-timeout 1s"
ANALYZE="$MXSENSOR analyze --db $T/dns.db --pcap $T/s.pcap --mta-log $T/mail.log"

# 1. live look-ups
if $ANALYZE --ptr --asn-dns $DNS >"$T/out1" 2>&1; then
	ok "analyze --ptr --asn-dns"
else
	not_ok "analyze --ptr --asn-dns" "$(cat "$T/out1")"
fi
hosts=$(sqlite3 "$T/dns.db" "SELECT COUNT(*) FROM hosts")
line=$(grep '^enrichment' "$T/out1")
case $line in
*"$hosts hosts: $hosts with an AS"*"0 cached, $hosts asked, 0 failed"*)
	ok "every host asked once ($line)";;
*)	not_ok "every host asked once" "$line" "hosts: $hosts";;
esac
if out=$($FIX check "$T/dns.db" "$T/truth.csv" "$T/z"); then
	ok "hosts and candidate evidence from DNS: $out"
else
	not_ok "hosts and candidate evidence from DNS" "$out"
fi
if out=$(python3 tests/tools/truth_eval.py "$T/dns.db" "$T/truth.csv" --min-precision 0.99 \
	--min-recall 0.95); then
	ok "association with enrichment: $(echo "$out" | grep precision)"
else
	not_ok "association with enrichment" "$out"
fi
# what NSD saw: one query per address and zone (verbosity 2 logs none;
# count from the cache instead)
n=$(sqlite3 "$T/dns.db" "SELECT (SELECT COUNT(*) FROM ptr_cache) || ' ' ||
	(SELECT COUNT(*) FROM ptr_cache WHERE status = 'absent') || ' ' ||
	(SELECT COUNT(*) FROM asn_cache WHERE status = 'ok' AND as_name IS NOT NULL)")
set -- $n
if [ "$1" = "$hosts" ] && [ "$2" -gt 0 ] && [ "$3" = "$hosts" ]; then
	ok "cache holds $1 PTR answers ($2 negative) and $3 origin ASes with names"
else
	not_ok "cache contents" "$n (hosts $hosts)"
fi

# 2. a re-run with the server gone: everything from the cache
stop_nsd
before=$(sqlite3 "$T/dns.db" "SELECT group_concat(addr || '=' || ifnull(ptr,'') || '/' || ifnull(asn,''), ' ') FROM hosts ORDER BY addr")
if $ANALYZE --ptr --asn-dns $DNS >"$T/out2" 2>&1 &&
	grep -q "$hosts cached, 0 asked, 0 failed" "$T/out2"; then
	ok "re-run asks nothing: $(grep '^enrichment' "$T/out2")"
else
	not_ok "re-run asks nothing" "$(cat "$T/out2")"
fi
after=$(sqlite3 "$T/dns.db" "SELECT group_concat(addr || '=' || ifnull(ptr,'') || '/' || ifnull(asn,''), ' ') FROM hosts ORDER BY addr")
[ "$before" = "$after" ] && ok "re-run gives the same hosts" ||
	not_ok "re-run gives the same hosts"

# 3. a server that never answers: bounded, counted, not cached
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(60)' >"$T/silent.port" &
SILENT_PID=$!
for i in $(seq 1 50); do [ -s "$T/silent.port" ] && break; sleep 0.1; done
SP=$(cat "$T/silent.port")
start=$(date +%s)
"$MXSENSOR" analyze --db "$T/silent.db" --pcap "$T/s.pcap" --ptr --asn-dns \
	--dns-server "127.0.0.1:$SP" --dns-timeout 200ms --dns-tries 2 \
	--dns-concurrency 200 --dns-rate 0 >"$T/out3" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
cached=$(sqlite3 "$T/silent.db" "SELECT (SELECT COUNT(*) FROM ptr_cache) + (SELECT COUNT(*) FROM asn_cache)")
case $(grep '^enrichment' "$T/out3") in
*"0 with a PTR name"*"$hosts asked, $hosts failed"*)
	if [ "$rc" = 0 ] && [ "$secs" -le 10 ] && [ "$cached" = 0 ]; then
		ok "silent server: all $hosts time out in ${secs}s, nothing cached"
	else
		not_ok "silent server" "rc $rc, ${secs}s, cached $cached"
	fi;;
*)	not_ok "silent server" "$(cat "$T/out3")";;
esac
kill "$SILENT_PID" 2>/dev/null
wait "$SILENT_PID" 2>/dev/null
SILENT_PID=

# 4. the same data offline: --ptr-file and --asn tables
if "$MXSENSOR" analyze --db "$T/off.db" --pcap "$T/s.pcap" --mta-log "$T/mail.log" \
	--ptr-file "$T/z/ptr.txt" --asn "$T/z/pfx2as" --asn "$T/z/ip2asn.tsv" \
	--asn "$T/z/asnames.csv" >"$T/out4" 2>&1 &&
	out=$($FIX check "$T/off.db" "$T/truth.csv" "$T/z"); then
	ok "offline --ptr-file and --asn: $out"
else
	not_ok "offline --ptr-file and --asn" "$(cat "$T/out4")" "$out"
fi
n=$(sqlite3 "$T/off.db" "SELECT COUNT(*) FROM ptr_cache")
[ "$n" = 0 ] && ok "offline run asks no DNS" || not_ok "offline run asks no DNS" "$n cached"

# 4b. names that are not UTF-8 (a Latin-1 AS names file, a PTR list
# with raw bytes): the JSON exports stay UTF-8 (RFC 8259), each ill-formed
# byte a U+FFFD; CSV keeps the bytes as given
H6=3fff:d56:7d3:ccc0:45eb:85a:a468:9652
{ printf '%s caf\351.example.net\n' "$H6"; cat "$T/z/ptr.txt"; } >"$T/latin-ptr.txt"
printf 'asn,name\nAS64501,T\351l\351 NET\n' >"$T/latin-asnames.csv"
"$MXSENSOR" analyze -q --db "$T/latin.db" --pcap "$T/s.pcap" --mta-log "$T/mail.log" \
	--ptr-file "$T/latin-ptr.txt" --asn "$T/latin-asnames.csv" --asn "$T/z/pfx2as" \
	--asn "$T/z/ip2asn.tsv" >"$T/out4b" 2>&1
"$MXSENSOR" hosts --db "$T/latin.db" --format jsonl >"$T/latin.jsonl"
"$MXSENSOR" report --db "$T/latin.db" --format json >"$T/latin.json"
if out=$(python3 -c '
import json, sys
rows = [json.loads(l.decode("utf-8")) for l in open(sys.argv[1], "rb")]
json.loads(open(sys.argv[2], "rb").read().decode("utf-8"))
h = [r for r in rows if r["addr"] == sys.argv[3]]
assert len(h) == 1, h
assert h[0]["ptr"] == "caf\ufffd.example.net", h[0]["ptr"]
assert h[0]["as_name"] == "T\ufffdl\ufffd NET", h[0]["as_name"]
print(len(rows), "rows")' "$T/latin.jsonl" "$T/latin.json" "$H6" 2>&1); then
	ok "Latin-1 PTR and AS names: hosts JSON lines and report JSON are UTF-8 ($out)"
else
	not_ok "Latin-1 names in the JSON exports" "$out" "$(cat "$T/out4b")"
fi
if "$MXSENSOR" hosts --db "$T/latin.db" --format csv | grep -a -q "$(printf 'caf\351.example.net')"; then
	ok "hosts CSV keeps the name's bytes"
else
	not_ok "hosts CSV keeps the name's bytes"
fi

# 5. no options: no enrichment, no look-ups, no points
"$MXSENSOR" analyze -q --db "$T/none.db" --pcap "$T/s.pcap" --mta-log "$T/mail.log"
n=$(sqlite3 "$T/none.db" "SELECT (SELECT COUNT(*) FROM candidates WHERE ev_asn OR ev_ptr)
	+ (SELECT COUNT(*) FROM hosts WHERE asn IS NOT NULL OR ptr IS NOT NULL)
	+ (SELECT COUNT(*) FROM ptr_cache)")
[ "$n" = 0 ] && ok "no options: no enrichment" || not_ok "no options: no enrichment" "$n"
# --no-dns wins over --ptr
"$MXSENSOR" analyze -q --db "$T/nodns.db" --pcap "$T/s.pcap" --ptr --asn-dns --no-dns \
	--dns-server "127.0.0.1:$PORT"
n=$(sqlite3 "$T/nodns.db" "SELECT (SELECT COUNT(*) FROM ptr_cache) + (SELECT COUNT(*) FROM asn_cache)")
[ "$n" = 0 ] && ok "--no-dns overrides --ptr and --asn-dns" || not_ok "--no-dns" "$n"

# usage errors (given first: options after --pcap would leave its expansion
# allocated at the early exit, which LeakSanitizer reports)
"$MXSENSOR" analyze --asn "$T/missing" --db "$T/x.db" --pcap "$T/s.pcap" >/dev/null 2>&1
[ $? = 2 ] && ok "--asn with a missing file: exit 2" || not_ok "--asn missing file"
"$MXSENSOR" analyze --dns-timeout 5ms --db "$T/x.db" --pcap "$T/s.pcap" >/dev/null 2>&1
[ $? = 2 ] && ok "--dns-timeout out of range: exit 2" || not_ok "--dns-timeout range"
