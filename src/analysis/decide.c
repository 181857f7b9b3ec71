/*
 * decide.c - host consistency, ambiguity, one-to-one assignment (decide.h).
 *
 * Memory: nothing here grows with the hosts or the candidates of a run
 * (two bits per attempt say which are taken).  Every record about a host goes to one
 * of 64 partitions of a temporary file by a hash of its address
 * (util/runs.h), and the work that needs a host's totals is done a
 * partition at a time, two at once on two threads (steps 1-3 below,
 * each_part): the memory is two 64ths of the hosts (their rows, the
 * pairs they meet in) and a few buffers per partition, however long the
 * capture; the pairs of a partition with more meetings than PAIR_BUDGET
 * are counted a slice at a time (count_pairs).
 *
 * The pass writes an attempt's record to its source's partition, a
 * candidate (with both attempts' sources) to its IPv6 source's and a
 * meeting of two hosts to the IPv4 host's.  After it:
 *  1. hosts_make adds up each host's row from its attempts' records and
 *     writes each partition's rows in address text order;
 *  2. count_pairs counts the meetings per host pair in each IPv4 host's
 *     partition, where that host's attempt count is, and passes the
 *     pairs that met twice or more to their IPv6 host's partition; with
 *     enrichment (decider_enrich: each host's match keys to its
 *     partition), each IPv4 host's keys go once to every partition of an
 *     IPv6 host it met (keys4_part);
 *  3. the candidates of each partition are scored with its hosts' counts,
 *     pairs and keys (an IPv6 attempt's candidates are together, and all in
 *     its source's partition); the eligible ones go to an external sort
 *     in the greedy order, what scoring added to each candidate to a
 *     file in the partition's order;
 *  4. the greedy pass takes pairs in that order (a bit per attempt id
 *     says which are taken) and sorts them by their IPv6 attempt's first
 *     candidate;
 *  5. the candidates are written in the pass' order, a merge of the
 *     partitions by sequence number, each labelled; the taken pairs make
 *     the attempts' partners (sorted by place in the attempt file) and
 *     the hosts' partners (to the IPv4 host's partition, where its
 *     listing is looked up for the IPv6 host's label);
 *  6. decider_hosts makes each partition's host rows and merges them in
 *     address text order.
 */
#include "analysis/decide.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr/classify.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/runs.h"
#include "util/sort.h"
#include "util/spill.h"
#include "util/wire.h"
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

#define PARTS RUNS_PARTS
_Static_assert(PARTS == 64, "6 bits of partition");

/* part_of - the partition of every record about host a */
static unsigned part_of(const struct addr *a)
{
	return (unsigned)(hash_bytes(a, sizeof *a) >> 58);
}

/* --- records --- */

/* an attempt's part of its host's row (packed in the host-record file:
 * hrec_enc) */
struct host_rec {
	int64_t first_ns, last_ns;
	uint32_t syns;
	uint16_t os, fam;           /* label ids + 1; 0 = none */
	struct addr a;
};

/* a host's row, added up from its attempts' records (hosts_make) */
struct host_row {
	int64_t first_ns, last_ns;
	uint32_t n, syns;           /* attempts, SYNs */
	uint16_t os, fam;           /* most frequent label of each kind, id + 1; 0 = none */
	struct addr a;
};

/* a host row with its address as text, whose order the host files and
 * the hosts table follow; the files do not keep the text (on 10M SYNs
 * 1.7M rows: 48 bytes each instead of 96), it is formatted again as they
 * are merged (host_txt_unpack) */
struct host_txt {
	struct host_row r;
	char txt[ADDR_STRLEN];
};

/* a candidate with what the decisions need of its two attempts */
struct cand {
	struct assoc_cand c;
	uint64_t seq;               /* its place in the pass' order */
	uint32_t pos6, pos4;        /* its attempts' places in the attempt file */
	struct addr a6, a4;         /* their sources */
};

/* the same as the decisions read it back from the candidates' file:
 * attempt ids fit 32 bits in a run (decider_attempt), an IPv6 attempt's
 * source is IPv6 and an IPv4 attempt's IPv4 */
struct cand_rec {
	uint64_t seq;
	int64_t gap_ns;
	uint32_t a6, a4, pos6, pos4;
	int32_t score, port_dist;
	uint8_t a6b[16], a4b[4];
	int16_t ev[EV_COUNT];
	uint8_t before;
};

/* cand_pack - candidate c, number seq of the pass, of attempts a6 and a4 */
static void cand_pack(struct cand_rec *r, const struct assoc_cand *c, uint64_t seq,
		      const struct attempt *a6, const struct attempt *a4)
{
	memset(r, 0, sizeof *r);
	r->seq = seq;
	r->gap_ns = c->gap_ns;
	r->a6 = (uint32_t)c->a6;
	r->a4 = (uint32_t)c->a4;
	r->pos6 = a6->pos;
	r->pos4 = a4->pos;
	r->score = c->score;
	r->port_dist = c->port_dist;
	memcpy(r->a6b, a6->src.b, 16);
	memcpy(r->a4b, a4->src.b, 4);
	memcpy(r->ev, c->ev, sizeof r->ev);
	r->before = c->before;
}

/*
 * A candidate in the candidates' file, packed against the one before it
 * in its block (parted_open_var): 25 bytes on average on the benchmark
 * traces instead of the 88 of struct cand_rec (on 10M SYNs the pass
 * writes 12.8M of them, 1.1 GB unpacked, the largest of its temporary
 * files; the run's temporary files peaked at 2.2 GB then, 1.4 GB after,
 * 1.2 GB since the host and score records are packed too and the host
 * files keep no text).
 *   flags         bit 0 before, bit 1 the same IPv6 attempt as the record
 *                 before (a6, pos6 and the source not repeated)
 *   seq           uvarint, the difference from the record before (0
 *                 before a block's first)
 *   a6, pos6      zigzag varints of a6 - the previous a6 and pos6 - a6,
 *   source        16 bytes (unless flag bit 1)
 *   a4, pos4      zigzag varints of a4 - a6 and pos4 - pos6; source 4 bytes
 *   gap_ns, score, port_dist   zigzag varints
 *   evidence      2 bytes: which of ev[] are non-zero (bit i: ev[i]),
 *                 then each of those as a zigzag varint
 * Differences are taken modulo 2^32 (2^64 for seq), so every value packs,
 * whatever the order.  CAND_PACK_MAX bounds a record.
 */
#define CAND_PACK_MAX (1 + 10 + 2 * 5 + 16 + 2 * 5 + 4 + 10 + 2 * 5 + 2 + EV_COUNT * 3)
#define CAND_BLOCK 16384   /* bytes a block of the candidates' file */
_Static_assert(EV_COUNT <= 16, "the evidence mask is 16 bits");

static uint8_t *put_uv(uint8_t *q, uint64_t v)
{
	while (v >= 0x80) {
		*q++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*q++ = (uint8_t)v;
	return q;
}

/* zigzag: small differences of either sign as small unsigned numbers */
static uint64_t zz64(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0); }
static int64_t unzz64(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }
static uint64_t zz32(uint32_t d) { return zz64((int32_t)d); }

static bool get_zz32(struct wire *w, uint32_t *d)
{
	uint64_t u;
	if (!wire_get_uvarint(w, &u) || u > UINT32_MAX)
		return false;
	*d = (uint32_t)unzz64(u);
	return true;
}

/* get_points - a flagged zigzag varint of points (int16_t) into *v
 * (0 when not flagged: a flagged one is never 0) */
static bool get_points(struct wire *w, bool flagged, int16_t *v)
{
	uint64_t u = 0;
	if (flagged && (!wire_get_uvarint(w, &u) || u == 0 || u > UINT16_MAX))
		return false;
	*v = (int16_t)unzz64(u);
	return true;
}

/* debug_packed - how many records of a packed temporary file took how
 * many bytes (analyze -v) */
static void debug_packed(const char *what, uint64_t n, off_t bytes)
{
	debug("%s: %llu in %.1f MB, %.1f bytes each", what, (unsigned long long)n, bytes / 1e6,
	      n ? (double)bytes / (double)n : 0.0);
}

/* cand_enc - r packed into q (CAND_PACK_MAX bytes), against prev (NULL:
 * the first of a block); its length */
static size_t cand_enc(uint8_t *q, const struct cand_rec *r, const struct cand_rec *prev)
{
	uint8_t *q0 = q;
	static const struct cand_rec none = { 0 };
	bool same6 = prev && prev->a6 == r->a6;
	if (!prev)
		prev = &none;
	*q++ = (uint8_t)((r->before ? 1 : 0) | (same6 ? 2 : 0));
	q = put_uv(q, r->seq - prev->seq);
	if (!same6) {
		q = put_uv(q, zz32(r->a6 - prev->a6));
		q = put_uv(q, zz32(r->pos6 - r->a6));
		memcpy(q, r->a6b, 16);
		q += 16;
	}
	q = put_uv(q, zz32(r->a4 - r->a6));
	q = put_uv(q, zz32(r->pos4 - r->pos6));
	memcpy(q, r->a4b, 4);
	q += 4;
	q = put_uv(q, zz64(r->gap_ns));
	q = put_uv(q, zz64(r->score));
	q = put_uv(q, zz64(r->port_dist));
	uint16_t mask = 0;
	for (unsigned i = 0; i < EV_COUNT; i++)
		if (r->ev[i])
			mask |= (uint16_t)(1u << i);
	*q++ = (uint8_t)mask;
	*q++ = (uint8_t)(mask >> 8);
	for (unsigned i = 0; i < EV_COUNT; i++)
		if (r->ev[i])
			q = put_uv(q, zz64(r->ev[i]));
	return (size_t)(q - q0);
}

/* cand_dec - the record packed at p (n bytes left in its block) into rec
 * (struct cand_rec), which holds the block's previous record unless fresh
 * (runs_unpack): the fields packed as differences are added to it in
 * place, and with flag bit 1 its IPv6 attempt stays; the bytes it took,
 * 0 when they do not make a record */
static size_t cand_dec(void *rec, const unsigned char *p, size_t n, bool fresh)
{
	struct cand_rec *r = rec;
	if (fresh)
		memset(r, 0, sizeof *r);
	struct wire w = wire_make(p, n);
	uint8_t flags, m[2];
	uint64_t u, gap, score, port;
	uint32_t da6, dpos6, da4, dpos4;
	if (!wire_get_u8(&w, &flags) || flags > 3 || (fresh && (flags & 2)) ||
	    !wire_get_uvarint(&w, &u))
		return 0;
	r->before = flags & 1;
	r->seq += u;
	if (!(flags & 2)) {
		if (!get_zz32(&w, &da6) || !get_zz32(&w, &dpos6) || !wire_get_bytes(&w, r->a6b, 16))
			return 0;
		r->a6 += da6;
		r->pos6 = r->a6 + dpos6;
	}
	if (!get_zz32(&w, &da4) || !get_zz32(&w, &dpos4) || !wire_get_bytes(&w, r->a4b, 4) ||
	    !wire_get_uvarint(&w, &gap) || !wire_get_uvarint(&w, &score) || score > UINT32_MAX ||
	    !wire_get_uvarint(&w, &port) || port > UINT32_MAX || !wire_get_bytes(&w, m, 2))
		return 0;
	r->a4 = r->a6 + da4;
	r->pos4 = r->pos6 + dpos4;
	r->gap_ns = unzz64(gap);
	r->score = (int32_t)unzz64(score);
	r->port_dist = (int32_t)unzz64(port);
	unsigned mask = (unsigned)m[0] | (unsigned)m[1] << 8;
	if (mask >> EV_COUNT)
		return 0;
	for (unsigned i = 0; i < EV_COUNT; i++)
		if (!get_points(&w, mask & (1u << i), &r->ev[i]))
			return 0;
	return n - wire_left(&w);
}

static void cand_unpack(struct cand *x, const struct cand_rec *r)
{
	memset(x, 0, sizeof *x);
	x->c.a6 = r->a6;
	x->c.a4 = r->a4;
	memcpy(x->c.ev, r->ev, sizeof r->ev);
	x->c.score = r->score;
	x->c.gap_ns = r->gap_ns;
	x->c.port_dist = r->port_dist;
	x->c.before = r->before;
	x->seq = r->seq;
	x->pos6 = r->pos6;
	x->pos4 = r->pos4;
	x->a6 = addr_from_v6(r->a6b);
	x->a4 = addr_from_v4(r->a4b);
}

/*
 * An attempt's host record in the host-record file, packed against the
 * record before it in its block (parted_open_var): 21 bytes on average on
 * the benchmark traces instead of the 48 of struct host_rec (on 10M SYNs
 * 4.9M records, 235 MB unpacked, in the files the run holds at its peak).
 *   family        1 byte, 4 or 6
 *   first_ns      zigzag varint of the difference from the record before
 *                 (from 0 at a block's first)
 *   last_ns       zigzag varint of last_ns - first_ns
 *   syns, os, fam uvarints
 *   address       4 or 16 bytes
 * Differences are taken modulo 2^64, so every time packs.
 */
#define HREC_PACK_MAX (1 + 10 + 10 + 5 + 3 + 3 + 16)
#define HREC_BLOCK 16384   /* bytes a block of the host-record file */

static uint64_t zzdiff(int64_t a, int64_t b)
{
	return zz64((int64_t)((uint64_t)a - (uint64_t)b));
}

static int64_t unzzsum(int64_t b, uint64_t u)
{
	return (int64_t)((uint64_t)b + (uint64_t)unzz64(u));
}

/* hrec_enc - r packed into q (HREC_PACK_MAX bytes) against the first_ns
 * of the block's record before (0 for its first); its length */
static size_t hrec_enc(uint8_t *q, const struct host_rec *r, int64_t prev_first)
{
	uint8_t *q0 = q;
	size_t n = r->a.family == 4 ? 4 : 16;
	*q++ = r->a.family;
	q = put_uv(q, zzdiff(r->first_ns, prev_first));
	q = put_uv(q, zzdiff(r->last_ns, r->first_ns));
	q = put_uv(q, r->syns);
	q = put_uv(q, r->os);
	q = put_uv(q, r->fam);
	memcpy(q, r->a.b, n);
	return (size_t)(q + n - q0);
}

/* hrec_dec - the record packed at p (n bytes left in its block) into rec
 * (struct host_rec), which holds the block's previous record unless fresh
 * (runs_unpack); the bytes it took, 0 when they do not make a record */
static size_t hrec_dec(void *rec, const unsigned char *p, size_t n, bool fresh)
{
	struct host_rec *r = rec;
	int64_t prev = fresh ? 0 : r->first_ns;
	struct wire w = wire_make(p, n);
	uint8_t fam;
	uint64_t first, span, syns, os, of;
	if (!wire_get_u8(&w, &fam) || (fam != 4 && fam != 6) || !wire_get_uvarint(&w, &first) ||
	    !wire_get_uvarint(&w, &span) || !wire_get_uvarint(&w, &syns) || syns > UINT32_MAX ||
	    !wire_get_uvarint(&w, &os) || os > UINT16_MAX || !wire_get_uvarint(&w, &of) ||
	    of > UINT16_MAX)
		return 0;
	memset(&r->a, 0, sizeof r->a);
	r->a.family = fam;
	if (!wire_get_bytes(&w, r->a.b, fam == 4 ? 4 : 16))
		return 0;
	r->first_ns = unzzsum(prev, first);
	r->last_ns = unzzsum(r->first_ns, span);
	r->syns = (uint32_t)syns;
	r->os = (uint16_t)os;
	r->fam = (uint16_t)of;
	return n - wire_left(&w);
}

/*
 * An attempt in the attempt file, packed: a length byte, then the fields
 * store_add_attempt writes, an address as its family and 4 or 16 bytes,
 * the options' layout as long as it is (192 bytes unpacked, about 90
 * packed; on 10M SYNs the pass writes 4.9M of them).  The id fits 32 bits
 * (attempt_in), the labels are the fingerprint's strings, which outlive
 * the run.  Not kept: the stack hash (association only), the EHLO name
 * (its log is gone when rows are written) and pos (the record's place).
 * Every packed byte stands for a byte of struct attempt (the id for 4 of
 * its 8, an address for at most its 17, a flag for has_ts), so a record
 * is never longer than the struct, and its length fits the byte.
 */
_Static_assert(sizeof(struct attempt) <= UINT8_MAX, "a packed attempt's length fits a byte");

#define ATT_FIELD(m) { offsetof(struct attempt, m), sizeof(((struct attempt *)0)->m) }
/* the fields kept as they are, in the record's order */
static const struct {
	size_t off, len;
} att_fields[] = {
	ATT_FIELD(sport), ATT_FIELD(dport), ATT_FIELD(first_ns), ATT_FIELD(last_ns),
	ATT_FIELD(syns), ATT_FIELD(ttl), ATT_FIELD(ittl), ATT_FIELD(win), ATT_FIELD(mss),
	ATT_FIELD(wscale), ATT_FIELD(eol_pad), ATT_FIELD(quirks), ATT_FIELD(os),
	ATT_FIELD(os_family),
};
#undef ATT_FIELD

static uint8_t *put(uint8_t *q, const void *v, size_t len)
{
	memcpy(q, v, len);
	return q + len;
}

static uint8_t *put_addr(uint8_t *q, const struct addr *a)
{
	*q++ = a->family;
	return a->family ? put(q, a->b, a->family == 4 ? 4 : 16) : q;
}

/* att_pack - a into buf (1 + sizeof(struct attempt) bytes); its length
 * with the length byte */
static size_t att_pack(uint8_t *buf, const struct attempt *a)
{
	uint32_t id = (uint32_t)a->id;
	uint8_t nopts = a->nopts < SYN_MAX_OPTS ? a->nopts : SYN_MAX_OPTS;
	uint8_t *q = put(buf + 1, &id, sizeof id);
	q = put_addr(q, &a->src);
	q = put_addr(q, &a->dst);
	for (size_t i = 0; i < sizeof att_fields / sizeof att_fields[0]; i++)
		q = put(q, (const char *)a + att_fields[i].off, att_fields[i].len);
	*q++ = a->has_ts;
	if (a->has_ts)
		q = put(q, &a->tsval, sizeof a->tsval);
	*q++ = a->emb_kind;
	if (a->emb_kind)
		q = put_addr(q, &a->emb4);
	*q++ = nopts;
	q = put(q, a->olayout, nopts);
	buf[0] = (uint8_t)(q - buf - 1);
	return (size_t)(q - buf);
}

static bool get_addr(struct wire *w, struct addr *a)
{
	memset(a, 0, sizeof *a);
	if (!wire_get_u8(w, &a->family))
		return false;
	return a->family == 0 ||
	       ((a->family == 4 || a->family == 6) &&
		wire_get_bytes(w, a->b, a->family == 4 ? 4 : 16));
}

/* att_unpack - the len bytes after a record's length byte into a (the
 * attempt at place pos); false when they do not make one record */
static bool att_unpack(struct attempt *a, const uint8_t *p, size_t len, uint32_t pos)
{
	struct wire w = wire_make(p, len);
	uint32_t id;
	uint8_t ts;
	memset(a, 0, sizeof *a);
	if (!wire_get_bytes(&w, &id, sizeof id) || !get_addr(&w, &a->src) ||
	    !get_addr(&w, &a->dst))
		return false;
	for (size_t i = 0; i < sizeof att_fields / sizeof att_fields[0]; i++)
		if (!wire_get_bytes(&w, (char *)a + att_fields[i].off, att_fields[i].len))
			return false;
	if (!wire_get_u8(&w, &ts) || (ts && !wire_get_bytes(&w, &a->tsval, sizeof a->tsval)) ||
	    !wire_get_u8(&w, &a->emb_kind) || (a->emb_kind && !get_addr(&w, &a->emb4)) ||
	    !wire_get_u8(&w, &a->nopts) || a->nopts > SYN_MAX_OPTS ||
	    !wire_get_bytes(&w, a->olayout, a->nopts))
		return false;
	a->id = id;
	a->has_ts = ts != 0;
	a->pos = pos;
	return wire_left(&w) == 0;
}

/* an IPv6 attempt of host a6 had a candidate of host a4 (once per
 * attempt and host: decider.cur); 20 bytes */
struct meet {
	uint8_t a6[16], a4[4];
};
_Static_assert(sizeof(struct meet) == 20, "struct meet: no padding");

static struct meet meet_of(const struct addr *a6, const struct addr *a4)
{
	struct meet m;
	memcpy(m.a6, a6->b, 16);
	memcpy(m.a4, a4->b, 4);
	return m;
}

/* a host pair in a counting table: co = 0 is an empty slot */
struct pair {
	struct meet k;
	uint32_t co;                /* IPv6 attempts that met (saturating) */
	uint32_t n4;                /* the IPv4 host's attempts */
};
#define PAIR_CO_MAX ((UINT32_C(1) << 24) - 1)
/* the meetings a worker counts at once (count_pairs): 28 bytes a pair and
 * a 4-byte index slot, some 9 MB */
#define PAIR_BUDGET (UINT32_C(1) << 18)

/* what scoring adds to a candidate (a file in its partition's order,
 * packed: score_enc) */
struct score_rec {
	int32_t total;
	int16_t host, asn, ptr;     /* EV_HOST, EV_ASN, EV_PTR */
	uint8_t ambiguous;
};

/*
 * A score record in the score files, packed on its own: 2-3 bytes on
 * the benchmark traces instead of 12 (on 10M SYNs 12.8M of them, 154 MB
 * unpacked, in the files the run holds at its peak since the host
 * records were packed).
 *   flags              bit 0 ambiguous; bits 1-3 host, asn, ptr non-zero
 *   total              zigzag varint
 *   host, asn, ptr     zigzag varints, those flagged
 */
#define SCORE_PACK_MAX (1 + 5 + 3 * 3)
#define SCORE_BLOCK 16384   /* bytes a block of a score file */

static size_t score_enc(uint8_t *q, const struct score_rec *s)
{
	uint8_t *q0 = q;
	*q++ = (uint8_t)((s->ambiguous ? 1 : 0) | (s->host ? 2 : 0) | (s->asn ? 4 : 0) |
			 (s->ptr ? 8 : 0));
	q = put_uv(q, zz64(s->total));
	if (s->host)
		q = put_uv(q, zz64(s->host));
	if (s->asn)
		q = put_uv(q, zz64(s->asn));
	if (s->ptr)
		q = put_uv(q, zz64(s->ptr));
	return (size_t)(q - q0);
}

/* score_dec - the record packed at p (n bytes left in its block) into
 * rec (struct score_rec; runs_unpack, whole in itself); the bytes it
 * took, 0 when they do not make a record */
static size_t score_dec(void *rec, const unsigned char *p, size_t n, bool fresh)
{
	(void)fresh;
	struct score_rec *s = rec;
	struct wire w = wire_make(p, n);
	uint8_t flags;
	uint64_t total;
	if (!wire_get_u8(&w, &flags) || flags > 15 || !wire_get_uvarint(&w, &total) ||
	    total > UINT32_MAX || !get_points(&w, flags & 2, &s->host) ||
	    !get_points(&w, flags & 4, &s->asn) || !get_points(&w, flags & 8, &s->ptr))
		return 0;
	s->total = (int32_t)unzz64(total);
	s->ambiguous = flags & 1;
	return n - wire_left(&w);
}

/* an eligible candidate, in the greedy order's terms ((a6, a4) is
 * unique: an IPv6 attempt's candidates are distinct IPv4 attempts);
 * attempt ids of one run fit 32 bits (decider_attempt); the time gap
 * (below 2^48 ns, 78 hours: the association window is at most an hour)
 * and the port distance (16 bits) share 64 bits, as two halves */
struct elig {
	uint64_t gseq;              /* its IPv6 attempt's first candidate */
	int32_t total;
	uint32_t a4, a6;
	uint32_t gp[2];             /* |gap| << 16 | |port distance|: low, high half */
};

/* a pair taken, for the labels of its IPv6 attempt's candidates */
struct chosen {
	uint64_t gseq;
	int32_t total;
	uint32_t a4;
	uint32_t gp[2];
};

/* an attempt's partner, by its place in the attempt file */
struct att_side {
	uint32_t pos, partner;
	int32_t total;
};

/* a taken pair seen from one of its hosts */
struct side {
	struct addr host, other;
	uint8_t listed;             /* other is a listed IPv4 host (IPv6 hosts' sides) */
	int32_t total;
};

/* an address the MTAs listed (lists = 0) or the lists of one (lists = 1) */
struct lrec {
	uint64_t seq;               /* the order store_each_listed gave */
	uint32_t strid;             /* lists: index into decider.strs */
	uint8_t lists;
	struct addr a;
};

/* a finished host row, waiting for the merge in text order (the text
 * formatted again then: out_txt_unpack) */
struct out_rec {
	struct host_row r;
	uint64_t poff;              /* its partners' text in the partners file */
	uint32_t plen;              /* 0: none */
	uint32_t lists;             /* index + 1 into decider.strs; 0 = none */
	uint8_t label, listed;
};

struct out_txt {
	struct out_rec o;
	char txt[ADDR_STRLEN];
};

/* gap48 - a time gap as the greedy order sees it: at most 2^48 - 1 ns
 * (only an attempt whose SYNs went on for days has a longer one; those
 * rank as equals by gap) */
static uint64_t gap48(uint64_t gap)
{
	const uint64_t gap_max = (UINT64_C(1) << 48) - 1;
	return gap < gap_max ? gap : gap_max;
}

static void gp_set(uint32_t gp[2], uint64_t gap, uint32_t port)
{
	uint64_t v = gap48(gap) << 16 | (port & 0xffff);
	gp[0] = (uint32_t)v;
	gp[1] = (uint32_t)(v >> 32);
}

static uint64_t gp_gap(const uint32_t gp[2])
{
	return ((uint64_t)gp[1] << 32 | gp[0]) >> 16;
}

static uint32_t gp_port(const uint32_t gp[2])
{
	return gp[0] & 0xffff;
}

/* since - seconds from *t to now; *t becomes now (for debug lines) */
static double since(struct timespec *t)
{
	struct timespec n;
	clock_gettime(CLOCK_MONOTONIC, &n);
	double s = (double)(n.tv_sec - t->tv_sec) + (double)(n.tv_nsec - t->tv_nsec) / 1e9;
	*t = n;
	return s;
}

/* progress lines every 2^18 rows written (util/log.h) */
#define PROGRESS_EVERY 0x3ffff

/* further labels of a host, a list through next (index + 1) */
struct label_more {
	uint32_t next;
	uint32_t n;
	uint16_t id;                /* label id + 1 */
	uint8_t fam;                /* 0: os label, 1: os family */
};

/* enrichment match keys of an address (decider_enrich), in its host's
 * partition.  The names are compared by a 64-bit hash of their text (0 =
 * none): a false match is a chance of about 2^-64 a pair, and a sender who
 * wants the same name on both families can simply set it. */
struct en_rec {
	struct addr a;
	uint32_t asn;               /* 0: none */
	uint64_t ptr, dom;
};

/* the same in the table of an IPv4 partition (pairs_part): the IPv6
 * partitions its keys were sent to, a bit each */
struct en_sent {
	struct en_rec r;
	uint64_t sent;
};

/* an IPv4 host's keys, sent to the partition of an IPv6 host it met */
struct a4key {
	uint8_t a4[4];
	uint32_t asn;
	uint64_t ptr, dom;          /* all three 0: an empty slot */
};

/* a worker's tables of one partition (a step's partitions' host rows,
 * their address table, ...), one buffer of each kind kept across the
 * partitions of a step and freed at its end (scratch_free).  Made and
 * freed a partition at a time, the tables (1-7 MB each on 10M SYNs) came
 * from glibc's heap once the first was freed, and the small allocations
 * made meanwhile (SQLite's pages) pinned the holes they left: one
 * binary's peak on the same 10M SYNs with --asn and --ptr-file went from
 * 52 to 67 MB between runs, its heap's peak 44 MB each time.  A buffer
 * that is only ever grown leaves no such holes and takes no new page
 * faults. */
enum { SC_HM_ROWS, SC_HM_TAB, SC_EN, SC_IDX, SC_K4, SC_RT, SC_LT, SC_SIDES, SC_ROWS,
       SC_ORDER, SC_KINDS };

struct scratch {
	void *p;
	size_t cap;                 /* bytes */
};

/* what one thread of the partitioned steps holds (each_part): worker w
 * takes the partitions j with j % 2 == w and writes only files of its own */
struct worker {
	unsigned w;
	struct scratch sc[SC_KINDS];
	struct hacc *acc;           /* a partition's hosts as they add up (make_part) */
	size_t acccap;
	struct label_more *more;    /* a partition's hosts' further labels */
	size_t nmore, morecap;
	uint32_t *tab;              /* a partition's address table (hosts_make) */
	size_t tsize;
	struct pair *v;             /* a partition's distinct pairs (count_pairs) */
	size_t vcap;
	uint64_t npairs, nkeys4;
};

struct decider {
	struct assoc_params p;
	bool drop_lost;             /* decider_keep_lost(d, false) */
	FILE *att_spill;            /* the attempts, in the order they closed */
	struct parted cands;        /* cand_rec packed (cand_enc), by the IPv6 source's partition */
	struct cand_rec prev6[PARTS]; /* each partition's last candidate: cand_enc's reference */
	struct parted recs;         /* host_rec packed (hrec_enc), by source */
	int64_t prev_first[PARTS];  /* each partition's last host record's first_ns: hrec_enc's */
	struct parted meets;        /* meet, by the IPv4 source's partition */
	struct parted reps[2];      /* pairs that met twice or more, by IPv6 host: a file per worker */
	struct parted keys4[2];     /* a4key, by the IPv6 host's partition: a file per worker */
	struct parted sides;        /* side, by the IPv4 host's partition */
	uint64_t ncand, natt, nkeys, max_id, nch;
	uint64_t cur_a6;            /* the IPv6 attempt whose candidates arrive ... */
	unsigned part6;             /* ... its source's partition */
	struct addr *cur;           /* ... and the IPv4 hosts it met so far */
	size_t ncur, curcap;
	FILE *host_f[2];            /* host rows: partition j at seg[j] of host_f[j % 2] */
	struct ext seg[PARTS];
	uint64_t nhosts;
	bool hosts_made, ran;
	bool failed;                /* a temporary file could not be written: said once */
	struct worker wk[2];        /* the threads of the partitioned steps (each_part) */
	const char **labels;        /* fingerprint labels by id (strings of the fp db) */
	size_t nlabels, lcap;
	const char **lptr;          /* label pointer -> id cache: open addressing */
	uint16_t *lid;
	size_t lsize, lused;
	struct strpool strs;        /* DNSBL lists, each once */
	struct parted en;           /* en_rec, by address, when decider_enrich ran */
	bool has_en;
	uint32_t pair_budget;       /* meetings counted at once (decider_pair_budget) */
	struct decide_enrich_points ep;
};

/* scratch - worker wk's buffer of kind k with room for n elements of
 * size bytes, zeroed when zero; else what it holds is left over from an
 * earlier partition (or nothing) and the caller writes before it reads */
static void *scratch(struct worker *wk, unsigned k, size_t n, size_t size, bool zero)
{
	struct scratch *b = &wk->sc[k];
	if (size && n > b->cap / size) {
		free(b->p);
		b->p = xreallocarray(NULL, n, size);   /* refuses an overflowing n * size */
		b->cap = n * size;
	}
	if (zero)
		memset(b->p, 0, n * size);
	return b->p;
}

/* scratch_free - worker wk's buffers back, at the end of a step */
static void scratch_free(struct worker *wk)
{
	for (unsigned k = 0; k < SC_KINDS; k++)
		free(wk->sc[k].p);
	memset(wk->sc, 0, sizeof wk->sc);
	free(wk->acc);
	wk->acc = NULL;
	wk->acccap = 0;
}

struct decider *decider_new(const struct assoc_params *p, char *err, size_t errlen)
{
	struct decider *d = xcalloc(1, sizeof *d);
	d->p = *p;
	d->wk[1].w = 1;
	d->pair_budget = PAIR_BUDGET;
	if (!(d->att_spill = spill_open("attempt", err, errlen)) ||
	    parted_open_var(&d->cands, "candidate", CAND_BLOCK, err, errlen) < 0 ||
	    parted_open_var(&d->recs, "host-record", HREC_BLOCK, err, errlen) < 0 ||
	    parted_open(&d->meets, "meeting", sizeof(struct meet), 1024, err, errlen) < 0) {
		decider_free(d);
		return NULL;
	}
	d->lsize = 64;
	d->lptr = xcalloc(d->lsize, sizeof *d->lptr);
	d->lid = xcalloc(d->lsize, sizeof *d->lid);
	return d;
}

void decider_pair_block_keys(struct decider *d, uint32_t keys)
{
	if (d->nkeys)
		BUG("decider_pair_block_keys after the first candidate");
	d->meets.per = keys ? keys : 1024;
}

void decider_pair_budget(struct decider *d, uint32_t meetings)
{
	d->pair_budget = meetings ? meetings : PAIR_BUDGET;
}

void decider_keep_lost(struct decider *d, bool keep)
{
	d->drop_lost = !keep;
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

static int attempt_in(struct decider *d, struct attempt *a)
{
	if (a->id >= UINT32_MAX || d->natt >= UINT32_MAX)
		return error("more than %lu attempts in one run: analyze fewer captures at a time",
			     (unsigned long)UINT32_MAX - 1);
	a->pos = (uint32_t)d->natt;
	uint8_t buf[1 + sizeof(struct attempt)];
	size_t len = att_pack(buf, a);
	if (fwrite_unlocked(buf, len, 1, d->att_spill) != 1)
		return error("temporary attempt file: %s", spill_strerror(errno));
	d->natt++;
	if (a->id > d->max_id)
		d->max_id = a->id;
	struct host_rec r;
	memset(&r, 0, sizeof r);
	r.first_ns = a->first_ns;
	r.last_ns = a->last_ns;
	r.syns = a->syns;
	r.os = label_id(d, a->os);
	r.fam = label_id(d, a->os_family);
	r.a = a->src;
	unsigned part = part_of(&a->src);
	bool fresh;
	uint8_t *q = parted_room(&d->recs, part, HREC_PACK_MAX, &fresh);
	if (!q)
		return -1;
	parted_wrote(&d->recs, part, hrec_enc(q, &r, fresh ? 0 : d->prev_first[part]));
	d->prev_first[part] = r.first_ns;
	return 0;
}

int decider_attempt(struct decider *d, struct attempt *a)
{
	if (d->failed || attempt_in(d, a) < 0) {
		d->failed = true;
		return -1;
	}
	return 0;
}

static int cand_in(struct decider *d, const struct assoc_cand *c, const struct attempt *a6,
		   const struct attempt *a4)
{
	if (c->a6 != a6->id || c->a4 != a4->id)
		BUG("candidate %llu-%llu given attempts %llu and %llu", (unsigned long long)c->a6,
		    (unsigned long long)c->a4, (unsigned long long)a6->id,
		    (unsigned long long)a4->id);
	if (a6->src.family != 6 || a4->src.family != 4)
		BUG("candidate of a family %d and a family %d attempt", a6->src.family,
		    a4->src.family);
	if (d->ncand == 0 || c->a6 != d->cur_a6) {
		/* the first candidate of an IPv6 attempt (they come together) */
		d->cur_a6 = c->a6;
		d->part6 = part_of(&a6->src);
		d->ncur = 0;
	}
	struct cand_rec r;
	cand_pack(&r, c, d->ncand++, a6, a4);
	bool fresh;
	uint8_t *q = parted_room(&d->cands, d->part6, CAND_PACK_MAX, &fresh);
	if (!q)
		return -1;
	parted_wrote(&d->cands, d->part6, cand_enc(q, &r, fresh ? NULL : &d->prev6[d->part6]));
	d->prev6[d->part6] = r;
	for (size_t i = 0; i < d->ncur; i++)
		if (addr_eq(&d->cur[i], &a4->src))
			return 0;   /* another IPv4 attempt of the same host: one meeting */
	GROW(d->cur, d->ncur + 1, d->curcap);
	d->cur[d->ncur++] = a4->src;
	struct meet m = meet_of(&a6->src, &a4->src);
	d->nkeys++;
	return parted_add(&d->meets, part_of(&a4->src), &m);
}

int decider_cand(struct decider *d, const struct assoc_cand *c, const struct attempt *a6,
		 const struct attempt *a4)
{
	if (d->failed || cand_in(d, c, a6, a4) < 0) {
		d->failed = true;
		return -1;
	}
	return 0;
}

static size_t pow2_at_least(size_t n)
{
	size_t s = 16;
	while (s < n)
		s *= 2;
	return s;
}

/* --- host rows --- */

/* a host's row while its records are added up */
struct hacc {
	int64_t first_ns, last_ns;
	uint32_t n, syns;
	uint32_t os_n, fam_n;       /* the first label's count */
	uint32_t more;              /* index + 1 into decider.more: further labels */
	uint16_t os, fam;           /* first label seen, id + 1; 0 = none */
	struct addr a;
};

/* count_label - one more attempt of host x with label id (0: none) */
static void count_label(struct worker *d, struct hacc *x, bool fam, uint16_t id)
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

/* top_label - the most frequent label of a kind (id + 1), the lowest of those tied */
static uint16_t top_label(const struct decider *dc, const struct worker *d, const struct hacc *x,
			  bool fam)
{
	uint16_t best = fam ? x->fam : x->os;
	uint32_t bn = fam ? x->fam_n : x->os_n;
	if (!best)
		return 0;
	for (uint32_t k = x->more; k; k = d->more[k - 1].next) {
		const struct label_more *m = &d->more[k - 1];
		if (m->fam != fam)
			continue;
		if (m->n > bn ||
		    (m->n == bn && strcmp(dc->labels[m->id - 1], dc->labels[best - 1]) < 0)) {
			best = m->id;
			bn = m->n;
		}
	}
	return best;
}

static const char *label_str(const struct decider *d, uint16_t id)
{
	return id ? d->labels[id - 1] : NULL;
}

/* add_rec - an attempt's record into its host's row */
static void add_rec(struct worker *d, struct hacc *x, const struct host_rec *r)
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

static int cmp_row_ptr(const void *pa, const void *pb)
{
	return strcmp((*(const struct host_txt *const *)pa)->txt,
		      (*(const struct host_txt *const *)pb)->txt);
}

static int cmp_row_txt(const void *pa, const void *pb)
{
	return strcmp(((const struct host_txt *)pa)->txt, ((const struct host_txt *)pb)->txt);
}

/* row_with_txt - a file's record of size bytes at p (n left) into row,
 * which starts with a struct host_row, and its address as text into txt;
 * the bytes taken, 0 when short */
static size_t row_with_txt(void *row, char txt[ADDR_STRLEN], size_t size, const unsigned char *p,
			   size_t n)
{
	if (n < size)
		return 0;
	memcpy(row, p, size);
	addr_format(&((const struct host_row *)row)->a, txt);
	return size;
}

/* host_txt_unpack - a host file's row (struct host_row) into rec (struct
 * host_txt) with its address as text (runs_unpack) */
static size_t host_txt_unpack(void *rec, const unsigned char *p, size_t n, bool fresh)
{
	(void)fresh;
	struct host_txt *x = rec;
	return row_with_txt(&x->r, x->txt, sizeof x->r, p, n);
}

/* addr_slot - the slot of address a in table t of size slots (uint32_t
 * index + 1 into an array whose element i has its address at
 * key(base, i)), empty (0) when absent */
typedef const struct addr *(*key_fn)(const void *base, uint32_t i);

static size_t addr_slot(const uint32_t *t, size_t size, const struct addr *a, const void *base,
			key_fn key)
{
	size_t mask = size - 1, i = (size_t)hash_bytes(a, sizeof *a) & mask;
	while (t[i] && !addr_eq(key(base, t[i] - 1), a))
		i = (i + 1) & mask;
	return i;
}

/* addr_probe - in table v of size slots (a power of two) whose entries
 * (stride bytes) begin with their address, family 0 in an empty one:
 * the slot of address a, or the empty slot where it would go */
static size_t addr_probe(const void *v, size_t stride, size_t size, const struct addr *a)
{
	const unsigned char *b = v;
	size_t mask = size - 1, i = (size_t)hash_bytes(a, sizeof *a) & mask;
	for (;;) {
		const struct addr *k = (const struct addr *)(b + i * stride);
		if (!k->family || addr_eq(k, a))
			return i;
		i = (i + 1) & mask;
	}
}

static const struct addr *hacc_key(const void *base, uint32_t i)
{
	return &((const struct hacc *)base)[i].a;
}

static const struct addr *row_key(const void *base, uint32_t i)
{
	return &((const struct host_row *)base)[i].a;
}

/* make_part - partition j's host rows from its records, to worker w's
 * host file in text order */
static int make_part(struct decider *d, unsigned j, struct worker *wk, void *arg)
{
	(void)arg;
	struct rcur c;
	parted_cursor_var(&d->recs, j, &c, hrec_dec, sizeof(struct host_rec));
	size_t n = 0;
	const struct host_rec *r;
	memset(wk->tab, 0, wk->tsize * sizeof *wk->tab);
	while ((r = rcur_next(&c))) {
		size_t s = addr_slot(wk->tab, wk->tsize, &r->a, wk->acc, hacc_key);
		if (!wk->tab[s]) {
			GROW(wk->acc, n + 1, wk->acccap);
			memset(&wk->acc[n], 0, sizeof wk->acc[n]);
			wk->acc[n].a = r->a;
			wk->tab[s] = (uint32_t)++n;
		}
		add_rec(wk, &wk->acc[wk->tab[s] - 1], r);
	}
	int rc = c.err;
	rcur_close(&c);
	const struct hacc *acc = wk->acc;
	struct host_txt *rows = rc == 0 ? scratch(wk, SC_ROWS, n + 1, sizeof *rows, false) : NULL;
	const struct host_txt **order =
		rc == 0 ? scratch(wk, SC_ORDER, n + 1, sizeof *order, false) : NULL;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct host_txt *x = &rows[i];
		struct host_row *w = &x->r;
		memset(x, 0, sizeof *x);
		w->first_ns = acc[i].first_ns;
		w->last_ns = acc[i].last_ns;
		w->n = acc[i].n;
		w->syns = acc[i].syns;
		w->os = top_label(d, wk, &acc[i], false);
		w->fam = top_label(d, wk, &acc[i], true);
		w->a = acc[i].a;
		addr_format(&w->a, x->txt);
		order[i] = x;
	}
	wk->nmore = 0;   /* the next partition's hosts start their lists afresh */
	if (rc == 0) {
		FILE *f = d->host_f[j % 2];
		sort_inplace(order, n, sizeof *order, cmp_row_ptr);
		off_t off = ftello(f);
		for (size_t i = 0; i < n && rc == 0; i++)
			if (fwrite_unlocked(&order[i]->r, sizeof order[i]->r, 1, f) != 1)
				rc = error("temporary host file: %s", spill_strerror(errno));
		if (off < 0)
			rc = error("temporary host file: %s", spill_strerror(errno));
		d->seg[j] = (struct ext){ off, n };
	}
	return rc;
}

/* each_part - fn(d, j, worker, arg) for every partition j, the even ones
 * on this thread and the odd ones on a second: the partitions are
 * independent, and each worker writes only files of its own (its
 * results do not depend on which thread finishes first) */
typedef int (*part_fn)(struct decider *d, unsigned j, struct worker *wk, void *arg);

struct part_job {
	struct decider *d;
	part_fn fn;
	void *arg;
	struct worker *wk;
	int rc;
	char msg[1024];             /* its first error, said after both are done */
};

static void *part_run(void *p)
{
	struct part_job *b = p;
	log_hold(b->msg, sizeof b->msg);
	for (unsigned j = b->wk->w; j < PARTS && b->rc == 0; j += 2)
		b->rc = b->fn(b->d, j, b->wk, b->arg);
	log_hold(NULL, 0);
	return NULL;
}

static int each_part(struct decider *d, part_fn fn, void *arg)
{
	struct part_job b[2] = { { d, fn, arg, &d->wk[0], 0, "" }, { d, fn, arg, &d->wk[1], 0, "" } };
	pthread_t t;
	bool two = pthread_create(&t, NULL, part_run, &b[1]) == 0;
	part_run(&b[0]);
	if (two)
		pthread_join(t, NULL);
	else
		part_run(&b[1]);   /* no second thread: the same work in turn */
	scratch_free(&d->wk[0]);
	scratch_free(&d->wk[1]);
	if (b[0].rc == 0 && b[1].rc == 0)
		return 0;
	/* both may have failed alike (a full TMPDIR): one message */
	return error("%s", b[0].msg[0] ? b[0].msg : b[1].msg[0] ? b[1].msg : "partitioned step failed");
}

/* hosts_make - after the pass: every host's row, added up from its
 * attempts' records a partition at a time (each_part) */
static int hosts_make(struct decider *d)
{
	if (d->hosts_made)
		return d->host_f[0] ? 0 : -1;
	d->hosts_made = true;
	char err[512];
	if (parted_flush(&d->recs) < 0)
		return -1;
	debug_packed("host records", d->natt, ftello(d->recs.f));
	if (!(d->host_f[0] = spill_open("host", err, sizeof err)) ||
	    !(d->host_f[1] = spill_open("host", err, sizeof err))) {
		if (d->host_f[0])
			fclose(d->host_f[0]);
		d->host_f[0] = NULL;
		return error("%s", err);
	}
	uint64_t most = 0;
	for (unsigned j = 0; j < PARTS; j++)
		if (d->recs.total[j] > most)
			most = d->recs.total[j];
	for (unsigned w = 0; w < 2; w++) {
		d->wk[w].tsize = pow2_at_least((size_t)most * 2 + 2);
		d->wk[w].tab = xcalloc(d->wk[w].tsize, sizeof *d->wk[w].tab);
	}
	int rc = each_part(d, make_part, NULL);
	for (unsigned w = 0; w < 2; w++) {
		struct worker *wk = &d->wk[w];
		free(wk->tab);
		free(wk->more);
		wk->tab = NULL;
		wk->more = NULL;
		wk->tsize = wk->nmore = wk->morecap = 0;
		if (rc == 0 && fflush(d->host_f[w]) != 0)
			rc = error("temporary host file: %s", spill_strerror(errno));
	}
	parted_close(&d->recs);   /* its disk space back */
	for (unsigned j = 0; j < PARTS; j++)
		d->nhosts += d->seg[j].n;
	if (rc < 0) {
		for (unsigned w = 0; w < 2; w++) {
			if (d->host_f[w])
				fclose(d->host_f[w]);
			d->host_f[w] = NULL;
		}
	}
	return rc;
}

/* a partition's host rows in memory, with an address table over them */
struct hmap {
	struct host_row *v;
	size_t n;
	uint32_t *t;
	size_t size;
};

/* hmap_load - partition j's host rows and their table, in worker wk's
 * scratch buffers */
static int hmap_load(const struct decider *d, unsigned j, struct worker *wk, struct hmap *m)
{
	m->n = (size_t)d->seg[j].n;
	m->v = scratch(wk, SC_HM_ROWS, m->n + 1, sizeof *m->v, false);
	m->size = pow2_at_least(m->n * 2 + 2);
	m->t = scratch(wk, SC_HM_TAB, m->size, sizeof *m->t, true);
	size_t want = m->n * sizeof *m->v;
	ssize_t got = want ? pread(fileno(d->host_f[j % 2]), m->v, want, d->seg[j].off) : 0;
	if (got < 0 || (size_t)got != want)
		return error("temporary host file: %s", got < 0 ? spill_strerror(errno) : "short read");
	for (size_t i = 0; i < m->n; i++)
		m->t[addr_slot(m->t, m->size, &m->v[i].a, m->v, row_key)] = (uint32_t)i + 1;
	return 0;
}

/* hmap_find - the row of host a, which must be in the partition */
static const struct host_row *hmap_find(const struct hmap *m, const struct addr *a)
{
	uint32_t i = m->t[addr_slot(m->t, m->size, a, m->v, row_key)];
	if (!i) {
		char txt[ADDR_STRLEN];
		BUG("host %s not in its partition", addr_format(a, txt));
	}
	return &m->v[i - 1];
}

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

/* seg_merge - every host row, in text order */
static void seg_merge(const struct decider *d, struct rmerge *m)
{
	struct rcur *c = xcalloc(PARTS, sizeof *c);
	for (unsigned j = 0; j < PARTS; j++) {
		struct ext *x = xmalloc(sizeof *x);
		*x = d->seg[j];
		rcur_open_unpack(&c[j], d->host_f[j % 2], "host", sizeof(struct host_row), x, 1, 128,
				 host_txt_unpack, sizeof(struct host_txt));
	}
	rmerge_open(m, c, PARTS, cmp_row_txt);
}

int decider_each_source(void *dp, store_source_fn fn, void *arg)
{
	struct decider *d = dp;
	if (d->ran)
		BUG("decider_each_source after decider_run");
	if (hosts_make(d) < 0)
		return -1;
	struct rmerge m;
	seg_merge(d, &m);
	const struct host_txt *x;
	int rc = 0;
	while (rc == 0 && (x = rmerge_next(&m, NULL))) {
		char emb4[ADDR_STRLEN];
		const char *emb = host_emb(&x->r.a, emb4);
		rc = fn(x->txt, emb, emb ? emb4 : NULL, arg);
	}
	if (rc == 0)
		rc = m.err;
	rmerge_close(&m);
	return rc;
}

/* --- host pairs --- */

static uint64_t meet_hash(const struct meet *k)
{
	return hash_bytes(k, sizeof *k);
}

/* pair_slot - the slot of key k in table t (size slots, a power of two) */
static struct pair *pair_slot(struct pair *t, size_t size, const struct meet *k)
{
	size_t mask = size - 1, i = (size_t)meet_hash(k) & mask;
	while (t[i].co && memcmp(&t[i].k, k, sizeof *k))
		i = (i + 1) & mask;
	return &t[i];
}

static int en_load(struct decider *d, unsigned j, struct worker *wk, bool v4only,
		   size_t stride, void **tab, size_t *size);

/* keys4_part - the enrichment keys of partition j's IPv4 hosts (t, size:
 * en_load's table of them), each sent once to the partition of every IPv6
 * host it met (n distinct pairs in wk->v; the table remembers where a key
 * went across the slices of the partition), where scoring compares them
 * with the IPv6 host's */
static int keys4_part(struct decider *d, struct en_sent *t, size_t size, struct worker *wk,
		      size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct pair *e = &wk->v[i];
		struct addr a4 = addr_from_v4(e->k.a4), a6 = addr_from_v6(e->k.a6);
		struct en_sent *x = &t[addr_probe(t, sizeof *t, size, &a4)];
		if (!x->r.a.family || !(x->r.asn || x->r.ptr || x->r.dom))
			continue;
		unsigned p6 = part_of(&a6);
		if (x->sent & UINT64_C(1) << p6)
			continue;
		x->sent |= UINT64_C(1) << p6;
		struct a4key k;
		memset(&k, 0, sizeof k);
		memcpy(k.a4, e->k.a4, 4);
		k.asn = x->r.asn;
		k.ptr = x->r.ptr;
		k.dom = x->r.dom;
		rc = parted_add(&d->keys4[wk->w], p6, &k);
		wk->nkeys4++;
	}
	return rc;
}

/* pairs_slice - slice s of the ns of partition j's meetings (those whose
 * pair's hash is s modulo ns) added up per host pair into wk->v, with an
 * index of size slots to start with; their number in *np.  The index
 * doubles when 3/4 full: a slice's share of the pairs is only even on
 * average */
static int pairs_slice(struct decider *d, unsigned j, unsigned s, unsigned ns, size_t size,
		       struct worker *wk, size_t *np)
{
	size_t n = 0;
	uint32_t *idx = scratch(wk, SC_IDX, size, sizeof *idx, true);   /* index + 1 into wk->v */
	struct rcur c;
	parted_cursor(&d->meets, j, &c, 2048);
	const struct meet *k;
	while ((k = rcur_next(&c))) {
		uint64_t h = meet_hash(k);
		if (ns > 1 && (h >> 40) % ns != s)
			continue;
		if (4 * (n + 1) > 3 * size) {
			size *= 2;
			idx = scratch(wk, SC_IDX, size, sizeof *idx, true);
			for (size_t x = 0; x < n; x++)
				idx[hash_slot_free(idx, size, meet_hash(&wk->v[x].k))] = (uint32_t)x + 1;
		}
		size_t mask = size - 1, i = (size_t)h & mask;
		while (idx[i] && memcmp(&wk->v[idx[i] - 1].k, k, sizeof *k))
			i = (i + 1) & mask;
		if (!idx[i]) {
			GROW(wk->v, n + 1, wk->vcap);
			memset(&wk->v[n], 0, sizeof wk->v[n]);
			wk->v[n].k = *k;
			idx[i] = (uint32_t)++n;
		}
		struct pair *e = &wk->v[idx[i] - 1];
		if (e->co < PAIR_CO_MAX)
			e->co++;
	}
	int rc = c.err;
	rcur_close(&c);
	*np = n;
	return rc;
}

/* pairs_part - partition j's meetings added up per host pair, in slices
 * of about the budget when it has more (its meetings read once a slice:
 * the memory stays the budget's; 10M SYNs: 205k meetings in the largest
 * partition, one slice; 50M: 1.0M, four, and the run's peak 142 -> 87 MB
 * in the same time); the pairs that met twice or more to the worker's
 * file of them */
static int pairs_part(struct decider *d, unsigned j, struct worker *wk, void *arg)
{
	(void)arg;
	uint64_t m = d->meets.total[j];
	unsigned ns = m > d->pair_budget ? (unsigned)((m + d->pair_budget - 1) / d->pair_budget) : 1;
	size_t size = pow2_at_least((size_t)(m / ns) * 4 / 3 + 2);
	struct hmap hm;
	int rc = hmap_load(d, j, wk, &hm);
	struct en_sent *t = NULL;
	size_t tsize = 0;
	if (rc == 0 && d->has_en)
		rc = en_load(d, j, wk, true, sizeof *t, (void **)&t, &tsize);
	for (unsigned s = 0; s < ns && rc == 0; s++) {
		size_t n = 0;
		rc = pairs_slice(d, j, s, ns, size, wk, &n);
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct pair *e = &wk->v[i];
			if (e->co < 2)
				continue;
			struct addr a6 = addr_from_v6(e->k.a6), a4 = addr_from_v4(e->k.a4);
			e->n4 = hmap_find(&hm, &a4)->n;
			rc = parted_add(&d->reps[wk->w], part_of(&a6), e);
			wk->npairs++;
		}
		if (rc == 0 && d->has_en)
			rc = keys4_part(d, t, tsize, wk, n);
	}
	return rc;
}

/* count_pairs - the meetings added up per host pair, in each IPv4 host's
 * partition (where its attempt count is); the pairs that met twice or
 * more go to their IPv6 host's partition with that count (a pair not
 * there met once: every candidate's pair met).  The memory is a slice
 * of a partition's distinct pairs per worker (an index of 4 bytes a slot
 * over them), about PAIR_BUDGET meetings' worth. */
static int count_pairs(struct decider *d)
{
	char err[512];
	if (parted_flush(&d->meets) < 0)
		return -1;
	for (unsigned w = 0; w < 2; w++)
		if (parted_open(&d->reps[w], "pair", sizeof(struct pair), 256, err, sizeof err) < 0 ||
		    (d->has_en && parted_open(&d->keys4[w], "enrichment-key", sizeof(struct a4key),
					      256, err, sizeof err) < 0))
			return error("%s", err);
	uint64_t most = 0;
	for (unsigned j = 0; j < PARTS; j++)
		if (d->meets.total[j] > most)
			most = d->meets.total[j];
	int rc = each_part(d, pairs_part, NULL);
	uint64_t npairs = 0;
	for (unsigned w = 0; w < 2; w++) {
		free(d->wk[w].v);
		d->wk[w].v = NULL;
		d->wk[w].vcap = 0;
		npairs += d->wk[w].npairs;
		if (rc == 0)
			rc = parted_flush(&d->reps[w]);
		if (rc == 0 && d->has_en)
			rc = parted_flush(&d->keys4[w]);
	}
	if (d->has_en)
		debug("enrichment: %llu IPv4 hosts' keys sent to the partitions of the IPv6 hosts"
		      " they met", (unsigned long long)(d->wk[0].nkeys4 + d->wk[1].nkeys4));
	debug("host pairs: %llu meetings in %zu blocks, the largest of %u partitions %llu;"
	      " %llu pairs met again", (unsigned long long)d->nkeys, d->meets.nblocks, PARTS,
	      (unsigned long long)most, (unsigned long long)npairs);
	parted_close(&d->meets);   /* its disk space back */
	return rc;
}

/* --- enrichment --- */

static uint64_t name_key(const char *s)
{
	return s && *s ? hash_bytes(s, strlen(s)) | 1 : 0;
}

static int enrich_row(const char *addr, uint32_t match_asn, const char *match_ptr,
		      const char *match_domain, void *arg)
{
	struct decider *d = arg;
	struct en_rec r;
	memset(&r, 0, sizeof r);
	if (addr_parse(addr, &r.a) < 0)
		return 0;   /* not an address: no source names it */
	r.asn = match_asn;
	r.ptr = name_key(match_ptr);
	r.dom = name_key(match_domain);
	return parted_add(&d->en, part_of(&r.a), &r);
}

int decider_enrich(struct decider *d, struct store *st, const struct decide_enrich_points *pts)
{
	char err[512];
	if (!d->has_en && parted_open(&d->en, "enrichment", sizeof(struct en_rec), 512, err,
				      sizeof err) < 0)
		return error("%s", err);
	d->has_en = true;
	if (store_each_enrich(st, enrich_row, d) != 0 || parted_flush(&d->en) < 0)
		return -1;
	d->ep = *pts;
	return 0;
}

/* en_load - partition j's enrichment keys (of its IPv4 hosts only when
 * v4only) into a table of entries of stride bytes that begin with an
 * en_rec, worker wk's scratch; *size its slots */
static int en_load(struct decider *d, unsigned j, struct worker *wk, bool v4only,
		   size_t stride, void **tab, size_t *size)
{
	*size = pow2_at_least((size_t)d->en.total[j] * 2 + 2);
	unsigned char *t = scratch(wk, SC_EN, *size, stride, true);
	*tab = t;
	struct rcur c;
	parted_cursor(&d->en, j, &c, 512);
	const struct en_rec *r;
	while ((r = rcur_next(&c)))
		if (!v4only || r->a.family == 4)
			memcpy(t + addr_probe(t, stride, *size, &r->a) * stride, r, sizeof *r);
	int rc = c.err;
	rcur_close(&c);
	return rc;
}

/* --- scoring --- */

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

/* one IPv6 attempt's candidates and what scoring gives them */
struct group {
	struct cand *c;
	struct score_rec *s;
	size_t n, cap, scap;
};

/* the tables scoring one partition needs */
struct scorer {
	struct hmap hm;             /* the partition's hosts: IPv6 attempt counts */
	struct pair *rt;            /* its IPv6 hosts' pairs that met again */
	size_t rsize;
	struct en_rec *en;          /* with enrichment: its hosts' keys */
	size_t ensize;
	struct a4key *k4;           /* ... and those of the IPv4 hosts they met */
	size_t k4size;
};

static size_t k4_slot(const struct a4key *t, size_t size, const uint8_t a4[4])
{
	size_t mask = size - 1, i = (size_t)hash_bytes(a4, 4) & mask;
	while ((t[i].asn || t[i].ptr || t[i].dom) && memcmp(t[i].a4, a4, 4))
		i = (i + 1) & mask;
	return i;
}

/* keys_load - partition j's enrichment keys and those its IPv6 hosts' IPv4
 * partners sent (keys4_part) into sc */
static int keys_load(struct decider *d, unsigned j, struct worker *wk, struct scorer *sc)
{
	int rc = en_load(d, j, wk, false, sizeof *sc->en, (void **)&sc->en, &sc->ensize);
	uint64_t n = d->keys4[0].total[j] + d->keys4[1].total[j];
	sc->k4size = pow2_at_least((size_t)n * 4 / 3 + 2);
	sc->k4 = scratch(wk, SC_K4, sc->k4size, sizeof *sc->k4, true);
	for (unsigned w = 0; w < 2 && rc == 0; w++) {
		struct rcur c;
		parted_cursor(&d->keys4[w], j, &c, 1024);
		const struct a4key *k;
		while ((k = rcur_next(&c)))
			sc->k4[k4_slot(sc->k4, sc->k4size, k->a4)] = *k;
		rc = c.err;
		rcur_close(&c);
	}
	return rc;
}

/* scored - candidate c with what scoring gave it: its enrichment and
 * host points, and its score with the enrichment's */
static void scored(struct assoc_cand *c, const struct score_rec *s)
{
	c->score += s->asn + s->ptr - c->ev[EV_ASN] - c->ev[EV_PTR];
	c->ev[EV_ASN] = s->asn;
	c->ev[EV_PTR] = s->ptr;
	c->ev[EV_HOST] = s->host;
}

/* score_group - host and enrichment points, totals and ambiguity of the
 * candidates of one IPv6 attempt */
static void score_group(const struct decider *d, const struct scorer *sc, struct group *g)
{
	const struct assoc_params *p = &d->p;
	long best = -1;
	uint32_t n6 = hmap_find(&sc->hm, &g->c[0].a6)->n;
	for (size_t i = 0; i < g->n; i++) {
		struct assoc_cand *c = &g->c[i].c;
		struct score_rec *s = &g->s[i];
		memset(s, 0, sizeof *s);
		s->asn = c->ev[EV_ASN];
		s->ptr = c->ev[EV_PTR];
		if (d->has_en) {
			const struct en_rec *ex =
				&sc->en[addr_probe(sc->en, sizeof *sc->en, sc->ensize, &g->c[i].a6)];
			const struct a4key *ey = &sc->k4[k4_slot(sc->k4, sc->k4size, g->c[i].a4.b)];
			/* an empty slot of either has no keys: no points */
			s->asn = (int16_t)(ex->asn && ex->asn == ey->asn ? d->ep.asn : 0);
			s->ptr = (int16_t)(ex->ptr && ex->ptr == ey->ptr ? d->ep.ptr
					   : ex->dom && ex->dom == ey->dom ? d->ep.domain : 0);
		}
		struct meet k = meet_of(&g->c[i].a6, &g->c[i].a4);
		const struct pair *e = pair_slot(sc->rt, sc->rsize, &k);
		s->host = (int16_t)decide_host_points(p, e->co ? e->co : 1, n6, e->co ? e->n4 : 0);
		scored(c, s);   /* what eligible() compares, with enrichment */
		s->total = c->score + s->host;
		if (best < 0 ||
		    rank_before(s->total, agap(c), aport(c), c->a4, g->s[best].total,
				agap(&g->c[best].c), aport(&g->c[best].c), g->c[best].c.a4))
			best = (long)i;
	}
	if (best < 0)
		return;
	const struct addr *bh = &g->c[best].a4;
	bool other = false;
	int ot = 0;
	for (size_t i = 0; i < g->n; i++)
		if (!addr_eq(&g->c[i].a4, bh) && (!other || g->s[i].total > ot)) {
			ot = g->s[i].total;
			other = true;
		}
	bool amb = other && g->s[best].total - ot < p->margin;
	for (size_t i = 0; i < g->n; i++)
		g->s[i].ambiguous = amb;
}

static bool eligible(const struct assoc_params *p, const struct score_rec *s, int score)
{
	return s->total >= p->threshold && score >= p->min_evidence && !s->ambiguous;
}

/* group_done - a scored group's records to the partition's score file,
 * its eligible candidates to the sort */
static int group_done(struct decider *d, const struct scorer *sc, struct group *g, unsigned j,
		      struct parted *scores, struct xsort *el)
{
	score_group(d, sc, g);
	for (size_t i = 0; i < g->n; i++) {
		bool fresh;
		uint8_t *q = parted_room(scores, j, SCORE_PACK_MAX, &fresh);
		if (!q)
			return -1;
		parted_wrote(scores, j, score_enc(q, &g->s[i]));
		const struct assoc_cand *c = &g->c[i].c;
		if (!eligible(&d->p, &g->s[i], c->score))
			continue;
		struct elig e;
		memset(&e, 0, sizeof e);
		e.gseq = g->c[0].seq;
		e.total = g->s[i].total;
		e.a4 = (uint32_t)c->a4;
		e.a6 = (uint32_t)c->a6;
		gp_set(e.gp, agap(c), aport(c));
		if (xsort_add(el, &e) < 0)
			return -1;
	}
	return 0;
}

/* what scoring writes: each worker its own score file (partition j's in
 * scores[j % 2]) and sort of the eligible candidates */
struct scored {
	struct parted scores[2];
	struct xsort el[2];
};

/* score_part - the candidates of partition j, one IPv6 attempt at a time */
static int score_part(struct decider *d, unsigned j, struct worker *wk, void *arg)
{
	struct scored *out = arg;
	struct parted *scores = &out->scores[wk->w];
	struct xsort *el = &out->el[wk->w];
	struct scorer sc = { 0 };
	int rc = hmap_load(d, j, wk, &sc.hm);
	if (rc == 0 && d->has_en)
		rc = keys_load(d, j, wk, &sc);
	sc.rsize = pow2_at_least((size_t)(d->reps[0].total[j] + d->reps[1].total[j]) * 2 + 2);
	sc.rt = scratch(wk, SC_RT, sc.rsize, sizeof *sc.rt, true);
	struct rcur c;
	for (unsigned w = 0; w < 2 && rc == 0; w++) {
		parted_cursor(&d->reps[w], j, &c, 1024);
		const struct pair *e;
		while ((e = rcur_next(&c)))
			*pair_slot(sc.rt, sc.rsize, &e->k) = *e;
		rc = c.err;
		rcur_close(&c);
	}
	struct group g = { 0 };
	if (rc == 0) {
		parted_cursor_var(&d->cands, j, &c, cand_dec, sizeof(struct cand_rec));
		const struct cand_rec *r;
		for (;;) {
			r = rcur_next(&c);
			if (g.n && (!r || r->a6 != g.c[0].c.a6)) {
				if ((rc = group_done(d, &sc, &g, j, scores, el)) < 0)
					break;
				g.n = 0;
			}
			if (!r)
				break;
			GROW(g.c, g.n + 1, g.cap);
			GROW(g.s, g.n + 1, g.scap);
			cand_unpack(&g.c[g.n++], r);
		}
		if (rc == 0)
			rc = c.err;
		rcur_close(&c);
	}
	if (rc == 0)
		rc = parted_flush_part(scores, j);
	free(g.c);
	free(g.s);
	return rc;
}

/* --- the greedy pass, the labels, the attempts --- */

static int cmp_elig(const void *pa, const void *pb)
{
	const struct elig *x = pa, *y = pb;
	uint64_t xg = gp_gap(x->gp), yg = gp_gap(y->gp);
	uint32_t xp = gp_port(x->gp), yp = gp_port(y->gp);
	if (rank_before(x->total, xg, xp, x->a4, y->total, yg, yp, y->a4))
		return -1;
	if (rank_before(y->total, yg, yp, y->a4, x->total, xg, xp, x->a4))
		return 1;
	return x->a6 < y->a6 ? -1 : x->a6 > y->a6;
}

static int cmp_chosen(const void *pa, const void *pb)
{
	const struct chosen *x = pa, *y = pb;
	return x->gseq < y->gseq ? -1 : x->gseq > y->gseq;
}

static int cmp_att_side(const void *pa, const void *pb)
{
	const struct att_side *x = pa, *y = pb;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_cand_seq(const void *pa, const void *pb)
{
	const struct cand_rec *x = pa, *y = pb;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool bit(const uint8_t *m, uint64_t i) { return m[i >> 3] & (1u << (i & 7)); }
static void set_bit(uint8_t *m, uint64_t i) { m[i >> 3] |= (uint8_t)(1u << (i & 7)); }

/* greedy - the eligible pairs in order (the two workers' sorts merged),
 * each taken when neither attempt is; the taken ones into ch by their
 * IPv6 attempt's first candidate */
static int greedy(struct decider *d, struct xsort el[2], struct xsort *ch)
{
	if (xsort_done(&el[0]) < 0 || xsort_done(&el[1]) < 0)
		return -1;
	size_t bytes = (size_t)(d->max_id / 8 + 1);
	uint8_t *taken6 = xcalloc(bytes, 1), *taken4 = xcalloc(bytes, 1);
	const struct elig *h[2] = { xsort_next(&el[0]), xsort_next(&el[1]) };
	int rc = 0;
	while (rc == 0 && (h[0] || h[1])) {
		unsigned k = !h[0] || (h[1] && cmp_elig(h[1], h[0]) < 0);
		const struct elig *e = h[k];
		if (!bit(taken6, e->a6) && !bit(taken4, e->a4)) {
			set_bit(taken6, e->a6);
			set_bit(taken4, e->a4);
			struct chosen c;
			memset(&c, 0, sizeof c);
			c.gseq = e->gseq;
			c.total = e->total;
			c.a4 = e->a4;
			c.gp[0] = e->gp[0];
			c.gp[1] = e->gp[1];
			rc = xsort_add(ch, &c);
			d->nch++;
		}
		h[k] = xsort_next(&el[k]);   /* e is gone from here on */
	}
	free(taken6);
	free(taken4);
	if (rc == 0 && (el[0].m.err || el[1].m.err))
		rc = -1;
	return rc == 0 ? xsort_done(ch) : rc;
}

/* the label pass' state */
struct label {
	struct store *st;
	struct xsort *ch, *att;
	const struct chosen *next; /* the next taken pair, NULL: none left */
	struct chosen cur;          /* the taken pair of this IPv6 attempt */
	bool has_cur;
	uint64_t a6;
	struct decide_stats *out;
};

/* taken - an associated candidate's pair to the attempts' and the hosts' partners */
static int taken(struct decider *d, struct label *l, const struct cand *r, int total)
{
	struct att_side s6 = { r->pos6, (uint32_t)r->c.a4, total };
	struct att_side s4 = { r->pos4, (uint32_t)r->c.a6, total };
	if (xsort_add(l->att, &s6) < 0 || xsort_add(l->att, &s4) < 0)
		return -1;
	struct side h6, h4;
	memset(&h6, 0, sizeof h6);
	memset(&h4, 0, sizeof h4);
	h6.host = r->a6;
	h6.other = r->a4;
	h6.total = total;
	h4.host = r->a4;
	h4.other = r->a6;
	h4.total = total;
	unsigned j = part_of(&r->a4);
	return parted_add(&d->sides, j, &h6) < 0 || parted_add(&d->sides, j, &h4) < 0 ? -1 : 0;
}

/* label_one - a candidate's decision, written to the store */
static int label_one(struct decider *d, struct label *l, const struct cand *r,
		     const struct score_rec *s)
{
	const struct assoc_params *p = &d->p;
	if (!l->out->candidates || r->c.a6 != l->a6) {
		/* the first candidate of an IPv6 attempt: its taken pair, if any */
		l->a6 = r->c.a6;
		l->has_cur = l->next && l->next->gseq == r->seq;
		if (l->has_cur) {
			l->cur = *l->next;
			l->next = xsort_next(l->ch);
			if (!l->next && l->ch->m.err)
				return -1;
		}
	}
	const struct chosen *ch = l->has_cur ? &l->cur : NULL;
	struct assoc_cand c = r->c;
	scored(&c, s);
	const char *dec;
	if (ch && ch->a4 == c.a4)
		dec = "associated";
	else if (ch && rank_before(ch->total, gp_gap(ch->gp), gp_port(ch->gp), ch->a4,
				  s->total, gap48(agap(&c)), aport(&c), c.a4))
		dec = "lost";   /* its IPv6 attempt took a pair ranked before it */
	else if (s->total < p->threshold || c.score < p->min_evidence)
		dec = "below-threshold";
	else if (s->ambiguous)
		dec = "ambiguous";
	else
		dec = "ipv4-taken";
	l->out->below += dec[0] == 'b';
	l->out->ambiguous += dec[0] == 'a' && dec[1] == 'm';
	l->out->taken += dec[0] == 'i';
	l->out->candidates++;
	if (dec[0] == 'l' && d->drop_lost)
		l->out->lost_unwritten++;
	else if (store_add_candidate(l->st, &c, s->total, s->ambiguous, dec) < 0)
		return -1;
	if (dec[0] == 'a' && dec[1] == 's' && taken(d, l, r, s->total) < 0)
		return -1;
	if ((l->out->candidates & PROGRESS_EVERY) == 0 || l->out->candidates == d->ncand)
		progress_count("candidates written", l->out->candidates, d->ncand);
	return 0;
}

/* label_all - every candidate in the pass' order (a merge of the
 * partitions by sequence number, with their score files in step) */
static int label_all(struct decider *d, struct parted scores[2], struct label *l)
{
	struct rcur *cc = xcalloc(PARTS, sizeof *cc);
	struct rcur *sc = xcalloc(PARTS, sizeof *sc);
	for (unsigned j = 0; j < PARTS; j++) {
		parted_cursor_var(&d->cands, j, &cc[j], cand_dec, sizeof(struct cand_rec));
		parted_cursor_var(&scores[j % 2], j, &sc[j], score_dec, sizeof(struct score_rec));
	}
	struct rmerge m;
	rmerge_open(&m, cc, PARTS, cmp_cand_seq);
	l->next = xsort_next(l->ch);
	int rc = l->ch->m.err;
	const struct cand_rec *r;
	size_t from;
	while (rc == 0 && (r = rmerge_next(&m, &from))) {
		const struct score_rec *s = rcur_next(&sc[from]);
		if (!s) {
			rc = sc[from].err ? -1 : error("temporary score file: short");
			break;
		}
		struct cand x;
		cand_unpack(&x, r);
		rc = label_one(d, l, &x, s);
	}
	if (rc == 0)
		rc = m.err;
	rmerge_close(&m);
	for (unsigned j = 0; j < PARTS; j++)
		rcur_close(&sc[j]);
	free(sc);
	return rc;
}

/* write_attempts - every attempt, in the order the pass closed them, with
 * its partner and the pair's total when it was taken */
static int write_attempts(struct decider *d, struct store *st, struct xsort *att)
{
	if (fflush(d->att_spill) != 0 || fseek(d->att_spill, 0, SEEK_SET) != 0)
		return error("temporary attempt file: %s", spill_strerror(errno));
	if (xsort_done(att) < 0)
		return -1;
	const struct att_side *s = xsort_next(att);
	struct attempt a;
	uint8_t buf[UINT8_MAX];
	int rc = att->m.err;
	for (uint64_t k = 0; k < d->natt && rc == 0; k++) {
		int len = getc_unlocked(d->att_spill);
		if (len == EOF || (len > 0 && fread_unlocked(buf, (size_t)len, 1, d->att_spill) != 1)) {
			rc = error("temporary attempt file: %s",
				   ferror(d->att_spill) ? spill_strerror(errno) : "short read");
			break;
		}
		if (!att_unpack(&a, buf, (size_t)len, (uint32_t)k)) {
			rc = error("temporary attempt file: record %llu is damaged",
				   (unsigned long long)k + 1);
			break;
		}
		uint64_t partner = 0;
		int total = 0;
		if (s && s->pos == k) {
			partner = s->partner;
			total = s->total;
			s = xsort_next(att);
			if (!s && (rc = att->m.err) < 0)
				break;
		}
		rc = store_add_attempt(st, &a, partner, total);
		if (((k + 1) & PROGRESS_EVERY) == 0 || k + 1 == d->natt)
			progress_count("attempts written", k + 1, d->natt);
	}
	return rc;
}

int decider_run(struct decider *d, struct store *st, struct decide_stats *out)
{
	memset(out, 0, sizeof *out);
	if (d->ran)
		BUG("decider_run twice");
	d->ran = true;
	if (d->failed)
		return -1;   /* a record of the pass was lost, and said so */
	free(d->cur);
	d->cur = NULL;
	d->ncur = d->curcap = 0;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (hosts_make(d) != 0)
		return -1;
	double t_hosts = since(&t);
	if (count_pairs(d) != 0 || parted_flush(&d->cands) != 0)
		return -1;
	debug_packed("candidates", d->ncand, ftello(d->cands.f));
	double t_pairs = since(&t);
	malloc_trim(0);   /* the partitions' tables and buffers, freed in the heap */
	char err[512];
	struct scored sd = { 0 };
	struct xsort ch = { 0 }, att = { 0 };
	int rc = 0;
	for (unsigned w = 0; w < 2 && rc == 0; w++)
		if (parted_open_var(&sd.scores[w], "score", SCORE_BLOCK, err,
				sizeof err) < 0 ||
		    xsort_open(&sd.el[w], "eligible", sizeof(struct elig), 2 << 20, cmp_elig, err,
			       sizeof err) < 0)
			rc = error("%s", err);
	if (rc == 0 &&
	    (xsort_open(&ch, "taken-pair", sizeof(struct chosen), 2 << 20, cmp_chosen, err,
		       sizeof err) < 0 ||
	    xsort_open(&att, "partner", sizeof(struct att_side), 2 << 20, cmp_att_side, err,
		       sizeof err) < 0 ||
	    parted_open(&d->sides, "side", sizeof(struct side), 512, err, sizeof err) < 0))
		rc = error("%s", err);
	if (rc == 0)
		rc = each_part(d, score_part, &sd);
	for (unsigned w = 0; w < 2; w++) {
		parted_close(&d->reps[w]);
		if (rc == 0)
			rc = parted_flush(&sd.scores[w]);
	}
	double t_scores = since(&t);
	if (rc == 0) {
		debug_packed("scores", d->ncand, ftello(sd.scores[0].f) + ftello(sd.scores[1].f));
		debug("decisions: %llu eligible of %llu candidates",
		      (unsigned long long)(sd.el[0].total + sd.el[1].total),
		      (unsigned long long)d->ncand);
		rc = greedy(d, sd.el, &ch);
	}
	debug("decisions: host rows %.3f s, host pairs %.3f s, scores %.3f s, greedy %.3f s",
	      t_hosts, t_pairs, t_scores, since(&t));
	xsort_close(&sd.el[0]);
	xsort_close(&sd.el[1]);
	out->associated = d->nch;
	struct label l = { st, &ch, &att, NULL, { 0 }, false, 0, out };
	if (rc == 0)
		rc = label_all(d, sd.scores, &l);
	xsort_close(&ch);
	parted_close(&sd.scores[0]);
	parted_close(&sd.scores[1]);
	parted_close(&d->cands);   /* its disk space back */
	if (rc == 0)
		rc = write_attempts(d, st, &att);
	xsort_close(&att);
	if (rc == 0)
		rc = parted_flush(&d->sides);
	return rc;
}

/* --- hosts --- */

/* one partner host in a host's list */
struct partner {
	char addr[ADDR_STRLEN];
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

/* partners_text - "ADDR/COUNT/MAXTOTAL ..." of the sides [s, e) (by
 * partner), most frequent first (then by address), into a new string */
static char *partners_text(const struct side *s, const struct side *e)
{
	struct partner *v = NULL;
	size_t n = 0, cap = 0;
	for (const struct side *k = s; k < e; k++) {
		if (k > s && addr_eq(&k[-1].other, &k->other)) {
			v[n - 1].count++;
			if (k->total > v[n - 1].max)
				v[n - 1].max = k->total;
			continue;
		}
		GROW(v, n + 1, cap);
		addr_format(&k->other, v[n].addr);
		v[n].count = 1;
		v[n].max = k->total;
		n++;
	}
	if (n)
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

static int cmp_side(const void *pa, const void *pb)
{
	const struct side *x = pa, *y = pb;
	return memcmp(&x->host, &y->host, 2 * sizeof x->host);
}
_Static_assert(offsetof(struct side, other) == sizeof(struct addr), "side: host, other");

/* the listings (store_each_listed) go to their address' partition */
struct listing {
	struct decider *d;
	struct parted *lst;
	uint64_t seq;
};

/* listing_rec - a listing of addr (an IPv4 address, made canonical as
 * the hosts' own are) to its partition */
static int listing_rec(struct listing *l, const char *addr, const char *lists)
{
	struct addr a;
	if (addr_parse(addr, &a) < 0 || a.family != 4)
		return 0;
	struct lrec r;
	memset(&r, 0, sizeof r);
	r.seq = l->seq++;
	r.lists = lists != NULL;
	r.strid = lists ? strpool_id(&l->d->strs, lists) : 0;
	r.a = a;
	return parted_add(l->lst, part_of(&a), &r);
}

static int on_listed(const char *addr, const char *lists, void *arg)
{
	(void)lists;
	return listing_rec(arg, addr, NULL);
}

static int on_lists(const char *addr, const char *lists, void *arg)
{
	return lists ? listing_rec(arg, addr, lists) : 0;
}

/* a partition's listings: listed, and the first lists given */
struct lent {
	struct addr a;
	uint8_t listed;
	uint32_t lists;             /* index + 1 into decider.strs; 0 = none */
	uint64_t seq;
};

struct ltab {
	struct lent *v;
	size_t size;
};

static struct lent *lent_slot(const struct ltab *t, const struct addr *a)
{
	return &t->v[addr_probe(t->v, sizeof *t->v, t->size, a)];
}

static int ltab_load(const struct parted *lst, unsigned j, struct worker *wk, struct ltab *t)
{
	t->size = pow2_at_least((size_t)lst->total[j] * 2 + 2);
	t->v = scratch(wk, SC_LT, t->size, sizeof *t->v, true);
	struct rcur c;
	parted_cursor(lst, j, &c, 1024);
	const struct lrec *r;
	while ((r = rcur_next(&c))) {
		struct lent *e = lent_slot(t, &r->a);
		e->a = r->a;
		if (!r->lists)
			e->listed = 1;
		else if (!e->lists || r->seq < e->seq) {
			e->lists = r->strid + 1;
			e->seq = r->seq;
		}
	}
	int rc = c.err;
	rcur_close(&c);
	return rc;
}

/* annotate - the IPv6 hosts' sides told whether their IPv4 partner is
 * listed (in the IPv4 host's partition), every side to its host's */
static int annotate(struct decider *d, const struct parted *lst, struct parted *out)
{
	int rc = 0;
	for (unsigned j = 0; j < PARTS && rc == 0; j++) {
		struct ltab t;
		rc = ltab_load(lst, j, &d->wk[0], &t);
		struct rcur c;
		parted_cursor(&d->sides, j, &c, 1024);
		const struct side *s;
		while (rc == 0 && (s = rcur_next(&c))) {
			struct side w = *s;
			if (w.host.family == 6) {
				const struct lent *e = lent_slot(&t, &w.other);
				w.listed = e->a.family && e->listed;
				rc = parted_add(out, part_of(&w.host), &w);
			} else {
				rc = parted_add(out, j, &w);
			}
		}
		if (rc == 0)
			rc = c.err;
		rcur_close(&c);
	}
	scratch_free(&d->wk[0]);
	return rc == 0 ? parted_flush(out) : rc;
}

enum { LABEL_SPAMMER, LABEL_UNLISTED, LABEL_ASSOC, LABEL_ASSOC_UNLISTED, LABEL_UNASSOC };
static const char *const label_names[] = { "spammer", "unlisted", "associated",
					   "associated-unlisted", "unassociated" };

/* out_part - partition j's host rows finished (label, listing,
 * partners), to the out file in text order, partners' texts to pf */
static int out_part(struct decider *d, unsigned j, const struct parted *lst,
		    const struct parted *sides, FILE *of, FILE *pf, struct ext *run)
{
	struct worker *wk = &d->wk[0];   /* this thread's buffers */
	struct hmap hm;
	struct ltab t = { 0 };
	int rc = hmap_load(d, j, wk, &hm);
	if (rc == 0)
		rc = ltab_load(lst, j, wk, &t);
	/* the partition's sides, by host and partner */
	size_t ns = (size_t)sides->total[j], k = 0;
	struct side *sd = scratch(wk, SC_SIDES, ns + 1, sizeof *sd, false);
	if (rc == 0) {
		struct rcur c;
		parted_cursor(sides, j, &c, 1024);
		const struct side *s;
		while (k < ns && (s = rcur_next(&c)))
			sd[k++] = *s;
		rc = c.err ? c.err : k != ns ? error("temporary side file: short") : 0;
		rcur_close(&c);
	}
	if (rc == 0)
		sort_inplace(sd, ns, sizeof *sd, cmp_side);
	off_t off = ftello(of);
	if (off < 0)
		rc = error("temporary host file: %s", spill_strerror(errno));
	*run = (struct ext){ off, 0 };
	for (size_t i = 0; i < hm.n && rc == 0; i++) {
		const struct host_row *x = &hm.v[i];
		/* its sides: rows are in text order, sides in address order */
		size_t a = 0, b = ns;
		while (a < b) {
			size_t mid = a + (b - a) / 2;
			if (memcmp(&sd[mid].host, &x->a, sizeof x->a) < 0)
				a = mid + 1;
			else
				b = mid;
		}
		for (b = a; b < ns && addr_eq(&sd[b].host, &x->a); b++)
			;
		const struct lent *e = lent_slot(&t, &x->a);
		bool x_listed = x->a.family == 4 && e->a.family && e->listed;
		struct out_rec o;
		memset(&o, 0, sizeof o);
		o.r = *x;
		o.listed = x_listed;
		o.lists = x_listed ? e->lists : 0;
		if (x->a.family != 6) {
			o.label = x_listed ? LABEL_SPAMMER : LABEL_UNLISTED;
		} else {
			bool listed = false;
			for (size_t q = a; q < b; q++)
				listed |= sd[q].listed;
			o.label = listed ? LABEL_ASSOC : a < b ? LABEL_ASSOC_UNLISTED : LABEL_UNASSOC;
		}
		if (a < b) {
			char *p = partners_text(sd + a, sd + b);
			size_t len = strlen(p) + 1;   /* with its NUL */
			off_t po = ftello(pf);
			if (po < 0 || fwrite_unlocked(p, 1, len, pf) != len)
				rc = error("temporary partners file: %s", spill_strerror(errno));
			o.poff = (uint64_t)po;
			o.plen = (uint32_t)len;
			free(p);
		}
		if (rc == 0 && fwrite_unlocked(&o, sizeof o, 1, of) != 1)
			rc = error("temporary host file: %s", spill_strerror(errno));
		run->n++;
	}
	return rc;
}

static int cmp_out_txt(const void *pa, const void *pb)
{
	return strcmp(((const struct out_txt *)pa)->txt, ((const struct out_txt *)pb)->txt);
}

/* out_txt_unpack - a host-row file's record (struct out_rec) into rec
 * (struct out_txt) with its address as text (runs_unpack) */
static size_t out_txt_unpack(void *rec, const unsigned char *p, size_t n, bool fresh)
{
	(void)fresh;
	struct out_txt *x = rec;
	return row_with_txt(&x->o, x->txt, sizeof x->o, p, n);   /* o starts with its host_row */
}

/* a reader of one partition's partners' texts, which come in file order */
struct pread_buf {
	char *b;
	off_t at;                   /* file offset of b[0] */
	size_t n, cap;
};

/* pbuf_get - len bytes at off of f (a text with its NUL), valid until
 * the next call */
static const char *pbuf_get(struct pread_buf *p, FILE *f, off_t off, size_t len)
{
	if (!(off >= p->at && off + (off_t)len <= p->at + (off_t)p->n)) {
		size_t want = len > 16384 ? len : 16384;
		if (want > p->cap) {
			p->b = xrealloc(p->b, want);
			p->cap = want;
		}
		ssize_t got = pread(fileno(f), p->b, want, off);
		if (got < 0 || (size_t)got < len) {
			error("temporary partners file: %s", got < 0 ? spill_strerror(errno) : "short read");
			return NULL;
		}
		p->at = off;
		p->n = (size_t)got;
	}
	const char *t = p->b + (off - p->at);
	if (t[len - 1] != '\0')
		BUG("partners text without its end");
	return t;
}

int decider_hosts(struct decider *d, struct store *st, int64_t listing_window_ns,
		  struct decide_host_stats *hs)
{
	memset(hs, 0, sizeof *hs);
	if (!d->ran || !d->host_f[0])
		BUG("decider_hosts before decider_run");
	char err[512];
	struct parted lst = { 0 }, sides = { 0 };
	FILE *of = NULL, *pf = NULL;
	int rc = 0;
	if (parted_open(&lst, "listing", sizeof(struct lrec), 512, err, sizeof err) < 0 ||
	    parted_open(&sides, "side", sizeof(struct side), 512, err, sizeof err) < 0 ||
	    !(of = spill_open("host-row", err, sizeof err)) ||
	    !(pf = spill_open("partners", err, sizeof err)))
		rc = error("%s", err);
	struct listing l = { d, &lst, 0 };
	if (rc == 0)
		rc = store_each_listed(st, listing_window_ns, on_listed, on_lists, &l);
	if (rc == 0)
		rc = parted_flush(&lst);
	if (rc == 0)
		rc = annotate(d, &lst, &sides);
	parted_close(&d->sides);
	struct ext *runs = xcalloc(PARTS, sizeof *runs);
	for (unsigned j = 0; j < PARTS && rc == 0; j++)
		rc = out_part(d, j, &lst, &sides, of, pf, &runs[j]);
	scratch_free(&d->wk[0]);
	parted_close(&lst);
	parted_close(&sides);
	if (rc == 0 && (fflush(of) != 0 || fflush(pf) != 0))
		rc = error("temporary host file: %s", spill_strerror(errno));
	struct rcur *c = xcalloc(PARTS, sizeof *c);
	struct pread_buf *pb = xcalloc(PARTS, sizeof *pb);
	for (unsigned j = 0; j < PARTS; j++) {
		struct ext *x = xmalloc(sizeof *x);
		*x = runs[j];
		rcur_open_unpack(&c[j], of, "host-row", sizeof(struct out_rec), x, 1, 128,
				 out_txt_unpack, sizeof(struct out_txt));
	}
	free(runs);
	struct rmerge m;
	rmerge_open(&m, c, PARTS, cmp_out_txt);
	const struct out_txt *ot;
	size_t from;
	uint64_t k = 0;
	while (rc == 0 && (ot = rmerge_next(&m, &from))) {
		const struct out_rec *o = &ot->o;
		const struct host_row *x = &o->r;
		const char *partners = NULL;
		if (o->plen && !(partners = pbuf_get(&pb[from], pf, (off_t)o->poff, o->plen))) {
			rc = -1;
			break;
		}
		struct addr_class cl;
		addr_classify(&x->a, &cl);
		char emb4[ADDR_STRLEN];
		const char *emb = host_emb(&x->a, emb4);
		hs->hosts[x->a.family == 6]++;
		hs->listed_v4 += x->a.family != 6 && o->listed;
		hs->v6_associated += o->label == LABEL_ASSOC;
		hs->v6_assoc_unlisted += o->label == LABEL_ASSOC_UNLISTED;
		hs->v6_unassociated += o->label == LABEL_UNASSOC;
		struct store_host row = {
			.addr = ot->txt, .family = x->a.family,
			.addr_type = addr_scope_name(cl.scope),
			.iid_class = cl.iid != ADDR_IID_NONE ? addr_iid_name(cl.iid) : NULL,
			.emb_kind = emb,
			.emb4 = emb ? emb4 : NULL,
			.first_ns = x->first_ns, .last_ns = x->last_ns,
			.attempts = x->n, .syns = x->syns,
			.os = label_str(d, x->os), .os_family = label_str(d, x->fam),
			.partners = partners, .label = label_names[o->label],
			.listed = o->listed,
			.lists = o->lists ? strpool_get(&d->strs, o->lists - 1) : NULL,
		};
		rc = store_add_host(st, &row);
		k++;
		if ((k & PROGRESS_EVERY) == 0 || k == d->nhosts)
			progress_count("hosts written", k, d->nhosts);
	}
	if (rc == 0)
		rc = m.err;
	rmerge_close(&m);
	for (unsigned j = 0; j < PARTS; j++)
		free(pb[j].b);
	free(pb);
	if (of)
		fclose(of);
	if (pf)
		fclose(pf);
	return rc;
}

size_t decider_bytes(const struct decider *d)
{
	size_t b = d->curcap * sizeof *d->cur +
		   parted_bytes(&d->en) + d->lsize * (sizeof *d->lptr + sizeof *d->lid);
	for (unsigned w = 0; w < 2; w++)
		b += d->wk[w].morecap * sizeof *d->wk[w].more + d->wk[w].tsize * sizeof *d->wk[w].tab +
		     d->wk[w].vcap * sizeof *d->wk[w].v + parted_bytes(&d->reps[w]) +
		     parted_bytes(&d->keys4[w]);
	return b + parted_bytes(&d->cands) + parted_bytes(&d->recs) + parted_bytes(&d->meets) +
	       parted_bytes(&d->sides);
}

void decider_free(struct decider *d)
{
	if (!d)
		return;
	if (d->att_spill)
		fclose(d->att_spill);
	parted_close(&d->cands);
	parted_close(&d->recs);
	parted_close(&d->meets);
	parted_close(&d->sides);
	for (unsigned w = 0; w < 2; w++) {
		parted_close(&d->reps[w]);
		parted_close(&d->keys4[w]);
		if (d->host_f[w])
			fclose(d->host_f[w]);
		free(d->wk[w].more);
		free(d->wk[w].tab);
		free(d->wk[w].v);
		scratch_free(&d->wk[w]);
	}
	strpool_free(&d->strs);
	parted_close(&d->en);
	free(d->cur);
	free(d->labels);
	free(d->lptr);
	free(d->lid);
	free(d);
}
