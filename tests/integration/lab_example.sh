# lab_example.sh - the lab's bundled run (examples/lab) analysed again:
# the same checks as tests/lab/run against the same ground truth (the
# clients' own captures and which clients were listed), without root.
. tests/lib.sh
d=examples/lab
for f in sensor.pcap.gz clients.pcap.gz mx1.log.gz mx2.log.gz clients.csv; do
	need_file "$d/$f"
done
check "analyze the lab's sensor capture and MX logs" \
	"$MXSENSOR" analyze --db "$T/lab.db" --pcap "$d/sensor.pcap.gz" \
	--mta-log "$d/mx1.log.gz" --mta-log "$d/mx2.log.gz" \
	--sensor-addr 198.18.0.30 --sensor-addr 2001:db8::30 --sensor lab -q
"$MXSENSOR" hosts --db "$T/lab.db" >"$T/hosts.csv" || not_ok "mxsensor hosts"
gzip -dc "$d/clients.pcap.gz" >"$T/clients.pcap"
tcpdump -r "$T/clients.pcap" -nn -tt >"$T/client-syns.txt" 2>/dev/null ||
	not_ok "tcpdump reads the clients' capture"
python3 tests/lab/truth.py --truth "$d/clients.csv" --hosts "$T/hosts.csv" \
	--client-syns "$T/client-syns.txt" --sensor4 198.18.0.30 --sensor6 2001:db8::30 \
	--mx1 198.18.0.11 --mx2 198.18.0.12 --mx-log "$d/mx1.log.gz" --mx-log "$d/mx2.log.gz" \
	>"$T/truth.out" 2>&1
rc=$?
grep -v '^#' "$T/truth.out"
exit $rc
