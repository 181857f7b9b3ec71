/*
 * mtasum.h - MTA log outcomes added up per (address, kind, list), in
 * bounded memory.
 *
 * The logs repeat the same outcome for a client many times (a spammer is
 * rejected at every attempt); the store keeps one row per (address, kind,
 * list) with first and last time and count.  Adding them up here writes
 * each row once instead of an upsert per log line.  Rows come out in the
 * order of their first line, with the format of their first line.
 *
 * Memory is bounded: the table holds at most max_rows rows.  When it is
 * full, its rows (partial sums) go to an unlinked temporary file in 64
 * partitions by address (util/runs.h) and the table starts empty.  At the end each partition's partial rows are added up on their
 * own (an address is in one partition only), and the partitions' rows
 * merged back into the order of their first line.  So the rows are the
 * same, in the same order, whatever max_rows is; a log that never fills
 * the table needs no file.
 */
#ifndef MX_MTASUM_H
#define MX_MTASUM_H

#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"
#include "mtalog/mtalog.h"

/* the rows held before they go to the temporary file: 131072 rows of 56
 * bytes, 7 MB with the table (a log of 100k clients fits) */
#define MTA_SUM_ROWS (UINT32_C(1) << 17)

struct mta_sum;

/* one row as mta_sum_each gives it; pointers valid during the call */
struct mta_sum_row {
	const struct addr *a;
	enum mta_kind kind;
	const char *list;           /* "" when the lines name no list */
	int64_t first_ns, last_ns;
	uint32_t count;             /* saturating */
	const char *format;         /* the format of its first line (mtalog's static name) */
};

/* mta_sum_new - max_rows held in memory (0: MTA_SUM_ROWS) */
struct mta_sum *mta_sum_new(size_t max_rows);
/* mta_sum_add - one outcome; 0, or -1 (reported) when the temporary file
 * cannot be made or written */
int mta_sum_add(struct mta_sum *m, const struct mta_event *ev);
/* mta_sum_each - every row once, in the order of its first line; stops
 * at fn's first non-zero result and returns it; -1 (reported) on a
 * temporary file error.  Call once, after the last mta_sum_add. */
typedef int (*mta_sum_fn)(const struct mta_sum_row *r, void *arg);
int mta_sum_each(struct mta_sum *m, mta_sum_fn fn, void *arg);
/* mta_sum_spilled - partial rows written to the temporary file so far */
uint64_t mta_sum_spilled(const struct mta_sum *m);
void mta_sum_free(struct mta_sum *m);

#endif
