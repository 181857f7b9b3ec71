/*
 * report_html.c - the report as one self-contained HTML page.
 *
 * No scripts, no fonts, images or style sheets from elsewhere: the style
 * is inline CSS (with @media print), every chart is inline SVG drawn here
 * from the same tables the other formats print: grouped bars, a log-scale
 * line chart, stacked histograms.  All text from the store (addresses,
 * AS names, labels) is escaped.
 */
#include "report/report.h"

#include <math.h>
#include <string.h>

#include "util/out.h"

static const char *const palette[] = {
	"#3b6ea5", "#e07b39", "#5a9e5a", "#c44e52", "#8172b2", "#937860", "#d0a03b", "#5bb6c4",
};
#define NPAL (sizeof palette / sizeof *palette)

/* esc - text as HTML character data or attribute value */
static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc(' ', f);
			else
				fputc(*s, f);
		}
	}
}

static const char css[] =
	":root{--fg:#1d232b;--muted:#5b6673;--line:#d5dbe1;--head:#f1f4f7;--accent:#3b6ea5}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',"
	"Arial,sans-serif;color:var(--fg);background:#fff}\n"
	"main{max-width:1000px;margin:0 auto;padding:24px 28px 48px}\n"
	"header{border-bottom:3px solid var(--accent);margin-bottom:18px;padding-bottom:10px}\n"
	"h1{font-size:26px;margin:0 0 4px}\n"
	"h2{font-size:19px;margin:0 0 8px;color:var(--accent)}\n"
	".meta{color:var(--muted);font-size:13px;margin:0}\n"
	".summary{background:#f6f8fa;border-left:4px solid var(--accent);padding:10px 18px;"
	"margin:0 0 18px}\n"
	".summary li{margin:4px 0}\n"
	".figures{display:flex;gap:12px;margin:0 0 16px;flex-wrap:wrap}\n"
	".fig{flex:1 1 180px;border:1px solid var(--line);border-radius:6px;padding:10px 14px}\n"
	".fig b{display:block;font-size:26px;color:var(--accent);line-height:1.2}\n"
	".fig span{font-size:13px;color:var(--muted)}\n"
	"nav{font-size:13px;margin:0 0 20px;columns:3}\n"
	"nav a{color:var(--accent);text-decoration:none;display:block}\n"
	"section{margin:0 0 30px;padding-top:6px;border-top:1px solid var(--line)}\n"
	".chart{margin:6px 0 10px}\n"
	".chart svg{max-width:100%;height:auto}\n"
	".scroll{overflow-x:auto}\n"
	"table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums;"
	"margin:4px 0 8px}\n"
	"th,td{padding:3px 8px;border-bottom:1px solid var(--line);white-space:nowrap}\n"
	"th{background:var(--head);text-align:left;font-weight:600}\n"
	"th.num,td.num{text-align:right}\n"
	"th.group{text-align:center;border-bottom:2px solid var(--line)}\n"
	"td.pct{color:var(--muted)}\n"
	"tr.total td{font-weight:600;border-top:2px solid var(--fg)}\n"
	"td.flag{color:#b3261e;font-weight:600}\n"
	"td.wrap{white-space:normal;min-width:12em}\n"
	".note{color:var(--muted);font-size:13px;margin:4px 0 0;max-width:80ch}\n"
	".empty{color:var(--muted);font-style:italic}\n"
	"svg text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
	"fill:#1d232b}\n"
	"svg .tick{font-size:11px;fill:#5b6673}\n"
	"svg .axis{stroke:#5b6673;stroke-width:1}\n"
	"svg .grid{stroke:#e3e7ec;stroke-width:1}\n"
	"svg .ctitle{font-size:13px;font-weight:600}\n"
	"svg .legend{font-size:12px}\n"
	"footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:8px}\n"
	"@media print{main{max-width:none;padding:0}nav{display:none}.scroll{overflow:visible}"
	"section{break-inside:avoid;page-break-inside:avoid}"
	".summary{background:none}body{font-size:11pt}"
	"@page{size:A4;margin:14mm}a{color:inherit}}\n";

/* nice_step - a 1, 2 or 5 times power-of-ten step giving about n ticks
 * (at least 1 for counts) */
static double nice_step(double max, int n, bool counts)
{
	if (max <= 0)
		return 1;
	double raw = max / n, p = pow(10, floor(log10(raw))), m = raw / p;
	double step = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
	step *= p;
	return counts && step < 1 ? 1 : step;
}

/* num_label - a tick label: 1000, 20k, 3M, 0.002 */
static void num_label(char *buf, size_t n, double v)
{
	if (v >= 1e6 && fmod(v, 1e6) == 0)
		snprintf(buf, n, "%.0fM", v / 1e6);
	else if (v >= 1e4 && fmod(v, 1e3) == 0)
		snprintf(buf, n, "%.0fk", v / 1e3);
	else if (v == floor(v))
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.2g", v);
}

/* xlabel - the category label of row r */
static void xlabel(const struct rep_table *t, size_t r, char *buf, size_t n)
{
	char a[128], b[128];
	rep_format(t, r, t->xcol, a, sizeof a);
	if (t->xjoin && t->xcol + 1 < t->ncols)
		snprintf(buf, n, "%s %s", a, rep_format(t, r, t->xcol + 1, b, sizeof b));
	else
		snprintf(buf, n, "%s", a);
}

/* series name: the column title, with its group when it has one */
static void sname(const struct rep_table *t, int c, char *buf, size_t n)
{
	if (t->cols[c].group)
		snprintf(buf, n, "%s %s", t->cols[c].group, t->cols[c].title);
	else
		snprintf(buf, n, "%s", t->cols[c].title);
}

/* legend - coloured keys of the series, left to right */
static void legend(FILE *f, const struct rep_table *t, const int *ycols, int ny, double x, double y)
{
	char name[128];
	for (int i = 0; i < ny; i++) {
		sname(t, ycols[i], name, sizeof name);
		fprintf(f, "<rect x='%.1f' y='%.1f' width='12' height='12' fill='%s'/>"
			"<text class='legend' x='%.1f' y='%.1f'>", x, y - 10, palette[i % NPAL],
			x + 17, y);
		esc(f, name);
		fputs("</text>\n", f);
		x += 30 + 7.0 * (double)strlen(name);
	}
}

/* svg_open - start a chart: the svg element, its title and heading */
static void svg_open(FILE *f, const struct rep_table *t, const char *title, int w, int h)
{
	fprintf(f, "<div class='chart'><svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' "
		"width='%d' height='%d' role='img' aria-label='", w, h, w, h);
	esc(f, title);
	fprintf(f, "' data-table='%s'>\n<title>", t->key);
	esc(f, title);
	fprintf(f, "</title>\n<text class='ctitle' x='10' y='18'>");
	esc(f, title);
	fputs("</text>\n", f);
}

/* yaxis_linear - grid, ticks and labels; returns the axis maximum */
static double yaxis_linear(FILE *f, double max, double x0, double x1, double y0, double y1,
			   const char *ytitle, bool counts)
{
	double step = nice_step(max, 5, counts);
	double top = ceil((max > 0 ? max : 1) / step) * step;
	if (top <= 0)
		top = 1;
	char buf[32];
	for (int k = 0; k * step <= top + step / 2; k++) {
		double v = k * step;
		double y = y0 - (v / top) * (y0 - y1);
		num_label(buf, sizeof buf, v);
		fprintf(f, "<line class='grid' x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f'/>"
			"<text class='tick' x='%.1f' y='%.1f' text-anchor='end'>%s</text>\n",
			x0, y, x1, y, x0 - 6, y + 4, buf);
	}
	if (ytitle)
		fprintf(f, "<text class='tick' transform='translate(14 %.1f) rotate(-90)' "
			"text-anchor='middle'>%s</text>\n", (y0 + y1) / 2, ytitle);
	fprintf(f, "<line class='axis' x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f'/>"
		"<line class='axis' x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f'/>\n",
		x0, y0, x1, y0, x0, y0, x0, y1);
	return top;
}

/* crowded - whether the category labels need rotating in bands of bw */
static bool crowded(const struct rep_table *t, size_t n, double bw)
{
	char buf[160];
	size_t longest = 0;
	for (size_t r = 0; r < n; r++) {
		xlabel(t, r, buf, sizeof buf);
		if (strlen(buf) > longest)
			longest = strlen(buf);
	}
	return (double)longest * 6.5 > bw;
}

/* xlabels - category labels under the plot, rotated when crowded */
static void xlabels(FILE *f, const struct rep_table *t, size_t n, double x0, double bw, double y0)
{
	char buf[160];
	bool rot = crowded(t, n, bw);
	for (size_t r = 0; r < n; r++) {
		double x = x0 + bw * ((double)r + 0.5);
		xlabel(t, r, buf, sizeof buf);
		if (rot)
			fprintf(f, "<text class='tick' transform='translate(%.1f %.1f) rotate(-35)' "
				"text-anchor='end'>", x + 4, y0 + 14);
		else
			fprintf(f, "<text class='tick' x='%.1f' y='%.1f' text-anchor='middle'>", x, y0 + 16);
		esc(f, buf);
		fputs("</text>\n", f);
	}
}

/* data_rows - rows a chart draws (the total row left out) */
static size_t data_rows(const struct rep_table *t)
{
	return t->nrows - (t->total_row && t->nrows ? 1 : 0);
}

/* chart_bars - grouped (or, for histograms, stacked) bars */
static void chart_bars(FILE *f, const struct rep_table *t, bool stacked)
{
	size_t n = data_rows(t);
	if (!n || !t->ny)
		return;
	int W = 900;
	double x0 = 70, x1 = W - 20, y1 = 50;
	bool rot = crowded(t, n, (x1 - x0) / (double)n);
	int H = rot ? 340 : 300;
	double y0 = H - (rot ? 75 : 35);
	double max = 0;
	for (size_t r = 0; r < n; r++) {
		double s = 0;
		for (int i = 0; i < t->ny; i++) {
			double v = rep_cell(t, r, t->ycols[i])->null ? 0 : rep_cell(t, r, t->ycols[i])->d;
			s = stacked ? s + v : fmax(s, v);
		}
		max = fmax(max, s);
	}
	svg_open(f, t, t->chart_title ? t->chart_title : t->title, W, H);
	legend(f, t, t->ycols, t->ny, x0, 40);
	double top = yaxis_linear(f, max, x0, x1, y0, y1, t->y_title, true);
	double bw = (x1 - x0) / (double)n;
	for (size_t r = 0; r < n; r++) {
		double base = y0;
		double gap = stacked ? bw * 0.08 : bw * 0.15;
		double inner = bw - 2 * gap;
		for (int i = 0; i < t->ny; i++) {
			const struct rep_val *v = rep_cell(t, r, t->ycols[i]);
			double d = v->null ? 0 : v->d;
			double h = d / top * (y0 - y1);
			double x = x0 + bw * (double)r + gap, w = inner;
			if (!stacked) {
				w = inner / t->ny;
				x += w * i;
			}
			double y = stacked ? base - h : y0 - h;
			fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'>"
				"<title>%.6g</title></rect>\n", x, y, w > 1 ? w - 0.5 : w, h,
				palette[i % NPAL], d);
			if (stacked)
				base -= h;
		}
	}
	xlabels(f, t, n, x0, bw, y0);
	fputs("</svg></div>\n", f);
}

/* chart_lines - lines over the rows; log10 y axis when logy */
static void chart_lines(FILE *f, const struct rep_table *t, const int *ycols, int ny,
			const char *title, const char *ytitle, bool logy)
{
	size_t n = data_rows(t);
	if (!n || !ny)
		return;
	int W = 900, H = 310;
	double x0 = 70, x1 = W - 20, y1 = 50, y0 = H - 40;
	double max = 0;
	for (size_t r = 0; r < n; r++)
		for (int i = 0; i < ny; i++)
			if (!rep_cell(t, r, ycols[i])->null)
				max = fmax(max, rep_cell(t, r, ycols[i])->d);
	svg_open(f, t, title, W, H);
	legend(f, t, ycols, ny, x0, 40);
	double top, lo = 0;
	char buf[32];
	if (logy) {
		int decades = (int)ceil(log10(max > 1 ? max : 10));
		if (decades < 1)
			decades = 1;
		top = decades;
		for (int d = 0; d <= decades; d++) {
			double y = y0 - ((double)d / top) * (y0 - y1);
			num_label(buf, sizeof buf, pow(10, d));
			fprintf(f, "<line class='grid' x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f'/>"
				"<text class='tick' x='%.1f' y='%.1f' text-anchor='end'>%s</text>\n",
				x0, y, x1, y, x0 - 6, y + 4, buf);
		}
		if (ytitle)
			fprintf(f, "<text class='tick' transform='translate(14 %.1f) rotate(-90)' "
				"text-anchor='middle'>%s (log)</text>\n", (y0 + y1) / 2, ytitle);
		fprintf(f, "<line class='axis' x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f'/>"
			"<line class='axis' x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f'/>\n",
			x0, y0, x1, y0, x0, y0, x0, y1);
	} else {
		top = yaxis_linear(f, max, x0, x1, y0, y1, ytitle, false);
	}
	double bw = (x1 - x0) / (double)n;
	for (int i = 0; i < ny; i++) {
		bool pen = false;
		fprintf(f, "<path fill='none' stroke='%s' stroke-width='2' d='", palette[i % NPAL]);
		for (size_t r = 0; r < n; r++) {
			const struct rep_val *v = rep_cell(t, r, ycols[i]);
			if (v->null || (logy && v->d < 1)) {
				pen = false;
				continue;
			}
			double yy = logy ? log10(v->d) : v->d;
			double x = x0 + bw * ((double)r + 0.5), y = y0 - (yy - lo) / top * (y0 - y1);
			fprintf(f, "%c%.1f %.1f ", pen ? 'L' : 'M', x, y);
			pen = true;
		}
		fputs("'/>\n", f);
		for (size_t r = 0; r < n; r++) {
			const struct rep_val *v = rep_cell(t, r, ycols[i]);
			if (v->null || (logy && v->d < 1))
				continue;
			double yy = logy ? log10(v->d) : v->d;
			double x = x0 + bw * ((double)r + 0.5), y = y0 - (yy - lo) / top * (y0 - y1);
			fprintf(f, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'><title>%.6g</title>"
				"</circle>\n", x, y, palette[i % NPAL], v->d);
		}
	}
	/* label at most about 16 weeks so the axis stays readable */
	size_t every = n / 16 + 1;
	for (size_t r = 0; r < n; r += every) {
		xlabel(t, r, buf, sizeof buf);
		fprintf(f, "<text class='tick' x='%.1f' y='%.1f' text-anchor='middle'>",
			x0 + bw * ((double)r + 0.5), y0 + 16);
		esc(f, buf);
		fputs("</text>\n", f);
	}
	fputs("</svg></div>\n", f);
}

/* html_table - one table as HTML, with its group heading row */
static void html_table(FILE *f, const struct rep_table *t)
{
	char buf[256];
	if (!t->nrows) {
		fputs("<p class='empty'>No data.</p>\n", f);
		return;
	}
	fprintf(f, "<div class='scroll'><table id='table-%s'>\n<thead>", t->key);
	bool groups = false;
	for (int c = 0; c < t->ncols; c++)
		groups |= t->cols[c].group != NULL;
	if (groups) {
		fputs("<tr>", f);
		for (int c = 0; c < t->ncols;) {
			const char *g = t->cols[c].group;
			int e = c + 1;
			while (g && e < t->ncols && t->cols[e].group && !strcmp(g, t->cols[e].group))
				e++;
			fprintf(f, "<th%s colspan='%d'>", g ? " class='group'" : "", e - c);
			esc(f, g ? g : "");
			fputs("</th>", f);
			c = e;
		}
		fputs("</tr>\n", f);
	}
	fputs("<tr>", f);
	for (int c = 0; c < t->ncols; c++) {
		fprintf(f, "<th%s data-key='%s'>", t->cols[c].kind == REP_STR ? "" : " class='num'",
			t->cols[c].key);
		esc(f, t->cols[c].title);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t r = 0; r < t->nrows; r++) {
		bool total = t->total_row && r + 1 == t->nrows;
		fprintf(f, "<tr%s>", total ? " class='total'" : "");
		for (int c = 0; c < t->ncols; c++) {
			rep_format(t, r, c, buf, sizeof buf);
			const char *cls = t->cols[c].kind == REP_PCT ? "num pct" :
					  t->cols[c].kind != REP_STR ? "num" :
					  !strcmp(t->cols[c].key, "misbehaving") && *buf ? "flag" :
					  !strcmp(t->cols[c].key, "reason") ? "wrap" : NULL;
			if (cls)
				fprintf(f, "<td class='%s'>", cls);
			else
				fputs("<td>", f);
			esc(f, buf);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

/* cell_of - the value in column key of the row whose first column is row0 */
static const struct rep_val *cell_of(const struct report *r, const char *table,
				     const char *row0, const char *key)
{
	const struct rep_table *t = report_table(r, table);
	if (!t)
		return NULL;
	for (int c = 0; c < t->ncols; c++) {
		if (strcmp(t->cols[c].key, key))
			continue;
		for (size_t i = 0; i < t->nrows; i++) {
			const struct rep_val *v = rep_cell(t, i, 0);
			if (!row0 || (v->s && !strcmp(v->s, row0)))
				return rep_cell(t, i, c)->null ? NULL : rep_cell(t, i, c);
		}
	}
	return NULL;
}

/* figures - a row of key figures taken from the tables */
static void figures(FILE *f, const struct report *r)
{
	const struct rep_val *v6 = cell_of(r, "families", "IPv6", "attempts_pct");
	const struct rep_val *h6 = cell_of(r, "os", "Total", "hosts_associated_pct");
	const struct rep_val *a6 = cell_of(r, "os", "Total", "attempts_associated_pct");
	const struct rep_table *m = report_table(r, "misbehaving");
	if (!v6 && !h6)
		return;
	fputs("<div class='figures'>\n", f);
	if (v6)
		fprintf(f, "<div class='fig'><b>%.1f%%</b><span>of the attempts came over "
			"IPv6</span></div>\n", v6->d);
	if (h6)
		fprintf(f, "<div class='fig'><b>%.1f%%</b><span>of the IPv6 hosts are tied to "
			"known IPv4 spammers</span></div>\n", h6->d);
	if (a6)
		fprintf(f, "<div class='fig'><b>%.1f%%</b><span>of the IPv6 attempts came from "
			"them</span></div>\n", a6->d);
	if (m)
		fprintf(f, "<div class='fig'><b>%zu</b><span>misbehaving IPv6 /64%s</span>"
			"</div>\n", m->nrows, m->nrows == 1 ? "" : "s");
	fputs("</div>\n", f);
}

/* report_html - the whole page (report.h) */
int report_html(FILE *f, const struct report *r)
{
	char a[40], b[40];
	fputs("<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
	      "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
	      "<title>mxsensor report</title>\n<style>\n", f);
	fputs(css, f);
	fputs("</style>\n</head>\n<body>\n<main>\n<header>\n<h1>mxsensor report</h1>\n"
	      "<p class='meta'>Store <code>", f);
	esc(f, r->store);
	fputs("</code> &middot; sensors: ", f);
	esc(f, r->sensors && *r->sensors ? r->sensors : "none");
	fputs(" &middot; filters: ", f);
	esc(f, r->filters);
	if (r->first_ns) {
		fputs(" &middot; attempts from ", f);
		esc(f, out_time_iso(r->first_ns, 0, a));
		fputs(" to ", f);
		esc(f, out_time_iso(r->last_ns, 0, b));
	}
	fputs("</p>\n</header>\n", f);
	figures(f, r);
	if (r->nsummary) {
		fputs("<ul class='summary' id='summary'>\n", f);
		for (size_t i = 0; i < r->nsummary; i++) {
			fputs("<li>", f);
			esc(f, r->summary[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	if (r->ntables > 1) {
		fputs("<nav>\n", f);
		for (size_t i = 0; i < r->ntables; i++) {
			fprintf(f, "<a href='#%s'>", r->tables[i]->key);
			esc(f, r->tables[i]->title);
			fputs("</a>\n", f);
		}
		fputs("</nav>\n", f);
	}
	for (size_t i = 0; i < r->ntables; i++) {
		const struct rep_table *t = r->tables[i];
		fprintf(f, "<section id='%s'>\n<h2>", t->key);
		esc(f, t->title);
		fputs("</h2>\n", f);
		switch (t->chart) {
		case REP_CHART_BARS:
			chart_bars(f, t, false);
			break;
		case REP_CHART_HIST:
			chart_bars(f, t, true);
			break;
		case REP_CHART_LINES_LOG:
			chart_lines(f, t, t->ycols, t->ny, t->chart_title, t->y_title, true);
			if (t->y2col > 0)
				chart_lines(f, t, &t->y2col, 1, t->y2_title, NULL, false);
			break;
		case REP_CHART_NONE:
			break;
		}
		html_table(f, t);
		if (t->note) {
			fputs("<p class='note'>", f);
			esc(f, t->note);
			fputs("</p>\n", f);
		}
		fputs("</section>\n", f);
	}
	fputs("<footer>Generated by mxsensor ", f);
	esc(f, MXSENSOR_VERSION);
	fputs(" on ", f);
	esc(f, r->generated);
	fputs(". Tables as data: <code>mxsensor report --format json</code> or "
	      "<code>--format csv</code>.</footer>\n</main>\n</body>\n</html>\n", f);
	fflush(f);
	return ferror(f) ? -1 : 0;
}
