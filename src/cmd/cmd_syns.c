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
#include "fingerprint/fp.h"
#include "packet/parse.h"
#include "packet/reader.h"
#include "util/log.h"
#include "util/num.h"

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
};

/* the --os columns, after the others */
static const char *const os_columns[] = {
	"os", "os_class", "os_family", "os_match", "os_flags", "os_dist", "os_link", "raw_sig",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]) + sizeof(os_columns) / sizeof(os_columns[0]))

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
static void print_syn(FILE *f, enum fmt fmt, const struct syn *s, const char *file,
		      const struct fp_verdict *fv)
{
	char v[NCOLS][FP_RAW_MAX];
	bool isnum[NCOLS], isnull[NCOLS];
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
	if (fv) {
		int first_os = i;
		snprintf(v[i], sizeof(v[0]), "%s", fv->label ? fv->label : "");
		isnull[i++] = !fv->label;
		snprintf(v[i], sizeof(v[0]), "%s", fv->os_class ? fv->os_class : "");
		isnull[i++] = !fv->os_class;
		snprintf(v[i++], sizeof(v[0]), "%s", fp_os_family(fv));
		snprintf(v[i++], sizeof(v[0]), "%s", fp_kind_name(fv->kind));
		snprintf(v[i++], sizeof(v[0]), "%s%s%s", fv->generic ? " generic" : "",
			 fv->fuzzy ? " fuzzy" : "", fv->bad_ttl ? " random_ttl" : "");
		if (v[i - 1][0])
			memmove(v[i - 1], v[i - 1] + 1, strlen(v[i - 1]));
		snprintf(v[i++], sizeof(v[0]), "%d", fv->dist);
		snprintf(v[i], sizeof(v[0]), "%s", fv->link ? fv->link : "");
		isnull[i++] = !fv->link;
		snprintf(v[i++], sizeof(v[0]), "%s", fv->raw_sig);
		for (int k = first_os; k < i; k++)
			isnum[k] = k == first_os + 5;
	}

	for (int k = 0; k < i; k++) {
		if (fmt == FMT_CSV) {
			if (k)
				putc(',', f);
			csv_field(f, k == file_i ? file : v[k]);
			continue;
		}
		fputs(k ? ",\"" : "{\"", f);
		fputs(k < (int)(sizeof(columns) / sizeof(columns[0])) ? columns[k]
		      : os_columns[k - sizeof(columns) / sizeof(columns[0])], f);
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
		for (size_t k = 0; k < sizeof(columns) / sizeof(columns[0]); k++)
			printf("%s%s", k ? "," : "", columns[k]);
		for (size_t k = 0; os && k < sizeof(os_columns) / sizeof(os_columns[0]); k++)
			printf(",%s", os_columns[k]);
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
			print_syn(stdout, fmt, &s, argv[i], db ? fp_match(db, &s) : NULL);
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
	fpdb_free(db);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error("standard output: write error");
		return 1;
	}
	return status;
}
