/*
 * log.h - the one logging module: levels, stderr or syslog, three error tiers.
 *
 *   die(...)        startup/configuration errors: print and exit(2)
 *   die_at(f,l,...) the same with "FILE:LINE: " in front (bad input files)
 *   error(...)      recoverable errors: print once, return -1
 *   warn(...), info(...), debug(...)
 *   BUG(...)        internal bug: print location and abort()
 *
 * Messages are "mxsensor: what" on stderr, or go to syslog after
 * log_use_syslog().  Text from outside never becomes a format string:
 * always pass it as an argument to "%s".
 */
#ifndef MX_LOG_H
#define MX_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>
#include <time.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* log_use_syslog - send messages to syslog(3) under ident "mxsensor" */
void log_use_syslog(int facility);

noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void die_at(const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_hold - until log_hold(NULL, 0), the first error on this thread goes
 * to buf (len bytes, without the "mxsensor: " prefix) and later ones
 * nowhere: for work split over threads, so that a failure they share is
 * said once (the caller prints what was held) */
void log_hold(char *buf, size_t len);
int error_at(const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

noreturn void bug_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)

/* progress_enabled - true when stderr is a terminal (progress lines wanted) */
int progress_enabled(void);

/* progress_set - whether progress_count and progress_note print (off
 * until a command turns them on, e.g. with progress_enabled()) */
void progress_set(int on);
/* progress_count - "mxsensor: WHAT: DONE of TOTAL (P %)" over the same
 * terminal line; the line ends when DONE reaches TOTAL.  Callers call it
 * every few hundred thousand items and at the last one. */
void progress_count(const char *what, unsigned long long done, unsigned long long total);
/* progress_note - one line saying what a long step is doing now */
void progress_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* struct progress_read - a read of rows that may take a while (a store
 * of 50M SYNs: 20 s to 2 min): one that has run a second says so once,
 * "mxsensor: WHAT (N rows so far)" (through progress_note: on a
 * terminal, when the command turned progress on) */
struct progress_read {
	const char *what;           /* kept, not copied */
	struct timespec t0;
	size_t rows;
	bool noted;
};
void progress_read_start(struct progress_read *p, const char *what);
/* progress_read_row - one row more (the clock is read every 2^18 rows) */
void progress_read_row(struct progress_read *p);
/* progress_read_secs - seconds since the start */
double progress_read_secs(const struct progress_read *p);

#endif
