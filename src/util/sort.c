/*
 * sort.c - introsort without allocation (sort.h).
 */
#include "util/sort.h"

#include <string.h>

#include "util/log.h"

typedef int (*cmp_fn)(const void *, const void *);

#define SORT_MAX_SIZE 64
#define SORT_SMALL 16

static void swap(char *a, char *b, size_t size)
{
	char t[SORT_MAX_SIZE];
	memcpy(t, a, size);
	memcpy(a, b, size);
	memcpy(b, t, size);
}

static void sift_down(char *base, size_t root, size_t n, size_t size, cmp_fn cmp)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		swap(base + root * size, base + child * size, size);
		root = child;
	}
}

static void heap_sort(char *base, size_t n, size_t size, cmp_fn cmp)
{
	if (n < 2)
		return;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(base, i, n, size, cmp);
	for (size_t end = n; end-- > 1;) {
		swap(base, base + end * size, size);
		sift_down(base, 0, end, size, cmp);
	}
}

static void insertion_sort(char *base, size_t n, size_t size, cmp_fn cmp)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp(base + (j - 1) * size, base + j * size) > 0; j--)
			swap(base + (j - 1) * size, base + j * size, size);
}

static void intro(char *base, size_t n, size_t size, cmp_fn cmp, unsigned depth)
{
	char pv[SORT_MAX_SIZE];
	while (n > SORT_SMALL) {
		if (depth-- == 0) {
			heap_sort(base, n, size, cmp);
			return;
		}
		/* the median of the first, middle and last as the pivot; it
		 * and the two around it bound both scans below */
		char *a = base, *m = base + (n / 2) * size, *z = base + (n - 1) * size;
		if (cmp(m, a) < 0)
			swap(m, a, size);
		if (cmp(z, m) < 0) {
			swap(z, m, size);
			if (cmp(m, a) < 0)
				swap(m, a, size);
		}
		memcpy(pv, m, size);
		/* Hoare's partition: [0, j] <= pivot <= [i, n) */
		size_t i = 0, j = n - 1;
		for (;;) {
			while (cmp(base + i * size, pv) < 0)
				i++;
			while (cmp(pv, base + j * size) < 0)
				j--;
			if (i >= j)
				break;
			swap(base + i * size, base + j * size, size);
			i++;
			j--;
		}
		/* [0, j] and [j + 1, n): the smaller one by recursion */
		size_t left = j + 1, right = n - left;
		if (left < right) {
			intro(base, left, size, cmp, depth);
			base += left * size;
			n = right;
		} else {
			intro(base + left * size, right, size, cmp, depth);
			n = left;
		}
	}
	insertion_sort(base, n, size, cmp);
}

void sort_inplace(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (size > SORT_MAX_SIZE || !size)
		BUG("sort_inplace: %zu-byte elements", size);
	if (n < 2)
		return;
	unsigned depth = 0;
	for (size_t k = n; k; k >>= 1)
		depth += 2;
	intro(base, n, size, cmp, depth);
}

void sort_heap(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (size > SORT_MAX_SIZE || !size)
		BUG("sort_heap: %zu-byte elements", size);
	heap_sort(base, n, size, cmp);
}
