/*
 * out.c - CSV, JSON lines and ISO times (see out.h).
 */
#include "util/out.h"

#include "util/alloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int out_fmt_parse(const char *s, enum out_fmt *f)
{
	if (!strcmp(s, "text"))
		*f = OUT_TEXT;
	else if (!strcmp(s, "csv"))
		*f = OUT_CSV;
	else if (!strcmp(s, "jsonl") || !strcmp(s, "json"))
		*f = OUT_JSONL;
	else
		return -1;
	return 0;
}

size_t out_csv_escape(char *dst, const char *s)
{
	char *p = dst;
	size_t len = strlen(s);
	if (!strpbrk(s, ",\"\r\n")) {
		memcpy(dst, s, len + 1);
		return len;
	}
	*p++ = '"';
	for (; *s; s++) {
		if (*s == '"')
			*p++ = '"';
		*p++ = *s;
	}
	*p++ = '"';
	*p = '\0';
	return (size_t)(p - dst);
}

/* utf8_len - the length of the well-formed UTF-8 sequence at s (RFC
 * 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
 * the negated length of its maximal ill-formed start (at least 1), the
 * part one U+FFFD replaces (Unicode's "substitution of maximal
 * subparts"); s[0] >= 0x80 */
static int utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	int n;
	unsigned char lo = 0x80, hi = 0xbf;  /* the second byte's range */
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return -1;
	}
	if (s[1] < lo || s[1] > hi)
		return -1;
	for (int i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return -i;
	return n;
}

size_t out_json_escape(char *dst, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char *p = dst;
	*p++ = '"';
	for (const unsigned char *u = (const unsigned char *)s; *u;) {
		unsigned char ch = *u;
		if (ch == '"' || ch == '\\') {
			*p++ = '\\';
			*p++ = (char)ch;
			u++;
		} else if (ch < 0x20 || ch == 0x7f) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[ch >> 4];
			p[5] = hex[ch & 15];
			p += 6;
			u++;
		} else if (ch < 0x80) {
			*p++ = (char)ch;
			u++;
		} else {
			/* JSON text is UTF-8 (RFC 8259 section 8.1): a byte that
			 * starts no well-formed sequence (a PTR name or a log's
			 * text in Latin-1, or hostile bytes) becomes U+FFFD, 6
			 * bytes for at least 1, within OUT_ESC_MAX */
			int n = utf8_len(u);
			if (n > 0) {
				memcpy(p, u, (size_t)n);
				p += n;
				u += n;
			} else {
				memcpy(p, "\\ufffd", 6);
				p += 6;
				u += -n;
			}
		}
	}
	*p++ = '"';
	*p = '\0';
	return (size_t)(p - dst);
}

/* put_escaped - s through esc() onto f (stack buffer for short text) */
static void put_escaped(FILE *f, const char *s, size_t (*esc)(char *, const char *))
{
	char small[512];
	size_t need = OUT_ESC_MAX(strlen(s));
	char *b = need <= sizeof(small) ? small : xmalloc(need);
	fwrite(b, 1, esc(b, s), f);
	if (b != small)
		free(b);
}

void out_csv_field(FILE *f, const char *s)
{
	put_escaped(f, s, out_csv_escape);
}

void out_json_str(FILE *f, const char *s)
{
	put_escaped(f, s, out_json_escape);
}

void out_header(FILE *f, enum out_fmt fmt, int n, const char *const *names)
{
	if (fmt == OUT_JSONL)
		return;
	for (int i = 0; i < n; i++) {
		if (i)
			putc(fmt == OUT_CSV ? ',' : '\t', f);
		out_csv_field(f, names[i]);
	}
	putc('\n', f);
}

void out_row(FILE *f, enum out_fmt fmt, int n, const char *const *names,
	     const char *const *vals, const bool *isnum)
{
	if (fmt == OUT_JSONL) {
		putc('{', f);
		for (int i = 0; i < n; i++) {
			if (i)
				putc(',', f);
			out_json_str(f, names[i]);
			putc(':', f);
			if (!vals[i])
				fputs("null", f);
			else if (isnum && isnum[i] && vals[i][0])
				fputs(vals[i], f);
			else
				out_json_str(f, vals[i]);
		}
		fputs("}\n", f);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (i)
			putc(fmt == OUT_CSV ? ',' : '\t', f);
		if (vals[i])
			out_csv_field(f, vals[i]);
	}
	putc('\n', f);
}

char *out_time_iso(int64_t ns, int digits, char buf[40])
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		strcpy(buf, "?");
		return buf;
	}
	size_t n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	if (digits == 3)
		snprintf(buf + n, 40 - n, ".%03" PRId64 "Z", frac / 1000000);
	else if (digits == 6)
		snprintf(buf + n, 40 - n, ".%06" PRId64 "Z", frac / 1000);
	else if (digits == 9)
		snprintf(buf + n, 40 - n, ".%09" PRId64 "Z", frac);
	else
		snprintf(buf + n, 40 - n, "Z");
	return buf;
}
