/*
 * dnscheck.c - MX/A/AAAA look-ups with c-ares and the layout verdict
 * (see dnscheck.h).
 *
 * One c-ares channel; the MX answer's callback queues the A and AAAA
 * queries of every target, and the loop runs until nothing is pending.
 * Answers are parsed by c-ares (ares_parse_*_reply); names are copied with
 * bounds and lower-cased, counts are capped.
 */
#include "sensor/dnscheck.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "addr/addr.h"
#include "util/num.h"

struct query {
	struct dnscheck *d;
	int host;           /* index, for A/AAAA */
	ares_channel ch;
};

/* copy_name - lower-cased, without trailing dot, bounded */
static void copy_name(char *dst, size_t len, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < len; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
	if (i > 0 && dst[i - 1] == '.')
		dst[i - 1] = '\0';
}

/* on_addr - A or AAAA answer for one host */
static void on_addr(void *arg, int status, int timeouts, unsigned char *abuf, int alen,
		    bool v6)
{
	struct query *q = arg;
	struct dnscheck_host *h = &q->d->host[q->host];
	(void)timeouts;

	if (status == ARES_SUCCESS) {
		if (v6) {
			struct ares_addr6ttl ttls[DNSCHECK_MAX_ADDRS];
			int n = DNSCHECK_MAX_ADDRS;
			status = ares_parse_aaaa_reply(abuf, alen, NULL, ttls, &n);
			for (int i = 0; status == ARES_SUCCESS && i < n; i++)
				inet_ntop(AF_INET6, &ttls[i].ip6addr, h->aaaa[h->n_aaaa++], 46);
		} else {
			struct ares_addrttl ttls[DNSCHECK_MAX_ADDRS];
			int n = DNSCHECK_MAX_ADDRS;
			status = ares_parse_a_reply(abuf, alen, NULL, ttls, &n);
			for (int i = 0; status == ARES_SUCCESS && i < n; i++)
				inet_ntop(AF_INET, &ttls[i].ipaddr, h->a[h->n_a++], 46);
		}
	}
	if (status != ARES_SUCCESS && status != ARES_ENODATA && status != ARES_ENOTFOUND &&
	    !h->lookup_err[0])
		snprintf(h->lookup_err, sizeof h->lookup_err, "%s look-up: %s",
			 v6 ? "AAAA" : "A", ares_strerror(status));
	else if (status == ARES_ENOTFOUND && !h->lookup_err[0])
		snprintf(h->lookup_err, sizeof h->lookup_err, "name does not exist (NXDOMAIN)");
	free(q);
}

/* on_a - c-ares callback for an A answer */
static void on_a(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	on_addr(arg, status, timeouts, abuf, alen, false);
}

/* on_aaaa - c-ares callback for an AAAA answer */
static void on_aaaa(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	on_addr(arg, status, timeouts, abuf, alen, true);
}

/* on_mx - the MX set; queues A and AAAA for each target */
static void on_mx(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query *q = arg;
	struct dnscheck *d = q->d;
	struct ares_mx_reply *mx = NULL;
	(void)timeouts;

	if (status == ARES_SUCCESS)
		status = ares_parse_mx_reply(abuf, alen, &mx);
	if (status != ARES_SUCCESS) {
		snprintf(d->err, sizeof d->err, "MX look-up of %s: %s", d->domain,
			 status == ARES_ENODATA ? "no MX records" :
			 status == ARES_ENOTFOUND ? "domain does not exist (NXDOMAIN)" :
			 status == ARES_ECONNREFUSED ? "the server refused or did not answer" :
			 ares_strerror(status));
		free(q);
		return;
	}
	for (struct ares_mx_reply *m = mx; m; m = m->next) {
		if (d->n == DNSCHECK_MAX_HOSTS) {
			d->dropped++;
			continue;
		}
		struct dnscheck_host *h = &d->host[d->n];
		memset(h, 0, sizeof *h);
		copy_name(h->name, sizeof h->name, m->host);
		h->pref = m->priority;
		d->n++;
	}
	ares_free_data(mx);
	if (d->n == 0)
		snprintf(d->err, sizeof d->err, "MX look-up of %s: no MX records", d->domain);
	for (int i = 0; i < d->n; i++) {
		if (!d->host[i].name[0]) {   /* "MX 0 ." (RFC 7505 null MX) */
			snprintf(d->host[i].lookup_err, sizeof d->host[i].lookup_err,
				 "null MX (RFC 7505): the domain takes no mail");
			continue;
		}
		struct query *qa = malloc(sizeof *qa), *q6 = malloc(sizeof *q6);
		if (!qa || !q6) {
			free(qa);
			free(q6);
			snprintf(d->host[i].lookup_err, sizeof d->host[i].lookup_err,
				 "out of memory");
			continue;
		}
		*qa = (struct query){ d, i, q->ch };
		*q6 = (struct query){ d, i, q->ch };
		ares_query(q->ch, d->host[i].name, ns_c_in, ns_t_a, on_a, qa);
		ares_query(q->ch, d->host[i].name, ns_c_in, ns_t_aaaa, on_aaaa, q6);
	}
	free(q);
}

int dnscheck_server_csv(const char *server, char *buf, size_t len)
{
	char host[64];
	const char *port = NULL;
	struct addr a;
	unsigned long p = 53;

	if (server[0] == '[') {
		const char *end = strchr(server, ']');
		if (!end || (size_t)(end - server - 1) >= sizeof host)
			return -1;
		snprintf(host, sizeof host, "%.*s", (int)(end - server - 1), server + 1);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1])
			return -1;
	} else {
		const char *colon = strchr(server, ':');
		if (colon && !strchr(colon + 1, ':')) {     /* IPv4:PORT */
			if ((size_t)(colon - server) >= sizeof host)
				return -1;
			snprintf(host, sizeof host, "%.*s", (int)(colon - server), server);
			port = colon + 1;
		} else {
			if (strlen(server) >= sizeof host)
				return -1;
			snprintf(host, sizeof host, "%s", server);
		}
	}
	if (addr_parse(host, &a) < 0)
		return -1;
	if (port && num_ulong(port, 1, 65535, &p) < 0)
		return -1;
	int n = a.family == 6 ? snprintf(buf, len, "[%s]:%lu", host, p)
			      : snprintf(buf, len, "%s:%lu", host, p);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int dnscheck_lookup(const char *domain, const char *server, int timeout_ms,
		    struct dnscheck *out)
{
	memset(out, 0, sizeof *out);
	copy_name(out->domain, sizeof out->domain, domain);
	if (!out->domain[0]) {
		snprintf(out->err, sizeof out->err, "empty domain");
		return -1;
	}
	int rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		snprintf(out->err, sizeof out->err, "c-ares: %s", ares_strerror(rc));
		return -1;
	}
	ares_channel ch;
	struct ares_options opt = { .timeout = timeout_ms, .tries = 2,
				    .flags = ARES_FLAG_NOSEARCH };
	rc = ares_init_options(&ch, &opt, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
	if (rc != ARES_SUCCESS) {
		snprintf(out->err, sizeof out->err, "c-ares: %s", ares_strerror(rc));
		ares_library_cleanup();
		return -1;
	}
	if (server) {
		char csv[128];
		if (dnscheck_server_csv(server, csv, sizeof csv) < 0 ||
		    (rc = ares_set_servers_ports_csv(ch, csv)) != ARES_SUCCESS) {
			snprintf(out->err, sizeof out->err, "bad server '%s'", server);
			ares_destroy(ch);
			ares_library_cleanup();
			return -1;
		}
	}
	struct query *q = malloc(sizeof *q);
	if (!q) {
		snprintf(out->err, sizeof out->err, "out of memory");
		ares_destroy(ch);
		ares_library_cleanup();
		return -1;
	}
	*q = (struct query){ out, -1, ch };
	ares_query(ch, out->domain, ns_c_in, ns_t_mx, on_mx, q);
	for (;;) {
		fd_set r, w;
		FD_ZERO(&r);
		FD_ZERO(&w);
		int nfds = ares_fds(ch, &r, &w);
		if (nfds == 0)
			break;
		struct timeval tv, *tvp = ares_timeout(ch, NULL, &tv);
		select(nfds, &r, &w, NULL, tvp);
		ares_process(ch, &r, &w);
	}
	ares_destroy(ch);
	ares_library_cleanup();
	return out->err[0] ? -1 : 0;
}

bool dnscheck_judge(struct dnscheck *d, const char *sensor)
{
	char want[DNSCHECK_NAME] = "";
	int s = -1, maxpref = -1;

	d->ok = false;
	d->why[0] = '\0';
	if (d->err[0]) {
		snprintf(d->why, sizeof d->why, "%s", d->err);
		return false;
	}
	if (d->n == 0) {
		snprintf(d->why, sizeof d->why, "no MX records");
		return false;
	}
	for (int i = 0; i < d->n; i++)
		if (d->host[i].pref > maxpref)
			maxpref = d->host[i].pref;
	if (sensor) {
		copy_name(want, sizeof want, sensor);
		for (int i = 0; i < d->n; i++)
			if (!strcmp(d->host[i].name, want))
				s = i;
		if (s < 0) {
			snprintf(d->why, sizeof d->why, "the sensor %s is not an MX of %s", want,
				 d->domain);
		}
	} else {
		int at_max = 0;
		for (int i = 0; i < d->n; i++)
			if (d->host[i].pref == maxpref) {
				s = i;
				at_max++;
			}
		if (at_max > 1) {
			snprintf(d->why, sizeof d->why,
				 "%d MX hosts share the largest preference %d: none stands out "
				 "as the sensor", at_max, maxpref);
			s = -1;
		}
	}
	int production = 0;
	bool all = s >= 0;
	for (int i = 0; i < d->n; i++) {
		struct dnscheck_host *h = &d->host[i];
		h->role = i == s ? DNSCHECK_SENSOR : DNSCHECK_PRODUCTION;
		h->why[0] = '\0';
		if (h->lookup_err[0]) {
			/* a copy, not snprintf "%s": gcc -O0 takes two fields of
			 * *d for an overlap (-Wrestrict) */
			_Static_assert(sizeof h->why >= sizeof h->lookup_err, "why holds lookup_err");
			memcpy(h->why, h->lookup_err, sizeof h->lookup_err);
			h->why[sizeof h->lookup_err - 1] = '\0';
		} else if (h->role == DNSCHECK_SENSOR) {
			if (h->n_a == 0 && h->n_aaaa == 0)
				snprintf(h->why, sizeof h->why, "sensor has no A and no AAAA record");
			else if (h->n_aaaa == 0)
				snprintf(h->why, sizeof h->why, "sensor has no AAAA record");
			else if (h->n_a == 0)
				snprintf(h->why, sizeof h->why, "sensor has no A record");
			else {
				for (int k = 0; k < d->n; k++)
					if (k != i && d->host[k].pref >= h->pref) {
						char name[DNSCHECK_NAME];   /* as above */
						memcpy(name, d->host[k].name, sizeof name);
						name[sizeof name - 1] = '\0';
						snprintf(h->why, sizeof h->why,
							 "preference %d is not larger than %s's %d",
							 h->pref, name, d->host[k].pref);
						break;
					}
			}
		} else {
			production++;
			if (h->n_aaaa > 0)
				snprintf(h->why, sizeof h->why,
					 "production MX has AAAA records: IPv6 senders reach it");
			else if (h->n_a == 0)
				snprintf(h->why, sizeof h->why, "production MX has no A record");
		}
		h->ok = !h->why[0];
		if (!h->ok)
			all = false;
	}
	if (s >= 0 && production == 0) {
		snprintf(d->why, sizeof d->why, "no production MX besides the sensor");
		all = false;
	}
	d->ok = all && !d->why[0];
	return d->ok;
}
