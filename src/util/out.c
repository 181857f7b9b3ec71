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

size_t out_json_escape(char *dst, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char *p = dst;
	*p++ = '"';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			*p++ = '\\';
			*p++ = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[ch >> 4];
			p[5] = hex[ch & 15];
			p += 6;
		} else {
			*p++ = (char)ch;
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
