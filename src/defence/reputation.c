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
#include "util/hash.h"
#include "util/itab.h"
#include "util/log.h"
#include "util/sort.h"

/* a prefix and its class, all a policy server asks (rep_keep_classes) */
struct rep_cls {
	struct prefix key;
	uint8_t cls;
};

/*
 * The evidence is added up per prefix as it comes, in a table by key,
 * instead of being kept item by item until the end (on a store of 50M
 * SYNs 10.5M items of 40 bytes beside the 5.3M entries: 1.05 GB, now
 * the entries alone). The decay needs "now", which by default is the
 * newest evidence of all, known only at the end; but w * 2^-((now - t) / h)
 * is w * 2^-((ref - t) / h) * 2^-((now - ref) / h) for any ref, so an
 * entry keeps its bad and good decayed to its own newest evidence (ref,
 * never before any of its items: every factor at most 1, none
 * overflows) and rep_finish decays them the rest of the way to now.
 * Evidence after a given now counts undecayed, as the time is clamped
 * to now.
 */
struct rep_table {
	double half_life_s;
	int64_t now_ns;             /* 0 until rep_finish: the newest evidence */
	bool now_given;
	bool finished;
	struct rep_entry *v;        /* in key order after rep_finish */
	size_t n, cap;
	struct itab ix;             /* v by key, until rep_finish */
	struct rep_cls *cv;         /* rep_keep_classes: what is left */
	size_t ncv;
	bool classes_only;
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

struct rep_table *rep_new(const struct cos_config *c, int64_t now_ns)
{
	struct rep_table *t = xcalloc(1, sizeof(struct rep_table));
	t->half_life_s = c->half_life_s;
	t->now_ns = now_ns;
	t->now_given = now_ns != 0;
	return t;
}

void rep_free(struct rep_table *t)
{
	if (!t)
		return;
	free(t->v);
	itab_free(&t->ix);
	free(t->cv);
	free(t);
}

/* rep_decay - exponential decay with a half-life */
double rep_decay(double w, int64_t age_ns, double half_life_s)
{
	if (age_ns <= 0 || half_life_s <= 0)
		return w;
	return w * exp2(-((double)age_ns / 1e9) / half_life_s);
}

/* the entries are most of the memory of reputation, dnsbl and a policy
 * server's load (reputation.h) */
_Static_assert(sizeof(struct rep_entry) <= 80, "struct rep_entry grew beyond 80 bytes");

static uint64_t entry_hash(const void *arr, uint32_t i)
{
	const struct prefix *k = &((const struct rep_entry *)arr)[i].key;
	return hash_bytes(k, sizeof *k);
}

static bool entry_eq(const void *arr, uint32_t i, const void *key)
{
	return !rep_prefix_cmp(&((const struct rep_entry *)arr)[i].key, key);
}

/* entry_of - the entry of key, added when new */
static struct rep_entry *entry_of(struct rep_table *t, const struct prefix *key)
{
	uint32_t *slot = itab_slot(&t->ix, t->n, hash_bytes(key, sizeof *key), t->v, key,
				   entry_eq, entry_hash);
	if (*slot)
		return &t->v[*slot - 1];
	if (t->n >= UINT32_MAX - 1)
		BUG("reputation: more than %u prefixes", UINT32_MAX - 2);
	GROW(t->v, t->n + 1, t->cap);
	struct rep_entry *e = &t->v[t->n];
	memset(e, 0, sizeof *e);
	e->key = *key;
	*slot = (uint32_t)++t->n;
	return e;
}

/* at_most_now - a time, no later than a given now */
static int64_t at_most_now(const struct rep_table *t, int64_t ns)
{
	return t->now_given && ns > t->now_ns ? t->now_ns : ns;
}

/* ref_of - the time an entry's weights are decayed to: its newest
 * evidence, no later than a given now */
static int64_t ref_of(const struct rep_table *t, const struct rep_entry *e)
{
	return at_most_now(t, e->last_ns);
}

/* rep_evidence - add one item to its prefix */
void rep_evidence(struct rep_table *t, const struct prefix *key, enum rep_kind kind,
		  uint64_t count, int64_t t_ns)
{
	if (t->finished)
		BUG("rep_evidence after rep_finish");
	struct rep_entry *e = entry_of(t, key);
	int64_t ref = ref_of(t, e);
	if (t_ns > e->last_ns)
		e->last_ns = t_ns;
	int64_t nref = ref_of(t, e);
	if (nref > ref) {
		e->bad = rep_decay(e->bad, nref - ref, t->half_life_s);
		e->good = rep_decay(e->good, nref - ref, t->half_life_s);
	}
	double w = rep_kind_weight(kind) * (double)count;
	w = rep_decay(w, nref - at_most_now(t, t_ns), t->half_life_s);
	if (w < 0)
		e->bad -= w;
	else
		e->good += w;
	uint64_t n = e->n[kind] + count;
	e->n[kind] = n > UINT32_MAX || n < count ? UINT32_MAX : (uint32_t)n;
	e->hosts += e->hosts < UINT32_MAX;
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

/* the order of the entries: their keys, and where each is */
struct keyix {
	struct prefix key;
	uint32_t i;
};

static int keyix_cmp(const void *a, const void *b)
{
	return rep_prefix_cmp(&((const struct keyix *)a)->key, &((const struct keyix *)b)->key);
}

/* rep_finish - decay each prefix to now, class it, order the prefixes */
void rep_finish(struct rep_table *t, const struct cos_config *c)
{
	if (t->finished)
		BUG("rep_finish twice");
	t->finished = true;
	itab_free(&t->ix);
	if (!t->now_given)
		for (size_t i = 0; i < t->n; i++)
			if (t->v[i].last_ns > t->now_ns)
				t->now_ns = t->v[i].last_ns;
	for (size_t i = 0; i < t->n; i++) {
		struct rep_entry *e = &t->v[i];
		int64_t age = t->now_ns - ref_of(t, e);
		e->bad = rep_decay(e->bad, age, t->half_life_s);
		e->good = rep_decay(e->good, age, t->half_life_s);
		e->cls = rep_classify(c, e->bad, e->good);
	}
	/* sorted through 24-byte (key, index) pairs, then the entries moved
	 * into place a cycle at a time: no second copy of the entries */
	struct keyix *o = xcalloc(t->n ? t->n : 1, sizeof *o);
	for (size_t i = 0; i < t->n; i++)
		o[i] = (struct keyix){ t->v[i].key, (uint32_t)i };
	sort_inplace(o, t->n, sizeof *o, keyix_cmp);
	for (size_t i = 0; i < t->n; i++) {
		if (o[i].i == i)
			continue;
		struct rep_entry tmp = t->v[i];
		size_t j = i;
		while (o[j].i != i) {
			size_t k = o[j].i;
			t->v[j] = t->v[k];
			o[j].i = (uint32_t)j;
			j = k;
		}
		t->v[j] = tmp;
		o[j].i = (uint32_t)j;
	}
	free(o);
	/* the entries' spare room back (mremap for arrays this big) */
	if (t->n < t->cap) {
		t->v = xreallocarray(t->v, t->n ? t->n : 1, sizeof *t->v);
		t->cap = t->n ? t->n : 1;
	}
}

/* rep_keep_classes - keep only the prefixes whose class is not unknown,
 * and of them only key and class (rep_class; a policy server on a store
 * of 50M SYNs: 3.9M of 5.3M prefixes, 19 bytes each instead of 80) */
void rep_keep_classes(struct rep_table *t)
{
	if (!t->finished || t->classes_only)
		BUG("rep_keep_classes before rep_finish or twice");
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		n += t->v[i].cls != COS_UNKNOWN;
	t->cv = xcalloc(n ? n : 1, sizeof *t->cv);
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].cls != COS_UNKNOWN)
			t->cv[t->ncv++] = (struct rep_cls){ t->v[i].key, (uint8_t)t->v[i].cls };
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	t->classes_only = true;
}

size_t rep_count(const struct rep_table *t)
{
	return t->classes_only ? t->ncv : t->n;
}

const struct rep_entry *rep_at(const struct rep_table *t, size_t i)
{
	if (!t->finished || t->classes_only || i >= t->n)
		BUG("rep_at %zu of %zu", i, t->n);
	return &t->v[i];
}

int64_t rep_now(const struct rep_table *t) { return t->now_ns; }

static int entry_key_cmp(const void *k, const void *e)
{
	return rep_prefix_cmp(k, &((const struct rep_entry *)e)->key);
}

/* rep_find - binary search by key */
const struct rep_entry *rep_find(const struct rep_table *t, const struct prefix *key)
{
	if (t && (!t->finished || t->classes_only))
		BUG("rep_find before rep_finish or after rep_keep_classes");
	if (!t || !t->n)
		return NULL;
	return bsearch(key, t->v, t->n, sizeof *t->v, entry_key_cmp);
}

static int cls_key_cmp(const void *k, const void *e)
{
	return rep_prefix_cmp(k, &((const struct rep_cls *)e)->key);
}

/* rep_class - the class of key, unknown when not in the table */
enum cos_class rep_class(const struct rep_table *t, const struct prefix *key)
{
	if (!t)
		return COS_UNKNOWN;
	if (!t->classes_only) {
		const struct rep_entry *e = rep_find(t, key);
		return e ? e->cls : COS_UNKNOWN;
	}
	const struct rep_cls *e = t->ncv ? bsearch(key, t->cv, t->ncv, sizeof *t->cv,
						   cls_key_cmp) : NULL;
	return e ? (enum cos_class)e->cls : COS_UNKNOWN;
}

struct load {
	struct rep_table *t;
	const struct cos_config *c;
	unsigned len;
	struct progress_read read; /* on a terminal, a read of a second or more says so */
};

/* add_row - one row: addr, kind, count, time */
static int add_row(int ncol, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	struct load *l = arg;
	progress_read_row(&l->read);
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
	progress_read_row(&l->read);
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
	struct load l = { .t = t, .c = c, .len = len_override };
	char sql[512];
	/* a store without an analysis (policyd makes one of a mistyped
	 * --db; an analyze that read nothing leaves one) gives no evidence
	 * but the policy outcomes: said, not silent */
	int runs = store_finished_runs(st);
	if (runs < 0)
		return -1;
	if (runs == 0)
		warn("%s holds no finished analysis: every prefix is unknown but for the policy"
		     " server's own outcomes ('mxsensor analyze --db %s' makes one)",
		     store_location(st), store_location(st));
	snprintf(sql, sizeof sql,
		 "SELECT addr, %d, 1, last_ns FROM hosts WHERE family = 6 AND label = 'associated'"
		 " UNION ALL SELECT addr, %d, 1, last_ns FROM hosts WHERE family = 4 AND listed = 1",
		 REP_ASSOC, REP_LISTED4);
	progress_read_start(&l.read, "reading the hosts from the store");
	if (store_scan(st, sql, NULL, 0, add_row, &l) != 0)
		return -1;
	snprintf(sql, sizeof sql,
		 "SELECT addr, CASE kind WHEN 'dnsbl' THEN %d WHEN 'reject' THEN %d"
		 " WHEN 'accept' THEN %d END, count, last_ns FROM mta_events"
		 " WHERE kind IN ('dnsbl', 'reject', 'accept')",
		 REP_DNSBL, REP_REJECT, REP_ACCEPT);
	progress_read_start(&l.read, "reading the MTA log outcomes from the store");
	if (store_scan(st, sql, NULL, 0, add_row, &l) != 0)
		return -1;
	progress_read_start(&l.read, "reading the policy outcomes from the store");
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
	struct rep_table *t = rep_new(cfg, now_ns);
	int rc = rep_load_store(t, st, cfg, len_override);
	store_close(st);
	if (rc) {
		rep_free(t);
		cos_free(cfg);
		return NULL;
	}
	rep_finish(t, cfg);
	return t;
}
