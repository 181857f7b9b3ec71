/*
 * mtalog_journal.c - the systemd journal: its JSON export (`journalctl -o
 * json`, `-o json-seq`: one JSON object a line, parsed by json-c) and its
 * own files (*.journal, read by libsystemd's sd-journal), each entry
 * turned into the syslog line the MTA wrote, so that every format's
 * parser reads it unchanged.
 *
 * Debian since 12 logs to the journal alone unless rsyslog is installed,
 * so a postmaster's mail log may only exist there, or in the journal
 * files that systemd-journal-remote collects from several MXs.  The
 * journal keeps what the text forms lose: the year and the microsecond of
 * each entry (_SOURCE_REALTIME_TIMESTAMP when the sender's own time is
 * known, else the journal's, as journalctl's text forms show it), and
 * messages that are not text (in JSON, a field that is not UTF-8 comes as
 * an array of its bytes).
 *
 * Nothing in an entry is trusted.  The host and program become printable
 * tokens, the message keeps its bytes but NULs and line breaks, and the
 * line built is bounded by MTALOG_LINE_MAX.
 */
#include <json-c/json.h>
#include <systemd/sd-journal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtalog/mtalog_int.h"
#include "util/alloc.h"

/* mtalog_journal_tok - a reusable tokener (nesting of an entry: object, array
 * of values, array of bytes) */
struct json_tokener *mtalog_journal_tok(void)
{
	return json_tokener_new_ex(8);
}

/* value - a field's bytes into out (size n, NUL-ended): a string, an
 * array of byte values (a field that is not UTF-8 text), or the first of
 * several values of one field (an array of those).  1 copied, 0 absent or
 * null, VAL_LONG too long for out, VAL_SHAPE another kind of JSON value. */
#define VAL_LONG (-1)
#define VAL_SHAPE (-2)
static int value(struct json_object *obj, const char *key, char *out, size_t n, size_t *len)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !v || json_object_is_type(v, json_type_null))
		return 0;
	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0) {
		struct json_object *first = json_object_array_get_idx(v, 0);
		if (first && (json_object_is_type(first, json_type_string) ||
			      json_object_is_type(first, json_type_array)))
			v = first;
	}
	size_t k = 0;
	if (json_object_is_type(v, json_type_string)) {
		int sl = json_object_get_string_len(v);
		const char *s = json_object_get_string(v);
		if (sl < 0 || !s)
			return VAL_SHAPE;
		k = (size_t)sl;
		if (k >= n)
			return VAL_LONG;
		memcpy(out, s, k);
	} else if (json_object_is_type(v, json_type_array)) {
		size_t an = json_object_array_length(v);
		if (an >= n)
			return VAL_LONG;
		for (; k < an; k++) {
			struct json_object *b = json_object_array_get_idx(v, k);
			if (!b || !json_object_is_type(b, json_type_int))
				return VAL_SHAPE;
			int64_t x = json_object_get_int64(b);
			if (x < 0 || x > 255)
				return VAL_SHAPE;
			out[k] = (char)x;
		}
	} else {
		return VAL_SHAPE;
	}
	out[k] = '\0';
	*len = k;
	return 1;
}

/* us_ns - microseconds since 1970, within 1970..2200 as every other
 * stamp, as ns */
static bool us_ns(uint64_t us, int64_t *ns)
{
	if (us < 1 || us > 7258118400ULL * 1000000)   /* 2200-01-01 */
		return false;
	*ns = (int64_t)us * 1000;
	return true;
}

/* us_text - the decimal microsecond count b[0..n) (a journal field) as ns */
static bool us_text(const char *b, size_t n, int64_t *ns)
{
	uint64_t us = 0;
	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (b[i] < '0' || b[i] > '9')
			return false;
		us = us * 10 + (uint64_t)(b[i] - '0');
	}
	return us_ns(us, ns);
}

/* usec - the microsecond field KEY of a JSON entry as ns */
static bool usec(struct json_object *obj, const char *key, int64_t *ns)
{
	char b[32];
	size_t n;
	return value(obj, key, b, sizeof b, &n) == 1 && us_text(b, n, ns);
}

/* token - copy a host or program name as one printable token: bytes that
 * would end it in a syslog header (space, '[', ':') or are not printable
 * ASCII become '_' */
static size_t token(char *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = c > 0x20 && c < 0x7f && c != '[' && c != ':' ? (char)c : '_';
	}
	return n;
}

/* struct fields - what a line is made of, but its message */
struct fields {
	int64_t ns;
	char host[256], prog[256], pid[32];
	size_t hn, pn, dn;
};

/* pid_digits - a PID that is not all digits is left out */
static void pid_digits(struct fields *f)
{
	for (size_t i = 0; i < f->dn; i++)
		if (f->pid[i] < '0' || f->pid[i] > '9')
			f->dn = 0;
}

/* line_head - "STAMP HOST PROG[PID]: " into out (cap bytes, the message
 * to follow); its length, or JOURNAL_LONG.  The stamp is epoch seconds and
 * microseconds, as journalctl's short-unix, which mtalog_syslog_hdr reads
 * back exactly (no calendar conversion either way) */
static int line_head(const struct fields *f, char *out, size_t cap)
{
	char ts[32];
	int tn = snprintf(ts, sizeof ts, "%lld.%06lld", (long long)(f->ns / NS_PER_S),
			  (long long)(f->ns % NS_PER_S / 1000));
	size_t hdr = (size_t)tn + 1 + (f->hn ? f->hn + 1 : 0) + f->pn + (f->dn ? f->dn + 2 : 0) + 2;
	if (hdr >= cap)
		return JOURNAL_LONG;
	char *p = out;
	memcpy(p, ts, (size_t)tn);
	p += tn;
	*p++ = ' ';
	if (f->hn) {
		p += token(p, f->host, f->hn);
		*p++ = ' ';
	}
	p += token(p, f->prog, f->pn);
	if (f->dn) {
		*p++ = '[';
		memcpy(p, f->pid, f->dn);
		p += f->dn;
		*p++ = ']';
	}
	*p++ = ':';
	*p++ = ' ';
	return (int)hdr;
}

/* line_body - the message's bytes after the head, but those that would
 * end or split the line; the line's length */
static int line_body(char *p, int hdr, size_t mn)
{
	for (size_t i = 0; i < mn; i++)
		if (p[i] == '\0')
			p[i] = '?';
		else if (p[i] == '\n' || p[i] == '\r')
			p[i] = ' ';
	return hdr + (int)mn;
}

int mtalog_journal_line(struct json_tokener *tok, const char *raw, size_t len,
			char *out, size_t outsz)
{
	if (len > 0 && raw[0] == '\x1e') {     /* json-seq: RS before each entry */
		raw++;
		len--;
	}
	while (len > 0 && (raw[len - 1] == ' ' || raw[len - 1] == '\t'))
		len--;
	if (len == 0 || len > (size_t)INT32_MAX)
		return JOURNAL_SKIP;
	json_tokener_reset(tok);
	struct json_object *obj = json_tokener_parse_ex(tok, raw, (int)len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return JOURNAL_BAD;
	}
	int res = JOURNAL_SKIP;
	struct fields f = { 0 };
	size_t mn;
	/* the sender's time when the journal knows it, as journalctl shows */
	if (!usec(obj, "_SOURCE_REALTIME_TIMESTAMP", &f.ns) && !usec(obj, "__REALTIME_TIMESTAMP", &f.ns))
		goto out;
	if ((value(obj, "SYSLOG_IDENTIFIER", f.prog, sizeof f.prog, &f.pn) != 1 &&
	     value(obj, "_COMM", f.prog, sizeof f.prog, &f.pn) != 1) || f.pn == 0)
		goto out;
	if (value(obj, "_HOSTNAME", f.host, sizeof f.host, &f.hn) != 1)
		f.hn = 0;
	if (value(obj, "SYSLOG_PID", f.pid, sizeof f.pid, &f.dn) == 1 ||
	    value(obj, "_PID", f.pid, sizeof f.pid, &f.dn) == 1)
		pid_digits(&f);
	else
		f.dn = 0;
	size_t cap = outsz < MTALOG_LINE_MAX + 1 ? outsz : MTALOG_LINE_MAX + 1;
	int hdr = line_head(&f, out, cap);
	if (hdr < 0) {
		res = hdr;
		goto out;
	}
	int got = value(obj, "MESSAGE", out + hdr, cap - (size_t)hdr, &mn);
	if (got != 1) {
		/* absent or null: no log line; longer than a line, or not a
		 * string or bytes: said */
		res = got == 0 ? JOURNAL_SKIP : got == VAL_LONG ? JOURNAL_LONG : JOURNAL_BAD;
		goto out;
	}
	res = line_body(out + hdr, hdr, mn);
out:
	json_object_put(obj);
	return res;
}

/* ---- journal files (sd-journal) ---- */

struct mtalog_jfile {
	sd_journal *j;
	char msg[MTALOG_LINE_MAX + 1];   /* the entry's message, copied */
};

struct mtalog_jfile *mtalog_jfile_open(const char *path, char *err, size_t errlen)
{
	const char *paths[2] = { path, NULL };
	sd_journal *j;
	int r = sd_journal_open_files(&j, paths, 0);
	if (r < 0) {
		snprintf(err, errlen, "%s: libsystemd cannot read it as a journal file: %s (a "
			 "file cut short, or from a newer systemd?)", path, strerror(-r));
		return NULL;
	}
	/* every field whole (a message longer than a line is counted) */
	sd_journal_set_data_threshold(j, 0);
	struct mtalog_jfile *f = xcalloc(1, sizeof *f);
	f->j = j;
	return f;
}

/* take - when data ("KEY=value", len bytes) is KEY and out is still
 * empty (*got < 0: the first of several values wins), copy the value into
 * out (size n); a value too long leaves *got at -2 */
static void take(const void *data, size_t len, const char *key, size_t kl, char *out,
		 size_t n, long *got)
{
	if (*got != -1 || len <= kl || memcmp(data, key, kl))
		return;
	len -= kl;
	if (len >= n) {
		*got = -2;
		return;
	}
	memcpy(out, (const char *)data + kl, len);
	out[len] = '\0';
	*got = (long)len;
}

int mtalog_jfile_next(struct mtalog_jfile *jf, char *out, size_t outsz, int *errnum)
{
	sd_journal *j = jf->j;
	int r = sd_journal_next(j);
	if (r <= 0) {
		*errnum = -r;
		return r == 0 ? JOURNAL_EOF : JOURNAL_ERR;
	}
	/* one pass over the entry's fields (a look-up each was 5 times as
	 * many item reads); a value is copied as it is met, since the next
	 * read may move the file's mapping */
	struct fields f = { 0 };
	char us[32], comm[256], ppid[32];
	long gus = -1, gid = -1, gcomm = -1, gpid = -1, gppid = -1, ghost = -1, gmsg = -1;
	const void *d;
	size_t len;
	sd_journal_restart_data(j);
	while ((r = sd_journal_enumerate_available_data(j, &d, &len)) > 0) {
		take(d, len, "MESSAGE=", 8, jf->msg, sizeof jf->msg, &gmsg);
		take(d, len, "SYSLOG_IDENTIFIER=", 18, f.prog, sizeof f.prog, &gid);
		take(d, len, "_COMM=", 6, comm, sizeof comm, &gcomm);
		take(d, len, "SYSLOG_PID=", 11, f.pid, sizeof f.pid, &gpid);
		take(d, len, "_PID=", 5, ppid, sizeof ppid, &gppid);
		take(d, len, "_HOSTNAME=", 10, f.host, sizeof f.host, &ghost);
		take(d, len, "_SOURCE_REALTIME_TIMESTAMP=", 27, us, sizeof us, &gus);
	}
	/* the sender's time when the journal knows it, as journalctl shows */
	uint64_t u;
	if (!(gus > 0 && us_text(us, (size_t)gus, &f.ns)) &&
	    (sd_journal_get_realtime_usec(j, &u) < 0 || !us_ns(u, &f.ns)))
		return JOURNAL_SKIP;
	if (gid <= 0 && gcomm > 0) {
		memcpy(f.prog, comm, (size_t)gcomm + 1);
		gid = gcomm;
	}
	if (gid <= 0)
		return JOURNAL_SKIP;
	f.pn = (size_t)gid;
	f.hn = ghost > 0 ? (size_t)ghost : 0;
	if (gpid <= 0 && gppid > 0) {
		memcpy(f.pid, ppid, (size_t)gppid + 1);
		gpid = gppid;
	}
	f.dn = gpid > 0 ? (size_t)gpid : 0;
	pid_digits(&f);
	if (gmsg == -2)
		return JOURNAL_LONG;
	if (gmsg < 0)
		return JOURNAL_SKIP;
	size_t mn = (size_t)gmsg;
	size_t cap = outsz < MTALOG_LINE_MAX + 1 ? outsz : MTALOG_LINE_MAX + 1;
	int hdr = line_head(&f, out, cap);
	if (hdr < 0 || mn >= cap - (size_t)hdr)
		return JOURNAL_LONG;
	memcpy(out + hdr, jf->msg, mn + 1);
	return line_body(out + hdr, hdr, mn);
}

void mtalog_jfile_close(struct mtalog_jfile *jf)
{
	if (!jf)
		return;
	sd_journal_close(jf->j);
	free(jf);
}
