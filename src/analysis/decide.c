/*
 * decide.c - host consistency, ambiguity, one-to-one assignment (decide.h).
 *
 * Memory: a host table (72 bytes a host, side tables for what few hosts
 * have), one 4-byte host index per attempt id, one 12-byte entry per
 * (IPv6 host, IPv4 host) pair that meets more than once (freed once the
 * decisions are taken), the eligible candidates of the greedy pass (a
 * compact record each) and two bits per attempt id.  Every candidate is
 * held only in a temporary file, and so is every meeting of two hosts:
 * the meetings go to one of PARTS partitions by a hash of the pair
 * and are counted after the pass one partition at a time (count_pairs),
 * so that only the few pairs that meet again stay in memory.
 */
#include "analysis/decide.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr/classify.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/sort.h"
#include "util/spill.h"
#include "util/strpool.h"

int decide_host_points(const struct assoc_params *p, uint64_t co, uint64_t n6, uint64_t n4)
{
	uint64_t n = n6 > n4 ? n6 : n4;
	if (n >= 2 && co >= 2) {
		if (co > n)
			co = n;
		double share = (double)(co - 1) / (double)(n - 1);
		return (int)lround((double)p->host_weight * share * share);
	}
	if (n6 >= 3 && co == 1)
		return -p->host_weight / 2;
	return 0;
}

/* A host during the pass: its address and attempt count, all that
 * enrichment and the decisions need (24 bytes) */
struct host {
	struct addr a;
	uint32_t n;                 /* attempts */
};
_Static_assert(sizeof(struct host) == 24, "struct host: 24 bytes");

/* The rest of a host's row (times, SYNs, fingerprint labels) is added up
 * from a record per attempt, which the pass writes to a temporary file
 * by host partition (index mod 64), a partition at a time after the
 * pass (hosts_out).  A host row is 64 bytes: what most hosts need is
 * inline; the rest lives in side tables (further fingerprint labels,
 * enrichment; the listings are decider_hosts' own); the embedded IPv4 of
 * an IPv6 address is made from it when it is written (host_emb) */
struct host_row {
	int64_t first_ns, last_ns;
	struct addr a;
	uint16_t os, fam;           /* first label seen, id + 1; 0 = none */
	uint32_t n;                 /* attempts */
	uint32_t syns;
	uint32_t os_n, fam_n;       /* its count */
	uint32_t more;              /* index + 1 into more: further labels */
};
_Static_assert(sizeof(struct host_row) == 64, "struct host_row: 64 bytes");

/* an attempt's part of its host row */
struct host_rec {
	int64_t first_ns, last_ns;
	uint32_t h;                 /* host index */
	uint32_t syns;
	uint16_t os, fam;           /* label ids + 1; 0 = none */
};
_Static_assert(sizeof(struct host_rec) == 32, "struct host_rec: 32 bytes");

/* the host records a partition buffers before they go to the file (64 x
 * 32 KB of buffers) */
#define REC_BLOCK 1024

/* host_emb - the embedding kind's name of address a (NULL: none) and its
 * IPv4 as text into emb4 */
static const char *host_emb(const struct addr *a, char emb4[ADDR_STRLEN])
{
	struct addr e;
	int kind = assoc_emb_embedded(a, &e);
	if (!kind)
		return NULL;
	addr_format(&e, emb4);
	return assoc_emb_name(kind);
}

/* further labels of a host, a list through next (index + 1) */
struct label_more {
	uint32_t next;
	uint32_t n;
	uint16_t id;                /* label id + 1 */
	uint8_t fam;                /* 0: os label, 1: os family */
};

/* enrichment match keys of a host (decider_enrich) */
struct host_enrich {
	uint32_t asn;               /* 0: none */
	char *ptr, *domain;         /* NULL: none */
};

/* a host pair that met: host indexes + 1 (h6 = 0: empty slot) and how
 * many distinct IPv6 attempts did (saturating).  12 bytes: an IPv6
 * attempt's candidates arrive together (assoc.h), so "the same attempt
 * again" is told by the keys of its batch (decider.cur), not by an
 * attempt id kept in every pair */
struct pair {
	uint32_t h6, h4;
	uint32_t co;
};
#define PAIR_CO_MAX ((UINT32_C(1) << 24) - 1)

/* the partitions of a temporary file (the meetings, by pair; the host
 * records, by host), and the keys a meetings' partition buffers before
 * they go to the file as one block (64 x 32 KB of buffers) */
#define PARTS 64
#define PAIR_BLOCK 4096

/* a block of one partition's records in a temporary file */
struct block {
	off_t off;
	uint32_t part, n;
};

/* struct parted - a temporary file of fixed-size records in PARTS
 * partitions: each buffers `per` records and writes them as one block,
 * so a partition is read back alone (its blocks, in file order) */
struct parted {
	FILE *f;
	const char *what;           /* for errors: "pair", "host" */
	size_t size;                /* bytes a record */
	uint32_t per;               /* records a block */
	unsigned char *buf[PARTS];  /* each partition's records not yet written */
	uint32_t nbuf[PARTS];
	uint64_t total[PARTS];      /* records per partition */
	struct block *blocks;       /* where they went, in file order */
	size_t nblocks, bcap;
};

/* read_at - n items of size sz at off of file f into buf */
static int read_at(FILE *f, void *buf, size_t n, size_t sz, off_t off, const char *what)
{
	size_t want = n * sz;
	ssize_t got = pread(fileno(f), buf, want, off);
	if (got < 0 || (size_t)got != want)
		return error("temporary %s file: %s", what, got < 0 ? strerror(errno) : "short read");
	return 0;
}

/* parted_block_out - partition part's buffered records to the file */
static int parted_block_out(struct parted *t, unsigned part)
{
	uint32_t n = t->nbuf[part];
	if (!n)
		return 0;
	off_t off = ftello(t->f);
	if (off < 0 || fwrite_unlocked(t->buf[part], t->size, n, t->f) != n)
		return error("temporary %s file: %s", t->what, strerror(errno));
	GROW(t->blocks, t->nblocks + 1, t->bcap);
	t->blocks[t->nblocks++] = (struct block){ off, part, n };
	t->nbuf[part] = 0;
	return 0;
}

/* parted_add - record r (t->size bytes) to partition part */
static int parted_add(struct parted *t, unsigned part, const void *r)
{
	if (!t->buf[part])
		t->buf[part] = xreallocarray(NULL, t->per, t->size);
	memcpy(t->buf[part] + (size_t)t->nbuf[part]++ * t->size, r, t->size);
	t->total[part]++;
	return t->nbuf[part] == t->per ? parted_block_out(t, part) : 0;
}

/* parted_flush - every buffer to the file, the buffers freed: the file
 * is complete for reading */
static int parted_flush(struct parted *t)
{
	for (unsigned j = 0; j < PARTS; j++) {
		if (parted_block_out(t, j) < 0)
			return -1;
		free(t->buf[j]);
		t->buf[j] = NULL;
	}
	if (fflush(t->f) != 0)
		return error("temporary %s file: %s", t->what, strerror(errno));
	return 0;
}

/* parted_close - the file closed (its disk space back) and the block list freed */
static void parted_close(struct parted *t)
{
	if (t->f)
		fclose(t->f);
	t->f = NULL;
	for (unsigned j = 0; j < PARTS; j++) {
		free(t->buf[j]);
		t->buf[j] = NULL;
	}
	free(t->blocks);
	t->blocks = NULL;
	t->nblocks = t->bcap = 0;
}

static size_t parted_bytes(const struct parted *t)
{
	size_t b = t->bcap * sizeof *t->blocks;
	for (unsigned j = 0; j < PARTS; j++)
		if (t->buf[j])
			b += t->per * t->size;
	return b;
}

/* an eligible candidate, in the greedy order's terms ((a6, a4) is
 * unique: an IPv6 attempt's candidates are distinct IPv4 attempts); the
 * pairs the greedy pass takes stay in the same array, moved to its front.
 * 20 bytes (on 10M SYNs, 2M of them were the decisions' largest array):
 * attempt ids of one run fit 32 bits (decider_attempt); the time gap
 * (below 2^48 ns, 78 hours: the association window is at most an hour)
 * and the port distance (16 bits) share 64 bits, kept as two halves so
 * that the record needs no 8-byte alignment. */
struct elig {
	int total;
	uint32_t a4, a6;
	uint32_t gp[2];             /* |gap| << 16 | |port distance|: low, high half */
};
_Static_assert(sizeof(struct elig) == 20, "struct elig: 20 bytes");

/* gap48 - a time gap as the greedy order sees it: at most 2^48 - 1 ns
 * (only an attempt whose SYNs went on for days has a longer one; those
 * rank as equals by gap) */
static uint64_t gap48(uint64_t gap)
{
	const uint64_t gap_max = (UINT64_C(1) << 48) - 1;
	return gap < gap_max ? gap : gap_max;
}

static struct elig elig_make(int total, uint64_t gap, uint32_t port, uint64_t a4, uint64_t a6)
{
	uint64_t gp = gap48(gap) << 16 | (port & 0xffff);
	return (struct elig){ total, (uint32_t)a4, (uint32_t)a6, { (uint32_t)gp, (uint32_t)(gp >> 32) } };
}

static uint64_t elig_gap(const struct elig *e)
{
	return ((uint64_t)e->gp[1] << 32 | e->gp[0]) >> 16;
}

static uint32_t elig_port(const struct elig *e)
{
	return e->gp[0] & 0xffff;
}

/* progress lines every 2^18 rows written (util/log.h) */
#define PROGRESS_EVERY 0x3ffff

struct decider {
	struct assoc_params p;
	bool drop_lost;             /* decider_keep_lost(d, false) */
	FILE *spill;                /* the candidates, as the pass made them */
	FILE *att_spill;            /* the attempts, written with their partners */
	struct parted pairs;        /* pair keys, one per IPv6 attempt and host met */
	uint64_t ncand, natt, nkeys;
	struct host *hosts;         /* NULL from decider_run on: in host_spill */
	size_t nhosts, hcap;
	FILE *host_spill;           /* host rows by index, from decider_run on (hosts_out) */
	struct parted recs;         /* host_recs, by host */
	uint32_t *hn;               /* attempts per host, meanwhile */
	uint32_t *htab;             /* host index + 1; 0 = empty */
	size_t hsize;               /* slots, a power of two */
	uint32_t *att_host;         /* attempt id -> host index + 1 */
	size_t acap;
	uint64_t max_id;
	struct pair *ptab;          /* pairs that met twice or more (count_pairs) */
	size_t pn, psize;
	uint64_t cur_a6;            /* the IPv6 attempt whose candidates arrive */
	uint64_t *cur;              /* the pair keys it met so far */
	size_t ncur, curcap;
	struct label_more *more;
	size_t nmore, morecap;
	const char **labels;        /* fingerprint labels by id (strings of the fp db) */
	size_t nlabels, lcap;
	const char **lptr;          /* label pointer -> id cache: open addressing */
	uint16_t *lid;
	size_t lsize, lused;
	struct strpool strs;        /* DNSBL list strings (decider_hosts), each once */
	struct host_enrich *en;     /* per host, when enriched */
	struct decide_enrich_points ep;
	struct elig *ch;          /* the pairs taken, by a6 (decider_run) */
	size_t nch;
};

struct decider *decider_new(const struct assoc_params *p, char *err, size_t errlen)
{
	FILE *f = spill_open("cand", err, errlen), *fa = f ? spill_open("att", err, errlen) : NULL;
	FILE *fp = fa ? spill_open("pair", err, errlen) : NULL;
	FILE *fr = fp ? spill_open("hrec", err, errlen) : NULL;
	if (!fr) {
		if (f)
			fclose(f);
		if (fa)
			fclose(fa);
		if (fp)
			fclose(fp);
		return NULL;
	}
	struct decider *d = xcalloc(1, sizeof *d);
	d->p = *p;
	d->spill = f;
	d->att_spill = fa;
	d->pairs = (struct parted){ .f = fp, .what = "pair", .size = sizeof(uint64_t),
				    .per = PAIR_BLOCK };
	d->recs = (struct parted){ .f = fr, .what = "host", .size = sizeof(struct host_rec),
				   .per = REC_BLOCK };
	d->hsize = 1024;
	d->htab = xcalloc(d->hsize, sizeof *d->htab);
	d->lsize = 64;
	d->lptr = xcalloc(d->lsize, sizeof *d->lptr);
	d->lid = xcalloc(d->lsize, sizeof *d->lid);
	return d;
}

static uint64_t addr_hash(const struct addr *a)
{
	return hash_bytes(a, sizeof *a);
}

/* host_find - index of a's host, or -1; *slot: where it is or would go */
static long host_find(const struct decider *d, const struct addr *a, size_t *slot)
{
	if (!d->htab)
		BUG("host look-up while the address table is dropped");
	size_t mask = d->hsize - 1, i = (size_t)addr_hash(a) & mask;
	while (d->htab[i]) {
		const struct host *h = &d->hosts[d->htab[i] - 1];
		if (addr_eq(&h->a, a)) {
			*slot = i;
			return (long)(d->htab[i] - 1);
		}
		i = (i + 1) & mask;
	}
	*slot = i;
	return -1;
}

/* host_index - the address table over the hosts, in n slots (a power
 * of two, more than twice the hosts) */
static void host_index(struct decider *d, size_t n)
{
	uint32_t *t = xcalloc(n, sizeof *t);
	for (size_t k = 0; k < d->nhosts; k++)
		t[hash_slot_free(t, n, addr_hash(&d->hosts[k].a))] = (uint32_t)k + 1;
	free(d->htab);
	d->htab = t;
	d->hsize = n;
}

static void host_grow(struct decider *d)
{
	host_index(d, d->hsize * 2);
}

/* host_of - a's host index, added when new */
static uint32_t host_of(struct decider *d, const struct addr *a)
{
	size_t slot;
	long k = host_find(d, a, &slot);
	if (k >= 0)
		return (uint32_t)k;
	if ((d->nhosts + 1) * 2 > d->hsize) {
		host_grow(d);
		host_find(d, a, &slot);
	}
	if (d->nhosts >= UINT32_MAX - 1)
		BUG("too many hosts");
	GROW(d->hosts, d->nhosts + 1, d->hcap);
	memset(&d->hosts[d->nhosts], 0, sizeof d->hosts[0]);
	d->hosts[d->nhosts].a = *a;
	d->htab[slot] = (uint32_t)d->nhosts + 1;
	return (uint32_t)d->nhosts++;
}

/* label_id - id + 1 of label s; labels equal as text share an id */
static uint16_t label_id(struct decider *d, const char *s)
{
	if (!s)
		return 0;
	size_t mask = d->lsize - 1, i = (size_t)hash_u64((uint64_t)(uintptr_t)s) & mask;
	while (d->lptr[i]) {
		if (d->lptr[i] == s)
			return d->lid[i];
		i = (i + 1) & mask;
	}
	uint16_t id = 0;
	for (size_t k = 0; k < d->nlabels && !id; k++)
		if (!strcmp(d->labels[k], s))
			id = (uint16_t)(k + 1);
	if (!id) {
		if (d->nlabels >= UINT16_MAX - 1)
			return 0;   /* more distinct labels than any database has */
		GROW(d->labels, d->nlabels + 1, d->lcap);
		d->labels[d->nlabels++] = s;
		id = (uint16_t)d->nlabels;
	}
	if ((d->lused + 1) * 2 > d->lsize) {
		/* a new table twice the size; the cache is rebuilt as pointers come */
		free(d->lptr);
		free(d->lid);
		d->lsize *= 2;
		d->lptr = xcalloc(d->lsize, sizeof *d->lptr);
		d->lid = xcalloc(d->lsize, sizeof *d->lid);
		d->lused = 0;
		mask = d->lsize - 1;
		i = (size_t)hash_u64((uint64_t)(uintptr_t)s) & mask;
	}
	d->lptr[i] = s;
	d->lid[i] = id;
	d->lused++;
	return id;
}

/* count_label - one more attempt of host x with label id (0: none) */
static void count_label(struct decider *d, struct host_row *x, bool fam, uint16_t id)
{
	uint16_t *first = fam ? &x->fam : &x->os;
	uint32_t *n = fam ? &x->fam_n : &x->os_n;
	if (!id)
		return;
	if (!*first || *first == id) {
		*first = id;
		(*n)++;
		return;
	}
	uint32_t *link = &x->more;
	while (*link) {
		struct label_more *m = &d->more[*link - 1];
		if (m->fam == fam && m->id == id) {
			m->n++;
			return;
		}
		link = &m->next;
	}
	if (d->nmore >= UINT32_MAX - 1)
		return;
	GROW(d->more, d->nmore + 1, d->morecap);
	d->more[d->nmore] = (struct label_more){ 0, 1, id, fam };
	*link = (uint32_t)++d->nmore;
}

/* top_label - the most frequent label of a kind, the lowest of those tied */
static const char *top_label(const struct decider *d, const struct host_row *x, bool fam)
{
	uint16_t best = fam ? x->fam : x->os;
	uint32_t bn = fam ? x->fam_n : x->os_n;
	if (!best)
		return NULL;
	for (uint32_t k = x->more; k; k = d->more[k - 1].next) {
		const struct label_more *m = &d->more[k - 1];
		if (m->fam != fam)
			continue;
		if (m->n > bn || (m->n == bn && strcmp(d->labels[m->id - 1], d->labels[best - 1]) < 0)) {
			best = m->id;
			bn = m->n;
		}
	}
	return d->labels[best - 1];
}

int decider_attempt(struct decider *d, const struct attempt *a)
{
	struct attempt w = *a;
	w.ehlo = NULL;   /* not stored; its log is gone by the time rows are written */
	if (fwrite_unlocked(&w, sizeof w, 1, d->att_spill) != 1)
		return error("temporary attempt file: %s", strerror(errno));
	d->natt++;
	uint32_t h = host_of(d, &a->src);
	d->hosts[h].n++;
	struct host_rec r = { a->first_ns, a->last_ns, h, a->syns, label_id(d, a->os),
			      label_id(d, a->os_family) };
	if (parted_add(&d->recs, h % PARTS, &r) < 0)
		return -1;
	if (a->id >= UINT32_MAX)
		return error("more than %lu attempts in one run: analyze fewer captures at a time",
			     (unsigned long)UINT32_MAX - 1);
	if (a->id >= d->acap) {
		size_t cap = d->acap ? d->acap : 4096;
		while (cap <= a->id)
			cap *= 2;
		/* a zeroed array and a copy, not realloc and memset: the part
		 * no id has reached yet stays untouched, so not resident
		 * (on 4.9M attempts, 20 MB of the 32 MB the capacity holds) */
		uint32_t *t = xcalloc(cap, sizeof *t);
		if (d->acap)
			memcpy(t, d->att_host, d->acap * sizeof *t);
		free(d->att_host);
		d->att_host = t;
		d->acap = cap;
	}
	d->att_host[a->id] = h + 1;
	if (a->id > d->max_id)
		d->max_id = a->id;
	return 0;
}

/* host_at - host index of attempt id (which decider_attempt saw) */
static uint32_t host_at(const struct decider *d, uint64_t id)
{
	if (id >= d->acap || !d->att_host[id])
		BUG("candidate names unknown attempt %llu", (unsigned long long)id);
	return d->att_host[id] - 1;
}

static uint64_t pair_key(uint32_t h6, uint32_t h4)
{
	return ((uint64_t)h6 + 1) << 32 | ((uint64_t)h4 + 1);
}

/* pair_entry_key - the key of a table entry (it holds the halves + 1) */
static uint64_t pair_entry_key(const struct pair *e)
{
	return (uint64_t)e->h6 << 32 | e->h4;
}

static struct pair *pair_slot(struct pair *t, size_t size, uint64_t key)
{
	size_t mask = size - 1, i = (size_t)hash_u64(key) & mask;
	uint32_t h6 = (uint32_t)(key >> 32), h4 = (uint32_t)key;
	while (t[i].h6 && (t[i].h6 != h6 || t[i].h4 != h4))
		i = (i + 1) & mask;
	return &t[i];
}

int decider_cand(struct decider *d, const struct assoc_cand *c)
{
	if (fwrite_unlocked(c, sizeof *c, 1, d->spill) != 1)
		return error("temporary candidate file: %s", strerror(errno));
	d->ncand++;
	uint64_t key = pair_key(host_at(d, c->a6), host_at(d, c->a4));
	if (d->ncur == 0 || c->a6 != d->cur_a6) {
		d->cur_a6 = c->a6;
		d->ncur = 0;
	}
	for (size_t i = 0; i < d->ncur; i++)
		if (d->cur[i] == key)
			return 0;   /* another IPv4 attempt of the same host: one meeting */
	GROW(d->cur, d->ncur + 1, d->curcap);
	d->cur[d->ncur++] = key;
	/* the partition from the hash's high bits, a table slot (pair_slot)
	 * from its low ones */
	unsigned part = (unsigned)(hash_u64(key) >> 58);
	_Static_assert(PARTS == 64, "6 bits of partition");
	d->nkeys++;
	return parted_add(&d->pairs, part, &key);
}

/* pair_add - one more meeting of key in table t (room is the caller's) */
static struct pair *pair_add(struct pair *t, size_t size, size_t *n, uint64_t key,
			     uint32_t co)
{
	struct pair *e = pair_slot(t, size, key);
	if (!e->h6) {
		e->h6 = (uint32_t)(key >> 32);
		e->h4 = (uint32_t)key;
		(*n)++;
	}
	e->co = e->co + co < PAIR_CO_MAX ? e->co + co : PAIR_CO_MAX;
	return e;
}

/* pair_room - room in table *t (*size slots, n used) for one more pair */
static void pair_room(struct pair **t, size_t *size, size_t n)
{
	if ((n + 1) * 4 <= *size * 3)
		return;
	size_t ns = *size * 2, m = 0;
	struct pair *g = xcalloc(ns, sizeof *g);
	for (size_t j = 0; j < *size; j++)
		if ((*t)[j].h6)
			pair_add(g, ns, &m, pair_entry_key(&(*t)[j]), (*t)[j].co);
	free(*t);
	*t = g;
	*size = ns;
}

static size_t pow2_at_least(size_t n)
{
	size_t s = 16;
	while (s < n)
		s *= 2;
	return s;
}

/* count_pairs - the meetings in the pair file added up, into ptab those
 * of the pairs that met more than once (a pair not in it met once: every
 * candidate's pair met).  Most pairs meet once, so the partitions are
 * counted one at a time: the memory is one partition's table (a 64th of
 * the meetings) and the repeated pairs, however many pairs there are. */
static int count_pairs(struct decider *d)
{
	struct parted *pt = &d->pairs;
	if (parted_flush(pt) < 0)
		return -1;
	uint64_t most = 0;
	for (unsigned j = 0; j < PARTS; j++)
		if (pt->total[j] > most)
			most = pt->total[j];
	size_t tsize = pow2_at_least((size_t)most * 4 / 3 + 2);
	struct pair *t = xcalloc(tsize, sizeof *t);
	uint64_t *buf = xreallocarray(NULL, pt->per, sizeof *buf);
	d->psize = 16;
	d->pn = 0;
	d->ptab = xcalloc(d->psize, sizeof *d->ptab);
	int rc = 0;
	for (unsigned j = 0; j < PARTS && rc == 0; j++) {
		size_t tn = 0;
		for (size_t b = 0; b < pt->nblocks && rc == 0; b++) {
			const struct block *k = &pt->blocks[b];
			if (k->part != j)
				continue;
			/* pread: stdio would fill its whole buffer for each block */
			if ((rc = read_at(pt->f, buf, k->n, sizeof *buf, k->off, pt->what)) < 0)
				break;
			for (uint32_t i = 0; i < k->n; i++)
				pair_add(t, tsize, &tn, buf[i], 1);
		}
		for (size_t i = 0; i < tsize; i++)
			if (t[i].h6 && t[i].co >= 2) {
				pair_room(&d->ptab, &d->psize, d->pn);
				pair_add(d->ptab, d->psize, &d->pn, pair_entry_key(&t[i]), t[i].co);
			}
		memset(t, 0, tsize * sizeof *t);
	}
	debug("host pairs: %llu meetings in %zu blocks, the largest of %u partitions %llu;"
	      " %zu pairs met again", (unsigned long long)d->nkeys, pt->nblocks,
	      PARTS, (unsigned long long)most, d->pn);
	free(t);
	free(buf);
	parted_close(pt);   /* its disk space back */
	return rc;
}

void decider_pair_block_keys(struct decider *d, uint32_t keys)
{
	if (d->nkeys)
		BUG("decider_pair_block_keys after the first candidate");
	d->pairs.per = keys ? keys : PAIR_BLOCK;
}

/* --- enrichment --- */

struct enrich_load {
	struct decider *d;
	int err;
};

static int enrich_row(const char *addr, uint32_t match_asn, const char *match_ptr,
		      const char *match_domain, void *arg)
{
	struct enrich_load *l = arg;
	struct addr a;
	size_t slot;
	long k;
	if (addr_parse(addr, &a) < 0 || (k = host_find(l->d, &a, &slot)) < 0)
		return 0;   /* not a source of this run: no candidate names it */
	struct host_enrich *e = &l->d->en[k];
	e->asn = match_asn;
	free(e->ptr);
	free(e->domain);
	e->ptr = match_ptr && *match_ptr ? xstrdup(match_ptr) : NULL;
	e->domain = match_domain && *match_domain ? xstrdup(match_domain) : NULL;
	return 0;
}

int decider_enrich(struct decider *d, struct store *st, const struct decide_enrich_points *pts)
{
	struct enrich_load l = { d, 0 };
	if (!d->en)
		d->en = xcalloc(d->nhosts ? d->nhosts : 1, sizeof *d->en);
	if (store_each_enrich(st, enrich_row, &l) != 0)
		return -1;
	d->ep = *pts;
	return 0;
}

static bool same(const char *x, const char *y)
{
	return x && y && !strcmp(x, y);
}

/* --- the passes --- */

struct group {
	struct assoc_cand *c;
	int *total;
	size_t n, cap, ncap;
	bool ambiguous;
};

/* rank_before - x comes before y in the greedy order (total, |gap|,
 * |port|, a4) */
static bool rank_before(int xt, uint64_t xg, uint32_t xp, uint64_t x4,
			int yt, uint64_t yg, uint32_t yp, uint64_t y4)
{
	if (xt != yt)
		return xt > yt;
	if (xg != yg)
		return xg < yg;
	if (xp != yp)
		return xp < yp;
	return x4 < y4;
}

static uint64_t agap(const struct assoc_cand *c)
{
	return c->gap_ns < 0 ? (uint64_t)0 - (uint64_t)c->gap_ns : (uint64_t)c->gap_ns;
}

static uint32_t aport(const struct assoc_cand *c)
{
	return c->port_dist < 0 ? (uint32_t)0 - (uint32_t)c->port_dist : (uint32_t)c->port_dist;
}

/* score_group - host and enrichment points, totals and ambiguity of the
 * candidates of one IPv6 attempt */
static void score_group(const struct decider *d, struct group *g)
{
	const struct assoc_params *p = &d->p;
	long best = -1;
	for (size_t i = 0; i < g->n; i++) {
		struct assoc_cand *c = &g->c[i];
		uint32_t h6 = host_at(d, c->a6), h4 = host_at(d, c->a4);
		if (d->en) {
			const struct host_enrich *ex = &d->en[h6], *ey = &d->en[h4];
			int asn = ex->asn && ex->asn == ey->asn ? d->ep.asn : 0;
			int ptr = same(ex->ptr, ey->ptr) ? d->ep.ptr
				  : same(ex->domain, ey->domain) ? d->ep.domain : 0;
			c->score += asn + ptr - c->ev[EV_ASN] - c->ev[EV_PTR];
			c->ev[EV_ASN] = (int16_t)asn;
			c->ev[EV_PTR] = (int16_t)ptr;
		}
		const struct pair *e = pair_slot(d->ptab, d->psize, pair_key(h6, h4));
		int pts = decide_host_points(p, e->h6 ? e->co : 1, d->hn[h6], d->hn[h4]);
		c->ev[EV_HOST] = (int16_t)pts;
		g->total[i] = c->score + pts;
		if (best < 0 ||
		    rank_before(g->total[i], agap(c), aport(c), c->a4, g->total[best],
				agap(&g->c[best]), aport(&g->c[best]), g->c[best].a4))
			best = (long)i;
	}
	g->ambiguous = false;
	if (best < 0)
		return;
	uint32_t bh = host_at(d, g->c[best].a4);
	bool other = false;
	int ot = 0;
	for (size_t i = 0; i < g->n; i++)
		if (host_at(d, g->c[i].a4) != bh && (!other || g->total[i] > ot)) {
			ot = g->total[i];
			other = true;
		}
	g->ambiguous = other && g->total[best] - ot < p->margin;
}

static bool eligible(const struct assoc_params *p, const struct group *g, size_t i)
{
	return g->total[i] >= p->threshold && g->c[i].score >= p->min_evidence && !g->ambiguous;
}

/* each_group - read the temporary file from the start, one IPv6
 * attempt's candidates at a time, scored; fn returns 0 to go on */
typedef int (*group_fn)(struct decider *d, struct group *g, void *arg);

static int each_group(struct decider *d, group_fn fn, void *arg)
{
	if (fflush(d->spill) != 0 || fseek(d->spill, 0, SEEK_SET) != 0)
		return error("temporary candidate file: %s", strerror(errno));
	struct group g = { 0 };
	struct assoc_cand c;
	int rc = 0;
	for (uint64_t k = 0; k <= d->ncand && rc == 0; k++) {
		bool have = k < d->ncand;
		if (have && fread_unlocked(&c, sizeof c, 1, d->spill) != 1) {
			rc = error("temporary candidate file: %s",
				   ferror(d->spill) ? strerror(errno) : "short read");
			break;
		}
		if (g.n && (!have || c.a6 != g.c[0].a6)) {
			score_group(d, &g);
			rc = fn(d, &g, arg);
			g.n = 0;
		}
		if (!have)
			break;
		GROW(g.c, g.n + 1, g.cap);
		GROW(g.total, g.n + 1, g.ncap);
		g.c[g.n++] = c;
	}
	free(g.c);
	free(g.total);
	return rc;
}

struct elig_list {
	struct elig *e;
	size_t n, cap;
};

static int collect(struct decider *d, struct group *g, void *arg)
{
	struct elig_list *l = arg;
	for (size_t i = 0; i < g->n; i++) {
		if (!eligible(&d->p, g, i))
			continue;
		GROW(l->e, l->n + 1, l->cap);
		l->e[l->n++] = elig_make(g->total[i], agap(&g->c[i]), aport(&g->c[i]),
					 g->c[i].a4, g->c[i].a6);
	}
	return 0;
}

static int cmp_elig(const void *pa, const void *pb)
{
	const struct elig *x = pa, *y = pb;
	uint64_t xg = elig_gap(x), yg = elig_gap(y);
	uint32_t xp = elig_port(x), yp = elig_port(y);
	if (rank_before(x->total, xg, xp, x->a4, y->total, yg, yp, y->a4))
		return -1;
	if (rank_before(y->total, yg, yp, y->a4, x->total, xg, xp, x->a4))
		return 1;
	return x->a6 < y->a6 ? -1 : x->a6 > y->a6;
}

static int cmp_chosen(const void *pa, const void *pb)
{
	const struct elig *x = pa, *y = pb;
	return x->a6 < y->a6 ? -1 : x->a6 > y->a6;
}

struct label {
	struct store *st;
	const struct elig *ch;
	size_t nch;
	struct decide_stats *out;
};

static int label(struct decider *d, struct group *g, void *arg)
{
	struct label *l = arg;
	const struct assoc_params *p = &d->p;
	struct elig key = { .a6 = (uint32_t)g->c[0].a6 };
	const struct elig *ch = l->nch ? bsearch(&key, l->ch, l->nch, sizeof key, cmp_chosen)
					 : NULL;
	for (size_t i = 0; i < g->n; i++) {
		const struct assoc_cand *c = &g->c[i];
		const char *dec;
		if (ch && ch->a4 == c->a4)
			dec = "associated";
		else if (ch && rank_before(ch->total, elig_gap(ch), elig_port(ch), ch->a4,
					  g->total[i], gap48(agap(c)), aport(c), c->a4))
			dec = "lost";   /* its IPv6 attempt took a pair ranked before it */
		else if (g->total[i] < p->threshold || c->score < p->min_evidence)
			dec = "below-threshold";
		else if (g->ambiguous)
			dec = "ambiguous";
		else
			dec = "ipv4-taken";
		l->out->below += dec[0] == 'b';
		l->out->ambiguous += dec[0] == 'a' && dec[1] == 'm';
		l->out->taken += dec[0] == 'i';
		l->out->candidates++;
		if (dec[0] == 'l' && d->drop_lost)
			l->out->lost_unwritten++;
		else if (store_add_candidate(l->st, c, g->total[i], g->ambiguous, dec) < 0)
			return -1;
		if ((l->out->candidates & PROGRESS_EVERY) == 0 || l->out->candidates == d->ncand)
			progress_count("candidates written", l->out->candidates, d->ncand);
	}
	return 0;
}

static bool bit(const uint8_t *m, uint64_t i) { return m[i >> 3] & (1u << (i & 7)); }
static void set_bit(uint8_t *m, uint64_t i) { m[i >> 3] |= (uint8_t)(1u << (i & 7)); }

static const struct elig *by4_base;   /* what cmp_by_a4's indexes index */

static int cmp_by_a4(const void *pa, const void *pb)
{
	const struct elig *x = &by4_base[*(const uint32_t *)pa],
			  *y = &by4_base[*(const uint32_t *)pb];
	return x->a4 < y->a4 ? -1 : x->a4 > y->a4;
}

/* write_attempts - every attempt, in the order the pass closed them, with
 * its partner and the pair's total when it was taken (ch: by a6) */
static int write_attempts(struct decider *d, struct store *st, const struct elig *ch,
			  size_t nch)
{
	if (fflush(d->att_spill) != 0 || fseek(d->att_spill, 0, SEEK_SET) != 0)
		return error("temporary attempt file: %s", strerror(errno));
	/* the taken pairs by a4: their indexes (4 bytes each) in a4 order */
	if (nch >= UINT32_MAX)
		BUG("too many pairs");
	uint32_t *by4 = xreallocarray(NULL, nch + 1, sizeof *by4);
	for (size_t i = 0; i < nch; i++)
		by4[i] = (uint32_t)i;
	by4_base = ch;
	sort_inplace(by4, nch, sizeof *by4, cmp_by_a4);
	struct attempt a;
	int rc = 0;
	for (uint64_t k = 0; k < d->natt && rc == 0; k++) {
		if (fread_unlocked(&a, sizeof a, 1, d->att_spill) != 1) {
			rc = error("temporary attempt file: %s",
				   ferror(d->att_spill) ? strerror(errno) : "short read");
			break;
		}
		const struct elig *c = NULL;
		uint64_t partner = 0;
		if (nch && a.src.family == 6) {
			struct elig key = { .a6 = (uint32_t)a.id };
			if ((c = bsearch(&key, ch, nch, sizeof key, cmp_chosen)))
				partner = c->a4;
		} else if (nch) {
			/* a binary search over by4 for a4 = a.id */
			size_t lo = 0, hi = nch;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (ch[by4[mid]].a4 < a.id)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < nch && ch[by4[lo]].a4 == a.id) {
				c = &ch[by4[lo]];
				partner = c->a6;
			}
		}
		rc = store_add_attempt(st, &a, partner, c ? c->total : 0);
		if (((k + 1) & PROGRESS_EVERY) == 0 || k + 1 == d->natt)
			progress_count("attempts written", k + 1, d->natt);
	}
	free(by4);
	return rc;
}

/* add_rec - an attempt's record into its host's row */
static void add_rec(struct decider *d, struct host_row *x, const struct host_rec *r)
{
	if (!x->n) {
		x->first_ns = r->first_ns;
		x->last_ns = r->last_ns;
	}
	x->n++;
	if (r->first_ns < x->first_ns)
		x->first_ns = r->first_ns;
	if (r->last_ns > x->last_ns)
		x->last_ns = r->last_ns;
	x->syns = x->syns + r->syns < x->syns ? UINT32_MAX : x->syns + r->syns;
	count_label(d, x, false, r->os);
	count_label(d, x, true, r->fam);
}

/* add_up - partition j's host rows (hosts j, j + 64, ...: row i / 64 of
 * host i) from its records, appended to the record file; *at: where */
static int add_up(struct decider *d, unsigned j, struct host_row *rows, struct host_rec *buf,
		  off_t *at)
{
	const struct parted *rt = &d->recs;
	size_t np = j < d->nhosts ? (d->nhosts - 1 - j) / PARTS + 1 : 0;
	memset(rows, 0, np * sizeof *rows);
	for (size_t b = 0; b < rt->nblocks; b++) {
		const struct block *k = &rt->blocks[b];
		if (k->part != j)
			continue;
		if (read_at(rt->f, buf, k->n, sizeof *buf, k->off, rt->what) < 0)
			return -1;
		for (uint32_t i = 0; i < k->n; i++)
			add_rec(d, &rows[buf[i].h / PARTS], &buf[i]);
	}
	*at = ftello(rt->f);
	if (*at < 0 || fwrite_unlocked(rows, sizeof *rows, np, rt->f) != np)
		return error("temporary host file: %s", strerror(errno));
	return 0;
}

/* a partition's rows, read in index order */
#define ROW_READ 256
struct row_cursor {
	off_t off;
	size_t i, n;
	struct host_row v[ROW_READ];
};

/* hosts_out - after the pass: every host's row added up from its
 * attempts' records, a partition at a time (the memory of a 64th of the
 * rows), then written with its address in index order to a temporary
 * file, from which decider_hosts reads them.  The decisions keep only
 * each host's attempt count (hn): on 10M SYNs, 1.7M hosts, the pass held
 * 24 bytes a host instead of 64, the decisions 4. */
static int hosts_out(struct decider *d)
{
	if (parted_flush(&d->recs) < 0)
		return -1;
	if (fseeko(d->recs.f, 0, SEEK_END) != 0)
		return error("temporary host file: %s", strerror(errno));
	d->hn = xreallocarray(NULL, d->nhosts + 1, sizeof *d->hn);
	for (size_t i = 0; i < d->nhosts; i++)
		d->hn[i] = d->hosts[i].n;
	struct host_row *rows = xreallocarray(NULL, d->nhosts / PARTS + 1, sizeof *rows);
	struct host_rec *buf = xreallocarray(NULL, REC_BLOCK, sizeof *buf);
	struct row_cursor *cur = xcalloc(PARTS, sizeof *cur);
	int rc = 0;
	for (unsigned j = 0; j < PARTS && rc == 0; j++)
		rc = add_up(d, j, rows, buf, &cur[j].off);
	free(rows);
	free(buf);
	char err[512];
	if (rc == 0 && fflush(d->recs.f) != 0)
		rc = error("temporary host file: %s", strerror(errno));
	if (rc == 0 && !(d->host_spill = spill_open("host", err, sizeof err)))
		rc = error("%s", err);
	/* host i is the next row of partition i mod 64 */
	for (size_t i = 0; i < d->nhosts && rc == 0; i++) {
		struct row_cursor *c = &cur[i % PARTS];
		if (c->i == c->n) {
			size_t left = (d->nhosts - 1 - i) / PARTS + 1;
			c->n = left < ROW_READ ? left : ROW_READ;
			c->i = 0;
			if ((rc = read_at(d->recs.f, c->v, c->n, sizeof *c->v, c->off, "host")) < 0)
				break;
			c->off += (off_t)(c->n * sizeof *c->v);
		}
		struct host_row *x = &c->v[c->i++];
		if (x->n != d->hosts[i].n)
			BUG("host %zu: %u attempts, %u records", i, d->hosts[i].n, x->n);
		x->a = d->hosts[i].a;
		if (fwrite_unlocked(x, sizeof *x, 1, d->host_spill) != 1)
			rc = error("temporary host file: %s", strerror(errno));
	}
	free(cur);
	if (rc == 0 && d->host_spill && fflush(d->host_spill) != 0)
		rc = error("temporary host file: %s", strerror(errno));
	parted_close(&d->recs);   /* its disk space back */
	free(d->hosts);
	d->hosts = NULL;
	d->hcap = 0;
	malloc_trim(0);
	return rc;
}

/* a window of the temporary host file: cap rows from base on */
struct hostbuf {
	struct host_row *v;
	size_t base, n, cap;
};

/* host_read - row i of the temporary host file (hosts_out has run),
 * through b (b->cap rows at a time: many for a sequential read, one for
 * the look-ups in address order); NULL (reported) on a read error */
static const struct host_row *host_read(const struct decider *d, size_t i, struct hostbuf *b)
{
	if (i >= b->base && i < b->base + b->n)
		return &b->v[i - b->base];
	if (!b->v)
		b->v = xreallocarray(NULL, b->cap, sizeof *b->v);
	size_t n = d->nhosts - i < b->cap ? d->nhosts - i : b->cap;
	if (read_at(d->host_spill, b->v, n, sizeof *b->v, (off_t)(i * sizeof *b->v), "host") < 0)
		return NULL;
	b->base = i;
	b->n = n;
	return b->v;
}

/* host_addr - the address of host i: in memory during the pass, read
 * through b after it */
static const struct addr *host_addr(const struct decider *d, size_t i, struct hostbuf *b)
{
	if (d->hosts)
		return &d->hosts[i].a;
	const struct host_row *x = host_read(d, i, b);
	return x ? &x->a : NULL;
}

void decider_keep_lost(struct decider *d, bool keep)
{
	d->drop_lost = !keep;
}

int decider_run(struct decider *d, struct store *st, struct decide_stats *out)
{
	memset(out, 0, sizeof *out);
	/* no address is looked up in the table again (decider_hosts finds the
	 * listings in its address texts): 17 MB on 1.7M hosts */
	free(d->htab);
	d->htab = NULL;
	if (hosts_out(d) != 0 || count_pairs(d) != 0)
		return -1;
	malloc_trim(0);   /* the partitions' tables and buffers, freed in the heap */
	struct elig_list el = { 0 };
	if (each_group(d, collect, &el) != 0) {
		free(el.e);
		return -1;
	}
	debug("decisions: %zu eligible of %llu candidates", el.n, (unsigned long long)d->ncand);
	sort_inplace(el.e, el.n, sizeof *el.e, cmp_elig);
	size_t bytes = (size_t)(d->max_id / 8 + 1);
	uint8_t *taken6 = xcalloc(bytes, 1), *taken4 = xcalloc(bytes, 1);
	size_t nch = 0;
	for (size_t i = 0; i < el.n; i++) {
		const struct elig *e = &el.e[i];
		if (bit(taken6, e->a6) || bit(taken4, e->a4))
			continue;
		set_bit(taken6, e->a6);
		set_bit(taken4, e->a4);
		el.e[nch++] = *e;   /* nch <= i: the taken pairs to the front */
	}
	free(taken6);
	free(taken4);
	struct elig *ch = el.n ? xreallocarray(el.e, nch + 1, sizeof *ch) : el.e;
	malloc_trim(0);   /* the eligible ones not taken, back to the system */
	out->associated = nch;
	sort_inplace(ch, nch, sizeof *ch, cmp_chosen);
	struct label l = { st, ch, nch, out };
	int rc = each_group(d, label, &l);
	free(d->ptab);   /* the meetings are counted in: room for what follows */
	d->ptab = NULL;
	d->psize = d->pn = 0;
	if (rc == 0)
		rc = write_attempts(d, st, ch, nch);
	free(d->ch);
	d->ch = ch;      /* for decider_hosts */
	d->nch = nch;
	free(d->cur);
	d->cur = NULL;
	d->ncur = d->curcap = 0;
	return rc;
}

/* --- hosts --- */

/* a taken pair seen from one side: partners of a host */
struct side {
	uint32_t other;             /* the partner host */
	int total;
};

static int cmp_side(const void *pa, const void *pb)
{
	const struct side *x = pa, *y = pb;
	return x->other < y->other ? -1 : x->other > y->other;
}

/* one partner host in a host's list */
struct partner {
	const char *addr;
	uint64_t count;
	int max;
};

static int cmp_partner(const void *pa, const void *pb)
{
	const struct partner *x = pa, *y = pb;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->addr, y->addr);
}

/* the hosts' address texts: one arena, an offset per host */
struct texts {
	char *buf;
	uint32_t *off;
};

static const struct texts *sort_txt;

static const char *txt_of(const struct texts *t, uint32_t h)
{
	return t->buf + t->off[h];
}

static int cmp_host_txt(const void *pa, const void *pb)
{
	return strcmp(txt_of(sort_txt, *(const uint32_t *)pa), txt_of(sort_txt, *(const uint32_t *)pb));
}

/* host_texts - every host's address text into t (one arena) and the
 * host indexes in text order, as an index over addresses gives them;
 * NULL (reported) when the temporary host file cannot be read */
static uint32_t *host_texts(const struct decider *d, struct texts *t)
{
	if (d->nhosts >= UINT32_MAX / ADDR_STRLEN)
		BUG("too many hosts");
	/* the lengths first: the arena is allocated at its size, not at
	 * ADDR_STRLEN a host (on 1.7M hosts, 30 MB instead of 78) */
	t->off = xreallocarray(NULL, d->nhosts + 1, sizeof *t->off);
	t->buf = NULL;
	struct hostbuf hb = { .cap = 4096 };
	const struct addr *x;
	size_t used = 0;
	char tmp[ADDR_STRLEN];
	for (size_t i = 0; i < d->nhosts; i++) {
		if (!(x = host_addr(d, i, &hb)))
			goto fail;
		t->off[i] = (uint32_t)used;
		used += addr_format_n(x, tmp) + 1;
	}
	if (used > UINT32_MAX)
		BUG("host texts");
	t->buf = xmalloc(used + 1);
	uint32_t *order = xreallocarray(NULL, d->nhosts + 1, sizeof *order);
	for (size_t i = 0; i < d->nhosts; i++) {
		if (!(x = host_addr(d, i, &hb))) {
			free(order);
			goto fail;
		}
		size_t n = addr_format_n(x, t->buf + t->off[i]);
		t->buf[t->off[i] + n] = '\0';
		order[i] = (uint32_t)i;
	}
	free(hb.v);
	sort_txt = t;
	sort_inplace(order, d->nhosts, sizeof *order, cmp_host_txt);
	return order;
fail:
	free(hb.v);
	free(t->buf);
	free(t->off);
	t->buf = NULL;
	t->off = NULL;
	return NULL;
}

int decider_each_source(void *dp, store_source_fn fn, void *arg)
{
	const struct decider *d = dp;
	if (d->host_spill)
		BUG("decider_each_source after decider_run");
	struct texts t;
	uint32_t *order = host_texts(d, &t);
	if (!order)
		return -1;
	int rc = 0;
	for (size_t k = 0; k < d->nhosts && rc == 0; k++) {
		const struct host *x = &d->hosts[order[k]];
		char emb4[ADDR_STRLEN];
		const char *emb = host_emb(&x->a, emb4);
		rc = fn(txt_of(&t, order[k]), emb, emb ? emb4 : NULL, arg);
	}
	free(order);
	free(t.buf);
	free(t.off);
	return rc;
}

/* partners_text - "ADDR/COUNT/MAXTOTAL ..." of the sides [s, e), most
 * frequent first (then by address), into a new string */
static char *partners_text(const struct side *s, const struct side *e, const struct texts *t)
{
	struct partner *v = NULL;
	size_t n = 0, cap = 0;
	for (const struct side *k = s; k < e; k++) {
		const char *addr = txt_of(t, k->other);
		if (n && v[n - 1].addr == addr) {
			v[n - 1].count++;
			if (k->total > v[n - 1].max)
				v[n - 1].max = k->total;
			continue;
		}
		GROW(v, n + 1, cap);
		v[n++] = (struct partner){ addr, 1, k->total };
	}
	qsort(v, n, sizeof *v, cmp_partner);
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i].addr) + 2 * 21 + 3;
	char *out = xmalloc(len), *o = out;
	for (size_t i = 0; i < n; i++)
		o += snprintf(o, len - (size_t)(o - out), "%s%s/%llu/%d", i ? " " : "", v[i].addr,
			      (unsigned long long)v[i].count, v[i].max);
	*o = '\0';
	free(v);
	return out;
}

/* the listings (store_each_listed), looked up by address text in the
 * hosts' text order (a binary search: no table beside the texts); the
 * hosts themselves wait in the temporary file */
struct listing {
	struct decider *d;
	const struct texts *t;
	const uint32_t *order;      /* host indexes in text order */
	uint8_t *listed;            /* a bit per host */
	uint32_t *lists;            /* per host: index + 1 into d->strs; 0 = none */
};

/* listed_host - the host index of the listing of addr + 1 (IPv4 hosts
 * only; the text made canonical, as the hosts' own are), or 0 */
static uint32_t listed_host(const struct listing *l, const char *addr)
{
	struct addr a;
	char txt[ADDR_STRLEN];
	if (addr_parse(addr, &a) < 0 || a.family != 4)
		return 0;
	addr_format(&a, txt);
	size_t lo = 0, hi = l->d->nhosts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(txt_of(l->t, l->order[mid]), txt);
		if (c == 0)
			return l->order[mid] + 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int on_listed(const char *addr, const char *lists, void *arg)
{
	(void)lists;
	struct listing *l = arg;
	uint32_t h = listed_host(l, addr);
	if (h)
		set_bit(l->listed, h - 1);
	return 0;
}

static int on_lists(const char *addr, const char *lists, void *arg)
{
	struct listing *l = arg;
	uint32_t h = listed_host(l, addr);
	if (!h || !bit(l->listed, h - 1) || !lists)
		return 0;
	if (!l->lists)
		l->lists = xcalloc(l->d->nhosts + 1, sizeof *l->lists);
	if (!l->lists[h - 1])
		l->lists[h - 1] = strpool_id(&l->d->strs, lists) + 1;
	return 0;
}

int decider_hosts(struct decider *d, struct store *st, int64_t listing_window_ns,
		  struct decide_host_stats *hs)
{
	memset(hs, 0, sizeof *hs);
	/* both sides of every taken pair, grouped by host (sides of host i:
	 * [first[i], first[i + 1]), a counting sort) */
	size_t nsd = d->nch * 2;
	if (nsd >= UINT32_MAX)
		BUG("too many pairs");
	/* the taken pairs' attempts become their hosts, in place: the
	 * attempt index goes before the sides are made */
	for (size_t i = 0; i < d->nch; i++) {
		d->ch[i].a6 = host_at(d, d->ch[i].a6);
		d->ch[i].a4 = host_at(d, d->ch[i].a4);
	}
	free(d->att_host);
	d->att_host = NULL;
	d->acap = 0;
	free(d->hn);
	d->hn = NULL;
	uint32_t *first = xcalloc(d->nhosts + 2, sizeof *first);
	for (size_t i = 0; i < d->nch; i++) {
		first[d->ch[i].a6 + 2]++;
		first[d->ch[i].a4 + 2]++;
	}
	for (size_t i = 2; i < d->nhosts + 2; i++)
		first[i] += first[i - 1];
	struct side *sd = xreallocarray(NULL, nsd + 1, sizeof *sd);
	for (size_t i = 0; i < d->nch; i++) {
		uint32_t h6 = d->ch[i].a6, h4 = d->ch[i].a4;
		sd[first[h6 + 1]++] = (struct side){ h4, d->ch[i].total };
		sd[first[h4 + 1]++] = (struct side){ h6, d->ch[i].total };
	}
	/* from here on no taken pair: its memory goes back before the store
	 * sorts the listings and the texts are made */
	free(d->ch);
	d->ch = NULL;
	d->nch = 0;
	malloc_trim(0);
	/* the texts: for the rows' order, the partners' names and the
	 * listings' look-up */
	struct texts t;
	uint32_t *order = host_texts(d, &t);
	if (!order) {
		free(sd);
		free(first);
		return -1;
	}
	struct listing l = { d, &t, order, xcalloc(d->nhosts / 8 + 1, 1), NULL };
	int rc = store_each_listed(st, listing_window_ns, on_listed, on_lists, &l);
	/* a host's sides by partner, so that partners_text finds repeats
	 * side by side */
	for (size_t i = 0; i < d->nhosts && rc == 0; i++)
		if (first[i + 1] - first[i] > 1)
			qsort(sd + first[i], first[i + 1] - first[i], sizeof *sd, cmp_side);
	/* the hosts in address order: one read of the temporary file each */
	struct hostbuf hb = { .cap = 1 };
	for (size_t k = 0; k < d->nhosts && rc == 0; k++) {
		uint32_t i = order[k];
		const struct host_row *x = host_read(d, i, &hb);
		if (!x) {
			rc = -1;
			break;
		}
		bool x_listed = bit(l.listed, i);
		struct addr_class c;
		addr_classify(&x->a, &c);
		char emb4[ADDR_STRLEN];
		const char *emb = host_emb(&x->a, emb4);
		char *partners = first[i] < first[i + 1]
				 ? partners_text(sd + first[i], sd + first[i + 1], &t) : NULL;
		/* IPv4: spammer when listed; IPv6: associated when a partner
		 * is a listed IPv4 address */
		const char *label;
		hs->hosts[x->a.family == 6]++;
		if (x->a.family != 6) {
			label = x_listed ? "spammer" : "unlisted";
			hs->listed_v4 += x_listed;
		} else {
			bool listed = false;
			for (size_t k2 = first[i]; k2 < first[i + 1]; k2++)
				listed |= bit(l.listed, sd[k2].other);
			label = listed ? "associated" : partners ? "associated-unlisted"
								  : "unassociated";
			hs->v6_associated += listed;
			hs->v6_assoc_unlisted += !listed && partners;
			hs->v6_unassociated += !partners;
		}
		uint32_t lists = l.lists ? l.lists[i] : 0;
		struct store_host row = {
			.addr = txt_of(&t, i), .family = x->a.family,
			.addr_type = addr_scope_name(c.scope),
			.iid_class = c.iid != ADDR_IID_NONE ? addr_iid_name(c.iid) : NULL,
			.emb_kind = emb,
			.emb4 = emb ? emb4 : NULL,
			.first_ns = x->first_ns, .last_ns = x->last_ns,
			.attempts = x->n, .syns = x->syns,
			.os = top_label(d, x, false), .os_family = top_label(d, x, true),
			.partners = partners, .label = label,
			.listed = x_listed,
			.lists = lists ? strpool_get(&d->strs, lists - 1) : NULL,
		};
		rc = store_add_host(st, &row);
		free(partners);
		if (((k + 1) & PROGRESS_EVERY) == 0 || k + 1 == d->nhosts)
			progress_count("hosts written", k + 1, d->nhosts);
	}
	free(hb.v);
	free(l.listed);
	free(l.lists);
	free(first);
	free(sd);
	free(order);
	free(t.buf);
	free(t.off);
	return rc;
}

size_t decider_bytes(const struct decider *d)
{
	size_t b = d->hcap * sizeof *d->hosts + d->hsize * sizeof *d->htab +
		   (d->hn ? d->nhosts * sizeof *d->hn : 0) +
		   d->acap * sizeof *d->att_host + d->psize * sizeof *d->ptab +
		   d->morecap * sizeof *d->more;
	return b + parted_bytes(&d->pairs) + parted_bytes(&d->recs);
}

void decider_free(struct decider *d)
{
	if (!d)
		return;
	if (d->spill)
		fclose(d->spill);
	if (d->att_spill)
		fclose(d->att_spill);
	parted_close(&d->pairs);
	parted_close(&d->recs);
	if (d->host_spill)
		fclose(d->host_spill);
	free(d->hn);
	if (d->en)
		for (size_t i = 0; i < d->nhosts; i++) {
			free(d->en[i].ptr);
			free(d->en[i].domain);
		}
	strpool_free(&d->strs);
	free(d->en);
	free(d->hosts);
	free(d->htab);
	free(d->ch);
	free(d->att_host);
	free(d->ptab);
	free(d->cur);
	free(d->more);
	free(d->labels);
	free(d->lptr);
	free(d->lid);
	free(d);
}
