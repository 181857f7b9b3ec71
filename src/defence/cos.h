/*
 * cos.h - classes of service: the limits each reputation class gets, and
 * how addresses aggregate into reputation prefixes.
 *
 * One configuration file (docs/cos.conf.example; compiled-in defaults
 * when none is given, the same values) holds:
 *   - the reputation settings: default IPv6 prefix length, per-range
 *     prefix lengths, evidence half-life and the class thresholds;
 *   - one block per class (good, mixed, bad, unknown) with its limits:
 *     concurrent sessions, messages and recipients per short and per long
 *     interval, recipients per message, retry wait, tarpit, and the action
 *     taken when a limit is hit.
 * The file is trusted as much as any admin-written file: every value is
 * range-checked and an error is "FILE:LINE: what".
 */
#ifndef MX_COS_H
#define MX_COS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"

enum cos_class { COS_GOOD, COS_MIXED, COS_BAD, COS_UNKNOWN, COS_NCLASS };

/* what a limit hit answers (an access(5) action in a policy reply) */
enum cos_act {
	COS_ACT_DEFER_IF_PERMIT,   /* "DEFER_IF_PERMIT text" */
	COS_ACT_TEMPFAIL,          /* "4NN text" (text holds the code) */
	COS_ACT_REJECT,            /* "REJECT text" */
	COS_ACT_SLEEP,             /* "SLEEP n": delay, then go on */
};

#define COS_TEXT_MAX 200
#define COS_CONN_MAX 1000

struct cos_limits {
	unsigned conn;             /* concurrent sessions per prefix */
	unsigned msgs_short, rcpts_short;  /* per short_s seconds */
	unsigned short_s;
	unsigned msgs_long, rcpts_long;    /* per long_s seconds */
	unsigned long_s;
	unsigned rcpt_per_msg;
	unsigned retry_wait_s;     /* after a hit, everything waits this long */
	unsigned tarpit_s;         /* SLEEP at the first request of a session */
	enum cos_act act;
	unsigned sleep_s;          /* for COS_ACT_SLEEP */
	char text[COS_TEXT_MAX];   /* reply text (COS_ACT_TEMPFAIL: "450 4.7.1 ...") */
};

struct cos_range {
	struct prefix p;           /* addresses inside ... */
	unsigned len;              /* ... aggregate to this length */
};

struct cos_config {
	struct cos_limits cls[COS_NCLASS];
	struct cos_range *ranges;  /* owned */
	size_t nranges, cap;
	unsigned len6;             /* default IPv6 aggregation (64) */
	double half_life_s;        /* evidence weight halves every half_life_s */
	double evidence_min;       /* below: unknown */
	double bad_ratio;          /* bad / (bad + good) >= this: bad */
	double good_ratio;         /* <= this: good; in between: mixed */
	unsigned session_idle_s;   /* a session counts as open this long after its last request */
};

/* cos_defaults - the compiled-in configuration (docs/cos.conf.example) */
void cos_defaults(struct cos_config *c);
/* cos_load - defaults, then the file; 0, or -1 after "FILE:LINE: what" */
int cos_load(struct cos_config *c, const char *path);
/* cos_parse_line - one line of a file (for tests); 0 or -1 (message logged) */
int cos_parse_line(struct cos_config *c, int *cur, const char *file,
		   unsigned long lineno, char *line);
void cos_free(struct cos_config *c);

/* cos_key - the reputation prefix of an address: a 6to4 or Teredo address
 * maps to its IPv4 /32; IPv4 is its /32; IPv6 uses the longest matching
 * range's length, else len6 (len_override > 0 replaces len6) */
struct prefix cos_key(const struct cos_config *c, const struct addr *a,
		      unsigned len_override);

/* cos_action_text - "DEFER_IF_PERMIT text" etc. for class limits l */
void cos_action_text(const struct cos_limits *l, char *buf, size_t n);

const char *cos_class_name(enum cos_class k);
/* cos_class_parse - "good", "mixed", "bad", "unknown"; -1 if none */
int cos_class_parse(const char *s);

#endif
