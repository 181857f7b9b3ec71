/*
 * runs.h - files of fixed-size records (or of records packed by the
 * caller in whole blocks: parted_open_var) for the analysis' work that does
 * not fit in memory: a file in partitions (parted), a cursor over parts of
 * a file (rcur), a merge of cursors whose records are in order (rmerge)
 * and an external sort (xsort).  Each holds a few buffers, whatever the
 * number of records; the files are unlinked temporary files (spill.h).
 */
#ifndef MX_RUNS_H
#define MX_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* a stretch of n records from offset off of a file */
struct ext {
	off_t off;
	uint64_t n;
};

/* --- parted: a file of records in RUNS_PARTS partitions --- */

#define RUNS_PARTS 64

/* a block of one partition's records in the file */
struct runs_block {
	off_t off;
	uint32_t part, n;
};

/* struct parted - each partition buffers `per` records and writes them as
 * one block, so that a partition is read back alone (its blocks, in the
 * order they were written) */
struct parted {
	FILE *f;
	const char *what;           /* for errors: "candidate", "host", ... */
	size_t size;                /* bytes a record */
	uint32_t per;               /* records a block */
	unsigned char *buf[RUNS_PARTS];
	uint32_t nbuf[RUNS_PARTS];
	uint64_t total[RUNS_PARTS]; /* records per partition */
	struct runs_block *blocks;
	size_t nblocks, bcap;
	int err;                    /* -1 after a write error: every call fails */
};

/* parted_open - a new, empty file; -1 with the reason in err */
int parted_open(struct parted *t, const char *what, size_t size, uint32_t per, char *err,
		size_t errlen);
/* parted_add - record r (t->size bytes) to partition part; -1 on a write
 * error (reported once; every later call fails too) */
int parted_add(struct parted *t, unsigned part, const void *r);
/* parted_flush_part - partition part's buffered records to the file, its
 * buffer freed (more records may follow) */
int parted_flush_part(struct parted *t, unsigned part);
/* parted_flush - every partition's records to the file: complete for reading */
int parted_flush(struct parted *t);
/* A parted file of variable-length records (parted_open_var): the caller
 * packs each record straight into its partition's buffer (parted_room,
 * parted_wrote), and a block holds whole records, at most `block` bytes,
 * so that a record can be packed against the one before it in its block
 * and a cursor (parted_cursor_var) unpacks a block from its start.  The
 * block list counts bytes, total[] records. */
int parted_open_var(struct parted *t, const char *what, uint32_t block, char *err,
		    size_t errlen);
/* parted_room - where in partition part's buffer to pack a record of at
 * most max bytes (<= the block), its block written out first when less is
 * left; *fresh: the record starts a block.  NULL on a write error. */
unsigned char *parted_room(struct parted *t, unsigned part, size_t max, bool *fresh);
/* parted_wrote - a record of len bytes (<= parted_room's max) was packed
 * at parted_room's place */
void parted_wrote(struct parted *t, unsigned part, size_t len);
/* parted_close - the file closed (its disk space back) and everything freed */
void parted_close(struct parted *t);
/* parted_bytes - memory held */
size_t parted_bytes(const struct parted *t);

/* --- rcur: a cursor over stretches of a file --- */

/* runs_unpack - the record packed at p (n bytes left in its block) into
 * rec, which holds the block's previous record unless fresh; the bytes it
 * took, 0 when they do not make a record */
typedef size_t (*runs_unpack)(void *rec, const unsigned char *p, size_t n, bool fresh);

struct rcur {
	FILE *f;
	const char *what;
	size_t size;
	struct ext *x;              /* owned */
	size_t nx, xi;
	uint64_t xdone;             /* records of x[xi] read */
	unsigned char *buf;
	size_t cap, i, n;
	int err;                    /* -1 after a read error (reported) */
	runs_unpack unpack;         /* a cursor of packed records: */
	unsigned char *rec;         /* the record unpacked last */
	bool fresh;                 /* the next record starts a block */
};

/* rcur_open - the records of the stretches x[0..nx) (taken over: freed by
 * rcur_close) in order, read chunk records at a time */
void rcur_open(struct rcur *c, FILE *f, const char *what, size_t size, struct ext *x, size_t nx,
	       size_t chunk);
/* rcur_open_unpack - as rcur_open, over records of size bytes in the
 * file, each handed to unpack (which takes size bytes, whatever fresh
 * says) to make the record of out bytes that rcur_next returns */
void rcur_open_unpack(struct rcur *c, FILE *f, const char *what, size_t size, struct ext *x,
		      size_t nx, size_t chunk, runs_unpack unpack, size_t out);
/* parted_cursor - partition part of t (flushed), in the order written */
void parted_cursor(const struct parted *t, unsigned part, struct rcur *c, size_t chunk);
/* parted_cursor_var - partition part of t (parted_open_var, flushed), its
 * records unpacked by unpack into records of size bytes */
void parted_cursor_var(const struct parted *t, unsigned part, struct rcur *c, runs_unpack unpack,
		       size_t size);
/* rcur_next - the next record, valid until the next call; NULL at the end
 * or on a read error (c->err) */
const void *rcur_next(struct rcur *c);
void rcur_close(struct rcur *c);

/* --- rmerge: k cursors' records, each cursor in order, as one sequence --- */

typedef int (*runs_cmp)(const void *, const void *);

struct rmerge {
	struct rcur *c;             /* owned */
	size_t k;
	const void **head;          /* each cursor's current record */
	uint32_t *heap;             /* cursor indexes, smallest head first */
	size_t nh;
	runs_cmp cmp;
	bool primed;
	int err;
};

/* rmerge_open - takes over the k cursors c (an array from xmalloc) */
void rmerge_open(struct rmerge *m, struct rcur *c, size_t k, runs_cmp cmp);
/* rmerge_next - the smallest record left (ties: the lower cursor first)
 * and, when from is not NULL, its cursor's index; NULL at the end or on a
 * read error (m->err) */
const void *rmerge_next(struct rmerge *m, size_t *from);
void rmerge_close(struct rmerge *m);

/* --- xsort: records in, the same records out in cmp's order --- */

struct xsort {
	FILE *f;
	const char *what;
	size_t size, cap, n;        /* records a run; in the buffer */
	unsigned char *buf;
	runs_cmp cmp;
	struct ext *runs;
	size_t nruns, rcap;
	uint64_t total;
	struct rmerge m;
	bool merging;
	int err;                    /* -1 after a write error: every call fails */
};

/* xsort_open - records of size bytes (at most 64), sorted in runs of
 * budget bytes; -1 with the reason in err */
int xsort_open(struct xsort *s, const char *what, size_t size, size_t budget, runs_cmp cmp,
	       char *err, size_t errlen);
int xsort_add(struct xsort *s, const void *r);
/* xsort_done - no more records: the last run out, reading begins */
int xsort_done(struct xsort *s);
/* xsort_next - the next record in order (valid until the next call);
 * NULL at the end or on a read error (s->m.err) */
const void *xsort_next(struct xsort *s);
void xsort_close(struct xsort *s);
size_t xsort_bytes(const struct xsort *s);

#endif
