/*
 * dns.c - bounded batches of DNS look-ups through c-ares (see dns.h).
 *
 * One c-ares channel, driven by poll(2): new queries are started while
 * fewer than `concurrency` are in flight and the rate allows (a token
 * bucket refilled at `rate` per second, at most one second's worth), then
 * poll waits for the channel's sockets or its next time-out.  c-ares
 * parses the answers (ares_parse_ptr_reply, ares_parse_txt_reply_ext).
 */
#include "enrich/dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ares.h>

#include "util/alloc.h"
#include "util/log.h"

void dns_opts_default(struct dns_opts *o)
{
	*o = (struct dns_opts){ .timeout_ms = 2000, .tries = 2, .concurrency = 64, .rate = 200 };
}

char *dns_reverse_name(const struct addr *a, char *buf, size_t n)
{
	if (a->family == 4) {
		snprintf(buf, n, "%u.%u.%u.%u.in-addr.arpa", a->b[3], a->b[2], a->b[1], a->b[0]);
		return buf;
	}
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 15; i >= 0 && o + 4 < n; i--) {
		buf[o++] = hex[a->b[i] & 15];
		buf[o++] = '.';
		buf[o++] = hex[a->b[i] >> 4];
		buf[o++] = '.';
	}
	snprintf(buf + o, n - o, "ip6.arpa");
	return buf;
}

struct batch {
	enum dns_type type;
	dns_result_fn fn;
	void *arg;
	size_t inflight;
};

struct query {
	struct batch *b;
	size_t i;
};

/* clean - copy text, control bytes replaced, final dot dropped */
static void clean(char *dst, const unsigned char *src, size_t len)
{
	if (len >= DNS_TEXT_MAX)
		len = DNS_TEXT_MAX - 1;
	for (size_t k = 0; k < len; k++)
		dst[k] = src[k] < 0x20 || src[k] == 0x7f ? '?' : (char)src[k];
	dst[len] = '\0';
	if (len && dst[len - 1] == '.')
		dst[len - 1] = '\0';
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	(void)timeouts;
	struct query *q = arg;
	struct dns_answer a = { .status = DNS_FAIL };
	switch (status) {
	case ARES_SUCCESS:
		if (q->b->type == DNS_PTR) {
			struct hostent *h = NULL;
			static const unsigned char dummy[4];
			int rc = ares_parse_ptr_reply(abuf, alen, dummy, sizeof dummy, AF_INET, &h);
			if (rc == ARES_SUCCESS && h && h->h_name) {
				a.status = DNS_OK;
				clean(a.text, (const unsigned char *)h->h_name, strlen(h->h_name));
			} else if (rc == ARES_ENODATA) {
				a.status = DNS_ABSENT;
			} else {
				a.error = ares_strerror(rc);
			}
			if (h)
				ares_free_hostent(h);
		} else {
			struct ares_txt_ext *t = NULL;
			int rc = ares_parse_txt_reply_ext(abuf, alen, &t);
			if (rc == ARES_SUCCESS && t) {
				a.status = DNS_OK;
				clean(a.text, t->txt, t->length);
			} else if (rc == ARES_ENODATA || (rc == ARES_SUCCESS && !t)) {
				a.status = DNS_ABSENT;
			} else {
				a.error = ares_strerror(rc);
			}
			if (t)
				ares_free_data(t);
		}
		break;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		a.status = DNS_ABSENT;
		break;
	case ARES_EDESTRUCTION:
	case ARES_ECANCELLED:
		a.error = "cancelled";
		break;
	default:
		a.error = ares_strerror(status);
		break;
	}
	if (!a.error && a.status == DNS_FAIL)
		a.error = "failed";
	q->b->inflight--;
	q->b->fn(q->i, &a, q->b->arg);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int lib_init(void)
{
	static bool done;
	if (done)
		return 0;
	int rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS)
		return error("DNS: %s", ares_strerror(rc));
	done = true;
	return 0;
}

int dns_resolve(const struct dns_opts *o, enum dns_type type, const char *const *names,
		size_t n, dns_result_fn fn, void *arg)
{
	if (!n)
		return 0;
	if (lib_init() < 0)
		return -1;
	struct ares_options ao = {
		.flags = ARES_FLAG_NOSEARCH,
		.timeout = o->timeout_ms > 0 ? o->timeout_ms : 2000,
		.tries = o->tries > 0 ? o->tries : 1,
		.lookups = (char *)"b",
	};
	ares_channel ch;
	int rc = ares_init_options(&ch, &ao, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS |
				   ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
	if (rc != ARES_SUCCESS)
		return error("DNS: cannot start the resolver: %s", ares_strerror(rc));
	if (o->server && (rc = ares_set_servers_ports_csv(ch, o->server)) != ARES_SUCCESS) {
		ares_destroy(ch);
		return error("DNS: bad server '%s': %s", o->server, ares_strerror(rc));
	}
	struct batch b = { .type = type, .fn = fn, .arg = arg };
	struct query *qs = xcalloc(n, sizeof *qs);
	unsigned conc = o->concurrency ? o->concurrency : 64;
	double tokens = 1, last = mono();
	size_t next = 0;
	while (next < n || b.inflight) {
		/* start what the bounds allow */
		if (o->rate) {
			double t = mono();
			tokens += (t - last) * o->rate;
			if (tokens > o->rate)
				tokens = o->rate;
			last = t;
		}
		while (next < n && b.inflight < conc && (!o->rate || tokens >= 1)) {
			qs[next] = (struct query){ &b, next };
			b.inflight++;
			tokens -= 1;
			ares_query(ch, names[next], ns_c_in, type == DNS_PTR ? ns_t_ptr : ns_t_txt,
				   on_answer, &qs[next]);
			next++;
		}
		/* wait for sockets, the next time-out, or the next token */
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		struct pollfd pf[ARES_GETSOCK_MAXNUM];
		nfds_t np = 0;
		/* ARES_GETSOCK_READABLE/WRITABLE, without their signed shifts */
		unsigned ubits = (unsigned)bits;
		for (int k = 0; k < ARES_GETSOCK_MAXNUM; k++) {
			short ev = 0;
			if ((ubits >> k) & 1)
				ev |= POLLIN;
			if ((ubits >> (k + ARES_GETSOCK_MAXNUM)) & 1)
				ev |= POLLOUT;
			if (ev)
				pf[np++] = (struct pollfd){ .fd = socks[k], .events = ev };
		}
		struct timeval tv, *tvp = ares_timeout(ch, NULL, &tv);
		int wait = tvp ? (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000) : 1000;
		if (next < n && b.inflight < conc && o->rate) {
			int tw = (int)((1 - tokens) * 1000 / o->rate) + 1;
			if (tw < wait)
				wait = tw;
		}
		if (!b.inflight && next >= n)
			break;
		int r = poll(pf, np, wait);
		if (r < 0 && errno != EINTR) {
			error("DNS: poll: %s", strerror(errno));
			break;
		}
		if (r <= 0) {
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (nfds_t k = 0; k < np; k++) {
			ares_socket_t rd = pf[k].revents & (POLLIN | POLLERR | POLLHUP) ? pf[k].fd : ARES_SOCKET_BAD;
			ares_socket_t wr = pf[k].revents & POLLOUT ? pf[k].fd : ARES_SOCKET_BAD;
			if (rd != ARES_SOCKET_BAD || wr != ARES_SOCKET_BAD)
				ares_process_fd(ch, rd, wr);
		}
		ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* time-outs */
	}
	ares_destroy(ch);    /* answers the rest (if any) as cancelled */
	free(qs);
	return 0;
}
