/*
 * store.h - where an analysis lives: the storage interface.
 *
 * One store holds the measurement of one or more sensors: runs and their
 * inputs, attempts, association candidates with their evidence and the
 * decisions taken, MTA log outcomes (listings), and hosts with labels.
 * The back end is chosen by the location: a file path is SQLite (the
 * default, mxsensor.db).  docs/schema.md documents every table.
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/assoc.h"
#include "analysis/attempt.h"

struct store;

/* store_open - open or create; migrates an older schema; NULL on error */
struct store *store_open(const char *location, bool create);
void store_close(struct store *st);
const char *store_location(const struct store *st);

/* --- writing one analysis run --- */
struct store_run {
	const char *sensor;        /* sensor name (default: host name) */
	const char *argv;          /* the command line, for the record */
	const char *options;       /* effective options as JSON */
};
int store_run_begin(struct store *st, const struct store_run *run);
int store_add_input(struct store *st, const char *kind, const char *path,
		    uint64_t records, uint64_t errors, const char *note);
int store_add_attempt(struct store *st, const struct attempt *a);
int store_add_candidate(struct store *st, const struct assoc_cand *c);
/* store_add_mta_event - one log outcome; rows are aggregated per
 * (address, kind, list) with first/last time and count */
int store_add_mta_event(struct store *st, const struct addr *a, const char *kind,
			const char *list, int64_t ts_ns, const char *format);
/* store_flush - commit what is written so far */
int store_flush(struct store *st);
/* store_abort - roll back the run in progress */
void store_abort(struct store *st);

/* --- the decision stage (analysis/decide.c) ---
 * Set-based, so it costs a few passes over the candidates whatever their
 * order: the host-pair counts come from one GROUP BY, points and
 * ambiguity are applied by single UPDATEs, and only the pairs taken are
 * written one by one. */
struct store_pair {
	const char *h6, *h4;       /* the IPv6 and IPv4 hosts */
	uint64_t co;               /* IPv6 attempts of h6 with h4 as a candidate */
	uint64_t n6, n4;           /* attempts of each host */
};
typedef int (*store_pair_fn)(const struct store_pair *p, void *arg);
/* store_each_host_pair - every (IPv6 host, IPv4 host) pair that meets in
 * two or more IPv6 attempts (co >= 2) */
int store_each_host_pair(struct store *st, store_pair_fn fn, void *arg);
/* store_set_pair_points - EV_HOST for every candidate of this pair (0 need not be set) */
int store_set_pair_points(struct store *st, const char *h6, const char *h4, int points);
/* store_apply_host_points - add the pair points to the candidates' totals
 * (a pair that meets once, co = 1, gets single_meeting when its IPv6 host
 * has three or more attempts) and flag IPv6 attempts whose best total
 * leads the best candidate of any other IPv4 host by less than margin
 * (ambiguous) */
int store_apply_host_points(struct store *st, int single_meeting, int margin);
/* store_each_eligible - candidates with total >= threshold, score >=
 * min_evidence and not ambiguous, best first (ties: |gap|, |port|, a4, a6) */
struct store_cand_total {
	int64_t rowid;
	uint64_t a6, a4;
	int score;                 /* evidence without EV_HOST */
	int total;
};
typedef int (*store_total_fn)(const struct store_cand_total *r, void *arg);
int store_each_eligible(struct store *st, int threshold, int min_evidence,
			store_total_fn fn, void *arg);
/* store_associate - take the pair: both attempts' partner and score */
int store_associate(struct store *st, const struct store_cand_total *r);
/* store_label_decisions - every candidate's decision from what was taken:
 * "associated", "lost" (its IPv6 attempt took a better candidate),
 * "below-threshold", "ambiguous", "ipv4-taken" (the IPv4 attempt went to a
 * better pair), in the precedence the greedy pass applied them */
int store_label_decisions(struct store *st, int threshold, int min_evidence);
/* store_max_attempt_id - largest attempt id of the current run */
uint64_t store_max_attempt_id(struct store *st);

/* store_classify_hosts - let fn name each host's address type and
 * interface-ID class (called before store_run_end) */
typedef void (*store_classify_fn)(const char *addr, char *type, size_t typelen,
				  char *iid, size_t iidlen);
int store_classify_hosts(struct store *st, store_classify_fn fn);

/* store_run_end - build hosts (classified by classify, may be NULL) and
 * labels, record totals, commit.  listing_window_ns > 0: an IPv4 address
 * counts as listed only when listed within that time of one of its
 * attempts. */
int store_run_end(struct store *st, int64_t listing_window_ns, store_classify_fn classify);

/* --- reading --- */
/* store_query - run a read-only SQL query, calling fn per row with the
 * column values as text (NULL for SQL NULL).  Parameters bind as text. */
typedef int (*store_row_fn)(int ncol, const char *const *names,
			    const char *const *vals, void *arg);
int store_query(struct store *st, const char *sql, const char *const *params,
		int nparams, store_row_fn fn, void *arg);

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
