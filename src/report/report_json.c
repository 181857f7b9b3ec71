/*
 * report_json.c - the report as one JSON document (docs/report-json.md):
 * metadata, the summary sentences, and every table under its stable key
 * with its columns, its rows as objects keyed by column key, and its
 * total row apart.  String escaping is util/out.h's.
 */
#include "report/report.h"

#include <math.h>

#include "util/out.h"

/* jstr - a JSON string, or null */
static void jstr(FILE *f, const char *s)
{
	if (s)
		out_json_str(f, s);
	else
		fputs("null", f);
}

static const char *const kind_names[] = {
	[REP_STR] = "string", [REP_INT] = "count", [REP_PCT] = "percent", [REP_NUM] = "number",
};

/* row - one row as an object keyed by column key */
static void row(FILE *f, const struct rep_table *t, size_t r)
{
	fputc('{', f);
	for (int c = 0; c < t->ncols; c++) {
		const struct rep_val *v = rep_cell(t, r, c);
		if (c)
			fputc(',', f);
		out_json_str(f, t->cols[c].key);
		fputc(':', f);
		if (v->null)
			fputs("null", f);
		else if (t->cols[c].kind == REP_STR)
			jstr(f, v->s);
		else if (t->cols[c].kind == REP_INT)
			fprintf(f, "%lld", (long long)v->i);
		else
			fprintf(f, "%.4f", v->d);
	}
	fputc('}', f);
}

/* table - one table: title, note, columns, rows, total */
static void table(FILE *f, const struct rep_table *t)
{
	fputs("{\"title\":", f);
	jstr(f, t->title);
	fputs(",\"note\":", f);
	jstr(f, t->note);
	fputs(",\"columns\":[", f);
	for (int c = 0; c < t->ncols; c++) {
		fprintf(f, "%s{\"key\":", c ? "," : "");
		jstr(f, t->cols[c].key);
		fputs(",\"title\":", f);
		jstr(f, t->cols[c].title);
		fputs(",\"group\":", f);
		jstr(f, t->cols[c].group);
		fprintf(f, ",\"type\":\"%s\"}", kind_names[t->cols[c].kind]);
	}
	fputs("],\"rows\":[", f);
	size_t n = t->nrows - (t->total_row && t->nrows ? 1 : 0);
	for (size_t r = 0; r < n; r++) {
		fputs(r ? ",\n" : "\n", f);
		row(f, t, r);
	}
	fputs("],\"total\":", f);
	if (n < t->nrows)
		row(f, t, n);
	else
		fputs("null", f);
	fputc('}', f);
}

/* report_json - the whole document (report.h) */
int report_json(FILE *f, const struct report *r)
{
	char a[40];
	fputs("{\"format\":\"mxsensor-report\",\"version\":1,\"generated\":", f);
	jstr(f, r->generated);
	fputs(",\"store\":", f);
	jstr(f, r->store);
	fputs(",\"sensors\":", f);
	jstr(f, r->sensors);
	fputs(",\"filters\":", f);
	jstr(f, r->filters);
	fputs(",\"first_attempt\":", f);
	jstr(f, r->first_ns ? out_time_iso(r->first_ns, 3, a) : NULL);
	fputs(",\"last_attempt\":", f);
	jstr(f, r->first_ns ? out_time_iso(r->last_ns, 3, a) : NULL);
	fputs(",\n\"summary\":[", f);
	for (size_t i = 0; i < r->nsummary; i++) {
		fputs(i ? ",\n" : "\n", f);
		jstr(f, r->summary[i]);
	}
	fputs("],\n\"tables\":{", f);
	for (size_t i = 0; i < r->ntables; i++) {
		fprintf(f, "%s\n", i ? "," : "");
		jstr(f, r->tables[i]->key);
		fputc(':', f);
		table(f, r->tables[i]);
	}
	fputs("}}\n", f);
	fflush(f);
	return ferror(f) ? -1 : 0;
}
