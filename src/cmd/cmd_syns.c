/*
 * cmd_syns.c - `mxsensor syns`: print the SYN records of capture files.
 *
 * Options, then one loop per file over pcapin_next() (packet/reader.h);
 * output is CSV (RFC 4180 quoting) or JSON lines on stdout.  A damaged
 * file keeps every record read before the damage, then gets one error
 * line; the other files still run; the exit status is then 1.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "packet/parse.h"
#include "packet/reader.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/num.h"

const char cmd_syns_summary[] = "print the TCP SYNs of pcap/pcapng files (CSV, JSON lines)";

const char cmd_syns_usage[] =
	"usage: mxsensor syns [--port N | --all-ports] [--format csv|jsonl]\n"
	"                     [--no-header] [--stats] FILE...\n"
	"\n"
	"Print one record per TCP SYN (SYN set, ACK clear) found in pcap or\n"
	"pcapng capture files.  FILE may be gzip'd; '-' reads standard input.\n"
	"\n"
	"Options:\n"
	"  -p, --port N       only SYNs to destination port N (1-65535; default 25)\n"
	"  -a, --all-ports    SYNs to any port\n"
	"  -f, --format FMT   csv (default) or jsonl (one JSON object per line)\n"
	"  -H, --no-header    no CSV header line\n"
	"  -s, --stats        per file, counts of what the packets were, on stderr\n"
	"\n"
	"Columns (CSV header names = JSON keys):\n"
	"  time        capture time, seconds.fraction since the epoch, 6 or 9\n"
	"              digits as the file records (JSON: a string)\n"
	"  family      4 or 6 (of the IP header carrying the TCP)\n"
	"  src sport dst dport   addresses (RFC 5952) and ports\n"
	"  ttl tos flow          TTL / hop limit, TOS / traffic class byte,\n"
	"                        IPv6 flow label (0 for IPv4)\n"
	"  ipid df ip_olen       IPv4 ID, don't-fragment (0/1), IPv4 options bytes\n"
	"  win                   TCP window (unscaled)\n"
	"  mss wscale            MSS and window scale; empty (null) when absent\n"
	"  sackok                1 when SACK permitted was offered\n"
	"  tsval tsecr           TCP timestamps; empty (null) when absent\n"
	"  olayout               TCP option layout in p0f notation\n"
	"                        (mss,nop,ws,nop,nop,sok; eol+N; ?K unknown kind K)\n"
	"  quirks                p0f quirks, comma list (df,id+,id-,ecn,0+,flow,\n"
	"                        seq-,ack+,ack-,uptr+,urgf+,pushf+,ts1-,ts2+,opt+,\n"
	"                        exws,bad)\n"
	"  payload_len           TCP payload bytes the IP header declares\n"
	"  tunnelled             1 when inside 6in4, 4in6 or 6in6\n"
	"  file packet           input file name and 1-based packet number\n"
	"\n"
	"Exit status: 0 all files read; 1 a file could not be opened or is\n"
	"damaged (records before the damage are printed, then\n"
	"'mxsensor: FILE: packet N: what'); 2 usage error.\n"
	"\n"
	"Examples:\n"
	"  mxsensor syns examples/sample-syns.pcap\n"
	"  mxsensor syns --all-ports --format jsonl capture.pcapng.gz\n"
	"  tcpdump -w - -i eth0 'tcp[13] & 18 == 2' | mxsensor syns -\n";

enum fmt { FMT_CSV, FMT_JSONL };

static const char *const columns[] = {
	"time", "family", "src", "sport", "dst", "dport", "ttl", "tos", "flow",
	"ipid", "df", "ip_olen", "win", "mss", "wscale", "sackok", "tsval",
	"tsecr", "olayout", "quirks", "payload_len", "tunnelled", "file", "packet",
};

/* struct out - one output line being built; flushed to the stream
 * before the (separately escaped) file name */
struct out {
	FILE *f;
	enum fmt fmt;
	int col;
	size_t n;
	char b[1024];
};

static void o_raw(struct out *o, const char *s, size_t n)
{
	if (n > sizeof(o->b) - o->n) {
		fwrite(o->b, 1, o->n, o->f);
		o->n = 0;
		if (n > sizeof(o->b)) {
			fwrite(s, 1, n, o->f);
			return;
		}
	}
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

static void o_str(struct out *o, const char *s)
{
	o_raw(o, s, strlen(s));
}

/* o_key - the separator before column o->col, and its JSON key */
static void o_key(struct out *o)
{
	if (o->fmt == FMT_CSV) {
		if (o->col)
			o_raw(o, ",", 1);
	} else {
		o_str(o, o->col ? ",\"" : "{\"");
		o_str(o, columns[o->col]);
		o_raw(o, "\":", 2);
	}
	o->col++;
}

static size_t utoa(char *buf, uint64_t v)
{
	char t[24];
	size_t n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	return n;
}

static void o_uint(struct out *o, uint64_t v)
{
	char t[24];
	o_key(o);
	o_raw(o, t, utoa(t, v));
}

static void o_null(struct out *o)
{
	o_key(o);
	if (o->fmt == FMT_JSONL)
		o_raw(o, "null", 4);
}

/* o_text - a text column; the caller passes text already escaped for the
 * format (escape_text()) or text that needs none */
static void o_text(struct out *o, const char *s)
{
	o_key(o);
	o_str(o, s);
}

/* escape_text - s as one CSV field (RFC 4180: quoted when it holds , " CR
 * LF) or as a JSON string (bytes >= 0x80 pass through: UTF-8); malloc'd */
static char *escape_text(const char *s, enum fmt fmt)
{
	size_t len = strlen(s);
	char *r = xmalloc(len * 6 + 3), *p = r;
	if (fmt == FMT_CSV) {
		if (!strpbrk(s, ",\"\r\n")) {
			memcpy(r, s, len + 1);
			return r;
		}
		*p++ = '"';
		for (; *s; s++) {
			if (*s == '"')
				*p++ = '"';
			*p++ = *s;
		}
		*p++ = '"';
		*p = '\0';
		return r;
	}
	*p++ = '"';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			*p++ = '\\';
			*p++ = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			p += sprintf(p, "\\u%04x", ch);
		} else {
			*p++ = (char)ch;
		}
	}
	*p++ = '"';
	*p = '\0';
	return r;
}

/* o_time - "seconds.fraction" with prec (6 or 9) digits */
static void o_time(struct out *o, int64_t ns, int prec)
{
	char t[48];
	size_t n = 0;
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t sec = a / 1000000000, frac = a % 1000000000;
	int digits = prec == 9 ? 9 : 6;
	if (digits == 6)
		frac /= 1000;
	if (o->fmt == FMT_JSONL)
		t[n++] = '"';
	if (ns < 0)
		t[n++] = '-';
	n += utoa(t + n, sec);
	t[n++] = '.';
	for (int i = digits - 1; i >= 0; i--) {
		t[n + (size_t)i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	n += (size_t)digits;
	if (o->fmt == FMT_JSONL)
		t[n++] = '"';
	o_key(o);
	o_raw(o, t, n);
}

/* print_syn - one record, in columns[] order; file_esc = escape_text(file) */
static void print_syn(FILE *f, enum fmt fmt, const struct syn *s, const char *file_esc)
{
	struct out o = { .f = f, .fmt = fmt };
	char a[ADDR_STRLEN + 2], t[256];
	bool js = fmt == FMT_JSONL;

	o_time(&o, s->ts_ns, s->ts_prec);
	o_uint(&o, s->ipver);
	a[0] = '"';
	addr_format(&s->src, a + 1);
	if (js)
		strcat(a, "\"");
	o_text(&o, js ? a : a + 1);
	o_uint(&o, s->sport);
	addr_format(&s->dst, a + 1);
	if (js)
		strcat(a, "\"");
	o_text(&o, js ? a : a + 1);
	o_uint(&o, s->dport);
	o_uint(&o, s->ttl);
	o_uint(&o, s->tos);
	o_uint(&o, s->flow);
	o_uint(&o, s->ipid);
	o_uint(&o, s->df);
	o_uint(&o, s->ip_olen);
	o_uint(&o, s->win);
	if (s->has_mss)
		o_uint(&o, s->mss);
	else
		o_null(&o);
	if (s->wscale >= 0)
		o_uint(&o, (uint64_t)s->wscale);
	else
		o_null(&o);
	o_uint(&o, s->sackok);
	if (s->has_ts) {
		o_uint(&o, s->tsval);
		o_uint(&o, s->tsecr);
	} else {
		o_null(&o);
		o_null(&o);
	}
	/* olayout and quirks hold commas but never quotes or backslashes */
	t[0] = '"';
	packet_olayout_format(s, t + 1, sizeof(t) - 2);
	bool quote = js || strchr(t + 1, ',');
	if (quote)
		strcat(t, "\"");
	o_text(&o, quote ? t : t + 1);
	packet_quirks_format(s->quirks, t + 1, sizeof(t) - 2);
	quote = js || strchr(t + 1, ',');
	if (quote)
		strcat(t, "\"");
	o_text(&o, quote ? t : t + 1);
	o_uint(&o, s->payload_len);
	o_uint(&o, s->tunnelled);
	o_text(&o, file_esc);
	o_uint(&o, s->pkt_no);
	o_raw(&o, js ? "}\n" : "\n", js ? 2 : 1);
	fwrite(o.b, 1, o.n, f);
}

/* print_stats - the per-file counters on stderr */
static void print_stats(const char *file, const struct pcapin_stats *st)
{
	fprintf(stderr,
		"mxsensor: %s: packets %" PRIu64 ", syns %" PRIu64 ", not_syn %" PRIu64
		", non_ip %" PRIu64 ", truncated %" PRIu64 ", fragments %" PRIu64
		", bad %" PRIu64 ", tunnelled %" PRIu64 ", unsupported_dlt %" PRIu64 "\n",
		file, st->packets, st->syns, st->not_syn, st->non_ip, st->truncated,
		st->fragments, st->bad, st->tunnelled, st->unsupported_dlt);
}

int cmd_syns(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "all-ports", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "stats", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long port = 25;
	bool all_ports = false, port_given = false, header = true, stats = false;
	enum fmt fmt = FMT_CSV;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:af:Hs", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (port_given)
				return cmd_usage_error("syns", "--port given twice");
			if (num_ulong(optarg, 1, 65535, &port) < 0)
				return cmd_usage_error("syns", "--port: '%s' is not a port (1-65535)", optarg);
			port_given = true;
			break;
		case 'a':
			all_ports = true;
			break;
		case 'f':
			if (!strcmp(optarg, "csv"))
				fmt = FMT_CSV;
			else if (!strcmp(optarg, "jsonl"))
				fmt = FMT_JSONL;
			else
				return cmd_usage_error("syns", "--format: '%s' is not csv or jsonl", optarg);
			break;
		case 'H':
			header = false;
			break;
		case 's':
			stats = true;
			break;
		default:
			return cmd_usage_error("syns", "unknown option");
		}
	}
	if (all_ports && port_given)
		return cmd_usage_error("syns", "--port and --all-ports exclude each other");
	if (optind >= argc)
		return cmd_usage_error("syns", "no capture file given");
	int nstdin = 0;
	for (int i = optind; i < argc; i++)
		nstdin += !strcmp(argv[i], "-");
	if (nstdin > 1)
		return cmd_usage_error("syns", "standard input ('-') given more than once");

	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (header && fmt == FMT_CSV) {
		for (size_t k = 0; k < sizeof(columns) / sizeof(columns[0]); k++)
			printf("%s%s", k ? "," : "", columns[k]);
		putchar('\n');
	}

	int status = 0;
	for (int i = optind; i < argc; i++) {
		char err[1024];
		struct pcapin *in = pcapin_open(argv[i], err, sizeof(err));
		if (!in) {
			fflush(stdout);
			error("%s", err);
			status = 1;
			continue;
		}
		char *file_esc = escape_text(argv[i], fmt);
		struct syn s;
		int r;
		while ((r = pcapin_next(in, &s)) == 1) {
			if (!all_ports && s.dport != port)
				continue;
			print_syn(stdout, fmt, &s, file_esc);
		}
		free(file_esc);
		fflush(stdout);
		if (r < 0) {
			error("%s", pcapin_error(in));
			status = 1;
		}
		if (stats)
			print_stats(argv[i], pcapin_get_stats(in));
		pcapin_close(in);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error("standard output: write error");
		return 1;
	}
	return status;
}
