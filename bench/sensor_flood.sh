#!/bin/sh
# bench/sensor_flood.sh - `mxsensor capture` under a SYN flood, live.
#
# Two network namespaces joined by a veth pair; a raw-socket sender in one
# sends FLOOD_SYNS (default 200000) IPv4 SYNs to port 25 as fast as it can,
# the sensor in the other captures them; then the sensor is stopped at
# once and the kernel's drop counter and the SYNs in the files are
# compared with what was sent.  Needs root; removes its namespaces.
# Prints the send rate, kernel drops and SYNs kept.  For comparison,
# FLOOD_PEER=1 runs tcpdump on the same flood instead.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$top/$BUILD" ;; esac
MX="$BUILD/mxsensor"
N=${FLOOD_SYNS:-200000}
C=mxfc$$ S=mxfs$$
D=$(mktemp -d /tmp/mxflood.XXXXXX)
cleanup() { ip netns del "$C" 2>/dev/null; ip netns del "$S" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT INT TERM
chown nobody "$D"
ip netns add "$C" && ip netns add "$S" &&
	ip link add fa$$ netns "$C" type veth peer name fb$$ netns "$S" &&
	ip -n "$C" addr add 10.97.0.1/24 dev fa$$ && ip -n "$S" addr add 10.97.0.2/24 dev fb$$ &&
	ip -n "$C" link set fa$$ up && ip -n "$S" link set fb$$ up && ip -n "$S" link set lo up ||
	{ echo "sensor_flood: cannot set up namespaces (root?)" >&2; exit 1; }

cat >"$D/flood.py" <<'PY'
import socket, struct, sys, time
dst, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xffff)
    return ~(t + (t >> 16)) & 0xffff
src, d = socket.inet_aton("10.97.0.1"), socket.inet_aton(dst)
pk = []
for i in range(n):
    tcp = struct.pack("!HHIIBBHHH", 1024 + i % 60000, 25, i, 0, 5 << 4, 2, 64240, 0, 0)
    c = csum(src + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    pk.append(tcp[:16] + struct.pack("!H", c) + tcp[18:])
t = time.time()
for p in pk:
    s.sendto(p, (dst, 0))
print("sent %d SYNs at %.0f/s" % (n, n / (time.time() - t)))
PY

if [ "${FLOOD_PEER:-0}" = 1 ]; then
	ip netns exec "$S" tcpdump -Z root -i any -w "$D/td.pcap" 'tcp dst port 25' 2>"$D/log" &
else
	ip netns exec "$S" "$MX" capture -w "$D/syn-%H%M%S.pcap" --user nobody 2>"$D/log" &
fi
P=$!
sleep 1
ip netns exec "$C" python3 "$D/flood.py" 10.97.0.2 "$N"
kill -TERM $P
wait $P
grep -E "stats \(exit\)|captured|dropped" "$D/log"
[ "${FLOOD_PEER:-0}" = 1 ] || echo "SYNs in the files: $("$MX" syns --no-header "$D"/syn-*.pcap | wc -l) of $N"
