/*
 * strpool.h - a set of strings, each kept once, by a small index.
 *
 * For columns with a handful of distinct values over millions of rows
 * (DNSBL names, list combinations) or for millions of distinct ones (the
 * source addresses of a report): the rows hold a uint32_t, the text is
 * stored once.  Zero-initialise a struct strpool to start.
 */
#ifndef MX_STRPOOL_H
#define MX_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

struct strpool {
	char **s;                   /* by index */
	size_t n, cap;
	uint32_t *tab;              /* index + 1, open addressing; 0 = empty */
	size_t size;
	/* the texts, packed in blocks (a malloc per text cost ~9 bytes more
	 * each, 15 MB for the 1.7M source addresses of a 10M-SYN report) */
	char *blocks;               /* the newest block; each starts with the previous one's address */
	char *next;                 /* free space in the current block */
	size_t left;
};

/* strpool_id - index of s, added when new */
uint32_t strpool_id(struct strpool *p, const char *s);
/* strpool_get - the string of index i (< p->n) */
const char *strpool_get(const struct strpool *p, uint32_t i);
void strpool_free(struct strpool *p);

#endif
