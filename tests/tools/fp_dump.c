/*
 * fp_dump.c - print mxsensor's fingerprint verdict for every TCP SYN of a
 * pcap, one line each, in the shape of p0f's own log lines, so that
 * tests/integration/p0f_oracle.sh can set them beside `p0f -r` output.
 *
 *   fp_dump [-f p0f.fp]... FILE.pcap
 *
 * Output: pkt=N|cli=ADDR/PORT|srv=ADDR/PORT|os=LABEL|dist=D|params=P|
 *         raw_sig=SIG|link=L|kind=K     (addresses written as p0f does)
 *
 * The packet decoding here is a small stand-alone reading of p0f 3.09b's
 * own rules (link offsets, IPv4/IPv6 + TCP, option walk and quirks), kept
 * to test the matcher apart from the sensor's packet parser.  It trusts
 * nothing: every read is checked against the captured length.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fingerprint/fp.h"
#include "util/hash.h"

static int link_off = -1;

/* find_offset - p0f's link-layer offset: fixed per DLT, else guessed */
static void find_offset(int dlt, const uint8_t *d, int len)
{
	switch (dlt) {
	case DLT_RAW: link_off = 0; return;
	case DLT_NULL: case DLT_PPP: link_off = 4; return;
	case DLT_LOOP: case DLT_PPP_SERIAL: case DLT_PPP_ETHER: link_off = 8; return;
	case DLT_EN10MB: link_off = 14; return;
	case DLT_LINUX_SLL: link_off = 16; return;
	case DLT_PFLOG: link_off = 28; return;
	case DLT_IEEE802_11: link_off = 32; return;
	}
	int i;
	for (i = 0; i < 40; i += 2, len -= 2) {
		if (len < 40)
			break;
		if (len >= 60 && (d[i] >> 4) == 6 && d[i + 6] == 6) {
			link_off = i;
			break;
		}
		if ((d[i] >> 4) == 4 && d[i + 9] == 6) {
			link_off = i;
			break;
		}
	}
	if (link_off >= 4 && d[i - 4] == 0x81 && d[i - 3] == 0x00)
		link_off -= 4;
	else if (link_off == -1)
		link_off = -2;
}

static unsigned rd16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* p0f_addr - an address the way p0f prints it (IPv6 without :: folding) */
static void p0f_addr(const struct addr *a, char *buf, size_t n)
{
	const uint8_t *b = a->b;
	if (a->family == 4)
		snprintf(buf, n, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	else
		snprintf(buf, n, "%x:%x:%x:%x:%x:%x:%x:%x", rd16(b), rd16(b + 2),
			 rd16(b + 4), rd16(b + 6), rd16(b + 8), rd16(b + 10),
			 rd16(b + 12), rd16(b + 14));
}

/* parse - one frame into a SYN record; false when it is not a usable SYN */
static bool parse(int dlt, const uint8_t *d, int len, struct syn *s)
{
	if (link_off < 0)
		find_offset(dlt, d, len);
	if (link_off < 0)
		return false;
	if (len < link_off)
		return false;
	d += link_off;
	len -= link_off;
	if (len < 40)
		return false;
	memset(s, 0, sizeof *s);
	int thl, iphl;
	if ((d[0] >> 4) == 4) {
		iphl = (d[0] & 15) * 4;
		unsigned flags = rd16(d + 6), tot = rd16(d + 2);
		if (len > (int)tot)
			len = (int)tot;
		if (len < 40 || iphl < 20 || (int)tot > len || iphl + 20 > len || d[9] != 6)
			return false;
		if (flags & ~0xc000u)
			return false;   /* fragment */
		s->ipver = 4;
		s->src.family = s->dst.family = 4;
		memcpy(s->src.b, d + 12, 4);
		memcpy(s->dst.b, d + 16, 4);
		s->ip_olen = (uint8_t)(iphl - 20);
		s->ttl = d[8];
		s->tos = d[1];
		s->ipid = (uint16_t)rd16(d + 4);
		s->df = flags & 0x4000;
		if (d[1] & 3)
			s->quirks |= SYN_Q_ECN;
		if (flags & 0x8000)
			s->quirks |= SYN_Q_NZ_MBZ;
		if (flags & 0x4000) {
			s->quirks |= SYN_Q_DF;
			if (s->ipid)
				s->quirks |= SYN_Q_NZ_ID;
		} else if (!s->ipid) {
			s->quirks |= SYN_Q_ZERO_ID;
		}
	} else if ((d[0] >> 4) == 6) {
		int tot = (int)rd16(d + 4) + 40;
		if (len > tot)
			len = tot;
		if (len < 60 || tot > len || d[6] != 6)
			return false;
		iphl = 40;
		s->ipver = 6;
		s->src.family = s->dst.family = 6;
		memcpy(s->src.b, d + 8, 16);
		memcpy(s->dst.b, d + 24, 16);
		s->ttl = d[7];
		uint32_t vt = rd32(d);
		s->tos = (uint8_t)(vt >> 20);
		s->flow = vt & 0xfffff;
		if (s->flow)
			s->quirks |= SYN_Q_FLOW;
		if ((vt >> 20) & 3)
			s->quirks |= SYN_Q_ECN;
	} else {
		return false;
	}
	const uint8_t *t = d + iphl;
	len -= iphl;
	thl = (t[12] >> 4) * 4;
	if (thl < 20 || thl > len)
		return false;
	uint8_t fl = t[13];
	if ((fl & 0x17) != 0x02)
		return false;   /* SYN only (no ACK, FIN, RST) */
	s->sport = (uint16_t)rd16(t);
	s->dport = (uint16_t)rd16(t + 2);
	s->seq = rd32(t + 4);
	s->ack = rd32(t + 8);
	s->tcp_flags = fl;
	s->tcp_hlen = (uint8_t)thl;
	s->win = (uint16_t)rd16(t + 14);
	s->urg = (uint16_t)rd16(t + 18);
	if ((fl & 0xc0) || (t[12] & 1))
		s->quirks |= SYN_Q_ECN;
	if (!s->seq)
		s->quirks |= SYN_Q_ZERO_SEQ;
	/* p0f's `RD32(ack) & !(flags & RST)` on a little-endian host: the
	 * low bit of the first ACK byte (RST is clear here) */
	if (t[8] & 1)
		s->quirks |= SYN_Q_NZ_ACK;
	if (fl & 0x20)
		s->quirks |= SYN_Q_URG;
	else if (s->urg)
		s->quirks |= SYN_Q_NZ_URG;
	if (fl & 0x08)
		s->quirks |= SYN_Q_PUSH;
	s->payload_len = (uint32_t)(len - thl);

	const uint8_t *o = t + 20, *oe = t + thl;
	s->wscale = -1;
	while (o < oe && s->nopts < FP_MAX_OPTS) {
		uint8_t k = *o++;
		s->olayout[s->nopts++] = k;
		switch (k) {
		case TCPOPT_EOL:
			s->eol_pad = (uint8_t)(oe - o);
			while (o < oe && !*o++)
				;
			if (o != oe) {
				s->quirks |= SYN_Q_OPT_EOL_NZ;
				o = oe;
			}
			break;
		case TCPOPT_NOP:
			break;
		case TCPOPT_MSS:
			if (o >= oe || *o != 4)
				s->quirks |= SYN_Q_OPT_BAD;
			if (o + 3 > oe)
				goto bad;
			s->mss = (uint16_t)rd16(o + 1);
			o += 3;
			break;
		case TCPOPT_WS:
			if (o >= oe || *o != 3)
				s->quirks |= SYN_Q_OPT_BAD;
			if (o + 2 > oe)
				goto bad;
			s->wscale = o[1];
			if (o[1] > 14)
				s->quirks |= SYN_Q_OPT_EXWS;
			o += 2;
			break;
		case TCPOPT_SOK:
			if (o >= oe || *o != 2)
				s->quirks |= SYN_Q_OPT_BAD;
			if (o + 1 > oe)
				goto bad;
			s->sackok = true;
			o += 1;
			break;
		case TCPOPT_SACK:
			if (o >= oe || *o < 10 || *o > 34 || o - 1 + *o > oe)
				goto bad;
			o += *o - 1;
			break;
		case TCPOPT_TS:
			if (o >= oe || *o != 10)
				s->quirks |= SYN_Q_OPT_BAD;
			if (o + 9 > oe)
				goto bad;
			s->has_ts = true;
			s->tsval = rd32(o + 1);
			s->tsecr = rd32(o + 5);
			if (!s->tsval)
				s->quirks |= SYN_Q_OPT_ZERO_TS1;
			if (s->tsecr)
				s->quirks |= SYN_Q_OPT_NZ_TS2;
			o += 9;
			break;
		default:
			if (o >= oe || *o < 2 || *o > 40 || o - 1 + *o > oe)
				goto bad;
			o += *o - 1;
			break;
		}
	}
	if (o != oe)
bad:
		s->quirks |= SYN_Q_OPT_BAD;
	return true;
}

int main(int argc, char **argv)
{
	const char *dbs[16];
	size_t ndb = 0;
	int c;
	while ((c = getopt(argc, argv, "f:")) != -1) {
		if (c == 'f' && ndb < 16)
			dbs[ndb++] = optarg;
		else
			return fprintf(stderr, "usage: fp_dump [-f p0f.fp]... FILE.pcap\n"), 2;
	}
	if (optind + 1 != argc)
		return fprintf(stderr, "usage: fp_dump [-f p0f.fp]... FILE.pcap\n"), 2;
	hash_seed_init();
	char *err = NULL;
	struct fpdb *db = fpdb_open(dbs, ndb, &err);
	if (!db)
		return fprintf(stderr, "fp_dump: %s\n", err), free(err), 2;
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(argv[optind], ebuf);
	if (!p)
		return fprintf(stderr, "fp_dump: %s\n", ebuf), fpdb_free(db), 1;
	int dlt = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long n = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) >= 0) {
		n++;
		int len = (int)(h->len < h->caplen ? h->len : h->caplen);
		if (len > 65535)
			len = 65535;
		struct syn s;
		if (!parse(dlt, d, len, &s))
			continue;
		const struct fp_verdict *v = fp_match(db, &s);
		char a[64], b[64], params[64] = "";
		p0f_addr(&s.src, a, sizeof a);
		p0f_addr(&s.dst, b, sizeof b);
		if (v->generic)
			strcat(params, " generic");
		if (v->fuzzy)
			strcat(params, " fuzzy");
		if (v->bad_ttl)
			strcat(params, " random_ttl");
		if (v->dist > FP_MAX_DIST)
			strcat(params, " excess_dist");
		if (s.tos >> 2)
			snprintf(params + strlen(params), sizeof params - strlen(params),
				 " tos:0x%02x", s.tos >> 2);
		printf("pkt=%lu|cli=%s/%u|srv=%s/%u|%s=%s|dist=%s%d|params=%s|raw_sig=%s|link=%s|kind=%s\n",
		       n, a, s.sport, b, s.dport, v->userland ? "app" : "os",
		       v->label ? v->label : "???", v->bad_ttl ? "<= " : "", v->dist,
		       params[0] ? params + 1 : "none", v->raw_sig, v->link ? v->link : "-",
		       fp_kind_name(v->kind));
	}
	pcap_close(p);
	fpdb_free(db);
	return rc == -2 ? 0 : 1;
}
