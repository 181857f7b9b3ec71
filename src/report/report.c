/*
 * report.c - build the report's tables from the store.
 *
 * The store is read in one pass (below) and every table is added up here
 * in C, all under the same filter (time, sensor, sensor address, family,
 * host label), so the tables agree with each other.  Host counts are
 * distinct source addresses among the counted attempts; an attempt joins
 * the hosts row of its own sensor, so a host that two sensors label
 * differently counts under each label (once per label); a host's label,
 * OS family and address type come from its hosts row, an attempt's OS
 * family from its attempts row.  The SQL is kept to what SQLite and
 * PostgreSQL share.
 */
#include "report/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr/addr.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/itab.h"
#include "util/log.h"
#include "util/out.h"
#include "util/strpool.h"

#define NS_PER_DAY INT64_C(86400000000000)

/* --- reading the store --- */

/* rows - a whole (small) result held as strings */
struct rows {
	int ncol;
	size_t n, cap;
	char **v;
};

/* rows_add - store_query callback: keep one row */
static int rows_add(int ncol, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	struct rows *r = arg;
	r->ncol = ncol;
	GROW(r->v, (r->n + 1) * (size_t)ncol, r->cap);
	for (int i = 0; i < ncol; i++)
		r->v[r->n * (size_t)ncol + (size_t)i] = vals[i] ? xstrdup(vals[i]) : NULL;
	r->n++;
	return 0;
}

/* rows_free - free a kept result */
static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n * (size_t)r->ncol; i++)
		free(r->v[i]);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* rv - a kept value as text (NULL for SQL NULL) */
static const char *rv(const struct rows *r, size_t row, int col)
{
	return r->v[row * (size_t)r->ncol + (size_t)col];
}

/* --- one pass over the store --- */

/*
 * The report reads three tables, in the order they are stored, and joins
 * them here: the hosts into memory, then every attempt (joined with its
 * host; the counted ones added up into every table), the IPv6 attempts
 * again for their partners, then the associated candidates (binned when
 * their IPv6 attempt was counted).  Counted: the attempt passes the filter
 * and its sensor has a hosts row for its source, as an inner join of
 * attempts and hosts would have it; a partner and its host are looked up
 * as a left join would (none: no counterpart).
 *
 * One GROUP BY query per table had the database join and sort the
 * attempts nine times over: 9.0 s for a report on 1M SYNs, 190 s and
 * 431 MB on 10M.  One query joining attempts, hosts and partners there
 * still looked each attempt's host and partner up in b-trees, which on
 * 10M SYNs (a 2.7 GB store) went to the disk: 51 s.  Now 1.3 s and 58 MB
 * on 1M, 17-18 s and 460 MB on 10M (the hosts, the sources and an 8-byte
 * record per attempt are held).  The groups are the ones those queries
 * had: a host counts once per group of raw column values, so the tables
 * are the same, but for one choice the queries left to the order of their
 * rows: an IPv4 counterpart that one sensor's logs list and another's do
 * not counts as listed (pent_cmp_v4).
 */

static const char *const v6_labels[] = { "associated", "associated-unlisted", "unassociated" };
static const char *const v4_labels[] = { "spammer", "unlisted" };

static const char *const os_rows[] = { "Windows", "Linux", "Mac OS X", "BSD", "Other", "Unknown" };
#define NOS 6

/* os_index - the OS row index of an os_family value */
static int os_index(const char *family)
{
	const char *n = report_os_row(family);
	for (int i = 0; i < NOS; i++)
		if (!strcmp(n, os_rows[i]))
			return i;
	return NOS - 1;
}

static const char *const kind_rows[] = {
	"6to4", "EUI-64", "embedded IPv4", "other", "Teredo", "ISATAP", "NAT64",
};
#define NKIND 7

/* kind_index - the address type row index of a host's columns */
static int kind_index(const char *addr_type, const char *iid_class, const char *emb_kind)
{
	const char *k = report_addr_kind(addr_type, iid_class, emb_kind);
	int j = 0;
	while (j < NKIND - 1 && strcmp(kind_rows[j], k))
		j++;
	return j;
}

/* kmap - open addressing on keys of five words, each with a value, at
 * most 3/4 full; the first word holds a kind below (never 0: 0 marks an
 * empty slot) */
enum { K_LABEL = 1, K_OS, K_KIND, K_ASN, K_ASNLISTED, K_DAY, K_ATT };
struct kent {
	uint32_t k[5];
	uint32_t v;
};
struct kmap {
	struct kent *e;
	size_t size, n;
};

/* kmap_at - the entry of key k, added with value v when new (*added) */
static struct kent *kmap_at(struct kmap *m, const uint32_t k[5], uint32_t v, bool *added)
{
	if (4 * (m->n + 1) > 3 * m->size) {
		size_t size = m->size ? 2 * m->size : 4096;
		struct kent *e = xcalloc(size, sizeof *e);
		for (size_t i = 0; i < m->size; i++) {
			if (!m->e[i].k[0])
				continue;
			size_t j = (size_t)hash_bytes(m->e[i].k, sizeof m->e[i].k) & (size - 1);
			while (e[j].k[0])
				j = (j + 1) & (size - 1);
			e[j] = m->e[i];
		}
		free(m->e);
		m->e = e;
		m->size = size;
	}
	size_t mask = m->size - 1, i = (size_t)hash_bytes(k, 5 * sizeof *k) & mask;
	for (; m->e[i].k[0]; i = (i + 1) & mask)
		if (!memcmp(m->e[i].k, k, sizeof m->e[i].k)) {
			*added = false;
			return &m->e[i];
		}
	memcpy(m->e[i].k, k, sizeof m->e[i].k);
	m->e[i].v = v;
	m->n++;
	*added = true;
	return &m->e[i];
}

/* kmap_find - the entry of key k, NULL when none */
static const struct kent *kmap_find(const struct kmap *m, const uint32_t k[5])
{
	if (!m->size)
		return NULL;
	size_t mask = m->size - 1, i = (size_t)hash_bytes(k, 5 * sizeof *k) & mask;
	for (; m->e[i].k[0]; i = (i + 1) & mask)
		if (!memcmp(m->e[i].k, k, sizeof m->e[i].k))
			return &m->e[i];
	return NULL;
}

/* kmap_new - whether key (a, b, c, d, e) is new, adding it */
static bool kmap_new(struct kmap *m, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e)
{
	const uint32_t k[5] = { a, b, c, d, e };
	bool added;
	kmap_at(m, k, 0, &added);
	return added;
}

/* a host's groups as value ids (0: NULL) and what follows from them,
 * kept once for all the hosts rows that share them (41 distinct ones
 * for the 1.7M rows of the benchmark's 10M-SYN store; with real ASNs
 * more, still far fewer than the rows): a hosts row is 12 bytes
 * instead of 44 */
struct hkey {
	uint32_t lab, hos, at, iid, emb, asn, name;
	int32_t listed;             /* 0: 0 or NULL, 1: 1, 2: another value */
};
struct hprof {
	struct hkey key;
	int8_t kind;                /* kind_index of at, iid, emb */
	int8_t os;                  /* os_index of hos */
	int8_t k4, k6;              /* the label's row of the labels table, as IPv4 and IPv6 */
	bool assoc;                 /* labelled associated */
	bool pass;                  /* passes the label filter */
};

/* a hosts row */
struct hrow {
	uint32_t sensor;
	uint32_t next;              /* the next row of the same address (index + 1; 0: none) */
	uint32_t prof;              /* its struct hprof */
};

/* an attempt, for its partner and its associated candidates (8 bytes:
 * 10M SYNs make 4.9M attempts) */
#define HOSTS_MAX ((1u << 27) - 1)
struct aref {
	uint32_t src;               /* source id + 1; 0: no such attempt */
	unsigned host : 27;         /* its hosts row (index + 1; 0: none) */
	unsigned os : 4;            /* os_index of its os_family */
	unsigned counted : 1;
};

/* a sensor's attempts in an array by id (analyze numbers them 1, 2, ...)
 * while the ids stay below twice the attempts read plus ATT_SLACK; any
 * other id goes through the map to s->far */
#define ATT_SLACK (INT64_C(1) << 20)
struct sens {
	uint32_t name;              /* value id of the sensor name */
	struct aref *a;
	size_t n, cap, rows;
};

/* an IPv6 source with one partner source (or none) and its attempts,
 * while the attempts are read */
struct pgrp {
	uint32_t src, psrc;         /* source ids (psrc + 1; 0: none) */
	bool listed;                /* the partner's host is listed */
	int64_t n, first, last;
};

/* the same parsed, for the prefix tables (64 bytes; its /64 and /48 are
 * the first 8 and 6 bytes of v6, compared in place) */
struct pent {
	struct addr v6, v4;        /* v4.family 0: no counterpart */
	bool listed;
	int64_t n, first, last;
};

/* an ASN's counts; name: the greatest of its hosts' AS names (value id) */
struct asacc {
	uint32_t name;
	int64_t h6, a6, a6assoc, h4, a4, h4listed;
};

/* attempts per day of their first SYN: [IPv4 listed, IPv4 unlisted,
 * IPv6 associated, IPv6 other] */
struct dayc {
	int64_t day, n[4];
};

/* a source address: its hosts rows, and the groups it was first counted
 * in (its host row and family), counted again without going through the
 * map when they recur (most sources have one host row) */
struct srcrec {
	uint32_t hosts;             /* its first hosts row (index + 1; 0: none) */
	uint32_t counted;           /* the hosts row it was first counted with */
	int8_t fam;                 /* ... and the family */
	/* the address, parsed: the key of the look-up (s->srcix), so that
	 * finding a source reads its record and nothing else (a text pool
	 * read a pointer and the text, 20 bytes a source more and a cache
	 * miss more an attempt); family 0: a text that is no address, its
	 * value id in the first bytes */
	struct addr a;
};

struct pairs {
	int64_t port[REPORT_PORT_BUCKETS][NOS];
	int64_t neg[NOS];
	int64_t gap[REPORT_GAP_BUCKETS][2];     /* [bin][IPv4 first] */
};

struct scan {
	const struct report_filter *f;
	size_t counted;             /* attempts counted */
	struct progress_read read;  /* the read in progress (scan_read): on a terminal,
				     * one that has run a second says so once */
	char reading[64];           /* ... what it says on a terminal */
	struct strpool val;         /* every text but the addresses: sensors, labels, OS
				     * families, types, ASNs */
	struct srcrec *sr;          /* the source addresses by id */
	size_t nsr, capsr;
	struct itab srcix;          /* ... by their address */
	struct hrow *h;
	size_t nh, caph;
	struct hprof *prof;         /* the hosts rows' groups */
	size_t nprof, capprof;
	struct itab profix;         /* ... by their key */
	struct sens *sens;
	size_t nsens, capsens;
	struct aref *far;           /* attempts whose ids the arrays do not take (aref_at) */
	size_t nfar, capfar;
	struct kmap seen;           /* (kind, group, source) counted; days; IPv6 groups */
	int64_t first, last;
	/* families and labels: 0-1 IPv4 labels, 2-4 IPv6 labels, 5 other IPv4, 6 other IPv6 */
	int64_t hosts[7], att[7], fh[2], fa[2], fs[2];
	/* IPv6 by OS family and by address type: [row][associated 0, other 1] */
	int64_t osh[NOS][2], osa[NOS][2], kh[NKIND][2], ka[NKIND][2];
	int64_t syn[2][NOS][5];     /* [IPv6][OS][SYNs 1..4, 5+] */
	struct dayc *days;
	size_t ndays, capdays, lastday;
	struct asacc *as;           /* by ASN value id; 0: no ASN */
	size_t nas, capas;
	bool any_asn;
	struct pgrp *pg;            /* one per (IPv6 source, partner source, listed) */
	size_t npg, cappg;
	struct itab pgix;           /* ... by that key */
	struct pairs pairs;
	const char *os_text[4];     /* vos's last values */
	int8_t os_row[4];
	unsigned os_next;
	const char *last_sensor;    /* sensor_id's */
	uint32_t last_sensor_id;
};

/* vid - a text value's id + 1, 0 for NULL */
static uint32_t vid(struct scan *s, const char *v)
{
	return v ? strpool_id(&s->val, v) + 1 : 0;
}

/* vtext - the text of a value id (NULL for 0) */
static const char *vtext(const struct scan *s, uint32_t id)
{
	return id ? strpool_get(&s->val, id - 1) : NULL;
}

/* vos - the OS row of an OS family value (the last few values kept by
 * their text: an attempt's is read with each row) */
static int vos(struct scan *s, const char *v)
{
	if (!v)
		return NOS - 1;
	for (int i = 0; i < 4; i++)
		if (s->os_text[i] && !strcmp(v, s->os_text[i]))
			return s->os_row[i];
	int i = s->os_next++ & 3;
	s->os_row[i] = (int8_t)os_index(v);
	s->os_text[i] = vtext(s, vid(s, v));    /* a copy that stays */
	return s->os_row[i];
}

/* sensor_id - vid of a sensor name, the last one remembered (the rows
 * of a sensor come together) */
static uint32_t sensor_id(struct scan *s, const char *name)
{
	if (!s->last_sensor || strcmp(name, s->last_sensor)) {
		s->last_sensor_id = vid(s, name);
		s->last_sensor = vtext(s, s->last_sensor_id);
	}
	return s->last_sensor_id;
}

/* num - an integer column (0 for NULL) */
static int64_t num(const char *v)
{
	return v ? strtoll(v, NULL, 10) : 0;
}

static uint64_t src_hash(const void *arr, uint32_t i)
{
	const struct addr *a = &((const struct srcrec *)arr)[i].a;
	return hash_bytes(a, sizeof *a);
}

static bool src_eq(const void *arr, uint32_t i, const void *key)
{
	return addr_eq(&((const struct srcrec *)arr)[i].a, key);
}

/* src_id - the id of a source address, with its record */
static uint32_t src_id(struct scan *s, const char *text)
{
	struct addr a;
	if (addr_parse(text ? text : "", &a) < 0) {
		memset(&a, 0, sizeof a);
		uint32_t v = vid(s, text ? text : "");
		memcpy(a.b, &v, sizeof v);
	}
	uint32_t *slot = itab_slot(&s->srcix, s->nsr, hash_bytes(&a, sizeof a), s->sr, &a, src_eq,
				   src_hash);
	if (*slot)
		return *slot - 1;
	if (s->nsr >= UINT32_MAX - 1)
		BUG("report: source addresses full");
	GROW(s->sr, s->nsr + 1, s->capsr);
	s->sr[s->nsr] = (struct srcrec){ .a = a };
	*slot = (uint32_t)++s->nsr;
	return *slot - 1;
}

/* host_find - the hosts row of (sensor, source), NULL when none */
static struct hrow *host_find(struct scan *s, uint32_t sensor, uint32_t src)
{
	for (uint32_t i = s->sr[src].hosts; i; i = s->h[i - 1].next)
		if (s->h[i - 1].sensor == sensor)
			return &s->h[i - 1];
	return NULL;
}

/* the hosts query's columns */
enum { H_SENSOR, H_ADDR, H_LABEL, H_OS, H_ADDR_TYPE, H_IID, H_EMB, H_LISTED, H_ASN, H_NAME, H_COUNT };

static uint64_t hkey_hash(const struct hkey *k)
{
	return hash_bytes(k, sizeof *k);
}

static uint64_t prof_hash(const void *arr, uint32_t i)
{
	return hkey_hash(&((const struct hprof *)arr)[i].key);
}

static bool prof_eq(const void *arr, uint32_t i, const void *key)
{
	return !memcmp(&((const struct hprof *)arr)[i].key, key, sizeof(struct hkey));
}

/* prof_id - the index of a hosts row's groups (key, from the row's
 * columns v), added when new */
static uint32_t prof_id(struct scan *s, const struct hkey *key, const char *const *v)
{
	uint32_t *slot = itab_slot(&s->profix, s->nprof, hkey_hash(key), s->prof, key, prof_eq,
				   prof_hash);
	if (*slot)
		return *slot - 1;
	GROW(s->prof, s->nprof + 1, s->capprof);
	struct hprof *p = &s->prof[s->nprof];
	*p = (struct hprof){
		.key = *key,
		.kind = (int8_t)kind_index(v[H_ADDR_TYPE], v[H_IID], v[H_EMB]),
		.os = (int8_t)os_index(v[H_OS]),
		.k4 = 5, .k6 = 6,
		.assoc = v[H_LABEL] && !strcmp(v[H_LABEL], "associated"),
		.pass = !s->f->label || (v[H_LABEL] && !strcmp(v[H_LABEL], s->f->label)),
	};
	const char *lab = v[H_LABEL];
	for (int j = 0; lab && j < 2; j++)
		if (!strcmp(lab, v4_labels[j]))
			p->k4 = (int8_t)j;
	for (int j = 0; lab && j < 3; j++)
		if (!strcmp(lab, v6_labels[j]))
			p->k6 = (int8_t)(2 + j);
	*slot = (uint32_t)++s->nprof;
	return *slot - 1;
}

/* host_row - store_scan callback: keep one hosts row */
static int host_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct scan *s = arg;
	progress_read_row(&s->read);
	if (n < H_COUNT || !v[H_SENSOR])
		return -1;
	uint32_t src = src_id(s, v[H_ADDR]);
	int64_t listed = num(v[H_LISTED]);
	if (s->nh >= HOSTS_MAX) {
		error("report: more than %u hosts rows", HOSTS_MAX);
		return -1;
	}
	const struct hkey key = {
		.lab = vid(s, v[H_LABEL]), .hos = vid(s, v[H_OS]), .at = vid(s, v[H_ADDR_TYPE]),
		.iid = vid(s, v[H_IID]), .emb = vid(s, v[H_EMB]), .asn = vid(s, v[H_ASN]),
		.name = vid(s, v[H_NAME]),
		.listed = listed == 0 ? 0 : listed == 1 ? 1 : 2,
	};
	GROW(s->h, s->nh + 1, s->caph);
	s->h[s->nh++] = (struct hrow){ .sensor = vid(s, v[H_SENSOR]), .next = s->sr[src].hosts,
				       .prof = prof_id(s, &key, v) };
	s->sr[src].hosts = (uint32_t)s->nh;
	return 0;
}

/* aref_at - the record of attempt (sensor, id); add: a new one (each
 * attempt is added once); else NULL when there is none */
static struct aref *aref_at(struct scan *s, uint32_t sensor, int64_t id, bool add)
{
	struct sens *e = NULL;
	for (size_t i = 0; i < s->nsens && !e; i++)
		if (s->sens[i].name == sensor)
			e = &s->sens[i];
	if (!e && add) {
		GROW(s->sens, s->nsens + 1, s->capsens);
		e = &s->sens[s->nsens++];
		memset(e, 0, sizeof *e);
		e->name = sensor;
	}
	if (!e)
		return NULL;
	if (add)
		e->rows++;
	if (id >= 0 && (size_t)id < e->n && (add || e->a[id].src))
		return &e->a[id];
	if (add && id >= 0 && id < 2 * (int64_t)e->rows + ATT_SLACK) {
		GROW(e->a, (size_t)id + 1, e->cap);
		memset(e->a + e->n, 0, ((size_t)id + 1 - e->n) * sizeof *e->a);
		e->n = (size_t)id + 1;
		return &e->a[id];
	}
	const uint32_t k[5] = { K_ATT, sensor, (uint32_t)id, (uint32_t)((uint64_t)id >> 32), 0 };
	if (!add) {
		const struct kent *x = kmap_find(&s->seen, k);
		return x ? &s->far[x->v] : NULL;
	}
	bool added;
	struct kent *x = kmap_at(&s->seen, k, (uint32_t)s->nfar, &added);
	if (added) {
		GROW(s->far, s->nfar + 1, s->capfar);
		memset(&s->far[s->nfar++], 0, sizeof *s->far);
	}
	return &s->far[x->v];
}

static uint64_t pgrp_hash3(uint32_t src, uint32_t psrc, bool listed)
{
	const uint32_t k[3] = { src, psrc, listed };
	return hash_bytes(k, sizeof k);
}

static uint64_t pgrp_hash(const void *arr, uint32_t i)
{
	const struct pgrp *g = &((const struct pgrp *)arr)[i];
	return pgrp_hash3(g->src, g->psrc, g->listed);
}

static bool pgrp_eq(const void *arr, uint32_t i, const void *key)
{
	const struct pgrp *g = &((const struct pgrp *)arr)[i], *k = key;
	return g->src == k->src && g->psrc == k->psrc && g->listed == k->listed;
}

/* pent_count - an IPv6 attempt in its group */
static void pent_count(struct scan *s, uint32_t src, uint32_t psrc, bool listed, int64_t first)
{
	const struct pgrp key = { src, psrc, listed, 0, INT64_MAX, INT64_MIN };
	uint32_t *slot = itab_slot(&s->pgix, s->npg, pgrp_hash3(src, psrc, listed), s->pg, &key,
				   pgrp_eq, pgrp_hash);
	if (!*slot) {
		if (s->npg >= UINT32_MAX - 1)
			BUG("report: IPv6 groups full");
		GROW(s->pg, s->npg + 1, s->cappg);
		s->pg[s->npg] = key;
		*slot = (uint32_t)++s->npg;
	}
	struct pgrp *e = &s->pg[*slot - 1];
	e->n++;
	if (first < e->first)
		e->first = first;
	if (first > e->last)
		e->last = first;
}

/* scan_day - the counts of a day */
static struct dayc *scan_day(struct scan *s, int64_t day)
{
	if (s->ndays && s->days[s->lastday].day == day)
		return &s->days[s->lastday];    /* the attempts come in time order */
	const uint32_t k[5] = { K_DAY, (uint32_t)((uint64_t)day >> 32), (uint32_t)day, 0, 0 };
	bool added;
	struct kent *x = kmap_at(&s->seen, k, (uint32_t)s->ndays, &added);
	if (added) {
		GROW(s->days, s->ndays + 1, s->capdays);
		memset(&s->days[s->ndays], 0, sizeof *s->days);
		s->days[s->ndays++].day = day;
	}
	s->lastday = x->v;
	return &s->days[x->v];
}

/* scan_asn - the counts of an ASN (by value id) */
static struct asacc *scan_asn(struct scan *s, uint32_t asn)
{
	if (asn >= s->nas) {
		GROW(s->as, (size_t)asn + 1, s->capas);
		memset(s->as + s->nas, 0, ((size_t)asn + 1 - s->nas) * sizeof *s->as);
		s->nas = (size_t)asn + 1;
	}
	return &s->as[asn];
}

/* count - one counted attempt in every table */
static void count(struct scan *s, uint32_t src, const struct hrow *hr, int fam,
		  int64_t first, int64_t syns, int aos)
{
	const struct hprof *hp = &s->prof[hr->prof];
	const struct hkey *h = &hp->key;
	bool v6 = fam == 6, assoc = hp->assoc;
	struct srcrec *m = &s->sr[src];
	bool fresh = !m->counted;
	if (fresh) {
		m->counted = (uint32_t)(hr - s->h) + 1;
		m->fam = (int8_t)fam;
	}
	const struct hprof *fp = &s->prof[s->h[m->counted - 1].prof];
	const struct hkey *f = &fp->key;
#define NEW(same, ...) (fresh || (!(same) && kmap_new(&s->seen, __VA_ARGS__)))

	if (!s->first || first < s->first)
		s->first = first;
	if (first > s->last)
		s->last = first;

	/* families and labels */
	int k = fam == 4 ? hp->k4 : hp->k6;
	s->att[k]++;
	s->fa[v6]++;
	s->fs[v6] += syns;
	if (NEW(m->fam == fam && f->lab == h->lab, K_LABEL, (uint32_t)fam, h->lab, src, 0)) {
		s->hosts[k]++;
		s->fh[v6]++;
	}

	/* IPv6 by OS and by address type */
	if (v6) {
		if (NEW(f->hos == h->hos && fp->assoc == assoc, K_OS, h->hos, assoc, src, 0))
			s->osh[hp->os][!assoc]++;
		s->osa[aos][!assoc]++;
		if (NEW(f->at == h->at && f->iid == h->iid && f->emb == h->emb && fp->assoc == assoc,
			K_KIND | (uint32_t)assoc << 8, h->at, h->iid, h->emb, src))
			s->kh[hp->kind][!assoc]++;
		s->ka[hp->kind][!assoc]++;
	}

	/* weekly */
	struct dayc *d = scan_day(s, first / NS_PER_DAY);
	d->n[fam == 4 ? (h->listed ? 0 : 1) : (assoc ? 2 : 3)]++;

	/* SYNs per attempt */
	int sy = syns < 1 ? 1 : syns > 5 ? 5 : (int)syns;
	s->syn[v6][aos][sy - 1]++;

	/* ASNs */
	struct asacc *a = scan_asn(s, h->asn);
	if (h->asn)
		s->any_asn = true;
	if (h->name && h->name != a->name &&
	    (!a->name || strcmp(vtext(s, h->name), vtext(s, a->name)) > 0))
		a->name = h->name;
	bool same_asn = f->asn == h->asn && m->fam == fam;
	bool hnew = NEW(same_asn, K_ASN, h->asn, (uint32_t)fam, src, 0);
	if (v6) {
		a->h6 += hnew;
		a->a6++;
		a->a6assoc += assoc;
	} else {
		a->h4 += hnew;
		a->a4++;
		if (h->listed == 1 &&
		    NEW(same_asn && f->listed == 1, K_ASNLISTED, h->asn, (uint32_t)fam, src, 0))
			a->h4listed++;
	}
#undef NEW
}

/* the attempts query's columns */
enum { A_SENSOR, A_ID, A_FAMILY, A_SRC, A_DST, A_FIRST, A_SYNS, A_OS, A_PARTNER, A_COUNT };

/* att_row - store_scan callback: one attempt */
static int att_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct scan *s = arg;
	progress_read_row(&s->read);
	const struct report_filter *f = s->f;
	if (n < A_COUNT || !v[A_SENSOR] || !v[A_ID])
		return -1;
	uint32_t sensor = sensor_id(s, v[A_SENSOR]);
	uint32_t src = src_id(s, v[A_SRC]);
	int fam = (int)num(v[A_FAMILY]);
	int64_t first = num(v[A_FIRST]);
	struct hrow *h = host_find(s, sensor, src);
	struct aref *r = aref_at(s, sensor, num(v[A_ID]), true);
	r->src = src + 1;
	r->host = h ? (unsigned)(h - s->h) + 1 : 0;
	r->os = (unsigned)vos(s, v[A_OS]);
	r->counted = h && s->prof[h->prof].pass && (!f->from_ns || first >= f->from_ns) &&
		     (!f->to_ns || first < f->to_ns) &&
		     (!f->sensor_addr || (v[A_DST] && !strcmp(v[A_DST], f->sensor_addr))) &&
		     (f->family != 4 && f->family != 6 ? true : fam == f->family);
	if (!r->counted)
		return 0;
	s->counted++;
	count(s, src, h, fam, first, num(v[A_SYNS]), r->os);
	return 0;
}

/* counted_at - the record of a counted attempt by its sensor and id
 * columns, NULL when it was not counted (or is not in the store) */
static const struct aref *counted_at(struct scan *s, const char *sensor, const char *id,
				     uint32_t *sensor_out)
{
	*sensor_out = sensor_id(s, sensor);
	const struct aref *a = aref_at(s, *sensor_out, num(id), false);
	return a && a->counted ? a : NULL;
}

/* the partners query's columns */
enum { Q_SENSOR, Q_ID, Q_FIRST, Q_PARTNER, Q_COUNT };

/* partner_row - store_scan callback: a counted IPv6 attempt in its
 * group, with its partner's source and the partner's host as a left join
 * would have them (no partner attempt: no counterpart) */
static int partner_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct scan *s = arg;
	progress_read_row(&s->read);
	if (n < Q_COUNT || !v[Q_SENSOR] || !v[Q_ID])
		return -1;
	uint32_t sensor;
	const struct aref *a = counted_at(s, v[Q_SENSOR], v[Q_ID], &sensor);
	if (!a)
		return 0;
	const struct aref *p = v[Q_PARTNER] ? aref_at(s, sensor, num(v[Q_PARTNER]), false) : NULL;
	if (!p || !p->src)
		pent_count(s, a->src - 1, 0, false, num(v[Q_FIRST]));
	else
		pent_count(s, a->src - 1, p->src, p->host && s->prof[s->h[p->host - 1].prof].key.listed,
			   num(v[Q_FIRST]));
	return 0;
}

/* the candidates query's columns */
enum { P_SENSOR, P_A6, P_PORT, P_GAP, P_BEFORE, P_COUNT };

/* pair_row - store_scan callback: bin one associated pair of a counted attempt */
static int pair_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct scan *s = arg;
	progress_read_row(&s->read);
	if (n < P_COUNT || !v[P_SENSOR] || !v[P_A6])
		return -1;
	uint32_t sensor;
	const struct aref *r = counted_at(s, v[P_SENSOR], v[P_A6], &sensor);
	if (!r)
		return 0;
	struct pairs *p = &s->pairs;
	int64_t port = num(v[P_PORT]), gap = num(v[P_GAP]);
	if (v[P_PORT]) {
		p->port[report_port_bucket(port)][r->os]++;
		if (port < 0)
			p->neg[r->os]++;
	}
	if (v[P_GAP])
		p->gap[report_gap_bucket(gap)][num(v[P_BEFORE]) != 0]++;
	return 0;
}

/* scan_read - one query of scan_run (sql: "%s" where the sensor filter
 * goes), logged with its time at debug level (report -v) */
static int scan_read(struct scan *s, struct store *st, const char *what, const char *fmt,
		     const char *and_or_where, store_row_fn fn)
{
	const char *p[1] = { s->f->sensor };
	char *sql = xasprintf(fmt, s->f->sensor ? and_or_where : "");
	snprintf(s->reading, sizeof s->reading, "report: reading the %s", what);
	progress_read_start(&s->read, s->reading);
	int rc = store_scan(st, sql, p, s->f->sensor ? 1 : 0, fn, s);
	free(sql);
	debug("report: %s: %zu rows, %.3f s", what, s->read.rows, progress_read_secs(&s->read));
	return rc ? -1 : 0;
}

/* scan_run - read the hosts, the attempts and the associated candidates */
static int scan_run(struct scan *s, struct store *st, const struct report_filter *f)
{
	s->f = f;
	if (scan_read(s, st, "hosts", "SELECT sensor, addr, label, os_family, addr_type,"
		      " iid_class, emb_kind, listed, asn, as_name FROM hosts%s",
		      " WHERE sensor = ?", host_row) ||
	    scan_read(s, st, "attempts", "SELECT sensor, id, family, src, dst, first_ns, syns,"
		      " os_family, partner FROM attempts%s", " WHERE sensor = ?", att_row))
		return -1;
	debug("report: %zu attempts counted, %zu sources, %zu distinct host groups", s->counted,
	      s->nsr, s->nprof);
	/* the IPv6 attempts again, now that their partners are known: a
	 * second pass is cheaper than keeping them (10M SYNs: ~1 s, 60 MB) */
	if (scan_read(s, st, "IPv6 attempts and partners", "SELECT sensor, id, first_ns, partner"
		      " FROM attempts WHERE family = 6%s", " AND sensor = ?", partner_row) ||
	    scan_read(s, st, "associated candidates", "SELECT sensor, a6, port_dist, gap_ns,"
		      " before FROM candidates WHERE decision = 'associated'%s", " AND sensor = ?",
		      pair_row))
		return -1;
	debug("report: %zu IPv6 /128 x counterpart groups", s->npg);
	return 0;
}

/* scan_release - free what only the reading needed (the tables need the
 * counts, the value and source pools and the IPv6 groups) */
static void scan_release(struct scan *s)
{
	itab_free(&s->srcix);       /* the addresses stay (build_prefixes) */
	free(s->h);
	s->h = NULL;
	s->nh = s->caph = 0;
	free(s->prof);
	s->prof = NULL;
	s->nprof = s->capprof = 0;
	itab_free(&s->profix);
	itab_free(&s->pgix);
	for (size_t i = 0; i < s->nsens; i++)
		free(s->sens[i].a);
	free(s->sens);
	s->sens = NULL;
	s->nsens = s->capsens = 0;
	free(s->far);
	s->far = NULL;
	s->nfar = s->capfar = 0;
	free(s->seen.e);
	memset(&s->seen, 0, sizeof s->seen);
}

/* scan_free - free what the scan holds */
static void scan_free(struct scan *s)
{
	strpool_free(&s->val);
	free(s->sr);
	itab_free(&s->srcix);
	free(s->h);
	free(s->prof);
	itab_free(&s->profix);
	itab_free(&s->pgix);
	for (size_t i = 0; i < s->nsens; i++)
		free(s->sens[i].a);
	free(s->sens);
	free(s->far);
	free(s->seen.e);
	free(s->days);
	free(s->as);
	free(s->pg);
	memset(s, 0, sizeof *s);
}

/* add_table - append a table to the report */
static void add_table(struct report *r, struct rep_table *t)
{
	if (r->ntables >= sizeof r->tables / sizeof *r->tables)
		BUG("too many report tables");
	r->tables[r->ntables++] = t;
}

/* say - append a summary sentence (takes ownership) */
static void say(struct report *r, char *s)
{
	if (r->nsummary >= sizeof r->summary / sizeof *r->summary)
		BUG("too many summary lines");
	r->summary[r->nsummary++] = s;
}

/* pct - 100 * a / b, 0 when b is 0 */
static double pct(int64_t a, int64_t b)
{
	return b > 0 ? 100.0 * (double)a / (double)b : 0.0;
}

/* --- overview: families and labels --- */

/* build_overview - the families and labels tables and the summary sentences */
static void build_overview(struct report *r, const struct scan *s)
{
	const int64_t *hosts = s->hosts, *att = s->att, *fh = s->fh, *fa = s->fa, *fs = s->fs;
	r->first_ns = s->first;
	r->last_ns = s->last;

	struct rep_table *t = rep_table_new("families", "Attempts by address family");
	int c_fam = rep_col_add(t, "family", "Family", REP_STR);
	int c_h = rep_col_add(t, "hosts", "Hosts", REP_INT);
	int c_a = rep_col_add(t, "attempts", "Attempts", REP_INT);
	int c_ap = rep_col_add(t, "attempts_pct", "% attempts", REP_PCT);
	int c_s = rep_col_add(t, "syns", "SYNs", REP_INT);
	int c_apr = rep_col_add(t, "attempts_per_host", "Att./host", REP_NUM);
	for (int fam = 0; fam < 3; fam++) {
		size_t row = rep_row_add(t);
		int64_t h = fam < 2 ? fh[fam] : fh[0] + fh[1];
		int64_t a = fam < 2 ? fa[fam] : fa[0] + fa[1];
		int64_t sy = fam < 2 ? fs[fam] : fs[0] + fs[1];
		rep_set_str(t, row, c_fam, fam == 0 ? "IPv4" : fam == 1 ? "IPv6" : "Total");
		rep_set_int(t, row, c_h, h);
		rep_set_int(t, row, c_a, a);
		rep_set_pct(t, row, c_ap, a, fa[0] + fa[1]);
		rep_set_int(t, row, c_s, sy);
		if (h)
			rep_set_num(t, row, c_apr, (double)a / (double)h);
	}
	t->total_row = true;
	t->chart = REP_CHART_BARS;
	t->chart_title = "Hosts and attempts per family";
	t->ny = 2;
	t->ycols[0] = c_h;
	t->ycols[1] = c_a;
	add_table(r, t);

	t = rep_table_new("labels", "Hosts and attempts by label");
	t->note = xstrdup("IPv4: spammer = rejected by a DNSBL in the production MTA logs. "
			  "IPv6: associated = tied to a listed IPv4 spammer; associated-unlisted = "
			  "tied to an IPv4 address that no DNSBL rejection names; unassociated = "
			  "no IPv4 counterpart. Percentages are of the family.");
	int l_fam = rep_col_add(t, "family", "Family", REP_STR);
	int l_lab = rep_col_add(t, "label", "Label", REP_STR);
	int l_h = rep_col_add(t, "hosts", "Hosts", REP_INT);
	int l_hp = rep_col_add(t, "hosts_pct", "% hosts", REP_PCT);
	int l_a = rep_col_add(t, "attempts", "Attempts", REP_INT);
	int l_ap = rep_col_add(t, "attempts_pct", "% attempts", REP_PCT);
	for (int k = 0; k < 7; k++) {
		if (k >= 5 && !hosts[k])
			continue;
		int fam = (k < 2 || k == 5) ? 4 : 6;
		size_t row = rep_row_add(t);
		rep_set_str(t, row, l_fam, fam == 4 ? "IPv4" : "IPv6");
		rep_set_str(t, row, l_lab, k < 2 ? v4_labels[k] : k < 5 ? v6_labels[k - 2] : "other");
		rep_set_int(t, row, l_h, hosts[k]);
		rep_set_pct(t, row, l_hp, hosts[k], fh[fam == 6]);
		rep_set_int(t, row, l_a, att[k]);
		rep_set_pct(t, row, l_ap, att[k], fa[fam == 6]);
	}
	t->chart = REP_CHART_BARS;
	t->chart_title = "Hosts and attempts per label";
	t->xcol = l_lab;
	t->ny = 2;
	t->ycols[0] = l_h;
	t->ycols[1] = l_a;
	add_table(r, t);

	/* the plain-language summary */
	char a[40], b[40];
	if (r->first_ns)
		say(r, xasprintf("From %s to %s the sensor saw %" PRId64 " connect() attempts "
				 "(%" PRId64 " SYNs) from %" PRId64 " hosts.",
				 out_time_iso(r->first_ns, 0, a), out_time_iso(r->last_ns, 0, b),
				 fa[0] + fa[1], fs[0] + fs[1], fh[0] + fh[1]));
	else
		say(r, xasprintf("The store holds no attempts that match the filters."));
	if (fa[0] && fa[1])
		say(r, xasprintf("IPv6 brought %" PRId64 " attempts from %" PRId64 " hosts, IPv4 %"
				 PRId64 " from %" PRId64 ": %.1f%% of the attempts came over IPv6, "
				 "%.2f IPv4 attempts for each IPv6 attempt.",
				 fa[1], fh[1], fa[0], fh[0], pct(fa[1], fa[0] + fa[1]),
				 (double)fa[0] / (double)fa[1]));
	else if (fa[0] || fa[1])
		say(r, xasprintf("Only IPv%d attempts were counted (%" PRId64 " from %" PRId64 " hosts).",
				 fa[0] ? 4 : 6, fa[0] ? fa[0] : fa[1], fa[0] ? fh[0] : fh[1]));
	if (fh[0])
		say(r, xasprintf("%" PRId64 " of the %" PRId64 " IPv4 hosts (%.1f%%) are known spammers "
				 "(DNSBL rejections in the MTA logs); they made %.1f%% of the IPv4 attempts.",
				 hosts[0], fh[0], pct(hosts[0], fh[0]), pct(att[0], fa[0])));
	if (fh[1])
		say(r, xasprintf("Of the IPv6 hosts, %.1f%% are tied to a known IPv4 spammer "
				 "(associated; %.1f%% of the IPv6 attempts), %.1f%% to an unlisted IPv4 "
				 "address (associated-unlisted, %.1f%%) and %.1f%% to no IPv4 address "
				 "(unassociated, %.1f%%).",
				 pct(hosts[2], fh[1]), pct(att[2], fa[1]), pct(hosts[3], fh[1]),
				 pct(att[3], fa[1]), pct(hosts[4], fh[1]), pct(att[4], fa[1])));
}

/* --- IPv6 hosts and attempts by OS and by address type --- */

/* assoc_cols - the six count and six percentage columns of a split table */
struct split_cols {
	int h[3], hp[3], a[3], ap[3];
};

/* split_columns - the associated / unassociated / total columns, hosts then attempts */
static void split_columns(struct rep_table *t, struct split_cols *c)
{
	static const char *const hk[3] = { "hosts_associated", "hosts_unassociated", "hosts_total" };
	static const char *const ak[3] = { "attempts_associated", "attempts_unassociated", "attempts_total" };
	static const char *const hpk[3] = { "hosts_associated_pct", "hosts_unassociated_pct", "hosts_total_pct" };
	static const char *const apk[3] = { "attempts_associated_pct", "attempts_unassociated_pct", "attempts_total_pct" };
	static const char *const ti[3] = { "assoc", "unassoc", "total" };
	for (int i = 0; i < 3; i++) {
		c->h[i] = rep_col_add(t, hk[i], ti[i], REP_INT);
		c->hp[i] = rep_col_add(t, hpk[i], "%", REP_PCT);
		rep_col_group(t, c->h[i], "Hosts");
		rep_col_group(t, c->hp[i], "Hosts");
	}
	for (int i = 0; i < 3; i++) {
		c->a[i] = rep_col_add(t, ak[i], ti[i], REP_INT);
		c->ap[i] = rep_col_add(t, apk[i], "%", REP_PCT);
		rep_col_group(t, c->a[i], "Attempts");
		rep_col_group(t, c->ap[i], "Attempts");
	}
}

/* split_fill - rows of (name, hosts[2], attempts[2]) plus a total row;
 * index 0 associated, 1 unassociated; percentages of the grand totals */
static void split_fill(struct rep_table *t, const struct split_cols *c, int n,
		       const char *const *names, const int64_t (*h)[2], const int64_t (*a)[2],
		       bool skip_empty)
{
	int64_t th[3] = { 0 }, ta[3] = { 0 };
	for (int i = 0; i < n; i++)
		for (int j = 0; j < 2; j++) {
			th[j] += h[i][j];
			ta[j] += a[i][j];
		}
	th[2] = th[0] + th[1];
	ta[2] = ta[0] + ta[1];
	for (int i = 0; i <= n; i++) {
		int64_t rh[3], ra[3];
		if (i < n) {
			rh[0] = h[i][0];
			rh[1] = h[i][1];
			ra[0] = a[i][0];
			ra[1] = a[i][1];
			rh[2] = rh[0] + rh[1];
			ra[2] = ra[0] + ra[1];
			if (skip_empty && !rh[2] && !ra[2])
				continue;
		} else {
			memcpy(rh, th, sizeof rh);
			memcpy(ra, ta, sizeof ra);
		}
		size_t row = rep_row_add(t);
		rep_set_str(t, row, 0, i < n ? names[i] : "Total");
		for (int j = 0; j < 3; j++) {
			rep_set_int(t, row, c->h[j], rh[j]);
			rep_set_pct(t, row, c->hp[j], rh[j], th[2]);
			rep_set_int(t, row, c->a[j], ra[j]);
			rep_set_pct(t, row, c->ap[j], ra[j], ta[2]);
		}
	}
	t->total_row = true;
}

static const char split_note[] =
	"Associated: tied to a listed IPv4 spammer; unassociated: every other IPv6 "
	"host (no IPv4 counterpart, or one that no DNSBL lists). Percentages are "
	"of all IPv6 hosts / attempts counted.";

/* build_os - IPv6 hosts and attempts by OS family x associated */
static void build_os(struct report *r, const struct scan *s)
{
	struct rep_table *t = rep_table_new("os", "IPv6 spammer OSes");
	rep_col_add(t, "os", "OS", REP_STR);
	struct split_cols c;
	split_columns(t, &c);
	split_fill(t, &c, NOS, os_rows, s->osh, s->osa, false);
	t->note = xasprintf("%s Hosts by the most frequent p0f fingerprint of their attempts, "
			    "attempts by their own; Unknown = no fingerprint.", split_note);
	t->chart = REP_CHART_BARS;
	t->chart_title = "IPv6 hosts by OS family";
	t->ny = 2;
	t->ycols[0] = c.h[0];
	t->ycols[1] = c.h[1];
	add_table(r, t);
}

/* build_addr_type - IPv6 hosts and attempts by address type x associated */
static void build_addr_type(struct report *r, const struct scan *s)
{
	const int64_t (*h)[2] = s->kh, (*a)[2] = s->ka;
	/* the first four rows always show; transition mechanisms when present */
	const char *names[NKIND];
	int64_t hh[NKIND][2], aa[NKIND][2];
	int n = 0;
	for (int j = 0; j < NKIND; j++) {
		if (j >= 4 && !h[j][0] && !h[j][1] && !a[j][0] && !a[j][1])
			continue;
		names[n] = kind_rows[j];
		memcpy(hh[n], h[j], sizeof hh[n]);
		memcpy(aa[n], a[j], sizeof aa[n]);
		n++;
	}
	struct rep_table *t = rep_table_new("addr_type", "IPv6 address types");
	rep_col_add(t, "addr_type", "Type", REP_STR);
	struct split_cols c;
	split_columns(t, &c);
	split_fill(t, &c, n, names, hh, aa, false);
	t->note = xasprintf("%s 6to4: 2002::/16. Among the other addresses: EUI-64 = "
			    "interface ID derived from a MAC (ff:fe); embedded IPv4 = an IPv4 "
			    "address in the interface ID; other = randomized, low-byte and the "
			    "rest. Teredo, ISATAP and NAT64 rows appear when present.", split_note);
	t->chart = REP_CHART_BARS;
	t->chart_title = "IPv6 hosts by address type";
	t->ny = 2;
	t->ycols[0] = c.h[0];
	t->ycols[1] = c.h[1];
	add_table(r, t);
}

/* --- weekly attempts --- */

/* build_weekly - attempts per ISO week and series, gaps filled with zeros */
static void build_weekly(struct report *r, const struct scan *s)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < s->ndays; i++) {
		int y, w;
		int64_t m = report_iso_week(s->days[i].day, &y, &w);
		if (m < lo)
			lo = m;
		if (m > hi)
			hi = m;
	}
	struct rep_table *t = rep_table_new("weekly", "Weekly connect() attempts");
	int c_w = rep_col_add(t, "week", "ISO week", REP_STR);
	int c_d = rep_col_add(t, "week_start", "Monday", REP_STR);
	int c4s = rep_col_add(t, "ipv4_spammer", "IPv4 spammer", REP_INT);
	int c4u = rep_col_add(t, "ipv4_unlisted", "IPv4 unlisted", REP_INT);
	int c6a = rep_col_add(t, "ipv6_associated", "IPv6 assoc.", REP_INT);
	int c6u = rep_col_add(t, "ipv6_unassociated", "IPv6 unassoc.", REP_INT);
	int c4 = rep_col_add(t, "ipv4_total", "IPv4", REP_INT);
	int c6 = rep_col_add(t, "ipv6_total", "IPv6", REP_INT);
	int cr = rep_col_add(t, "ratio_ipv4_ipv6", "v4/v6", REP_NUM);
	size_t nweeks = s->ndays ? (size_t)((hi - lo) / 7 + 1) : 0;
	if (nweeks > 100000)
		nweeks = 100000;        /* a damaged store: keep the table bounded */
	int64_t (*cnt)[4] = xcalloc(nweeks ? nweeks : 1, sizeof *cnt);
	for (size_t i = 0; i < s->ndays; i++) {
		int y, w;
		int64_t m = report_iso_week(s->days[i].day, &y, &w);
		size_t k = (size_t)((m - lo) / 7);
		if (k >= nweeks)
			continue;
		for (int j = 0; j < 4; j++)
			cnt[k][j] += s->days[i].n[j];
	}
	for (size_t k = 0; k < nweeks; k++) {
		int y, w;
		int64_t m = report_iso_week(lo + 7 * (int64_t)k, &y, &w);
		char buf[40];
		size_t row = rep_row_add(t);
		snprintf(buf, sizeof buf, "%04d-W%02d", y, w);
		rep_set_str(t, row, c_w, buf);
		out_time_iso(m * NS_PER_DAY, 0, buf);
		buf[10] = 0;
		rep_set_str(t, row, c_d, buf);
		rep_set_int(t, row, c4s, cnt[k][0]);
		rep_set_int(t, row, c4u, cnt[k][1]);
		rep_set_int(t, row, c6a, cnt[k][2]);
		rep_set_int(t, row, c6u, cnt[k][3]);
		rep_set_int(t, row, c4, cnt[k][0] + cnt[k][1]);
		rep_set_int(t, row, c6, cnt[k][2] + cnt[k][3]);
		if (cnt[k][2] + cnt[k][3])
			rep_set_num(t, row, cr, (double)(cnt[k][0] + cnt[k][1]) /
					       (double)(cnt[k][2] + cnt[k][3]));
	}
	free(cnt);
	t->note = xstrdup("Attempts per ISO 8601 week (Monday to Sunday, UTC; week 1 holds the "
			  "year's first Thursday) of their first SYN. Weeks without attempts "
			  "between the first and the last are listed with zeros; the first and "
			  "last week may be partial. v4/v6 = all IPv4 / all IPv6 attempts.");
	t->chart = REP_CHART_LINES_LOG;
	t->chart_title = "Weekly connect() attempts (log scale)";
	t->y_title = "attempts";
	t->ny = 3;
	t->ycols[0] = c4s;
	t->ycols[1] = c6a;
	t->ycols[2] = c6u;
	t->y2col = cr;
	t->y2_title = "IPv4 attempts per IPv6 attempt";
	add_table(r, t);
}

/* --- SYNs per attempt --- */

/* build_syns - SYNs per attempt by family and OS family */
static void build_syns(struct report *r, const struct scan *s)
{
	const int64_t (*n)[NOS][5] = s->syn;
	struct rep_table *t = rep_table_new("syns", "SYNs per attempt by OS");
	int c_f = rep_col_add(t, "family", "Family", REP_STR);
	int c_o = rep_col_add(t, "os", "OS", REP_STR);
	static const char *const sk[5] = { "syns_1", "syns_2", "syns_3", "syns_4", "syns_5_plus" };
	static const char *const stt[5] = { "1 SYN", "2", "3", "4", "5+" };
	int cs[5];
	for (int i = 0; i < 5; i++)
		cs[i] = rep_col_add(t, sk[i], stt[i], REP_INT);
	int c_t = rep_col_add(t, "attempts", "Attempts", REP_INT);
	int c_3 = rep_col_add(t, "three_pct", "% 3 SYNs", REP_PCT);
	int c_m = rep_col_add(t, "mean", "Mean", REP_NUM);
	for (int f = 0; f < 2; f++)
		for (int o = 0; o < NOS; o++) {
			int64_t tot = 0, sum = 0;
			for (int i = 0; i < 5; i++) {
				tot += n[f][o][i];
				sum += (i + 1) * n[f][o][i];
			}
			if (!tot)
				continue;
			size_t row = rep_row_add(t);
			rep_set_str(t, row, c_f, f ? "IPv6" : "IPv4");
			rep_set_str(t, row, c_o, os_rows[o]);
			for (int i = 0; i < 5; i++)
				rep_set_int(t, row, cs[i], n[f][o][i]);
			rep_set_int(t, row, c_t, tot);
			rep_set_pct(t, row, c_3, n[f][o][2], tot);
			rep_set_num(t, row, c_m, (double)sum / (double)tot);
		}
	t->note = xstrdup("Windows XP/7 send 3 SYNs per attempt after a RST (retries at about "
			  "0.5 s and 1.5 s), Linux and macOS 1. The mean counts 5+ as 5.");
	t->chart = REP_CHART_HIST;
	t->chart_title = "Attempts by SYNs per attempt";
	t->xcol = c_f;
	t->xjoin = true;
	t->ny = 5;
	for (int i = 0; i < 5; i++)
		t->ycols[i] = cs[i];
	add_table(r, t);
}

/* --- associated pairs: port distance and time gap --- */

/* build_pairs - port-distance and gap histograms of the associated pairs */
static void build_pairs(struct report *r, const struct scan *s)
{
	const struct pairs *p = &s->pairs;
	/* port distance: bins x OS families that occur */
	struct rep_table *t = rep_table_new("port_distance",
					    "TCP source-port distance of associated pairs");
	int c_b = rep_col_add(t, "distance", "|Distance|", REP_STR);
	int cos[NOS], used[NOS], nused = 0;
	static const char *const ok[NOS] = {
		"windows", "linux", "mac_os_x", "bsd", "other", "unknown",
	};
	for (int o = 0; o < NOS; o++) {
		int64_t n = 0;
		for (int b = 0; b < REPORT_PORT_BUCKETS; b++)
			n += p->port[b][o];
		cos[o] = rep_col_add(t, ok[o], os_rows[o], REP_INT);
		if (n)
			used[nused++] = o;
	}
	int c_t = rep_col_add(t, "pairs", "Pairs", REP_INT);
	int c_p = rep_col_add(t, "pairs_pct", "%", REP_PCT);
	int64_t total = 0;
	int hib = 0;
	for (int b = 0; b < REPORT_PORT_BUCKETS; b++)
		for (int o = 0; o < NOS; o++)
			if (p->port[b][o]) {
				total += p->port[b][o];
				hib = b;
			}
	for (int b = 0; b <= hib && total; b++) {
		size_t row = rep_row_add(t);
		char name[32];
		rep_set_str(t, row, c_b, report_port_bucket_name(b, name, sizeof name));
		int64_t n = 0;
		for (int o = 0; o < NOS; o++) {
			rep_set_int(t, row, cos[o], p->port[b][o]);
			n += p->port[b][o];
		}
		rep_set_int(t, row, c_t, n);
		rep_set_pct(t, row, c_p, n, total);
	}
	int64_t neg = 0;
	for (int o = 0; o < NOS; o++)
		neg += p->neg[o];
	t->note = xasprintf("Source port of the later attempt minus that of the earlier one, "
			    "binned by its absolute value (%" PRId64 " of %" PRId64 " distances are "
			    "negative), by the OS family of the IPv6 attempt. Windows draws both "
			    "families' ports from one sequential pool, so its pairs sit at small "
			    "distances; Linux draws them independently.", neg, total);
	t->chart = REP_CHART_HIST;
	t->chart_title = "Port distance of associated pairs";
	t->y_title = "pairs";
	t->ny = nused;
	for (int i = 0; i < nused && i < 8; i++)
		t->ycols[i] = cos[used[i]];
	add_table(r, t);

	t = rep_table_new("gap", "Time from one attempt to its counterpart");
	int g_b = rep_col_add(t, "gap", "Gap", REP_STR);
	int g_6 = rep_col_add(t, "ipv6_first", "IPv6 first", REP_INT);
	int g_4 = rep_col_add(t, "ipv4_first", "IPv4 first", REP_INT);
	int g_t = rep_col_add(t, "pairs", "Pairs", REP_INT);
	int g_p = rep_col_add(t, "pairs_pct", "%", REP_PCT);
	int64_t gt = 0;
	for (int b = 0; b < REPORT_GAP_BUCKETS; b++)
		gt += p->gap[b][0] + p->gap[b][1];
	for (int b = 0; b < REPORT_GAP_BUCKETS && gt; b++) {
		size_t row = rep_row_add(t);
		rep_set_str(t, row, g_b, report_gap_bucket_names[b]);
		rep_set_int(t, row, g_6, p->gap[b][0]);
		rep_set_int(t, row, g_4, p->gap[b][1]);
		rep_set_int(t, row, g_t, p->gap[b][0] + p->gap[b][1]);
		rep_set_pct(t, row, g_p, p->gap[b][0] + p->gap[b][1], gt);
	}
	t->note = xstrdup("From the last SYN of the first attempt to the first SYN of the "
			  "other family's attempt. Native IPv6 goes first (RFC 6724); 6to4 "
			  "clients try IPv4 first. Overlap: the second attempt began before the "
			  "first one's last SYN.");
	t->chart = REP_CHART_HIST;
	t->chart_title = "Gap between associated attempts";
	t->y_title = "pairs";
	t->ny = 2;
	t->ycols[0] = g_6;
	t->ycols[1] = g_4;
	add_table(r, t);
}

/* --- top sources: ASNs --- */

struct asrow {
	const char *asn, *name;
	int64_t h6, a6, a6assoc, h4, a4, h4listed;
};

/* as_cmp - ASNs by IPv6 attempts, then IPv4 attempts, then number */
static int as_cmp(const void *x, const void *y)
{
	const struct asrow *a = x, *b = y;
	if (a->a6 != b->a6)
		return a->a6 < b->a6 ? 1 : -1;
	if (a->a4 != b->a4)
		return a->a4 < b->a4 ? 1 : -1;
	return strcmp(a->asn ? a->asn : "", b->asn ? b->asn : "");
}

/* build_asn - the top ASNs */
static void build_asn(struct report *r, const struct scan *s, unsigned top)
{
	struct asrow *as = xcalloc(s->nas ? s->nas : 1, sizeof *as);
	size_t n = 0;
	bool any = s->any_asn;
	for (size_t i = 0; i < s->nas; i++) {
		const struct asacc *a = &s->as[i];
		if (!a->a4 && !a->a6)
			continue;       /* a value id that is not an ASN */
		as[n] = (struct asrow){
			.asn = i ? strpool_get(&s->val, (uint32_t)i - 1) : NULL,
			.name = vtext(s, a->name), .h6 = a->h6, .a6 = a->a6, .a6assoc = a->a6assoc,
			.h4 = a->h4, .a4 = a->a4, .h4listed = a->h4listed,
		};
		n++;
	}
	qsort(as, n, sizeof *as, as_cmp);
	struct rep_table *t = rep_table_new("asn", "Top source ASNs");
	int c_asn = rep_col_add(t, "asn", "ASN", REP_STR);
	int c_nm = rep_col_add(t, "as_name", "AS name", REP_STR);
	int c_h6 = rep_col_add(t, "ipv6_hosts", "v6 hosts", REP_INT);
	int c_a6 = rep_col_add(t, "ipv6_attempts", "v6 att.", REP_INT);
	int c_ap = rep_col_add(t, "ipv6_associated_pct", "% assoc", REP_PCT);
	int c_h4 = rep_col_add(t, "ipv4_hosts", "v4 hosts", REP_INT);
	int c_a4 = rep_col_add(t, "ipv4_attempts", "v4 att.", REP_INT);
	int c_lp = rep_col_add(t, "ipv4_listed_pct", "% listed", REP_PCT);
	for (size_t i = 0; i < n && i < top; i++) {
		size_t row = rep_row_add(t);
		char buf[40];
		if (as[i].asn) {
			snprintf(buf, sizeof buf, "AS%s", as[i].asn);
			rep_set_str(t, row, c_asn, buf);
		} else {
			rep_set_str(t, row, c_asn, "unknown");
		}
		if (as[i].name) {
			char nm[25];
			snprintf(nm, sizeof nm, "%s", as[i].name);
			rep_set_str(t, row, c_nm, nm);
		}
		rep_set_int(t, row, c_h6, as[i].h6);
		rep_set_int(t, row, c_a6, as[i].a6);
		rep_set_pct(t, row, c_ap, as[i].a6assoc, as[i].a6);
		rep_set_int(t, row, c_h4, as[i].h4);
		rep_set_int(t, row, c_a4, as[i].a4);
		rep_set_pct(t, row, c_lp, as[i].h4listed, as[i].h4);
	}
	t->note = any ? xstrdup("Ordered by IPv6 attempts. % assoc: IPv6 attempts of hosts tied to "
				"a listed IPv4 spammer; % listed: IPv4 hosts a DNSBL rejected. "
				"'unknown' gathers hosts without ASN data.")
		      : xstrdup("No host has ASN data yet (hosts.asn is empty until the analysis "
				"enriches hosts with an ASN database): all hosts are shown as 'unknown'.");
	add_table(r, t);
	free(as);
}

/* --- top sources: IPv6 /64 and /48 --- */

static int plen_sort;

/* pent_pcmp - order two groups by their prefixes (plen_sort bits, whole
 * bytes) */
static int pent_pcmp(const struct pent *a, const struct pent *b)
{
	return memcmp(a->v6.b, b->v6.b, (size_t)plen_sort / 8);
}

/* pent_cmp_v6 - order by prefix, then IPv6 host */
static int pent_cmp_v6(const void *x, const void *y)
{
	const struct pent *a = x, *b = y;
	int c = pent_pcmp(a, b);
	return c ? c : addr_cmp(&a->v6, &b->v6);
}

/* pent_cmp_v4 - order by prefix, then IPv4 counterpart, listed first: a
 * counterpart that one sensor's MTA logs list and another's do not (each
 * sensor labels its own hosts) counts as listed */
static int pent_cmp_v4(const void *x, const void *y)
{
	const struct pent *a = x, *b = y;
	int c = pent_pcmp(a, b);
	if (!c)
		c = addr_cmp(&a->v4, &b->v4);
	return c ? c : (int)b->listed - (int)a->listed;
}

/* a prefix's counts (88 bytes: a 10M-SYN store has 760k IPv6 groups,
 * and the /64s and /48s are aggregated from them; the misbehaving
 * reason is written only for the rows shown, pagg_reason) */
struct pagg {
	struct prefix p;
	int64_t hosts, attempts, paired, v4, v4listed, first, last;
	bool misb;
};

/* pagg_interval - mean seconds between a prefix's attempts (INFINITY
 * for one) */
static double pagg_interval(const struct pagg *s)
{
	return s->attempts > 1 ? (double)(s->last - s->first) / 1e9 / (double)(s->attempts - 1)
			       : INFINITY;
}

/* pagg_reason - why a prefix is misbehaving, in buf */
static const char *pagg_reason(const struct pagg *s, char *buf, size_t len)
{
	char d[24];
	snprintf(buf, len, "%" PRId64 " attempts over %s, one per %.1f s; %.0f%% without "
		 "an IPv4 counterpart", s->attempts, report_duration(s->last - s->first, d, sizeof d),
		 pagg_interval(s), pct(s->attempts - s->paired, s->attempts));
	return buf;
}

/* pagg_cmp - prefixes by attempts (most first), then address */
static int pagg_cmp(const void *x, const void *y)
{
	const struct pagg *a = x, *b = y;
	if (a->attempts != b->attempts)
		return a->attempts < b->attempts ? 1 : -1;
	return addr_cmp(&a->p.a, &b->p.a);
}

/* aggregate - one pagg per prefix of length len, ordered by attempts */
static struct pagg *aggregate(struct pent *pe, size_t npe, int len, size_t *np,
			      const struct report_filter *f)
{
	if (len % 8)
		BUG("report: a /%d prefix table", len);
	plen_sort = len;
	if (npe)
		qsort(pe, npe, sizeof *pe, pent_cmp_v6);
	size_t n = 0;
	for (size_t i = 0; i < npe; i++)
		n += !i || pent_pcmp(&pe[i - 1], &pe[i]);
	struct pagg *g = xcalloc(n ? n : 1, sizeof *g);
	n = 0;
	for (size_t i = 0; i < npe; i++) {
		const struct pent *e = &pe[i];
		bool fresh = !i || pent_pcmp(&pe[i - 1], e);
		if (fresh) {
			g[n].p = prefix_of(&e->v6, (unsigned)len);
			g[n].first = e->first;
			g[n].last = e->last;
			n++;
		}
		struct pagg *s = &g[n - 1];
		if (fresh || !addr_eq(&pe[i - 1].v6, &e->v6))
			s->hosts++;
		s->attempts += e->n;
		if (e->v4.family)
			s->paired += e->n;
		if (e->first < s->first)
			s->first = e->first;
		if (e->last > s->last)
			s->last = e->last;
	}
	/* distinct IPv4 counterparts per prefix */
	if (npe)
		qsort(pe, npe, sizeof *pe, pent_cmp_v4);
	size_t k = 0;
	for (size_t i = 0; i < npe; i++) {
		const struct pent *e = &pe[i];
		while (k < n && memcmp(g[k].p.a.b, e->v6.b, (size_t)len / 8) < 0)
			k++;
		if (k >= n || !e->v4.family)
			continue;
		if (i && !pent_pcmp(&pe[i - 1], e) && addr_eq(&pe[i - 1].v4, &e->v4))
			continue;
		g[k].v4++;
		g[k].v4listed += e->listed;
	}
	for (size_t i = 0; i < n; i++) {
		struct pagg *s = &g[i];
		s->misb = s->attempts >= (int64_t)f->misb_min_attempts &&
			  pagg_interval(s) <= f->misb_max_interval_s &&
			  pct(s->attempts - s->paired, s->attempts) >= f->misb_min_nov4_pct;
	}
	qsort(g, n, sizeof *g, pagg_cmp);
	*np = n;
	return g;
}

/* prefix_table - a table of the first top prefixes (misbehaving ones only when reason) */
static struct rep_table *prefix_table(const char *key, const char *title,
				      const struct pagg *g, size_t n, size_t top, bool reason)
{
	struct rep_table *t = rep_table_new(key, title);
	int c_p = rep_col_add(t, "prefix", "Prefix", REP_STR);
	int c_h = rep_col_add(t, "hosts", "Hosts", REP_INT);
	int c_a = rep_col_add(t, "attempts", "Attempts", REP_INT);
	int c_s = rep_col_add(t, "span_s", "Span", REP_INT);
	int c_i = rep_col_add(t, "interval_s", "Every s", REP_NUM);
	int c_4 = rep_col_add(t, "ipv4_counterparts", "IPv4", REP_INT);
	int c_l = rep_col_add(t, "ipv4_listed_pct", "% listed", REP_PCT);
	int c_n = rep_col_add(t, "no_ipv4_pct", "% no v4", REP_PCT);
	int c_m = rep_col_add(t, "misbehaving", "Flag", REP_STR);
	int c_r = reason ? rep_col_add(t, "reason", "Reason", REP_STR) : -1;
	for (size_t i = 0, k = 0; i < n && k < top; i++) {
		if (reason && !g[i].misb)
			continue;
		k++;
		char buf[PREFIX_STRLEN];
		size_t row = rep_row_add(t);
		rep_set_str(t, row, c_p, prefix_format(&g[i].p, buf));
		rep_set_int(t, row, c_h, g[i].hosts);
		rep_set_int(t, row, c_a, g[i].attempts);
		rep_set_int(t, row, c_s, (g[i].last - g[i].first) / 1000000000);
		if (g[i].attempts > 1)
			rep_set_num(t, row, c_i, (double)(g[i].last - g[i].first) / 1e9 /
					       (double)(g[i].attempts - 1));
		rep_set_int(t, row, c_4, g[i].v4);
		rep_set_pct(t, row, c_l, g[i].v4listed, g[i].v4);
		rep_set_pct(t, row, c_n, g[i].attempts - g[i].paired, g[i].attempts);
		rep_set_str(t, row, c_m, g[i].misb ? "misbehaving" : "");
		if (reason) {
			char why[160];
			rep_set_str(t, row, c_r, pagg_reason(&g[i], why, sizeof why));
		}
	}
	return t;
}

/* build_prefixes - the top /64 and /48 tables and the misbehaving /64s */
static void build_prefixes(struct report *r, struct scan *s, const struct report_filter *f)
{
	static const char note[] =
		"Span: first to last attempt (seconds); Every s: mean time between attempts; "
		"IPv4: distinct IPv4 counterparts (associated attempts); % listed: of those, "
		"listed by a DNSBL; % no v4: attempts without an IPv4 counterpart.";
	/* the groups parsed (a source that is no IPv6 address: nothing to
	 * aggregate) */
	struct pent *pe = xcalloc(s->npg ? s->npg : 1, sizeof *pe);
	size_t npe = 0;
	for (size_t i = 0; i < s->npg; i++) {
		const struct pgrp *g = &s->pg[i];
		struct pent *e = &pe[npe];
		memset(e, 0, sizeof *e);
		e->v6 = s->sr[g->src].a;
		if (e->v6.family != 6)
			continue;
		if (g->psrc)
			e->v4 = s->sr[g->psrc - 1].a;    /* family 0 when no address */
		e->listed = g->listed;
		e->n = g->n;
		e->first = g->first;
		e->last = g->last;
		npe++;
	}
	free(s->pg);
	s->pg = NULL;
	s->npg = 0;
	free(s->sr);                /* the last reader of the addresses */
	s->sr = NULL;
	s->nsr = s->capsr = 0;
	/* the /64s' tables, then the /48s': one aggregate in memory at a time */
	size_t n;
	struct pagg *g = aggregate(pe, npe, 64, &n, f);
	struct rep_table *t64 = prefix_table("top64", "Top IPv6 /64s by attempts", g, n, f->top, false);
	t64->note = xstrdup(note);
	struct rep_table *tm = prefix_table("misbehaving", "Misbehaving IPv6 /64s", g, n, SIZE_MAX, true);
	tm->note = xasprintf("A /64 is misbehaving with at least %u attempts, one every %.0f s or "
			     "more often on average, and at least %.0f%% of them without an IPv4 "
			     "counterpart: far more attempts than an IPv4 counterpart explains.",
			     f->misb_min_attempts, f->misb_max_interval_s, f->misb_min_nov4_pct);
	free(g);
	g = aggregate(pe, npe, 48, &n, f);
	free(pe);
	struct rep_table *t48 = prefix_table("top48", "Top IPv6 /48s by attempts", g, n, f->top, false);
	t48->note = xstrdup(note);
	free(g);
	add_table(r, t64);
	add_table(r, t48);
	add_table(r, tm);
	size_t nm = tm->nrows;
	if (nm)
		say(r, xasprintf("%zu IPv6 /64%s misbehaved: the worst, %s, %s.", nm,
				 nm == 1 ? "" : "s", rep_cell(tm, 0, 0)->s,
				 rep_cell(tm, 0, tm->ncols - 1)->s));
}

/* --- the store's runs --- */

/* build_meta - the sensor names of the store's runs */
static int build_meta(struct report *r, struct store *st, const struct report_filter *f)
{
	struct rows x = { 0 };
	const char *p[1] = { f->sensor };
	char *sql = xasprintf("SELECT DISTINCT sensor FROM runs WHERE status = 'complete'%s"
			      " ORDER BY sensor", f->sensor ? " AND sensor = ?" : "");
	int rc = store_query(st, sql, p, f->sensor ? 1 : 0, rows_add, &x);
	free(sql);
	if (rc) {
		rows_free(&x);
		return -1;
	}
	size_t len = 1;
	for (size_t i = 0; i < x.n; i++)
		len += strlen(rv(&x, i, 0) ? rv(&x, i, 0) : "") + 2;
	r->sensors = xcalloc(1, len);
	for (size_t i = 0; i < x.n; i++) {
		if (i)
			strcat(r->sensors, ", ");
		strcat(r->sensors, rv(&x, i, 0) ? rv(&x, i, 0) : "");
	}
	rows_free(&x);
	return 0;
}

/* filters_text - the filters in words */
static char *filters_text(const struct report_filter *f)
{
	char buf[512] = "", t[40];
	size_t n = 0;
#define ADD(...) (n += (size_t)snprintf(buf + n, n < sizeof buf ? sizeof buf - n : 0, __VA_ARGS__))
	if (f->from_ns)
		ADD("from %s ", out_time_iso(f->from_ns, 0, t));
	if (f->to_ns)
		ADD("to %s (excl.) ", out_time_iso(f->to_ns, 0, t));
	if (f->sensor)
		ADD("sensor %s ", f->sensor);
	if (f->sensor_addr)
		ADD("sensor address %s ", f->sensor_addr);
	if (f->family)
		ADD("IPv%d only ", f->family);
	if (f->label)
		ADD("label %s ", f->label);
#undef ADD
	n = strlen(buf);
	if (n)
		buf[n - 1] = 0;
	return xstrdup(n ? buf : "none");
}

/* report_build - read the store into a report (report.h) */
struct report *report_build(struct store *st, const struct report_filter *f)
{
	struct report *r = xcalloc(1, sizeof *r);
	char now[40];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->generated = xstrdup(out_time_iso((int64_t)ts.tv_sec * 1000000000, 0, now));
	r->store = xstrdup(store_location(st));
	r->filters = filters_text(f);
	struct scan s = { 0 };
	int rc = build_meta(r, st, f) || scan_run(&s, st, f);
	scan_release(&s);
	if (!rc) {
		build_overview(r, &s);
		build_os(r, &s);
		build_addr_type(r, &s);
		build_weekly(r, &s);
		build_syns(r, &s);
		build_pairs(r, &s);
		build_asn(r, &s, f->top);
		build_prefixes(r, &s, f);
	}
	scan_free(&s);
	if (rc) {
		report_free(r);
		return NULL;
	}
	return r;
}
