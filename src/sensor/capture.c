/*
 * capture.c - the live sensor loop (see capture.h).
 *
 * Packets come from libpcap, filtered in the kernel by capture_filter();
 * each is decoded by packet_parse() (untrusted bytes, bounded reads) and
 * only a TCP SYN without ACK to the sensor port is written, so IPv6
 * packets that the filter let through for their extension headers are
 * decided here.  Handles are non-blocking and multiplexed with epoll(7),
 * so time rotation and the stats log run on an idle link too.
 */
#include "sensor/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "packet/parse.h"
#include "sensor/portguard.h"
#include "sensor/privdrop.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/out.h"
#include "util/path.h"

struct handle {
	const char *name;
	pcap_t *p;
	int dlt;
	int fd;
};

struct ctx {
	const struct capture_cfg *cfg;
	struct handle h[CAPTURE_MAX_IFACES];
	int n;
	int cur;                    /* handle being dispatched */
	struct pcapw *w;
	FILE *jsonl;
	bool jsonl_owned;
	FILE *smtplog;
	bool smtplog_owned;
	struct smtp *smtp;
	struct pcapin_stats pst;    /* what the parser saw */
	uint64_t syns;              /* SYNs to the port kept */
	uint64_t other;             /* frames let through but not kept */
	bool failed;
};

/* CAPTURE_TIMEOUT_MS - the kernel hands over a block of packets when it
 * is full or this old */
#define CAPTURE_TIMEOUT_MS 100
/* CAPTURE_FLUSH_NS - how often buffered records are written out */
#define CAPTURE_FLUSH_NS (200 * 1000000LL)

static volatile sig_atomic_t sig_stop, sig_hup;
static struct handle *sig_handles;
static int sig_n;

char *capture_filter(uint16_t port, char *buf, size_t len)
{
	snprintf(buf, len,
		 "(ip and tcp dst port %u and (tcp[13] & 0x12) == 0x02)"
		 " or (ip6 and ip6[6] == 6 and ip6[42:2] == %u and (ip6[53] & 0x12) == 0x02)"
		 " or (ip6 and ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)",
		 port, port);
	return buf;
}

/* now_ns - wall clock in ns */
static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* mono_ns - monotonic clock in ns (for periods) */
static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* on_signal - set a flag and break out of pcap; nothing else */
static void on_signal(int sig)
{
	if (sig == SIGHUP)
		sig_hup = 1;
	else
		sig_stop = 1;
	for (int i = 0; i < sig_n; i++)
		pcap_breakloop(sig_handles[i].p);
}

/* write_jsonl - one SYN record as a JSON line */
static void write_jsonl(struct ctx *c, const struct syn *s)
{
	static const char *const names[] = {
		"time", "family", "src", "sport", "dst", "dport", "ttl", "tos", "flow",
		"ipid", "df", "win", "mss", "wscale", "sackok", "tsval", "tsecr",
		"olayout", "quirks", "payload_len", "iface", "file",
	};
	enum { N = sizeof names / sizeof names[0] };
	char v[N][160], src[ADDR_STRLEN], dst[ADDR_STRLEN];
	const char *vals[N];
	bool isnum[N];
	int i = 0;

	for (int k = 0; k < N; k++) {
		vals[k] = v[k];
		isnum[k] = true;
	}
	snprintf(v[i], sizeof v[0], "%" PRId64 ".%09" PRId64, s->ts_ns / 1000000000,
		 s->ts_ns % 1000000000);
	isnum[i++] = false;
	snprintf(v[i++], sizeof v[0], "%u", s->ipver);
	snprintf(v[i], sizeof v[0], "%s", addr_format(&s->src, src));
	isnum[i++] = false;
	snprintf(v[i++], sizeof v[0], "%u", s->sport);
	snprintf(v[i], sizeof v[0], "%s", addr_format(&s->dst, dst));
	isnum[i++] = false;
	snprintf(v[i++], sizeof v[0], "%u", s->dport);
	snprintf(v[i++], sizeof v[0], "%u", s->ttl);
	snprintf(v[i++], sizeof v[0], "%u", s->tos);
	snprintf(v[i++], sizeof v[0], "%" PRIu32, s->flow);
	snprintf(v[i++], sizeof v[0], "%u", s->ipid);
	snprintf(v[i++], sizeof v[0], "%d", s->df ? 1 : 0);
	snprintf(v[i++], sizeof v[0], "%u", s->win);
	if (s->has_mss)
		snprintf(v[i++], sizeof v[0], "%u", s->mss);
	else
		vals[i++] = NULL;
	if (s->wscale >= 0)
		snprintf(v[i++], sizeof v[0], "%d", s->wscale);
	else
		vals[i++] = NULL;
	snprintf(v[i++], sizeof v[0], "%d", s->sackok ? 1 : 0);
	if (s->has_ts) {
		snprintf(v[i++], sizeof v[0], "%" PRIu32, s->tsval);
		snprintf(v[i++], sizeof v[0], "%" PRIu32, s->tsecr);
	} else {
		vals[i++] = NULL;
		vals[i++] = NULL;
	}
	packet_olayout_format(s, v[i], sizeof v[0]);
	isnum[i++] = false;
	packet_quirks_format(s->quirks, v[i], sizeof v[0]);
	isnum[i++] = false;
	snprintf(v[i++], sizeof v[0], "%" PRIu32, s->payload_len);
	vals[i] = c->h[c->cur].name;
	isnum[i++] = false;
	const char *file = c->w ? pcapw_current(c->w) : NULL;
	vals[i] = file;
	isnum[i++] = false;
	out_row(c->jsonl, OUT_JSONL, N, names, vals, isnum);
}

/* on_packet - libpcap callback: keep SYNs to the sensor port */
static void on_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
	struct ctx *c = (struct ctx *)arg;
	struct syn s;

	c->pst.packets++;
	if (c->failed)
		return;     /* writing failed: stop after the first error */
	if (packet_parse(c->h[c->cur].dlt, data, h->caplen, h->len, &s, &c->pst) != 1 ||
	    s.dport != c->cfg->port) {
		c->other++;
		return;
	}
	s.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
	s.ts_prec = 9;
	c->syns++;
	if (c->w && pcapw_write(c->w, c->cur, h, data) < 0) {
		error("%s", pcapw_error(c->w));
		c->failed = true;
		sig_stop = 1;
		return;
	}
	if (c->jsonl)
		write_jsonl(c, &s);
}

/* dispatch - run the callback over what handle i holds: with drain,
 * until it holds nothing; else at most a bounded number of batches, so
 * timers and signals still get their turn under a flood.  -1 on a
 * capture error. */
static int dispatch(struct ctx *c, int i, bool drain)
{
	c->cur = i;
	for (int rounds = 0; rounds < (drain ? 1000000 : 64); rounds++) {
		int n = pcap_dispatch(c->h[i].p, -1, on_packet, (u_char *)c);
		if (n == PCAP_ERROR_BREAK) {
			if (!drain)
				return 0;
			continue;       /* the flag is reset: read what is left */
		}
		if (n < 0) {
			error("%s: %s", c->h[i].name, pcap_geterr(c->h[i].p));
			return -1;
		}
		if (n == 0)
			return 0;
	}
	return 0;
}

/* log_stats - kernel/interface drops and our counters */
static void log_stats(struct ctx *c, const char *when)
{
	for (int i = 0; i < c->n; i++) {
		struct pcap_stat ps;
		if (pcap_stats(c->h[i].p, &ps) < 0) {
			warn("stats %s: %s", c->h[i].name, pcap_geterr(c->h[i].p));
			continue;
		}
		info("stats (%s) %s: received %u, dropped by kernel %u, by interface %u",
		     when, c->h[i].name, ps.ps_recv, ps.ps_drop, ps.ps_ifdrop);
	}
	const struct pcapw_stats *ws = c->w ? pcapw_get_stats(c->w) : NULL;
	info("stats (%s): SYNs kept %" PRIu64 ", other frames %" PRIu64
	     " (not SYN %" PRIu64 ", truncated %" PRIu64 ", fragments %" PRIu64
	     ", bad %" PRIu64 "), files done %" PRIu64,
	     when, c->syns, c->other, c->pst.not_syn, c->pst.truncated, c->pst.fragments,
	     c->pst.bad, ws ? ws->files : 0);
}

/* open_handle - one live capture with the SYN filter, non-blocking */
static int open_handle(struct handle *hd, const struct capture_cfg *cfg)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	char filter[512];
	struct bpf_program prog;

	pcap_t *p = pcap_create(hd->name, ebuf);
	if (!p)
		return error("interface %s: %s", hd->name, ebuf);
	hd->p = p;
	pcap_set_snaplen(p, cfg->snaplen);
	pcap_set_promisc(p, 0);
	/* not immediate mode: libpcap then uses TPACKET_V2 with one
	 * snaplen-sized slot per packet and a wake-up per packet, and drops
	 * most of a 30k SYN/s flood; TPACKET_V3 blocks keep up (measured) */
	pcap_set_timeout(p, CAPTURE_TIMEOUT_MS);
	pcap_set_immediate_mode(p, 0);
	pcap_set_buffer_size(p, cfg->buffer_kib * 1024);
	if (pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) < 0)
		warn("interface %s: no nanosecond timestamps", hd->name);
	int rc = pcap_activate(p);
	if (rc < 0)
		return error("interface %s: %s", hd->name,
			     rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
	if (rc > 0)
		warn("interface %s: %s", hd->name, pcap_statustostr(rc));
	hd->dlt = pcap_datalink(p);
	if (!packet_dlt_supported(hd->dlt))
		return error("interface %s: link type %s (%d) is not decoded", hd->name,
			     packet_dlt_name(hd->dlt), hd->dlt);
	capture_filter(cfg->port, filter, sizeof filter);
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
		return error("interface %s: filter: %s", hd->name, pcap_geterr(p));
	rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc < 0)
		return error("interface %s: setting filter: %s", hd->name, pcap_geterr(p));
	if (pcap_setnonblock(p, 1, ebuf) < 0)
		return error("interface %s: %s", hd->name, ebuf);
	hd->fd = pcap_get_selectable_fd(p);
	if (hd->fd < 0)
		return error("interface %s: no selectable descriptor", hd->name);
	return 0;
}

/* out_name - an output's name in messages ("-" is standard output) */
static const char *out_name(const char *path)
{
	return strcmp(path, "-") ? path : "stdout";
}

/* open_append - an output stream appended to ("-": standard output).  A
 * regular file whose last line has no line break (a capture that did not
 * stop cut its last record short) gets one first: the cut record stays
 * one bad line of its own, where the next record would be spoilt too */
static int open_append(const char *path, FILE **f, bool *owned)
{
	if (!strcmp(path, "-")) {
		*f = stdout;
		return 0;
	}
	FILE *o = fopen(path, "ae");
	if (!o)
		return error("%s: %s", path, strerror(errno));
	struct stat sb;
	unsigned char last = '\n';
	if (fstat(fileno(o), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
		int rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (rfd >= 0 && pread(rfd, &last, 1, sb.st_size - 1) != 1)
			last = '\n';
		if (rfd >= 0)
			close(rfd);
	}
	if (last != '\n') {
		warn("%s: its last record was cut short (a capture that did not stop):"
		     " a line break ends it", path);
		if (fputc('\n', o) == EOF || fflush(o) != 0) {
			fclose(o);
			return error("%s: %s", path, strerror(errno));
		}
	}
	*f = o;
	*owned = true;
	return 0;
}

/* open_jsonl - the JSON-lines stream (append) */
static int open_jsonl(struct ctx *c)
{
	return c->cfg->jsonl ? open_append(c->cfg->jsonl, &c->jsonl, &c->jsonl_owned) : 0;
}

/* close_jsonl - flush and close; -1 when the stream failed */
static int close_jsonl(struct ctx *c)
{
	if (!c->jsonl)
		return 0;
	int rc = fflush(c->jsonl) != 0 || ferror(c->jsonl) ? -1 : 0;
	if (c->jsonl_owned && fclose(c->jsonl) != 0)
		rc = -1;
	if (rc < 0)
		error("%s: write error", out_name(c->cfg->jsonl));
	c->jsonl = NULL;
	c->jsonl_owned = false;
	return rc;
}

/* open_smtplog - the SMTP event stream (append) */
static int open_smtplog(struct ctx *c)
{
	return c->cfg->smtp_log ? open_append(c->cfg->smtp_log, &c->smtplog, &c->smtplog_owned) : 0;
}

/* close_smtplog - flush and close; -1 when the stream failed */
static int close_smtplog(struct ctx *c)
{
	if (!c->smtplog)
		return 0;
	int rc = fflush(c->smtplog) != 0 || ferror(c->smtplog) ? -1 : 0;
	if (c->smtplog_owned && fclose(c->smtplog) != 0)
		rc = -1;
	if (rc < 0)
		error("%s: write error", out_name(c->cfg->smtp_log));
	c->smtplog = NULL;
	c->smtplog_owned = false;
	return rc;
}

/* flush_all - buffered records out to every file; -1 (logged) on failure */
static int flush_all(struct ctx *c)
{
	if (c->w && pcapw_flush(c->w) < 0)
		return error("%s", pcapw_error(c->w));
	if (c->smtplog && fflush(c->smtplog) != 0)
		return error("%s: write error: %s", out_name(c->cfg->smtp_log), strerror(errno));
	if (c->jsonl && fflush(c->jsonl) != 0)
		return error("%s: write error: %s", out_name(c->cfg->jsonl), strerror(errno));
	return 0;
}

/* check_outdir - the directory of the output files is writable by us now */
static int check_outdir(const struct capture_cfg *cfg, const char *user)
{
	char name[4096];
	const char *paths[3] = { NULL, cfg->jsonl, cfg->smtp_log };
	if (cfg->pattern) {
		if (pcapw_name(cfg->pattern, now_ns(), name, sizeof name) < 0)
			return error("bad file name pattern '%s'", cfg->pattern);
		paths[0] = name;
	}
	for (int i = 0; i < 3; i++) {
		if (!paths[i] || !strcmp(paths[i], "-"))
			continue;
		char *dir = path_dir(paths[i]);
		if (access(dir, W_OK | X_OK) < 0) {
			error("output directory %s is not writable by user %s: %s",
			      dir, user, strerror(errno));
			free(dir);
			return -1;
		}
		free(dir);
	}
	return 0;
}

int capture_run(const struct capture_cfg *cfg)
{
	struct ctx c = { .cfg = cfg };
	char err[512];
	int fds[2] = { -1, -1 };
	int status = 2;

	int n = portguard_listeners(cfg->port, err, sizeof err);
	if (n < 0)
		return error("%s", err), 2;
	if (n > 0)
		return error("%d socket%s listen%s on port %u: refusing to run a sensor "
			     "that could accept connections", n, n > 1 ? "s" : "",
			     n > 1 ? "" : "s", cfg->port), 2;
	if (cfg->smtp) {
		if (smtp_listen(cfg->port, fds, err, sizeof err) < 0)
			return error("%s", err), 2;
		/* room for every client; raised while still privileged */
		struct rlimit rl;
		rlim_t need = (rlim_t)cfg->smtp_cfg.max_clients + 64;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need) {
			rl.rlim_cur = need;
			if (rl.rlim_max < need)
				rl.rlim_max = need;
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				warn("cannot raise the open file limit to %lu: %s",
				     (unsigned long)need, strerror(errno));
		}
	} else if (cfg->hold_port && portguard_hold(cfg->port, fds, err, sizeof err) < 0) {
		return error("%s", err), 2;
	}
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return error("epoll: %s", strerror(errno)), 2;
	}

	c.n = cfg->n_ifaces ? cfg->n_ifaces : 1;
	struct pcapw_iface wif[CAPTURE_MAX_IFACES];
	for (int i = 0; i < c.n; i++) {
		c.h[i].name = cfg->n_ifaces ? cfg->ifaces[i] : "any";
		c.h[i].fd = -1;
		if (open_handle(&c.h[i], cfg) < 0)
			goto out;
		wif[i] = (struct pcapw_iface){ c.h[i].name, c.h[i].dlt, cfg->snaplen };
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)1 << 32 | (unsigned)i };
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, c.h[i].fd, &ev) < 0) {
			error("epoll: %s", strerror(errno));
			goto out;
		}
	}

	struct privdrop_user u;
	if (privdrop_lookup(cfg->user, &u, err, sizeof err) < 0) {
		error("%s", err);
		goto out;
	}
	if (u.uid == 0) {
		error("will not capture as root: choose an unprivileged --user");
		goto out;
	}
	if (privdrop_drop(&u, cfg->chroot_dir, err, sizeof err) < 0 ||
	    privdrop_verify(&u, err, sizeof err) < 0) {
		error("dropping privileges: %s", err);
		goto out;
	}
	info("running as user %s (uid %u, gid %u) with no capabilities%s%s", u.name,
	     (unsigned)u.uid, (unsigned)u.gid, cfg->chroot_dir ? ", chroot " : "",
	     cfg->chroot_dir ? cfg->chroot_dir : "");
	if (check_outdir(cfg, u.name) < 0)
		goto out;
	if (cfg->pattern) {
		struct pcapw_cfg wc = { cfg->pattern, cfg->format, cfg->rotate_size,
					cfg->rotate_ns, wif, c.n };
		pcapw_recover(cfg->pattern, now_ns());
		c.w = pcapw_new(&wc, err, sizeof err);
		if (!c.w) {
			error("%s", err);
			goto out;
		}
	}
	if (open_jsonl(&c) < 0 || open_smtplog(&c) < 0)
		goto out;
	if (cfg->smtp) {
		c.smtp = smtp_new(&cfg->smtp_cfg, epfd, fds, c.smtplog);
		fds[0] = fds[1] = -1;   /* owned by c.smtp now */
	}

	sig_handles = c.h;
	sig_n = c.n;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	{
		char filter[512];
		info("capturing SYNs to port %u on %d interface%s (%s%s), port %s",
		     cfg->port, c.n, c.n > 1 ? "s" : "", c.h[0].name, c.n > 1 ? ", ..." : "",
		     c.smtp ? "answered by the SMTP listener (never accepts mail)" :
		     fds[0] >= 0 ? "held closed" : "not held");
		debug("filter: %s", capture_filter(cfg->port, filter, sizeof filter));
	}

	status = 0;
	int64_t next_stats = cfg->stats_ns ? mono_ns() + cfg->stats_ns : 0;
	int64_t next_flush = 0;
	struct epoll_event evs[64];
	while (!sig_stop) {
		int timeout = 200;
		if (c.smtp) {
			int t = smtp_tick(c.smtp);
			if (t >= 0 && t < timeout)
				timeout = t;
		}
		int r = epoll_wait(epfd, evs, 64, timeout);
		if (r < 0 && errno != EINTR) {
			error("epoll_wait: %s", strerror(errno));
			status = 1;
			break;
		}
		for (int k = 0; k < r; k++) {
			uint64_t tag = evs[k].data.u64;
			if (tag >> 32 == 1) {
				if (dispatch(&c, (int)(uint32_t)tag, false) < 0)
					c.failed = true;
			} else if (c.smtp) {
				smtp_event(c.smtp, tag, evs[k].events);
			}
		}
		if (c.failed)
			break;
		if (c.w && pcapw_tick(c.w, now_ns()) < 0) {
			error("%s", pcapw_error(c.w));
			c.failed = true;
			break;
		}
		if (sig_hup) {
			sig_hup = 0;
			for (int i = 0; i < c.n; i++)
				if (dispatch(&c, i, true) < 0)
					c.failed = true;
			if (c.w && pcapw_rotate(c.w) < 0) {
				error("%s", pcapw_error(c.w));
				c.failed = true;
				break;
			}
			if (c.jsonl_owned) {
				if (close_jsonl(&c) < 0 || open_jsonl(&c) < 0) {
					c.failed = true;
					break;
				}
			}
			if (c.smtplog_owned) {
				if (close_smtplog(&c) < 0 || open_smtplog(&c) < 0) {
					c.failed = true;
					break;
				}
				smtp_set_out(c.smtp, c.smtplog);
			}
			info("SIGHUP: files rotated");
		}
		/* push buffered records to the files a few times a second, not
		 * once per packet: a write(2) per wake-up would cost a sensor
		 * under a flood a good part of the rate it keeps up with */
		if (mono_ns() >= next_flush) {
			next_flush = mono_ns() + CAPTURE_FLUSH_NS;
			if (flush_all(&c) < 0) {
				c.failed = true;
				break;
			}
		}
		if (next_stats && mono_ns() >= next_stats) {
			log_stats(&c, "periodic");
			next_stats = mono_ns() + cfg->stats_ns;
		}
	}
	/* drain what the kernel holds: a block that is not full is handed
	 * over after CAPTURE_TIMEOUT_MS, so keep reading that long, twice */
	int64_t until = mono_ns() + 2 * CAPTURE_TIMEOUT_MS * 1000000LL + 20000000;
	do {
		for (int i = 0; i < c.n; i++)
			if (dispatch(&c, i, true) < 0)
				c.failed = true;
		if (c.failed)
			break;
		struct timespec pause = { 0, 20000000 };
		nanosleep(&pause, NULL);
	} while (mono_ns() < until);
	for (int i = 0; i < c.n && !c.failed; i++)
		if (dispatch(&c, i, true) < 0)
			c.failed = true;
	if (c.w && pcapw_rotate(c.w) < 0) {      /* complete the last file */
		error("%s", pcapw_error(c.w));
		c.failed = true;
	}
	log_stats(&c, "exit");
	if (c.smtp) {
		const struct smtp_stats *ss = smtp_get_stats(c.smtp);
		info("smtp: sessions %" PRIu64 ", refused at connect %" PRIu64 ", HELO/EHLO %"
		     PRIu64 ", MAIL %" PRIu64 ", RCPT %" PRIu64 ", closed by a limit %" PRIu64,
		     ss->sessions, ss->refused, ss->helos, ss->mails, ss->rcpts, ss->limited);
	}
	if (c.failed)
		status = 1;
	info("stopped");
out:
	smtp_free(c.smtp);
	if (close_smtplog(&c) < 0 && status == 0)
		status = 1;
	if (close_jsonl(&c) < 0 && status == 0)
		status = 1;
	if (pcapw_close(c.w) < 0 && status == 0)
		status = 1;
	sig_n = 0;
	for (int i = 0; i < c.n; i++)
		if (c.h[i].p)
			pcap_close(c.h[i].p);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(epfd);
	return status;
}
