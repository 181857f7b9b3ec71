/*
 * cmd_syns.c - `mxsensor syns`: print the SYN records of capture files.
 *
 * Options, then one loop per file over pcapin_next() (packet/reader.h);
 * output is CSV (RFC 4180 quoting) or JSON lines on stdout.  A damaged
 * file keeps every record read before the damage, then gets one error
 * line; the other files still run; the exit status is then 1.  With
 * --os each record gets fp_match()'s verdict (fingerprint/fp.h) as extra
 * columns.  Lines are built in a buffer (struct out), text escaped with
 * util/out.h's out_csv_escape()/out_json_escape().
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "fingerprint/fp.h"
#include "packet/parse.h"
#include "packet/reader.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/num.h"
#include "util/out.h"

const char cmd_syns_summary[] = "print the TCP SYNs of pcap/pcapng files (CSV, JSON lines)";

const char cmd_syns_usage[] =
	"usage: mxsensor syns [--port N | --all-ports] [--format csv|jsonl]\n"
	"                     [--no-header] [--stats] [--os [--fp-db FILE]...] FILE...\n"
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
	"  -o, --os           add the passive OS fingerprint columns (p0f 3.09b's\n"
	"                     verdicts from its signature database)\n"
	"  -d, --fp-db FILE   p0f.fp signature file; repeat to add files, later ones\n"
	"                     add signatures (default /etc/p0f/p0f.fp); implies --os\n"
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
	"With --os, then:\n"
	"  os                    p0f label (\"Linux 3.11 and newer\"); empty (null)\n"
	"                        when no signature matches (p0f's ?\?\?)\n"
	"  os_class os_family    signature class (win, unix, other; ! = a tool such\n"
	"                        as NMap) and coarse family (Windows, Linux, Mac OS X,\n"
	"                        BSD, Other, Unknown)\n"
	"  os_match              exact, generic, fuzzy or none\n"
	"  os_flags              p0f's params: generic, fuzzy, random_ttl (space list)\n"
	"  os_dist               hops from the sender (p0f's dist)\n"
	"  os_link               link type from the MSS ([mtu] label; ?\?\? unknown);\n"
	"                        empty (null) without MSS\n"
	"  raw_sig               p0f's raw signature of the SYN\n"
	"                        (4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0)\n"
	"\n"
	"Exit status: 0 all files read; 1 a file could not be opened or is\n"
	"damaged (records before the damage are printed, then\n"
	"'mxsensor: FILE: packet N: what'); 2 usage error, or a signature\n"
	"file that does not load ('mxsensor: FILE:LINE: what').\n"
	"\n"
	"Examples:\n"
	"  mxsensor syns examples/sample-syns.pcap\n"
	"  mxsensor syns --all-ports --format jsonl capture.pcapng.gz\n"
	"  mxsensor syns --os --fp-db /etc/p0f/p0f.fp --fp-db local.fp capture.pcap\n"
	"  tcpdump -w - -i eth0 'tcp[13] & 18 == 2' | mxsensor syns -\n";

enum fmt { FMT_CSV, FMT_JSONL };

static const char *const columns[] = {
	"time", "family", "src", "sport", "dst", "dport", "ttl", "tos", "flow",
	"ipid", "df", "ip_olen", "win", "mss", "wscale", "sackok", "tsval",
	"tsecr", "olayout", "quirks", "payload_len", "tunnelled", "file", "packet",
	/* with --os only, after the others */
	"os", "os_class", "os_family", "os_match", "os_flags", "os_dist", "os_link", "raw_sig",
};
#define NCOLS_BASE 24        /* the columns without --os */
#define NCOLS (sizeof(columns) / sizeof(columns[0]))
_Static_assert(NCOLS == NCOLS_BASE + 8, "the --os columns are the last 8");

/* struct out - one output line being built; flushed to the stream
 * before the (separately escaped) file name */
struct out {
	FILE *f;
	enum fmt fmt;
	int col;
	size_t n;
	char b[4096];
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
	char *r = xmalloc(OUT_ESC_MAX(strlen(s)));
	if (fmt == FMT_CSV)
		out_csv_escape(r, s);
	else
		out_json_escape(r, s);
	return r;
}

/* o_esc - a text column escaped for the format, built in the line buffer */
static void o_esc(struct out *o, const char *s)
{
	size_t need = OUT_ESC_MAX(strlen(s));
	o_key(o);
	if (need > sizeof(o->b) - o->n) {
		fwrite(o->b, 1, o->n, o->f);
		o->n = 0;
	}
	if (need > sizeof(o->b)) {
		char *e = escape_text(s, o->fmt);
		o_str(o, e);
		free(e);
		return;
	}
	o->n += o->fmt == FMT_CSV ? out_csv_escape(o->b + o->n, s)
				  : out_json_escape(o->b + o->n, s);
}

/* o_opt_esc - o_esc, or null when s is NULL */
static void o_opt_esc(struct out *o, const char *s)
{
	if (s)
		o_esc(o, s);
	else
		o_null(o);
}

/* o_verdict - the --os columns of one SYN */
static void o_verdict(struct out *o, const struct fp_verdict *fv)
{
	char flags[32];
	o_opt_esc(o, fv->label);
	o_opt_esc(o, fv->os_class);
	o_esc(o, fp_os_family(fv));
	o_esc(o, fp_kind_name(fv->kind));
	snprintf(flags, sizeof(flags), "%s%s%s", fv->generic ? " generic" : "",
		 fv->fuzzy ? " fuzzy" : "", fv->bad_ttl ? " random_ttl" : "");
	o_esc(o, flags + (flags[0] == ' '));
	if (fv->dist < 0) {
		char d[16];
		snprintf(d, sizeof(d), "%d", fv->dist);
		o_key(o);
		o_str(o, d);
	} else {
		o_uint(o, (uint64_t)fv->dist);
	}
	o_opt_esc(o, fv->link);
	o_esc(o, fv->raw_sig);
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

/* print_syn - one record, in columns[] order; file_esc = escape_text(file);
 * fv = the fingerprint verdict for the --os columns, or NULL */
static void print_syn(FILE *f, enum fmt fmt, const struct syn *s, const char *file_esc,
		      const struct fp_verdict *fv)
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
	if (fv)
		o_verdict(&o, fv);
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
		{ "os", no_argument, NULL, 'o' },
		{ "fp-db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long port = 25;
	bool all_ports = false, port_given = false, header = true, stats = false, os = false;
	const char *fp_dbs[64];
	size_t n_fp_dbs = 0;
	enum fmt fmt = FMT_CSV;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:af:Hsod:", opts, NULL)) != -1) {
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
		case 'o':
			os = true;
			break;
		case 'd':
			if (n_fp_dbs == sizeof(fp_dbs) / sizeof(fp_dbs[0]))
				return cmd_usage_error("syns", "--fp-db: more than %zu files",
						       sizeof(fp_dbs) / sizeof(fp_dbs[0]));
			fp_dbs[n_fp_dbs++] = optarg;
			os = true;
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

	struct fpdb *db = NULL;
	if (os) {
		char *fperr = NULL;
		db = fpdb_open(fp_dbs, n_fp_dbs, &fperr);
		if (!db) {
			error("%s", fperr);
			free(fperr);
			return 2;
		}
	}

	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (header && fmt == FMT_CSV) {
		for (size_t k = 0; k < (os ? NCOLS : NCOLS_BASE); k++)
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
			print_syn(stdout, fmt, &s, file_esc, db ? fp_match(db, &s) : NULL);
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
	fpdb_free(db);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error("standard output: write error");
		return 1;
	}
	return status;
}
