/*
 * report.h - the method's tables and charts, built from the store.
 *
 * report_build() reads the store (store_query() only, backend-neutral SQL:
 * joins, GROUP BY, COUNT(DISTINCT), integer division) and fills a data
 * model of plain tables; each renderer (report_text.c, report_csv.c,
 * report_json.c, report_html.c) turns the same model into one format, so
 * every format shows the same numbers.
 *
 * A table has typed columns (text, integer count, percentage, decimal) and
 * rows of values; a chart hint says how the HTML renderer draws it (bars
 * per category, a log-scale line chart, a histogram).  The last row of a
 * table may be a total (total_row), which charts leave out.
 *
 * Ownership: the report owns every string and table; report_free() frees
 * all of it.  Values are copied in.
 */
#ifndef MX_REPORT_H
#define MX_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;

enum rep_kind {
	REP_STR,       /* text */
	REP_INT,       /* a count */
	REP_PCT,       /* a percentage 0..100 (one decimal in text) */
	REP_NUM,       /* a decimal number (ratio, mean) */
};

#define REP_MAXCOLS 24

struct rep_col {
	const char *key;      /* CSV header / JSON key: [a-z0-9_]+, stable */
	const char *title;    /* column heading for text and HTML */
	enum rep_kind kind;
	const char *group;    /* heading over a run of columns ("Hosts"), or NULL */
};

struct rep_val {
	bool null;            /* absent (no data, division by zero) */
	int64_t i;            /* REP_INT */
	double d;             /* REP_PCT, REP_NUM */
	char *s;              /* REP_STR (owned) */
};

enum rep_chart {
	REP_CHART_NONE,
	REP_CHART_BARS,       /* grouped bars: categories = xcol, one bar per ycol */
	REP_CHART_LINES_LOG,  /* lines over xcol on a log10 y axis */
	REP_CHART_HIST,       /* stacked histogram: bins = xcol, stacks = ycols */
};

struct rep_table {
	const char *key;      /* "os", "addr_type", "weekly", ... (stable) */
	const char *title;
	char *note;           /* one paragraph of explanation, may be NULL (owned) */
	int ncols;
	struct rep_col cols[REP_MAXCOLS];
	size_t nrows, cap;
	struct rep_val *vals; /* nrows * ncols, row-major */
	bool total_row;       /* the last row is a total */
	/* chart hint */
	enum rep_chart chart;
	const char *chart_title;
	const char *y_title;
	int xcol;
	bool xjoin;           /* category label = xcol value + " " + next column's */
	int ny;
	int ycols[8];
	int y2col;            /* > 0: also a linear line chart of this column */
	const char *y2_title;
};

/* report_filter - which attempts a report counts (all zero/NULL = all) */
struct report_filter {
	int64_t from_ns, to_ns;     /* first SYN in [from, to); 0 = open */
	const char *sensor_addr;    /* attempts.dst, canonical text */
	const char *sensor;         /* attempts.sensor (analyze --sensor); NULL = all */
	int family;                 /* 4, 6 or 0 */
	const char *label;          /* hosts.label */
	unsigned top;               /* rows of the top-source tables (default 10) */
	/* misbehaving prefix: at least min_attempts, one attempt per at most
	 * max_interval_s on average, and at least min_nov4_pct of the attempts
	 * without an IPv4 counterpart */
	unsigned misb_min_attempts; /* default 100 */
	double misb_max_interval_s; /* default 60 */
	double misb_min_nov4_pct;   /* default 90 */
};

/* report_filter_init - defaults */
void report_filter_init(struct report_filter *f);

struct report {
	char *generated;            /* ISO time of the build */
	char *store;                /* store location */
	char *filters;              /* the filters as text ("none") */
	char *sensors;              /* sensor names of the runs, comma-separated */
	int64_t first_ns, last_ns;  /* first and last counted attempt (0: none) */
	size_t nsummary;
	char *summary[12];          /* plain-language sentences (owned) */
	size_t ntables;
	struct rep_table *tables[16];
};

/* report_build - read the store into a fresh report; NULL on a store error */
struct report *report_build(struct store *st, const struct report_filter *f);
void report_free(struct report *r);
/* report_table - the table with this key, or NULL */
const struct rep_table *report_table(const struct report *r, const char *key);

/* report_keep - drop every table but key (and the summary when key is not
 * "summary"); -1 when no table has that key */
int report_keep(struct report *r, const char *key);

/* --- renderers: 0, or -1 on a write error (errno set) --- */
/* report_text - aligned tables, fit in 100 columns */
int report_text(FILE *f, const struct report *r);
/* report_csv_table - one table as CSV with a header line */
int report_csv_table(FILE *f, const struct rep_table *t);
/* report_csv_summary - the summary sentences as CSV (column "sentence") */
int report_csv_summary(FILE *f, const struct report *r);
/* report_csv_dir - one KEY.csv per table (and summary.txt) in dir, which
 * must exist; logs "mxsensor: PATH: what" on error */
int report_csv_dir(const char *dir, const struct report *r);
/* report_json - one JSON document (docs/report-json.md) */
int report_json(FILE *f, const struct report *r);
/* report_html - one self-contained HTML page with inline SVG charts */
int report_html(FILE *f, const struct report *r);

/* --- table building --- */
struct rep_table *rep_table_new(const char *key, const char *title);
void rep_table_free(struct rep_table *t);
/* rep_col_add - append a column; returns its index */
int rep_col_add(struct rep_table *t, const char *key, const char *title, enum rep_kind k);
/* rep_col_group - set the group heading of column col */
void rep_col_group(struct rep_table *t, int col, const char *group);
/* rep_row_add - append a row of null values; returns its index */
size_t rep_row_add(struct rep_table *t);
struct rep_val *rep_cell(const struct rep_table *t, size_t row, int col);
void rep_set_str(struct rep_table *t, size_t row, int col, const char *s);
void rep_set_int(struct rep_table *t, size_t row, int col, int64_t v);
/* rep_set_num - REP_PCT/REP_NUM value; NaN or infinity stores null */
void rep_set_num(struct rep_table *t, size_t row, int col, double v);
/* rep_set_pct - 100 * part / whole (null when whole is 0) */
void rep_set_pct(struct rep_table *t, size_t row, int col, int64_t part, int64_t whole);
/* rep_format - a cell as text ("" for null; percentages with one decimal) */
char *rep_format(const struct rep_table *t, size_t row, int col, char *buf, size_t n);

/* --- helpers (unit-tested) --- */
/* report_iso_week - ISO 8601 week of a day (days since 1970-01-01, UTC):
 * weeks start on Monday; week 1 holds the year's first Thursday.  Sets
 * year and week, returns the day number of that week's Monday. */
int64_t report_iso_week(int64_t day, int *year, int *week);
/* report_addr_kind - the IPv6 address type row of a host: "6to4", "EUI-64",
 * "embedded IPv4", "other", "Teredo", "ISATAP", "NAT64" (from the hosts
 * columns addr_type, iid_class and emb_kind; any may be NULL) */
const char *report_addr_kind(const char *addr_type, const char *iid_class,
			     const char *emb_kind);
/* report_os_row - the OS family row name: NULL or "" -> "Unknown"; names
 * outside Windows, Linux, Mac OS X, BSD, Unknown -> "Other" */
const char *report_os_row(const char *os_family);
/* report_port_bucket - histogram bin of a TCP source-port distance by its
 * absolute value: 0 -> 0, 1 -> 1, 2 -> 2, 3-4 -> 3, 5-8 -> 4, ...,
 * 2^(k-1)+1..2^k -> k+1 (at most 17 for 65535) */
int report_port_bucket(int64_t dist);
/* report_port_bucket_name - "0", "1", "2", "3-4", "5-8", ... */
const char *report_port_bucket_name(int b, char *buf, size_t n);
#define REPORT_PORT_BUCKETS 18
/* report_gap_bucket - bin of a time gap: 0 negative (overlap), 1 <1 ms,
 * 2 1-10 ms, 3 10-100 ms, 4 0.1-1 s, 5 1-10 s, 6 >= 10 s */
int report_gap_bucket(int64_t gap_ns);
extern const char *const report_gap_bucket_names[];
#define REPORT_GAP_BUCKETS 7
/* report_duration - "45s", "12m", "3h20m", "5d4h" */
char *report_duration(int64_t ns, char *buf, size_t n);
/* report_time_parse - "2026-01-01", "2026-01-01T10:00", "...:00Z" (UTC) to
 * ns; *date_only tells whether only a date was given; 0 or -1 */
int report_time_parse(const char *s, int64_t *ns, bool *date_only);

#endif
