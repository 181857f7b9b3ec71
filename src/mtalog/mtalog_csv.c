/*
 * mtalog_csv.c - a plain CSV of DNSBL rejections, one per row:
 *
 *   timestamp,address,list          (this header line is optional)
 *   2024-05-01T10:00:00Z,192.0.2.1,zen.spamhaus.org
 *   1714557600.25,2001:db8::1,bl.example.net
 *
 * timestamp is RFC 3339 / ISO 8601 ('T' or ' ' between date and time, no
 * zone = UTC) or seconds since the epoch with an optional fraction.
 * Fields may be double-quoted; fields after the third are ignored.  Every
 * row is an MTA_DNSBL_REJECT; a row that does not parse is counted as an
 * unparsed rejection.
 *
 * Trusts nothing: fields are bounded, the address must be numeric, the
 * list is copied as printable ASCII.
 */
#include <string.h>

#include "mtalog/mtalog_int.h"

#define CSV_FIELDS 3

struct field {
	const char *s, *e;
};

/* split - the first CSV_FIELDS fields of line; returns how many */
static int split(const char *line, struct field f[CSV_FIELDS])
{
	const char *p = line;
	int n = 0;
	while (n < CSV_FIELDS) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *s = p, *e;
		if (*p == '"') {
			s = ++p;
			while (*p && *p != '"')
				p++;
			e = p;
			if (*p == '"')
				p++;
			while (*p == ' ' || *p == '\t')
				p++;
		} else {
			while (*p && *p != ',')
				p++;
			e = p;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
		}
		f[n].s = s;
		f[n].e = e;
		n++;
		if (*p != ',')
			break;
		p++;
	}
	return n;
}

/* csv_time - ISO 8601 or epoch seconds filling [s, e) */
static int csv_time(const char *s, const char *e, int64_t *ns)
{
	const char *end;
	char buf[64];
	if ((size_t)(e - s) >= sizeof buf)
		return -1;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	if (mtalog_time_iso(buf, true, &end, ns) == 0 && *end == '\0')
		return 0;
	return mtalog_time_epoch(s, e, ns);
}

/* is_header - fields of letters, blanks and '_' only */
static bool is_header(const struct field *f, int n)
{
	for (int i = 0; i < n; i++) {
		if (f[i].s == f[i].e)
			return false;
		for (const char *p = f[i].s; p < f[i].e; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      *p == '_' || *p == ' '))
				return false;
	}
	return true;
}

/* csv_parse - one CSV row: the format table's parse entry */
static enum mtalog_res csv_parse(struct mtalog *m, const char *line,
                                 struct mta_event *ev, const char **why)
{
	(void)m;
	struct field f[CSV_FIELDS];
	int n = split(line, f);
	if (n == CSV_FIELDS && is_header(f, n))
		return MTALOG_NONE;
	if (n < CSV_FIELDS) {
		*why = "CSV row with fewer than 3 fields";
		return MTALOG_UNPARSED;
	}
	if (csv_time(f[0].s, f[0].e, &ev->ts_ns) < 0) {
		*why = "CSV time stamp is neither RFC 3339 nor epoch seconds";
		return MTALOG_UNPARSED;
	}
	if (mtalog_token_addr(f[1].s, f[1].e, &ev->addr) < 0) {
		*why = "CSV address is not numeric";
		return MTALOG_UNPARSED;
	}
	mtalog_text(f[2].s, f[2].e, ev->list, sizeof ev->list);
	ev->kind = MTA_DNSBL_REJECT;
	return MTALOG_EVENT;
}

/* csv_detect - a header or a row whose time and address parse */
static bool csv_detect(const char *line)
{
	struct field f[CSV_FIELDS];
	int n = split(line, f);
	int64_t ns;
	struct addr a;
	if (n < CSV_FIELDS)
		return false;
	if (is_header(f, n))
		return (f[0].e - f[0].s >= 4 && !strncasecmp(f[0].s, "time", 4));
	return csv_time(f[0].s, f[0].e, &ns) == 0 &&
	       mtalog_token_addr(f[1].s, f[1].e, &a) == 0;
}

const struct mtalog_fmt mtalog_fmt_csv = {
	"csv", csv_detect, csv_parse,
};
