/*
 * mtalog.h - read production MTA logs and report DNSBL rejections.
 *
 * The "spammer" labels of the method come from here: an IPv4 (or IPv6)
 * client that a production MTA rejected because a DNS block list listed
 * its address.  One reader handles one file (plain or gzip'd, or "-" for
 * stdin); its format (postfix, exim, sendmail, qmail, csv) is detected from
 * the first lines, and one parser per format turns lines into events.  The
 * line forms recognised and the year resolution of syslog time stamps are
 * described in docs/mtalogs.md.
 *
 * Log lines carry attacker-chosen text (HELO names, senders, recipients):
 * they are parsed like packets, never trusted, and a line that cannot be
 * parsed is counted, never fatal.
 */
#ifndef MX_MTALOG_H
#define MX_MTALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"

/* MTALOG_LINE_MAX - longer lines are skipped and counted in long_lines */
#define MTALOG_LINE_MAX 8192
/* MTALOG_JOURNAL_MAGIC - the first 8 bytes of a systemd journal file */
#define MTALOG_JOURNAL_MAGIC "LPKSHHRH"
/* MTALOG_DETECT_LINES - non-empty lines looked at to detect the format */
#define MTALOG_DETECT_LINES 200

enum mta_kind {
	MTA_DNSBL_REJECT,   /* rejected because a DNSBL lists the client address */
	MTA_DOMAIN_REJECT,  /* rejected by an RHSBL: a domain (HELO, sender,
	                       client name) is listed, not the address */
	MTA_OTHER_REJECT,   /* any other rejection: unknown user, relay denied,
	                       greylisting, protocol violations... */
	MTA_ACCEPT,         /* a message from the client was accepted */
	MTA_CONNECT,        /* the client connected */
};

struct mta_event {
	int64_t ts_ns;              /* UTC nanoseconds since the epoch */
	struct addr addr;           /* the SMTP client */
	enum mta_kind kind;
	char list[128];             /* DNSBL/RHSBL zone, e.g. zen.spamhaus.org;
	                               "" when the line does not name it */
	char reason[96];            /* reply text, printable ASCII, truncated */
	const char *format;         /* "postfix", "exim", "sendmail", "qmail",
	                               "csv": static storage */
	uint64_t line;              /* 1-based line number in the file */
};

struct mtalog_opts {
	int year;        /* year of traditional syslog stamps; 0 = resolve */
	int64_t ref_ns;  /* when the capture started, for year resolution;
	                    0 = now */
	int64_t ref_end_ns; /* with ref_ns, when the last capture file
	                    started: the year that puts a file's first line
	                    nearest to [ref_ns, ref_end_ns]; 0 = ref_ns alone:
	                    the latest year that puts it at most 31 days
	                    after ref_ns */
	int64_t now_ns;  /* when the logs are read: no line is from more
	                    than a day later; 0 = the clock */
	bool strict;     /* report each unparsed rejection-looking line */
};

struct mtalog_stats {
	uint64_t lines;            /* lines read, including skipped ones */
	uint64_t dnsbl;            /* MTA_DNSBL_REJECT events */
	uint64_t domain;           /* MTA_DOMAIN_REJECT events */
	uint64_t other_reject;     /* MTA_OTHER_REJECT events */
	uint64_t accept;           /* MTA_ACCEPT events */
	uint64_t connect;          /* MTA_CONNECT events */
	uint64_t allowlisted;      /* dnsblog hits on allow lists (no event) */
	uint64_t unparsed_reject;  /* looks like a rejection, cannot be parsed */
	uint64_t long_lines;       /* longer than MTALOG_LINE_MAX, skipped */
};

struct mtalog;

/*
 * mtalog_open - open path ("-" = stdin), plain or gzip'd, and detect its
 * format.  Returns NULL with a message "FILE: why" in err when the file
 * cannot be read or its format is not recognised.  A file without any
 * non-blank line opens fine and yields no events (format "empty").
 * o may be NULL (all defaults).  The reader owns its copy of path.
 */
struct mtalog *mtalog_open(const char *path, const struct mtalog_opts *o,
                           char *err, size_t errlen);
/*
 * mtalog_next - the next event: 1 stored in *ev, 0 end of file, -1 I/O or
 * decompression error (reported once on stderr).  With opts.strict, each
 * unparsed rejection-looking line is reported as "mxsensor: FILE:LINE: why".
 */
int mtalog_next(struct mtalog *m, struct mta_event *ev);
/* mtalog_get_stats - counters so far; valid until mtalog_close */
const struct mtalog_stats *mtalog_get_stats(const struct mtalog *m);
/* mtalog_format - detected format name, "postfix+exim" when a file holds
 * several MTAs' lines; valid until mtalog_close */
const char *mtalog_format(const struct mtalog *m);
/* mtalog_journal_kind - "json" for a systemd journal export (journalctl
 * -o json), "file" for a journal file (*.journal), NULL for a text log */
const char *mtalog_journal_kind(const struct mtalog *m);
/* mtalog_kind_name - "dnsbl", "domain", "reject", "accept", "connect" */
const char *mtalog_kind_name(enum mta_kind k);
/* mtalog_parse_time - RFC 3339 / ISO 8601 (no zone = UTC) or epoch
 * seconds with an optional fraction, as UTC ns; 0 or -1 */
int mtalog_parse_time(const char *s, int64_t *ns);
/* mtalog_close - close the file and free everything; NULL is fine */
void mtalog_close(struct mtalog *m);

#endif
