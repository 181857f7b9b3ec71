/*
 * mtasum.c - MTA log outcomes added up in bounded memory (see mtasum.h).
 */
#include "analysis/mtasum.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/runs.h"
#include "util/strpool.h"

#define PARTS RUNS_PARTS
#define SPILL_ROWS 256      /* rows a partition buffers before a block goes to the file */
#define READ_ROWS 4096      /* rows of a block read at a time */
#define MERGE_ROWS 256      /* rows a partition's cursor holds in the merge */

struct row {                /* 56 bytes: a row per address seen in the logs */
	int64_t first, last;
	uint64_t seq;               /* the number of its first outcome: the order */
	struct addr a;
	uint8_t kind;
	uint8_t format;             /* index into formats */
	uint32_t list;              /* index into lists */
	uint32_t count;             /* saturating */
};
_Static_assert(sizeof(struct row) == 56, "struct row: 56 bytes");

struct mta_sum {
	struct row *rows;
	size_t n, cap;
	uint32_t *tab;              /* row index + 1, open addressing */
	size_t size;                /* slots, a power of two */
	size_t max_rows;
	uint64_t seq;               /* outcomes added */
	struct strpool lists;       /* distinct list names */
	const char *formats[256];   /* the log formats' names (static, mtalog.h) */
	unsigned nformats;
	struct parted spill;        /* the partial rows by address partition, once the table
				     * first fills (spill.f NULL until then) */
	uint64_t spilled;
};

struct mta_sum *mta_sum_new(size_t max_rows)
{
	struct mta_sum *m = xcalloc(1, sizeof *m);
	m->max_rows = max_rows ? max_rows : MTA_SUM_ROWS;
	return m;
}

/* format_id - index of log format name f (one of mtalog's static
 * strings: the pointer tells it) */
static uint8_t format_id(struct mta_sum *m, const char *f)
{
	for (unsigned i = 0; i < m->nformats; i++)
		if (m->formats[i] == f)
			return (uint8_t)i;
	if (m->nformats == 256)
		BUG("more than 256 MTA log format names");
	m->formats[m->nformats] = f;
	return (uint8_t)m->nformats++;
}

static uint64_t row_hash(const struct row *r)
{
	return hash_bytes(&r->a, sizeof r->a) ^ hash_u64((uint64_t)r->kind << 32 | r->list);
}

/* room - the table has a free slot for one more row (load <= 3/4) */
static void room(struct mta_sum *m)
{
	if ((m->n + 1) * 4 <= m->size * 3)
		return;
	size_t n = m->size ? m->size * 2 : 1024;
	uint32_t *t = xcalloc(n, sizeof *t);
	for (size_t i = 0; i < m->n; i++)
		t[hash_slot_free(t, n, row_hash(&m->rows[i]))] = (uint32_t)i + 1;
	free(m->tab);
	m->tab = t;
	m->size = n;
}

/* slot_of - the slot of key's row, or the empty slot where it goes */
static size_t slot_of(const struct mta_sum *m, const struct row *key)
{
	size_t mask = m->size - 1, k = (size_t)row_hash(key) & mask;
	for (; m->tab[k]; k = (k + 1) & mask) {
		const struct row *r = &m->rows[m->tab[k] - 1];
		if (r->kind == key->kind && r->list == key->list && addr_eq(&r->a, &key->a))
			break;
	}
	return k;
}

/* combine - r's outcomes into e (same key) */
static void combine(struct row *e, const struct row *r)
{
	if (r->first < e->first)
		e->first = r->first;
	if (r->last > e->last)
		e->last = r->last;
	e->count = e->count > UINT32_MAX - r->count ? UINT32_MAX : e->count + r->count;
	if (r->seq < e->seq) {
		e->seq = r->seq;
		e->format = r->format;
	}
}

static void append(struct mta_sum *m, size_t slot, const struct row *r)
{
	if (m->n >= UINT32_MAX - 1)
		BUG("too many MTA log rows");
	GROW(m->rows, m->n + 1, m->cap);
	m->rows[m->n] = *r;
	m->tab[slot] = (uint32_t)++m->n;
}

static void clear(struct mta_sum *m)
{
	m->n = 0;
	if (m->tab)
		memset(m->tab, 0, m->size * sizeof *m->tab);
}

/* flush - the table's rows to the temporary file, each to its address'
 * partition (in first-line order inside it), and the table emptied */
static int flush(struct mta_sum *m)
{
	if (!m->n)
		return 0;
	if (!m->spill.f) {
		char err[512];
		if (parted_open(&m->spill, "mta", sizeof *m->rows, SPILL_ROWS, err, sizeof err) < 0)
			return error("%s", err);
	}
	int rc = 0;
	for (size_t i = 0; i < m->n && rc == 0; i++)
		rc = parted_add(&m->spill, (unsigned)(hash_bytes(&m->rows[i].a,
								 sizeof m->rows[i].a) >> 58),
				&m->rows[i]);
	_Static_assert(PARTS == 64, "6 bits of partition");
	m->spilled += m->n;
	clear(m);
	return rc;
}

int mta_sum_add(struct mta_sum *m, const struct mta_event *ev)
{
	struct row key;
	memset(&key, 0, sizeof key);    /* the address is hashed as bytes */
	key.a = ev->addr;
	key.kind = (uint8_t)ev->kind;
	key.list = strpool_id(&m->lists, ev->list);
	key.first = key.last = ev->ts_ns;
	key.count = 1;
	key.seq = m->seq++;
	key.format = format_id(m, ev->format);
	room(m);
	size_t k = slot_of(m, &key);
	if (m->tab[k]) {
		combine(&m->rows[m->tab[k] - 1], &key);
		return 0;
	}
	if (m->n >= m->max_rows) {
		if (flush(m) < 0)
			return -1;
		k = slot_of(m, &key);
	}
	append(m, k, &key);
	return 0;
}

static int emit(const struct mta_sum *m, const struct row *r, mta_sum_fn fn, void *arg)
{
	struct mta_sum_row o = { &r->a, (enum mta_kind)r->kind, strpool_get(&m->lists, r->list),
				 r->first, r->last, r->count, m->formats[r->format] };
	return fn(&o, arg);
}

/* add_up - partition p's partial rows added up in the table */
static int add_up(struct mta_sum *m, unsigned p)
{
	clear(m);
	struct rcur c;
	parted_cursor(&m->spill, p, &c, READ_ROWS);
	const struct row *r;
	while ((r = rcur_next(&c))) {
		room(m);
		size_t s = slot_of(m, r);
		if (m->tab[s])
			combine(&m->rows[m->tab[s] - 1], r);
		else
			append(m, s, r);
	}
	int rc = c.err;
	rcur_close(&c);
	return rc;
}

static int cmp_seq(const void *pa, const void *pb)
{
	const struct row *x = pa, *y = pb;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* each_spilled - every partition added up on its own into a second
 * partitioned file (inside a partition, first seen is first line: the
 * partial rows come in the order written, a flush's in first-line
 * order), then the partitions merged by first line */
static int each_spilled(struct mta_sum *m, mta_sum_fn fn, void *arg)
{
	if (flush(m) < 0 || parted_flush(&m->spill) < 0)
		return -1;
	char err[512];
	struct parted sums;
	if (parted_open(&sums, "mta", sizeof *m->rows, READ_ROWS, err, sizeof err) < 0)
		return error("%s", err);
	int rc = 0;
	for (unsigned p = 0; p < PARTS && rc == 0; p++) {
		rc = add_up(m, p);
		for (size_t i = 0; i < m->n && rc == 0; i++)
			rc = parted_add(&sums, p, &m->rows[i]);
		if (rc == 0)
			rc = parted_flush_part(&sums, p);
	}
	clear(m);
	if (rc == 0)
		rc = parted_flush(&sums);
	if (rc == 0) {
		struct rcur *c = xcalloc(PARTS, sizeof *c);
		for (unsigned p = 0; p < PARTS; p++)
			parted_cursor(&sums, p, &c[p], MERGE_ROWS);
		struct rmerge mg;
		rmerge_open(&mg, c, PARTS, cmp_seq);
		const struct row *r;
		while (rc == 0 && (r = rmerge_next(&mg, NULL)))
			rc = emit(m, r, fn, arg);
		if (rc == 0)
			rc = mg.err;
		rmerge_close(&mg);
	}
	parted_close(&sums);
	return rc;
}

int mta_sum_each(struct mta_sum *m, mta_sum_fn fn, void *arg)
{
	if (m->spill.f)
		return each_spilled(m, fn, arg);
	int rc = 0;
	for (size_t i = 0; i < m->n && rc == 0; i++)
		rc = emit(m, &m->rows[i], fn, arg);
	return rc;
}

uint64_t mta_sum_spilled(const struct mta_sum *m)
{
	return m->spilled;
}

void mta_sum_free(struct mta_sum *m)
{
	if (!m)
		return;
	parted_close(&m->spill);
	strpool_free(&m->lists);
	free(m->rows);
	free(m->tab);
	free(m);
}
