/*
 * fp_bench.c - fingerprint matching speed: SYN records per second through
 * fp_match(), with the memo cold (every signature new) and warm.
 *
 *   fp_bench [-f p0f.fp]... [-n SYNS] [-d DISTINCT]
 *
 * Builds DISTINCT different SYN records (default 20000) from the
 * database's own signatures with varied TTL, window, MSS and quirks, then
 * matches SYNS records (default 2000000) cycling over them.  Prints
 * "fp_bench: N SYNs, D distinct, cold X/s, warm Y/s".  Reading and
 * decoding packets is not included: compare whole pipelines (`mxsensor
 * syns --os`, or tests/tools/fp_dump, against `p0f -r`) on a pcap from
 * tests/tools/fp_gen_pcap -n for that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fingerprint/fp.h"
#include "util/hash.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* make_syn - a SYN record shaped by signature e, varied by i */
static void make_syn(const struct fp_entry *e, unsigned i, struct syn *s)
{
	const struct fp_sig *g = &e->sig;
	memset(s, 0, sizeof *s);
	s->ipver = g->ver == 6 || (g->ver == -1 && (i & 1)) ? 6 : 4;
	s->ttl = (uint8_t)(g->ittl > (int)(i % 40) ? g->ittl - (int)(i % 40) : 1);
	s->mss = (uint16_t)(g->mss >= 0 ? g->mss : 1200 + (int)(i % 300));
	switch (g->win_type) {
	case FP_WIN_NORMAL: s->win = (uint16_t)g->win; break;
	case FP_WIN_MSS: s->win = (uint16_t)(s->mss * g->win <= 65535 ? s->mss * g->win : 65535); break;
	case FP_WIN_MTU: s->win = (uint16_t)((s->mss + 40) * g->win <= 65535 ? (s->mss + 40) * g->win : 65535); break;
	case FP_WIN_MOD: s->win = (uint16_t)g->win; break;
	default: s->win = (uint16_t)(i * 7); break;
	}
	s->wscale = (int16_t)(g->wscale >= 0 ? g->wscale : (int)(i % 15));
	s->nopts = g->nopts;
	memcpy(s->olayout, g->olayout, g->nopts);
	s->eol_pad = g->eol_pad;
	s->quirks = g->quirks;
	if (s->ipver == 6)
		s->quirks &= ~(SYN_Q_DF | SYN_Q_NZ_ID | SYN_Q_ZERO_ID | SYN_Q_NZ_MBZ);
	if (i % 5 == 0)
		s->quirks ^= SYN_Q_ECN;
	s->has_ts = true;
	s->tsval = i;
}

int main(int argc, char **argv)
{
	const char *dbs[16];
	size_t ndb = 0;
	long n = 2000000, distinct = 20000;
	int c;
	while ((c = getopt(argc, argv, "f:n:d:")) != -1) {
		switch (c) {
		case 'f': if (ndb < 16) dbs[ndb++] = optarg; break;
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 'd': distinct = strtol(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: fp_bench [-f p0f.fp]... [-n SYNS] [-d DISTINCT]\n");
			return 2;
		}
	}
	if (n < 1 || distinct < 1)
		return 2;
	hash_seed_init();
	char *err = NULL;
	struct fpdb *db = fpdb_open(dbs, ndb, &err);
	if (!db)
		return fprintf(stderr, "fp_bench: %s\n", err), free(err), 2;
	if (!fpdb_count(db))
		return fprintf(stderr, "fp_bench: no signatures\n"), 2;
	struct syn *syns = calloc((size_t)distinct, sizeof *syns);
	if (!syns)
		return 2;
	for (long i = 0; i < distinct; i++)
		make_syn(fpdb_entry(db, (size_t)i % fpdb_count(db)), (unsigned)(i / (long)fpdb_count(db)), &syns[i]);

	unsigned long sink = 0;
	double t0 = now();
	for (long i = 0; i < distinct; i++)
		sink += (unsigned long)fp_match(db, &syns[i])->dist;
	double cold = now() - t0;
	size_t memo = fp_memo_size(db);

	t0 = now();
	for (long i = 0; i < n; i++)
		sink += (unsigned long)fp_match(db, &syns[i % distinct])->dist;
	double warm = now() - t0;

	printf("fp_bench: %ld SYNs, %zu distinct signatures, cold %.0f/s, warm %.0f/s (sink %lu)\n",
	       n, memo, (double)distinct / cold, (double)n / warm, sink % 10);
	free(syns);
	fpdb_free(db);
	return 0;
}
