# tests/pgcluster.sh - a private PostgreSQL cluster for tests and benchmarks
# (sourced).  pg_start DIR makes DIR, runs initdb there as an unprivileged
# user (postgres refuses root: as root the cluster belongs to the Debian
# package's user postgres), starts the server listening only on a unix
# socket in DIR, creates database mx owned by role mx, and sets
#   PG_CONNINFO  postgres:host=DIR dbname=mx user=mx  (mxsensor --db)
#   PG_URL       postgresql:///mx?host=DIR&user=mx   (mxsensor --db)
# pg_stop stops it at once and removes DIR; pg_sql SQL runs one statement
# with psql (unaligned rows, '|' between columns, as sqlite3 prints).
# Returns non-zero with the reason on stderr when something is missing.

pg_start() {
	PG_DIR=$1
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
		echo "PostgreSQL server binaries missing (Debian package postgresql)" >&2
		return 1
	fi
	PG_RUN=""
	mkdir -p "$PG_DIR" || return 1
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || { echo "no user postgres" >&2; return 1; }
		PG_RUN="runuser -u postgres --"
		chown postgres "$PG_DIR"
	fi
	$PG_RUN "$PGBIN/initdb" -D "$PG_DIR/data" -A trust -U mx --no-locale -E UTF8 \
		--no-sync >"$PG_DIR/initdb.log" 2>&1 ||
		{ tail -5 "$PG_DIR/initdb.log" >&2; return 1; }
	# ${PG_OPTS}: extra server settings (the tests turn fsync off)
	$PG_RUN timeout 60 "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 40 \
		-o "-k $PG_DIR -c listen_addresses= ${PG_OPTS:-}" start >/dev/null 2>&1 ||
		{ tail -5 "$PG_DIR/server.log" >&2; return 1; }
	$PG_RUN "$PGBIN/createdb" -h "$PG_DIR" -U mx mx || return 1
	PG_CONNINFO="postgres:host=$PG_DIR dbname=mx user=mx"
	PG_URL="postgresql:///mx?host=$PG_DIR&user=mx"
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	[ -f "$PG_DIR/data/postmaster.pid" ] &&
		$PG_RUN "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 20 stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
}

pg_sql() {
	psql -h "$PG_DIR" -U mx -d mx -At -c "$1"
}
