/*
 * mtalog_qmail.c - qmail lines with a DNSBL verdict, in syslog or in a
 * multilog file (TAI64N "@4000..." stamps):
 *
 *   ... rblsmtpd: LIST blocked ADDR ...
 *   ... qmail: EPOCH.FRAC rblsmtpd: ADDR pid PID[ LIST]: 451 TEXT
 *   ... qmail: EPOCH.FRAC qmail-smtpd: 421 badiprbl: ip ADDR rbl: LIST
 *   @4000000065a1b2c3... rblsmtpd: ADDR pid PID: 451 TEXT
 *
 * rblsmtpd's text is the list's TXT record, which does not always name the
 * list: then list is "".  Other qmail lines are not events; one that
 * mentions a rejection, a block or an RBL is counted as unparsed.
 *
 * Trusts nothing: addresses must be numeric, list names are reduced to
 * host-name characters.
 */
#include <string.h>

#include "mtalog/mtalog_int.h"

/* tai64n - "@" and 24 hex digits at s: UTC ns (leap seconds ignored) */
static int tai64n(const char *s, int64_t *ns, const char **end)
{
	if (s[0] != '@')
		return -1;
	uint64_t sec = 0, nsec = 0;
	for (int i = 1; i <= 24; i++) {
		char c = s[i];
		unsigned v;
		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (unsigned)(c - 'a' + 10);
		else
			return -1;
		if (i <= 16)
			sec = sec * 16 + v;
		else
			nsec = nsec * 16 + v;
	}
	/* TAI64 label 2^62 + 10 is 1970-01-01 00:00:00 UTC */
	const uint64_t base = ((uint64_t)1 << 62) + 10;
	/* up to 2200, as every other stamp: nanoseconds since 1970 in an
	 * int64_t end in 2262 (a label of year 9999, allowed before, made
	 * the multiplication below overflow: found by fuzzing) */
	if (sec < base || sec - base >= 7258118400ULL || nsec >= 1000000000ULL)
		return -1;
	*ns = (int64_t)(sec - base) * NS_PER_S + (int64_t)nsec;
	*end = s[25] == ' ' ? s + 26 : s + 25;
	return 0;
}

/* rblsmtpd - the message after "rblsmtpd: " */
static enum mtalog_res rblsmtpd(const char *s, struct mta_event *ev, const char **why)
{
	const char *sp = strchr(s, ' ');
	if (sp && mtalog_startswith(sp, " blocked ")) {   /* LIST blocked ADDR */
		const char *a = sp + 9, *e = a;
		while (*e && *e != ' ')
			e++;
		if (!mtalog_zone(s, ev->list, sizeof ev->list) ||
		    mtalog_token_addr(a, e, &ev->addr) < 0) {
			*why = "rblsmtpd line without a list or address";
			return MTALOG_UNPARSED;
		}
		mtalog_text(s, s + strlen(s), ev->reason, sizeof ev->reason);
		ev->kind = MTA_DNSBL_REJECT;
		return MTALOG_EVENT;
	}
	/* ADDR pid PID[ LIST]: TEXT */
	if (!sp || mtalog_token_addr(s, sp, &ev->addr) < 0 ||
	    !mtalog_startswith(sp, " pid ")) {
		*why = "rblsmtpd line without an address";
		return MTALOG_UNPARSED;
	}
	const char *p = sp + 5;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == ' ')
		mtalog_zone(p + 1, ev->list, sizeof ev->list);
	const char *t = strstr(p, ": ");
	t = t ? t + 2 : p;
	mtalog_text(t, t + strlen(t), ev->reason, sizeof ev->reason);
	ev->kind = MTA_DNSBL_REJECT;
	return MTALOG_EVENT;
}

/* badiprbl - "421 badiprbl: ip ADDR rbl: LIST" (qmail-smtpd RBL patch) */
static enum mtalog_res badiprbl(const char *s, struct mta_event *ev, const char **why)
{
	const char *ip = strstr(s, " ip "), *rbl = strstr(s, " rbl: ");
	if (!ip || !rbl || rbl < ip + 4 ||   /* " ip rbl: " shares a space */
	    mtalog_token_addr(ip + 4, rbl, &ev->addr) < 0) {
		*why = "badiprbl line without an address";
		return MTALOG_UNPARSED;
	}
	mtalog_zone(rbl + 6, ev->list, sizeof ev->list);
	mtalog_text(s, s + strlen(s), ev->reason, sizeof ev->reason);
	ev->kind = MTA_DNSBL_REJECT;
	return MTALOG_EVENT;
}

/* qmail_msg - after the stamp: "[EPOCH.FRAC ]PROG: TEXT" or syslog prog */
static enum mtalog_res qmail_msg(const char *s, struct mta_event *ev, const char **why)
{
	const char *p = s;
	while ((*p >= '0' && *p <= '9') || *p == '.')
		p++;
	if (p > s && *p == ' ')
		s = p + 1;
	if (mtalog_startswith(s, "rblsmtpd: "))
		return rblsmtpd(s + 10, ev, why);
	const char *b = strstr(s, "badiprbl: ");
	if (b)
		return badiprbl(s, ev, why);
	if (strstr(s, "reject") || strstr(s, "blocked") || strstr(s, "rbl")) {
		*why = "unrecognised qmail rejection";
		return MTALOG_UNPARSED;
	}
	return MTALOG_NONE;
}

/* qmail_prog - program names of the qmail family */
static bool qmail_prog(const struct mtalog_hdr *h)
{
	return mtalog_prog_prefix(h, "qmail") || mtalog_prog_is(h, "rblsmtpd") ||
	       mtalog_prog_prefix(h, "tcpserver") || mtalog_prog_prefix(h, "vpopmail");
}

/* qmail_parse - one qmail line: the format table's parse entry */
static enum mtalog_res qmail_parse(struct mtalog *m, const char *line,
                                   struct mta_event *ev, const char **why)
{
	struct mtalog_hdr h;
	const char *p;
	if (tai64n(line, &ev->ts_ns, &p) == 0)
		return qmail_msg(p, ev, why);
	if (mtalog_syslog_hdr(m, line, &h) < 0) {
		if (!strstr(line, "rblsmtpd") && !strstr(line, "badiprbl"))
			return MTALOG_NONE;
		*why = "qmail rejection without a time stamp";
		return MTALOG_UNPARSED;
	}
	if (!qmail_prog(&h))
		return MTALOG_NONE;
	ev->ts_ns = h.ts_ns;
	if (mtalog_prog_is(&h, "rblsmtpd"))
		return rblsmtpd(h.msg, ev, why);
	return qmail_msg(h.msg, ev, why);
}

/* qmail_detect - a qmail program in syslog, or a multilog stamp */
static bool qmail_detect(const char *line)
{
	struct mtalog_hdr h;
	int64_t ns;
	const char *p;
	if (tai64n(line, &ns, &p) == 0)
		return true;
	return mtalog_syslog_hdr(NULL, line, &h) == 0 && qmail_prog(&h);
}

const struct mtalog_fmt mtalog_fmt_qmail = {
	"qmail", qmail_detect, qmail_parse,
};
