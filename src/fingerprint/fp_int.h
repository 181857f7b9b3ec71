/*
 * fp_int.h - private to src/fingerprint/: the database layout shared by
 * the loader (fp_db.c) and the matcher (fp_match.c).
 */
#ifndef MX_FP_INT_H
#define MX_FP_INT_H

#include "fingerprint/fp.h"

struct fp_mtu_sig {
	unsigned mtu;
	const char *label;
};

/* memo key: every packet property p0f's matcher and raw_sig look at */
struct fp_key {
	uint8_t ipver, ttl, olen, nopts;
	uint8_t eol_pad, wscale, ts1, pclass;
	uint16_t mss, win, tot_hdr, pad_;
	uint32_t quirks;
	uint8_t olayout[FP_MAX_OPTS];
};

struct fp_slot {
	uint64_t hash;
	struct fp_verdict *v;   /* NULL = empty */
	struct fp_key key;
};

#define FP_VBLOCK 1024      /* verdicts per allocation block */

struct fpdb {
	struct fp_entry **req;  /* [tcp:request] in load order */
	size_t nreq, capreq;
	struct fp_entry **resp; /* [tcp:response]: checked, kept for dupes only */
	size_t nresp, capresp;
	struct fp_mtu_sig *mtus;
	size_t nmtus, capmtus;
	char **classes;
	size_t nclasses, capclasses;
	char **names;           /* OS / tool names, first spelling kept */
	size_t nnames, capnames;
	char **strs;            /* other owned strings (labels, flavors, files) */
	size_t nstrs, capstrs;

	struct fp_slot *memo;   /* open addressing, power-of-two size */
	size_t memo_cap, memo_used;
	struct fp_verdict **vblocks;
	size_t nvblocks, capvblocks, vblock_used;
	struct fp_verdict scratch; /* used once the memo is full */
};

/*
 * fp_sig_covers - p0f's duplicate check: true when ref already matches
 * everything sig would (same layout, quirks, TTL in range, fields equal or
 * wildcarded alike); only specific (non-generic) refs count.
 */
bool fp_sig_covers(const struct fp_entry *ref, const struct fp_sig *sig);

#endif
