/*
 * dns.h - many DNS look-ups at once, bounded (c-ares).
 *
 * One call resolves a list of names (PTR or TXT) with at most
 * `concurrency` queries in flight and at most `rate` new queries per
 * second, each try waiting `timeout_ms` and tried `tries` times (c-ares
 * retries).  Answers are sorted into three kinds: a name or text, a
 * definite absence (NXDOMAIN or no data: safe to cache as negative), and a
 * failure (time-out, refusal, server failure: ask again next time).
 *
 * Trusts nothing in the answers: c-ares parses them; the texts handed on
 * are cut to DNS_TEXT_MAX and stripped of control bytes.
 */
#ifndef MX_DNS_H
#define MX_DNS_H

#include <stddef.h>

#include "addr/addr.h"

#define DNS_TEXT_MAX 256

struct dns_opts {
	const char *server;     /* "ADDR", "ADDR:PORT", "[V6]:PORT"; NULL = resolv.conf */
	int timeout_ms;         /* per try (default 2000) */
	int tries;              /* per query (default 2) */
	unsigned concurrency;   /* queries in flight (default 64) */
	unsigned rate;          /* new queries per second (default 200; 0 = no limit) */
};
void dns_opts_default(struct dns_opts *o);

enum dns_type { DNS_PTR, DNS_TXT };
enum dns_status { DNS_OK, DNS_ABSENT, DNS_FAIL };

struct dns_answer {
	enum dns_status status;
	char text[DNS_TEXT_MAX];   /* PTR: the name without the final dot; TXT:
				    * the first string; "" otherwise */
	const char *error;         /* DNS_FAIL: what (static) */
};

/* dns_result_fn - the answer for names[i]; called once per name */
typedef void (*dns_result_fn)(size_t i, const struct dns_answer *a, void *arg);

/* dns_resolve - look up every names[i]; returns 0 when all were asked
 * (each answer, failures included, goes to fn), -1 when the resolver could
 * not start (bad server, no resolv.conf: reported) */
int dns_resolve(const struct dns_opts *o, enum dns_type type, const char *const *names,
		size_t n, dns_result_fn fn, void *arg);

/* dns_reverse_name - in-addr.arpa / ip6.arpa (nibble) name of a; buf of
 * at least 74 bytes */
char *dns_reverse_name(const struct addr *a, char *buf, size_t n);

#endif
