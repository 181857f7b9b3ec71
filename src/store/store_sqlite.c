/*
 * store_sqlite.c - the SQLite back end of the store (the default).
 *
 * WAL journal and prepared statements for the row writes.  store.c keeps
 * one transaction per analysis run (BEGIN IMMEDIATE: a second writer
 * waits for the first, up to the busy timeout), so readers see either the
 * previous results or the new ones.  Several sensors can share one file,
 * one writer at a time; many sensors writing at once want PostgreSQL.
 *
 * Row writes run on a second thread: put() copies the row into a chunk,
 * and a full chunk goes to the writer thread, which binds and steps the
 * prepared statements while the analysis goes on (SQLite's b-tree work
 * is most of a run's CPU).  The connection is only ever used by one
 * thread at a time: every other operation first waits until the writer
 * has finished what it was given (lite_sync), and a put from inside a
 * query's callback is written at once.  A write error is reported by the
 * next operation (at the latest, the run's COMMIT fails).
 *
 * A run into an empty store (the first one of a sensor's file) loads with
 * a rollback journal instead (lite_load_journal), when no other process
 * has the store open.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "util/alloc.h"
#include "util/log.h"

/* how long a statement waits for another connection's lock */
#define LITE_BUSY_MS 10000

/* put_sql[k] - one statement per row write; ?N is column N of the put */
static const char *const put_sql[PUT_COUNT] = {
	[PUT_ATTEMPT] =
	"INSERT INTO attempts (sensor, id, run_id, family, src, sport, dst, dport,"
	" first_ns, last_ns, syns, ttl, ittl, win, mss, wscale, olayout, tsval, os,"
	" os_family, emb_kind, emb4, partner, score)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[PUT_CANDIDATE] =
	"INSERT INTO candidates (sensor, a6, a4, ev_embed, ev_stack, ev_os, ev_syns,"
	" ev_port, ev_gap, ev_tsclock, ev_asn, ev_ptr, ev_host, ev_ehlo, score, gap_ns,"
	" port_dist, before, total, ambiguous, decision)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[PUT_MTA] =
	"INSERT INTO mta_events (sensor, addr, family, kind, list, first_ns, last_ns,"
	" count, format) VALUES (?,?,?,?,?,?,?,?,?)"
	" ON CONFLICT(sensor, addr, kind, list) DO UPDATE SET"
	" first_ns = min(first_ns, excluded.first_ns),"
	" last_ns = max(last_ns, excluded.last_ns), count = count + excluded.count",
	[PUT_INPUT] =
	"INSERT INTO inputs (run_id, sensor, kind, path, records, errors, note) VALUES (?,?,?,?,?,?,?)",
	[PUT_HOST] =
	"INSERT INTO hosts (sensor, addr, family, addr_type, iid_class, emb_kind, emb4,"
	" first_ns, last_ns, attempts, syns, os, os_family, partners, label, listed, lists)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[PUT_ENRICH] = ("INSERT INTO enrich (sensor, addr, asn, as_name, ptr, ptr_domain,"
			" match_asn, match_ptr, match_domain) VALUES (?,?,?,?,?,?,?,?,?)"),
};

/* a chunk of serialized row writes: kind byte, then per column a type
 * byte and an int64 or a u32 length and the bytes */
#define CHUNK_SIZE (512u << 10)
#define MAX_COLS 32                 /* columns of a put, at most */

struct chunk {
	unsigned char *p;
	size_t n, cap;
};

struct store_sqlite {
	struct store st;            /* first: the shared part */
	sqlite3 *db;
	/* the put statements, prepared on first use: [k][0] writes one row,
	 * [k][1] BATCH rows (batched kinds) */
	struct put_stmt {
		sqlite3_stmt *q;
		struct bound *b;    /* what its parameters hold */
	} put[PUT_COUNT][2];
	/* the writer thread (started on the first put) */
	pthread_t th;
	bool started, quit, busy;   /* busy: todo is being written */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk fill, todo;    /* fill: the main thread's; todo: the writer's */
	int werr;                   /* -1 after a write failed */
	int in_query;               /* > 0: inside a query's callbacks */
};

static struct store_sqlite *lite(struct store *st)
{
	return (struct store_sqlite *)st;
}

/* BUSY_HINT - what "database is locked" means here (after the busy
 * timeout) */
#define BUSY_HINT(db) (sqlite3_errcode(db) == SQLITE_BUSY ? \
	" (another process is writing the store: an analysis run holds it until it commits)" : "")

static int db_error(struct store_sqlite *s, const char *what)
{
	if (store_stopping(&s->st))
		return -1;   /* interrupted (on_progress) */
	return error("%s: %s: %s%s", s->st.location, what, sqlite3_errmsg(s->db),
		     BUSY_HINT(s->db));
}

/* on_progress - every few thousand SQLite instructions: a stop asked for
 * (store_set_stop) interrupts the statement, so that a long one (an index
 * build, a listings query) does not hold an interrupted run */
static int on_progress(void *arg)
{
	return store_stopping(arg);
}

static int lite_sync(struct store_sqlite *s);
static void wait_idle(struct store_sqlite *s);

/* lite_exec - statements without parameters */
static int lite_exec(struct store *st, const char *sql)
{
	struct store_sqlite *s = lite(st);
	char *msg = NULL;
	if (!strcmp(sql, "ROLLBACK")) {
		/* the queued rows and a failed write are moot (as store_pg.c
		 * drops its buffered rows) */
		wait_idle(s);
		s->fill.n = 0;
		s->werr = 0;
		/* an interrupted statement (on_progress) rolled it back */
		if (sqlite3_get_autocommit(s->db))
			return 0;
	} else if (lite_sync(s) < 0) {
		return -1;
	}
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (!store_stopping(st))
			error("%s: %s%s", st->location, msg ? msg : "SQL error", BUSY_HINT(s->db));
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
	if (lite_sync(s) < 0)
		return -1;
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
	s->in_query++;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!fn)
			continue;
		for (int i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(q, i);
		if ((ret = fn(n, names, vals, arg)) != 0)
			break;
	}
	s->in_query--;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(s, "query");
	sqlite3_finalize(q);
	free(names);
	free(vals);
	return ret;
}

/* BATCH rows of the big tables go to SQLite as one multi-row INSERT:
 * a statement step opens its cursors, seeks and closes them again, so
 * one step per 16 rows writes them 20 % faster than one per row (1.28M
 * candidate rows: 0.82 -> 0.67 us a row).  The rows keep their order
 * (candidates.id follows it).  The MTA upsert and the rare kinds stay
 * one row a statement. */
#define BATCH 16

static bool batched(enum store_put_kind k)
{
	return k == PUT_ATTEMPT || k == PUT_CANDIDATE || k == PUT_HOST;
}

/* batch_sql - put_sql[k] with BATCH value tuples */
static char *batch_sql(enum store_put_kind k)
{
	const char *v = strstr(put_sql[k], " VALUES (");
	if (!v)
		BUG("put statement without VALUES: %s", put_sql[k]);
	int ncols = store_put_ncols[k];
	size_t head = (size_t)(v - put_sql[k]) + 8, tuple = 2 * (size_t)ncols + 2;
	char *sql = xmalloc(head + BATCH * tuple + 1), *p = sql + head;
	memcpy(sql, put_sql[k], head);
	for (int r = 0; r < BATCH; r++) {
		if (r)
			*p++ = ',';
		*p++ = '(';
		for (int i = 0; i < ncols; i++) {
			*p++ = '?';
			*p++ = i + 1 < ncols ? ',' : ')';
		}
	}
	*p = 0;
	return sql;
}

/* struct bound - what a parameter of a put statement holds since its
 * last bind (a reset keeps the values).  An integer or NULL that would be
 * bound again as it is stays: binding is a quarter of a row's cost, and
 * most evidence columns, flags and counts repeat from row to row.  Texts
 * point into a chunk that is reused, so they are always bound. */
struct bound {
	unsigned char type;         /* SV_*, or BOUND_NONE */
	int64_t i;
};
#define BOUND_NONE 0xff

/* bind_row - the columns of one row, from parameter base + 1 on */
static void bind_row(sqlite3_stmt *q, struct bound *b, enum store_put_kind k,
		     const struct store_val *v, int base)
{
	for (int i = 0; i < store_put_ncols[k]; i++) {
		struct bound *p = &b[base + i];
		if (v[i].type != SV_TEXT && p->type == v[i].type &&
		    (v[i].type == SV_NULL || p->i == v[i].i))
			continue;
		switch (v[i].type) {
		case SV_INT: sqlite3_bind_int64(q, base + i + 1, v[i].i); break;
		case SV_TEXT:
			sqlite3_bind_text(q, base + i + 1, v[i].s, (int)v[i].i, SQLITE_STATIC);
			break;
		case SV_NULL: sqlite3_bind_null(q, base + i + 1); break;
		}
		p->type = v[i].type;
		p->i = v[i].i;
	}
}

/* write_rows - bind and step n rows of kind k, v[0..n) (n is 1 or
 * BATCH; on whichever thread owns the connection now) */
static int write_rows(struct store_sqlite *s, enum store_put_kind k,
		      struct store_val (*v)[MAX_COLS], int n)
{
	struct put_stmt *ps = &s->put[k][n == BATCH];
	if (!ps->q) {
		char *sql = n == BATCH ? batch_sql(k) : NULL;
		int rc = sqlite3_prepare_v2(s->db, sql ? sql : put_sql[k], -1, &ps->q, NULL);
		free(sql);
		if (rc != SQLITE_OK)
			return db_error(s, "prepare");
		size_t np = (size_t)n * (size_t)store_put_ncols[k];
		ps->b = xmalloc(np * sizeof *ps->b);
		for (size_t i = 0; i < np; i++)
			ps->b[i].type = BOUND_NONE;
	}
	for (int r = 0; r < n; r++)
		bind_row(ps->q, ps->b, k, v[r], r * store_put_ncols[k]);
	int rc = sqlite3_step(ps->q);
	sqlite3_reset(ps->q);   /* keeps the bound values (struct bound) */
	if (rc != SQLITE_DONE)
		return db_error(s, "write");
	return 0;
}

/* write_waiting - the rows that wait for a batch, one by one */
static int write_waiting(struct store_sqlite *s, enum store_put_kind k,
			 struct store_val (*v)[MAX_COLS], int n)
{
	for (int r = 0; r < n; r++)
		if (write_rows(s, k, &v[r], 1) < 0)
			return -1;
	return 0;
}

/* write_chunk - every row of c, in order; stops at the first error.
 * Rows of a batched kind wait in v until BATCH of them are there; a row
 * of another kind, or the chunk's end, first writes those one by one. */
static int write_chunk(struct store_sqlite *s, const struct chunk *c)
{
	struct store_val v[BATCH][MAX_COLS];
	enum store_put_kind bk = PUT_COUNT;   /* the kind waiting in v */
	int nb = 0;
	size_t off = 0;
	while (off < c->n) {
		enum store_put_kind k = (enum store_put_kind)c->p[off++];
		if (nb && k != bk) {
			if (write_waiting(s, bk, v, nb) < 0)
				return -1;
			nb = 0;
		}
		struct store_val *row = v[nb];
		for (int i = 0; i < store_put_ncols[k]; i++) {
			row[i].type = c->p[off++];
			if (row[i].type == SV_INT) {
				memcpy(&row[i].i, c->p + off, sizeof row[i].i);
				off += sizeof row[i].i;
			} else if (row[i].type == SV_TEXT) {
				uint32_t len;
				memcpy(&len, c->p + off, sizeof len);
				off += sizeof len;
				row[i].s = (const char *)c->p + off;
				row[i].i = len;
				off += len;
			}
		}
		if (!batched(k)) {     /* nb is 0: the waiting rows went first */
			if (write_rows(s, k, &v[nb], 1) < 0)
				return -1;
			continue;
		}
		bk = k;
		if (++nb == BATCH) {
			if (write_rows(s, k, v, BATCH) < 0)
				return -1;
			nb = 0;
		}
	}
	return write_waiting(s, bk, v, nb);
}

static void *writer(void *arg)
{
	struct store_sqlite *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->busy && !s->quit)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->busy)
			break;
		pthread_mutex_unlock(&s->mu);
		int rc = s->werr ? -1 : write_chunk(s, &s->todo);
		pthread_mutex_lock(&s->mu);
		if (rc < 0)
			s->werr = -1;
		s->todo.n = 0;
		s->busy = false;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* wait_idle - until the writer has written what it was given */
static void wait_idle(struct store_sqlite *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->busy)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

/* hand_off - give the filled chunk to the writer (once it is idle) */
static void hand_off(struct store_sqlite *s)
{
	wait_idle(s);
	struct chunk t = s->todo;   /* empty: the writer is idle */
	s->todo = s->fill;
	s->fill = t;
	pthread_mutex_lock(&s->mu);
	s->busy = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* lite_sync - every queued row written; -1 when one failed */
static int lite_sync(struct store_sqlite *s)
{
	if (!s->started)
		return s->werr;
	if (s->fill.n)
		hand_off(s);
	wait_idle(s);
	return s->werr;
}

static void put_bytes(struct chunk *c, const void *p, size_t n)
{
	GROW(c->p, c->n + n, c->cap);
	memcpy(c->p + c->n, p, n);
	c->n += n;
}

static int lite_put(struct store *st, enum store_put_kind k, const struct store_val *v)
{
	struct store_sqlite *s = lite(st);
	if (store_put_ncols[k] > MAX_COLS)
		BUG("put kind %d has %d columns", (int)k, store_put_ncols[k]);
	if (s->in_query) {
		/* a callback's write: the connection is this thread's now */
		struct store_val w[MAX_COLS];
		for (int i = 0; i < store_put_ncols[k]; i++) {
			w[i] = v[i];
			if (w[i].type == SV_TEXT)
				w[i].i = (int64_t)strlen(v[i].s);
		}
		return lite_sync(s) < 0 ? -1 : write_rows(s, k, &w, 1);
	}
	if (!s->started) {
		if (pthread_create(&s->th, NULL, writer, s) != 0)
			return error("%s: cannot start the writer thread", st->location);
		s->started = true;
	}
	unsigned char kind = (unsigned char)k;
	put_bytes(&s->fill, &kind, 1);
	for (int i = 0; i < store_put_ncols[k]; i++) {
		unsigned char t = (unsigned char)v[i].type;
		if (t == SV_TEXT && !v[i].s)
			t = SV_NULL;
		put_bytes(&s->fill, &t, 1);
		if (t == SV_INT) {
			put_bytes(&s->fill, &v[i].i, sizeof v[i].i);
		} else if (t == SV_TEXT) {
			size_t len = strlen(v[i].s);
			uint32_t l = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
			put_bytes(&s->fill, &l, sizeof l);
			put_bytes(&s->fill, v[i].s, l);
		}
	}
	if (s->fill.n >= CHUNK_SIZE)
		hand_off(s);
	return 0;
}

static int lite_schema_version(struct store *st)
{
	struct store_sqlite *s = lite(st);
	sqlite3_stmt *q;
	int v = 0;
	lite_sync(s);
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
	if (s->started) {
		lite_sync(s);
		pthread_mutex_lock(&s->mu);
		s->quit = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->th, NULL);
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->fill.p);
	free(s->todo.p);
	for (int i = 0; i < PUT_COUNT; i++)
		for (int j = 0; j < 2; j++) {
			sqlite3_finalize(s->put[i][j].q);
			free(s->put[i][j].b);
		}
	sqlite3_close(s->db);
	store_fini(st);
	free(s);
}

/* lite_load_journal - a rollback journal for a load into an empty store,
 * or WAL back (store_int.h).  In WAL mode every page of the load is
 * written twice: to the WAL, and by the commit's checkpoint into the
 * database file (on 10M SYNs a 2.7 GB store, 13 s of checkpoint).  A
 * rollback journal only holds the original content of pages that held
 * some before the transaction, and an empty store has almost none: the
 * appended pages are written once, with the same all-or-nothing commit
 * (a crash leaves a hot journal that the next open rolls back).  Readers
 * that open the store meanwhile wait (up to the busy timeout) instead of
 * seeing the previous, empty, results once the load has started writing
 * the file (lite_open).  Leaving WAL needs every other connection closed:
 * if one is open (a policy daemon, a report), the load stays in WAL,
 * without waiting for it.  10M SYNs, one run each:
 * 167.8 -> 143.3 s. */
static int lite_load_journal(struct store *st, bool on)
{
	struct store_sqlite *s = lite(st);
	if (lite_sync(s) < 0)
		return -1;
	const char *want = on ? "delete" : "wal";
	char sql[40];
	snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", want);
	bool done = false;
	sqlite3_busy_timeout(s->db, 0);   /* never wait for another connection */
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK) {
		/* the mode in force afterwards; an error (busy): no row */
		if (sqlite3_step(q) == SQLITE_ROW) {
			const unsigned char *mode = sqlite3_column_text(q, 0);
			done = mode && !strcmp((const char *)mode, want);
		}
		sqlite3_finalize(q);
	}
	sqlite3_busy_timeout(s->db, LITE_BUSY_MS);
	if (!done)   /* off: a reader is in the way, the next open sets WAL */
		debug("%s: another connection is open: journal mode not changed to %s",
		      st->location, want);
	return done;
}

static struct store *lite_open(const char *location, bool create)
{
	struct store_sqlite *s = xcalloc(1, sizeof *s);
	store_init(&s->st, &store_sqlite_ops, location);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	/* one connection per store, used by one thread: no mutexes */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
		    (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(location, &s->db, flags, NULL) != SQLITE_OK) {
		error("%s: cannot open store: %s", location,
		      s->db ? sqlite3_errmsg(s->db) : "out of memory");
		lite_close(&s->st);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, LITE_BUSY_MS);
	sqlite3_progress_handler(s->db, 10000, on_progress, &s->st);
	if (log_get_level() >= LOG_LVL_DEBUG)
		sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, slow_statement, NULL);
	/* temp_store FILE (SQLite's default): sorts and temporary b-trees
	 * bigger than the cache spill to $TMPDIR instead of growing in
	 * memory; building the candidates' indexes after a 10M-SYN load
	 * (store.c, late_indexes) held the whole sort in memory with MEMORY */
	if (lite_exec(&s->st, "PRAGMA synchronous = NORMAL;"
		      " PRAGMA foreign_keys = ON; PRAGMA temp_store = FILE;"
		      " PRAGMA cache_size = " LITE_CACHE ";") < 0) {
		lite_close(&s->st);
		return NULL;
	}
	/* WAL, unless a first run is loading the store with a rollback
	 * journal (lite_load_journal): then this connection reads the store
	 * as it was, or waits for the run's commit once the run has started
	 * writing the file (and the run sets WAL again at its end) */
	int rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	if (rc == SQLITE_BUSY)
		debug("%s: being loaded by another process: journal mode left as it is", location);
	else if (rc != SQLITE_OK) {
		db_error(s, "journal");
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
	.open = lite_open,
	.close = lite_close,
	.exec = lite_exec,
	.query = lite_query,
	.scan = lite_query,
	.put = lite_put,
	.schema_version = lite_schema_version,
	.load_journal = lite_load_journal,
};
