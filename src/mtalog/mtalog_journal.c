/*
 * mtalog_journal.c - systemd journal exports (`journalctl -o json` and
 * `-o json-seq`): one JSON object per line, turned into the syslog line
 * the MTA wrote, so that every format's parser reads it unchanged.
 *
 * Debian since 12 logs to the journal alone unless rsyslog is installed,
 * so a postmaster's mail log may only exist there.  The JSON export keeps
 * what the text forms lose: the year and the microsecond of each entry
 * (__REALTIME_TIMESTAMP, or _SOURCE_REALTIME_TIMESTAMP when the sender's
 * own time is known, as journalctl's text forms show it), and messages
 * that are not text (a field that is not UTF-8 comes as an array of its
 * bytes).
 *
 * The entry is parsed by json-c; nothing in it is trusted.  The host and
 * program become printable tokens, the message keeps its bytes but NULs
 * and line breaks, and the line built is bounded by MTALOG_LINE_MAX.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mtalog/mtalog_int.h"

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

/* usec - a decimal microsecond count within 1970..2200 as ns */
static bool usec(struct json_object *obj, const char *key, int64_t *ns)
{
	char b[32];
	size_t n;
	if (value(obj, key, b, sizeof b, &n) != 1 || n == 0 || n > 16)
		return false;
	int64_t us = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i] < '0' || b[i] > '9')
			return false;
		us = us * 10 + (b[i] - '0');
	}
	if (us < 1 || us > 7258118400LL * 1000000)   /* 2200-01-01 */
		return false;
	*ns = us * 1000;
	return true;
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

/* stamp - ns (1970..2200) as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ": 27 bytes */
static void stamp(int64_t ns, char out[32])
{
	time_t t = (time_t)(ns / NS_PER_S);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t k = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + k, 32 - k, ".%06uZ", (unsigned)(ns % NS_PER_S / 1000) % 1000000u);
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
	char host[256], prog[256], pid[32], ts[32];
	size_t hn = 0, pn, dn = 0, mn;
	int64_t ns;
	/* the sender's time when the journal knows it, as journalctl shows */
	if (!usec(obj, "_SOURCE_REALTIME_TIMESTAMP", &ns) && !usec(obj, "__REALTIME_TIMESTAMP", &ns))
		goto out;
	if ((value(obj, "SYSLOG_IDENTIFIER", prog, sizeof prog, &pn) != 1 &&
	     value(obj, "_COMM", prog, sizeof prog, &pn) != 1) || pn == 0)
		goto out;
	if (value(obj, "_HOSTNAME", host, sizeof host, &hn) != 1)
		hn = 0;
	if (value(obj, "SYSLOG_PID", pid, sizeof pid, &dn) == 1 ||
	    value(obj, "_PID", pid, sizeof pid, &dn) == 1)
		for (size_t i = 0; i < dn; i++)
			if (pid[i] < '0' || pid[i] > '9')
				dn = 0;
	/* "STAMP HOST PROG[PID]: " then the message, within a line */
	size_t cap = outsz < MTALOG_LINE_MAX + 1 ? outsz : MTALOG_LINE_MAX + 1;
	size_t hdr = 27 + 1 + (hn ? hn + 1 : 0) + pn + (dn ? dn + 2 : 0) + 2;
	if (hdr >= cap) {
		res = JOURNAL_LONG;
		goto out;
	}
	char *p = out;
	stamp(ns, ts);
	memcpy(p, ts, 27);
	p += 27;
	*p++ = ' ';
	if (hn) {
		p += token(p, host, hn);
		*p++ = ' ';
	}
	p += token(p, prog, pn);
	if (dn) {
		*p++ = '[';
		memcpy(p, pid, dn);
		p += dn;
		*p++ = ']';
	}
	*p++ = ':';
	*p++ = ' ';
	int got = value(obj, "MESSAGE", p, cap - hdr, &mn);
	if (got != 1) {
		/* absent or null: no log line; longer than a line, or not a
		 * string or bytes: said */
		res = got == 0 ? JOURNAL_SKIP : got == VAL_LONG ? JOURNAL_LONG : JOURNAL_BAD;
		goto out;
	}
	/* the message's bytes, but those that would end or split the line */
	for (size_t i = 0; i < mn; i++)
		if (p[i] == '\0')
			p[i] = '?';
		else if (p[i] == '\n' || p[i] == '\r')
			p[i] = ' ';
	res = (int)(hdr + mn);
out:
	json_object_put(obj);
	return res;
}
