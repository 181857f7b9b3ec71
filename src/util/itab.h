/*
 * itab.h - a hash index over an array kept elsewhere.
 *
 * Open addressing with linear probing; a slot holds an element's index
 * + 1 (0: empty), 4 bytes, and the table is at most 3/4 full.  The
 * elements stay in the caller's array, which is the only copy of the
 * keys: an index of millions of elements costs 5-11 bytes each.
 * Zero-initialise a struct itab to start.
 */
#ifndef MX_ITAB_H
#define MX_ITAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct itab {
	uint32_t *t;
	size_t size;
};

/* itab_slot - the slot of the element with hash h for which eq(arr, i,
 * key) holds, or the empty slot where element n (the array holds n) goes:
 * the caller puts it there as n + 1.  hash(arr, i) is element i's hash,
 * for moving the slots when the table grows. */
uint32_t *itab_slot(struct itab *m, size_t n, uint64_t h, const void *arr, const void *key,
		    bool (*eq)(const void *arr, uint32_t i, const void *key),
		    uint64_t (*hash)(const void *arr, uint32_t i));
void itab_free(struct itab *m);

#endif
