/*
 * mtalog_int.h - private to src/mtalog/: the format table, the shared
 * header and time-stamp parsers, and the text helpers the parsers use.
 *
 * A line handed to a parser is NUL-terminated, at most MTALOG_LINE_MAX
 * bytes, has no newline, and has every NUL byte replaced by '?'; nothing
 * else about it is trusted.
 */
#ifndef MX_MTALOG_INT_H
#define MX_MTALOG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtalog/mtalog.h"

#define NS_PER_S 1000000000LL

/* What a parser made of one line. */
enum mtalog_res {
	MTALOG_NONE,      /* nothing of interest */
	MTALOG_EVENT,     /* *ev is filled (kind, addr, list, reason, ts_ns) */
	MTALOG_UNPARSED,  /* looks like a rejection but cannot be parsed; *why set */
	MTALOG_ALLOW,     /* an allow-list hit (counted, no event) */
};

/* One log format: how to recognise it and how to read one line. */
struct mtalog_fmt {
	const char *name;
	/* detect - true if the line is clearly in this format */
	bool (*detect)(const char *line);
	enum mtalog_res (*parse)(struct mtalog *m, const char *line,
	                         struct mta_event *ev, const char **why);
};

extern const struct mtalog_fmt mtalog_fmt_postfix, mtalog_fmt_exim,
	mtalog_fmt_sendmail, mtalog_fmt_qmail, mtalog_fmt_csv;

/* the systemd journal (mtalog_journal.c): an entry of `journalctl -o
 * json` (or json-seq), or of a journal file, made into "STAMP HOST
 * PROG[PID]: MESSAGE" */
#define JOURNAL_LINE_MAX (4 * MTALOG_LINE_MAX)  /* a raw entry: fields besides */
#define JOURNAL_SKIP (-1)   /* no time, program or message: not a log line */
#define JOURNAL_BAD (-2)    /* not a JSON object, or a message of another kind */
#define JOURNAL_LONG (-3)   /* its line would be longer than MTALOG_LINE_MAX */
struct json_tokener;
struct json_tokener *mtalog_journal_tok(void);
/* mtalog_journal_line - the line of the entry raw[0..len) into out (size
 * outsz): its length, or one of JOURNAL_SKIP, _BAD, _LONG */
int mtalog_journal_line(struct json_tokener *tok, const char *raw, size_t len,
			char *out, size_t outsz);
/* journal files (*.journal), read by sd-journal */
#define JOURNAL_EOF (-4)
#define JOURNAL_ERR (-5)    /* *errnum says why */
struct mtalog_jfile;
/* mtalog_jfile_open - NULL with "PATH: why" in err */
struct mtalog_jfile *mtalog_jfile_open(const char *path, char *err, size_t errlen);
/* mtalog_jfile_next - the next entry's line into out: its length, or
 * JOURNAL_SKIP, _LONG, _EOF or _ERR */
int mtalog_jfile_next(struct mtalog_jfile *jf, char *out, size_t outsz, int *errnum);
void mtalog_jfile_close(struct mtalog_jfile *jf);

/* The syslog line header "STAMP [HOST] PROG[PID]: " */
struct mtalog_hdr {
	int64_t ts_ns;
	const char *prog;   /* points into the line; not NUL-terminated */
	size_t proglen;
	const char *msg;    /* the rest of the line after ": " */
};

/* mtalog_syslog_hdr - parse a syslog header (traditional or RFC 3339
 * stamp, or RFC 5424, after an optional <PRI>); a traditional stamp gets
 * its year from the reader; 0 or -1 */
int mtalog_syslog_hdr(struct mtalog *m, const char *s, struct mtalog_hdr *h);
/* mtalog_prog_hdr - "PROG[PID]: " or "PROG: " at s; 0 and h->prog/msg set */
int mtalog_prog_hdr(const char *s, struct mtalog_hdr *h);
/* mtalog_prog_is - prog equals name, or ends in "/name" */
bool mtalog_prog_is(const struct mtalog_hdr *h, const char *name);
/* mtalog_prog_prefix - prog starts with pfx */
bool mtalog_prog_prefix(const struct mtalog_hdr *h, const char *pfx);

/* mtalog_time_trad - "Mon DD HH:MM:SS[.frac]" at s; year resolved by the
 * reader (opts.year, or from ref_ns and month roll-over); *end past it */
int mtalog_time_trad(struct mtalog *m, const char *s, const char **end, int64_t *ns);
/* mtalog_time_iso - "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|+HHMM]" at s;
 * sep_space allows ' ' between date and time; no zone = UTC */
int mtalog_time_iso(const char *s, bool sep_space, const char **end, int64_t *ns);
/* mtalog_time_epoch - "SECONDS[.frac]" (whole string up to end) */
int mtalog_time_epoch(const char *s, const char *e, int64_t *ns);
/* mtalog_days_from_civil - days since 1970-01-01 of a proleptic date */
int64_t mtalog_days_from_civil(int64_t y, unsigned m, unsigned d);

/* mtalog_bracket_addr - "[ADDR]" or "[IPv6:ADDR]" at s (s points at '[');
 * zone "%x" is dropped; *end past ']'; 0 or -1 */
int mtalog_bracket_addr(const char *s, struct addr *a, const char **end);
/* mtalog_token_addr - numeric address in [s, e); 0 or -1 */
int mtalog_token_addr(const char *s, const char *e, struct addr *a);
/* mtalog_zone - copy a DNS zone name starting at s into out (size n):
 * letters, digits, '-', '_', '.' only, stopping at the first other byte;
 * a trailing dot is dropped; returns the length copied (0 = none) */
size_t mtalog_zone(const char *s, char *out, size_t n);
/* mtalog_text - copy [s, e) into out (size n) as printable ASCII
 * (other bytes become '?'), truncated; always NUL-terminated */
void mtalog_text(const char *s, const char *e, char *out, size_t n);
/* mtalog_find - first occurrence of the NUL-terminated needle in [s, e) */
const char *mtalog_find(const char *s, const char *e, const char *needle);
/* mtalog_startswith - s begins with pfx */
bool mtalog_startswith(const char *s, const char *pfx);
/* mtalog_reply_text - skip "CODE " and an optional "X.Y.Z " at s */
const char *mtalog_reply_text(const char *s);
/* mtalog_is_allowlist - zone name is a known allow list (dnswl...) */
bool mtalog_is_allowlist(const char *zone);

/* mtalog_dnsblog_note / _lookup - recent dnsblog hits, so a postscreen
 * "DNSBL rank" line can name the list that fired */
void mtalog_dnsblog_note(struct mtalog *m, const struct addr *a, const char *zone);
const char *mtalog_dnsblog_lookup(const struct mtalog *m, const struct addr *a);

#endif
