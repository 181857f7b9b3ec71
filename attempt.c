/*
 * attempt.c - SYNs into connect() attempts (see attempt.h).
 *
 * Open attempts sit in an open-addressing hash table keyed by (src, sport)
 * and on a list ordered by last SYN time; a SYN moves its attempt to the
 * tail, so expiry pops from the head in O(1).  Attempt ids are handed out
 * at the first SYN, so ids follow time order.
 */
#include "analysis/attempt.h"

#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

struct slot {
	struct attempt a;
	struct slot *prev, *next;   /* list by last_ns; head = oldest */
	bool used;
	bool tomb;
};

struct attempt_grouper {
	int64_t window, max_span;
	attempt_cb cb;
	void *arg;
	struct slot *tab;
	size_t cap, used, tombs;    /* cap is a power of two */
	struct slot *head, *tail;
	uint64_t next_id;
};

uint8_t attempt_ittl(uint8_t ttl)
{
	if (ttl <= 32)
		return 32;
	if (ttl <= 64)
		return 64;
	if (ttl <= 128)
		return 128;
	return 255;
}

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

static void list_unlink(struct attempt_grouper *g, struct slot *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		g->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		g->tail = s->prev;
	s->prev = s->next = NULL;
}

static void list_append(struct attempt_grouper *g, struct slot *s)
{
	s->prev = g->tail;
	s->next = NULL;
	if (g->tail)
		g->tail->next = s;
	else
		g->head = s;
	g->tail = s;
}

static struct slot *find(struct attempt_grouper *g, const struct addr *src, uint16_t sport)
{
	size_t mask = g->cap - 1;
	for (size_t i = key_hash(src, sport) & mask;; i = (i + 1) & mask) {
		struct slot *s = &g->tab[i];
		if (!s->used && !s->tomb)
			return NULL;
		if (s->used && s->a.sport == sport && addr_eq(&s->a.src, src))
			return s;
	}
}

/* rehash - rebuild the table at new_cap, keeping list order */
static void rehash(struct attempt_grouper *g, size_t new_cap)
{
	struct slot *old = g->tab;
	struct slot *ohead = g->head;
	g->tab = xcalloc(new_cap, sizeof *g->tab);
	g->cap = new_cap;
	g->used = g->tombs = 0;
	g->head = g->tail = NULL;
	size_t mask = new_cap - 1;
	for (struct slot *s = ohead; s; s = s->next) {
		size_t i = key_hash(&s->a.src, s->a.sport) & mask;
		while (g->tab[i].used)
			i = (i + 1) & mask;
		g->tab[i].a = s->a;
		g->tab[i].used = true;
		list_append(g, &g->tab[i]);
		g->used++;
	}
	free(old);
}

static struct slot *insert(struct attempt_grouper *g, const struct addr *src, uint16_t sport)
{
	if ((g->used + g->tombs + 1) * 4 > g->cap * 3)
		rehash(g, g->used * 4 > g->cap ? g->cap * 2 : g->cap);
	size_t mask = g->cap - 1;
	size_t i = key_hash(src, sport) & mask;
	while (g->tab[i].used)
		i = (i + 1) & mask;
	struct slot *s = &g->tab[i];
	if (s->tomb)
		g->tombs--;
	memset(s, 0, sizeof *s);
	s->used = true;
	g->used++;
	list_append(g, s);
	return s;
}

static void close_slot(struct attempt_grouper *g, struct slot *s)
{
	list_unlink(g, s);
	g->cb(&s->a, g->arg);
	s->used = false;
	s->tomb = true;
	g->used--;
	g->tombs++;
}

static void stack_features(struct attempt *a, const struct syn *s)
{
	a->ttl = s->ttl;
	a->ittl = attempt_ittl(s->ttl);
	a->win = s->win;
	a->mss = s->mss;
	a->wscale = s->wscale;
	a->nopts = s->nopts;
	a->eol_pad = s->eol_pad;
	memcpy(a->olayout, s->olayout, sizeof a->olayout);
	a->quirks = s->quirks;
	a->has_ts = s->has_ts;
	a->tsval = s->tsval;
	/* family-independent: initial TTL, option layout, window scale and
	 * the quirks that do not depend on the IP version */
	uint8_t k[SYN_MAX_OPTS + 8];
	size_t n = 0;
	k[n++] = a->ittl;
	k[n++] = (uint8_t)a->wscale;
	k[n++] = a->eol_pad;
	k[n++] = (uint8_t)((s->quirks & ~(SYN_Q_DF | SYN_Q_NZ_ID | SYN_Q_ZERO_ID | SYN_Q_FLOW)) >> 4);
	k[n++] = (uint8_t)((s->quirks & ~(SYN_Q_DF | SYN_Q_NZ_ID | SYN_Q_ZERO_ID | SYN_Q_FLOW)) >> 12);
	memcpy(k + n, s->olayout, s->nopts);
	n += s->nopts;
	a->stack = hash_bytes(k, n);
}

void attempt_grouper_add(struct attempt_grouper *g, const struct syn *s,
			 const char *os, const char *os_family)
{
	attempt_grouper_flush(g, s->ts_ns);
	struct slot *sl = find(g, &s->src, s->sport);
	if (sl && (s->ts_ns - sl->a.last_ns > g->window ||
		   s->ts_ns - sl->a.first_ns > g->max_span)) {
		close_slot(g, sl);
		sl = NULL;
	}
	if (sl) {
		sl->a.syns++;
		if (s->ts_ns > sl->a.last_ns) {
			sl->a.last_ns = s->ts_ns;
			list_unlink(g, sl);
			list_append(g, sl);
		}
		return;
	}
	sl = insert(g, &s->src, s->sport);
	struct attempt *a = &sl->a;
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
	while (g->head && now_ns - g->head->a.last_ns > g->window)
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
