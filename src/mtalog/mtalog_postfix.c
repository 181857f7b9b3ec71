/*
 * mtalog_postfix.c - Postfix syslog lines: smtpd and postscreen rejections,
 * dnsblog hits, accepted messages (client=) and connections.
 *
 *   ... postfix/smtpd[PID]: NOQUEUE: reject: RCPT from NAME[ADDR]: 554 5.7.1
 *       Service unavailable; Client host [ADDR] blocked using LIST; ...;
 *       from=<S> to=<R> proto=ESMTP helo=<H>
 *   ... postfix/postscreen[PID]: DNSBL rank N for [ADDR]:PORT
 *   ... postfix/dnsblog[PID]: addr ADDR listed by domain LIST as 127.0.0.X
 *
 * Trusts nothing.  Sender, recipient, HELO and header text in these lines
 * are chosen by the client, so the DNSBL reply is only recognised where
 * Postfix writes it (after the SMTP code, before any "<...>" the client
 * chose), and the client address only in the "from NAME[ADDR]" slot that
 * Postfix fills from the connection.
 */
#include <stdio.h>
#include <string.h>

#include "mtalog/mtalog_int.h"

#define CLASS_MAX 40

/* client - "NAME[ADDR]" or "[ADDR]", then an optional ":PORT"; NAME is a
 * host name Postfix checked, so it has no blanks or brackets */
static int client(const char *s, struct addr *a, const char **end)
{
	const char *p = s;
	while (*p && *p != '[' && *p != ' ' && p - s < 256)
		p++;
	if (mtalog_bracket_addr(p, a, &p) < 0)
		return -1;
	if (*p == ':' && p[1] >= '0' && p[1] <= '9') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	*end = p;
	return 0;
}

/* skip_queue_id - "QUEUEID: " or "NOQUEUE: " at s, else s */
static const char *skip_queue_id(const char *s)
{
	const char *p = s;
	while ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= 'a' && *p <= 'z'))
		p++;
	if (p - s >= 5 && p[0] == ':' && p[1] == ' ')
		return p + 2;
	return s;
}

/* rbl_segment - "CLASS [WHAT] blocked using LIST" at s (not past e):
 * true, with kind and list set, when it is one */
static bool rbl_segment(const char *s, const char *e, struct mta_event *ev)
{
	const char *p = s;
	while (p < e && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	                 *p == ' ') && p - s < CLASS_MAX)
		p++;
	if (p == s || p >= e || *p != '[' || p[-1] != ' ')
		return false;
	size_t classlen = (size_t)(p - 1 - s);
	const char *what = p + 1;
	const char *b = mtalog_find(what, e, "] blocked using ");
	if (!b)
		return false;
	const char *zone = b + strlen("] blocked using ");
	if (!mtalog_zone(zone, ev->list, sizeof ev->list))
		return false;
	struct addr listed;
	bool client = (classlen == 11 && !strncasecmp(s, "Client host", 11)) ||
	              (classlen == 6 && !strncasecmp(s, "client", 6));
	if (client && mtalog_token_addr(what, b, &listed) == 0)
		ev->kind = MTA_DNSBL_REJECT;   /* reject_rbl_client */
	else
		ev->kind = MTA_DOMAIN_REJECT;  /* reject_rhsbl_* */
	return true;
}

/* reply - classify the reply text [s, e) of a reject line */
static enum mtalog_res reply(const char *s, const char *e, struct mta_event *ev,
                             const char **why)
{
	const char *t = mtalog_reply_text(s);
	/* the body follows the "<ADDRESS>: " the client chose, if any */
	const char *body = t;
	if (*body == '<') {
		const char *q = mtalog_find(body, e, ">: ");
		body = q ? q + 3 : body;
	} else if (body[0] == ':' && body[1] == ' ') {
		body += 2;
	}
	mtalog_text(body, e, ev->reason, sizeof ev->reason);
	/* the default RBL reply starts the text or follows "; ", and nothing
	 * the client chose ("<...>") comes before it */
	const char *lt = memchr(t, '<', (size_t)(e - t));
	const char *lim = lt ? lt : e;
	for (const char *p = t; p && p < lim; ) {
		if (rbl_segment(p, e, ev))
			return MTALOG_EVENT;
		p = mtalog_find(p, lim, "; ");
		if (p)
			p += 2;
	}
	/* other replies: "CLASS rejected: ... blocked using LIST" */
	const char *b = mtalog_find(body, e, "blocked using ");
	if (b) {
		if (!mtalog_zone(b + 14, ev->list, sizeof ev->list)) {
			*why = "'blocked using' without a list name";
			return MTALOG_UNPARSED;
		}
		bool client = !strncasecmp(body, "Client host", 11) ||
		              !strncasecmp(body, "client ", 7);
		ev->kind = client ? MTA_DNSBL_REJECT : MTA_DOMAIN_REJECT;
		return MTALOG_EVENT;
	}
	ev->kind = MTA_OTHER_REJECT;
	return MTALOG_EVENT;
}

/* reject - "STAGE from NAME[ADDR]: REPLY; from=<...> ..." after "reject: " */
static enum mtalog_res reject(const char *s, struct mta_event *ev, const char **why)
{
	const char *p = s;
	while ((*p >= 'A' && *p <= 'Z') || *p == '-')
		p++;
	const char *c;
	if (p > s && mtalog_startswith(p, " from ")) {
		c = p + 6;     /* an SMTP command stage */
	} else {
		/* header/body checks: "header TEXT from NAME[ADDR]; from=<" */
		c = strstr(s, " from ");
		while (c) {
			const char *q;
			struct addr a;
			if (client(c + 6, &a, &q) == 0 && mtalog_startswith(q, "; from=<"))
				break;
			c = strstr(c + 6, " from ");
		}
		if (!c) {
			*why = "reject without a client address";
			return MTALOG_UNPARSED;
		}
		c += 6;
	}
	const char *q;
	if (client(c, &ev->addr, &q) < 0) {
		*why = "reject with a client address that is not numeric";
		return MTALOG_UNPARSED;
	}
	if (*q == ';') {                  /* header/body checks: reply after ": " */
		ev->kind = MTA_OTHER_REJECT;
		const char *r = strstr(q, ">: ");
		if (r)
			r += 3;
		else   /* "; " and the reply, or the line ends at ';' */
			for (r = q + 1; *r == ' '; r++)
				;
		mtalog_text(mtalog_reply_text(r), r + strlen(r), ev->reason,
		            sizeof ev->reason);
		return MTALOG_EVENT;
	}
	if (q[0] != ':' || q[1] != ' ') {
		*why = "reject without ': ' after the client";
		return MTALOG_UNPARSED;
	}
	q += 2;
	const char *e = strstr(q, "; from=<");
	if (!e)
		e = strstr(q, "; proto=");
	if (!e)
		e = q + strlen(q);
	return reply(q, e, ev, why);
}

/* postscreen - the postscreen events other than its reject lines */
static enum mtalog_res postscreen(struct mtalog *m, const char *s,
                                  struct mta_event *ev, const char **why)
{
	static const char *const other[] = {
		"PREGREET ", "HANGUP ", "COMMAND TIME LIMIT", "COMMAND COUNT LIMIT",
		"COMMAND LENGTH LIMIT", "COMMAND PIPELINING", "NON-SMTP COMMAND",
		"BARE NEWLINE", "BLACKLISTED ", "DENYLISTED ", NULL,
	};
	const char *p;
	if (mtalog_startswith(s, "CONNECT from ")) {
		if (client(s + 13, &ev->addr, &p) < 0)
			return MTALOG_NONE;
		ev->kind = MTA_CONNECT;
		return MTALOG_EVENT;
	}
	if (mtalog_startswith(s, "DNSBL rank ")) {
		p = s + 11;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == s + 11 || !mtalog_startswith(p, " for ") ||
		    client(p + 5, &ev->addr, &p) < 0) {
			*why = "postscreen DNSBL line without a client address";
			return MTALOG_UNPARSED;
		}
		const char *site = mtalog_dnsblog_lookup(m, &ev->addr);
		snprintf(ev->list, sizeof ev->list, "%s", site ? site : "postscreen");
		mtalog_text(s, strstr(s, " for "), ev->reason, sizeof ev->reason);
		ev->kind = MTA_DNSBL_REJECT;
		return MTALOG_EVENT;
	}
	for (size_t i = 0; other[i]; i++) {
		if (!mtalog_startswith(s, other[i]))
			continue;
		const char *b = strchr(s, '[');
		if (!b || mtalog_bracket_addr(b, &ev->addr, &p) < 0) {
			*why = "postscreen violation without a client address";
			return MTALOG_UNPARSED;
		}
		const char *r = s + strlen(other[i]);
		mtalog_text(s, r[-1] == ' ' ? r - 1 : r, ev->reason, sizeof ev->reason);
		ev->kind = MTA_OTHER_REJECT;
		return MTALOG_EVENT;
	}
	return MTALOG_NONE;
}

/* dnsblog - "addr ADDR listed by domain LIST as 127.0.0.X" */
static enum mtalog_res dnsblog(struct mtalog *m, const char *s,
                               struct mta_event *ev, const char **why)
{
	if (!mtalog_startswith(s, "addr "))
		return MTALOG_NONE;
	const char *a = s + 5, *b = strstr(a, " listed by domain ");
	if (!b)
		return MTALOG_NONE;
	if (mtalog_token_addr(a, b, &ev->addr) < 0 ||
	    !mtalog_zone(b + 18, ev->list, sizeof ev->list)) {
		*why = "dnsblog line without an address or list";
		return MTALOG_UNPARSED;
	}
	if (mtalog_is_allowlist(ev->list))
		return MTALOG_ALLOW;
	mtalog_dnsblog_note(m, &ev->addr, ev->list);
	mtalog_text(b + 1, b + strlen(b), ev->reason, sizeof ev->reason);
	ev->kind = MTA_DNSBL_REJECT;
	return MTALOG_EVENT;
}

/* looks_rejected - text that a rejection line would hold */
static bool looks_rejected(const char *s)
{
	return strstr(s, "reject: ") || strstr(s, "blocked using") ||
	       strstr(s, " listed by domain ");
}

/* postfix_parse - one Postfix line: the format table's parse entry */
static enum mtalog_res postfix_parse(struct mtalog *m, const char *line,
                                     struct mta_event *ev, const char **why)
{
	struct mtalog_hdr h;
	if (mtalog_syslog_hdr(m, line, &h) < 0) {
		if (!looks_rejected(line))
			return MTALOG_NONE;
		*why = "rejection without a syslog time stamp and program";
		return MTALOG_UNPARSED;
	}
	if (!mtalog_prog_prefix(&h, "postfix"))
		return MTALOG_NONE;
	/* "postfix" (or "postfix-out") alone: the daemon is not known.
	 * rsyslog ends a program name at '/' (unless
	 * parser.permitSlashInProgramName), so its RFC 5424 files name every
	 * Postfix line so; each receiving-side form below is then known by
	 * its own words */
	bool bare = !memchr(h.prog, '/', h.proglen);
	/* only the receiving side: smtp/lmtp/local/bounce lines quote what
	 * remote servers said about our own mail */
	if (!bare && !mtalog_prog_is(&h, "smtpd") && !mtalog_prog_is(&h, "postscreen") &&
	    !mtalog_prog_is(&h, "dnsblog") && !mtalog_prog_is(&h, "cleanup"))
		return MTALOG_NONE;
	ev->ts_ns = h.ts_ns;
	enum mtalog_res r = MTALOG_NONE;
	const char *s = skip_queue_id(h.msg);
	if (mtalog_startswith(s, "reject: "))
		r = reject(s + 8, ev, why);
	else if (mtalog_startswith(s, "milter-reject: "))
		r = reject(s + 15, ev, why);
	else if (mtalog_prog_is(&h, "dnsblog"))
		r = dnsblog(m, h.msg, ev, why);
	else if (mtalog_prog_is(&h, "postscreen"))
		r = postscreen(m, h.msg, ev, why);
	else if (mtalog_startswith(s, "client=") && s != h.msg) {
		const char *p;
		if (client(s + 7, &ev->addr, &p) == 0) {
			ev->kind = MTA_ACCEPT;
			r = MTALOG_EVENT;
		}
	} else if (mtalog_startswith(h.msg, "connect from ")) {
		const char *p;
		if (client(h.msg + 13, &ev->addr, &p) == 0) {
			ev->kind = MTA_CONNECT;
			r = MTALOG_EVENT;
		}
	} else if (bare && (r = dnsblog(m, h.msg, ev, why)) == MTALOG_NONE) {
		r = postscreen(m, h.msg, ev, why);
	}
	/* a delivery's status quoting a remote rejection is not counted:
	 * without the daemon it cannot be told from smtpd's */
	if (r == MTALOG_NONE && !bare && !mtalog_startswith(s, "reject_warning: ") &&
	    looks_rejected(h.msg)) {
		*why = "unrecognised Postfix rejection";
		return MTALOG_UNPARSED;
	}
	return r;
}

/* postfix_detect - a syslog line from a postfix program */
static bool postfix_detect(const char *line)
{
	struct mtalog_hdr h;
	return mtalog_syslog_hdr(NULL, line, &h) == 0 &&
	       mtalog_prog_prefix(&h, "postfix");
}

const struct mtalog_fmt mtalog_fmt_postfix = {
	"postfix", postfix_detect, postfix_parse,
};
