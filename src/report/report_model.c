/*
 * report_model.c - report tables (building, formatting) and the small
 * helpers the report is computed with: ISO weeks, address-type and OS
 * rows, histogram bins, durations, time parsing.
 */
#include "report/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/alloc.h"
#include "util/log.h"

/* rep_table_new - an empty table (report.h) */
struct rep_table *rep_table_new(const char *key, const char *title)
{
	struct rep_table *t = xcalloc(1, sizeof *t);
	t->key = key;
	t->title = title;
	t->xcol = 0;
	return t;
}

/* rep_table_free - free a table and its values */
void rep_table_free(struct rep_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->vals[i].s);
	free(t->vals);
	free(t->note);
	free(t);
}

/* rep_col_add - append a column (report.h) */
int rep_col_add(struct rep_table *t, const char *key, const char *title, enum rep_kind k)
{
	if (t->ncols >= REP_MAXCOLS || t->nrows)
		BUG("rep_col_add: table %s", t->key);
	t->cols[t->ncols] = (struct rep_col){ .key = key, .title = title, .kind = k, .group = NULL };
	return t->ncols++;
}

/* rep_col_group - set a column's group heading */
void rep_col_group(struct rep_table *t, int col, const char *group)
{
	if (col < 0 || col >= t->ncols)
		BUG("rep_col_group: %s[%d]", t->key, col);
	t->cols[col].group = group;
}

/* rep_row_add - append a row of nulls (report.h) */
size_t rep_row_add(struct rep_table *t)
{
	size_t n = (t->nrows + 1) * (size_t)t->ncols;
	GROW(t->vals, n, t->cap);
	for (int c = 0; c < t->ncols; c++)
		t->vals[t->nrows * (size_t)t->ncols + (size_t)c] = (struct rep_val){ .null = true };
	return t->nrows++;
}

/* rep_cell - one cell; a bad index is a bug */
struct rep_val *rep_cell(const struct rep_table *t, size_t row, int col)
{
	if (row >= t->nrows || col < 0 || col >= t->ncols)
		BUG("rep_cell: %s[%zu][%d]", t->key, row, col);
	return &t->vals[row * (size_t)t->ncols + (size_t)col];
}

/* rep_set_str - set a text cell (copied) */
void rep_set_str(struct rep_table *t, size_t row, int col, const char *s)
{
	struct rep_val *v = rep_cell(t, row, col);
	free(v->s);
	v->s = s ? xstrdup(s) : NULL;
	v->null = !s;
}

/* rep_set_int - set a count cell */
void rep_set_int(struct rep_table *t, size_t row, int col, int64_t x)
{
	struct rep_val *v = rep_cell(t, row, col);
	v->i = x;
	v->d = (double)x;
	v->null = false;
}

/* rep_set_num - set a decimal cell (null when not finite) */
void rep_set_num(struct rep_table *t, size_t row, int col, double x)
{
	struct rep_val *v = rep_cell(t, row, col);
	v->d = x;
	v->null = !isfinite(x);
}

/* rep_set_pct - set a percentage cell (null for a zero whole) */
void rep_set_pct(struct rep_table *t, size_t row, int col, int64_t part, int64_t whole)
{
	if (whole <= 0) {
		rep_cell(t, row, col)->null = true;
		return;
	}
	rep_set_num(t, row, col, 100.0 * (double)part / (double)whole);
}

/* rep_format - a cell as display text */
char *rep_format(const struct rep_table *t, size_t row, int col, char *buf, size_t n)
{
	const struct rep_val *v = rep_cell(t, row, col);
	if (v->null) {
		snprintf(buf, n, "%s", "");
		return buf;
	}
	switch (t->cols[col].kind) {
	case REP_STR:
		snprintf(buf, n, "%s", v->s ? v->s : "");
		break;
	case REP_INT:
		snprintf(buf, n, "%" PRId64, v->i);
		break;
	case REP_PCT:
		snprintf(buf, n, "%.1f", v->d);
		break;
	case REP_NUM:
		if (v->d != 0 && fabs(v->d) < 0.01)
			snprintf(buf, n, "%.2g", v->d);
		else
			snprintf(buf, n, fabs(v->d) >= 100 ? "%.0f" : fabs(v->d) >= 10 ? "%.1f" : "%.2f",
				 v->d);
		break;
	}
	return buf;
}

/* day_floor_div - a / b rounded towards minus infinity */
static int64_t day_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* report_iso_week - ISO 8601 week of a day (report.h) */
int64_t report_iso_week(int64_t day, int *year, int *week)
{
	/* 1970-01-01 was a Thursday: weekday 0 = Monday */
	int64_t wd = day - 7 * day_floor_div(day + 3, 7) + 3;
	int64_t monday = day - wd;
	time_t thu = (time_t)((monday + 3) * 86400);
	struct tm tm;
	gmtime_r(&thu, &tm);
	*year = tm.tm_year + 1900;
	*week = tm.tm_yday / 7 + 1;
	return monday;
}

/* report_addr_kind - the address-type row of an IPv6 host (report.h) */
const char *report_addr_kind(const char *addr_type, const char *iid_class,
			     const char *emb_kind)
{
	const char *t = addr_type ? addr_type : "";
	const char *i = iid_class ? iid_class : "";
	const char *e = emb_kind ? emb_kind : "";
	if (!strcmp(e, "6to4") || !strcmp(t, "6to4"))
		return "6to4";
	if (!strcmp(e, "teredo") || !strcmp(t, "teredo") || !strcmp(i, "teredo"))
		return "Teredo";
	if (!strcmp(e, "isatap") || !strcmp(i, "isatap"))
		return "ISATAP";
	if (!strcmp(e, "nat64") || !strncmp(t, "nat64", 5))
		return "NAT64";
	if (!strcmp(i, "ieee-derived"))
		return "EUI-64";
	if (!strcmp(e, "iid") || !strncmp(i, "embedded-ipv4", 13))
		return "embedded IPv4";
	return "other";
}

/* report_os_row - the OS row of an os_family value (report.h) */
const char *report_os_row(const char *os_family)
{
	static const char *const known[] = { "Windows", "Linux", "Mac OS X", "BSD", "Unknown" };
	if (!os_family || !*os_family)
		return "Unknown";
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (!strcasecmp(os_family, known[i]))
			return known[i];
	return "Other";
}

/* report_port_bucket - histogram bin of a port distance (report.h) */
int report_port_bucket(int64_t dist)
{
	uint64_t d = dist < 0 ? (uint64_t)0 - (uint64_t)dist : (uint64_t)dist;
	if (d <= 2)
		return (int)d;
	int b = 2;
	uint64_t hi = 2;
	while (d > hi && b < REPORT_PORT_BUCKETS - 1) {
		hi *= 2;
		b++;
	}
	return b;
}

/* report_port_bucket_name - the name of a port-distance bin */
const char *report_port_bucket_name(int b, char *buf, size_t n)
{
	if (b <= 2) {
		snprintf(buf, n, "%d", b < 0 ? 0 : b);
		return buf;
	}
	uint64_t lo = ((uint64_t)1 << (b - 2)) + 1, hi = (uint64_t)1 << (b - 1);
	if (b == REPORT_PORT_BUCKETS - 1)
		snprintf(buf, n, "%" PRIu64 "+", lo);
	else
		snprintf(buf, n, "%" PRIu64 "-%" PRIu64, lo, hi);
	return buf;
}

const char *const report_gap_bucket_names[REPORT_GAP_BUCKETS] = {
	"overlap", "<1 ms", "1-10 ms", "10-100 ms", "0.1-1 s", "1-10 s", ">=10 s",
};

/* report_gap_bucket - histogram bin of a time gap (report.h) */
int report_gap_bucket(int64_t gap_ns)
{
	if (gap_ns < 0)
		return 0;
	int64_t lim = 1000000;     /* 1 ms */
	for (int b = 1; b < REPORT_GAP_BUCKETS - 1; b++, lim *= 10)
		if (gap_ns < lim)
			return b;
	return REPORT_GAP_BUCKETS - 1;
}

/* report_duration - a duration in words (report.h) */
char *report_duration(int64_t ns, char *buf, size_t n)
{
	int64_t s = ns / 1000000000;
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, n, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, n, "%" PRId64 "m", s / 60);
	else if (s < 86400)
		snprintf(buf, n, "%" PRId64 "h%02" PRId64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, n, "%" PRId64 "d%02" PRId64 "h", s / 86400, s % 86400 / 3600);
	return buf;
}

/* report_time_parse - a --from/--to time (report.h) */
int report_time_parse(const char *s, int64_t *ns, bool *date_only)
{
	static const char *const forms[] = {
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
		"%Y-%m-%d %H:%M", "%Y-%m-%d",
	};
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		const char *end = strptime(s, forms[i], &tm);
		if (!end)
			continue;
		if (*end == 'Z' || *end == 'z')
			end++;
		if (*end)
			continue;
		if (tm.tm_year < 70 || tm.tm_year > 1100)
			return -1;
		time_t t = timegm(&tm);
		if (t == (time_t)-1)
			return -1;
		*ns = (int64_t)t * 1000000000;
		*date_only = i == sizeof forms / sizeof *forms - 1;
		return 0;
	}
	return -1;
}

/* report_table - the table with a key */
const struct rep_table *report_table(const struct report *r, const char *key)
{
	for (size_t i = 0; i < r->ntables; i++)
		if (!strcmp(r->tables[i]->key, key))
			return r->tables[i];
	return NULL;
}

/* report_free - free a report and everything in it */
void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntables; i++)
		rep_table_free(r->tables[i]);
	for (size_t i = 0; i < r->nsummary; i++)
		free(r->summary[i]);
	free(r->generated);
	free(r->store);
	free(r->filters);
	free(r->sensors);
	free(r);
}

/* report_filter_init - the default filter: everything, top 10 */
void report_filter_init(struct report_filter *f)
{
	memset(f, 0, sizeof *f);
	f->top = 10;
	f->misb_min_attempts = 100;
	f->misb_max_interval_s = 60;
	f->misb_min_nov4_pct = 90;
}

/* report_keep - keep one table (report.h) */
int report_keep(struct report *r, const char *key)
{
	if (!strcmp(key, "summary")) {
		for (size_t i = 0; i < r->ntables; i++)
			rep_table_free(r->tables[i]);
		r->ntables = 0;
		return 0;
	}
	size_t k = 0;
	bool found = false;
	for (size_t i = 0; i < r->ntables; i++) {
		if (!strcmp(r->tables[i]->key, key)) {
			r->tables[k++] = r->tables[i];
			found = true;
		} else {
			rep_table_free(r->tables[i]);
		}
	}
	r->ntables = k;
	for (size_t i = 0; i < r->nsummary; i++)
		free(r->summary[i]);
	r->nsummary = 0;
	return found ? 0 : -1;
}
