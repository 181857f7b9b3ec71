/*
 * dnscheck.h - does a domain's DNS have the sensor-MX layout the method needs?
 *
 * The layout (DESIGN.md, "The measurement method"): production MXs have A
 * records only (no AAAA), so IPv6-only senders have nowhere to go but the
 * sensor; the sensor has both A and AAAA records and the largest MX
 * preference number (lowest priority), so legitimate senders use the
 * production MXs first.
 *
 * dnscheck_lookup() asks the DNS (c-ares) for the MX set and the A and AAAA
 * records of every MX host; dnscheck_judge() says host by host whether the
 * layout holds, without any network, so it can be tested alone.  Answers
 * are untrusted: c-ares parses them, names and counts are bounded here.
 */
#ifndef MX_DNSCHECK_H
#define MX_DNSCHECK_H

#include <stdbool.h>
#include <stddef.h>

#define DNSCHECK_MAX_HOSTS 32
#define DNSCHECK_MAX_ADDRS 8
#define DNSCHECK_NAME 256

enum dnscheck_role { DNSCHECK_PRODUCTION, DNSCHECK_SENSOR };

struct dnscheck_host {
	char name[DNSCHECK_NAME];   /* MX target, lower case, no trailing dot */
	int pref;                   /* MX preference */
	int n_a, n_aaaa;            /* addresses found (at most DNSCHECK_MAX_ADDRS kept) */
	char a[DNSCHECK_MAX_ADDRS][46];
	char aaaa[DNSCHECK_MAX_ADDRS][46];
	char lookup_err[96];        /* A/AAAA look-up failure other than "no data", or "" */
	/* set by dnscheck_judge(): */
	enum dnscheck_role role;
	bool ok;
	char why[640];              /* what is wrong, or "" */
};

struct dnscheck {
	char domain[DNSCHECK_NAME];
	struct dnscheck_host host[DNSCHECK_MAX_HOSTS];
	int n;
	int dropped;                /* MX records beyond DNSCHECK_MAX_HOSTS */
	char err[640];              /* MX look-up failure, or "" */
	/* set by dnscheck_judge(): */
	bool ok;
	char why[640];              /* overall problem (no MX, sensor not found), or "" */
};

/* dnscheck_lookup - MX, then A and AAAA of each MX host, into *out.
 * server: NULL for the system resolver, else "ADDR", "ADDR:PORT",
 * "[ADDR6]:PORT".  timeout_ms per try.  0 when the MX look-up was answered
 * (out->err ""), -1 with out->err otherwise (including no MX records). */
int dnscheck_lookup(const char *domain, const char *server, int timeout_ms,
		    struct dnscheck *out);

/* dnscheck_judge - roles and verdicts; sensor = the sensor's MX name, or
 * NULL for "the host with the largest preference".  Returns out->ok. */
bool dnscheck_judge(struct dnscheck *d, const char *sensor);

/* dnscheck_server_csv - "ADDR[:PORT]" / "[ADDR6]:PORT" / "ADDR6" -> c-ares
 * server list syntax into buf; 0 or -1 when not a numeric address */
int dnscheck_server_csv(const char *server, char *buf, size_t len);

#endif
