/*
 * mtalog_text.c - bounded text helpers shared by the MTA log parsers:
 * ISO 8601 and epoch time stamps, bracketed addresses, zone names, safe
 * copies of reply text.
 *
 * Trusts nothing: every scan stops at the terminating NUL or at an explicit
 * end, numbers are range-checked, and copied text is reduced to printable
 * ASCII so attacker-chosen bytes never reach a terminal or CSV unescaped.
 */
#include <string.h>

#include "mtalog/mtalog_int.h"

/* mtalog_days_from_civil - days since 1970-01-01 (H. Hinnant) */
int64_t mtalog_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* digits - exactly n digits at s as a number within [lo, hi]; 0 or -1 */
static int digits(const char *s, unsigned n, unsigned lo, unsigned hi, unsigned *v)
{
	unsigned x = 0;
	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (unsigned)(s[i] - '0');
	}
	if (x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

/* mdays - days in month m of year y */
static unsigned mdays(unsigned y, unsigned m)
{
	static const unsigned char n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : n[m - 1];
}

/* mtalog_time_iso - an ISO 8601 / RFC 3339 stamp */
int mtalog_time_iso(const char *s, bool sep_space, const char **end, int64_t *ns)
{
	unsigned y, mo, d, hh, mi, ss;
	/* 2200: nanoseconds since 1970 in an int64_t end in 2262 */
	if (digits(s, 4, 1970, 2200, &y) < 0 || s[4] != '-' ||
	    digits(s + 5, 2, 1, 12, &mo) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, 1, 31, &d) < 0 || d > mdays(y, mo))
		return -1;
	if (!(s[10] == 'T' || s[10] == 't' || (sep_space && s[10] == ' ')))
		return -1;
	const char *p = s + 11;
	if (digits(p, 2, 0, 23, &hh) < 0 || p[2] != ':' ||
	    digits(p + 3, 2, 0, 59, &mi) < 0 || p[5] != ':' ||
	    digits(p + 6, 2, 0, 60, &ss) < 0)
		return -1;
	p += 8;
	int64_t frac = 0;
	if ((*p == '.' || *p == ',') && p[1] >= '0' && p[1] <= '9') {
		int64_t scale = 100000000;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	int64_t off = 0;   /* seconds east of UTC */
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		unsigned oh, om;
		int sign = *p == '-' ? -1 : 1;
		const char *q = p + 1;
		if (digits(q, 2, 0, 23, &oh) < 0)
			return -1;
		q += 2;
		if (*q == ':')
			q++;
		if (digits(q, 2, 0, 59, &om) < 0)
			return -1;
		off = sign * ((int64_t)oh * 3600 + om * 60);
		p = q + 2;
	}
	int64_t secs = mtalog_days_from_civil(y, mo, d) * 86400 +
	               (int64_t)hh * 3600 + mi * 60 + ss - off;
	*ns = secs * NS_PER_S + frac;
	*end = p;
	return 0;
}

/* mtalog_time_epoch - epoch seconds with a fraction */
int mtalog_time_epoch(const char *s, const char *e, int64_t *ns)
{
	int64_t sec = 0, frac = 0, scale = 100000000;
	const char *p = s;
	if (p == e)
		return -1;
	for (; p < e && *p >= '0' && *p <= '9'; p++) {
		sec = sec * 10 + (*p - '0');
		/* nanoseconds in int64_t end in 2262: not a log time after */
		if (sec > (INT64_MAX - NS_PER_S) / NS_PER_S)
			return -1;
	}
	if (p == s)
		return -1;
	if (p < e && *p == '.') {
		for (p++; p < e && *p >= '0' && *p <= '9'; p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (p != e)
		return -1;
	*ns = sec * NS_PER_S + frac;
	return 0;
}

/* mtalog_token_addr - a numeric address, "IPv6:" and "%zone" allowed */
int mtalog_token_addr(const char *s, const char *e, struct addr *a)
{
	if (e <= s)
		return -1;
	if (e - s >= 6 && !strncasecmp(s, "IPv6:", 5))
		s += 5;
	const char *pct = memchr(s, '%', (size_t)(e - s));
	if (pct)
		e = pct;
	if (e <= s || e - s >= ADDR_STRLEN)
		return -1;
	return addr_parse_n(s, (size_t)(e - s), a);
}

/* mtalog_bracket_addr - a numeric address in brackets */
int mtalog_bracket_addr(const char *s, struct addr *a, const char **end)
{
	if (*s != '[')
		return -1;
	const char *p = s + 1, *q = p;
	while (*q && *q != ']' && q - p < 64)
		q++;
	if (*q != ']')
		return -1;
	if (mtalog_token_addr(p, q, a) < 0)
		return -1;
	*end = q + 1;
	return 0;
}

/* zone_char - a byte allowed in a DNS zone name */
static bool zone_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* mtalog_zone - a DNS zone name, bounded and checked */
size_t mtalog_zone(const char *s, char *out, size_t n)
{
	size_t i = 0;
	while (zone_char(s[i]) && i + 1 < n) {
		out[i] = s[i];
		i++;
	}
	if (zone_char(s[i]))       /* longer than out: not a usable name */
		i = 0;
	while (i > 0 && (out[i - 1] == '.' || out[i - 1] == '-'))
		i--;
	out[i] = '\0';
	/* a zone has at least one dot inside */
	if (!memchr(out, '.', i)) {
		out[0] = '\0';
		return 0;
	}
	return i;
}

/* mtalog_text - printable-ASCII copy of untrusted text */
void mtalog_text(const char *s, const char *e, char *out, size_t n)
{
	size_t i = 0;
	for (const char *p = s; p < e && *p && i + 1 < n; p++)
		out[i++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	out[i] = '\0';
}

/* mtalog_find - a needle within [s, e) */
const char *mtalog_find(const char *s, const char *e, const char *needle)
{
	size_t n = strlen(needle);
	if (e < s || (size_t)(e - s) < n)
		return NULL;
	return memmem(s, (size_t)(e - s), needle, n);
}

/* mtalog_startswith - s begins with pfx */
bool mtalog_startswith(const char *s, const char *pfx)
{
	return !strncmp(s, pfx, strlen(pfx));
}

/* mtalog_reply_text - skip an SMTP code and enhanced status */
const char *mtalog_reply_text(const char *s)
{
	const char *p = s;
	if (p[0] >= '2' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9' && (p[3] == ' ' || p[3] == '-')) {
		p += 4;
		/* enhanced status code X.Y.Z (RFC 3463) */
		const char *q = p;
		if (*q >= '2' && *q <= '5' && q[1] == '.') {
			q += 2;
			while (*q >= '0' && *q <= '9')
				q++;
			if (*q == '.') {
				q++;
				while (*q >= '0' && *q <= '9')
					q++;
				if (*q == ' ')
					p = q + 1;
			}
		}
	}
	return p;
}

/* mtalog_is_allowlist - the zone names an allow list */
bool mtalog_is_allowlist(const char *zone)
{
	/* labels that name allow lists: list.dnswl.org, swl.spamhaus.org,
	 * wl.mailspike.net, iadb.isipp.com, ... */
	static const char *const labels[] = {
		"dnswl", "swl", "wl", "whitelist", "allowlist", "iadb", "iadb2",
		NULL,
	};
	const char *p = zone;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		for (size_t i = 0; labels[i]; i++)
			if (strlen(labels[i]) == n && !strncasecmp(p, labels[i], n))
				return true;
		if (!dot)
			break;
		p = dot + 1;
	}
	return false;
}

/* mtalog_parse_time - RFC 3339 or epoch seconds */
int mtalog_parse_time(const char *s, int64_t *ns)
{
	const char *end;
	int64_t t;
	if ((mtalog_time_iso(s, true, &end, &t) == 0 && *end == '\0') ||
	    mtalog_time_epoch(s, s + strlen(s), &t) == 0) {
		*ns = t;
		return 0;
	}
	return -1;
}
