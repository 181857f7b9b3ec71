/*
 * decide.c - host consistency, ambiguity, one-to-one assignment (decide.h).
 *
 * Pass 1 walks the candidates grouped by IPv6 host, holding one host's
 * candidates at a time; pass 2 walks them by total with two bitmaps over
 * attempt ids, so memory is one host's candidates plus two bits per
 * attempt.
 */
#include "analysis/decide.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"

struct row {
	int64_t rowid;
	uint64_t a6;
	char *h4;
	int64_t h4_attempts;
	int score;
	int host;
};

struct pass1 {
	const struct assoc_params *p;
	struct store *st;
	char *h6;
	int64_t h6_attempts;
	struct row *rows;
	size_t n, cap;
	int err;
};

static int cmp_h4(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int c = strcmp(a->h4, b->h4);
	if (c)
		return c;
	return a->a6 < b->a6 ? -1 : a->a6 > b->a6;
}

static int cmp_a6(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	if (a->a6 != b->a6)
		return a->a6 < b->a6 ? -1 : 1;
	return (b->score + b->host) - (a->score + a->host);
}

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

/* flush_host - finish one IPv6 host: host points, totals, ambiguity */
static int flush_host(struct pass1 *ps)
{
	if (!ps->n)
		return 0;
	const struct assoc_params *p = ps->p;
	/* share of the host's attempts in which each IPv4 host is a candidate */
	qsort(ps->rows, ps->n, sizeof *ps->rows, cmp_h4);
	for (size_t i = 0; i < ps->n;) {
		size_t j = i;
		uint64_t distinct = 0, last = 0;
		for (; j < ps->n && !strcmp(ps->rows[j].h4, ps->rows[i].h4); j++) {
			if (ps->rows[j].a6 != last)
				distinct++;
			last = ps->rows[j].a6;
		}
		int pts = decide_host_points(p, distinct, (uint64_t)ps->h6_attempts,
					     (uint64_t)ps->rows[i].h4_attempts);
		for (size_t k = i; k < j; k++)
			ps->rows[k].host = pts;
		i = j;
	}
	/* ambiguity per IPv6 attempt */
	qsort(ps->rows, ps->n, sizeof *ps->rows, cmp_a6);
	for (size_t i = 0; i < ps->n;) {
		size_t j = i;
		while (j < ps->n && ps->rows[j].a6 == ps->rows[i].a6)
			j++;
		int best = ps->rows[i].score + ps->rows[i].host;
		int other = INT32_MIN;
		for (size_t k = i + 1; k < j; k++)
			if (strcmp(ps->rows[k].h4, ps->rows[i].h4) != 0) {
				other = ps->rows[k].score + ps->rows[k].host;
				break;
			}
		bool amb = other != INT32_MIN && best - other < p->margin;
		for (size_t k = i; k < j; k++) {
			struct row *r = &ps->rows[k];
			if (store_set_candidate_host(ps->st, r->rowid, r->host,
						     r->score + r->host, amb) < 0)
				return -1;
		}
		i = j;
	}
	for (size_t i = 0; i < ps->n; i++)
		free(ps->rows[i].h4);
	ps->n = 0;
	return 0;
}

static int pass1_row(const struct store_cand_row *r, void *arg)
{
	struct pass1 *ps = arg;
	if (!ps->h6 || strcmp(ps->h6, r->h6) != 0) {
		if (flush_host(ps) < 0)
			return -1;
		free(ps->h6);
		ps->h6 = xstrdup(r->h6);
		ps->h6_attempts = r->h6_attempts;
	}
	GROW(ps->rows, ps->n + 1, ps->cap);
	struct row *w = &ps->rows[ps->n++];
	w->rowid = r->rowid;
	w->a6 = r->a6;
	w->h4 = xstrdup(r->h4);
	w->h4_attempts = r->h4_attempts;
	w->score = r->score;
	w->host = 0;
	return 0;
}

struct pass2 {
	const struct assoc_params *p;
	struct store *st;
	uint8_t *taken6, *taken4;   /* bitmaps over attempt ids */
	uint64_t max_id;
	struct decide_stats *stats;
};

static bool bit(const uint8_t *m, uint64_t i) { return m[i >> 3] & (1u << (i & 7)); }
static void set_bit(uint8_t *m, uint64_t i) { m[i >> 3] |= (uint8_t)(1u << (i & 7)); }

static int pass2_row(const struct store_cand_total *r, void *arg)
{
	struct pass2 *ps = arg;
	const char *d;
	ps->stats->candidates++;
	if (r->a6 > ps->max_id || r->a4 > ps->max_id)
		return -1;
	if (bit(ps->taken6, r->a6)) {
		d = "lost";
	} else if (r->total < ps->p->threshold || r->score < ps->p->min_evidence) {
		d = "below-threshold";
		ps->stats->below++;
	} else if (r->ambiguous) {
		d = "ambiguous";
		ps->stats->ambiguous++;
	} else if (bit(ps->taken4, r->a4)) {
		d = "ipv4-taken";
		ps->stats->taken++;
	} else {
		d = "associated";
		set_bit(ps->taken6, r->a6);
		set_bit(ps->taken4, r->a4);
		ps->stats->associated++;
	}
	return store_set_decision(ps->st, r->rowid, r->a6, r->a4, d, r->total);
}

int decide_run(struct store *st, const struct assoc_params *p, struct decide_stats *out)
{
	memset(out, 0, sizeof *out);
	struct pass1 p1 = { .p = p, .st = st };
	int rc = store_each_candidate_by_host(st, pass1_row, &p1);
	if (rc == 0)
		rc = flush_host(&p1);
	for (size_t i = 0; i < p1.n; i++)
		free(p1.rows[i].h4);
	free(p1.rows);
	free(p1.h6);
	if (rc != 0)
		return -1;
	debug("decisions: host consistency done");

	struct pass2 p2 = { .p = p, .st = st, .stats = out };
	p2.max_id = store_max_attempt_id(st);
	size_t bytes = (size_t)(p2.max_id / 8 + 1);
	p2.taken6 = xcalloc(bytes, 1);
	p2.taken4 = xcalloc(bytes, 1);
	rc = store_each_candidate_by_total(st, pass2_row, &p2);
	free(p2.taken6);
	free(p2.taken4);
	return rc ? -1 : 0;
}
