/*
 * cmd_dnsbl.c - `mxsensor dnsbl`: bad prefixes as DNSBL data.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "defence/cos.h"
#include "defence/dnsbl.h"
#include "defence/reputation.h"
#include "store/store.h"
#include "util/log.h"
#include "util/num.h"
#include "util/replace.h"

const char cmd_dnsbl_summary[] = "export bad prefixes as an rbldnsd dataset or RFC 5782 zone";

const char cmd_dnsbl_usage[] =
	"usage: mxsensor dnsbl [--db PATH] [--format rbldnsd|zone] [--zone NAME]\n"
	"                      [--family 4|6|all] [--prefix-len N] [--config FILE]\n"
	"                      [--class bad|mixed] [--output FILE]\n"
	"\n"
	"List the prefixes whose reputation class is bad (mxsensor reputation) as\n"
	"DNSBL data.  Prefixes inside listed prefixes are dropped and sibling\n"
	"prefixes with the same reason are merged, so an IPv6 network is one entry,\n"
	"not one per /128.  Each entry has A 127.0.0.2 and a TXT reason.\n"
	"\n"
	"Formats:\n"
	"  rbldnsd   an ip6trie dataset (--family 6, default; the 6to4 /48 of every\n"
	"            listed IPv4 address is listed too) or ip4trie (--family 4):\n"
	"              rbldnsd -r DIR -b 127.0.0.1/5353 bl.example:ip6trie:bl6.txt\n"
	"  zone      an RFC 5782 zone file with SOA, NS and the test entries:\n"
	"            IPv6 names are the reversed nibbles; a prefix is listed as\n"
	"            wildcards at its nibble boundary (*.<16 nibbles>.ZONE for a /64),\n"
	"            a length between boundaries is expanded to the 2, 4 or 8\n"
	"            nibble-aligned prefixes it covers (octets for IPv4)\n"
	"\n"
	"Options:\n"
	"  -d, --db PATH        the store (default mxsensor.db)\n"
	"  -F, --format FMT     rbldnsd (default) or zone\n"
	"  -z, --zone NAME      zone name for --format zone (default dnsbl.invalid)\n"
	"      --family F       6 (default), 4, or all (zone only)\n"
	"  -p, --prefix-len N   IPv6 aggregation length 16..128 (default 64)\n"
	"  -c, --config FILE    as for mxsensor reputation\n"
	"      --class CLASS    list this class and worse: bad (default) or mixed\n"
	"  -o, --output FILE    write FILE instead of stdout, replacing it whole once\n"
	"                       the export is complete: rbldnsd or a name server\n"
	"                       reloading it sees the old list or the new one, and\n"
	"                       a run that fails or is stopped leaves the old one\n"
	"\n"
	"Exit status: 0 ok; 1 write error; 2 usage, configuration error or no store.\n"
	"\n"
	"Example:\n"
	"  mxsensor dnsbl --format zone --zone v6bl.example.org -o v6bl.zone\n";

/* reason_of - the TXT text for a prefix: its strongest kind of evidence */
static const char *reason_of(const struct rep_entry *e)
{
	if (e->n[REP_ASSOC] || e->n[REP_LISTED4])
		return "IPv6 network of DNSBL-listed IPv4 spam sources (mxsensor)";
	if (e->n[REP_DNSBL] || e->n[REP_REJECT])
		return "Mail from this network was rejected (mxsensor)";
	return "Rate limits exceeded repeatedly (mxsensor)";
}

int cmd_dnsbl(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'F' },
		{ "zone", required_argument, NULL, 'z' },
		{ "family", required_argument, NULL, 'f' },
		{ "prefix-len", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "class", required_argument, NULL, 'K' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = "mxsensor.db", *config = NULL, *zone = "dnsbl.invalid", *output = NULL;
	bool zonefmt = false;
	int family = 6;
	unsigned len = 0;
	enum cos_class worst = COS_BAD;
	unsigned long v;
	int o;
	while ((o = getopt_long(argc, argv, "d:F:z:p:c:o:", longopts, NULL)) != -1) {
		switch (o) {
		case 'd': db = optarg; break;
		case 'c': config = optarg; break;
		case 'o': output = optarg; break;
		case 'F':
			if (!strcmp(optarg, "zone"))
				zonefmt = true;
			else if (!strcmp(optarg, "rbldnsd"))
				zonefmt = false;
			else
				return cmd_usage_error("dnsbl", "--format: rbldnsd or zone, not '%s'", optarg);
			break;
		case 'z':
			if (!*optarg || strlen(optarg) > 200 ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != strlen(optarg))
				return cmd_usage_error("dnsbl", "--zone: a domain name, not '%s'", optarg);
			zone = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "4"))
				family = 4;
			else if (!strcmp(optarg, "6"))
				family = 6;
			else if (!strcmp(optarg, "all"))
				family = 0;
			else
				return cmd_usage_error("dnsbl", "--family: 4, 6 or all, not '%s'", optarg);
			break;
		case 'p':
			if (num_ulong(optarg, 16, 128, &v) < 0)
				return cmd_usage_error("dnsbl", "--prefix-len: 16..128, not '%s'", optarg);
			len = (unsigned)v;
			break;
		case 'K':
			if (!strcmp(optarg, "bad"))
				worst = COS_BAD;
			else if (!strcmp(optarg, "mixed"))
				worst = COS_MIXED;
			else
				return cmd_usage_error("dnsbl", "--class: bad or mixed, not '%s'", optarg);
			break;
		default:
			return cmd_usage_error("dnsbl", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("dnsbl", "unexpected argument '%s'", argv[optind]);
	if (!zonefmt && family == 0)
		return cmd_usage_error("dnsbl", "--family all needs --format zone (rbldnsd datasets hold one family)");
	/* opened first: a directory that cannot take it is said at once */
	struct replace rp;
	FILE *out = replace_open(&rp, output);
	if (!out)
		return 1;
	struct cos_config cfg;
	progress_set(progress_enabled());   /* a read of a second or more says so */
	struct rep_table *t = rep_open(db, config, len, 0, &cfg);
	if (!t) {
		replace_abort(&rp);
		return 2;
	}
	int rc;
	struct dnsbl_list l = { 0 };
	for (size_t i = 0; i < rep_count(t); i++) {
		const struct rep_entry *e = rep_at(t, i);
		bool listed = e->cls == COS_BAD || (worst == COS_MIXED && e->cls == COS_MIXED);
		if (!listed)
			continue;
		/* rbldnsd ip6trie also takes IPv4 keys (their 6to4 /48) */
		if (zonefmt && family && e->key.a.family != family)
			continue;
		dnsbl_add(&l, &e->key, reason_of(e));
	}
	rep_free(t);                /* the list holds what is written */
	dnsbl_aggregate(&l);
	if (zonefmt)
		rc = dnsbl_write_zone(&l, out, zone, (long long)time(NULL));
	else
		rc = dnsbl_write_rbldnsd(&l, out, family);
	dnsbl_free(&l);
	cos_free(&cfg);
	return replace_finish(&rp, rc) < 0 ? 1 : 0;
}
