/*
 * mtalog.c - the MTA log reader: bounded line reading from plain or gzip'd
 * files, format detection, the format table, syslog headers and year
 * resolution of syslog time stamps.
 *
 * Trusts nothing in the file: lines longer than MTALOG_LINE_MAX are skipped
 * and counted, NUL bytes are replaced, and every field is parsed by the
 * bounded helpers of mtalog_text.c.  The per-format parsers are
 * mtalog_<format>.c, one file each, listed once in formats[] below.
 */
#include <errno.h>
#include <json-c/json_tokener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "mtalog/mtalog_int.h"
#include "util/alloc.h"
#include "util/log.h"

#define RD_CAP (64 * 1024)            /* read buffer; > MTALOG_LINE_MAX */
#define DAY_NS (86400LL * NS_PER_S)
#define YEAR_SLACK_NOW (1 * DAY_NS)   /* lines may be this far after "now" */
#define YEAR_SLACK_REF (31 * DAY_NS)  /* ... or after the capture start */
#define ROLLBACK_NS (183 * DAY_NS)    /* a jump back this far = new year */
#define DNSBLOG_RING 64
/* lines read at most to find a format's (detect) */
#define DETECT_MAX_LINES (1u << 20)

/* formats - detection order is also the order of preference on ties */
static const struct mtalog_fmt *const formats[] = {
	&mtalog_fmt_postfix, &mtalog_fmt_exim, &mtalog_fmt_sendmail,
	&mtalog_fmt_qmail, &mtalog_fmt_csv, NULL,
};

static const struct mtalog_fmt fmt_empty = { "empty", NULL, NULL };

struct replay_line {
	char *s;
	uint64_t no;
	bool bad;                      /* a journal entry that is not one */
};

struct dnsblog_hit {
	struct addr a;
	char zone[128];
};

struct mtalog {
	gzFile gz;
	char *path;
	struct mtalog_opts opts;
	const struct mtalog_fmt *fmt;
	/* the other formats, for lines fmt makes nothing of */
	const struct mtalog_fmt *also[4];
	size_t nalso;
	unsigned also_used;            /* bit k: also[k] read a line */
	char names[64];                /* "postfix+exim": mtalog_format */
	/* a systemd journal export (JSON lines): each entry read becomes
	 * the syslog line it was (jline) */
	bool journal;
	struct json_tokener *tok;
	struct mtalog_jfile *jf;       /* a journal file (sd-journal) */
	char *jline;
	size_t line_max;               /* longer raw lines are skipped */
	/* reader: bytes [start, end) of buf are unread */
	char *buf;
	size_t start, end;
	bool eof, skipping, failed;
	char errmsg[128];              /* the first read error */
	uint64_t lineno;
	/* lines read during detection, handed out first */
	struct replay_line *rp;
	size_t nrp, irp;
	/* year resolution of traditional syslog stamps */
	int year;
	int64_t last_trad_ns;
	int64_t now_ns;                /* the clock when the year was chosen */
	bool told_future;              /* the warning of a year to come, given */
	uint64_t cur_no;               /* the line being parsed */
	/* recent dnsblog hits */
	struct dnsblog_hit ring[DNSBLOG_RING];
	size_t ring_next;
	struct mtalog_stats st;
};

/* rd_fill - read more bytes after the unread ones; 1 read, 0 EOF, -1 error */
static int rd_fill(struct mtalog *m)
{
	if (m->eof)
		return 0;
	if (m->start > 0) {
		memmove(m->buf, m->buf + m->start, m->end - m->start);
		m->end -= m->start;
		m->start = 0;
	}
	if (m->end >= RD_CAP)
		BUG("read buffer full");
	int n = gzread(m->gz, m->buf + m->end, (unsigned)(RD_CAP - m->end));
	int zerr = Z_OK;
	const char *msg = n <= 0 ? gzerror(m->gz, &zerr) : "";
	/* n == 0 with Z_BUF_ERROR: truncated gzip data */
	if (n < 0 || (n == 0 && zerr != Z_OK)) {
		if (zerr == Z_ERRNO)
			msg = strerror(errno);
		size_t pl = strlen(m->path);   /* zlib puts "PATH: " first */
		if (!strncmp(msg, m->path, pl) && !strncmp(msg + pl, ": ", 2))
			msg += pl + 2;
		if (!m->failed) {
			snprintf(m->errmsg, sizeof m->errmsg, "%s", msg);
			if (m->fmt)
				error("%s: %s", m->path, msg);
		}
		m->failed = true;
		return -1;
	}
	if (n == 0) {
		m->eof = true;
		return 0;
	}
	m->end += (size_t)n;
	return 1;
}

/* rd_take - make [start, start+len) the current line; NUL-end it, drop a
 * trailing CR, replace NULs; returns the line */
static char *rd_take(struct mtalog *m, size_t len, size_t *outlen)
{
	char *s = m->buf + m->start;
	m->start += len + 1 <= m->end - m->start ? len + 1 : len;
	s[len] = '\0';
	if (len > 0 && s[len - 1] == '\r')
		s[--len] = '\0';
	/* memchr, not a byte loop: this was 18 % of `mxsensor logs` */
	for (char *z = memchr(s, '\0', len); z; z = memchr(z, '\0', len - (size_t)(z - s)))
		*z++ = '?';
	*outlen = len;
	return s;
}

/* rd_line - the next line of at most MTALOG_LINE_MAX bytes; 1, 0 EOF, -1 */
static int rd_line(struct mtalog *m, char **line, size_t *len)
{
	for (;;) {
		char *b = m->buf + m->start;
		size_t avail = m->end - m->start;
		char *nl = memchr(b, '\n', avail);
		if (nl) {
			size_t n = (size_t)(nl - b);
			if (m->skipping) {      /* the end of a long line */
				m->skipping = false;
				m->start += n + 1;
				continue;
			}
			m->lineno++;
			m->st.lines++;
			if (n > m->line_max) {
				m->st.long_lines++;
				m->start += n + 1;
				continue;
			}
			*line = rd_take(m, n, len);
			return 1;
		}
		if (avail > m->line_max) {
			if (!m->skipping) {
				m->lineno++;
				m->st.lines++;
				m->st.long_lines++;
				m->skipping = true;
			}
			m->start = m->end;
		}
		int r = rd_fill(m);
		if (r < 0)
			return -1;
		if (r == 0) {
			avail = m->end - m->start;
			if (avail == 0 || m->skipping)
				return 0;
			/* a last line without newline */
			m->lineno++;
			m->st.lines++;
			*line = rd_take(m, avail, len);
			return 1;
		}
	}
}

/* read_entry - the next line; in a journal export, the line its entry
 * makes, "" for an entry that makes none, and *bad for a line that is not
 * an entry (1, 0 EOF, -1 as rd_line) */
static int read_entry(struct mtalog *m, char **s, size_t *n, bool *bad)
{
	static char none[1];
	*bad = false;
	int k;
	if (m->jf) {
		int e = 0;
		k = mtalog_jfile_next(m->jf, m->jline, MTALOG_LINE_MAX + 1, &e);
		if (k == JOURNAL_EOF)
			return 0;
		if (k == JOURNAL_ERR) {
			if (!m->failed) {
				snprintf(m->errmsg, sizeof m->errmsg, "%s", strerror(e));
				if (m->fmt)
					error("%s: entry %llu: %s", m->path,
					      (unsigned long long)m->lineno + 1, m->errmsg);
			}
			m->failed = true;
			return -1;
		}
		m->lineno++;
		m->st.lines++;
	} else {
		int r = rd_line(m, s, n);
		if (r <= 0 || !m->journal)
			return r;
		k = mtalog_journal_line(m->tok, *s, *n, m->jline, MTALOG_LINE_MAX + 1);
	}
	if (k >= 0) {
		*s = m->jline;
		*n = (size_t)k;
		return 1;
	}
	if (k == JOURNAL_LONG)
		m->st.long_lines++;
	*bad = k == JOURNAL_BAD;
	*s = none;
	*n = 0;
	return 1;
}

/* binary_kind - what to say of a file that is a binary file given by
 * mistake for a log: a capture; NULL for any other */
static const char *binary_kind(struct mtalog *m)
{
	while (m->end - m->start < 12 && m->end < RD_CAP && rd_fill(m) > 0)
		;
	if (m->end - m->start < 8)
		return NULL;
	const unsigned char *b = (const unsigned char *)m->buf + m->start;
	static const unsigned char cap[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },   /* pcap */
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },   /* pcap, ns */
	};
	bool capture = false;
	for (size_t i = 0; i < sizeof cap / sizeof cap[0]; i++)
		capture |= !memcmp(b, cap[i], 4);
	/* pcapng: its section header, then its byte-order magic (a text
	 * file may well begin with "\n\r\r\n") */
	capture |= m->end - m->start >= 12 && !memcmp(b, "\n\r\r\n", 4) &&
		   (!memcmp(b + 8, "\x4d\x3c\x2b\x1a", 4) || !memcmp(b + 8, "\x1a\x2b\x3c\x4d", 4));
	return capture ? "a packet capture, not an MTA log (analyze takes captures with --pcap)" : NULL;
}

/* peek_journal - a file whose first byte that is not blank opens a JSON
 * object (or a json-seq record) is a journal export; 1 when it is
 * journalctl's json-pretty (an entry over many lines, "{" alone first) */
static int peek_journal(struct mtalog *m)
{
	for (;;) {
		for (size_t i = m->start; i < m->end; i++) {
			char c = m->buf[i];
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				continue;
			m->journal = c == '{' || c == '\x1e';
			if (!m->journal)
				return 0;
			m->line_max = JOURNAL_LINE_MAX;
			m->tok = mtalog_journal_tok();
			m->jline = xmalloc(MTALOG_LINE_MAX + 1);
			for (i++; i < m->end && (m->buf[i] == ' ' || m->buf[i] == '\t' ||
						 m->buf[i] == '\r'); i++)
				;
			return c == '{' && i < m->end && m->buf[i] == '\n';
		}
		if (m->end >= RD_CAP || rd_fill(m) <= 0)
			return 0;
	}
}

/* skip_line - blank lines and '#' comments are not log lines */
static bool skip_line(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || *s == '#';
}

static const char weekdays[7][4] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

/* unread_hint - what to do about a file of journalctl's output forms that
 * hold no time this reader can trust; "" for any other file */
static const char *unread_hint(const struct mtalog *m)
{
	for (size_t i = 0; i < m->nrp; i++) {
		const char *l = m->rp[i].s;
		if (skip_line(l))
			continue;
		if (l[0] == '[' && strchr(l, ']'))
			return " (journalctl -o short-monotonic has no wall-clock time: "
			       "export with -o short-iso-precise or -o json)";
		for (int w = 0; w < 7; w++)
			if (!strncmp(l, weekdays[w], 3) && l[3] == ' ' && l[4] >= '1' && l[4] <= '2')
				return " (journalctl's short-full names the time zone, as CET or "
				       "CST, which is read only as UTC, GMT or an offset: export "
				       "with TZ=UTC, or with -o short-iso-precise or -o json)";
		break;
	}
	return "";
}

/* detect - read until MTALOG_DETECT_LINES lines that a format recognises
 * (at most DETECT_MAX_LINES), keep them for replay, and vote; 0 with
 * m->fmt set, or -1.  A syslog file or a journal export holds every
 * program's lines: its first MTA lines may come after thousands of
 * others, which yield nothing (a parser reads only lines its detector
 * recognises), so beyond the first MTALOG_DETECT_LINES of them they are
 * not kept. */
static int detect(struct mtalog *m, char *err, size_t errlen)
{
	unsigned votes[sizeof formats / sizeof formats[0]] = { 0 };
	size_t seen = 0, looked = 0, kept = 0, nbad = 0, cap = 0;
	char *s;
	size_t n;
	int r;
	bool bad;
	/* a journal file is read to its end if need be: one without an MTA's
	 * entries is no error (below), so its mail must not be missed */
	while (seen < MTALOG_DETECT_LINES && (looked < DETECT_MAX_LINES || m->jf) &&
	       (r = read_entry(m, &s, &n, &bad)) > 0) {
		bool voted = false;
		if (!bad && !skip_line(s)) {
			looked++;
			for (size_t i = 0; formats[i]; i++)
				if (formats[i]->detect(s)) {
					votes[i]++;
					voted = true;
				}
			seen += voted;
		}
		nbad += bad;
		if (!voted && !bad && kept++ >= MTALOG_DETECT_LINES)
			continue;
		GROW(m->rp, m->nrp + 1, cap);
		m->rp[m->nrp].s = xstrndup(s, n);
		m->rp[m->nrp].no = m->lineno;
		m->rp[m->nrp].bad = bad;
		m->nrp++;
	}
	if (m->failed) {
		snprintf(err, errlen, "%s: %s", m->path, m->errmsg);
		return -1;
	}
	if (m->journal && looked == 0 && nbad > 0) {
		snprintf(err, errlen, "%s: not a journal export (journalctl -o json: a JSON "
			 "object a line, with MESSAGE and __REALTIME_TIMESTAMP) in its first "
			 "%zu lines", m->path, nbad);
		return -1;
	}
	if (looked == 0) {
		m->fmt = &fmt_empty;
		return 0;
	}
	if (seen == 0 && m->jf) {
		/* a journal file holds every program's entries: one without
		 * an MTA's (a user's journal, a month without mail beside the
		 * others in a directory) is no error */
		m->fmt = &fmt_empty;
		return 0;
	}
	if (seen == 0) {
		if (m->journal)
			snprintf(err, errlen, "%s: no entry of an MTA (postfix, exim, sendmail "
				 "or qmail) in its first %zu journal entries (journalctl -u "
				 "postfix@- or SYSLOG_IDENTIFIER=... selects them)", m->path, looked);
		else
			snprintf(err, errlen, "%s: not a recognised MTA log (postfix, exim, "
				 "sendmail, qmail or csv) in its first %zu lines%s", m->path, looked,
				 unread_hint(m));
		return -1;
	}
	size_t best = 0;
	for (size_t i = 1; formats[i]; i++)
		if (votes[i] > votes[best])
			best = i;
	m->fmt = formats[best];
	/* a file may hold several MTAs' lines (a central log server's, a
	 * journal export of a host running two): a line the detected format
	 * makes nothing of is offered to the others, wherever in the file it
	 * comes (on a 253 MB Postfix log, 15 % more time).  CSV is never one
	 * of them: every syslog line would be a bad row */
	m->nalso = 0;
	for (size_t i = 0; formats[i]; i++)
		if (i != best && formats[i] != &mtalog_fmt_csv &&
		    m->nalso < sizeof m->also / sizeof m->also[0])
			m->also[m->nalso++] = formats[i];
	snprintf(m->names, sizeof m->names, "%s", m->fmt->name);
	return 0;
}

/* open_jfile - read m's file as a systemd journal file through
 * sd-journal; 0, or -1 with m closed and err set */
static int open_jfile(struct mtalog *m, char *err, size_t errlen)
{
	const char *why = NULL;
	if (!strcmp(m->path, "-"))
		why = "a systemd journal file cannot be read from standard input: give its path";
	else if (!gzdirect(m->gz))
		why = "a gzip'd systemd journal file: decompress it first (a journal file "
		      "compresses its entries itself)";
	if (why) {
		snprintf(err, errlen, "%s: %s", m->path, why);
		mtalog_close(m);
		return -1;
	}
	if (!(m->jf = mtalog_jfile_open(m->path, err, errlen))) {
		mtalog_close(m);
		return -1;
	}
	gzclose(m->gz);
	m->gz = NULL;
	m->journal = true;
	m->jline = xmalloc(MTALOG_LINE_MAX + 1);
	if (detect(m, err, errlen) < 0) {
		mtalog_close(m);
		return -1;
	}
	return 0;
}

/* mtalog_open - open a log file and detect its format */
struct mtalog *mtalog_open(const char *path, const struct mtalog_opts *o,
                           char *err, size_t errlen)
{
	gzFile gz;
	if (!strcmp(path, "-")) {
		int fd = dup(0);
		gz = fd < 0 ? NULL : gzdopen(fd, "rb");
		if (!gz && fd >= 0)
			close(fd);
	} else {
		errno = 0;
		gz = gzopen(path, "rb");
	}
	if (!gz) {
		snprintf(err, errlen, "%s: %s", path,
		         errno ? strerror(errno) : "cannot open");
		return NULL;
	}
	gzbuffer(gz, 128 * 1024);
	struct mtalog *m = xcalloc(1, sizeof *m);
	m->gz = gz;
	m->path = xstrdup(path);
	if (o)
		m->opts = *o;
	m->buf = xmalloc(RD_CAP + 1);
	m->line_max = MTALOG_LINE_MAX;
	const char *not_log = binary_kind(m);
	if (!not_log && m->end - m->start >= 8 && !memcmp(m->buf + m->start, MTALOG_JOURNAL_MAGIC, 8))
		return open_jfile(m, err, errlen) < 0 ? NULL : m;
	if (!not_log && peek_journal(m) == 1)
		not_log = "journalctl's json-pretty (an entry over many lines) is not read: "
			  "export with journalctl -o json";
	if (not_log) {
		snprintf(err, errlen, "%s: %s", path, not_log);
		mtalog_close(m);
		return NULL;
	}
	if (detect(m, err, errlen) < 0) {
		mtalog_close(m);
		return NULL;
	}
	m->year = 0;
	return m;
}

/* next_line - a replayed detection line, or a fresh one */
static int next_line(struct mtalog *m, char **s, uint64_t *no, bool *bad)
{
	if (m->irp < m->nrp) {
		*s = m->rp[m->irp].s;
		*no = m->rp[m->irp].no;
		*bad = m->rp[m->irp].bad;
		m->irp++;
		return 1;
	}
	size_t n;
	int r = read_entry(m, s, &n, bad);
	*no = m->lineno;
	return r;
}

/* mtalog_next - parse lines until one makes an event */
int mtalog_next(struct mtalog *m, struct mta_event *ev)
{
	if (m->fmt == &fmt_empty)
		return 0;
	char *s;
	uint64_t no;
	int r;
	bool bad;
	while ((r = next_line(m, &s, &no, &bad)) > 0) {
		m->cur_no = no;
		if (bad) {
			/* it may have held a rejection */
			m->st.unparsed_reject++;
			if (m->opts.strict)
				error_at(m->path, (unsigned long)no, "not a journal entry "
					 "(journalctl -o json: a JSON object a line)");
			continue;
		}
		if (skip_line(s))
			continue;
		const char *why = "unrecognised rejection";
		memset(ev, 0, sizeof *ev);
		const struct mtalog_fmt *f = m->fmt;
		enum mtalog_res res = f->parse(m, s, ev, &why);
		for (size_t k = 0; res == MTALOG_NONE && k < m->nalso; k++) {
			/* another MTA's line, by another format; what that
			 * format cannot parse is not counted: a line without a
			 * header of its own may be anyone's */
			const char *unused;
			memset(ev, 0, sizeof *ev);
			res = m->also[k]->parse(m, s, ev, &unused);
			if (res == MTALOG_UNPARSED)
				res = MTALOG_NONE;
			if (res == MTALOG_NONE)
				continue;
			f = m->also[k];
			if (!(m->also_used & 1u << k)) {
				m->also_used |= 1u << k;
				size_t on = strlen(m->names);
				snprintf(m->names + on, sizeof m->names - on, "+%s", f->name);
			}
		}
		switch (res) {
		case MTALOG_NONE:
			continue;
		case MTALOG_ALLOW:
			m->st.allowlisted++;
			continue;
		case MTALOG_UNPARSED:
			m->st.unparsed_reject++;
			if (m->opts.strict)
				error_at(m->path, (unsigned long)no, "%s", why);
			continue;
		case MTALOG_EVENT:
			break;
		}
		ev->format = f->name;
		ev->line = no;
		switch (ev->kind) {
		case MTA_DNSBL_REJECT: m->st.dnsbl++; break;
		case MTA_DOMAIN_REJECT: m->st.domain++; break;
		case MTA_OTHER_REJECT: m->st.other_reject++; break;
		case MTA_ACCEPT: m->st.accept++; break;
		case MTA_CONNECT: m->st.connect++; break;
		}
		return 1;
	}
	return r < 0 ? -1 : 0;
}

/* mtalog_get_stats - the counters so far */
const struct mtalog_stats *mtalog_get_stats(const struct mtalog *m)
{
	return &m->st;
}

/* mtalog_format - the detected format name */
const char *mtalog_format(const struct mtalog *m)
{
	return !m->fmt ? "none" : m->names[0] ? m->names : m->fmt->name;
}

/* mtalog_journal_kind - "json", "file" or NULL */
const char *mtalog_journal_kind(const struct mtalog *m)
{
	return m->jf ? "file" : m->journal ? "json" : NULL;
}

/* mtalog_kind_name - short name of an event kind */
const char *mtalog_kind_name(enum mta_kind k)
{
	switch (k) {
	case MTA_DNSBL_REJECT: return "dnsbl";
	case MTA_DOMAIN_REJECT: return "domain";
	case MTA_OTHER_REJECT: return "reject";
	case MTA_ACCEPT: return "accept";
	case MTA_CONNECT: return "connect";
	}
	return "?";
}

/* mtalog_close - close the file, free the reader */
void mtalog_close(struct mtalog *m)
{
	if (!m)
		return;
	if (m->gz)
		gzclose(m->gz);
	for (size_t i = 0; i < m->nrp; i++)
		free(m->rp[i].s);
	free(m->rp);
	if (m->tok)
		json_tokener_free(m->tok);
	mtalog_jfile_close(m->jf);
	free(m->jline);
	free(m->buf);
	free(m->path);
	free(m);
}

/* ---- syslog headers and year resolution ---- */

/* civil_year - the UTC year holding ns */
static int civil_year(int64_t ns)
{
	int64_t z = ns / DAY_NS - (ns % DAY_NS < 0 ? 1 : 0);
	/* days_from_civil inverse (H. Hinnant's algorithm) */
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t mon = mp < 10 ? mp + 3 : mp - 9;
	return (int)(y + (mon <= 2));
}

/* stamp - ns of a date-time in year y */
static int64_t stamp(int y, unsigned mon, unsigned day, int64_t tod_ns)
{
	return mtalog_days_from_civil(y, mon, day) * DAY_NS + tod_ns;
}

/* ref_clamp - a reference time (a capture's SYN: any 64-bit value a
 * crafted pcapng holds) within 1970..2200, the years --year takes, so
 * that the years around it and their stamps stay within int64 ns */
static int64_t ref_clamp(int64_t t)
{
	const int64_t max = 7258118400LL * NS_PER_S;   /* 2200-01-01 */
	return t < 1 ? 1 : t > max ? max : t;
}

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* two_digits - "DD" at s within [lo, hi] */
static int two_digits(const char *s, unsigned lo, unsigned hi, unsigned *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	unsigned x = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	if (x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

/* frac_ns - optional ".ddd" at *s: nanoseconds, *s moved past it */
static int64_t frac_ns(const char **s)
{
	const char *p = *s;
	int64_t ns = 0, scale = 100000000;
	if (*p != '.' && *p != ',')
		return 0;
	p++;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9') {
		ns += (*p - '0') * scale;
		scale /= 10;
		p++;
	}
	*s = p;
	return ns;
}

/* mtalog_time_trad - a syslog stamp without year, year resolved */
int mtalog_time_trad(struct mtalog *m, const char *s, const char **end, int64_t *ns)
{
	unsigned mon = 0, day, hh, mi, ss;
	for (unsigned i = 0; i < 12; i++)
		if (!strncmp(s, months[i], 3)) {
			mon = i + 1;
			break;
		}
	if (!mon || s[3] != ' ')
		return -1;
	const char *p = s + 4;
	if (*p == ' ')
		p++;
	if (p[0] >= '1' && p[0] <= '9' && p[1] == ' ') {
		day = (unsigned)(p[0] - '0');
		p += 1;
	} else {
		if (two_digits(p, 1, 31, &day) < 0)
			return -1;
		p += 2;
	}
	if (*p++ != ' ' || two_digits(p, 0, 23, &hh) < 0 || p[2] != ':' ||
	    two_digits(p + 3, 0, 59, &mi) < 0 || p[5] != ':' ||
	    two_digits(p + 6, 0, 60, &ss) < 0)
		return -1;
	p += 8;
	int64_t tod = ((int64_t)hh * 3600 + mi * 60 + ss) * NS_PER_S + frac_ns(&p);
	*end = p;
	if (!m) {                      /* detection: only the syntax matters */
		*ns = 0;
		return 0;
	}
	if (m->year == 0) {
		/* no line of a file that is read now is from a later day:
		 * the year of the first line and a new year further on are
		 * never such that the stamp comes after tomorrow, unless the
		 * reference itself does (a clock that is wrong, a synthetic
		 * period) */
		int64_t wall = m->opts.now_ns;
		if (!wall) {
			struct timespec now;
			clock_gettime(CLOCK_REALTIME, &now);
			wall = (int64_t)now.tv_sec * NS_PER_S + now.tv_nsec;
		}
		m->now_ns = ref_clamp(wall);
		int64_t soon = m->now_ns + YEAR_SLACK_NOW;
		if (m->opts.year) {
			m->year = m->opts.year;
		} else if (m->opts.ref_ns && m->opts.ref_end_ns) {
			/* the captures' period: the year whose date is nearest
			 * to it (inside it: distance 0; a period over a year
			 * long: the latest of those inside) */
			int64_t lo = ref_clamp(m->opts.ref_ns), hi = ref_clamp(m->opts.ref_end_ns);
			if (hi < lo)
				hi = lo;
			int64_t best = INT64_MAX;
			for (int y = civil_year(lo) - 1; y <= civil_year(hi) + 1; y++) {
				int64_t t = stamp(y, mon, day, tod);
				int64_t d = t < lo ? lo - t : t > hi ? t - hi : 0;
				if (t > soon && hi <= soon)
					continue;   /* y - 1 (< lo) is never skipped */
				if (d <= best) {
					best = d;
					m->year = y;
				}
			}
		} else {
			int64_t ref = m->opts.ref_ns ? ref_clamp(m->opts.ref_ns) : m->now_ns;
			int64_t slack = m->opts.ref_ns ? YEAR_SLACK_REF : YEAR_SLACK_NOW;
			int y = civil_year(ref + slack);
			if (stamp(y, mon, day, tod) > ref + slack)
				y--;
			if (stamp(y, mon, day, tod) > soon && ref <= soon)
				y--;   /* ref + slack is still to come */
			m->year = y;
		}
		m->last_trad_ns = stamp(m->year, mon, day, tod);
	}
	int64_t t = stamp(m->year, mon, day, tod);
	if (t < m->last_trad_ns - ROLLBACK_NS) {          /* Dec -> Jan */
		int64_t next = stamp(m->year + 1, mon, day, tod);
		int64_t soon = m->now_ns + YEAR_SLACK_NOW;
		if (next <= soon || m->last_trad_ns > soon) {
			m->year++;
			t = next;
		} else if (!m->told_future) {
			/* the next year has not come yet: not a new year but
			 * lines out of order, such as several hosts' logs
			 * joined into one file */
			m->told_future = true;
			warn("%s:%llu: this stamp is %lld days before the line's before it, "
			     "but %d is still to come: read as %d, out of order (several "
			     "logs joined into one file? give each on its own)", m->path,
			     (unsigned long long)m->cur_no,
			     (long long)((m->last_trad_ns - t) / DAY_NS), m->year + 1, m->year);
		}
	} else if (t > m->last_trad_ns + ROLLBACK_NS) {   /* a late Dec line */
		t = stamp(m->year - 1, mon, day, tod);
	}
	m->last_trad_ns = t;
	*ns = t;
	return 0;
}

/* mtalog_prog_hdr - "PROG[PID]: " or "PROG: " */
int mtalog_prog_hdr(const char *s, struct mtalog_hdr *h)
{
	const char *p = s;
	while (*p && *p != ' ' && *p != '[' && *p != ':')
		p++;
	if (p == s)
		return -1;
	h->prog = s;
	h->proglen = (size_t)(p - s);
	if (*p == '[') {
		p++;
		const char *d = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == d || *p != ']')
			return -1;
		p++;
	}
	if (p[0] != ':' || (p[1] != ' ' && p[1] != '\0'))
		return -1;
	h->msg = p[1] ? p + 2 : p + 1;
	return 0;
}

/* time_unix - journalctl -o short-unix: "SECONDS.FRAC" and a space */
static int time_unix(const char *s, const char **end, int64_t *ns)
{
	const char *p = s;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p == s || *p != '.' || p[1] < '0' || p[1] > '9')
		return -1;
	for (p++; *p >= '0' && *p <= '9'; p++)
		;
	if (*p != ' ' || mtalog_time_epoch(s, p, ns) < 0)
		return -1;
	*end = p;
	return 0;
}

/* time_full - journalctl -o short-full: "Www YYYY-MM-DD HH:MM:SS ZONE",
 * the zone UTC, GMT or a numeric offset ("+04", "-0330"): a name such as
 * CET or CST is not read, some stand for more than one offset */
static int time_full(const char *s, const char **end, int64_t *ns)
{
	int w = 0;
	while (w < 7 && strncmp(s, weekdays[w], 3))
		w++;
	if (w == 7 || s[3] != ' ')
		return -1;
	const char *p;
	if (mtalog_time_iso(s + 4, true, &p, ns) < 0 || *p != ' ')
		return -1;
	p++;
	if (!strncmp(p, "UTC", 3) || !strncmp(p, "GMT", 3)) {
		p += 3;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		unsigned hh, mm = 0;
		if (two_digits(p + 1, 0, 23, &hh) < 0)
			return -1;
		p += 3;
		if (*p >= '0' && *p <= '9') {
			if (two_digits(p, 0, 59, &mm) < 0)
				return -1;
			p += 2;
		}
		*ns -= sign * ((int64_t)hh * 3600 + mm * 60) * NS_PER_S;
	} else {
		return -1;
	}
	if (*p != ' ')
		return -1;
	*end = p;
	return 0;
}

/* skip_pri - past an optional "<PRI>" (one to three digits, at most 191:
 * RFC 5424 6.2.1), which a relay's file or a copy of the syslog socket
 * keeps before the stamp */
static const char *skip_pri(const char *s)
{
	if (*s != '<')
		return s;
	unsigned v = 0;
	const char *p = s + 1;
	for (int i = 0; i < 3 && *p >= '0' && *p <= '9'; i++, p++)
		v = v * 10 + (unsigned)(*p - '0');
	return p > s + 1 && *p == '>' && v <= 191 ? p + 1 : s;
}

/* skip_sd - RFC 5424 STRUCTURED-DATA at p: "-", or elements
 * [ID NAME="VALUE" ...] side by side, where a value escapes the quote,
 * backslash and ']' with a backslash; past it, or NULL */
static const char *skip_sd(const char *p)
{
	if (*p == '-')
		return p + 1;
	if (*p != '[')
		return NULL;
	while (*p == '[') {
		bool quoted = false;
		for (p++; *p && (quoted || *p != ']'); p++) {
			if (quoted && *p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
		if (*p != ']')
			return NULL;
		p++;
	}
	return p;
}

/* rfc5424_hdr - "1 STAMP HOST APP-NAME PROCID MSGID SD [MSG]" (RFC 5424,
 * after its PRI): rsyslog's RSYSLOG_SyslogProtocol23Format, syslog-ng's
 * IETF syslog, logger --rfc5424.  The stamp is RFC 3339 (a NILVALUE "-"
 * has no time: not a log line here), the program is APP-NAME; PROCID and
 * MSGID are not needed.  The message loses its leading blanks and a
 * UTF-8 BOM */
static int rfc5424_hdr(const char *s, struct mtalog_hdr *h)
{
	const char *p;
	if (s[0] != '1' || s[1] != ' ' || mtalog_time_iso(s + 2, false, &p, &h->ts_ns) < 0 ||
	    *p != ' ')
		return -1;
	p++;
	for (int i = 0; i < 4; i++) {       /* HOST APP-NAME PROCID MSGID */
		const char *f = p;
		while (*p && *p != ' ')
			p++;
		if (p == f || *p != ' ')
			return -1;
		if (i == 1) {
			h->prog = f;
			h->proglen = (size_t)(p - f);
		}
		p++;
	}
	p = skip_sd(p);
	if (!p || (*p && *p != ' '))
		return -1;
	while (*p == ' ')
		p++;
	if (!strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	h->msg = p;
	return 0;
}

/* mtalog_syslog_hdr - "STAMP [HOST] PROG[PID]: "; the stamp traditional,
 * RFC 3339, or journalctl's short-unix or short-full; or an RFC 5424
 * header; either after an optional <PRI> */
int mtalog_syslog_hdr(struct mtalog *m, const char *s, struct mtalog_hdr *h)
{
	const char *p;
	memset(h, 0, sizeof *h);
	s = skip_pri(s);
	if (s[0] == '1' && s[1] == ' ')
		return rfc5424_hdr(s, h);
	if (mtalog_time_trad(m, s, &p, &h->ts_ns) < 0 &&
	    mtalog_time_iso(s, false, &p, &h->ts_ns) < 0 &&
	    time_unix(s, &p, &h->ts_ns) < 0 && time_full(s, &p, &h->ts_ns) < 0)
		return -1;
	if (*p != ' ')
		return -1;
	while (*p == ' ')
		p++;
	/* HOST PROG[PID]: or, without a host, PROG[PID]: */
	if (mtalog_prog_hdr(p, h) == 0)
		return 0;
	while (*p && *p != ' ')
		p++;
	if (*p != ' ')
		return -1;
	while (*p == ' ')
		p++;
	return mtalog_prog_hdr(p, h);
}

/* mtalog_prog_is - the program is name or ends in "/name" */
bool mtalog_prog_is(const struct mtalog_hdr *h, const char *name)
{
	size_t n = strlen(name);
	if (h->proglen < n || memcmp(h->prog + h->proglen - n, name, n))
		return false;
	return h->proglen == n || h->prog[h->proglen - n - 1] == '/';
}

/* mtalog_prog_prefix - the program starts with pfx */
bool mtalog_prog_prefix(const struct mtalog_hdr *h, const char *pfx)
{
	size_t n = strlen(pfx);
	return h->proglen >= n && !memcmp(h->prog, pfx, n);
}

/* mtalog_dnsblog_note - remember a dnsblog hit in the ring */
void mtalog_dnsblog_note(struct mtalog *m, const struct addr *a, const char *zone)
{
	struct dnsblog_hit *e = &m->ring[m->ring_next++ % DNSBLOG_RING];
	e->a = *a;
	snprintf(e->zone, sizeof e->zone, "%s", zone);
}

/* mtalog_dnsblog_lookup - the newest remembered list for an address */
const char *mtalog_dnsblog_lookup(const struct mtalog *m, const struct addr *a)
{
	/* newest first */
	for (size_t i = 0; i < DNSBLOG_RING && i < m->ring_next; i++) {
		const struct dnsblog_hit *e =
			&m->ring[(m->ring_next - 1 - i) % DNSBLOG_RING];
		if (addr_eq(&e->a, a))
			return e->zone;
	}
	return NULL;
}
