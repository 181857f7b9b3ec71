/*
 * store_sqlite.c - the SQLite back end of store.h (the default store).
 *
 * WAL journal, prepared statements, and one transaction per analysis
 * run: store_run_begin() opens it, store_run_end() commits it, so readers
 * see either the previous results or the new ones, and a run that is
 * interrupted (signal, crash, full disk) leaves the previous ones intact.  The schema carries a version in meta; store_open()
 * applies the migrations in migrations[] from that version up, each in
 * its own transaction, so an old store is upgraded in place.
 */
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "packet/parse.h"
#include "util/alloc.h"
#include "util/log.h"

/* migrations[i] takes the schema from version i to i + 1 */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);\n"
	"CREATE TABLE runs (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL,\n"
	"  started TEXT NOT NULL, finished TEXT, version TEXT, argv TEXT,\n"
	"  options TEXT, syns INTEGER, attempts INTEGER, status TEXT);\n"
	"CREATE TABLE inputs (run_id INTEGER NOT NULL, kind TEXT NOT NULL,\n"
	"  path TEXT NOT NULL, records INTEGER, errors INTEGER, note TEXT);\n"
	"CREATE TABLE attempts (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL,\n"
	"  family INTEGER NOT NULL, src TEXT NOT NULL, sport INTEGER NOT NULL,\n"
	"  dst TEXT NOT NULL, dport INTEGER NOT NULL, first_ns INTEGER NOT NULL,\n"
	"  last_ns INTEGER NOT NULL, syns INTEGER NOT NULL, ttl INTEGER, ittl INTEGER,\n"
	"  win INTEGER, mss INTEGER, wscale INTEGER, olayout TEXT, tsval INTEGER,\n"
	"  os TEXT, os_family TEXT, emb_kind TEXT, emb4 TEXT,\n"
	"  partner INTEGER, score INTEGER);\n"
	"CREATE INDEX attempts_src ON attempts(src, first_ns);\n"
	"CREATE INDEX attempts_first ON attempts(first_ns);\n"
	"CREATE TABLE candidates (id INTEGER PRIMARY KEY, a6 INTEGER NOT NULL,\n"
	"  a4 INTEGER NOT NULL, ev_embed INTEGER, ev_stack INTEGER, ev_os INTEGER,\n"
	"  ev_syns INTEGER, ev_port INTEGER, ev_gap INTEGER, ev_tsclock INTEGER,\n"
	"  ev_asn INTEGER, ev_ptr INTEGER, ev_host INTEGER, score INTEGER NOT NULL,\n"
	"  total INTEGER, ambiguous INTEGER, gap_ns INTEGER, port_dist INTEGER,\n"
	"  before INTEGER, decision TEXT);\n"
	"CREATE INDEX candidates_a6 ON candidates(a6);\n"
	"CREATE INDEX candidates_a4 ON candidates(a4);\n"
	"CREATE TABLE mta_events (addr TEXT NOT NULL, family INTEGER NOT NULL,\n"
	"  kind TEXT NOT NULL, list TEXT NOT NULL DEFAULT '', first_ns INTEGER,\n"
	"  last_ns INTEGER, count INTEGER NOT NULL, format TEXT,\n"
	"  UNIQUE(addr, kind, list));\n"
	"CREATE TABLE hosts (addr TEXT PRIMARY KEY, family INTEGER NOT NULL,\n"
	"  addr_type TEXT, iid_class TEXT, emb_kind TEXT, emb4 TEXT,\n"
	"  first_ns INTEGER, last_ns INTEGER, attempts INTEGER, syns INTEGER,\n"
	"  os TEXT, os_family TEXT, asn INTEGER, as_name TEXT, ptr TEXT,\n"
	"  ptr_domain TEXT, listed INTEGER NOT NULL DEFAULT 0, lists TEXT,\n"
	"  label TEXT, partners TEXT);\n"
	"CREATE VIEW weekly AS\n"
	"  SELECT strftime('%Y-W%W', a.first_ns / 1000000000, 'unixepoch') AS week,\n"
	"         CASE WHEN a.family = 4 THEN (CASE WHEN h.listed THEN 'ipv4-spammer'\n"
	"                                            ELSE 'ipv4-unlisted' END)\n"
	"              ELSE (CASE WHEN h.label = 'associated' THEN 'ipv6-associated'\n"
	"                         ELSE 'ipv6-unassociated' END) END AS series,\n"
	"         COUNT(*) AS attempts\n"
	"  FROM attempts a JOIN hosts h ON h.addr = a.src\n"
	"  GROUP BY week, series;\n",
	/* 1 -> 2: what the policy server saw per reputation prefix */
	"CREATE TABLE policy_outcomes (prefix TEXT PRIMARY KEY, class TEXT,\n"
	"  first_ns INTEGER, last_ns INTEGER, accepted INTEGER NOT NULL DEFAULT 0,\n"
	"  limited INTEGER NOT NULL DEFAULT 0);\n",
	/* 2 -> 3: EHLO names of capture --smtp as association evidence */
	"ALTER TABLE candidates ADD COLUMN ev_ehlo INTEGER NOT NULL DEFAULT 0;\n",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof *migrations))

enum {
	Q_ATTEMPT, Q_CAND, Q_MTA, Q_INPUT, Q_PARTNER,
	Q_COUNT
};

static const char *const stmt_sql[Q_COUNT] = {
	[Q_ATTEMPT] =
	"INSERT INTO attempts (id, run_id, family, src, sport, dst, dport, first_ns,"
	" last_ns, syns, ttl, ittl, win, mss, wscale, olayout, tsval, os, os_family,"
	" emb_kind, emb4) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[Q_CAND] =
	"INSERT INTO candidates (a6, a4, ev_embed, ev_stack, ev_os, ev_syns, ev_port,"
	" ev_gap, ev_tsclock, ev_asn, ev_ptr, ev_host, ev_ehlo, score, gap_ns, port_dist,"
	" before, total, ambiguous) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?14,0)",
	[Q_MTA] =
	"INSERT INTO mta_events (addr, family, kind, list, first_ns, last_ns, count, format)"
	" VALUES (?,?,?,?,?,?,1,?) ON CONFLICT(addr, kind, list) DO UPDATE SET"
	" first_ns = min(first_ns, excluded.first_ns),"
	" last_ns = max(last_ns, excluded.last_ns), count = count + 1",
	[Q_INPUT] =
	"INSERT INTO inputs (run_id, kind, path, records, errors, note) VALUES (?,?,?,?,?,?)",
	[Q_PARTNER] =
	"UPDATE attempts SET partner = ?, score = ? WHERE id = ?",
};

struct store {
	char *location;
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	int64_t run_id;
	uint64_t attempt_base;      /* ids of this run = base + attempt id */
	uint64_t max_attempt;
	unsigned long batch;
	bool in_tx;
	sqlite3_stmt *pair_ins;     /* on temp tables of the decision stage, */
	sqlite3_stmt *chosen_ins;   /* prepared when those exist */
};

static int db_error(struct store *st, const char *what)
{
	return error("%s: %s: %s", st->location, what, sqlite3_errmsg(st->db));
}

static int exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("%s: %s", st->location, msg ? msg : "SQL error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int begin(struct store *st)
{
	if (st->in_tx)
		return 0;
	if (exec(st, "BEGIN") < 0)
		return -1;
	st->in_tx = true;
	st->batch = 0;
	return 0;
}

int store_flush(struct store *st)
{
	if (!st->in_tx)
		return 0;
	st->in_tx = false;
	return exec(st, "COMMIT");
}

/* batched - count one row */
static int batched(struct store *st)
{
	st->batch++;
	return 0;
}

void store_abort(struct store *st)
{
	if (st->in_tx) {
		exec(st, "ROLLBACK");
		st->in_tx = false;
	}
}

static int schema_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'schema_version'",
			       -1, &s, NULL) != SQLITE_OK)
		return 0;   /* no meta table: empty database */
	if (sqlite3_step(s) == SQLITE_ROW)
		v = atoi((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

static int migrate(struct store *st)
{
	int v = schema_version(st);
	if (v > SCHEMA_VERSION)
		return error("%s: schema version %d is newer than this mxsensor knows (%d)",
			     st->location, v, SCHEMA_VERSION);
	for (; v < SCHEMA_VERSION; v++) {
		char set[128];
		snprintf(set, sizeof set,
			 "INSERT OR REPLACE INTO meta VALUES ('schema_version', '%d');", v + 1);
		if (exec(st, "BEGIN") < 0 || exec(st, migrations[v]) < 0 ||
		    exec(st, set) < 0 || exec(st, "COMMIT") < 0) {
			exec(st, "ROLLBACK");
			return error("%s: migration to schema %d failed", st->location, v + 1);
		}
	}
	return 0;
}

struct store *store_open(const char *location, bool create)
{
	struct store *st = xcalloc(1, sizeof *st);
	st->location = xstrdup(location);
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(location, &st->db, flags, NULL) != SQLITE_OK) {
		error("%s: cannot open store: %s", location,
		      st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, 10000);
	if (exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		     " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
		     " PRAGMA cache_size = -65536;") < 0 ||
	    migrate(st) < 0) {
		store_close(st);
		return NULL;
	}
	for (int i = 0; i < Q_COUNT; i++) {
		if (sqlite3_prepare_v2(st->db, stmt_sql[i], -1, &st->q[i], NULL) != SQLITE_OK) {
			db_error(st, "prepare");
			store_close(st);
			return NULL;
		}
	}
	return st;
}

/* decide_stmts_free - the decision stage's statements die with its tables */
static void decide_stmts_free(struct store *st)
{
	sqlite3_finalize(st->pair_ins);
	sqlite3_finalize(st->chosen_ins);
	st->pair_ins = st->chosen_ins = NULL;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->db) {
		decide_stmts_free(st);
		store_abort(st);   /* an unfinished run never lands */
		for (int i = 0; i < Q_COUNT; i++)
			sqlite3_finalize(st->q[i]);
		sqlite3_close(st->db);
	}
	free(st->location);
	free(st);
}

const char *store_location(const struct store *st)
{
	return st->location;
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int store_run_begin(struct store *st, const struct store_run *run)
{
	char ts[32];
	now_iso(ts, sizeof ts);
	/* one sensor's results are replaced as a whole: association spans
	 * files, so partial replacement could not be exact */
	if (begin(st) < 0 ||
	    exec(st, "DELETE FROM candidates; DELETE FROM attempts; DELETE FROM hosts;"
		     " DELETE FROM mta_events; DELETE FROM inputs;") < 0)
		return -1;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO runs (sensor, started, version, argv, options, status)"
			       " VALUES (?,?,?,?,?, 'running')", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "run");
	sqlite3_bind_text(s, 1, run->sensor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, ts, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, MXSENSOR_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, run->argv, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, run->options, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, "run");
	st->run_id = sqlite3_last_insert_rowid(st->db);
	st->attempt_base = 0;
	st->max_attempt = 0;
	return 0;
}

static int step_reset(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return db_error(st, what);
	return 0;
}

int store_add_input(struct store *st, const char *kind, const char *path,
		    uint64_t records, uint64_t errors, const char *note)
{
	sqlite3_stmt *s = st->q[Q_INPUT];
	if (begin(st) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, st->run_id);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)records);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)errors);
	if (note)
		sqlite3_bind_text(s, 6, note, -1, SQLITE_TRANSIENT);
	return step_reset(st, s, "input");
}

int store_add_attempt(struct store *st, const struct attempt *a)
{
	sqlite3_stmt *s = st->q[Q_ATTEMPT];
	char src[ADDR_STRLEN], dst[ADDR_STRLEN], emb[ADDR_STRLEN], ol[SYN_MAX_OPTS * 8];
	if (begin(st) < 0)
		return -1;
	packet_options_format(a->olayout, a->nopts < SYN_MAX_OPTS ? a->nopts : SYN_MAX_OPTS,
			      a->eol_pad, ol, sizeof ol);
	int i = 1;
	sqlite3_bind_int64(s, i++, (sqlite3_int64)a->id);
	sqlite3_bind_int64(s, i++, st->run_id);
	sqlite3_bind_int(s, i++, a->src.family);
	sqlite3_bind_text(s, i++, addr_format(&a->src, src), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, i++, a->sport);
	sqlite3_bind_text(s, i++, addr_format(&a->dst, dst), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, i++, a->dport);
	sqlite3_bind_int64(s, i++, a->first_ns);
	sqlite3_bind_int64(s, i++, a->last_ns);
	sqlite3_bind_int(s, i++, (int)a->syns);
	sqlite3_bind_int(s, i++, a->ttl);
	sqlite3_bind_int(s, i++, a->ittl);
	sqlite3_bind_int(s, i++, a->win);
	if (a->mss)
		sqlite3_bind_int(s, i, a->mss);
	i++;
	if (a->wscale >= 0)
		sqlite3_bind_int(s, i, a->wscale);
	i++;
	sqlite3_bind_text(s, i++, ol, -1, SQLITE_TRANSIENT);
	if (a->has_ts)
		sqlite3_bind_int64(s, i, a->tsval);
	i++;
	if (a->os)
		sqlite3_bind_text(s, i, a->os, -1, SQLITE_STATIC);
	i++;
	if (a->os_family)
		sqlite3_bind_text(s, i, a->os_family, -1, SQLITE_STATIC);
	i++;
	if (a->emb_kind) {
		sqlite3_bind_text(s, i, assoc_emb_name(a->emb_kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, i + 1, addr_format(&a->emb4, emb), -1, SQLITE_TRANSIENT);
	}
	if (a->id > st->max_attempt)
		st->max_attempt = a->id;
	if (step_reset(st, s, "attempt") < 0)
		return -1;
	return batched(st);
}

int store_add_candidate(struct store *st, const struct assoc_cand *c)
{
	sqlite3_stmt *s = st->q[Q_CAND];
	if (begin(st) < 0)
		return -1;
	int i = 1;
	sqlite3_bind_int64(s, i++, (sqlite3_int64)c->a6);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)c->a4);
	for (int e = 0; e < EV_COUNT; e++)
		sqlite3_bind_int(s, i++, c->ev[e]);
	sqlite3_bind_int(s, i++, c->score);
	sqlite3_bind_int64(s, i++, c->gap_ns);
	sqlite3_bind_int(s, i++, c->port_dist);
	sqlite3_bind_int(s, i++, c->before);
	if (step_reset(st, s, "candidate") < 0)
		return -1;
	return batched(st);
}

int store_add_mta_event(struct store *st, const struct addr *a, const char *kind,
			const char *list, int64_t ts_ns, const char *format)
{
	sqlite3_stmt *s = st->q[Q_MTA];
	char txt[ADDR_STRLEN];
	if (begin(st) < 0)
		return -1;
	sqlite3_bind_text(s, 1, addr_format(a, txt), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, a->family);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, list ? list : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, ts_ns);
	sqlite3_bind_int64(s, 6, ts_ns);
	sqlite3_bind_text(s, 7, format, -1, SQLITE_TRANSIENT);
	if (step_reset(st, s, "mta event") < 0)
		return -1;
	return batched(st);
}

int store_each_host_pair(struct store *st, store_pair_fn fn, void *arg)
{
	decide_stmts_free(st);
	/* attempts per host, counted once */
	if (exec(st, "DROP TABLE IF EXISTS temp.host_n;"
		     " CREATE TEMP TABLE host_n (src TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID;"
		     " INSERT INTO host_n SELECT src, COUNT(*) FROM attempts GROUP BY src;"
		     " DROP TABLE IF EXISTS temp.pair_pts;"
		     " CREATE TEMP TABLE pair_pts (h6 TEXT, h4 TEXT, pts INTEGER,"
		     "  PRIMARY KEY (h6, h4)) WITHOUT ROWID") < 0)
		return -1;
	sqlite3_stmt *s;
	const char *sql =
		"SELECT a6.src, a4.src, COUNT(DISTINCT c.a6), n6.n, n4.n"
		" FROM candidates c JOIN attempts a6 ON a6.id = c.a6"
		" JOIN attempts a4 ON a4.id = c.a4"
		" JOIN host_n n6 ON n6.src = a6.src JOIN host_n n4 ON n4.src = a4.src"
		" GROUP BY a6.src, a4.src HAVING COUNT(DISTINCT c.a6) >= 2";
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "host pairs");
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_pair p = {
			.h6 = (const char *)sqlite3_column_text(s, 0),
			.h4 = (const char *)sqlite3_column_text(s, 1),
			.co = (uint64_t)sqlite3_column_int64(s, 2),
			.n6 = (uint64_t)sqlite3_column_int64(s, 3),
			.n4 = (uint64_t)sqlite3_column_int64(s, 4),
		};
		if ((ret = fn(&p, arg)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(st, "host pairs");
	sqlite3_finalize(s);
	return ret;
}

int store_set_pair_points(struct store *st, const char *h6, const char *h4, int points)
{
	if (!st->pair_ins &&
	    sqlite3_prepare_v2(st->db, "INSERT INTO pair_pts VALUES (?,?,?)", -1,
			       &st->pair_ins, NULL) != SQLITE_OK)
		return db_error(st, "pair points");
	sqlite3_stmt *s = st->pair_ins;
	sqlite3_bind_text(s, 1, h6, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, h4, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, points);
	return step_reset(st, s, "pair points");
}

int store_apply_host_points(struct store *st, int single_meeting, int margin)
{
	char sql[2560];
	snprintf(sql, sizeof sql,
		 /* single meetings first: every candidate of a host with three
		  * or more attempts; the pairs that met more often then get
		  * their own points */
		 "UPDATE candidates SET ev_host = %d, total = candidates.score + %d"
		 " FROM attempts a6, host_n n6 WHERE a6.id = candidates.a6"
		 " AND n6.src = a6.src AND n6.n >= 3;"
		 "UPDATE candidates SET ev_host = p.pts, total = candidates.score + p.pts"
		 " FROM attempts a6, attempts a4, pair_pts p"
		 " WHERE a6.id = candidates.a6 AND a4.id = candidates.a4"
		 " AND p.h6 = a6.src AND p.h4 = a4.src;"
		 /* best candidate of each IPv6 attempt, and the best of any
		  * other IPv4 host: ambiguous when within the margin */
		 "WITH r AS (SELECT c.a6, a4.src AS h4, c.total, ROW_NUMBER() OVER"
		 "  (PARTITION BY c.a6 ORDER BY c.total DESC, abs(c.gap_ns), abs(c.port_dist), c.a4) AS rn"
		 "  FROM candidates c JOIN attempts a4 ON a4.id = c.a4),"
		 " b AS (SELECT a6, h4, total FROM r WHERE rn = 1),"
		 " o AS (SELECT r.a6, MAX(r.total) AS ot FROM r JOIN b ON b.a6 = r.a6"
		 "  WHERE r.h4 <> b.h4 GROUP BY r.a6)"
		 " UPDATE candidates SET ambiguous = 1 WHERE a6 IN"
		 " (SELECT b.a6 FROM b JOIN o ON o.a6 = b.a6 WHERE b.total - o.ot < %d)",
		 single_meeting, single_meeting, margin);
	return exec(st, sql);
}

int store_each_eligible(struct store *st, int threshold, int min_evidence,
			store_total_fn fn, void *arg)
{
	decide_stmts_free(st);
	if (exec(st, "DROP TABLE IF EXISTS temp.chosen;"
		     " CREATE TEMP TABLE chosen (a6 INTEGER PRIMARY KEY, a4 INTEGER,"
		     "  total INTEGER, agap INTEGER, aport INTEGER)") < 0)
		return -1;
	sqlite3_stmt *s;
	const char *sql =
		"SELECT id, a6, a4, total, score FROM candidates"
		" WHERE total >= ? AND score >= ? AND ambiguous = 0"
		" ORDER BY total DESC, abs(gap_ns), abs(port_dist), a4, a6";
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "candidates");
	sqlite3_bind_int(s, 1, threshold);
	sqlite3_bind_int(s, 2, min_evidence);
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_cand_total r = {
			.rowid = sqlite3_column_int64(s, 0),
			.a6 = (uint64_t)sqlite3_column_int64(s, 1),
			.a4 = (uint64_t)sqlite3_column_int64(s, 2),
			.total = sqlite3_column_int(s, 3),
			.score = sqlite3_column_int(s, 4),
		};
		if ((ret = fn(&r, arg)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(st, "candidates");
	sqlite3_finalize(s);
	return ret;
}

int store_associate(struct store *st, const struct store_cand_total *r)
{
	sqlite3_stmt *s = st->q[Q_PARTNER];
	for (int k = 0; k < 2; k++) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)(k ? r->a6 : r->a4));
		sqlite3_bind_int(s, 2, r->total);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)(k ? r->a4 : r->a6));
		if (step_reset(st, s, "partner") < 0)
			return -1;
	}
	if (!st->chosen_ins &&
	    sqlite3_prepare_v2(st->db, "INSERT INTO chosen SELECT a6, a4, total, abs(gap_ns),"
			       " abs(port_dist) FROM candidates WHERE id = ?", -1,
			       &st->chosen_ins, NULL) != SQLITE_OK)
		return db_error(st, "chosen");
	sqlite3_bind_int64(st->chosen_ins, 1, r->rowid);
	return step_reset(st, st->chosen_ins, "chosen");
}

int store_label_decisions(struct store *st, int threshold, int min_evidence)
{
	char sql[2048];
	snprintf(sql, sizeof sql,
		 "UPDATE candidates SET decision = CASE"
		 " WHEN total < %d OR score < %d THEN 'below-threshold'"
		 " WHEN ambiguous THEN 'ambiguous' ELSE 'ipv4-taken' END;"
		 /* rows of an IPv6 attempt that was taken: the pair itself, and
		  * the rows the greedy pass met after it */
		 "UPDATE candidates SET decision = CASE WHEN ch.a4 = candidates.a4"
		 " THEN 'associated' ELSE 'lost' END FROM chosen ch"
		 " WHERE ch.a6 = candidates.a6 AND (ch.a4 = candidates.a4"
		 "  OR ch.total > candidates.total"
		 "  OR (ch.total = candidates.total AND (ch.agap < abs(candidates.gap_ns)"
		 "   OR (ch.agap = abs(candidates.gap_ns) AND (ch.aport < abs(candidates.port_dist)"
		 "    OR (ch.aport = abs(candidates.port_dist) AND ch.a4 < candidates.a4))))))",
		 threshold, min_evidence);
	return exec(st, sql);
}

uint64_t store_max_attempt_id(struct store *st)
{
	return st->max_attempt;
}

int store_run_end(struct store *st, int64_t listing_window_ns, store_classify_fn classify)
{
	char ts[32], sql[4096];
	now_iso(ts, sizeof ts);
	if (begin(st) < 0)
		return -1;
	/* hosts: one row per source address with its totals */
	if (exec(st,
		 "INSERT INTO hosts (addr, family, emb_kind, emb4, first_ns, last_ns,"
		 " attempts, syns, os, os_family)"
		 " SELECT src, family, max(emb_kind), max(emb4), min(first_ns), max(last_ns),"
		 " COUNT(*), SUM(syns),"
		 " (SELECT os FROM attempts b WHERE b.src = a.src AND b.os IS NOT NULL"
		 "   GROUP BY os ORDER BY COUNT(*) DESC, os LIMIT 1),"
		 " (SELECT os_family FROM attempts b WHERE b.src = a.src AND b.os_family IS NOT NULL"
		 "   GROUP BY os_family ORDER BY COUNT(*) DESC, os_family LIMIT 1)"
		 " FROM attempts a GROUP BY src") < 0)
		return -1;
	if (classify && store_classify_hosts(st, classify) < 0)
		return -1;
	/* listed: IPv4 addresses the production MTAs rejected by DNSBL */
	if (listing_window_ns > 0)
		snprintf(sql, sizeof sql,
			 "UPDATE hosts SET listed = 1 WHERE family = 4 AND EXISTS ("
			 " SELECT 1 FROM mta_events m JOIN attempts a ON a.src = m.addr"
			 " WHERE m.addr = hosts.addr AND m.kind = 'dnsbl'"
			 " AND a.first_ns >= m.first_ns - %" PRId64
			 " AND a.first_ns <= m.last_ns + %" PRId64 ")",
			 listing_window_ns, listing_window_ns);
	else
		snprintf(sql, sizeof sql,
			 "UPDATE hosts SET listed = 1 WHERE family = 4 AND addr IN"
			 " (SELECT addr FROM mta_events WHERE kind = 'dnsbl')");
	if (exec(st, sql) < 0)
		return -1;
	if (exec(st,
		 "UPDATE hosts SET lists = (SELECT group_concat(list, ',') FROM"
		 " (SELECT DISTINCT list FROM mta_events m WHERE m.addr = hosts.addr"
		 "  AND m.kind = 'dnsbl' ORDER BY list)) WHERE listed = 1;"
		 "UPDATE hosts SET label = CASE WHEN listed THEN 'spammer' ELSE 'unlisted' END"
		 " WHERE family = 4;"
		 /* an IPv6 host is associated when one of its attempts is
		  * associated with an attempt of a listed IPv4 address */
		 "UPDATE hosts SET label = CASE"
		 " WHEN EXISTS (SELECT 1 FROM attempts a JOIN attempts b ON b.id = a.partner"
		 "   JOIN hosts h4 ON h4.addr = b.src"
		 "   WHERE a.src = hosts.addr AND h4.listed = 1) THEN 'associated'"
		 " WHEN EXISTS (SELECT 1 FROM attempts a WHERE a.src = hosts.addr"
		 "   AND a.partner IS NOT NULL) THEN 'associated-unlisted'"
		 " ELSE 'unassociated' END WHERE family = 6;"
		 "UPDATE hosts SET partners = (SELECT group_concat(p, ' ') FROM"
		 " (SELECT b.src || '/' || COUNT(*) || '/' || MAX(a.score) AS p"
		 "  FROM attempts a JOIN attempts b ON b.id = a.partner"
		 "  WHERE a.src = hosts.addr"
		 "  GROUP BY b.src ORDER BY COUNT(*) DESC, b.src))") < 0)
		return -1;
	snprintf(sql, sizeof sql,
		 "UPDATE runs SET finished = '%s', status = 'complete',"
		 " attempts = (SELECT COUNT(*) FROM attempts) WHERE id = %" PRId64,
		 ts, st->run_id);
	if (exec(st, sql) < 0)
		return -1;
	return store_flush(st);
}

int store_classify_hosts(struct store *st, store_classify_fn fn)
{
	sqlite3_stmt *sel, *upd;
	if (sqlite3_prepare_v2(st->db, "SELECT addr FROM hosts", -1, &sel, NULL) != SQLITE_OK)
		return db_error(st, "hosts");
	if (sqlite3_prepare_v2(st->db, "UPDATE hosts SET addr_type = ?, iid_class = ?"
			       " WHERE addr = ?", -1, &upd, NULL) != SQLITE_OK) {
		sqlite3_finalize(sel);
		return db_error(st, "hosts");
	}
	int rc, ret = 0;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(sel, 0);
		char type[64] = "", iid[64] = "";
		fn(a, type, sizeof type, iid, sizeof iid);
		sqlite3_bind_text(upd, 1, type, -1, SQLITE_TRANSIENT);
		if (iid[0])
			sqlite3_bind_text(upd, 2, iid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(upd, 3, a, -1, SQLITE_TRANSIENT);
		if ((ret = step_reset(st, upd, "hosts")) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(st, "hosts");
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return ret;
}

int store_query(struct store *st, const char *sql, const char *const *params,
		int nparams, store_row_fn fn, void *arg)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "query");
	for (int i = 0; i < nparams; i++)
		sqlite3_bind_text(s, i + 1, params[i], -1, SQLITE_TRANSIENT);
	int n = sqlite3_column_count(s);
	const char **names = xcalloc((size_t)n + 1, sizeof *names);
	const char **vals = xcalloc((size_t)n + 1, sizeof *vals);
	for (int i = 0; i < n; i++)
		names[i] = sqlite3_column_name(s, i);
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(s, i);
		if ((ret = fn(n, names, vals, arg)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(st, "query");
	sqlite3_finalize(s);
	free(names);
	free(vals);
	return ret;
}

/* store_policy_save - add policyd's outcome counts; one transaction */
int store_policy_save(struct store *st, const struct store_policy_row *rows, size_t n)
{
	static const char sql[] =
		"INSERT INTO policy_outcomes (prefix, class, first_ns, last_ns, accepted, limited)"
		" VALUES (?,?,?,?,?,?) ON CONFLICT(prefix) DO UPDATE SET class = excluded.class,"
		" first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns),"
		" accepted = accepted + excluded.accepted, limited = limited + excluded.limited";
	sqlite3_stmt *s;
	if (st->in_tx && store_flush(st) < 0)
		return -1;
	if (exec(st, "BEGIN") < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		exec(st, "ROLLBACK");
		return db_error(st, "policy_outcomes");
	}
	for (size_t i = 0; i < n; i++) {
		const struct store_policy_row *r = &rows[i];
		sqlite3_bind_text(s, 1, r->prefix, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, r->cls, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, r->first_ns);
		sqlite3_bind_int64(s, 4, r->last_ns);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)r->accepted);
		sqlite3_bind_int64(s, 6, (sqlite3_int64)r->limited);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			exec(st, "ROLLBACK");
			return db_error(st, "policy_outcomes");
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return exec(st, "COMMIT");
}
