# sensor_check_dns.sh - `mxsensor check-dns` against a real authoritative
# server (nsd) serving test zones inside a network namespace's loopback:
# one correct layout and several wrong ones; asked over IPv4 and IPv6.
. tests/lib.sh

NS=mxd$$
cleanup() {
	netns_gone "$NS"
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

if ! { ip netns add "$NS" && ip -n "$NS" link set lo up; }; then
	not_ok "network namespace set up (needs root)"
	exit 1
fi
inN() { ip netns exec "$NS" "$@"; }

Z=$T/nsd
mkdir -p "$Z"
# zone NAME: MX and address lines follow on stdin
zone() {
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$1"
		printf '@ IN SOA ns.%s. host.%s. 1 3600 600 86400 300\n' "$1" "$1"
		printf '@ IN NS ns.%s.\nns IN A 127.0.0.1\n' "$1"
		cat
	} >"$Z/$1.zone"
	printf 'zone:\n\tname: %s\n\tzonefile: %s.zone\n' "$1" "$1" >>"$Z/zones.conf"
}
: >"$Z/zones.conf"
# correct: two IPv4-only production MXs, the dual-stack sensor last
zone good.test <<'EOF'
@ IN MX 10 mx1
@ IN MX 20 mx2
@ IN MX 30 sensor
mx1 IN A 192.0.2.10
mx2 IN A 192.0.2.20
sensor IN A 192.0.2.30
sensor IN AAAA 2001:db8::30
EOF
# wrong: a production MX has an AAAA record
zone aaaa.test <<'EOF'
@ IN MX 10 mx1
@ IN MX 30 sensor
mx1 IN A 192.0.2.10
mx1 IN AAAA 2001:db8::10
sensor IN A 192.0.2.30
sensor IN AAAA 2001:db8::30
EOF
# wrong: the dual-stack sensor is preferred over production
zone pref.test <<'EOF'
@ IN MX 5 sensor
@ IN MX 10 mx1
sensor IN A 192.0.2.30
sensor IN AAAA 2001:db8::30
mx1 IN A 192.0.2.10
EOF
# wrong: the sensor has no AAAA; and an MX host that does not exist
zone noaaaa.test <<'EOF'
@ IN MX 10 mx1
@ IN MX 20 ghost
@ IN MX 30 sensor
mx1 IN A 192.0.2.10
sensor IN A 192.0.2.30
EOF
# wrong: no MX at all
zone nomx.test <<'EOF'
www IN A 192.0.2.80
EOF

cat >"$Z/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1
	ip-address: ::1
	port: 53
	username: ""
	chroot: ""
	zonesdir: "$Z"
	database: ""
	pidfile: "$Z/nsd.pid"
	xfrdfile: "$Z/xfrd.state"
	zonelistfile: "$Z/zone.list"
	logfile: "$Z/nsd.log"
	server-count: 1
	verbosity: 1
remote-control:
	control-enable: no
include: "$Z/zones.conf"
EOF
for f in "$Z"/*.zone; do
	name=$(basename "$f" .zone)
	nsd-checkzone "$name" "$f" >/dev/null 2>&1 || not_ok "zone $name is valid for nsd"
done
inN nsd -d -c "$Z/nsd.conf" >"$Z/nsd.out" 2>&1 &
i=0
until inN "$MXSENSOR" check-dns good.test --server 127.0.0.1 --timeout 200ms >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge 50 ]; then
		not_ok "nsd answers" "$(cat "$Z/nsd.out" "$Z/nsd.log" 2>/dev/null)"
		exit 1
	fi
	sleep 0.1
done
ok "nsd serves the test zones"

# run NAME EXPECTED-STATUS PATTERN ARGS... - check-dns in the namespace
run() {
	name=$1 want=$2 pat=$3
	shift 3
	out=$(inN "$MXSENSOR" check-dns "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && printf '%s\n' "$out" | grep -q -- "$pat"; then
		ok "$name"
	else
		not_ok "$name" "status $rc, want $want; output:" "$out"
	fi
}

for srv in 127.0.0.1 "[::1]:53" ::1 127.0.0.1:53; do
	run "correct layout via $srv" 0 "^layout ok" good.test --server "$srv"
done
run "correct layout: sensor line" 0 "^30 *sensor.good.test *sensor *A: 192.0.2.30 *AAAA: 2001:db8::30 *ok" \
	good.test --server 127.0.0.1
run "correct layout: production lines" 0 "^20 *mx2.good.test *production *A: 192.0.2.20 *AAAA: - *ok" \
	good.test --server 127.0.0.1
run "correct layout with --sensor" 0 "^layout ok" good.test --sensor SENSOR.good.test. --server ::1
run "--sensor naming a production MX" 1 "sensor has no AAAA" good.test --sensor mx1.good.test --server ::1
run "--sensor not an MX" 1 "is not an MX of good.test" good.test --sensor other.good.test --server ::1
run "production MX with AAAA" 1 "production MX has AAAA records" aaaa.test --server 127.0.0.1
run "sensor preferred over production" 1 "not larger than" pref.test --sensor sensor.pref.test --server 127.0.0.1
run "sensor without AAAA" 1 "sensor has no AAAA record" noaaaa.test --server 127.0.0.1
run "MX host that does not exist" 1 "ghost.noaaaa.test.*does not exist" noaaaa.test --server 127.0.0.1
run "no MX records" 1 "no MX records" nomx.test --server 127.0.0.1
run "domain that does not exist" 1 "does not exist (NXDOMAIN)" nothere.good.test --server 127.0.0.1
run "server refuses the zone" 1 "refused or did not answer" other.example --server 127.0.0.1

# machine output: one row per MX host; verdict columns agree with text
out=$(inN "$MXSENSOR" check-dns good.test --server 127.0.0.1 --format jsonl)
n=$(printf '%s\n' "$out" | grep -c '"ok":1')
[ "$n" -eq 3 ] && ok "jsonl: three hosts, all ok" || not_ok "jsonl rows" "$out"
out=$(inN "$MXSENSOR" check-dns aaaa.test --server 127.0.0.1 --format csv 2>/dev/null)
printf '%s\n' "$out" | grep -q '^aaaa.test,10,mx1.aaaa.test,production,192.0.2.10,2001:db8::10,0,' &&
	ok "csv: the wrong host flagged" || not_ok "csv row" "$out"

# usage errors
for bad in "" "a.test b.test" "a.test --server 300.1.1.1" "a.test --server [::1]:0" \
	"a.test --timeout 0" "a.test --format xml"; do
	# shellcheck disable=SC2086
	"$MXSENSOR" check-dns $bad >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] && ok "usage error '$bad' exits 2" || not_ok "usage error '$bad'" "rc=$rc"
done
# an unanswering server: a clear failure, bounded in time
out=$(inN "$MXSENSOR" check-dns good.test --server 127.0.0.1:1 --timeout 200ms 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s\n' "$out" | grep -q "layout WRONG: MX look-up" &&
	ok "no answer: exit 1 with the reason" || not_ok "no answer" "rc=$rc" "$out"

# the server stops with its namespace: the test leaves no process behind
netns_gone "$NS"
left=$(pgrep -af "$Z/nsd.conf")
[ -z "$left" ] && ok "nsd stopped with its namespace" || not_ok "nsd left running" "$left"
