/*
 * run.h - one analysis: captures + MTA logs -> attempts, associations,
 * labels in the store, in one streaming pass over time-ordered SYNs.
 *
 *   pcaps ──► time merge ──► port filter ──► attempts ──► association ──► store
 *   MTA logs ──────────────────────────────────────────► listings ──► labels
 *
 * Capture files are merged by time: each file's first SYN time is read
 * first, files are opened only when the merge reaches them (a year of
 * rotated files never holds more than the overlapping ones open), and
 * overlapping files interleave correctly.
 */
#ifndef MX_RUN_H
#define MX_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/assoc.h"
#include "analysis/decide.h"
#include "addr/addr.h"
#include "enrich/enrich.h"
#include "store/store.h"

struct analysis_opts {
	const char *const *pcaps;    /* files ("-" = stdin) */
	size_t npcaps;
	const char *const *logs;     /* MTA log files */
	size_t nlogs;
	uint16_t port;               /* sensor port (25) */
	const struct addr *sensor;   /* only SYNs to these addresses (none = any) */
	size_t nsensor;
	int64_t attempt_window_ns;   /* 25 s */
	int64_t listing_window_ns;   /* 0 = a listing counts whenever it was */
	struct assoc_params assoc;
	const char *const *smtp_logs; /* capture --smtp logs (EHLO names) */
	size_t nsmtp;
	const char *const *fp_dbs;   /* p0f.fp files (none: the default one) */
	size_t nfp;
	bool no_fp;                  /* do not fingerprint */
	bool no_lost;                /* do not store lost candidates (decider_keep_lost) */
	int year;                    /* syslog year, 0 = resolve */
	bool strict;                 /* report unparsed rejection lines */
	bool progress;               /* progress lines on stderr */
	const char *sensor_name;
	const char *argv;            /* the command line, stored with the run */
	volatile sig_atomic_t *stop; /* set by a signal: abort cleanly */
	const struct enrich_opts *enrich; /* ASN / PTR evidence; NULL = none */
};

struct analysis_summary {
	uint64_t packets, syns, syns_used, attempts[2], hosts[2];
	uint64_t log_lines, dnsbl_events, other_rejects, unparsed_rejects;
	uint64_t listed_v4, v6_associated, v6_assoc_unlisted, v6_unassociated;
	struct decide_stats decide;
	struct enrich_stats enrich;
	bool enriched;               /* enrichment ran */
	unsigned input_errors;       /* damaged captures or unreadable logs */
	bool interrupted;
	bool no_capture;             /* not one capture could be opened: nothing
				      * was stored, the previous results stay */
	uint64_t logs_opened;        /* MTA logs that could be opened */
	bool no_log;                 /* MTA logs given, not one could be opened:
				      * the same (every IPv4 host would have
				      * come out unlisted) */
};

/* analysis_run - the whole analysis into st; 0 ok (input_errors may be
 * non-zero: damaged inputs were read up to the damage), -1 failure */
int analysis_run(const struct analysis_opts *o, struct store *st,
		 struct analysis_summary *sum);

/* analysis_expand_inputs - PATH may be a file, a directory (its regular
 * files, sorted) or a glob pattern; appends to *list (owned strings) */
int analysis_expand_inputs(const char *path, char ***list, size_t *n, size_t *cap);
/* analysis_dedupe_inputs - a file named twice (a directory and a file in
 * it, a glob and a link) would be read twice: every SYN or log line
 * counted twice.  Each file is kept where it is first named, the later
 * names said (a warning) and dropped, freed */
void analysis_dedupe_inputs(char **list, size_t *n, const char *what);

#endif
