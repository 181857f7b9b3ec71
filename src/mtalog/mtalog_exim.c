/*
 * mtalog_exim.c - Exim main log lines, bare or inside syslog:
 *
 *   2024-05-01 10:00:00[.123][ +0200] [PID] [ID] MSG        (mainlog)
 *   May  1 10:00:00 HOST exim[PID]: [2024-05-01 10:00:00 ]MSG (syslog)
 *   HOST exim[PID]: 2024-05-01 10:00:00 MSG, 2024-... HOST exim[PID]: MSG
 *
 * MSG forms used: "H=NAME (HELO) [ADDR]:PORT ... rejected ...", "rejected
 * ... H=...", "H=... dropped by 'ACL' ACL: ...", "ID <= SENDER H=..."
 * (accepted), "SMTP connection from ... (TCP/IP connection count = N)".
 * A rejection is a DNSBL one when its text says "is in a black list at
 * LIST" (Exim's default dnslists message), "is listed at/in LIST",
 * "blocked using LIST", "(dnslists LIST)", or "is in an RBL".
 * A time stamp without a zone is taken as UTC (Exim writes local time
 * unless log_timezone is set).
 *
 * Trusts nothing.  HELO names, senders, recipients and SMTP commands
 * quoted in these lines are chosen by the client; the client address is
 * taken from the "H=" (or "from") host field that Exim writes.
 * NEEDSWORK: a quoted SMTP command or sender holding " H=[...]" before the
 * real host field can still mislead the address of an OTHER/ACCEPT event.
 */
#include <string.h>

#include "mtalog/mtalog_int.h"

/* exim_stamp - "YYYY-MM-DD HH:MM:SS[.f][ +ZZZZ] " at s; *end past the blank */
static int exim_stamp(const char *s, int64_t *ns, const char **end)
{
	const char *p;
	if (mtalog_time_iso(s, true, &p, ns) < 0 || s[10] != ' ')
		return -1;
	/* " +HHMM" when log_timezone is set; checked byte by byte, so the
	 * scan stops at the terminating NUL */
	if (p[0] == ' ' && (p[1] == '+' || p[1] == '-')) {
		const char *z = p + 2;
		int i;
		for (i = 0; i < 4 && z[i] >= '0' && z[i] <= '9'; i++)
			;
		if (i == 4 && (z[4] == ' ' || z[4] == '\0')) {
			int hh = (z[0] - '0') * 10 + (z[1] - '0');
			int mm = (z[2] - '0') * 10 + (z[3] - '0');
			if (hh > 23 || mm > 59)
				return -1;
			int64_t off = ((int64_t)hh * 3600 + mm * 60) * NS_PER_S;
			*ns -= p[1] == '+' ? off : -off;
			p += 6;
		}
	}
	if (*p != ' ' && *p != '\0')
		return -1;
	*end = *p ? p + 1 : p;
	return 0;
}

/* exim_prog - "HOST exim[PID]: " or "exim[PID]: " at s; message after it */
static const char *exim_prog(const char *s)
{
	struct mtalog_hdr h;
	for (int i = 0; i < 2; i++) {
		if (mtalog_prog_hdr(s, &h) == 0 && mtalog_prog_prefix(&h, "exim"))
			return h.msg;
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return NULL;
}

/* exim_header - time stamp and message of any of the line forms */
static const char *exim_header(struct mtalog *m, const char *line, int64_t *ns)
{
	const char *p, *q;
	int64_t t;
	if (exim_stamp(line, ns, &p) == 0) {
		q = exim_prog(p);
		return q ? q : p;
	}
	struct mtalog_hdr h;
	if (mtalog_syslog_hdr(m, line, &h) == 0) {
		if (!mtalog_prog_prefix(&h, "exim"))
			return NULL;
		*ns = h.ts_ns;
		if (exim_stamp(h.msg, &t, &p) == 0) {
			*ns = t;
			return p;
		}
		return h.msg;
	}
	q = exim_prog(line);
	if (q && exim_stamp(q, ns, &p) == 0)
		return p;
	return NULL;
}

/* skip_pid_id - "[PID] " and a message id "XXXXXX-XXXXXX-XX " */
static const char *skip_pid_id(const char *s)
{
	if (*s == '[') {
		const char *p = s + 1;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p > s + 1 && p[0] == ']' && p[1] == ' ')
			s = p + 2;
	}
	const char *p = s;
	int dashes = 0;
	while ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= 'a' && *p <= 'z') || *p == '-') {
		dashes += *p == '-';
		p++;
	}
	if (dashes == 2 && p - s >= 16 && *p == ' ')
		s = p + 1;
	return s;
}

/* exim_host - "NAME (HELO) [ADDR]", "(HELO) [ADDR]", "NAME [ADDR]",
 * "[ADDR]"; Exim only keeps HELO names without blanks */
static int exim_host(const char *s, struct addr *a)
{
	const char *p = s;
	if (*p != '[' && *p != '(') {
		while (*p && *p != ' ' && *p != '[' && *p != '(')
			p++;
		if (*p == ' ')
			p++;
	}
	if (*p == '(') {
		const char *c = p + 1;
		while (*c && *c != ')' && *c != ' ' && c - p < 256)
			c++;
		if (*c != ')')
			return -1;
		p = c + 1;
		if (*p == ' ')
			p++;
	}
	const char *e;
	return mtalog_bracket_addr(p, a, &e);
}

/* host_field - the client address from "H=" or "... from " */
static int host_field(const char *msg, struct addr *a)
{
	const char *h = mtalog_startswith(msg, "H=") ? msg : strstr(msg, " H=");
	if (h)
		return exim_host(h + (*h == ' ' ? 3 : 2), a);
	const char *f = strstr(msg, " from ");
	if (f && exim_host(f + 6, a) == 0)
		return 0;
	return -1;
}

/* is_rejection - "rejected" as a word, or a drop by an ACL */
static const char *is_rejection(const char *msg)
{
	if (mtalog_startswith(msg, "rejected "))
		return msg;
	const char *r = strstr(msg, " rejected ");
	if (!r)
		r = strstr(msg, " rejected\"");
	if (r)
		return r + 1;
	return strstr(msg, " dropped by '");
}

/* dnsbl_marker - the DNSBL wording in a rejection: returns where it
 * starts, with the zone copied into list ("" when not named) */
static const char *dnsbl_marker(const char *s, char *list, size_t n)
{
	static const struct { const char *text; bool zone; } marks[] = {
		{ " is in a black list at ", true },
		{ " is in a blacklist at ", true },
		{ " is in a block list at ", true },
		{ " is in a blocklist at ", true },
		{ " is listed at ", true },
		{ " is listed in ", true },
		{ " blocked using ", true },
		{ "(dnslists ", true },
		{ "dnslists=", true },
		{ " is in an RBL", false },
		{ NULL, false },
	};
	for (size_t i = 0; marks[i].text; i++) {
		const char *p = strstr(s, marks[i].text);
		if (!p)
			continue;
		list[0] = '\0';
		if (marks[i].zone)
			mtalog_zone(p + strlen(marks[i].text), list, n);
		return p;
	}
	return NULL;
}

/* listed_key - the token before " is in..."/" is listed...": the address
 * or domain that the list holds; 1 address, 0 domain, -1 neither */
static int listed_key(const char *start, const char *mark, struct addr *a)
{
	const char *e = mark, *b = mark;
	while (b > start && b[-1] != ' ')
		b--;
	if (*b == '[') {                 /* "[ADDR]:PORT" */
		const char *q;
		if (mtalog_bracket_addr(b, a, &q) == 0)
			return 1;
		return -1;
	}
	if (mtalog_token_addr(b, e, a) == 0)
		return 1;
	char zone[128];
	if (e - b < (long)sizeof zone && mtalog_zone(b, zone, sizeof zone) ==
	    (size_t)(e - b) - (e[-1] == '.'))
		return 0;
	return -1;
}

/* exim_parse - one Exim line: the format table's parse entry */
static enum mtalog_res exim_parse(struct mtalog *m, const char *line,
                                  struct mta_event *ev, const char **why)
{
	const char *msg = exim_header(m, line, &ev->ts_ns);
	if (!msg) {
		if (is_rejection(line)) {
			*why = "Exim rejection without a time stamp";
			return MTALOG_UNPARSED;
		}
		return MTALOG_NONE;
	}
	msg = skip_pid_id(msg);
	/* deliveries ("=>", "->", "*>", "**", "==") are about outgoing mail:
	 * a remote server's rejection of us is not a label of anyone */
	if ((msg[0] == '=' || msg[0] == '-' || msg[0] == '*') &&
	    (msg[1] == '>' || msg[1] == '*' || msg[1] == '=') && msg[2] == ' ')
		return MTALOG_NONE;
	if (strstr(msg, "SMTP error from remote mail server"))
		return MTALOG_NONE;
	if (mtalog_startswith(msg, "<= ")) {
		const char *h = strstr(msg, " H=");
		if (!h || exim_host(h + 3, &ev->addr) < 0)
			return MTALOG_NONE;      /* local submission */
		ev->kind = MTA_ACCEPT;
		return MTALOG_EVENT;
	}
	if (mtalog_startswith(msg, "SMTP connection from ") &&
	    strstr(msg, "(TCP/IP connection count")) {
		if (exim_host(msg + 21, &ev->addr) < 0)
			return MTALOG_NONE;
		ev->kind = MTA_CONNECT;
		return MTALOG_EVENT;
	}
	const char *r = is_rejection(msg);
	if (!r)
		return MTALOG_NONE;
	const char *colon = strstr(r, ": ");
	const char *text = colon ? colon + 2 : r;
	mtalog_text(text, text + strlen(text), ev->reason, sizeof ev->reason);
	bool have = host_field(msg, &ev->addr) == 0;
	const char *mark = dnsbl_marker(r, ev->list, sizeof ev->list);
	if (!mark) {
		if (!have) {
			*why = "Exim rejection without a client address";
			return MTALOG_UNPARSED;
		}
		ev->kind = MTA_OTHER_REJECT;
		return MTALOG_EVENT;
	}
	struct addr key;
	int k = mark[0] == ' ' && mark[1] == 'i' ? listed_key(r, mark, &key) : 1;
	if (k == 1 && !have && mark[0] == ' ' && mark[1] == 'i') {
		ev->addr = key;
		have = true;
	}
	if (!have) {
		*why = "Exim DNSBL rejection without a client address";
		return MTALOG_UNPARSED;
	}
	ev->kind = k == 0 ? MTA_DOMAIN_REJECT : MTA_DNSBL_REJECT;
	return MTALOG_EVENT;
}

/* exim_detect - an Exim time stamp ("YYYY-MM-DD HH:MM:SS") or program */
static bool exim_detect(const char *line)
{
	int64_t ns;
	const char *p;
	if (exim_stamp(line, &ns, &p) == 0)
		return true;
	struct mtalog_hdr h;
	if (mtalog_syslog_hdr(NULL, line, &h) == 0)
		return mtalog_prog_prefix(&h, "exim");
	return exim_prog(line) != NULL;
}

const struct mtalog_fmt mtalog_fmt_exim = {
	"exim", exim_detect, exim_parse,
};
