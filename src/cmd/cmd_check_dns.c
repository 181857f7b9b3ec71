/*
 * cmd_check_dns.c - `mxsensor check-dns DOMAIN`: is the sensor-MX layout
 * in place?  Options, then dnscheck_lookup() + dnscheck_judge()
 * (sensor/dnscheck.h), one line per MX host.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "sensor/dnscheck.h"
#include "util/alloc.h"
#include "util/num.h"
#include "util/out.h"

const char cmd_check_dns_summary[] = "verify the MX/A/AAAA layout a sensor MX needs";

const char cmd_check_dns_usage[] =
	"usage: mxsensor check-dns DOMAIN [--sensor NAME] [--server ADDR[:PORT]]\n"
	"                          [--timeout T] [--format text|csv|jsonl]\n"
	"\n"
	"Look up the MX records of DOMAIN and the A and AAAA records of every\n"
	"MX host, and say host by host whether the layout matches the method:\n"
	"  - production MXs have A records and no AAAA record (IPv4 only);\n"
	"  - the sensor has an A and an AAAA record and a preference number\n"
	"    larger than every other MX (it is tried last);\n"
	"  - there is at least one production MX.\n"
	"\n"
	"Options:\n"
	"      --sensor NAME      the sensor's host name (default: the MX host\n"
	"                         with the largest preference number, which must\n"
	"                         then be unique)\n"
	"      --server ADDR[:PORT]  ask this DNS server (IPv4, IPv6, or\n"
	"                         [IPv6]:PORT; default: the system resolver)\n"
	"      --timeout T        per try, two tries (default 3s)\n"
	"  -f, --format FMT       text (default), csv or jsonl\n"
	"\n"
	"Columns (csv/jsonl): domain, pref, host, role (production|sensor), a,\n"
	"aaaa (space-separated addresses), ok (1/0), why (what is wrong).\n"
	"Text output: one line per MX host, then 'layout ok' or 'layout WRONG'.\n"
	"\n"
	"Exit status: 0 the layout matches; 1 it does not, or the look-up\n"
	"failed; 2 usage error.\n"
	"\n"
	"Examples:\n"
	"  mxsensor check-dns example.org\n"
	"  mxsensor check-dns example.org --sensor mx-sensor.example.org --server 127.0.0.1:5353\n";

/* join - addresses separated by spaces */
static void join(char *buf, size_t len, char (*a)[46], int n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && i < DNSCHECK_MAX_ADDRS && off < len; i++) {
		int k = snprintf(buf + off, len - off, "%s%s", i ? " " : "", a[i]);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

int cmd_check_dns(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sensor", required_argument, NULL, 's' },
		{ "server", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sensor = NULL, *server = NULL;
	int64_t timeout = 3000000000LL;
	enum out_fmt fmt = OUT_TEXT;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (!*optarg || strlen(optarg) >= DNSCHECK_NAME)
				return cmd_usage_error(argv[0], "--sensor: bad name");
			sensor = optarg;
			break;
		case 'S': {
			char csv[128];
			if (dnscheck_server_csv(optarg, csv, sizeof csv) < 0)
				return cmd_usage_error(argv[0],
						       "--server: '%s' is not ADDR, ADDR:PORT or "
						       "[ADDR6]:PORT", optarg);
			server = optarg;
			break;
		}
		case 't':
			if (num_duration_ns(optarg, 100000000LL, 60000000000LL, &timeout) < 0)
				return cmd_usage_error(argv[0], "--timeout: '%s' is not 100ms to 60s",
						       optarg);
			break;
		case 'f':
			if (out_fmt_parse(optarg, &fmt) < 0)
				return cmd_usage_error(argv[0], "--format: text, csv or jsonl, not '%s'",
						       optarg);
			break;
		default:
			return cmd_usage_error(argv[0], "unknown option");
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(argv[0], "give exactly one DOMAIN");
	const char *domain = argv[optind];
	if (!*domain || strlen(domain) >= DNSCHECK_NAME)
		return cmd_usage_error(argv[0], "bad domain name");

	struct dnscheck *d = xcalloc(1, sizeof *d);
	dnscheck_lookup(domain, server, (int)(timeout / 1000000), d);
	bool ok = dnscheck_judge(d, sensor);

	static const char *const names[] = { "domain", "pref", "host", "role", "a", "aaaa",
					     "ok", "why" };
	static const bool isnum[] = { false, true, false, false, false, false, true, false };
	if (fmt != OUT_TEXT)
		out_header(stdout, fmt, 8, names);
	for (int i = 0; i < d->n; i++) {
		struct dnscheck_host *h = &d->host[i];
		char pref[16], a[DNSCHECK_MAX_ADDRS * 47], aaaa[DNSCHECK_MAX_ADDRS * 47];
		snprintf(pref, sizeof pref, "%d", h->pref);
		join(a, sizeof a, h->a, h->n_a);
		join(aaaa, sizeof aaaa, h->aaaa, h->n_aaaa);
		const char *role = h->role == DNSCHECK_SENSOR ? "sensor" : "production";
		if (fmt == OUT_TEXT) {
			printf("%-5s %-32s %-10s A: %-16s AAAA: %-24s %s%s\n", pref, h->name, role,
			       a[0] ? a : "-", aaaa[0] ? aaaa : "-", h->ok ? "ok" : "WRONG: ",
			       h->ok ? "" : h->why);
			continue;
		}
		const char *vals[] = { d->domain, pref, h->name, role, a, aaaa,
				       h->ok ? "1" : "0", h->why };
		out_row(stdout, fmt, 8, names, vals, isnum);
	}
	if (d->dropped)
		fprintf(stderr, "mxsensor: %d MX records beyond the first %d not checked\n",
			d->dropped, DNSCHECK_MAX_HOSTS);
	if (fmt == OUT_TEXT)
		printf("layout %s%s%s\n", ok ? "ok" : "WRONG", d->why[0] ? ": " : "", d->why);
	else if (d->why[0])
		fprintf(stderr, "mxsensor: %s: %s\n", d->domain, d->why);
	free(d);
	return ok ? 0 : 1;
}
