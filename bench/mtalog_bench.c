/*
 * mtalog_bench.c - parsing speed of the MTA log reader.
 *
 * Writes N synthetic Postfix lines (a realistic mix: connects, DNSBL
 * rejects, other rejects, accepted messages, disconnects) to a temporary
 * file, plain and gzip'd, reads both back and prints lines per second.
 *
 * usage: mtalog_bench [LINES]   (default 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "mtalog/mtalog.h"
#include "util/num.h"

static const char *const forms[] = {
	"Jan %2d %02d:%02d:%02d mx postfix/smtpd[%d]: connect from unknown[198.51.%d.%d]\n",
	"Jan %2d %02d:%02d:%02d mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[198.51.%d.%d]: 554 5.7.1 Service unavailable; Client host [198.51.100.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.1; from=<a@example.com> to=<b@example.org> proto=ESMTP helo=<ylmf-pc>\n",
	"Jan %2d %02d:%02d:%02d mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT from mail.example.com[198.51.%d.%d]: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table; from=<a@example.com> to=<nobody@example.org> proto=ESMTP helo=<mail.example.com>\n",
	"Jan %2d %02d:%02d:%02d mx postfix/smtpd[%d]: 4F3A21C0A7F: client=mail.example.com[198.51.%d.%d]\n",
	"Jan %2d %02d:%02d:%02d mx postfix/smtpd[%d]: disconnect from unknown[198.51.%d.%d] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n",
};

/* run - read path to the end; returns seconds, events in *ev */
static double run(const char *path, unsigned long *ev)
{
	char err[256];
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	struct mtalog_opts o = { .year = 2024 };
	struct mtalog *m = mtalog_open(path, &o, err, sizeof err);
	if (!m) {
		fprintf(stderr, "mtalog_bench: %s\n", err);
		exit(1);
	}
	struct mta_event e;
	*ev = 0;
	while (mtalog_next(m, &e) > 0)
		(*ev)++;
	mtalog_close(m);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long n = 1000000, ev;
	if (argc > 1 && num_ulong(argv[1], 1, 100000000, &n) < 0) {
		fprintf(stderr, "usage: mtalog_bench [LINES]\n");
		return 2;
	}
	char plain[] = "/tmp/mtalog_bench.XXXXXX", gzp[] = "/tmp/mtalog_bench_gz.XXXXXX";
	int fd = mkstemp(plain), gfd = mkstemp(gzp);
	if (fd < 0 || gfd < 0)
		return 1;
	FILE *f = fdopen(fd, "w");
	gzFile gz = gzdopen(gfd, "wb6");
	unsigned long bytes = 0;
	for (unsigned long i = 0; i < n; i++) {
		char line[600];
		unsigned long s = i / 50;
		int k = snprintf(line, sizeof line, forms[i % 5], (int)(s / 86400 % 28 + 1),
		                 (int)(s / 3600 % 24), (int)(s / 60 % 60), (int)(s % 60),
		                 (int)(i % 30000), (int)(i >> 8 & 255), (int)(i & 255));
		fputs(line, f);
		gzwrite(gz, line, (unsigned)k);
		bytes += (unsigned long)k;
	}
	fclose(f);
	gzclose(gz);
	double t1 = run(plain, &ev);
	printf("plain: %lu lines (%.1f MB), %lu events in %.3f s: %.0f lines/s, %.1f MB/s\n",
	       n, bytes / 1e6, ev, t1, n / t1, bytes / 1e6 / t1);
	double t2 = run(gzp, &ev);
	printf("gzip:  %lu lines, %lu events in %.3f s: %.0f lines/s\n", n, ev, t2, n / t2);
	unlink(plain);
	unlink(gzp);
	return 0;
}
