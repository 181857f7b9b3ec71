/*
 * report_text.c - the report as aligned text tables for a terminal.
 *
 * Each table: its title underlined, a group heading line when columns are
 * grouped, the column titles, the rows (text left, numbers right), a rule
 * above a total row, then its note wrapped at 100 columns.  When a table
 * would be wider than 100 columns, a last text column (a reason) goes on
 * its own indented line under each row.
 */
#include "report/report.h"

#include <string.h>

#include "util/alloc.h"
#include "util/out.h"

#define WIDTH 100

/* wrap - print text word-wrapped at WIDTH: first (or indent spaces) on
 * the first line, indent spaces on the following ones */
static void wrap(FILE *f, const char *s, int indent, const char *first)
{
	int col = first ? fprintf(f, "%s", first) : fprintf(f, "%*s", indent, "");
	bool start = true;
	while (*s) {
		while (*s == ' ')
			s++;
		int w = (int)strcspn(s, " ");
		if (!w)
			break;
		if (!start && col + 1 + w > WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			start = true;
		}
		if (!start) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", w, s);
		col += w;
		start = false;
		s += w;
	}
	fputc('\n', f);
}

/* table - one table: title, headings, rows, total rule, note */
static void table(FILE *f, const struct rep_table *t)
{
	int w[REP_MAXCOLS];
	char buf[256];
	int nc = t->ncols;
	for (int c = 0; c < nc; c++) {
		w[c] = (int)strlen(t->cols[c].title);
		for (size_t r = 0; r < t->nrows; r++) {
			int l = (int)strlen(rep_format(t, r, c, buf, sizeof buf));
			if (l > w[c])
				w[c] = l;
		}
	}
	/* separators: two spaces between columns, one before a % column */
	int total = 0;
	for (int c = 0; c < nc; c++)
		total += w[c] + (c ? (t->cols[c].kind == REP_PCT ? 1 : 2) : 0);
	int shown = nc;
	bool tail = false;
	if (total > WIDTH && nc > 1 && t->cols[nc - 1].kind == REP_STR) {
		shown = nc - 1;
		tail = true;
	}
	size_t tl = strlen(t->title);
	fprintf(f, "%s\n", t->title);
	for (size_t i = 0; i < tl; i++)
		fputc('=', f);
	fputc('\n', f);
	if (!t->nrows) {
		fprintf(f, "(no data)\n");
	} else {
		/* group headings, centred over their columns */
		bool groups = false;
		for (int c = 0; c < shown; c++)
			groups |= t->cols[c].group != NULL;
		if (groups) {
			char line[WIDTH * 4];
			int pos = 0;
			memset(line, ' ', sizeof line);
			for (int c = 0; c < shown;) {
				int sep = c ? (t->cols[c].kind == REP_PCT ? 1 : 2) : 0;
				const char *g = t->cols[c].group;
				int start = pos + sep, span = w[c];
				int e = c + 1;
				pos = start + w[c];
				while (g && e < shown && t->cols[e].group && !strcmp(t->cols[e].group, g)) {
					int s2 = t->cols[e].kind == REP_PCT ? 1 : 2;
					span += s2 + w[e];
					pos += s2 + w[e];
					e++;
				}
				if (g) {
					int gl = (int)strlen(g);
					int at = start + (span > gl ? (span - gl) / 2 : 0);
					if (at + gl < (int)sizeof line)
						memcpy(line + at, g, (size_t)gl);
				}
				c = e;
			}
			if (pos > (int)sizeof line - 1)
				pos = (int)sizeof line - 1;
			while (pos > 0 && line[pos - 1] == ' ')
				pos--;
			fprintf(f, "%.*s\n", pos, line);
		}
		for (int c = 0; c < shown; c++) {
			int sep = c ? (t->cols[c].kind == REP_PCT ? 1 : 2) : 0;
			if (t->cols[c].kind == REP_STR && c + 1 < shown)
				fprintf(f, "%*s%-*s", sep, "", w[c], t->cols[c].title);
			else if (t->cols[c].kind == REP_STR)
				fprintf(f, "%*s%s", sep, "", t->cols[c].title);
			else
				fprintf(f, "%*s%*s", sep, "", w[c], t->cols[c].title);
		}
		fputc('\n', f);
		for (size_t r = 0; r < t->nrows; r++) {
			if (t->total_row && r + 1 == t->nrows) {
				int len = 0;
				for (int c = 0; c < shown; c++)
					len += w[c] + (c ? (t->cols[c].kind == REP_PCT ? 1 : 2) : 0);
				for (int i = 0; i < len; i++)
					fputc('-', f);
				fputc('\n', f);
			}
			for (int c = 0; c < shown; c++) {
				int sep = c ? (t->cols[c].kind == REP_PCT ? 1 : 2) : 0;
				rep_format(t, r, c, buf, sizeof buf);
				if (c + 1 == shown && !*buf)
					break;
				if (t->cols[c].kind == REP_STR && c + 1 < shown)
					fprintf(f, "%*s%-*s", sep, "", w[c], buf);
				else if (t->cols[c].kind == REP_STR)
					fprintf(f, "%*s%s", sep, "", buf);
				else
					fprintf(f, "%*s%*s", sep, "", w[c], buf);
			}
			fputc('\n', f);
			if (tail && *rep_format(t, r, nc - 1, buf, sizeof buf)) {
				char lead[64];
				snprintf(lead, sizeof lead, "    %s: ", t->cols[nc - 1].title);
				wrap(f, buf, (int)strlen(lead), lead);
			}
		}
	}
	if (t->note) {
		fputc('\n', f);
		wrap(f, t->note, 0, NULL);
	}
	fputc('\n', f);
}

/* report_text - the whole text report (report.h) */
int report_text(FILE *f, const struct report *r)
{
	char a[40], b[40];
	if (r->nsummary) {
		fprintf(f, "mxsensor report\n===============\n");
		fprintf(f, "Store %s (sensors: %s); filters: %s; generated %s.\n",
			r->store, *r->sensors ? r->sensors : "none", r->filters, r->generated);
		if (r->first_ns)
			fprintf(f, "Attempts from %s to %s.\n", out_time_iso(r->first_ns, 0, a),
				out_time_iso(r->last_ns, 0, b));
		fputc('\n', f);
		for (size_t i = 0; i < r->nsummary; i++)
			wrap(f, r->summary[i], 2, "- ");
		fputc('\n', f);
	}
	for (size_t i = 0; i < r->ntables; i++)
		table(f, r->tables[i]);
	fflush(f);
	return ferror(f) ? -1 : 0;
}
