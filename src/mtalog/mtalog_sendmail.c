/*
 * mtalog_sendmail.c - Sendmail syslog lines (sendmail, sm-mta):
 *
 *   ... sm-mta[PID]: QID: ruleset=check_relay, arg1=NAME, arg2=ADDR,
 *       relay=NAME [ADDR], reject=550 5.7.1 Rejected: ADDR listed at LIST
 *   ... sm-mta[PID]: QID: ruleset=check_rcpt, arg1=<R>, relay=NAME [ADDR],
 *       reject=550 5.7.1 <R>... Relaying denied
 *   ... sm-mta[PID]: QID: from=<S>, size=N, ..., nrcpts=N, ..., relay=NAME [ADDR]
 *
 * A ruleset rejection is a DNSBL one when its reply says "listed at LIST"
 * (FEATURE(dnsbl) and enhdnsbl), "refused by blackhole site LIST",
 * "blocked using LIST", or "rejected, see URL" / "rejected; see URL"
 * (old FEATURE(rbl) and custom texts: the list is the URL's host).
 *
 * Trusts nothing.  arg1 of check_mail/check_rcpt and the reply text echo
 * client-chosen addresses; for check_relay the address is arg2, which
 * Sendmail fills from the connection.
 * NEEDSWORK: for other rulesets the first ", relay=" is used, which a
 * recipient holding that text could precede.
 */
#include <string.h>

#include "mtalog/mtalog_int.h"

/* relay_addr - the "[ADDR]" in a relay value "NAME [ADDR]" or "[ADDR]" */
static int relay_addr(const char *s, struct addr *a)
{
	const char *p = s;
	while (*p && *p != '[' && *p != ',' && p - s < 300)
		p++;
	const char *e;
	return mtalog_bracket_addr(p, a, &e);
}

/* dnsbl_text - DNSBL wording in the reply; list set ("" if unnamed) */
static bool dnsbl_text(const char *s, char *list, size_t n)
{
	static const char *const zone_after[] = {
		" listed at ", "refused by blackhole site ", "blocked using ", NULL,
	};
	static const char *const url_after[] = {
		"rejected, see ", "rejected; see ", "Rejected, see ", "Rejected; see ",
		NULL,
	};
	for (size_t i = 0; zone_after[i]; i++) {
		const char *p = strstr(s, zone_after[i]);
		if (p) {
			mtalog_zone(p + strlen(zone_after[i]), list, n);
			return true;
		}
	}
	for (size_t i = 0; url_after[i]; i++) {
		const char *p = strstr(s, url_after[i]);
		if (p) {
			p += strlen(url_after[i]);
			const char *u = strstr(p, "://");
			list[0] = '\0';
			if (u && u - p < 8)
				mtalog_zone(u + 3, list, n);
			return true;
		}
	}
	return false;
}

/* sendmail_parse - one Sendmail line: the format table's parse entry */
static enum mtalog_res sendmail_parse(struct mtalog *m, const char *line,
                                      struct mta_event *ev, const char **why)
{
	struct mtalog_hdr h;
	if (mtalog_syslog_hdr(m, line, &h) < 0) {
		if (!strstr(line, "reject="))
			return MTALOG_NONE;
		*why = "Sendmail rejection without a syslog time stamp and program";
		return MTALOG_UNPARSED;
	}
	if (!mtalog_prog_is(&h, "sendmail") && !mtalog_prog_is(&h, "sm-mta"))
		return MTALOG_NONE;
	ev->ts_ns = h.ts_ns;
	const char *rs = strstr(h.msg, "ruleset=");
	const char *rj = strstr(h.msg, ", reject=");
	if (rs && rj) {
		const char *text = rj + 9;
		mtalog_text(mtalog_reply_text(text), text + strlen(text),
		            ev->reason, sizeof ev->reason);
		int ok = -1;
		if (mtalog_startswith(rs, "ruleset=check_relay, ")) {
			const char *a2 = strstr(rs, ", arg2=");
			if (a2) {
				const char *e = a2 + 7;
				while (*e && *e != ',')
					e++;
				ok = mtalog_token_addr(a2 + 7, e, &ev->addr);
			}
		}
		const char *rl = strstr(rs, ", relay=");
		if (ok < 0 && rl)
			ok = relay_addr(rl + 8, &ev->addr);
		if (ok < 0) {
			*why = "Sendmail rejection without a client address";
			return MTALOG_UNPARSED;
		}
		ev->kind = dnsbl_text(text, ev->list, sizeof ev->list) ?
		           MTA_DNSBL_REJECT : MTA_OTHER_REJECT;
		return MTALOG_EVENT;
	}
	if (strstr(h.msg, "reject=")) {
		*why = "unrecognised Sendmail rejection";
		return MTALOG_UNPARSED;
	}
	/* an accepted message: "QID: from=<S>, ..., nrcpts=N, ..., relay=..." */
	const char *f = strstr(h.msg, ": from=");
	if (f && f - h.msg < 40) {
		const char *nr = strstr(f, ", nrcpts=");
		const char *rl = NULL, *p = f;
		while ((p = strstr(p, ", relay=")))   /* relay is the last field */
			rl = p++;
		if (!nr || nr[9] == '0' || !rl || relay_addr(rl + 8, &ev->addr) < 0)
			return MTALOG_NONE;
		ev->kind = MTA_ACCEPT;
		return MTALOG_EVENT;
	}
	return MTALOG_NONE;
}

/* sendmail_detect - a syslog line from sendmail or sm-mta */
static bool sendmail_detect(const char *line)
{
	struct mtalog_hdr h;
	return mtalog_syslog_hdr(NULL, line, &h) == 0 &&
	       (mtalog_prog_is(&h, "sendmail") || mtalog_prog_is(&h, "sm-mta"));
}

const struct mtalog_fmt mtalog_fmt_sendmail = {
	"sendmail", sendmail_detect, sendmail_parse,
};
