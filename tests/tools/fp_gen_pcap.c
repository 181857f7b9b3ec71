/*
 * fp_gen_pcap.c - write a pcap with TCP SYNs built from p0f signatures.
 *
 *   fp_gen_pcap [-f p0f.fp]... [-r rawsigs.txt] [-m manifest] [-n copies]
 *               [-x variants] [-s seed] OUT.pcap
 *
 * For every [tcp:request] signature of the databases (and every line of
 * rawsigs.txt that parses as a signature, e.g. raw_sig values p0f logged),
 * it writes Ethernet + IPv4 and/or IPv6 + TCP SYN frames to port 25 that
 * carry the signature's TTL (at distances 0, 1..35 and past p0f's limit),
 * IP options, MSS, window (resolving mss*N, mtu*N, %N and *), window scale,
 * option layout, quirks and payload class.  Each SYN has its own source
 * address and port.  -m writes "SPORT<TAB>FILE:LINE<TAB>SIG" per SYN so a
 * disagreement can be traced to its signature.  -n repeats the whole set
 * (with new addresses) to build large benchmark files.  -x adds that many
 * variants: a random signature of the database with its TTL, IP version,
 * quirks, MSS, window, scale, IP options and payload changed at random
 * (seeded by -s), to drive the fuzzy and no-match paths.
 *
 * Signatures that no real packet can carry (option bytes not a multiple of
 * four, 'ack-' on a SYN, 'bad') are written as close as possible and
 * counted on stderr.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fingerprint/fp.h"
#include "util/hash.h"

static pcap_dumper_t *dumper;
static FILE *manifest;
static unsigned long nsyn, nodd, serial;
static long long t_us = 1500000000LL * 1000000;

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* csum - Internet checksum over buf, starting from sum */
static uint32_t csum_add(uint32_t sum, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}
static unsigned csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* build_opts - TCP option bytes for the layout; returns length or -1 */
static int build_opts(const struct fp_sig *s, int mss, int ws, uint8_t *o, bool *odd)
{
	int n = 0, var = -1;    /* var: index of a stretchable option */
	for (int i = 0; i < s->nopts; i++) {
		uint8_t k = s->olayout[i];
		switch (k) {
		case TCPOPT_EOL:
			o[n++] = 0;
			for (int j = 0; j < s->eol_pad; j++)
				o[n++] = (s->quirks & SYN_Q_OPT_EOL_NZ) && j == s->eol_pad - 1 ? 1 : 0;
			break;
		case TCPOPT_NOP: o[n++] = 1; break;
		case TCPOPT_MSS: o[n++] = 2; o[n++] = 4; put16(o + n, (unsigned)mss); n += 2; break;
		case TCPOPT_WS: o[n++] = 3; o[n++] = 3; o[n++] = (uint8_t)ws; break;
		case TCPOPT_SOK: o[n++] = 4; o[n++] = 2; break;
		case TCPOPT_SACK:
			var = n;
			o[n++] = 5; o[n++] = 10;
			memset(o + n, 0x11, 8); n += 8;
			break;
		case TCPOPT_TS:
			o[n++] = 8; o[n++] = 10;
			put32(o + n, s->quirks & SYN_Q_OPT_ZERO_TS1 ? 0 : 0x01020304u + (uint32_t)serial);
			put32(o + n + 4, s->quirks & SYN_Q_OPT_NZ_TS2 ? 0x0a0b0c0du : 0);
			n += 8;
			break;
		default:
			var = n;
			o[n++] = k; o[n++] = 2;
			break;
		}
		if (n > 40)
			return -1;
	}
	/* stretch a variable-length option to reach a multiple of four */
	while (n % 4 && var >= 0 && o[var + 1] < (o[var] == 5 ? 34 : 40) && n < 40) {
		memmove(o + var + o[var + 1] + 1, o + var + o[var + 1], (size_t)(n - var - o[var + 1]));
		o[var + o[var + 1]] = 0x22;
		o[var + 1]++;
		n++;
	}
	if (n % 4) {
		*odd = true;
		while (n % 4)
			o[n++] = 0;     /* p0f will see extra EOL/bytes */
	}
	return n;
}

/* emit - one SYN for signature s at IP version ver and TTL ttl */
static void emit(const struct fp_sig *s, const char *where, const char *text, int ver, int ttl)
{
	uint8_t f[14 + 60 + 60 + 64];
	uint8_t opts[64];
	bool odd = false;
	serial++;
	int mss = s->mss >= 0 ? s->mss : (ver == 4 ? 1460 : 1440);
	int ws = s->wscale >= 0 ? s->wscale : 7;
	if (s->quirks & SYN_Q_OPT_EXWS && ws <= 14)
		ws = 15;
	long win;
	switch (s->win_type) {
	case FP_WIN_NORMAL: win = s->win; break;
	case FP_WIN_MOD: win = (long)s->win * 3 <= 65535 ? (long)s->win * 3 : s->win; break;
	case FP_WIN_MSS:
		if (s->mss < 0 && (long)mss * s->win > 65535)
			mss = (int)(65535 / s->win);
		win = (long)mss * s->win;
		break;
	case FP_WIN_MTU: {
		int hdr = ver == 4 ? 40 : 60;
		if (s->mss < 0 && (long)(mss + hdr) * s->win > 65535)
			mss = (int)(65535 / s->win) - hdr;
		win = (long)(mss + hdr) * s->win;
		break;
	}
	default: win = 29200 + (long)(serial % 7) * 1000; break;
	}
	if (win > 65535) {
		win = 65535;
		odd = true;
	}
	int olen = build_opts(s, mss, ws, opts, &odd);
	if (olen < 0) {
		nodd++;
		return;
	}
	int iolen = ver == 4 ? s->olen : 0;
	if (iolen % 4 || iolen > 40) {
		odd = true;
		iolen = iolen > 40 ? 40 : (iolen + 3) & ~3;
	}
	if (s->quirks & (SYN_Q_ZERO_ACK | SYN_Q_OPT_BAD))
		odd = true;
	int pay = s->pclass == 1 ? 12 : 0;
	int thl = 20 + olen, iphl = ver == 4 ? 20 + iolen : 40;
	int tot = iphl + thl + pay;

	memset(f, 0, sizeof f);
	uint8_t *eth = f, *ip = f + 14, *t = ip + iphl;
	memcpy(eth, "\x00\x00\x5e\x00\x53\x01\x02\x00\x00\x00\x00\x01", 12);
	put16(eth + 12, ver == 4 ? 0x0800 : 0x86dd);
	uint32_t a = (uint32_t)serial;
	if (ver == 4) {
		ip[0] = (uint8_t)(0x40 | iphl / 4);
		ip[1] = 0;
		put16(ip + 2, (unsigned)tot);
		bool df = s->quirks & SYN_Q_DF;
		unsigned id = 0;
		if (df)
			id = s->quirks & SYN_Q_NZ_ID ? 0x1234 + (unsigned)(serial % 1000) : 0;
		else
			id = s->quirks & SYN_Q_ZERO_ID ? 0 : 0x4321 + (unsigned)(serial % 1000);
		put16(ip + 4, id);
		put16(ip + 6, (df ? 0x4000u : 0) | (s->quirks & SYN_Q_NZ_MBZ ? 0x8000u : 0));
		ip[8] = (uint8_t)ttl;
		ip[9] = 6;
		ip[12] = 10; ip[13] = (uint8_t)(a >> 16); ip[14] = (uint8_t)(a >> 8); ip[15] = (uint8_t)a;
		ip[16] = 192; ip[17] = 0; ip[18] = 2; ip[19] = 25;
		memset(ip + 20, 1, (size_t)iolen);       /* IP NOP options */
		put16(ip + 10, csum_fold(csum_add(0, ip, (size_t)iphl)));
	} else {
		uint32_t vt = 6u << 28;
		if (s->quirks & SYN_Q_FLOW)
			vt |= 0x12345 + (uint32_t)(serial % 1000);
		put32(ip, vt);
		put16(ip + 4, (unsigned)(thl + pay));
		ip[6] = 6;
		ip[7] = (uint8_t)ttl;
		memcpy(ip + 8, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00", 12);
		put32(ip + 20, a);
		memcpy(ip + 24, "\x20\x01\x0d\xb8\x00\x00\x00\x25\x00\x00\x00\x00\x00\x00\x00\x25", 16);
	}
	unsigned sport = 1024 + (unsigned)(serial % 64000);
	put16(t, sport);
	put16(t + 2, 25);
	put32(t + 4, s->quirks & SYN_Q_ZERO_SEQ ? 0 : 0x10000000u + (uint32_t)serial * 7919u);
	/*
	 * p0f 3.09b reads 'ack+' from the low bit of the field's first byte
	 * (see fp_match.c); every other SYN carries a non-zero ACK it ignores
	 */
	put32(t + 8, s->quirks & SYN_Q_NZ_ACK ? (serial & 1 ? 0x02000001u : 0x01020304u) : 0);
	t[12] = (uint8_t)((thl / 4) << 4);
	uint8_t fl = 0x02;
	if (s->quirks & SYN_Q_ECN)
		fl |= 0xc0;
	if (s->quirks & SYN_Q_URG)
		fl |= 0x20;
	if (s->quirks & SYN_Q_PUSH)
		fl |= 0x08;
	t[13] = fl;
	put16(t + 14, (unsigned)win);
	put16(t + 18, s->quirks & (SYN_Q_NZ_URG | SYN_Q_URG) ? 0x0101 : 0);
	memcpy(t + 20, opts, (size_t)olen);
	memset(t + thl, 'x', (size_t)pay);
	/* TCP checksum over the pseudo-header */
	uint32_t sum = 0;
	if (ver == 4) {
		sum = csum_add(sum, ip + 12, 8);
		sum += 6 + (uint32_t)(thl + pay);
	} else {
		sum = csum_add(sum, ip + 8, 32);
		sum += 6 + (uint32_t)(thl + pay);
	}
	sum = csum_add(sum, t, (size_t)(thl + pay));
	put16(t + 16, csum_fold(sum));

	struct pcap_pkthdr h;
	t_us += 1000;
	h.ts.tv_sec = (time_t)(t_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(t_us % 1000000);
	h.caplen = h.len = (bpf_u_int32)(14 + tot);
	pcap_dump((u_char *)dumper, &h, f);
	nsyn++;
	if (odd)
		nodd++;
	if (manifest)
		fprintf(manifest, "%u\t%s\t%s\n", sport, where, text);
}

static uint64_t rng = 88172645463325252ULL;

/* rnd - xorshift64 in [0, n) */
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* emit_variant - one SYN from a signature with fields changed at random */
static void emit_variant(const struct fp_entry *e)
{
	static const uint32_t flip[] = {
		SYN_Q_DF, SYN_Q_NZ_ID, SYN_Q_ZERO_ID, SYN_Q_ECN, SYN_Q_FLOW,
		SYN_Q_ZERO_SEQ, SYN_Q_NZ_ACK, SYN_Q_PUSH, SYN_Q_OPT_ZERO_TS1,
		SYN_Q_OPT_NZ_TS2, SYN_Q_NZ_URG, SYN_Q_NZ_MBZ,
	};
	static const int msss[] = { 536, 1220, 1360, 1380, 1400, 1412, 1420, 1440, 1452, 1460, 8960, 16344, 65495 };
	struct fp_sig s = e->sig;
	int ver = s.ver == -1 || rnd(8) == 0 ? (rnd(2) ? 4 : 6) : s.ver;
	s.ver = (int8_t)ver;
	for (unsigned i = 0; i < sizeof flip / sizeof flip[0]; i++)
		if (rnd(6) == 0)
			s.quirks ^= flip[i];
	if (ver == 6)
		s.quirks &= ~(SYN_Q_DF | SYN_Q_NZ_ID | SYN_Q_ZERO_ID | SYN_Q_NZ_MBZ);
	else
		s.quirks &= ~SYN_Q_FLOW;
	if (!(s.quirks & SYN_Q_DF))
		s.quirks &= ~SYN_Q_NZ_ID;
	else
		s.quirks &= ~SYN_Q_ZERO_ID;
	if (s.mss < 0 || rnd(4) == 0)
		s.mss = msss[rnd(sizeof msss / sizeof msss[0])];
	switch (rnd(6)) {
	case 0: s.win_type = FP_WIN_NORMAL; s.win = (int32_t)rnd(65536); break;
	case 1: s.win_type = FP_WIN_MSS; s.win = 1 + (int32_t)rnd(45); break;
	case 2: s.win_type = FP_WIN_MTU; s.win = 1 + (int32_t)rnd(40); break;
	case 3: s.win_type = FP_WIN_NORMAL; s.win = (int32_t)(1448 * (1 + rnd(45))); break;
	default: break;
	}
	if (s.win_type == FP_WIN_NORMAL && s.win > 65535)
		s.win = 65535;
	if (s.wscale < 0 || rnd(4) == 0)
		s.wscale = (int16_t)rnd(15);
	if (rnd(10) == 0)
		s.olen = (uint8_t)(4 * rnd(3));
	if (s.pclass < 0 || rnd(10) == 0)
		s.pclass = (int8_t)(rnd(8) == 0);
	int ttl = rnd(3) ? s.ittl - (int)rnd(40) : 1 + (int)rnd(255);
	if (ttl < 1)
		ttl = 1;
	if (rnd(20) == 0)
		ttl = s.ittl + 1 + (int)rnd(10) > 255 ? 255 : s.ittl + 1 + (int)rnd(10);
	char where[512];
	snprintf(where, sizeof where, "variant of %s:%u", e->file, e->line);
	emit(&s, where, e->label, ver, ttl);
}

/* emit_sig - the SYNs for one signature: each allowed IP version, several TTLs */
static void emit_sig(const struct fp_sig *s, const char *where, const char *text, unsigned idx)
{
	for (int ver = 4; ver <= 6; ver += 2) {
		if (s->ver != -1 && s->ver != ver)
			continue;
		int near = 1 + (int)(idx % FP_MAX_DIST);
		int dists[] = { 0, near, FP_MAX_DIST + 5 };
		for (unsigned d = 0; d < 3; d++) {
			int ttl = s->ittl - dists[d];
			if (ttl < 1)
				continue;
			emit(s, where, text, ver, ttl);
		}
	}
}

int main(int argc, char **argv)
{
	const char *dbs[16], *raw = NULL, *man = NULL;
	size_t ndb = 0;
	long copies = 1, variants = 0;
	int c;
	while ((c = getopt(argc, argv, "f:r:m:n:x:s:")) != -1) {
		switch (c) {
		case 'f': if (ndb < 16) dbs[ndb++] = optarg; break;
		case 'r': raw = optarg; break;
		case 'm': man = optarg; break;
		case 'n': copies = strtol(optarg, NULL, 10); break;
		case 'x': variants = strtol(optarg, NULL, 10); break;
		case 's': rng = strtoull(optarg, NULL, 10) | 1; break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || copies < 1)
		goto usage;
	hash_seed_init();
	char *err = NULL;
	struct fpdb *db = fpdb_open(dbs, ndb, &err);
	if (!db)
		return fprintf(stderr, "fp_gen_pcap: %s\n", err), free(err), 2;
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
	dumper = pcap_dump_open(pd, argv[optind]);
	if (!dumper)
		return fprintf(stderr, "fp_gen_pcap: %s\n", pcap_geterr(pd)), 1;
	if (man && !(manifest = fopen(man, "w")))
		return perror(man), 1;

	for (long k = 0; k < copies; k++) {
		for (size_t i = 0; i < fpdb_count(db); i++) {
			const struct fp_entry *e = fpdb_entry(db, i);
			char where[512];
			snprintf(where, sizeof where, "%s:%u", e->file, e->line);
			emit_sig(&e->sig, where, e->label, (unsigned)i);
		}
		if (!raw)
			continue;
		FILE *rf = fopen(raw, "r");
		if (!rf)
			return perror(raw), 1;
		char line[1024];
		unsigned ln = 0;
		while (fgets(line, sizeof line, rf)) {
			ln++;
			line[strcspn(line, "\r\n")] = 0;
			struct fp_sig s;
			const char *why;
			if (fp_sig_parse(line, &s, &why) < 0)
				continue;
			char where[512];
			snprintf(where, sizeof where, "%s:%u", raw, ln);
			emit_sig(&s, where, line, ln);
		}
		fclose(rf);
	}
	for (long k = 0; k < variants && fpdb_count(db); k++)
		emit_variant(fpdb_entry(db, rnd((unsigned)fpdb_count(db))));
	pcap_dump_close(dumper);
	pcap_close(pd);
	if (manifest)
		fclose(manifest);
	fpdb_free(db);
	fprintf(stderr, "fp_gen_pcap: %lu SYNs (%lu from signatures no real packet can carry exactly)\n",
		nsyn, nodd);
	return 0;
usage:
	fprintf(stderr, "usage: fp_gen_pcap [-f p0f.fp]... [-r rawsigs] [-m manifest] [-n copies] [-x variants] [-s seed] OUT.pcap\n");
	return 2;
}
