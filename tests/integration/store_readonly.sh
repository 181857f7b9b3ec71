#!/bin/sh
# store_readonly.sh - a store that the reading user may not write: root's
# store in root's 755 directory, read by nobody; a copy of the file alone
# (no -wal beside it), under a name that needs escaping in an SQLite URI,
# one written while it is read, and one beside a rollback journal;
# a read-only mount, read by root; a run in progress; a writer killed
# with its commit still in the -wal file; an older schema.  Every reader
# (report, hosts, explain, reputation, dnsbl) prints what root's does,
# and nothing in the directory changes.
. tests/lib.sh
need_file examples/sensor.pcap.gz
need_file examples/mail.log.gz

chmod 755 "$T"
mkdir -p "$T/ro"
chmod 755 "$T/ro"
db=$T/ro/mx.db
"$MXSENSOR" analyze -q --db "$db" --pcap examples/sensor.pcap.gz --mta-log examples/mail.log.gz ||
	{ not_ok "analyze the example"; exit 1; }
chmod 644 "$db"
host=$("$MXSENSOR" hosts --db "$db" --family 6 --label associated --no-header | head -1 | cut -d, -f1)
[ -n "$host" ] || { not_ok "an associated IPv6 host in the example"; exit 1; }

# the last connection leaves the -wal file, empty, and the -shm file,
# with the store's owner and mode: what a reader without write access
# needs to read it in WAL mode
if [ -f "$db-wal" ] && [ ! -s "$db-wal" ] && [ -f "$db-shm" ] &&
	[ "$(stat -c %U%a "$db-wal") $(stat -c %U%a "$db-shm")" = "root644 root644" ]; then
	ok "analyze leaves an empty -wal and the -shm beside the store, mode 644"
else
	not_ok "-wal and -shm beside the store" "$(ls -l "$T/ro")"
fi

# listing DIR - the names, sizes and times of what DIR holds
listing() { ls -l --time-style=+%s.%N "$1"; }

# reader N - the command line of reader N (1-5)
reader() {
	case $1 in
	1) echo report ;;
	2) echo hosts ;;
	3) echo "explain $host" ;;
	4) echo reputation ;;
	5) echo "dnsbl --zone dnsbl.test" ;;
	esac
}
# what each reader prints as root on $db: want.N (the report without the
# lines that name its store and the time it was made)
for i in 1 2 3 4 5; do
	# shellcheck disable=SC2046
	"$MXSENSOR" $(reader $i) --db "$db" >"$T/want.$i" 2>&1
	sed -i '/^Store \|generated 20/d' "$T/want.$i"
done

# same WHO DB NAME - every reader as WHO on DB prints what root's prints
# on $db; the directory of DB unchanged
same() {
	who=$1 d=$2 name=$3
	bad=""
	before=$(listing "$(dirname "$d")")
	for i in 1 2 3 4 5; do
		args=$(reader $i)
		if [ "$who" = root ]; then
			# shellcheck disable=SC2086
			"$MXSENSOR" $args --db "$d" >"$T/got" 2>"$T/err"
		else
			# shellcheck disable=SC2086
			runuser -u "$who" -- "$MXSENSOR" $args --db "$d" >"$T/got" 2>"$T/err"
		fi
		rc=$?
		sed -i '/^Store \|generated 20/d' "$T/got"
		if [ $rc != 0 ] || ! cmp -s "$T/want.$i" "$T/got" || [ ! -s "$T/got" ]; then
			bad="$bad $args: exit $rc $(head -c 300 "$T/err")"
		fi
	done
	after=$(listing "$(dirname "$d")")
	if [ -z "$bad" ] && [ "$before" = "$after" ]; then
		ok "$name: report, hosts, explain, reputation, dnsbl as root's; nothing changed"
	else
		not_ok "$name" "$bad" "$before" "$after"
	fi
}

same nobody "$db" "root's store in root's 755 directory, read by nobody"

# a copy of the file alone: no -wal beside it, which nobody may not make
mkdir "$T/copy"
chmod 755 "$T/copy"
odd="$T/copy/m x?#%41.db"
cp "$db" "$odd"
same nobody "$odd" "a copy without -wal, named 'm x?#%41.db', read by nobody"
(cd "$T/copy" && runuser -u nobody -- "$MXSENSOR" hosts --db 'm x?#%41.db') >"$T/rel.csv" 2>&1
if "$MXSENSOR" hosts --db "$db" | cmp -s - "$T/rel.csv"; then
	ok "the copy by a relative name, read by nobody: hosts as root's"
else
	not_ok "the copy by a relative name" "$(head -3 "$T/rel.csv")"
fi
if [ ! -e "$odd-wal" ] && [ "$(ls "$T/copy" | wc -l)" = 1 ]; then
	ok "the copy is read as it is: no -wal or -shm made"
else
	not_ok "the copy is read as it is" "$(ls -l "$T/copy")"
fi

# a copy beside a rollback journal (a first run that crashed, or one
# under way): not read as an unchanging file, which would not see the
# journal; SQLite's refusal is said instead
cp "$db" "$T/copy/j.db"
: >"$T/copy/j.db-journal"
runuser -u nobody -- "$MXSENSOR" hosts --db "$T/copy/j.db" >/dev/null 2>"$T/err"
rc=$?
if [ $rc = 2 ] && grep -q "^mxsensor: $T/copy/j.db: .*(this user may not write the store" "$T/err"; then
	ok "a copy beside a rollback journal, read by nobody: exit 2, not read as unchanging"
else
	not_ok "a copy beside a rollback journal" "exit $rc" "$(cat "$T/err")"
fi
rm -f "$T/copy/j.db" "$T/copy/j.db-journal"

# a read-only mount of the directory, read by root
mkdir "$T/rom"
if unshare -m sh -c '
	mount --bind "$1/ro" "$1/rom" && mount -o remount,bind,ro "$1/rom" &&
	touch "$1/rom/x" 2>/dev/null && exit 3
	"$2" hosts --db "$1/rom/mx.db" >"$1/rom.csv" &&
	"$2" report --db "$1/rom/mx.db" >/dev/null' sh "$T" "$MXSENSOR" 2>"$T/err" &&
	"$MXSENSOR" hosts --db "$db" | cmp -s - "$T/rom.csv"; then
	ok "a read-only mount: root reads the store, hosts as from the writable one"
else
	not_ok "a read-only mount" "exit $?" "$(cat "$T/err")"
fi

# a writer may not: analyze as nobody says why, and changes nothing
sum=$(md5sum <"$db")
runuser -u nobody -- "$MXSENSOR" analyze -q --db "$db" --pcap examples/sensor.pcap.gz 2>"$T/err"
rc=$?
if [ $rc = 2 ] && grep -q "this user may not write the store, or create SQLite's -wal and -shm files in its directory" "$T/err" &&
	[ "$(md5sum <"$db")" = "$sum" ]; then
	ok "analyze as nobody: exit 2, says why, the store unchanged"
else
	not_ok "analyze as nobody" "exit $rc" "$(cat "$T/err")"
fi

# an older schema: nobody may not bring it up to date, and says so
cp "$db" "$T/copy/old.db"
sqlite3 "$T/copy/old.db" "UPDATE meta SET value = '5' WHERE key = 'schema_version'"
rm -f "$T/copy/old.db-wal" "$T/copy/old.db-shm"
sum=$(md5sum <"$T/copy/old.db")
runuser -u nobody -- "$MXSENSOR" hosts --db "$T/copy/old.db" >/dev/null 2>"$T/err"
rc=$?
if [ $rc = 2 ] && grep -q "old.db: schema version 5, older than this mxsensor's ([0-9]*): it is brought up to date in place by the first mxsensor command that opens it as a user who may write it" "$T/err" &&
	[ "$(md5sum <"$T/copy/old.db")" = "$sum" ]; then
	ok "an older schema, read by nobody: exit 2, says who may migrate it, unchanged"
else
	not_ok "an older schema, read by nobody" "exit $rc" "$(cat "$T/err")"
fi

# a writer killed after its commit, before any checkpoint: the commit is
# in the -wal file only; nobody reads it there, as root does
cp "$db" "$T/copy/hot.db"
chmod 644 "$T/copy/hot.db"
(python3 - "$T/copy/hot.db" "$host" <<'EOF'
import os, signal, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA wal_autocheckpoint = 0")
c.execute("DELETE FROM hosts WHERE addr = ?", (sys.argv[2],))
os.kill(os.getpid(), signal.SIGKILL)
EOF
:   # a subshell of its own, which says "Killed" to /dev/null
) 2>/dev/null
n=$("$MXSENSOR" hosts --db "$db" --no-header | wc -l)
runuser -u nobody -- "$MXSENSOR" hosts --db "$T/copy/hot.db" --no-header >"$T/hot.csv" 2>"$T/err"
rc=$?
walsize=$(stat -c %s "$T/copy/hot.db-wal" 2>/dev/null)
if [ $rc = 0 ] && [ "${walsize:-0}" -gt 0 ] && [ "$(wc -l <"$T/hot.csv")" = $((n - 1)) ] &&
	! grep -q "^$host," "$T/hot.csv"; then
	ok "a writer killed with its commit in the -wal ($walsize bytes): nobody reads the commit"
else
	not_ok "a writer killed with its commit in the -wal" "exit $rc, wal ${walsize:-none}" \
		"$(wc -l <"$T/hot.csv") of $n rows" "$(cat "$T/err")"
fi

# a run in progress: every read as nobody gives the old hosts or the new
# ones, never an error or a mix
"$MXSENSOR" hosts --db "$db" >"$T/old.csv"
"$MX_TOOLS/mxgen" --syns 300000 --seconds 600 --pcap "$T/big.pcap" --truth "$T/big.csv" \
	--log "$T/big.log" 2>/dev/null || { not_ok "mxgen"; exit 1; }
"$MXSENSOR" analyze -q --db "$db" --pcap "$T/big.pcap" --mta-log "$T/big.log" 2>"$T/run.err" &
apid=$!
reads=0 during=0 bad=""
while :; do
	running=0
	kill -0 $apid 2>/dev/null && running=1
	runuser -u nobody -- "$MXSENSOR" hosts --db "$db" >"$T/r.csv" 2>"$T/err" || bad="$bad exit $?: $(cat "$T/err")"
	reads=$((reads + 1))
	kill -0 $apid 2>/dev/null && [ $running = 1 ] && during=$((during + 1))
	cp "$T/r.csv" "$T/r.$reads.csv"
	[ $running = 1 ] && [ $reads -lt 600 ] || break
done
wait $apid
rc=$?
"$MXSENSOR" hosts --db "$db" >"$T/new.csv"
for f in "$T"/r.*.csv; do
	cmp -s "$f" "$T/old.csv" || cmp -s "$f" "$T/new.csv" || bad="$bad $(basename "$f"): neither"
done
if [ $rc = 0 ] && [ $during -ge 1 ] && [ -z "$bad" ] && ! cmp -s "$T/old.csv" "$T/new.csv" &&
	cmp -s "$T/r.$reads.csv" "$T/new.csv"; then
	ok "a run in progress: $reads reads as nobody ($during while it ran), each the old hosts or the new"
else
	not_ok "a run in progress" "analyze exit $rc, $reads reads, $during during" "$bad" "$(cat "$T/run.err")"
fi
if [ ! -s "$db-wal" ]; then
	ok "after a run of 300k SYNs the -wal beside the store is empty"
else
	not_ok "the -wal emptied" "$(ls -l "$T/ro")"
fi

# a copy without -wal changed by a writer while nobody reads it (hosts
# of the 300k-SYN store, 8 MB, held by a full pipe once its first byte
# is out): said, exit 2, never taken for what the store holds
cp "$db" "$T/copy/w.db"
chmod 644 "$T/copy/w.db"
(runuser -u nobody -- "$MXSENSOR" hosts --db "$T/copy/w.db" 2>"$T/err"; echo $? >"$T/rc") |
	{ dd bs=1 count=1 >/dev/null 2>&1; sqlite3 "$T/copy/w.db" "DELETE FROM hosts WHERE addr = (SELECT addr FROM hosts LIMIT 1)"; cat >/dev/null; }
rc=$(cat "$T/rc")
if [ "$rc" = 2 ] && grep -q "^mxsensor: $T/copy/w.db: the store changed while it was read, with no -wal file beside it" "$T/err"; then
	ok "a copy without -wal written while nobody reads it: exit 2, says so"
else
	not_ok "a copy without -wal written while nobody reads it" "exit $rc" "$(cat "$T/err")"
fi
rm -f "$T/copy/w.db"*
exit 0
