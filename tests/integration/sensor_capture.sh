# sensor_capture.sh - `mxsensor capture` against real Linux clients.
#
# Two network namespaces joined by a veth pair (IPv4 + IPv6, no DAD): the
# sensor runs in one, nc/curl/swaks connect from the other over both
# families.  tcpdump captures the same link as the oracle.  Checks: every
# client gets a RST, every SYN is in the rotated files exactly once with
# tshark's fields, nothing is lost at SIGHUP or SIGTERM mid-stream, no
# temporary file is left, the port cannot be bound by anyone else, the
# process runs as nobody with no capabilities, `mxsensor analyze` makes one
# attempt per connect(), and start-up refusals (port in use, output not
# writable, root) exit 2, and a capture killed with -9 leaves nothing
# that the next start does not complete.  All traffic stays inside the
# namespaces; they are removed on every exit.
. tests/lib.sh

if ! netns_pair 99; then
	not_ok "network namespaces set up (needs root)"
	exit 1
fi
ok "network namespaces set up"

OUT=$T/out
mkdir -p "$OUT" "$T/ro"
chown nobody "$OUT"
chmod 755 "$T"

# wait_for FILE TEXT SECONDS - until FILE holds TEXT

# bounded_wait PID SECONDS - wait for a child, killing it when it overstays

# --- refusals -----------------------------------------------------------
ip netns exec "$S" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 25)); s.listen(); print("listening", flush=True); time.sleep(20)' \
	>"$T/lst.out" 2>&1 &
LST=$!
PIDS="$PIDS $LST"
wait_for "$T/lst.out" listening 5
inS timeout 10 "$MXSENSOR" capture -w "$OUT/x-%s.pcap" >"$T/r1" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "listens on port 25" "$T/r1"; then
	ok "refuses to start while something listens on port 25"
else
	not_ok "refuses to start while something listens on port 25" "rc=$rc" "$(cat "$T/r1")"
fi
kill $LST 2>/dev/null
wait $LST 2>/dev/null

inS timeout 10 "$MXSENSOR" capture -w "$T/ro/x-%s.pcap" --user nobody >"$T/r2" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "is not writable by user nobody" "$T/r2"; then
	ok "output directory not writable by the user: clear error, exit 2"
else
	not_ok "output directory not writable by the user" "rc=$rc" "$(cat "$T/r2")"
fi
inS timeout 10 "$MXSENSOR" capture -w "$OUT/x-%s.pcap" --user root >"$T/r3" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "will not capture as root" "$T/r3"; then
	ok "refuses to run as root"
else
	not_ok "refuses to run as root" "rc=$rc" "$(cat "$T/r3")"
fi
for bad in "--port 0" "--rotate-size 12x" "--rotate-seconds 0" "--snaplen 10" \
	"--format pcapx" "-G 1h" ""; do
	# shellcheck disable=SC2086
	if [ "$bad" = "-G 1h" ] || [ -z "$bad" ]; then
		"$MXSENSOR" capture $bad >/dev/null 2>&1
	else
		"$MXSENSOR" capture -w "$OUT/x.pcap" $bad >/dev/null 2>&1
	fi
	rc=$?
	[ $rc -eq 2 ] && ok "usage error '$bad' exits 2" || not_ok "usage error '$bad'" "rc=$rc"
done
[ -z "$(ls -A "$OUT")" ] && ok "refused starts wrote nothing" ||
	not_ok "refused starts wrote nothing" "$(ls -A "$OUT")"

# --- the main run: oracle tcpdump + sensor ------------------------------
ip netns exec "$S" tcpdump -Z root -U --immediate-mode -n -i "$VS" -w "$T/oracle.pcap" 'tcp[13] & 0x12 == 2 or ip6' \
	>"$T/td.log" 2>&1 &
TD=$!
PIDS="$PIDS $TD"
wait_for "$T/td.log" "listening on" 10 || not_ok "tcpdump started" "$(cat "$T/td.log")"

ip netns exec "$S" "$MXSENSOR" capture -w "$OUT/syn-%Y%m%d-%H%M%S.pcap" -C 2k \
	--jsonl "$OUT/syn.jsonl" --user nobody --stats-interval 1s >"$T/cap.log" 2>&1 &
CAP=$!
PIDS="$PIDS $CAP"
if wait_for "$T/cap.log" "capturing SYNs" 10; then
	ok "capture started"
else
	not_ok "capture started" "$(cat "$T/cap.log")"
	exit 1
fi
CPID=$CAP   # ip netns exec execs the command: same process
st=$(cat /proc/"$CPID"/status 2>/dev/null)
if echo "$st" | grep -Eq "^Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534" &&
	echo "$st" | grep -q "^CapEff:[[:space:]]*0000000000000000" &&
	echo "$st" | grep -q "^CapPrm:[[:space:]]*0000000000000000" &&
	echo "$st" | grep -q "^CapBnd:[[:space:]]*0000000000000000" &&
	echo "$st" | grep -q "^NoNewPrivs:[[:space:]]*1"; then
	ok "runs as nobody with no capabilities and no_new_privs"
else
	not_ok "runs as nobody with no capabilities" "$(echo "$st" | grep -E 'Uid|Cap|NoNew')"
fi

for fam in 4 6; do
	if inS python3 -c "
import socket, sys
f = socket.AF_INET if '$fam' == '4' else socket.AF_INET6
s = socket.socket(f)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(('', 25)); sys.exit(1)
except OSError:
    sys.exit(0)"; then
		ok "a second process cannot bind port 25 over IPv$fam"
	else
		not_ok "a second process cannot bind port 25 over IPv$fam"
	fi
done
inS timeout 10 "$MXSENSOR" capture -w "$OUT/second-%s.pcap" >"$T/r4" 2>&1
[ $? -eq 2 ] && ok "a second capture refuses the held port" ||
	not_ok "a second capture refuses the held port" "$(cat "$T/r4")"

# phase 1: nc, curl and swaks over both families; each must get a RST
sent=0
refused=0
i=0
while [ $i -lt 20 ]; do
	for a in $A4 $A6; do
		inC timeout 5 nc -v -w 3 "$a" 25 </dev/null >"$T/nc" 2>&1
		sent=$((sent + 1))
		grep -q "refused" "$T/nc" && refused=$((refused + 1))
	done
	i=$((i + 1))
	[ $i -eq 10 ] && kill -HUP "$CPID"
done
for u in "smtp://$A4:25/" "smtp://[$A6]:25/"; do
	inC timeout 5 curl -s --max-time 3 "$u" >/dev/null 2>&1
	[ $? -eq 7 ] && refused=$((refused + 1))
	sent=$((sent + 1))
done
for a in $A4 $A6; do
	inC timeout 10 swaks --server "$a" --port 25 --to a@example.org \
		--from b@example.org --timeout 3 >"$T/sw" 2>&1
	grep -q "refused" "$T/sw" && refused=$((refused + 1))
	sent=$((sent + 1))
done
[ $refused -eq $sent ] && ok "every client got a RST ($refused of $sent connects refused)" ||
	not_ok "every client got a RST" "$refused of $sent refused" "$(cat "$T/sw")"

# phase 2: a steady stream; SIGTERM in the middle of it
: >"$T/stream"
(
	j=0
	while [ $j -lt 300 ]; do
		[ $((j % 2)) -eq 0 ] && a=$A4 || a=$A6
		inC nc -z -w 2 "$a" 25 2>/dev/null
		j=$((j + 1))
		echo $j >>"$T/stream"
		[ -e "$T/stop" ] && break
	done
) &
STREAM=$!
PIDS="$PIDS $STREAM"
wait_for "$T/stream" '^60$' 30
# at least one periodic stats line (--stats-interval 1s) before the stop,
# however fast the stream ran
wait_for "$T/cap.log" "stats (periodic)" 10
before=$(wc -l <"$T/stream")
kill -TERM "$CPID"
bounded_wait $CAP 20
caprc=$?
touch "$T/stop"
wait $STREAM
sleep 0.5
kill -TERM $TD 2>/dev/null
bounded_wait $TD 10
[ $caprc -eq 0 ] && ok "capture exits 0 on SIGTERM" || not_ok "capture exits 0 on SIGTERM" "rc=$caprc" "$(cat "$T/cap.log")"

nfiles=$(ls "$OUT"/syn-*.pcap 2>/dev/null | wc -l)
ntmp=$(ls -A "$OUT" | grep -c '\.tmp$')
[ "$nfiles" -ge 3 ] && ok "rotated into $nfiles files" || not_ok "rotated by size" "$nfiles files"
[ "$ntmp" -eq 0 ] && ok "no temporary file left" || not_ok "no temporary file left" "$(ls -A "$OUT")"
grep -q "SIGHUP: files rotated" "$T/cap.log" && ok "SIGHUP rotates" || not_ok "SIGHUP rotates"
grep -q "stats (periodic)" "$T/cap.log" && grep -q "stats (exit) any: received [0-9]*, dropped by kernel 0" "$T/cap.log" &&
	ok "drop counters logged periodically and at exit, no kernel drops" ||
	not_ok "drop counters logged" "$(cat "$T/cap.log")"

# every file is complete for tshark; mxsensor syns reads the same SYNs
mergecap -w "$T/all.pcapng" "$OUT"/syn-*.pcap 2>"$T/merge.err" || not_ok "mergecap reads every file" "$(cat "$T/merge.err")"
tsum=$(tshark -r "$T/all.pcapng" 2>/dev/null | wc -l)
"$MXSENSOR" syns --no-header "$OUT"/syn-*.pcap >"$T/syns.csv" 2>"$T/syns.err"
nsyn=$(wc -l <"$T/syns.csv")
[ "$tsum" -eq "$nsyn" ] && [ -s "$T/syns.csv" ] && ! [ -s "$T/syns.err" ] &&
	ok "all $nsyn SYNs readable by tshark and mxsensor syns" ||
	not_ok "files complete" "tshark $tsum, syns $nsyn" "$(cat "$T/syns.err")"
jl=$(grep -c '"dport":25' "$OUT/syn.jsonl")
[ "$jl" -eq "$nsyn" ] && ok "JSON lines stream holds the same $jl SYNs" ||
	not_ok "JSON lines stream" "jsonl $jl, files $nsyn"

# fields against tshark: family, source, source port, destination, window, mss
tshark -r "$T/oracle.pcap" -n -Y 'tcp.dstport == 25 && tcp.flags.syn == 1 && tcp.flags.ack == 0' \
	-T fields -E separator=, -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst \
	-e tcp.window_size_value -e tcp.options.mss_val -e tcp.options.timestamp.tsval \
	2>/dev/null | awk -F, '{ s = $1 $2; d = $4 $5; print s "," $3 "," d "," $6 "," $7 "," $8 }' |
	sort >"$T/oracle.keys"
awk -F, '{ print $3 "," $4 "," $5 "," $13 "," $14 "," $17 }' "$T/syns.csv" | sort >"$T/cap.keys"
dups=$(uniq -d "$T/cap.keys" | wc -l)
[ "$dups" -eq 0 ] && ok "no SYN twice across rotated files" || not_ok "no duplicates" "$dups duplicated"
missing=$(comm -23 "$T/cap.keys" "$T/oracle.keys" | wc -l)
[ "$missing" -eq 0 ] && ok "every captured SYN has tshark's fields (src, sport, dst, win, mss, tsval)" ||
	not_ok "fields equal tshark's" "$(comm -23 "$T/cap.keys" "$T/oracle.keys" | head -5)" \
		"$(for k in $(comm -23 "$T/cap.keys" "$T/oracle.keys" | cut -d, -f2 | head -5); do grep ",$k," "$T/syns.csv"; done)" \
		"oracle: $(wc -l <"$T/oracle.keys") SYNs, first/last: $(tshark -r "$T/oracle.pcap" -T fields -e frame.time_epoch 2>/dev/null | sed -n '1p;$p' | tr '\n' ' ')" "$(cat "$T/td.log")"
# nothing lost: every SYN the oracle saw up to the sensor's last one is kept
last=$(cut -d, -f1 "$T/syns.csv" | sort -n | tail -n 1)
"$MXSENSOR" syns --no-header "$T/oracle.pcap" 2>/dev/null |
	awk -F, -v last="$last" '$1 <= last { print $3 "," $4 "," $5 "," $13 "," $14 "," $17 }' |
	sort >"$T/oracle.upto"
lost=$(comm -13 "$T/cap.keys" "$T/oracle.upto" | wc -l)
[ "$lost" -eq 0 ] && ok "nothing lost at rotation, SIGHUP or SIGTERM ($(wc -l <"$T/oracle.upto") SYNs up to the stop)" ||
	not_ok "nothing lost" "$lost SYNs seen by tcpdump are missing"
want=$((sent + before))
[ "$nsyn" -ge "$want" ] && ok "all $want connects made before SIGTERM were captured ($nsyn)" ||
	not_ok "connects before SIGTERM captured" "captured $nsyn, connects $want"
v6=$(awk -F, '$2 == 6' "$T/syns.csv" | wc -l)
v4=$(awk -F, '$2 == 4' "$T/syns.csv" | wc -l)
[ "$v4" -gt 20 ] && [ "$v6" -gt 20 ] && ok "both families captured ($v4 IPv4, $v6 IPv6)" ||
	not_ok "both families" "$v4 IPv4, $v6 IPv6"

# analyze: one attempt per connect() (Linux sends one SYN, then gets a RST;
# on a loaded machine a SYN is now and then sent again: the same attempt)
nconn=$(awk -F, '{ print $2 "," $3 "," $4 }' "$T/syns.csv" | sort -u | wc -l)
if "$MXSENSOR" analyze -q --db "$T/a.db" --pcap "$OUT/syn-*.pcap" >"$T/an" 2>&1; then
	got=$(sqlite3 "$T/a.db" "SELECT COUNT(*) || ' ' || SUM(syns) || ' ' ||
		COUNT(DISTINCT family || src || ':' || sport) FROM attempts")
	[ "$got" = "$nconn $nsyn $nconn" ] && ok "analyze: $nconn attempts of $nsyn SYNs, one per connect()" ||
		not_ok "analyze groups one attempt per connect()" "attempts/SYNs/distinct: $got, connects $nconn, SYNs $nsyn"
else
	not_ok "analyze the rotated files" "$(cat "$T/an")"
fi

# --- pcapng, two interfaces, time rotation ------------------------------
OUT2=$T/out2
mkdir -p "$OUT2"
chown nobody "$OUT2"
ip netns exec "$S" "$MXSENSOR" capture -i "$VS" -i lo -w "$OUT2/syn-%H%M%S.pcapng" -G 1s \
	--user nobody >"$T/cap2.log" 2>&1 &
CAP2=$!
PIDS="$PIDS $CAP2"
wait_for "$T/cap2.log" "capturing SYNs" 10 || not_ok "pcapng capture started" "$(cat "$T/cap2.log")"
n2=0
k=0
while [ $k -lt 12 ]; do
	inC nc -z -w 2 $A4 25 2>/dev/null
	inC nc -z -w 2 $A6 25 2>/dev/null
	inS nc -z -w 2 ::1 25 2>/dev/null
	n2=$((n2 + 3))
	sleep 0.25
	k=$((k + 1))
done
kill -TERM $CAP2 2>/dev/null
bounded_wait $CAP2 20
rc=$?
f2=$(ls "$OUT2"/*.pcapng 2>/dev/null | wc -l)
got2=$("$MXSENSOR" syns --no-header "$OUT2"/*.pcapng 2>/dev/null | wc -l)
mergecap -w "$T/all2.pcapng" "$OUT2"/*.pcapng 2>"$T/merge2.err" || not_ok "mergecap reads every pcapng file" "$(cat "$T/merge2.err")"
tshark -r "$T/all2.pcapng" -T fields -e frame.interface_name 2>/dev/null >"$T/if2"
ts2=$(wc -l <"$T/if2")
lo2=$(sort -u "$T/if2" | tr '\n' ' ')
[ $rc -eq 0 ] && [ "$f2" -ge 2 ] && [ "$got2" -eq "$n2" ] && [ "$ts2" -eq "$n2" ] &&
	[ "$(sort -u "$T/if2" | wc -l)" -eq 2 ] &&
	ok "pcapng on two interfaces, rotated every second: $f2 files, $got2 SYNs (interfaces: $lo2)" ||
	not_ok "pcapng on two interfaces" "rc=$rc files=$f2 syns=$got2 tshark=$ts2 sent=$n2" "$(cat "$T/cap2.log")"

# --- IPv6 SYNs behind extension headers (sent by ipv6toolkit's tcp6) ----
OUT6=$T/out6
mkdir -p "$OUT6"
chown nobody "$OUT6"
ip netns exec "$S" "$MXSENSOR" capture -w "$OUT6/syn-%H%M%S.pcap" --user nobody >"$T/cap6.log" 2>&1 &
CAP6=$!
PIDS="$PIDS $CAP6"
if wait_for "$T/cap6.log" "capturing SYNs" 10; then
	mac=$(ip netns exec "$S" cat /sys/class/net/"$VS"/address)
	for opt in "-u 8" "-H 8" "-y 256"; do
		# shellcheck disable=SC2086
		inC timeout 5 tcp6 -i "$VC" -s fd00:99::1 -d $A6 -D "$mac" -a 25 -o 4000 -X S $opt \
			>/dev/null 2>&1
	done
	sleep 0.3
	kill -TERM $CAP6
	bounded_wait $CAP6 15
	n6=$("$MXSENSOR" syns --no-header "$OUT6"/*.pcap 2>/dev/null | grep -c ',fd00:99::1,4000,')
	nh=$(for f in "$OUT6"/*.pcap; do tshark -r "$f" -T fields -e ipv6.nxt 2>/dev/null; done |
		sort -n | tr '\n' ' ')
	[ "$n6" -eq 3 ] && [ "$nh" = "0 44 60 " ] &&
		ok "IPv6 SYNs behind hop-by-hop, fragment and destination options headers captured" ||
		not_ok "IPv6 extension headers" "syns=$n6 next headers (tshark): $nh" "$(cat "$T/cap6.log")"
else
	not_ok "extension header run start" "$(cat "$T/cap6.log")"
fi

# --- a full disk: exit 1 with the reason, completed files stay whole ----
FULL=$T/full
mkdir -p "$FULL"
unshare -m sh -c "mount -t tmpfs -o size=16k,mode=0755,uid=65534 tmpfs '$FULL' &&
	exec ip netns exec '$S' '$MXSENSOR' capture -w '$FULL/syn-%H%M%S.pcap' -C 2k --user nobody" \
	>"$T/cap5.log" 2>&1 &
CAP5=$!
PIDS="$PIDS $CAP5"
if wait_for "$T/cap5.log" "capturing SYNs" 10; then
	k=0
	while [ $k -lt 400 ] && kill -0 $CAP5 2>/dev/null; do
		inC nc -z -w 2 $A4 25 2>/dev/null
		k=$((k + 1))
	done
	bounded_wait $CAP5 10
	rc=$?
	if [ $rc -eq 1 ] && grep -q "No space left on device" "$T/cap5.log"; then
		ok "full disk: exit 1 after $k SYNs with '$(grep -m 1 'No space' "$T/cap5.log")'"
	else
		not_ok "full disk" "rc=$rc after $k SYNs" "$(cat "$T/cap5.log")"
	fi
else
	not_ok "full disk start" "$(cat "$T/cap5.log")"
fi

# --- a capture killed (-9): the next start completes what it left -----
# its temporary file, with a torn packet at the end, is cut after the
# last whole packet and renamed; a leftover with no whole packet goes;
# the new run writes a file of its own beside it
for fmt in pcap pcapng; do
	OUT7=$T/out7-$fmt
	mkdir -p "$OUT7"
	chown nobody "$OUT7"
	mkdir -p "$T/j7"
	chown nobody "$T/j7"
	J7=$T/j7/$fmt.jsonl
	ip netns exec "$S" "$MXSENSOR" capture -w "$OUT7/syn-%Y%m%d-%H.$fmt" --user nobody \
		--jsonl "$J7" >"$T/cap7.log" 2>&1 &
	CAP7=$!
	PIDS="$PIDS $CAP7"
	if ! wait_for "$T/cap7.log" "capturing SYNs" 10; then
		not_ok "killed capture ($fmt): start" "$(cat "$T/cap7.log")"
		continue
	fi
	k=0
	while [ $k -lt 6 ]; do
		inC nc -z -w 2 $A4 25 2>/dev/null
		inC nc -z -w 2 $A6 25 2>/dev/null
		k=$((k + 1))
	done
	sleep 0.6   # buffered records go out every 0.2 s
	kill -KILL $CAP7
	wait $CAP7 2>/dev/null
	left=$(ls -A "$OUT7")
	printf 'torn packet' >>"$OUT7/$left"
	printf 'short' >"$OUT7/.syn-20000101-00.$fmt.tmp"
	truncate -s -3 "$J7"   # its last record cut short too
	chown nobody "$OUT7/.syn-20000101-00.$fmt.tmp"
	ip netns exec "$S" "$MXSENSOR" capture -w "$OUT7/syn-%Y%m%d-%H.$fmt" --user nobody \
		--jsonl "$J7" >"$T/cap8.log" 2>&1 &
	CAP8=$!
	PIDS="$PIDS $CAP8"
	wait_for "$T/cap8.log" "capturing SYNs" 10
	inC nc -z -w 2 $A4 25 2>/dev/null
	inC nc -z -w 2 $A6 25 2>/dev/null
	sleep 0.3
	kill -TERM $CAP8
	bounded_wait $CAP8 15
	rc=$?
	done_file=$OUT7/${left#.}
	done_file=${done_file%.tmp}
	kept=$(sed -n "s|.*$OUT7/$left: left by a capture that did not stop: \([0-9]*\) packets kept as $done_file, cut after its last whole packet (11 bytes dropped)$|\1|p" "$T/cap8.log")
	bad=""
	for f in "$OUT7"/*; do
		tshark -r "$f" >/dev/null 2>"$T/ts.err"
		trc=$?
		grep -v "Running as user" "$T/ts.err" >"$T/ts.err2"
		[ $trc = 0 ] && [ ! -s "$T/ts.err2" ] || bad="$bad $f: exit $trc $(cat "$T/ts.err2")"
	done
	nf=$(ls "$OUT7" | wc -l)
	syns1=$("$MXSENSOR" syns --no-header "$done_file" 2>/dev/null | wc -l)
	syns=$("$MXSENSOR" syns --no-header "$OUT7"/* 2>/dev/null | wc -l)
	if [ $rc = 0 ] && [ -n "$kept" ] && [ "$kept" -ge 12 ] && [ "$syns1" = "$kept" ] &&
		[ "$syns" -ge $((kept + 2)) ] && [ -z "$bad" ] && [ "$nf" = 2 ] &&
		[ -z "$(ls -A "$OUT7" | grep '^\.')" ] &&
		grep -q "$OUT7/.syn-20000101-00.$fmt.tmp: left by a capture that did not stop, with no whole packet: removed" "$T/cap8.log"; then
		ok "killed capture ($fmt): the next start keeps its $kept SYNs, cut after the last whole packet; tshark reads both files"
	else
		not_ok "killed capture ($fmt)" "rc=$rc kept=${kept:-none} syns $syns1/$syns files $nf $bad" \
			"$(ls -lA "$OUT7")" "$(cat "$T/cap8.log")"
	fi
	# the JSON lines: the cut record a line of its own, every other whole
	j=$(python3 -c '
import json, sys
good = bad = 0
for line in open(sys.argv[1]):
    try:
        json.loads(line); good += 1
    except ValueError:
        bad += 1
print(good, bad)' "$J7")
	if [ "$j" = "$((syns - 1)) 1" ] &&
		grep -q "$J7: its last record was cut short (a capture that did not stop): a line break ends it" "$T/cap8.log"; then
		ok "killed capture ($fmt): the JSON line it cut short stays alone, the next run's $((syns - kept)) records whole"
	else
		not_ok "killed capture ($fmt): JSON lines" "good/bad $j, SYNs $syns" "$(tail -3 "$J7")"
	fi
done

# --- --chroot: files land inside the chroot -----------------------------
JAIL=$T/jail
mkdir -p "$JAIL/out"
chown nobody "$JAIL/out"
# (LeakSanitizer needs /proc, which the jail does not have: off for this run)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	ip netns exec "$S" "$MXSENSOR" capture --chroot "$JAIL" -w "/out/syn-%H%M%S.pcap" \
	--user nobody >"$T/cap3.log" 2>&1 &
CAP3=$!
PIDS="$PIDS $CAP3"
if wait_for "$T/cap3.log" "capturing SYNs" 10; then
	root=$(readlink /proc/$CAP3/root)
	inC nc -z -w 2 $A6 25 2>/dev/null
	inC nc -z -w 2 $A4 25 2>/dev/null
	sleep 0.3
	kill -TERM $CAP3
	bounded_wait $CAP3 15
	rc=$?
	n3=$("$MXSENSOR" syns --no-header "$JAIL"/out/*.pcap 2>/dev/null | wc -l)
	[ $rc -eq 0 ] && [ "$root" = "$JAIL" ] && [ "$n3" -eq 2 ] &&
		ok "--chroot: runs in $JAIL, 2 SYNs written inside it" ||
		not_ok "--chroot" "rc=$rc root=$root syns=$n3" "$(cat "$T/cap3.log")"
else
	not_ok "--chroot start" "$(cat "$T/cap3.log")"
fi

# --- started unprivileged with ambient capabilities (systemd style) -----
OUT4=$T/out4
mkdir -p "$OUT4"
chown nobody "$OUT4"
ip netns exec "$S" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps=+net_raw,+net_bind_service --ambient-caps=+net_raw,+net_bind_service \
	"$MXSENSOR" capture -w "$OUT4/syn-%H%M%S.pcap" --user nobody >"$T/cap4.log" 2>&1 &
CAP4=$!
PIDS="$PIDS $CAP4"
if wait_for "$T/cap4.log" "capturing SYNs" 10; then
	st=$(cat /proc/$CAP4/status)
	inC nc -z -w 2 $A4 25 2>/dev/null
	sleep 0.3
	kill -TERM $CAP4
	bounded_wait $CAP4 15
	rc=$?
	n4=$("$MXSENSOR" syns --no-header "$OUT4"/*.pcap 2>/dev/null | wc -l)
	if [ $rc -eq 0 ] && [ "$n4" -eq 1 ] &&
		echo "$st" | grep -q "^CapEff:[[:space:]]*0000000000000000" &&
		echo "$st" | grep -q "^CapPrm:[[:space:]]*0000000000000000" &&
		echo "$st" | grep -q "^CapAmb:[[:space:]]*0000000000000000"; then
		ok "started as nobody with ambient capabilities: port held, SYN captured, every capability dropped"
	else
		not_ok "unprivileged start" "rc=$rc syns=$n4" "$(echo "$st" | grep Cap)" "$(cat "$T/cap4.log")"
	fi
else
	not_ok "unprivileged start" "$(cat "$T/cap4.log")"
fi
