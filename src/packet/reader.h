/*
 * reader.h - pcap and pcapng files (plain or gzip'd, or stdin) -> SYN records.
 *
 * Reading is libpcap's (nanosecond precision requested); the file is fed to
 * it through zlib, so gzip'd and plain input look the same.  Each SYN comes
 * out of packet_parse() (packet/parse.h) with its time, the resolution the
 * file itself records (syn.ts_prec 6 or 9; in pcapng per interface) and
 * its 1-based packet number.  pcapng files whose interfaces differ in link
 * type or snapshot length (merged captures) are read too, each packet
 * with its own interface's link type.
 *
 * Ownership: struct pcapin owns its libpcap handle and the file; strings
 * returned by pcapin_error()/pcapin_path() live until pcapin_close().
 * Threads: one thread at a time reads a pcapin (its stdio stream takes no
 * lock); handing it to another thread needs a happens-before (a mutex,
 * pthread_create).
 */
#ifndef MX_READER_H
#define MX_READER_H

#include <stddef.h>
#include <stdint.h>

#include "packet/syn.h"

/* why frames were or were not SYN records; every packet counts once in
 * exactly one of syns..unsupported_dlt, tunnelled is a subset of syns */
struct pcapin_stats {
	uint64_t packets;         /* frames read */
	uint64_t syns;            /* TCP SYN without ACK returned */
	uint64_t not_syn;         /* IP, but not TCP or not a SYN (incl. SYN+ACK) */
	uint64_t non_ip;          /* link payload is not IPv4/IPv6 (ARP, ...) */
	uint64_t truncated;       /* cut short before the end of the TCP header */
	uint64_t fragments;       /* IP fragments without a whole TCP header */
	uint64_t bad;             /* malformed headers, lying lengths */
	uint64_t tunnelled;       /* SYNs found inside 6in4 / 4in6 / 6in6 */
	uint64_t unsupported_dlt; /* frames of a link type we do not decode */
};

struct pcapin;  /* one input file */

/* pcapin_open - open a pcap or pcapng file ("-" = stdin; gzip'd files and
 * gzip'd stdin too).  NULL on failure with "FILE: why" in err.  An
 * unsupported link type is an open error naming the link type (name and
 * number). */
struct pcapin *pcapin_open(const char *path, char *err, size_t errlen);

/* pcapin_next - next SYN into *out: 1 = record, 0 = clean end, -1 =
 * damaged/truncated file: pcapin_error() gives "FILE: packet N: what";
 * everything returned before stays valid.  After 0 or -1 it keeps
 * returning the same. */
int pcapin_next(struct pcapin *in, struct syn *out);

const char *pcapin_error(const struct pcapin *in);
const struct pcapin_stats *pcapin_get_stats(const struct pcapin *in);
const char *pcapin_path(const struct pcapin *in);
/* pcapin_offset - how far into its file the reading is, in the file's
 * bytes (a gzip'd file's compressed bytes), for progress */
uint64_t pcapin_offset(const struct pcapin *in);
/* pcapin_gzipped - whether the file is gzip'd */
bool pcapin_gzipped(const struct pcapin *in);
/* pcapin_dlt - the file's link type (libpcap DLT; for pcapng that of the
 * first interface, syn.linktype has each packet's) */
int pcapin_dlt(const struct pcapin *in);
/* pcapin_ts_prec - 6 (microsecond pcap) or 9 (nanosecond pcap); for
 * pcapng 6, and syn.ts_prec has each packet's interface resolution */
int pcapin_ts_prec(const struct pcapin *in);
/* pcapin_close - free everything; NULL is fine */
void pcapin_close(struct pcapin *in);

#endif
