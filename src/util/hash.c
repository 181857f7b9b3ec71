/*
 * hash.c - seeded 64-bit hash (see hash.h).
 *
 * A multiply-xorshift construction over 8-byte words (in the manner of
 * wyhash/murmur finalizers): fast on short keys such as addresses and
 * signatures, and keyed by a random seed.
 */
#include "util/hash.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t seed = 0x9e3779b97f4a7c15ULL;

void hash_seed_init(void)
{
	uint64_t s;
	if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s)
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	seed = s | 1;
}

void hash_seed_fixed(uint64_t s) { seed = s | 1; }

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t hash_u64(uint64_t v)
{
	return mix(v ^ seed);
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		h = mix(h ^ w) * 0x9e3779b97f4a7c15ULL;
		b += 8;
		n -= 8;
	}
	uint64_t t = 0;
	memcpy(&t, b, n);
	return mix(h ^ t ^ ((uint64_t)n << 56));
}

size_t hash_slot_free(const uint32_t *t, size_t n, uint64_t h)
{
	size_t i = (size_t)h & (n - 1);
	while (t[i])
		i = (i + 1) & (n - 1);
	return i;
}
