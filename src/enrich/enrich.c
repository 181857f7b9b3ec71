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
#include <unistd.h>

#include <libpsl.h>
#include <zlib.h>

#include "addr/addr.h"
#include "enrich/asn.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/runs.h"
#include "util/spill.h"
#include "util/strpool.h"

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

/* --- --ptr-file ---
 *
 * A file of names may be far bigger than the run's hosts (a reverse DNS
 * dataset of the whole address space): its lines go to an external sort
 * by address, their names to a temporary file, and the run's addresses,
 * which come in the same order, are looked up by walking the sorted lines
 * once. */

/* a line of a --ptr-file: its address, its place, its name in m->names */
struct ptr_rec {
	struct addr a;
	uint16_t len;
	uint64_t seq, off;
};

struct ptr_map {
	struct xsort s;
	FILE *names;
	uint64_t off, n;
	const struct ptr_rec *cur;  /* the next line in order, NULL: none left */
	struct addr last;           /* the last address asked for */
	bool asked;
	char name[DNS_TEXT_MAX];
	int err;
};

static int cmp_ptr_rec(const void *x, const void *y)
{
	const struct ptr_rec *a = x, *b = y;
	int r = addr_cmp(&a->a, &b->a);
	if (r)
		return r;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ptr_line - one line's address and name to the map; 1 when it was one,
 * 0 when not, -1 when a temporary file failed */
static int ptr_line(struct ptr_map *m, char *line)
{
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	char *a = p;
	while (*p && *p != ' ' && *p != '\t' && *p != ',')
		p++;
	if (!*p)
		return 0;
	*p++ = '\0';
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	char *nm = p;
	while (*p && *p != ' ' && *p != '\t' && *p != ',')
		p++;
	*p = '\0';
	struct ptr_rec r;
	memset(&r, 0, sizeof r);
	if (addr_parse(a, &r.a) < 0 || !*nm || strlen(nm) >= DNS_TEXT_MAX)
		return 0;
	size_t len = strlen(nm);
	if (nm[len - 1] == '.')
		nm[--len] = '\0';
	for (char *c = nm; *c; c++)
		if ((unsigned char)*c < 0x21 || *c == 0x7f)
			return 0;
	r.len = (uint16_t)len;
	r.seq = m->n++;
	r.off = m->off;
	if (fwrite_unlocked(nm, 1, len, m->names) != len)
		return error("temporary PTR-name file: %s", spill_strerror(errno));
	m->off += len;
	return xsort_add(&m->s, &r) < 0 ? -1 : 1;
}

struct ptr_map *ptr_map_load(const char *const *files, size_t n, uint64_t *bad)
{
	struct ptr_map *m = xcalloc(1, sizeof *m);
	char err[512];
	if (xsort_open(&m->s, "PTR-line", sizeof(struct ptr_rec), 4 << 20, cmp_ptr_rec, err,
		       sizeof err) < 0 ||
	    !(m->names = spill_open("PTR-name", err, sizeof err))) {
		error("%s", err);
		ptr_map_free(m);
		return NULL;
	}
	for (size_t f = 0; f < n; f++) {
		gzFile z = gzopen(files[f], "rb");
		if (!z) {
			error("%s: %s", files[f], strerror(errno ? errno : ENOMEM));
			ptr_map_free(m);
			return NULL;
		}
		char line[LINE_MAX_LEN];
		unsigned long lineno = 0, nbad = 0;
		int rc = 0;
		while (rc >= 0 && gzgets(z, line, sizeof line)) {
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
			if ((rc = ptr_line(m, s)) == 0 && nbad++ < BAD_SHOWN)
				error_at(files[f], lineno, "expected 'ADDRESS NAME'");
		}
		int zerr;
		const char *zmsg = gzerror(z, &zerr);
		if (rc < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
			if (rc == 0)
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
	if (fflush(m->names) != 0) {
		error("temporary PTR-name file: %s", spill_strerror(errno));
		ptr_map_free(m);
		return NULL;
	}
	/* in order by address, then line: the first line of an address wins */
	if (xsort_done(&m->s) < 0) {
		ptr_map_free(m);
		return NULL;
	}
	m->cur = xsort_next(&m->s);
	m->err = m->s.m.err;
	return m;
}

const char *ptr_map_get(struct ptr_map *m, const struct addr *a)
{
	if (!m || m->err)
		return NULL;
	if (m->asked && addr_cmp(a, &m->last) < 0)
		BUG("ptr_map_get: addresses out of order");
	m->last = *a;
	m->asked = true;
	while (m->cur && addr_cmp(&m->cur->a, a) < 0)
		m->cur = xsort_next(&m->s);
	if (!m->cur) {
		m->err = m->s.m.err;
		return NULL;
	}
	if (addr_cmp(&m->cur->a, a) != 0)
		return NULL;
	size_t len = m->cur->len < DNS_TEXT_MAX ? m->cur->len : DNS_TEXT_MAX - 1;
	if (pread(fileno(m->names), m->name, len, (off_t)m->cur->off) != (ssize_t)len) {
		m->err = error("temporary PTR-name file: %s", spill_strerror(errno ? errno : EIO));
		return NULL;
	}
	m->name[len] = '\0';
	return m->name;
}

int ptr_map_failed(const struct ptr_map *m)
{
	return m && m->err ? -1 : 0;
}

void ptr_map_free(struct ptr_map *m)
{
	if (!m)
		return;
	xsort_close(&m->s);
	if (m->names)
		fclose(m->names);
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

/* --- the run ---
 *
 * Nothing in memory grows with the hosts (analysis/decide.h's rule): the
 * look-ups wanted, a host's own address and its gateway's, go to an
 * external sort by address (struct need); the distinct addresses are
 * looked up ENRICH_CHUNK at a time (tables, cache, DNS), their names
 * appended to a temporary file, and what was found is sorted back into
 * the hosts' order (struct found), where each host's row is made from its
 * own address' and its gateway's. */

#define ENRICH_CHUNK 4096       /* distinct addresses looked up at a time */
#define PENDING_MAX 65536       /* needs of one chunk before it is looked up early */

/* item - one address looked up (a host, or a 6to4/Teredo gateway) */
struct item {
	struct addr a;
	char txt[ADDR_STRLEN];
	uint32_t asn;
	char as_name[ASN_NAME_MAX];
	bool has_ptr;
	char ptr[DNS_TEXT_MAX];
	bool asn_done;       /* AS known, or known to be unknown */
	uint64_t off;        /* its names in the names file (item_out) */
};

/* a look-up wanted: address a for host number host, as the host itself
 * (role 0) or as its gateway (role 1) */
struct need {
	struct addr a;
	uint8_t role;
	uint32_t host;
};

/* what a look-up found, for one host (a its own address, or its gateway) */
struct found {
	uint64_t off;        /* AS name then PTR name in the names file */
	uint32_t host, asn;
	uint16_t ptr_len;
	uint8_t role, has_ptr, as_len;
	struct addr a;
};

/* a need of the chunk: its host and role, and which of the chunk's items */
struct pending {
	uint32_t host, item;
	uint8_t role;
};

/* AS names asked over DNS, each AS once a run (the names of the world's
 * ASes at most, not of the hosts): open addressing by AS number */
struct as_names {
	uint32_t *asn;       /* 0: empty slot */
	uint32_t *id;        /* into pool */
	size_t size, n;
	struct strpool pool;
};

struct ctx {
	struct item *items;  /* the chunk's distinct addresses, in order */
	size_t nitems;
	struct pending *pend;
	size_t npend;
	size_t *ask;         /* items sent to DNS */
	struct enrich_stats *s;
	struct store *st;
	int64_t now_ns;
	int err;
	struct xsort need, found;
	FILE *names;         /* the items' AS and PTR names, in order */
	uint64_t names_off;
	uint32_t nhosts;
	struct item done;    /* the last address looked up (more needs may follow) */
	bool has_done;
	struct as_names asn_names;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_need(const void *x, const void *y)
{
	const struct need *a = x, *b = y;
	int r = addr_cmp(&a->a, &b->a);
	if (r)
		return r;
	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	return a->role < b->role ? -1 : a->role > b->role;
}

static int cmp_found(const void *x, const void *y)
{
	const struct found *a = x, *b = y;
	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	return a->role < b->role ? -1 : a->role > b->role;
}

static int on_source(const char *addr, const char *emb_kind, const char *emb4, void *arg)
{
	struct ctx *c = arg;
	struct need n;
	memset(&n, 0, sizeof n);
	if (!addr || addr_parse(addr, &n.a) < 0)
		return 0;
	if (c->nhosts == UINT32_MAX)
		return error("more than %lu hosts in one run", (unsigned long)UINT32_MAX - 1);
	n.host = c->nhosts++;
	if (xsort_add(&c->need, &n) < 0)
		return -1;
	if (emb_kind && emb4 && (!strcmp(emb_kind, "6to4") || !strcmp(emb_kind, "teredo")) &&
	    addr_parse(emb4, &n.a) == 0) {
		n.role = 1;
		if (xsort_add(&c->need, &n) < 0)
			return -1;
	}
	return 0;
}

static const char *as_name_get(const struct as_names *m, uint32_t asn)
{
	if (!m->size)
		return NULL;
	size_t mask = m->size - 1, i = (size_t)hash_u64(asn) & mask;
	for (; m->asn[i]; i = (i + 1) & mask)
		if (m->asn[i] == asn)
			return strpool_get(&m->pool, m->id[i]);
	return NULL;
}

static void as_name_put(struct as_names *m, uint32_t asn, const char *name)
{
	if ((m->n + 1) * 2 > m->size) {
		size_t ns = m->size ? m->size * 2 : 256;
		uint32_t *a = xcalloc(ns, sizeof *a), *id = xcalloc(ns, sizeof *id);
		for (size_t i = 0; i < m->size; i++) {
			if (!m->asn[i])
				continue;
			size_t k = (size_t)hash_u64(m->asn[i]) & (ns - 1);
			while (a[k])
				k = (k + 1) & (ns - 1);
			a[k] = m->asn[i];
			id[k] = m->id[i];
		}
		free(m->asn);
		free(m->id);
		m->asn = a;
		m->id = id;
		m->size = ns;
	}
	size_t mask = m->size - 1, i = (size_t)hash_u64(asn) & mask;
	while (m->asn[i] && m->asn[i] != asn)
		i = (i + 1) & mask;
	if (!m->asn[i])
		m->n++;
	m->asn[i] = asn;
	m->id[i] = strpool_id(&m->pool, name);
}

static void as_names_free(struct as_names *m)
{
	free(m->asn);
	free(m->id);
	strpool_free(&m->pool);
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

static int resolve_ptr(const struct enrich_opts *o, struct ctx *c, struct ptr_map *pm)
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
	if (ptr_map_failed(pm) < 0)
		c->err = -1;
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
	/* names of the ASes found without one: each asked once a run */
	uint32_t *asns = xcalloc(c->nitems ? c->nitems : 1, sizeof *asns);
	size_t na = 0;
	for (size_t i = 0; i < c->nitems; i++)
		if (c->items[i].asn && !c->items[i].as_name[0] &&
		    !as_name_get(&c->asn_names, c->items[i].asn))
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
	for (size_t i = 0; i < na && !ret; i++)
		as_name_put(&c->asn_names, asns[i], nq.names[i]);
	for (size_t i = 0; i < c->nitems && !ret; i++) {
		struct item *it = &c->items[i];
		if (!it->asn || it->as_name[0])
			continue;
		const char *nm = as_name_get(&c->asn_names, it->asn);
		if (nm && nm[0]) {
			snprintf(it->as_name, sizeof it->as_name, "%s", nm);
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

/* item_out - item it's names to the names file */
static int item_out(struct ctx *c, struct item *it)
{
	size_t al = strlen(it->as_name), pl = it->has_ptr ? strlen(it->ptr) : 0;
	it->off = c->names_off;
	if ((al && fwrite_unlocked(it->as_name, 1, al, c->names) != al) ||
	    (pl && fwrite_unlocked(it->ptr, 1, pl, c->names) != pl))
		return error("temporary enrichment-name file: %s", spill_strerror(errno));
	c->names_off += al + pl;
	return 0;
}

/* found_out - what item it gave, for a host in a role */
static int found_out(struct ctx *c, const struct item *it, uint32_t host, uint8_t role)
{
	struct found f;
	memset(&f, 0, sizeof f);
	f.off = it->off;
	f.host = host;
	f.asn = it->asn;
	f.role = role;
	f.has_ptr = it->has_ptr;
	f.as_len = (uint8_t)strlen(it->as_name);
	f.ptr_len = (uint16_t)(it->has_ptr ? strlen(it->ptr) : 0);
	f.a = it->a;
	return xsort_add(&c->found, &f);
}

/* chunk_run - the chunk's items looked up, their needs found */
static int chunk_run(const struct enrich_opts *o, struct ctx *c, const struct asn_db *db,
		     struct ptr_map *pm)
{
	if (!c->nitems)
		return 0;
	for (size_t i = 0; db && i < c->nitems; i++) {
		struct asn_info ai;
		struct item *it = &c->items[i];
		if (asn_db_lookup(db, &it->a, &ai)) {
			it->asn = ai.asn;
			it->asn_done = true;
			snprintf(it->as_name, sizeof it->as_name, "%s", ai.name);
		}
	}
	if (o->asn_dns && resolve_asn_dns(o, c) < 0)
		return -1;
	if ((o->nptr || o->ptr_dns) && resolve_ptr(o, c, pm) < 0)
		return -1;
	for (size_t i = 0; i < c->nitems; i++)
		if (item_out(c, &c->items[i]) < 0)
			return -1;
	for (size_t i = 0; i < c->npend; i++)
		if (found_out(c, &c->items[c->pend[i].item], c->pend[i].host, c->pend[i].role) < 0)
			return -1;
	c->done = c->items[c->nitems - 1];
	c->has_done = true;
	c->nitems = 0;
	c->npend = 0;
	return 0;
}

/* lookups - every distinct address of the needs looked up once, in order,
 * a chunk at a time */
static int lookups(const struct enrich_opts *o, struct ctx *c, const struct asn_db *db,
		   struct ptr_map *pm)
{
	if (xsort_done(&c->need) < 0)
		return -1;
	const struct need *n;
	while ((n = xsort_next(&c->need))) {
		if (c->nitems && addr_eq(&n->a, &c->items[c->nitems - 1].a)) {
			c->pend[c->npend++] = (struct pending){ n->host, (uint32_t)(c->nitems - 1), n->role };
		} else if (!c->nitems && c->has_done && addr_eq(&n->a, &c->done.a)) {
			if (found_out(c, &c->done, n->host, n->role) < 0)
				return -1;
			continue;
		} else {
			if (c->nitems == ENRICH_CHUNK && chunk_run(o, c, db, pm) < 0)
				return -1;
			struct item *it = &c->items[c->nitems++];
			memset(it, 0, sizeof *it);
			it->a = n->a;
			addr_format(&n->a, it->txt);
			c->pend[c->npend++] = (struct pending){ n->host, (uint32_t)(c->nitems - 1), n->role };
		}
		/* one address wanted by very many hosts (a busy gateway): its
		 * chunk is looked up now, its later needs follow c->done */
		if (c->npend == PENDING_MAX && chunk_run(o, c, db, pm) < 0)
			return -1;
	}
	if (c->need.m.err || chunk_run(o, c, db, pm) < 0)
		return -1;
	return 0;
}

/* names_get - a found record's AS name and PTR name from the names file */
static int names_get(struct ctx *c, const struct found *f, char as_name[ASN_NAME_MAX],
		     char ptr[DNS_TEXT_MAX])
{
	char buf[ASN_NAME_MAX + DNS_TEXT_MAX];
	size_t len = (size_t)f->as_len + f->ptr_len;
	if (f->as_len >= ASN_NAME_MAX || f->ptr_len >= DNS_TEXT_MAX)
		BUG("enrichment names of %u and %u bytes", f->as_len, f->ptr_len);
	if (len && pread(fileno(c->names), buf, len, (off_t)f->off) != (ssize_t)len)
		return error("temporary enrichment-name file: %s", spill_strerror(errno ? errno : EIO));
	memcpy(as_name, buf, f->as_len);
	as_name[f->as_len] = '\0';
	memcpy(ptr, buf + f->as_len, f->ptr_len);
	ptr[f->ptr_len] = '\0';
	return 0;
}

/* host_out - the enrichment row of a host from its own address' look-up
 * and, for 6to4 and Teredo, its gateway's (gw, or NULL) */
static int host_out(struct ctx *c, const struct found *own, const struct found *gw)
{
	char as_name[ASN_NAME_MAX], ptr[DNS_TEXT_MAX], gas[ASN_NAME_MAX], gptr[DNS_TEXT_MAX];
	char txt[ADDR_STRLEN], dom[DNS_TEXT_MAX] = "", mdom[DNS_TEXT_MAX] = "";
	if (names_get(c, own, as_name, ptr) < 0 || (gw && names_get(c, gw, gas, gptr) < 0))
		return -1;
	if (own->has_ptr)
		enrich_registered_domain(ptr, dom, sizeof dom);
	const char *mptr = own->has_ptr ? ptr : gw && gw->has_ptr ? gptr : NULL;
	if (mptr)
		enrich_registered_domain(mptr, mdom, sizeof mdom);
	struct store_enrich e = {
		.addr = addr_format(&own->a, txt), .asn = own->asn, .as_name = as_name,
		.ptr = own->has_ptr ? ptr : NULL, .ptr_domain = dom,
		.match_asn = gw ? gw->asn : own->asn, .match_ptr = mptr,
		.match_domain = mdom,
	};
	c->s->with_asn += own->asn != 0;
	c->s->with_ptr += own->has_ptr;
	return store_set_enrich(c->st, &e);
}

/* rows - the hosts' rows in their order (the order each gave them) */
static int rows(struct ctx *c)
{
	if (fflush(c->names) != 0)
		return error("temporary enrichment-name file: %s", spill_strerror(errno));
	if (xsort_done(&c->found) < 0)
		return -1;
	const struct found *f = xsort_next(&c->found);
	while (f) {
		struct found own = *f;
		if (own.role != 0)
			BUG("host %u: a gateway without the host", own.host);
		f = xsort_next(&c->found);
		const struct found *gw = f && f->host == own.host ? f : NULL;
		if (host_out(c, &own, gw) < 0)
			return -1;
		if (gw)
			f = xsort_next(&c->found);
	}
	return c->found.m.err;
}

int enrich_run(const struct enrich_opts *o, struct store *st, enrich_sources_fn each,
	       void *ctx, struct enrich_stats *s)
{
	memset(s, 0, sizeof *s);
	struct ctx c = { .s = s, .st = st, .now_ns = now_ns() };
	struct asn_db *db = NULL;
	struct ptr_map *pm = NULL;
	char err[512];
	int ret = -1;
	c.items = xcalloc(ENRICH_CHUNK, sizeof *c.items);
	c.pend = xcalloc(PENDING_MAX, sizeof *c.pend);
	if (xsort_open(&c.need, "enrichment-need", sizeof(struct need), 4 << 20, cmp_need, err,
		       sizeof err) < 0 ||
	    xsort_open(&c.found, "enrichment-found", sizeof(struct found), 4 << 20, cmp_found, err,
		       sizeof err) < 0 ||
	    !(c.names = spill_open("enrichment-name", err, sizeof err))) {
		error("%s", err);
		goto out;
	}
	if (o->nasn && !(db = enrich_load_asn(o->asn_files, o->nasn)))
		goto out;
	if (db)
		s->bad_lines += asn_db_stats(db)->bad_lines;
	if (o->nptr && !(pm = ptr_map_load(o->ptr_files, o->nptr, &s->bad_lines)))
		goto out;
	if (each(ctx, on_source, &c) < 0)
		goto out;
	s->hosts = c.nhosts;
	if (lookups(o, &c, db, pm) < 0 || rows(&c) < 0)
		goto out;
	ret = 0;
out:
	asn_db_free(db);
	ptr_map_free(pm);
	xsort_close(&c.need);
	xsort_close(&c.found);
	if (c.names)
		fclose(c.names);
	as_names_free(&c.asn_names);
	free(c.items);
	free(c.pend);
	return ret;
}
