/*
 * parse.h - one captured frame -> one SYN record.
 *
 * packet_parse() decodes the link layer of the given DLT, then IPv4/IPv6
 * (with extension headers, 6in4/4in6/6in6 tunnels) and TCP, and fills a
 * struct syn (packet/syn.h) for a TCP SYN without ACK.  Everything it reads
 * is untrusted: every read is bounded by the captured length, malformed
 * TCP options become p0f quirks, and every frame that is not a SYN is
 * counted in struct pcapin_stats (packet/reader.h) under one reason.
 *
 * Lengths follow p0f's parse_packet(): usable = min(caplen, wirelen); the
 * IP total length / payload length shortens that when smaller (Ethernet
 * padding); an IP length larger than what was on the wire is a lie and the
 * frame is counted "bad".  A SYN whose TCP header (with options) was
 * captured is returned even when its payload was cut by the snaplen;
 * payload_len is then what the IP header declares.
 *
 * Quirks are p0f v3's (process.c), including its oddities: "ack+" is
 * p0f's `RD32(ack) & !(flags & RST)` as computed on a little-endian host
 * (the lowest bit of the first ACK byte on the wire, RST clear); option
 * parsing stops after 24 options ("bad"); the scan after EOL stops at the
 * first non-zero byte and flags "opt+" only when more bytes follow it.
 */
#ifndef MX_PARSE_H
#define MX_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet/reader.h"
#include "packet/syn.h"

/* PARSE_MAX_EXTHDR - IPv6 extension headers walked before giving up ("bad") */
#define PARSE_MAX_EXTHDR 16
/* PARSE_MAX_TAGS - VLAN tags / MPLS labels skipped before giving up ("bad") */
#define PARSE_MAX_TAGS 16
/* PARSE_MAX_TUNNEL - nested 6in4/4in6/6in6 levels followed */
#define PARSE_MAX_TUNNEL 4

/* packet_parse - one captured frame of link type dlt -> SYN record.
 * Returns 1 when the frame holds a TCP SYN (SYN set, ACK clear; any port),
 * 0 otherwise; never reads past caplen; counts why in *st (exactly one of
 * syns, not_syn, non_ip, truncated, fragments, bad, unsupported_dlt per
 * call, plus tunnelled for a SYN found inside a tunnel; st->packets is the
 * caller's).  On 1, *out is filled except ts_ns, ts_prec and pkt_no, which
 * are the caller's; on 0, *out is unspecified. */
int packet_parse(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
		 struct syn *out, struct pcapin_stats *st);

/* packet_dlt_supported - true when packet_parse() decodes this DLT */
bool packet_dlt_supported(int dlt);

/* packet_dlt_name - libpcap's name of a DLT ("EN10MB"), or "unknown";
 * a static string */
const char *packet_dlt_name(int dlt);

/* packet_olayout_format - p0f notation of the option layout
 * ("mss,nop,ws,nop,nop,sok", "eol+1", "?30") into buf; returns buf */
char *packet_olayout_format(const struct syn *s, char *buf, size_t len);

/* packet_options_format - the same for a layout held elsewhere (an
 * attempt, a fingerprint key): nopts kinds of olayout (TCPOPT_*), eol_pad
 * bytes after an EOL; truncated to fit len; returns buf */
char *packet_options_format(const uint8_t *olayout, unsigned nopts, unsigned eol_pad,
			    char *buf, size_t len);

/* packet_quirk_name - p0f's name of quirk bit (SYN_Q_*), NULL past the last */
const char *packet_quirk_name(unsigned bit);
/* packet_quirks_format - p0f notation of the quirks ("df,id+") into buf;
 * returns buf ("" when none) */
char *packet_quirks_format(uint32_t quirks, char *buf, size_t len);

#endif
