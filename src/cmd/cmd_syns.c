/*
 * cmd_syns.c - `mxsensor syns`: print the SYN records of capture files.
 *
 * Options, then one loop per file over pcapin_next() (packet/reader.h);
 * output is CSV (RFC 4180 quoting) or JSON lines on stdout.  A damaged
 * file keeps every record read before the damage, then gets one error
 * line; the other files still run; the exit status is then 1.  With
 * --os each record gets fp_match()'s verdict (fingerprint/fp.h) as extra
 * columns.  Lines are built in a buffer (struct out), text escaped with
 * util/out.h's out_csv_escape()/out_json_escape(); CSV lines without the
 * per-column calls (print_csv).  A second thread reads and parses the
 * file while this one formats (struct feed); the IPv6 source addresses'
 * text is made by whichever of the two has time to spare (feed.share).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "fingerprint/fp.h"
#include "packet/parse.h"
#include "packet/reader.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/num.h"
#include "util/out.h"
#include "util/replace.h"

const char cmd_syns_summary[] = "print the TCP SYNs of pcap/pcapng files (CSV, JSON lines)";

const char cmd_syns_usage[] =
	"usage: mxsensor syns [--port N | --all-ports] [--format csv|jsonl]\n"
	"                     [--no-header] [--stats] [--os [--fp-db FILE]...]\n"
	"                     [--output FILE] FILE...\n"
	"\n"
	"Print one record per TCP SYN (SYN set, ACK clear) found in pcap or\n"
	"pcapng capture files.  FILE may be gzip'd; '-' reads standard input.\n"
	"\n"
	"Options:\n"
	"  -p, --port N       only SYNs to destination port N (1-65535; default 25)\n"
	"  -a, --all-ports    SYNs to any port\n"
	"  -f, --format FMT   csv (default) or jsonl (one JSON object per line)\n"
	"  -H, --no-header    no CSV header line\n"
	"  -s, --stats        per file, counts of what the packets were, on stderr\n"
	"  -o, --os           add the passive OS fingerprint columns (p0f 3.09b's\n"
	"                     verdicts from its signature database)\n"
	"  -d, --fp-db FILE   p0f.fp signature file; repeat to add files, later ones\n"
	"                     add signatures (default /etc/p0f/p0f.fp); implies --os\n"
	"      --output FILE  write FILE instead of stdout, replacing it whole once\n"
	"                     every capture is read (a failed run keeps the old one)\n"
	"\n"
	"Columns (CSV header names = JSON keys):\n"
	"  time        capture time, seconds.fraction since the epoch, 6 or 9\n"
	"              digits as the file records (JSON: a string)\n"
	"  family      4 or 6 (of the IP header carrying the TCP)\n"
	"  src sport dst dport   addresses (RFC 5952) and ports\n"
	"  ttl tos flow          TTL / hop limit, TOS / traffic class byte,\n"
	"                        IPv6 flow label (0 for IPv4)\n"
	"  ipid df ip_olen       IPv4 ID, don't-fragment (0/1), IPv4 options bytes\n"
	"  win                   TCP window (unscaled)\n"
	"  mss wscale            MSS and window scale; empty (null) when absent\n"
	"  sackok                1 when SACK permitted was offered\n"
	"  tsval tsecr           TCP timestamps; empty (null) when absent\n"
	"  olayout               TCP option layout in p0f notation\n"
	"                        (mss,nop,ws,nop,nop,sok; eol+N; ?K unknown kind K)\n"
	"  quirks                p0f quirks, comma list (df,id+,id-,ecn,0+,flow,\n"
	"                        seq-,ack+,ack-,uptr+,urgf+,pushf+,ts1-,ts2+,opt+,\n"
	"                        exws,bad)\n"
	"  payload_len           TCP payload bytes the IP header declares\n"
	"  tunnelled             1 when inside 6in4, 4in6 or 6in6\n"
	"  file packet           input file name and 1-based packet number\n"
	"With --os, then:\n"
	"  os                    p0f label (\"Linux 3.11 and newer\"); empty (null)\n"
	"                        when no signature matches (p0f's ?\?\?)\n"
	"  os_class os_family    signature class (win, unix, other; ! = a tool such\n"
	"                        as NMap) and coarse family (Windows, Linux, Mac OS X,\n"
	"                        BSD, Other, Unknown)\n"
	"  os_match              exact, generic, fuzzy or none\n"
	"  os_flags              p0f's params: generic, fuzzy, random_ttl (space list)\n"
	"  os_dist               hops from the sender (p0f's dist)\n"
	"  os_link               link type from the MSS ([mtu] label; ?\?\? unknown);\n"
	"                        empty (null) without MSS\n"
	"  raw_sig               p0f's raw signature of the SYN\n"
	"                        (4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0)\n"
	"\n"
	"Exit status: 0 all files read; 1 a file could not be opened or is\n"
	"damaged (records before the damage are printed, then\n"
	"'mxsensor: FILE: packet N: what'), or the output could not be\n"
	"written; 2 usage error, or a signature file that does not load\n"
	"('mxsensor: FILE:LINE: what').\n"
	"\n"
	"Examples:\n"
	"  mxsensor syns examples/sample-syns.pcap\n"
	"  mxsensor syns --all-ports --format jsonl capture.pcapng.gz\n"
	"  mxsensor syns --os --fp-db /etc/p0f/p0f.fp --fp-db local.fp capture.pcap\n"
	"  tcpdump -w - -i eth0 'tcp[13] & 18 == 2' | mxsensor syns -\n";

enum fmt { FMT_CSV, FMT_JSONL };
enum { OPT_OUTPUT = 256 };

static const char *const columns[] = {
	"time", "family", "src", "sport", "dst", "dport", "ttl", "tos", "flow",
	"ipid", "df", "ip_olen", "win", "mss", "wscale", "sackok", "tsval",
	"tsecr", "olayout", "quirks", "payload_len", "tunnelled", "file", "packet",
	/* with --os only, after the others */
	"os", "os_class", "os_family", "os_match", "os_flags", "os_dist", "os_link", "raw_sig",
};
#define NCOLS_BASE 24        /* the columns without --os */
#define NCOLS (sizeof(columns) / sizeof(columns[0]))
_Static_assert(NCOLS == NCOLS_BASE + 8, "the --os columns are the last 8");

/* struct out - one output line being built; flushed to the stream
 * before the (separately escaped) file name */
struct out {
	FILE *f;
	enum fmt fmt;
	int col;
	size_t n;
	char b[4096];
};

static void o_raw(struct out *o, const char *s, size_t n)
{
	if (n > sizeof(o->b) - o->n) {
		fwrite(o->b, 1, o->n, o->f);
		o->n = 0;
		if (n > sizeof(o->b)) {
			fwrite(s, 1, n, o->f);
			return;
		}
	}
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

static void o_str(struct out *o, const char *s)
{
	o_raw(o, s, strlen(s));
}

/* o_key - the separator before column o->col, and its JSON key */
static void o_key(struct out *o)
{
	if (o->fmt == FMT_CSV) {
		if (o->col)
			o_raw(o, ",", 1);
	} else {
		o_str(o, o->col ? ",\"" : "{\"");
		o_str(o, columns[o->col]);
		o_raw(o, "\":", 2);
	}
	o->col++;
}

static size_t utoa(char *buf, uint64_t v)
{
	char t[24];
	size_t n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	return n;
}

static void o_uint(struct out *o, uint64_t v)
{
	char t[24];
	o_key(o);
	o_raw(o, t, utoa(t, v));
}

static void o_null(struct out *o)
{
	o_key(o);
	if (o->fmt == FMT_JSONL)
		o_raw(o, "null", 4);
}

/* o_text - a text column; the caller passes text already escaped for the
 * format (escape_text()) or text that needs none */
static void o_text(struct out *o, const char *s)
{
	o_key(o);
	o_str(o, s);
}

/* escape_text - s as one CSV field (RFC 4180: quoted when it holds , " CR
 * LF) or as a JSON string (bytes >= 0x80 pass through: UTF-8); malloc'd */
static char *escape_text(const char *s, enum fmt fmt)
{
	char *r = xmalloc(OUT_ESC_MAX(strlen(s)));
	if (fmt == FMT_CSV)
		out_csv_escape(r, s);
	else
		out_json_escape(r, s);
	return r;
}

/* o_esc - a text column escaped for the format, built in the line buffer */
static void o_esc(struct out *o, const char *s)
{
	size_t need = OUT_ESC_MAX(strlen(s));
	o_key(o);
	if (need > sizeof(o->b) - o->n) {
		fwrite(o->b, 1, o->n, o->f);
		o->n = 0;
	}
	if (need > sizeof(o->b)) {
		char *e = escape_text(s, o->fmt);
		o_str(o, e);
		free(e);
		return;
	}
	o->n += o->fmt == FMT_CSV ? out_csv_escape(o->b + o->n, s)
				  : out_json_escape(o->b + o->n, s);
}

/* o_opt_esc - o_esc, or null when s is NULL */
static void o_opt_esc(struct out *o, const char *s)
{
	if (s)
		o_esc(o, s);
	else
		o_null(o);
}

/* o_verdict - the --os columns of one SYN */
static void o_verdict(struct out *o, const struct fp_verdict *fv)
{
	char flags[32];
	o_opt_esc(o, fv->label);
	o_opt_esc(o, fv->os_class);
	o_esc(o, fp_os_family(fv));
	o_esc(o, fp_kind_name(fv->kind));
	snprintf(flags, sizeof(flags), "%s%s%s", fv->generic ? " generic" : "",
		 fv->fuzzy ? " fuzzy" : "", fv->bad_ttl ? " random_ttl" : "");
	o_esc(o, flags + (flags[0] == ' '));
	if (fv->dist < 0) {
		char d[16];
		snprintf(d, sizeof(d), "%d", fv->dist);
		o_key(o);
		o_str(o, d);
	} else {
		o_uint(o, (uint64_t)fv->dist);
	}
	o_opt_esc(o, fv->link);
	o_esc(o, fv->raw_sig);
}

/* o_time - "seconds.fraction" with prec (6 or 9) digits */
static void o_time(struct out *o, int64_t ns, int prec)
{
	char t[48];
	size_t n = 0;
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t sec = a / 1000000000, frac = a % 1000000000;
	int digits = prec == 9 ? 9 : 6;
	if (digits == 6)
		frac /= 1000;
	if (o->fmt == FMT_JSONL)
		t[n++] = '"';
	if (ns < 0)
		t[n++] = '-';
	n += utoa(t + n, sec);
	t[n++] = '.';
	for (int i = digits - 1; i >= 0; i--) {
		t[n + (size_t)i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	n += (size_t)digits;
	if (o->fmt == FMT_JSONL)
		t[n++] = '"';
	o_key(o);
	o_raw(o, t, n);
}

/* --- CSV lines without the per-column machinery (the common case: a
 * year of captures through `syns`) --- */

/* dec_len - the number of decimal digits of v: the bit length gives
 * log10 to within one (1233 / 4096 ~ log10 2), one comparison settles it */
static inline size_t dec_len(uint64_t v)
{
	static const uint64_t pow10[] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
		1000000000, UINT64_C(10000000000), UINT64_C(100000000000),
		UINT64_C(1000000000000), UINT64_C(10000000000000),
		UINT64_C(100000000000000), UINT64_C(1000000000000000),
		UINT64_C(10000000000000000), UINT64_C(100000000000000000),
		UINT64_C(1000000000000000000), UINT64_C(10000000000000000000),
	};
	unsigned t = ((unsigned)(64 - __builtin_clzll(v | 1)) * 1233) >> 12;
	return t + 1 - (v < pow10[t]) + (v == 0);
}

static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* put_fixed - v (< 10^digits) in exactly `digits` digits, zero-padded */
static inline char *put_fixed(char *p, uint32_t v, int digits)
{
	char *e = p + digits;
	for (int i = digits; i >= 2; i -= 2) {
		unsigned r = v % 100;
		v /= 100;
		*--e = digit_pairs[2 * r + 1];
		*--e = digit_pairs[2 * r];
	}
	if (digits & 1)
		*--e = (char)('0' + v);
	return p + digits;
}

/* put_u - decimal, two digits per step, written in place */
static inline char *put_u(char *p, uint64_t v)
{
	const char *d2 = digit_pairs;
	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100) {   /* most columns: TTL, flags, counts, scales */
		memcpy(p, d2 + 2 * v, 2);
		return p + 2;
	}
	size_t n = dec_len(v);
	char *e = p + n;
	if (v > UINT32_MAX) {
		while (v > UINT32_MAX) {
			unsigned r = (unsigned)(v % 100);
			v /= 100;
			*--e = d2[2 * r + 1];
			*--e = d2[2 * r];
		}
	}
	uint32_t w = (uint32_t)v;   /* 32-bit divisions from here */
	while (w >= 100) {
		unsigned r = w % 100;
		w /= 100;
		*--e = d2[2 * r + 1];
		*--e = d2[2 * r];
	}
	if (w >= 10) {
		*--e = d2[2 * w + 1];
		*--e = d2[2 * w];
	} else {
		*--e = (char)('0' + w);
	}
	return p + n;
}

/* put_list - the names of a comma-separated list column, quoted when it
 * holds a comma (RFC 4180) */
static char *put_list(char *p, const char *const *names, const uint8_t *lens, size_t n)
{
	if (n > 1)
		*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		memcpy(p, names[i], lens[i]);
		p += lens[i];
	}
	if (n > 1)
		*p++ = '"';
	return p;
}

/* csv_base - the columns before `file`, each followed by a comma, into p
 * (room for CSV_BASE_MAX bytes); the same text print_syn writes */
#define CSV_BASE_MAX 1024   /* the longest is about 640 bytes */

/* struct addr_memo - the last destination address of a family and its
 * text: a sensor's captures hold one IPv4 and one IPv6 destination, so
 * each is formatted once instead of once a record */
struct addr_memo {
	struct addr a;
	size_t n;                   /* 0: nothing yet */
	char t[ADDR_STRLEN];
};
_Static_assert(sizeof(struct addr) == 17, "struct addr compared with memcmp");

/* struct src_text - a record's IPv6 source address as text, made by the
 * reading thread: it balances the two threads' work (IPv4 addresses,
 * cheap to format, are left to the formatting thread) */
struct src_text {
	uint8_t n;                  /* 0: not made */
	char t[ADDR_STRLEN];
};

/* struct text_memo - a column's text by the bytes it is made of (olayout,
 * quirks); MEMO_SLOTS of each, direct-mapped */
#define MEMO_SLOTS 32
struct text_memo {
	uint8_t klen;               /* 0: empty */
	uint8_t key[SYN_MAX_OPTS + 2];
	uint16_t n;
	char t[344];
};

/* put_olayout - the olayout column: at most 40 names of at most 7 bytes
 * ("eol+255", "?255") */
static char *put_olayout(char *p, const struct syn *s, size_t n)
{
	static const char *const opt_names[] = {
		[TCPOPT_NOP] = "nop", [TCPOPT_MSS] = "mss", [TCPOPT_WS] = "ws",
		[TCPOPT_SOK] = "sok", [TCPOPT_SACK] = "sack", [TCPOPT_TS] = "ts",
	};
	static const uint8_t opt_lens[] = {
		[TCPOPT_NOP] = 3, [TCPOPT_MSS] = 3, [TCPOPT_WS] = 2,
		[TCPOPT_SOK] = 3, [TCPOPT_SACK] = 4, [TCPOPT_TS] = 2,
	};
	char names[SYN_MAX_OPTS][8];
	const char *np[SYN_MAX_OPTS];
	uint8_t nl[SYN_MAX_OPTS];
	for (size_t i = 0; i < n; i++) {
		uint8_t k = s->olayout[i];
		if (k < sizeof opt_names / sizeof *opt_names && opt_names[k]) {
			np[i] = opt_names[k];
			nl[i] = opt_lens[k];
			continue;
		}
		char *e = names[i];
		if (k == TCPOPT_EOL) {
			memcpy(e, "eol+", 4);
			e = put_u(e + 4, s->eol_pad);
		} else {
			*e++ = '?';
			e = put_u(e, k);
		}
		np[i] = names[i];
		nl[i] = (uint8_t)(e - names[i]);
	}
	return put_list(p, np, nl, n);
}

/* put_quirks - the quirks column */
static char *put_quirks(char *p, uint32_t quirks)
{
	const char *qp[32];
	uint8_t ql[32];
	size_t n = 0;
	for (uint32_t q = quirks; q; q &= q - 1) {
		if ((qp[n] = packet_quirk_name((unsigned)__builtin_ctz(q)))) {
			ql[n] = (uint8_t)strlen(qp[n]);
			n++;
		}
	}
	return put_list(p, qp, ql, n);
}

/* memo_slot - the slot for a key summed up in one word w: a miss only
 * costs the text being made again */
static struct text_memo *memo_slot(struct text_memo *tab, uint64_t w)
{
	uint64_t h = w * UINT64_C(0x9e3779b97f4a7c15);
	return &tab[(h >> 32) & (MEMO_SLOTS - 1)];
}

static void memo_fill(struct text_memo *m, const uint8_t *key, size_t klen, const char *t,
		      size_t n)
{
	if (n > sizeof m->t) {
		m->klen = 0;   /* too long to keep: never matches */
		return;
	}
	memcpy(m->key, key, klen);
	m->klen = (uint8_t)klen;
	memcpy(m->t, t, n);
	m->n = (uint16_t)n;
}

/* struct csv_memo - what csv_base remembers from one line to the next */
struct csv_memo {
	struct addr_memo dst[2];    /* the last destinations' text */
	struct text_memo text[2 * MEMO_SLOTS]; /* olayout, quirks */
	uint64_t sec;               /* the last timestamp's whole seconds */
	uint8_t sec_n;              /* 0: none yet */
	char sec_t[24];             /* their text, with the sign */
};

static size_t csv_base(char *p0, const struct syn *s, const struct src_text *src,
		       struct csv_memo *cm)
{
	char *p = p0;
	uint64_t a = s->ts_ns < 0 ? (uint64_t)0 - (uint64_t)s->ts_ns : (uint64_t)s->ts_ns;
	uint64_t frac = a % 1000000000;
	int digits = s->ts_prec == 9 ? 9 : 6;
	if (digits == 6)
		frac /= 1000;
	/* the whole seconds: a sensor sees many SYNs a second, so their
	 * text is usually the last line's */
	uint64_t sec = a / 1000000000 << 1 | (s->ts_ns < 0);
	if (!cm->sec_n || cm->sec != sec) {
		char *q = cm->sec_t;
		if (s->ts_ns < 0)
			*q++ = '-';
		q = put_u(q, a / 1000000000);
		cm->sec = sec;
		cm->sec_n = (uint8_t)(q - cm->sec_t);
	}
	memcpy(p, cm->sec_t, sizeof cm->sec_t);   /* 24 bytes: one copy, no length */
	p += cm->sec_n;
	*p++ = '.';
	p = put_fixed(p, (uint32_t)frac, digits);
	*p++ = ',';
	p = put_u(p, s->ipver);
	*p++ = ',';
	if (src && src->n) {
		memcpy(p, src->t, src->n);
		p += src->n;
	} else {
		p += addr_format_n(&s->src, p);
	}
	*p++ = ',';
	p = put_u(p, s->sport);
	*p++ = ',';
	struct addr_memo *dst = cm->dst + (s->dst.family == 6);   /* one per family */
	if (!dst->n || memcmp(&dst->a, &s->dst, sizeof dst->a) != 0) {
		dst->a = s->dst;
		dst->n = addr_format_n(&s->dst, dst->t);
	}
	memcpy(p, dst->t, dst->n);
	p += dst->n;
	*p++ = ',';
	/* one call per column, not a loop over them: each column's values
	 * have their own size, which the branches of put_u learn per site */
#define COL(v) do { p = put_u(p, (v)); *p++ = ','; } while (0)
	COL(s->dport);
	COL(s->ttl);
	COL(s->tos);
	COL(s->flow);
	COL(s->ipid);
	COL(s->df);
	COL(s->ip_olen);
	COL(s->win);
#undef COL
	if (s->has_mss)
		p = put_u(p, s->mss);
	*p++ = ',';
	if (s->wscale >= 0)
		p = put_u(p, (uint64_t)s->wscale);
	*p++ = ',';
	p = put_u(p, s->sackok);
	*p++ = ',';
	if (s->has_ts) {
		p = put_u(p, s->tsval);
		*p++ = ',';
		p = put_u(p, s->tsecr);
	} else {
		*p++ = ',';
	}
	*p++ = ',';
	/* olayout, then quirks: a capture holds few distinct ones, so their
	 * text comes from the memo (the key is the bytes it is made of) */
	size_t n = s->nopts < SYN_MAX_OPTS ? s->nopts : SYN_MAX_OPTS;
	/* the slot from the first 8 option kinds (a fixed-size load: the
	 * array is SYN_MAX_OPTS long), their number and the padding */
	uint64_t w;
	_Static_assert(sizeof s->olayout >= sizeof w, "olayout");
	memcpy(&w, s->olayout, sizeof w);
	struct text_memo *m = memo_slot(cm->text, w ^ (uint64_t)n << 40 ^ (uint64_t)s->eol_pad << 48);
	/* the key, compared in place: n, the n kinds, the padding */
	if (m->klen == n + 2 && m->key[0] == n && m->key[n + 1] == s->eol_pad &&
	    memcmp(m->key + 1, s->olayout, n) == 0) {
		memcpy(p, m->t, m->n);
		p += m->n;
	} else {
		uint8_t key[SYN_MAX_OPTS + 2];
		key[0] = (uint8_t)n;
		memcpy(key + 1, s->olayout, n);
		key[n + 1] = s->eol_pad;
		char *q = p;
		p = put_olayout(p, s, n);
		memo_fill(m, key, n + 2, q, (size_t)(p - q));
	}
	*p++ = ',';
	m = memo_slot(cm->text + MEMO_SLOTS, s->quirks);
	if (m->klen == sizeof s->quirks && memcmp(m->key, &s->quirks, sizeof s->quirks) == 0) {
		memcpy(p, m->t, m->n);
		p += m->n;
	} else {
		char *q = p;
		p = put_quirks(p, s->quirks);
		memo_fill(m, (const uint8_t *)&s->quirks, sizeof s->quirks, q, (size_t)(p - q));
	}
	*p++ = ',';
	p = put_u(p, s->payload_len);
	*p++ = ',';
	p = put_u(p, s->tunnelled);
	*p++ = ',';
	return (size_t)(p - p0);
}

/* struct sink - how one file's records are printed */
#define SINK_BUF (1 << 16)
struct sink {
	enum fmt fmt;
	const char *file_esc;       /* escape_text(file) */
	size_t file_len;
	struct fpdb *db;            /* --os, or NULL */
	struct csv_memo memo;       /* CSV: text kept from line to line */
	FILE *f;                    /* the output (stdout or --output) */
	int fd;                     /* its descriptor */
	char *b;                    /* CSV: lines not yet given to fd */
	size_t n;
	bool werr;                  /* a write failed */
	int werrno;                 /* why */
};

/* sink_flush - the buffered lines to the output, with write(2): stdio
 * would only copy them once more */
static void sink_flush(struct sink *k)
{
	if (!k->n)
		return;
	fflush(k->f);   /* what went before through stdio (the header) */
	for (size_t off = 0; off < k->n && !k->werr;) {
		ssize_t w = write(k->fd, k->b + off, k->n - off);
		if (w > 0) {
			off += (size_t)w;
		} else if (w < 0 && errno != EINTR) {
			k->werr = true;
			k->werrno = errno;
		}
	}
	k->n = 0;
}

/* print_csv - print_syn for CSV: the same line */
static void print_csv(struct sink *k, const struct syn *s, const struct src_text *src,
		      const struct fp_verdict *fv)
{
	if (!fv && k->file_len < SINK_BUF / 4) {
		/* the common case: the line is written straight into the
		 * sink's buffer, which goes to stdout 64 KB at a time */
		_Static_assert(SINK_BUF / 4 > CSV_BASE_MAX + 32, "sink buffer");
		if (SINK_BUF - k->n < CSV_BASE_MAX + k->file_len + 32)
			sink_flush(k);
		char *p = k->b + k->n;
		p += csv_base(p, s, src, &k->memo);
		memcpy(p, k->file_esc, k->file_len);
		p += k->file_len;
		*p++ = ',';
		p = put_u(p, s->pkt_no);
		*p++ = '\n';
		k->n = (size_t)(p - k->b);
		return;
	}
	sink_flush(k);
	struct out o;   /* not zeroed: 4 KB per line would be a tenth of the time */
	o.f = k->f;
	o.fmt = FMT_CSV;
	_Static_assert(sizeof o.b > CSV_BASE_MAX, "line buffer");
	o.n = csv_base(o.b, s, src, &k->memo);
	o.col = NCOLS_BASE - 2;
	o_raw(&o, k->file_esc, k->file_len);
	o.col++;
	o_uint(&o, s->pkt_no);
	if (fv)
		o_verdict(&o, fv);
	o_raw(&o, "\n", 1);
	fwrite(o.b, 1, o.n, k->f);
}

/* print_syn - one record, in columns[] order; file_esc = escape_text(file);
 * fv = the fingerprint verdict for the --os columns, or NULL */
static void print_syn(FILE *f, enum fmt fmt, const struct syn *s, const char *file_esc,
		      const struct fp_verdict *fv)
{
	struct out o;   /* the line buffer is not zeroed */
	o.f = f;
	o.fmt = fmt;
	o.col = 0;
	o.n = 0;
	char a[ADDR_STRLEN + 2], t[256];
	bool js = fmt == FMT_JSONL;

	o_time(&o, s->ts_ns, s->ts_prec);
	o_uint(&o, s->ipver);
	a[0] = '"';
	addr_format(&s->src, a + 1);
	if (js)
		strcat(a, "\"");
	o_text(&o, js ? a : a + 1);
	o_uint(&o, s->sport);
	addr_format(&s->dst, a + 1);
	if (js)
		strcat(a, "\"");
	o_text(&o, js ? a : a + 1);
	o_uint(&o, s->dport);
	o_uint(&o, s->ttl);
	o_uint(&o, s->tos);
	o_uint(&o, s->flow);
	o_uint(&o, s->ipid);
	o_uint(&o, s->df);
	o_uint(&o, s->ip_olen);
	o_uint(&o, s->win);
	if (s->has_mss)
		o_uint(&o, s->mss);
	else
		o_null(&o);
	if (s->wscale >= 0)
		o_uint(&o, (uint64_t)s->wscale);
	else
		o_null(&o);
	o_uint(&o, s->sackok);
	if (s->has_ts) {
		o_uint(&o, s->tsval);
		o_uint(&o, s->tsecr);
	} else {
		o_null(&o);
		o_null(&o);
	}
	/* olayout and quirks hold commas but never quotes or backslashes */
	t[0] = '"';
	packet_olayout_format(s, t + 1, sizeof(t) - 2);
	bool quote = js || strchr(t + 1, ',');
	if (quote)
		strcat(t, "\"");
	o_text(&o, quote ? t : t + 1);
	packet_quirks_format(s->quirks, t + 1, sizeof(t) - 2);
	quote = js || strchr(t + 1, ',');
	if (quote)
		strcat(t, "\"");
	o_text(&o, quote ? t : t + 1);
	o_uint(&o, s->payload_len);
	o_uint(&o, s->tunnelled);
	o_text(&o, file_esc);
	o_uint(&o, s->pkt_no);
	if (fv)
		o_verdict(&o, fv);
	o_raw(&o, js ? "}\n" : "\n", js ? 2 : 1);
	fwrite(o.b, 1, o.n, f);
}

/* --- the reading thread --- */

/* struct feed - SYN records of one file in batches, two of them: the
 * reader fills one while the main thread prints the other */
#define FEED_BATCH 16384
struct feed {
	struct pcapin *in;
	bool all_ports;
	uint16_t port;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct syn *b[2];
	struct src_text *src[2];    /* CSV: the source addresses' text, or NULL */
	size_t n[2];
	bool full[2];
	bool done;                  /* the last batch is marked full */
	int r;                      /* pcapin_next's last result: 0 end, -1 error */
	/* CSV: of every 8 IPv6 records, how many get their source text from
	 * the reader (the rest from the formatting thread).  Whichever
	 * thread has to wait for the other hands over less: up one when the
	 * reader finds no free batch, down one when the printer finds no
	 * full one; so the split follows the machine, the file and the
	 * output sink, and the output is the same text either way */
	unsigned share;
};
#define FEED_SHARE_MAX 8

static bool wanted(const struct feed *f, const struct syn *s)
{
	return f->all_ports || s->dport == f->port;
}

static void *feed_read(void *arg)
{
	struct feed *f = arg;
	for (int k = 0;; k ^= 1) {
		pthread_mutex_lock(&f->mu);
		if (f->full[k] && f->share < FEED_SHARE_MAX)
			f->share++;
		while (f->full[k])
			pthread_cond_wait(&f->cv, &f->mu);
		unsigned share = f->share;
		pthread_mutex_unlock(&f->mu);
		size_t n = 0;
		int r = 1;
		while (n < FEED_BATCH && (r = pcapin_next(f->in, &f->b[k][n])) == 1) {
			if (!wanted(f, &f->b[k][n]))
				continue;
			if (f->src[k]) {
				const struct addr *a = &f->b[k][n].src;
				f->src[k][n].n = a->family == 6 && (n & 7) < share ?
					(uint8_t)addr_format_n(a, f->src[k][n].t) : 0;
			}
			n++;
		}
		pthread_mutex_lock(&f->mu);
		f->n[k] = n;
		f->full[k] = true;
		if (r != 1) {
			f->r = r;
			f->done = true;
		}
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		if (r != 1)
			return NULL;
	}
}

static void print_one(struct sink *k, const struct syn *s, const struct src_text *src)
{
	const struct fp_verdict *v = k->db ? fp_match(k->db, s) : NULL;
	if (k->fmt == FMT_CSV)
		print_csv(k, s, src, v);
	else
		print_syn(k->f, k->fmt, s, k->file_esc, v);
}

/* print_file - every SYN of in; pcapin_next's last result (0 or -1) */
static int print_file(struct pcapin *in, bool all_ports, uint16_t port, struct sink *out)
{
	struct feed f = { .in = in, .all_ports = all_ports, .port = port,
			  .share = FEED_SHARE_MAX / 2 };
	pthread_t th;
	f.b[0] = xreallocarray(NULL, FEED_BATCH, sizeof *f.b[0]);
	f.b[1] = xreallocarray(NULL, FEED_BATCH, sizeof *f.b[1]);
	if (out->fmt == FMT_CSV)
		for (int k = 0; k < 2; k++)
			f.src[k] = xreallocarray(NULL, FEED_BATCH, sizeof *f.src[k]);
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.cv, NULL);
	if (pthread_create(&th, NULL, feed_read, &f) != 0) {
		/* no second thread: one record at a time, here */
		while ((f.r = pcapin_next(in, &f.b[0][0])) == 1)
			if (wanted(&f, &f.b[0][0]))
				print_one(out, &f.b[0][0], NULL);
	} else {
		for (int k = 0;; k ^= 1) {
			pthread_mutex_lock(&f.mu);
			if (!f.full[k] && f.share > 0)
				f.share--;
			while (!f.full[k])
				pthread_cond_wait(&f.cv, &f.mu);
			pthread_mutex_unlock(&f.mu);
			for (size_t i = 0; i < f.n[k]; i++)
				print_one(out, &f.b[k][i], f.src[k] ? &f.src[k][i] : NULL);
			pthread_mutex_lock(&f.mu);
			f.full[k] = false;
			bool last = f.done && !f.full[k ^ 1];
			pthread_cond_broadcast(&f.cv);
			pthread_mutex_unlock(&f.mu);
			if (last)
				break;
		}
		pthread_join(th, NULL);
	}
	pthread_mutex_destroy(&f.mu);
	pthread_cond_destroy(&f.cv);
	for (int k = 0; k < 2; k++) {
		free(f.b[k]);
		free(f.src[k]);
	}
	sink_flush(out);
	return f.r;
}

/* print_stats - the per-file counters on stderr */
static void print_stats(const char *file, const struct pcapin_stats *st)
{
	fprintf(stderr,
		"mxsensor: %s: packets %" PRIu64 ", syns %" PRIu64 ", not_syn %" PRIu64
		", non_ip %" PRIu64 ", truncated %" PRIu64 ", fragments %" PRIu64
		", bad %" PRIu64 ", tunnelled %" PRIu64 ", unsupported_dlt %" PRIu64 "\n",
		file, st->packets, st->syns, st->not_syn, st->non_ip, st->truncated,
		st->fragments, st->bad, st->tunnelled, st->unsupported_dlt);
}

int cmd_syns(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "all-ports", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "stats", no_argument, NULL, 's' },
		{ "os", no_argument, NULL, 'o' },
		{ "fp-db", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long port = 25;
	bool all_ports = false, port_given = false, header = true, stats = false, os = false;
	const char *fp_dbs[64];
	size_t n_fp_dbs = 0;
	enum fmt fmt = FMT_CSV;
	const char *output = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:af:Hsod:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (port_given)
				return cmd_usage_error("syns", "--port given twice");
			if (num_ulong(optarg, 1, 65535, &port) < 0)
				return cmd_usage_error("syns", "--port: '%s' is not a port (1-65535)", optarg);
			port_given = true;
			break;
		case 'a':
			all_ports = true;
			break;
		case 'f':
			if (!strcmp(optarg, "csv"))
				fmt = FMT_CSV;
			else if (!strcmp(optarg, "jsonl"))
				fmt = FMT_JSONL;
			else
				return cmd_usage_error("syns", "--format: '%s' is not csv or jsonl", optarg);
			break;
		case 'H':
			header = false;
			break;
		case 's':
			stats = true;
			break;
		case 'o':
			os = true;
			break;
		case 'd':
			if (n_fp_dbs == sizeof(fp_dbs) / sizeof(fp_dbs[0]))
				return cmd_usage_error("syns", "--fp-db: more than %zu files",
						       sizeof(fp_dbs) / sizeof(fp_dbs[0]));
			fp_dbs[n_fp_dbs++] = optarg;
			os = true;
			break;
		case OPT_OUTPUT:
			output = optarg;
			break;
		default:
			return cmd_usage_error("syns", "unknown option");
		}
	}
	if (all_ports && port_given)
		return cmd_usage_error("syns", "--port and --all-ports exclude each other");
	if (optind >= argc)
		return cmd_usage_error("syns", "no capture file given");
	int nstdin = 0;
	for (int i = optind; i < argc; i++)
		nstdin += !strcmp(argv[i], "-");
	if (nstdin > 1)
		return cmd_usage_error("syns", "standard input ('-') given more than once");

	struct fpdb *db = NULL;
	if (os) {
		char *fperr = NULL;
		db = fpdb_open(fp_dbs, n_fp_dbs, &fperr);
		if (!db) {
			error("%s", fperr);
			free(fperr);
			return 2;
		}
	}

	/* opened before the captures are read: a directory that cannot take
	 * it is said at once */
	struct replace rp;
	FILE *of = replace_open(&rp, output);
	if (!of) {
		fpdb_free(db);
		return 1;
	}
	static char obuf[1 << 16], sink_buf[SINK_BUF];
	setvbuf(of, obuf, _IOFBF, sizeof(obuf));
	if (header && fmt == FMT_CSV) {
		for (size_t k = 0; k < (os ? NCOLS : NCOLS_BASE); k++)
			fprintf(of, "%s%s", k ? "," : "", columns[k]);
		putc('\n', of);
	}

	int status = 0;
	bool write_failed = false;
	int werrno = 0;
	for (int i = optind; i < argc && !write_failed; i++) {
		char err[1024];
		struct pcapin *in = pcapin_open(argv[i], err, sizeof(err));
		if (!in) {
			fflush(of);
			error("%s", err);
			status = 1;
			continue;
		}
		char *file_esc = escape_text(argv[i], fmt);
		static struct sink out;   /* 25 KB of memos: not on the stack */
		out = (struct sink){ .fmt = fmt, .file_esc = file_esc,
				     .file_len = strlen(file_esc), .db = db,
				     .f = of, .fd = fileno(of), .b = sink_buf };
		int r = print_file(in, all_ports, (uint16_t)port, &out);
		free(file_esc);
		if (out.werr) {
			write_failed = true;
			werrno = out.werrno;
		} else {
			errno = 0;          /* JSON lines go through stdio */
			if (fflush(of) != 0 || ferror(of)) {
				write_failed = true;
				werrno = errno ? errno : EIO;
			}
		}
		if (r < 0) {
			error("%s", pcapin_error(in));
			status = 1;
		}
		if (stats)
			print_stats(argv[i], pcapin_get_stats(in));
		pcapin_close(in);
	}
	fpdb_free(db);
	if (write_failed) {         /* a write(2) of the sink: stdio knows nothing */
		error("%s: write error: %s", rp.name, strerror(werrno));
		replace_abort(&rp);
		return 1;
	}
	/* input that could not be read is said and the rest kept (exit 1);
	 * output that could not be written drops the whole of it */
	return replace_commit(&rp) < 0 ? 1 : status;
}
