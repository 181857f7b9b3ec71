/*
 * sort.h - an in-place sort for big arrays.
 *
 * glibc's qsort (before 2.37) merge-sorts through a temporary copy of the
 * whole array whenever that fits in a quarter of the RAM: on the large
 * arrays of the decision engine that copy was the peak of the run's
 * memory.  sort_inplace is an introsort (quicksort with a median of
 * three, insertion sort for short runs, heapsort when the recursion goes
 * too deep): O(n log n), no allocation, not stable (callers' orders are
 * total, or their ties interchangeable).
 */
#ifndef MX_SORT_H
#define MX_SORT_H

#include <stddef.h>

/* sort_inplace - as qsort(3); elements of at most 64 bytes */
void sort_inplace(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* sort_heap - its fallback alone: heapsort, O(n log n) whatever the input */
void sort_heap(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
