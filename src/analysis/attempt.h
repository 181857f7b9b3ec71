/*
 * attempt.h - group SYNs into connect() attempts.
 *
 * An attempt is the SYNs of one source address and source port, each
 * within `window` of the previous one (sliding window, DESIGN.md).  A client
 * whose connect() meets a RST retries with the same port (Windows XP/7: 3
 * SYNs), while a new connect() takes a new port, so (src, sport, window)
 * recovers connect() calls.  An attempt is also closed after max_span, so a
 * port reused for hours cannot grow one attempt without bound.
 *
 * Memory: open attempts only, each closed (handed to the callback) as soon
 * as no SYN of it can still come: state is bounded by the SYN rate times
 * the window, not by the length of the capture.  SYNs must arrive in time
 * order (a SYN slightly out of order joins its attempt; last_ns never goes
 * backwards).
 */
#ifndef MX_ATTEMPT_H
#define MX_ATTEMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"
#include "packet/syn.h"

/* struct attempt - one connect() attempt, plain data owned by the receiver */
struct attempt {
	uint64_t id;            /* 1, 2, ... in order of the first SYN */
	struct addr src, dst;
	uint16_t sport, dport;
	int64_t first_ns, last_ns;
	uint32_t syns;
	/* the first SYN's stack features (association evidence) */
	uint8_t ttl;            /* observed TTL / hop limit */
	uint8_t ittl;           /* initial TTL guess: 32, 64, 128 or 255 */
	uint16_t win, mss;
	int16_t wscale;
	uint8_t nopts, eol_pad;
	uint8_t olayout[SYN_MAX_OPTS];
	uint32_t quirks;
	bool has_ts;
	uint32_t tsval;         /* TSval of the first SYN */
	uint64_t stack;         /* hash of the family-independent stack features */
	const char *os;         /* fingerprint label of the first SYN, or NULL */
	const char *os_family;  /* "Windows", "Linux", ... or NULL */
	/* filled by the caller before association */
	const char *ehlo;       /* EHLO/HELO name from capture --smtp, or NULL */
	uint8_t emb_kind;       /* EMB_* (assoc.h): how src embeds an IPv4 */
	struct addr emb4;       /* that IPv4 */
	uint32_t pos;           /* its place among the closed attempts (decider_attempt) */
};

/* attempt_cb - receives each closed attempt; the pointer is valid during the call */
typedef void (*attempt_cb)(const struct attempt *a, void *arg);

struct attempt_grouper;

/* attempt_grouper_new - window and max_span in ns */
struct attempt_grouper *attempt_grouper_new(int64_t window_ns, int64_t max_span_ns,
					    attempt_cb cb, void *arg);
/* attempt_grouper_add - one SYN (in time order); may close older attempts.
 * os/os_family: fingerprint label strings that outlive the grouper, or NULL. */
void attempt_grouper_add(struct attempt_grouper *g, const struct syn *s,
			 const char *os, const char *os_family);
/* attempt_grouper_flush - close every attempt that can no longer grow at now_ns */
void attempt_grouper_flush(struct attempt_grouper *g, int64_t now_ns);
/* attempt_grouper_finish - close all open attempts (end of input) */
void attempt_grouper_finish(struct attempt_grouper *g);
/* attempt_grouper_open_count - attempts still open (for tests and limits) */
size_t attempt_grouper_open_count(const struct attempt_grouper *g);
void attempt_grouper_free(struct attempt_grouper *g);

#endif
