/*
 * mtasum.c - MTA log outcomes added up in bounded memory (see mtasum.h).
 */
#include "analysis/mtasum.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/spill.h"
#include "util/strpool.h"

#define PARTS 64
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

/* a partition's partial rows of one flush, in the temporary file */
struct block {
	off_t off;
	uint32_t part, n;
};

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
	FILE *spill;                /* NULL until the table first fills */
	struct block *blocks;       /* in file order */
	size_t nblocks, bcap;
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

static int file_error(void)
{
	return error("temporary MTA log file: %s", errno ? spill_strerror(errno) : "short read");
}

/* flush - the table's rows to the temporary file, a block per
 * partition (in first-line order inside it), and the table emptied */
static int flush(struct mta_sum *m)
{
	if (!m->n)
		return 0;
	if (!m->spill) {
		char err[512];
		if (!(m->spill = spill_open("mta", err, sizeof err)))
			return error("%s", err);
	}
	/* a counting sort by partition, stable */
	size_t at[PARTS + 1] = { 0 };
	uint8_t *part = xmalloc(m->n);
	for (size_t i = 0; i < m->n; i++) {
		part[i] = (uint8_t)(hash_bytes(&m->rows[i].a, sizeof m->rows[i].a) >> 58);
		at[part[i] + 1]++;
	}
	_Static_assert(PARTS == 64, "6 bits of partition");
	for (unsigned p = 1; p <= PARTS; p++)
		at[p] += at[p - 1];
	uint32_t *ord = xreallocarray(NULL, m->n, sizeof *ord);
	size_t next[PARTS];
	memcpy(next, at, sizeof next);
	for (size_t i = 0; i < m->n; i++)
		ord[next[part[i]]++] = (uint32_t)i;
	int rc = 0;
	for (unsigned p = 0; p < PARTS && rc == 0; p++) {
		if (at[p] == at[p + 1])
			continue;
		off_t off = ftello(m->spill);
		if (off < 0) {
			rc = file_error();
			break;
		}
		for (size_t k = at[p]; k < at[p + 1]; k++)
			if (fwrite_unlocked(&m->rows[ord[k]], sizeof *m->rows, 1, m->spill) != 1) {
				rc = file_error();
				break;
			}
		GROW(m->blocks, m->nblocks + 1, m->bcap);
		m->blocks[m->nblocks++] = (struct block){ off, p, (uint32_t)(at[p + 1] - at[p]) };
	}
	free(part);
	free(ord);
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

/* read_rows - n rows at off of the temporary file into buf */
static int read_rows(const struct mta_sum *m, off_t off, struct row *buf, size_t n)
{
	size_t want = n * sizeof *buf;
	errno = 0;
	ssize_t got = pread(fileno(m->spill), buf, want, off);
	return got >= 0 && (size_t)got == want ? 0 : file_error();
}

/* add_up - partition p's partial rows added up in the table */
static int add_up(struct mta_sum *m, unsigned p, struct row *buf)
{
	clear(m);
	for (size_t b = 0; b < m->nblocks; b++) {
		const struct block *k = &m->blocks[b];
		if (k->part != p)
			continue;
		for (uint32_t done = 0; done < k->n;) {
			uint32_t n = k->n - done < READ_ROWS ? k->n - done : READ_ROWS;
			if (read_rows(m, k->off + (off_t)done * (off_t)sizeof *buf, buf, n) < 0)
				return -1;
			for (uint32_t i = 0; i < n; i++) {
				room(m);
				size_t s = slot_of(m, &buf[i]);
				if (m->tab[s])
					combine(&m->rows[m->tab[s] - 1], &buf[i]);
				else
					append(m, s, &buf[i]);
			}
			done += n;
		}
	}
	return 0;
}

/* a partition's added-up rows in the merge */
struct cursor {
	off_t off;                  /* of the next rows to read */
	uint64_t left;              /* rows not read yet */
	struct row buf[MERGE_ROWS];
	size_t i, n;
};

static int cursor_fill(const struct mta_sum *m, struct cursor *c)
{
	c->i = 0;
	c->n = c->left < MERGE_ROWS ? (size_t)c->left : MERGE_ROWS;
	if (c->n && read_rows(m, c->off, c->buf, c->n) < 0)
		return -1;
	c->off += (off_t)(c->n * sizeof *c->buf);
	c->left -= c->n;
	return 0;
}

/* each_spilled - every partition added up on its own and written after
 * the blocks (inside a partition, first seen is first line: blocks are
 * in file order, a block in first-line order), then the partitions
 * merged by first line */
static int each_spilled(struct mta_sum *m, mta_sum_fn fn, void *arg)
{
	if (flush(m) < 0)
		return -1;
	if (fflush(m->spill) != 0 || fseeko(m->spill, 0, SEEK_END) != 0)
		return file_error();
	struct cursor *cur = xcalloc(PARTS, sizeof *cur);
	struct row *buf = xreallocarray(NULL, READ_ROWS, sizeof *buf);
	int rc = 0;
	for (unsigned p = 0; p < PARTS && rc == 0; p++) {
		if ((rc = add_up(m, p, buf)) < 0)
			break;
		cur[p].off = ftello(m->spill);
		cur[p].left = m->n;
		if (cur[p].off < 0 ||
		    fwrite_unlocked(m->rows, sizeof *m->rows, m->n, m->spill) != m->n)
			rc = file_error();
	}
	free(buf);
	clear(m);
	if (rc == 0 && fflush(m->spill) != 0)
		rc = file_error();
	for (unsigned p = 0; p < PARTS && rc == 0; p++)
		rc = cursor_fill(m, &cur[p]);
	while (rc == 0) {
		struct cursor *best = NULL;
		for (unsigned p = 0; p < PARTS; p++)
			if (cur[p].i < cur[p].n &&
			    (!best || cur[p].buf[cur[p].i].seq < best->buf[best->i].seq))
				best = &cur[p];
		if (!best)
			break;
		if ((rc = emit(m, &best->buf[best->i++], fn, arg)) == 0 && best->i == best->n)
			rc = cursor_fill(m, best);
	}
	free(cur);
	return rc;
}

int mta_sum_each(struct mta_sum *m, mta_sum_fn fn, void *arg)
{
	if (m->spill)
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
	if (m->spill)
		fclose(m->spill);
	strpool_free(&m->lists);
	free(m->rows);
	free(m->tab);
	free(m->blocks);
	free(m);
}
