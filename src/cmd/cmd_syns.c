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
#include <string.h>

#include "cmd/cmd.h"
#include "packet/parse.h"
#include "packet/reader.h"
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

/* fmt_time - "seconds.fraction" with prec (6 or 9) digits */
static void fmt_time(char *buf, size_t len, int64_t ns, int prec)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	const char *sign = "";
	if (ns < 0) {
		sec = -(ns / 1000000000);
		frac = -(ns % 1000000000);
		sign = "-";
	}
	if (prec == 9)
		snprintf(buf, len, "%s%" PRId64 ".%09" PRId64, sign, sec, frac);
	else
		snprintf(buf, len, "%s%" PRId64 ".%06" PRId64, sign, sec, frac / 1000);
}

/* csv_field - one CSV field, quoted when it holds , " CR or LF */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}

/* json_str - a JSON string; bytes >= 0x80 pass through (UTF-8 names) */
static void json_str(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			putc(ch, f);
	}
	putc('"', f);
}

/* print_syn - one record; values in columns[] order */
static void print_syn(FILE *f, enum fmt fmt, const struct syn *s, const char *file)
{
	char v[24][128];
	bool isnum[24], isnull[24];
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	int i = 0;

	memset(isnull, 0, sizeof(isnull));
	memset(isnum, 1, sizeof(isnum));
	fmt_time(v[i], sizeof(v[i]), s->ts_ns, s->ts_prec);
	isnum[i++] = false;
	snprintf(v[i++], sizeof(v[0]), "%u", s->ipver);
	snprintf(v[i], sizeof(v[0]), "%s", addr_format(&s->src, src));
	isnum[i++] = false;
	snprintf(v[i++], sizeof(v[0]), "%u", s->sport);
	snprintf(v[i], sizeof(v[0]), "%s", addr_format(&s->dst, dst));
	isnum[i++] = false;
	snprintf(v[i++], sizeof(v[0]), "%u", s->dport);
	snprintf(v[i++], sizeof(v[0]), "%u", s->ttl);
	snprintf(v[i++], sizeof(v[0]), "%u", s->tos);
	snprintf(v[i++], sizeof(v[0]), "%" PRIu32, s->flow);
	snprintf(v[i++], sizeof(v[0]), "%u", s->ipid);
	snprintf(v[i++], sizeof(v[0]), "%d", s->df ? 1 : 0);
	snprintf(v[i++], sizeof(v[0]), "%u", s->ip_olen);
	snprintf(v[i++], sizeof(v[0]), "%u", s->win);
	if (s->has_mss)
		snprintf(v[i++], sizeof(v[0]), "%u", s->mss);
	else
		v[i][0] = '\0', isnull[i++] = true;
	if (s->wscale >= 0)
		snprintf(v[i++], sizeof(v[0]), "%d", s->wscale);
	else
		v[i][0] = '\0', isnull[i++] = true;
	snprintf(v[i++], sizeof(v[0]), "%d", s->sackok ? 1 : 0);
	if (s->has_ts) {
		snprintf(v[i++], sizeof(v[0]), "%" PRIu32, s->tsval);
		snprintf(v[i++], sizeof(v[0]), "%" PRIu32, s->tsecr);
	} else {
		v[i][0] = '\0', isnull[i++] = true;
		v[i][0] = '\0', isnull[i++] = true;
	}
	packet_olayout_format(s, v[i], sizeof(v[0]));
	isnum[i++] = false;
	packet_quirks_format(s->quirks, v[i], sizeof(v[0]));
	isnum[i++] = false;
	snprintf(v[i++], sizeof(v[0]), "%" PRIu32, s->payload_len);
	snprintf(v[i++], sizeof(v[0]), "%d", s->tunnelled ? 1 : 0);
	int file_i = i++;
	isnum[file_i] = false;
	snprintf(v[i++], sizeof(v[0]), "%" PRIu64, s->pkt_no);

	for (int k = 0; k < i; k++) {
		if (fmt == FMT_CSV) {
			if (k)
				putc(',', f);
			csv_field(f, k == file_i ? file : v[k]);
			continue;
		}
		fputs(k ? ",\"" : "{\"", f);
		fputs(columns[k], f);
		fputs("\":", f);
		if (isnull[k])
			fputs("null", f);
		else if (isnum[k])
			fputs(v[k], f);
		else
			json_str(f, k == file_i ? file : v[k]);
	}
	fputs(fmt == FMT_CSV ? "\n" : "}\n", f);
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
		struct syn s;
		int r;
		while ((r = pcapin_next(in, &s)) == 1) {
			if (!all_ports && s.dport != port)
				continue;
			print_syn(stdout, fmt, &s, argv[i]);
		}
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
