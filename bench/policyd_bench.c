/*
 * policyd_bench.c - throughput and latency of `mxsensor policyd` over
 * loopback: many concurrent policy clients, each sending one RCPT request
 * at a time (as Postfix's smtpd does) from addresses spread over many /64s.
 *
 *   policyd_bench [-m MXSENSOR] [-c CONNECTIONS] [-n REQUESTS] [-s PREFIXES]
 *                 [-a HOST:PORT]
 *
 * Without -a it starts `MXSENSOR policyd` itself on a free loopback port
 * (as user nobody when run as root, with a fresh store in a temporary
 * directory) and stops it with SIGTERM at the end.  Prints requests,
 * elapsed time, requests per second and latency percentiles (p50, p99,
 * p99.9, max) in microseconds, and (when it started the server) the
 * server's CPU time per request.  Replies are checked: each must be one
 * "action=..." line and an empty line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;
	int64_t sent_ns;
	char in[512];
	size_t ilen;
	unsigned id;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* send_req - one RCPT request from a random address of one of nprefix /64s */
static int send_req(struct conn *c, unsigned nprefix, uint64_t seq)
{
	char buf[512];
	uint64_t r = xorshift();
	unsigned p = (unsigned)(r % nprefix);
	int n = snprintf(buf, sizeof buf,
		"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
		"helo_name=bench.example\nqueue_id=\nsender=s@example.org\n"
		"recipient=u@example.net\nrecipient_count=0\n"
		"client_address=2001:db8:%x:%x:%x:%x:%x:%x\nclient_name=unknown\n"
		"client_port=%u\ninstance=%llx.%u\nsize=0\n\n",
		p >> 16, p & 0xffff, (unsigned)(r >> 16) & 0xffff, (unsigned)(r >> 32) & 0xffff,
		(unsigned)(r >> 48), c->id, 1024 + c->id % 60000,
		(unsigned long long)seq, c->id);
	c->sent_ns = now_ns();
	return send(c->fd, buf, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: policyd_bench [-m MXSENSOR] [-c CONNS] [-n REQUESTS] [-s PREFIXES] [-a HOST:PORT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mx = "build/mxsensor", *addr = NULL;
	unsigned conns = 200, nprefix = 20000;
	unsigned long total = 200000;
	int o;
	while ((o = getopt(argc, argv, "m:c:n:s:a:")) != -1) {
		switch (o) {
		case 'm': mx = optarg; break;
		case 'c': conns = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': total = strtoul(optarg, NULL, 10); break;
		case 's': nprefix = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'a': addr = optarg; break;
		default: usage();
		}
	}
	if (!conns || conns > 20000 || !total || !nprefix)
		usage();
	char host[64] = "127.0.0.1";
	unsigned port = 0;
	pid_t pid = -1;
	char dir[] = "/tmp/policyd_bench.XXXXXX";
	if (addr) {
		const char *colon = strrchr(addr, ':');
		if (!colon || (size_t)(colon - addr) >= sizeof host)
			usage();
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
		port = (unsigned)strtoul(colon + 1, NULL, 10);
	} else {
		/* a free port: bind 0, read it back, release it */
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t sl = sizeof sin;
		if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) < 0 ||
		    getsockname(s, (struct sockaddr *)&sin, &sl) < 0) {
			perror("port");
			return 1;
		}
		port = ntohs(sin.sin_port);
		close(s);
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			return 1;
		}
		chmod(dir, 0777);
		char listen[64], db[96], mc[16];
		snprintf(listen, sizeof listen, "inet:127.0.0.1:%u", port);
		snprintf(db, sizeof db, "%s/bench.db", dir);
		snprintf(mc, sizeof mc, "%u", conns + 10);
		pid = fork();
		if (pid == 0) {
			if (geteuid() == 0)
				execl(mx, mx, "policyd", "--listen", listen, "--db", db, "--user", "nobody",
				      "--max-clients", mc, (char *)NULL);
			else
				execl(mx, mx, "policyd", "--listen", listen, "--db", db,
				      "--max-clients", mc, (char *)NULL);
			perror(mx);
			_exit(127);
		}
	}
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, host, &sin.sin_addr);
	/* wait for the server */
	for (int i = 0; i < 100; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		int rc = connect(s, (struct sockaddr *)&sin, sizeof sin);
		close(s);
		if (rc == 0)
			break;
		usleep(50000);
	}
	int ep = epoll_create1(0);
	struct conn *cs = calloc(conns, sizeof *cs);
	int64_t *lat = malloc(total * sizeof *lat);
	unsigned long sent = 0, done = 0, bad = 0;
	int64_t t0 = now_ns();
	for (unsigned i = 0; i < conns; i++) {
		cs[i].id = i;
		cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		int one = 1;
		setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(cs[i].fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
			perror("connect");
			return 1;
		}
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		if (sent < total && send_req(&cs[i], nprefix, sent) == 0)
			sent++;
	}
	struct epoll_event evs[512];
	while (done < sent) {
		int n = epoll_wait(ep, evs, 512, 5000);
		if (n <= 0) {
			fprintf(stderr, "policyd_bench: no reply for 5 s (%lu of %lu done)\n", done, sent);
			break;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r = recv(c->fd, c->in + c->ilen, sizeof c->in - c->ilen - 1, 0);
			if (r <= 0) {
				fprintf(stderr, "policyd_bench: connection closed by the server\n");
				goto out;
			}
			c->ilen += (size_t)r;
			c->in[c->ilen] = '\0';
			char *end = strstr(c->in, "\n\n");
			if (!end)
				continue;
			int64_t t = now_ns();
			if (strncmp(c->in, "action=", 7) || memchr(c->in, '\n', (size_t)(end - c->in)))
				bad++;
			lat[done++] = t - c->sent_ns;
			size_t rest = c->ilen - (size_t)(end + 2 - c->in);
			memmove(c->in, end + 2, rest);
			c->ilen = rest;
			if (sent < total && send_req(c, nprefix, sent) == 0)
				sent++;
		}
	}
out:;
	double secs = (double)(now_ns() - t0) / 1e9;
	qsort(lat, done, sizeof *lat, cmp64);
	if (done == 0) {
		fprintf(stderr, "policyd_bench: no replies\n");
		return 1;
	}
	printf("policyd_bench: %u connections, %lu requests over %u /64s in %.2f s\n",
	       conns, done, nprefix, secs);
	printf("  throughput  %.0f requests/s\n", (double)done / secs);
	printf("  latency     p50 %.0f us  p99 %.0f us  p99.9 %.0f us  max %.0f us\n",
	       lat[done / 2] / 1e3, lat[done * 99 / 100] / 1e3, lat[done * 999 / 1000] / 1e3,
	       lat[done - 1] / 1e3);
	printf("  bad replies %lu\n", bad);
	for (unsigned i = 0; i < conns; i++)
		close(cs[i].fd);
	if (pid > 0) {
		/* the server's own CPU time: a figure that other load does not skew */
		char statp[64], st[1024];
		snprintf(statp, sizeof statp, "/proc/%d/stat", (int)pid);
		FILE *sf = fopen(statp, "r");
		if (sf && fgets(st, sizeof st, sf)) {
			const char *q = strrchr(st, ')');
			unsigned long ut = 0, stt = 0;
			if (q && sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
					&ut, &stt) == 2) {
				double cpu = (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
				printf("  server cpu  %.2f s, %.1f us per request\n", cpu, cpu * 1e6 / (double)done);
			}
		}
		if (sf)
			fclose(sf);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "policyd_bench: could not remove %s\n", dir);
	}
	free(cs);
	free(lat);
	return bad || done < total ? 1 : 0;
}
