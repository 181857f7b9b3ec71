/*
 * cmd_explain.c - `mxsensor explain ADDR`: why a host was (not) associated.
 *
 * Reads the store only.  For an IPv6 host: each attempt with every
 * candidate, its evidence point by point, the total, and the decision with
 * its reason.  For an IPv4 host: its listings, its attempts, and the IPv6
 * attempts that were or were not given to it.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "addr/addr.h"
#include "analysis/assoc.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/num.h"
#include "util/out.h"

const char cmd_explain_summary[] = "show every attempt of a host and why it was (not) associated";

const char cmd_explain_usage[] =
	"usage: mxsensor explain [--db LOCATION] [--sensor NAME] [--limit N] ADDR\n"
	"\n"
	"Explain the analysis of one host.  For an IPv6 address: its attempts,\n"
	"and for each the IPv4 candidates with their evidence point by point,\n"
	"the total, and the decision:\n"
	"  associated       the pair was taken\n"
	"  lost             this IPv6 attempt took a better candidate\n"
	"  ipv4-taken       the IPv4 attempt went to a better-scoring IPv6 attempt\n"
	"  ambiguous        another IPv4 host scored within the margin\n"
	"  below-threshold  the total (or the evidence without host\n"
	"                   consistency) did not reach the threshold\n"
	"For an IPv4 address: its DNSBL listings and other MTA outcomes, its\n"
	"attempts, and the IPv6 attempts it was a candidate for.  Association is\n"
	"per sensor: a host several sensors saw is explained once per sensor.\n"
	"\n"
	"Options:\n"
	"  -d, --db LOCATION  the store: SQLite file (default mxsensor.db) or\n"
	"                   PostgreSQL URL (docs/sensor-network.md)\n"
	"  -s, --sensor NAME  only what this sensor saw (default: every sensor)\n"
	"  -n, --limit N    show at most N attempts (default 20; 0 = all)\n"
	"\n"
	"Evidence names and points are explained in docs/association.md.\n"
	"\n"
	"Exit status: 0 shown; 1 the address is not in the store, or a write\n"
	"error; 2 usage error, no store, or no analysis of the --sensor in it.\n";

struct ctx {
	struct store *st;
	const char *sensor;
	unsigned long limit;
	unsigned long shown, total;
	bool dropped;       /* the run kept no lost candidates */
};

static const char *reason(const char *d)
{
	if (!d)
		return "undecided";
	if (!strcmp(d, "associated"))
		return "ASSOCIATED";
	if (!strcmp(d, "lost"))
		return "lost: this IPv6 attempt took a better candidate";
	if (!strcmp(d, "ipv4-taken"))
		return "lost: the IPv4 attempt went to a better-scoring IPv6 attempt";
	if (!strcmp(d, "ambiguous"))
		return "ambiguous: another IPv4 host scored within the margin";
	if (!strcmp(d, "below-threshold"))
		return "below the threshold";
	return d;
}

static void fmt_gap(char *buf, size_t n, const char *ns_txt)
{
	double ms = (double)strtoll(ns_txt ? ns_txt : "0", NULL, 10) / 1e6;
	if (ms > -1000 && ms < 1000)
		snprintf(buf, n, "%+.3f ms", ms);
	else
		snprintf(buf, n, "%+.3f s", ms / 1000);
}

/* candidate columns: other addr, other port, other attempt, ev..., score, total, gap, port_dist, decision, before */
static int cand_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	if (n < 9 + EV_COUNT)   /* 3 + evidence + 6 columns: cand_cols */
		return -1;
	(*(unsigned long *)arg)++;
	char gap[32], ev[256];
	size_t o = 0;
	ev[0] = '\0';
	for (int e = 0; e < EV_COUNT; e++) {
		long pts = v[3 + e] ? strtol(v[3 + e], NULL, 10) : 0;
		if (pts && o < sizeof ev - 24)
			o += (size_t)snprintf(ev + o, sizeof ev - o, "%s%s %+ld", o ? ", " : "",
					      assoc_ev_name((enum assoc_evidence)e), pts);
	}
	fmt_gap(gap, sizeof gap, v[5 + EV_COUNT]);
	printf("    %s port %s (attempt #%s, %s%s, port distance %s)\n",
	       v[0], v[1], v[2], gap, v[8 + EV_COUNT] && !strcmp(v[8 + EV_COUNT], "1") ? " before" : "",
	       v[6 + EV_COUNT] ? v[6 + EV_COUNT] : "?");
	printf("        total %s = %s\n", v[4 + EV_COUNT] ? v[4 + EV_COUNT] : v[3 + EV_COUNT],
	       ev[0] ? ev : "0");
	printf("        %s\n", reason(v[7 + EV_COUNT]));
	return 0;
}

static const char cand_cols[] =
	"c.ev_embed, c.ev_stack, c.ev_os, c.ev_syns, c.ev_port, c.ev_gap, c.ev_tsclock,"
	" c.ev_asn, c.ev_ptr, c.ev_host, c.ev_ehlo, c.score, c.total, c.gap_ns, c.port_dist,"
	" c.decision, c.before";

/* attempt columns: id, first_ns, sport, syns, partner, score, os, dst */
static int attempt_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct ctx *c = arg;
	if (n < 9)
		return -1;
	c->total++;
	if (c->limit && c->shown >= c->limit)
		return 0;
	c->shown++;
	char t[40];
	out_time_iso(strtoll(v[1], NULL, 10), 6, t);
	printf("\nattempt #%s  %s  port %s -> %s  %s SYN%s%s%s\n", v[0], t, v[2], v[7], v[3],
	       strcmp(v[3], "1") ? "s" : "", v[6] ? "  os " : "", v[6] ? v[6] : "");
	char sql[1024];
	int fam6 = !strcmp(v[8], "6");
	if (fam6) {
		snprintf(sql, sizeof sql,
			 "SELECT a.src, a.sport, a.id, %s FROM candidates c JOIN attempts a"
			 " ON a.sensor = c.sensor AND a.id = c.a4 WHERE c.sensor = ? AND c.a6 = ?"
			 " ORDER BY c.total DESC, abs(c.gap_ns), a.id",
			 cand_cols);
	} else {
		snprintf(sql, sizeof sql,
			 "SELECT a.src, a.sport, a.id, %s FROM candidates c JOIN attempts a"
			 " ON a.sensor = c.sensor AND a.id = c.a6 WHERE c.sensor = ? AND c.a4 = ?"
			 " ORDER BY c.total DESC, abs(c.gap_ns), a.id",
			 cand_cols);
	}
	const char *p[2] = { c->sensor, v[0] };
	printf("  %s\n", fam6 ? "IPv4 candidates:" : "as a candidate of IPv6 attempts:");
	unsigned long ncand = 0;
	if (store_query(c->st, sql, p, 2, cand_row, &ncand) != 0)
		return -1;
	if (!ncand)
		printf("    none%s\n", c->dropped ? " stored"
		       : fam6 ? " (no IPv4 attempt in its association window)" : "");
	if (!v[4])
		printf("    => not associated\n");
	else
		printf("    => associated with attempt #%s (score %s)\n", v[4], v[5] ? v[5] : "?");
	return 0;
}

static int host_row(int n, const char *const *names, const char *const *v, void *arg)
{
	int *found = arg;
	*found = 1;
	char first[40], last[40];
	printf("host %s  IPv%s", v[0], v[1]);
	for (int i = 2; i < n; i++) {
		if (!v[i] || !v[i][0])
			continue;
		if (!strcmp(names[i], "first_ns"))
			printf("\n  first seen     %s", out_time_iso(strtoll(v[i], NULL, 10), 3, first));
		else if (!strcmp(names[i], "last_ns"))
			printf("\n  last seen      %s", out_time_iso(strtoll(v[i], NULL, 10), 3, last));
		else
			printf("\n  %-14s %s", names[i], v[i]);
	}
	putchar('\n');
	return 0;
}

static int mta_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)n;
	(void)names;
	(void)arg;
	char first[40], last[40];
	printf("  mta %-8s %-24s %s time%s, %s .. %s (%s)\n", v[0], v[1][0] ? v[1] : "-",
	       v[2], strcmp(v[2], "1") ? "s" : "",
	       out_time_iso(strtoll(v[3], NULL, 10), 0, first),
	       out_time_iso(strtoll(v[4], NULL, 10), 0, last), v[5] ? v[5] : "?");
	return 0;
}

static int opt_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)n;
	(void)names;
	struct ctx *c = arg;
	printf("analysis options %s\n", v[0] ? v[0] : "{}");
	struct json_object *o = v[0] ? json_tokener_parse(v[0]) : NULL, *lost;
	bool dropped = o && json_object_object_get_ex(o, "lost_candidates", &lost) &&
		       json_object_is_type(lost, json_type_boolean) && !json_object_get_boolean(lost);
	json_object_put(o);
	c->dropped = dropped;
	if (dropped)
		printf("                 (analyze --no-lost-candidates: the candidates that lost"
		       " to a better pair\n                 of their own IPv6 attempt were not"
		       " stored and are not listed)\n");
	return 0;
}

struct names {
	char **v;
	size_t n, cap;
};

static int add_name(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	struct names *s = arg;
	if (n < 1 || !v[0])
		return -1;
	GROW(s->v, s->n + 1, s->cap);
	s->v[s->n++] = xstrdup(v[0]);
	return 0;
}

/* explain_sensor - the host as one sensor saw it */
static int explain_sensor(struct ctx *c, const char *addr, const char *sensor)
{
	const char *p[2] = { addr, sensor };
	int found = 0;
	c->sensor = sensor;
	c->shown = c->total = 0;
	c->dropped = false;
	int rc = store_query(c->st, "SELECT addr, family, sensor, label, addr_type, iid_class,"
			     " emb_kind, emb4, os, asn, as_name, ptr, lists, partners, attempts,"
			     " syns, first_ns, last_ns FROM hosts WHERE addr = ? AND sensor = ?",
			     p, 2, host_row, &found);
	rc |= store_query(c->st, "SELECT options FROM runs WHERE status = 'complete'"
			  " AND sensor = ? ORDER BY id DESC LIMIT 1", p + 1, 1, opt_row, c);
	rc |= store_query(c->st, "SELECT kind, list, count, first_ns, last_ns, format FROM mta_events"
			  " WHERE addr = ? AND sensor = ? ORDER BY kind, list", p, 2, mta_row, NULL);
	rc |= store_query(c->st, "SELECT id, first_ns, sport, syns, partner, score, os, dst, family"
			  " FROM attempts WHERE src = ? AND sensor = ? ORDER BY first_ns, id",
			  p, 2, attempt_row, c);
	if (c->total > c->shown)
		printf("\n... %lu more attempt%s (--limit 0 shows all)\n", c->total - c->shown,
		       c->total - c->shown == 1 ? "" : "s");
	return rc;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "limit", required_argument, NULL, 'n' },
		{ "sensor", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = "mxsensor.db", *sensor = NULL;
	struct ctx c = { .limit = 20 };
	int o;
	while ((o = getopt_long(argc, argv, "d:n:s:", longopts, NULL)) != -1) {
		switch (o) {
		case 'd':
			db = optarg;
			break;
		case 's':
			sensor = optarg;
			break;
		case 'n':
			if (num_ulong(optarg, 0, 100000000, &c.limit) < 0)
				return cmd_usage_error("explain", "--limit: a number: %s", optarg);
			break;
		default:
			return cmd_usage_error("explain", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("explain", "give exactly one address");
	struct addr a;
	if (addr_parse(argv[optind], &a) < 0)
		return cmd_usage_error("explain", "not an address: %s", argv[optind]);
	char txt[ADDR_STRLEN];
	addr_format(&a, txt);
	struct store *st = store_open(db, false);
	if (!st)
		return 2;
	if (sensor && store_sensor_check(st, sensor) < 0) {
		store_close(st);
		return 2;
	}
	c.st = st;
	struct names sensors = { 0 };
	const char *p[2] = { txt, sensor };
	int rc = store_query(st, sensor ? "SELECT sensor FROM hosts WHERE addr = ? AND sensor = ?"
			     : "SELECT sensor FROM hosts WHERE addr = ? ORDER BY sensor",
			     p, sensor ? 2 : 1, add_name, &sensors);
	if (rc == 0 && !sensors.n) {
		fprintf(stderr, "mxsensor: %s: not in %s%s%s\n", txt, store_location(st),
			sensor ? " for sensor " : "", sensor ? sensor : "");
		store_close(st);
		return 1;
	}
	for (size_t i = 0; rc == 0 && i < sensors.n; i++) {
		if (i)
			printf("\n");
		rc = explain_sensor(&c, txt, sensors.v[i]);
	}
	for (size_t i = 0; i < sensors.n; i++)
		free(sensors.v[i]);
	free(sensors.v);
	store_close(st);
	return rc ? 2 : 0;
}
