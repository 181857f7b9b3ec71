/* test_mtalog.c - mtalog/: every recognised line form, year resolution,
 * gzip, strict reporting, long lines, NUL bytes, detection errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "addr/addr.h"
#include "mtalog/mtalog.h"

#define MAXEV 64

struct result {
	int n;
	struct mta_event ev[MAXEV];
	struct mtalog_stats st;
	char format[64];
	int rc;          /* last mtalog_next result */
};

/* tmpfile_with - a fresh file holding len bytes of s; caller unlinks */
static char *tmpfile_with(const void *s, size_t len)
{
	static char path[64];
	strcpy(path, "/tmp/test_mtalog.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, len), (ssize_t)len);
	close(fd);
	return path;
}

/* read_all - open path and collect every event; 0 or -1 (open failed) */
static int read_all(const char *path, const struct mtalog_opts *o,
                    struct result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	struct mtalog *m = mtalog_open(path, o, err, errlen);
	if (!m)
		return -1;
	struct mta_event ev;
	while ((r->rc = mtalog_next(m, &ev)) > 0) {
		if (r->n < MAXEV)
			r->ev[r->n] = ev;
		r->n++;
	}
	r->st = *mtalog_get_stats(m);
	snprintf(r->format, sizeof r->format, "%s", mtalog_format(m));
	mtalog_close(m);
	return 0;
}

/* read_bytes - read_all of a file holding len bytes of s (which may hold
 * NUL bytes); fails the test when it cannot be opened */
static void read_bytes(const void *s, size_t len, const struct mtalog_opts *o, struct result *r)
{
	char err[256];
	char *p = tmpfile_with(s, len);
	int rc = read_all(p, o, r, err, sizeof err);
	unlink(p);
	if (rc < 0)
		fail_msg("open failed: %s", err);
}

/* read_text - read_bytes of a string */
static void read_text(const char *text, const struct mtalog_opts *o, struct result *r)
{
	read_bytes(text, strlen(text), o, r);
}

/* utc - "YYYY-MM-DD HH:MM:SS" (UTC) as ns, by libc's timegm (the oracle) */
static int64_t utc(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *e = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	assert_non_null(e);
	assert_int_equal(*e, '\0');
	return (int64_t)timegm(&tm) * 1000000000LL;
}

/* the same address, by text */
static void assert_addr(const struct addr *a, const char *want)
{
	char buf[ADDR_STRLEN];
	struct addr w;
	assert_int_equal(addr_parse(want, &w), 0);
	if (!addr_eq(a, &w))
		fail_msg("address %s, want %s", addr_format(a, buf), want);
}

struct line_case {
	const char *line;
	const char *format;
	int kind;           /* enum mta_kind, or -1: no event */
	const char *addr;
	const char *list;
	const char *time;   /* UTC */
	long frac_ns;
	int unparsed, allow;
};

#define NOEV -1
#define PF "Jan  5 10:00:00 mx postfix/smtpd[4242]: "
#define PS "Jan  5 10:00:00 mx postfix/postscreen[4243]: "
#define T0 "2024-01-05 10:00:00"
#define SM "Jan  5 10:00:00 mx sm-mta[777]: "
#define EX "2024-01-05 10:00:00 "

static const struct line_case cases[] = {
	/* ---- journalctl's short-unix and short-full stamps ---- */
	{ "1704448800.123456 mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; proto=ESMTP helo=<x>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.1", "zen.spamhaus.org", T0, 123456000, 0, 0 },
	{ "Fri 2024-01-05 10:00:00 UTC mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; proto=ESMTP helo=<x>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.1", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ "Fri 2024-01-05 10:00:00 GMT mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; proto=ESMTP helo=<x>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.1", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ "Fri 2024-01-05 14:00:00 +04 mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; proto=ESMTP helo=<x>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.1", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ "Fri 2024-01-05 06:30:00 -0330 mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; proto=ESMTP helo=<x>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.1", "zen.spamhaus.org", T0, 0, 0, 0 },
	/* ---- Postfix smtpd: reject_rbl_client at each stage ---- */
	{ PF "NOQUEUE: reject: RCPT from mail.example.net[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1; from=<a@example.net> to=<b@example.org> proto=ESMTP helo=<mail.example.net>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.1", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: CONNECT from unknown[198.51.100.7]: 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using b.barracudacentral.org; proto=SMTP",
	  "postfix", MTA_DNSBL_REJECT, "198.51.100.7", "b.barracudacentral.org", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: EHLO from unknown[198.51.100.8]: 550 5.7.1 Service unavailable; Client host [198.51.100.8] blocked using bl.spamcop.net; proto=ESMTP helo=<x>",
	  "postfix", MTA_DNSBL_REJECT, "198.51.100.8", "bl.spamcop.net", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: MAIL from h.example[198.51.100.9]: 550 5.7.1 Service unavailable; Client host [198.51.100.9] blocked using psbl.surriel.com; from=<s@example.com> proto=ESMTP helo=<h.example>",
	  "postfix", MTA_DNSBL_REJECT, "198.51.100.9", "psbl.surriel.com", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: RCPT from mail.example[2001:db8::25]: 554 5.7.1 Service unavailable; Client host [2001:db8::25] blocked using zen.spamhaus.org; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<mail.example>",
	  "postfix", MTA_DNSBL_REJECT, "2001:db8::25", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: RCPT from mail.example[IPv6:2001:db8::26]: 554 5.7.1 Service unavailable; Client host [2001:db8::26] blocked using zen.spamhaus.org; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<mail.example>",
	  "postfix", MTA_DNSBL_REJECT, "2001:db8::26", "zen.spamhaus.org", T0, 0, 0, 0 },
	/* queue id instead of NOQUEUE, 450 temporary */
	{ PF "4F3A21C0A7F: reject: RCPT from x.example[192.0.2.3]: 450 4.7.1 Service unavailable; Client host [192.0.2.3] blocked using dnsbl.example.org; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x.example>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.3", "dnsbl.example.org", T0, 0, 0, 0 },
	/* ---- Postfix rhsbl: domains, not addresses ---- */
	{ PF "NOQUEUE: reject: RCPT from x.example[192.0.2.4]: 554 5.7.1 Service unavailable; Sender address [spam.example] blocked using dbl.spamhaus.org; from=<a@spam.example> to=<b@y.example> proto=ESMTP helo=<x.example>",
	  "postfix", MTA_DOMAIN_REJECT, "192.0.2.4", "dbl.spamhaus.org", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: RCPT from x.example[192.0.2.5]: 554 5.7.1 Service unavailable; Helo command [bad.example] blocked using dbl.spamhaus.org; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<bad.example>",
	  "postfix", MTA_DOMAIN_REJECT, "192.0.2.5", "dbl.spamhaus.org", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: RCPT from bad.example[192.0.2.6]: 554 5.7.1 Service unavailable; Client host [bad.example] blocked using dbl.spamhaus.org; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x>",
	  "postfix", MTA_DOMAIN_REJECT, "192.0.2.6", "dbl.spamhaus.org", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: RCPT from x.example[192.0.2.7]: 554 5.7.1 <bad.example>: Helo command rejected: host listed, blocked using multi.surbl.org; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<bad.example>",
	  "postfix", MTA_DOMAIN_REJECT, "192.0.2.7", "multi.surbl.org", T0, 0, 0, 0 },
	/* ---- Postfix other rejections ---- */
	{ PF "NOQUEUE: reject: RCPT from unknown[192.0.2.8]: 450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.8]; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x>",
	  "postfix", MTA_OTHER_REJECT, "192.0.2.8", "", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: RCPT from x.example[192.0.2.9]: 550 5.1.1 <nobody@y.example>: Recipient address rejected: User unknown in local recipient table; from=<a@x.example> to=<nobody@y.example> proto=ESMTP helo=<x.example>",
	  "postfix", MTA_OTHER_REJECT, "192.0.2.9", "", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: RCPT from x.example[192.0.2.10]: 554 5.7.1 <a@elsewhere.example>: Relay access denied; from=<a@x.example> to=<a@elsewhere.example> proto=SMTP helo=<x.example>",
	  "postfix", MTA_OTHER_REJECT, "192.0.2.10", "", T0, 0, 0, 0 },
	{ PF "NOQUEUE: reject: RCPT from x.example[192.0.2.11]: 450 4.2.0 <b@y.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/y.example.html; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x.example>",
	  "postfix", MTA_OTHER_REJECT, "192.0.2.11", "", T0, 0, 0, 0 },
	/* the client chose this recipient: it must not make a DNSBL label */
	{ PF "NOQUEUE: reject: RCPT from x.example[192.0.2.12]: 550 5.1.1 <\"a; Client host [203.0.113.9] blocked using evil.example\"@y.example>: Recipient address rejected: User unknown; from=<a@x.example> to=<\"a; Client host [203.0.113.9] blocked using evil.example\"@y.example> proto=ESMTP helo=<x>",
	  "postfix", MTA_OTHER_REJECT, "192.0.2.12", "", T0, 0, 0, 0 },
	{ PF "1D8CC1CA0A7F: milter-reject: END-OF-MESSAGE from x.example[192.0.2.13]: 5.7.1 Rejected by spam filter; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x.example>",
	  "postfix", MTA_OTHER_REJECT, "192.0.2.13", "", T0, 0, 0, 0 },
	{ "Jan  5 10:00:00 mx postfix/cleanup[99]: 4F3A21C0A7F: reject: header Subject: cheap pills from x.example[192.0.2.14]; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x.example>: 5.7.1 message content rejected",
	  "postfix", MTA_OTHER_REJECT, "192.0.2.14", "", T0, 0, 0, 0 },
	/* warn_if_reject: not a rejection */
	{ PF "NOQUEUE: reject_warning: RCPT from x.example[192.0.2.15]: 554 5.7.1 Service unavailable; Client host [192.0.2.15] blocked using zen.spamhaus.org; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x.example>",
	  "postfix", NOEV, NULL, NULL, NULL, 0, 0, 0 },
	/* unparseable rejections are counted */
	{ PF "NOQUEUE: reject: RCPT from unknown[unknown]: 554 5.7.1 Service unavailable; Client host [unknown] blocked using zen.spamhaus.org; proto=ESMTP",
	  "postfix", NOEV, NULL, NULL, NULL, 0, 1, 0 },
	{ PF "NOQUEUE: reject: RCPT from x.example[192.0.2.16]: 554 5.7.1 Service unavailable; Client host [192.0.2.16] blocked using ; from=<a@x.example> proto=ESMTP",
	  "postfix", NOEV, NULL, NULL, NULL, 0, 1, 0 },
	/* ---- Postfix accepted, connections ---- */
	{ PF "4F3A21C0A7F: client=mail.example.net[192.0.2.17]",
	  "postfix", MTA_ACCEPT, "192.0.2.17", "", T0, 0, 0, 0 },
	{ PF "4F3A21C0A7F: client=mail.example.net[2001:db8::17], sasl_method=PLAIN, sasl_username=u",
	  "postfix", MTA_ACCEPT, "2001:db8::17", "", T0, 0, 0, 0 },
	{ PF "connect from mail.example.net[192.0.2.18]",
	  "postfix", MTA_CONNECT, "192.0.2.18", "", T0, 0, 0, 0 },
	{ PF "disconnect from mail.example.net[192.0.2.18] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
	  "postfix", NOEV, NULL, NULL, NULL, 0, 0, 0 },
	{ PF "lost connection after CONNECT from unknown[192.0.2.19]",
	  "postfix", NOEV, NULL, NULL, NULL, 0, 0, 0 },
	/* outgoing mail that a remote server rejected: not a label */
	{ "Jan  5 10:00:00 mx postfix/smtp[5]: 4F3A21C0A7F: to=<b@y.example>, relay=mx.y.example[192.0.2.30]:25, delay=1, dsn=5.7.1, status=bounced (host mx.y.example[192.0.2.30] said: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org (in reply to RCPT TO command))",
	  "postfix", NOEV, NULL, NULL, NULL, 0, 0, 0 },
	/* ---- postscreen and dnsblog ---- */
	{ PS "CONNECT from [192.0.2.20]:51234 to [192.0.2.1]:25",
	  "postfix", MTA_CONNECT, "192.0.2.20", "", T0, 0, 0, 0 },
	{ PS "DNSBL rank 3 for [192.0.2.21]:51235",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.21", "postscreen", T0, 0, 0, 0 },
	{ PS "DNSBL rank 5 for [2001:db8::21]:51235",
	  "postfix", MTA_DNSBL_REJECT, "2001:db8::21", "postscreen", T0, 0, 0, 0 },
	{ PS "PREGREET 14 after 0.08 from [192.0.2.22]:59415: EHLO ylmf-pc\\r\\n",
	  "postfix", MTA_OTHER_REJECT, "192.0.2.22", "", T0, 0, 0, 0 },
	{ PS "HANGUP after 16 from [192.0.2.23]:48119 in tests after SMTP handshake",
	  "postfix", MTA_OTHER_REJECT, "192.0.2.23", "", T0, 0, 0, 0 },
	{ PS "NOQUEUE: reject: RCPT from [192.0.2.24]:60591: 550 5.7.1 Service unavailable; client [192.0.2.24] blocked using bl.example.org; from=<a@x.example>, to=<b@y.example>, proto=ESMTP, helo=<x>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.24", "bl.example.org", T0, 0, 0, 0 },
	{ PS "PASS NEW [192.0.2.25]:40000",
	  "postfix", NOEV, NULL, NULL, NULL, 0, 0, 0 },
	{ "Jan  5 10:00:00 mx postfix/dnsblog[77]: addr 192.0.2.26 listed by domain zen.spamhaus.org as 127.0.0.4",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.26", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ "Jan  5 10:00:00 mx postfix/dnsblog[77]: addr 2001:db8::27 listed by domain list.dnswl.org as 127.0.5.1",
	  "postfix", NOEV, NULL, NULL, NULL, 0, 0, 1 },
	/* RFC 3339 stamp (rsyslog high precision) with a zone */
	{ "2024-03-01T12:00:00.123456+01:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.28]: 554 5.7.1 Service unavailable; Client host [192.0.2.28] blocked using zen.spamhaus.org; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.28", "zen.spamhaus.org", "2024-03-01 11:00:00", 123456000, 0, 0 },
	/* a multi-instance name, no padding of the day */
	{ "Mar 7 02:09:33 mx postfix-in/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.29]: 554 5.7.1 Service unavailable; Client host [192.0.2.29] blocked using zen.spamhaus.org; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>",
	  "postfix", MTA_DNSBL_REJECT, "192.0.2.29", "zen.spamhaus.org", "2024-03-07 02:09:33", 0, 0, 0 },

	/* ---- Exim ---- */
	{ EX "1rABCD-0001ab-Xy H=mail.example (helo.example) [192.0.2.40]:41000 F=<a@x.example> rejected RCPT <b@y.example>: rejected because 192.0.2.40 is in a black list at zen.spamhaus.org\\nhttps://www.spamhaus.org/query/ip/192.0.2.40",
	  "exim", MTA_DNSBL_REJECT, "192.0.2.40", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ EX "H=(helo) [192.0.2.41]:41000 F=<a@x.example> rejected RCPT <b@y.example>: JunkMail rejected - 192.0.2.41 is in a black list at bl.spamcop.net",
	  "exim", MTA_DNSBL_REJECT, "192.0.2.41", "bl.spamcop.net", T0, 0, 0, 0 },
	{ EX "[1234] H=([192.0.2.99]) [192.0.2.42]:41000 rejected EHLO or HELO x: 192.0.2.42 is listed at b.barracudacentral.org (127.0.0.2: x)",
	  "exim", MTA_DNSBL_REJECT, "192.0.2.42", "b.barracudacentral.org", T0, 0, 0, 0 },
	{ EX "H=[192.0.2.43]:5555 rejected connection in \"connect\" ACL: (dnslists zen.spamhaus.org)",
	  "exim", MTA_DNSBL_REJECT, "192.0.2.43", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ EX "H=test.example [192.0.2.44]:53343 F=<info@test.example> rejected RCPT <toto@toto.example>: \"JunkMail rejected - test.example [192.0.2.44]:53343 is in an RBL: https://www.spamhaus.org/sbl/query/SBLCSS\"",
	  "exim", MTA_DNSBL_REJECT, "192.0.2.44", "", T0, 0, 0, 0 },
	{ EX "H=x.example [192.0.2.45] F=<a@spam.example> rejected RCPT <b@y.example>: spam.example is in a black list at dbl.spamhaus.org",
	  "exim", MTA_DOMAIN_REJECT, "192.0.2.45", "dbl.spamhaus.org", T0, 0, 0, 0 },
	{ EX "H=x.example [2001:db8::46]:25 F=<a@x.example> rejected RCPT <b@y.example>: rejected because 2001:db8::46 is in a black list at zen.spamhaus.org",
	  "exim", MTA_DNSBL_REJECT, "2001:db8::46", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ EX "H=x.example [192.0.2.47] F=<a@x.example> rejected RCPT <b@y.example>: Unknown user",
	  "exim", MTA_OTHER_REJECT, "192.0.2.47", "", T0, 0, 0, 0 },
	{ EX "H=x.example [192.0.2.48]:4000 temporarily rejected connection in \"connect\" ACL: \"Host is ratelimited\"",
	  "exim", MTA_OTHER_REJECT, "192.0.2.48", "", T0, 0, 0, 0 },
	{ EX "1rABCD-0001ab-Xy <= a@x.example H=mail.x.example (helo) [192.0.2.49]:4000 I=[192.0.2.1]:25 P=esmtps X=TLS1.3 S=1234 id=abc@x.example",
	  "exim", MTA_ACCEPT, "192.0.2.49", "", T0, 0, 0, 0 },
	{ EX "1rABCD-0001ab-Xy <= root U=root P=local S=300",
	  "exim", NOEV, NULL, NULL, NULL, 0, 0, 0 },
	{ EX "SMTP connection from mail.x.example [192.0.2.50]:4000 I=[192.0.2.1]:25 (TCP/IP connection count = 3)",
	  "exim", MTA_CONNECT, "192.0.2.50", "", T0, 0, 0, 0 },
	{ "2024-01-05 12:00:00.250 +0200 H=x.example [192.0.2.51] rejected RCPT <b@y.example>: rejected because 192.0.2.51 is in a black list at zen.spamhaus.org",
	  "exim", MTA_DNSBL_REJECT, "192.0.2.51", "zen.spamhaus.org", T0, 250000000, 0, 0 },
	/* a stamp cut short inside the zone: a line, not an overread */
	{ "2024-01-05 10:00:00 +02",
	  "exim", NOEV, NULL, NULL, NULL, 0, 0, 0 },
	{ "Jan  5 10:00:00 mx exim[1234]: H=x.example [192.0.2.52] F=<a@x.example> rejected RCPT <b@y.example>: rejected because 192.0.2.52 is in a black list at zen.spamhaus.org",
	  "exim", MTA_DNSBL_REJECT, "192.0.2.52", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ EX "rejected RCPT <b@y.example>: no host field here",
	  "exim", NOEV, NULL, NULL, NULL, 0, 1, 0 },

	{ EX "1rABCD-0001ab-Xy ** b@y.example R=dnslookup T=remote_smtp H=mx.y.example [192.0.2.53]: SMTP error from remote mail server after RCPT TO:<b@y.example>: 550 rejected because 192.0.2.1 is in a black list at zen.spamhaus.org",
	  "exim", NOEV, NULL, NULL, NULL, 0, 0, 0 },
	{ EX "1rABCD-0001ab-Xy == b@y.example R=dnslookup T=remote_smtp defer (-44) H=mx.y.example [192.0.2.54]: SMTP error from remote mail server after RCPT TO:<b@y.example>: 450 4.7.1 temporarily rejected",
	  "exim", NOEV, NULL, NULL, NULL, 0, 0, 0 },
	/* ---- Sendmail ---- */
	{ SM "ruleset=check_relay, arg1=host.example, arg2=192.0.2.60, relay=host.example [192.0.2.60], reject=550 5.7.1 Rejected: 192.0.2.60 listed at zen.spamhaus.org",
	  "sendmail", MTA_DNSBL_REJECT, "192.0.2.60", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ SM "x05AA0aB012345: ruleset=check_relay, arg1=[192.0.2.61], arg2=192.0.2.61, relay=[192.0.2.61], reject=553 5.3.0 Mail from 192.0.2.61 rejected, see http://www.spamcop.net/w3m?action=checkblock&ip=192.0.2.61",
	  "sendmail", MTA_DNSBL_REJECT, "192.0.2.61", "www.spamcop.net", T0, 0, 0, 0 },
	{ SM "x05AA0aB012346: ruleset=check_rcpt, arg1=<b@y.example>, relay=mail.x.example [IPv6:2001:db8::62], reject=550 5.7.1 <b@y.example>... Rejected: IPv6:2001:db8::62 listed at bl.example.org",
	  "sendmail", MTA_DNSBL_REJECT, "2001:db8::62", "bl.example.org", T0, 0, 0, 0 },
	{ SM "x05AA0aB012347: ruleset=check_rcpt, arg1=<b@elsewhere.example>, relay=x.example [192.0.2.63], reject=550 5.7.1 <b@elsewhere.example>... Relaying denied",
	  "sendmail", MTA_OTHER_REJECT, "192.0.2.63", "", T0, 0, 0, 0 },
	{ SM "x05AA0aB012348: from=<a@x.example>, size=1234, class=0, nrcpts=1, msgid=<m@x.example>, proto=ESMTP, daemon=MTA, relay=mail.x.example [192.0.2.64]",
	  "sendmail", MTA_ACCEPT, "192.0.2.64", "", T0, 0, 0, 0 },
	{ SM "x05AA0aB012349: from=<a@x.example>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=mail.x.example [192.0.2.65]",
	  "sendmail", NOEV, NULL, NULL, NULL, 0, 0, 0 },

	/* ---- qmail ---- */
	{ "Jan  5 10:00:00 mx rblsmtpd: zen.spamhaus.org blocked 192.0.2.70 mail.x.example -",
	  "qmail", MTA_DNSBL_REJECT, "192.0.2.70", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ "@400000006597d32a00000000 rblsmtpd: 192.0.2.71 pid 1234: 451 http://www.spamhaus.org/query/bl?ip=192.0.2.71",
	  "qmail", MTA_DNSBL_REJECT, "192.0.2.71", "", T0, 0, 0, 0 },
	{ "Jan  5 10:00:00 mx qmail: 1704448800.250000 qmail-smtpd: 421 badiprbl: ip 192.0.2.72 rbl: bl.example.org",
	  "qmail", MTA_DNSBL_REJECT, "192.0.2.72", "bl.example.org", T0, 0, 0, 0 },
	/* found by fuzzing: " ip rbl: " (the two share a space) read the
	 * address from an end before its start */
	{ "Jan  5 10:00:00 mx qmail: 1704448800.250000 qmail-smtpd: 421 badiprbl: ip rbl: x",
	  "qmail", NOEV, NULL, NULL, NULL, 0, 1, 0 },

	/* ---- CSV ---- */
	{ "2024-01-05T10:00:00Z,192.0.2.80,zen.spamhaus.org",
	  "csv", MTA_DNSBL_REJECT, "192.0.2.80", "zen.spamhaus.org", T0, 0, 0, 0 },
	{ "1704448800.5,\"2001:db8::81\",bl.example.org",
	  "csv", MTA_DNSBL_REJECT, "2001:db8::81", "bl.example.org", T0, 500000000, 0, 0 },
	{ "2024-01-05 11:00:00+01:00,192.0.2.82,zen.spamhaus.org",
	  "csv", MTA_DNSBL_REJECT, "192.0.2.82", "zen.spamhaus.org", T0, 0, 0, 0 },
};

/* test_line_forms - each line alone in a file: format, kind, address,
 * list, time */
static void test_line_forms(void **state)
{
	(void)state;
	struct mtalog_opts o = { .year = 2024 };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct line_case *c = &cases[i];
		char text[2048];
		snprintf(text, sizeof text, "%s\n", c->line);
		struct result r;
		read_text(text, &o, &r);
		if (strcmp(r.format, c->format))
			fail_msg("case %zu: format %s, want %s", i, r.format, c->format);
		if (c->kind == NOEV) {
			if (r.n != 0)
				fail_msg("case %zu: %d events, want none (%s)", i, r.n,
				         mtalog_kind_name(r.ev[0].kind));
		} else {
			if (r.n != 1)
				fail_msg("case %zu: %d events, want 1 (unparsed %llu)", i,
				         r.n, (unsigned long long)r.st.unparsed_reject);
			const struct mta_event *e = &r.ev[0];
			if ((int)e->kind != c->kind)
				fail_msg("case %zu: kind %s, want %s", i,
				         mtalog_kind_name(e->kind),
				         mtalog_kind_name((enum mta_kind)c->kind));
			assert_addr(&e->addr, c->addr);
			if (strcmp(e->list, c->list))
				fail_msg("case %zu: list '%s', want '%s'", i, e->list, c->list);
			if (e->ts_ns != utc(c->time) + c->frac_ns)
				fail_msg("case %zu: time %lld, want %s + %ld ns", i,
				         (long long)e->ts_ns, c->time, c->frac_ns);
			assert_int_equal(e->line, 1);
			assert_string_equal(e->format, c->format);
			for (const char *p = e->reason; *p; p++)
				assert_true(*p >= 0x20 && *p < 0x7f);
		}
		if (r.st.unparsed_reject != (uint64_t)c->unparsed)
			fail_msg("case %zu: unparsed %llu, want %d", i,
			         (unsigned long long)r.st.unparsed_reject, c->unparsed);
		assert_int_equal(r.st.allowlisted, c->allow);
		assert_int_equal(r.st.lines, 1);
	}
}

/* test_postscreen_site - a dnsblog hit names the list of the rank line */
static void test_postscreen_site(void **state)
{
	(void)state;
	struct mtalog_opts o = { .year = 2024 };
	struct result r;
	read_text("Jan  5 10:00:00 mx postfix/dnsblog[7]: addr 192.0.2.90 listed by domain list.dnswl.org as 127.0.5.1\n"
	          "Jan  5 10:00:00 mx postfix/dnsblog[8]: addr 192.0.2.90 listed by domain bl.spamcop.net as 127.0.0.2\n"
	          "Jan  5 10:00:01 mx postfix/postscreen[9]: DNSBL rank 2 for [192.0.2.90]:4000\n"
	          "Jan  5 10:00:02 mx postfix/postscreen[9]: DNSBL rank 2 for [192.0.2.91]:4000\n",
	          &o, &r);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.ev[0].list, "bl.spamcop.net");
	assert_string_equal(r.ev[1].list, "bl.spamcop.net");
	assert_int_equal(r.ev[1].line, 3);
	assert_string_equal(r.ev[2].list, "postscreen");
	assert_int_equal(r.st.allowlisted, 1);
	assert_int_equal(r.st.dnsbl, 3);
}

#define REJ(ts, a) ts " mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[" a "]: 554 5.7.1 Service unavailable; Client host [" a "] blocked using zen.spamhaus.org; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>\n"

/* test_rfc5424 - RFC 5424 headers (rsyslog's
 * RSYSLOG_SyslogProtocol23Format, syslog-ng's IETF syslog, logger
 * --rfc5424) and a <PRI> before a traditional one: the same events as the
 * traditional lines */
static void test_rfc5424(void **state)
{
	(void)state;
	static const char msg[] = "NOQUEUE: reject: RCPT from x[192.0.2.%d]: 554 5.7.1 Service "
		"unavailable; Client host [192.0.2.%d] blocked using zen.spamhaus.org; "
		"from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>";
	static const char *const head[] = {
		/* rsyslog, a message from the local socket: no SD */
		"<22>1 2026-03-01T12:00:00.123456+01:00 mx1 postfix/smtpd 4242 - - ",
		/* logger --rfc5424: its timeQuality element */
		"<22>1 2026-03-01T11:00:01Z mx1 postfix/smtpd 4242 - [timeQuality tzKnown=\"1\" isSynced=\"0\"] ",
		/* several elements, a value with an escaped quote and ']' */
		"<22>1 2026-03-01T11:00:02Z mx1 postfix/smtpd - ID47 [a@32473 x=\"q\\\"]\"][b@1] ",
		/* no PRI, and the UTF-8 BOM before the message */
		"1 2026-03-01T11:00:03Z mx1 postfix/smtpd 1 - - \xef\xbb\xbf",
		/* a traditional header after a PRI */
		"<22>Mar  1 11:00:04 mx1 postfix/smtpd[4242]: ",
	};
	char text[4096] = "";
	size_t n = 0;
	for (int i = 0; i < 5; i++) {
		char m[512];
		snprintf(m, sizeof m, msg, i + 1, i + 1);
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%s\n", head[i], m);
	}
	/* not a header: a nil time, a missing field, an SD left open, a
	 * PRI over 191, version 2 */
	static const char *const bad[] = {
		"<22>1 - mx1 postfix/smtpd 1 - - ",
		"<22>1 2026-03-01T11:00:05Z mx1 postfix/smtpd 1 - ",
		"<22>1 2026-03-01T11:00:05Z mx1 postfix/smtpd 1 - [a x=\"]\" ",
		"<192>Mar  1 11:00:05 mx1 postfix/smtpd[4242]: ",
		"<22>2 2026-03-01T11:00:05Z mx1 postfix/smtpd 1 - - ",
	};
	for (int i = 0; i < 5; i++) {
		char m[512];
		snprintf(m, sizeof m, msg, 100 + i, 100 + i);
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%s\n", bad[i], m);
	}
	assert_true(n < sizeof text - 1);
	struct mtalog_opts o = { .year = 2026 };
	struct result r;
	read_text(text, &o, &r);
	assert_string_equal(r.format, "postfix");
	assert_int_equal(r.n, 5);
	for (int i = 0; i < 5; i++) {
		char a[32];
		snprintf(a, sizeof a, "192.0.2.%d", i + 1);
		assert_addr(&r.ev[i].addr, a);
		assert_int_equal(r.ev[i].kind, MTA_DNSBL_REJECT);
		assert_string_equal(r.ev[i].list, "zen.spamhaus.org");
		char want[32];
		snprintf(want, sizeof want, "2026-03-01 11:00:0%d", i);
		assert_true(r.ev[i].ts_ns == utc(want) + (i == 0 ? 123456000 : 0));
	}
	/* the lines that are not headers look like rejections: counted */
	assert_int_equal(r.st.unparsed_reject, 5);

	/* rsyslog's APP-NAME ends at '/': "postfix" for every daemon; each
	 * receiving-side form is still read, a delivery status quoting a
	 * remote DNSBL rejection is neither an event nor counted */
	read_text("<22>1 2026-03-01T11:00:00Z mx1 postfix 10 - - addr 192.0.2.7 listed by "
		  "domain zen.spamhaus.org as 127.0.0.2\n"
		  "<22>1 2026-03-01T11:00:01Z mx1 postfix 11 - - DNSBL rank 3 for "
		  "[192.0.2.7]:4242\n"
		  "<22>1 2026-03-01T11:00:02Z mx1 postfix 11 - - PREGREET 11 after 0.1 from "
		  "[192.0.2.8]:4243: EHLO x\\r\\n\n"
		  "<22>1 2026-03-01T11:00:03Z mx1 postfix 12 - - connect from x[192.0.2.9]\n"
		  "<22>1 2026-03-01T11:00:04Z mx1 postfix 12 - - 4Xy2z1: client=x[192.0.2.9]\n"
		  "<22>1 2026-03-01T11:00:05Z mx1 postfix 13 - - 4Xy2z1: to=<a@b.example>, "
		  "relay=mx.b.example[198.51.100.1]:25, status=bounced (host "
		  "mx.b.example[198.51.100.1] said: 554 5.7.1 Client host [203.0.113.1] blocked "
		  "using zen.spamhaus.org (in reply to RCPT TO command))\n"
		  "<22>1 2026-03-01T11:00:06Z mx1 postfix 12 - - NOQUEUE: reject: RCPT from "
		  "x[192.0.2.10]: 554 5.7.1 Service unavailable; Client host [192.0.2.10] "
		  "blocked using bl.example.net; from=<a@b.example> to=<c@d.example> "
		  "proto=ESMTP helo=<x>\n", &o, &r);
	assert_string_equal(r.format, "postfix");
	assert_int_equal(r.n, 6);
	static const struct {
		enum mta_kind kind;
		const char *addr, *list;
	} w[] = {
		{ MTA_DNSBL_REJECT, "192.0.2.7", "zen.spamhaus.org" },
		{ MTA_DNSBL_REJECT, "192.0.2.7", "zen.spamhaus.org" },
		{ MTA_OTHER_REJECT, "192.0.2.8", "" },
		{ MTA_CONNECT, "192.0.2.9", "" },
		{ MTA_ACCEPT, "192.0.2.9", "" },
		{ MTA_DNSBL_REJECT, "192.0.2.10", "bl.example.net" },
	};
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(r.ev[i].kind, w[i].kind);
		assert_addr(&r.ev[i].addr, w[i].addr);
		assert_string_equal(r.ev[i].list, w[i].list);
	}
	assert_int_equal(r.st.unparsed_reject, 0);
}

/* test_several_mtas - one file of several MTAs' lines (a central log
 * server's): each line is read by its own format, also one that comes
 * long after detection, and the format names them all */
static void test_several_mtas(void **state)
{
	(void)state;
	size_t cap = 400 * 300, n = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (int i = 0; i < 300; i++)   /* 300 Postfix lines, then the others */
		n += (size_t)snprintf(text + n, cap - n, "Mar  1 10:00:%02d mx1 postfix/%s[1]: "
				      "connect from x[192.0.2.%d]\n", i % 60,
				      i % 10 ? "qmgr" : "smtpd", i % 250 + 1);
	n += (size_t)snprintf(text + n, cap - n, "%s%s%s",
		"Mar  1 10:01:00 mx2 exim[7]: H=(x) [198.51.100.1] F=<a@b.example> rejected RCPT "
		"<c@d.example>: JunkMail rejected - 198.51.100.1 is listed at zen.spamhaus.org\n",
		"Mar  1 10:01:01 mx3 qmail: 1157520813.485077 rblsmtpd: 198.51.100.2 pid 1 "
		"sbl-xbl.spamhaus.org: 451 http://www.spamhaus.org/query/bl?ip=198.51.100.2\n",
		"<22>1 2024-03-01T10:01:02Z mx4 sm-mta 9 - - x21A1A: ruleset=check_relay, "
		"arg1=x.example, arg2=198.51.100.3, relay=x.example [198.51.100.3], reject=550 "
		"5.7.1 Rejected: 198.51.100.3 listed at bl.example.net\n");
	struct mtalog_opts o = { .year = 2024 };
	struct result r;
	read_bytes(text, n, &o, &r);
	free(text);
	assert_string_equal(r.format, "postfix+exim+qmail+sendmail");   /* as first read */
	assert_int_equal(r.st.connect, 30);
	assert_int_equal(r.st.dnsbl, 3);
	assert_int_equal(r.st.unparsed_reject, 0);
	static const char *const fmt[] = { "exim", "qmail", "sendmail" };
	static const char *const addr[] = { "198.51.100.1", "198.51.100.2", "198.51.100.3" };
	for (int i = 0; i < 3; i++) {
		const struct mta_event *e = &r.ev[30 + i];
		assert_string_equal(e->format, fmt[i]);
		assert_int_equal(e->kind, MTA_DNSBL_REJECT);
		assert_addr(&e->addr, addr[i]);
		assert_int_equal(e->line, 301 + i);
	}
}

/* test_year_rollover - Dec -> Jan moves to the next year; small
 * disorder does not */
static void test_year_rollover(void **state)
{
	(void)state;
	struct mtalog_opts o = { .year = 2023 };
	struct result r;
	read_text(REJ("Dec 31 23:59:58", "192.0.2.1") REJ("Jan  1 00:00:01", "192.0.2.2")
	          REJ("Dec 31 23:59:59", "192.0.2.3") REJ("Jan  1 00:00:02", "192.0.2.4")
	          REJ("Feb 29 12:00:00", "192.0.2.5"), &o, &r);
	assert_int_equal(r.n, 5);
	assert_true(r.ev[0].ts_ns == utc("2023-12-31 23:59:58"));
	assert_true(r.ev[1].ts_ns == utc("2024-01-01 00:00:01"));
	/* a jump back of a few seconds across the new year is disorder, not a
	 * new year: it stays in 2023 */
	assert_true(r.ev[2].ts_ns == utc("2023-12-31 23:59:59"));
	assert_true(r.ev[3].ts_ns == utc("2024-01-01 00:00:02"));
	assert_true(r.ev[4].ts_ns == utc("2024-02-29 12:00:00"));

	/* read on 10 December 2024, a jump back to January is not 2025,
	 * which has not come: lines out of order (two logs of 2024 joined),
	 * kept in 2024 */
	struct mtalog_opts now = { .year = 2024, .now_ns = utc("2024-12-10 00:00:00") };
	static const char joined[] =
		REJ("Jan  5 10:00:00", "192.0.2.1") REJ("Jun  1 10:00:00", "192.0.2.2")
		REJ("Nov 20 10:00:00", "192.0.2.3") REJ("Jan  6 10:00:00", "192.0.2.4")
		REJ("Jun  2 10:00:00", "192.0.2.5");
	read_text(joined, &now, &r);
	assert_int_equal(r.n, 5);
	assert_true(r.ev[2].ts_ns == utc("2024-11-20 10:00:00"));
	assert_true(r.ev[3].ts_ns == utc("2024-01-06 10:00:00"));
	assert_true(r.ev[4].ts_ns == utc("2024-06-02 10:00:00"));
	/* the same lines read in 2030: 2025 has come, and the jump back is
	 * a new year as before */
	now.now_ns = utc("2030-01-01 00:00:00");
	read_text(joined, &now, &r);
	assert_int_equal(r.n, 5);
	assert_true(r.ev[3].ts_ns == utc("2025-01-06 10:00:00"));
	assert_true(r.ev[4].ts_ns == utc("2025-06-02 10:00:00"));
	/* a clock behind the log itself (read "in 1999"): the log's own
	 * order decides, as before */
	now.now_ns = utc("1999-01-01 00:00:00");
	read_text(joined, &now, &r);
	assert_true(r.ev[3].ts_ns == utc("2025-01-06 10:00:00"));
}

/* test_year_resolution - without a year: the year that puts the first
 * line at or before the reference (plus slack) */
static void test_year_resolution(void **state)
{
	(void)state;
	struct mtalog_opts o = { .ref_ns = utc("2024-02-01 00:00:00") };
	struct result r;
	read_text(REJ("Dec 30 10:00:00", "192.0.2.1") REJ("Jan 15 10:00:00", "192.0.2.2"), &o, &r);
	assert_int_equal(r.n, 2);
	assert_true(r.ev[0].ts_ns == utc("2023-12-30 10:00:00"));
	assert_true(r.ev[1].ts_ns == utc("2024-01-15 10:00:00"));
	/* a log that starts a little after the capture start: same year */
	read_text(REJ("Feb 20 10:00:00", "192.0.2.1"), &o, &r);
	assert_true(r.ev[0].ts_ns == utc("2024-02-20 10:00:00"));
	/* months after the capture start: the year before */
	read_text(REJ("Jun 20 10:00:00", "192.0.2.1"), &o, &r);
	assert_true(r.ev[0].ts_ns == utc("2023-06-20 10:00:00"));
	/* no reference: now; the line is never more than a day ahead */
	struct mtalog_opts now = { 0 };
	read_text(REJ("Jan  1 00:00:00", "192.0.2.1") REJ("Dec 31 23:00:00", "192.0.2.2"), &now, &r);
	assert_int_equal(r.n, 2);
	assert_true(r.ev[0].ts_ns <= ((int64_t)time(NULL) + 86400) * 1000000000LL);
	assert_true(r.ev[0].ts_ns > ((int64_t)time(NULL) - 366 * 86400) * 1000000000LL);
	/* RFC 3339 stamps carry their year: no resolution */
	read_text(REJ("2019-07-01T00:00:00Z", "192.0.2.1"), &o, &r);
	assert_true(r.ev[0].ts_ns == utc("2019-07-01 00:00:00"));
	/* the captures' period (analyze: the first file's first SYN to the
	 * last file's): the year that puts the first line nearest to it, a
	 * year of monthly files each in its own year */
	struct mtalog_opts p = { .ref_ns = utc("2026-01-01 00:00:00"),
				 .ref_end_ns = utc("2026-12-27 00:00:00") };
	static const struct {
		const char *stamp, *want;
	} c[] = {
		{ "Jan  1 00:01:00", "2026-01-01 00:01:00" },
		{ "Jun 15 12:00:00", "2026-06-15 12:00:00" },
		{ "Nov  1 00:00:00", "2026-11-01 00:00:00" },
		{ "Dec 20 10:00:00", "2026-12-20 10:00:00" },
		/* nearer the period's start a year earlier than its end: the
		 * edge of a period of about a year (--year settles it) */
		{ "Dec 31 10:00:00", "2025-12-31 10:00:00" },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char line[256];
		snprintf(line, sizeof line, REJ("%s", "192.0.2.1"), c[i].stamp);
		read_text(line, &p, &r);
		assert_int_equal(r.n, 1);
		assert_true(r.ev[0].ts_ns == utc(c[i].want));
	}
	/* a first line that would come after the day it is read (10
	 * December 2024) is from the year before: nearer the period's end
	 * (15 days after it) than its start, and yet 2023 */
	struct mtalog_opts pn = { .ref_ns = utc("2024-01-20 00:00:00"),
				  .ref_end_ns = utc("2024-12-05 00:00:00"),
				  .now_ns = utc("2024-12-10 00:00:00") };
	read_text(REJ("Dec 20 10:00:00", "192.0.2.1"), &pn, &r);
	assert_true(r.ev[0].ts_ns == utc("2023-12-20 10:00:00"));
	read_text(REJ("Dec  9 10:00:00", "192.0.2.1"), &pn, &r);
	assert_true(r.ev[0].ts_ns == utc("2024-12-09 10:00:00"));
	pn.now_ns = utc("2025-01-10 00:00:00");
	read_text(REJ("Dec 20 10:00:00", "192.0.2.1"), &pn, &r);
	assert_true(r.ev[0].ts_ns == utc("2024-12-20 10:00:00"));
	/* the capture start alone (logs --ref START), its 31 days of slack
	 * bounded the same way */
	struct mtalog_opts rn = { .ref_ns = utc("2024-12-01 00:00:00"),
				  .now_ns = utc("2024-12-10 00:00:00") };
	read_text(REJ("Dec 20 10:00:00", "192.0.2.1"), &rn, &r);
	assert_true(r.ev[0].ts_ns == utc("2023-12-20 10:00:00"));
	read_text(REJ("Dec  5 10:00:00", "192.0.2.1"), &rn, &r);
	assert_true(r.ev[0].ts_ns == utc("2024-12-05 10:00:00"));
	/* a short period: a log from just before it, or weeks after it */
	struct mtalog_opts q = { .ref_ns = utc("2026-01-05 00:00:00"),
				 .ref_end_ns = utc("2026-01-09 00:00:00") };
	read_text(REJ("Dec 28 10:00:00", "192.0.2.1"), &q, &r);
	assert_true(r.ev[0].ts_ns == utc("2025-12-28 10:00:00"));
	read_text(REJ("Mar  1 10:00:00", "192.0.2.1"), &q, &r);
	assert_true(r.ev[0].ts_ns == utc("2026-03-01 10:00:00"));
	/* a crafted capture's times at the ends of int64 (UBSan watches the
	 * stamps of the years around them): within 1970..2200 */
	struct mtalog_opts far = { .ref_ns = INT64_MAX - 1, .ref_end_ns = INT64_MAX };
	read_text(REJ("Jun  1 10:00:00", "192.0.2.1"), &far, &r);
	assert_int_equal(r.n, 1);
	assert_true(r.ev[0].ts_ns == utc("2200-06-01 10:00:00"));
	far.ref_end_ns = 0;
	read_text(REJ("Jun  1 10:00:00", "192.0.2.1"), &far, &r);
	assert_true(r.ev[0].ts_ns == utc("2199-06-01 10:00:00"));
	struct mtalog_opts neg = { .ref_ns = INT64_MIN, .ref_end_ns = INT64_MIN + 1 };
	read_text(REJ("Jun  1 10:00:00", "192.0.2.1"), &neg, &r);
	assert_true(r.ev[0].ts_ns == utc("1970-06-01 10:00:00"));
}

/* write_gz - a gzip file holding text; returns its path (static) */
static char *write_gz(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/test_mtalog_gz.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	gzFile gz = gzdopen(fd, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, text, (unsigned)strlen(text)), (int)strlen(text));
	assert_int_equal(gzclose(gz), Z_OK);
	return path;
}

/* truncate_by - cut n bytes off the end of path */
static void truncate_by(const char *path, long n)
{
	FILE *g = fopen(path, "rb");
	assert_non_null(g);
	fseek(g, 0, SEEK_END);
	long size = ftell(g);
	fclose(g);
	assert_int_equal(truncate(path, size - n), 0);
}

/* test_gzip - the same events from a gzip'd file; truncation is an error */
static void test_gzip(void **state)
{
	(void)state;
	const char *text = REJ("Jan  5 10:00:00", "192.0.2.1")
		"Jan  5 10:00:01 mx postfix/smtpd[1]: 4F3A21C0A7F: client=x[192.0.2.2]\n";
	char *path = write_gz(text);
	/* really compressed: starts with the gzip magic */
	unsigned char magic[2] = { 0, 0 };
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(magic, 1, 2, f), 2);
	fclose(f);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);
	struct mtalog_opts o = { .year = 2024 };
	struct result r;
	char err[256];
	assert_int_equal(read_all(path, &o, &r, err, sizeof err), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].kind, MTA_DNSBL_REJECT);
	assert_int_equal(r.ev[1].kind, MTA_ACCEPT);
	assert_addr(&r.ev[1].addr, "192.0.2.2");
	assert_int_equal(r.rc, 0);

	/* truncated within the detection lines: open fails, naming the file */
	truncate_by(path, 6);
	assert_int_equal(read_all(path, &o, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	unlink(path);

	/* truncated later: mtalog_next reports -1 after the good events */
	size_t count = MTALOG_DETECT_LINES * 20, cap = count * 120, n = 0;
	char *big = malloc(cap);
	for (size_t i = 0; i < count; i++)
		n += (size_t)snprintf(big + n, cap - n,
		        "Jan  5 10:00:00 mx postfix/smtpd[1]: connect from x[192.0.2.%zu]\n",
		        i % 200 + 1);
	path = write_gz(big);
	free(big);
	truncate_by(path, 100);
	char cpath[] = "/tmp/test_mtalog_err.XXXXXX";
	int cfd = mkstemp(cpath);
	fflush(stderr);
	int saved = dup(2);
	dup2(cfd, 2);
	int rc = read_all(path, &o, &r, err, sizeof err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(cfd);
	unlink(cpath);
	unlink(path);
	assert_int_equal(rc, 0);
	assert_int_equal(r.rc, -1);
	assert_true(r.st.connect > MTALOG_DETECT_LINES);
	assert_true(r.st.connect < count);
}

/* capture_stderr - run read_text with stderr sent to a file; returns the
 * text written there (static buffer) */
static const char *capture_stderr(const char *text, const struct mtalog_opts *o,
                                  struct result *r, char *path)
{
	static char out[4096];
	char cpath[] = "/tmp/test_mtalog_err.XXXXXX";
	int cfd = mkstemp(cpath);
	assert_true(cfd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(cfd, 2);
	char err[256];
	int rc = read_all(path, o, r, err, sizeof err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	(void)text;
	assert_int_equal(rc, 0);
	ssize_t n = pread(cfd, out, sizeof out - 1, 0);
	close(cfd);
	unlink(cpath);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

/* test_strict - unparsed rejections are reported with FILE:LINE */
static void test_strict(void **state)
{
	(void)state;
	const char *text =
		REJ("Jan  5 10:00:00", "192.0.2.1")
		"Jan  5 10:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[999.0.2.1]: 554 5.7.1 Service unavailable; Client host [999.0.2.1] blocked using zen.spamhaus.org; proto=ESMTP\n"
		"\n"
		"Jan  5 10:00:02 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.3] 554 no colon\n"
		"Jan  5 10:00:03 mx postfix/smtpd[1]: connect from x[192.0.2.4]\n";
	char *path = tmpfile_with(text, strlen(text));
	char want[256];
	struct result r;
	struct mtalog_opts o = { .year = 2024, .strict = true };
	const char *out = capture_stderr(text, &o, &r, path);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st.unparsed_reject, 2);
	assert_int_equal(r.ev[1].line, 5);
	snprintf(want, sizeof want, "mxsensor: %s:2: ", path);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof want, "mxsensor: %s:4: ", path);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof want, "mxsensor: %s:1: ", path);
	assert_null(strstr(out, want));
	/* without strict: counted, not reported */
	o.strict = false;
	out = capture_stderr(text, &o, &r, path);
	assert_int_equal(r.st.unparsed_reject, 2);
	assert_string_equal(out, "");
	unlink(path);
}

/* test_long_lines - over-long lines (one of 1 MB of invalid UTF-8 and
 * NUL bytes) are skipped and counted, and the line numbers after them
 * stay right */
static void test_long_lines(void **state)
{
	(void)state;
	size_t big = 1024 * 1024;   /* spans many read buffers */
	const char *ok = REJ("Jan  5 10:00:00", "192.0.2.1");
	size_t okn = strlen(ok);
	char *text = malloc(okn * 4 + big + MTALOG_LINE_MAX + 64);
	size_t n = 0;
	memcpy(text + n, ok, okn);
	n += okn;
	memset(text + n, 'a', MTALOG_LINE_MAX + 1);   /* just too long */
	n += MTALOG_LINE_MAX + 1;
	text[n++] = '\n';
	memcpy(text + n, ok, okn);
	n += okn;
	memcpy(text + n, ok, okn - 1);                 /* a long REJ line */
	n += okn - 1;
	for (size_t i = 0; i < big; i++)   /* invalid UTF-8, NULs, no newline */
		text[n + i] = (char)"\xff\xc3(\0\x80" "b"[i % 6];
	n += big;
	text[n++] = '\n';
	memcpy(text + n, ok, okn - 1);                 /* last line, no newline */
	n += okn - 1;
	struct mtalog_opts o = { .year = 2024 };
	struct result r;
	read_bytes(text, n, &o, &r);
	free(text);
	assert_int_equal(r.st.long_lines, 2);
	assert_int_equal(r.st.lines, 5);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[0].line, 1);
	assert_int_equal(r.ev[1].line, 3);
	assert_int_equal(r.ev[2].line, 5);

	/* a line of exactly MTALOG_LINE_MAX bytes is kept */
	char *line = malloc(MTALOG_LINE_MAX + 2);
	memset(line, ' ', MTALOG_LINE_MAX);
	memcpy(line, ok, okn - 1);
	line[MTALOG_LINE_MAX] = '\n';
	read_bytes(line, MTALOG_LINE_MAX + 1, &o, &r);
	free(line);
	assert_int_equal(r.st.long_lines, 0);
	assert_int_equal(r.n, 1);
}

/* test_nul_utf8 - NUL bytes and invalid UTF-8 are tolerated */
static void test_nul_utf8(void **state)
{
	(void)state;
	static const char text[] =
		"Jan  5 10:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; from=<a\0b@x> to=<c@d> proto=ESMTP helo=<\xff\xfe\xc0\x80>\n"
		"Jan  5 10:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0\0.2.2]: 554 5.7.1 Service unavailable; Client host [192.0.2.2] blocked using zen.spamhaus.org; proto=ESMTP\n"
		"Jan  5 10:00:02 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.3]: 550 5.1.1 <\xe9\xe9\x01@y>: Recipient address rejected: \xc3\x28 unknown; from=<a@x> to=<c@d> proto=ESMTP helo=<x>\n"
		"\0\0\0\n";
	struct mtalog_opts o = { .year = 2024 };
	struct result r;
	read_bytes(text, sizeof text - 1, &o, &r);
	assert_int_equal(r.st.lines, 4);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].kind, MTA_DNSBL_REJECT);
	assert_int_equal(r.ev[1].kind, MTA_OTHER_REJECT);
	assert_int_equal(r.ev[1].line, 3);
	assert_int_equal(r.st.unparsed_reject, 1);
	for (const char *p = r.ev[1].reason; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

/* test_reject_ends_at_client - found by fuzzing: a header/body check
 * reject whose line ends at the ';' after the client was read one byte
 * past its end */
static void test_reject_ends_at_client(void **state)
{
	(void)state;
	static const char text[] =
		"Jan  5 10:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.9];\n"
		"Jan  5 10:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.8]; 550 5.7.1 no\n";
	struct mtalog_opts o = { .year = 2024 };
	struct result r;
	read_bytes(text, sizeof text - 1, &o, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].kind, MTA_OTHER_REJECT);
	assert_string_equal(r.ev[0].reason, "");
	assert_string_equal(r.ev[1].reason, "no");
}

/* test_detection - format errors name the file; empty files are fine;
 * CRLF, comments, blank lines and stdin work */
static void test_detection(void **state)
{
	(void)state;
	struct result r;
	char err[256];
	struct mtalog_opts o = { .year = 2024 };
	const char *junk = "hello world\nthis is not a mail log\n";
	char *path = tmpfile_with(junk, strlen(junk));
	assert_int_equal(read_all(path, &o, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	unlink(path);

	assert_int_equal(read_all("/nonexistent/mail.log", &o, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/mail.log"));

	path = tmpfile_with("\n\n# nothing\n", 12);
	assert_int_equal(read_all(path, &o, &r, err, sizeof err), 0);
	unlink(path);
	assert_int_equal(r.n, 0);
	assert_string_equal(r.format, "empty");

	/* CRLF line ends, a header, a bad row */
	read_text("timestamp,address,list\r\n2024-01-05T10:00:00Z,192.0.2.1,zen.spamhaus.org\r\n"
	          "# comment\r\nnot-a-time,192.0.2.2,x\r\n2024-01-05T10:00:00Z,192.0.2.3,bl.example.org\r\n",
	          &o, &r);
	assert_string_equal(r.format, "csv");
	assert_int_equal(r.n, 2);
	assert_string_equal(r.ev[0].list, "zen.spamhaus.org");
	assert_string_equal(r.ev[1].list, "bl.example.org");
	assert_int_equal(r.ev[1].line, 5);
	assert_int_equal(r.st.unparsed_reject, 1);

	/* a mixed syslog file: the majority program decides */
	read_text("Jan  5 10:00:00 mx dovecot[1]: imap-login: Login: user=<u>\n"
	          REJ("Jan  5 10:00:01", "192.0.2.1")
	          "Jan  5 10:00:02 mx postfix/smtpd[1]: connect from x[192.0.2.9]\n", &o, &r);
	assert_string_equal(r.format, "postfix");
	assert_int_equal(r.n, 2);

	/* stdin */
	const char *text = REJ("Jan  5 10:00:00", "192.0.2.7");
	path = tmpfile_with(text, strlen(text));
	int fd = open(path, O_RDONLY);
	int saved = dup(0);
	dup2(fd, 0);
	close(fd);
	int rc = read_all("-", &o, &r, err, sizeof err);
	dup2(saved, 0);
	close(saved);
	unlink(path);
	assert_int_equal(rc, 0);
	assert_int_equal(r.n, 1);
	assert_addr(&r.ev[0].addr, "192.0.2.7");
}

/* jl - append one journal entry (JSON fields, without braces) as a line */
static void jl(char *buf, size_t cap, size_t *n, const char *fields)
{
	int k = snprintf(buf + *n, cap - *n, "{%s}\n", fields);
	assert_true(k > 0 && (size_t)k < cap - *n);
	*n += (size_t)k;
}

#define JREJ(a) "NOQUEUE: reject: RCPT from x[" a "]: 554 5.7.1 Service unavailable; Client host [" a "] blocked using zen.spamhaus.org; proto=ESMTP helo=<x>"
#define JPF "\"_HOSTNAME\":\"mx\",\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\",\"SYSLOG_PID\":\"42\","

/* test_journal - `journalctl -o json` lines become the syslog lines they
 * were; entries of other programs before them do not hide them */
static void test_journal(void **state)
{
	(void)state;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	/* 300 entries of another program first (lines 1-300) */
	for (int i = 0; i < 300; i++)
		jl(buf, cap, &n, "\"__REALTIME_TIMESTAMP\":\"1704448700000000\",\"SYSLOG_IDENTIFIER\":\"CRON\","
			       "\"MESSAGE\":\"(root) CMD (true)\"");
	/* 301: a string message, __REALTIME_TIMESTAMP */
	jl(buf, cap, &n, JPF "\"__REALTIME_TIMESTAMP\":\"1704448800123456\",\"MESSAGE\":\"" JREJ("192.0.2.1") "\"");
	/* 302: the sender's time wins over the journal's */
	jl(buf, cap, &n, JPF "\"__REALTIME_TIMESTAMP\":\"1704448802000000\","
		       "\"_SOURCE_REALTIME_TIMESTAMP\":\"1704448801000000\",\"MESSAGE\":\"" JREJ("192.0.2.2") "\"");
	/* 303: a message that is not UTF-8: an array of its bytes ("NOQUEUE" then a Latin-1 e) */
	{
		const char *m = JREJ("192.0.2.3") " x\xe9";
		char f[4096];
		int k = snprintf(f, sizeof f, JPF "\"__REALTIME_TIMESTAMP\":\"1704448803000000\",\"MESSAGE\":[");
		for (const char *p = m; *p; p++)
			k += snprintf(f + k, sizeof f - (size_t)k, "%s%u", p == m ? "" : ",", (unsigned char)*p);
		snprintf(f + k, sizeof f - (size_t)k, "]");
		jl(buf, cap, &n, f);
	}
	/* 304: several values of one field: the first */
	jl(buf, cap, &n, JPF "\"__REALTIME_TIMESTAMP\":\"1704448804000000\",\"MESSAGE\":[\"" JREJ("192.0.2.4")
		       "\",\"second\"]");
	/* 305-307: no message, a null one, no time: nothing */
	jl(buf, cap, &n, JPF "\"__REALTIME_TIMESTAMP\":\"1704448805000000\"");
	jl(buf, cap, &n, JPF "\"__REALTIME_TIMESTAMP\":\"1704448805000000\",\"MESSAGE\":null");
	jl(buf, cap, &n, JPF "\"__REALTIME_TIMESTAMP\":\"17044x8805000000\",\"MESSAGE\":\"" JREJ("192.0.2.5") "\"");
	/* 308: cut short; 309: something after the object; 310: a number
	 * for a message: each not an entry (unparsed) */
	n += (size_t)snprintf(buf + n, cap - n, "{" JPF "\"__REALTIME_TIMESTAMP\":\"17044\n");
	jl(buf, cap, &n, JPF "\"__REALTIME_TIMESTAMP\":\"1704448806000000\",\"MESSAGE\":\"" JREJ("192.0.2.6") "\"} x");
	jl(buf, cap, &n, JPF "\"__REALTIME_TIMESTAMP\":\"1704448806000000\",\"MESSAGE\":5");
	/* 311: json-seq's record separator; a host with a space, a PID that
	 * is not a number, a line break and a NUL in the message */
	n += (size_t)snprintf(buf + n, cap - n, "\x1e{\"_HOSTNAME\":\"m x\",\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\","
			      "\"SYSLOG_PID\":\"4a\",\"__REALTIME_TIMESTAMP\":\"1704448807000000\","
			      "\"MESSAGE\":\"" JREJ("192.0.2.7") " \\n\\u0000\"}\n");
	/* 312: a message longer than a log line */
	{
		size_t big = MTALOG_LINE_MAX + 10;
		char *f = malloc(big + 256);
		int k = snprintf(f, 256, JPF "\"__REALTIME_TIMESTAMP\":\"1704448808000000\",\"MESSAGE\":\"");
		memset(f + k, 'a', big);
		snprintf(f + k + big, 8, "\"");
		jl(buf, cap, &n, f);
		free(f);
	}
	/* 313: _COMM when there is no SYSLOG_IDENTIFIER */
	jl(buf, cap, &n, "\"_COMM\":\"postfix/smtpd\",\"__REALTIME_TIMESTAMP\":\"1704448809000000\","
		       "\"MESSAGE\":\"" JREJ("192.0.2.9") "\"");
	struct mtalog_opts o = { 0 };
	struct result r;
	read_bytes(buf, n, &o, &r);
	assert_string_equal(r.format, "postfix");
	assert_int_equal(r.n, 6);
	const char *addrs[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.7", "192.0.2.9" };
	const int64_t us[] = { 1704448800123456, 1704448801000000, 1704448803000000, 1704448804000000,
			       1704448807000000, 1704448809000000 };
	const uint64_t lines[] = { 301, 302, 303, 304, 311, 313 };
	for (int i = 0; i < 6; i++) {
		assert_addr(&r.ev[i].addr, addrs[i]);
		assert_int_equal(r.ev[i].ts_ns, us[i] * 1000);
		assert_int_equal(r.ev[i].line, lines[i]);
		assert_int_equal(r.ev[i].kind, MTA_DNSBL_REJECT);
		assert_string_equal(r.ev[i].list, "zen.spamhaus.org");
	}
	assert_int_equal(r.st.unparsed_reject, 3);
	assert_int_equal(r.st.long_lines, 1);
	assert_int_equal(r.st.lines, 313);

	/* the same, gzip'd */
	buf[n] = '\0';
	char *gz = write_gz(buf);
	char err[512];
	struct result r2;
	assert_int_equal(read_all(gz, &o, &r2, err, sizeof err), 0);
	unlink(gz);
	assert_int_equal(r2.n, 6);
	assert_int_equal(r2.ev[5].ts_ns, r.ev[5].ts_ns);

	/* --strict says each line that is not an entry */
	char *path = tmpfile_with(buf, n);
	o.strict = true;
	const char *said = capture_stderr(NULL, &o, &r, path);
	unlink(path);
	for (int l = 308; l <= 310; l++) {
		char want[64];
		snprintf(want, sizeof want, ":%d: not a journal entry", l);
		assert_non_null(strstr(said, want));
	}
	free(buf);

	/* refused, saying why */
	struct {
		const char *text, *says;
	} bad[] = {
		{ "{\n  \"MESSAGE\" : \"x\"\n}\n", "export with journalctl -o json" },
		{ "{\"__REALTIME_TIMESTAMP\":\"1704448700000000\",\"SYSLOG_IDENTIFIER\":\"CRON\",\"MESSAGE\":\"x\"}\n",
		  "no entry of an MTA" },
		{ "{\"__REALTIME_TIMESTAMP\":\n{oops\n", "not a journal export" },
		{ "Fri 2024-01-05 11:00:00 CET mx postfix/smtpd[1]: connect from x[192.0.2.1]\n", "TZ=UTC" },
		{ "[ 4242.123456] mx postfix/smtpd[1]: connect from x[192.0.2.1]\n", "no wall-clock time" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = tmpfile_with(bad[i].text, strlen(bad[i].text));
		int rc = read_all(path, &o, &r, err, sizeof err);
		unlink(path);
		if (rc != -1 || !strstr(err, bad[i].says))
			fail_msg("case %zu: rc %d, '%s', want '%s'", i, rc, err, bad[i].says);
	}
	/* binary files given for a log: a journal file's header alone,
	 * captures */
	static const unsigned char bin[][12] = {
		{ 'L', 'P', 'K', 'S', 'H', 'H', 'R', 'H', 0, 0, 0, 0 },
		{ 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0 },
		{ 0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0 },
		{ 0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a },
	};
	for (size_t i = 0; i < sizeof bin / sizeof bin[0]; i++) {
		path = tmpfile_with(bin[i], sizeof bin[i]);
		int rc = read_all(path, &o, &r, err, sizeof err);
		unlink(path);
		const char *says = i == 0 ? "libsystemd cannot read it as a journal file" : "a packet capture";
		if (rc != -1 || !strstr(err, says))
			fail_msg("binary %zu: rc %d, '%s', want '%s'", i, rc, err, says);
	}
	/* a text log that begins as a pcapng file does is still read */
	struct mtalog_opts y = { .year = 2024 };
	read_text("\n\r\r\n" REJ("Jan  5 10:00:00", "192.0.2.1"), &y, &r);
	assert_int_equal(r.n, 1);
}

/* test_tai64n_range - multilog labels up to the end of 2199, as every
 * other stamp; one past it is a rejection without a time (a label of the
 * year 2378 overflowed the nanoseconds: found by fuzzing) */
static void test_tai64n_range(void **state)
{
	(void)state;
	struct mtalog_opts o = { 0 };
	struct result r;
	read_text("@40000001b09e190900000000 rblsmtpd: 192.0.2.71 pid 1: 451 x\n"
		  "@40000001b09e190a00000000 rblsmtpd: 192.0.2.72 pid 1: 451 x\n"
		  "@400000030000000000000036 rblsmtpd: 192.0.2.73 pid 1: 451 x\n", &o, &r);
	assert_string_equal(r.format, "qmail");
	assert_int_equal(r.n, 1);
	assert_addr(&r.ev[0].addr, "192.0.2.71");
	assert_int_equal(r.ev[0].ts_ns, 7258118399LL * 1000000000LL);
	assert_int_equal(r.st.unparsed_reject, 2);
}

/* test_detect_late - a syslog file whose first MTA line comes after 500
 * lines of other programs is still read as that MTA's */
static void test_detect_late(void **state)
{
	(void)state;
	size_t cap = 1 << 16, n = 0;
	char *text = malloc(cap);
	for (int i = 0; i < 500; i++)
		n += (size_t)snprintf(text + n, cap - n, "Jan  5 09:00:00 mx CRON[%d]: (root) CMD (true)\n", i);
	n += (size_t)snprintf(text + n, cap - n, "%s", REJ("Jan  5 10:00:00", "192.0.2.1"));
	struct mtalog_opts o = { .year = 2024 };
	struct result r;
	read_bytes(text, n, &o, &r);
	free(text);
	assert_string_equal(r.format, "postfix");
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].line, 501);
	assert_int_equal(r.ev[0].ts_ns, utc("2024-01-05 10:00:00"));
}

/* test_many_lines - detection replays its lines, then streaming goes on */
static void test_many_lines(void **state)
{
	(void)state;
	size_t count = MTALOG_DETECT_LINES * 3 + 7;
	size_t cap = count * 300;
	char *text = malloc(cap);
	size_t n = 0;
	for (size_t i = 0; i < count; i++)
		n += (size_t)snprintf(text + n, cap - n,
		        "Jan  5 10:%02zu:%02zu mx postfix/smtpd[1]: 4F3A21C0A7F: client=x[192.0.%zu.%zu]\n",
		        i / 60 % 60, i % 60, i / 256, i % 256);
	char *path = tmpfile_with(text, n);
	free(text);
	struct mtalog_opts o = { .year = 2024 };
	char err[256];
	struct mtalog *m = mtalog_open(path, &o, err, sizeof err);
	assert_non_null(m);
	struct mta_event ev;
	size_t got = 0;
	while (mtalog_next(m, &ev) > 0) {
		char want[32];
		snprintf(want, sizeof want, "192.0.%zu.%zu", got / 256, got % 256);
		assert_addr(&ev.addr, want);
		assert_int_equal(ev.line, got + 1);
		got++;
	}
	assert_int_equal(got, count);
	assert_int_equal(mtalog_get_stats(m)->accept, count);
	mtalog_close(m);
	unlink(path);
}

/* test_parse_time - the public time parser: RFC 3339 and epoch seconds */
static void test_parse_time(void **state)
{
	(void)state;
	int64_t ns = 42;
	assert_int_equal(mtalog_parse_time("2024-02-29T23:59:60Z", &ns), 0);
	assert_true(ns == utc("2024-02-29 23:59:59") + 1000000000LL);
	assert_int_equal(mtalog_parse_time("2024-01-05T11:30:00.5+01:30", &ns), 0);
	assert_true(ns == utc("2024-01-05 10:00:00") + 500000000LL);
	assert_int_equal(mtalog_parse_time("2024-01-05 10:00:00", &ns), 0);
	assert_true(ns == utc("2024-01-05 10:00:00"));
	assert_int_equal(mtalog_parse_time("1704448800.25", &ns), 0);
	assert_true(ns == utc("2024-01-05 10:00:00") + 250000000LL);
	ns = 42;
	assert_int_equal(mtalog_parse_time("2023-02-29T00:00:00Z", &ns), -1);
	assert_int_equal(mtalog_parse_time("2024-13-01T00:00:00Z", &ns), -1);
	assert_int_equal(mtalog_parse_time("2024-01-05T24:00:00Z", &ns), -1);
	assert_int_equal(mtalog_parse_time("2024-01-05T10:00:00Zjunk", &ns), -1);
	assert_int_equal(mtalog_parse_time("-5", &ns), -1);
	/* found by fuzzing: a year past 2262 overflowed the nanoseconds */
	assert_int_equal(mtalog_parse_time("9999-06-29T16:04:19Z", &ns), -1);
	assert_int_equal(mtalog_parse_time("", &ns), -1);
	assert_int_equal(mtalog_parse_time("99999999999999999999", &ns), -1);
	/* found by fuzzing: 11 digits of epoch seconds overflowed them too */
	assert_int_equal(mtalog_parse_time("20245555555", &ns), -1);
	assert_int_equal(mtalog_parse_time("9223372036", &ns), -1);
	assert_true(ns == 42);
	assert_int_equal(mtalog_parse_time("9223372035.5", &ns), 0);
	assert_true(ns == 9223372035500000000LL);
	assert_int_equal(mtalog_parse_time("2200-12-31T23:59:59Z", &ns), 0);
	assert_true(ns == utc("2200-12-31 23:59:59"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_forms),
		cmocka_unit_test(test_postscreen_site),
		cmocka_unit_test(test_rfc5424),
		cmocka_unit_test(test_several_mtas),
		cmocka_unit_test(test_year_rollover),
		cmocka_unit_test(test_year_resolution),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul_utf8),
		cmocka_unit_test(test_reject_ends_at_client),
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_detect_late),
		cmocka_unit_test(test_tai64n_range),
		cmocka_unit_test(test_parse_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
