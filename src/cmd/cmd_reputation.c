/*
 * cmd_reputation.c - `mxsensor reputation`: prefixes, classes, evidence.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "defence/cos.h"
#include "defence/reputation.h"
#include "store/store.h"
#include "util/log.h"
#include "util/num.h"
#include "util/out.h"
#include "util/replace.h"

const char cmd_reputation_summary[] = "reputation per IPv6 prefix from the store";

const char cmd_reputation_usage[] =
	"usage: mxsensor reputation [--db PATH] [--prefix-len N] [--config FILE]\n"
	"                           [--format text|csv|jsonl] [--class CLASS]\n"
	"                           [--now latest|now|TIME_NS] [--output FILE]\n"
	"\n"
	"Aggregate the evidence in the store per prefix and put each prefix into a\n"
	"class of service.  IPv6 addresses aggregate to /64 (--prefix-len, or per\n"
	"range from the config file); 6to4 and Teredo addresses map to the IPv4\n"
	"address they carry (a /32) and share its reputation.  Evidence weights\n"
	"halve every half-life (30 days by default) counted back from --now.\n"
	"\n"
	"Evidence (weight per count): IPv6 host labelled associated with a\n"
	"DNSBL-listed IPv4 (1 bad), IPv4 host listed in the MTA logs (1 bad), MTA\n"
	"log dnsbl or reject (1 bad), MTA log accept (1 good), policyd limit hit\n"
	"(0.25 bad), message accepted by policyd (1 good).\n"
	"Class: bad + good below evidence-min (1): unknown; bad share >= 0.5: bad;\n"
	"<= 0.1: good; otherwise mixed (all settable in the config file).\n"
	"\n"
	"Options:\n"
	"  -d, --db PATH        the store (default mxsensor.db)\n"
	"  -p, --prefix-len N   IPv6 aggregation length 16..128 (default 64, or the\n"
	"                       config file's prefix-len)\n"
	"  -c, --config FILE    classes, ranges, half-life (docs/cos.conf.example)\n"
	"  -f, --format FMT     text (default), csv or jsonl\n"
	"      --class CLASS    only prefixes of this class\n"
	"      --now WHEN       decay reference: latest (default: the newest\n"
	"                       evidence, so old captures keep their weight), now\n"
	"                       (the clock), or nanoseconds since the epoch\n"
	"  -o, --output FILE    write FILE instead of stdout, replacing it whole once\n"
	"                       complete (a run that fails leaves the old one)\n"
	"\n"
	"Columns: prefix class bad good (decayed weights) associated listed4 dnsbl\n"
	"reject accept policy_limit policy_accept (raw counts) last_seen.\n"
	"\n"
	"Exit status: 0 ok; 1 write error; 2 usage, configuration error or no store.\n"
	"\n"
	"Example:\n"
	"  mxsensor reputation --class bad --format csv\n";

static const char *const cols[] = {
	"prefix", "class", "bad", "good", "associated", "listed4", "dnsbl", "reject",
	"accept", "policy_limit", "policy_accept", "last_seen",
};
#define NCOLS ((int)(sizeof cols / sizeof *cols))
static const bool numeric[NCOLS] = {
	[2] = true, [3] = true, [4] = true, [5] = true, [6] = true, [7] = true,
	[8] = true, [9] = true, [10] = true,
};

int cmd_reputation(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "prefix-len", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "class", required_argument, NULL, 'K' },
		{ "now", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = "mxsensor.db", *config = NULL, *output = NULL;
	enum out_fmt fmt = OUT_TEXT;
	unsigned len = 0;
	int only = -1;
	int64_t now = 0;
	unsigned long v;
	long lv;
	int o;
	while ((o = getopt_long(argc, argv, "d:p:c:f:o:", longopts, NULL)) != -1) {
		switch (o) {
		case 'd': db = optarg; break;
		case 'o': output = optarg; break;
		case 'c': config = optarg; break;
		case 'p':
			if (num_ulong(optarg, 16, 128, &v) < 0)
				return cmd_usage_error("reputation", "--prefix-len: 16..128, not '%s'", optarg);
			len = (unsigned)v;
			break;
		case 'f':
			if (out_fmt_parse(optarg, &fmt) < 0)
				return cmd_usage_error("reputation", "--format: text, csv or jsonl, not '%s'", optarg);
			break;
		case 'K':
			if ((only = cos_class_parse(optarg)) < 0)
				return cmd_usage_error("reputation", "--class: good, mixed, bad or unknown, not '%s'", optarg);
			break;
		case 'N':
			if (!strcmp(optarg, "latest"))
				now = 0;
			else if (!strcmp(optarg, "now"))
				now = (int64_t)time(NULL) * 1000000000LL;
			else if (num_long(optarg, 1, INT64_MAX, &lv) == 0)
				now = lv;
			else
				return cmd_usage_error("reputation", "--now: latest, now or nanoseconds, not '%s'", optarg);
			break;
		default:
			return cmd_usage_error("reputation", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("reputation", "unexpected argument '%s'", argv[optind]);
	struct replace rp;
	FILE *out = replace_open(&rp, output);
	if (!out)
		return 1;
	struct cos_config cfg;
	progress_set(progress_enabled());   /* a read of a second or more says so */
	struct rep_table *t = rep_open(db, config, len, now, &cfg);
	if (!t) {
		replace_abort(&rp);
		return 2;
	}
	if (fmt == OUT_TEXT)
		fprintf(out, "%-44s %-7s %8s %8s  evidence\n", "prefix", "class", "bad", "good");
	else
		out_header(out, fmt, NCOLS, cols);
	for (size_t i = 0; i < rep_count(t); i++) {
		const struct rep_entry *e = rep_at(t, i);
		if (only >= 0 && (int)e->cls != only)
			continue;
		char pf[PREFIX_STRLEN], b[32], g[32], last[40];
		char n[REP_NKIND][24];
		prefix_format(&e->key, pf);
		snprintf(b, sizeof b, "%.3f", e->bad);
		snprintf(g, sizeof g, "%.3f", e->good);
		out_time_iso(e->last_ns, 0, last);
		for (int k = 0; k < REP_NKIND; k++)
			snprintf(n[k], sizeof n[k], "%llu", (unsigned long long)e->n[k]);
		if (fmt == OUT_TEXT) {
			fprintf(out, "%-44s %-7s %8s %8s ", pf, cos_class_name(e->cls), b, g);
			for (int k = 0; k < REP_NKIND; k++)
				if (e->n[k])
					fprintf(out, " %s=%s", rep_kind_name(k), n[k]);
			fprintf(out, "  last %s\n", last);
		} else {
			const char *vals[NCOLS] = { pf, cos_class_name(e->cls), b, g,
				n[REP_ASSOC], n[REP_LISTED4], n[REP_DNSBL], n[REP_REJECT],
				n[REP_ACCEPT], n[REP_POL_LIMIT], n[REP_POL_ACCEPT], last };
			out_row(out, fmt, NCOLS, cols, vals, numeric);
		}
	}
	rep_free(t);
	cos_free(&cfg);
	return replace_commit(&rp) < 0 ? 1 : 0;
}
