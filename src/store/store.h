/*
 * store.h - where an analysis lives: the storage interface.
 *
 * One store holds the measurement of one or more sensors: runs and their
 * inputs, attempts, association candidates with their evidence and the
 * decisions taken, MTA log outcomes (listings), and hosts with labels.
 * The back end is chosen by the location: a PostgreSQL URL
 * (postgresql://..., postgres://...) or "postgres:" followed by a libpq
 * conninfo string ("postgres:host=/run/postgresql dbname=mx") is
 * PostgreSQL, shared by many sensors; anything else is the path of an
 * SQLite file (the default, mxsensor.db).  docs/schema.md documents every
 * table, docs/sensor-network.md the shared store.
 *
 * Writing: store_run_begin() starts replacing the previous results of the
 * same sensor (re-running over the same inputs never double-counts) and
 * store_run_end() commits them all at once; store_abort() (or a crash)
 * keeps the previous results.  Reading: the
 * iterator functions call back once per row; a callback returning non-zero
 * stops the iteration and that value is returned.
 *
 * Errors: functions return 0 or -1 after logging "mxsensor: DB: what".
 */
#ifndef MX_STORE_H
#define MX_STORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/assoc.h"
#include "analysis/attempt.h"

struct store;

/* store_open - open or create; migrates an older schema; NULL on error.
 * Not creating (a reader), an SQLite store this user may not write, or
 * whose directory it may not write, is opened read-only
 * (store_read_only). */
struct store *store_open(const char *location, bool create);
/* store_open_or_read - open or create it to write, or, when this user may
 * only read the store, to read (a server that writes when it may) */
struct store *store_open_or_read(const char *location);
/* store_read_only - opened read-only: only queries */
bool store_read_only(const struct store *st);
void store_close(struct store *st);
const char *store_location(const struct store *st);
/* store_backend_name - "sqlite" or "postgresql" */
const char *store_backend_name(const struct store *st);
/* store_schema_version - the schema version this mxsensor writes */
int store_schema_version(void);

/* --- writing one analysis run --- */
struct store_run {
	const char *sensor;        /* sensor name (default: host name) */
	const char *argv;          /* the command line, for the record */
	const char *options;       /* effective options as JSON */
};
int store_run_begin(struct store *st, const struct store_run *run);
int store_add_input(struct store *st, const char *kind, const char *path,
		    uint64_t records, uint64_t errors, const char *note);
/* store_add_attempt - one attempt; partner: the attempt it was associated
 * with (0: none), score: that pair's total */
int store_add_attempt(struct store *st, const struct attempt *a, uint64_t partner, int score);
/* store_add_candidate - one decided candidate (analysis/decide.c): its
 * evidence, score, total with host points, ambiguity and decision */
int store_add_candidate(struct store *st, const struct assoc_cand *c, int total,
			bool ambiguous, const char *decision);
/* store_add_mta_event - count log outcomes of one (address, kind, list)
 * seen between first_ns and last_ns; rows add up per (address, kind,
 * list): first/last time, count, and the format of the first */
int store_add_mta_event(struct store *st, const struct addr *a, const char *kind,
			const char *list, int64_t first_ns, int64_t last_ns, uint64_t count,
			const char *format);
/* store_flush - commit what is written so far */
int store_flush(struct store *st);
/* store_abort - roll back the run in progress */
void store_abort(struct store *st);
/* store_set_stop - stop is set by a signal handler: from then on the
 * run's writes fail without a message, and so does the statement running
 * (SQLite: an index build, a listings query), so that the caller can
 * abort promptly; store_abort works as usual.  NULL: never stop. */
void store_set_stop(struct store *st, volatile sig_atomic_t *stop);

/* --- the decision stage (analysis/decide.c) --- */
/* store_run_sensor - the sensor of the run in progress: the decision
 * stage sees only its rows (attempt ids are per sensor) */
const char *store_run_sensor(const struct store *st);

/* store_add_host - one host of the run (analysis/decide.c); enrichment
 * is added by store_run_end */
struct store_host {
	const char *addr;
	int family;
	const char *addr_type, *iid_class, *emb_kind, *emb4;   /* NULL: none */
	int64_t first_ns, last_ns;
	uint64_t attempts, syns;
	const char *os, *os_family;                            /* NULL: none */
	const char *partners;          /* "ADDR/COUNT/MAXTOTAL ...", NULL: none */
	const char *label;             /* spammer, unlisted, associated, ... */
	bool listed;
	const char *lists;             /* "a,b" when listed, else NULL */
};
int store_add_host(struct store *st, const struct store_host *h);
/* store_each_listed - listed(addr) for each address the production MTAs
 * rejected by DNSBL (when listing_window_ns > 0: within that time of one
 * of its attempts), then lists(addr, "list1,list2") for each address with
 * DNSBL rejections, lists in order */
typedef int (*store_listed_fn)(const char *addr, const char *lists, void *arg);
int store_each_listed(struct store *st, int64_t listing_window_ns, store_listed_fn listed,
		      store_listed_fn lists, void *arg);

/* store_run_end - enrichment of the hosts, record totals, commit */
int store_run_end(struct store *st);

/* --- enrichment (enrich/enrich.h), between the pass and the decisions --- */
/* store_source_fn - one distinct source address of the run, with its
 * embedding kind and embedded IPv4 (NULL when none): decider_each_source */
typedef int (*store_source_fn)(const char *addr, const char *emb_kind,
			       const char *emb4, void *arg);
/* look-up caches kept across runs: table "ptr" (value = name, source = where
 * it came from) or "asn" (value = AS number, name = AS name) */
struct store_cache_row {
	bool ok;                   /* false: a cached negative answer */
	char text[256];            /* the name (ptr) or AS number (asn) */
	char name[128];            /* asn: the AS name, "" when unknown */
};
/* store_cache_get - 1 found (asked at or after min_ns), 0 not, -1 error */
int store_cache_get(struct store *st, const char *table, const char *addr,
		    int64_t min_ns, struct store_cache_row *out);
int store_cache_put(struct store *st, const char *table, const char *addr,
		    const char *value, const char *name, bool ok, const char *source,
		    int64_t now_ns);
/* store_set_enrich - one host's enrichment; match_* are the values the
 * association compares (for 6to4/Teredo: the gateway's) */
struct store_enrich {
	const char *addr;
	uint32_t asn;
	const char *as_name, *ptr, *ptr_domain;
	uint32_t match_asn;
	const char *match_ptr, *match_domain;
};
int store_set_enrich(struct store *st, const struct store_enrich *e);
/* store_each_enrich - the run's enrichment: each address with the values
 * the association compares (match_ptr / match_domain NULL when none) */
typedef int (*store_enrich_fn)(const char *addr, uint32_t match_asn, const char *match_ptr,
			       const char *match_domain, void *arg);
int store_each_enrich(struct store *st, store_enrich_fn fn, void *arg);

/* --- reading --- */
/* store_query - run a read-only SQL query, calling fn per row with the
 * column values as text (NULL for SQL NULL).  Parameters bind as text. */
typedef int (*store_row_fn)(int ncol, const char *const *names,
			    const char *const *vals, void *arg);
int store_query(struct store *st, const char *sql, const char *const *params,
		int nparams, store_row_fn fn, void *arg);
/* store_scan - the same for results of any size: the rows stream one at
 * a time (PostgreSQL: single-row mode; store_query holds the whole result
 * first); fn must not query the store */
int store_scan(struct store *st, const char *sql, const char *const *params,
	       int nparams, store_row_fn fn, void *arg);
/* store_finished_runs - the analyses that finished in the store (every
 * sensor's), or -1 (said) */
int store_finished_runs(struct store *st);
/* store_sensor_check - whether a finished analysis of sensor is in the
 * store (a --sensor filter that names none would match nothing, silently):
 * 0; -1 with "LOCATION: no analysis of sensor 'NAME' in the store (its
 * sensors: A, B)" said, or the store's error */
int store_sensor_check(struct store *st, const char *sensor);

/* --- the policy server's outcomes (defence/policyd.c) --- */
struct store_policy_row {
	const char *prefix;        /* reputation prefix, "ADDR/LEN" */
	const char *cls;           /* class it was served with */
	int64_t first_ns, last_ns;
	uint64_t accepted;         /* messages let through since the last save */
	uint64_t limited;          /* limit hits since the last save */
};
/* store_policy_save - add the counts to table policy_outcomes, one
 * transaction for all rows */
int store_policy_save(struct store *st, const struct store_policy_row *rows, size_t n);

#endif
