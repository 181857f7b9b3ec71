/*
 * enrich.c - ASN and reverse DNS of the run's hosts (see enrich.h).
 *
 * Trusts nothing in --ptr-file files or DNS answers: lines are capped and
 * parsed field by field, names are checked to be host names before the
 * public suffix list sees them.
 */
#include "enrich/enrich.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpsl.h>
#include <zlib.h>

#include "addr/addr.h"
#include "enrich/asn.h"
#include "util/alloc.h"
#include "util/log.h"

#define LINE_MAX_LEN 1024
#define BAD_SHOWN 5

void enrich_opts_default(struct enrich_opts *o)
{
	*o = (struct enrich_opts){ .asn_points = 10, .ptr_points = 20, .domain_points = 10 };
	dns_opts_default(&o->dns);
}

bool enrich_wanted(const struct enrich_opts *o)
{
	return o->nasn || o->nptr || o->ptr_dns || o->asn_dns;
}

/* --- registered domains --- */

char *enrich_registered_domain(const char *name, char *buf, size_t n)
{
	static psl_ctx_t *psl;
	char low[DNS_TEXT_MAX];
	size_t len = strlen(name);
	buf[0] = '\0';
	if (!len || len >= sizeof low)
		return buf;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return buf;    /* not a host name */
		low[i] = (char)tolower(c);
	}
	low[len] = '\0';
	if (low[len - 1] == '.')
		low[--len] = '\0';
	if (!len || low[0] == '.' || strstr(low, ".."))
		return buf;
	if (!psl) {
		psl = psl_latest(NULL);   /* the system's list, else the built-in one */
		if (!psl)
			psl = (psl_ctx_t *)psl_builtin();
		if (!psl)
			return buf;
	}
	const char *d = psl_registrable_domain(psl, low);
	if (d)
		snprintf(buf, n, "%s", d);
	return buf;
}

/* --- --ptr-file --- */

struct ptr_ent {
	struct addr a;
	size_t seq;          /* line order */
	char *name;
};

struct ptr_map {
	struct ptr_ent *v;
	size_t n, cap;
};

static int cmp_addr(const void *x, const void *y)
{
	const struct addr *a = x, *b = y;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, 16);
}

static int cmp_ptr_ent(const void *x, const void *y)
{
	const struct ptr_ent *a = x, *b = y;
	int r = cmp_addr(&a->a, &b->a);
	if (r)
		return r;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool ptr_line(struct ptr_map *m, char *line)
{
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	char *a = p;
	while (*p && *p != ' ' && *p != '\t' && *p != ',')
		p++;
	if (!*p)
		return false;
	*p++ = '\0';
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	char *nm = p;
	while (*p && *p != ' ' && *p != '\t' && *p != ',')
		p++;
	*p = '\0';
	struct addr ad;
	if (addr_parse(a, &ad) < 0 || !*nm || strlen(nm) >= DNS_TEXT_MAX)
		return false;
	size_t len = strlen(nm);
	if (nm[len - 1] == '.')
		nm[len - 1] = '\0';
	for (char *c = nm; *c; c++)
		if ((unsigned char)*c < 0x21 || *c == 0x7f)
			return false;
	GROW(m->v, m->n + 1, m->cap);
	m->v[m->n] = (struct ptr_ent){ ad, m->n, xstrdup(nm) };
	m->n++;
	return true;
}

struct ptr_map *ptr_map_load(const char *const *files, size_t n, uint64_t *bad)
{
	struct ptr_map *m = xcalloc(1, sizeof *m);
	for (size_t f = 0; f < n; f++) {
		gzFile z = gzopen(files[f], "rb");
		if (!z) {
			error("%s: %s", files[f], strerror(errno ? errno : ENOMEM));
			ptr_map_free(m);
			return NULL;
		}
		char line[LINE_MAX_LEN];
		unsigned long lineno = 0, nbad = 0;
		while (gzgets(z, line, sizeof line)) {
			lineno++;
			size_t len = strlen(line);
			if (len && line[len - 1] != '\n' && !gzeof(z)) {
				int c;
				while ((c = gzgetc(z)) != -1 && c != '\n')
					;
				if (nbad++ < BAD_SHOWN)
					error_at(files[f], lineno, "line too long");
				continue;
			}
			while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
				line[--len] = '\0';
			char *s = line;
			while (*s == ' ' || *s == '\t')
				s++;
			if (!*s || *s == '#')
				continue;
			if (!ptr_line(m, s) && nbad++ < BAD_SHOWN)
				error_at(files[f], lineno, "expected 'ADDRESS NAME'");
		}
		int zerr;
		const char *zmsg = gzerror(z, &zerr);
		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			error("%s: %s", files[f], zmsg);
			gzclose(z);
			ptr_map_free(m);
			return NULL;
		}
		gzclose(z);
		if (nbad > BAD_SHOWN)
			error("%s: %lu bad lines in all", files[f], nbad);
		if (bad)
			*bad += nbad;
	}
	/* sorted; the first line of an address wins (ptr_map_get finds it) */
	if (m->n)
		qsort(m->v, m->n, sizeof *m->v, cmp_ptr_ent);
	return m;
}

const char *ptr_map_get(const struct ptr_map *m, const struct addr *a)
{
	if (!m || !m->n)
		return NULL;
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cmp_addr(&m->v[mid].a, a) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && cmp_addr(&m->v[lo].a, a) == 0 ? m->v[lo].name : NULL;
}

void ptr_map_free(struct ptr_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	free(m);
}

struct asn_db *enrich_load_asn(const char *const *files, size_t n)
{
	struct asn_db *db = asn_db_new();
	for (size_t i = 0; i < n; i++) {
		if (asn_db_load(db, files[i]) < 0) {
			asn_db_free(db);
			return NULL;
		}
	}
	asn_db_build(db);
	return db;
}

/* --- the run --- */

/* item - one address looked up (a host, or a 6to4/Teredo gateway) */
struct item {
	struct addr a;
	char txt[ADDR_STRLEN];
	uint32_t asn;
	char as_name[ASN_NAME_MAX];
	bool has_ptr;
	char ptr[DNS_TEXT_MAX];
	bool asn_done;       /* AS known, or known to be unknown */
};

struct host {
	char txt[ADDR_STRLEN];
	struct addr a;
	bool gw_used;        /* 6to4 / Teredo: compare the gateway */
	struct addr gw;
};

struct ctx {
	struct host *hosts;
	size_t nhosts, caphosts;
	struct item *items;
	size_t nitems, capitems;
	size_t *ask;         /* items sent to DNS */
	struct enrich_stats *s;
	struct store *st;
	int64_t now_ns;
	int err;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void add_item(struct ctx *c, const struct addr *a)
{
	GROW(c->items, c->nitems + 1, c->capitems);
	struct item *it = &c->items[c->nitems++];
	memset(it, 0, sizeof *it);
	it->a = *a;
	addr_format(a, it->txt);
}

static int on_source(const char *addr, const char *emb_kind, const char *emb4, void *arg)
{
	struct ctx *c = arg;
	struct host h = { 0 };
	if (!addr || addr_parse(addr, &h.a) < 0)
		return 0;
	snprintf(h.txt, sizeof h.txt, "%s", addr);
	if (emb_kind && emb4 && (!strcmp(emb_kind, "6to4") || !strcmp(emb_kind, "teredo")) &&
	    addr_parse(emb4, &h.gw) == 0) {
		h.gw_used = true;
		add_item(c, &h.gw);
	}
	add_item(c, &h.a);
	GROW(c->hosts, c->nhosts + 1, c->caphosts);
	c->hosts[c->nhosts++] = h;
	return 0;
}

static int cmp_item(const void *x, const void *y)
{
	return cmp_addr(&((const struct item *)x)->a, &((const struct item *)y)->a);
}

static struct item *find_item(struct ctx *c, const struct addr *a)
{
	struct item key = { .a = *a };
	return bsearch(&key, c->items, c->nitems, sizeof *c->items, cmp_item);
}

static void on_ptr(size_t i, const struct dns_answer *an, void *arg)
{
	struct ctx *c = arg;
	struct item *it = &c->items[c->ask[i]];
	if (an->status == DNS_FAIL) {
		c->s->ptr_failed++;
		debug("PTR %s: %s", it->txt, an->error);
		return;
	}
	if (an->status == DNS_OK) {
		it->has_ptr = true;
		snprintf(it->ptr, sizeof it->ptr, "%s", an->text);
	}
	if (store_cache_put(c->st, "ptr", it->txt, an->status == DNS_OK ? an->text : NULL,
			    NULL, an->status == DNS_OK, "dns", c->now_ns) < 0)
		c->err = -1;
}

static int resolve_ptr(const struct enrich_opts *o, struct ctx *c, const struct ptr_map *pm)
{
	size_t nask = 0;
	char **names = xcalloc(c->nitems ? c->nitems : 1, sizeof *names);
	c->ask = xcalloc(c->nitems ? c->nitems : 1, sizeof *c->ask);
	int64_t min_ns = o->cache_max_age_ns > 0 ? c->now_ns - o->cache_max_age_ns : INT64_MIN;
	for (size_t i = 0; i < c->nitems; i++) {
		struct item *it = &c->items[i];
		const char *nm = ptr_map_get(pm, &it->a);
		if (nm) {
			it->has_ptr = true;
			snprintf(it->ptr, sizeof it->ptr, "%s", nm);
			c->s->ptr_file++;
			continue;
		}
		if (!o->ptr_dns)
			continue;
		struct store_cache_row r;
		int rc = store_cache_get(c->st, "ptr", it->txt, min_ns, &r);
		if (rc < 0) {
			c->err = -1;
			break;
		}
		if (rc == 1) {
			c->s->ptr_cached++;
			if (r.ok && r.text[0]) {
				it->has_ptr = true;
				snprintf(it->ptr, sizeof it->ptr, "%s", r.text);
			}
			continue;
		}
		char rev[80];
		names[nask] = xstrdup(dns_reverse_name(&it->a, rev, sizeof rev));
		c->ask[nask++] = i;
	}
	c->s->ptr_asked += nask;
	int ret = c->err;
	if (!ret && nask && dns_resolve(&o->dns, DNS_PTR, (const char *const *)names, nask,
					on_ptr, c) < 0)
		ret = -1;
	for (size_t i = 0; i < nask; i++)
		free(names[i]);
	free(names);
	free(c->ask);
	c->ask = NULL;
	return ret ? -1 : c->err;
}

static void on_origin(size_t i, const struct dns_answer *an, void *arg)
{
	struct ctx *c = arg;
	struct item *it = &c->items[c->ask[i]];
	if (an->status == DNS_FAIL) {
		c->s->asn_failed++;
		debug("origin %s: %s", it->txt, an->error);
		return;
	}
	uint32_t asn = 0;
	if (an->status == DNS_OK && asn_cymru_parse(an->text, &asn) < 0) {
		c->s->asn_failed++;
		debug("origin %s: malformed TXT", it->txt);
		return;
	}
	it->asn = asn;
	it->asn_done = true;
	char num[16];
	snprintf(num, sizeof num, "%" PRIu32, asn);
	if (store_cache_put(c->st, "asn", it->txt, asn ? num : NULL, NULL, asn != 0, NULL,
			    c->now_ns) < 0)
		c->err = -1;
}

struct name_q {
	struct ctx *c;
	uint32_t *asns;
	char (*names)[ASN_NAME_MAX];
};

static void on_as_name(size_t i, const struct dns_answer *an, void *arg)
{
	struct name_q *q = arg;
	if (an->status == DNS_OK)
		asn_cymru_name_parse(an->text, q->names[i], ASN_NAME_MAX);
	else if (an->status == DNS_FAIL)
		q->c->s->asn_failed++;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

/* resolve_asn_dns - Team Cymru origin TXT for items no table knows, then
 * the AS names missing */
static int resolve_asn_dns(const struct enrich_opts *o, struct ctx *c)
{
	size_t nask = 0;
	char **names = xcalloc(c->nitems ? c->nitems : 1, sizeof *names);
	c->ask = xcalloc(c->nitems ? c->nitems : 1, sizeof *c->ask);
	int64_t min_ns = o->cache_max_age_ns > 0 ? c->now_ns - o->cache_max_age_ns : INT64_MIN;
	for (size_t i = 0; i < c->nitems && !c->err; i++) {
		struct item *it = &c->items[i];
		if (it->asn_done)
			continue;
		struct store_cache_row r;
		int rc = store_cache_get(c->st, "asn", it->txt, min_ns, &r);
		if (rc < 0) {
			c->err = -1;
			break;
		}
		if (rc == 1) {
			it->asn_done = true;
			if (r.ok)
				it->asn = (uint32_t)strtoul(r.text, NULL, 10);
			if (r.name[0])
				snprintf(it->as_name, sizeof it->as_name, "%s", r.name);
			continue;
		}
		char q[128];
		names[nask] = xstrdup(asn_cymru_qname(&it->a, o->asn_zone4, o->asn_zone6, q, sizeof q));
		c->ask[nask++] = i;
	}
	c->s->asn_asked += nask;
	int ret = c->err;
	if (!ret && nask && dns_resolve(&o->dns, DNS_TXT, (const char *const *)names, nask,
					on_origin, c) < 0)
		ret = -1;
	for (size_t i = 0; i < nask; i++)
		free(names[i]);
	free(c->ask);
	c->ask = NULL;
	if (ret || c->err) {
		free(names);
		return -1;
	}
	/* names of the ASes found without one */
	uint32_t *asns = xcalloc(c->nitems ? c->nitems : 1, sizeof *asns);
	size_t na = 0;
	for (size_t i = 0; i < c->nitems; i++)
		if (c->items[i].asn && !c->items[i].as_name[0])
			asns[na++] = c->items[i].asn;
	qsort(asns, na, sizeof *asns, cmp_u32);
	size_t k = 0;
	for (size_t i = 0; i < na; i++)
		if (!k || asns[k - 1] != asns[i])
			asns[k++] = asns[i];
	na = k;
	struct name_q nq = { c, asns, xcalloc(na ? na : 1, sizeof *nq.names) };
	for (size_t i = 0; i < na; i++)
		names[i] = xasprintf("AS%" PRIu32 ".%s", asns[i],
				     o->asn_name_zone ? o->asn_name_zone : "asn.cymru.com");
	c->s->asn_asked += na;
	if (na && dns_resolve(&o->dns, DNS_TXT, (const char *const *)names, na, on_as_name, &nq) < 0)
		ret = -1;
	for (size_t i = 0; i < c->nitems && !ret; i++) {
		struct item *it = &c->items[i];
		if (!it->asn || it->as_name[0])
			continue;
		uint32_t *p = bsearch(&it->asn, asns, na, sizeof *asns, cmp_u32);
		if (p && nq.names[p - asns][0]) {
			snprintf(it->as_name, sizeof it->as_name, "%s", nq.names[p - asns]);
			char num[16];
			snprintf(num, sizeof num, "%" PRIu32, it->asn);
			if (store_cache_put(c->st, "asn", it->txt, num, it->as_name, true, NULL,
					    c->now_ns) < 0)
				ret = -1;
		}
	}
	for (size_t i = 0; i < na; i++)
		free(names[i]);
	free(names);
	free(asns);
	free(nq.names);
	return ret;
}

int enrich_run(const struct enrich_opts *o, struct store *st, enrich_sources_fn each,
	       void *ctx, struct enrich_stats *s)
{
	memset(s, 0, sizeof *s);
	struct ctx c = { .s = s, .st = st, .now_ns = now_ns() };
	struct asn_db *db = NULL;
	struct ptr_map *pm = NULL;
	int ret = -1;
	if (o->nasn && !(db = enrich_load_asn(o->asn_files, o->nasn)))
		goto out;
	if (db)
		s->bad_lines += asn_db_stats(db)->bad_lines;
	if (o->nptr && !(pm = ptr_map_load(o->ptr_files, o->nptr, &s->bad_lines)))
		goto out;
	if (each(ctx, on_source, &c) < 0)
		goto out;
	s->hosts = c.nhosts;
	/* distinct addresses */
	if (c.nitems)
		qsort(c.items, c.nitems, sizeof *c.items, cmp_item);
	size_t k = 0;
	for (size_t i = 0; i < c.nitems; i++)
		if (!k || cmp_addr(&c.items[k - 1].a, &c.items[i].a) != 0)
			c.items[k++] = c.items[i];
	c.nitems = k;

	for (size_t i = 0; db && i < c.nitems; i++) {
		struct asn_info ai;
		struct item *it = &c.items[i];
		if (asn_db_lookup(db, &it->a, &ai)) {
			it->asn = ai.asn;
			it->asn_done = true;
			snprintf(it->as_name, sizeof it->as_name, "%s", ai.name);
		}
	}
	if (o->asn_dns && resolve_asn_dns(o, &c) < 0)
		goto out;
	if ((o->nptr || o->ptr_dns) && resolve_ptr(o, &c, pm) < 0)
		goto out;

	for (size_t i = 0; i < c.nhosts; i++) {
		struct host *h = &c.hosts[i];
		struct item *own = find_item(&c, &h->a);
		struct item *gw = h->gw_used ? find_item(&c, &h->gw) : NULL;
		char dom[DNS_TEXT_MAX] = "", mdom[DNS_TEXT_MAX] = "";
		if (own->has_ptr)
			enrich_registered_domain(own->ptr, dom, sizeof dom);
		const char *mptr = own->has_ptr ? own->ptr : gw && gw->has_ptr ? gw->ptr : NULL;
		if (mptr)
			enrich_registered_domain(mptr, mdom, sizeof mdom);
		struct store_enrich e = {
			.addr = h->txt, .asn = own->asn, .as_name = own->as_name,
			.ptr = own->has_ptr ? own->ptr : NULL, .ptr_domain = dom,
			.match_asn = gw ? gw->asn : own->asn, .match_ptr = mptr,
			.match_domain = mdom,
		};
		s->with_asn += own->asn != 0;
		s->with_ptr += own->has_ptr;
		if (store_set_enrich(st, &e) < 0)
			goto out;
	}
	ret = 0;
out:
	asn_db_free(db);
	ptr_map_free(pm);
	free(c.hosts);
	free(c.items);
	return ret;
}
