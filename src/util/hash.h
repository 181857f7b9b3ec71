/*
 * hash.h - keyed 64-bit hashing for tables that hold attacker-chosen keys.
 *
 * hash_bytes() mixes a process-wide random seed (hash_seed_init(), drawn
 * from getrandom()) so that nobody outside can aim collisions at our
 * tables.  hash_seed_fixed() makes runs reproducible for tests.
 */
#ifndef MX_HASH_H
#define MX_HASH_H

#include <stddef.h>
#include <stdint.h>

void hash_seed_init(void);
void hash_seed_fixed(uint64_t seed);
uint64_t hash_bytes(const void *p, size_t n);
/* hash_u64 - mix one 64-bit value (seeded) */
uint64_t hash_u64(uint64_t v);
/* hash_slot_free - the first empty (0) slot for hash h in an
 * open-addressing table t of n uint32 entries (n a power of two, linear
 * probing, at least one slot empty): where a rebuilt table puts an entry */
size_t hash_slot_free(const uint32_t *t, size_t n, uint64_t h);

#endif
