/* test_packet.c - packet/: link layers, IPv4/IPv6/TCP, p0f quirks and
 * option layouts, fragments, extension-header chains, truncation and lying
 * lengths (hand-built frames), the pcap/pcapng reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <sys/stat.h>
#include <zlib.h>

#include "packet/parse.h"
#include "packet/reader.h"

/* ---- frame builder ---------------------------------------------------- */

struct spec {
	int ipver;               /* 4 or 6 */
	uint8_t tos;
	uint16_t ipid;
	uint16_t fo;             /* IPv4 flags + fragment offset */
	uint8_t ttl;
	uint32_t flow;
	uint8_t ipopt_len;       /* IPv4 options (NOPs), multiple of 4 */
	uint8_t flags;           /* TCP flags */
	uint8_t ns;              /* low bit of TCP byte 12 */
	uint32_t seq, ack;
	uint16_t win, urg;
	const uint8_t *opt;
	size_t optlen;           /* multiple of 4 */
	size_t payload;
	uint16_t sport, dport;
};

static const uint8_t OPT_LINUX[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0x30, 0x39,
				     0, 0, 0, 0, 1, 3, 3, 7 };

static struct spec base4(void)
{
	struct spec s = { .ipver = 4, .ipid = 0x1234, .fo = 0x4000, .ttl = 64,
			  .flags = 0x02, .seq = 1000, .win = 64240, .opt = OPT_LINUX,
			  .optlen = sizeof(OPT_LINUX), .sport = 40000, .dport = 25 };
	return s;
}

static struct spec base6(void)
{
	struct spec s = base4();
	s.ipver = 6;
	s.flow = 0x12345;
	return s;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* tcp_hdr - TCP header + options + payload at p; returns its length */
static size_t tcp_hdr(uint8_t *p, const struct spec *s)
{
	size_t doff = 20 + s->optlen;
	memset(p, 0, doff + s->payload);
	put16(p, s->sport);
	put16(p + 2, s->dport);
	put32(p + 4, s->seq);
	put32(p + 8, s->ack);
	p[12] = (uint8_t)((doff / 4) << 4 | (s->ns & 1));
	p[13] = s->flags;
	put16(p + 14, s->win);
	put16(p + 18, s->urg);
	memcpy(p + 20, s->opt, s->optlen);
	memset(p + doff, 'x', s->payload);
	return doff + s->payload;
}

/* ip_pkt - an IPv4 or IPv6 packet carrying the TCP segment */
static size_t ip_pkt(uint8_t *p, const struct spec *s)
{
	if (s->ipver == 4) {
		size_t ihl = 20 + s->ipopt_len;
		memset(p, 0, ihl);
		size_t tl = tcp_hdr(p + ihl, s);
		p[0] = (uint8_t)(0x40 | ihl / 4);
		p[1] = s->tos;
		put16(p + 2, (uint16_t)(ihl + tl));
		put16(p + 4, s->ipid);
		put16(p + 6, s->fo);
		p[8] = s->ttl;
		p[9] = 6;
		uint8_t src[4] = { 192, 0, 2, 1 }, dst[4] = { 198, 51, 100, 25 };
		memcpy(p + 12, src, 4);
		memcpy(p + 16, dst, 4);
		memset(p + 20, 1, s->ipopt_len);
		return ihl + tl;
	}
	size_t tl = tcp_hdr(p + 40, s);
	put32(p, 0x60000000u | (uint32_t)s->tos << 20 | s->flow);
	put16(p + 4, (uint16_t)tl);
	p[6] = 6;
	p[7] = s->ttl;
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0, [15] = 0x25 };
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40 + tl;
}

static struct pcapin_stats ST;

/* parse - packet_parse with caplen = wirelen = len */
static int parse(int dlt, const uint8_t *b, size_t len, struct syn *out)
{
	return packet_parse(dlt, b, len, len, out, &ST);
}

static uint64_t st_sum(const struct pcapin_stats *st)
{
	return st->syns + st->not_syn + st->non_ip + st->truncated + st->fragments +
	       st->bad + st->unsupported_dlt;
}

/* check_syn - the fields every builder frame has */
static void check_syn(const struct syn *o, int ipver)
{
	assert_int_equal(o->ipver, ipver);
	assert_int_equal(o->src.family, ipver);
	assert_int_equal(o->sport, 40000);
	assert_int_equal(o->dport, 25);
	assert_int_equal(o->ttl, 64);
	assert_int_equal(o->win, 64240);
	assert_true(o->has_mss);
	assert_int_equal(o->mss, 1460);
	assert_int_equal(o->wscale, 7);
	assert_true(o->sackok);
	assert_true(o->has_ts);
	assert_int_equal(o->tsval, 12345);
	assert_int_equal(o->tsecr, 0);
	char lay[128];
	assert_string_equal(packet_olayout_format(o, lay, sizeof(lay)), "mss,sok,ts,nop,ws");
}

/* ---- link layers ------------------------------------------------------ */

/* with_link - link header hdr, then the IP packet of s; returns total */
static size_t with_link(uint8_t *b, const uint8_t *hdr, size_t hl, const struct spec *s)
{
	memcpy(b, hdr, hl);
	return hl + ip_pkt(b + hl, s);
}

struct linkcase {
	const char *what;
	int dlt;
	uint8_t hdr[80];
	size_t hl;
	int ipver;
};

#define MAC12 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12

static const struct linkcase link_cases[] = {
	{ "ethernet v4", DLT_EN10MB, { MAC12, 0x08, 0x00 }, 14, 4 },
	{ "ethernet v6", DLT_EN10MB, { MAC12, 0x86, 0xdd }, 14, 6 },
	{ "802.1Q", DLT_EN10MB, { MAC12, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00 }, 18, 4 },
	{ "QinQ 802.1ad", DLT_EN10MB, { MAC12, 0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2, 0x86, 0xdd }, 22, 6 },
	{ "stacked 3 tags", DLT_EN10MB, { MAC12, 0x91, 0x00, 0, 1, 0x81, 0x00, 0, 2, 0x81, 0x00, 0, 3, 0x08, 0x00 }, 26, 4 },
	{ "MPLS 2 labels", DLT_EN10MB, { MAC12, 0x88, 0x47, 0, 0x01, 0x00, 0x40, 0, 0x02, 0x01, 0x40 }, 22, 4 },
	{ "VLAN + MPLS v6", DLT_EN10MB, { MAC12, 0x81, 0x00, 0, 5, 0x88, 0x47, 0, 0x01, 0x01, 0x40 }, 22, 6 },
	{ "MPLS + control word + ethernet", DLT_EN10MB,
	  { MAC12, 0x88, 0x47, 0, 0x01, 0x01, 0x40, 0, 0, 0, 0, MAC12, 0x08, 0x00 }, 36, 4 },
	{ "PPPoE session v4", DLT_EN10MB, { MAC12, 0x88, 0x64, 0x11, 0, 0, 1, 0, 0x40, 0x00, 0x21 }, 22, 4 },
	{ "PPPoE session v6", DLT_EN10MB, { MAC12, 0x88, 0x64, 0x11, 0, 0, 1, 0, 0x40, 0x00, 0x57 }, 22, 6 },
	{ "802.3 LLC/SNAP", DLT_EN10MB, { MAC12, 0x00, 0x60, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00 }, 22, 4 },
	{ "DLT_RAW 12", 12, { 0 }, 0, 4 },
	{ "DLT_RAW 14", 14, { 0 }, 0, 6 },
	{ "LINKTYPE_RAW 101", 101, { 0 }, 0, 6 },
	{ "LINKTYPE_IPV4", 228, { 0 }, 0, 4 },
	{ "LINKTYPE_IPV6", 229, { 0 }, 0, 6 },
	{ "NULL AF 2 LE", DLT_NULL, { 2, 0, 0, 0 }, 4, 4 },
	{ "NULL AF 2 BE", DLT_NULL, { 0, 0, 0, 2 }, 4, 4 },
	{ "NULL AF 24 LE", DLT_NULL, { 24, 0, 0, 0 }, 4, 6 },
	{ "NULL AF 28 BE", DLT_NULL, { 0, 0, 0, 28 }, 4, 6 },
	{ "NULL AF 30 LE", DLT_NULL, { 30, 0, 0, 0 }, 4, 6 },
	{ "LOOP AF 30 BE", 108, { 0, 0, 0, 30 }, 4, 6 },
	{ "LOOP AF 2 BE", 108, { 0, 0, 0, 2 }, 4, 4 },
	{ "Linux SLL", DLT_LINUX_SLL, { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00 }, 16, 4 },
	{ "Linux SLL VLAN", DLT_LINUX_SLL, { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x81, 0x00, 0, 7, 0x86, 0xdd }, 20, 6 },
	{ "Linux SLL2", DLT_LINUX_SLL2, { 0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0 }, 20, 6 },
	{ "PPP ff03", DLT_PPP, { 0xff, 0x03, 0x00, 0x21 }, 4, 4 },
	{ "PPP no address", DLT_PPP, { 0x00, 0x57 }, 2, 6 },
	{ "PPP protocol compressed", DLT_PPP, { 0x21 }, 1, 4 },
	{ "PPP with direction", DLT_PPP_WITH_DIR, { 0x01, 0xff, 0x03, 0x00, 0x57 }, 5, 6 },
	{ "PPP_HDLC (PPP_SERIAL)", DLT_PPP_SERIAL, { 0xff, 0x03, 0x00, 0x21 }, 4, 4 },
	{ "PPP_SERIAL Cisco", DLT_PPP_SERIAL, { 0x0f, 0x00, 0x86, 0xdd }, 4, 6 },
	{ "Cisco HDLC", DLT_C_HDLC, { 0x0f, 0x00, 0x08, 0x00 }, 4, 4 },
	{ "Cisco HDLC with direction", DLT_C_HDLC_WITH_DIR, { 0x00, 0x8f, 0x00, 0x86, 0xdd }, 5, 6 },
	{ "IP over InfiniBand", DLT_IPOIB, { [40] = 0x08, [41] = 0x00 }, 44, 4 },
	{ "802.11 data", DLT_IEEE802_11,
	  { 0x08, 0x01, 0, 0, MAC12, 1, 2, 3, 4, 5, 6, 0x10, 0x00,
	    0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00 }, 32, 4 },
	{ "radiotap + 802.11 QoS data", DLT_IEEE802_11_RADIO,
	  { 0, 0, 8, 0, 0, 0, 0, 0,
	    0x88, 0x02, 0, 0, MAC12, 1, 2, 3, 4, 5, 6, 0x10, 0x00, 0x00, 0x00,
	    0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd }, 42, 6 },
	{ "radiotap TSFT+flags(datapad) + 802.11 QoS+HT, 4-address", DLT_IEEE802_11_RADIO,
	  { 0, 0, 24, 0, 0x03, 0, 0, 0,   /* length 24; present: TSFT, flags */
	    1, 2, 3, 4, 5, 6, 7, 8,       /* TSFT (8-aligned at 8) */
	    0x20, 0, 0, 0, 0, 0, 0, 0,    /* flags = datapad; padding to 24 */
	    0x88, 0x83, 0, 0, MAC12, 1, 2, 3, 4, 5, 6, 0x10, 0x00, 1, 2, 3, 4, 5, 6,
	    0x00, 0x00, 0, 0, 0, 0, /* QoS, HT control: 36 bytes, already 4-aligned */
	    0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00 }, 68, 4 },
	{ "radiotap flags(datapad) + 802.11 QoS data padded 26 -> 28", DLT_IEEE802_11_RADIO,
	  { 0, 0, 9, 0, 0x02, 0, 0, 0, 0x20,
	    0x88, 0x01, 0, 0, MAC12, 1, 2, 3, 4, 5, 6, 0x10, 0x00, 0x00, 0x00, 0xee, 0xee,
	    0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00 }, 45, 4 },
	{ "ARCnet Linux RFC 1051", DLT_ARCNET_LINUX, { 0x01, 0x02, 0, 0, 240 }, 5, 4 },
	{ "ARCnet Linux RFC 1201", DLT_ARCNET_LINUX, { 0x01, 0x02, 0, 0, 212, 0, 0, 0 }, 8, 4 },
	{ "ARCnet Linux RFC 1201 IPv6", DLT_ARCNET_LINUX, { 0x01, 0x02, 0, 0, 196, 0, 0, 0 }, 8, 6 },
	{ "ARCnet Linux RFC 1201 exception", DLT_ARCNET_LINUX,
	  { 0x01, 0x02, 0, 0, 212, 0xff, 0xff, 0xff, 212, 0, 0, 0, 0 }, 13, 4 },
};

static void test_link_types(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++) {
		const struct linkcase *lc = &link_cases[i];
		struct spec s = lc->ipver == 4 ? base4() : base6();
		uint8_t b[512];
		size_t n = with_link(b, lc->hdr, lc->hl, &s);
		struct syn o;
		memset(&ST, 0, sizeof(ST));
		int r = parse(lc->dlt, b, n, &o);
		if (r != 1)
			fail_msg("%s: not parsed (bad %lu trunc %lu nonip %lu notsyn %lu frag %lu)",
				 lc->what, (unsigned long)ST.bad, (unsigned long)ST.truncated,
				 (unsigned long)ST.non_ip, (unsigned long)ST.not_syn,
				 (unsigned long)ST.fragments);
		assert_true(packet_dlt_supported(lc->dlt));
		check_syn(&o, lc->ipver);
		assert_int_equal(o.linktype, lc->dlt);
		assert_int_equal(ST.syns, 1);
		/* every strict prefix of the frame is not a SYN, and counted once */
		for (size_t cut = 0; cut < n; cut++) {
			struct pcapin_stats before = ST;
			assert_int_equal(packet_parse(lc->dlt, b, cut, n, &o, &ST), 0);
			assert_true(st_sum(&ST) == st_sum(&before) + 1);
		}
	}
}

static void test_nflog(void **state)
{
	(void)state;
	struct spec s = base6();
	uint8_t b[512];
	size_t at = 0;
	uint16_t len, type;
	b[at++] = 10;   /* AF_INET6 */
	b[at++] = 0;
	b[at++] = 0;
	b[at++] = 1;
	len = 8; type = 1;   /* NFULA_PACKET_HDR, 4 bytes */
	memcpy(b + at, &len, 2); memcpy(b + at + 2, &type, 2);
	memset(b + at + 4, 0, 4);
	at += 8;
	len = 5; type = 10;  /* a 1-byte TLV padded to 8 */
	memcpy(b + at, &len, 2); memcpy(b + at + 2, &type, 2);
	memset(b + at + 4, 0, 4);
	at += 8;
	size_t ipl = ip_pkt(b + at + 4, &s);
	len = (uint16_t)(4 + ipl); type = 9;
	memcpy(b + at, &len, 2); memcpy(b + at + 2, &type, 2);
	at += 4 + ipl;
	struct syn o;
	memset(&ST, 0, sizeof(ST));
	assert_int_equal(parse(DLT_NFLOG, b, at, &o), 1);
	check_syn(&o, 6);
	/* a TLV length below its own header is bad */
	len = 2; type = 1;
	memcpy(b + 4, &len, 2);
	assert_int_equal(parse(DLT_NFLOG, b, at, &o), 0);
	assert_int_equal(ST.bad, 1);
}

static void test_not_ip_and_unsupported(void **state)
{
	(void)state;
	uint8_t arp[60] = { MAC12, 0x08, 0x06 };
	struct syn o;
	memset(&ST, 0, sizeof(ST));
	assert_int_equal(parse(DLT_EN10MB, arp, sizeof(arp), &o), 0);
	assert_int_equal(ST.non_ip, 1);
	uint8_t null_af7[48] = { 7, 0, 0, 0 };
	assert_int_equal(parse(DLT_NULL, null_af7, sizeof(null_af7), &o), 0);
	assert_int_equal(ST.non_ip, 2);
	assert_int_equal(parse(147, arp, sizeof(arp), &o), 0);   /* DLT_USER0 */
	assert_int_equal(ST.unsupported_dlt, 1);
	assert_false(packet_dlt_supported(147));
	assert_false(packet_dlt_supported(DLT_IEEE802_15_4));
	assert_string_equal(packet_dlt_name(DLT_EN10MB), "EN10MB");
	assert_string_equal(packet_dlt_name(DLT_LINUX_SLL2), "LINUX_SLL2");
	/* protected 802.11 data and management frames are not IP */
	uint8_t wlan[64] = { 0x08, 0x41 };
	assert_int_equal(parse(DLT_IEEE802_11, wlan, sizeof(wlan), &o), 0);
	wlan[0] = 0x80; wlan[1] = 0;   /* beacon */
	assert_int_equal(parse(DLT_IEEE802_11, wlan, sizeof(wlan), &o), 0);
	assert_int_equal(ST.non_ip, 4);
	/* UDP, SYN+ACK, plain ACK: IP but not SYN */
	uint8_t b[256];
	struct spec s = base4();
	s.flags = 0x12;
	size_t n = ip_pkt(b, &s);
	assert_int_equal(parse(228, b, n, &o), 0);
	s.flags = 0x10;
	n = ip_pkt(b, &s);
	assert_int_equal(parse(228, b, n, &o), 0);
	n = ip_pkt(b, &s);
	b[9] = 17;
	assert_int_equal(parse(228, b, n, &o), 0);
	assert_int_equal(ST.not_syn, 3);
	/* SYN with FIN or RST set is still SYN set + ACK clear */
	s.flags = 0x03;
	n = ip_pkt(b, &s);
	assert_int_equal(parse(228, b, n, &o), 1);
	assert_int_equal(o.tcp_flags, 0x03);
}

/* ---- quirks and options ----------------------------------------------- */

static uint32_t quirks_of(struct spec *s)
{
	uint8_t b[256];
	struct syn o;
	size_t n = ip_pkt(b, s);
	if (parse(s->ipver == 4 ? DLT_IPV4 : DLT_IPV6, b, n, &o) != 1)
		fail_msg("frame not parsed");
	return o.quirks;
}

static void test_quirks_ip(void **state)
{
	(void)state;
	char q[256];
	struct spec s = base4();
	assert_int_equal(quirks_of(&s), SYN_Q_DF | SYN_Q_NZ_ID);
	assert_string_equal(packet_quirks_format(quirks_of(&s), q, sizeof(q)), "df,id+");
	s.ipid = 0;
	assert_int_equal(quirks_of(&s), SYN_Q_DF);
	s.fo = 0;
	assert_int_equal(quirks_of(&s), SYN_Q_ZERO_ID);
	s.ipid = 7;
	assert_int_equal(quirks_of(&s), 0);
	s.fo = 0x8000;
	assert_int_equal(quirks_of(&s), SYN_Q_NZ_MBZ);
	s.fo = 0;
	s.tos = 0x02;   /* ECT(0) */
	assert_int_equal(quirks_of(&s), SYN_Q_ECN);
	s.tos = 0x01;   /* CE */
	assert_int_equal(quirks_of(&s), SYN_Q_ECN);
	s.tos = 0xb8;   /* DSCP only */
	assert_int_equal(quirks_of(&s), 0);

	struct spec v6 = base6();
	assert_int_equal(quirks_of(&v6), SYN_Q_FLOW);
	v6.flow = 0;
	assert_int_equal(quirks_of(&v6), 0);
	v6.tos = 0x03;
	assert_int_equal(quirks_of(&v6), SYN_Q_ECN);
	v6.tos = 0xfc;
	assert_int_equal(quirks_of(&v6), 0);
}

static void test_quirks_tcp(void **state)
{
	(void)state;
	char q[256];
	struct spec s = base6();
	s.flow = 0;
	s.flags = 0x02 | 0x40 | 0x80;   /* ECE + CWR */
	assert_int_equal(quirks_of(&s), SYN_Q_ECN);
	s.flags = 0x02;
	s.ns = 1;
	assert_int_equal(quirks_of(&s), SYN_Q_ECN);
	s.ns = 0;
	s.seq = 0;
	assert_int_equal(quirks_of(&s), SYN_Q_ZERO_SEQ);
	s.seq = 5;
	/* p0f's `RD32(ack) & !(flags & RST)` on a little-endian host: only
	 * the lowest bit of the first ACK byte on the wire counts */
	s.ack = 0x01000000;
	assert_int_equal(quirks_of(&s), SYN_Q_NZ_ACK);
	s.ack = 0xff000000;
	assert_int_equal(quirks_of(&s), SYN_Q_NZ_ACK);
	s.ack = 0x00000001;
	assert_int_equal(quirks_of(&s), 0);
	s.ack = 0x02ffffff;
	assert_int_equal(quirks_of(&s), 0);
	s.ack = 0x01000000;
	s.flags = 0x02 | 0x04;           /* RST: never ack+ */
	assert_int_equal(quirks_of(&s) & SYN_Q_NZ_ACK, 0);
	s.flags = 0x02;
	s.ack = 0;
	s.urg = 9;
	assert_int_equal(quirks_of(&s), SYN_Q_NZ_URG);
	s.flags = 0x02 | 0x20;
	assert_int_equal(quirks_of(&s), SYN_Q_URG);
	s.urg = 0;
	s.flags = 0x02 | 0x08;
	assert_int_equal(quirks_of(&s), SYN_Q_PUSH);
	s.flags = 0x02 | 0x08 | 0x20;
	s.urg = 1;
	s.seq = 0;
	assert_string_equal(packet_quirks_format(quirks_of(&s), q, sizeof(q)), "seq-,urgf+,pushf+");
	assert_string_equal(packet_quirks_format(0xffffffffu, q, sizeof(q)),
			    "df,id+,id-,ecn,0+,flow,seq-,ack+,ack-,uptr+,urgf+,pushf+,ts1-,ts2+,opt+,exws,bad");
	assert_string_equal(packet_quirks_format(0, q, sizeof(q)), "");
	/* a small buffer is cut, never overrun */
	char small[8];
	packet_quirks_format(0xffffffffu, small, sizeof(small));
	assert_int_equal(strlen(small), 7);
}

/* opt_case - the TCP options given, the layout and quirks expected */
struct optcase {
	uint8_t opt[40];
	size_t len;
	const char *layout;
	uint32_t quirks;
	int mss, ws, ts;   /* expected values, -1 = absent */
};

static const struct optcase opt_cases[] = {
	{ { 2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2 }, 12, "mss,nop,ws,nop,nop,sok", 0, 1460, 8, -1 },
	{ { 2, 4, 5, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 4, 2, 0, 0 }, 24,
	  "mss,nop,ws,nop,nop,ts,sok,eol+1", 0, 1460, 6, 9 },
	{ { 0, 0, 0, 0 }, 4, "eol+3", 0, -1, -1, -1 },
	{ { 0, 0, 1, 0 }, 4, "eol+3", SYN_Q_OPT_EOL_NZ, -1, -1, -1 },
	/* p0f does not notice a non-zero byte when it is the last one */
	{ { 0, 0, 0, 1 }, 4, "eol+3", 0, -1, -1, -1 },
	{ { 3, 3, 15, 0 }, 4, "ws,eol+0", SYN_Q_OPT_EXWS, -1, 15, -1 },
	{ { 3, 3, 14, 0 }, 4, "ws,eol+0", 0, -1, 14, -1 },
	{ { 8, 10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 }, 12, "ts,eol+1", SYN_Q_OPT_ZERO_TS1 | SYN_Q_OPT_NZ_TS2, -1, -1, 0 },
	{ { 2, 5, 5, 0xb4 }, 4, "mss", SYN_Q_OPT_BAD, 1460, -1, -1 },           /* wrong MSS length */
	{ { 1, 1, 1, 2 }, 4, "nop,nop,nop,mss", SYN_Q_OPT_BAD, -1, -1, -1 },    /* MSS cut by the end */
	{ { 4, 3, 0, 0 }, 4, "sok,eol+1", SYN_Q_OPT_BAD, -1, -1, -1 },          /* SOK length 3 */
	{ { 5, 2, 0, 0 }, 4, "sack", SYN_Q_OPT_BAD, -1, -1, -1 },               /* SACK length < 10 */
	{ { 30, 4, 1, 2, 1, 1, 1, 1 }, 8, "?30,nop,nop,nop,nop", 0, -1, -1, -1 },
	{ { 30, 1, 0, 0 }, 4, "?30", SYN_Q_OPT_BAD, -1, -1, -1 },               /* length 1 */
	{ { 30, 41, 0, 0 }, 4, "?30", SYN_Q_OPT_BAD, -1, -1, -1 },              /* length > 40 */
	{ { 30, 8, 0, 0 }, 4, "?30", SYN_Q_OPT_BAD, -1, -1, -1 },               /* past the end */
	{ { 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0 }, 12, "nop,ts,eol+0", 0, -1, -1, 1 },
	{ { 1, 1, 1, 1, 1, 8, 10, 0, 0, 0, 1, 0 }, 12, "nop,nop,nop,nop,nop,ts", SYN_Q_OPT_BAD, -1, -1, -1 }, /* TS cut */
	/* 25 NOPs: p0f stops after 24 options and calls the rest bad */
	{ { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 28,
	  "nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop",
	  SYN_Q_OPT_BAD, -1, -1, -1 },
	{ { 0 }, 0, "", 0, -1, -1, -1 },
};

static void test_options(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(opt_cases) / sizeof(opt_cases[0]); i++) {
		const struct optcase *oc = &opt_cases[i];
		struct spec s = base6();
		s.flow = 0;
		s.opt = oc->opt;
		s.optlen = oc->len;
		uint8_t b[256];
		struct syn o;
		size_t n = ip_pkt(b, &s);
		assert_int_equal(parse(DLT_IPV6, b, n, &o), 1);
		char lay[256];
		packet_olayout_format(&o, lay, sizeof(lay));
		if (strcmp(lay, oc->layout) || o.quirks != oc->quirks)
			fail_msg("case %zu: layout '%s' quirks %#x, want '%s' %#x", i, lay,
				 o.quirks, oc->layout, oc->quirks);
		assert_int_equal(o.has_mss ? o.mss : -1, oc->mss);
		assert_int_equal(o.wscale, oc->ws);
		assert_int_equal(o.has_ts ? (int)o.tsval : -1, oc->ts);
	}
}

static void test_ip_fields(void **state)
{
	(void)state;
	struct spec s = base4();
	s.ipopt_len = 8;
	s.tos = 0x2b;
	s.payload = 5;
	uint8_t b[256];
	struct syn o;
	size_t n = ip_pkt(b, &s);
	assert_int_equal(parse(DLT_IPV4, b, n, &o), 1);
	assert_int_equal(o.ip_olen, 8);
	assert_int_equal(o.tos, 0x2b);
	assert_int_equal(o.ipid, 0x1234);
	assert_true(o.df);
	assert_int_equal(o.payload_len, 5);
	assert_int_equal(o.seq, 1000);
	char a[ADDR_STRLEN];
	assert_string_equal(addr_format(&o.src, a), "192.0.2.1");
	assert_string_equal(addr_format(&o.dst, a), "198.51.100.25");
	struct spec v6 = base6();
	v6.tos = 0xa5;
	n = ip_pkt(b, &v6);
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 1);
	assert_int_equal(o.tos, 0xa5);
	assert_int_equal(o.flow, 0x12345);
	assert_string_equal(addr_format(&o.src, a), "2001:db8::1");
	assert_string_equal(addr_format(&o.dst, a), "2001:db8::25");
	assert_int_equal(o.ipid, 0);
	assert_int_equal(o.ip_olen, 0);
}

/* ---- IPv6 extension headers, tunnels, fragments ----------------------- */

/* v6_chain - IPv6 + nexts[] extension headers (each 8 bytes, or the
 * fragment header fragm) + TCP */
static size_t v6_chain(uint8_t *b, const uint8_t *nexts, size_t nn, uint16_t fragm,
		       const struct spec *s)
{
	size_t n = ip_pkt(b, s);          /* IPv6 + TCP */
	size_t tcp_len = n - 40;
	uint8_t tcp[128];
	memcpy(tcp, b + 40, tcp_len);
	size_t at = 40;
	b[6] = nn ? nexts[0] : 6;
	for (size_t i = 0; i < nn; i++) {
		uint8_t nh = i + 1 < nn ? nexts[i + 1] : 6;
		memset(b + at, 0, 8);
		b[at] = nh;
		if (nexts[i] == 44)
			put16(b + at + 2, fragm);
		else if (nexts[i] == 51)
			b[at + 1] = 0;   /* AH: (0 + 2) * 4 = 8 bytes */
		else
			b[at + 1] = 0;   /* (0 + 1) * 8 */
		at += 8;
	}
	memcpy(b + at, tcp, tcp_len);
	put16(b + 4, (uint16_t)(at - 40 + tcp_len));
	return at + tcp_len;
}

static void test_ipv6_ext_headers(void **state)
{
	(void)state;
	struct spec s = base6();
	static uint8_t b[70000];
	struct syn o;
	const uint8_t chain[] = { 0, 60, 43, 51, 60 };
	size_t n = v6_chain(b, chain, sizeof(chain), 0, &s);
	memset(&ST, 0, sizeof(ST));
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 1);
	check_syn(&o, 6);
	/* exactly PARSE_MAX_EXTHDR headers are walked, one more is bad */
	uint8_t many[PARSE_MAX_EXTHDR + 1];
	memset(many, 60, sizeof(many));
	n = v6_chain(b, many, PARSE_MAX_EXTHDR, 0, &s);
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 1);
	n = v6_chain(b, many, PARSE_MAX_EXTHDR + 1, 0, &s);
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 0);
	assert_int_equal(ST.bad, 1);
	/* absurdly long: 8000 destination-options headers in a 64 KB packet */
	uint8_t *absurd = malloc(8000);
	memset(absurd, 60, 8000);
	n = v6_chain(b, absurd, 8000, 0, &s);
	free(absurd);
	assert_true(n < sizeof(b));
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 0);
	assert_int_equal(ST.bad, 2);
	/* an extension header longer than the payload is bad */
	n = v6_chain(b, chain, 1, 0, &s);
	b[41] = 200;
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 0);
	assert_int_equal(ST.bad, 3);
	/* no next header */
	n = v6_chain(b, chain, 1, 0, &s);
	b[40] = 59;
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 0);
	assert_int_equal(ST.not_syn, 1);
}

static void test_fragments(void **state)
{
	(void)state;
	uint8_t b[256];
	struct syn o;
	memset(&ST, 0, sizeof(ST));
	/* IPv4: a later fragment */
	struct spec s = base4();
	s.fo = 0x0003;
	size_t n = ip_pkt(b, &s);
	assert_int_equal(parse(DLT_IPV4, b, n, &o), 0);
	assert_int_equal(ST.fragments, 1);
	/* IPv4: first fragment with 8 bytes of TCP */
	s.fo = 0x2000;
	n = ip_pkt(b, &s);
	put16(b + 2, 28);
	assert_int_equal(parse(DLT_IPV4, b, 28, &o), 0);
	assert_int_equal(ST.fragments, 2);
	/* IPv4: first fragment with the whole TCP header is parsed */
	n = ip_pkt(b, &s);
	assert_int_equal(parse(DLT_IPV4, b, n, &o), 1);
	check_syn(&o, 4);
	/* IPv6: fragment header with offset */
	struct spec v6 = base6();
	const uint8_t frag[] = { 44 };
	n = v6_chain(b, frag, 1, 0x0010, &v6);
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 0);
	assert_int_equal(ST.fragments, 3);
	/* IPv6: first fragment (M set) cut inside the TCP header */
	n = v6_chain(b, frag, 1, 0x0001, &v6);
	put16(b + 4, 8 + 12);
	assert_int_equal(parse(DLT_IPV6, b, 40 + 8 + 12, &o), 0);
	assert_int_equal(ST.fragments, 4);
	/* IPv6: first fragment with the whole TCP header */
	n = v6_chain(b, frag, 1, 0x0001, &v6);
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 1);
	check_syn(&o, 6);
	/* atomic fragment (offset 0, M clear) */
	n = v6_chain(b, frag, 1, 0x0000, &v6);
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 1);
}

static void test_tunnels(void **state)
{
	(void)state;
	uint8_t b[512], inner[256];
	struct syn o;
	memset(&ST, 0, sizeof(ST));
	/* 6in4 */
	struct spec v6 = base6();
	size_t in = ip_pkt(inner, &v6);
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(20 + in));
	b[8] = 30;
	b[9] = 41;
	memcpy(b + 20, inner, in);
	assert_int_equal(parse(DLT_IPV4, b, 20 + in, &o), 1);
	check_syn(&o, 6);
	assert_true(o.tunnelled);
	assert_int_equal(o.quirks, SYN_Q_FLOW);   /* inner header's quirks only */
	assert_int_equal(ST.tunnelled, 1);
	/* 4in6 */
	struct spec v4 = base4();
	in = ip_pkt(inner, &v4);
	memset(b, 0, 40);
	put32(b, 0x60000000u);
	put16(b + 4, (uint16_t)in);
	b[6] = 4;
	b[7] = 30;
	memcpy(b + 40, inner, in);
	assert_int_equal(parse(DLT_IPV6, b, 40 + in, &o), 1);
	check_syn(&o, 4);
	assert_true(o.tunnelled);
	assert_int_equal(ST.tunnelled, 2);
	/* nested beyond PARSE_MAX_TUNNEL: bad, not a stack overflow */
	size_t n = ip_pkt(b + 20 * (PARSE_MAX_TUNNEL + 1), &v4);
	for (int k = PARSE_MAX_TUNNEL; k >= 0; k--) {
		uint8_t *h = b + 20 * k;
		memset(h, 0, 20);
		h[0] = 0x45;
		n += 20;
		put16(h + 2, (uint16_t)n);
		h[9] = 4;
	}
	assert_int_equal(parse(DLT_IPV4, b, n, &o), 0);
	assert_int_equal(ST.bad, 1);
	/* a plain SYN is not tunnelled */
	n = ip_pkt(b, &v4);
	assert_int_equal(parse(DLT_IPV4, b, n, &o), 1);
	assert_false(o.tunnelled);
}

/* ---- lengths ---------------------------------------------------------- */

static void test_lying_lengths(void **state)
{
	(void)state;
	uint8_t b[512];
	uint8_t eth[14] = { MAC12, 0x08, 0x00 };
	struct syn o;
	struct spec s = base4();
	memset(&ST, 0, sizeof(ST));
	/* Ethernet padding after a short IP packet: trimmed by total length */
	size_t n = with_link(b, eth, 14, &s);
	memset(b + n, 0xee, 30);
	assert_int_equal(parse(DLT_EN10MB, b, n + 30, &o), 1);
	assert_int_equal(o.payload_len, 0);
	/* total length beyond the frame on the wire */
	put16(b + 14 + 2, 400);
	assert_int_equal(parse(DLT_EN10MB, b, n, &o), 0);
	assert_int_equal(ST.bad, 1);
	/* the same cut by the snaplen (wire had it): truncated payload, SYN kept */
	n = with_link(b, eth, 14, &s);
	put16(b + 14 + 2, 400);
	assert_int_equal(packet_parse(DLT_EN10MB, b, n, 14 + 400, &o, &ST), 1);
	assert_int_equal(o.payload_len, 400 - 20 - 40);
	/* total length below the header length */
	n = with_link(b, eth, 14, &s);
	put16(b + 14 + 2, 19);
	assert_int_equal(parse(DLT_EN10MB, b, n, &o), 0);
	/* IHL < 5 */
	n = with_link(b, eth, 14, &s);
	b[14] = 0x44;
	assert_int_equal(parse(DLT_EN10MB, b, n, &o), 0);
	/* IHL beyond total length */
	n = with_link(b, eth, 14, &s);
	b[14] = 0x4f;
	put16(b + 14 + 2, 40);
	assert_int_equal(parse(DLT_EN10MB, b, n, &o), 0);
	/* version 6 under EtherType IPv4 */
	n = with_link(b, eth, 14, &s);
	b[14] = 0x65;
	assert_int_equal(parse(DLT_EN10MB, b, n, &o), 0);
	assert_int_equal(ST.bad, 5);
	/* TCP data offset < 5, and beyond the IP length */
	n = with_link(b, eth, 14, &s);
	b[14 + 20 + 12] = 0x40;
	assert_int_equal(parse(DLT_EN10MB, b, n, &o), 0);
	n = with_link(b, eth, 14, &s);
	b[14 + 20 + 12] = 0xf0;
	assert_int_equal(parse(DLT_EN10MB, b, n, &o), 0);
	assert_int_equal(ST.bad, 7);
	/* IPv6 payload length beyond the frame; zero (jumbogram) */
	struct spec v6 = base6();
	n = ip_pkt(b, &v6);
	put16(b + 4, 1000);
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 0);
	put16(b + 4, 0);
	assert_int_equal(parse(DLT_IPV6, b, n, &o), 0);
	assert_int_equal(ST.bad, 9);
	/* caplen above wirelen: only wirelen bytes are used */
	n = ip_pkt(b, &v6);
	assert_int_equal(packet_parse(DLT_IPV6, b, n, n - 1, &o, &ST), 0);
	assert_int_equal(ST.bad, 10);
	/* radiotap length beyond the frame */
	uint8_t rt[32] = { 0, 0, 0xff, 0x00 };
	assert_int_equal(parse(DLT_IEEE802_11_RADIO, rt, sizeof(rt), &o), 0);
	assert_int_equal(ST.truncated, 1);
}

/* a real SYN: the first frame of the corpus capture sv_smtp-startssl.pcap */
static size_t corpus_syn(uint8_t *buf, size_t cap, int *dlt)
{
	const char *dir = getenv("MXSENSOR_CORPUS");
	char path[4096], eb[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/pcap/sv_smtp-startssl.pcap", dir ? dir : "../shared/corpus");
	pcap_t *p = pcap_open_offline(path, eb);
	if (!p)
		fail_msg("corpus capture missing: %s", eb);
	struct pcap_pkthdr *h;
	const u_char *d;
	assert_int_equal(pcap_next_ex(p, &h, &d), 1);
	assert_true(h->caplen <= cap && h->caplen == h->len);
	memcpy(buf, d, h->caplen);
	*dlt = pcap_datalink(p);
	size_t n = h->caplen;
	pcap_close(p);
	return n;
}

static void test_truncation_every_offset(void **state)
{
	(void)state;
	uint8_t frame[2048];
	int dlt;
	size_t n = corpus_syn(frame, sizeof(frame), &dlt);
	struct syn o;
	memset(&ST, 0, sizeof(ST));
	assert_int_equal(parse(dlt, frame, n, &o), 1);
	assert_int_equal(o.dport, 25);
	assert_int_equal(o.win, 64240);
	for (size_t cut = 0; cut < n; cut++) {
		/* exact-size heap copies, so ASan sees any read past caplen */
		uint8_t *c = malloc(cut ? cut : 1);
		memcpy(c, frame, cut);
		struct pcapin_stats before = ST;
		assert_int_equal(packet_parse(dlt, c, cut, n, &o, &ST), 0);
		assert_true(ST.truncated == before.truncated + 1);
		/* the wire itself shorter: every IP length field then lies */
		assert_int_equal(packet_parse(dlt, c, cut, cut, &o, &ST), 0);
		assert_true(st_sum(&ST) == st_sum(&before) + 2);
		free(c);
	}
}

/* random damage to every link-type case: never a crash, always counted */
static void test_mutations(void **state)
{
	(void)state;
	uint32_t x = 12345;
	memset(&ST, 0, sizeof(ST));
	uint64_t calls = 0;
	for (size_t i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++) {
		const struct linkcase *lc = &link_cases[i];
		struct spec s = lc->ipver == 4 ? base4() : base6();
		uint8_t b[512];
		size_t n = with_link(b, lc->hdr, lc->hl, &s);
		for (int k = 0; k < 3000; k++) {
			uint8_t m[512];
			memcpy(m, b, n);
			for (int j = 0; j < 3; j++) {
				x = x * 1103515245 + 12345;
				m[(x >> 8) % n] = (uint8_t)(x >> 20);
			}
			x = x * 1103515245 + 12345;
			size_t cut = n - (x >> 16) % 8;
			uint8_t *c = malloc(cut);
			memcpy(c, m, cut);
			struct syn o;
			packet_parse(lc->dlt, c, cut, n, &o, &ST);
			calls++;
			free(c);
		}
	}
	assert_true(st_sum(&ST) == calls);
}

/* ---- reader ----------------------------------------------------------- */

/* write_pcap - a capture of the given frames via libpcap's pcap_dump */
static void write_pcap(const char *path, int dlt, int prec, uint8_t frames[][256],
		       const size_t *lens, int n)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(dlt, 65535, prec);
	pcap_dumper_t *d = pcap_dump_open(p, path);
	assert_non_null(d);
	for (int i = 0; i < n; i++) {
		struct pcap_pkthdr h;
		h.ts.tv_sec = 1700000000 + i;
		h.ts.tv_usec = prec == PCAP_TSTAMP_PRECISION_NANO ? 123456789 : 123456;
		h.caplen = h.len = (bpf_u_int32)lens[i];
		pcap_dump((u_char *)d, &h, frames[i]);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

static void test_reader(void **state)
{
	(void)state;
	char dir[] = "/tmp/mxtest_packet.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char plain[256], nano[256], gz[256];
	snprintf(plain, sizeof(plain), "%s/a.pcap", dir);
	snprintf(nano, sizeof(nano), "%s/n.pcap", dir);
	snprintf(gz, sizeof(gz), "%s/a.pcap.gz", dir);
	uint8_t frames[3][256];
	size_t lens[3];
	struct spec s4 = base4(), s6 = base6();
	lens[0] = ip_pkt(frames[0], &s4);
	s4.flags = 0x12;
	lens[1] = ip_pkt(frames[1], &s4);
	lens[2] = ip_pkt(frames[2], &s6);
	write_pcap(plain, DLT_RAW, PCAP_TSTAMP_PRECISION_MICRO, frames, lens, 3);
	write_pcap(nano, DLT_RAW, PCAP_TSTAMP_PRECISION_NANO, frames, lens, 3);
	/* gzip'd copy */
	FILE *f = fopen(plain, "rb");
	gzFile g = gzopen(gz, "wb");
	char buf[4096];
	size_t k;
	while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
		gzwrite(g, buf, (unsigned)k);
	fclose(f);
	gzclose(g);

	const char *files[] = { plain, nano, gz };
	for (int i = 0; i < 3; i++) {
		char err[512];
		struct pcapin *in = pcapin_open(files[i], err, sizeof(err));
		assert_non_null(in);
		assert_string_equal(pcapin_path(in), files[i]);
		assert_int_equal(pcapin_gzipped(in), i == 2);
		struct syn o;
		assert_int_equal(pcapin_next(in, &o), 1);
		assert_int_equal(o.ipver, 4);
		assert_int_equal(o.pkt_no, 1);
		assert_int_equal(o.ts_prec, i == 1 ? 9 : 6);
		assert_true(o.ts_ns == 1700000000LL * 1000000000 + (i == 1 ? 123456789 : 123456000));
		assert_int_equal(pcapin_next(in, &o), 1);
		assert_int_equal(o.ipver, 6);
		assert_int_equal(o.pkt_no, 3);
		assert_int_equal(pcapin_next(in, &o), 0);
		assert_int_equal(pcapin_next(in, &o), 0);
		/* read to its end: the whole file, compressed bytes for the gzip'd one */
		struct stat sb;
		assert_int_equal(stat(files[i], &sb), 0);
		assert_true(pcapin_offset(in) == (uint64_t)sb.st_size);
		const struct pcapin_stats *st = pcapin_get_stats(in);
		assert_int_equal(st->packets, 3);
		assert_int_equal(st->syns, 2);
		assert_int_equal(st->not_syn, 1);
		pcapin_close(in);
	}

	/* cut inside the third record: two packets, then "packet 3" damaged */
	char cut[256];
	snprintf(cut, sizeof(cut), "%s/cut.pcap", dir);
	f = fopen(plain, "rb");
	k = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	f = fopen(cut, "wb");
	fwrite(buf, 1, k - 10, f);
	fclose(f);
	char err[512];
	struct pcapin *in = pcapin_open(cut, err, sizeof(err));
	assert_non_null(in);
	struct syn o;
	assert_int_equal(pcapin_next(in, &o), 1);
	assert_int_equal(pcapin_next(in, &o), -1);
	assert_int_equal(pcapin_next(in, &o), -1);
	char want[512];
	snprintf(want, sizeof(want), "%s: packet 3: ", cut);
	assert_memory_equal(pcapin_error(in), want, strlen(want));
	pcapin_close(in);

	/* open errors name the file */
	char missing[256];
	snprintf(missing, sizeof(missing), "%s/missing.pcap", dir);
	assert_null(pcapin_open(missing, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: ", missing);
	assert_memory_equal(err, want, strlen(want));
	assert_null(pcapin_open(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "directory"));
	/* unsupported link type: name and number */
	char odd[256];
	snprintf(odd, sizeof(odd), "%s/odd.pcap", dir);
	write_pcap(odd, DLT_USB_LINUX, PCAP_TSTAMP_PRECISION_MICRO, frames, lens, 1);
	assert_null(pcapin_open(odd, err, sizeof(err)));
	assert_non_null(strstr(err, "USB_LINUX"));
	assert_non_null(strstr(err, "(189)"));
	/* not a capture */
	f = fopen(odd, "wb");
	fputs("hello, this is not a capture file at all\n", f);
	fclose(f);
	assert_null(pcapin_open(odd, err, sizeof(err)));
	f = fopen(odd, "wb");
	fclose(f);
	assert_null(pcapin_open(odd, err, sizeof(err)));
	assert_non_null(strstr(err, "empty"));

	unlink(plain);
	unlink(nano);
	unlink(gz);
	unlink(cut);
	unlink(odd);
	rmdir(dir);
}


/* ---- pcapng built by hand ---------------------------------------------- */

static size_t le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
	return 4;
}

static size_t le16w(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
	return 2;
}

/* ng_idb - interface block: link type, snaplen, if_tsresol (0 = none) */
static size_t ng_idb(uint8_t *p, uint16_t lt, uint32_t snap, uint8_t tsresol)
{
	size_t len = tsresol ? 32 : 20, n = 0;
	n += le32(p + n, 1);
	n += le32(p + n, (uint32_t)len);
	n += le16w(p + n, lt);
	n += le16w(p + n, 0);
	n += le32(p + n, snap);
	if (tsresol) {
		n += le16w(p + n, 9);
		n += le16w(p + n, 1);
		p[n++] = tsresol; p[n++] = 0; p[n++] = 0; p[n++] = 0;
		n += le32(p + n, 0);
	}
	n += le32(p + n, (uint32_t)len);
	return n;
}

/* ng_epb - packet block on interface ifid */
static size_t ng_epb(uint8_t *p, uint32_t ifid, uint64_t ts, const uint8_t *d, size_t dl)
{
	size_t pad = (dl + 3) & ~(size_t)3, len = 32 + pad, n = 0;
	n += le32(p + n, 6);
	n += le32(p + n, (uint32_t)len);
	n += le32(p + n, ifid);
	n += le32(p + n, (uint32_t)(ts >> 32));
	n += le32(p + n, (uint32_t)ts);
	n += le32(p + n, (uint32_t)dl);
	n += le32(p + n, (uint32_t)dl);
	memcpy(p + n, d, dl);
	memset(p + n + dl, 0, pad - dl);
	n += pad;
	n += le32(p + n, (uint32_t)len);
	return n;
}

/* build_ng - SHB, an Ethernet interface (usec, snaplen 65535), a raw-IP
 * interface (nsec, snaplen 262144), three packets across them */
static size_t build_ng(uint8_t *b)
{
	size_t n = 0;
	n += le32(b + n, 0x0a0d0d0a);
	n += le32(b + n, 28);
	n += le32(b + n, 0x1a2b3c4d);
	n += le16w(b + n, 1);
	n += le16w(b + n, 0);
	n += le32(b + n, 0xffffffff);
	n += le32(b + n, 0xffffffff);
	n += le32(b + n, 28);
	n += ng_idb(b + n, 1, 65535, 0);
	n += ng_idb(b + n, 101, 262144, 9);
	uint8_t f[256];
	struct spec s4 = base4(), s6 = base6();
	static const uint8_t eth[14] = { MAC12, 0x08, 0x00 };
	size_t fl = with_link(f, eth, 14, &s4);
	n += ng_epb(b + n, 0, 1700000000123456ULL, f, fl);
	fl = ip_pkt(f, &s6);
	n += ng_epb(b + n, 1, 1700000001123456789ULL, f, fl);
	fl = with_link(f, eth, 14, &s4);
	n += ng_epb(b + n, 0, 1700000002000001ULL, f, fl);
	return n;
}

/* read_all - every record of a file; returns the last pcapin_next() result */
static int read_all(const char *path, int *nsyn)
{
	char err[512];
	struct pcapin *in = pcapin_open(path, err, sizeof(err));
	*nsyn = 0;
	if (!in)
		return -2;
	struct syn o;
	int r, guard = 0;
	while ((r = pcapin_next(in, &o)) == 1 && ++guard < 1000)
		(*nsyn)++;
	assert_true(guard < 1000);
	pcapin_close(in);
	return r;
}

static void test_pcapng_interfaces(void **state)
{
	(void)state;
	static uint8_t b[4096];
	size_t n = build_ng(b);
	char path[] = "/tmp/mxtest_ng.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	close(fd);

	char err[512];
	struct pcapin *in = pcapin_open(path, err, sizeof(err));
	assert_non_null(in);
	struct syn o;
	assert_int_equal(pcapin_next(in, &o), 1);
	assert_int_equal(o.linktype, DLT_EN10MB);
	assert_int_equal(o.ts_prec, 6);
	assert_true(o.ts_ns == 1700000000123456000LL);
	assert_int_equal(pcapin_next(in, &o), 1);
	assert_int_equal(o.linktype, 101);
	assert_int_equal(o.ipver, 6);
	assert_int_equal(o.ts_prec, 9);
	assert_true(o.ts_ns == 1700000001123456789LL);
	assert_int_equal(pcapin_next(in, &o), 1);
	assert_int_equal(o.pkt_no, 3);
	assert_int_equal(o.linktype, DLT_EN10MB);
	assert_int_equal(pcapin_next(in, &o), 0);
	pcapin_close(in);

	/* cut at every offset and damaged at random: always ends, never more
	 * records than the whole file; a cut inside a block is an error */
	int nsyn;
	for (size_t cut = 0; cut <= n; cut++) {
		FILE *f = fopen(path, "wb");
		fwrite(b, 1, cut, f);
		fclose(f);
		int r = read_all(path, &nsyn);
		assert_true(nsyn <= 3);
		if (cut == n)
			assert_true(r == 0 && nsyn == 3);
		else if (cut == n - 1)
			assert_true(r == -1 && nsyn == 2);   /* last block cut */
		else
			assert_true(r == 0 || r == -1 || r == -2);
	}
	uint32_t x = 99;
	for (int k = 0; k < 400; k++) {
		uint8_t m[4096];
		memcpy(m, b, n);
		for (int j = 0; j < 2; j++) {
			x = x * 1103515245 + 12345;
			m[(x >> 8) % n] = (uint8_t)(x >> 20);
		}
		FILE *f = fopen(path, "wb");
		fwrite(m, 1, n, f);
		fclose(f);
		read_all(path, &nsyn);
		assert_true(nsyn <= 3);
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_nflog),
		cmocka_unit_test(test_not_ip_and_unsupported),
		cmocka_unit_test(test_quirks_ip),
		cmocka_unit_test(test_quirks_tcp),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_ip_fields),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_tunnels),
		cmocka_unit_test(test_lying_lengths),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_pcapng_interfaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
