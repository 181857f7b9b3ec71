/*
 * cmd_logs.c - `mxsensor logs`: print the events found in MTA logs as CSV,
 * so an operator can check what the analysis will take as labels.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "mtalog/mtalog.h"
#include "util/num.h"
#include "util/replace.h"

const char cmd_logs_summary[] = "print DNSBL rejections and other events found in MTA logs, as CSV";

const char cmd_logs_usage[] =
"usage: mxsensor logs [OPTIONS] FILE...\n"
"\n"
"Read Postfix, Exim, Sendmail or qmail logs, as syslog files, systemd\n"
"journal files (*.journal) or journal exports ('journalctl -o json', or\n"
"its text forms but short-monotonic), or a CSV of rejections\n"
"(timestamp,address,list), plain or gzip'd ('-' = standard input; not a\n"
"journal file), and print one CSV line per event.  The\n"
"format of each file is detected from its first lines that an MTA wrote\n"
"(in a file of several MTAs' lines, each line is read by its own).\n"
"Events of kind 'dnsbl' are the spammer labels that\n"
"'mxsensor analyze' uses.  The recognised line forms are listed in\n"
"docs/mtalogs.md.\n"
"\n"
"Options:\n"
"  -k, --kind LIST    only these kinds, comma-separated: dnsbl, domain,\n"
"                     reject, accept, connect (default: all)\n"
"  -y, --year YEAR    year of syslog time stamps that have none (default:\n"
"                     resolved from --ref)\n"
"  -r, --ref TIME[/END]\n"
"                     when the capture started, RFC 3339 or epoch seconds;\n"
"                     a syslog stamp gets the latest year that puts the\n"
"                     file's first line at most 31 days after TIME\n"
"                     (default: now, at most 1 day after).  With /END, the\n"
"                     captures' period as analyze takes it (its first\n"
"                     file's first SYN to its last file's): the year that\n"
"                     puts the first line nearest to the period, in it\n"
"                     when it can (of two, the later)\n"
"  -s, --strict       report each line that looks like a rejection but\n"
"                     cannot be parsed, as 'mxsensor: FILE:LINE: why', and\n"
"                     exit 1 if there is any\n"
"      --stats        print each file's format and counters on stderr\n"
"      --no-header    do not print the CSV header line\n"
"  -o, --output FILE  write FILE instead of stdout, replacing it whole once\n"
"                     every file is read (a failed run keeps the old one)\n"
"  -h, --help         this text\n"
"\n"
"Output (stdout), one line per event after a header line:\n"
"  time      RFC 3339 UTC with nanoseconds (stamps without a zone are\n"
"            taken as UTC)\n"
"  address   the SMTP client\n"
"  kind      dnsbl (a DNSBL lists the address), domain (an RHSBL lists a\n"
"            domain), reject (any other rejection), accept, connect\n"
"  list      the DNSBL/RHSBL zone, empty when the line does not name it\n"
"  format    postfix, exim, sendmail, qmail or csv\n"
"  file,line where the event was found\n"
"  reason    the reply text (printable ASCII, truncated)\n"
"\n"
"Exit status: 0 success; 1 a file could not be read or its format not\n"
"detected, or (with --strict) unparsed rejections were found, or the\n"
"output could not be written; 2 usage.\n"
"\n"
"Examples:\n"
"  mxsensor logs /var/log/mail.log /var/log/mail.log.1.gz\n"
"  mxsensor logs -k dnsbl -r 2024-05-01T00:00:00Z --stats mail.log.*.gz\n";

enum { OPT_STATS = 256, OPT_NO_HEADER };

/* csv_field - s as a CSV field (RFC 4180 quoting when needed) */
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

/* rfc3339 - ns since the epoch as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" */
static void rfc3339(int64_t ns, char *buf, size_t n)
{
	int64_t sec = ns / 1000000000LL;
	long frac = (long)(ns % 1000000000LL);
	if (frac < 0) {
		frac += 1000000000L;
		sec--;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + k, n - k, ".%09ldZ", frac);
}

/* parse_kinds - "dnsbl,accept" into a bit mask of enum mta_kind; 0 or -1 */
static int parse_kinds(const char *s, unsigned *mask)
{
	static const enum mta_kind all[] = {
		MTA_DNSBL_REJECT, MTA_DOMAIN_REJECT, MTA_OTHER_REJECT,
		MTA_ACCEPT, MTA_CONNECT,
	};
	*mask = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		bool found = false;
		for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
			const char *name = mtalog_kind_name(all[i]);
			if (strlen(name) == n && !strncmp(s, name, n)) {
				*mask |= 1u << all[i];
				found = true;
			}
		}
		if (!found)
			return -1;
		s += n;
		if (*s == ',')
			s++;
	}
	return *mask ? 0 : -1;
}

/* cmd_logs - the `mxsensor logs` command */
int cmd_logs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "year", required_argument, NULL, 'y' },
		{ "ref", required_argument, NULL, 'r' },
		{ "strict", no_argument, NULL, 's' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "no-header", no_argument, NULL, OPT_NO_HEADER },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mtalog_opts o = { 0 };
	unsigned mask = ~0u;
	bool stats = false, header = true, seen_k = false, seen_y = false, seen_r = false;
	long year;
	const char *output = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:y:r:so:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (seen_k)
				return cmd_usage_error("logs", "--kind given twice");
			seen_k = true;
			if (parse_kinds(optarg, &mask) < 0)
				return cmd_usage_error("logs", "--kind: '%s' is not a list of "
				                       "dnsbl, domain, reject, accept, connect", optarg);
			break;
		case 'y':
			if (seen_y)
				return cmd_usage_error("logs", "--year given twice");
			seen_y = true;
			if (num_long(optarg, 1970, 9999, &year) < 0)
				return cmd_usage_error("logs", "--year: '%s' is not a year "
				                       "from 1970 to 9999", optarg);
			o.year = (int)year;
			break;
		case 'r':
			if (seen_r)
				return cmd_usage_error("logs", "--ref given twice");
			seen_r = true;
			{
				char *end = strchr(optarg, '/');   /* TIME/END */
				if (end)
					*end++ = '\0';
				const char *part[2] = { optarg, end };
				int64_t *to[2] = { &o.ref_ns, &o.ref_end_ns };
				for (int i = 0; i < 2 && part[i]; i++)
					if (mtalog_parse_time(part[i], to[i]) < 0 || *to[i] <= 0)
						return cmd_usage_error("logs", "--ref: '%s' is neither "
								       "RFC 3339 nor epoch seconds", part[i]);
				if (end && o.ref_end_ns < o.ref_ns)
					return cmd_usage_error("logs", "--ref: the period ends (%s) before"
							       " it starts (%s)", end, optarg);
			}
			break;
		case 's':
			o.strict = true;
			break;
		case OPT_STATS:
			stats = true;
			break;
		case OPT_NO_HEADER:
			header = false;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(cmd_logs_usage, stdout);
			return 0;
		default:
			return cmd_usage_error("logs", "unknown option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("logs", "no log file given");
	/* opened first: a directory that cannot take it is said at once */
	struct replace rp;
	FILE *out = replace_open(&rp, output);
	if (!out)
		return 1;
	if (header)
		fputs("time,address,kind,list,format,file,line,reason\n", out);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		char err[512];
		struct mtalog *m = mtalog_open(argv[i], &o, err, sizeof err);
		if (!m) {
			fprintf(stderr, "mxsensor: %s\n", err);
			rc = 1;
			continue;
		}
		struct mta_event ev;
		int r;
		while ((r = mtalog_next(m, &ev)) > 0 && !ferror(out)) {
			if (!(mask & (1u << ev.kind)))
				continue;
			char t[48], a[ADDR_STRLEN];
			rfc3339(ev.ts_ns, t, sizeof t);
			fprintf(out, "%s,%s,%s,", t, addr_format(&ev.addr, a),
				mtalog_kind_name(ev.kind));
			csv_field(out, ev.list);
			fprintf(out, ",%s,", ev.format);
			csv_field(out, argv[i]);
			fprintf(out, ",%llu,", (unsigned long long)ev.line);
			csv_field(out, ev.reason);
			putc('\n', out);
		}
		if (r < 0)
			rc = 1;
		const struct mtalog_stats *st = mtalog_get_stats(m);
		if (o.strict && st->unparsed_reject)
			rc = 1;
		const char *jk = mtalog_journal_kind(m);   /* "json", "file" or NULL */
		if (stats)
			fprintf(stderr, "mxsensor: %s: format %s%s, %llu lines: %llu dnsbl, "
			        "%llu domain, %llu reject, %llu accept, %llu connect, "
			        "%llu allowlisted, %llu unparsed, %llu too long\n",
			        argv[i], mtalog_format(m),
			        !jk ? "" : !strcmp(jk, "json") ? " (a journal export)" : " (a journal file)",
			        (unsigned long long)st->lines,
			        (unsigned long long)st->dnsbl, (unsigned long long)st->domain,
			        (unsigned long long)st->other_reject,
			        (unsigned long long)st->accept, (unsigned long long)st->connect,
			        (unsigned long long)st->allowlisted,
			        (unsigned long long)st->unparsed_reject,
			        (unsigned long long)st->long_lines);
		mtalog_close(m);
		if (ferror(out))
			break;
	}
	/* input that could not be read is said and the rest kept (exit 1);
	 * output that could not be written drops the whole of it */
	if (replace_commit(&rp) < 0)
		rc = 1;
	return rc;
}
