/*
 * pcapw.h - rotating capture files that no reader ever sees half-written.
 *
 * Each file is written as ".NAME.tmp" in its directory and renamed to NAME
 * only once it is complete (flushed and fsync'd), so a reader that globs
 * "*.pcap" sees whole files only.  NAME is the strftime(3) pattern expanded
 * in UTC at the time the file is opened (".1", ".2", ... go before the
 * extension when a name is taken).  A file is opened at the first packet
 * after the previous one closed, and closed when it reaches the size limit,
 * when its time slot ends (slots are multiples of rotate_ns since the
 * epoch), on pcapw_rotate() and on pcapw_close().
 *
 * Formats: pcap (written by libpcap's pcap_dump, nanosecond timestamps; all
 * interfaces must share one link type) and pcapng (written here, since
 * libpcap cannot write it: one Interface Description Block per interface,
 * with its own link type, name and nanosecond resolution).
 *
 * Ownership: struct pcapw copies the pattern and interface names.
 */
#ifndef MX_PCAPW_H
#define MX_PCAPW_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

enum pcapw_format { PCAPW_PCAP, PCAPW_PCAPNG };

struct pcapw_iface {
	const char *name;   /* interface name ("any", "eth0") */
	int dlt;            /* libpcap link type */
	int snaplen;
};

struct pcapw_cfg {
	const char *pattern;          /* strftime pattern of the file names */
	enum pcapw_format format;
	uint64_t rotate_size;         /* bytes; 0 = no size limit */
	int64_t rotate_ns;            /* slot length; 0 = no time rotation */
	const struct pcapw_iface *ifaces;
	int n_ifaces;
};

struct pcapw_stats {
	uint64_t files;     /* files completed (renamed to their name) */
	uint64_t packets;   /* packets written */
	uint64_t bytes;     /* bytes written, headers included */
};

struct pcapw;

/* pcapw_new - a writer; NULL with a message in err (e.g. pcap format with
 * interfaces of different link types).  Nothing is opened yet. */
struct pcapw *pcapw_new(const struct pcapw_cfg *cfg, char *err, size_t errlen);

/* pcapw_write - one packet of interface ifidx (index into cfg.ifaces);
 * h->ts is seconds and NANOseconds.  Opens a file when none is open,
 * rotates by size after writing.  0, or -1 with pcapw_error(). */
int pcapw_write(struct pcapw *w, int ifidx, const struct pcap_pkthdr *h,
		const uint8_t *data);

/* pcapw_tick - close the open file when its time slot ended by now_ns;
 * 0 or -1 */
int pcapw_tick(struct pcapw *w, int64_t now_ns);

/* pcapw_rotate - complete the open file now (SIGHUP); 0 or -1 */
int pcapw_rotate(struct pcapw *w);

/* pcapw_flush - push buffered packets to the temporary file; 0, or -1
 * with pcapw_error() (e.g. the disk is full) */
int pcapw_flush(struct pcapw *w);

/* pcapw_current - name of the file being written (final name), or NULL */
const char *pcapw_current(const struct pcapw *w);

/* pcapw_name - expand the pattern for time t_ns into buf (UTC); 0, or -1
 * when the result is empty or longer than len */
int pcapw_name(const char *pattern, int64_t t_ns, char *buf, size_t len);

/* pcapw_recover - the temporary files a capture that did not stop left
 * (killed, crashed, power lost) where the pattern puts files at now_ns:
 * each ".NAME.tmp" whose NAME begins and ends as the pattern's file names
 * do, and that libpcap reads as a capture, is cut after its last whole
 * packet, fsync'd and renamed to NAME (".1", ... when NAME is taken), as
 * if it had been completed; one with no whole packet is removed.  Says
 * what it did of each; a file it cannot read or rename stays, with a
 * warning.  The number of files kept. */
int pcapw_recover(const char *pattern, int64_t now_ns);

/* pcapw_format_for - pcapng when the pattern ends in ".pcapng", else pcap */
enum pcapw_format pcapw_format_for(const char *pattern);

const struct pcapw_stats *pcapw_get_stats(const struct pcapw *w);
const char *pcapw_error(const struct pcapw *w);

/* pcapw_close - complete the open file and free; 0, or -1 when completing
 * failed (the message was logged).  NULL is fine. */
int pcapw_close(struct pcapw *w);

#endif
