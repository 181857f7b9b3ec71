/*
 * num.h - numbers from text with explicit ranges (strtonum(3) in spirit).
 *
 * Each returns 0 and stores the value, or -1 when the text is not a whole
 * number/duration or lies outside [lo, hi]; *out is untouched on failure.
 */
#ifndef MX_NUM_H
#define MX_NUM_H

#include <stdint.h>

int num_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
int num_long(const char *s, long lo, long hi, long *out);
int num_double(const char *s, double lo, double hi, double *out);
/* num_duration_ns - "25", "25s", "1.5s", "300ms", "10m", "2h", "7d" -> ns */
int num_duration_ns(const char *s, int64_t lo, int64_t hi, int64_t *out);

#endif
