/*
 * alloc.h - allocation wrappers that never return NULL.
 *
 * Every allocation in mxsensor goes through these.  A failed allocation, or
 * a request above ALLOC_MAX, is a fatal error (die()), so callers never
 * check for NULL.  Sizes are multiplied with overflow checks.
 */
#ifndef MX_ALLOC_H
#define MX_ALLOC_H

#include <stddef.h>

/* ALLOC_MAX - largest single request; anything bigger is a bug or an attack */
#define ALLOC_MAX ((size_t)1 << 40)

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray - realloc for nmemb * size with overflow check */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xasprintf - printf into a fresh allocation */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* GROW - make room for n elements in (ptr, cap), doubling; may evaluate twice */
#define GROW(ptr, n, cap)                                                       \
	do {                                                                    \
		if ((size_t)(n) > (cap)) {                                      \
			size_t grow_nc_ = (cap) ? (cap) : 16;                   \
			while (grow_nc_ < (size_t)(n))                          \
				grow_nc_ *= 2;                                  \
			(ptr) = xreallocarray((ptr), grow_nc_, sizeof(*(ptr))); \
			(cap) = grow_nc_;                                       \
		}                                                               \
	} while (0)

#endif
