/*
 * assoc.c - candidate search and evidence scoring (see assoc.h).
 *
 * IPv4 attempts are kept in an array sorted by first SYN time (they arrive
 * in closing order, which is nearly the same, so insertion from the tail
 * is cheap); IPv6 attempts wait in a FIFO until every IPv4 attempt that
 * could be their candidate is closed.
 */
#include "analysis/assoc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr/classify.h"
#include "util/alloc.h"

static const char *const emb_names[] = {
	"", "6to4", "teredo", "isatap", "nat64", "mapped", "iid",
};

int assoc_emb_embedded(const struct addr *a, struct addr *v4)
{
	enum addr_v4_via via;
	if (a->family != 6 || !addr_embedded_v4(a, v4, &via) || v4->family != 4)
		return EMB_NONE;
	switch (via) {
	case ADDR_V4_6TO4: return EMB_6TO4;
	case ADDR_V4_TEREDO: return EMB_TEREDO;
	case ADDR_V4_ISATAP: return EMB_ISATAP;
	case ADDR_V4_NAT64: return EMB_NAT64;
	case ADDR_V4_MAPPED:
	case ADDR_V4_COMPAT: return EMB_MAPPED;
	case ADDR_V4_IID: return EMB_IID;
	default: return EMB_NONE;
	}
}

const char *assoc_emb_name(int kind)
{
	if (kind < 0 || kind >= (int)(sizeof emb_names / sizeof *emb_names))
		return "";
	return emb_names[kind];
}

static const char *const ev_names[EV_COUNT] = {
	"embed", "stack", "os", "syns", "port", "gap", "tsclock", "asn", "ptr", "host", "ehlo",
};

const char *assoc_ev_name(enum assoc_evidence e)
{
	return (unsigned)e < EV_COUNT ? ev_names[e] : "?";
}

void assoc_params_default(struct assoc_params *p)
{
	p->window_ns = 10 * 1000000000LL;
	p->max_span_ns = 120 * 1000000000LL;
	p->attempt_window_ns = 25 * 1000000000LL;
	p->threshold = 45;
	p->margin = 10;
	p->min_evidence = 30;
	p->floor = 30;
	p->top_k = 32;
	p->host_weight = 40;
}

static bool transition(int kind)
{
	return kind == EMB_6TO4 || kind == EMB_TEREDO;
}

static bool same_layout(const struct attempt *x, const struct attempt *y)
{
	return x->nopts == y->nopts && x->eol_pad == y->eol_pad &&
	       memcmp(x->olayout, y->olayout, x->nopts) == 0;
}

/* tsclock_consistent - TSval difference equals elapsed time at a common rate */
static bool tsclock_consistent(const struct attempt *early, const struct attempt *late)
{
	if (!early->has_ts || !late->has_ts || !early->tsval || !late->tsval)
		return false;
	int64_t dt_ns = late->first_ns - early->first_ns;
	if (dt_ns < 0)
		return false;
	uint32_t d = late->tsval - early->tsval;     /* wraps like the clock */
	static const int64_t hz[] = { 1000, 250, 100, 10, 1 };
	for (size_t i = 0; i < sizeof hz / sizeof *hz; i++) {
		int64_t expect = dt_ns * hz[i] / 1000000000LL;
		int64_t tol = 2 + expect / 50;              /* 2 ticks + 2% drift */
		if ((int64_t)d >= expect - tol && (int64_t)d <= expect + tol)
			return true;
	}
	return false;
}

/* score_known - the evidence that a few integer comparisons give (all
 * but os, tsclock and ehlo), with c->score their sum; returns the most
 * points that the other three can still add, so that score_v6 can drop
 * a hopeless pair before the string and clock work */
static int score_known(const struct attempt *a6, const struct attempt *a4, struct assoc_cand *c)
{
	memset(c, 0, sizeof *c);
	c->a6 = a6->id;
	c->a4 = a4->id;
	c->before = a4->first_ns < a6->first_ns;
	const struct attempt *early = c->before ? a4 : a6;
	const struct attempt *late = c->before ? a6 : a4;
	c->gap_ns = late->first_ns - early->last_ns;
	c->port_dist = (int32_t)late->sport - (int32_t)early->sport;

	if (a6->emb_kind != EMB_NONE) {
		bool eq = addr_eq(&a6->emb4, &a4->src);
		if (eq)
			c->ev[EV_EMBED] = a6->emb_kind == EMB_IID ? 60 : 100;
		else if (a6->emb_kind != EMB_IID)
			c->ev[EV_EMBED] = -30;
	}
	bool stack_eq = a6->stack == a4->stack && same_layout(a6, a4);
	c->ev[EV_STACK] = stack_eq ? 15 : -40;
	c->ev[EV_SYNS] = a6->syns == a4->syns ? 10 : -20;

	int32_t d = c->port_dist;
	if (d > 0 && d <= 8)
		c->ev[EV_PORT] = 30;
	else if (d >= -64 && d <= 64 && d != 0)
		c->ev[EV_PORT] = 15;
	else if (d >= -1024 && d <= 1024 && d != 0)
		c->ev[EV_PORT] = 5;

	int64_t g = c->gap_ns;
	if (g >= 0 && g <= 50000000LL)
		c->ev[EV_GAP] = 25;
	else if (g >= 0 && g <= 500000000LL)
		c->ev[EV_GAP] = 15;
	else if (g >= 0 && g <= 3000000000LL)
		c->ev[EV_GAP] = 10;

	c->score = c->ev[EV_EMBED] + c->ev[EV_STACK] + c->ev[EV_SYNS] + c->ev[EV_PORT] +
		   c->ev[EV_GAP];
	int most = 0;
	if (!stack_eq && a6->os_family && a4->os_family)
		most += 20;
	if (a6->has_ts && a4->has_ts && a6->tsval && a4->tsval)
		most += 30;
	if (a6->ehlo && a4->ehlo)
		most += 40;
	return most;
}

/* score_rest - the evidence score_known left out, added to c->score */
static void score_rest(const struct attempt *a6, const struct attempt *a4, struct assoc_cand *c)
{
	const struct attempt *early = c->before ? a4 : a6;
	const struct attempt *late = c->before ? a6 : a4;
	/* p0f's family counts only where it says something the raw stack
	 * does not: when the stacks differ, the same family (e.g. one OS whose
	 * IPv6 SYN carries other options) takes back part of the penalty.
	 * Counting it on top of an equal stack would count one fact twice and
	 * lift look-alike bystanders over the threshold. */
	if (c->ev[EV_STACK] < 0 && a6->os_family && a4->os_family &&
	    strcmp(a6->os_family, a4->os_family) == 0)
		c->ev[EV_OS] = 20;

	if (tsclock_consistent(early, late))
		c->ev[EV_TSCLOCK] = 30;

	/* a greeting is chosen by the client's software, not by its stack:
	 * the same name over both families is strong, independent evidence */
	if (a6->ehlo && a4->ehlo)
		c->ev[EV_EHLO] = strcasecmp(a6->ehlo, a4->ehlo) == 0 ? 40 : -20;

	c->score += c->ev[EV_OS] + c->ev[EV_TSCLOCK] + c->ev[EV_EHLO];
}

void assoc_score(const struct assoc_params *p, const struct attempt *a6,
		 const struct attempt *a4, struct assoc_cand *c)
{
	(void)p;
	score_known(a6, a4, c);
	score_rest(a6, a4, c);
}

struct assoc {
	struct assoc_params p;
	assoc_cand_cb cb;
	void *arg;
	struct attempt *v4;       /* sorted by first_ns, live part [v4_lo, v4_n) */
	size_t v4_lo, v4_n, v4_cap;
	struct attempt *v6;       /* FIFO [v6_lo, v6_n) */
	size_t v6_lo, v6_n, v6_cap;
	int64_t now;
	struct assoc_cand *tmp;   /* top-k scratch */
	const struct attempt **tmp4;   /* their IPv4 attempts */
};

struct assoc *assoc_new(const struct assoc_params *p, assoc_cand_cb cb, void *arg)
{
	struct assoc *s = xcalloc(1, sizeof *s);
	s->p = *p;
	if (s->p.top_k < 1)
		s->p.top_k = 1;
	s->cb = cb;
	s->arg = arg;
	s->tmp = xcalloc((size_t)s->p.top_k + 1, sizeof *s->tmp);
	s->tmp4 = xcalloc((size_t)s->p.top_k + 1, sizeof *s->tmp4);
	return s;
}

/* compact - move the live part of a FIFO array to its start when half is dead */
static void compact(struct attempt *v, size_t *lo, size_t *n)
{
	if (*lo > 1024 && *lo * 2 > *n) {
		memmove(v, v + *lo, (*n - *lo) * sizeof *v);
		*n -= *lo;
		*lo = 0;
	}
}

void assoc_add(struct assoc *s, const struct attempt *a)
{
	if (a->src.family == 6) {
		compact(s->v6, &s->v6_lo, &s->v6_n);
		GROW(s->v6, s->v6_n + 1, s->v6_cap);
		s->v6[s->v6_n++] = *a;
		return;
	}
	compact(s->v4, &s->v4_lo, &s->v4_n);
	GROW(s->v4, s->v4_n + 1, s->v4_cap);
	size_t i = s->v4_n;
	while (i > s->v4_lo && s->v4[i - 1].first_ns > a->first_ns)
		i--;
	memmove(s->v4 + i + 1, s->v4 + i, (s->v4_n - i) * sizeof *s->v4);
	s->v4[i] = *a;
	s->v4_n++;
}

/* lower_bound - first live IPv4 attempt with first_ns >= t */
static size_t lower_bound(const struct assoc *s, int64_t t)
{
	size_t lo = s->v4_lo, hi = s->v4_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v4[mid].first_ns < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* better - ordering of candidates: score, then closer in time, ports, id */
static bool better(const struct assoc_cand *x, const struct assoc_cand *y)
{
	if (x->score != y->score)
		return x->score > y->score;
	int64_t gx = llabs(x->gap_ns), gy = llabs(y->gap_ns);
	if (gx != gy)
		return gx < gy;
	int32_t px = abs(x->port_dist), py = abs(y->port_dist);
	if (px != py)
		return px < py;
	return x->a4 < y->a4;
}

static void score_v6(struct assoc *s, const struct attempt *a6)
{
	const struct assoc_params *p = &s->p;
	int64_t from, to;
	bool trans = transition(a6->emb_kind);
	if (trans) {
		from = a6->first_ns - p->window_ns - p->max_span_ns;
		to = a6->last_ns + p->window_ns;
	} else {
		from = a6->first_ns;
		to = a6->last_ns + p->window_ns;
	}
	size_t k = 0;
	for (size_t i = lower_bound(s, from); i < s->v4_n && s->v4[i].first_ns <= to; i++) {
		const struct attempt *a4 = &s->v4[i];
		if (trans) {
			if (!addr_eq(&a6->emb4, &a4->src))
				continue;
			if (a4->first_ns < a6->first_ns && a6->first_ns - a4->last_ns > p->window_ns)
				continue;
		}
		struct assoc_cand c;
		/* most pairs in a busy window cannot reach the floor, nor the
		 * last of a full top-k list, whatever the rest adds */
		int rest = score_known(a6, a4, &c);   /* sets c.score first */
		int most = c.score + rest;
		if (most < p->floor || (k == (size_t)p->top_k && most < s->tmp[k - 1].score))
			continue;
		score_rest(a6, a4, &c);
		if (c.score < p->floor)
			continue;
		/* insert into the sorted top-k scratch list */
		size_t j = k < (size_t)p->top_k ? k++ : k;
		if (j == (size_t)p->top_k && !better(&c, &s->tmp[j - 1]))
			continue;
		if (j == (size_t)p->top_k)
			j--;
		while (j > 0 && better(&c, &s->tmp[j - 1])) {
			s->tmp[j] = s->tmp[j - 1];
			s->tmp4[j] = s->tmp4[j - 1];
			j--;
		}
		s->tmp[j] = c;
		s->tmp4[j] = a4;   /* the IPv4 array does not move while scoring */
	}
	for (size_t j = 0; j < k; j++)
		s->cb(&s->tmp[j], a6, s->tmp4[j], s->arg);
}

/* horizon - how long after an IPv6 attempt's end its candidates can change */
static int64_t horizon(const struct assoc_params *p)
{
	return p->window_ns + p->max_span_ns + p->attempt_window_ns;
}

void assoc_advance(struct assoc *s, int64_t now)
{
	s->now = now;
	int64_t h = horizon(&s->p);
	while (s->v6_lo < s->v6_n && now - s->v6[s->v6_lo].last_ns > h) {
		score_v6(s, &s->v6[s->v6_lo]);
		s->v6_lo++;
	}
	/* an IPv4 attempt is needed while a pending or future IPv6 attempt may
	 * look back at it: 6to4 look-back is window + max_span before the
	 * IPv6 attempt's first SYN */
	int64_t oldest = now - h;
	if (s->v6_lo < s->v6_n && s->v6[s->v6_lo].first_ns < oldest)
		oldest = s->v6[s->v6_lo].first_ns;
	int64_t keep_from = oldest - s->p.window_ns - 2 * s->p.max_span_ns;
	while (s->v4_lo < s->v4_n && s->v4[s->v4_lo].first_ns < keep_from)
		s->v4_lo++;
}

void assoc_finish(struct assoc *s)
{
	while (s->v6_lo < s->v6_n) {
		score_v6(s, &s->v6[s->v6_lo]);
		s->v6_lo++;
	}
}

size_t assoc_buffered(const struct assoc *s)
{
	return (s->v4_n - s->v4_lo) + (s->v6_n - s->v6_lo);
}

void assoc_free(struct assoc *s)
{
	if (!s)
		return;
	free(s->v4);
	free(s->v6);
	free(s->tmp);
	free(s->tmp4);
	free(s);
}
