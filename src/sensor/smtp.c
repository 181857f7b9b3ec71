/*
 * smtp.c - the sensor's SMTP listener that never accepts mail (see smtp.h).
 *
 * Trusts nothing a client sends: lines are bounded by max_line (RFC 5321
 * 4.5.3.1.4 gives 512 octets for a command line), counted and timed;
 * recorded values are cut to printable ASCII.  Non-blocking sockets on the
 * caller's epoll instance; one reply is outstanding per client at a time
 * (pipelined commands wait in the input buffer), so the tarpit delays
 * every reply without a timer per client: smtp_tick() sends what is due.
 * Like postscreen's smtpd test, it hangs up on over-long lines.
 */
#include "sensor/smtp.h"
#include "sensor/smtp_cmd.h"
#include "sensor/portguard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr/addr.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/out.h"

struct client {
	int fd;                     /* -1 = free slot */
	struct addr src, dst;
	uint16_t sport, dport;
	int64_t t_start, t_last;    /* monotonic ns */
	char *in;                   /* max_line + 1 bytes */
	size_t inlen;
	int commands;
	int64_t bytes;
	bool mail;                  /* MAIL got 250 (reject_at_rcpt) */
	char out[640];
	size_t outlen, outoff;
	int64_t due;                /* monotonic ns when out may go */
	bool want_out;              /* EPOLLOUT registered */
	const char *close_reason;   /* close once out is sent */
};

struct smtp {
	struct smtp_cfg cfg;
	int epfd;
	int lfd[2];
	FILE *rec;
	struct client *c;
	int nc;                     /* slots (cfg.max_clients) */
	int used;
	struct smtp_stats st;
};

/* mono - monotonic clock, ns */
static int64_t mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int smtp_listen(uint16_t port, int fds[2], char *err, size_t errlen)
{
	return portguard_listen(port, fds, err, errlen);
}

/* sock_addr - sockaddr -> struct addr and port */
static void sock_addr(const struct sockaddr_storage *ss, struct addr *a, uint16_t *port)
{
	memset(a, 0, sizeof *a);
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		a->family = 6;
		memcpy(a->b, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		a->family = 4;
		memcpy(a->b, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	}
}

/* same_prefix - a and b agree in their first bits bits */
static bool same_prefix(const struct addr *a, const struct addr *b, int bits)
{
	if (a->family != b->family)
		return false;
	int full = bits / 8, rest = bits % 8;
	if (memcmp(a->b, b->b, (size_t)full))
		return false;
	if (!rest)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (a->b[full] & m) == (b->b[full] & m);
}

/* record - one event line; value is cut to printable ASCII */
static void record(struct smtp *s, const struct addr *src, uint16_t sport,
		   const struct addr *dst, uint16_t dport, const char *event, const char *value)
{
	static const char *const names[] = { "time", "event", "family", "src", "sport",
					     "dst", "dport", "value" };
	static const bool isnum[] = { false, false, true, false, true, false, true, false };
	char t[40], fam[4], sp[8], dp[8], sa[ADDR_STRLEN], da[ADDR_STRLEN], v[520];
	struct timespec ts;

	if (!s->rec)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	out_time_iso((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, 6, t);
	snprintf(fam, sizeof fam, "%d", src->family);
	snprintf(sp, sizeof sp, "%u", sport);
	snprintf(dp, sizeof dp, "%u", dport);
	if (value)
		smtp_printable(value, v, sizeof v);
	const char *vals[] = { t, event, fam, addr_format(src, sa), sp, addr_format(dst, da), dp,
			       value ? v : NULL };
	out_row(s->rec, OUT_JSONL, 8, names, vals, isnum);
}

/* crecord - one event of client c */
static void crecord(struct smtp *s, struct client *c, const char *event, const char *value)
{
	record(s, &c->src, c->sport, &c->dst, c->dport, event, value);
}

struct smtp *smtp_new(const struct smtp_cfg *cfg, int epfd, const int fds[2], FILE *out)
{
	struct smtp *s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	s->epfd = epfd;
	s->rec = out;
	s->nc = cfg->max_clients;
	s->c = xcalloc((size_t)s->nc, sizeof *s->c);
	for (int i = 0; i < s->nc; i++)
		s->c[i].fd = -1;
	for (int i = 0; i < 2; i++) {
		s->lfd[i] = fds[i];
		if (fds[i] < 0)
			continue;
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.u64 = (uint64_t)SMTP_TAG_LISTEN << 32 | (unsigned)i };
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fds[i], &ev) < 0)
			BUG("epoll_ctl: %s", strerror(errno));
	}
	return s;
}

/* client_close - record and free the slot */
static void client_close(struct smtp *s, struct client *c, const char *reason)
{
	crecord(s, c, "close", reason);
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	/* read what is already queued, so closing sends a FIN after our last
	 * reply rather than a RST that could destroy it */
	shutdown(c->fd, SHUT_WR);
	char scratch[4096];
	for (int k = 0; k < 16 && recv(c->fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0; k++)
		;
	close(c->fd);
	free(c->in);
	memset(c, 0, sizeof *c);
	c->fd = -1;
	s->used--;
}

/* reply - queue one reply; with close_reason, hang up after it */
static void reply(struct smtp *s, struct client *c, const char *close_reason,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void reply(struct smtp *s, struct client *c, const char *close_reason,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(c->out, sizeof c->out - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof c->out - 3)
		n = (int)sizeof c->out - 3;
	memcpy(c->out + n, "\r\n", 2);
	c->outlen = (size_t)n + 2;
	c->outoff = 0;
	c->due = mono() + (close_reason && strcmp(close_reason, "quit") ? 0 : s->cfg.tarpit_ns);
	c->close_reason = close_reason;
}

/* flush - send the queued reply when due; returns false when the client
 * was closed */
static bool flush(struct smtp *s, struct client *c)
{
	if (!c->outlen || mono() < c->due)
		return true;
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!c->want_out) {
				struct epoll_event ev = {
					.events = EPOLLIN | EPOLLOUT,
					.data.u64 = (uint64_t)SMTP_TAG_CLIENT << 32 |
						    (unsigned)(c - s->c) };
				epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
				c->want_out = true;
			}
			return true;
		}
		if (n <= 0) {
			client_close(s, c, "write-error");
			return false;
		}
		c->outoff += (size_t)n;
	}
	c->outlen = c->outoff = 0;
	if (c->want_out) {
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.u64 = (uint64_t)SMTP_TAG_CLIENT << 32 |
						      (unsigned)(c - s->c) };
		epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->want_out = false;
	}
	if (c->close_reason) {
		client_close(s, c, c->close_reason);
		return false;
	}
	return true;
}

/* command - one command line (CRLF removed) -> one reply */
static void command(struct smtp *s, struct client *c, const char *line)
{
	const char *arg;
	int code = s->cfg.reject_code;

	c->commands++;
	c->t_last = mono();
	if (c->commands > s->cfg.max_commands) {
		s->st.limited++;
		reply(s, c, "limit-commands", "421 4.7.0 Too many commands, closing");
		return;
	}
	enum smtp_verb v = smtp_verb(line, &arg);
	switch (v) {
	case SMTP_V_EHLO:
	case SMTP_V_HELO:
		s->st.helos++;
		crecord(s, c, v == SMTP_V_EHLO ? "ehlo" : "helo", arg);
		reply(s, c, NULL, "250 %s", s->cfg.hostname);
		break;
	case SMTP_V_MAIL:
		s->st.mails++;
		crecord(s, c, "mail", arg);
		if (s->cfg.reject_at_rcpt) {
			c->mail = true;
			reply(s, c, NULL, "250 2.1.0 Ok");
		} else {
			reply(s, c, NULL, "%d 4.7.1 Service temporarily unavailable, try again later",
			      code);
		}
		break;
	case SMTP_V_RCPT:
		s->st.rcpts++;
		crecord(s, c, "rcpt", arg);
		reply(s, c, NULL, "%d 4.7.1 Service temporarily unavailable, try again later", code);
		break;
	case SMTP_V_DATA:
		crecord(s, c, "data", NULL);
		reply(s, c, NULL, "%d 4.3.0 No valid recipients", code);
		break;
	case SMTP_V_RSET:
	case SMTP_V_NOOP:
		c->mail = false;
		reply(s, c, NULL, "250 2.0.0 Ok");
		break;
	case SMTP_V_QUIT:
		reply(s, c, "quit", "221 2.0.0 Bye");
		break;
	case SMTP_V_STARTTLS:
		reply(s, c, NULL, "454 4.7.0 TLS not available");
		break;
	case SMTP_V_VRFY:
		reply(s, c, NULL, "252 2.0.0 Cannot VRFY user");
		break;
	case SMTP_V_OTHER:
		reply(s, c, NULL, "502 5.5.2 Command not recognized");
		break;
	}
}

/* process - handle buffered complete lines while no reply is pending */
static void process(struct smtp *s, struct client *c)
{
	while (c->fd >= 0 && !c->outlen) {
		char *line;
		long used = smtp_line(c->in, c->inlen, (size_t)s->cfg.max_line, &line);
		if (used == SMTP_LINE_MORE)
			return;
		if (used == SMTP_LINE_LONG) {
			s->st.limited++;
			reply(s, c, "line-too-long", "500 5.5.0 Line too long");
			flush(s, c);
			return;
		}
		command(s, c, line);
		memmove(c->in, c->in + used, c->inlen - (size_t)used);
		c->inlen -= (size_t)used;
		if (!flush(s, c))
			return;
	}
}

/* accept_all - accept pending connections on listener fd */
static void accept_all(struct smtp *s, int fd)
{
	for (int k = 0; k < 256; k++) {
		struct sockaddr_storage ss, ls;
		socklen_t sl = sizeof ss, ll = sizeof ls;
		int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED)
				warn("accept: %s", strerror(errno));
			return;
		}
		struct addr src, dst;
		uint16_t sport, dport;
		sock_addr(&ss, &src, &sport);
		if (getsockname(cfd, (struct sockaddr *)&ls, &ll) == 0)
			sock_addr(&ls, &dst, &dport);
		else
			dst = src, dport = 0;
		int bits = src.family == 6 ? s->cfg.prefix6 : s->cfg.prefix4;
		int same = 0, slot = -1;
		for (int i = 0; i < s->nc; i++) {
			if (s->c[i].fd < 0) {
				if (slot < 0)
					slot = i;
				continue;
			}
			if (same_prefix(&s->c[i].src, &src, bits))
				same++;
		}
		const char *why = slot < 0 ? "limit-clients" :
				  same >= s->cfg.max_per_prefix ? "limit-prefix" : NULL;
		if (why) {
			static const char busy[] = "421 4.7.0 Too many connections, try again later\r\n";
			(void)send(cfd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(cfd);
			s->st.refused++;
			record(s, &src, sport, &dst, dport, "refused", why);
			continue;
		}
		struct client *c = &s->c[slot];
		memset(c, 0, sizeof *c);
		c->fd = cfd;
		c->src = src;
		c->dst = dst;
		c->sport = sport;
		c->dport = dport;
		c->t_start = c->t_last = mono();
		c->in = xmalloc((size_t)s->cfg.max_line + 1);
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.u64 = (uint64_t)SMTP_TAG_CLIENT << 32 | (unsigned)slot };
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, cfd, &ev) < 0) {
			close(cfd);
			free(c->in);
			c->fd = -1;
			continue;
		}
		s->used++;
		s->st.sessions++;
		crecord(s, c, "connect", NULL);
		reply(s, c, NULL, "220 %s ESMTP", s->cfg.hostname);
		flush(s, c);
	}
}

/* readable - read what the client sent, then handle it */
static void readable(struct smtp *s, struct client *c)
{
	for (;;) {
		size_t room = (size_t)s->cfg.max_line - c->inlen;
		if (room == 0) {
			process(s, c);
			return;
		}
		ssize_t n = recv(c->fd, c->in + c->inlen, room, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			client_close(s, c, "read-error");
			return;
		}
		if (n == 0) {
			client_close(s, c, "eof");
			return;
		}
		c->inlen += (size_t)n;
		c->bytes += n;
		if (c->bytes > s->cfg.max_bytes) {
			s->st.limited++;
			reply(s, c, "limit-bytes", "421 4.7.0 Too much data, closing");
			flush(s, c);
			return;
		}
		process(s, c);
		if (c->fd < 0)
			return;
	}
}

void smtp_event(struct smtp *s, uint64_t tag, uint32_t events)
{
	unsigned kind = (unsigned)(tag >> 32), idx = (unsigned)tag;
	if (kind == SMTP_TAG_LISTEN && idx < 2 && s->lfd[idx] >= 0) {
		accept_all(s, s->lfd[idx]);
		return;
	}
	if (kind != SMTP_TAG_CLIENT || idx >= (unsigned)s->nc || s->c[idx].fd < 0)
		return;
	struct client *c = &s->c[idx];
	if (events & EPOLLOUT) {
		if (!flush(s, c))
			return;
		process(s, c);      /* pipelined commands waiting */
		if (c->fd < 0)
			return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		readable(s, c);
}

int smtp_tick(struct smtp *s)
{
	int64_t now = mono(), next = -1;
	for (int i = 0; i < s->nc && s->used > 0; i++) {
		struct client *c = &s->c[i];
		if (c->fd < 0)
			continue;
		if (!c->close_reason) {
			const char *why = NULL;
			if (now - c->t_start > s->cfg.max_duration_ns)
				why = "limit-duration";
			else if (now - c->t_last > s->cfg.idle_ns)
				why = "idle";
			if (why) {
				s->st.limited++;
				reply(s, c, why, "421 4.4.2 Timeout, closing");
			}
		}
		if (c->outlen) {
			if (!flush(s, c))
				continue;
			process(s, c);
			if (c->fd < 0)
				continue;
		}
		if (c->fd >= 0 && c->outlen && !c->want_out) {
			int64_t wait = c->due - now;
			if (wait < 0)
				wait = 0;
			if (next < 0 || wait < next)
				next = wait;
		}
	}
	if (s->used > 0 && (next < 0 || next > 1000000000))
		next = 1000000000;  /* limits are checked at least once a second */
	return next < 0 ? -1 : (int)(next / 1000000) + 1;
}

const struct smtp_stats *smtp_get_stats(const struct smtp *s) { return &s->st; }
void smtp_set_out(struct smtp *s, FILE *out) { s->rec = out; }

void smtp_free(struct smtp *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nc; i++)
		if (s->c[i].fd >= 0)
			client_close(s, &s->c[i], "shutdown");
	for (int i = 0; i < 2; i++)
		if (s->lfd[i] >= 0) {
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->lfd[i], NULL);
			close(s->lfd[i]);
		}
	free(s->c);
	free(s);
}
