/*
 * wire.h - bounded reader over untrusted bytes.
 *
 * struct wire holds [p, end).  Every getter checks the remaining length
 * first and returns false (leaving the reader unchanged) when the bytes are
 * not there, so a parser never reads past what was captured.  Multi-byte
 * values are read big-endian (network order) byte by byte: no alignment is
 * assumed.  Invariant: p <= end.
 */
#ifndef MX_WIRE_H
#define MX_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wire {
	const uint8_t *p;
	const uint8_t *end;
};

static inline struct wire wire_make(const void *buf, size_t len)
{
	/* no arithmetic on NULL, even + 0 (undefined in C) */
	struct wire w = { (const uint8_t *)buf, (const uint8_t *)buf };
	if (len)
		w.end += len;
	return w;
}

static inline size_t wire_left(const struct wire *w)
{
	return (size_t)(w->end - w->p);
}

static inline bool wire_skip(struct wire *w, size_t n)
{
	if (wire_left(w) < n)
		return false;
	w->p += n;
	return true;
}

static inline bool wire_get_u8(struct wire *w, uint8_t *v)
{
	if (wire_left(w) < 1)
		return false;
	*v = w->p[0];
	w->p += 1;
	return true;
}

static inline bool wire_get_u16(struct wire *w, uint16_t *v)
{
	if (wire_left(w) < 2)
		return false;
	*v = (uint16_t)(w->p[0] << 8 | w->p[1]);
	w->p += 2;
	return true;
}

static inline bool wire_get_u32(struct wire *w, uint32_t *v)
{
	if (wire_left(w) < 4)
		return false;
	*v = (uint32_t)w->p[0] << 24 | (uint32_t)w->p[1] << 16 |
	     (uint32_t)w->p[2] << 8 | (uint32_t)w->p[3];
	w->p += 4;
	return true;
}

static inline bool wire_get_bytes(struct wire *w, void *dst, size_t n)
{
	if (wire_left(w) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = w->p[i];
	w->p += n;
	return true;
}

/* wire_get_uvarint - an unsigned LEB128 number of at most 64 bits (7
 * bits a byte, low first; at most 10 bytes, the 10th 0 or 1) */
static inline bool wire_get_uvarint(struct wire *w, uint64_t *v)
{
	uint64_t x = 0;
	for (size_t i = 0; i < 10 && i < wire_left(w); i++) {
		uint8_t b = w->p[i];
		if (i == 9 && b > 1)
			return false;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			w->p += i + 1;
			return true;
		}
	}
	return false;
}

/* wire_sub - split off the next n bytes as their own reader */
static inline bool wire_sub(struct wire *w, size_t n, struct wire *sub)
{
	if (wire_left(w) < n)
		return false;
	sub->p = w->p;
	sub->end = w->p + n;
	w->p += n;
	return true;
}

/* little-endian peeks for headers that use host order (DLT_NULL, pcap) */
static inline bool wire_get_u32le(struct wire *w, uint32_t *v)
{
	if (wire_left(w) < 4)
		return false;
	*v = (uint32_t)w->p[3] << 24 | (uint32_t)w->p[2] << 16 |
	     (uint32_t)w->p[1] << 8 | (uint32_t)w->p[0];
	w->p += 4;
	return true;
}

#endif
