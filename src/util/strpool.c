/*
 * strpool.c - strings kept once (strpool.h).
 */
#include "util/strpool.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"
#include "util/log.h"

static uint64_t str_hash(const char *s)
{
	return hash_bytes(s, strlen(s));
}

/* texts go into blocks of this size; a text over a quarter of it gets a
 * block of its own */
#define STRPOOL_BLOCK 65536

/* store - a copy of s in the pool's blocks */
static char *store(struct strpool *p, const char *s)
{
	size_t len = strlen(s) + 1;
	if (len > p->left) {
		size_t size = len > STRPOOL_BLOCK / 4 ? len : STRPOOL_BLOCK;
		char *b = xmalloc(sizeof p->blocks + size);
		memcpy(b, &p->blocks, sizeof p->blocks);
		p->blocks = b;
		b += sizeof p->blocks;
		if (size == len)
			return memcpy(b, s, len);
		p->next = b;
		p->left = size;
	}
	char *d = memcpy(p->next, s, len);
	p->next += len;
	p->left -= len;
	return d;
}

uint32_t strpool_id(struct strpool *p, const char *s)
{
	if ((p->n + 1) * 4 > p->size * 3) {
		size_t n = p->size ? p->size * 2 : 64;
		uint32_t *t = xcalloc(n, sizeof *t);
		for (size_t k = 0; k < p->n; k++)
			t[hash_slot_free(t, n, str_hash(p->s[k]))] = (uint32_t)k + 1;
		free(p->tab);
		p->tab = t;
		p->size = n;
	}
	size_t mask = p->size - 1, i = (size_t)str_hash(s) & mask;
	for (; p->tab[i]; i = (i + 1) & mask)
		if (!strcmp(p->s[p->tab[i] - 1], s))
			return p->tab[i] - 1;
	if (p->n >= UINT32_MAX - 1)
		BUG("string pool full");
	GROW(p->s, p->n + 1, p->cap);
	p->s[p->n] = store(p, s);
	p->tab[i] = (uint32_t)++p->n;
	return p->tab[i] - 1;
}

const char *strpool_get(const struct strpool *p, uint32_t i)
{
	if (i >= p->n)
		BUG("string pool index %u of %zu", i, p->n);
	return p->s[i];
}

void strpool_free(struct strpool *p)
{
	while (p->blocks) {
		char *b = p->blocks;
		memcpy(&p->blocks, b, sizeof p->blocks);
		free(b);
	}
	free(p->s);
	free(p->tab);
	memset(p, 0, sizeof *p);
}
