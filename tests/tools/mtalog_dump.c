/*
 * mtalog_dump.c - print the events of MTA log files as CSV, one per line:
 *
 *   file,line,format,time,kind,address,list,reason
 *
 * time is RFC 3339 UTC with nanoseconds; kind is dnsbl, domain, reject,
 * accept or connect.  After each file one line "# FILE: format F, lines N,
 * dnsbl N, domain N, reject N, accept N, connect N, allowlisted N,
 * unparsed N, long N" goes to stdout.
 *
 * usage: mtalog_dump [-s] [-y YEAR] [-r REF_EPOCH_SECONDS] FILE...
 *   -s strict (report unparsed rejections on stderr)
 * Exit: 0 ok, 1 a file could not be read or detected, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mtalog/mtalog.h"
#include "util/num.h"
#include "util/out.h"

/* rfc3339 - ns since the epoch as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" */
static void rfc3339(int64_t ns, char *buf, size_t n)
{
	time_t s = (time_t)(ns / 1000000000LL);
	long frac = (long)(ns % 1000000000LL);
	if (frac < 0) {
		frac += 1000000000L;
		s--;
	}
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + k, n - k, ".%09ldZ", frac);
}

int main(int argc, char **argv)
{
	struct mtalog_opts o = { 0 };
	int c, rc = 0;
	long v;
	while ((c = getopt(argc, argv, "sy:r:")) != -1) {
		switch (c) {
		case 's':
			o.strict = true;
			break;
		case 'y':
			if (num_long(optarg, 1970, 9999, &v) < 0) {
				fprintf(stderr, "mtalog_dump: bad year '%s'\n", optarg);
				return 2;
			}
			o.year = (int)v;
			break;
		case 'r':
			if (num_long(optarg, 1, 253402300799L, &v) < 0) {
				fprintf(stderr, "mtalog_dump: bad time '%s'\n", optarg);
				return 2;
			}
			o.ref_ns = (int64_t)v * 1000000000LL;
			break;
		default:
			fprintf(stderr, "usage: mtalog_dump [-s] [-y YEAR] [-r EPOCH] FILE...\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: mtalog_dump [-s] [-y YEAR] [-r EPOCH] FILE...\n");
		return 2;
	}
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
		while ((r = mtalog_next(m, &ev)) > 0) {
			char t[48], a[ADDR_STRLEN];
			rfc3339(ev.ts_ns, t, sizeof t);
			out_csv_field(stdout, argv[i]);
			printf(",%llu,%s,%s,%s,%s,", (unsigned long long)ev.line,
			       ev.format, t, mtalog_kind_name(ev.kind),
			       addr_format(&ev.addr, a));
			out_csv_field(stdout, ev.list);
			putchar(',');
			out_csv_field(stdout, ev.reason);
			putchar('\n');
		}
		if (r < 0)
			rc = 1;
		const struct mtalog_stats *st = mtalog_get_stats(m);
		printf("# %s: format %s, lines %llu, dnsbl %llu, domain %llu, "
		       "reject %llu, accept %llu, connect %llu, allowlisted %llu, "
		       "unparsed %llu, long %llu\n", argv[i], mtalog_format(m),
		       (unsigned long long)st->lines, (unsigned long long)st->dnsbl,
		       (unsigned long long)st->domain,
		       (unsigned long long)st->other_reject,
		       (unsigned long long)st->accept, (unsigned long long)st->connect,
		       (unsigned long long)st->allowlisted,
		       (unsigned long long)st->unparsed_reject,
		       (unsigned long long)st->long_lines);
		mtalog_close(m);
	}
	return rc;
}
