/*
 * cmd_asn.c - `mxsensor asn`: the origin AS of addresses, from the same
 * offline tables `analyze --asn` uses.
 *
 * Trusts nothing on stdin: lines are capped at LINE_MAX_LEN bytes; a line
 * that is not an address is reported as "mxsensor: -:LINE: not an address"
 * and skipped (exit status 1).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr/addr.h"
#include "cmd/cmd.h"
#include "enrich/asn.h"
#include "enrich/enrich.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/out.h"
#include "util/replace.h"

#define LINE_MAX_LEN 1024

const char cmd_asn_summary[] = "origin AS of addresses from pfx2as / ip2asn / mmdb tables";

const char cmd_asn_usage[] =
	"usage: mxsensor asn --asn FILE... [--format text|csv|jsonl] [--no-header]\n"
	"                    [ADDR...]\n"
	"\n"
	"Look up the origin AS (longest matching prefix) and AS name of each\n"
	"IPv4 or IPv6 address in offline tables.  With no ADDR, read addresses\n"
	"one per line from stdin (blank lines and '#' lines skipped).\n"
	"\n"
	"Options:\n"
	"  -a, --asn FILE     a table (repeatable; plain or gzip'd; format detected):\n"
	"                     RouteViews pfx2as (PREFIX LEN AS; multi-origin and\n"
	"                     AS-set entries keep their first AS), pyasn IPASN-DAT\n"
	"                     (PREFIX/LEN AS), ip2asn TSV (FIRST LAST AS CC NAME),\n"
	"                     an 'asn,name' CSV of AS names, or a MaxMind/DB-IP\n"
	"                     ASN .mmdb (asked for addresses no table holds).\n"
	"                     The narrowest prefix wins; among equal ones, the\n"
	"                     file given first.\n"
	"  -f, --format FMT   text (default), csv (with a header), jsonl\n"
	"  -H, --no-header    no header line in text and csv output\n"
	"\n"
	"Columns: address (RFC 5952), asn (empty / null / '-' when unknown),\n"
	"as_name (when a table names it).\n"
	"\n"
	"Exit status: 0 every address found; 1 some address unknown, not an\n"
	"address, a table line unusable, or a write error; 2 usage error or\n"
	"unreadable table.\n"
	"\n"
	"Example:\n"
	"  mxsensor asn --asn routeviews-rv2-20260101-1200.pfx2as.gz \\\n"
	"      --asn ip2asn-v6.tsv.gz 192.0.2.1 2001:db8::1\n";

static int show(const struct asn_db *db, const char *txt, enum out_fmt fmt)
{
	static const char *const names[] = { "address", "asn", "as_name" };
	static const bool isnum[] = { false, true, false };
	struct addr a;
	if (addr_parse(txt, &a) < 0)
		return -1;
	struct asn_info ai;
	bool found = asn_db_lookup(db, &a, &ai);
	char at[ADDR_STRLEN], num[16];
	snprintf(num, sizeof num, "%" PRIu32, ai.asn);
	const char *vals[] = { addr_format(&a, at), found ? num : NULL,
			       ai.name[0] ? ai.name : NULL };
	if (fmt == OUT_TEXT)
		printf("%-39s %-10s %s\n", vals[0], found ? num : "-", ai.name[0] ? ai.name : "-");
	else
		out_row(stdout, fmt, 3, names, vals, isnum);
	return found ? 0 : 1;
}

int cmd_asn(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "asn", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "no-header", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char **files = NULL;
	size_t nf = 0, cap = 0;
	enum out_fmt fmt = OUT_TEXT;
	bool header = true;
	int c;
	while ((c = getopt_long(argc, argv, "a:f:H", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			GROW(files, nf + 1, cap);
			files[nf++] = optarg;
			break;
		case 'f':
			if (out_fmt_parse(optarg, &fmt) < 0)
				return cmd_usage_error("asn", "--format: text, csv or jsonl: %s", optarg);
			break;
		case 'H':
			header = false;
			break;
		default:
			return cmd_usage_error("asn", "unknown option");
		}
	}
	if (!nf)
		return cmd_usage_error("asn", "no table given (--asn FILE)");
	struct asn_db *db = enrich_load_asn(files, nf);
	free(files);
	if (!db)
		return 2;
	int status = asn_db_stats(db)->bad_lines ? 1 : 0;
	if (header) {
		static const char *const names[] = { "address", "asn", "as_name" };
		if (fmt == OUT_TEXT)
			printf("%-39s %-10s %s\n", "ADDRESS", "ASN", "AS NAME");
		else
			out_header(stdout, fmt, 3, names);
	}
	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			int rc = show(db, argv[i], fmt);
			if (rc < 0)
				error("not an address: %s", argv[i]);
			if (rc)
				status = 1;
		}
	} else {
		char line[LINE_MAX_LEN];
		unsigned long lineno = 0;
		while (fgets(line, sizeof line, stdin)) {
			lineno++;
			size_t len = strlen(line);
			if (len && line[len - 1] != '\n' && !feof(stdin)) {
				int ch;
				while ((ch = getchar()) != EOF && ch != '\n')
					;
				error_at("-", lineno, "line too long");
				status = 1;
				continue;
			}
			while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
				       line[len - 1] == ' ' || line[len - 1] == '\t'))
				line[--len] = '\0';
			char *s = line;
			while (*s == ' ' || *s == '\t')
				s++;
			if (!*s || *s == '#')
				continue;
			int rc = show(db, s, fmt);
			if (rc < 0)
				error_at("-", lineno, "not an address");
			if (rc)
				status = 1;
		}
	}
	asn_db_free(db);
	if (stdout_flush() < 0)
		return 1;
	return status;
}
