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

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#if SQLITE_VERSION_NUMBER < 3031000
#error "SQLite 3.31 or later is needed (sqlite3_bind_pointer, SQLITE_VTAB_DIRECTONLY)"
#endif

#include "util/alloc.h"
#include "util/log.h"
#include "util/path.h"

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
	/* the put statements, prepared on first use: put[k] writes one
	 * bound row, feed_q[k] the rows of a feed (fed kinds) */
	struct put_stmt {
		sqlite3_stmt *q;
		struct bound *b;    /* what its parameters hold */
	} put[PUT_COUNT];
	sqlite3_stmt *feed_q[PUT_COUNT];
	struct store_val (*feed_rows)[MAX_COLS];   /* the writer's feed: FEED rows */
	/* the writer thread (started on the first put) */
	pthread_t th;
	bool started, quit, busy;   /* busy: todo is being written */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk fill, todo;    /* fill: the main thread's; todo: the writer's */
	int werr;                   /* -1 after a write failed */
	int in_query;               /* > 0: inside a query's callbacks */
	/* read as immutable (lite_open): the file as it was at the open,
	 * through a descriptor of this process's own (-1: not immutable) */
	int imm_fd;
	struct stat imm;
	bool imm_said;              /* changed() has said so */
};

static struct store_sqlite *lite(struct store *st)
{
	return (struct store_sqlite *)st;
}

/* ERR_HINT - what "database is locked" means here (after the busy
 * timeout), and what "attempt to write a readonly database" means to a
 * user who may only read the store */
#define ERR_HINT(db) (sqlite3_errcode(db) == SQLITE_BUSY ? \
	" (another process is writing the store: an analysis run holds it until it commits)" : \
	sqlite3_errcode(db) == SQLITE_READONLY ? \
	" (this user may not write the store, or create SQLite's -wal and -shm files" \
	" in its directory)" : "")

/* changed - whether a store read as immutable is no longer the file
 * it was at the open: a run wrote it meanwhile (its commit's checkpoint
 * rewrites pages of the file in place), so that what SQLite read may
 * not hold together.  Said once, as an error; a query that meets it
 * fails, whatever SQLite made of the pages. */
static bool changed(struct store_sqlite *s)
{
	struct stat now;
	if (s->imm_fd < 0)
		return false;
	if (fstat(s->imm_fd, &now) == 0 && now.st_size == s->imm.st_size &&
	    now.st_mtim.tv_sec == s->imm.st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == s->imm.st_mtim.tv_nsec)
		return false;
	if (!s->imm_said)
		error("%s: the store changed while it was read, with no -wal file beside it"
		      " (read as an unchanging file): what was read may not hold together; run"
		      " this again (an mxsensor run leaves a -wal file beside the store, through"
		      " which later reads see a run's changes safely)", s->st.location);
	s->imm_said = true;
	return true;
}

static int db_error(struct store_sqlite *s, const char *what)
{
	if (store_stopping(&s->st) || changed(s))
		return -1;   /* interrupted (on_progress), or said */
	return error("%s: %s: %s%s", s->st.location, what, sqlite3_errmsg(s->db),
		     ERR_HINT(s->db));
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
			error("%s: %s%s", st->location, msg ? msg : "SQL error", ERR_HINT(s->db));
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
	else if (changed(s))
		ret = -1;
	sqlite3_finalize(q);
	free(names);
	free(vals);
	return ret;
}

/* struct bound - what a parameter of a put statement holds since its
 * last bind (a reset keeps the values).  An integer or NULL that would be
 * bound again as it is stays: most evidence columns, flags and counts
 * repeat from row to row.  Texts point into a chunk that is reused, so
 * they are always bound. */
struct bound {
	unsigned char type;         /* SV_*, or BOUND_NONE */
	int64_t i;
};
#define BOUND_NONE 0xff

/* write_row - bind and step one row of kind k (on whichever thread owns
 * the connection now): the MTA upsert, the rare kinds, and a query
 * callback's writes */
static int write_row(struct store_sqlite *s, enum store_put_kind k, const struct store_val *v)
{
	struct put_stmt *ps = &s->put[k];
	if (!ps->q) {
		if (sqlite3_prepare_v2(s->db, put_sql[k], -1, &ps->q, NULL) != SQLITE_OK)
			return db_error(s, "prepare");
		ps->b = xmalloc((size_t)store_put_ncols[k] * sizeof *ps->b);
		for (int i = 0; i < store_put_ncols[k]; i++)
			ps->b[i].type = BOUND_NONE;
	}
	for (int i = 0; i < store_put_ncols[k]; i++) {
		struct bound *p = &ps->b[i];
		if (v[i].type != SV_TEXT && p->type == v[i].type &&
		    (v[i].type == SV_NULL || p->i == v[i].i))
			continue;
		switch (v[i].type) {
		case SV_INT: sqlite3_bind_int64(ps->q, i + 1, v[i].i); break;
		case SV_TEXT:
			sqlite3_bind_text64(ps->q, i + 1, v[i].s, (sqlite3_uint64)v[i].i,
					    SQLITE_STATIC, SQLITE_UTF8);
			break;
		case SV_NULL: sqlite3_bind_null(ps->q, i + 1); break;
		}
		p->type = (unsigned char)v[i].type;
		p->i = v[i].i;
	}
	int rc = sqlite3_step(ps->q);
	sqlite3_reset(ps->q);   /* keeps the bound values (struct bound) */
	if (rc != SQLITE_DONE)
		return db_error(s, "write");
	return 0;
}

/* --- the feed: rows of the big tables through a virtual table ---
 *
 * The attempts, candidates and hosts rows go to SQLite FEED at a time
 * as one `INSERT INTO t (...) SELECT c0, c1, ... FROM mx_rows WHERE
 * src = ?`, where ? is a pointer to the decoded rows
 * (sqlite3_bind_pointer) and mx_rows, an eponymous virtual table of the
 * connection, hands their values to the statement as they are.  No
 * value is bound: binding copies it once more into the statement, and
 * that was a third of a row's cost (3M rows of the candidates' 21
 * columns in one transaction: 0.85 us a row bound 16 rows a statement,
 * 0.56 us through the table, 0.58 us for `INSERT ... SELECT` computing
 * the values in SQL).  The rows keep their order (candidates.id follows
 * it).  The table is DIRECTONLY: a view or trigger in the store file
 * cannot read it. */
#define FEED 512

struct feed {
	struct store_val (*rows)[MAX_COLS];
	int n;
};

struct feed_cursor {
	sqlite3_vtab_cursor base;
	const struct feed *f;
	int i;
};

/* the pointer type sqlite3_bind_pointer and sqlite3_value_pointer agree on */
#define FEED_PTR "mxsensor_feed"

static int feed_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			sqlite3_vtab **vt, char **err)
{
	(void)aux;
	(void)argc;
	(void)argv;
	(void)err;
	char decl[32 + MAX_COLS * 5];
	int n = snprintf(decl, sizeof decl, "CREATE TABLE x(");
	for (int i = 0; i < MAX_COLS; i++)
		n += snprintf(decl + n, sizeof decl - (size_t)n, "c%d,", i);
	snprintf(decl + n, sizeof decl - (size_t)n, "src HIDDEN)");
	int rc = sqlite3_declare_vtab(db, decl);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
	if (!(*vt = sqlite3_malloc(sizeof **vt)))
		return SQLITE_NOMEM;
	memset(*vt, 0, sizeof **vt);
	return SQLITE_OK;
}

static int feed_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

/* feed_best_index - rows only with src = ? (the hidden column after the
 * MAX_COLS values) */
static int feed_best_index(sqlite3_vtab *vt, sqlite3_index_info *ii)
{
	(void)vt;
	for (int i = 0; i < ii->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &ii->aConstraint[i];
		if (c->iColumn != MAX_COLS || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
			continue;
		if (!c->usable)
			return SQLITE_CONSTRAINT;
		ii->aConstraintUsage[i].argvIndex = 1;
		ii->aConstraintUsage[i].omit = 1;
		ii->idxNum = 1;
		ii->estimatedCost = FEED;
		ii->estimatedRows = FEED;
		return SQLITE_OK;
	}
	return SQLITE_CONSTRAINT;
}

static int feed_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cur)
{
	(void)vt;
	struct feed_cursor *c = sqlite3_malloc(sizeof *c);
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*cur = &c->base;
	return SQLITE_OK;
}

static int feed_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int feed_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc,
		       sqlite3_value **argv)
{
	(void)idxs;
	struct feed_cursor *c = (struct feed_cursor *)cur;
	c->f = idx == 1 && argc == 1 ? sqlite3_value_pointer(argv[0], FEED_PTR) : NULL;
	c->i = 0;
	return SQLITE_OK;
}

static int feed_next(sqlite3_vtab_cursor *cur)
{
	((struct feed_cursor *)cur)->i++;
	return SQLITE_OK;
}

static int feed_eof(sqlite3_vtab_cursor *cur)
{
	const struct feed_cursor *c = (const struct feed_cursor *)cur;
	return !c->f || c->i >= c->f->n;
}

static int feed_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	const struct feed_cursor *c = (const struct feed_cursor *)cur;
	if (col < 0 || col >= MAX_COLS) {
		sqlite3_result_null(ctx);
		return SQLITE_OK;
	}
	const struct store_val *v = &c->f->rows[c->i][col];
	switch (v->type) {
	case SV_INT: sqlite3_result_int64(ctx, v->i); break;
	case SV_TEXT:
		sqlite3_result_text64(ctx, v->s, (sqlite3_uint64)v->i, SQLITE_STATIC, SQLITE_UTF8);
		break;
	default: sqlite3_result_null(ctx); break;
	}
	return SQLITE_OK;
}

static int feed_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *id)
{
	*id = ((const struct feed_cursor *)cur)->i;
	return SQLITE_OK;
}

static const sqlite3_module feed_module = {
	.iVersion = 0,
	.xCreate = NULL,            /* eponymous only */
	.xConnect = feed_connect,
	.xBestIndex = feed_best_index,
	.xDisconnect = feed_disconnect,
	.xDestroy = feed_disconnect,
	.xOpen = feed_open,
	.xClose = feed_close,
	.xFilter = feed_filter,
	.xNext = feed_next,
	.xEof = feed_eof,
	.xColumn = feed_column,
	.xRowid = feed_rowid,
};

static bool fed(enum store_put_kind k)
{
	return k == PUT_ATTEMPT || k == PUT_CANDIDATE || k == PUT_HOST;
}

/* feed_sql - put_sql[k] with its VALUES taken from mx_rows */
static char *feed_sql(enum store_put_kind k)
{
	const char *v = strstr(put_sql[k], " VALUES (");
	if (!v)
		BUG("put statement without VALUES: %s", put_sql[k]);
	int ncols = store_put_ncols[k];
	size_t head = (size_t)(v - put_sql[k]), cap = head + 64 + (size_t)ncols * 6;
	char *sql = xmalloc(cap);
	int n = snprintf(sql, cap, "%.*s SELECT ", (int)head, put_sql[k]);
	for (int i = 0; i < ncols; i++)
		n += snprintf(sql + n, cap - (size_t)n, "%sc%d", i ? "," : "", i);
	snprintf(sql + n, cap - (size_t)n, " FROM mx_rows WHERE src = ?1");
	return sql;
}

/* write_feed - the f->n rows of kind k in f, in order */
static int write_feed(struct store_sqlite *s, enum store_put_kind k, struct feed *f)
{
	sqlite3_stmt **q = &s->feed_q[k];
	if (!*q) {
		char *sql = feed_sql(k);
		int rc = sqlite3_prepare_v2(s->db, sql, -1, q, NULL);
		free(sql);
		if (rc != SQLITE_OK)
			return db_error(s, "prepare");
	}
	sqlite3_bind_pointer(*q, 1, f, FEED_PTR, NULL);
	int rc = sqlite3_step(*q);
	sqlite3_reset(*q);
	if (rc != SQLITE_DONE)
		return db_error(s, "write");
	return 0;
}

/* write_chunk - every row of c, in order; stops at the first error.
 * Rows of a fed kind wait in the feed until FEED of them are there, a
 * row of another kind comes, or the chunk ends. */
static int write_chunk(struct store_sqlite *s, const struct chunk *c)
{
	if (!s->feed_rows)
		s->feed_rows = xmalloc(FEED * sizeof *s->feed_rows);
	struct feed f = { s->feed_rows, 0 };
	enum store_put_kind fk = PUT_COUNT;   /* the kind waiting in f */
	size_t off = 0;
	while (off < c->n) {
		enum store_put_kind k = (enum store_put_kind)c->p[off++];
		if (f.n && (k != fk || f.n == FEED)) {
			if (write_feed(s, fk, &f) < 0)
				return -1;
			f.n = 0;
		}
		struct store_val one[MAX_COLS];
		struct store_val *row = fed(k) ? f.rows[f.n] : one;
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
		if (!fed(k)) {     /* f.n is 0: the waiting rows went first */
			if (write_row(s, k, one) < 0)
				return -1;
			continue;
		}
		fk = k;
		f.n++;
	}
	return f.n ? write_feed(s, fk, &f) : 0;
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
		return lite_sync(s) < 0 ? -1 : write_row(s, k, w);
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
	/* the tables: meta, or others (a file that is some other program's
	 * database, whose schema must not get ours), or none; a file that is
	 * no SQLite database fails here */
	if (sqlite3_prepare_v2(s->db, "SELECT COALESCE(SUM(name = 'meta'), 0), COUNT(*)"
			       " FROM sqlite_master WHERE type = 'table'"
			       " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
			       -1, &q, NULL) != SQLITE_OK)
		return db_error(s, "cannot read the store");
	int rc = sqlite3_step(q), meta = 0, tables = 0;
	if (rc == SQLITE_ROW) {
		meta = sqlite3_column_int(q, 0);
		tables = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return db_error(s, "cannot read the store");
	if (!meta && tables)
		return error("%s: not an mxsensor store: it holds other tables"
			     " (give the store a file of its own)", s->st.location);
	if (!meta)
		return 0;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'",
			       -1, &q, NULL) != SQLITE_OK)
		return db_error(s, "cannot read the store");
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
	for (int i = 0; i < PUT_COUNT; i++) {
		sqlite3_finalize(s->put[i].q);
		free(s->put[i].b);
		sqlite3_finalize(s->feed_q[i]);
	}
	free(s->feed_rows);
	sqlite3_close(s->db);
	if (s->imm_fd >= 0)   /* after SQLite's: no lock of its to lose */
		close(s->imm_fd);
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

/* open_reason - why location cannot be opened as a store, as an errno
 * (0: not known here): SQLite's last system error is that of its last
 * try (a read-only open after a refused create says ENOENT) */
static int open_reason(const char *location, bool create, bool read_only)
{
	struct stat st;
	if (stat(location, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		return access(location, read_only ? R_OK : R_OK | W_OK) != 0 ? errno : 0;
	}
	int e = errno;
	if (e != ENOENT || !create)
		return e;
	char *dir = path_dir(location);
	int r = stat(dir, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR
		: access(dir, W_OK | X_OK) != 0 ? errno : 0;
	free(dir);
	return r;
}

/* read_only - whether a reader opens location read-only: when this user
 * may not write the file, or create files in its directory (SQLite's
 * -wal and -shm, which a read-write connection to a WAL store creates to
 * read it).  Read-only, SQLite reads a WAL store through the -wal and
 * -shm files that every writing connection leaves beside it (lite_open:
 * a read-only -shm, SQLite 3.22 and later); with no -wal there it
 * cannot, and the file is read as immutable instead (lite_open).
 * Migrating an older schema then waits for a user who may write
 * (store.c, migrate). */
static bool read_only(const char *location)
{
	if (access(location, F_OK) != 0)
		return false;   /* no such store: the read-write open says so */
	if (access(location, W_OK) != 0)
		return true;
	char *dir = path_dir(location);
	bool ro = access(dir, W_OK | X_OK) != 0;
	free(dir);
	return ro;
}

static bool lite_may_write(const char *location)
{
	return !read_only(location);
}

/* beside - whether location's file with suffix ("-wal", "-journal")
 * exists, empty or not */
static bool beside(const char *location, const char *suffix)
{
	char *f = xasprintf("%s%s", location, suffix);
	bool there = access(f, F_OK) == 0;
	free(f);
	return there;
}

/* immutable_uri - location as an SQLite URI with immutable=1: '%', '?',
 * '#' and every byte outside the printable ASCII percent-encoded, an
 * absolute path after an empty authority (file:///...) */
static char *immutable_uri(const char *location)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(location);
	char *u = xmalloc(n * 3 + 32), *o = u;
	o += sprintf(o, "file:%s", location[0] == '/' ? "//" : "");
	for (const unsigned char *p = (const unsigned char *)location; *p; p++) {
		if (*p > ' ' && *p < 0x7f && *p != '%' && *p != '?' && *p != '#') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	strcpy(o, "?immutable=1");
	return u;
}

static struct store *lite_open(const char *location, bool create)
{
	struct store_sqlite *s = xcalloc(1, sizeof *s);
	s->imm_fd = -1;
	store_init(&s->st, &store_sqlite_ops, location);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	/* an empty file is no store, and would become an empty database
	 * below (the journal mode writes a header): a reader says so and
	 * leaves it as it is */
	struct stat sb;
	if (!create && stat(location, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0) {
		error("%s: not an mxsensor store: an empty file ('mxsensor analyze --db %s'"
		      " makes one)", location, location);
		lite_close(&s->st);
		return NULL;
	}
	/* a reader that may not write the store, or its directory, opens it
	 * read-only (see read_only) */
	s->st.read_only = !create && read_only(location);
	/* one connection per store, used by one thread: no mutexes */
	int flags = (s->st.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
		    SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	/* read-only with no -wal file beside the store (a copy of the file
	 * alone, or one last closed by an mxsensor that removed it): SQLite
	 * cannot read a WAL store without making one, unless told that the
	 * file does not change while it is open (immutable).  Not beside a
	 * rollback journal: that is a run that crashed, or one under way,
	 * which immutable would not see; SQLite says so instead. */
	char *uri = s->st.read_only && !beside(location, "-wal") && !beside(location, "-journal")
		    ? immutable_uri(location) : NULL;
	if (uri) {
		debug("%s: no -wal file beside it, and this user may not make one:"
		      " read as an unchanging file", location);
		flags |= SQLITE_OPEN_URI;
		/* which the queries check it stays (changed) */
		s->imm_fd = open(location, O_RDONLY | O_CLOEXEC);
		if (s->imm_fd >= 0 && fstat(s->imm_fd, &s->imm) < 0) {
			close(s->imm_fd);
			s->imm_fd = -1;
		}
	}
	int orc = sqlite3_open_v2(uri ? uri : location, &s->db, flags, NULL);
	free(uri);
	if (orc != SQLITE_OK) {
		/* SQLite's "unable to open database file" with the reason */
		int e = open_reason(location, create, s->st.read_only);
		error("%s: cannot open store: %s%s%s%s", location,
		      s->db ? sqlite3_errmsg(s->db) : "out of memory", e ? " (" : "",
		      e ? strerror(e) : "", e ? ")" : "");
		lite_close(&s->st);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, LITE_BUSY_MS);
	if (sqlite3_create_module(s->db, "mx_rows", &feed_module, NULL) != SQLITE_OK) {
		db_error(s, "virtual table");
		lite_close(&s->st);
		return NULL;
	}
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
	/* another program's database stays as it is: the journal mode
	 * below would rewrite its header */
	if (lite_schema_version(&s->st) < 0) {
		lite_close(&s->st);
		return NULL;
	}
	/* the last connection to close leaves the -wal file (emptied: the
	 * size limit truncates it to nothing on close, and to 64 MiB after
	 * a checkpoint) and the -shm file beside the store, so that a user
	 * who may only read the store can read it in WAL mode, run or no
	 * run (read_only); not before the store is known to be one (another
	 * program's database keeps its files as that program has them) */
	if (!s->st.read_only) {
		int persist = 1;
		sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
		if (lite_exec(&s->st, "PRAGMA journal_size_limit = 67108864") < 0) {
			lite_close(&s->st);
			return NULL;
		}
	}
	/* WAL, unless a first run is loading the store with a rollback
	 * journal (lite_load_journal): then this connection reads the store
	 * as it was, or waits for the run's commit once the run has started
	 * writing the file (and the run sets WAL again at its end) */
	if (s->st.read_only)   /* the mode is the writers' to set */
		return &s->st;
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
	.may_write = lite_may_write,
	.close = lite_close,
	.exec = lite_exec,
	.query = lite_query,
	.scan = lite_query,
	.put = lite_put,
	.schema_version = lite_schema_version,
	.load_journal = lite_load_journal,
};
