/*
 * store_int.h - what store.c and the back ends (store_sqlite.c,
 * store_pg.c) share; not part of the store's interface (store.h).
 *
 * store.c holds everything both back ends do alike: the schema
 * (migrations[], one description for both), choosing a back end by the
 * location, the migration runner, the SQL of a run (replacing one
 * sensor's results, hosts, labels) and turning attempts and candidates
 * into rows.  A back end provides a connection, SQL execution with text
 * parameters, and row writes ("puts") that it may batch (PostgreSQL: COPY)
 * as long as every later exec, query, scan or commit sees them.
 */
#ifndef MX_STORE_INT_H
#define MX_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

enum store_backend { STORE_SQLITE, STORE_PG };

/* SQLite page cache sizes (PRAGMA cache_size, negative: KiB): the
 * connection's, and the one while a run loads the rows of an empty
 * store and then builds that store's indexes (store.c, late_indexes,
 * late_restore) */
#define LITE_CACHE "-65536"
#define LITE_LOAD_CACHE "-4096"
/* ... and the one from the first store_scan on (readers of whole tables) */
#define LITE_SCAN_CACHE "-4096"

/* one value of a row write */
struct store_val {
	enum { SV_NULL, SV_INT, SV_TEXT } type;
	int64_t i;
	const char *s;              /* borrowed for the duration of the put */
};

/* store_put_kind - the row writes; the columns of each, in order */
enum store_put_kind {
	/* sensor, id, run_id, family, src, sport, dst, dport, first_ns,
	 * last_ns, syns, ttl, ittl, win, mss, wscale, olayout, tsval, os,
	 * os_family, emb_kind, emb4, partner, score */
	PUT_ATTEMPT,
	/* sensor, a6, a4, ev_embed .. ev_ehlo (EV_COUNT), score, gap_ns,
	 * port_dist, before, total, ambiguous, decision */
	PUT_CANDIDATE,
	/* sensor, addr, family, kind, list, first_ns, last_ns, count, format:
	 * added up per (sensor, addr, kind, list) into mta_events */
	PUT_MTA,
	/* run_id, sensor, kind, path, records, errors, note */
	PUT_INPUT,
	/* sensor, addr, family, addr_type, iid_class, emb_kind, emb4,
	 * first_ns, last_ns, attempts, syns, os, os_family, partners */
	PUT_HOST,
	/* sensor, addr, asn, as_name, ptr, ptr_domain, match_asn, match_ptr,
	 * match_domain: into enrich */
	PUT_ENRICH,
	PUT_COUNT
};
extern const int store_put_ncols[PUT_COUNT];

/* one back end; every function logs its own errors and returns 0 or -1
 * (query and scan: or the callback's non-zero value) */
struct store_ops {
	const char *name;
	enum store_backend backend;
	/* SQL that starts the transaction of a schema migration (it must
	 * exclude other migrating processes) and of an analysis run */
	const char *begin_schema_sql, *begin_run_sql;
	/* SQL that serializes runs of one sensor (parameter: the sensor),
	 * or NULL when begin_run_sql already does */
	const char *lock_sensor_sql;
	/* open - connect to location; NULL on error */
	struct store *(*open)(const char *location, bool create);
	/* may_write - whether this user may write the store at location
	 * (or create it); NULL: try, the server decides */
	bool (*may_write)(const char *location);
	void (*close)(struct store *st);
	/* exec - one or more statements without parameters or rows */
	int (*exec)(struct store *st, const char *sql);
	/* query - one statement with ?-parameters bound as text; all rows
	 * are read before fn sees the first, so fn may query again */
	int (*query)(struct store *st, const char *sql, const char *const *params,
		     int nparams, store_row_fn fn, void *arg);
	/* scan - like query, but streaming: fn may put, not query */
	int (*scan)(struct store *st, const char *sql, const char *const *params,
		    int nparams, store_row_fn fn, void *arg);
	/* put - one row write (store_put_kind) */
	int (*put)(struct store *st, enum store_put_kind k, const struct store_val *v);
	/* schema_version - meta.schema_version, 0 for an empty database,
	 * -1 on an error (said), such as a database that holds other
	 * tables and no meta */
	int (*schema_version)(struct store *st);
	/* load_journal - outside a transaction, on: the journal of a load
	 * into an empty store, if no other connection is open (1 when
	 * switched, 0 when not); off: the usual journal back.  NULL where
	 * the back end has no choice. */
	int (*load_journal)(struct store *st, bool on);
};

/* the part of every store the back ends and store.c share; a back end's
 * own struct starts with it */
struct store {
	const struct store_ops *ops;
	char *location;
	char *sensor;               /* of the run in progress */
	int64_t run_id;
	char run_id_txt[24];
	bool in_tx;
	/* indexes dropped for the run's bulk load (SQLite, empty tables),
	 * re-created before they are needed (store.c, late_indexes) */
	struct late_index *late;
	size_t nlate;
	uint64_t late_left;  /* rows the run may write before its indexes go (late_count; 0: not counting) */
	bool bulk;           /* LITE_LOAD_CACHE and sorter threads until the indexes are back */
	bool load_journal;   /* load_journal on until the run's transaction ends */
	bool scan_cache;     /* LITE_SCAN_CACHE set (store_scan) */
	bool read_only;      /* opened for reading only: this user may not write it (SQLite) */
	volatile sig_atomic_t *stop;   /* store_set_stop */
};

/* store_stopping - a stop was asked for (store_set_stop): errors from here
 * on are the stop's, not worth a message */
static inline bool store_stopping(const struct store *st)
{
	return st->stop && *st->stop;
}

struct late_index {
	char *name, *table, *sql;   /* sql: its CREATE INDEX statement */
};

/* store_init - fill the shared part (location is copied) */
void store_init(struct store *st, const struct store_ops *ops, const char *location);
/* store_fini - free the shared part */
void store_fini(struct store *st);

/* store_sql_expand - SQL with the schema's {tokens} for one back end
 * (the caller frees it) */
char *store_sql_expand(const char *sql, enum store_backend b);

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#endif
