/*
 * alloc.c - allocation wrappers that never return NULL (see alloc.h).
 */
#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static void *checked(void *p, size_t n)
{
	if (!p && n)
		die("out of memory allocating %zu bytes", n);
	return p;
}

void *xmalloc(size_t n)
{
	if (n > ALLOC_MAX)
		die("allocation of %zu bytes refused", n);
	return checked(malloc(n ? n : 1), n ? n : 1);
}

void *xcalloc(size_t nmemb, size_t size)
{
	if (size && nmemb > ALLOC_MAX / size)
		die("allocation of %zu x %zu bytes refused", nmemb, size);
	return checked(calloc(nmemb ? nmemb : 1, size ? size : 1), 1);
}

void *xrealloc(void *p, size_t n)
{
	if (n > ALLOC_MAX)
		die("allocation of %zu bytes refused", n);
	return checked(realloc(p, n ? n : 1), n ? n : 1);
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > ALLOC_MAX / size)
		die("allocation of %zu x %zu bytes refused", nmemb, size);
	return xrealloc(p, nmemb * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("xasprintf: bad format");
	char *s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}
