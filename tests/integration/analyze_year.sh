#!/bin/sh
# analyze_year.sh - a year of rotated captures and rotated syslog files
# whose stamps carry no year (Postfix's traditional "Mon DD HH:MM:SS"):
# every log file's year comes from the captures' period, from the first
# capture file's first SYN to the last file's, so the November log of a
# capture that began in January stays in that year.  Held against the
# same analysis with --year given, and against the generator's truth.
. tests/lib.sh
command -v editcap >/dev/null || { not_ok "editcap installed (wireshark-common, scripts/setup.sh)"; exit 0; }

# 2026-01-01 .. 2027-01-01, no misbehaving /64 (it would add an attempt
# every 5 s for the whole year)
"$MX_TOOLS/mxgen" --clients 120 --seconds 31536000 --seed 7 --mix misbehaving=0 \
	--pcap "$T/y.pcap" --truth "$T/truth.csv" --log "$T/mail.log" 2>/dev/null ||
	{ not_ok "mxgen"; exit 0; }
mkdir -p "$T/caps" "$T/logs"
# monthly capture files, as capture --rotate-seconds would write them
editcap -i 2592000 "$T/y.pcap" "$T/caps/syn.pcap" >/dev/null 2>&1 || { not_ok "editcap"; exit 0; }
# a log file per month, as a monthly logrotate leaves them
awk -v d="$T/logs" '{ if (NR > 1 && $1 != prev) n++; prev = $1
	print > sprintf("%s/mail.log.%02d", d, n) }' "$T/mail.log"
ncaps=$(ls "$T/caps" | wc -l)
nlogs=$(ls "$T/logs" | wc -l)
[ "$ncaps" -ge 12 ] && [ "$nlogs" -ge 12 ] && ok "$ncaps capture files, $nlogs log files" ||
	not_ok "rotated inputs" "$ncaps captures, $nlogs logs"

"$MXSENSOR" analyze -q --db "$T/rot.db" --pcap "$T/caps" --mta-log "$T/logs" 2>"$T/err" ||
	not_ok "analyze the rotated inputs" "$(cat "$T/err")"
"$MXSENSOR" analyze -q --db "$T/year.db" --pcap "$T/caps" --mta-log "$T/mail.log" --year 2026 \
	2>"$T/err" || not_ok "analyze with --year 2026" "$(cat "$T/err")"
ev() { sqlite3 "$1" "SELECT addr, kind, list, first_ns, last_ns, count FROM mta_events ORDER BY 1, 2, 3"; }
years=$(sqlite3 "$T/rot.db" "SELECT group_concat(y || ':' || n, ' ') FROM (SELECT
	strftime('%Y', first_ns / 1000000000, 'unixepoch') AS y, COUNT(*) AS n FROM mta_events
	GROUP BY y)")
n=$(sqlite3 "$T/rot.db" "SELECT COUNT(*) FROM mta_events")
if [ "$n" -gt 100 ] && [ "$(ev "$T/rot.db")" = "$(ev "$T/year.db")" ]; then
	ok "every log file in the captures' year: $n MTA events as with --year 2026 ($years)"
else
	not_ok "log files in the captures' year" "$n events, by year: $years"
fi
if out=$(python3 tests/tools/truth_eval.py "$T/rot.db" "$T/truth.csv" --min-precision 0.99 \
	--min-recall 0.95); then
	ok "association and labels against the truth: $(echo "$out" | tail -n 1)"
else
	not_ok "association and labels against the truth" "$out"
fi
exit 0
