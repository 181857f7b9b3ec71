/*
 * policy.h - the Postfix policy delegation protocol and the decisions of
 * the class-of-service policy.
 *
 * Protocol (Postfix SMTPD_POLICY_README): a request is "name=value" lines
 * ended by an empty line; the reply is "action=..." and an empty line;
 * one connection carries many requests.  The parser is incremental and
 * bounded: a line longer than POLICY_LINE_MAX or more than
 * POLICY_ATTR_MAX attributes mark the request malformed (its remainder is
 * skipped up to the empty line and it is answered DUNNO); unknown names
 * are ignored; a request larger than POLICY_REQ_MAX is a protocol error
 * (the caller hangs up).
 *
 * The engine keeps one state per reputation prefix in a bounded LRU table:
 * open sessions (client address + port), fixed-window message and
 * recipient counters for the class's short and long intervals, the
 * recipients of the current message, and a retry-wait deadline after a
 * limit hit.  Sessions and counters are per prefix, so every address of a
 * /64 shares them.
 */
#ifndef MX_POLICY_H
#define MX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "defence/cos.h"
#include "defence/reputation.h"

#define POLICY_LINE_MAX 2048
#define POLICY_ATTR_MAX 100
#define POLICY_REQ_MAX (64 * 1024)

struct policy_req {
	char request[32];          /* smtpd_access_policy */
	char protocol_state[24];   /* CONNECT, HELO, MAIL, RCPT, DATA, END-OF-MESSAGE, ... */
	char client_address[64];
	char client_port[8];
	char instance[64];         /* one message transaction */
	unsigned long recipient_count;
	unsigned nattr;
	bool malformed;            /* a limit was exceeded: answer DUNNO */
};

struct policy_parser {
	struct policy_req req;
	char line[POLICY_LINE_MAX + 1];
	size_t len;
	size_t total;              /* bytes of the current request */
	bool skip_line;            /* rest of an over-long line */
};

enum policy_feed_rc { POLICY_MORE, POLICY_DONE, POLICY_ERROR };

void policy_parser_init(struct policy_parser *p);
/* policy_feed - consume up to n bytes; *used is set to what was taken.
 * POLICY_DONE: p->req holds a complete request (feed the rest after
 * handling it); POLICY_ERROR: the client is not speaking the protocol. */
enum policy_feed_rc policy_feed(struct policy_parser *p, const char *buf, size_t n,
				size_t *used);

struct policy_stats {
	uint64_t requests, malformed, dunno_errors, limited, accepted, evicted, prefixes;
};

struct policy_engine;

/* POLICY_EVICTED_MAX - outcome counts of evicted prefixes kept until the
 * next save (more are dropped, so a failing store cannot grow memory) */
#define POLICY_EVICTED_MAX(max_prefixes) (4 * (size_t)(max_prefixes) + 1024)

/* policy_new - engine over config c and reputation rep (both borrowed;
 * must outlive the engine or be replaced with policy_reload) */
struct policy_engine *policy_new(const struct cos_config *c, const struct rep_table *rep,
				 size_t max_prefixes);
void policy_free(struct policy_engine *e);
/* policy_reload - new config and reputation; counters are kept, classes
 * are looked up again */
void policy_reload(struct policy_engine *e, const struct cos_config *c,
		   const struct rep_table *rep);
/* policy_decide - the reply action for r at now_ns ("DUNNO", "SLEEP 5",
 * "450 4.7.1 ...") into out; returns the class used (COS_NCLASS when the
 * request was not usable and DUNNO was answered) */
enum cos_class policy_decide(struct policy_engine *e, const struct policy_req *r,
			     int64_t now_ns, char *out, size_t n);
const struct policy_stats *policy_stats(const struct policy_engine *e);

/* policy_each_dirty - call fn for each prefix with outcomes not yet saved
 * (and for evicted ones), then forget those deltas if fn returned 0 for
 * the whole batch (fn gets them all at once) */
struct policy_delta {
	struct prefix key;
	enum cos_class cls;
	int64_t first_ns, last_ns;
	uint64_t accepted, limited;
};
typedef int (*policy_save_fn)(const struct policy_delta *d, size_t n, void *arg);
int policy_save(struct policy_engine *e, policy_save_fn fn, void *arg);

/* policy_class_of - the class the engine gives an address now */
enum cos_class policy_class_of(struct policy_engine *e, const struct addr *a);

#endif
