/*
 * cmd_analyze.c - `mxsensor analyze`: captures + MTA logs -> the store.
 *
 * Options are checked here, then analysis_run() (analysis/run.h) does the
 * work.  SIGINT/SIGTERM stop the run cleanly at any point before its
 * commit (the pass checks the flag per SYN, the store per row and per few
 * thousand SQLite instructions): the run is rolled back and the store
 * keeps its previous results.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/run.h"
#include "cmd/cmd.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/num.h"

const char cmd_analyze_summary[] = "captures + MTA logs -> attempts, associations, labels (store)";

const char cmd_analyze_usage[] =
	"usage: mxsensor analyze [--db PATH] --pcap PATH... [--mta-log PATH...]\n"
	"                        [options]\n"
	"\n"
	"Read the sensor's captures and the production MTAs' logs in one\n"
	"streaming pass: group SYNs into connect() attempts, associate each IPv6\n"
	"attempt with the IPv4 attempt of the same client, label IPv4 spammers\n"
	"from the DNSBL rejections in the logs, and write everything to the\n"
	"store.  Running it again replaces the previous results of the same\n"
	"sensor (nothing is counted twice); an interrupted run leaves them intact\n"
	"(SIGINT or SIGTERM stops it at any point before the commit).\n"
	"\n"
	"Inputs (each option repeatable; PATH is a file, a directory of files,\n"
	"or a quoted glob such as 'syn-*.pcap'; '-' is standard input):\n"
	"  -r, --pcap PATH          pcap/pcapng captures, plain or gzip'd; merged\n"
	"                           by time, may overlap or come in any order\n"
	"  -l, --mta-log PATH       Postfix, Exim, Sendmail, qmail logs, their\n"
	"                           systemd journal (its *.journal files, or\n"
	"                           'journalctl -o json' or a text form), or a\n"
	"                           CSV of 'timestamp,address,list' (plain or\n"
	"                           gzip'd; format detected per file)\n"
	"      --smtp-log PATH      the records of 'capture --smtp' (--smtp-log\n"
	"                           there): EHLO names become association evidence\n"
	"\n"
	"Options:\n"
	"  -d, --db LOCATION        the store: an SQLite file (default mxsensor.db),\n"
	"                           a PostgreSQL URL (postgresql://USER@HOST/DB)\n"
	"                           or postgres:CONNINFO (docs/sensor-network.md)\n"
	"  -p, --port N             sensor port (default 25)\n"
	"      --sensor-addr ADDR   only SYNs to this sensor address (repeatable;\n"
	"                           default: any destination)\n"
	"      --sensor NAME        the sensor whose results this run replaces;\n"
	"                           other sensors' results in the store stay\n"
	"                           (default: host name)\n"
	"      --attempt-window T   SYNs of one source address and port at most T\n"
	"                           apart form one connect() attempt (default 25s)\n"
	"      --assoc-window T     how long after an IPv6 attempt an IPv4 attempt\n"
	"                           may start and still be its candidate (default 10s)\n"
	"      --assoc-threshold N  points a pair needs to be associated (default 45)\n"
	"      --assoc-margin N     points the best candidate must lead the best\n"
	"                           other IPv4 host by (default 10)\n"
	"      --assoc-candidates N candidates kept per IPv6 attempt (default 32)\n"
	"      --no-lost-candidates do not store the candidates that lost to a\n"
	"                           better pair of their own IPv6 attempt (most of\n"
	"                           the candidates table: a smaller store and a\n"
	"                           faster run; the same attempts, hosts and labels;\n"
	"                           explain then shows fewer alternatives)\n"
	"      --host-weight N      points for an IPv4 host that is a candidate in\n"
	"                           every attempt of the IPv6 host (default 40)\n"
	"      --listing-window T   an IPv4 address counts as listed only when a\n"
	"                           rejection lies within T of its attempts\n"
	"                           (default: any time)\n"
	"      --fp-db FILE         p0f signature file (repeatable; later files add\n"
	"                           signatures; default /etc/p0f/p0f.fp)\n"
	"      --no-fp              do not fingerprint the SYNs\n"
	"      --year YYYY          year of syslog time stamps (default: the year\n"
	"                           that puts each log's first line nearest to the\n"
	"                           captures' period, first SYN of the first file\n"
	"                           to first SYN of the last)\n"
	"      --strict             report every log line that looks like a\n"
	"                           rejection but cannot be parsed, as FILE:LINE\n"
	"  -q, --quiet              no summary\n"
	"  -v, --verbose            log each phase and its time on stderr\n"
	"\n"
	"Enrichment (association evidence; docs/enrichment.md):\n"
	"      --asn FILE           origin AS table (repeatable; plain or gzip'd):\n"
	"                           RouteViews pfx2as, pyasn IPASN-DAT, ip2asn TSV\n"
	"                           (iptoasn.com, DB-IP), an 'asn,name' CSV of AS\n"
	"                           names, or a MaxMind/DB-IP ASN .mmdb\n"
	"      --asn-dns            ask Team Cymru's DNS (origin.asn.cymru.com) for\n"
	"                           the AS of addresses no --asn table holds\n"
	"      --ptr                ask DNS for the PTR name of every host\n"
	"      --ptr-file FILE      PTR names from FILE, 'ADDRESS NAME' per line\n"
	"                           (repeatable; used before any DNS)\n"
	"      --no-dns             no DNS at all (overrides --ptr and --asn-dns)\n"
	"      --dns-server A[:P]   DNS server (default: /etc/resolv.conf)\n"
	"      --dns-timeout T      wait per try (default 2s); --dns-tries N (2)\n"
	"      --dns-concurrency N  queries in flight (default 64)\n"
	"      --dns-rate N         new queries per second (default 200; 0 = no limit)\n"
	"      --dns-cache-age T    ask again for cached answers older than T\n"
	"                           (default: cached answers are kept)\n"
	"      --asn-points N       points for the same origin AS (default 10)\n"
	"      --ptr-points N       points for the same PTR name (default 20)\n"
	"      --domain-points N    points for the same registered domain of the\n"
	"                           PTR names (default 10)\n"
	"DNS is off by default: re-analysing old captures sends nothing to the\n"
	"network unless asked.  Answers, and names that do not exist, are cached\n"
	"in the store, so a second run asks nothing again.\n"
	"\n"
	"Durations T: a number of seconds, or with a unit: 300ms, 25s, 10m, 2h, 7d.\n"
	"\n"
	"How the evidence is weighed, and why these defaults, is in\n"
	"docs/association.md; the store's tables are in docs/schema.md.\n"
	"\n"
	"When standard error is a terminal it shows progress: the SYNs read\n"
	"(and the MTA logs' lines, when the logs, read beside the captures,\n"
	"take longer), then the candidates, attempts and hosts written, then\n"
	"the index builds and the commit (on big traces most of the time is the\n"
	"writing).\n"
	"\n"
	"While a run decides, its candidates, attempts and hosts wait in\n"
	"unlinked temporary files in $TMPDIR (default /var/tmp, where SQLite\n"
	"puts its own; /tmp is often a tmpfs, held in memory): about 120 bytes\n"
	"a SYN (1.2 GB for 10M SYNs), given back when the run ends.  The results\n"
	"take about 3 times the captures' pcap size in the store.  A run warns\n"
	"at its start when either directory looks too small for its captures.\n"
	"\n"
	"Exit status: 0 success; 1 some input was damaged or unreadable (what\n"
	"could be read was analysed; when not one capture, or not one of the\n"
	"MTA logs given, could be opened, nothing is, and the store keeps its\n"
	"previous results); 2 usage error or the store failed; 130 interrupted.\n"
	"\n"
	"Example:\n"
	"  mxsensor analyze --db sensor.db --pcap /var/lib/mxsensor/ \\\n"
	"      --mta-log /var/log/mail.log --mta-log '/var/log/mail.log.*.gz'\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

enum {
	O_SENSOR_ADDR = 256, O_SENSOR, O_ATTEMPT_WIN, O_ASSOC_WIN, O_THRESH, O_MARGIN,
	O_CANDS, O_HOSTW, O_LISTWIN, O_YEAR, O_STRICT, O_FPDB, O_NOFP, O_SMTPLOG,
	O_ASN, O_ASN_DNS, O_PTR, O_PTR_FILE, O_NO_DNS, O_DNS_SERVER, O_DNS_TIMEOUT,
	O_DNS_TRIES, O_DNS_CONC, O_DNS_RATE, O_DNS_AGE, O_ASN_PTS, O_PTR_PTS, O_DOM_PTS,
	O_NO_LOST,
};

static char *join_argv(int argc, char **argv)
{
	size_t n = 16;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = xmalloc(n);
	strcpy(s, "mxsensor");
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* USAGE_ERROR - in cmd_analyze: say it, then free what the options
 * collected so far */
#define USAGE_ERROR(...)                                                \
	do {                                                            \
		ret = cmd_usage_error("analyze", __VA_ARGS__);          \
		goto free_lists;                                        \
	} while (0)

int cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "pcap", required_argument, NULL, 'r' },
		{ "mta-log", required_argument, NULL, 'l' },
		{ "smtp-log", required_argument, NULL, O_SMTPLOG },
		{ "port", required_argument, NULL, 'p' },
		{ "sensor-addr", required_argument, NULL, O_SENSOR_ADDR },
		{ "sensor", required_argument, NULL, O_SENSOR },
		{ "attempt-window", required_argument, NULL, O_ATTEMPT_WIN },
		{ "assoc-window", required_argument, NULL, O_ASSOC_WIN },
		{ "assoc-threshold", required_argument, NULL, O_THRESH },
		{ "assoc-margin", required_argument, NULL, O_MARGIN },
		{ "assoc-candidates", required_argument, NULL, O_CANDS },
		{ "host-weight", required_argument, NULL, O_HOSTW },
		{ "listing-window", required_argument, NULL, O_LISTWIN },
		{ "year", required_argument, NULL, O_YEAR },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "fp-db", required_argument, NULL, O_FPDB },
		{ "no-fp", no_argument, NULL, O_NOFP },
		{ "no-lost-candidates", no_argument, NULL, O_NO_LOST },
		{ "quiet", no_argument, NULL, 'q' },
		{ "asn", required_argument, NULL, O_ASN },
		{ "asn-dns", no_argument, NULL, O_ASN_DNS },
		{ "ptr", no_argument, NULL, O_PTR },
		{ "ptr-file", required_argument, NULL, O_PTR_FILE },
		{ "no-dns", no_argument, NULL, O_NO_DNS },
		{ "dns-server", required_argument, NULL, O_DNS_SERVER },
		{ "dns-timeout", required_argument, NULL, O_DNS_TIMEOUT },
		{ "dns-tries", required_argument, NULL, O_DNS_TRIES },
		{ "dns-concurrency", required_argument, NULL, O_DNS_CONC },
		{ "dns-rate", required_argument, NULL, O_DNS_RATE },
		{ "dns-cache-age", required_argument, NULL, O_DNS_AGE },
		{ "asn-points", required_argument, NULL, O_ASN_PTS },
		{ "ptr-points", required_argument, NULL, O_PTR_PTS },
		{ "domain-points", required_argument, NULL, O_DOM_PTS },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = "mxsensor.db";
	char **pcaps = NULL, **logs = NULL, **smtps = NULL;
	size_t np = 0, pcap_cap = 0, nl = 0, log_cap = 0, ns = 0, smtp_cap = 0;
	struct addr *sensor = NULL;
	const char **fpdbs = NULL;
	size_t nfp = 0, fp_cap = 0;
	size_t nsensor = 0, sensor_cap = 0;
	struct analysis_opts o = { .port = 25, .attempt_window_ns = 25000000000LL };
	assoc_params_default(&o.assoc);
	bool quiet = false;
	char host[256] = "sensor";
	gethostname(host, sizeof host - 1);
	o.sensor_name = host;
	int status = 0, ret = 0;
	char *cmdline = NULL, *shown = NULL;
	int c;
	unsigned long v;
	long lv;
	/* the command line as given (getopt reorders argv); joined once the
	 * options are known good, so a usage error leaves nothing allocated */
	char *given[argc + 1];
	memcpy(given, argv, sizeof given);
	struct enrich_opts eo;
	enrich_opts_default(&eo);
	const char *asn_files[argc + 1], *ptr_files[argc + 1];   /* one per option at most */
	bool no_dns = false;
	int64_t dur_ns;

	while ((c = getopt_long(argc, argv, "d:r:l:p:qv", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'r':
			if (analysis_expand_inputs(optarg, &pcaps, &np, &pcap_cap) < 0)
				status = 2;
			break;
		case 'l':
			if (analysis_expand_inputs(optarg, &logs, &nl, &log_cap) < 0)
				status = 2;
			break;
		case O_SMTPLOG:
			if (analysis_expand_inputs(optarg, &smtps, &ns, &smtp_cap) < 0)
				status = 2;
			break;
		case 'p':
			if (num_ulong(optarg, 1, 65535, &v) < 0)
				USAGE_ERROR("--port: not a port: %s", optarg);
			o.port = (uint16_t)v;
			break;
		case O_SENSOR_ADDR:
			GROW(sensor, nsensor + 1, sensor_cap);
			if (addr_parse(optarg, &sensor[nsensor]) < 0)
				USAGE_ERROR("--sensor-addr: not an address: %s", optarg);
			nsensor++;
			break;
		case O_SENSOR:
			if (!*optarg || strlen(optarg) > 64)
				USAGE_ERROR("--sensor: 1 to 64 characters");
			/* the name is printed in reports, on terminals */
			for (const char *q = optarg; *q; q++)
				if ((unsigned char)*q < 0x20 || *q == 0x7f)
					USAGE_ERROR("--sensor: no control characters");
			o.sensor_name = optarg;
			break;
		case O_ATTEMPT_WIN:
			if (num_duration_ns(optarg, 1000000LL, 3600000000000LL, &o.attempt_window_ns) < 0)
				USAGE_ERROR("--attempt-window: a duration from 1ms to 1h: %s", optarg);
			break;
		case O_ASSOC_WIN:
			if (num_duration_ns(optarg, 1000000LL, 3600000000000LL, &o.assoc.window_ns) < 0)
				USAGE_ERROR("--assoc-window: a duration from 1ms to 1h: %s", optarg);
			break;
		case O_THRESH:
			if (num_long(optarg, -1000, 1000, &lv) < 0)
				USAGE_ERROR("--assoc-threshold: -1000 to 1000: %s", optarg);
			o.assoc.threshold = (int)lv;
			break;
		case O_MARGIN:
			if (num_long(optarg, 0, 1000, &lv) < 0)
				USAGE_ERROR("--assoc-margin: 0 to 1000: %s", optarg);
			o.assoc.margin = (int)lv;
			break;
		case O_CANDS:
			if (num_ulong(optarg, 1, 64, &v) < 0)
				USAGE_ERROR("--assoc-candidates: 1 to 64: %s", optarg);
			o.assoc.top_k = (int)v;
			break;
		case O_HOSTW:
			if (num_ulong(optarg, 0, 1000, &v) < 0)
				USAGE_ERROR("--host-weight: 0 to 1000: %s", optarg);
			o.assoc.host_weight = (int)v;
			break;
		case O_LISTWIN:
			if (num_duration_ns(optarg, 1000000000LL, 3650LL * 86400000000000LL,
					    &o.listing_window_ns) < 0)
				USAGE_ERROR("--listing-window: a duration from 1s: %s", optarg);
			break;
		case O_YEAR:
			if (num_ulong(optarg, 1970, 2200, &v) < 0)
				USAGE_ERROR("--year: 1970 to 2200: %s", optarg);
			o.year = (int)v;
			break;
		case O_STRICT:
			o.strict = true;
			break;
		case O_FPDB:
			GROW(fpdbs, nfp + 1, fp_cap);
			fpdbs[nfp++] = optarg;
			break;
		case O_NO_LOST:
			o.no_lost = true;
			break;
		case O_NOFP:
			o.no_fp = true;
			break;
		case 'q':
			quiet = true;
			break;
		case O_ASN:
		case O_PTR_FILE:
			if (access(optarg, R_OK) < 0)
				USAGE_ERROR("%s: cannot read %s",
						       c == O_ASN ? "--asn" : "--ptr-file", optarg);
			if (c == O_ASN)
				asn_files[eo.nasn++] = optarg;
			else
				ptr_files[eo.nptr++] = optarg;
			break;
		case O_ASN_DNS:
			eo.asn_dns = true;
			break;
		case O_PTR:
			eo.ptr_dns = true;
			break;
		case O_NO_DNS:
			no_dns = true;
			break;
		case O_DNS_SERVER:
			if (!*optarg || strlen(optarg) > 200)
				USAGE_ERROR("--dns-server: ADDR or ADDR:PORT");
			eo.dns.server = optarg;
			break;
		case O_DNS_TIMEOUT:
			if (num_duration_ns(optarg, 10000000LL, 60000000000LL, &dur_ns) < 0)
				USAGE_ERROR("--dns-timeout: a duration from 10ms to 60s: %s", optarg);
			eo.dns.timeout_ms = (int)(dur_ns / 1000000);
			break;
		case O_DNS_TRIES:
			if (num_ulong(optarg, 1, 10, &v) < 0)
				USAGE_ERROR("--dns-tries: 1 to 10: %s", optarg);
			eo.dns.tries = (int)v;
			break;
		case O_DNS_CONC:
			if (num_ulong(optarg, 1, 4096, &v) < 0)
				USAGE_ERROR("--dns-concurrency: 1 to 4096: %s", optarg);
			eo.dns.concurrency = (unsigned)v;
			break;
		case O_DNS_RATE:
			if (num_ulong(optarg, 0, 1000000, &v) < 0)
				USAGE_ERROR("--dns-rate: 0 to 1000000: %s", optarg);
			eo.dns.rate = (unsigned)v;
			break;
		case O_DNS_AGE:
			if (num_duration_ns(optarg, 1000000000LL, 36500LL * 86400000000000LL,
					    &eo.cache_max_age_ns) < 0)
				USAGE_ERROR("--dns-cache-age: a duration from 1s: %s", optarg);
			break;
		case O_ASN_PTS:
		case O_PTR_PTS:
		case O_DOM_PTS:
			if (num_long(optarg, -1000, 1000, &lv) < 0)
				USAGE_ERROR("%s: -1000 to 1000: %s",
						       c == O_ASN_PTS ? "--asn-points" :
						       c == O_PTR_PTS ? "--ptr-points" : "--domain-points",
						       optarg);
			*(c == O_ASN_PTS ? &eo.asn_points : c == O_PTR_PTS ? &eo.ptr_points
								  : &eo.domain_points) = (int)lv;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		default:
			USAGE_ERROR("unknown option");
		}
	}
	if (optind < argc)
		USAGE_ERROR("unexpected argument '%s' (inputs go with --pcap or --mta-log)",
				       argv[optind]);
	if (status) {
		ret = status;
		goto free_lists;
	}
	if (!np)
		USAGE_ERROR("no capture given (--pcap PATH)");
	analysis_dedupe_inputs(pcaps, &np, "capture");
	analysis_dedupe_inputs(logs, &nl, "MTA log");
	analysis_dedupe_inputs(smtps, &ns, "SMTP log");

	o.pcaps = (const char *const *)pcaps;
	o.npcaps = np;
	o.logs = (const char *const *)logs;
	o.nlogs = nl;
	o.smtp_logs = (const char *const *)smtps;
	o.nsmtp = ns;
	o.sensor = sensor;
	o.nsensor = nsensor;
	o.fp_dbs = fpdbs;
	o.nfp = nfp;
	o.progress = progress_enabled();
	progress_set(o.progress);
	cmdline = join_argv(argc, given);
	o.argv = cmdline;
	o.stop = &stop;
	if (no_dns)
		eo.ptr_dns = eo.asn_dns = false;
	eo.asn_files = asn_files;
	eo.ptr_files = ptr_files;
	o.enrich = &eo;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct store *st = store_open(db, true);
	if (!st) {
		ret = 2;
		goto free_lists;
	}
	struct analysis_summary sum;
	int rc = analysis_run(&o, st, &sum);
	shown = xstrdup(store_location(st));   /* without a password */
	ret = sum.input_errors || sum.enrich.bad_lines ? 1 : 0;
	if (rc < 0 || sum.interrupted || sum.no_capture || sum.no_log) {
		store_abort(st);
		if (sum.interrupted)
			error("interrupted: %s keeps its previous results", shown);
		else if (rc == 0)
			error("no %s could be read: %s keeps its previous results",
			      sum.no_capture ? "capture" : "MTA log", shown);
		ret = sum.interrupted ? 130 : rc == 0 ? 1 : 2;
		quiet = true;   /* no summary; the inputs are freed below */
	}
	store_close(st);
	if (!quiet && ret < 2) {
		printf("store            %s (sensor %s)\n", shown, o.sensor_name);
		printf("inputs           %zu capture file(s), %zu MTA log(s)\n", np, nl);
		printf("packets          %" PRIu64 " read, %" PRIu64 " SYNs, %" PRIu64
		       " to port %u\n", sum.packets, sum.syns, sum.syns_used, o.port);
		printf("attempts         %" PRIu64 " IPv4, %" PRIu64 " IPv6\n",
		       sum.attempts[0], sum.attempts[1]);
		printf("hosts            %" PRIu64 " IPv4 (%" PRIu64 " listed), %" PRIu64 " IPv6\n",
		       sum.hosts[0], sum.listed_v4, sum.hosts[1]);
		printf("MTA logs         %" PRIu64 " lines, %" PRIu64 " DNSBL rejections, %" PRIu64
		       " other rejections, %" PRIu64 " unparsed\n",
		       sum.log_lines, sum.dnsbl_events, sum.other_rejects, sum.unparsed_rejects);
		printf("candidates       %" PRIu64 " scored; %" PRIu64 " associated, %" PRIu64
		       " ambiguous, %" PRIu64 " below threshold, %" PRIu64 " IPv4 attempt taken\n",
		       sum.decide.candidates, sum.decide.associated, sum.decide.ambiguous,
		       sum.decide.below, sum.decide.taken);
		if (sum.decide.lost_unwritten)
			printf("                 %" PRIu64 " that lost to a better pair of their"
			       " IPv6 attempt not stored (--no-lost-candidates)\n",
			       sum.decide.lost_unwritten);
		printf("IPv6 hosts       %" PRIu64 " associated with a listed IPv4, %" PRIu64
		       " with an unlisted IPv4, %" PRIu64 " unassociated\n",
		       sum.v6_associated, sum.v6_assoc_unlisted, sum.v6_unassociated);
		if (sum.enriched)
			printf("enrichment       %" PRIu64 " hosts: %" PRIu64 " with an AS, %" PRIu64
			       " with a PTR name (%" PRIu64 " from files, %" PRIu64 " cached, %" PRIu64
			       " asked, %" PRIu64 " failed)\n", sum.enrich.hosts, sum.enrich.with_asn,
			       sum.enrich.with_ptr, sum.enrich.ptr_file, sum.enrich.ptr_cached,
			       sum.enrich.ptr_asked, sum.enrich.ptr_failed);
		if (sum.enriched && eo.asn_dns)
			printf("origin AS by DNS %" PRIu64 " asked, %" PRIu64 " failed\n",
			       sum.enrich.asn_asked, sum.enrich.asn_failed);
	}
free_lists:
	for (size_t i = 0; i < np; i++)
		free(pcaps[i]);
	for (size_t i = 0; i < nl; i++)
		free(logs[i]);
	for (size_t i = 0; i < ns; i++)
		free(smtps[i]);
	free(pcaps);
	free(logs);
	free(smtps);
	free(sensor);
	free(fpdbs);
	free(cmdline);
	free(shown);
	return ret;
}
