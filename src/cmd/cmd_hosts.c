/*
 * cmd_hosts.c - `mxsensor hosts`: one line per host from the store.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "store/store.h"
#include "util/log.h"
#include "util/out.h"
#include "util/replace.h"

const char cmd_hosts_summary[] = "export the hosts of the store (CSV, JSON lines)";

const char cmd_hosts_usage[] =
	"usage: mxsensor hosts [--db LOCATION] [--sensor NAME] [--format csv|jsonl]\n"
	"                      [--family 4|6] [--label LABEL] [--no-header]\n"
	"                      [--output FILE]\n"
	"\n"
	"Print one line per host (source address) and sensor that the last\n"
	"analysis of each sensor saw, so the results can be taken into other\n"
	"tools.  A host seen by several sensors has one line per sensor.\n"
	"\n"
	"Options:\n"
	"  -d, --db LOCATION  the store: SQLite file (default mxsensor.db) or\n"
	"                     PostgreSQL URL (docs/sensor-network.md)\n"
	"  -s, --sensor NAME  only the hosts this sensor saw (default: all)\n"
	"  -f, --format FMT   csv (default, with a header line) or jsonl\n"
	"      --family N     only IPv4 (4) or IPv6 (6) hosts\n"
	"      --label LABEL  only hosts with this label (see below)\n"
	"  -H, --no-header    no CSV header line\n"
	"  -o, --output FILE  write FILE instead of stdout, replacing it whole once\n"
	"                     the export is complete (a reader sees the old file or\n"
	"                     the new one; a failed run keeps the old one)\n"
	"\n"
	"Columns (CSV header names = JSON keys; absent values are empty / null;\n"
	"text that is not UTF-8, such as a Latin-1 PTR or AS name, keeps its\n"
	"bytes in CSV and has U+FFFD for each ill-formed sequence in JSON):\n"
	"  addr          the address (RFC 5952)\n"
	"  family        4 or 6\n"
	"  addr_type     special range: global, 6to4, teredo, nat64, documentation,\n"
	"                private, ... (as `mxsensor addr` prints it)\n"
	"  iid_class     IPv6 interface-ID class (ieee, randomized, low-byte, ...)\n"
	"  emb_kind emb4 how the IPv6 address embeds an IPv4 address, and that\n"
	"                address (6to4, teredo, isatap, nat64, mapped, iid)\n"
	"  first_seen last_seen   first and last SYN (ISO 8601, UTC)\n"
	"  attempts syns          connect() attempts and SYNs\n"
	"  os os_family  p0f label and coarse family, when fingerprinted\n"
	"  asn as_name ptr ptr_domain   enrichment, when available\n"
	"  listed        1 when an IPv4 address was rejected by DNSBL in the\n"
	"                production MTA logs\n"
	"  lists         the DNSBL zones that listed it, comma-separated\n"
	"  label         IPv4: spammer | unlisted; IPv6: associated (with a listed\n"
	"                IPv4) | associated-unlisted | unassociated\n"
	"  partners      the counterpart hosts, space-separated ADDR/ATTEMPTS/SCORE:\n"
	"                associated attempts with that host and the best score\n"
	"  sensor        the sensor that saw the host (analyze --sensor)\n"
	"\n"
	"Exit status: 0 ok; 1 write error; 2 usage error, no store, or no\n"
	"analysis of the --sensor in it.\n"
	"\n"
	"Example:\n"
	"  mxsensor hosts --family 6 --label associated --format jsonl\n";

static const char *const cols[] = {
	"addr", "family", "addr_type", "iid_class", "emb_kind", "emb4",
	"first_seen", "last_seen", "attempts", "syns", "os", "os_family",
	"asn", "as_name", "ptr", "ptr_domain", "listed", "lists", "label", "partners",
	"sensor",
};
#define NCOLS ((int)(sizeof cols / sizeof *cols))
static const bool numeric[NCOLS] = {
	[1] = true, [8] = true, [9] = true, [12] = true, [16] = true,
};

bool cmd_label_ok(const char *s)
{
	static const char *const labels[] = {
		"spammer", "unlisted", "associated", "associated-unlisted", "unassociated",
	};
	for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
		if (!strcmp(s, labels[i]))
			return true;
	return false;
}

struct ctx {
	enum out_fmt fmt;
	FILE *out;
	bool werr;                  /* a write failed: the scan stopped */
	struct progress_read read;  /* an export of a second or more says so */
};

static int row(int n, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	struct ctx *c = arg;
	const char *v[NCOLS];
	char first[40], last[40];
	if (n != NCOLS)
		return -1;
	for (int i = 0; i < NCOLS; i++)
		v[i] = vals[i];
	if (vals[6])
		v[6] = out_time_iso(strtoll(vals[6], NULL, 10), 3, first);
	if (vals[7])
		v[7] = out_time_iso(strtoll(vals[7], NULL, 10), 3, last);
	out_row(c->out, c->fmt, NCOLS, cols, v, numeric);
	if (ferror(c->out)) {
		c->werr = true;
		return -1;
	}
	progress_read_row(&c->read);
	return 0;
}

int cmd_hosts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "family", required_argument, NULL, 'F' },
		{ "label", required_argument, NULL, 'L' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "sensor", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = "mxsensor.db", *label = NULL, *family = NULL, *sensor = NULL;
	const char *output = NULL;
	struct ctx c = { .fmt = OUT_CSV };
	bool header = true;
	int o;
	while ((o = getopt_long(argc, argv, "d:f:Ho:s:", longopts, NULL)) != -1) {
		switch (o) {
		case 'd':
			db = optarg;
			break;
		case 'f':
			if (out_fmt_parse(optarg, &c.fmt) < 0 || c.fmt == OUT_TEXT)
				return cmd_usage_error("hosts", "--format: csv or jsonl, not '%s'", optarg);
			break;
		case 'F':
			if (strcmp(optarg, "4") && strcmp(optarg, "6"))
				return cmd_usage_error("hosts", "--family: 4 or 6, not '%s'", optarg);
			family = optarg;
			break;
		case 'L':
			if (!cmd_label_ok(optarg))
				return cmd_usage_error("hosts", "--label: not a label: '%s' ("
						       CMD_LABELS ")", optarg);
			label = optarg;
			break;
		case 'H':
			header = false;
			break;
		case 's':
			sensor = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		default:
			return cmd_usage_error("hosts", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("hosts", "unexpected argument '%s'", argv[optind]);
	/* opened first: a directory that cannot take it is said at once */
	struct replace rp;
	c.out = replace_open(&rp, output);
	if (!c.out)
		return 1;
	struct store *st = store_open(db, false);
	if (!st || (sensor && store_sensor_check(st, sensor) < 0)) {
		store_close(st);
		replace_abort(&rp);
		return 2;
	}
	const char *params[3];
	int np = 0;
	char sql[640];
	snprintf(sql, sizeof sql,
		 "SELECT addr, family, addr_type, iid_class, emb_kind, emb4, first_ns, last_ns,"
		 " attempts, syns, os, os_family, asn, as_name, ptr, ptr_domain, listed, lists,"
		 " label, partners, sensor FROM hosts WHERE 1 = 1 %s %s %s"
		 " ORDER BY family, first_ns, addr, sensor",
		 family ? "AND family = CAST(? AS INTEGER)" : "", label ? "AND label = ?" : "",
		 sensor ? "AND sensor = ?" : "");
	if (family)
		params[np++] = family;
	if (label)
		params[np++] = label;
	if (sensor)
		params[np++] = sensor;
	if (header)
		out_header(c.out, c.fmt, NCOLS, cols);
	/* on a terminal, unless the rows themselves go there (a store of 50M
	 * SYNs: 8.5M hosts in 40 s) */
	progress_set(progress_enabled() && (output || !isatty(STDOUT_FILENO)));
	progress_read_start(&c.read, "exporting the hosts");
	int rc = store_scan(st, sql, params, np, row, &c);
	store_close(st);
	if (rc && !c.werr) {
		replace_abort(&rp);
		return 2;
	}
	return replace_commit(&rp) < 0 ? 1 : 0;   /* a write error: said here */
}
