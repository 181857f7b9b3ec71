/*
 * decide.c - host consistency, ambiguity, one-to-one assignment (decide.h).
 *
 * The pair counts come from the store in one pass; points, ambiguity and
 * decision labels are applied by set-based updates there; the greedy pass
 * reads only eligible candidates, best first, with two bitmaps over attempt
 * ids: memory is two bits per attempt.
 */
#include "analysis/decide.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"

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

struct pairs {
	const struct assoc_params *p;
	struct store *st;
};

static int pair_row(const struct store_pair *r, void *arg)
{
	struct pairs *ps = arg;
	/* every pair that met twice or more is written, even with 0 points:
	 * it replaces the single-meeting penalty */
	return store_set_pair_points(ps->st, r->h6, r->h4,
				     decide_host_points(ps->p, r->co, r->n6, r->n4));
}

struct greedy {
	struct store *st;
	uint8_t *taken6, *taken4;   /* bitmaps over attempt ids */
	uint64_t max_id;
	struct decide_stats *stats;
};

static bool bit(const uint8_t *m, uint64_t i) { return m[i >> 3] & (1u << (i & 7)); }
static void set_bit(uint8_t *m, uint64_t i) { m[i >> 3] |= (uint8_t)(1u << (i & 7)); }

static int greedy_row(const struct store_cand_total *r, void *arg)
{
	struct greedy *g = arg;
	if (r->a6 > g->max_id || r->a4 > g->max_id)
		return -1;
	if (bit(g->taken6, r->a6) || bit(g->taken4, r->a4))
		return 0;
	set_bit(g->taken6, r->a6);
	set_bit(g->taken4, r->a4);
	g->stats->associated++;
	return store_associate(g->st, r);
}

static int count_row(int n, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	struct decide_stats *d = arg;
	if (n < 2 || !vals[0] || !vals[1])
		return 0;
	uint64_t c = strtoull(vals[1], NULL, 10);
	d->candidates += c;
	if (!strcmp(vals[0], "ambiguous"))
		d->ambiguous = c;
	else if (!strcmp(vals[0], "below-threshold"))
		d->below = c;
	else if (!strcmp(vals[0], "ipv4-taken"))
		d->taken = c;
	return 0;
}

int decide_run(struct store *st, const struct assoc_params *p, struct decide_stats *out)
{
	memset(out, 0, sizeof *out);
	struct pairs ps = { .p = p, .st = st };
	if (store_each_host_pair(st, pair_row, &ps) != 0 ||
	    store_apply_host_points(st, decide_host_points(p, 1, 3, 1), p->margin) < 0)
		return -1;
	debug("decisions: host consistency done");

	struct greedy g = { .st = st, .stats = out };
	g.max_id = store_max_attempt_id(st);
	size_t bytes = (size_t)(g.max_id / 8 + 1);
	g.taken6 = xcalloc(bytes, 1);
	g.taken4 = xcalloc(bytes, 1);
	int rc = store_each_eligible(st, p->threshold, p->min_evidence, greedy_row, &g);
	free(g.taken6);
	free(g.taken4);
	if (rc != 0 || store_label_decisions(st, p->threshold, p->min_evidence) < 0)
		return -1;
	return store_query(st, "SELECT decision, COUNT(*) FROM candidates GROUP BY decision",
			   NULL, 0, count_row, out) ? -1 : 0;
}
