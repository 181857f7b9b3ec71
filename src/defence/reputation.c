/*
 * reputation.c - evidence per prefix from the store, decayed and classed.
 *
 * Reads the store's own tables (hosts, mta_events, policy_outcomes): the
 * addresses in them came from packets and logs, so each is parsed again
 * and rows that do not parse are skipped and counted.
 */
#include "defence/reputation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/alloc.h"
#include "util/log.h"

struct item {
	struct prefix key;
	enum rep_kind kind;
	uint64_t count;
	int64_t t_ns;
};

struct rep_table {
	struct item *items;
	size_t nitems, icap;
	struct rep_entry *v;
	size_t n;
	int64_t now_ns;
	uint64_t skipped;
};

static const char *const kind_names[REP_NKIND] = {
	[REP_ASSOC] = "associated", [REP_LISTED4] = "listed4", [REP_DNSBL] = "dnsbl",
	[REP_REJECT] = "reject", [REP_ACCEPT] = "accept",
	[REP_POL_LIMIT] = "policy-limit", [REP_POL_ACCEPT] = "policy-accept",
};

/* rep_kind_name - stable name of an evidence kind */
const char *rep_kind_name(enum rep_kind k)
{
	return (unsigned)k < REP_NKIND ? kind_names[k] : "?";
}

/* rep_kind_weight - bad evidence is negative */
double rep_kind_weight(enum rep_kind k)
{
	switch (k) {
	case REP_ASSOC: case REP_LISTED4: case REP_DNSBL: case REP_REJECT:
		return -1.0;
	case REP_POL_LIMIT:
		return -0.25;
	case REP_ACCEPT: case REP_POL_ACCEPT:
		return 1.0;
	default:
		return 0;
	}
}

struct rep_table *rep_new(void)
{
	return xcalloc(1, sizeof(struct rep_table));
}

void rep_free(struct rep_table *t)
{
	if (!t)
		return;
	free(t->items);
	free(t->v);
	free(t);
}

/* rep_evidence - remember one item */
void rep_evidence(struct rep_table *t, const struct prefix *key, enum rep_kind kind,
		  uint64_t count, int64_t t_ns)
{
	GROW(t->items, t->nitems + 1, t->icap);
	t->items[t->nitems++] = (struct item){ *key, kind, count, t_ns };
}

/* rep_decay - exponential decay with a half-life */
double rep_decay(double w, int64_t age_ns, double half_life_s)
{
	if (age_ns <= 0 || half_life_s <= 0)
		return w;
	return w * exp2(-((double)age_ns / 1e9) / half_life_s);
}

/* rep_classify - thresholds of docs/defence.md */
enum cos_class rep_classify(const struct cos_config *c, double bad, double good)
{
	double total = bad + good;
	if (total <= 0 || total < c->evidence_min)
		return COS_UNKNOWN;
	double r = bad / total;
	if (r >= c->bad_ratio)
		return COS_BAD;
	if (r <= c->good_ratio)
		return COS_GOOD;
	return COS_MIXED;
}

/* rep_prefix_cmp - family, bytes, length */
int rep_prefix_cmp(const struct prefix *x, const struct prefix *y)
{
	if (x->a.family != y->a.family)
		return x->a.family < y->a.family ? -1 : 1;
	int c = memcmp(x->a.b, y->a.b, 16);
	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static int item_cmp(const void *a, const void *b)
{
	return rep_prefix_cmp(&((const struct item *)a)->key, &((const struct item *)b)->key);
}

/* rep_finish - group items per prefix and class each prefix */
void rep_finish(struct rep_table *t, const struct cos_config *c, int64_t now_ns)
{
	if (!now_ns)
		for (size_t i = 0; i < t->nitems; i++)
			if (t->items[i].t_ns > now_ns)
				now_ns = t->items[i].t_ns;
	t->now_ns = now_ns;
	if (t->nitems)
		qsort(t->items, t->nitems, sizeof *t->items, item_cmp);
	free(t->v);
	t->v = xcalloc(t->nitems + 1, sizeof *t->v);
	t->n = 0;
	for (size_t i = 0; i < t->nitems; i++) {
		const struct item *it = &t->items[i];
		struct rep_entry *e = t->n ? &t->v[t->n - 1] : NULL;
		if (!e || rep_prefix_cmp(&e->key, &it->key)) {
			e = &t->v[t->n++];
			e->key = it->key;
		}
		double w = rep_kind_weight(it->kind) * (double)it->count;
		w = rep_decay(w, now_ns - it->t_ns, c->half_life_s);
		if (w < 0)
			e->bad -= w;
		else
			e->good += w;
		e->n[it->kind] += it->count;
		e->hosts++;
		if (it->t_ns > e->last_ns)
			e->last_ns = it->t_ns;
	}
	for (size_t i = 0; i < t->n; i++)
		t->v[i].cls = rep_classify(c, t->v[i].bad, t->v[i].good);
	free(t->items);
	t->items = NULL;
	t->nitems = t->icap = 0;
}

size_t rep_count(const struct rep_table *t) { return t->n; }
const struct rep_entry *rep_at(const struct rep_table *t, size_t i) { return &t->v[i]; }
int64_t rep_now(const struct rep_table *t) { return t->now_ns; }

static int entry_key_cmp(const void *k, const void *e)
{
	return rep_prefix_cmp(k, &((const struct rep_entry *)e)->key);
}

/* rep_find - binary search by key */
const struct rep_entry *rep_find(const struct rep_table *t, const struct prefix *key)
{
	if (!t || !t->n)
		return NULL;
	return bsearch(key, t->v, t->n, sizeof *t->v, entry_key_cmp);
}

struct load {
	struct rep_table *t;
	const struct cos_config *c;
	unsigned len;
};

/* add_row - one row: addr, kind, count, time */
static int add_row(int ncol, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	struct load *l = arg;
	struct addr a;
	if (ncol < 4 || !vals[0] || !vals[1] || addr_parse(vals[0], &a) < 0) {
		l->t->skipped++;
		return 0;
	}
	int k = atoi(vals[1]);
	if (k < 0 || k >= REP_NKIND) {
		l->t->skipped++;
		return 0;
	}
	long long cnt = vals[2] ? strtoll(vals[2], NULL, 10) : 1;
	if (cnt <= 0)
		return 0;
	int64_t ts = vals[3] ? strtoll(vals[3], NULL, 10) : 0;
	struct prefix key = cos_key(l->c, &a, l->len);
	rep_evidence(l->t, &key, (enum rep_kind)k, (uint64_t)cnt, ts);
	return 0;
}

/* add_prefix_row - policy_outcomes rows are prefixes already */
static int add_prefix_row(int ncol, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	struct load *l = arg;
	struct prefix p;
	if (ncol < 4 || !vals[0] || prefix_parse(vals[0], &p, true) < 0) {
		l->t->skipped++;
		return 0;
	}
	/* re-aggregate: the stored prefix may be longer than today's length */
	struct prefix key = cos_key(l->c, &p.a, l->len);
	if (key.len > p.len)
		key = p;
	int64_t ts = vals[3] ? strtoll(vals[3], NULL, 10) : 0;
	long long acc = vals[1] ? strtoll(vals[1], NULL, 10) : 0;
	long long lim = vals[2] ? strtoll(vals[2], NULL, 10) : 0;
	if (acc > 0)
		rep_evidence(l->t, &key, REP_POL_ACCEPT, (uint64_t)acc, ts);
	if (lim > 0)
		rep_evidence(l->t, &key, REP_POL_LIMIT, (uint64_t)lim, ts);
	return 0;
}

/* rep_load_store - hosts, mta_events and policy_outcomes */
int rep_load_store(struct rep_table *t, struct store *st, const struct cos_config *c,
		   unsigned len_override)
{
	struct load l = { t, c, len_override };
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT addr, %d, 1, last_ns FROM hosts WHERE family = 6 AND label = 'associated'"
		 " UNION ALL SELECT addr, %d, 1, last_ns FROM hosts WHERE family = 4 AND listed = 1",
		 REP_ASSOC, REP_LISTED4);
	if (store_scan(st, sql, NULL, 0, add_row, &l) != 0)
		return -1;
	snprintf(sql, sizeof sql,
		 "SELECT addr, CASE kind WHEN 'dnsbl' THEN %d WHEN 'reject' THEN %d"
		 " WHEN 'accept' THEN %d END, count, last_ns FROM mta_events"
		 " WHERE kind IN ('dnsbl', 'reject', 'accept')",
		 REP_DNSBL, REP_REJECT, REP_ACCEPT);
	if (store_scan(st, sql, NULL, 0, add_row, &l) != 0)
		return -1;
	if (store_scan(st, "SELECT prefix, accepted, limited, last_ns FROM policy_outcomes",
			NULL, 0, add_prefix_row, &l) != 0)
		return -1;
	if (t->skipped)
		warn("%s: %llu rows with unusable addresses skipped", store_location(st),
		     (unsigned long long)t->skipped);
	return 0;
}

struct rep_table *rep_open(const char *db, const char *config, unsigned len_override,
			   int64_t now_ns, struct cos_config *cfg)
{
	if (config) {
		if (cos_load(cfg, config) < 0)
			return NULL;
	} else {
		cos_defaults(cfg);
	}
	struct store *st = store_open(db, false);
	if (!st) {
		cos_free(cfg);
		return NULL;
	}
	struct rep_table *t = rep_new();
	int rc = rep_load_store(t, st, cfg, len_override);
	store_close(st);
	if (rc) {
		rep_free(t);
		cos_free(cfg);
		return NULL;
	}
	rep_finish(t, cfg, now_ns);
	return t;
}
