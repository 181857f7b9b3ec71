/*
 * policyd.h - the policy server: listening socket, epoll loop, clients,
 * signals, privilege drop, periodic persistence.
 *
 * Single-threaded, non-blocking: each client has its own bounded parser
 * (policy.h) and a small output buffer; an idle client is closed after
 * idle_s; more than max_clients are refused.  SIGTERM/SIGINT save the
 * outcomes and exit, SIGHUP reloads the configuration and reputation
 * (keeping the old ones when the new ones fail).
 */
#ifndef MX_POLICYD_H
#define MX_POLICYD_H

#include <stddef.h>

struct policyd_opts {
	const char *listen;        /* inet:HOST:PORT or unix:PATH */
	const char *db;            /* store (reputation in, outcomes out) */
	const char *config;        /* NULL: compiled-in defaults */
	const char *user;          /* drop to this user after binding */
	unsigned idle_s;           /* client idle timeout */
	unsigned persist_s;        /* save interval */
	size_t max_clients;
	size_t max_prefixes;
};

/* policyd_listen - bind the socket named by spec; fd or -1 (logged) */
int policyd_listen(const char *spec);
/* policyd_run - serve until SIGTERM; exit status */
int policyd_run(const struct policyd_opts *o);

#endif
