#!/bin/sh
# addr_cmd.sh - the `mxsensor addr` command line: input from arguments and
# stdin, bad lines, exit status, and the three output formats (JSON lines
# checked by python3's json parser).
. tests/lib.sh

# stdin: bad lines are reported with their line number, the rest classified
printf '2001:db8::1\nbogus\n\n  # comment\n 10.0.0.1 \n1.2.3.4.5\n' >"$T/in.txt"
"$MXSENSOR" addr -f csv <"$T/in.txt" >"$T/out.csv" 2>"$T/err.txt"
rc=$?
if [ "$rc" -eq 1 ]; then ok "bad stdin line: exit 1"; else not_ok "bad stdin line: exit 1" "exit $rc"; fi
want='mxsensor: -:2: not an address: bogus
mxsensor: -:6: not an address: 1.2.3.4.5'
if [ "$(cat "$T/err.txt")" = "$want" ]; then ok "bad lines reported as -:LINE:"; else
	not_ok "bad lines reported as -:LINE:" "$(cat "$T/err.txt")"; fi
if [ "$(sed -n 1p "$T/out.csv")" = "address,family,scope,iid,v4,v4_via,gateway,teredo_server,teredo_client,teredo_port,teredo_flags,teredo_kind,isatap_v4,mac,port,flags" ] &&
	[ "$(cut -d, -f1-4 "$T/out.csv" | sed 1d | tr '\n' ' ')" = "2001:db8::1,6,documentation,low-byte 10.0.0.1,4,private,none " ]; then
	ok "csv: header and good lines"
else
	not_ok "csv: header and good lines" "$(cat "$T/out.csv")"
fi

# a line too long is rejected, the next one still read
{ head -c 3000 /dev/zero | tr '\0' 'a'; printf '\n::1\n'; } >"$T/long.txt"
out=$("$MXSENSOR" addr -H -f csv <"$T/long.txt" 2>"$T/err.txt"); rc=$?
if [ "$rc" -eq 1 ] && [ "$(cut -d, -f1,3 <<EOF
$out
EOF
)" = "::1,loopback" ] && grep -q '^mxsensor: -:1: line longer than' "$T/err.txt"; then
	ok "overlong line rejected, reading goes on"
else
	not_ok "overlong line rejected, reading goes on" "exit $rc" "$out" "$(cat "$T/err.txt")"
fi

# arguments; exit 0 when all are addresses, 1 otherwise
check "arguments: exit 0" "$MXSENSOR" addr ::1 8.8.8.8
if "$MXSENSOR" addr ::1 nope >/dev/null 2>&1; then not_ok "bad argument: exit 1"; else
	[ $? -eq 1 ] && ok "bad argument: exit 1" || not_ok "bad argument: exit 1"; fi
"$MXSENSOR" addr -f xml ::1 >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then ok "unknown format: exit 2"; else not_ok "unknown format: exit 2" "exit $rc"; fi
if "$MXSENSOR" help addr | grep -q 'teredo_client'; then ok "help text lists the columns"; else not_ok "help text lists the columns"; fi

# jsonl: every line parses, the same keys on every line, RFC 4380 example decoded
head -n 300 tests/data/addrs6.txt >"$T/some.txt"
echo 2001:0000:4136:e378:8000:63bf:3fff:fdd2 >>"$T/some.txt"
"$MXSENSOR" addr -f jsonl <"$T/some.txt" >"$T/out.jsonl"
if python3 - "$T/out.jsonl" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = {tuple(r.keys()) for r in rows}
assert len(rows) == 301 and len(keys) == 1, (len(rows), keys)
t = rows[-1]
assert (t["scope"], t["iid"], t["teredo_server"], t["teredo_client"], t["teredo_port"],
        t["v4"], t["v4_via"]) == ("teredo", "teredo", "65.54.227.120", "192.0.2.45", 40000,
                                   "192.0.2.45", "teredo"), t
EOF
then ok "jsonl: valid JSON, stable keys, Teredo example"; else not_ok "jsonl: valid JSON, stable keys, Teredo example"; fi

# text: fixed columns (SCOPE at column 45, IID at 61 on every line)
"$MXSENSOR" addr <"$T/some.txt" >"$T/out.txt"
bad=$(awk 'substr($0, 44, 1) != " " || substr($0, 45, 1) == " " || substr($0, 60, 1) != " " || substr($0, 61, 1) == " "' "$T/out.txt" | head -3)
if [ -z "$bad" ] && [ "$(wc -l <"$T/out.txt")" -eq 302 ]; then ok "text: aligned columns"; else not_ok "text: aligned columns" "$bad"; fi
