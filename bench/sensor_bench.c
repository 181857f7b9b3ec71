/*
 * sensor_bench.c - the capture path's cost per SYN without a network:
 * every frame of a pcap file goes through packet_parse() and the rotating
 * writer (sensor/pcapw.h), as `mxsensor capture` does with each packet
 * libpcap hands over.
 *
 *   sensor_bench FILE.pcap [OUTDIR]
 *
 * Loads the frames into memory (libpcap), then writes them in pcap and in
 * pcapng format with 64 MB rotation into OUTDIR (default: a temporary
 * directory, removed afterwards), and prints SYNs per second for each.
 * Compare with `tcpdump -r FILE -w /dev/null`, libpcap's own read+write.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "packet/parse.h"
#include "sensor/pcapw.h"
#include "util/alloc.h"
#include "util/log.h"

struct frame {
	struct pcap_pkthdr h;
	uint8_t *data;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: sensor_bench FILE.pcap [OUTDIR]\n");
		return 2;
	}
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO,
							    ebuf);
	if (!p)
		die("%s: %s", argv[1], ebuf);
	int dlt = pcap_datalink(p);
	struct frame *fr = NULL;
	size_t n = 0, cap = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(p, &h, &d) == 1) {
		GROW(fr, n + 1, cap);
		fr[n].h = *h;
		fr[n].data = xmalloc(h->caplen ? h->caplen : 1);
		memcpy(fr[n].data, d, h->caplen);
		n++;
	}
	pcap_close(p);
	if (!n)
		die("%s: no packets", argv[1]);

	char tmpl[] = "/tmp/mxsensorbench.XXXXXX";
	const char *dir = argc == 3 ? argv[2] : mkdtemp(tmpl);
	if (!dir)
		die("mkdtemp failed");
	static const struct { enum pcapw_format f; const char *ext; } fmts[] = {
		{ PCAPW_PCAP, "pcap" }, { PCAPW_PCAPNG, "pcapng" },
	};
	for (size_t k = 0; k < 2; k++) {
		char pattern[512];
		snprintf(pattern, sizeof pattern, "%s/bench-%%Y%%m%%d-%%H%%M%%S.%s", dir, fmts[k].ext);
		struct pcapw_iface ifc = { "bench", dlt, 65535 };
		struct pcapw_cfg cfg = { pattern, fmts[k].f, 64u << 20, 0, &ifc, 1 };
		char err[256];
		struct pcapw *w = pcapw_new(&cfg, err, sizeof err);
		if (!w)
			die("%s", err);
		struct pcapin_stats st;
		memset(&st, 0, sizeof st);
		uint64_t syns = 0;
		double t0 = now();
		for (size_t i = 0; i < n; i++) {
			struct syn s;
			if (packet_parse(dlt, fr[i].data, fr[i].h.caplen, fr[i].h.len, &s, &st) != 1)
				continue;
			if (pcapw_write(w, 0, &fr[i].h, fr[i].data) < 0)
				die("%s", pcapw_error(w));
			syns++;
		}
		if (pcapw_close(w) < 0)
			die("writing failed");
		double t = now() - t0;
		printf("sensor_bench %s: %zu frames, %llu SYNs parsed and written in %.3f s: "
		       "%.0f SYNs/s\n", fmts[k].ext, n, (unsigned long long)syns, t,
		       (double)syns / (t > 0 ? t : 1e-9));
	}
	if (argc == 2) {
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			warn("could not remove %s", dir);
	}
	for (size_t i = 0; i < n; i++)
		free(fr[i].data);
	free(fr);
	return 0;
}
