/*
 * cmd_addr.c - `mxsensor addr`: classify addresses given as arguments or
 * read one per line from stdin, one output line each (text, CSV, JSON).
 *
 * Trusts nothing on stdin: lines are capped at LINE_MAX_LEN bytes, a bad
 * line is reported as "mxsensor: -:LINE: not an address: TEXT" (TEXT cut
 * and stripped of control bytes) and skipped; the exit status is then 1.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "addr/addr.h"
#include "addr/classify.h"
#include "cmd/cmd.h"
#include "util/log.h"
#include "util/replace.h"

#define LINE_MAX_LEN 1024   /* longer stdin lines are rejected */
#define SHOW_MAX 64         /* bytes of a bad line quoted in the message */

enum out_format { FMT_TEXT, FMT_CSV, FMT_JSONL };

const char cmd_addr_summary[] = "classify IPv4/IPv6 addresses (type, interface ID, embedded IPv4)";

const char cmd_addr_usage[] =
	"usage: mxsensor addr [--format text|csv|jsonl] [--no-header] [ADDR...]\n"
	"\n"
	"Classify each IPv4 or IPv6 address: its special range, the class of its\n"
	"interface ID (the classes of ipv6toolkit's addr6), and the data it\n"
	"carries: 6to4 gateway, Teredo server/client/port/flags, ISATAP IPv4,\n"
	"NAT64/mapped/compatible IPv4, the MAC of an EUI-64 interface ID, a\n"
	"service port.  With no ADDR, read addresses one per line from stdin\n"
	"(blank lines and lines starting with '#' are skipped).\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT   text (default: aligned columns), csv (with a\n"
	"                     header line), or jsonl (one JSON object per line)\n"
	"  -H, --no-header    no header line in text and csv output\n"
	"\n"
	"Columns (csv header names; jsonl keys are the same, absent data is\n"
	"empty in csv and null in jsonl; text shows '-' and folds the columns\n"
	"from gateway on into one DETAILS column of key=value words):\n"
	"  address        canonical text (RFC 5952)\n"
	"  family         4 or 6\n"
	"  scope          unspecified loopback ipv4-mapped ipv4-compatible\n"
	"                 link-local site-local unique-local documentation\n"
	"                 multicast 6to4 teredo nat64 nat64-local private shared\n"
	"                 reserved global\n"
	"  iid            interface-ID class: ieee-derived isatap embedded-ipv4-32\n"
	"                 embedded-ipv4-64 embedded-port embedded-port-rev\n"
	"                 low-byte pattern-bytes randomized teredo, or none\n"
	"  v4             the IPv4 address the IPv6 address carries (for\n"
	"                 association with IPv4 clients)\n"
	"  v4_via         how: 6to4 teredo nat64 mapped compatible isatap iid\n"
	"  gateway        6to4 gateway IPv4 (bits 16-47)\n"
	"  teredo_server  Teredo server IPv4 (bits 32-63)\n"
	"  teredo_client  Teredo client IPv4 (bits 96-127 XOR 0xffffffff)\n"
	"  teredo_port    Teredo client port (bits 80-95 XOR 0xffff)\n"
	"  teredo_flags   Teredo flags (bits 64-79), 4 hex digits\n"
	"  teredo_kind    rfc4380, rfc5991 (random flag bits) or unknown\n"
	"  isatap_v4      IPv4 of an ISATAP interface ID\n"
	"  mac            MAC of an ieee-derived interface ID (aa:bb:cc:dd:ee:ff)\n"
	"  port           service port of an embedded-port(-rev) interface ID\n"
	"  flags          words: cone (Teredo cone NAT), legacy-teredo\n"
	"                 (3ffe:831f::/32), isatap-global, v4-not-global\n"
	"\n"
	"Exit status: 0 all addresses classified, 1 some input was not an\n"
	"address, or a write error; 2 usage error.\n"
	"\n"
	"Examples:\n"
	"  mxsensor addr 2001:0:4136:e378:8000:63bf:3fff:fdd2\n"
	"  tshark -r x.pcap -T fields -e ipv6.src | sort -u | mxsensor addr -f csv\n"
	"\n"
	"See mxsensor-addr(1).\n";

/* the optional columns, in output order */
enum col {
	COL_GATEWAY, COL_TSERVER, COL_TCLIENT, COL_TPORT, COL_TFLAGS, COL_TKIND,
	COL_ISATAP, COL_MAC, COL_PORT, COL_FLAGS, NCOL
};
static const char *const col_names[NCOL] = {
	"gateway", "teredo_server", "teredo_client", "teredo_port", "teredo_flags",
	"teredo_kind", "isatap_v4", "mac", "port", "flags",
};

/* fields - the optional columns of c as text; "" where absent */
static void fields(const struct addr_class *c, char val[NCOL][ADDR_STRLEN])
{
	for (int i = 0; i < NCOL; i++)
		val[i][0] = '\0';
	if (c->gateway.family)
		addr_format(&c->gateway, val[COL_GATEWAY]);
	if (c->scope == ADDR_SCOPE_TEREDO) {
		addr_format(&c->teredo_server, val[COL_TSERVER]);
		addr_format(&c->teredo_client, val[COL_TCLIENT]);
		snprintf(val[COL_TPORT], ADDR_STRLEN, "%u", c->teredo_port);
		snprintf(val[COL_TFLAGS], ADDR_STRLEN, "%04x", c->teredo_flags);
		snprintf(val[COL_TKIND], ADDR_STRLEN, "%s", addr_teredo_kind_name(c->teredo_kind));
	}
	if (c->isatap_v4.family)
		addr_format(&c->isatap_v4, val[COL_ISATAP]);
	if (c->has_mac)
		snprintf(val[COL_MAC], ADDR_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
			 c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
	if (c->iid == ADDR_IID_PORT || c->iid == ADDR_IID_PORT_REV)
		snprintf(val[COL_PORT], ADDR_STRLEN, "%u", c->port);
	static const struct { unsigned bit; const char *name; } fl[] = {
		{ ADDR_CF_TEREDO_CONE, "cone" },
		{ ADDR_CF_TEREDO_LEGACY, "legacy-teredo" },
		{ ADDR_CF_ISATAP_GLOBAL, "isatap-global" },
		{ ADDR_CF_V4_NOT_GLOBAL, "v4-not-global" },
	};
	char *f = val[COL_FLAGS];
	for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
		if (!(c->flags & fl[i].bit))
			continue;
		size_t n = strlen(f);
		snprintf(f + n, ADDR_STRLEN - n, "%s%s", n ? " " : "", fl[i].name);
	}
}

/* print_header - the header line of text/csv output */
static void print_header(enum out_format fmt)
{
	if (fmt == FMT_CSV) {
		fputs("address,family,scope,iid,v4,v4_via", stdout);
		for (int i = 0; i < NCOL; i++)
			printf(",%s", col_names[i]);
		putchar('\n');
	} else if (fmt == FMT_TEXT) {
		printf("%-39s %-3s %-15s %-17s %-15s %-10s %s\n", "ADDRESS", "FAM",
		       "SCOPE", "IID", "V4", "V4_VIA", "DETAILS");
	}
}

/* line - one output line, built in memory and written with one fwrite */
struct line {
	char s[1024];      /* the longest line is about 350 bytes */
	size_t n;
};

/* put - append s, padded with spaces to width (0: no padding) */
static void put(struct line *l, const char *s, size_t width)
{
	size_t k = strlen(s);
	if (l->n + k + width + 1 >= sizeof l->s)
		BUG("output line too long");
	memcpy(l->s + l->n, s, k);
	l->n += k;
	while (k++ < width)
		l->s[l->n++] = ' ';
}

/* print_one - the output line of one address */
static void print_one(const struct addr *a, enum out_format fmt)
{
	struct addr_class c;
	char text[ADDR_STRLEN], v4[ADDR_STRLEN] = "";
	char val[NCOL][ADDR_STRLEN];
	const char *fam = a->family == 4 ? "4" : "6";
	struct line l = { .n = 0 };
	addr_classify(a, &c);
	addr_format(a, text);
	if (c.v4.family)
		addr_format(&c.v4, v4);
	fields(&c, val);
	const char *via = c.v4_via ? addr_v4_via_name(c.v4_via) : "";
	const char *scope = addr_scope_name(c.scope), *iid = addr_iid_name(c.iid);
	switch (fmt) {
	case FMT_CSV: {
		const char *head[] = { text, fam, scope, iid, v4, via };
		for (size_t i = 0; i < 6; i++) {
			put(&l, head[i], 0);
			put(&l, ",", 0);
		}
		for (int i = 0; i < NCOL; i++) {
			put(&l, val[i], 0);
			put(&l, i + 1 < NCOL ? "," : "", 0);
		}
		break;
	}
	case FMT_JSONL:
		/* every value is from fixed tables, digits or address text: no escaping needed */
		put(&l, "{\"address\":\"", 0); put(&l, text, 0);
		put(&l, "\",\"family\":", 0); put(&l, fam, 0);
		put(&l, ",\"scope\":\"", 0); put(&l, scope, 0);
		put(&l, "\",\"iid\":\"", 0); put(&l, iid, 0);
		if (*v4) {
			put(&l, "\",\"v4\":\"", 0); put(&l, v4, 0);
			put(&l, "\",\"v4_via\":\"", 0); put(&l, via, 0);
			put(&l, "\"", 0);
		} else {
			put(&l, "\",\"v4\":null,\"v4_via\":null", 0);
		}
		for (int i = 0; i < NCOL; i++) {
			bool num = i == COL_TPORT || i == COL_PORT;
			put(&l, ",\"", 0);
			put(&l, col_names[i], 0);
			put(&l, "\":", 0);
			if (!val[i][0]) {
				put(&l, "null", 0);
				continue;
			}
			put(&l, num ? "" : "\"", 0);
			put(&l, val[i], 0);
			put(&l, num ? "" : "\"", 0);
		}
		put(&l, "}", 0);
		break;
	case FMT_TEXT: {
		put(&l, text, 40);
		put(&l, fam, 4);
		put(&l, scope, 16);
		put(&l, iid, 18);
		put(&l, *v4 ? v4 : "-", 16);
		put(&l, *via ? via : "-", 10);
		int any = 0;
		for (int i = 0; i < NCOL; i++) {
			if (!val[i][0])
				continue;
			if (i == COL_FLAGS) {
				for (char *p = val[i]; *p; p++)
					if (*p == ' ')
						*p = ',';
			}
			put(&l, " ", 0);
			put(&l, col_names[i], 0);
			put(&l, "=", 0);
			put(&l, val[i], 0);
			any = 1;
		}
		if (!any)
			put(&l, " -", 0);
		break;
	}
	}
	l.s[l.n++] = '\n';
	fwrite(l.s, 1, l.n, stdout);
}

/* show - a bad input line fit for a message: cut, control bytes as '?' */
static const char *show(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	for (; s[n] && n + 4 < size && n < SHOW_MAX; n++)
		buf[n] = (s[n] < 0x20 || s[n] == 0x7f) ? '?' : s[n];
	if (s[n]) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* read_stdin - classify each line of stdin; returns the number of bad lines */
static unsigned long read_stdin(enum out_format fmt)
{
	char line[LINE_MAX_LEN + 2], shown[SHOW_MAX + 8];
	unsigned long lineno = 0, bad = 0;
	while (fgets(line, sizeof line, stdin)) {
		lineno++;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n') {
			line[--n] = '\0';
		} else if (n > LINE_MAX_LEN) {
			int ch;
			while ((ch = getchar()) != EOF && ch != '\n')
				;
			error_at("-", lineno, "line longer than %d bytes", LINE_MAX_LEN);
			bad++;
			continue;
		}
		char *s = line, *e = line + n;
		while (*s == ' ' || *s == '\t')
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (!*s || *s == '#')
			continue;
		struct addr a;
		if (addr_parse(s, &a) < 0) {
			error_at("-", lineno, "not an address: %s", show(s, shown, sizeof shown));
			bad++;
			continue;
		}
		print_one(&a, fmt);
	}
	if (ferror(stdin)) {
		error("-: read error");
		bad++;
	}
	return bad;
}

int cmd_addr(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "no-header", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	enum out_format fmt = FMT_TEXT;
	int header = 1, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:H", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (!strcmp(optarg, "text"))
				fmt = FMT_TEXT;
			else if (!strcmp(optarg, "csv"))
				fmt = FMT_CSV;
			else if (!strcmp(optarg, "jsonl") || !strcmp(optarg, "json"))
				fmt = FMT_JSONL;
			else
				return cmd_usage_error("addr", "unknown format '%s' (text, csv, jsonl)", optarg);
			break;
		case 'H':
			header = 0;
			break;
		default:
			return cmd_usage_error("addr", "bad option");
		}
	}
	if (header)
		print_header(fmt);
	unsigned long bad = 0;
	if (optind == argc) {
		bad = read_stdin(fmt);
	} else {
		char shown[SHOW_MAX + 8];
		for (int i = optind; i < argc; i++) {
			struct addr a;
			if (addr_parse(argv[i], &a) < 0) {
				error("not an address: %s", show(argv[i], shown, sizeof shown));
				bad++;
				continue;
			}
			print_one(&a, fmt);
		}
	}
	if (stdout_flush() < 0)
		return 1;
	return bad ? 1 : 0;
}
