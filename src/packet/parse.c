/*
 * parse.c - link layer, IPv4/IPv6 and TCP decoding of one frame into a
 * struct syn, after p0f v3's parse_packet() (process.c).
 *
 * Trusts nothing: every byte is read through struct wire (util/wire.h),
 * bounded by what was captured.  Two lengths are carried down the layers:
 * the captured bytes (the wire reader) and the declared length (what the
 * IP header says remains).  Running out of captured bytes is "truncated";
 * a declared length beyond what was on the wire, or headers that do not
 * fit their own declared lengths, is "bad"; an IP fragment without a whole
 * TCP header is a "fragment".  TCP option problems are p0f quirks.
 *
 * Decoding order:  link layer (one function per DLT family)
 *                  -> ethertype chain (VLAN, QinQ, MPLS, PPPoE, LLC/SNAP)
 *                  -> ip4() / ip6() (extension headers, tunnels)
 *                  -> tcp() (flags, quirks, options)
 */
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "packet/parse.h"
#include "util/wire.h"

/* outcome of decoding one frame; one stats counter each */
enum res { R_SYN, R_NOTSYN, R_NONIP, R_TRUNC, R_FRAG, R_BAD, R_DLT };

/* "next protocol" after the link layer */
enum { NX_IP4 = 0x0800, NX_IP6 = 0x86dd, NX_RAW = -1, NX_OTHER = -2 };

#define ETH_VLAN     0x8100  /* IEEE 802.1Q */
#define ETH_QINQ     0x88a8  /* IEEE 802.1ad */
#define ETH_QINQ_OLD1 0x9100 /* pre-standard QinQ */
#define ETH_QINQ_OLD2 0x9200
#define ETH_MPLS_UC  0x8847
#define ETH_MPLS_MC  0x8848
#define ETH_PPPOE_S  0x8864  /* PPPoE session stage (RFC 2516) */

#define IPPROTO_TCP_ 6
#define IPPROTO_IPIP_ 4
#define IPPROTO_IPV6_ 41

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

/* p0f's MAX_TCP_OPT: option parsing stops after this many ("bad") */
#define P0F_MAX_OPTS 24

struct pctx {
	struct syn *out;
	int tunnel;   /* IP layers entered so far minus one */
};

static enum res ip_any(struct pctx *c, struct wire *w, size_t wlen, int nx);
static enum res ethertype_chain(struct pctx *c, struct wire *w, size_t *wlen,
				uint16_t type);

/* take - skip n bytes of the frame: captured and on-wire length */
static bool take(struct wire *w, size_t *wlen, size_t n)
{
	if (!wire_skip(w, n))
		return false;
	*wlen -= n;
	return true;
}

/* host-order u16 (NFLOG TLVs: libpcap gives them in our byte order) */
static bool get_u16_host(struct wire *w, uint16_t *v)
{
	uint8_t b[2];
	if (!wire_get_bytes(w, b, 2))
		return false;
	memcpy(v, b, 2);
	return true;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * TCP options (RFC 9293 3.1), exactly p0f's walk: each option is checked
 * against the end of the options; a wrong length byte on MSS/WS/SOK/TS is
 * "bad" but the walk goes on with the fixed size; an impossible length
 * aborts the walk ("bad").
 */
static void tcp_options(struct syn *s, const uint8_t *p, const uint8_t *end,
			bool pure_syn)
{
	while (p < end && s->nopts < P0F_MAX_OPTS) {
		uint8_t kind = *p++;
		s->olayout[s->nopts++] = kind;
		switch (kind) {
		case TCPOPT_EOL:
			/* bytes after EOL: count them, flag any non-zero.
			 * Like p0f, the scan stops after the first non-zero
			 * byte and flags it only when bytes follow it. */
			s->eol_pad = (uint8_t)(end - p);
			while (p < end && !*p++)
				;
			if (p != end) {
				s->quirks |= SYN_Q_OPT_EOL_NZ;
				p = end;
			}
			break;
		case TCPOPT_NOP:
			break;
		case TCPOPT_MSS:
			if (end - p < 3)
				goto abort;
			if (p[0] != 4)
				s->quirks |= SYN_Q_OPT_BAD;
			s->mss = (uint16_t)(p[1] << 8 | p[2]);
			s->has_mss = true;
			p += 3;
			break;
		case TCPOPT_WS:
			if (end - p < 2)
				goto abort;
			if (p[0] != 3)
				s->quirks |= SYN_Q_OPT_BAD;
			s->wscale = p[1];
			if (p[1] > 14)
				s->quirks |= SYN_Q_OPT_EXWS;
			p += 2;
			break;
		case TCPOPT_SOK:
			if (end - p < 1)
				goto abort;
			if (p[0] != 2)
				s->quirks |= SYN_Q_OPT_BAD;
			s->sackok = true;
			p += 1;
			break;
		case TCPOPT_SACK:
			if (p == end || p[0] < 10 || p[0] > 34 || p[0] - 1 > end - p)
				goto abort;
			p += p[0] - 1;
			break;
		case TCPOPT_TS:
			if (end - p < 9)
				goto abort;
			if (p[0] != 10)
				s->quirks |= SYN_Q_OPT_BAD;
			s->has_ts = true;
			s->tsval = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
				   (uint32_t)p[3] << 8 | p[4];
			s->tsecr = (uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 |
				   (uint32_t)p[7] << 8 | p[8];
			if (!s->tsval)
				s->quirks |= SYN_Q_OPT_ZERO_TS1;
			if (pure_syn && s->tsecr)
				s->quirks |= SYN_Q_OPT_NZ_TS2;
			p += 9;
			break;
		default:
			if (p == end || p[0] < 2 || p[0] > 40 || p[0] - 1 > end - p)
				goto abort;
			p += p[0] - 1;
			break;
		}
	}
	if (p == end)
		return;
abort:
	s->quirks |= SYN_Q_OPT_BAD;
}

/*
 * TCP header (RFC 9293 3.1):
 *   0 sport(2) dport(2) | 4 seq(4) | 8 ack(4) | 12 doff:4 rsvd:3 NS:1 |
 *   13 flags | 14 win(2) | 16 cksum(2) | 18 urg(2) | 20 options...
 * dlen: the TCP length the IP layer declares (header + payload).
 * frag: the IP packet is a first fragment (more follow).
 */
static enum res tcp(struct pctx *c, struct wire *w, size_t dlen, bool frag)
{
	struct syn *s = c->out;
	if (dlen < 20)
		return frag ? R_FRAG : R_BAD;
	if (wire_left(w) < 14)
		return R_TRUNC;
	const uint8_t *h = w->p;
	uint8_t flags = h[13];
	size_t doff = (size_t)(h[12] >> 4) * 4;
	if (doff < 20)
		return R_BAD;
	if (doff > dlen)
		return frag ? R_FRAG : R_BAD;
	if (!(flags & TCP_SYN) || (flags & TCP_ACK))
		return R_NOTSYN;
	if (wire_left(w) < doff)
		return R_TRUNC;

	s->sport = (uint16_t)(h[0] << 8 | h[1]);
	s->dport = (uint16_t)(h[2] << 8 | h[3]);
	s->seq = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
	s->ack = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 | (uint32_t)h[10] << 8 | h[11];
	s->tcp_flags = flags;
	s->tcp_hlen = (uint8_t)doff;
	s->win = (uint16_t)(h[14] << 8 | h[15]);
	s->urg = (uint16_t)(h[18] << 8 | h[19]);
	s->payload_len = (uint32_t)(dlen - doff);

	if ((flags & (TCP_ECE | TCP_CWR)) || (h[12] & 0x01))
		s->quirks |= SYN_Q_ECN;
	if (!s->seq)
		s->quirks |= SYN_Q_ZERO_SEQ;
	/* ACK flag is clear here (ack- cannot happen).  p0f v3 tests
	 * `RD32(tcp->ack) & !(tcp->flags & TCP_RST)`: a bitwise AND with 1 of
	 * the number read in host order, i.e. on the little-endian hosts p0f
	 * runs on (x86, ARM), the lowest bit of the first ACK byte on the
	 * wire.  Reproduced as such so "ack+" means what it means in p0f.fp;
	 * the whole number is in syn.ack for anyone wanting more. */
	if ((h[8] & 1) && !(flags & TCP_RST))
		s->quirks |= SYN_Q_NZ_ACK;
	if (flags & TCP_URG)
		s->quirks |= SYN_Q_URG;
	else if (s->urg)
		s->quirks |= SYN_Q_NZ_URG;
	if (flags & TCP_PSH)
		s->quirks |= SYN_Q_PUSH;

	bool pure_syn = (flags & (TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST)) == TCP_SYN;
	tcp_options(s, h + 20, h + doff, pure_syn);
	return R_SYN;
}

/* enter_ip - reset the network-layer part of the record for a new IP layer */
static bool enter_ip(struct pctx *c)
{
	struct syn *s = c->out;
	if (++c->tunnel > PARSE_MAX_TUNNEL)
		return false;
	s->tunnelled = c->tunnel > 0;
	s->quirks = 0;
	s->flow = 0;
	s->ipid = 0;
	s->df = false;
	s->ip_olen = 0;
	return true;
}

/*
 * IPv4 (RFC 791):
 *   0 ver:4 ihl:4 | 1 tos | 2 total length(2) | 4 id(2) | 6 flags:3 off:13 |
 *   8 ttl | 9 proto | 10 cksum(2) | 12 src(4) | 16 dst(4) | 20 options
 * wlen: bytes of the frame on the wire from here on.
 */
static enum res ip4(struct pctx *c, struct wire *w, size_t wlen)
{
	struct syn *s = c->out;
	if (!enter_ip(c))
		return R_BAD;
	if (wire_left(w) < 20)
		return R_TRUNC;
	const uint8_t *h = w->p;
	if (h[0] >> 4 != 4)
		return R_BAD;
	size_t ihl = (size_t)(h[0] & 0x0f) * 4;
	size_t tot = (size_t)(h[2] << 8 | h[3]);
	uint16_t fo = (uint16_t)(h[6] << 8 | h[7]);
	if (ihl < 20 || tot < ihl || tot > wlen)
		return R_BAD;
	if (wire_left(w) > tot)
		w->end = w->p + tot;   /* Ethernet padding, trailers */
	uint8_t proto = h[9];
	if (proto != IPPROTO_TCP_ && proto != IPPROTO_IPV6_ && proto != IPPROTO_IPIP_)
		return R_NOTSYN;
	if (fo & 0x1fff)
		return R_FRAG;         /* not the first fragment */
	bool mf = fo & 0x2000;
	if (wire_left(w) < ihl)
		return R_TRUNC;

	s->ipver = 4;
	s->src = addr_from_v4(h + 12);
	s->dst = addr_from_v4(h + 16);
	s->tos = h[1];
	s->ttl = h[8];
	s->ipid = (uint16_t)(h[4] << 8 | h[5]);
	s->df = fo & 0x4000;
	s->ip_olen = (uint8_t)(ihl - 20);
	if (h[1] & 0x03)
		s->quirks |= SYN_Q_ECN;
	if (fo & 0x8000)
		s->quirks |= SYN_Q_NZ_MBZ;
	if (s->df) {
		s->quirks |= SYN_Q_DF;
		if (s->ipid)
			s->quirks |= SYN_Q_NZ_ID;
	} else if (!s->ipid) {
		s->quirks |= SYN_Q_ZERO_ID;
	}
	wire_skip(w, ihl);
	if (proto == IPPROTO_TCP_)
		return tcp(c, w, tot - ihl, mf);
	if (mf)
		return R_FRAG;         /* a tunnelled packet cut in pieces */
	return ip_any(c, w, tot - ihl, proto == IPPROTO_IPIP_ ? NX_IP4 : NX_IP6);
}

/*
 * IPv6 (RFC 8200):
 *   0 ver:4 tclass:8 flow:20 | 4 payload length(2) | 6 next | 7 hop limit |
 *   8 src(16) | 24 dst(16) | 40 extension headers, then the upper layer
 * Extension headers walked: hop-by-hop (0), routing (43), destination
 * options (60): (len + 1) * 8 bytes; fragment (44): 8 bytes; AH (51):
 * (len + 2) * 4 bytes.  At most PARSE_MAX_EXTHDR of them.
 */
static enum res ip6(struct pctx *c, struct wire *w, size_t wlen)
{
	struct syn *s = c->out;
	if (!enter_ip(c))
		return R_BAD;
	if (wire_left(w) < 40)
		return R_TRUNC;
	const uint8_t *h = w->p;
	if (h[0] >> 4 != 6)
		return R_BAD;
	uint32_t vtf = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
		       (uint32_t)h[2] << 8 | h[3];
	size_t plen = (size_t)(h[4] << 8 | h[5]);
	if (plen == 0 || plen + 40 > wlen)
		return R_BAD;          /* jumbograms are not SYNs; lies are bad */
	if (wire_left(w) > plen + 40)
		w->end = w->p + plen + 40;

	s->ipver = 6;
	s->src = addr_from_v6(h + 8);
	s->dst = addr_from_v6(h + 24);
	s->tos = (uint8_t)(vtf >> 20);
	s->flow = vtf & 0xfffff;
	s->ttl = h[7];
	if (s->flow)
		s->quirks |= SYN_Q_FLOW;
	if ((vtf >> 20) & 0x03)
		s->quirks |= SYN_Q_ECN;
	wire_skip(w, 40);

	uint8_t nh = h[6];
	size_t dlen = plen;        /* declared bytes left after this point */
	bool frag = false;
	for (int i = 0;; i++) {
		size_t hl;
		uint8_t b[4];
		switch (nh) {
		case IPPROTO_TCP_:
			return tcp(c, w, dlen, frag);
		case IPPROTO_IPIP_:
		case IPPROTO_IPV6_:
			if (frag)
				return R_FRAG;
			return ip_any(c, w, dlen, nh == IPPROTO_IPIP_ ? NX_IP4 : NX_IP6);
		case 0:
		case 43:
		case 60:
		case 44:
		case 51:
			break;
		default:
			return R_NOTSYN;   /* 59 no next header, UDP, ICMPv6, ... */
		}
		if (i >= PARSE_MAX_EXTHDR)
			return R_BAD;
		if (dlen < 8)
			return R_BAD;      /* every extension header is >= 8 bytes */
		struct wire peek = *w;
		if (!wire_get_bytes(&peek, b, 4))
			return R_TRUNC;
		if (nh == 44) {
			hl = 8;
			uint16_t offm = (uint16_t)(b[2] << 8 | b[3]);
			if (offm & 0xfff8)
				return R_FRAG; /* not the first fragment */
			if (offm & 1)
				frag = true;
		} else if (nh == 51) {
			hl = ((size_t)b[1] + 2) * 4;
		} else {
			hl = ((size_t)b[1] + 1) * 8;
		}
		if (hl > dlen)
			return R_BAD;
		if (!wire_skip(w, hl))
			return R_TRUNC;
		dlen -= hl;
		nh = b[0];
	}
}

/* ip_any - an IP packet: version from nx, or from the first nibble (NX_RAW) */
static enum res ip_any(struct pctx *c, struct wire *w, size_t wlen, int nx)
{
	if (nx == NX_RAW) {
		if (wire_left(w) < 1)
			return R_TRUNC;
		nx = w->p[0] >> 4 == 4 ? NX_IP4 : w->p[0] >> 4 == 6 ? NX_IP6 : NX_OTHER;
	}
	if (nx == NX_IP4)
		return ip4(c, w, wlen);
	if (nx == NX_IP6)
		return ip6(c, w, wlen);
	return R_NONIP;
}

/*
 * MPLS label stack (RFC 3032): 4-byte entries, bit 8 of the third byte =
 * bottom of stack.  After it: IPv4/IPv6 by the first nibble, or a
 * pseudowire control word (first nibble 0, RFC 4385) and an Ethernet frame.
 */
static enum res mpls(struct pctx *c, struct wire *w, size_t *wlen, int *budget)
{
	for (;;) {
		uint8_t b[4];
		if (--*budget < 0)
			return R_BAD;
		if (!wire_get_bytes(w, b, 4))
			return R_TRUNC;
		*wlen -= 4;
		if (b[2] & 0x01)
			break;
	}
	if (wire_left(w) < 1)
		return R_TRUNC;
	uint8_t v = w->p[0] >> 4;
	if (v == 4 || v == 6)
		return ip_any(c, w, *wlen, NX_RAW);
	if (v != 0)
		return R_NONIP;
	uint16_t type;
	if (!take(w, wlen, 4 + 12))        /* control word, MAC addresses */
		return R_TRUNC;
	if (!wire_get_u16(w, &type))
		return R_TRUNC;
	*wlen -= 2;
	return ethertype_chain(c, w, wlen, type);
}

/* ppp_proto - PPP protocol field, after optional ff 03 (RFC 1661/1662) */
static int ppp_proto(struct wire *w, size_t *wlen)
{
	uint8_t b0, b1;
	if (wire_left(w) >= 2 && w->p[0] == 0xff && w->p[1] == 0x03)
		take(w, wlen, 2);
	if (!wire_get_u8(w, &b0))
		return NX_OTHER - 1;
	*wlen -= 1;
	uint16_t proto = b0;
	if (!(b0 & 1)) {       /* not compressed: two bytes */
		if (!wire_get_u8(w, &b1))
			return NX_OTHER - 1;
		*wlen -= 1;
		proto = (uint16_t)(b0 << 8 | b1);
	}
	return proto == 0x0021 ? NX_IP4 : proto == 0x0057 ? NX_IP6 : NX_OTHER;
}

/* after_ppp - dispatch on ppp_proto()'s answer */
static enum res after_ppp(struct pctx *c, struct wire *w, size_t *wlen)
{
	int nx = ppp_proto(w, wlen);
	if (nx == NX_OTHER - 1)
		return R_TRUNC;
	return ip_any(c, w, *wlen, nx);
}

/*
 * ethertype_chain - what follows an EtherType: 802.1Q/802.1ad/QinQ tags
 * (TCI(2) type(2)), MPLS, PPPoE session (ver/type code session(2)
 * length(2), then PPP), 802.3 length + LLC/SNAP (aa aa 03 OUI(3) type(2)).
 */
static enum res ethertype_chain(struct pctx *c, struct wire *w, size_t *wlen,
				uint16_t type)
{
	int budget = PARSE_MAX_TAGS;
	for (;;) {
		if (--budget < 0)
			return R_BAD;
		switch (type) {
		case NX_IP4:
		case NX_IP6:
			return ip_any(c, w, *wlen, type);
		case ETH_VLAN:
		case ETH_QINQ:
		case ETH_QINQ_OLD1:
		case ETH_QINQ_OLD2:
			if (!take(w, wlen, 2) || !wire_get_u16(w, &type))
				return R_TRUNC;
			*wlen -= 2;
			continue;
		case ETH_MPLS_UC:
		case ETH_MPLS_MC:
			return mpls(c, w, wlen, &budget);
		case ETH_PPPOE_S:
			if (!take(w, wlen, 6))
				return R_TRUNC;
			return after_ppp(c, w, wlen);
		default:
			break;
		}
		if (type > 1500)
			return R_NONIP;
		/* 802.3 length field: LLC/SNAP carries the EtherType */
		uint8_t llc[6];
		struct wire peek = *w;
		if (!wire_get_bytes(&peek, llc, 3))
			return R_TRUNC;
		if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03)
			return R_NONIP;
		if (!take(w, wlen, 6) || !wire_get_u16(w, &type))
			return R_TRUNC;
		*wlen -= 2;
	}
}

/* ethernet - DIX / 802.3 header: dst(6) src(6) type-or-length(2) */
static enum res ethernet(struct pctx *c, struct wire *w, size_t *wlen)
{
	uint16_t type;
	if (!take(w, wlen, 12) || !wire_get_u16(w, &type))
		return R_TRUNC;
	*wlen -= 2;
	return ethertype_chain(c, w, wlen, type);
}

/* chdlc - Cisco HDLC: address(1: 0x0f/0x8f) control(1) protocol(2) */
static enum res chdlc(struct pctx *c, struct wire *w, size_t *wlen)
{
	uint16_t type;
	if (!take(w, wlen, 2) || !wire_get_u16(w, &type))
		return R_TRUNC;
	*wlen -= 2;
	return ethertype_chain(c, w, wlen, type);
}

/* null_loop - BSD loopback: a 4-byte address family, either byte order */
static enum res null_loop(struct pctx *c, struct wire *w, size_t *wlen)
{
	uint32_t af;
	if (!wire_get_u32le(w, &af))
		return R_TRUNC;
	*wlen -= 4;
	if (af > 0xffff)   /* written big-endian (DLT_LOOP, or BE host) */
		af = (af >> 24) | ((af >> 8) & 0xff00);
	if (af == 2)
		return ip_any(c, w, *wlen, NX_IP4);
	if (af == 24 || af == 28 || af == 30)   /* BSDs', macOS's AF_INET6 */
		return ip_any(c, w, *wlen, NX_IP6);
	return R_NONIP;
}

/*
 * nflog - Linux NFLOG (DLT 239): family(1) version(1) resource(2), then
 * TLVs length(2) type(2) in host byte order, length including the 4-byte
 * head, padded to 4; type 9 (NFULA_PAYLOAD) holds the IP packet.
 */
static enum res nflog(struct pctx *c, struct wire *w, size_t *wlen)
{
	if (!take(w, wlen, 4))
		return R_TRUNC;
	for (int i = 0; i < 64; i++) {
		uint16_t len, type;
		if (!get_u16_host(w, &len) || !get_u16_host(w, &type))
			return R_TRUNC;
		*wlen -= 4;
		if (len < 4)
			return R_BAD;
		size_t vlen = (size_t)len - 4;
		if (vlen > *wlen)
			return R_BAD;
		if (type == 9) {
			struct wire sub = *w;
			if (wire_left(&sub) > vlen)
				sub.end = sub.p + vlen;
			return ip_any(c, &sub, vlen, NX_RAW);
		}
		size_t adv = ((size_t)len + 3) / 4 * 4 - 4;
		if (adv > *wlen)
			adv = *wlen;
		if (!take(w, wlen, adv))
			return R_TRUNC;
	}
	return R_BAD;
}

/*
 * ieee80211 - an 802.11 frame: frame control(2, LE) duration(2) addr1-3
 * seq(2) [addr4 when ToDS and FromDS] [QoS(2)] [HT control(4) when QoS
 * and Order], padded to 4 when radiotap says so; then LLC/SNAP.
 */
static enum res ieee80211(struct pctx *c, struct wire *w, size_t *wlen, bool datapad)
{
	if (wire_left(w) < 2)
		return R_TRUNC;
	uint8_t fc0 = w->p[0], fc1 = w->p[1];
	unsigned type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
	if (type != 2 || (subtype & 0x4))
		return R_NONIP;        /* not a data frame, or no body */
	if (fc1 & 0x40)
		return R_NONIP;        /* protected: cannot see inside */
	size_t hl = 24;
	if ((fc1 & 3) == 3)
		hl += 6;
	if (subtype & 0x8) {
		if (wire_left(w) < hl + 2)
			return R_TRUNC;
		if (w->p[hl] & 0x80)
			return R_NONIP;    /* A-MSDU aggregate */
		hl += 2;
		if (fc1 & 0x80)
			hl += 4;
	}
	if (datapad)
		hl = (hl + 3) & ~(size_t)3;
	if (!take(w, wlen, hl))
		return R_TRUNC;
	uint8_t llc[3];
	struct wire peek = *w;
	if (!wire_get_bytes(&peek, llc, 3))
		return R_TRUNC;
	if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03)
		return R_NONIP;
	uint16_t et;
	if (!take(w, wlen, 6) || !wire_get_u16(w, &et))
		return R_TRUNC;
	*wlen -= 2;
	return ethertype_chain(c, w, wlen, et);
}

/*
 * radiotap - version(1) pad(1) length(2, LE) present(4, LE)...; the Flags
 * field (present bit 1) follows the 8-byte, 8-aligned TSFT (bit 0).  Flags
 * 0x20 = 802.11 header padded to 32 bits.
 */
static enum res radiotap(struct pctx *c, struct wire *w, size_t *wlen)
{
	if (wire_left(w) < 8)
		return R_TRUNC;
	const uint8_t *h = w->p;
	size_t rlen = le16(h + 2);
	if (h[0] != 0 || rlen < 8)
		return R_BAD;
	if (wire_left(w) < rlen)
		return R_TRUNC;
	uint32_t present0 = (uint32_t)h[4] | (uint32_t)h[5] << 8 |
			    (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
	size_t off = 4;
	for (uint32_t pw = present0; pw & 0x80000000u;) {
		off += 4;
		if (off + 4 > rlen)
			return R_BAD;
		pw = (uint32_t)h[off] | (uint32_t)h[off + 1] << 8 |
		     (uint32_t)h[off + 2] << 16 | (uint32_t)h[off + 3] << 24;
	}
	off += 4;
	bool datapad = false;
	if (present0 & 1)
		off = ((off + 7) & ~(size_t)7) + 8;
	if (present0 & 2) {
		if (off >= rlen)
			return R_BAD;
		datapad = h[off] & 0x20;
	}
	take(w, wlen, rlen);
	return ieee80211(c, w, wlen, datapad);
}

/*
 * arcnet_linux - DLT_ARCNET_LINUX: src(1) dst(1) offset(2) type(1), then
 * for RFC 1201 types split flag(1) sequence(2) (flag 0xff: exception
 * packet, 4 more bytes); RFC 1051 types (240 IP, 241 ARP, 128 diagnose)
 * have the 5-byte header only.
 */
static enum res arcnet_linux(struct pctx *c, struct wire *w, size_t *wlen)
{
	uint8_t type, flag;
	if (!take(w, wlen, 4) || !wire_get_u8(w, &type))
		return R_TRUNC;
	*wlen -= 1;
	if (type != 240 && type != 241 && type != 128) {
		if (!wire_get_u8(w, &flag))
			return R_TRUNC;
		*wlen -= 1;
		if (flag == 0xff) {
			if (!take(w, wlen, 4) || !wire_get_u8(w, &flag))
				return R_TRUNC;
			*wlen -= 1;
		}
		if (!take(w, wlen, 2))
			return R_TRUNC;
		if (flag != 0 && (type == 212 || type == 196))
			return R_FRAG;     /* RFC 1201 split packet */
	}
	if (type == 240 || type == 212)
		return ip_any(c, w, *wlen, NX_IP4);
	if (type == 196)
		return ip_any(c, w, *wlen, NX_IP6);
	return R_NONIP;
}

/* link - the link layer of dlt, then everything above it */
static enum res link_decode(struct pctx *c, int dlt, struct wire *w, size_t *wlen)
{
	uint16_t type;
	switch (dlt) {
	case DLT_EN10MB:
		return ethernet(c, w, wlen);
	case 12:                /* DLT_RAW (most systems) */
	case 14:                /* DLT_RAW (BSD/OS, OpenBSD) */
	case 101:               /* LINKTYPE_RAW */
		return ip_any(c, w, *wlen, NX_RAW);
	case DLT_IPV4:
		return ip_any(c, w, *wlen, NX_IP4);
	case DLT_IPV6:
		return ip_any(c, w, *wlen, NX_IP6);
	case DLT_NULL:
	case 108:               /* DLT_LOOP */
		return null_loop(c, w, wlen);
	case DLT_LINUX_SLL:     /* pkttype(2) hatype(2) halen(2) addr(8) proto(2) */
		if (!take(w, wlen, 14) || !wire_get_u16(w, &type))
			return R_TRUNC;
		*wlen -= 2;
		return ethertype_chain(c, w, wlen, type);
	case DLT_LINUX_SLL2:    /* proto(2) rsvd(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8) */
		if (!wire_get_u16(w, &type) || !take(w, wlen, 18))
			return R_TRUNC;
		*wlen -= 2;
		return ethertype_chain(c, w, wlen, type);
	case DLT_PPP:
		return after_ppp(c, w, wlen);
	case DLT_PPP_WITH_DIR:  /* direction(1), then PPP */
		if (!take(w, wlen, 1))
			return R_TRUNC;
		return after_ppp(c, w, wlen);
	case DLT_PPP_SERIAL:    /* LINKTYPE_PPP_HDLC: PPP in HDLC framing, or Cisco HDLC */
		if (wire_left(w) < 1)
			return R_TRUNC;
		if (w->p[0] == 0x0f || w->p[0] == 0x8f)
			return chdlc(c, w, wlen);
		return after_ppp(c, w, wlen);
	case DLT_C_HDLC:
		return chdlc(c, w, wlen);
	case DLT_C_HDLC_WITH_DIR:
		if (!take(w, wlen, 1))
			return R_TRUNC;
		return chdlc(c, w, wlen);
	case DLT_NFLOG:
		return nflog(c, w, wlen);
	case DLT_IPOIB:         /* 40 bytes of addresses, type(2), reserved(2) */
		if (!take(w, wlen, 40) || !wire_get_u16(w, &type) || !take(w, wlen, 2))
			return R_TRUNC;
		*wlen -= 2;
		return ethertype_chain(c, w, wlen, type);
	case DLT_IEEE802_11:
		return ieee80211(c, w, wlen, false);
	case DLT_IEEE802_11_RADIO:
		return radiotap(c, w, wlen);
	case DLT_ARCNET_LINUX:
		return arcnet_linux(c, w, wlen);
	default:
		return R_DLT;
	}
}

bool packet_dlt_supported(int dlt)
{
	/* an empty frame stops every decoder before it reads anything,
	 * with "truncated" -- except for link types it does not know */
	struct syn dummy;
	struct pctx c = { &dummy, -1 };
	struct wire w = wire_make("", 0);
	size_t wlen = 0;
	memset(&dummy, 0, sizeof(dummy));
	return link_decode(&c, dlt, &w, &wlen) != R_DLT;
}

const char *packet_dlt_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	return n ? n : "unknown";
}

int packet_parse(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
		 struct syn *out, struct pcapin_stats *st)
{
	size_t use = caplen < wirelen ? caplen : wirelen;
	struct wire w = wire_make(data, use);
	size_t wlen = wirelen;
	struct pctx c = { out, -1 };

	memset(out, 0, sizeof(*out));
	out->wscale = -1;
	out->linktype = dlt;
	enum res r = link_decode(&c, dlt, &w, &wlen);
	switch (r) {
	case R_SYN:
		st->syns++;
		if (out->tunnelled)
			st->tunnelled++;
		return 1;
	case R_NOTSYN:    st->not_syn++; break;
	case R_NONIP:     st->non_ip++; break;
	case R_TRUNC:     st->truncated++; break;
	case R_FRAG:      st->fragments++; break;
	case R_BAD:       st->bad++; break;
	case R_DLT:       st->unsupported_dlt++; break;
	}
	return 0;
}

static const char *const quirk_names[] = {
	"df", "id+", "id-", "ecn", "0+", "flow", "seq-", "ack+", "ack-",
	"uptr+", "urgf+", "pushf+", "ts1-", "ts2+", "opt+", "exws", "bad",
};

const char *packet_quirk_name(unsigned bit)
{
	return bit < sizeof(quirk_names) / sizeof(quirk_names[0]) ? quirk_names[bit] : NULL;
}

/* append - strlcat-like append of a formatted piece; never overflows */
static void append(char *buf, size_t len, size_t *at, const char *piece)
{
	size_t n = strlen(piece);
	if (*at + n + 1 > len)
		n = *at + 1 < len ? len - *at - 1 : 0;
	memcpy(buf + *at, piece, n);
	*at += n;
	buf[*at] = '\0';
}

char *packet_options_format(const uint8_t *olayout, unsigned nopts, unsigned eol_pad,
			    char *buf, size_t len)
{
	size_t at = 0;
	char piece[16];
	if (!len)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < nopts; i++) {
		if (i)
			append(buf, len, &at, ",");
		switch (olayout[i]) {
		case TCPOPT_EOL:
			snprintf(piece, sizeof(piece), "eol+%u", eol_pad);
			break;
		case TCPOPT_NOP: strcpy(piece, "nop"); break;
		case TCPOPT_MSS: strcpy(piece, "mss"); break;
		case TCPOPT_WS:  strcpy(piece, "ws"); break;
		case TCPOPT_SOK: strcpy(piece, "sok"); break;
		case TCPOPT_SACK: strcpy(piece, "sack"); break;
		case TCPOPT_TS:  strcpy(piece, "ts"); break;
		default:
			snprintf(piece, sizeof(piece), "?%u", olayout[i]);
			break;
		}
		append(buf, len, &at, piece);
	}
	return buf;
}

char *packet_olayout_format(const struct syn *s, char *buf, size_t len)
{
	unsigned n = s->nopts < SYN_MAX_OPTS ? s->nopts : SYN_MAX_OPTS;
	return packet_options_format(s->olayout, n, s->eol_pad, buf, len);
}

char *packet_quirks_format(uint32_t quirks, char *buf, size_t len)
{
	size_t at = 0;
	bool first = true;
	if (!len)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(quirk_names) / sizeof(quirk_names[0]); i++) {
		if (!(quirks & (1u << i)))
			continue;
		if (!first)
			append(buf, len, &at, ",");
		append(buf, len, &at, quirk_names[i]);
		first = false;
	}
	return buf;
}
