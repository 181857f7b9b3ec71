/*
 * assoc.h - candidate IPv6 <-> IPv4 attempt pairs, with scored evidence.
 *
 * A dual-stack client whose IPv6 connect() meets a RST tries the next
 * address of the sensor, its IPv4 one (RFC 6724 puts native IPv6 first, and
 * IPv4 before 6to4 and Teredo).  For every IPv6 attempt this stage finds
 * the IPv4 attempts that may belong to the same client and scores each by
 * independent pieces of evidence, each recorded so that every decision can
 * be explained:
 *
 *   evidence     points (default)  meaning
 *   embed        +100 / +60 / -30  the IPv6 address carries the IPv4 source
 *                                  (6to4 gateway, Teredo client, ISATAP,
 *                                  NAT64, mapped: +100; an IPv4 in the
 *                                  interface ID: +60); a transition address
 *                                  carrying another IPv4: -30
 *   stack        +15 / -40         same initial TTL, TCP option layout,
 *                                  window scale and quirks (one TCP stack)
 *   os           +20               different raw stacks, but the same p0f OS
 *                                  family (Windows, Linux, Mac OS X, BSD,
 *                                  Other): only where it adds to "stack"
 *   syns         +10 / -20         same / different SYNs per attempt
 *                                  (Windows XP/7 retry 3 times after a RST)
 *   port         +30 / +15 / +5    IPv4 source port just above the IPv6 one
 *                                  (0 < d <= 8 / |d| <= 64 / |d| <= 1024):
 *                                  Windows uses one ephemeral pool for both
 *   gap          +25 / +15 / +10   IPv4 attempt within 50 ms / 500 ms / 3 s
 *                                  of the end of the IPv6 one
 *   tsclock      +30               TCP timestamps of both run on one clock
 *                                  (1, 10, 100, 250 or 1000 Hz); stacks that
 *                                  randomize per connection give none
 *   asn          +10               same origin AS (for 6to4/Teredo: the
 *                                  gateway's); set after the pass by
 *                                  enrich/enrich.h, 0 without --asn
 *   ptr          +20 / +10         same PTR name / same registered domain
 *                                  (public suffix list); set after the
 *                                  pass, 0 without --ptr / --ptr-file
 *   ehlo         +40 / -20         same / different EHLO name (capture --smtp
 *                                  sessions, compared without case)
 *   host         up to +40 / -20   (decision stage) how consistently this
 *                                  IPv4 host is a candidate across the IPv6
 *                                  host's attempts (decide.h)
 *
 * Candidates: for a native IPv6 source, IPv4 attempts that start after the
 * IPv6 attempt's first SYN and within `window` of its last SYN; for 6to4
 * and Teredo sources, IPv4 attempts from the embedded IPv4 within `window`
 * before or after.  Candidates scoring below `floor` (30, the least own
 * evidence a pair needs to be associated: decide.h) are dropped, and at
 * most top_k (32) are kept per IPv6 attempt: enough that the true partner
 * survives among many look-alike clients, so that host consistency can
 * find it.
 *
 * Streaming: closed attempts come in (attempt.h); an IPv6 attempt is scored
 * once no IPv4 attempt that could be its candidate can still change, and
 * IPv4 attempts are dropped once no IPv6 attempt can still want them.  The
 * state is bounded by the attempt rate times the windows.
 */
#ifndef MX_ASSOC_H
#define MX_ASSOC_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/attempt.h"

/* how an IPv6 address embeds an IPv4 address (struct attempt.emb_kind) */
enum {
	EMB_NONE = 0,
	EMB_6TO4,       /* 2002:V4::/48 gateway */
	EMB_TEREDO,     /* Teredo client (de-obfuscated) */
	EMB_ISATAP,     /* ...:0:5efe:V4 */
	EMB_NAT64,      /* 64:ff9b::V4 */
	EMB_MAPPED,     /* ::ffff:V4 or ::V4 */
	EMB_IID,        /* IPv4 in the low 32 bits of the interface ID */
};
const char *assoc_emb_name(int kind);
/* assoc_emb_embedded - the embedding of IPv6 address a (EMB_*; EMB_NONE
 * for none) and the IPv4 it carries into *v4: what struct attempt holds
 * for its source, from addr_embedded_v4 */
int assoc_emb_embedded(const struct addr *a, struct addr *v4);

/* evidence index into struct assoc_cand.ev */
enum assoc_evidence {
	EV_EMBED, EV_STACK, EV_OS, EV_SYNS, EV_PORT, EV_GAP, EV_TSCLOCK,
	EV_ASN, EV_PTR, EV_HOST, EV_EHLO, EV_COUNT
};
const char *assoc_ev_name(enum assoc_evidence e);

struct assoc_params {
	int64_t window_ns;      /* --assoc-window */
	int64_t max_span_ns;    /* longest attempt (attempt grouper) */
	int64_t attempt_window_ns; /* attempt grouping window */
	int threshold;          /* minimum total to associate */
	int margin;             /* best must beat the best other IPv4 host by this */
	int min_evidence;       /* minimum score without EV_HOST to associate */
	int floor;              /* candidates scoring below are not kept */
	int top_k;              /* candidates kept per IPv6 attempt */
	int host_weight;        /* EV_HOST at full consistency */
};
void assoc_params_default(struct assoc_params *p);

struct assoc_cand {
	uint64_t a6, a4;        /* attempt ids */
	int16_t ev[EV_COUNT];   /* points per evidence */
	int score;              /* sum of ev[] */
	int64_t gap_ns;         /* IPv4 start - IPv6 end (native); IPv6 start - IPv4 end (6to4) */
	int32_t port_dist;      /* IPv4 sport - IPv6 sport (native), reverse for 6to4 */
	bool before;            /* IPv4 attempt came before the IPv6 one */
};

/* assoc_score - score one pair; pure (no state) */
void assoc_score(const struct assoc_params *p, const struct attempt *a6,
		 const struct attempt *a4, struct assoc_cand *c);

/* the streaming stage */
typedef void (*assoc_attempt_cb)(const struct attempt *a, void *arg);
/* assoc_cand_cb - one candidate, with its two attempts (valid during the call) */
typedef void (*assoc_cand_cb)(const struct assoc_cand *c, const struct attempt *a6,
			      const struct attempt *a4, void *arg);

struct assoc;
struct assoc *assoc_new(const struct assoc_params *p, assoc_cand_cb cb, void *arg);
/* assoc_add - a closed attempt (any family) */
void assoc_add(struct assoc *s, const struct attempt *a);
/* assoc_advance - time has reached now_ns: score what is complete */
void assoc_advance(struct assoc *s, int64_t now_ns);
/* assoc_finish - end of input: score everything left */
void assoc_finish(struct assoc *s);
/* assoc_buffered - attempts held (for memory tests) */
size_t assoc_buffered(const struct assoc *s);
void assoc_free(struct assoc *s);

#endif
