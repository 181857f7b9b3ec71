# analyze_ehlo.sh - EHLO names of `capture --smtp` as association evidence.
#
# A dual-stack client in its own namespace greets the sensor (capture
# --smtp, in a second namespace) over IPv6 and then IPv4, as a bot that
# falls back does: first with the same EHLO name on both families, later
# with two different names.  `analyze --smtp-log` must score the first
# pair +40 for the name and the second -20, and associate the first.
# Namespaces are removed on every exit.
. tests/lib.sh

if ! netns_pair 97; then
	not_ok "network namespaces set up (needs root)"
	exit 1
fi
OUT=$T/out
mkdir -p "$OUT"
chown nobody "$OUT"
chmod 755 "$T"

ip netns exec "$S" "$MXSENSOR" capture --smtp --user nobody --smtp-hostname sensor.test \
	--smtp-log "$OUT/smtp.jsonl" -w "$OUT/syn-%Y%m%d-%H%M%S.pcap" >"$T/cap.log" 2>&1 &
CAP=$!
PIDS=$CAP
wait_for "$T/cap.log" "capturing SYNs" 10 || { not_ok "sensor started" "$(cat "$T/cap.log")"; exit 1; }

greet() {
	ip netns exec "$C" timeout 20 swaks --server "$1" --port 25 --ehlo "$2" \
		--local-port "$3" --from s@sender.example --to r@example.test \
		--timeout 5 >/dev/null 2>&1
}
# the IPv4 greeting 0.7 s after the IPv6 one: gap evidence +10 whatever
# the machine's speed (within 50 ms it would be +25 and outweigh -20).
# Source ports 5000 apart: no port evidence (left to the kernel, two
# ports within 64 of each other, one run in 200, gave the second pair
# the 30 points of own evidence it must not have)
greet "$A6" same.example 40001
sleep 0.7
greet "$A4" same.example 45001
sleep 3
greet "$A6" six.example 40002
sleep 0.7
greet "$A4" four.example 45002
kill -TERM "$CAP"
wait "$CAP"
PIDS=""

n=$(grep -c '"event":"ehlo"' "$OUT/smtp.jsonl")
[ "$n" = 4 ] && ok "four EHLO names recorded" || not_ok "EHLO names recorded" "$n" "$(cat "$OUT/smtp.jsonl")"

"$MXSENSOR" analyze -q --db "$T/e.db" --pcap "$OUT/syn-*.pcap" --smtp-log "$OUT/smtp.jsonl" 2>"$T/err" ||
	not_ok "analyze" "$(cat "$T/err")"
# each IPv6 attempt with the IPv4 attempt that followed it
res=$(sqlite3 "$T/e.db" "SELECT a.id || ':' || COALESCE((SELECT c.ev_ehlo || ':' || c.decision
	FROM candidates c WHERE c.a6 = a.id AND c.a4 = (SELECT MIN(b.id) FROM attempts b
	WHERE b.family = 4 AND b.first_ns > a.first_ns)), 'none')
	FROM attempts a WHERE a.family = 6 ORDER BY a.first_ns")
first=$(echo "$res" | sed -n 1p)
second=$(echo "$res" | sed -n 2p)
case $first in
*:40:associated) ok "same EHLO name on both families: +40, associated ($first)" ;;
*) not_ok "same EHLO name" "$res" ;;
esac
# with -20 for the names the pair falls below the 30 points of own
# evidence a candidate needs: no candidate, or one that is not taken
case $second in
*:none | *:-20:below-threshold) ok "different EHLO names: not associated ($second)" ;;
*) not_ok "different EHLO names" "$res" ;;
esac
"$MXSENSOR" explain --db "$T/e.db" fd00:97::1 | grep -q "ehlo +40" &&
	ok "explain shows the EHLO evidence" || not_ok "explain shows the EHLO evidence"
# without the names the same captures associate the second pair too:
# the EHLO evidence is what kept it apart
"$MXSENSOR" analyze -q --db "$T/n.db" --pcap "$OUT/syn-*.pcap" 2>/dev/null
n=$(sqlite3 "$T/n.db" "SELECT COUNT(*) FROM attempts WHERE family = 6 AND partner IS NOT NULL")
[ "$n" = 2 ] && ok "without --smtp-log both IPv6 attempts are associated" ||
	not_ok "without --smtp-log" "associated IPv6 attempts: $n"
