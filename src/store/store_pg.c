/*
 * store_pg.c - the PostgreSQL back end of the store, through libpq.
 *
 * Many sensors write one database at once: store.c keeps one transaction
 * per analysis run that deletes the rows of its own sensor and writes
 * the new ones, so runs of different sensors touch disjoint rows and
 * never wait for each other; runs of one sensor take turns through an
 * advisory lock on the sensor name.
 *
 * Row writes are buffered per kind as COPY text and sent with COPY when a
 * buffer grows past COPY_CHUNK or before any other statement.  Candidates
 * arrive decided (analysis/decide.c) and are copied once, in place; the
 * updates (partners, host classes) and the per-address aggregation of
 * MTA events go through session temp tables, applied with one
 * UPDATE ... FROM (or INSERT ... ON CONFLICT) each.  During a streaming
 * scan the buffers only grow, since the connection is busy.
 *
 * Trusts: the server's replies as libpq reports them.
 */
#include "store/store_int.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "util/alloc.h"
#include "util/log.h"

/* libpq is loaded when a PostgreSQL store is opened, not when mxsensor
 * starts: it brings GnuTLS, Kerberos and LDAP with it, which cost every
 * run of every command some 6 ms (measured: a trivial `syns` took 12.7
 * ms with it linked, 7.6 ms without) although most runs use SQLite.  The
 * functions are called as pq.PQxxx, filled from the library with dlsym;
 * the prototypes stay libpq-fe.h's. */
#define PQ_FUNCS(X)                                                             \
	X(PQclear) X(PQconnectdb) X(PQerrorMessage) X(PQexec) X(PQexecParams)  \
	X(PQfinish) X(PQfname) X(PQgetResult) X(PQgetisnull) X(PQgetvalue)     \
	X(PQnfields) X(PQntuples) X(PQputCopyData) X(PQputCopyEnd)             \
	X(PQresultErrorMessage) X(PQresultStatus) X(PQsendQueryParams)         \
	X(PQsetNoticeProcessor) X(PQsetSingleRowMode) X(PQstatus)

static struct {
#define PQ_FIELD(f) __typeof__(f) *f;
	PQ_FUNCS(PQ_FIELD)
#undef PQ_FIELD
} pq;

#define PQ_LIB "libpq.so.5"

/* pq_load - libpq's functions into pq, once; -1 (logged) when the
 * library or one of them is missing */
static int pq_load(const char *location)
{
	static void *lib;
	if (lib)
		return 0;
	void *l = dlopen(PQ_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!l) {
		error("%s: a PostgreSQL store needs libpq (Debian: libpq5): %s", location,
		      dlerror());
		return -1;
	}
#define PQ_SYM(f)                                                               \
	if (!(*(void **)&pq.f = dlsym(l, #f))) {                               \
		error("%s: %s has no %s", location, PQ_LIB, #f);               \
		dlclose(l);                                                     \
		return -1;                                                      \
	}
	PQ_FUNCS(PQ_SYM)
#undef PQ_SYM
	lib = l;
	return 0;
}

#define COPY_CHUNK (4u << 20)

/* where each row write goes, and for staged writes how it lands */
static const struct {
	const char *copy;           /* COPY target with columns */
	const char *apply;          /* NULL: COPY straight into the table */
} targets[PUT_COUNT] = {
	[PUT_ATTEMPT] = {
		"attempts (sensor, id, run_id, family, src, sport, dst, dport, first_ns,"
		" last_ns, syns, ttl, ittl, win, mss, wscale, olayout, tsval, os, os_family,"
		" emb_kind, emb4, partner, score)", NULL },
	[PUT_CANDIDATE] = {
		"candidates (sensor, a6, a4, ev_embed, ev_stack, ev_os, ev_syns, ev_port,"
		" ev_gap, ev_tsclock, ev_asn, ev_ptr, ev_host, ev_ehlo, score, gap_ns,"
		" port_dist, before, total, ambiguous, decision)", NULL },
	[PUT_INPUT] = {
		"inputs (run_id, sensor, kind, path, records, errors, note)", NULL },
	[PUT_MTA] = {
		"mx_mta (sensor, addr, family, kind, list, first_ns, last_ns, n, format)",
		"INSERT INTO mta_events AS e (sensor, addr, family, kind, list, first_ns,"
		" last_ns, count, format)"
		" SELECT sensor, addr, min(family), kind, list, min(first_ns), max(last_ns), SUM(n),"
		" min(format) FROM mx_mta GROUP BY sensor, addr, kind, list"
		" ON CONFLICT (sensor, addr, kind, list) DO UPDATE SET"
		" first_ns = LEAST(e.first_ns, excluded.first_ns),"
		" last_ns = GREATEST(e.last_ns, excluded.last_ns),"
		" count = e.count + excluded.count;"
		" TRUNCATE mx_mta" },
	[PUT_HOST] = {
		"hosts (sensor, addr, family, addr_type, iid_class, emb_kind, emb4, first_ns,"
		" last_ns, attempts, syns, os, os_family, partners, label, listed, lists)", NULL },
	[PUT_ENRICH] = {
		"enrich (sensor, addr, asn, as_name, ptr, ptr_domain, match_asn, match_ptr,"
		" match_domain)", NULL },
};

/* the order buffers are sent in: rows before the updates of them */
static const enum store_put_kind send_order[PUT_COUNT] = {
	PUT_INPUT, PUT_ATTEMPT, PUT_CANDIDATE, PUT_MTA, PUT_HOST,
	PUT_ENRICH,
};

/* a writer's staging table for the MTA events; a reader makes none: it
 * may be a role without the TEMP privilege, or read a hot standby, where
 * nothing can be created */
static const char staging_sql[] =
	"CREATE TEMP TABLE mx_mta (sensor text, addr text, family bigint, kind text,"
	" list text, first_ns bigint, last_ns bigint, n bigint, format text);";

struct pgbuf {
	char *p;
	size_t n, cap;
};

struct store_pg {
	struct store st;            /* first: the shared part */
	PGconn *conn;
	struct pgbuf buf[PUT_COUNT];
	size_t pending;             /* bytes in all buffers */
	int scanning;               /* > 0 while a scan streams rows */
};

static struct store_pg *pg(struct store *st)
{
	return (struct store_pg *)st;
}

/* pg_error - log the connection's or the result's error; -1 */
static int pg_error(struct store_pg *s, const PGresult *r, const char *what)
{
	const char *m = r ? pq.PQresultErrorMessage(r) : pq.PQerrorMessage(s->conn);
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	return error("%s: %s: %.*s", s->st.location, what, (int)n, m);
}

static void buf_add(struct pgbuf *b, const char *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* buf_text - a value in COPY text format */
static void buf_text(struct pgbuf *b, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		const char *esc = NULL;
		switch (*s) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		buf_add(b, run, (size_t)(s - run));
		buf_add(b, esc, 2);
		run = s + 1;
	}
	buf_add(b, run, (size_t)(s - run));
}

/* copy_send - one buffer into its table (or staging table) with COPY */
static int copy_send(struct store_pg *s, enum store_put_kind k)
{
	struct pgbuf *b = &s->buf[k];
	char sql[512];
	snprintf(sql, sizeof sql, "COPY %s FROM STDIN", targets[k].copy);
	PGresult *r = pq.PQexec(s->conn, sql);
	if (pq.PQresultStatus(r) != PGRES_COPY_IN) {
		pg_error(s, r, "copy");
		pq.PQclear(r);
		return -1;
	}
	pq.PQclear(r);
	int ok = pq.PQputCopyData(s->conn, b->p, (int)b->n) == 1;
	if (pq.PQputCopyEnd(s->conn, ok ? NULL : "write failed") != 1)
		ok = 0;
	int ret = 0;
	while ((r = pq.PQgetResult(s->conn)) != NULL) {
		if (pq.PQresultStatus(r) != PGRES_COMMAND_OK)
			ret = pg_error(s, r, "copy");
		pq.PQclear(r);
	}
	s->pending -= b->n;
	b->n = 0;
	if (!ok && ret == 0)
		ret = pg_error(s, NULL, "copy");
	return ret;
}

/* run - statements without parameters or rows */
static int run(struct store_pg *s, const char *sql)
{
	PGresult *r = pq.PQexec(s->conn, sql);
	ExecStatusType t = pq.PQresultStatus(r);
	int ret = 0;
	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK && t != PGRES_EMPTY_QUERY)
		ret = pg_error(s, r, "SQL");
	pq.PQclear(r);
	return ret;
}

/* sync - send every buffered write */
static int sync_writes(struct store_pg *s)
{
	if (!s->pending)
		return 0;
	for (int i = 0; i < PUT_COUNT; i++) {
		enum store_put_kind k = send_order[i];
		if (!s->buf[k].n)
			continue;
		if (copy_send(s, k) < 0)
			return -1;
		if (targets[k].apply && run(s, targets[k].apply) < 0)
			return -1;
	}
	return 0;
}

static void drop_writes(struct store_pg *s)
{
	for (int k = 0; k < PUT_COUNT; k++)
		s->buf[k].n = 0;
	s->pending = 0;
}

static int pgs_exec(struct store *st, const char *sql)
{
	struct store_pg *s = pg(st);
	if (!strcmp(sql, "ROLLBACK"))
		drop_writes(s);
	else if (sync_writes(s) < 0)
		return -1;
	return run(s, sql);
}

/* dollar_params - the ?-parameters of store.h's SQL as $1, $2, ...
 * (a ? inside quotes is left alone) */
static char *dollar_params(const char *sql)
{
	char *out = xmalloc(strlen(sql) * 6 + 1), *o = out;
	char quote = 0;
	int n = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?') {
			o += sprintf(o, "$%d", ++n);
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* rows - call fn for each row of r; its return value */
static int rows(const PGresult *r, int from, store_row_fn fn, void *arg)
{
	int nc = pq.PQnfields(r), nr = pq.PQntuples(r), ret = 0;
	const char **names = xcalloc((size_t)nc + 1, sizeof *names);
	const char **vals = xcalloc((size_t)nc + 1, sizeof *vals);
	for (int c = 0; c < nc; c++)
		names[c] = pq.PQfname(r, c);
	for (int i = from; i < nr && ret == 0; i++) {
		for (int c = 0; c < nc; c++)
			vals[c] = pq.PQgetisnull(r, i, c) ? NULL : pq.PQgetvalue(r, i, c);
		ret = fn(nc, names, vals, arg);
	}
	free(names);
	free(vals);
	return ret;
}

static int pgs_query(struct store *st, const char *sql, const char *const *params,
		     int nparams, store_row_fn fn, void *arg)
{
	struct store_pg *s = pg(st);
	if (s->scanning)
		BUG("query during a scan");
	if (sync_writes(s) < 0)
		return -1;
	char *q = dollar_params(sql);
	PGresult *r = pq.PQexecParams(s->conn, q, nparams, NULL, params, NULL, NULL, 0);
	free(q);
	ExecStatusType t = pq.PQresultStatus(r);
	int ret = 0;
	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
		ret = pg_error(s, r, "query");
	else if (fn)
		ret = rows(r, 0, fn, arg);
	pq.PQclear(r);
	return ret;
}

/* pgs_scan - rows one at a time (single-row mode): memory stays one row
 * however large the result */
static int pgs_scan(struct store *st, const char *sql, const char *const *params,
		    int nparams, store_row_fn fn, void *arg)
{
	struct store_pg *s = pg(st);
	if (sync_writes(s) < 0)
		return -1;
	char *q = dollar_params(sql);
	int sent = pq.PQsendQueryParams(s->conn, q, nparams, NULL, params, NULL, NULL, 0);
	free(q);
	if (!sent || !pq.PQsetSingleRowMode(s->conn))
		return pg_error(s, NULL, "query");
	s->scanning++;
	int ret = 0;
	PGresult *r;
	while ((r = pq.PQgetResult(s->conn)) != NULL) {
		ExecStatusType t = pq.PQresultStatus(r);
		if (t == PGRES_SINGLE_TUPLE) {
			if (ret == 0)
				ret = rows(r, 0, fn, arg);   /* after a stop: drain */
		} else if (t != PGRES_TUPLES_OK && ret == 0) {
			ret = pg_error(s, r, "query");
		}
		pq.PQclear(r);
	}
	s->scanning--;
	if (ret == 0 && s->pending >= COPY_CHUNK)
		ret = sync_writes(s);
	return ret;
}

static int pgs_put(struct store *st, enum store_put_kind k, const struct store_val *v)
{
	struct store_pg *s = pg(st);
	struct pgbuf *b = &s->buf[k];
	size_t before = b->n;
	for (int i = 0; i < store_put_ncols[k]; i++) {
		char num[24];
		if (i)
			buf_add(b, "\t", 1);
		switch (v[i].type) {
		case SV_NULL:
			buf_add(b, "\\N", 2);
			break;
		case SV_INT:
			buf_add(b, num, (size_t)snprintf(num, sizeof num, "%" PRId64, v[i].i));
			break;
		case SV_TEXT:
			buf_text(b, v[i].s);
			break;
		}
	}
	buf_add(b, "\n", 1);
	s->pending += b->n - before;
	if (!s->scanning && s->pending >= COPY_CHUNK)
		return sync_writes(s);
	return 0;
}

/* one_value - the first value of a one-statement query, or NULL ("" for
 * no row); the caller frees it */
static char *one_value(struct store_pg *s, const char *sql)
{
	PGresult *r = pq.PQexec(s->conn, sql);
	char *v = NULL;
	if (pq.PQresultStatus(r) != PGRES_TUPLES_OK)
		pg_error(s, r, "schema version");
	else
		v = xstrdup(pq.PQntuples(r) && !pq.PQgetisnull(r, 0, 0) ? pq.PQgetvalue(r, 0, 0) : "");
	pq.PQclear(r);
	return v;
}

static int pgs_schema_version(struct store *st)
{
	struct store_pg *s = pg(st);
	/* a plain catalog read: its snapshot sees a meta table that another
	 * process committed while this one waited for the schema lock */
	char *t = one_value(s, "SELECT COUNT(*) > 0 FROM pg_catalog.pg_class c"
			    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
			    " WHERE c.relname = 'meta' AND n.nspname = current_schema()");
	if (!t)
		return -1;
	bool has_meta = !strcmp(t, "t");
	free(t);
	if (!has_meta)
		return 0;   /* an empty database */
	t = one_value(s, "SELECT value FROM meta WHERE key = 'schema_version'");
	if (!t)
		return -1;
	int v = atoi(t);
	free(t);
	return v;
}

static void pgs_close(struct store *st)
{
	struct store_pg *s = pg(st);
	if (s->conn)
		pq.PQfinish(s->conn);
	for (int k = 0; k < PUT_COUNT; k++)
		free(s->buf[k].p);
	store_fini(st);
	free(s);
}

/* shown - the location without its password, for messages */
static char *shown(const char *loc)
{
	char *t = xstrdup(loc);
	const char *key = strstr(t, "password=");
	if (key) {                          /* conninfo or URL parameter */
		char *v = t + (key - t) + 9;
		size_t n = strcspn(v, " &");
		memmove(v + 3, v + n, strlen(v + n) + 1);
		memcpy(v, "***", 3);
	}
	char *at = strchr(t, '@'), *scheme = strstr(t, "://");
	if (scheme && at && at > scheme) {  /* user:password@ in a URL */
		char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
		if (colon)
			memmove(colon, at, strlen(at) + 1);
	}
	return t;
}

/* quiet - drop server notices ("table does not exist, skipping") */
static void quiet(void *arg, const char *msg)
{
	(void)arg;
	debug("postgresql: %s", msg);
}

static struct store *pgs_open(const char *location, bool create)
{
	/* the database must exist; tables are made (create: a writer) */
	struct store_pg *s = xcalloc(1, sizeof *s);
	char *name = shown(location);
	store_init(&s->st, &store_pg_ops, name);
	free(name);
	const char *conninfo = location;
	if (!strncmp(location, "postgres:", 9) && strncmp(location, "postgres://", 11))
		conninfo = location + 9;
	if (pq_load(s->st.location) < 0) {
		pgs_close(&s->st);
		return NULL;
	}
	s->conn = pq.PQconnectdb(conninfo);
	if (!s->conn || pq.PQstatus(s->conn) != CONNECTION_OK) {
		if (s->conn)
			pg_error(s, NULL, "cannot connect");
		else
			error("%s: cannot connect: out of memory", s->st.location);
		pgs_close(&s->st);
		return NULL;
	}
	pq.PQsetNoticeProcessor(s->conn, quiet, NULL);
	if (run(s, "SET client_min_messages = warning") < 0 ||
	    (create && run(s, staging_sql) < 0)) {
		pgs_close(&s->st);
		return NULL;
	}
	return &s->st;
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.backend = STORE_PG,
	/* one migrating process at a time (a constant advisory lock key) */
	.begin_schema_sql = "BEGIN; SELECT pg_advisory_xact_lock(7887111)",
	/* a run's rows are new to the planner's statistics (it would guess
	 * one row per sensor and nest loops over thousands): hash joins */
	.begin_run_sql = "BEGIN; SET LOCAL enable_nestloop = off",
	.lock_sensor_sql = "SELECT pg_advisory_xact_lock(hashtext(?))",
	.open = pgs_open,
	.close = pgs_close,
	.exec = pgs_exec,
	.query = pgs_query,
	.scan = pgs_scan,
	.put = pgs_put,
	.schema_version = pgs_schema_version,
};
