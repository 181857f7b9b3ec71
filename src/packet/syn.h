/*
 * syn.h - the SYN record: everything mxsensor keeps of one TCP SYN.
 *
 * Filled by packet_parse() (packet/parse.h) from untrusted bytes, consumed
 * by fingerprinting, attempt grouping and the `syns` output.  Plain data:
 * copy freely.  Field meanings follow DESIGN.md "SYN record" and p0f v3.
 */
#ifndef MX_SYN_H
#define MX_SYN_H

#include <stdbool.h>
#include <stdint.h>

#include "addr/addr.h"

/* TCP option kinds as recorded in syn.olayout (p0f's olayout names) */
enum {
	TCPOPT_EOL = 0,     /* "eol+N": N = syn.eol_pad bytes after it */
	TCPOPT_NOP = 1,     /* "nop" */
	TCPOPT_MSS = 2,     /* "mss" */
	TCPOPT_WS = 3,      /* "ws" */
	TCPOPT_SOK = 4,     /* "sok" (SACK permitted) */
	TCPOPT_SACK = 5,    /* "sack" */
	TCPOPT_TS = 8,      /* "ts" */
	/* any other kind K is recorded as K and printed "?K" */
};

#define SYN_MAX_OPTS 40     /* at most 40 option bytes, so at most 40 options */

/* p0f quirks, one bit each (p0f v3 README, "quirks") */
#define SYN_Q_DF      (1u << 0)   /* "df":     IPv4 don't-fragment set */
#define SYN_Q_NZ_ID   (1u << 1)   /* "id+":    DF set but IP ID non-zero */
#define SYN_Q_ZERO_ID (1u << 2)   /* "id-":    DF clear but IP ID zero */
#define SYN_Q_ECN     (1u << 3)   /* "ecn":    explicit congestion notification */
#define SYN_Q_NZ_MBZ  (1u << 4)   /* "0+":     must-be-zero field not zero */
#define SYN_Q_FLOW    (1u << 5)   /* "flow":   IPv6 flow label non-zero */
#define SYN_Q_ZERO_SEQ (1u << 6)  /* "seq-":   sequence number zero */
#define SYN_Q_NZ_ACK  (1u << 7)   /* "ack+":   ACK number non-zero, ACK flag clear */
#define SYN_Q_ZERO_ACK (1u << 8)  /* "ack-":   ACK number zero, ACK flag set (never on a SYN we keep) */
#define SYN_Q_NZ_URG  (1u << 9)   /* "uptr+":  urgent pointer non-zero, URG clear */
#define SYN_Q_URG     (1u << 10)  /* "urgf+":  URG flag set */
#define SYN_Q_PUSH    (1u << 11)  /* "pushf+": PUSH flag set */
#define SYN_Q_OPT_ZERO_TS1 (1u << 12) /* "ts1-": own timestamp zero */
#define SYN_Q_OPT_NZ_TS2 (1u << 13)   /* "ts2+": peer timestamp non-zero on a SYN */
#define SYN_Q_OPT_EOL_NZ (1u << 14)   /* "opt+": non-zero data past EOL */
#define SYN_Q_OPT_EXWS (1u << 15)     /* "exws": window scale > 14 */
#define SYN_Q_OPT_BAD (1u << 16)      /* "bad":  malformed options */

struct syn {
	int64_t ts_ns;          /* capture time, ns since the epoch */
	uint8_t ts_prec;        /* 6 = file gives microseconds, 9 = nanoseconds */
	uint8_t ipver;          /* 4 or 6 (of the header carrying the TCP) */
	bool tunnelled;         /* inner packet of 6in4 / 4in6 */
	struct addr src, dst;
	uint16_t sport, dport;
	uint8_t ttl;            /* TTL or hop limit */
	uint8_t tos;            /* TOS / traffic class (with ECN bits) */
	uint32_t flow;          /* IPv6 flow label (20 bits); 0 for IPv4 */
	uint16_t ipid;          /* IPv4 identification; 0 for IPv6 */
	bool df;                /* IPv4 don't-fragment */
	uint8_t ip_olen;        /* IPv4 options length in bytes; IPv6: 0 */
	uint32_t seq, ack;
	uint8_t tcp_flags;      /* TCP flags byte (CWR..FIN) */
	uint8_t tcp_hlen;       /* TCP header length in bytes (data offset * 4) */
	uint16_t win;           /* TCP window (unscaled) */
	uint16_t urg;           /* urgent pointer */
	uint8_t nopts;          /* entries in olayout */
	uint8_t olayout[SYN_MAX_OPTS]; /* option kinds in wire order */
	uint8_t eol_pad;        /* bytes after EOL, for "eol+N" */
	uint16_t mss;           /* 0 = absent (see has_mss) */
	bool has_mss;           /* a whole MSS option was seen (mss may be 0) */
	int16_t wscale;         /* -1 = absent */
	bool sackok;
	bool has_ts;
	uint32_t tsval, tsecr;
	uint32_t quirks;        /* SYN_Q_* */
	uint32_t payload_len;   /* TCP payload bytes (p0f pclass: 0 or +) */
	uint64_t pkt_no;        /* 1-based packet number in its file */
	int linktype;           /* DLT of the packet */
};

#endif
