/*
 * runs.c - partitioned record files, cursors, merges, external sort (runs.h).
 */
#include "util/runs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/log.h"
#include "util/sort.h"
#include "util/spill.h"

/* write_all - n records of size sz from buf at the end of f; *at: where */
static int write_all(FILE *f, const void *buf, size_t n, size_t sz, off_t *at, const char *what)
{
	off_t off = ftello(f);
	if (off < 0 || fwrite_unlocked(buf, sz, n, f) != n)
		return error("temporary %s file: %s", what, spill_strerror(errno));
	*at = off;
	return 0;
}

/* --- parted --- */

int parted_open(struct parted *t, const char *what, size_t size, uint32_t per, char *err,
		size_t errlen)
{
	*t = (struct parted){ .what = what, .size = size, .per = per ? per : 1 };
	if (!(t->f = spill_open(what, err, errlen)))
		return -1;
	return 0;
}

/* block_out - partition part's buffered records to the file, as a block */
static int block_out(struct parted *t, unsigned part)
{
	uint32_t n = t->nbuf[part];
	if (t->err)
		return -1;
	if (!n)
		return 0;
	off_t off;
	if (write_all(t->f, t->buf[part], n, t->size, &off, t->what) < 0)
		return t->err = -1;
	GROW(t->blocks, t->nblocks + 1, t->bcap);
	t->blocks[t->nblocks++] = (struct runs_block){ off, part, n };
	t->nbuf[part] = 0;
	return 0;
}

int parted_flush_part(struct parted *t, unsigned part)
{
	if (block_out(t, part) < 0)
		return -1;
	free(t->buf[part]);
	t->buf[part] = NULL;
	return 0;
}

int parted_add(struct parted *t, unsigned part, const void *r)
{
	if (part >= RUNS_PARTS)
		BUG("partition %u", part);
	if (t->err)
		return -1;
	if (!t->buf[part])
		t->buf[part] = xreallocarray(NULL, t->per, t->size);
	memcpy(t->buf[part] + (size_t)t->nbuf[part]++ * t->size, r, t->size);
	t->total[part]++;
	return t->nbuf[part] == t->per ? block_out(t, part) : 0;
}

int parted_open_var(struct parted *t, const char *what, uint32_t block, char *err,
		    size_t errlen)
{
	return parted_open(t, what, 1, block, err, errlen);
}

unsigned char *parted_room(struct parted *t, unsigned part, size_t max, bool *fresh)
{
	if (part >= RUNS_PARTS || t->size != 1 || max > t->per)
		BUG("parted_room: partition %u, %zu bytes of a %u-byte block", part, max, t->per);
	if (t->err)
		return NULL;
	if (!t->buf[part])
		t->buf[part] = xmalloc(t->per);
	if (t->per - t->nbuf[part] < max && block_out(t, part) < 0)
		return NULL;
	*fresh = t->nbuf[part] == 0;
	return t->buf[part] + t->nbuf[part];
}

void parted_wrote(struct parted *t, unsigned part, size_t len)
{
	if (part >= RUNS_PARTS || len > t->per - t->nbuf[part])
		BUG("parted_wrote: partition %u, %zu bytes", part, len);
	t->nbuf[part] += (uint32_t)len;
	t->total[part]++;
}

int parted_flush(struct parted *t)
{
	for (unsigned j = 0; j < RUNS_PARTS; j++)
		if (parted_flush_part(t, j) < 0)
			return -1;
	if (t->f && fflush(t->f) != 0)
		return t->err = error("temporary %s file: %s", t->what, spill_strerror(errno));
	return 0;
}

void parted_close(struct parted *t)
{
	if (t->f)
		fclose(t->f);
	t->f = NULL;
	for (unsigned j = 0; j < RUNS_PARTS; j++) {
		free(t->buf[j]);
		t->buf[j] = NULL;
		t->nbuf[j] = 0;
	}
	free(t->blocks);
	t->blocks = NULL;
	t->nblocks = t->bcap = 0;
}

size_t parted_bytes(const struct parted *t)
{
	size_t b = t->bcap * sizeof *t->blocks;
	for (unsigned j = 0; j < RUNS_PARTS; j++)
		if (t->buf[j])
			b += t->per * t->size;
	return b;
}

/* --- rcur --- */

void rcur_open(struct rcur *c, FILE *f, const char *what, size_t size, struct ext *x, size_t nx,
	       size_t chunk)
{
	*c = (struct rcur){ .f = f, .what = what, .size = size, .x = x, .nx = nx,
			    .cap = chunk ? chunk : 1 };
}

/* unpacking - cursor c's records handed to unpack, into one of out bytes */
static void unpacking(struct rcur *c, runs_unpack unpack, size_t out)
{
	c->unpack = unpack;
	c->rec = xcalloc(1, out ? out : 1);
}

void rcur_open_unpack(struct rcur *c, FILE *f, const char *what, size_t size, struct ext *x,
		      size_t nx, size_t chunk, runs_unpack unpack, size_t out)
{
	/* a cursor of bytes whose reads are whole records: each stretch and
	 * each chunk a multiple of size, so none is cut between two reads */
	if (!size)
		BUG("rcur_open_unpack: records of 0 bytes");
	for (size_t i = 0; i < nx; i++)
		x[i].n *= size;
	rcur_open(c, f, what, 1, x, nx, (chunk ? chunk : 1) * size);
	unpacking(c, unpack, out);
}

void parted_cursor(const struct parted *t, unsigned part, struct rcur *c, size_t chunk)
{
	size_t n = 0;
	for (size_t b = 0; b < t->nblocks; b++)
		n += t->blocks[b].part == part;
	struct ext *x = xreallocarray(NULL, n + 1, sizeof *x);
	n = 0;
	for (size_t b = 0; b < t->nblocks; b++)
		if (t->blocks[b].part == part)
			x[n++] = (struct ext){ t->blocks[b].off, t->blocks[b].n };
	rcur_open(c, t->f, t->what, t->size, x, n, chunk);
}

void parted_cursor_var(const struct parted *t, unsigned part, struct rcur *c, runs_unpack unpack,
		       size_t size)
{
	/* a read of up to a block's bytes takes a whole block: no record is
	 * cut between two reads */
	parted_cursor(t, part, c, t->per);
	unpacking(c, unpack, size);
}

/* rcur_load - the next chunk of the stretches into c->buf: its records,
 * 0 at the end or on a read error (c->err) */
static size_t rcur_load(struct rcur *c)
{
	if (c->err)
		return 0;
	while (c->xi < c->nx && c->xdone == c->x[c->xi].n) {
		c->xi++;
		c->xdone = 0;
	}
	if (c->xi == c->nx)
		return 0;
	const struct ext *e = &c->x[c->xi];
	uint64_t left = e->n - c->xdone;
	size_t n = left < c->cap ? (size_t)left : c->cap;
	if (!c->buf)
		c->buf = xreallocarray(NULL, c->cap, c->size);
	size_t want = n * c->size;
	ssize_t got = pread(fileno(c->f), c->buf, want, e->off + (off_t)(c->xdone * c->size));
	if (got < 0 || (size_t)got != want) {
		c->err = error("temporary %s file: %s", c->what,
			       got < 0 ? spill_strerror(errno) : "short read");
		return 0;
	}
	c->xdone += n;
	c->n = n;
	c->i = 0;
	return n;
}

const void *rcur_next(struct rcur *c)
{
	if (!c->unpack) {
		if (c->i == c->n && !rcur_load(c))
			return NULL;
		return c->buf + c->i++ * c->size;
	}
	if (c->i == c->n) {
		if (!rcur_load(c))
			return NULL;
		c->fresh = true;
	}
	size_t left = c->n - c->i, used = c->unpack(c->rec, c->buf + c->i, left, c->fresh);
	if (!used || used > left) {
		c->err = error("temporary %s file: a record that does not unpack", c->what);
		return NULL;
	}
	c->i += used;
	c->fresh = false;
	return c->rec;
}

void rcur_close(struct rcur *c)
{
	free(c->x);
	free(c->buf);
	free(c->rec);
	*c = (struct rcur){ 0 };
}

/* --- rmerge --- */

void rmerge_open(struct rmerge *m, struct rcur *c, size_t k, runs_cmp cmp)
{
	*m = (struct rmerge){ .c = c, .k = k, .cmp = cmp };
	m->head = xcalloc(k + 1, sizeof *m->head);
	m->heap = xcalloc(k + 1, sizeof *m->heap);
}

/* before - cursor x's head comes before cursor y's */
static bool before(const struct rmerge *m, uint32_t x, uint32_t y)
{
	int r = m->cmp(m->head[x], m->head[y]);
	return r < 0 || (r == 0 && x < y);
}

static void sift(struct rmerge *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, s = i;
		if (l < m->nh && before(m, m->heap[l], m->heap[s]))
			s = l;
		if (l + 1 < m->nh && before(m, m->heap[l + 1], m->heap[s]))
			s = l + 1;
		if (s == i)
			return;
		uint32_t t = m->heap[i];
		m->heap[i] = m->heap[s];
		m->heap[s] = t;
		i = s;
	}
}

const void *rmerge_next(struct rmerge *m, size_t *from)
{
	if (!m->primed) {
		m->primed = true;
		for (size_t i = 0; i < m->k; i++) {
			if ((m->head[i] = rcur_next(&m->c[i])))
				m->heap[m->nh++] = (uint32_t)i;
			else if (m->c[i].err)
				m->err = -1;
		}
		for (size_t i = m->nh; i-- > 0;)
			sift(m, i);
	} else if (m->nh) {
		/* the record handed out last is replaced by its cursor's next */
		uint32_t top = m->heap[0];
		if ((m->head[top] = rcur_next(&m->c[top]))) {
			sift(m, 0);
		} else {
			if (m->c[top].err)
				m->err = -1;
			m->heap[0] = m->heap[--m->nh];
			sift(m, 0);
		}
	}
	if (m->err || !m->nh)
		return NULL;
	if (from)
		*from = m->heap[0];
	return m->head[m->heap[0]];
}

void rmerge_close(struct rmerge *m)
{
	for (size_t i = 0; i < m->k; i++)
		rcur_close(&m->c[i]);
	free(m->c);
	free(m->head);
	free(m->heap);
	*m = (struct rmerge){ 0 };
}

/* --- xsort --- */

int xsort_open(struct xsort *s, const char *what, size_t size, size_t budget, runs_cmp cmp,
	       char *err, size_t errlen)
{
	if (size > 64)
		BUG("xsort records of %zu bytes", size);
	*s = (struct xsort){ .what = what, .size = size, .cmp = cmp };
	s->cap = budget / size > 16 ? budget / size : 16;
	if (!(s->f = spill_open(what, err, errlen)))
		return -1;
	return 0;
}

/* run_out - the buffer sorted, as a run at the end of the file */
static int run_out(struct xsort *s)
{
	if (s->err)
		return -1;
	if (!s->n)
		return 0;
	sort_inplace(s->buf, s->n, s->size, s->cmp);
	off_t off;
	if (write_all(s->f, s->buf, s->n, s->size, &off, s->what) < 0)
		return s->err = -1;
	GROW(s->runs, s->nruns + 1, s->rcap);
	s->runs[s->nruns++] = (struct ext){ off, s->n };
	s->n = 0;
	return 0;
}

int xsort_add(struct xsort *s, const void *r)
{
	if (s->merging)
		BUG("xsort_add after xsort_done");
	if (s->err)
		return -1;
	if (!s->buf)
		s->buf = xreallocarray(NULL, s->cap, s->size);
	memcpy(s->buf + s->n++ * s->size, r, s->size);
	s->total++;
	return s->n == s->cap ? run_out(s) : 0;
}

int xsort_done(struct xsort *s)
{
	if (run_out(s) < 0)
		return -1;
	free(s->buf);
	s->buf = NULL;
	if (fflush(s->f) != 0)
		return s->err = error("temporary %s file: %s", s->what, spill_strerror(errno));
	struct rcur *c = xcalloc(s->nruns + 1, sizeof *c);
	size_t chunk = 65536 / s->size;
	for (size_t i = 0; i < s->nruns; i++) {
		struct ext *x = xmalloc(sizeof *x);
		*x = s->runs[i];
		rcur_open(&c[i], s->f, s->what, s->size, x, 1, chunk);
	}
	rmerge_open(&s->m, c, s->nruns, s->cmp);
	s->merging = true;
	return 0;
}

const void *xsort_next(struct xsort *s)
{
	if (!s->merging)
		BUG("xsort_next before xsort_done");
	return rmerge_next(&s->m, NULL);
}

void xsort_close(struct xsort *s)
{
	if (s->merging)
		rmerge_close(&s->m);
	if (s->f)
		fclose(s->f);
	free(s->buf);
	free(s->runs);
	*s = (struct xsort){ 0 };
}

size_t xsort_bytes(const struct xsort *s)
{
	size_t b = (s->buf ? s->cap * s->size : 0) + s->rcap * sizeof *s->runs;
	if (s->merging)
		for (size_t i = 0; i < s->m.k; i++)
			b += s->m.c[i].buf ? s->m.c[i].cap * s->size : 0;
	return b;
}
