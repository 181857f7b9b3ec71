/*
 * asn_bench.c - load time and look-ups per second of the ASN table.
 *
 *   asn_bench [PREFIXES [LOOKUPS]]     (default 1000000 and 20000000)
 *
 * Writes a pfx2as file of PREFIXES random IPv4 prefixes (/8../24, nested
 * ones included, as in a routing table) plus PREFIXES/8 IPv6 ones to a
 * temporary file, loads it through asn_db_load() (parsing included in the
 * load time), then looks up LOOKUPS random addresses of each family on one
 * core.  Prints one line per measure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "enrich/asn.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	unsigned long npfx = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	unsigned long nlook = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000000;
	char path[] = "/tmp/asn_bench.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	FILE *f = fdopen(fd, "w");
	for (unsigned long i = 0; i < npfx; i++) {
		uint64_t r = next();
		unsigned len = 8 + (unsigned)(r % 17);
		uint32_t a = (uint32_t)(r >> 32);
		a &= len ? ~0U << (32 - len) : 0;
		fprintf(f, "%u.%u.%u.%u\t%u\t%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
			a & 255, len, 1 + (unsigned)(r % 65000));
	}
	for (unsigned long i = 0; i < npfx / 8; i++) {
		uint64_t r = next();
		unsigned len = 20 + (unsigned)(r % 29);
		uint64_t hi = (0x2000ULL << 48) | (next() & 0x1fffffffffffffULL);
		hi &= ~0ULL << (64 - len);
		fprintf(f, "%x:%x:%x:%x::\t%u\t%u\n", (unsigned)(hi >> 48),
			(unsigned)(hi >> 32) & 0xffff, (unsigned)(hi >> 16) & 0xffff,
			(unsigned)hi & 0xffff, len, 1 + (unsigned)(r % 65000));
	}
	fclose(f);

	double t0 = now();
	struct asn_db *db = asn_db_new();
	if (asn_db_load(db, path) < 0)
		return 1;
	double t1 = now();
	asn_db_build(db);
	double t2 = now();
	unlink(path);
	const struct asn_stats *st = asn_db_stats(db);
	printf("load: %zu prefixes parsed in %.2f s, built in %.2f s (%zu IPv4 + %zu IPv6 ranges)\n",
	       st->entries, t1 - t0, t2 - t1, st->ranges4, st->ranges6);

	struct addr *q = malloc(1000000 * sizeof *q);
	for (int fam = 4; fam <= 6; fam += 2) {
		for (int i = 0; i < 1000000; i++) {
			uint64_t r = next();
			q[i] = (struct addr){ .family = (uint8_t)fam };
			for (int k = 0; k < 8; k++)
				q[i].b[k] = (uint8_t)(r >> (8 * k));
			if (fam == 6) {
				q[i].b[0] = (uint8_t)(0x20 | (q[i].b[0] & 1));
				uint64_t r2 = next();
				for (int k = 0; k < 8; k++)
					q[i].b[8 + k] = (uint8_t)(r2 >> (8 * k));
			} else {
				for (int k = 4; k < 16; k++)
					q[i].b[k] = 0;
			}
		}
		uint64_t sum = 0, found = 0;
		double s = now();
		for (unsigned long i = 0; i < nlook; i++) {
			uint32_t asn = asn_db_lookup_asn(db, &q[i % 1000000]);
			sum += asn;
			found += asn != 0;
		}
		double e = now();
		printf("lookup IPv%d: %.1f M/s (%lu look-ups in %.2f s, %" PRIu64 " found, sum %" PRIu64 ")\n",
		       fam, (double)nlook / (e - s) / 1e6, nlook, e - s, found, sum);
	}
	free(q);
	asn_db_free(db);
	return 0;
}
