/*
 * fp.h - passive OS fingerprinting of TCP SYNs with p0f v3's database.
 *
 * A struct fpdb holds the [tcp:request] signatures and the [mtu] section of
 * one or more p0f.fp files (p0f 3.09b format, README section 5; later files
 * add signatures).  fp_match() gives, for one struct syn, the verdict p0f
 * 3.09b itself logs for that SYN: the matching signature (exact, fuzzy or
 * generic, with p0f's own precedence), the distance in hops, the link type
 * guessed from the MSS and p0f's raw signature text.
 *
 * Verdicts are memoized per distinct signature, so after the first SYN of
 * a kind a match costs one hash look-up.  Ownership: every string and
 * verdict returned belongs to the fpdb and stays valid until fpdb_free();
 * see fp_match() for the one exception (memo full).
 *
 * Trust: p0f.fp files are admin-written; a malformed line stops loading
 * with "FILE:LINE: what is wrong".  SYN records come from hostile packets
 * and are only read.
 */
#ifndef MX_FP_H
#define MX_FP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet/syn.h"

#define FP_DEFAULT_DB "/etc/p0f/p0f.fp"
#define FP_MAX_OPTS 24      /* p0f's MAX_TCP_OPT: options it records */
#define FP_MAX_DIST 35      /* p0f's MAX_DIST: largest non-fuzzy TTL distance */
#define FP_RAW_MAX 256      /* room for any raw signature text + NUL */

/* how a signature's window size is written */
enum fp_win_type {
	FP_WIN_ANY,         /* "*" */
	FP_WIN_NORMAL,      /* "8192": exact value */
	FP_WIN_MOD,         /* "%N": any multiple of N */
	FP_WIN_MSS,         /* "mss*N": N times the MSS */
	FP_WIN_MTU,         /* "mtu*N": N times the MTU */
};

/* one parsed TCP signature (a "sig = ..." line of [tcp:request]) */
struct fp_sig {
	int8_t ver;             /* 4, 6, or -1 for "*" */
	uint8_t ittl;           /* initial TTL, "+N" already added */
	bool bad_ttl;           /* "64-": TTL randomized, any value <= ittl */
	uint8_t olen;           /* IPv4 options length */
	int32_t mss;            /* -1 = "*" */
	enum fp_win_type win_type;
	int32_t win;            /* value, modulus or multiplier; 0 for "*" */
	int16_t wscale;         /* -1 = "*" */
	uint8_t nopts;          /* entries in olayout */
	uint8_t olayout[FP_MAX_OPTS]; /* TCPOPT_* kinds (syn.h) in order */
	uint8_t eol_pad;        /* N of "eol+N" */
	uint32_t quirks;        /* SYN_Q_* */
	int8_t pclass;          /* payload class: -1 "*", 0 "0", 1 "+" */
};

/* one loaded signature with its label (read-only view for tools) */
struct fp_entry {
	struct fp_sig sig;
	bool generic;           /* label "g:..." */
	bool userland;          /* class "!" (a tool such as NMap, not an OS) */
	const char *os_class;   /* "win", "unix", "other" (the classes= spelling) or "!" */
	const char *os_name;    /* "Linux": the first spelling the database used */
	const char *flavor;     /* "3.11 and newer", "" when none */
	const char *label;      /* os_name + " " + flavor, as p0f logs it */
	const char *file;       /* where the sig line is */
	unsigned line;
};

/* what a match gives */
enum fp_kind {
	FP_NONE,                /* no signature matched: p0f logs os=??? */
	FP_EXACT,               /* a specific ("s:") signature matched exactly */
	FP_GENERIC,             /* only a generic ("g:") signature matched */
	FP_FUZZY,               /* best was a fuzzy match (TTL or quirks off); generic may be set too */
};

struct fp_verdict {
	const char *label;      /* p0f's os= (or app= when userland) text; NULL when FP_NONE */
	const char *os_class;   /* "win", "unix", "other", "!"; NULL when FP_NONE */
	const char *os_name;    /* NULL when FP_NONE */
	const char *flavor;     /* "" when none; NULL when FP_NONE */
	enum fp_kind kind;
	bool generic;           /* matched signature is generic (p0f params "generic") */
	bool fuzzy;             /* p0f params "fuzzy" */
	bool bad_ttl;           /* p0f params "random_ttl": dist is an upper bound */
	bool userland;          /* class "!": p0f logs app= and no mtu */
	int dist;               /* hops, p0f's dist= */
	const char *link;       /* [mtu] label for the MTU; "???" unknown; NULL without MSS */
	unsigned mtu;           /* MSS + 40 (IPv4) or + 60 (IPv6); 0 without MSS */
	const struct fp_entry *entry; /* the matched signature; NULL when FP_NONE */
	char raw_sig[FP_RAW_MAX]; /* p0f's raw_sig= text */
};

struct fpdb;

/* fpdb_new - an empty database */
struct fpdb *fpdb_new(void);
/*
 * fpdb_load_file - add the signatures of one p0f.fp file.  Returns 0, or -1
 * with *err set to a malloc'd "FILE:LINE: what is wrong" (caller frees);
 * on error the database keeps what earlier files added but nothing of this
 * file.
 */
int fpdb_load_file(struct fpdb *db, const char *path, char **err);
/* fpdb_load_text - the same for text in memory; name is used in messages */
int fpdb_load_text(struct fpdb *db, const char *name, const char *text,
		   size_t len, char **err);
/*
 * fpdb_open - a database from files paths[0..n-1] (n == 0: FP_DEFAULT_DB).
 * Returns NULL with *err set (malloc'd) when one of them does not load.
 */
struct fpdb *fpdb_open(const char *const *paths, size_t n, char **err);
void fpdb_free(struct fpdb *db);

/* fpdb_count - number of [tcp:request] signatures loaded */
size_t fpdb_count(const struct fpdb *db);
/* fpdb_entry - signature i (0 <= i < fpdb_count) in load order */
const struct fp_entry *fpdb_entry(const struct fpdb *db, size_t i);
/* fpdb_mtu_link - the [mtu] label for an MTU, or NULL when none */
const char *fpdb_mtu_link(const struct fpdb *db, unsigned mtu);

/*
 * fp_sig_parse - parse the value of one "sig = " line (or a raw_sig that
 * p0f logged: "4:57+7:..." and "+?" are accepted).  Returns 0, or -1 with
 * *why set to a static description of what is wrong.
 */
int fp_sig_parse(const char *text, struct fp_sig *out, const char **why);

/*
 * fp_match - the verdict for one SYN.  The result belongs to db and is
 * valid until fpdb_free(), except when fp_memo_full() is true: then a
 * not-yet-seen signature's verdict is valid only until the next fp_match.
 */
const struct fp_verdict *fp_match(struct fpdb *db, const struct syn *s);
/* fp_memo_full - true once the memo holds FP_MEMO_MAX verdicts */
bool fp_memo_full(const struct fpdb *db);
/* fp_memo_size - distinct signatures memoized so far */
size_t fp_memo_size(const struct fpdb *db);
#define FP_MEMO_MAX (1u << 18)

/* fp_ittl - the usual initial TTL at or above ttl: 32, 64, 128 or 255
 * (p0f's guess of what a stack started from) */
uint8_t fp_ittl(unsigned ttl);

/* fp_kind_name - "none", "exact", "generic", "fuzzy" */
const char *fp_kind_name(enum fp_kind k);
/*
 * fp_os_family - coarse family for reports: "Windows", "Linux",
 * "Mac OS X" (also iOS), "BSD", "Other" or "Unknown" (no match, or NULL).
 */
const char *fp_os_family(const struct fp_verdict *v);

#endif
