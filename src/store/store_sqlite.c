/*
 * store_sqlite.c - the SQLite back end of the store (the default).
 *
 * WAL journal and prepared statements for the row writes.  store.c keeps
 * one transaction per analysis run (BEGIN IMMEDIATE: a second writer
 * waits for the first, up to the busy timeout), so readers see either the
 * previous results or the new ones.  Several sensors can share one file,
 * one writer at a time; many sensors writing at once want PostgreSQL.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "util/alloc.h"
#include "util/log.h"

/* put_sql[k] - one statement per row write; ?N is column N of the put */
static const char *const put_sql[PUT_COUNT] = {
	[PUT_ATTEMPT] =
	"INSERT INTO attempts (sensor, id, run_id, family, src, sport, dst, dport,"
	" first_ns, last_ns, syns, ttl, ittl, win, mss, wscale, olayout, tsval, os,"
	" os_family, emb_kind, emb4)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[PUT_CANDIDATE] =
	"INSERT INTO candidates (sensor, a6, a4, ev_embed, ev_stack, ev_os, ev_syns,"
	" ev_port, ev_gap, ev_tsclock, ev_asn, ev_ptr, ev_host, ev_ehlo, score, gap_ns,"
	" port_dist, before, total, ambiguous) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[PUT_MTA] =
	"INSERT INTO mta_events (sensor, addr, family, kind, list, first_ns, last_ns,"
	" count, format) VALUES (?1,?2,?3,?4,?5,?6,?6,1,?7)"
	" ON CONFLICT(sensor, addr, kind, list) DO UPDATE SET"
	" first_ns = min(first_ns, excluded.first_ns),"
	" last_ns = max(last_ns, excluded.last_ns), count = count + 1",
	[PUT_INPUT] =
	"INSERT INTO inputs (run_id, sensor, kind, path, records, errors, note) VALUES (?,?,?,?,?,?,?)",
	[PUT_PAIR_POINTS] = "INSERT INTO pair_pts (h6, h4, pts) VALUES (?,?,?)",
	[PUT_CHOSEN] = "INSERT INTO chosen (a6, a4, total, cid) VALUES (?,?,?,?)",
	[PUT_PARTNER] =
	"UPDATE attempts SET partner = ?3, score = ?4 WHERE sensor = ?1 AND id = ?2",
	[PUT_HOST_CLASS] =
	"UPDATE hosts SET addr_type = ?3, iid_class = ?4 WHERE sensor = ?1 AND addr = ?2",
	[PUT_ENRICH] = ("INSERT INTO enrich (sensor, addr, asn, as_name, ptr, ptr_domain,"
			" match_asn, match_ptr, match_domain) VALUES (?,?,?,?,?,?,?,?,?)"),
};

struct store_sqlite {
	struct store st;            /* first: the shared part */
	sqlite3 *db;
	sqlite3_stmt *q[PUT_COUNT]; /* prepared on first use */
};

static struct store_sqlite *lite(struct store *st)
{
	return (struct store_sqlite *)st;
}

static int db_error(struct store_sqlite *s, const char *what)
{
	return error("%s: %s: %s", s->st.location, what, sqlite3_errmsg(s->db));
}

/* lite_exec - statements without parameters */
static int lite_exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(lite(st)->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("%s: %s", st->location, msg ? msg : "SQL error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* lite_query - one statement, rows straight from SQLite (a callback may
 * run other statements on the same connection) */
static int lite_query(struct store *st, const char *sql, const char *const *params,
		      int nparams, store_row_fn fn, void *arg)
{
	struct store_sqlite *s = lite(st);
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return db_error(s, "query");
	for (int i = 0; i < nparams; i++)
		sqlite3_bind_text(q, i + 1, params[i], -1, SQLITE_TRANSIENT);
	int n = sqlite3_column_count(q);
	const char **names = xcalloc((size_t)n + 1, sizeof *names);
	const char **vals = xcalloc((size_t)n + 1, sizeof *vals);
	for (int i = 0; i < n; i++)
		names[i] = sqlite3_column_name(q, i);
	int rc, ret = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!fn)
			continue;
		for (int i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(q, i);
		if ((ret = fn(n, names, vals, arg)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(s, "query");
	sqlite3_finalize(q);
	free(names);
	free(vals);
	return ret;
}

static int lite_put(struct store *st, enum store_put_kind k, const struct store_val *v)
{
	struct store_sqlite *s = lite(st);
	if (!s->q[k] && sqlite3_prepare_v2(s->db, put_sql[k], -1, &s->q[k], NULL) != SQLITE_OK)
		return db_error(s, "prepare");
	sqlite3_stmt *q = s->q[k];
	for (int i = 0; i < store_put_ncols[k]; i++) {
		switch (v[i].type) {
		case SV_INT: sqlite3_bind_int64(q, i + 1, v[i].i); break;
		case SV_TEXT: sqlite3_bind_text(q, i + 1, v[i].s, -1, SQLITE_TRANSIENT); break;
		case SV_NULL: sqlite3_bind_null(q, i + 1); break;
		}
	}
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return db_error(s, "write");
	return 0;
}

static int lite_schema_version(struct store *st)
{
	struct store_sqlite *s = lite(st);
	sqlite3_stmt *q;
	int v = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'",
			       -1, &q, NULL) != SQLITE_OK)
		return 0;   /* no meta table: empty database */
	if (sqlite3_step(q) == SQLITE_ROW)
		v = atoi((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v;
}

/* slow_statement - analyze -v: statements that took 100 ms or more */
static int slow_statement(unsigned type, void *arg, void *stmt, void *ns)
{
	(void)arg;
	int64_t t = *(const int64_t *)ns;
	if (type == SQLITE_TRACE_PROFILE && t >= 100000000) {
		char *sql = sqlite3_expanded_sql(stmt);
		debug("sqlite: %.3f s: %.160s", (double)t / 1e9, sql ? sql : "?");
		sqlite3_free(sql);
	}
	return 0;
}

static void lite_close(struct store *st)
{
	struct store_sqlite *s = lite(st);
	for (int i = 0; i < PUT_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	store_fini(st);
	free(s);
}

static struct store *lite_open(const char *location, bool create)
{
	struct store_sqlite *s = xcalloc(1, sizeof *s);
	store_init(&s->st, &store_sqlite_ops, location);
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(location, &s->db, flags, NULL) != SQLITE_OK) {
		error("%s: cannot open store: %s", location,
		      s->db ? sqlite3_errmsg(s->db) : "out of memory");
		lite_close(&s->st);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if (log_get_level() >= LOG_LVL_DEBUG)
		sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, slow_statement, NULL);
	if (lite_exec(&s->st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		      " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
		      " PRAGMA cache_size = -65536;") < 0) {
		lite_close(&s->st);
		return NULL;
	}
	return &s->st;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.backend = STORE_SQLITE,
	.begin_schema_sql = "BEGIN IMMEDIATE",
	.begin_run_sql = "BEGIN IMMEDIATE",
	.lock_sensor_sql = NULL,
	.cand_table = "candidates",
	.finish = NULL,
	.open = lite_open,
	.close = lite_close,
	.exec = lite_exec,
	.query = lite_query,
	.scan = lite_query,
	.put = lite_put,
	.schema_version = lite_schema_version,
};
