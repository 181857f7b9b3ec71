/*
 * attempt.c - SYNs into connect() attempts (see attempt.h).
 *
 * Open attempts sit in an open-addressing hash table keyed by (src, sport)
 * and on a list ordered by last SYN time; a SYN moves its attempt to the
 * tail, so expiry pops from the head in O(1).  Attempt ids are handed out
 * at the first SYN, so ids follow time order.
 */
#include "analysis/attempt.h"

#include <stdlib.h>
#include <string.h>

#include "fingerprint/fp.h"
#include "util/alloc.h"
#include "util/hash.h"

struct slot {
	struct attempt a;
	uint32_t prev, next;        /* list by last_ns, as indexes + 1; 0 = none */
	bool used;
	bool tomb;
};

struct attempt_grouper {
	int64_t window, max_span;
	attempt_cb cb;
	void *arg;
	struct slot *tab;
	size_t cap, used, tombs;    /* cap is a power of two */
	uint32_t head, tail;        /* index + 1; head = least recently active */
	uint64_t next_id;
};

static uint64_t key_hash(const struct addr *src, uint16_t sport)
{
	uint8_t k[19];
	k[0] = src->family;
	memcpy(k + 1, src->b, 16);
	k[17] = (uint8_t)(sport >> 8);
	k[18] = (uint8_t)sport;
	return hash_bytes(k, sizeof k);
}

struct attempt_grouper *attempt_grouper_new(int64_t window_ns, int64_t max_span_ns,
					    attempt_cb cb, void *arg)
{
	struct attempt_grouper *g = xcalloc(1, sizeof *g);
	g->window = window_ns;
	g->max_span = max_span_ns;
	g->cb = cb;
	g->arg = arg;
	g->cap = 1024;
	g->tab = xcalloc(g->cap, sizeof *g->tab);
	g->next_id = 1;
	return g;
}

#define S(i) (&g->tab[(i) - 1])

static void list_unlink(struct attempt_grouper *g, uint32_t i)
{
	struct slot *s = S(i);
	if (s->prev)
		S(s->prev)->next = s->next;
	else
		g->head = s->next;
	if (s->next)
		S(s->next)->prev = s->prev;
	else
		g->tail = s->prev;
	s->prev = s->next = 0;
}

static void list_append(struct attempt_grouper *g, uint32_t i)
{
	struct slot *s = S(i);
	s->prev = g->tail;
	s->next = 0;
	if (g->tail)
		S(g->tail)->next = i;
	else
		g->head = i;
	g->tail = i;
}

static uint32_t find(struct attempt_grouper *g, const struct addr *src, uint16_t sport)
{
	size_t mask = g->cap - 1;
	for (size_t i = key_hash(src, sport) & mask;; i = (i + 1) & mask) {
		struct slot *s = &g->tab[i];
		if (!s->used && !s->tomb)
			return 0;
		if (s->used && s->a.sport == sport && addr_eq(&s->a.src, src))
			return (uint32_t)i + 1;
	}
}

/* rehash - rebuild the table at new_cap, keeping list order */
static void rehash(struct attempt_grouper *g, size_t new_cap)
{
	struct slot *old = g->tab;
	uint32_t i = g->head;
	g->tab = xcalloc(new_cap, sizeof *g->tab);
	size_t mask = new_cap - 1;
	g->cap = new_cap;
	g->used = g->tombs = 0;
	g->head = g->tail = 0;
	while (i) {
		struct slot *s = &old[i - 1];
		size_t j = key_hash(&s->a.src, s->a.sport) & mask;
		while (g->tab[j].used)
			j = (j + 1) & mask;
		g->tab[j].a = s->a;
		g->tab[j].used = true;
		list_append(g, (uint32_t)j + 1);
		g->used++;
		i = s->next;
	}
	free(old);
}

static uint32_t insert(struct attempt_grouper *g, const struct addr *src, uint16_t sport)
{
	if ((g->used + g->tombs + 1) * 4 > g->cap * 3)
		rehash(g, (g->used + 1) * 2 > g->cap ? g->cap * 2 : g->cap);
	size_t mask = g->cap - 1;
	size_t j = key_hash(src, sport) & mask;
	while (g->tab[j].used)
		j = (j + 1) & mask;
	struct slot *s = &g->tab[j];
	if (s->tomb)
		g->tombs--;
	memset(s, 0, sizeof *s);
	s->used = true;
	g->used++;
	list_append(g, (uint32_t)j + 1);
	return (uint32_t)j + 1;
}

static void close_slot(struct attempt_grouper *g, uint32_t i)
{
	struct slot *s = S(i);
	list_unlink(g, i);
	g->cb(&s->a, g->arg);
	s->used = false;
	s->tomb = true;
	g->used--;
	g->tombs++;
}

static void stack_features(struct attempt *a, const struct syn *s)
{
	a->ttl = s->ttl;
	a->ittl = fp_ittl(s->ttl);
	a->win = s->win;
	a->mss = s->mss;
	a->wscale = s->wscale;
	a->nopts = s->nopts > SYN_MAX_OPTS ? SYN_MAX_OPTS : s->nopts;
	a->eol_pad = s->eol_pad;
	memcpy(a->olayout, s->olayout, sizeof a->olayout);
	a->quirks = s->quirks;
	a->has_ts = s->has_ts;
	a->tsval = s->tsval;
	/* family-independent features: initial TTL, option layout, window
	 * scale and the quirks that do not depend on the IP version */
	uint32_t q = s->quirks & ~(SYN_Q_DF | SYN_Q_NZ_ID | SYN_Q_ZERO_ID | SYN_Q_FLOW);
	uint8_t k[SYN_MAX_OPTS + 8];
	size_t n = 0;
	k[n++] = a->ittl;
	k[n++] = (uint8_t)a->wscale;
	k[n++] = a->eol_pad;
	k[n++] = (uint8_t)(q >> 4);
	k[n++] = (uint8_t)(q >> 12);
	memcpy(k + n, s->olayout, a->nopts);
	n += a->nopts;
	a->stack = hash_bytes(k, n);
}

void attempt_grouper_add(struct attempt_grouper *g, const struct syn *s,
			 const char *os, const char *os_family)
{
	attempt_grouper_flush(g, s->ts_ns);
	uint32_t i = find(g, &s->src, s->sport);
	if (i && (s->ts_ns - S(i)->a.last_ns > g->window ||
		  s->ts_ns - S(i)->a.first_ns > g->max_span)) {
		close_slot(g, i);
		i = 0;
	}
	if (i) {
		struct attempt *a = &S(i)->a;
		a->syns++;
		if (s->ts_ns > a->last_ns) {
			a->last_ns = s->ts_ns;
			list_unlink(g, i);
			list_append(g, i);
		}
		return;
	}
	i = insert(g, &s->src, s->sport);
	struct attempt *a = &S(i)->a;
	a->id = g->next_id++;
	a->src = s->src;
	a->dst = s->dst;
	a->sport = s->sport;
	a->dport = s->dport;
	a->first_ns = a->last_ns = s->ts_ns;
	a->syns = 1;
	a->os = os;
	a->os_family = os_family;
	stack_features(a, s);
}

void attempt_grouper_flush(struct attempt_grouper *g, int64_t now_ns)
{
	while (g->head && (now_ns - S(g->head)->a.last_ns > g->window ||
			   now_ns - S(g->head)->a.first_ns > g->max_span))
		close_slot(g, g->head);
	if (g->tombs > g->cap / 4)
		rehash(g, g->cap);
}

void attempt_grouper_finish(struct attempt_grouper *g)
{
	while (g->head)
		close_slot(g, g->head);
}

size_t attempt_grouper_open_count(const struct attempt_grouper *g)
{
	return g->used;
}

void attempt_grouper_free(struct attempt_grouper *g)
{
	if (!g)
		return;
	free(g->tab);
	free(g);
}
