/*
 * mxgen.c - synthetic sensor trace generator.
 *
 * Writes what a sensor MX (IPv4 192.0.2.25, IPv6 2001:db8:25::25, TCP port
 * 25 closed) would capture: the clients' SYNs only, as a pcap (Ethernet,
 * microsecond timestamps, sorted by time); the ground truth of every
 * connect() attempt as CSV; and the Postfix log of the production MXs
 * (mx1, mx2) with DNSBL rejections of the listed ("spammer") IPv4 clients
 * plus noise.  The world it models (client stacks, address types, timing)
 * is documented in bench/README.md.
 *
 * Deterministic for a seed: every random draw comes from xoshiro256**
 * streams seeded by splitmix64; the static traits of client N are a pure
 * function of (seed, N), so only a few bytes of mutable state are kept per
 * client.  Memory: one 16-byte record per client "episode" (the attempts
 * a client makes at one moment), plus per-second buckets holding the SYNs
 * (16 s) and log lines (256 s) not yet written, released in time order.
 *
 * Trusts: its own command line only (checked with num.h ranges).
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr/addr.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/num.h"

#define US 1000000LL                 /* microseconds per second */
#define MS 1000LL                    /* microseconds per millisecond */
#define LOG_BEFORE_US (30 * US)      /* a log line may precede its episode by this */
#define LOG_AFTER_US (120 * US)      /* ... or follow it by this */
#define SIBLINGS 8                   /* client ids per misbehaving /64 */
#define MIS_PERIOD_US (5 * US)       /* misbehaving retry period */

/* ---------------------------------------------------------------- PRNG */

struct rng {
	uint64_t s[4];
};

/* splitmix64 - one step of Vigna's splitmix64 (seeds xoshiro) */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* rng_seed - seed a stream from a seed and a stream label */
static void rng_seed(struct rng *r, uint64_t seed, uint64_t label)
{
	uint64_t x = seed ^ (label * 0xd1b54a32d192ed03ULL);
	splitmix64(&x);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

/* rotl - rotate left */
static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* rng_next - xoshiro256** */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* rng_below - uniform in [0, n) (n > 0; Lemire's multiply, bias < 2^-32) */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* rng_range - uniform in [lo, hi] */
static inline int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* rng_pct - true with probability pct/100 */
static inline bool rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* ------------------------------------------------------------ the world */

enum beh { B_DUAL, B_EUI64, B_6TO4, B_TEREDO, B_V4ONLY, B_V6ONLY, B_SCANNER,
	   B_MISBEHAVING, NBEH };
static const char *const beh_name[NBEH] = { "dual", "eui64", "6to4", "teredo",
	"v4only", "v6only", "scanner", "misbehaving" };

enum os { OS_WIN7, OS_WINXP, OS_LINUX, OS_MACOS, OS_MASSCAN, OS_ZMAP, OS_NMAP, NOS };
static const char *const os_name[NOS] = { "windows7", "windowsxp", "linux", "macos",
	"masscan", "zmap", "nmap" };

enum atype { A_IPV4, A_RANDOM, A_EUI64, A_6TO4, A_TEREDO, NATYPE };
static const char *const atype_name[NATYPE] = { "ipv4", "randomized", "eui64",
	"6to4", "teredo" };

/* the --mix knobs: weights and percentages */
struct mix {
	unsigned beh[B_MISBEHAVING];  /* relative weights of the regular behaviours */
	unsigned os[3];               /* windows, linux, macos weights */
	unsigned winxp;               /* % of Windows hosts that are XP (where XP fits) */
	unsigned listed;              /* % of v4-capable clients listed */
	unsigned misbehaving;         /* number of misbehaving /64s */
	unsigned giveup;              /* % of episodes without the second family */
	unsigned burst;               /* % of episodes started inside a burst */
	unsigned subms;               /* % of v6->v4 fallback gaps below 1 ms */
	unsigned maxattempts;         /* episodes per client: 1..maxattempts */
};

static const struct {
	const char *key;
	size_t off;
	unsigned hi;
} mix_keys[] = {
	{ "dual", offsetof(struct mix, beh[B_DUAL]), 1000 },
	{ "eui64", offsetof(struct mix, beh[B_EUI64]), 1000 },
	{ "6to4", offsetof(struct mix, beh[B_6TO4]), 1000 },
	{ "teredo", offsetof(struct mix, beh[B_TEREDO]), 1000 },
	{ "v4only", offsetof(struct mix, beh[B_V4ONLY]), 1000 },
	{ "v6only", offsetof(struct mix, beh[B_V6ONLY]), 1000 },
	{ "scanner", offsetof(struct mix, beh[B_SCANNER]), 1000 },
	{ "windows", offsetof(struct mix, os[0]), 1000 },
	{ "linux", offsetof(struct mix, os[1]), 1000 },
	{ "macos", offsetof(struct mix, os[2]), 1000 },
	{ "winxp", offsetof(struct mix, winxp), 100 },
	{ "listed", offsetof(struct mix, listed), 100 },
	{ "misbehaving", offsetof(struct mix, misbehaving), 1000 },
	{ "giveup", offsetof(struct mix, giveup), 100 },
	{ "burst", offsetof(struct mix, burst), 100 },
	{ "subms", offsetof(struct mix, subms), 100 },
	{ "attempts", offsetof(struct mix, maxattempts), 100 },
};

static const struct mix mix_default = {
	.beh = { [B_DUAL] = 40, [B_EUI64] = 5, [B_6TO4] = 8, [B_TEREDO] = 4,
		 [B_V4ONLY] = 25, [B_V6ONLY] = 5, [B_SCANNER] = 13 },
	.os = { 50, 30, 20 },
	.winxp = 20,
	.listed = 70,
	.misbehaving = 1,
	.giveup = 3,
	.burst = 15,
	.subms = 25,
	.maxattempts = 5,
};

struct world {
	uint64_t seed;
	int64_t start_us;             /* epoch of t = 0, in microseconds */
	int64_t dur_us;
	uint32_t nreg;                /* regular clients: ids 0 .. nreg-1 */
	uint32_t nmis;                /* misbehaving /64s: ids nreg + SIBLINGS*g + j */
	struct mix mix;
	uint32_t beh_total, os_total;
};

/* static traits of one client: a pure function of (seed, id) */
struct client {
	uint32_t id;
	uint8_t beh, os;
	uint8_t hops;
	uint8_t wscale;
	uint8_t nep;                  /* episodes over the run */
	uint8_t v6type;               /* enum atype of the IPv6 address */
	bool has_v4, has_v6, listed;
	bool bigwin;                  /* Linux: 64240-style window instead of mss*20 */
	uint16_t mss4, mss6;
	uint16_t port0;               /* Windows: first ephemeral port */
	uint32_t v4;                  /* host order */
	uint8_t v6[16];
	uint32_t ipid_base, ipid_rate;/* Windows: global IP ID counter per second */
	uint32_t ts_base;             /* macOS: per-host TCP timestamp clock */
};

/* mutable per-client state */
struct cstate {
	uint16_t port;                /* Windows: next ephemeral port (0 = unset) */
	uint16_t attempts;            /* attempts generated so far (capped) */
	uint8_t episodes;             /* episodes generated so far */
};

/* perm - a keyed bijection on [0, 2^bits) (odd multiply, xorshift) */
static uint32_t perm(uint32_t x, unsigned bits, uint64_t key)
{
	uint32_t mask = bits == 32 ? 0xffffffffu : (1u << bits) - 1;
	unsigned sh = bits / 2;
	for (int round = 0; round < 3; round++) {
		uint32_t k = (uint32_t)(key >> (round * 16));
		x = (x * 0x2c1b3c6dU + k) & mask;
		x ^= x >> sh;
		x = (x * (0x297a2d39U | 1)) & mask;
		x ^= x >> (sh + 1 < bits ? sh + 1 : sh);
	}
	return x;
}

/* public-looking /8s used once 198.18.0.0/15 is full */
static const uint8_t v4_blocks[32] = { 23, 31, 37, 41, 46, 77, 78, 79, 89, 91, 93, 95,
	109, 112, 113, 117, 118, 121, 122, 123, 125, 176, 178, 180, 182, 183, 186, 187,
	189, 190, 200, 201 };

/* v4_of - the unique IPv4 address of client index i */
static uint32_t v4_of(const struct world *w, uint32_t i)
{
	if (i < (1u << 17))
		return 0xc6120000u | perm(i, 17, w->seed);          /* 198.18.0.0/15 */
	uint32_t x = perm(i - (1u << 17), 29, w->seed ^ 0x5a5a);
	return ((uint32_t)v4_blocks[x >> 24] << 24) | (x & 0xffffff);
}

/* v6_prefix - a unique /64 for index i, in 2001:db8::/32 or 3fff::/20 */
static void v6_prefix(const struct world *w, uint32_t i, struct rng *r, uint8_t *b)
{
	uint32_t p = perm(i, 32, w->seed ^ 0x6666);
	memset(b, 0, 16);
	if (rng_pct(r, 50)) {
		b[0] = 0x20, b[1] = 0x01, b[2] = 0x0d, b[3] = 0xb8;
	} else {
		uint32_t top = rng_below(r, 0x1000);   /* 3fff:0RRR: */
		b[0] = 0x3f, b[1] = 0xff, b[2] = (uint8_t)(top >> 8), b[3] = (uint8_t)top;
	}
	b[4] = (uint8_t)(p >> 24), b[5] = (uint8_t)(p >> 16);
	b[6] = (uint8_t)(p >> 8), b[7] = (uint8_t)p;
}

/* random_iid - an RFC 8981 style randomized interface identifier */
static void random_iid(struct rng *r, uint8_t *b)
{
	uint64_t x = rng_next(r);
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(x >> (56 - 8 * i));
	b[8] &= (uint8_t)~0x02;                  /* "u" bit zero */
	if (b[11] == 0xff && b[12] == 0xfe)      /* never looks like EUI-64 */
		b[12] = 0xfd;
	if (b[13] == 0 && b[14] == 0)            /* never looks low-byte */
		b[13] = 0x5c;
}

static const uint8_t ouis[][3] = { { 0x00, 0x1b, 0x63 }, { 0x00, 0x50, 0x56 },
	{ 0x3c, 0x97, 0x0e }, { 0x00, 0x1e, 0x68 }, { 0xf0, 0xde, 0xf1 },
	{ 0x00, 0x24, 0xd7 }, { 0xb8, 0x27, 0xeb }, { 0x00, 0x0c, 0x29 } };

/* pick_os - a desktop OS by the mix weights (XP only where allowed) */
static uint8_t pick_os(const struct world *w, struct rng *r, bool xp_ok)
{
	uint32_t x = rng_below(r, w->os_total);
	if (x < w->mix.os[0])
		return xp_ok && rng_pct(r, w->mix.winxp) ? OS_WINXP : OS_WIN7;
	if (x < w->mix.os[0] + w->mix.os[1])
		return OS_LINUX;
	return OS_MACOS;
}

/* client_make - the static traits of client id */
static void client_make(const struct world *w, uint32_t id, struct client *c)
{
	struct rng r;
	memset(c, 0, sizeof *c);
	c->id = id;
	if (id >= w->nreg) {                      /* misbehaving /64 sibling */
		uint32_t g = (id - w->nreg) / SIBLINGS;
		struct rng gr;
		rng_seed(&gr, w->seed, 0x4d15000000ULL + g);
		c->beh = B_MISBEHAVING;
		c->os = pick_os(w, &gr, false);
		c->hops = (uint8_t)rng_range(&gr, 6, 24);
		c->wscale = rng_pct(&gr, 50) ? 8 : 2;
		c->mss6 = 1440;
		c->bigwin = rng_pct(&gr, 30);
		c->has_v6 = true;
		c->v6type = A_RANDOM;
		c->nep = 0;
		v6_prefix(w, 0xf0000000u + g, &gr, c->v6);  /* one /64 per group ... */
		rng_seed(&r, w->seed, 0x4d17000000ULL + (id - w->nreg)); /* IID per sibling */
		random_iid(&r, c->v6);
		c->ts_base = (uint32_t)rng_next(&gr);
		c->port0 = (uint16_t)rng_range(&gr, 49152, 60000);
		return;
	}
	rng_seed(&r, w->seed, id);
	uint32_t x = rng_below(&r, w->beh_total), acc = 0;
	for (c->beh = 0; c->beh < B_MISBEHAVING - 1; c->beh++) {
		acc += w->mix.beh[c->beh];
		if (x < acc)
			break;
	}
	c->hops = (uint8_t)rng_range(&r, 6, 24);
	c->nep = (uint8_t)rng_range(&r, 1, w->mix.maxattempts);
	c->v4 = v4_of(w, id);
	c->mss4 = rng_pct(&r, 85) ? 1460 : 1452;
	c->mss6 = 1440;
	c->bigwin = rng_pct(&r, 30);
	c->ipid_base = (uint32_t)rng_next(&r);
	c->ipid_rate = (uint32_t)rng_range(&r, 1, 40);
	c->ts_base = (uint32_t)rng_next(&r);
	c->port0 = (uint16_t)rng_range(&r, 49152, 60000);
	c->wscale = rng_pct(&r, 50) ? 8 : 2;
	v6_prefix(w, id, &r, c->v6);
	switch (c->beh) {
	case B_DUAL:
	case B_V6ONLY:
		c->os = pick_os(w, &r, false);
		c->has_v4 = c->beh == B_DUAL;
		c->has_v6 = true;
		c->v6type = A_RANDOM;
		random_iid(&r, c->v6);
		break;
	case B_EUI64: {
		c->os = pick_os(w, &r, false);
		c->has_v4 = c->has_v6 = true;
		c->v6type = A_EUI64;
		const uint8_t *o = ouis[rng_below(&r, sizeof ouis / sizeof ouis[0])];
		uint32_t nic = (uint32_t)rng_next(&r);
		c->v6[8] = o[0] ^ 0x02, c->v6[9] = o[1], c->v6[10] = o[2];
		c->v6[11] = 0xff, c->v6[12] = 0xfe;
		c->v6[13] = (uint8_t)(nic >> 16), c->v6[14] = (uint8_t)(nic >> 8);
		c->v6[15] = (uint8_t)nic;
		break;
	}
	case B_6TO4:
		c->os = pick_os(w, &r, true);
		c->has_v4 = c->has_v6 = true;
		c->v6type = A_6TO4;
		c->mss6 = 1420;                      /* 6in4 MTU 1480 */
		memset(c->v6, 0, 16);
		c->v6[0] = 0x20, c->v6[1] = 0x02;
		c->v6[2] = (uint8_t)(c->v4 >> 24), c->v6[3] = (uint8_t)(c->v4 >> 16);
		c->v6[4] = (uint8_t)(c->v4 >> 8), c->v6[5] = (uint8_t)c->v4;
		c->v6[7] = rng_pct(&r, 70) ? 0 : (uint8_t)rng_range(&r, 1, 255);
		if (c->os == OS_WIN7 || c->os == OS_WINXP)      /* ::a.b.c.d style IID */
			memcpy(c->v6 + 12, c->v6 + 2, 4);
		else
			random_iid(&r, c->v6);
		break;
	case B_TEREDO: {
		static const uint32_t servers[] = { 0x4136e378u /* 65.54.227.120 */,
			0x5ef579fdu /* 94.245.121.253 */, 0x53aa0601u /* 83.170.6.1 */ };
		c->os = OS_WIN7;
		c->has_v4 = c->has_v6 = true;
		c->v6type = A_TEREDO;
		c->mss6 = 1220;                      /* Teredo MTU 1280 */
		uint32_t srv = servers[rng_below(&r, 3)];
		uint16_t flags = (uint16_t)(rng_next(&r) & 0x3cff);
		if (rng_pct(&r, 30))
			flags |= 0x8000;             /* cone NAT */
		uint16_t uport = (uint16_t)rng_range(&r, 1024, 65535);
		uint32_t cv4 = ~c->v4;
		c->v6[0] = 0x20, c->v6[1] = 0x01, c->v6[2] = 0, c->v6[3] = 0;
		c->v6[4] = (uint8_t)(srv >> 24), c->v6[5] = (uint8_t)(srv >> 16);
		c->v6[6] = (uint8_t)(srv >> 8), c->v6[7] = (uint8_t)srv;
		c->v6[8] = (uint8_t)(flags >> 8), c->v6[9] = (uint8_t)flags;
		c->v6[10] = (uint8_t)(~uport >> 8), c->v6[11] = (uint8_t)~uport;
		c->v6[12] = (uint8_t)(cv4 >> 24), c->v6[13] = (uint8_t)(cv4 >> 16);
		c->v6[14] = (uint8_t)(cv4 >> 8), c->v6[15] = (uint8_t)cv4;
		break;
	}
	case B_V4ONLY:
		c->os = pick_os(w, &r, true);
		c->has_v4 = true;
		break;
	case B_SCANNER:
	default: {
		uint32_t k = rng_below(&r, 100);
		c->os = k < 50 ? OS_MASSCAN : k < 80 ? OS_ZMAP : OS_NMAP;
		c->nep = 1;
		if (rng_pct(&r, 70)) {
			c->has_v4 = true;
		} else {
			c->has_v6 = true;
			c->v6type = A_RANDOM;
			random_iid(&r, c->v6);
		}
		break;
	}
	}
	if (c->beh != B_SCANNER && c->has_v4)
		c->listed = rng_pct(&r, w->mix.listed);
}

/* is_windows - Windows stacks: 3 SYNs per attempt, one shared port pool */
static bool is_windows(uint8_t os) { return os == OS_WIN7 || os == OS_WINXP; }

/* syns_per_attempt - SYNs in one connect() attempt answered by RST */
static unsigned syns_per_attempt(uint8_t os) { return is_windows(os) ? 3 : 1; }

/* expected_syns100 - 100 times the SYNs client c is expected to send over
 * the run (the second family is skipped in giveup% of the episodes) */
static uint64_t expected_syns100(const struct client *c, unsigned giveup)
{
	uint64_t per = syns_per_attempt(c->os);
	uint64_t ep = per * 100 + (c->has_v4 && c->has_v6 ? per * (100 - giveup) : 0);
	return (uint64_t)c->nep * ep;
}

/* ------------------------------------------------------------ episodes */

struct episode {
	int64_t t;                    /* microseconds since start */
	uint32_t client;
	uint32_t ord;                 /* tie-breaker: creation order */
};

/* ep_cmp - qsort order: time, then creation order */
static int ep_cmp(const void *a, const void *b)
{
	const struct episode *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* ------------------------------------------------------------ packets */

/* ------------------------------------------------------------ time queue */

/*
 * A time queue: entries wait in one bucket per second of a ring and are
 * released in (t, seq) order once no later push can precede them.  Every
 * entry type starts with struct tq_key.  Pushes must lie within `ring`
 * seconds after the last released second (BUG otherwise).
 */
struct tq_key {
	int64_t t;                    /* microseconds since start */
	uint64_t seq;                 /* creation order: ties keep it */
};

struct tq_bucket {
	char *v;
	size_t n, cap;
};

struct tq {
	size_t esz;                   /* entry size */
	unsigned ring;                /* buckets (seconds) */
	struct tq_bucket *b;
	int64_t next;                 /* first second not yet released */
	size_t count;                 /* entries queued */
	uint64_t seq;
};

/* tq_init - an empty queue of entries of esz bytes spanning ring seconds */
static void tq_init(struct tq *q, size_t esz, unsigned ring)
{
	memset(q, 0, sizeof *q);
	q->esz = esz;
	q->ring = ring;
	q->b = xcalloc(ring, sizeof *q->b);
}

/* tq_free - release all memory (entries still queued are dropped) */
static void tq_free(struct tq *q)
{
	for (unsigned i = 0; i < q->ring; i++)
		free(q->b[i].v);
	free(q->b);
}

/* tq_slot - room for one entry at time t; fills in its key */
static void *tq_slot(struct tq *q, int64_t t)
{
	int64_t sec = t / US;
	if (sec < q->next || sec >= q->next + q->ring)
		BUG("time queue: %" PRId64 " outside [%" PRId64 ", +%u)", sec, q->next, q->ring);
	struct tq_bucket *b = &q->b[sec % q->ring];
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->v = xreallocarray(b->v, b->cap, q->esz);
	}
	struct tq_key *k = (struct tq_key *)(void *)(b->v + b->n++ * q->esz);
	k->t = t;
	k->seq = q->seq++;
	q->count++;
	return k;
}

/* tq_cmp - qsort order of entries: time, then creation */
static int tq_cmp(const void *x, const void *y)
{
	const struct tq_key *a = x, *b = y;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* tq_release - hand every entry before second until/US to emit, in order */
static void tq_release(struct tq *q, int64_t until, void (*emit)(void *ctx, const void *e),
		       void *ctx)
{
	while (q->count && (q->next + 1) * US <= until) {
		struct tq_bucket *b = &q->b[q->next % q->ring];
		if (b->n) {
			qsort(b->v, b->n, q->esz, tq_cmp);
			for (size_t i = 0; i < b->n; i++)
				emit(ctx, b->v + i * q->esz);
			q->count -= b->n;
			b->n = 0;
		}
		q->next++;
	}
	if (!q->count && until / US > q->next)       /* skip idle seconds at once */
		q->next = until / US;
}

/* one queued SYN: the built packet */
struct pend {
	struct tq_key k;
	uint8_t len;
	uint8_t b[103];
};

static const uint8_t sensor_v4[4] = { 192, 0, 2, 25 };
static const uint8_t sensor_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x25, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0x25 };
static const uint8_t mac_sensor[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x25 };
static const uint8_t mac_router[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };

/* put16, put32 - store big-endian */
static inline void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* csum_add - one's-complement sum of n bytes (n even) into acc */
static uint32_t csum_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	return acc;
}

/* csum_fold - the final one's-complement checksum of a sum */
static uint16_t csum_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* the per-SYN values an attempt decides */
struct synspec {
	uint8_t fam;
	uint8_t os;
	uint8_t ttl;
	bool df;
	uint16_t ipid;
	uint32_t flow;
	const uint8_t *src;           /* 4 or 16 bytes, network order */
	uint16_t sport;
	uint32_t isn;
	uint16_t win;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval;
};

/* tcp_options - the option bytes of os's SYN; returns their length (mult. of 4) */
static size_t tcp_options(const struct synspec *s, uint8_t *o)
{
	size_t n = 0;
#define MSS() (o[n] = 2, o[n + 1] = 4, put16(o + n + 2, s->mss), n += 4)
#define WS() (o[n] = 3, o[n + 1] = 3, o[n + 2] = s->ws, n += 3)
#define SOK() (o[n] = 4, o[n + 1] = 2, n += 2)
#define TS() (o[n] = 8, o[n + 1] = 10, put32(o + n + 2, s->tsval), put32(o + n + 6, 0), n += 10)
#define NOP() (o[n++] = 1)
	switch (s->os) {
	case OS_WIN7:        /* mss,nop,ws,nop,nop,sok */
		MSS(), NOP(), WS(), NOP(), NOP(), SOK();
		break;
	case OS_WINXP:       /* mss,nop,nop,sok */
		MSS(), NOP(), NOP(), SOK();
		break;
	case OS_LINUX:       /* mss,sok,ts,nop,ws */
		MSS(), SOK(), TS(), NOP(), WS();
		break;
	case OS_MACOS:       /* mss,nop,ws,nop,nop,ts,sok,eol+1 */
		MSS(), NOP(), WS(), NOP(), NOP(), TS(), SOK();
		o[n++] = 0, o[n++] = 0;
		break;
	case OS_ZMAP:
	case OS_NMAP:        /* mss */
		MSS();
		break;
	default:             /* masscan: none */
		break;
	}
#undef MSS
#undef WS
#undef SOK
#undef TS
#undef NOP
	return n;
}

/* build_syn - Ethernet + IPv4/IPv6 + TCP SYN to the sensor; returns length */
static uint8_t build_syn(const struct synspec *s, uint8_t *pkt)
{
	uint8_t opt[40];
	size_t olen = tcp_options(s, opt), tlen = 20 + olen, iplen;
	uint8_t *ip = pkt + 14, *tcp;
	memcpy(pkt, mac_sensor, 6);
	memcpy(pkt + 6, mac_router, 6);
	uint32_t acc;
	if (s->fam == 4) {
		put16(pkt + 12, 0x0800);
		iplen = 20;
		ip[0] = 0x45, ip[1] = 0;
		put16(ip + 2, (uint32_t)(iplen + tlen));
		put16(ip + 4, s->ipid);
		put16(ip + 6, s->df ? 0x4000 : 0);
		ip[8] = s->ttl, ip[9] = 6;
		put16(ip + 10, 0);
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, sensor_v4, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		acc = csum_add(0, ip + 12, 8) + 6 + (uint32_t)tlen;
	} else {
		put16(pkt + 12, 0x86dd);
		iplen = 40;
		put32(ip, 0x60000000u | (s->flow & 0xfffff));
		put16(ip + 4, (uint32_t)tlen);
		ip[6] = 6, ip[7] = s->ttl;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, sensor_v6, 16);
		acc = csum_add(0, ip + 8, 32) + 6 + (uint32_t)tlen;
	}
	tcp = ip + iplen;
	put16(tcp, s->sport);
	put16(tcp + 2, 25);
	put32(tcp + 4, s->isn);
	put32(tcp + 8, 0);
	tcp[12] = (uint8_t)((tlen / 4) << 4), tcp[13] = 0x02;
	put16(tcp + 14, s->win);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	memcpy(tcp + 20, opt, olen);
	put16(tcp + 16, csum_fold(csum_add(acc, tcp, tlen)));
	return (uint8_t)(14 + iplen + tlen);
}

/* ------------------------------------------------------------ log lines */

enum lkind { L_PS_CONNECT, L_PS_RANK, L_PS_PASS, L_CONNECT, L_REJECT_RBL, L_REJECT_USER,
	     L_LOST, L_CLIENT, L_CLEANUP, L_QMGR, L_DISCONNECT, L_DISCONNECT_OK };

struct logev {
	struct tq_key k;
	uint32_t v4;                  /* the connecting address */
	uint32_t who;                 /* client id, or legit sender number | 1<<31 */
	uint32_t pid;
	uint32_t extra;               /* port, rank, queue id seed */
	uint8_t kind;
	uint8_t mx;                   /* 1 or 2 */
};

/* ------------------------------------------------------------ generator */

struct gen {
	struct world w;
	struct cstate *st;            /* per client id (regular + misbehaving) */
	uint32_t nclients;
	struct rng r;                 /* the episode stream */
	struct tq synq;               /* struct pend */
	struct tq logq;               /* struct logev */
	uint64_t next_attempt;        /* attempt ids from 1 */
	pcap_dumper_t *dump;
	FILE *pcapf, *truth, *logf;
	/* counters */
	uint64_t syns[2], attempts[2], loglines;
	/* syslog time cache */
	int64_t log_sec;
	char log_stamp[32];
};

/* fam_ix - 0 for IPv4, 1 for IPv6 */
static inline int fam_ix(int fam) { return fam == 4 ? 0 : 1; }

/* attempt - one connect() attempt of c in family fam starting at t;
 * queues its SYNs, returns the time of its last SYN; *sport gets the port */
static int64_t attempt(struct gen *g, const struct client *c, int fam, int64_t t,
		       uint16_t sport, unsigned *nsyn)
{
	struct rng *r = &g->r;
	struct synspec s;
	uint8_t v4b[4];
	memset(&s, 0, sizeof s);
	s.fam = (uint8_t)fam;
	s.os = c->os;
	s.sport = sport;
	s.isn = (uint32_t)rng_next(r);
	s.mss = fam == 4 ? c->mss4 : c->mss6;
	s.ws = c->wscale;
	if (fam == 4) {
		put32(v4b, c->v4);
		s.src = v4b;
	} else {
		s.src = c->v6;
	}
	unsigned n = syns_per_attempt(c->os);
	uint32_t flow = 0;
	switch (c->os) {
	case OS_WIN7:
		s.ttl = (uint8_t)(128 - c->hops), s.df = true, s.win = 8192;
		break;
	case OS_WINXP:
		s.ttl = (uint8_t)(128 - c->hops), s.df = true, s.win = 65535;
		break;
	case OS_LINUX:
		s.ttl = (uint8_t)(64 - c->hops), s.df = true, s.ws = 7;
		s.win = c->bigwin ? (fam == 4 ? 64240 : 64800) : (uint16_t)(s.mss * 20);
		s.ipid = (uint16_t)rng_range(r, 1, 65535);
		s.tsval = (uint32_t)rng_next(r) | 1;   /* per-connection offset */
		flow = (uint32_t)rng_range(r, 1, 0xfffff);
		break;
	case OS_MACOS:
		s.ttl = (uint8_t)(64 - c->hops), s.df = true, s.win = 65535, s.ws = 6;
		flow = (uint32_t)rng_range(r, 1, 0xfffff);
		break;
	case OS_MASSCAN:
		s.ttl = (uint8_t)((c->id & 1 ? 255 : 64) - c->hops), s.win = 1024;
		s.ipid = (uint16_t)rng_next(r);
		break;
	case OS_ZMAP:
		s.ttl = (uint8_t)(255 - c->hops), s.win = 65535, s.ipid = 54321, s.mss = 1460;
		break;
	default:
		s.ttl = (uint8_t)(rng_range(r, 37, 59) - c->hops / 4), s.win = 1024;
		s.ipid = (uint16_t)rng_next(r), s.mss = 1460;
		break;
	}
	s.flow = fam == 6 ? flow : 0;
	int64_t when = t;
	for (unsigned k = 0; k < n; k++) {
		if (k == 1)
			when += 500 * MS + rng_range(r, -20 * MS, 30 * MS);
		else if (k == 2)
			when += 1000 * MS + rng_range(r, -20 * MS, 30 * MS);
		if (fam == 4 && is_windows(c->os)) {
			s.ipid = (uint16_t)(c->ipid_base + (uint64_t)(g->w.start_us + when) *
							c->ipid_rate / US + k);
		} else if (fam == 4 && c->os == OS_MACOS) {
			s.ipid = (uint16_t)rng_next(r);
		}
		if (fam == 4 && s.df && s.ipid == 0)
			s.ipid = 1;
		if (c->os == OS_MACOS)
			s.tsval = c->ts_base + (uint32_t)((g->w.start_us + when) / MS);
		struct pend *p = tq_slot(&g->synq, when);
		p->len = build_syn(&s, p->b);
	}
	g->syns[fam_ix(fam)] += n;
	g->attempts[fam_ix(fam)]++;
	*nsyn = n;
	return when;
}

/* pick_port - the source port of c's next attempt (second: the fallback
 * attempt of an episode) */
static uint16_t pick_port(struct gen *g, const struct client *c, struct cstate *st,
			  bool second)
{
	struct rng *r = &g->r;
	switch (c->os) {
	case OS_WIN7:
	case OS_WINXP: {
		/* one pool 49152-65535 (XP: 1025-5000) shared by both families:
		 * sequential, with gaps from the host's other connections */
		unsigned lo = c->os == OS_WINXP ? 1025 : 49152, hi = c->os == OS_WINXP ? 5000 : 65535;
		unsigned p = st->port ? st->port : (c->os == OS_WINXP ? lo + c->port0 % 2000 : c->port0);
		unsigned gap = second ? (rng_pct(r, 60) ? 1 : (unsigned)rng_range(r, 2, 4))
				      : (unsigned)rng_range(r, 1, 300);
		if (!st->port)
			gap = 0;
		p += gap;
		if (p > hi)
			p = lo + (p - hi - 1);
		st->port = (uint16_t)p;
		return (uint16_t)p;
	}
	case OS_LINUX:
		return (uint16_t)rng_range(r, 32768, 60999);
	case OS_MACOS:
		return (uint16_t)rng_range(r, 49152, 65535);
	case OS_MASSCAN:
		return (uint16_t)rng_range(r, 40000, 60000);
	default:
		return (uint16_t)rng_range(r, 1024, 65535);
	}
}

/* fallback_gap - time from the last SYN of the failed first family to the
 * first SYN of the second: sub-millisecond, sub-second or seconds */
static int64_t fallback_gap(struct gen *g)
{
	struct rng *r = &g->r;
	unsigned k = rng_below(r, 100);
	if (k < g->w.mix.subms)
		return rng_range(r, 20, 999);
	if (k < g->w.mix.subms + (100 - g->w.mix.subms) / 2)
		return rng_range(r, 1 * MS, 500 * MS);
	return rng_range(r, 500 * MS, 3 * US);
}

/* ------------------------------------------------------------ text output */

/* Lines are assembled with these appenders (printf is the bottleneck at
 * millions of lines); each returns the new end.  Callers size buffers. */

/* put_s - append a string */
static inline char *put_s(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

/* put_u - append a decimal number */
static inline char *put_u(char *p, uint64_t v)
{
	char tmp[24];
	int i = 0;
	do
		tmp[i++] = (char)('0' + v % 10);
	while (v /= 10);
	while (i)
		*p++ = tmp[--i];
	return p;
}

/* put_v4 - append a dotted quad (host-order address) */
static inline char *put_v4(char *p, uint32_t a)
{
	p = put_u(p, a >> 24), *p++ = '.';
	p = put_u(p, (a >> 16) & 255), *p++ = '.';
	p = put_u(p, (a >> 8) & 255), *p++ = '.';
	return put_u(p, a & 255);
}

/* put_hex - append v as exactly n upper-case hex digits */
static inline char *put_hex(char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--)
		*p++ = "0123456789ABCDEF"[(v >> (4 * i)) & 15];
	return p;
}

/* truth_row - one line of the truth CSV */
static void truth_row(struct gen *g, uint64_t id, const struct client *c, int fam,
		      uint16_t sport, int64_t t, unsigned nsyn, uint64_t partner)
{
	char line[256], *p = line;
	p = put_u(p, id), *p++ = ',';
	p = put_u(p, c->id), *p++ = ',';
	*p++ = fam == 4 ? '4' : '6', *p++ = ',';
	if (fam == 4) {
		p = put_v4(p, c->v4);
	} else {
		struct addr a = addr_from_v6(c->v6);
		p += strlen(addr_format(&a, p));
	}
	*p++ = ',';
	p = put_u(p, sport), *p++ = ',';
	p = put_u(p, (uint64_t)(g->w.start_us + t) * 1000), *p++ = ',';
	p = put_u(p, nsyn), *p++ = ',';
	p = put_s(p, os_name[c->os]), *p++ = ',';
	p = put_s(p, atype_name[fam == 4 ? A_IPV4 : c->v6type]), *p++ = ',';
	if (partner)
		p = put_u(p, partner);
	*p++ = ',';
	*p++ = c->listed ? '1' : '0';
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), g->truth);
}

/* log_push - queue one log line */
static void log_push(struct gen *g, int64_t t, uint8_t kind, uint8_t mx, uint32_t v4,
		     uint32_t who, uint32_t pid, uint32_t extra)
{
	struct logev *e = tq_slot(&g->logq, t < 0 ? 0 : t);
	e->v4 = v4, e->who = who, e->pid = pid, e->extra = extra, e->kind = kind, e->mx = mx;
}

/* log_session - the production MX's log lines for one SMTP session of c
 * (listed: a DNSBL reject; otherwise sometimes a "User unknown" reject or a
 * lost connection) around time t */
static void log_session(struct gen *g, const struct client *c, int64_t t, bool rbl)
{
	struct rng *r = &g->r;
	uint8_t mx = (uint8_t)rng_range(r, 1, 2);
	uint32_t pid = (uint32_t)rng_range(r, 1000, 65000);
	uint32_t port = (uint32_t)rng_range(r, 1025, 65535);
	if (rbl && rng_pct(r, 30)) {           /* postscreen in front */
		uint32_t ppid = 500 + c->id % 400;
		log_push(g, t, L_PS_CONNECT, mx, c->v4, c->id, ppid, port);
		log_push(g, t + 1, L_PS_RANK, mx, c->v4, c->id, ppid,
			 port | (uint32_t)rng_range(r, 1, 2) << 16);
		t += rng_range(r, 6 * US, 7 * US);
		log_push(g, t, L_PS_PASS, mx, c->v4, c->id, ppid, port);
	}
	log_push(g, t, L_CONNECT, mx, c->v4, c->id, pid, 0);
	t += rng_range(r, 200 * MS, 3 * US);
	if (rbl) {
		log_push(g, t, L_REJECT_RBL, mx, c->v4, c->id, pid, (uint32_t)rng_next(r));
	} else if (rng_pct(r, 60)) {
		log_push(g, t, L_REJECT_USER, mx, c->v4, c->id, pid, (uint32_t)rng_next(r));
	} else {
		log_push(g, t, L_LOST, mx, c->v4, c->id, pid, 0);
		return;
	}
	t += rng_range(r, 10 * MS, 2 * US);
	log_push(g, t, L_DISCONNECT, mx, c->v4, c->id, pid, 0);
}

/* log_legit - an accepted message from a legitimate sender (never a client) */
static void log_legit(struct gen *g, int64_t t)
{
	struct rng *r = &g->r;
	uint32_t n = rng_below(r, 500);
	uint32_t v4 = n < 250 ? 0xcb007100u + 1 + n : 0xc6336400u + 1 + (n - 250);
	uint8_t mx = (uint8_t)rng_range(r, 1, 2);
	uint32_t pid = (uint32_t)rng_range(r, 1000, 65000);
	uint32_t qid = (uint32_t)rng_next(r);
	uint32_t who = n | 1u << 31;
	log_push(g, t, L_CONNECT, mx, v4, who, pid, 0);
	t += rng_range(r, 50 * MS, 500 * MS);
	log_push(g, t, L_CLIENT, mx, v4, who, pid, qid);
	t += rng_range(r, 1 * MS, 50 * MS);
	log_push(g, t, L_CLEANUP, mx, v4, who, pid + 7, qid);
	t += rng_range(r, 1 * MS, 50 * MS);
	log_push(g, t, L_QMGR, mx, v4, who, 700 + mx, qid);
	t += rng_range(r, 50 * MS, 500 * MS);
	log_push(g, t, L_DISCONNECT_OK, mx, v4, who, pid, 0);
}

static const char *const words[] = { "alpha", "bravo", "delta", "echo", "kilo", "lima",
	"oscar", "tango", "zulu", "nova", "orion", "vega", "atlas", "terra", "sol", "luna" };

/* put_name - append "unknown" or a PTR-like name of the connecting host */
static char *put_name(char *p, const struct logev *e)
{
	uint32_t a = e->v4;
	if (e->who & 1u << 31) {
		p = put_s(p, "mail"), p = put_u(p, e->who & 0xff), *p++ = '.';
		p = put_s(p, words[(e->who >> 3) % 16]);
		return put_s(p, ".example.org");
	}
	uint64_t h = (uint64_t)e->who * 0x9e3779b97f4a7c15ULL;
	if ((h >> 60) >= 6)                /* about 40% have a PTR */
		return put_s(p, "unknown");
	p = put_u(p, a >> 24), *p++ = '-';
	p = put_u(p, (a >> 16) & 255), *p++ = '-';
	p = put_u(p, (a >> 8) & 255), *p++ = '-';
	p = put_u(p, a & 255);
	return put_s(p, (h >> 40) & 1 ? ".dyn.example.net" : ".pool.example.net");
}

/* log_write - format one log event as syslog line(s) */
static void log_write(struct gen *g, const struct logev *e)
{
	int64_t sec = (g->w.start_us + e->k.t) / US;
	if (sec != g->log_sec) {
		time_t tt = (time_t)sec;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(g->log_stamp, sizeof g->log_stamp, "%b %e %H:%M:%S", &tm);
		g->log_sec = sec;
	}
	char ip[16], name[64], helo[64], head[64], line[1024], *p;
	*put_v4(ip, e->v4) = '\0';
	*put_name(name, e) = '\0';
	uint64_t h = (uint64_t)e->who * 0xd1b54a32d192ed03ULL + e->extra;
	if (e->who & 1u << 31) {
		strcpy(helo, name);
	} else if ((h >> 62) == 0) {
		p = helo, *p++ = '[', p = put_s(p, ip), *p++ = ']', *p = '\0';
	} else {
		p = put_s(helo, words[(h >> 32) % 16]);
		*put_u(p, h % 1000) = '\0';
	}
	const char *w1 = words[(h >> 8) % 16], *w2 = words[(h >> 16) % 16];
	char qid[16];
	*put_hex(put_hex(qid, e->extra, 8), (h >> 24) & 0xff, 2) = '\0';
	/* "Mon DD HH:MM:SS mxN " */
	p = put_s(head, g->log_stamp);
	p = put_s(p, " mx"), *p++ = (char)('0' + e->mx), *p++ = ' ', *p = '\0';
	p = put_s(line, head);
	const char *smtpd = "postfix/smtpd[";
	switch (e->kind) {
	case L_PS_CONNECT:
		p = put_s(p, "postfix/postscreen["), p = put_u(p, e->pid);
		p = put_s(p, "]: CONNECT from ["), p = put_s(p, ip), p = put_s(p, "]:");
		p = put_u(p, e->extra & 0xffff), p = put_s(p, " to [192.0.2.");
		p = put_u(p, 10u + e->mx), p = put_s(p, "]:25");
		break;
	case L_PS_RANK:
		p = put_s(p, "postfix/postscreen["), p = put_u(p, e->pid);
		p = put_s(p, "]: DNSBL rank "), p = put_u(p, e->extra >> 16);
		p = put_s(p, " for ["), p = put_s(p, ip), p = put_s(p, "]:");
		p = put_u(p, e->extra & 0xffff);
		break;
	case L_PS_PASS:
		p = put_s(p, "postfix/postscreen["), p = put_u(p, e->pid);
		p = put_s(p, "]: PASS NEW ["), p = put_s(p, ip), p = put_s(p, "]:");
		p = put_u(p, e->extra & 0xffff);
		break;
	case L_CONNECT:
		p = put_s(p, smtpd), p = put_u(p, e->pid), p = put_s(p, "]: connect from ");
		p = put_s(p, name), *p++ = '[', p = put_s(p, ip), *p++ = ']';
		break;
	case L_REJECT_RBL:
		p = put_s(p, smtpd), p = put_u(p, e->pid);
		p = put_s(p, "]: NOQUEUE: reject: RCPT from "), p = put_s(p, name);
		*p++ = '[', p = put_s(p, ip);
		p = put_s(p, "]: 554 5.7.1 Service unavailable; Client host [");
		p = put_s(p, ip);
		switch ((h >> 40) % 10) {    /* with the list's TXT reply or not */
		case 0: case 1: case 2: case 3: case 4:
			p = put_s(p, "] blocked using zen.spamhaus.org; from=<");
			break;
		case 5: case 6: case 7:
			p = put_s(p, "] blocked using zen.spamhaus.org; "
				     "https://www.spamhaus.org/query/ip/");
			p = put_s(p, ip), p = put_s(p, "; from=<");
			break;
		default:
			p = put_s(p, "] blocked using bl.spamcop.net; Blocked - see "
				     "https://www.spamcop.net/bl.shtml?");
			p = put_s(p, ip), p = put_s(p, "; from=<");
			break;
		}
		p = put_s(p, w1), p = put_u(p, e->extra % 10000), *p++ = '@';
		p = put_s(p, w2), p = put_s(p, ".example.com> to=<"), p = put_s(p, w2);
		p = put_s(p, "@example.com> proto=ESMTP helo=<"), p = put_s(p, helo), *p++ = '>';
		break;
	case L_REJECT_USER:
		p = put_s(p, smtpd), p = put_u(p, e->pid);
		p = put_s(p, "]: NOQUEUE: reject: RCPT from "), p = put_s(p, name);
		*p++ = '[', p = put_s(p, ip), p = put_s(p, "]: 550 5.1.1 <");
		p = put_s(p, w1), p = put_u(p, e->extra % 100);
		p = put_s(p, "@example.com>: Recipient address rejected: User unknown in local "
			     "recipient table; from=<");
		p = put_s(p, w2), *p++ = '@', p = put_s(p, w1), p = put_s(p, ".example.com> to=<");
		p = put_s(p, w1), p = put_u(p, e->extra % 100);
		p = put_s(p, "@example.com> proto=ESMTP helo=<"), p = put_s(p, helo), *p++ = '>';
		break;
	case L_LOST:
		p = put_s(p, smtpd), p = put_u(p, e->pid);
		p = put_s(p, "]: lost connection after CONNECT from "), p = put_s(p, name);
		*p++ = '[', p = put_s(p, ip), p = put_s(p, "]\n");
		p = put_s(p, head);
		p = put_s(p, smtpd), p = put_u(p, e->pid), p = put_s(p, "]: disconnect from ");
		p = put_s(p, name), *p++ = '[', p = put_s(p, ip), p = put_s(p, "] commands=0/0");
		g->loglines++;
		break;
	case L_CLIENT:
		p = put_s(p, smtpd), p = put_u(p, e->pid), p = put_s(p, "]: "), p = put_s(p, qid);
		p = put_s(p, ": client="), p = put_s(p, name), *p++ = '[', p = put_s(p, ip);
		*p++ = ']';
		break;
	case L_CLEANUP:
		p = put_s(p, "postfix/cleanup["), p = put_u(p, e->pid), p = put_s(p, "]: ");
		p = put_s(p, qid), p = put_s(p, ": message-id=<"), p = put_hex(p, h & 0xffffffff, 8);
		*p++ = '.', p = put_s(p, w1), *p++ = '@', p = put_s(p, name), *p++ = '>';
		break;
	case L_QMGR:
		p = put_s(p, "postfix/qmgr["), p = put_u(p, e->pid), p = put_s(p, "]: ");
		p = put_s(p, qid), p = put_s(p, ": from=<"), p = put_s(p, w2), *p++ = '@';
		p = put_s(p, name), p = put_s(p, ">, size="), p = put_u(p, 1000 + h % 90000);
		p = put_s(p, ", nrcpt=1 (queue active)");
		break;
	case L_DISCONNECT:
		p = put_s(p, smtpd), p = put_u(p, e->pid), p = put_s(p, "]: disconnect from ");
		p = put_s(p, name), *p++ = '[', p = put_s(p, ip);
		p = put_s(p, "] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
		break;
	default:
		p = put_s(p, smtpd), p = put_u(p, e->pid), p = put_s(p, "]: disconnect from ");
		p = put_s(p, name), *p++ = '[', p = put_s(p, ip);
		p = put_s(p, "] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5");
		break;
	}
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), g->logf);
	g->loglines++;
}

/* emit_syn - write one SYN to the pcap */
static void emit_syn(void *ctx, const void *entry)
{
	struct gen *g = ctx;
	const struct pend *p = entry;
	struct pcap_pkthdr h;
	int64_t abs = g->w.start_us + p->k.t;
	h.ts.tv_sec = (time_t)(abs / US);
	h.ts.tv_usec = (suseconds_t)(abs % US);
	h.caplen = h.len = p->len;
	pcap_dump((u_char *)g->dump, &h, p->b);
}

/* emit_log - write one log line */
static void emit_log(void *ctx, const void *entry)
{
	log_write(ctx, entry);
}

/* flush - write every queued SYN before t_syn and log line before t_log */
static void flush(struct gen *g, int64_t t_syn, int64_t t_log)
{
	tq_release(&g->synq, t_syn, emit_syn, g);
	tq_release(&g->logq, t_log, emit_log, g);
}

/* episode - everything client c does at time t: its attempts, then the
 * production MX log lines it causes, plus unrelated noise */
static void episode(struct gen *g, const struct client *c, int64_t t)
{
	struct rng *r = &g->r;
	struct cstate *st = &g->st[c->id];
	int first = 0, second = 0;
	switch (c->beh) {
	case B_DUAL:
	case B_EUI64:
	case B_TEREDO:
		first = 6, second = 4;
		break;
	case B_6TO4:
		first = 4, second = 6;       /* RFC 6724: IPv4 before 6to4 */
		break;
	case B_V4ONLY:
		first = 4;
		break;
	default:
		first = c->has_v4 ? 4 : 6;
		break;
	}
	if (second && rng_pct(r, g->w.mix.giveup))
		second = 0;
	unsigned n1, n2 = 0;
	uint16_t p1 = pick_port(g, c, st, false), p2 = 0;
	int64_t last = attempt(g, c, first, t, p1, &n1), t2 = 0;
	uint64_t id1 = g->next_attempt++, id2 = 0;
	if (second) {
		t2 = last + fallback_gap(g);
		p2 = pick_port(g, c, st, true);
		attempt(g, c, second, t2, p2, &n2);
		id2 = g->next_attempt++;
	}
	truth_row(g, id1, c, first, p1, t, n1, id2);
	if (second)
		truth_row(g, id2, c, second, p2, t2, n2, id1);
	st->attempts = (uint16_t)(st->attempts + (second ? 2 : 1) < 65535
				  ? st->attempts + (second ? 2 : 1) : 65535);
	st->episodes++;

	/* the production MXs see this client too */
	if (c->has_v4 && c->beh != B_SCANNER) {
		int64_t tl = t + rng_range(r, -LOG_BEFORE_US, LOG_AFTER_US);
		if (tl < 0)                  /* nothing before the trace starts */
			tl = t + rng_range(r, 0, LOG_AFTER_US);
		if (c->listed && (st->episodes == 1 || rng_pct(r, 70)))
			log_session(g, c, tl, true);
		else if (!c->listed && rng_pct(r, 25))
			log_session(g, c, tl, false);
	}
	if (rng_pct(r, 15))
		log_legit(g, t + rng_range(r, 0, LOG_AFTER_US));
}

/* ------------------------------------------------------------ main */

static const char usage_text[] =
	"usage: mxgen [--clients N | --syns N] [--seconds S] [--seed N] [--start EPOCH]\n"
	"             [--mix SPEC] [--clients-out FILE]\n"
	"             --pcap OUT.pcap --truth OUT.csv --log OUT.log\n"
	"\n"
	"Synthetic sensor trace: clients' SYNs to a closed port 25 (pcap), the\n"
	"ground truth of every connect() attempt (CSV) and the production MXs'\n"
	"Postfix log.  See bench/README.md.\n"
	"\n"
	"  --clients N      regular clients (default 1000)\n"
	"  --syns N         instead: as many clients as give about N SYNs\n"
	"  --seconds S      length of the trace (default 3600)\n"
	"  --seed N         random seed (default 1); same seed, same output\n"
	"  --start EPOCH    time of the first second (default 1767225600)\n"
	"  --mix SPEC       key=value,... (weights: dual eui64 6to4 teredo v4only\n"
	"                   v6only scanner windows linux macos; percentages: winxp\n"
	"                   listed giveup burst subms; counts: misbehaving attempts)\n"
	"  --clients-out F  also write one CSV row per client\n";

/* usage_error - print a message and the usage, exit 2 */
static noreturn void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "mxgen: %s%s%s\n%s", msg, arg ? ": " : "", arg ? arg : "", usage_text);
	exit(2);
}

/* parse_mix - apply "key=value,..." to m */
static void parse_mix(const char *spec, struct mix *m)
{
	char *s = xstrdup(spec), *save = NULL;
	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			usage_error("--mix: expected key=value", tok);
		*eq = '\0';
		size_t i;
		for (i = 0; i < sizeof mix_keys / sizeof mix_keys[0]; i++)
			if (!strcmp(mix_keys[i].key, tok))
				break;
		if (i == sizeof mix_keys / sizeof mix_keys[0])
			usage_error("--mix: unknown key", tok);
		unsigned long v;
		if (num_ulong(eq + 1, 0, mix_keys[i].hi, &v) < 0)
			usage_error("--mix: value out of range", tok);
		*(unsigned *)((char *)m + mix_keys[i].off) = (unsigned)v;
	}
	free(s);
	unsigned bt = 0;
	for (int b = 0; b < B_MISBEHAVING; b++)
		bt += m->beh[b];
	if (!bt || !(m->os[0] + m->os[1] + m->os[2]))
		usage_error("--mix: all behaviour or all OS weights are zero", spec);
	if (!m->maxattempts)
		usage_error("--mix: attempts must be at least 1", spec);
	if (m->subms > 100)
		usage_error("--mix: subms above 100", spec);
}

/* open_out - open an output file with a large buffer */
static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		die("%s: cannot create: %m", path);
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

/* close_out - flush and close, dying on a write error */
static void close_out(FILE *f, const char *path)
{
	if (ferror(f) || fclose(f) != 0)
		die("%s: write error: %m", path);
}

/* main - options, the episode schedule, then one pass in time order */
int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "clients", required_argument, NULL, 'c' },
		{ "syns", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "start", required_argument, NULL, 't' },
		{ "mix", required_argument, NULL, 'm' },
		{ "pcap", required_argument, NULL, 'p' },
		{ "truth", required_argument, NULL, 'T' },
		{ "log", required_argument, NULL, 'l' },
		{ "clients-out", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long clients = 1000, syns = 0, seconds = 3600, seed = 1, start = 1767225600;
	bool have_clients = false;
	const char *pcap_path = NULL, *truth_path = NULL, *log_path = NULL, *cout_path = NULL;
	struct gen g;
	memset(&g, 0, sizeof g);
	g.w.mix = mix_default;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			if (num_ulong(optarg, 1, 50000000, &clients) < 0)
				usage_error("--clients: expected 1..50000000", optarg);
			have_clients = true;
			break;
		case 'n':
			if (num_ulong(optarg, 1, 2000000000, &syns) < 0)
				usage_error("--syns: expected 1..2000000000", optarg);
			break;
		case 's':
			if (num_ulong(optarg, 10, 366UL * 86400, &seconds) < 0)
				usage_error("--seconds: expected 10..31622400", optarg);
			break;
		case 'S':
			if (num_ulong(optarg, 0, ULONG_MAX, &seed) < 0)
				usage_error("--seed: expected a whole number", optarg);
			break;
		case 't':
			if (num_ulong(optarg, 0, 4102444800UL, &start) < 0)
				usage_error("--start: expected an epoch before 2100", optarg);
			break;
		case 'm':
			parse_mix(optarg, &g.w.mix);
			break;
		case 'p':
			pcap_path = optarg;
			break;
		case 'T':
			truth_path = optarg;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'C':
			cout_path = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			usage_error("bad option", NULL);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", argv[optind]);
	if (!pcap_path || !truth_path || !log_path)
		usage_error("--pcap, --truth and --log are required", NULL);
	if (have_clients && syns)
		usage_error("--clients and --syns exclude each other", NULL);

	struct world *w = &g.w;
	w->seed = seed;
	w->start_us = (int64_t)start * US;
	w->dur_us = (int64_t)seconds * US;
	w->nmis = w->mix.misbehaving;
	for (int b = 0; b < B_MISBEHAVING; b++)
		w->beh_total += w->mix.beh[b];
	w->os_total = w->mix.os[0] + w->mix.os[1] + w->mix.os[2];
	w->nreg = syns ? 50000000 : (uint32_t)clients;

	/* episodes: the misbehaving /64s' periodic retries first */
	struct episode *ep = NULL;
	size_t nep = 0, epcap = 0;
	uint64_t want = 0;
	for (uint32_t grp = 0; grp < w->nmis; grp++) {
		struct rng gr;
		rng_seed(&gr, w->seed, 0x4d16000000ULL + grp);
		uint32_t j = rng_below(&gr, SIBLINGS);
		int64_t next_switch = rng_range(&gr, 10 * 60 * US, 30 * 60 * US);
		for (int64_t t = rng_range(&gr, 0, MIS_PERIOD_US); t < w->dur_us;
		     t += MIS_PERIOD_US + rng_range(&gr, -50 * MS, 50 * MS)) {
			if (t >= next_switch) {      /* a new interface ID */
				j = (j + 1 + rng_below(&gr, SIBLINGS - 1)) % SIBLINGS;
				next_switch = t + rng_range(&gr, 10 * 60 * US, 30 * 60 * US);
			}
			GROW(ep, nep + 1, epcap);
			/* client id fixed up once nreg is known: store the sibling slot */
			ep[nep] = (struct episode){ t, grp * SIBLINGS + j, (uint32_t)nep };
			nep++;
		}
	}
	size_t nmis_ep = nep;
	{       /* misbehaving SYN count, for --syns */
		struct client c;
		uint32_t save = w->nreg;
		w->nreg = 0;
		for (uint32_t grp = 0; grp < w->nmis; grp++) {
			client_make(w, grp * SIBLINGS, &c);
			size_t cnt = 0;
			for (size_t i = 0; i < nmis_ep; i++)
				cnt += ep[i].client / SIBLINGS == grp;
			want += cnt * syns_per_attempt(c.os) * 100;
		}
		w->nreg = save;
	}

	/* regular clients: their episodes at random times (some in bursts) */
	struct rng er;
	rng_seed(&er, w->seed, 0xe9150de5ULL);
	uint32_t nbursts = (uint32_t)(seconds / 60 + 1);
	int64_t *bursts = xcalloc(nbursts, sizeof *bursts);
	for (uint32_t b = 0; b < nbursts; b++)
		bursts[b] = rng_range(&er, 0, w->dur_us - 1);
	uint32_t id;
	for (id = 0; id < w->nreg; id++) {
		if (syns && want >= (uint64_t)syns * 100)
			break;
		struct client c;
		client_make(w, id, &c);
		want += expected_syns100(&c, w->mix.giveup);
		for (unsigned k = 0; k < c.nep; k++) {
			int64_t t;
			if (rng_pct(&er, w->mix.burst))
				t = bursts[rng_below(&er, nbursts)] + rng_range(&er, 0, 2 * MS);
			else
				t = rng_range(&er, 0, w->dur_us - 1);
			GROW(ep, nep + 1, epcap);
			ep[nep] = (struct episode){ t, id, (uint32_t)nep };
			nep++;
		}
	}
	free(bursts);
	w->nreg = id;
	for (size_t i = 0; i < nmis_ep; i++)
		ep[i].client += w->nreg;
	g.nclients = w->nreg + w->nmis * SIBLINGS;
	g.st = xcalloc(g.nclients ? g.nclients : 1, sizeof *g.st);
	qsort(ep, nep, sizeof *ep, ep_cmp);

	/* outputs */
	g.pcapf = open_out(pcap_path);
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (!dead)
		die("pcap_open_dead failed");
	g.dump = pcap_dump_fopen(dead, g.pcapf);
	if (!g.dump)
		die("%s: %s", pcap_path, pcap_geterr(dead));
	g.truth = open_out(truth_path);
	g.logf = open_out(log_path);
	fputs("attempt_id,client_id,family,src,sport,first_ts_ns,syns,os,addr_type,"
	      "partner_attempt_id,listed\n", g.truth);
	rng_seed(&g.r, w->seed, 0x5e55105ULL);
	tq_init(&g.synq, sizeof(struct pend), 16);
	tq_init(&g.logq, sizeof(struct logev), 256);
	g.next_attempt = 1;
	g.log_sec = -1;

	for (size_t i = 0; i < nep; i++) {
		flush(&g, ep[i].t, ep[i].t - LOG_BEFORE_US);
		struct client c;
		client_make(w, ep[i].client, &c);
		episode(&g, &c, ep[i].t);
	}
	flush(&g, INT64_MAX, INT64_MAX);
	free(ep);

	if (pcap_dump_flush(g.dump) != 0 || ferror(g.pcapf))
		die("%s: write error: %m", pcap_path);
	pcap_dump_close(g.dump);    /* closes g.pcapf */
	pcap_close(dead);
	close_out(g.truth, truth_path);
	close_out(g.logf, log_path);

	if (cout_path) {
		FILE *f = open_out(cout_path);
		fputs("client_id,behaviour,os,v4,v6,listed,attempts\n", f);
		for (uint32_t i = 0; i < g.nclients; i++) {
			struct client c;
			char a4[ADDR_STRLEN] = "", a6[ADDR_STRLEN] = "";
			client_make(w, i, &c);
			if (c.has_v4) {
				struct addr a = addr_from_u32(c.v4);
				addr_format(&a, a4);
			}
			if (c.has_v6) {
				struct addr a = addr_from_v6(c.v6);
				addr_format(&a, a6);
			}
			fprintf(f, "%u,%s,%s,%s,%s,%d,%u\n", i, beh_name[c.beh], os_name[c.os],
				a4, a6, c.listed ? 1 : 0, g.st[i].attempts);
		}
		close_out(f, cout_path);
	}
	free(g.st);
	tq_free(&g.synq);
	tq_free(&g.logq);
	fprintf(stderr, "mxgen: %u clients, %" PRIu64 " attempts (v4 %" PRIu64 ", v6 %" PRIu64
		"), %" PRIu64 " SYNs (v4 %" PRIu64 ", v6 %" PRIu64 "), %lu seconds, %" PRIu64
		" log lines\n", g.nclients, g.attempts[0] + g.attempts[1], g.attempts[0],
		g.attempts[1], g.syns[0] + g.syns[1], g.syns[0], g.syns[1], seconds, g.loglines);
	return 0;
}
