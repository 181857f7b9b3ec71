/*
 * out.h - machine-readable output: CSV (RFC 4180), JSON lines, and time.
 *
 * One record is an array of column values as text; NULL is an absent
 * value (empty in CSV, null in JSON), and isnum[i] marks values that are
 * JSON numbers.  Text from outside (log names, PTR names) is escaped here,
 * so no caller writes it raw.
 */
#ifndef MX_OUT_H
#define MX_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum out_fmt { OUT_TEXT, OUT_CSV, OUT_JSONL };

/* out_fmt_parse - "text", "csv", "jsonl" (or "json"); 0 or -1 */
int out_fmt_parse(const char *s, enum out_fmt *f);
/*
 * out_csv_escape, out_json_escape - the text out_csv_field /
 * out_json_str write, into dst instead (for writers that build a line in
 * memory).  dst needs OUT_ESC_MAX(strlen(s)) bytes; the text is
 * NUL-terminated and its length returned.
 */
#define OUT_ESC_MAX(len) ((len) * 6 + 3)
size_t out_csv_escape(char *dst, const char *s);
size_t out_json_escape(char *dst, const char *s);
/* out_csv_field - one field, quoted when it holds , " CR or LF */
void out_csv_field(FILE *f, const char *s);
/* out_json_str - a JSON string literal (control bytes escaped) */
void out_json_str(FILE *f, const char *s);
/* out_header - CSV header line (nothing for JSON lines) */
void out_header(FILE *f, enum out_fmt fmt, int n, const char *const *names);
/* out_row - one record as CSV or one JSON object line */
void out_row(FILE *f, enum out_fmt fmt, int n, const char *const *names,
	     const char *const *vals, const bool *isnum);
/* out_time_iso - "2026-01-01T00:00:00.123Z" (digits 0, 3, 6 or 9) */
char *out_time_iso(int64_t ns, int digits, char buf[40]);

#endif
