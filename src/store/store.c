/*
 * store.c - the store (store.h) over its back ends, and its schema.
 *
 * The location picks the back end from backends[]: a PostgreSQL URL
 * (postgresql://, postgres://) or a conninfo string after "postgres:" is
 * store_pg.c, anything else a path for store_sqlite.c.  Everything both
 * do alike lives here: the schema as one list of migrations, the
 * migration runner, and the SQL of a run, written in the SQL both
 * dialects accept.
 *
 * Schema: migrations[v] takes a store from version v to v + 1.  Its sql
 * is run on both back ends after replacing these tokens:
 *   {int}            INTEGER (SQLite)   BIGINT (PostgreSQL)
 *   {real}           REAL               DOUBLE PRECISION
 *   {id}             INTEGER PRIMARY KEY   BIGSERIAL PRIMARY KEY
 *   {without_rowid}  WITHOUT ROWID      (nothing)
 * then its sqlite or pg part (may be NULL) on that back end only, for
 * what the dialects spell differently (views with date functions,
 * functions).  Adding to the schema is adding one entry at the end.
 *
 * Sensors: every results table has a sensor column; a run replaces the
 * rows of its sensor only, attempt ids count from 1 per sensor's run
 * and are unique per (sensor, id).
 */
#include "store/store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "packet/parse.h"
#include "util/alloc.h"
#include "util/log.h"

struct store_migration {
	const char *sql;            /* both back ends, with {tokens} */
	const char *sqlite;         /* then SQLite only, or NULL */
	const char *pg;             /* then PostgreSQL only, or NULL */
};

/* the weekly view's week (strftime's %Y-W%W: weeks start on Monday) */
#define WEEK_SQLITE "strftime('%Y-W%W', a.first_ns / 1000000000, 'unixepoch')"
#define WEEK_PG \
	"to_char(t.ts, 'YYYY') || '-W' || lpad(((extract(doy FROM t.ts)::int + 6" \
	" - ((extract(dow FROM t.ts)::int + 6) % 7)) / 7)::text, 2, '0')"
#define WEEK_PG_FROM \
	" CROSS JOIN LATERAL (SELECT to_timestamp(a.first_ns / 1000000000)" \
	" AT TIME ZONE 'UTC' AS ts) t"
#define SERIES \
	"CASE WHEN a.family = 4 THEN (CASE WHEN h.listed = 1 THEN 'ipv4-spammer'\n" \
	"       ELSE 'ipv4-unlisted' END)\n" \
	"  ELSE (CASE WHEN h.label = 'associated' THEN 'ipv6-associated'\n" \
	"       ELSE 'ipv6-unassociated' END) END"

/* the results tables as of version 2, with a sensor column */
#define V2_ATTEMPTS \
	"CREATE TABLE attempts_v2 (sensor TEXT NOT NULL, id {int} NOT NULL,\n" \
	"  run_id {int} NOT NULL,\n" \
	"  family {int} NOT NULL, src TEXT NOT NULL, sport {int} NOT NULL,\n" \
	"  dst TEXT NOT NULL, dport {int} NOT NULL, first_ns {int} NOT NULL,\n" \
	"  last_ns {int} NOT NULL, syns {int} NOT NULL, ttl {int}, ittl {int},\n" \
	"  win {int}, mss {int}, wscale {int}, olayout TEXT, tsval {int},\n" \
	"  os TEXT, os_family TEXT, emb_kind TEXT, emb4 TEXT,\n" \
	"  partner {int}, score {int}, PRIMARY KEY (sensor, id));\n"
#define V1_SENSOR "COALESCE((SELECT sensor FROM runs ORDER BY id DESC LIMIT 1), '')"

static const struct store_migration migrations[] = {
	/* 0 -> 1: the first schema */
	{ "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);\n"
	  "CREATE TABLE runs (id {id}, sensor TEXT NOT NULL,\n"
	  "  started TEXT NOT NULL, finished TEXT, version TEXT, argv TEXT,\n"
	  "  options TEXT, syns {int}, attempts {int}, status TEXT);\n"
	  "CREATE TABLE inputs (run_id {int} NOT NULL, kind TEXT NOT NULL,\n"
	  "  path TEXT NOT NULL, records {int}, errors {int}, note TEXT);\n"
	  "CREATE TABLE attempts (id {id}, run_id {int} NOT NULL,\n"
	  "  family {int} NOT NULL, src TEXT NOT NULL, sport {int} NOT NULL,\n"
	  "  dst TEXT NOT NULL, dport {int} NOT NULL, first_ns {int} NOT NULL,\n"
	  "  last_ns {int} NOT NULL, syns {int} NOT NULL, ttl {int}, ittl {int},\n"
	  "  win {int}, mss {int}, wscale {int}, olayout TEXT, tsval {int},\n"
	  "  os TEXT, os_family TEXT, emb_kind TEXT, emb4 TEXT,\n"
	  "  partner {int}, score {int});\n"
	  "CREATE INDEX attempts_src ON attempts(src, first_ns);\n"
	  "CREATE INDEX attempts_first ON attempts(first_ns);\n"
	  "CREATE TABLE candidates (id {id}, a6 {int} NOT NULL,\n"
	  "  a4 {int} NOT NULL, ev_embed {int}, ev_stack {int}, ev_os {int},\n"
	  "  ev_syns {int}, ev_port {int}, ev_gap {int}, ev_tsclock {int},\n"
	  "  ev_asn {int}, ev_ptr {int}, ev_host {int}, score {int} NOT NULL,\n"
	  "  total {int}, ambiguous {int}, gap_ns {int}, port_dist {int},\n"
	  "  before {int}, decision TEXT);\n"
	  "CREATE INDEX candidates_a6 ON candidates(a6);\n"
	  "CREATE INDEX candidates_a4 ON candidates(a4);\n"
	  "CREATE TABLE mta_events (addr TEXT NOT NULL, family {int} NOT NULL,\n"
	  "  kind TEXT NOT NULL, list TEXT NOT NULL DEFAULT '', first_ns {int},\n"
	  "  last_ns {int}, count {int} NOT NULL, format TEXT,\n"
	  "  UNIQUE(addr, kind, list));\n"
	  "CREATE TABLE hosts (addr TEXT PRIMARY KEY, family {int} NOT NULL,\n"
	  "  addr_type TEXT, iid_class TEXT, emb_kind TEXT, emb4 TEXT,\n"
	  "  first_ns {int}, last_ns {int}, attempts {int}, syns {int},\n"
	  "  os TEXT, os_family TEXT, asn {int}, as_name TEXT, ptr TEXT,\n"
	  "  ptr_domain TEXT, listed {int} NOT NULL DEFAULT 0, lists TEXT,\n"
	  "  label TEXT, partners TEXT);\n",
	  "CREATE VIEW weekly AS\n"
	  "  SELECT " WEEK_SQLITE " AS week,\n"
	  "         " SERIES " AS series,\n"
	  "         COUNT(*) AS attempts\n"
	  "  FROM attempts a JOIN hosts h ON h.addr = a.src\n"
	  "  GROUP BY week, series;\n",
	  /* group_concat(value, separator) as SQLite has it, in input order */
	  "CREATE FUNCTION mx_concat_step(acc text, v text, sep text) RETURNS text\n"
	  "  AS $$ SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v\n"
	  "  ELSE acc || sep || v END $$ LANGUAGE SQL IMMUTABLE;\n"
	  "CREATE AGGREGATE group_concat(text, text) (SFUNC = mx_concat_step, STYPE = text);\n"
	  "CREATE VIEW weekly AS\n"
	  "  SELECT " WEEK_PG " AS week,\n"
	  "         " SERIES " AS series,\n"
	  "         COUNT(*) AS attempts\n"
	  "  FROM attempts a JOIN hosts h ON h.addr = a.src" WEEK_PG_FROM "\n"
	  "  GROUP BY 1, 2;\n" },
	/* 1 -> 2: what the policy server saw per reputation prefix */
	{ "CREATE TABLE policy_outcomes (prefix TEXT PRIMARY KEY, class TEXT,\n"
	  "  first_ns {int}, last_ns {int}, accepted {int} NOT NULL DEFAULT 0,\n"
	  "  limited {int} NOT NULL DEFAULT 0);\n", NULL, NULL },
	/* 2 -> 3: EHLO names of capture --smtp as association evidence */
	{ "ALTER TABLE candidates ADD COLUMN ev_ehlo {int} NOT NULL DEFAULT 0;\n", NULL, NULL },
	/* 3 -> 4: enrichment (enrich/enrich.h): per-run host data and the
	 * look-up caches kept across runs */
	{ "CREATE TABLE enrich (addr TEXT PRIMARY KEY, asn {int}, as_name TEXT,\n"
	  "  ptr TEXT, ptr_domain TEXT, match_asn {int}, match_ptr TEXT,\n"
	  "  match_domain TEXT);\n"
	  "CREATE TABLE ptr_cache (addr TEXT PRIMARY KEY, name TEXT,\n"
	  "  status TEXT NOT NULL, source TEXT, queried_ns {int} NOT NULL);\n"
	  "CREATE TABLE asn_cache (addr TEXT PRIMARY KEY, asn {int}, as_name TEXT,\n"
	  "  status TEXT NOT NULL, queried_ns {int} NOT NULL);\n", NULL, NULL },
	/* 4 -> 5: several sensors in one store: a sensor column in every
	 * results table, attempt ids unique per sensor.  The results before
	 * were those of the last run.  The look-up caches are shared by all
	 * sensors. */
	{ "DROP VIEW weekly;\n"
	  V2_ATTEMPTS
	  "INSERT INTO attempts_v2 SELECT COALESCE((SELECT sensor FROM runs r\n"
	  "  WHERE r.id = a.run_id), ''), a.id, a.run_id, family, src, sport, dst,\n"
	  "  dport, first_ns, last_ns, syns, ttl, ittl, win, mss, wscale, olayout,\n"
	  "  tsval, os, os_family, emb_kind, emb4, partner, score FROM attempts a;\n"
	  "DROP TABLE attempts;\n"
	  "ALTER TABLE attempts_v2 RENAME TO attempts;\n"
	  "CREATE INDEX attempts_src ON attempts(src, first_ns);\n"
	  "CREATE INDEX attempts_first ON attempts(first_ns);\n"
	  "CREATE TABLE candidates_v2 (id {id}, sensor TEXT NOT NULL,\n"
	  "  a6 {int} NOT NULL, a4 {int} NOT NULL, ev_embed {int}, ev_stack {int},\n"
	  "  ev_os {int}, ev_syns {int}, ev_port {int}, ev_gap {int}, ev_tsclock {int},\n"
	  "  ev_asn {int}, ev_ptr {int}, ev_host {int},\n"
	  "  ev_ehlo {int} NOT NULL DEFAULT 0, score {int} NOT NULL,\n"
	  "  total {int}, ambiguous {int}, gap_ns {int}, port_dist {int},\n"
	  "  before {int}, decision TEXT);\n"
	  "INSERT INTO candidates_v2 (sensor, a6, a4, ev_embed, ev_stack, ev_os,\n"
	  "  ev_syns, ev_port, ev_gap, ev_tsclock, ev_asn, ev_ptr, ev_host, ev_ehlo,\n"
	  "  score, total, ambiguous, gap_ns, port_dist, before, decision)\n"
	  "  SELECT " V1_SENSOR ", a6, a4, ev_embed, ev_stack, ev_os,\n"
	  "  ev_syns, ev_port, ev_gap, ev_tsclock, ev_asn, ev_ptr, ev_host, ev_ehlo,\n"
	  "  score, total, ambiguous, gap_ns, port_dist, before, decision\n"
	  "  FROM candidates ORDER BY id;\n"
	  "DROP TABLE candidates;\n"
	  "ALTER TABLE candidates_v2 RENAME TO candidates;\n"
	  "CREATE INDEX candidates_a6 ON candidates(sensor, a6);\n"
	  "CREATE INDEX candidates_a4 ON candidates(sensor, a4);\n"
	  "CREATE TABLE mta_events_v2 (sensor TEXT NOT NULL, addr TEXT NOT NULL,\n"
	  "  family {int} NOT NULL, kind TEXT NOT NULL, list TEXT NOT NULL DEFAULT '',\n"
	  "  first_ns {int}, last_ns {int}, count {int} NOT NULL, format TEXT,\n"
	  "  UNIQUE(sensor, addr, kind, list));\n"
	  "INSERT INTO mta_events_v2 SELECT " V1_SENSOR ", addr, family, kind, list,\n"
	  "  first_ns, last_ns, count, format FROM mta_events;\n"
	  "DROP TABLE mta_events;\n"
	  "ALTER TABLE mta_events_v2 RENAME TO mta_events;\n"
	  "CREATE INDEX mta_events_addr ON mta_events(addr);\n"
	  "CREATE TABLE hosts_v2 (sensor TEXT NOT NULL, addr TEXT NOT NULL,\n"
	  "  family {int} NOT NULL,\n"
	  "  addr_type TEXT, iid_class TEXT, emb_kind TEXT, emb4 TEXT,\n"
	  "  first_ns {int}, last_ns {int}, attempts {int}, syns {int},\n"
	  "  os TEXT, os_family TEXT, asn {int}, as_name TEXT, ptr TEXT,\n"
	  "  ptr_domain TEXT, listed {int} NOT NULL DEFAULT 0, lists TEXT,\n"
	  "  label TEXT, partners TEXT, PRIMARY KEY (sensor, addr));\n"
	  "INSERT INTO hosts_v2 SELECT " V1_SENSOR ", addr, family, addr_type,\n"
	  "  iid_class, emb_kind, emb4, first_ns, last_ns, attempts, syns, os,\n"
	  "  os_family, asn, as_name, ptr, ptr_domain, listed, lists, label,\n"
	  "  partners FROM hosts;\n"
	  "DROP TABLE hosts;\n"
	  "ALTER TABLE hosts_v2 RENAME TO hosts;\n"
	  "CREATE INDEX hosts_addr ON hosts(addr);\n"
	  "ALTER TABLE inputs ADD COLUMN sensor TEXT NOT NULL DEFAULT '';\n"
	  "UPDATE inputs SET sensor = COALESCE((SELECT sensor FROM runs r\n"
	  "  WHERE r.id = inputs.run_id), '');\n"
	  "CREATE TABLE enrich_v2 (sensor TEXT NOT NULL, addr TEXT NOT NULL,\n"
	  "  asn {int}, as_name TEXT, ptr TEXT, ptr_domain TEXT, match_asn {int},\n"
	  "  match_ptr TEXT, match_domain TEXT, PRIMARY KEY (sensor, addr));\n"
	  "INSERT INTO enrich_v2 SELECT " V1_SENSOR ", addr, asn, as_name, ptr,\n"
	  "  ptr_domain, match_asn, match_ptr, match_domain FROM enrich;\n"
	  "DROP TABLE enrich;\n"
	  "ALTER TABLE enrich_v2 RENAME TO enrich;\n"
	  "CREATE INDEX runs_sensor ON runs(sensor, id);\n",
	  /* weekly: all sensors together; weekly_sensor: per sensor */
	  "CREATE VIEW weekly_sensor AS\n"
	  "  SELECT a.sensor AS sensor, " WEEK_SQLITE " AS week,\n"
	  "         " SERIES " AS series, COUNT(*) AS attempts\n"
	  "  FROM attempts a JOIN hosts h ON h.sensor = a.sensor AND h.addr = a.src\n"
	  "  GROUP BY 1, 2, 3;\n"
	  "CREATE VIEW weekly AS SELECT week, series, SUM(attempts) AS attempts\n"
	  "  FROM weekly_sensor GROUP BY week, series;\n",
	  "CREATE VIEW weekly_sensor AS\n"
	  "  SELECT a.sensor AS sensor, " WEEK_PG " AS week,\n"
	  "         " SERIES " AS series, COUNT(*) AS attempts\n"
	  "  FROM attempts a JOIN hosts h ON h.sensor = a.sensor AND h.addr = a.src"
	  WEEK_PG_FROM "\n"
	  "  GROUP BY 1, 2, 3;\n"
	  "CREATE VIEW weekly AS SELECT week, series, SUM(attempts) AS attempts\n"
	  "  FROM weekly_sensor GROUP BY week, series;\n"
	  /* room in each page for the run's updates of partners and labels
	   * (HOT updates: no new index entries) */
	  "ALTER TABLE attempts SET (fillfactor = 80);\n"
	  "ALTER TABLE hosts SET (fillfactor = 50);\n" },
	/* 5 -> 6: candidates_a4 on the IPv4 attempt alone.  A run into an
	 * empty store builds it after the load; without the sensor's name in
	 * every entry that sort takes 40 % less (12.8M candidates: 4.7-5.0
	 * -> 2.7 s).  A look-up by (sensor, a4) still uses it (one row per
	 * sensor with that attempt id); the deletion of a sensor's rows uses
	 * candidates_a6, which keeps the sensor first. */
	{ "DROP INDEX candidates_a4;\n"
	  "CREATE INDEX candidates_a4 ON candidates(a4);\n", NULL, NULL },
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof *migrations))

const int store_put_ncols[PUT_COUNT] = {
	[PUT_ATTEMPT] = 24, [PUT_CANDIDATE] = 10 + EV_COUNT, [PUT_MTA] = 9,
	[PUT_INPUT] = 7, [PUT_HOST] = 17, [PUT_ENRICH] = 9,
};

/* backends[] - location prefix -> back end; the first match wins */
static const struct {
	const char *prefix;
	const struct store_ops *ops;
} backends[] = {
	{ "postgresql://", &store_pg_ops },
	{ "postgres://", &store_pg_ops },
	{ "postgres:", &store_pg_ops },
	{ "", &store_sqlite_ops },
};

static const struct {
	const char *token;
	const char *text[2];        /* SQLite, PostgreSQL */
} tokens[] = {
	{ "{int}", { "INTEGER", "BIGINT" } },
	{ "{real}", { "REAL", "DOUBLE PRECISION" } },
	{ "{id}", { "INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY" } },
	{ "{without_rowid}", { "WITHOUT ROWID", "" } },
};

char *store_sql_expand(const char *sql, enum store_backend b)
{
	size_t cap = strlen(sql) * 2 + 1, n = 0;
	char *out = xmalloc(cap);
	for (const char *p = sql; *p;) {
		const char *rep = NULL;
		size_t tlen = 0;
		if (*p == '{') {
			for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++) {
				tlen = strlen(tokens[i].token);
				if (!strncmp(p, tokens[i].token, tlen)) {
					rep = tokens[i].text[b == STORE_PG];
					break;
				}
			}
		}
		size_t add = rep ? strlen(rep) : 1;
		if (n + add + 1 > cap) {
			cap = (n + add + 1) * 2;
			out = xrealloc(out, cap);
		}
		if (rep) {
			memcpy(out + n, rep, add);
			p += tlen;
		} else {
			out[n] = *p++;
		}
		n += add;
	}
	out[n] = '\0';
	return out;
}

void store_init(struct store *st, const struct store_ops *ops, const char *location)
{
	st->ops = ops;
	st->location = xstrdup(location);
}

static void late_free(struct late_index *x)
{
	free(x->name);
	free(x->table);
	free(x->sql);
}

static void late_clear(struct store *st)
{
	for (size_t i = 0; i < st->nlate; i++)
		late_free(&st->late[i]);
	free(st->late);
	st->late = NULL;
	st->nlate = 0;
}

void store_fini(struct store *st)
{
	late_clear(st);
	free(st->location);
	free(st->sensor);
}

/* exec_expanded - run schema SQL with its tokens replaced */
static int exec_expanded(struct store *st, const char *sql)
{
	if (!sql)
		return 0;
	char *x = store_sql_expand(sql, st->ops->backend);
	int rc = st->ops->exec(st, x);
	free(x);
	return rc;
}

/* migrate - bring the schema to SCHEMA_VERSION, one step per transaction;
 * each step re-reads the version under the lock, so concurrent openers
 * of a new store migrate it once.  A store without a schema gets one only
 * from a command that creates stores (create); a database that holds
 * something else never does. */
static int migrate(struct store *st, bool create)
{
	for (;;) {
		int v = st->ops->schema_version(st);
		if (v < 0)
			return -1;
		if (v == 0 && !create)
			return error("%s: not an mxsensor store: no analysis in it"
				     " ('mxsensor analyze --db %s' makes one)", st->location,
				     st->location);
		if (v > SCHEMA_VERSION)
			return error("%s: schema version %d is newer than this mxsensor knows (%d)",
				     st->location, v, SCHEMA_VERSION);
		if (v == SCHEMA_VERSION)
			return 0;
		if (st->read_only)
			return error("%s: schema version %d, older than this mxsensor's (%d): it is"
				     " brought up to date in place by the first mxsensor command"
				     " that opens it as a user who may write it and its directory"
				     " (this user may only read them)", st->location, v,
				     SCHEMA_VERSION);
		if (st->ops->exec(st, st->ops->begin_schema_sql) < 0)
			return error("%s: cannot lock the schema", st->location);
		int now = st->ops->schema_version(st);
		if (now != v) {          /* another process migrated it */
			st->ops->exec(st, "COMMIT");
			continue;
		}
		const struct store_migration *m = &migrations[v];
		char set[160];
		snprintf(set, sizeof set,
			 "INSERT INTO meta (key, value) VALUES ('schema_version', '%d')"
			 " ON CONFLICT (key) DO UPDATE SET value = excluded.value", v + 1);
		if (exec_expanded(st, m->sql) < 0 ||
		    exec_expanded(st, st->ops->backend == STORE_PG ? m->pg : m->sqlite) < 0 ||
		    st->ops->exec(st, set) < 0 || st->ops->exec(st, "COMMIT") < 0) {
			st->ops->exec(st, "ROLLBACK");
			return error("%s: migration to schema %d failed", st->location, v + 1);
		}
	}
}

int store_schema_version(void)
{
	return SCHEMA_VERSION;
}

static const struct store_ops *backend_of(const char *location)
{
	const struct store_ops *ops = NULL;
	for (size_t i = 0; !ops; i++)
		if (!strncmp(location, backends[i].prefix, strlen(backends[i].prefix)))
			ops = backends[i].ops;
	return ops;
}

struct store *store_open_or_read(const char *location)
{
	const struct store_ops *ops = backend_of(location);
	return store_open(location, !ops->may_write || ops->may_write(location));
}

bool store_read_only(const struct store *st)
{
	return st->read_only;
}

struct store *store_open(const char *location, bool create)
{
	const struct store_ops *ops = backend_of(location);
	struct store *st = ops->open(location, create);
	if (!st)
		return NULL;
	if (migrate(st, create) < 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	store_abort(st);   /* an unfinished run never lands */
	st->ops->close(st);
}

const char *store_location(const struct store *st)
{
	return st->location;
}

const char *store_backend_name(const struct store *st)
{
	return st->ops->name;
}

/* begin - the run's transaction, if not open yet */
static int begin(struct store *st)
{
	if (st->in_tx)
		return 0;
	if (st->ops->exec(st, st->ops->begin_run_sql) < 0)
		return -1;
	st->in_tx = true;
	return 0;
}

/* bulk_end - the connection's usual settings back after a bulk load
 * (late_indexes) */
static int bulk_end(struct store *st)
{
	if (!st->bulk)
		return 0;
	st->bulk = false;
	return st->ops->exec(st, "PRAGMA threads = 0; PRAGMA cache_size = " LITE_CACHE);
}

/* bulk_begin - the load's small page cache until bulk_end */
static int bulk_begin(struct store *st)
{
	if (st->bulk)
		return 0;
	st->bulk = true;
	return st->ops->exec(st, "PRAGMA cache_size = " LITE_LOAD_CACHE);
}

/* load_journal_end - the usual journal back after the transaction of a
 * load into an empty store (store_run_begin) */
static void load_journal_end(struct store *st)
{
	if (!st->load_journal)
		return;
	st->load_journal = false;
	st->ops->load_journal(st, false);
}

/* late_restore - re-create the dropped indexes of table (NULL: all) */
static int late_restore(struct store *st, const char *table)
{
	size_t k = 0;
	int rc = 0;
	/* CREATE INDEX sorts with helper threads (up to one a core, at
	 * most four): the pass is over, the other cores are idle (the five
	 * builds of a 10M-SYN run, phase logs of single runs: 43 -> 32 s on
	 * two cores).  The sorts keep the load's 4 MB page cache: the
	 * sorter's runs are as big as the cache, and with 16 MB each of the
	 * two threads held 16 MB more (the builds after a 10M-SYN load,
	 * twice each: 11.7, 11.9 s with 16 MB, 12.2, 11.7 s with 4 MB;
	 * 71 -> 22 MB) */
	if (st->nlate) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		char sql[40];
		snprintf(sql, sizeof sql, "PRAGMA threads = %ld", n < 1 ? 0 : n > 4 ? 4 : n);
		if (st->ops->exec(st, sql) < 0)
			return -1;
		st->bulk = true;   /* bulk_end: threads and cache back */
		/* the small cache for the builds at the end also after a run
		 * into a shared store, which kept the full one (late_drop) */
		if (!table && st->ops->exec(st, "PRAGMA cache_size = " LITE_LOAD_CACHE) < 0)
			return -1;
	}
	for (size_t i = 0; i < st->nlate; i++) {
		if (rc == 0 && (!table || !strcmp(table, st->late[i].table))) {
			rc = st->ops->exec(st, st->late[i].sql);
			late_free(&st->late[i]);
			continue;
		}
		st->late[k++] = st->late[i];
	}
	st->nlate = k;
	if (rc == 0 && k == 0)
		rc = bulk_end(st);   /* the load is over */
	return rc;
}

int store_flush(struct store *st)
{
	if (!st->in_tx)
		return 0;
	st->late_left = 0;
	if (late_restore(st, NULL) < 0)
		return -1;
	st->in_tx = false;
	int rc = st->ops->exec(st, "COMMIT");
	load_journal_end(st);
	return rc;
}

void store_set_stop(struct store *st, volatile sig_atomic_t *stop)
{
	st->stop = stop;
}

void store_abort(struct store *st)
{
	st->stop = NULL;   /* the run is over: the rollback must not be stopped */
	st->late_left = 0;
	late_clear(st);   /* the rollback brings them back */
	if (st->in_tx) {
		st->in_tx = false;
		st->ops->exec(st, "ROLLBACK");
	}
	bulk_end(st);
	load_journal_end(st);
}

/* sql1 - one statement with the run's sensor as every ?-parameter */
static int sql1(struct store *st, const char *sql, int nsensor)
{
	const char *p[4] = { st->sensor, st->sensor, st->sensor, st->sensor };
	return st->ops->query(st, sql, p, nsensor, NULL, NULL);
}

static int first_int(int n, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	if (n > 0 && vals[0])
		*(int64_t *)arg = strtoll(vals[0], NULL, 10);
	return 0;
}

/* secure_fast - pages freed from here on go to the free list as they are
 * (secure_delete FAST: content is still cleared in every page that is
 * written anyway), not zeroed as Debian's SQLite default has it; the
 * setting in force before into *was, for secure_back */
static int secure_fast(struct store *st, int64_t *was)
{
	*was = -1;
	if (st->ops->query(st, "PRAGMA secure_delete", NULL, 0, first_int, was) != 0)
		return -1;
	return st->ops->exec(st, "PRAGMA secure_delete = FAST");
}

/* secure_back - the setting secure_fast found (none: nothing to do) */
static int secure_back(struct store *st, int64_t was)
{
	char sql[40];
	if (was < 0)
		return 0;
	snprintf(sql, sizeof sql, "PRAGMA secure_delete = %d", (int)was);
	return st->ops->exec(st, sql);
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int late_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct store *st = arg;
	if (n != 3 || !v[0] || !v[1] || !v[2])
		return -1;
	st->late = xreallocarray(st->late, st->nlate + 1, sizeof *st->late);
	st->late[st->nlate++] = (struct late_index){ xstrdup(v[0]), xstrdup(v[1]), xstrdup(v[2]) };
	return 0;
}

/* results_held - whether any sensor has attempts, candidates, hosts or
 * MTA outcomes */
static int results_held(struct store *st, int64_t *held)
{
	*held = 1;
	return st->ops->query(st, "SELECT EXISTS (SELECT 1 FROM attempts)"
			      " OR EXISTS (SELECT 1 FROM candidates) OR EXISTS (SELECT 1 FROM hosts)"
			      " OR EXISTS (SELECT 1 FROM mta_events)",
			      NULL, 0, first_int, held);
}

/* late_drop - a run loads its rows without the secondary indexes of the
 * big tables and builds them afterwards (late_restore): CREATE INDEX
 * sorts once, which is several times cheaper than inserting every row
 * into every b-tree at a random place.  All inside the run's transaction,
 * so a crash or an interrupted run leaves the store as it was.  Into an
 * empty store always (late_indexes); into one that other sensors share
 * when the run's rows are a large enough share of it (store_run_begin,
 * late_count): the builds then sort the others' rows too.  The MTA
 * outcomes' index by address too: their rows come in the order of their
 * first log line, at random places in it, and they are written while the
 * capture pass runs, after the logs are read, so they lengthen the pass
 * (1.06M rows: 6.6 s with the index, 3.9 s building it after; the unique
 * (sensor, addr, kind, list) index stays, the rows need it). */
static int late_drop(struct store *st, bool empty)
{
	size_t had = st->nlate;
	int64_t secure;
	if (st->ops->query(st, "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"
			   " AND sql IS NOT NULL"
			   " AND tbl_name IN ('attempts', 'candidates', 'hosts', 'mta_events')"
			   " ORDER BY name", NULL, 0, late_row, st) != 0 ||
	    /* the rows the indexes hold stay, so their pages need no zeroing
	     * (the five of a 10M-SYN store: 12.2 s with it) */
	    secure_fast(st, &secure) < 0) {
		late_clear(st);
		return -1;
	}
	for (size_t i = had; i < st->nlate; i++) {
		char *sql = xasprintf("DROP INDEX \"%s\"", st->late[i].name);
		int rc = st->ops->exec(st, sql);
		free(sql);
		if (rc < 0)
			return -1;
	}
	if (secure_back(st, secure) < 0)
		return -1;
	/* a smaller page cache while loading: the rows go to the ends of
	 * index-less b-trees, whose pages are written once and not read
	 * again, so a big cache only holds dirty pages that must be spilled
	 * anyway (and index builds sort as fast with 16 MB as with 64).
	 * With the threaded index builds (late_restore), peak memory on 1M
	 * SYNs 134 -> 67 MB, on 10M 283-299 -> 241 MB, in the same time
	 * (alternating runs, 10M: 165, 168 s before, 166, 161 s after).
	 * The attempts and candidates need no more than the pages on each
	 * b-tree's right edge (the hosts' and MTA rows' unique keys land at
	 * random places, but the pages come back from the kernel's cache:
	 * the hosts phase took no longer), so the load keeps 4 MB: peak on
	 * 10M SYNs 131 -> 116 MB (the end of the capture pass, when the MTA
	 * rows start going out, had the writer's cache fill on top of the
	 * pass's state), times the same (alternating runs: 60.3, 58.3 s
	 * before, 58.2, 59.1 s after).  The index builds keep it too
	 * (late_restore): on 1M SYNs, where they were the peak, 69 -> 34 MB.
	 * A store that other sensors share keeps the full cache until the
	 * builds: its run is in WAL mode (readers of the others' results
	 * go on; lite_load_journal), where a page that leaves the cache
	 * dirty is appended to the WAL each time, and the hosts' and MTA
	 * rows' unique keys still land at random places in the run's own
	 * range (10M SYNs into a 10M store, one run each: 124 s and 100 MB
	 * with the full cache, 154 s and 146 MB with 4 MB from the drop
	 * on: the cache's pages, freed, were not given back). */
	return empty && st->nlate > had ? bulk_begin(st) : 0;
}

/* late_indexes - the indexes of an empty SQLite store wait for the end
 * of the run (late_drop) */
static int late_indexes(struct store *st)
{
	int64_t busy = 1;
	if (st->ops->backend != STORE_SQLITE || results_held(st, &busy) != 0 || busy)
		return 0;
	return late_drop(st, true);
}

/* A store other sensors share: a row inserted into an index that holds
 * millions of others' entries lands on a page of its own, read into and
 * then spilled from the page cache, for each of the five indexes.  A
 * second sensor's 10M SYNs into a store of 10M: 193 s where the first,
 * into an empty store, took 45-70 (some 13 s more for every 1M SYNs);
 * 1M into the same store 9.6 s, 3.9 s into an empty one (more of the
 * pages it needs stay in the cache).  Re-building the indexes costs
 * 1.3-1.5 s for every 1M SYNs of everyone's rows.  So
 * the indexes are dropped once the rows the run deletes and writes
 * reach an eighth of the others' (rows of attempts, candidates, hosts
 * and MTA outcomes; the run's own MTA outcomes, written by the log
 * thread during the capture pass, are not counted): before the deletes
 * when the sensor's previous rows do (a re-run: the deletes then take
 * the sensor's range of each table and no index entries), else as soon
 * as the rows it writes make up the rest (late_count).  A run that
 * stays below pays for its own rows alone; one above, at most about
 * twice what the better of the two ways would have cost. */
#define LATE_SHARE 8

/* rows_held - rows of attempts, candidates, hosts and MTA outcomes: of
 * the run's sensor (mine) or of all */
static int rows_held(struct store *st, bool mine, int64_t *n)
{
	*n = 0;
	const char *p[1] = { st->sensor };
	return st->ops->query(st, mine
			      ? "SELECT (SELECT COUNT(*) FROM attempts WHERE sensor = ?1)"
				" + (SELECT COUNT(*) FROM candidates WHERE sensor = ?1)"
				" + (SELECT COUNT(*) FROM hosts WHERE sensor = ?1)"
				" + (SELECT COUNT(*) FROM mta_events WHERE sensor = ?1)"
			      : "SELECT (SELECT COUNT(*) FROM attempts)"
				" + (SELECT COUNT(*) FROM candidates) + (SELECT COUNT(*) FROM hosts)"
				" + (SELECT COUNT(*) FROM mta_events)",
			      p, mine ? 1 : 0, first_int, n);
}

/* late_count - one more row of the run into a shared store: the indexes
 * go once the run's rows reach LATE_SHARE's share (store_run_begin) */
static int late_count(struct store *st)
{
	if (!st->late_left || --st->late_left)
		return 0;
	debug("store: the run's rows reached an eighth of the other sensors':"
	      " the indexes are built again at the commit");
	return late_drop(st, false);
}

/* the results tables: a run replaces its sensor's rows in each */
static const char *const result_tables[] = {
	"candidates", "attempts", "hosts", "mta_events", "inputs", "enrich",
};

/* others_held - whether another sensor than the run's has rows in a
 * results table (each look-up a range of an index that starts with the
 * sensor; inputs, a few rows a run, has none) */
static int others_held(struct store *st, int64_t *held)
{
	char sql[1024];
	size_t n = 0;
	*held = 1;
	n += (size_t)snprintf(sql + n, sizeof sql - n, "SELECT 0");
	for (size_t i = 0; i < sizeof result_tables / sizeof *result_tables; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n,
				      " OR EXISTS (SELECT 1 FROM %s WHERE sensor < ?1)"
				      " OR EXISTS (SELECT 1 FROM %s WHERE sensor > ?1)",
				      result_tables[i], result_tables[i]);
	if (n >= sizeof sql)
		BUG("others_held: query too long");
	const char *p[1] = { st->sensor };
	return st->ops->query(st, sql, p, 1, first_int, held);
}

int store_run_begin(struct store *st, const struct store_run *run)
{
	char ts[32], sql[128];
	now_iso(ts, sizeof ts);
	free(st->sensor);
	st->sensor = xstrdup(run->sensor);
	/* the first run into a store (no sensor has results in it) loads with
	 * the back end's journal for that (store_sqlite.c, lite_load_journal) */
	int64_t held = 1;
	if (!st->in_tx && st->ops->load_journal && results_held(st, &held) == 0 && !held) {
		int on = st->ops->load_journal(st, true);
		if (on < 0)
			return -1;
		st->load_journal = on > 0;
	}
	if (begin(st) < 0)
		return -1;
	if (st->ops->lock_sensor_sql && sql1(st, st->ops->lock_sensor_sql, 1) < 0)
		return -1;
	/* one sensor's results are replaced as a whole: association spans
	 * files, so partial replacement could not be exact.  When they are
	 * all the store holds, each table is emptied whole: SQLite then
	 * frees its pages and its indexes' instead of taking out row after
	 * row and every row's index entries.  And the freed pages are not
	 * zeroed (secure_delete, which Debian's SQLite has on by default,
	 * set to FAST: deleted content is still cleared in every page that
	 * is written anyway); the run's own rows take those pages again
	 * right away.  A store of 10M SYNs: 91.6 s of deletes before the run
	 * could start, 17.7M rows; emptied whole 19.4 s, most of it
	 * zeroing; without the zeroing about 1 s. */
	int64_t others = 1, secure = -1;
	st->late_left = 0;
	late_clear(st);
	if (held && st->ops->backend == STORE_SQLITE) {
		if (others_held(st, &others) < 0 || secure_fast(st, &secure) < 0)
			return -1;
		if (others) {
			/* a store other sensors share: the indexes wait for the
			 * commit when the run's rows are a large enough share of
			 * it (LATE_SHARE) */
			int64_t all = 0, mine = 0;
			if (rows_held(st, false, &all) != 0 || rows_held(st, true, &mine) != 0)
				return -1;
			int64_t budget = (all - mine) / LATE_SHARE;
			if (mine < budget) {
				st->late_left = (uint64_t)(budget - mine);
			} else {
				debug("store: %" PRId64 " rows of this sensor's to replace, %" PRId64
				      " of others: the indexes are built again at the commit",
				      mine, all - mine);
				if (late_drop(st, false) < 0)
					return -1;
			}
		} else {
			/* emptying a table reads each of its pages once (to free
			 * it): in the full page cache they stayed, 60 MB of a
			 * re-run's peak that the rest of the run never used (its
			 * rows go in with the load's small cache, late_indexes) */
			if (bulk_begin(st) < 0)
				return -1;
		}
	}
	for (size_t i = 0; i < sizeof result_tables / sizeof *result_tables; i++) {
		if (!others)
			snprintf(sql, sizeof sql, "DELETE FROM %s", result_tables[i]);
		else
			snprintf(sql, sizeof sql, "DELETE FROM %s WHERE sensor = ?", result_tables[i]);
		if (sql1(st, sql, others ? 1 : 0) < 0)
			return -1;
	}
	if (secure_back(st, secure) < 0)
		return -1;
	if (!st->nlate && late_indexes(st) < 0)
		return -1;
	const char *p[5] = { run->sensor, ts, MXSENSOR_VERSION, run->argv, run->options };
	st->run_id = -1;
	if (st->ops->query(st, "INSERT INTO runs (sensor, started, version, argv, options, status)"
			   " VALUES (?,?,?,?,?, 'running') RETURNING id", p, 5,
			   first_int, &st->run_id) != 0 || st->run_id < 0)
		return error("%s: cannot record the run", st->location);
	snprintf(st->run_id_txt, sizeof st->run_id_txt, "%" PRId64, st->run_id);
	return 0;
}

static struct store_val vint(int64_t i)
{
	return (struct store_val){ .type = SV_INT, .i = i };
}

static struct store_val vtext(const char *s)
{
	return (struct store_val){ .type = s ? SV_TEXT : SV_NULL, .s = s };
}

static int put(struct store *st, enum store_put_kind k, const struct store_val *v)
{
	if (store_stopping(st) || begin(st) < 0)
		return -1;
	return st->ops->put(st, k, v);
}

int store_add_input(struct store *st, const char *kind, const char *path,
		    uint64_t records, uint64_t errors, const char *note)
{
	struct store_val v[7] = {
		vint(st->run_id), vtext(st->sensor), vtext(kind), vtext(path),
		vint((int64_t)records), vint((int64_t)errors), vtext(note),
	};
	return put(st, PUT_INPUT, v);
}

int store_add_attempt(struct store *st, const struct attempt *a, uint64_t partner, int score)
{
	char src[ADDR_STRLEN], dst[ADDR_STRLEN], emb[ADDR_STRLEN], ol[SYN_MAX_OPTS * 8];
	packet_options_format(a->olayout, a->nopts < SYN_MAX_OPTS ? a->nopts : SYN_MAX_OPTS,
			      a->eol_pad, ol, sizeof ol);
	struct store_val v[24] = {
		vtext(st->sensor), vint((int64_t)a->id), vint(st->run_id),
		vint(a->src.family), vtext(addr_format(&a->src, src)), vint(a->sport),
		vtext(addr_format(&a->dst, dst)), vint(a->dport), vint(a->first_ns),
		vint(a->last_ns), vint(a->syns), vint(a->ttl), vint(a->ittl), vint(a->win),
		a->mss ? vint(a->mss) : vtext(NULL),
		a->wscale >= 0 ? vint(a->wscale) : vtext(NULL),
		vtext(ol), a->has_ts ? vint(a->tsval) : vtext(NULL),
		vtext(a->os), vtext(a->os_family),
		vtext(a->emb_kind ? assoc_emb_name(a->emb_kind) : NULL),
		vtext(a->emb_kind ? addr_format(&a->emb4, emb) : NULL),
		partner ? vint((int64_t)partner) : vtext(NULL), partner ? vint(score) : vtext(NULL),
	};
	if (late_count(st) < 0)
		return -1;
	return put(st, PUT_ATTEMPT, v);
}

int store_add_candidate(struct store *st, const struct assoc_cand *c, int total,
			bool ambiguous, const char *decision)
{
	struct store_val v[10 + EV_COUNT];
	int i = 0;
	v[i++] = vtext(st->sensor);
	v[i++] = vint((int64_t)c->a6);
	v[i++] = vint((int64_t)c->a4);
	for (int e = 0; e < EV_COUNT; e++)
		v[i++] = vint(c->ev[e]);
	v[i++] = vint(c->score);
	v[i++] = vint(c->gap_ns);
	v[i++] = vint(c->port_dist);
	v[i++] = vint(c->before);
	v[i++] = vint(total);
	v[i++] = vint(ambiguous);
	v[i++] = vtext(decision);
	if (late_count(st) < 0)
		return -1;
	return put(st, PUT_CANDIDATE, v);
}

int store_add_mta_event(struct store *st, const struct addr *a, const char *kind,
			const char *list, int64_t first_ns, int64_t last_ns, uint64_t count,
			const char *format)
{
	char txt[ADDR_STRLEN];
	struct store_val v[9] = {
		vtext(st->sensor), vtext(addr_format(a, txt)), vint(a->family),
		vtext(kind), vtext(list ? list : ""), vint(first_ns), vint(last_ns),
		vint((int64_t)count), vtext(format),
	};
	return put(st, PUT_MTA, v);
}

static int64_t num(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

/* --- the decision stage (analysis/decide.c) --- */

const char *store_run_sensor(const struct store *st)
{
	return st->sensor;
}

int store_add_host(struct store *st, const struct store_host *h)
{
	struct store_val v[17] = {
		vtext(st->sensor), vtext(h->addr), vint(h->family), vtext(h->addr_type),
		vtext(h->iid_class), vtext(h->emb_kind), vtext(h->emb4), vint(h->first_ns),
		vint(h->last_ns), vint((int64_t)h->attempts), vint((int64_t)h->syns),
		vtext(h->os), vtext(h->os_family), vtext(h->partners), vtext(h->label),
		vint(h->listed), vtext(h->lists),
	};
	if (late_count(st) < 0)
		return -1;
	return put(st, PUT_HOST, v);
}

static int listed_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	void **fa = arg;
	if (n < 1 || !v[0])
		return -1;
	return ((store_listed_fn)fa[0])(v[0], n > 1 ? v[1] : NULL, fa[1]);
}

/* struct lists_acc - the lists of one address, from rows in (addr, list)
 * order, joined with commas */
struct lists_acc {
	store_listed_fn fn;
	void *arg;
	bool have;                  /* addr and lists hold an address */
	char *addr, *lists;
	size_t acap, n, cap;
};

static int lists_flush(struct lists_acc *a)
{
	if (!a->have)
		return 0;
	a->have = false;
	return a->fn(a->addr, a->lists, a->arg);
}

static int lists_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct lists_acc *a = arg;
	if (n < 2 || !v[0] || !v[1])
		return -1;
	if (a->have && strcmp(a->addr, v[0]) != 0) {
		int rc = lists_flush(a);
		if (rc)
			return rc;
	}
	if (!a->have) {
		size_t al = strlen(v[0]);
		GROW(a->addr, al + 1, a->acap);
		memcpy(a->addr, v[0], al + 1);
		a->have = true;
		a->n = 0;
	}
	size_t ll = strlen(v[1]);
	GROW(a->lists, a->n + ll + 2, a->cap);
	if (a->n)
		a->lists[a->n++] = ',';
	memcpy(a->lists + a->n, v[1], ll + 1);
	a->n += ll;
	return 0;
}

int store_each_listed(struct store *st, int64_t listing_window_ns, store_listed_fn listed,
		      store_listed_fn lists, void *arg)
{
	char sql[1024];
	/* only the listing window joins the attempts: without it their
	 * indexes wait for the commit, when the run's own memory is freed */
	if (begin(st) < 0 || (listing_window_ns > 0 && late_restore(st, "attempts") < 0))
		return -1;
	if (listing_window_ns > 0)
		snprintf(sql, sizeof sql,
			 "SELECT DISTINCT m.addr FROM mta_events m JOIN attempts a"
			 " ON a.sensor = m.sensor AND a.src = m.addr"
			 " WHERE m.sensor = ? AND m.kind = 'dnsbl'"
			 " AND a.first_ns >= m.first_ns - %" PRId64
			 " AND a.first_ns <= m.last_ns + %" PRId64,
			 listing_window_ns, listing_window_ns);
	else
		snprintf(sql, sizeof sql,
			 "SELECT DISTINCT addr FROM mta_events WHERE sensor = ? AND kind = 'dnsbl'");
	const char *p[1] = { st->sensor };
	void *fa[2] = { (void *)listed, arg };
	int rc = st->ops->scan(st, sql, p, 1, listed_row, fa);
	if (rc != 0)
		return rc;
	/* (sensor, addr, kind, list) is unique, so for one sensor and kind
	 * the (addr, list) rows are distinct, and the unique index gives them
	 * in addr order: only each address's few lists are sorted, where a
	 * DISTINCT and a GROUP BY over all rows each took a temporary b-tree
	 * (on 10M SYNs, 960k rows and some 100 MB of sort memory) */
	struct lists_acc a = { .fn = lists, .arg = arg };
	rc = st->ops->scan(st,
		"SELECT addr, list FROM mta_events WHERE sensor = ? AND kind = 'dnsbl'"
		" ORDER BY addr, list", p, 1, lists_row, &a);
	if (rc == 0)
		rc = lists_flush(&a);
	free(a.addr);
	free(a.lists);
	return rc;
}

int store_run_end(struct store *st)
{
	char ts[32];
	now_iso(ts, sizeof ts);
	if (begin(st) < 0)
		return -1;
	/* the hosts are in place, labelled (store_add_host); enrichment, when
	 * the run had any (store_set_enrich) */
	if (sql1(st,
		 "UPDATE hosts SET asn = e.asn, as_name = e.as_name, ptr = e.ptr,"
		 " ptr_domain = e.ptr_domain FROM enrich e"
		 " WHERE e.sensor = hosts.sensor AND e.addr = hosts.addr AND hosts.sensor = ?",
		 1) < 0)
		return -1;
	const char *p[3] = { ts, st->sensor, st->run_id_txt };
	if (st->ops->query(st, "UPDATE runs SET finished = ?, status = 'complete',"
			   " attempts = (SELECT COUNT(*) FROM attempts WHERE sensor = ?)"
			   " WHERE id = CAST(? AS INTEGER)", p, 3, NULL, NULL) != 0)
		return -1;
	return store_flush(st);
}

int store_query(struct store *st, const char *sql, const char *const *params,
		int nparams, store_row_fn fn, void *arg)
{
	return st->ops->query(st, sql, params, nparams, fn, arg);
}

int store_scan(struct store *st, const char *sql, const char *const *params,
	       int nparams, store_row_fn fn, void *arg)
{
	/* a scan reads each page once: a big page cache would only hold
	 * what was read (a report on 10M SYNs: 64 MB of it) */
	if (st->ops->backend == STORE_SQLITE && !st->scan_cache) {
		st->scan_cache = true;
		if (st->ops->exec(st, "PRAGMA cache_size = " LITE_SCAN_CACHE) < 0)
			return -1;
	}
	return st->ops->scan(st, sql, params, nparams, fn, arg);
}

/* struct sensors - the names store_sensor_check says, and whether one is
 * the one asked for */
struct sensors {
	const char *want;
	bool found;
	char list[256];
	size_t n, count;
};

static int sensor_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct sensors *s = arg;
	if (n != 1 || !v[0])
		return 0;
	if (!strcmp(v[0], s->want))
		s->found = true;
	if (s->n < sizeof s->list)   /* a long list ends in "..." */
		s->n += (size_t)snprintf(s->list + s->n, sizeof s->list - s->n, "%s%s",
					 s->count ? ", " : "", v[0]);
	s->count++;
	return 0;
}

int store_finished_runs(struct store *st)
{
	int64_t n = -1;
	if (store_query(st, "SELECT COUNT(*) FROM runs WHERE status = 'complete'", NULL, 0,
			first_int, &n) != 0)
		return -1;
	return n > INT_MAX ? INT_MAX : (int)n;
}

int store_sensor_check(struct store *st, const char *sensor)
{
	struct sensors s = { .want = sensor };
	if (store_query(st, "SELECT DISTINCT sensor FROM runs WHERE status = 'complete'"
			" ORDER BY sensor", NULL, 0, sensor_row, &s) != 0)
		return -1;
	if (s.found)
		return 0;
	if (s.n >= sizeof s.list)
		memcpy(s.list + sizeof s.list - 4, "...", 4);
	if (!s.count)
		return error("%s: no analysis of sensor '%s' in the store (it holds none yet)",
			     st->location, sensor);
	return error("%s: no analysis of sensor '%s' in the store (its sensor%s: %s)",
		     st->location, sensor, s.count == 1 ? "" : "s", s.list);
}

/* --- enrichment (enrich/enrich.h) --- */

static int cache_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct store_cache_row *out = arg;
	if (n != 3)
		return -1;
	snprintf(out->text, sizeof out->text, "%s", v[0] ? v[0] : "");
	snprintf(out->name, sizeof out->name, "%s", v[2] ? v[2] : "");
	out->ok = v[1] && !strcmp(v[1], "ok");
	return 1;
}

int store_cache_get(struct store *st, const char *table, const char *addr,
		    int64_t min_ns, struct store_cache_row *out)
{
	char min[24];
	snprintf(min, sizeof min, "%" PRId64, min_ns);
	const char *p[2] = { addr, min };
	const char *sql = !strcmp(table, "ptr")
		? "SELECT name, status, NULL FROM ptr_cache"
		  " WHERE addr = ? AND queried_ns >= CAST(? AS BIGINT)"
		: "SELECT CAST(asn AS TEXT), status, as_name FROM asn_cache"
		  " WHERE addr = ? AND queried_ns >= CAST(? AS BIGINT)";
	int rc = st->ops->query(st, sql, p, 2, cache_row, out);
	return rc < 0 ? -1 : rc == 1 ? 1 : 0;
}

int store_cache_put(struct store *st, const char *table, const char *addr,
		    const char *value, const char *name, bool ok, const char *source,
		    int64_t now_ns)
{
	bool ptr = !strcmp(table, "ptr");
	char now[24];
	snprintf(now, sizeof now, "%" PRId64, now_ns);
	const char *sql = ptr
		? "INSERT INTO ptr_cache (addr, name, status, source, queried_ns)"
		  " VALUES (?, ?, ?, ?, CAST(? AS BIGINT)) ON CONFLICT (addr) DO UPDATE SET"
		  " name = excluded.name, status = excluded.status, source = excluded.source,"
		  " queried_ns = excluded.queried_ns"
		: "INSERT INTO asn_cache (addr, asn, status, as_name, queried_ns)"
		  " VALUES (?, CAST(? AS BIGINT), ?, ?, CAST(? AS BIGINT))"
		  " ON CONFLICT (addr) DO UPDATE SET asn = excluded.asn,"
		  " status = excluded.status, as_name = excluded.as_name,"
		  " queried_ns = excluded.queried_ns";
	const char *p[5] = {
		addr, ok ? value : NULL, ok ? "ok" : "absent",
		ptr ? source : (name && *name ? name : NULL), now,
	};
	if (begin(st) < 0)
		return -1;
	return st->ops->query(st, sql, p, 5, NULL, NULL) != 0 ? -1 : 0;
}

/* nonempty - a text value, or NULL for NULL or "" */
static struct store_val nonempty(const char *s)
{
	return vtext(s && *s ? s : NULL);
}

int store_set_enrich(struct store *st, const struct store_enrich *e)
{
	struct store_val v[9] = {
		vtext(st->sensor), vtext(e->addr),
		e->asn ? vint(e->asn) : vtext(NULL), nonempty(e->as_name),
		nonempty(e->ptr), nonempty(e->ptr_domain),
		e->match_asn ? vint(e->match_asn) : vtext(NULL), nonempty(e->match_ptr),
		nonempty(e->match_domain),
	};
	return put(st, PUT_ENRICH, v);
}

static int enrich_match_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	void **fa = arg;
	if (n != 4 || !v[0])
		return -1;
	return ((store_enrich_fn)fa[0])(v[0], (uint32_t)num(v[1]), v[2], v[3], fa[1]);
}

int store_each_enrich(struct store *st, store_enrich_fn fn, void *arg)
{
	if (begin(st) < 0)
		return -1;
	const char *p[1] = { st->sensor };
	void *fa[2] = { (void *)fn, arg };
	return st->ops->scan(st, "SELECT addr, match_asn, match_ptr, match_domain FROM enrich"
			     " WHERE sensor = ?", p, 1, enrich_match_row, fa);
}

/* store_policy_save - add policyd's outcome counts; one transaction */
int store_policy_save(struct store *st, const struct store_policy_row *rows, size_t n)
{
	static const char sql[] =
		"INSERT INTO policy_outcomes (prefix, class, first_ns, last_ns, accepted, limited)"
		" VALUES (?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT),"
		" CAST(? AS BIGINT)) ON CONFLICT (prefix) DO UPDATE SET class = excluded.class,"
		" first_ns = CASE WHEN excluded.first_ns < policy_outcomes.first_ns"
		"  THEN excluded.first_ns ELSE policy_outcomes.first_ns END,"
		" last_ns = CASE WHEN excluded.last_ns > policy_outcomes.last_ns"
		"  THEN excluded.last_ns ELSE policy_outcomes.last_ns END,"
		" accepted = policy_outcomes.accepted + excluded.accepted,"
		" limited = policy_outcomes.limited + excluded.limited";
	if (st->in_tx && store_flush(st) < 0)
		return -1;
	if (st->ops->exec(st, "BEGIN") < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct store_policy_row *r = &rows[i];
		char num[4][24];
		snprintf(num[0], sizeof num[0], "%" PRId64, r->first_ns);
		snprintf(num[1], sizeof num[1], "%" PRId64, r->last_ns);
		snprintf(num[2], sizeof num[2], "%" PRIu64, r->accepted);
		snprintf(num[3], sizeof num[3], "%" PRIu64, r->limited);
		const char *p[6] = { r->prefix, r->cls, num[0], num[1], num[2], num[3] };
		if (st->ops->query(st, sql, p, 6, NULL, NULL) != 0) {
			st->ops->exec(st, "ROLLBACK");
			return error("%s: cannot save policy_outcomes", st->location);
		}
	}
	return st->ops->exec(st, "COMMIT");
}
