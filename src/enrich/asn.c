/*
 * asn.c - origin AS tables (see asn.h).
 *
 * Build: every prefix or range becomes an interval [first, last] with its
 * AS.  Sorted by first (wider first on equal starts, earlier file first on
 * identical intervals), a sweep with a stack of open intervals cuts the
 * address space into non-overlapping segments, each owned by the interval
 * most recently opened that still covers it (for prefixes: the narrowest).
 * Adjacent segments of one AS are merged.  The result is a sorted array of
 * segment starts covering the whole family (AS 0 where nothing is known),
 * so the segment of an address is the last start <= the address.
 *
 * Trusts nothing in the files (asn.h).
 */
#include "enrich/asn.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>
#include <zlib.h>

#include "util/alloc.h"
#include "util/log.h"

typedef unsigned __int128 u128;

#define IDX4_BITS 20
#define IDX6_BITS 20
#define LINE_MAX_LEN 4096
#define BAD_SHOWN 5          /* bad lines reported per file */

struct ival {
	u128 first, last;
	uint32_t asn;
	uint32_t seq;            /* load order */
};

struct ivals {
	struct ival *v;
	size_t n, cap;
};

struct seg4 {
	uint32_t start, asn;
};

struct name {
	uint32_t asn;
	uint32_t seq;
	char *s;
};

struct asn_db {
	struct ivals in[2];      /* [0] IPv4, [1] IPv6, until built */
	uint32_t seq;
	/* built */
	struct seg4 *seg4;       /* start and AS side by side: one cache line */
	size_t n4;
	uint32_t *idx4;          /* 2^20 + 1 */
	u128 *start6;
	uint32_t *asn6;
	size_t n6;
	uint32_t *idx6;          /* 2^20 + 1 */
	struct name *names;
	size_t nnames, capnames;
	bool names_sorted;
	MMDB_s *mmdb;
	size_t nmmdb, capmmdb;
	struct asn_stats stats;
};

static u128 key_of(const struct addr *a)
{
	u128 k = 0;
	unsigned n = a->family == 4 ? 4 : 16;
	for (unsigned i = 0; i < n; i++)
		k = (k << 8) | a->b[i];
	return k;
}

struct asn_db *asn_db_new(void)
{
	return xcalloc(1, sizeof(struct asn_db));
}

void asn_db_add_range(struct asn_db *db, const struct addr *first,
		      const struct addr *last, uint32_t asn)
{
	if (first->family != last->family || (first->family != 4 && first->family != 6))
		return;
	u128 f = key_of(first), l = key_of(last);
	if (f > l)
		return;
	struct ivals *iv = &db->in[first->family == 6];
	GROW(iv->v, iv->n + 1, iv->cap);
	iv->v[iv->n++] = (struct ival){ f, l, asn, db->seq++ };
	db->stats.entries++;
}

/* name_clean - control bytes of an AS name replaced by '?', as the DNS
 * answers' are (dns.c): the name reaches terminals (report, explain) and
 * AS names are whatever a network's operator registered */
static void name_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void asn_db_add_name(struct asn_db *db, uint32_t asn, const char *name)
{
	if (!asn || !name || !*name)
		return;
	GROW(db->names, db->nnames + 1, db->capnames);
	char *copy = xstrdup(name);
	name_clean(copy);
	db->names[db->nnames++] = (struct name){ asn, db->seq++, copy };
	db->names_sorted = false;
}

int asn_parse_number(const char *s, uint32_t *out)
{
	while (*s == ' ' || *s == '{')
		s++;
	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (!isdigit((unsigned char)*s))
		return -1;
	uint64_t v = 0;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (uint64_t)(*s++ - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (*s == '.') {        /* asdot: HIGH.LOW */
		if (v > 65535 || !isdigit((unsigned char)s[1]))
			return -1;
		s++;
		uint64_t lo = 0;
		while (isdigit((unsigned char)*s)) {
			lo = lo * 10 + (uint64_t)(*s++ - '0');
			if (lo > 65535)
				return -1;
		}
		v = (v << 16) | lo;
	}
	if (*s && *s != '_' && *s != ',' && *s != '}' && *s != ' ' && *s != '\t' &&
	    *s != '\r' && *s != '\n')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* --- file formats --- */

enum fmt { F_UNKNOWN, F_PFX2AS, F_IPASN, F_IPTOASN, F_ASNAMES };
static const char *const fmt_name[] = { "unknown", "pfx2as", "ipasn", "iptoasn", "asnames" };

/* split - cut line at tabs (or runs of spaces when there is no tab) */
static int split(char *line, char **f, int max)
{
	int n = 0;
	bool tabs = strchr(line, '\t') != NULL;
	char *p = line;
	while (n < max) {
		if (!tabs)
			while (*p == ' ')
				p++;
		if (!*p)
			break;
		f[n++] = p;
		char *e = tabs ? strchr(p, '\t') : strchr(p, ' ');
		if (!e || n == max)
			break;
		*e = '\0';
		p = e + 1;
	}
	return n;
}

static bool prefix_range(const struct addr *a, unsigned len, struct addr *first,
			 struct addr *last)
{
	if (len > addr_bits(a))
		return false;
	*first = *a;
	addr_mask(first, len);
	if (!addr_eq(first, a))
		return false;   /* host bits set: not a prefix */
	*last = *first;
	unsigned nb = a->family == 4 ? 4 : 16;
	for (unsigned i = len; i < nb * 8; i++)
		last->b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	return true;
}

/* csv_field - the k-th field of a CSV line into buf, quotes removed */
static bool csv_field(const char *line, int k, char *buf, size_t n)
{
	const char *p = line;
	for (int i = 0;; i++) {
		size_t o = 0;
		bool q = *p == '"';
		if (q)
			p++;
		while (*p) {
			if (q && *p == '"') {
				if (p[1] == '"') {
					p++;
				} else {
					q = false;
					p++;
					continue;
				}
			} else if (!q && *p == ',') {
				break;
			}
			if (i == k && o + 1 < n)
				buf[o++] = *p;
			p++;
		}
		if (i == k) {
			buf[o] = '\0';
			return true;
		}
		if (*p != ',')
			return false;
		p++;
	}
}

static enum fmt detect(char *line)
{
	char copy[LINE_MAX_LEN];
	snprintf(copy, sizeof copy, "%s", line);
	if (!strncasecmp(copy, "asn,", 4))
		return F_ASNAMES;
	char *f[5];
	int n = split(copy, f, 5);
	struct addr a, b;
	struct prefix p;
	unsigned long len;
	char *end;
	if (n == 2 && strchr(f[0], '/') && prefix_parse(f[0], &p, true) == 0)
		return F_IPASN;
	if (n >= 3 && addr_parse(f[0], &a) == 0 && addr_parse(f[1], &b) == 0)
		return F_IPTOASN;
	if (n == 3 && addr_parse(f[0], &a) == 0 && isdigit((unsigned char)f[1][0]) &&
	    (len = strtoul(f[1], &end, 10), !*end && len <= 128))
		return F_PFX2AS;
	if (n >= 2 && !strncasecmp(copy, "AS", 2) && strchr(line, ','))
		return F_ASNAMES;
	return F_UNKNOWN;
}

/* parse_line - one data line of a known format; false when bad */
static bool parse_line(struct asn_db *db, enum fmt fm, char *line)
{
	char *f[5];
	struct addr a, b, first, last;
	uint32_t asn;
	char *end;
	if (fm == F_ASNAMES) {
		char num[32], name[ASN_NAME_MAX];
		if (!strncasecmp(line, "asn,", 4))
			return true;    /* header */
		if (!csv_field(line, 0, num, sizeof num) || asn_parse_number(num, &asn) < 0 ||
		    !csv_field(line, 1, name, sizeof name))
			return false;
		asn_db_add_name(db, asn, name);
		return true;
	}
	int n = split(line, f, 5);
	switch (fm) {
	case F_PFX2AS: {
		if (n != 3 || addr_parse(f[0], &a) < 0)
			return false;
		unsigned long len = strtoul(f[1], &end, 10);
		if (*end || end == f[1] || !prefix_range(&a, (unsigned)(len > 255 ? 255 : len), &first, &last) ||
		    asn_parse_number(f[2], &asn) < 0)
			return false;
		break;
	}
	case F_IPASN: {
		struct prefix p;
		if (n != 2 || prefix_parse(f[0], &p, false) < 0 ||
		    !prefix_range(&p.a, p.len, &first, &last) || asn_parse_number(f[1], &asn) < 0)
			return false;
		break;
	}
	case F_IPTOASN:
		if (n < 3 || addr_parse(f[0], &a) < 0 || addr_parse(f[1], &b) < 0 ||
		    a.family != b.family || addr_cmp(&a, &b) > 0 || asn_parse_number(f[2], &asn) < 0)
			return false;
		if (n == 5)
			asn_db_add_name(db, asn, f[4]);
		first = a;
		last = b;
		break;
	default:
		return false;
	}
	if (asn)
		asn_db_add_range(db, &first, &last, asn);
	return true;
}

static int load_mmdb(struct asn_db *db, const char *path, bool *is_mmdb)
{
	MMDB_s m;
	int rc = MMDB_open(path, MMDB_MODE_MMAP, &m);
	if (rc == MMDB_INVALID_METADATA_ERROR || rc == MMDB_INVALID_DATA_ERROR) {
		*is_mmdb = false;
		return 0;
	}
	*is_mmdb = true;
	if (rc != MMDB_SUCCESS)
		return error("%s: %s", path, rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR
			     ? strerror(errno) : MMDB_strerror(rc));
	GROW(db->mmdb, db->nmmdb + 1, db->capmmdb);
	db->mmdb[db->nmmdb++] = m;
	db->stats.mmdbs++;
	return 0;
}

int asn_db_load(struct asn_db *db, const char *path)
{
	bool is_mmdb;
	if (load_mmdb(db, path, &is_mmdb) < 0)
		return -1;
	if (is_mmdb)
		return 0;
	gzFile z = gzopen(path, "rb");
	if (!z)
		return error("%s: %s", path, strerror(errno ? errno : ENOMEM));
	gzbuffer(z, 1 << 17);
	char line[LINE_MAX_LEN];
	unsigned long lineno = 0, bad = 0, good = 0;
	enum fmt fm = F_UNKNOWN;
	while (gzgets(z, line, sizeof line)) {
		lineno++;
		size_t len = strlen(line);
		bool whole = len > 0 && line[len - 1] == '\n';
		if (!whole && !gzeof(z)) {
			/* too long: skip the rest of it */
			int c;
			while ((c = gzgetc(z)) != -1 && c != '\n')
				;
			if (bad++ < BAD_SHOWN)
				error_at(path, lineno, "line too long");
			continue;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == ';' || line[0] == '#')
			continue;
		if (fm == F_UNKNOWN) {
			fm = detect(line);
			if (fm == F_UNKNOWN) {
				gzclose(z);
				return error_at(path, lineno, "not a known ASN table"
						" (pfx2as, IPASN-DAT, ip2asn TSV, AS names CSV, mmdb)");
			}
			debug("%s: format %s", path, fmt_name[fm]);
		}
		if (parse_line(db, fm, line)) {
			good++;
		} else if (bad++ < BAD_SHOWN) {
			error_at(path, lineno, "bad %s line", fmt_name[fm]);
		}
	}
	int zerr;
	const char *zmsg = gzerror(z, &zerr);
	if (zerr != Z_OK && zerr != Z_STREAM_END) {
		error("%s: %s", path, zmsg);
		gzclose(z);
		return -1;
	}
	gzclose(z);
	if (fm == F_UNKNOWN)
		return error("%s: no data", path);
	if (bad > BAD_SHOWN)
		error("%s: %lu bad lines in all", path, bad);
	db->stats.bad_lines += bad;
	return 0;
}

/* --- build --- */

static int cmp_ival(const void *x, const void *y)
{
	const struct ival *a = x, *b = y;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if (a->last != b->last)
		return a->last > b->last ? -1 : 1;     /* wider first */
	return a->seq > b->seq ? -1 : a->seq < b->seq; /* earlier file last: on top */
}

struct segs {
	u128 *start;
	uint32_t *asn;
	size_t n, cap, cap2;
};

static void emit(struct segs *s, u128 start, uint32_t asn)
{
	if (s->n && s->asn[s->n - 1] == asn)
		return;
	if (s->n && s->start[s->n - 1] == start) {
		s->asn[s->n - 1] = asn;   /* empty predecessor: replace */
		if (s->n > 1 && s->asn[s->n - 2] == asn)
			s->n--;
		return;
	}
	GROW(s->start, s->n + 1, s->cap);
	GROW(s->asn, s->n + 1, s->cap2);
	s->start[s->n] = start;
	s->asn[s->n++] = asn;
}

/* sweep - non-overlapping segments covering [0, max] */
static void sweep(struct ivals *iv, u128 max, struct segs *out)
{
	if (iv->n)
		qsort(iv->v, iv->n, sizeof *iv->v, cmp_ival);
	struct ival **stack = xcalloc(iv->n + 1, sizeof *stack);
	size_t sp = 0;
	u128 cur = 0;
	bool done = false;
	for (size_t i = 0; i <= iv->n && !done; i++) {
		u128 limit = i < iv->n ? iv->v[i].first : max;
		bool to_end = i == iv->n;
		/* emit [cur, limit) (to_end: [cur, max]) from the stack */
		while (!done && (cur < limit || to_end)) {
			while (sp && stack[sp - 1]->last < cur)
				sp--;
			if (!sp) {
				emit(out, cur, 0);
				if (to_end)
					done = true;
				else
					cur = limit;
				break;
			}
			struct ival *t = stack[sp - 1];
			emit(out, cur, t->asn);
			u128 seg_last = t->last;
			if (!to_end && seg_last >= limit)
				seg_last = limit - 1;
			if (seg_last >= max) {
				done = true;
				break;
			}
			cur = seg_last + 1;
			if (!to_end && cur == limit)
				break;
		}
		if (i < iv->n)
			stack[sp++] = &iv->v[i];
	}
	free(stack);
	if (!out->n)
		emit(out, 0, 0);
}

/* fill32 - n copies of v from p on, by doubling copies (log2 n of them) */
static void fill32(uint32_t *p, size_t n, uint32_t v)
{
	if (!n)
		return;
	p[0] = v;
	for (size_t d = 1; d < n;) {
		size_t c = d < n - d ? d : n - d;
		memcpy(p + d, p, c * sizeof *p);
		d += c;
	}
}

static uint32_t *build_index(size_t n, unsigned bits, unsigned shift,
			     const struct seg4 *s4, const u128 *s6)
{
	size_t nb = (size_t)1 << bits;
	uint32_t *idx = xmalloc((nb + 1) * sizeof *idx);
	/* bucket b gets the segment holding its start b << shift: the last j
	 * with s[j] <= start.  Segment j holds the buckets before the first
	 * one whose start reaches s[j + 1], i.e. up to s[j + 1] >> shift,
	 * rounded up; filled segment by segment, not compared bucket by
	 * bucket (2 x 2^20 buckets at every load). */
	size_t b = 0;
	for (size_t j = 0; j + 1 < n && b < nb; j++) {
		u128 nx = s4 ? (u128)s4[j + 1].start : s6[j + 1];
		u128 end = (nx >> shift) + ((nx & (((u128)1 << shift) - 1)) != 0);
		size_t e = end < nb ? (size_t)end : nb;
		if (e > b) {
			fill32(idx + b, e - b, (uint32_t)j);
			b = e;
		}
	}
	fill32(idx + b, nb + 1 - b, (uint32_t)(n - 1));
	return idx;
}

static int cmp_name(const void *x, const void *y)
{
	const struct name *a = x, *b = y;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void asn_db_build(struct asn_db *db)
{
	free(db->seg4);
	free(db->idx4);
	free(db->start6);
	free(db->asn6);
	free(db->idx6);
	struct segs s = { 0 };
	sweep(&db->in[0], (u128)UINT32_MAX, &s);
	db->n4 = s.n;
	db->seg4 = xcalloc(s.n, sizeof *db->seg4);
	for (size_t i = 0; i < s.n; i++)
		db->seg4[i] = (struct seg4){ (uint32_t)s.start[i], s.asn[i] };
	free(s.asn);
	free(s.start);
	db->idx4 = build_index(db->n4, IDX4_BITS, 32 - IDX4_BITS, db->seg4, NULL);

	struct segs s6 = { 0 };
	sweep(&db->in[1], ~(u128)0, &s6);
	db->n6 = s6.n;
	db->start6 = s6.start;
	db->asn6 = s6.asn;
	db->idx6 = build_index(db->n6, IDX6_BITS, 128 - IDX6_BITS, NULL, db->start6);
	db->stats.ranges4 = db->n4;
	db->stats.ranges6 = db->n6;

	/* names: sorted, the first given per AS kept */
	if (db->nnames)
		qsort(db->names, db->nnames, sizeof *db->names, cmp_name);
	size_t k = 0;
	for (size_t i = 0; i < db->nnames; i++) {
		if (k && db->names[k - 1].asn == db->names[i].asn) {
			free(db->names[i].s);
			continue;
		}
		db->names[k++] = db->names[i];
	}
	db->nnames = k;
	db->names_sorted = true;
	db->stats.names = k;
}

uint32_t asn_db_lookup_asn(const struct asn_db *db, const struct addr *a)
{
	if (a->family == 4) {
		if (!db->seg4)
			return 0;
		uint32_t k = ((uint32_t)a->b[0] << 24) | ((uint32_t)a->b[1] << 16) |
			     ((uint32_t)a->b[2] << 8) | a->b[3];
		uint32_t lo = db->idx4[k >> (32 - IDX4_BITS)];
		uint32_t hi = db->idx4[(k >> (32 - IDX4_BITS)) + 1];
		/* last lo..hi with start <= k; start[lo] <= k holds */
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo + 1) / 2;
			if (db->seg4[mid].start <= k)
				lo = mid;
			else
				hi = mid - 1;
		}
		return db->seg4[lo].asn;
	}
	if (a->family != 6 || !db->start6)
		return 0;
	u128 k = key_of(a);
	uint32_t lo = db->idx6[(size_t)(k >> (128 - IDX6_BITS))];
	uint32_t hi = db->idx6[(size_t)(k >> (128 - IDX6_BITS)) + 1];
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (db->start6[mid] <= k)
			lo = mid;
		else
			hi = mid - 1;
	}
	return db->asn6[lo];
}

const char *asn_db_name(const struct asn_db *db, uint32_t asn)
{
	if (!db->names_sorted)
		return NULL;
	size_t lo = 0, hi = db->nnames;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (db->names[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < db->nnames && db->names[lo].asn == asn ? db->names[lo].s : NULL;
}

/* mmdb_lookup - AS number and organisation from the mmdb databases */
static bool mmdb_lookup(const struct asn_db *db, const struct addr *a, struct asn_info *out)
{
	char txt[ADDR_STRLEN];
	addr_format(a, txt);
	for (size_t i = 0; i < db->nmmdb; i++) {
		int gai, err;
		MMDB_lookup_result_s r = MMDB_lookup_string(&db->mmdb[i], txt, &gai, &err);
		if (gai || err != MMDB_SUCCESS || !r.found_entry)
			continue;
		MMDB_entry_data_s d;
		if (MMDB_get_value(&r.entry, &d, "autonomous_system_number", NULL) != MMDB_SUCCESS ||
		    !d.has_data)
			continue;
		uint64_t v;
		switch (d.type) {
		case MMDB_DATA_TYPE_UINT16: v = d.uint16; break;
		case MMDB_DATA_TYPE_UINT32: v = d.uint32; break;
		case MMDB_DATA_TYPE_UINT64: v = d.uint64; break;
		case MMDB_DATA_TYPE_INT32: v = d.int32 < 0 ? 0 : (uint64_t)d.int32; break;
		default: continue;
		}
		if (!v || v > UINT32_MAX)
			continue;
		out->asn = (uint32_t)v;
		if (MMDB_get_value(&r.entry, &d, "autonomous_system_organization", NULL) ==
		    MMDB_SUCCESS && d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING) {
			size_t n = d.data_size < ASN_NAME_MAX - 1 ? d.data_size : ASN_NAME_MAX - 1;
			memcpy(out->name, d.utf8_string, n);
			out->name[n] = '\0';
			name_clean(out->name);
		}
		return true;
	}
	return false;
}

bool asn_db_lookup(const struct asn_db *db, const struct addr *a, struct asn_info *out)
{
	out->asn = asn_db_lookup_asn(db, a);
	out->name[0] = '\0';
	if (!out->asn && !mmdb_lookup(db, a, out))
		return false;
	if (!out->name[0]) {
		const char *n = asn_db_name(db, out->asn);
		if (n)
			snprintf(out->name, sizeof out->name, "%s", n);
	}
	return true;
}

const struct asn_stats *asn_db_stats(const struct asn_db *db)
{
	return &db->stats;
}

void asn_db_free(struct asn_db *db)
{
	if (!db)
		return;
	for (int f = 0; f < 2; f++)
		free(db->in[f].v);
	free(db->seg4);
	free(db->idx4);
	free(db->start6);
	free(db->asn6);
	free(db->idx6);
	for (size_t i = 0; i < db->nnames; i++)
		free(db->names[i].s);
	free(db->names);
	for (size_t i = 0; i < db->nmmdb; i++)
		MMDB_close(&db->mmdb[i]);
	free(db->mmdb);
	free(db);
}

/* --- Team Cymru's DNS interface --- */

int asn_cymru_parse(const char *txt, uint32_t *asn)
{
	/* "15169 | 8.8.8.0/24 | US | arin | 2000-03-30" */
	const char *bar = strchr(txt, '|');
	if (!bar)
		return -1;
	return asn_parse_number(txt, asn) == 0 && *asn ? 0 : -1;
}

int asn_cymru_name_parse(const char *txt, char *name, size_t n)
{
	/* "15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US" */
	const char *p = txt;
	for (int i = 0; i < 4; i++) {
		p = strchr(p, '|');
		if (!p)
			return -1;
		p++;
	}
	while (*p == ' ')
		p++;
	size_t len = strlen(p);
	while (len && p[len - 1] == ' ')
		len--;
	if (!len)
		return -1;
	snprintf(name, n, "%.*s", (int)len, p);
	return 0;
}

char *asn_cymru_qname(const struct addr *a, const char *zone4, const char *zone6,
		      char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = '\0';
	if (a->family == 4) {
		snprintf(buf, n, "%u.%u.%u.%u.%s", a->b[3], a->b[2], a->b[1], a->b[0],
			 zone4 ? zone4 : "origin.asn.cymru.com");
		return buf;
	}
	static const char hex[] = "0123456789abcdef";
	for (int i = 15; i >= 0 && o + 4 < n; i--) {
		buf[o++] = hex[a->b[i] & 15];
		buf[o++] = '.';
		buf[o++] = hex[a->b[i] >> 4];
		buf[o++] = '.';
	}
	snprintf(buf + o, n - o, "%s", zone6 ? zone6 : "origin6.asn.cymru.com");
	return buf;
}
