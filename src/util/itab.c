/*
 * itab.c - a hash index over an array kept elsewhere (itab.h).
 */
#include "util/itab.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

uint32_t *itab_slot(struct itab *m, size_t n, uint64_t h, const void *arr, const void *key,
		    bool (*eq)(const void *arr, uint32_t i, const void *key),
		    uint64_t (*hash)(const void *arr, uint32_t i))
{
	if (4 * (n + 1) > 3 * m->size) {
		size_t size = m->size ? 2 * m->size : 1024;
		uint32_t *t = xcalloc(size, sizeof *t);
		for (size_t i = 0; i < m->size; i++)
			if (m->t[i])
				t[hash_slot_free(t, size, hash(arr, m->t[i] - 1))] = m->t[i];
		free(m->t);
		m->t = t;
		m->size = size;
	}
	size_t mask = m->size - 1, i = (size_t)h & mask;
	while (m->t[i] && !eq(arr, m->t[i] - 1, key))
		i = (i + 1) & mask;
	return &m->t[i];
}

void itab_free(struct itab *m)
{
	free(m->t);
	memset(m, 0, sizeof *m);
}
