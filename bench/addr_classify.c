/*
 * addr_classify.c - speed of addr_classify() and addr_embedded_v4().
 *
 *   build/tools/addr_classify [N]     (N addresses, default 20000000)
 *
 * Classifies N IPv6 addresses drawn from a fixed mix of prefixes (global,
 * 6to4, Teredo, link-local, NAT64, mapped) and interface IDs (random, low
 * byte, EUI-64, ISATAP, embedded IPv4), then prints ns per address for
 * each function.  Deterministic input (xorshift, fixed seed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr/addr.h"
#include "addr/classify.h"
#include "util/num.h"

#define POOL 4096   /* distinct addresses, cycled */

static uint64_t rng = 0x9e3779b97f4a7c15u;

/* next - xorshift64 */
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* now_ns - monotonic clock in ns */
static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* make - one address of the mix */
static struct addr make(void)
{
	static const uint8_t hi[][8] = {
		{ 0x20, 0x01, 0x04, 0x70, 0, 1, 0, 2 }, { 0x20, 0x02, 0xc0, 0x00, 0x02, 0x2a, 0, 1 },
		{ 0x20, 0x01, 0, 0, 0x41, 0x36, 0xe3, 0x78 }, { 0xfe, 0x80, 0, 0, 0, 0, 0, 0 },
		{ 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	struct addr a = { .family = 6 };
	uint64_t r = next();
	memcpy(a.b, hi[r % 6], 8);
	uint64_t iid = next();
	switch ((r >> 8) % 5) {
	case 0: break;                                             /* random */
	case 1: iid &= 0xffff; break;                              /* low byte */
	case 2: iid = (iid & 0xffffff0000ffffffULL) | 0x000000fffe000000ULL | 0x0200000000000000ULL; break;
	case 3: iid = 0x00005efe00000000ULL | (iid & 0xffffffff); break;  /* ISATAP */
	case 4: iid &= 0xffffffff; break;                          /* embedded IPv4 */
	}
	for (int i = 0; i < 8; i++)
		a.b[8 + i] = (uint8_t)(iid >> (56 - 8 * i));
	if ((r % 6) == 5) {             /* mapped */
		memset(a.b, 0, 10);
		a.b[10] = a.b[11] = 0xff;
	}
	return a;
}

int main(int argc, char **argv)
{
	unsigned long n = 20000000;
	if (argc > 1 && num_ulong(argv[1], 1, 4000000000UL, &n) < 0) {
		fprintf(stderr, "usage: addr_classify [N]\n");
		return 2;
	}
	static struct addr pool[POOL];
	for (int i = 0; i < POOL; i++)
		pool[i] = make();
	unsigned long sum = 0;
	struct addr_class c;
	double t0 = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		addr_classify(&pool[i % POOL], &c);
		sum += c.iid + c.scope;
	}
	double t1 = now_ns();
	struct addr v4;
	for (unsigned long i = 0; i < n; i++)
		sum += addr_embedded_v4(&pool[i % POOL], &v4, NULL);
	double t2 = now_ns();
	printf("addr_classify:    %.1f ns/address (%lu addresses)\n", (t1 - t0) / n, n);
	printf("addr_embedded_v4: %.1f ns/address (checksum %lu)\n", (t2 - t1) / n, sum);
	return 0;
}
