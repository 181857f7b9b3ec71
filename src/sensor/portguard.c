/*
 * portguard.c - refuse a sensor port that something listens on, then hold
 * it bound without listening (see portguard.h).
 *
 * /proc/net/tcp lines (Linux, net/ipv4/tcp_ipv4.c get_tcp4_sock):
 *   sl  local_address rem_address   st ...
 *   0: 0100007F:0019 00000000:0000 0A ...
 * local_address is HEX_ADDR:HEX_PORT, st 0A is TCP_LISTEN.  The text is
 * the kernel's, but it is parsed defensively all the same.
 */
#include "sensor/portguard.h"

#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* portguard_count_listen - count LISTEN entries for port in one table */
int portguard_count_listen(FILE *f, uint16_t port)
{
	char line[512];
	int n = 0;

	if (!fgets(line, sizeof line, f) || !strstr(line, "local_address"))
		return -1;
	while (fgets(line, sizeof line, f)) {
		char local[80], remote[80], st[8];
		if (sscanf(line, " %*[^:]: %79s %79s %7s", local, remote, st) != 3)
			continue;
		char *colon = strrchr(local, ':');
		if (!colon)
			continue;
		char *end;
		unsigned long p = strtoul(colon + 1, &end, 16);
		if (*end || p != port)
			continue;
		if (!strcmp(st, "0A"))
			n++;
	}
	return n;
}

int portguard_listeners(uint16_t port, char *err, size_t errlen)
{
	static const char *const tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	int total = 0;

	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(tables[i], "r");
		if (!f) {
			if (i == 1 && errno == ENOENT)
				break;      /* kernel without IPv6 */
			snprintf(err, errlen, "%s: %s", tables[i], strerror(errno));
			return -1;
		}
		int n = portguard_count_listen(f, port);
		fclose(f);
		if (n < 0) {
			snprintf(err, errlen, "%s: unexpected format", tables[i]);
			return -1;
		}
		total += n;
	}
	return total;
}

/* bind_one - a socket of family af bound to the wildcard address:port;
 * listening: also non-blocking, SO_REUSEADDR and listen() (SMTP mode),
 * else bound only, so the kernel keeps answering SYNs with a RST */
static int bind_one(int af, uint16_t port, bool listening, char *err, size_t errlen)
{
	int fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC | (listening ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0) {
		if (af == AF_INET6 && errno == EAFNOSUPPORT)
			return -2;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	if (listening)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	int r;
	if (af == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) {
			snprintf(err, errlen, "IPV6_V6ONLY: %s", strerror(errno));
			close(fd);
			return -1;
		}
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
					   .sin6_port = htons(port),
					   .sin6_addr = IN6ADDR_ANY_INIT };
		r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	} else {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons(port),
					  .sin_addr.s_addr = htonl(INADDR_ANY) };
		r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	}
	if (r < 0 || (listening && listen(fd, 1024) < 0)) {
		int e = errno;
		snprintf(err, errlen, "cannot %s port %u over %s: %s%s",
			 listening ? "listen on" : "hold", port,
			 af == AF_INET6 ? "IPv6" : "IPv4", strerror(e),
			 e == EADDRINUSE ? " (another socket has it)" :
			 e == EACCES ? " (needs root or CAP_NET_BIND_SERVICE)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

/* bind_both - bind_one for IPv4 and IPv6 (absent IPv6 support: fds[1] -1) */
static int bind_both(uint16_t port, bool listening, int fds[2], char *err, size_t errlen)
{
	fds[0] = fds[1] = -1;
	int fd4 = bind_one(AF_INET, port, listening, err, errlen);
	if (fd4 < 0)
		return -1;
	int fd6 = bind_one(AF_INET6, port, listening, err, errlen);
	if (fd6 == -1) {
		close(fd4);
		return -1;
	}
	fds[0] = fd4;
	fds[1] = fd6 < 0 ? -1 : fd6;
	return 0;
}

int portguard_hold(uint16_t port, int fds[2], char *err, size_t errlen)
{
	return bind_both(port, false, fds, err, errlen);
}

int portguard_listen(uint16_t port, int fds[2], char *err, size_t errlen)
{
	return bind_both(port, true, fds, err, errlen);
}
