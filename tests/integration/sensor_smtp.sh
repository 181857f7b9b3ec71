# sensor_smtp.sh - `mxsensor capture --smtp`: swaks and raw SMTP clients
# over IPv4 and IPv6 in a client namespace talk to the sensor namespace.
# Checks: the EHLO name, MAIL FROM and RCPT TO are recorded with the
# client's address and port; MAIL, RCPT and DATA never get a 2xx (or 354);
# with --smtp-reject-at rcpt only MAIL gets 250; the per-prefix connection
# limit, command limit, line-length limit, idle timeout and tarpit hold;
# SYNs are still captured.  Namespaces are removed on every exit.
. tests/lib.sh

if ! netns_pair 98; then
	not_ok "network namespaces set up (needs root)"
	exit 1
fi

OUT=$T/out
mkdir -p "$OUT"
chown nobody "$OUT"
chmod 755 "$T"

# start NAME ARGS... - a sensor in SMTP mode; sets CAP
start() {
	name=$1
	shift
	ip netns exec "$S" "$MXSENSOR" capture --smtp --user nobody --smtp-hostname sensor.test \
		--smtp-log "$OUT/$name.jsonl" -w "$OUT/$name-%Y%m%d-%H%M%S.pcap" "$@" \
		>"$T/$name.log" 2>&1 &
	CAP=$!
	PIDS="$PIDS $CAP"
	wait_for "$T/$name.log" "capturing SYNs" 10 || { not_ok "$name started" "$(cat "$T/$name.log")"; exit 1; }
}
stop() {
	kill -TERM $CAP
	bounded_wait $CAP 15
}

# the raw client: python3 smtpc.py ADDR MODE -> the server's reply lines
cat >"$T/smtpc.py" <<'EOF'
import socket, sys, time
addr, mode = sys.argv[1], sys.argv[2]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET

def conn():
    s = socket.socket(fam)
    s.settimeout(8)
    s.connect((addr, 25))
    return s

def lines(s, n):
    buf = b""
    out = []
    try:
        while len(out) < n:
            d = s.recv(4096)
            if not d:
                break
            buf += d
            while b"\r\n" in buf and len(out) < n:
                l, buf = buf.split(b"\r\n", 1)
                out.append(l.decode("ascii", "replace"))
    except socket.timeout:
        pass
    return out

if mode == "session":      # pipelined: EHLO MAIL RCPT RCPT DATA QUIT
    s = conn()
    print("port", s.getsockname()[1])
    out = lines(s, 1)
    s.sendall(b"EHLO raw.example\r\nMAIL FROM:<x@raw.example>\r\nRCPT TO:<u1@sensor.test>\r\n"
              b"RCPT TO:<u2@sensor.test>\r\nDATA\r\nQUIT\r\n")
    out += lines(s, 6)
    print("\n".join(out))
elif mode == "concurrent":  # 5 at once from one address
    socks = [conn() for _ in range(5)]
    for s in socks:
        print(lines(s, 1)[0] if True else "")
elif mode == "commands":    # 12 NOOPs
    s = conn()
    lines(s, 1)
    s.sendall(b"NOOP\r\n" * 12)
    print("\n".join(lines(s, 12)))
elif mode == "longline":
    s = conn()
    lines(s, 1)
    s.sendall(b"EHLO " + b"a" * 700 + b"\r\n")
    print("\n".join(lines(s, 2)))
elif mode == "idle":
    s = conn()
    t = time.time()
    out = lines(s, 2)
    print("\n".join(out))
    print("after %.1f" % (time.time() - t))
elif mode in ("many", "hold"):   # N clients at once, each reads its first line
    import resource, selectors
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    socks = []
    for _ in range(2000 if mode == "many" else 3000):
        s = socket.socket(fam)
        s.setblocking(False)
        s.connect_ex((addr, 25))
        socks.append(s)
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    greeted = refused = 0
    end = time.time() + 20
    while greeted + refused < len(socks) and time.time() < end:
        for key, _ in sel.select(timeout=1):
            try:
                d = key.fileobj.recv(100)
            except OSError:
                d = b""
            if d.startswith(b"220 "):
                greeted += 1
            elif d.startswith(b"421 ") or not d:
                refused += 1
            sel.unregister(key.fileobj)
    if mode == "many":
        print("greeted", greeted)
    else:                         # all still open and idle; argv[3]: the server's pid
        with open("/proc/%s/status" % sys.argv[3]) as f:
            rss = [l.split()[1] for l in f if l.startswith("VmRSS")][0]
        print("greeted", greeted, "refused", refused, "rss", rss)
elif mode == "tarpit":
    t = time.time()
    s = conn()
    lines(s, 1)
    print("greeting after %.2f" % (time.time() - t))
EOF

# --- default mode: MAIL gets the 4xx ------------------------------------
start smtp1 --smtp-max-per-prefix 3 --smtp-max-commands 10 --smtp-idle 2s
for fam in 4 6; do
	[ $fam = 4 ] && a=$A4 || a=$A6
	inC timeout 20 swaks --server "$a" --port 25 --ehlo dual.example --from s@sender.example \
		--to r@sensor.test --timeout 5 >"$T/sw$fam" 2>&1
	if grep -q '^<- *220 sensor.test' "$T/sw$fam" && grep -q '^\*\* *451\|^<\*\* *451' "$T/sw$fam" &&
		! awk '/^ *-> *(MAIL|RCPT|DATA)/ { want = 1; next }
			want && /^ *<(-|\*\*) *[0-9]/ { if ($2 ~ /^[23]/) bad = 1; want = 0 }
			END { exit !bad }' "$T/sw$fam"; then
		ok "swaks over IPv$fam: greeted, MAIL answered 451, no 2xx to MAIL/RCPT/DATA"
	else
		not_ok "swaks over IPv$fam" "$(cat "$T/sw$fam")"
	fi
done
inC python3 "$T/smtpc.py" $A4 concurrent >"$T/conc" 2>&1
n220=$(grep -c '^220 ' "$T/conc")
n421=$(grep -c '^421 ' "$T/conc")
[ "$n220" -eq 3 ] && [ "$n421" -eq 2 ] && ok "per-prefix limit: 3 of 5 concurrent connections greeted, 2 turned away with 421" ||
	not_ok "per-prefix limit" "$(cat "$T/conc")"
inC python3 "$T/smtpc.py" $A6 commands >"$T/cmds" 2>&1
[ "$(grep -c '^250 ' "$T/cmds")" -eq 10 ] && grep -q '^421 4.7.0 Too many commands' "$T/cmds" &&
	ok "command limit: 10 answered, then 421 and hang-up" || not_ok "command limit" "$(cat "$T/cmds")"
inC python3 "$T/smtpc.py" $A4 longline >"$T/long" 2>&1
grep -q '^500 5.5.0 Line too long' "$T/long" && [ "$(wc -l <"$T/long")" -eq 1 ] &&
	ok "line-length limit: 500 and hang-up" || not_ok "line-length limit" "$(cat "$T/long")"
inC python3 "$T/smtpc.py" $A6 idle >"$T/idle" 2>&1
grep -q '^421 4.4.2' "$T/idle" && ok "idle client: 421 after $(sed -n 's/after //p' "$T/idle") s" ||
	not_ok "idle timeout" "$(cat "$T/idle")"
stop
rc=$?
[ $rc -eq 0 ] && ok "SMTP mode stops cleanly on SIGTERM" || not_ok "SMTP mode stop" "rc=$rc" "$(cat "$T/smtp1.log")"

R=$OUT/smtp1.jsonl
e4=$(grep '"event":"ehlo"' "$R" | grep '"family":4' | grep -c '"value":"dual.example"')
e6=$(grep '"event":"ehlo"' "$R" | grep '"family":6' | grep -c '"value":"dual.example"')
[ "$e4" -eq 1 ] && [ "$e6" -eq 1 ] && ok "the same EHLO name recorded once per family" ||
	not_ok "EHLO records" "v4 $e4, v6 $e6" "$(cat "$R")"
m=$(grep '"event":"mail"' "$R" | grep -c '"value":"<s@sender.example>"')
[ "$m" -eq 2 ] && ok "MAIL FROM recorded for both families" || not_ok "MAIL FROM records" "$(grep mail "$R")"
grep '"event":"mail"' "$R" | grep '"family":6' | grep -q '"src":"fd00:98::1","sport":[0-9]*,"dst":"fd00:98::2","dport":25' &&
	ok "records carry the client's address and port" || not_ok "record addresses" "$(grep mail "$R")"
[ "$(grep -c '"event":"refused".*"value":"limit-prefix"' "$R")" -eq 2 ] &&
	ok "turned-away connections recorded" || not_ok "refused records" "$(grep refused "$R")"
for why in limit-commands line-too-long idle; do
	grep -q "\"event\":\"close\".*\"value\":\"$why\"" "$R" && ok "close reason $why recorded" ||
		not_ok "close reason $why" "$(grep close "$R")"
done
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    json.loads(l)' "$R" && ok "every record is valid JSON" || not_ok "records are JSON"
conns=$(grep -c '"event":"connect"' "$R")
syns=$("$MXSENSOR" syns --no-header "$OUT"/smtp1-*.pcap 2>/dev/null | wc -l)
[ "$syns" -ge $((conns + 2)) ] && ok "SYNs still captured in SMTP mode ($syns SYNs, $conns sessions)" ||
	not_ok "SYNs in SMTP mode" "$syns SYNs, $conns sessions"

# --- reject at RCPT, with a tarpit --------------------------------------
start smtp2 --smtp-reject-at rcpt --smtp-code 450 --smtp-tarpit 300ms --smtp-max-per-prefix 3000
inC python3 "$T/smtpc.py" $A4 many >"$T/many" 2>&1
grep -q '^greeted 2000$' "$T/many" && ok "2000 concurrent clients all greeted (tarpit 300 ms)" ||
	not_ok "2000 concurrent clients" "$(cat "$T/many")"
inC python3 "$T/smtpc.py" $A6 session >"$T/sess" 2>&1
sed -n 2,7p "$T/sess" | tr '\n' '|' >"$T/codes"
if grep -q '^220 sensor.test ESMTP|250 sensor.test|250 2.1.0 Ok|450 4.7.1 [^|]*|450 4.7.1 [^|]*|450 4.3.0 [^|]*|$' "$T/codes"; then
	ok "reject at RCPT: MAIL 250, each RCPT 450, DATA 450 (never 354)"
else
	not_ok "reject at RCPT" "$(cat "$T/sess")"
fi
inC python3 "$T/smtpc.py" $A4 tarpit >"$T/tarpit" 2>&1
t=$(sed -n 's/greeting after //p' "$T/tarpit")
python3 -c "import sys; sys.exit(0 if float('$t') >= 0.3 else 1)" 2>/dev/null &&
	ok "tarpit delays the greeting ($t s)" || not_ok "tarpit" "$(cat "$T/tarpit")"
stop
port=$(sed -n 's/^port //p' "$T/sess")

n=$(grep '"event":"rcpt"' "$OUT/smtp2.jsonl" | grep -c "\"sport\":$port,")
[ "$n" -eq 2 ] && grep -q '"value":"<u2@sensor.test>"' "$OUT/smtp2.jsonl" &&
	ok "both RCPT TO recorded with the client's port $port" ||
	not_ok "RCPT records" "$(cat "$OUT/smtp2.jsonl")"

# --- 3000 idle clients against --smtp-max-clients 1000 ------------------
start smtp3 --smtp-max-clients 1000 --smtp-max-per-prefix 4000 --smtp-idle 60s
rss0=$(awk '/^VmRSS/ { print $2 }' /proc/$CAP/status)
inC python3 "$T/smtpc.py" $A4 hold $CAP >"$T/hold" 2>&1
read -r _ greeted _ refused _ rss1 <"$T/hold"
[ "${greeted:-0}" -eq 1000 ] && [ "${refused:-0}" -eq 2000 ] &&
	ok "3000 idle clients: 1000 held (--smtp-max-clients), 2000 turned away with 421" ||
	not_ok "idle clients bounded by --smtp-max-clients" "$(cat "$T/hold")"
[ -n "${rss1:-}" ] && [ $((rss1 - rss0)) -lt 65536 ] &&
	ok "memory while holding 1000 idle clients: +$((rss1 - rss0)) KB" ||
	not_ok "memory bounded with idle clients" "$rss0 KB -> ${rss1:-?} KB"
stop

# usage errors
for bad in "--smtp-code 250" "--smtp-reject-at data" "--smtp-max-line 10" "--smtp-tarpit x"; do
	# shellcheck disable=SC2086
	"$MXSENSOR" capture --smtp --smtp-log "$OUT/u.jsonl" $bad >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] && ok "usage error '$bad' exits 2" || not_ok "usage error '$bad'" "rc=$rc"
done
"$MXSENSOR" capture -w "$OUT/u.pcap" --smtp-code 450 >/dev/null 2>&1
[ $? -eq 2 ] && ok "--smtp-* without --smtp is a usage error" || not_ok "--smtp-* without --smtp"
