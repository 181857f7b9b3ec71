/*
 * report_csv.c - the report as CSV (RFC 4180): one table per file, a
 * header line of the stable column keys, the total row included (its
 * first column says "Total").  Escaping is util/out.h's.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"
#include "util/out.h"
#include "util/replace.h"

/* report_csv_table - one table as CSV (report.h) */
int report_csv_table(FILE *f, const struct rep_table *t)
{
	char buf[256];
	for (int c = 0; c < t->ncols; c++) {
		if (c)
			fputc(',', f);
		out_csv_field(f, t->cols[c].key);
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', f);
			const struct rep_val *v = rep_cell(t, r, c);
			if (v->null)
				continue;
			if (t->cols[c].kind == REP_PCT || t->cols[c].kind == REP_NUM)
				fprintf(f, "%.4f", v->d);
			else
				out_csv_field(f, rep_format(t, r, c, buf, sizeof buf));
		}
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/* report_csv_summary - the summary as CSV (report.h) */
int report_csv_summary(FILE *f, const struct report *r)
{
	if (!r->nsummary)
		return 0;
	fputs("sentence\n", f);
	for (size_t i = 0; i < r->nsummary; i++) {
		out_csv_field(f, r->summary[i]);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/* write_file - dir/name written by fn and replaced whole (util/replace.h:
 * a spreadsheet or a web page reading it sees the old file or the new
 * one); logs errors */
static int write_file(const char *dir, const char *name, const struct report *r,
		      const struct rep_table *t)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct replace rp;
	FILE *f = replace_open(&rp, path);
	if (!f) {
		free(path);
		return -1;
	}
	int rc = replace_finish(&rp, t ? report_csv_table(f, t) : report_csv_summary(f, r));
	free(path);
	return rc;
}

/* report_csv_dir - one CSV file per table (report.h) */
int report_csv_dir(const char *dir, const struct report *r)
{
	if (r->nsummary && write_file(dir, "summary.csv", r, NULL))
		return -1;
	for (size_t i = 0; i < r->ntables; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s.csv", r->tables[i]->key);
		if (write_file(dir, name, r, r->tables[i]))
			return -1;
	}
	return 0;
}
