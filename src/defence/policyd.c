/*
 * policyd.c - the policy server around the policy engine.
 *
 * Trusts nothing from clients: bytes go through the bounded parser of
 * policy.c; a reply is queued only after a complete request; a client
 * that exceeds POLICY_REQ_MAX, stops reading its replies (more than
 * OUT_MAX queued) or stays idle is closed.  Any request the engine cannot
 * use is answered DUNNO, so a fault here never blocks mail.
 */
#include "defence/policyd.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "defence/cos.h"
#include "defence/policy.h"
#include "defence/reputation.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/log.h"

#define OUT_MAX 8192
/* a client socket's kernel send buffer (SO_SNDBUF; the kernel doubles
 * it): Postfix reads each reply before its next request, and even 3000
 * pipelined requests take 45 KB of replies.  Fixed, the buffer does not
 * grow to tcp_wmem's maximum (4 MiB) for a client that stops reading:
 * such a client is found after some 128 KB of replies, not megabytes of
 * them, and --max-clients bounds the kernel memory the clients hold. */
#define CLIENT_SNDBUF 65536

struct client {
	int fd;
	int64_t last_ns;
	struct policy_parser p;
	char out[OUT_MAX];
	size_t olen;
	struct client *prev, *next;
};

static volatile sig_atomic_t got_term, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* policyd_listen - "inet:HOST:PORT" ([v6] allowed) or "unix:PATH" */
int policyd_listen(const char *spec)
{
	int fd = -1;
	if (!strncmp(spec, "unix:", 5)) {
		const char *path = spec + 5;
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		if (!*path || strlen(path) >= sizeof sun.sun_path)
			return error("--listen %s: bad socket path", spec);
		strcpy(sun.sun_path, path);
		struct stat sb;
		if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
			unlink(path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
		    chmod(path, 0666) < 0) {
			error("--listen %s: %s", spec, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	} else if (!strncmp(spec, "inet:", 5)) {
		char host[256];
		const char *hp = spec + 5, *colon = strrchr(hp, ':');
		if (!colon || (size_t)(colon - hp) >= sizeof host || colon == hp)
			return error("--listen %s: want inet:HOST:PORT", spec);
		memcpy(host, hp, (size_t)(colon - hp));
		host[colon - hp] = '\0';
		char *h = host;
		if (h[0] == '[' && h[strlen(h) - 1] == ']') {
			h[strlen(h) - 1] = '\0';
			h++;
		}
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
					  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
		struct addrinfo *ai;
		int rc = getaddrinfo(h, colon + 1, &hints, &ai);
		if (rc)
			return error("--listen %s: %s", spec, gai_strerror(rc));
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
		    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			error("--listen %s: %s", spec, strerror(errno));
			if (fd >= 0)
				close(fd);
			freeaddrinfo(ai);
			return -1;
		}
		freeaddrinfo(ai);
	} else {
		return error("--listen %s: want inet:HOST:PORT or unix:PATH", spec);
	}
	if (listen(fd, 1024) < 0) {
		error("--listen %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* drop_privs - become user (and its group) for good, then check it */
static int drop_privs(const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return error("--user %s: no such user", user);
	if (pw->pw_uid == 0)
		return error("--user %s: is root", user);
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return error("--user %s: %s", user, strerror(errno));
	if (setuid(0) == 0 || getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
	    getegid() != pw->pw_gid)
		return error("--user %s: privileges still held", user);
	return 0;
}

struct state {
	const struct policyd_opts *o;
	struct cos_config cfg;
	struct rep_table *rep;
	struct policy_engine *eng;
	struct store *st;           /* the store the outcomes go to, or NULL */
	bool read_store;            /* a store was read, at the start or since */
	struct client *clients;
	size_t nclients;
	uint64_t refused, protocol_errors, idle_closed;
};

/* load - configuration and reputation (from st, when there is one); 0 or
 * -1 (old ones untouched) */
static int load(const struct policyd_opts *o, struct store *st, struct cos_config *cfg,
		struct rep_table **rep)
{
	if (o->config) {
		if (cos_load(cfg, o->config) < 0)
			return -1;
	} else {
		cos_defaults(cfg);
	}
	*rep = rep_new(cfg, 0);
	if (st && rep_load_store(*rep, st, cfg, 0) < 0) {
		rep_free(*rep);
		*rep = NULL;
		cos_free(cfg);
		return -1;
	}
	rep_finish(*rep, cfg);
	rep_keep_classes(*rep);     /* the classes are all the engine asks */
	return 0;
}

/*
 * struct reload - SIGHUP's reload on a thread of its own.  Reading the
 * reputation takes as long as `mxsensor reputation` (some 20 s on a store
 * of 50M SYNs), and every Postfix smtpd waits for the answer to each RCPT:
 * the server keeps answering with the old configuration and reputation
 * meanwhile, and takes the new ones when the thread is done (it says so
 * through an eventfd in the server's epoll set).  The thread reads
 * through a store connection of its own; a SIGHUP during a reload starts
 * another one after it, so the last signal's files are the ones in force.
 * A server that read no store at its start (--db not there yet, and
 * --user may not make it: policyd ran before the first analysis) opens
 * it as at its start; one with no store to save its outcomes to (none,
 * or one --user may only read) keeps the reload's connection when it may
 * write (the store's owner set since).  One that read a store reads it
 * again, and fails the reload rather than make a new, empty one when it
 * is gone.
 */
struct reload {
	const struct policyd_opts *o;
	bool had_store;             /* the server read a store (reload_start) */
	bool want_store;            /* ... has none to save outcomes to */
	bool got_store;             /* this reload read one */
	struct store *st_new;       /* one to save outcomes to, or NULL */
	int efd;
	pthread_t th;
	bool running, again;
	volatile sig_atomic_t stop; /* SIGTERM: the store's statement stops */
	struct cos_config cfg;
	struct rep_table *rep;
	int rc;
	double secs;
};

static void *reload_run(void *arg)
{
	struct reload *r = arg;
	int64_t t0 = mono_ns();
	struct store *st = NULL;
	r->rc = 0;
	r->st_new = NULL;
	r->got_store = false;
	if (r->o->db) {
		st = r->had_store ? store_open(r->o->db, false) : store_open_or_read(r->o->db);
		if (st)
			store_set_stop(st, &r->stop);
		else if (r->had_store)
			r->rc = -1;
		else
			warn("%s: still no store: every prefix is unknown", r->o->db);
	}
	if (r->rc == 0)
		r->rc = load(r->o, st, &r->cfg, &r->rep);
	r->got_store = st != NULL;
	/* a store the server may save its outcomes to: kept for it */
	if (r->rc == 0 && st && r->want_store && !store_read_only(st)) {
		store_set_stop(st, NULL);
		r->st_new = st;
	} else {
		store_close(st);
	}
	r->secs = (double)(mono_ns() - t0) / 1e9;
	uint64_t one = 1;
	if (write(r->efd, &one, sizeof one) != (ssize_t)sizeof one)
		warn("policyd: reload: eventfd: %s", strerror(errno));
	return NULL;
}

/* reload_start - a reload of server s begins (or, while one runs,
 * follows it) */
static void reload_start(const struct state *s, struct reload *r)
{
	if (r->running) {
		r->again = true;
		return;
	}
	r->again = false;
	r->stop = 0;
	r->had_store = s->read_store;
	r->want_store = !s->st;
	/* the signals stay with the server's thread */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int e = pthread_create(&r->th, NULL, reload_run, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		warn("policyd: reload: no thread (%s), keeping the old configuration", strerror(e));
		return;
	}
	r->running = true;
}

/* reload_wait - the thread's end; 0 with its result in r, -1 if none ran */
static int reload_wait(struct reload *r)
{
	if (!r->running)
		return -1;
	pthread_join(r->th, NULL);
	r->running = false;
	uint64_t n;
	if (read(r->efd, &n, sizeof n) < 0 && errno != EAGAIN)
		warn("policyd: reload: eventfd: %s", strerror(errno));
	return 0;
}

/* reload_done - the thread has ended: its configuration and reputation
 * take the old ones' place, or the old ones stay; a SIGHUP that came
 * meanwhile starts the next reload */
static void reload_done(struct state *s, struct reload *r)
{
	if (reload_wait(r) < 0)
		return;
	if (r->rc == 0) {
		cos_free(&s->cfg);
		rep_free(s->rep);
		s->cfg = r->cfg;
		s->rep = r->rep;
		policy_reload(s->eng, &s->cfg, s->rep);
		info("policyd: reloaded in %.3f s (%zu prefixes good, mixed or bad)", r->secs,
		     rep_count(s->rep));
		if (r->got_store && !s->read_store && !r->st_new)
			info("policyd: %s: the store is read from now on (read-only:"
			     " outcomes are not saved)", s->o->db);
		s->read_store |= r->got_store;
		if (r->st_new && !s->st) {
			s->st = r->st_new;
			info("policyd: %s: outcomes are saved to the store from now on",
			     s->o->db);
		} else {
			store_close(r->st_new);
		}
		r->st_new = NULL;
	} else {
		warn("policyd: reload failed, keeping the old configuration");
	}
	if (r->again)
		reload_start(s, r);
}

/* reload_end - at the exit: a reload in progress is of no use now, its
 * store statement stops; one that waits elsewhere (a configuration file
 * on a stalled mount) is given two seconds, then left to the exit with r
 * and its eventfd */
static void reload_end(struct reload *r)
{
	if (r->running) {
		r->stop = 1;
		struct pollfd pfd = { .fd = r->efd, .events = POLLIN };
		if (poll(&pfd, 1, 2000) == 1 && reload_wait(r) == 0 && r->rc == 0) {
			rep_free(r->rep);
			cos_free(&r->cfg);
			store_close(r->st_new);
		}
		if (r->running) {
			warn("policyd: a reload still running at the exit is left unfinished");
			pthread_detach(r->th);
			return;
		}
	}
	close(r->efd);
	free(r);
}

static int save_rows(const struct policy_delta *d, size_t n, void *arg)
{
	struct state *s = arg;
	struct store_policy_row *rows = xcalloc(n, sizeof *rows);
	char (*pf)[PREFIX_STRLEN] = xcalloc(n, PREFIX_STRLEN);
	for (size_t i = 0; i < n; i++) {
		rows[i] = (struct store_policy_row){
			.prefix = prefix_format(&d[i].key, pf[i]),
			.cls = cos_class_name(d[i].cls),
			.first_ns = d[i].first_ns, .last_ns = d[i].last_ns,
			.accepted = d[i].accepted, .limited = d[i].limited,
		};
	}
	int rc = store_policy_save(s->st, rows, n);
	free(rows);
	free(pf);
	return rc;
}

static int discard_rows(const struct policy_delta *d, size_t n, void *arg)
{
	(void)d, (void)n, (void)arg;
	return 0;
}

/* persist - save outcome deltas (kept in memory, bounded, when the store
 * fails; dropped when there is none to save them to) */
static void persist(struct state *s)
{
	if (!s->st)
		policy_save(s->eng, discard_rows, NULL);
	else if (policy_save(s->eng, save_rows, s) < 0)
		warn("%s: outcomes not saved, will retry", store_location(s->st));
}

static void client_close(struct state *s, struct client *c)
{
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nclients--;
	free(c);
}

/* client_flush - write what is queued; -1 when the client is gone */
static int client_flush(struct client *c)
{
	while (c->olen) {
		ssize_t w = send(c->fd, c->out, c->olen, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -1;
		}
		memmove(c->out, c->out + w, c->olen - (size_t)w);
		c->olen -= (size_t)w;
	}
	return 0;
}

/* client_read - read, answer each complete request; -1 to close */
static int client_read(struct state *s, struct client *c, int epfd)
{
	char buf[16384];
	for (;;) {
		ssize_t r = recv(c->fd, buf, sizeof buf, 0);
		if (r == 0)
			return -1;
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return -1;
		}
		int64_t t = now_ns();
		c->last_ns = mono_ns();
		size_t off = 0;
		while (off < (size_t)r) {
			size_t used;
			enum policy_feed_rc rc = policy_feed(&c->p, buf + off, (size_t)r - off, &used);
			off += used;
			if (rc == POLICY_ERROR) {
				s->protocol_errors++;
				return -1;
			}
			if (rc == POLICY_MORE)
				break;
			char act[COS_TEXT_MAX + 32];
			policy_decide(s->eng, &c->p.req, t, act, sizeof act);
			memset(&c->p.req, 0, sizeof c->p.req);
			if (OUT_MAX - c->olen < sizeof act + 16) {
				/* pipelined requests: write what is queued first */
				if (client_flush(c) < 0 || OUT_MAX - c->olen < sizeof act + 16)
					return -1;   /* not reading its replies */
			}
			int n = snprintf(c->out + c->olen, OUT_MAX - c->olen, "action=%s\n\n", act);
			if (n < 0 || (size_t)n >= OUT_MAX - c->olen)
				return -1;   /* not reading its replies */
			c->olen += (size_t)n;
		}
	}
	if (client_flush(c) < 0)
		return -1;
	struct epoll_event ev = { .events = EPOLLIN | (c->olen ? EPOLLOUT : 0u), .data.ptr = c };
	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
	return 0;
}

/* policyd_run - bind, drop privileges, serve */
int policyd_run(const struct policyd_opts *o)
{
	struct state s = { .o = o };
	if (geteuid() == 0 && !o->user) {
		error("refusing to run as root: give --user NAME");
		return 2;
	}
	int lfd = policyd_listen(o->listen);
	if (lfd < 0)
		return 2;
	if (o->user && drop_privs(o->user) < 0) {
		close(lfd);
		return 2;
	}
	hash_seed_init();
	if (o->db) {
		/* a store this user may only read still gives the reputation */
		s.st = store_open_or_read(o->db);
		if (s.st && store_read_only(s.st))
			warn("%s: read-only: outcomes are not saved (%s may not write the store"
			     " or its directory)", o->db, o->user ? o->user : "this user");
		if (!s.st) {
			char why[192] = "";
			if (o->user)
				snprintf(why, sizeof why, " (a store is opened as --user %s, who must"
					 " be able to read it, or to create it in its directory)", o->user);
			warn("%s: no store: every prefix is unknown, outcomes are not saved%s;"
			     " a SIGHUP tries again", o->db, why);
		}
	}
	if (load(o, s.st, &s.cfg, &s.rep) < 0) {
		close(lfd);
		store_close(s.st);
		return 2;
	}
	s.read_store = s.st != NULL;
	/* read-only: not kept.  SQLite shares a file's -shm mapping among
	 * the connections of a process, so that one kept open read-only
	 * would keep a reload's read-only too, after the store's owner was
	 * set to --user (the outcomes saved from then on: reload_done) */
	if (s.st && store_read_only(s.st)) {
		store_close(s.st);
		s.st = NULL;
	}
	s.eng = policy_new(&s.cfg, s.rep, o->max_prefixes);

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
	/* on the heap: a reload left running at the exit keeps it */
	struct reload *rl = xcalloc(1, sizeof *rl);
	*rl = (struct reload){ .o = o, .efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) };
	struct epoll_event rev = { .events = EPOLLIN, .data.ptr = rl };
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev) < 0 || rl->efd < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, rl->efd, &rev) < 0)
		die("epoll: %s", strerror(errno));
	info("policyd: listening on %s (%zu prefixes good, mixed or bad)", o->listen, rep_count(s.rep));

	int64_t next_save = mono_ns() + (int64_t)o->persist_s * 1000000000LL;
	int64_t next_sweep = mono_ns() + 1000000000LL;
	struct epoll_event evs[256];
	while (!got_term) {
		if (got_hup) {
			got_hup = 0;
			reload_start(&s, rl);
		}
		int n = epoll_wait(epfd, evs, 256, 1000);
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == rl) {
				reload_done(&s, rl);
				continue;
			}
			struct client *c = evs[i].data.ptr;
			if (!c) {
				for (;;) {
					int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
					if (cfd < 0)
						break;
					if (s.nclients >= o->max_clients) {
						s.refused++;
						close(cfd);
						continue;
					}
					int sb = CLIENT_SNDBUF;
					if (setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof sb) < 0)
						debug("policyd: SO_SNDBUF: %s", strerror(errno));
					c = xcalloc(1, sizeof *c);
					c->fd = cfd;
					c->last_ns = mono_ns();
					policy_parser_init(&c->p);
					c->next = s.clients;
					if (s.clients)
						s.clients->prev = c;
					s.clients = c;
					s.nclients++;
					struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
					epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &ev);
				}
				continue;
			}
			if (evs[i].events & (EPOLLERR | EPOLLHUP) && !(evs[i].events & EPOLLIN)) {
				client_close(&s, c);
				continue;
			}
			if (evs[i].events & EPOLLOUT) {
				if (client_flush(c) < 0) {
					client_close(&s, c);
					continue;
				}
				if (!c->olen) {   /* all written: stop asking for EPOLLOUT */
					struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
					epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
				}
			}
			if (evs[i].events & EPOLLIN && client_read(&s, c, epfd) < 0)
				client_close(&s, c);
		}
		int64_t m = mono_ns();
		if (m >= next_sweep) {
			next_sweep = m + 1000000000LL;
			int64_t idle = (int64_t)o->idle_s * 1000000000LL;
			for (struct client *c = s.clients, *nx; c; c = nx) {
				nx = c->next;
				if (m - c->last_ns > idle) {
					s.idle_closed++;
					client_close(&s, c);
				}
			}
		}
		if (m >= next_save) {
			next_save = m + (int64_t)o->persist_s * 1000000000LL;
			persist(&s);
		}
	}
	reload_end(rl);
	persist(&s);
	const struct policy_stats *ps = policy_stats(s.eng);
	info("policyd: exiting: %llu requests, %llu accepted messages, %llu limited,"
	     " %llu malformed, %llu unusable, %llu protocol errors, %llu idle closed,"
	     " %llu refused, %llu prefixes evicted",
	     (unsigned long long)ps->requests, (unsigned long long)ps->accepted,
	     (unsigned long long)ps->limited, (unsigned long long)ps->malformed,
	     (unsigned long long)ps->dunno_errors, (unsigned long long)s.protocol_errors,
	     (unsigned long long)s.idle_closed, (unsigned long long)s.refused,
	     (unsigned long long)ps->evicted);
	while (s.clients)
		client_close(&s, s.clients);
	close(epfd);
	close(lfd);
	policy_free(s.eng);
	rep_free(s.rep);
	cos_free(&s.cfg);
	store_close(s.st);
	return 0;
}
