/*
 * mkpcap.c - write the bundled demo capture examples/sample-syns.pcap.
 *
 * usage: mkpcap OUT.pcap            the demo capture
 *        mkpcap --quirks OUT.pcap   one SYN per p0f quirk and option
 *                                   oddity, each in its own flow (the p0f
 *                                   comparison in tests/integration)
 *
 * Builds every frame from scratch (Ethernet, IPv4/IPv6, TCP with real
 * checksums) and writes them with libpcap's pcap_dump, so the file does
 * not depend on mxsensor's own parser.  Deterministic: fixed addresses
 * (documentation prefixes 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 2001:db8::/32 and a 6to4 2002::/16 address), fixed times and sequence
 * numbers.  Contents: IPv4 and IPv6 connection attempts to port 25 with
 * the option layouts of common stacks (Linux, Windows with its three
 * SYNs per attempt, macOS), the sensor's RST+ACK answers, one SYN+ACK and
 * one SYN to port 443 (not port 25).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

struct frame_spec {
	int ipver;
	const char *src, *dst;     /* dotted or colon text, parsed below */
	uint16_t sport, dport;
	uint8_t flags;
	uint8_t ttl;
	uint16_t win;
	uint32_t seq, ack;
	uint16_t ipid;
	int df;
	int os;                    /* option layout: 0 none, 1 Linux, 2 Windows, 3 macOS */
	uint32_t tsval;
	double t;                  /* seconds after the base time */
	/* oddities, for --quirks (zero = none) */
	const uint8_t *opt;        /* raw TCP options (os 4), optlen bytes */
	uint8_t optlen;
	uint8_t tos;
	uint16_t urg;
	int mbz;                   /* IPv4 reserved flag bit */
	int ns;                    /* TCP NS bit */
	uint8_t ipopt;             /* IPv4 options bytes (NOPs + EOL) */
	uint16_t payload;
	int noflow;                /* IPv6 flow label 0 */
};

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x02 };

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#include <arpa/inet.h>

/* options - the SYN options of one stack; returns their length */
static size_t options(uint8_t *o, int os, uint16_t mss, uint32_t tsval)
{
	size_t n = 0;
	switch (os) {
	case 1:   /* Linux: mss,sok,ts,nop,ws */
		o[n++] = 2; o[n++] = 4; put16(o + n, mss); n += 2;
		o[n++] = 4; o[n++] = 2;
		o[n++] = 8; o[n++] = 10; put32(o + n, tsval); put32(o + n + 4, 0); n += 8;
		o[n++] = 1; o[n++] = 3; o[n++] = 3; o[n++] = 7;
		break;
	case 2:   /* Windows: mss,nop,ws,nop,nop,sok */
		o[n++] = 2; o[n++] = 4; put16(o + n, mss); n += 2;
		o[n++] = 1; o[n++] = 3; o[n++] = 3; o[n++] = 8;
		o[n++] = 1; o[n++] = 1; o[n++] = 4; o[n++] = 2;
		break;
	case 3:   /* macOS: mss,nop,ws,nop,nop,ts,sok,eol+1 */
		o[n++] = 2; o[n++] = 4; put16(o + n, mss); n += 2;
		o[n++] = 1; o[n++] = 3; o[n++] = 3; o[n++] = 6;
		o[n++] = 1; o[n++] = 1;
		o[n++] = 8; o[n++] = 10; put32(o + n, tsval); put32(o + n + 4, 0); n += 8;
		o[n++] = 4; o[n++] = 2; o[n++] = 0; o[n++] = 0;
		break;
	default:
		break;
	}
	return n;
}

/* options_of - the options of a frame spec */
static size_t options_of(uint8_t *o, const struct frame_spec *s, uint16_t mss)
{
	if (s->os == 4) {
		if (s->optlen)
			memcpy(o, s->opt, s->optlen);
		return s->optlen;
	}
	return options(o, s->os, mss, s->tsval);
}

/* build - one Ethernet frame; returns its length */
static size_t build(uint8_t *f, const struct frame_spec *s)
{
	uint8_t src[16], dst[16];
	int af = s->ipver == 4 ? AF_INET : AF_INET6;
	if (inet_pton(af, s->src, src) != 1 || inet_pton(af, s->dst, dst) != 1) {
		fprintf(stderr, "mkpcap: bad address %s or %s\n", s->src, s->dst);
		return 0;
	}
	int to_server = s->dport == 25 || s->dport == 443;
	memcpy(f, to_server ? MAC_B : MAC_A, 6);
	memcpy(f + 6, to_server ? MAC_A : MAC_B, 6);
	put16(f + 12, s->ipver == 4 ? 0x0800 : 0x86dd);
	size_t iph = s->ipver == 4 ? 20u + s->ipopt : 40;
	uint8_t *ip = f + 14, *tcp = ip + iph;
	uint8_t opt[60];
	size_t olen = options_of(opt, s, s->ipver == 4 ? 1460 : 1440);
	size_t hl = 20 + olen;
	size_t tl = hl + s->payload;
	memset(tcp, 0, tl);
	memset(tcp + hl, 'Q', s->payload);
	put16(tcp, s->sport);
	put16(tcp + 2, s->dport);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)((hl / 4) << 4 | (s->ns & 1));
	tcp[13] = s->flags;
	put16(tcp + 14, s->win);
	put16(tcp + 18, s->urg);
	memcpy(tcp + 20, opt, olen);
	/* pseudo-header checksum (RFC 9293 3.1, RFC 8200 8.1) */
	uint32_t cs = sum16(src, s->ipver == 4 ? 4 : 16, 0);
	cs = sum16(dst, s->ipver == 4 ? 4 : 16, cs);
	cs += 6 + (uint32_t)tl;
	put16(tcp + 16, fold(sum16(tcp, tl, cs)));
	if (s->ipver == 4) {
		memset(ip, 0, iph);
		ip[0] = (uint8_t)(0x40 | iph / 4);
		ip[1] = s->tos;
		put16(ip + 2, (uint16_t)(iph + tl));
		put16(ip + 4, s->ipid);
		put16(ip + 6, (uint16_t)((s->df ? 0x4000 : 0) | (s->mbz ? 0x8000 : 0)));
		memset(ip + 20, 1, s->ipopt);
		if (s->ipopt)
			ip[iph - 1] = 0;
		ip[8] = s->ttl;
		ip[9] = 6;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put16(ip + 10, fold(sum16(ip, iph, 0)));
	} else {
		uint32_t flow = s->noflow ? 0 : ((uint32_t)s->sport * 2654435761u >> 12 & 0xfffff);
		put32(ip, 0x60000000u | (uint32_t)s->tos << 20 | flow);
		put16(ip + 4, (uint16_t)tl);
		ip[6] = 6;
		ip[7] = s->ttl;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	}
	size_t n = 14 + iph + tl;
	if (n < 60) {           /* Ethernet minimum: pad (trimmed by the IP length) */
		memset(f + n, 0, 60 - n);
		n = 60;
	}
	return n;
}

#define SYN 0x02
#define ACK 0x10
#define RST 0x04

static const struct frame_spec frames[] = {
	/* Linux client, IPv6 first, then IPv4 0.4 s later */
	{ 6, "2001:db8:10::5", "2001:db8:25::25", 51000, 25, SYN, 64, 64800, 1000, 0, 0, 0, 1, 3000000, 0.000, .noflow = 0 },
	{ 6, "2001:db8:25::25", "2001:db8:10::5", 25, 51000, RST | ACK, 64, 0, 0, 1001, 0, 0, 0, 0, 0.001, .noflow = 0 },
	{ 4, "192.0.2.10", "198.51.100.25", 42000, 25, SYN, 64, 64240, 2000, 0, 4711, 1, 1, 3000400, 0.400, .noflow = 0 },
	/* Windows client: three SYNs per attempt, v6 then v4 with nearby ports */
	{ 6, "2001:db8:20::a", "2001:db8:25::25", 49700, 25, SYN, 128, 8192, 5000, 0, 0, 0, 2, 0, 1.000, .noflow = 0 },
	{ 6, "2001:db8:25::25", "2001:db8:20::a", 25, 49700, RST | ACK, 64, 0, 0, 5001, 0, 0, 0, 0, 1.001, .noflow = 0 },
	{ 6, "2001:db8:20::a", "2001:db8:25::25", 49700, 25, SYN, 128, 8192, 5000, 0, 0, 0, 2, 0, 1.500, .noflow = 0 },
	{ 6, "2001:db8:20::a", "2001:db8:25::25", 49700, 25, SYN, 128, 8192, 5000, 0, 0, 0, 2, 0, 2.000, .noflow = 0 },
	{ 4, "203.0.113.20", "198.51.100.25", 49702, 25, SYN, 128, 8192, 7000, 0, 300, 1, 2, 0, 2.300, .noflow = 0 },
	/* macOS client behind 6to4 (gateway 192.0.2.77), IPv4 first */
	{ 4, "192.0.2.77", "198.51.100.25", 60001, 25, SYN, 64, 65535, 9000, 0, 0, 1, 3, 777000, 3.000, .noflow = 0 },
	{ 6, "2002:c000:24d::1", "2001:db8:25::25", 60002, 25, SYN, 64, 65535, 9100, 0, 0, 0, 3, 777900, 3.900, .noflow = 0 },
	/* the MX answering a client: a SYN+ACK is not a SYN */
	{ 4, "198.51.100.25", "192.0.2.10", 25, 42000, SYN | ACK, 64, 65160, 1, 2001, 0, 1, 1, 1, 4.000, .noflow = 0 },
	/* a SYN to another port */
	{ 4, "192.0.2.10", "198.51.100.25", 42001, 443, SYN, 64, 64240, 3000, 0, 4712, 1, 1, 3004000, 5.000, .noflow = 0 },
};

/* raw option sets for --quirks */
static const uint8_t O_LINUX[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 1, 3, 3, 7 };
static const uint8_t O_TS1[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7 };
static const uint8_t O_TS2[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 5, 1, 3, 3, 7 };
static const uint8_t O_EOLNZ[] = { 2, 4, 5, 0xb4, 0, 0, 7, 0 };
static const uint8_t O_EOLNZ_LAST[] = { 2, 4, 5, 0xb4, 0, 0, 0, 7 };
static const uint8_t O_EOL[] = { 2, 4, 5, 0xb4, 1, 1, 4, 2, 0, 0, 0, 0 };
static const uint8_t O_EXWS[] = { 2, 4, 5, 0xb4, 1, 3, 3, 15 };
static const uint8_t O_BADMSS[] = { 2, 5, 5, 0xb4, 1, 1, 1, 1 };
static const uint8_t O_CUT[] = { 2, 4, 5, 0xb4, 1, 1, 1, 8 };
static const uint8_t O_NOPS[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				  1, 1, 1, 1, 1, 1, 1, 1 };
static const uint8_t O_UNKNOWN[] = { 2, 4, 5, 0xb4, 30, 6, 1, 2, 3, 4, 1, 1 };
static const uint8_t O_SACKBAD[] = { 2, 4, 5, 0xb4, 5, 3, 0, 0 };

#define Q(sp, ...) { 4, "192.0.2.50", "198.51.100.25", sp, 25, SYN, 64, 29200, 100 + sp, 0, \
		     (uint16_t)(sp), 1, 4, 0, 10.0 + (sp - 40000) * 0.01, O_LINUX, sizeof(O_LINUX), __VA_ARGS__ }

static const struct frame_spec quirk_frames[] = {
	Q(40001, .tos = 0),
	{ 4, "192.0.2.50", "198.51.100.25", 40002, 25, SYN, 64, 29200, 1, 0, 0, 0, 4, 0, 10.02, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40003, 25, SYN, 64, 29200, 1, 0, 0, 1, 4, 0, 10.03, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40004, 25, SYN, 64, 29200, 1, 0, 77, 0, 4, 0, 10.04, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	Q(40005, .tos = 0x02),
	Q(40006, .tos = 0x01),
	Q(40007, .mbz = 1),
	Q(40008, .ns = 1),
	{ 4, "192.0.2.50", "198.51.100.25", 40009, 25, SYN | 0x40 | 0x80, 64, 29200, 1, 0, 9, 1, 4, 0, 10.09, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40010, 25, SYN, 64, 29200, 0, 0, 10, 1, 4, 0, 10.10, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40011, 25, SYN, 64, 29200, 1, 0x01000000, 11, 1, 4, 0, 10.11, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40012, 25, SYN, 64, 29200, 1, 0x00000001, 12, 1, 4, 0, 10.12, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40013, 25, SYN, 64, 29200, 1, 0x12345678, 13, 1, 4, 0, 10.13, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	Q(40014, .urg = 5),
	{ 4, "192.0.2.50", "198.51.100.25", 40015, 25, SYN | 0x20, 64, 29200, 1, 0, 15, 1, 4, 0, 10.15, O_LINUX, sizeof(O_LINUX), 0, .urg = 1 },
	{ 4, "192.0.2.50", "198.51.100.25", 40016, 25, SYN | 0x08, 64, 29200, 1, 0, 16, 1, 4, 0, 10.16, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40017, 25, SYN, 64, 29200, 1, 0, 17, 1, 4, 0, 10.17, O_TS1, sizeof(O_TS1), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40018, 25, SYN, 64, 29200, 1, 0, 18, 1, 4, 0, 10.18, O_TS2, sizeof(O_TS2), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40019, 25, SYN, 64, 29200, 1, 0, 19, 1, 4, 0, 10.19, O_EOLNZ, sizeof(O_EOLNZ), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40020, 25, SYN, 64, 29200, 1, 0, 20, 1, 4, 0, 10.20, O_EOLNZ_LAST, sizeof(O_EOLNZ_LAST), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40021, 25, SYN, 64, 29200, 1, 0, 21, 1, 4, 0, 10.21, O_EOL, sizeof(O_EOL), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40022, 25, SYN, 64, 29200, 1, 0, 22, 1, 4, 0, 10.22, O_EXWS, sizeof(O_EXWS), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40023, 25, SYN, 64, 29200, 1, 0, 23, 1, 4, 0, 10.23, O_BADMSS, sizeof(O_BADMSS), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40024, 25, SYN, 64, 29200, 1, 0, 24, 1, 4, 0, 10.24, O_CUT, sizeof(O_CUT), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40025, 25, SYN, 64, 29200, 1, 0, 25, 1, 4, 0, 10.25, O_NOPS, sizeof(O_NOPS), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40026, 25, SYN, 64, 29200, 1, 0, 26, 1, 4, 0, 10.26, O_UNKNOWN, sizeof(O_UNKNOWN), 0, .noflow = 0 },
	{ 4, "192.0.2.50", "198.51.100.25", 40027, 25, SYN, 64, 29200, 1, 0, 27, 1, 4, 0, 10.27, O_SACKBAD, sizeof(O_SACKBAD), 0, .noflow = 0 },
	Q(40028, .ipopt = 8),
	Q(40029, .payload = 12),
	{ 4, "192.0.2.50", "198.51.100.25", 40030, 25, SYN, 64, 29200, 1, 0, 30, 1, 4, 0, 10.30, NULL, 0, 0, .noflow = 0 },
	{ 6, "2001:db8:50::1", "2001:db8:25::25", 40031, 25, SYN, 64, 29200, 1, 0, 0, 0, 4, 0, 10.31, O_LINUX, sizeof(O_LINUX), 0, .noflow = 0 },
	{ 6, "2001:db8:50::1", "2001:db8:25::25", 40032, 25, SYN, 64, 29200, 1, 0, 0, 0, 4, 0, 10.32, O_LINUX, sizeof(O_LINUX), 0, .noflow = 1 },
	{ 6, "2001:db8:50::1", "2001:db8:25::25", 40033, 25, SYN, 64, 29200, 1, 0, 0, 0, 4, 0, 10.33, O_LINUX, sizeof(O_LINUX), 0x03, .noflow = 1 },
	{ 6, "2001:db8:50::1", "2001:db8:25::25", 40034, 25, SYN | 0x08 | 0x20, 64, 29200, 0, 7, 0, 0, 4, 0, 10.34, O_TS2, sizeof(O_TS2), 0, .urg = 3, .payload = 1 },
};

int main(int argc, char **argv)
{
	const struct frame_spec *list = frames;
	size_t count = sizeof(frames) / sizeof(frames[0]);
	if (argc == 3 && !strcmp(argv[1], "--quirks")) {
		list = quirk_frames;
		count = sizeof(quirk_frames) / sizeof(quirk_frames[0]);
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: mkpcap [--quirks] OUT.pcap\n");
		return 2;
	}
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d = p ? pcap_dump_open(p, argv[1]) : NULL;
	if (!d) {
		fprintf(stderr, "mkpcap: %s: %s\n", argv[1], p ? pcap_geterr(p) : "pcap_open_dead failed");
		return 1;
	}
	for (size_t i = 0; i < count; i++) {
		uint8_t f[256];
		size_t n = build(f, &list[i]);
		if (!n)
			return 1;
		long usec = (long)(list[i].t * 1e6 + 0.5);
		struct pcap_pkthdr h;
		h.ts.tv_sec = 1700000000 + usec / 1000000;
		h.ts.tv_usec = usec % 1000000;
		h.caplen = h.len = (bpf_u_int32)n;
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}
