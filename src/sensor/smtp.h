/*
 * smtp.h - the opt-in SMTP listener of the sensor: it greets, learns the
 * EHLO/HELO name, MAIL FROM and RCPT TO of each client, and never accepts
 * mail.
 *
 * MAIL (default) or RCPT (with reject_at_rcpt) get a 4xx reply; DATA never
 * gets 354 or 250.  Every client is bounded: concurrent connections per
 * source prefix, commands, bytes and lifetime per connection, command line
 * length, idle time; an optional tarpit delays every reply.  Events go to
 * a JSON-lines stream, one object per event:
 *   {"time":..., "event":"connect|helo|ehlo|mail|rcpt|data|close|refused",
 *    "family":4|6, "src":..., "sport":..., "dst":..., "dport":...,
 *    "value":...}
 * value is the name or address the client sent (printable ASCII only,
 * other bytes become '?'), or for close/refused the reason.
 *
 * Ownership: struct smtp owns its listening sockets (from smtp_listen())
 * and every client socket; it registers them with the caller's epoll
 * instance under tags SMTP_TAG_* << 32 | index.
 */
#ifndef MX_SMTP_H
#define MX_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SMTP_TAG_LISTEN 2u
#define SMTP_TAG_CLIENT 3u

struct smtp_cfg {
	const char *hostname;       /* name in the greeting */
	int reject_code;            /* 4xx answer to MAIL (or RCPT) and DATA */
	bool reject_at_rcpt;        /* MAIL gets 250, RCPT the 4xx */
	int max_clients;            /* all at once */
	int max_per_prefix;         /* at once per source prefix */
	int prefix4, prefix6;       /* prefix lengths for that count */
	int max_commands;           /* per connection */
	int64_t max_bytes;          /* per connection, received */
	int64_t max_duration_ns;    /* per connection */
	int64_t idle_ns;            /* without a command */
	int max_line;               /* command line length with CRLF */
	int64_t tarpit_ns;          /* delay before every reply */
};

struct smtp_stats {
	uint64_t sessions;          /* accepted and greeted */
	uint64_t refused;           /* turned away by a limit at connect */
	uint64_t helos, mails, rcpts;
	uint64_t limited;           /* closed by a per-connection limit */
};

struct smtp;

/* smtp_listen - listening sockets on 0.0.0.0 and [::] (v6only) port;
 * fds[1] = -1 without IPv6; 0, or -1 with err */
int smtp_listen(uint16_t port, int fds[2], char *err, size_t errlen);

/* smtp_new - take over the listening sockets, register them with epfd;
 * records go to out (not owned) */
struct smtp *smtp_new(const struct smtp_cfg *cfg, int epfd, const int fds[2], FILE *out);

/* smtp_event - handle an epoll event whose tag is SMTP_TAG_* */
void smtp_event(struct smtp *s, uint64_t tag, uint32_t events);

/* smtp_tick - timers (tarpit, limits, idle); returns ms until it wants to
 * run again (-1: no timer pending) */
int smtp_tick(struct smtp *s);

const struct smtp_stats *smtp_get_stats(const struct smtp *s);

/* smtp_set_out - send records to out from now on (after a reopen) */
void smtp_set_out(struct smtp *s, FILE *out);

/* smtp_free - close every client (recorded as "shutdown") and the
 * listeners; NULL is fine */
void smtp_free(struct smtp *s);

#endif
