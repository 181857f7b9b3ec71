/*
 * cmd_report.c - `mxsensor report`: the method's tables and charts from
 * the store, as text, CSV, JSON or one HTML page (src/report/).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addr/addr.h"
#include "cmd/cmd.h"
#include "report/report.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/num.h"
#include "util/out.h"
#include "util/replace.h"

const char cmd_report_summary[] = "the method's tables and charts (text, CSV, JSON, HTML)";

const char cmd_report_usage[] =
	"usage: mxsensor report [--db PATH] [--format text|csv|json|html] [-o FILE]\n"
	"                       [--out-dir DIR] [--table KEY] [--from TIME] [--to TIME]\n"
	"                       [--sensor NAME] [--sensor-addr ADDR] [--family 4|6]\n"
	"                       [--label LABEL]\n"
	"                       [--top N] [--misbehaving-min N]\n"
	"                       [--misbehaving-interval S] [--misbehaving-nov4 PCT] [-v]\n"
	"\n"
	"Read the store that `mxsensor analyze` wrote and show how much abusive SMTP\n"
	"reached the sensor over IPv6 compared with IPv4, and how much of it comes\n"
	"from known IPv4 spammers.  The store is only read.\n"
	"\n"
	"Options:\n"
	"  -d, --db PATH        the store (default mxsensor.db): an SQLite file or a\n"
	"                       PostgreSQL URL (postgresql://USER@HOST/DB)\n"
	"  -f, --format FMT     text (default: aligned tables, 100 columns), csv, json\n"
	"                       (one document, keys in docs/report-json.md) or html\n"
	"                       (one self-contained page with SVG charts, no scripts,\n"
	"                       printable)\n"
	"  -o, --output FILE    write there instead of stdout, replacing the file\n"
	"                       whole once complete (a page being served shows\n"
	"                       the old report or the new one, never a part)\n"
	"      --out-dir DIR    csv: one KEY.csv per table plus summary.csv in DIR\n"
	"                       (created if missing; each file replaced whole as\n"
	"                       with -o); without it, csv writes every table to\n"
	"                       stdout, each after a line '# KEY' and a blank\n"
	"                       line apart\n"
	"  -t, --table KEY      only this table (or 'summary'): keys below\n"
	"      --from TIME      only attempts whose first SYN is at or after TIME\n"
	"      --to TIME        ... and before TIME; a bare date means the end of that\n"
	"                       day.  TIME (always UTC): 2026-01-31, 2026-01-31T12:00,\n"
	"                       2026-01-31T12:00:00Z\n"
	"      --sensor NAME    only attempts of this sensor (analyze --sensor;\n"
	"                       default: all sensors of the store)\n"
	"      --sensor-addr A  only attempts to this sensor address\n"
	"      --family N       only IPv4 (4) or IPv6 (6) attempts\n"
	"      --label LABEL    only hosts with this label: spammer, unlisted (IPv4),\n"
	"                       associated, associated-unlisted, unassociated (IPv6)\n"
	"      --top N          rows of the top-source tables (1-1000, default 10)\n"
	"      --misbehaving-min N       a misbehaving /64 has at least N attempts\n"
	"                                (default 100)\n"
	"      --misbehaving-interval S  ... one per S seconds or more often on\n"
	"                                average (default 60)\n"
	"      --misbehaving-nov4 PCT    ... and at least PCT % of them without an\n"
	"                                IPv4 counterpart (default 90)\n"
	"  -v, --verbose        log each table read from the store, its rows and\n"
	"                       time, on stderr (on a terminal, a read that takes\n"
	"                       a second or more is noted anyway)\n"
	"\n"
	"Tables (KEY: content):\n"
	"  summary        plain-language summary: IPv6 against IPv4, and the share of\n"
	"                 IPv6 tied to known IPv4 spammers\n"
	"  families       hosts, attempts and SYNs per address family\n"
	"  labels         hosts and attempts per label; IPv4: spammer (rejected by a\n"
	"                 DNSBL in the MTA logs), unlisted; IPv6: associated (with a\n"
	"                 listed IPv4), associated-unlisted, unassociated\n"
	"  os             IPv6 spammer OSes: IPv6 hosts and attempts per OS family\n"
	"                 (Windows, Linux, Mac OS X, BSD, Other, Unknown) x associated /\n"
	"                 unassociated (every other IPv6 host) / total, with % of all\n"
	"  addr_type      the same per address type: 6to4; EUI-64, embedded IPv4,\n"
	"                 other; Teredo, ISATAP, NAT64 when present\n"
	"  weekly         attempts per ISO 8601 week (Monday-Sunday UTC): IPv4 spammer,\n"
	"                 IPv4 unlisted, IPv6 associated, IPv6 unassociated, totals and\n"
	"                 the ratio IPv4/IPv6\n"
	"  syns           SYNs per attempt (1, 2, 3, 4, 5+) per family and OS\n"
	"  port_distance  TCP source-port distance of associated IPv6/IPv4 pairs, in\n"
	"                 bins of its absolute value (0, 1, 2, 3-4, 5-8, ...), per OS\n"
	"  gap            time from one attempt to its counterpart (overlap, <1 ms,\n"
	"                 1-10 ms, 10-100 ms, 0.1-1 s, 1-10 s, >=10 s), IPv6 or IPv4\n"
	"                 first\n"
	"  asn            top ASNs by IPv6 attempts ('unknown' until hosts are enriched)\n"
	"  top64 top48    top IPv6 /64s and /48s by attempts: hosts, span, mean interval,\n"
	"                 distinct IPv4 counterparts, % of those listed, % attempts\n"
	"                 without IPv4 counterpart, misbehaving flag\n"
	"  misbehaving    the /64s that retry far more than an IPv4 counterpart explains,\n"
	"                 with the reason (attempts, duration, interval, share)\n"
	"\n"
	"Host counts are distinct source addresses among the attempts counted; a\n"
	"host's OS is its most frequent fingerprint, an attempt's OS its own.\n"
	"\n"
	"Environment: SOURCE_DATE_EPOCH (seconds since the epoch), when set, is\n"
	"the time the report says it was generated, so the same store and\n"
	"options give the same bytes (reproducible-builds.org).\n"
	"\n"
	"Exit status: 0 ok; 1 the store could not be read or the output not written;\n"
	"2 usage error, no store, or no analysis of the --sensor in it.\n"
	"\n"
	"Examples:\n"
	"  mxsensor report --db mxsensor.db\n"
	"  mxsensor report --format html -o report.html\n"
	"  mxsensor report --format csv --out-dir report-csv --from 2026-01-01\n"
	"  mxsensor report --format json --family 6 | jq '.tables.os.total'\n";

enum { O_FROM = 256, O_TO, O_SENSOR, O_SENSOR_NAME, O_FAMILY, O_LABEL, O_TOP, O_OUTDIR, O_MMIN, O_MIV, O_MNOV4 };

/* cmd_report - options, build, render */
int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "table", required_argument, NULL, 't' },
		{ "out-dir", required_argument, NULL, O_OUTDIR },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "sensor-addr", required_argument, NULL, O_SENSOR },
		{ "sensor", required_argument, NULL, O_SENSOR_NAME },
		{ "family", required_argument, NULL, O_FAMILY },
		{ "label", required_argument, NULL, O_LABEL },
		{ "top", required_argument, NULL, O_TOP },
		{ "misbehaving-min", required_argument, NULL, O_MMIN },
		{ "misbehaving-interval", required_argument, NULL, O_MIV },
		{ "misbehaving-nov4", required_argument, NULL, O_MNOV4 },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = "mxsensor.db", *fmt = "text", *output = NULL, *outdir = NULL;
	const char *only = NULL;
	char sensor[ADDR_STRLEN];
	struct report_filter f;
	report_filter_init(&f);
	unsigned long ul;
	double d;
	bool date_only;
	int o;
	while ((o = getopt_long(argc, argv, "d:f:o:t:v", longopts, NULL)) != -1) {
		switch (o) {
		case 'd':
			db = optarg;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "csv") && strcmp(optarg, "json") &&
			    strcmp(optarg, "html"))
				return cmd_usage_error("report", "--format: text, csv, json or html, not '%s'",
						       optarg);
			fmt = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 't':
			only = optarg;
			break;
		case O_OUTDIR:
			outdir = optarg;
			break;
		case O_FROM:
			if (report_time_parse(optarg, &f.from_ns, &date_only) < 0)
				return cmd_usage_error("report", "--from: not a date or time: '%s'", optarg);
			break;
		case O_TO:
			if (report_time_parse(optarg, &f.to_ns, &date_only) < 0)
				return cmd_usage_error("report", "--to: not a date or time: '%s'", optarg);
			if (date_only)
				f.to_ns += INT64_C(86400000000000);
			break;
		case O_SENSOR: {
			struct addr a;
			if (addr_parse(optarg, &a) < 0)
				return cmd_usage_error("report", "--sensor-addr: not an address: '%s'", optarg);
			f.sensor_addr = addr_format(&a, sensor);
			break;
		}
		case O_SENSOR_NAME:
			if (!*optarg)
				return cmd_usage_error("report", "--sensor: an empty name");
			f.sensor = optarg;
			break;
		case O_FAMILY:
			if (num_ulong(optarg, 4, 6, &ul) < 0 || ul == 5)
				return cmd_usage_error("report", "--family: 4 or 6, not '%s'", optarg);
			f.family = (int)ul;
			break;
		case O_LABEL:
			if (!cmd_label_ok(optarg))
				return cmd_usage_error("report", "--label: not a label: '%s' ("
						       CMD_LABELS ")", optarg);
			f.label = optarg;
			break;
		case O_TOP:
			if (num_ulong(optarg, 1, 1000, &ul) < 0)
				return cmd_usage_error("report", "--top: 1 to 1000, not '%s'", optarg);
			f.top = (unsigned)ul;
			break;
		case O_MMIN:
			if (num_ulong(optarg, 2, 1000000000, &ul) < 0)
				return cmd_usage_error("report", "--misbehaving-min: 2 to 1e9, not '%s'", optarg);
			f.misb_min_attempts = (unsigned)ul;
			break;
		case O_MIV:
			if (num_double(optarg, 0.001, 1e9, &d) < 0)
				return cmd_usage_error("report", "--misbehaving-interval: seconds > 0, not '%s'",
						       optarg);
			f.misb_max_interval_s = d;
			break;
		case O_MNOV4:
			if (num_double(optarg, 0, 100, &d) < 0)
				return cmd_usage_error("report", "--misbehaving-nov4: 0 to 100, not '%s'", optarg);
			f.misb_min_nov4_pct = d;
			break;
		default:
			return cmd_usage_error("report", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (f.from_ns && f.to_ns && f.to_ns <= f.from_ns)
		return cmd_usage_error("report", "--to must be after --from");
	if (outdir && strcmp(fmt, "csv"))
		return cmd_usage_error("report", "--out-dir goes with --format csv");
	if (outdir && output)
		return cmd_usage_error("report", "--out-dir and --output exclude each other");
	/* reproducible-builds.org/specs/source-date-epoch; at most what the
	 * report's nanosecond times hold (2262) */
	long epoch = -1;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde && num_long(sde, 0, INT64_MAX / 1000000000, &epoch) < 0)
		return cmd_usage_error("report", "SOURCE_DATE_EPOCH: seconds since the epoch, not '%s'",
				       sde);
	static const char *const keys[] = {
		"summary", "families", "labels", "os", "addr_type", "weekly", "syns",
		"port_distance", "gap", "asn", "top64", "top48", "misbehaving",
	};
	if (only) {
		size_t i = 0;
		while (i < sizeof keys / sizeof *keys && strcmp(keys[i], only))
			i++;
		if (i == sizeof keys / sizeof *keys) {
			char all[256];
			size_t n = 0;
			for (size_t k = 0; k < sizeof keys / sizeof *keys && n < sizeof all; k++)
				n += (size_t)snprintf(all + n, sizeof all - n, "%s%s",
						      k ? ", " : "", keys[k]);
			return cmd_usage_error("report", "--table: no table '%s' (%s)", only, all);
		}
	}
	struct stat sb;
	bool pg = !strncmp(db, "postgres:", 9) || !strncmp(db, "postgresql:", 11);
	if (!pg && stat(db, &sb) < 0) {
		error("%s: %s", db, strerror(errno));
		return 2;
	}
	/* the output opened first: a directory that cannot take it is said
	 * before the store is read (minutes on a big one) */
	struct replace rp;
	FILE *out = replace_open(&rp, output);
	if (!out)
		return 1;
	struct store *st = store_open(db, false);
	if (!st || (f.sensor && store_sensor_check(st, f.sensor) < 0)) {
		store_close(st);
		replace_abort(&rp);
		return 2;
	}
	progress_set(progress_enabled());   /* a read of a second or more says so */
	struct report *r = report_build(st, &f);
	store_close(st);
	if (r && epoch >= 0) {
		char t[40];
		free(r->generated);
		r->generated = xstrdup(out_time_iso(epoch * 1000000000LL, 0, t));
	}
	if (!r) {
		replace_abort(&rp);
		return 1;
	}
	if (only)
		report_keep(r, only);
	int rc = 0;
	if (outdir) {
		if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
			error("%s: %s", outdir, strerror(errno));
			report_free(r);
			return 1;
		}
		rc = report_csv_dir(outdir, r);
		report_free(r);
		return rc ? 1 : 0;
	}
	if (!strcmp(fmt, "text")) {
		rc = report_text(out, r);
	} else if (!strcmp(fmt, "json")) {
		rc = report_json(out, r);
	} else if (!strcmp(fmt, "html")) {
		rc = report_html(out, r);
	} else if (only && r->ntables == 1) {
		rc = report_csv_table(out, r->tables[0]);
	} else {
		if (r->nsummary)
			fprintf(out, "%s", only ? "" : "# summary\n");
		rc = report_csv_summary(out, r);
		for (size_t i = 0; i < r->ntables && !rc; i++) {
			fprintf(out, "\n# %s\n", r->tables[i]->key);
			rc = report_csv_table(out, r->tables[i]);
		}
	}
	report_free(r);
	return replace_finish(&rp, rc) < 0 ? 1 : 0;
}
