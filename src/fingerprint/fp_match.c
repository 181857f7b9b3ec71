/*
 * fp_match.c - match SYN records against the loaded p0f signatures.
 *
 * The rules are p0f 3.09b's (fp_tcp.c, tcp_find_match): only signatures
 * with the same option layout are candidates; the first exact specific
 * signature wins; otherwise the first generic one; otherwise the first
 * fuzzy one (TTL out of range, or quirks differing only by 'df'/'id+'
 * gone or 'id-'/'ecn' added; a fuzzy userland tool signature is dropped).
 * Distance, the window-size multiple (mss*N / mtu*N) and the raw signature
 * text are computed the same way, so mxsensor's raw_sig equals p0f's.
 *
 * Input is a struct syn built from untrusted packets: every field is taken
 * as a plain value, nothing is used as an index without a bound.
 */
#include "fingerprint/fp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "packet/parse.h"
#include "util/alloc.h"
#include "util/hash.h"

#define MIN_TCP4 40             /* IPv4 + TCP headers without options */
#define MIN_TCP6 60             /* IPv6 + TCP headers */

/* the quirks p0f knows (all SYN_Q_* bits) */
#define Q_ALL (SYN_Q_OPT_BAD * 2 - 1)

/* what the matcher compares: a packet, or a signature being loaded */
struct probe {
	int ver;                /* 4, 6; -1 for a "*" signature */
	int ttl, olen, mss, wscale, pclass, win;
	enum fp_win_type win_type; /* FP_WIN_NORMAL for packets */
	uint32_t quirks;
	int nopts;
	const uint8_t *olayout;
	int eol_pad;
	uint32_t ts1;
	int tot_hdr;
};

/* guess_dist - hops from a TTL to the usual initial TTL above it */
static int guess_dist(int ttl)
{
	if (ttl <= 32)
		return 32 - ttl;
	if (ttl <= 64)
		return 64 - ttl;
	if (ttl <= 128)
		return 128 - ttl;
	return 255 - ttl;
}

/*
 * win_multi - the N of "mss*N" / "mtu*N" when the window is such a
 * multiple (p0f's detect_win_multi, same order of tries), or -1.
 */
static int win_multi(const struct probe *p, bool *use_mtu)
{
	int win = p->win, mss = p->mss;
	if (!win || mss < 100 || p->win_type != FP_WIN_NORMAL)
		return -1;
#define TRY(div, mtu)                               \
	do {                                        \
		if (!(win % (div))) {               \
			*use_mtu = (mtu);           \
			return win / (div);         \
		}                                   \
	} while (0)
	TRY(mss, false);
	if (p->ts1)
		TRY(mss - 12, false);
	TRY(1500 - MIN_TCP4, false);
	TRY(1500 - MIN_TCP4 - 12, false);
	if (p->ver == 6) {
		TRY(1500 - MIN_TCP6, false);
		TRY(1500 - MIN_TCP6 - 12, false);
	}
	TRY(mss + MIN_TCP4, true);
	TRY(mss + p->tot_hdr, true);
	if (p->ver == 6)
		TRY(mss + MIN_TCP6, true);
	TRY(1500, true);
#undef TRY
	return -1;
}

enum try_result { NO_MATCH, MATCH, MATCH_FUZZY };

/* try_ref - compare one candidate signature (p0f's loop body) */
static enum try_result try_ref(const struct fp_entry *ref, const struct probe *p,
			       bool have_fmatch, int wmulti, bool use_mtu)
{
	const struct fp_sig *r = &ref->sig;
	bool fuzzy = false;

	if (r->nopts != p->nopts || memcmp(r->olayout, p->olayout, (size_t)p->nopts))
		return NO_MATCH;

	/* a "*" signature loses the quirks that the packet's IP version cannot have */
	uint32_t rq = r->quirks;
	if (r->ver == -1)
		rq &= p->ver == 4 ? ~SYN_Q_FLOW : ~(SYN_Q_DF | SYN_Q_NZ_ID | SYN_Q_ZERO_ID);
	if (rq != p->quirks) {
		uint32_t deleted = (rq ^ p->quirks) & rq, added = (rq ^ p->quirks) & p->quirks;
		if (have_fmatch || (deleted & ~(SYN_Q_DF | SYN_Q_NZ_ID)) ||
		    (added & ~(SYN_Q_ZERO_ID | SYN_Q_ECN)))
			return NO_MATCH;
		fuzzy = true;
	}

	if (r->eol_pad != p->eol_pad || r->olen != p->olen)
		return NO_MATCH;

	if (r->bad_ttl) {
		if (r->ittl < p->ttl)
			return NO_MATCH;
	} else if (r->ittl < p->ttl || r->ittl - p->ttl > FP_MAX_DIST) {
		fuzzy = true;
	}

	if (r->mss != -1 && r->mss != p->mss)
		return NO_MATCH;
	if (r->wscale != -1 && r->wscale != p->wscale)
		return NO_MATCH;
	if (r->pclass != -1 && r->pclass != p->pclass)
		return NO_MATCH;

	if (p->win_type != FP_WIN_NORMAL) {
		/* two signatures */
		if (r->win_type != p->win_type || r->win != p->win)
			return NO_MATCH;
	} else {
		switch (r->win_type) {
		case FP_WIN_NORMAL:
			if (r->win != p->win)
				return NO_MATCH;
			break;
		case FP_WIN_MOD:
			if (p->win % r->win)
				return NO_MATCH;
			break;
		case FP_WIN_MSS:
			if (use_mtu || r->win != wmulti)
				return NO_MATCH;
			break;
		case FP_WIN_MTU:
			if (!use_mtu || r->win != wmulti)
				return NO_MATCH;
			break;
		case FP_WIN_ANY:
			break;
		}
	}
	return fuzzy ? MATCH_FUZZY : MATCH;
}

bool fp_sig_covers(const struct fp_entry *ref, const struct fp_sig *s)
{
	struct probe p = {
		.ver = s->ver, .ttl = s->ittl, .olen = s->olen, .mss = s->mss,
		.wscale = s->wscale, .pclass = s->pclass, .win = s->win,
		.win_type = s->win_type, .quirks = s->quirks, .nopts = s->nopts,
		.olayout = s->olayout, .eol_pad = s->eol_pad,
	};
	bool use_mtu = false;
	int wm = win_multi(&p, &use_mtu);
	/* p0f only reports a duplicate for an exact, specific match */
	return !ref->generic && try_ref(ref, &p, false, wm, use_mtu) == MATCH;
}

/* tcp_hdr_len - the SYN's TCP header length; for a record built by hand
 * (tcp_hlen 0), the length its option layout implies */
static int tcp_hdr_len(const struct syn *s, int nopts)
{
	if (s->tcp_hlen)
		return s->tcp_hlen;
	int n = 20;
	for (int i = 0; i < nopts; i++) {
		switch (s->olayout[i]) {
		case TCPOPT_EOL: n += 1 + s->eol_pad; i = nopts; break;
		case TCPOPT_NOP: n += 1; break;
		case TCPOPT_MSS: n += 4; break;
		case TCPOPT_WS: n += 3; break;
		case TCPOPT_SOK: n += 2; break;
		case TCPOPT_TS: n += 10; break;
		case TCPOPT_SACK: n += 10; break;
		default: n += 2; break;   /* real length unknown here */
		}
	}
	n = (n + 3) & ~3;
	return n > 60 ? 60 : n;
}

/* make_key - every property p0f looks at, as fixed bytes */
static void make_key(const struct syn *s, struct fp_key *k)
{
	memset(k, 0, sizeof *k);
	int nopts = s->nopts;
	/* the quirks as packet_parse() computes them, p0f's 'ack+' included */
	k->quirks = s->quirks & Q_ALL;
	if (nopts > FP_MAX_OPTS) {
		/* p0f records 24 options and flags the rest as malformed */
		nopts = FP_MAX_OPTS;
		k->quirks |= SYN_Q_OPT_BAD;
	}
	k->ipver = s->ipver == 6 ? 6 : 4;
	k->ttl = s->ttl;
	k->olen = k->ipver == 4 ? s->ip_olen : 0;
	k->nopts = (uint8_t)nopts;
	memcpy(k->olayout, s->olayout, (size_t)nopts);
	k->eol_pad = s->eol_pad;
	k->wscale = s->wscale < 0 ? 0 : (uint8_t)s->wscale;
	k->ts1 = s->has_ts && s->tsval;
	k->pclass = s->payload_len > 0;
	k->mss = s->mss;
	k->win = s->win;
	k->tot_hdr = (uint16_t)((k->ipver == 4 ? 20 + k->olen : 40) + tcp_hdr_len(s, nopts));
}

/* raw_sig - p0f's dump_sig() text for a packet; the option layout and
 * quirks in packet/parse.h's p0f notation */
static void raw_sig(const struct probe *p, char *buf, size_t cap)
{
	char ol[FP_MAX_OPTS * 8], q[128];
	size_t n = 0;
#define PUT(...)                                                              \
	do {                                                                  \
		int w_ = snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__); \
		if (w_ > 0)                                                   \
			n += (size_t)w_;                                      \
	} while (0)
	int dist = guess_dist(p->ttl);
	if (dist > FP_MAX_DIST)
		PUT("%d:%d+?:%d:", p->ver, p->ttl, p->olen);
	else
		PUT("%d:%d+%d:%d:", p->ver, p->ttl, dist, p->olen);
	PUT("%d:", p->mss);
	bool use_mtu = false;
	int wm = win_multi(p, &use_mtu);
	if (wm > 0)
		PUT("%s*%d", use_mtu ? "mtu" : "mss", wm);
	else
		PUT("%d", p->win);
	PUT(",%d:", p->wscale);
	packet_options_format(p->olayout, (unsigned)p->nopts, (unsigned)p->eol_pad, ol, sizeof ol);
	packet_quirks_format(p->quirks, q, sizeof q);
	PUT("%s:%s:%s", ol, q, p->pclass ? "+" : "0");
#undef PUT
	if (n >= cap)
		buf[cap - 1] = 0;
}

/* compute - the verdict for one key (the memo's miss path) */
static void compute(struct fpdb *db, const struct fp_key *k, struct fp_verdict *v)
{
	struct probe p = {
		.ver = k->ipver, .ttl = k->ttl, .olen = k->olen, .mss = k->mss,
		.wscale = k->wscale, .pclass = k->pclass, .win = k->win,
		.win_type = FP_WIN_NORMAL, .quirks = k->quirks, .nopts = k->nopts,
		.olayout = k->olayout, .eol_pad = k->eol_pad, .ts1 = k->ts1,
		.tot_hdr = k->tot_hdr,
	};
	bool use_mtu = false;
	int wm = win_multi(&p, &use_mtu);
	const struct fp_entry *exact = NULL, *fmatch = NULL, *gmatch = NULL;

	for (size_t i = 0; i < db->nreq && !exact; i++) {
		const struct fp_entry *e = db->req[i];
		switch (try_ref(e, &p, fmatch != NULL, wm, use_mtu)) {
		case MATCH:
			if (!e->generic)
				exact = e;
			else if (!gmatch)
				gmatch = e;
			break;
		case MATCH_FUZZY:
			if (!fmatch)
				fmatch = e;
			break;
		case NO_MATCH:
			break;
		}
	}

	memset(v, 0, sizeof *v);
	const struct fp_entry *m = NULL;
	if (exact) {
		m = exact;
		v->kind = FP_EXACT;
		v->dist = m->sig.ittl - p.ttl;
	} else if (gmatch) {
		m = gmatch;
		v->kind = FP_GENERIC;
		v->dist = m->sig.ittl - p.ttl;
	} else if (fmatch && fmatch->userland) {
		/* p0f: no fuzzy matches for tools; it leaves dist at 0 then */
		v->kind = FP_NONE;
		v->dist = 0;
	} else {
		if (!fmatch || fmatch->sig.ittl < p.ttl ||
		    (!fmatch->sig.bad_ttl && fmatch->sig.ittl - p.ttl > FP_MAX_DIST))
			v->dist = guess_dist(p.ttl);
		else
			v->dist = fmatch->sig.ittl - p.ttl;
		if (fmatch) {
			m = fmatch;
			v->kind = FP_FUZZY;
			v->fuzzy = true;
		}
	}
	if (m) {
		v->entry = m;
		v->label = m->label;
		v->os_class = m->os_class;
		v->os_name = m->os_name;
		v->flavor = m->flavor;
		v->generic = m->generic;
		v->bad_ttl = m->sig.bad_ttl;
		v->userland = m->userland;
	}
	if (k->mss) {
		v->mtu = (unsigned)k->mss + (k->ipver == 4 ? MIN_TCP4 : MIN_TCP6);
		v->link = fpdb_mtu_link(db, v->mtu);
		if (!v->link)
			v->link = "???";
	}
	raw_sig(&p, v->raw_sig, sizeof v->raw_sig);
}

/* memo_grow - double the memo table (or create it) */
static void memo_grow(struct fpdb *db)
{
	size_t ncap = db->memo_cap ? db->memo_cap * 2 : 1024;
	struct fp_slot *nt = xcalloc(ncap, sizeof *nt);
	for (size_t i = 0; i < db->memo_cap; i++) {
		struct fp_slot *o = &db->memo[i];
		if (!o->v)
			continue;
		size_t j = o->hash & (ncap - 1);
		while (nt[j].v)
			j = (j + 1) & (ncap - 1);
		nt[j] = *o;
	}
	free(db->memo);
	db->memo = nt;
	db->memo_cap = ncap;
}

/* new_verdict - a verdict slot that stays put until fpdb_free */
static struct fp_verdict *new_verdict(struct fpdb *db)
{
	if (!db->nvblocks || db->vblock_used == FP_VBLOCK) {
		GROW(db->vblocks, db->nvblocks + 1, db->capvblocks);
		db->vblocks[db->nvblocks++] = xmalloc(FP_VBLOCK * sizeof(struct fp_verdict));
		db->vblock_used = 0;
	}
	return &db->vblocks[db->nvblocks - 1][db->vblock_used++];
}

const struct fp_verdict *fp_match(struct fpdb *db, const struct syn *s)
{
	struct fp_key k;
	make_key(s, &k);
	uint64_t h = hash_bytes(&k, sizeof k);

	if (db->memo_cap) {
		size_t j = h & (db->memo_cap - 1);
		while (db->memo[j].v) {
			if (db->memo[j].hash == h && !memcmp(&db->memo[j].key, &k, sizeof k))
				return db->memo[j].v;
			j = (j + 1) & (db->memo_cap - 1);
		}
	}
	if (db->memo_used >= FP_MEMO_MAX) {
		compute(db, &k, &db->scratch);
		return &db->scratch;
	}
	if ((db->memo_used + 1) * 2 > db->memo_cap)
		memo_grow(db);
	struct fp_verdict *v = new_verdict(db);
	compute(db, &k, v);
	size_t j = h & (db->memo_cap - 1);
	while (db->memo[j].v)
		j = (j + 1) & (db->memo_cap - 1);
	db->memo[j].hash = h;
	db->memo[j].key = k;
	db->memo[j].v = v;
	db->memo_used++;
	return v;
}

bool fp_memo_full(const struct fpdb *db) { return db->memo_used >= FP_MEMO_MAX; }
size_t fp_memo_size(const struct fpdb *db) { return db->memo_used; }

const char *fp_kind_name(enum fp_kind k)
{
	switch (k) {
	case FP_EXACT: return "exact";
	case FP_GENERIC: return "generic";
	case FP_FUZZY: return "fuzzy";
	case FP_NONE: break;
	}
	return "none";
}

const char *fp_os_family(const struct fp_verdict *v)
{
	if (!v || v->kind == FP_NONE || !v->os_name)
		return "Unknown";
	const char *n = v->os_name;
	if (v->userland)
		return "Other";
	if (!strncasecmp(n, "Windows", 7))
		return "Windows";
	if (!strncasecmp(n, "Linux", 5))
		return "Linux";
	if (!strcasecmp(n, "Mac OS X") || !strcasecmp(n, "MacOS X") ||
	    !strncasecmp(n, "Mac OS", 6) || !strcasecmp(n, "iOS"))
		return "Mac OS X";
	if (strstr(n, "BSD"))
		return "BSD";
	return "Other";
}
