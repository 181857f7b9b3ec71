/*
 * log.c - logging and error tiers (see log.h).
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

static enum log_level level = LOG_LVL_INFO;
static int to_syslog;

void log_set_level(enum log_level lvl) { level = lvl; }
enum log_level log_get_level(void) { return level; }

void log_use_syslog(int facility)
{
	openlog("mxsensor", LOG_PID | LOG_NDELAY, facility);
	to_syslog = 1;
}

static int progress_on;
/* a progress line waits for its end; the main thread opens it, any
 * thread's message (the store's writer, the logs reader) may end it */
static atomic_int progress_open;

/* log_hold's buffer on this thread (NULL: errors are printed) */
static _Thread_local char *held;
static _Thread_local size_t heldlen;

void log_hold(char *buf, size_t len)
{
	held = len ? buf : NULL;
	heldlen = len;
	if (held)
		held[0] = '\0';
}

static void vlog(enum log_level lvl, const char *file, unsigned long line,
		 const char *fmt, va_list ap)
{
	if (lvl > level)
		return;
	if (held && lvl == LOG_LVL_ERROR) {
		if (!held[0]) {
			char m[2048];
			vsnprintf(m, sizeof m, fmt, ap);
			if (file)
				snprintf(held, heldlen, "%s:%lu: %s", file, line, m);
			else
				snprintf(held, heldlen, "%s", m);
		}
		return;
	}
	if (!to_syslog && atomic_exchange(&progress_open, 0))
		fputc('\n', stderr);   /* a message never lands on a progress line */
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (to_syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
		if (file)
			syslog(prio[lvl], "%s:%lu: %s", file, line, msg);
		else
			syslog(prio[lvl], "%s", msg);
		return;
	}
	static const char *const tag[] = { "", "warning: ", "", "debug: " };
	if (file)
		fprintf(stderr, "mxsensor: %s:%lu: %s%s\n", file, line, tag[lvl], msg);
	else
		fprintf(stderr, "mxsensor: %s%s\n", tag[lvl], msg);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, NULL, 0, fmt, ap);
	va_end(ap);
	exit(2);
}

void die_at(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, file, line, fmt, ap);
	va_end(ap);
	exit(2);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, NULL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int error_at(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, NULL, 0, fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_INFO, NULL, 0, fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_DEBUG, NULL, 0, fmt, ap);
	va_end(ap);
}

void bug_at(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "mxsensor: BUG: %s:%d: %s\n", file, line, msg);
	abort();
}

int progress_enabled(void)
{
	return isatty(STDERR_FILENO);
}

void progress_set(int on) { progress_on = on; }

void progress_count(const char *what, unsigned long long done, unsigned long long total)
{
	if (!progress_on)
		return;
	fprintf(stderr, "\rmxsensor: %s: %llu of %llu (%.0f %%)%s", what, done, total,
		total ? 100.0 * (double)done / (double)total : 100.0, done >= total ? "\n" : "");
	atomic_store(&progress_open, done < total);
}

void progress_note(const char *fmt, ...)
{
	if (!progress_on)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs(atomic_exchange(&progress_open, 0) ? "\nmxsensor: " : "mxsensor: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void progress_read_start(struct progress_read *p, const char *what)
{
	*p = (struct progress_read){ .what = what };
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

double progress_read_secs(const struct progress_read *p)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - p->t0.tv_sec) + (double)(t.tv_nsec - p->t0.tv_nsec) / 1e9;
}

void progress_read_row(struct progress_read *p)
{
	if ((++p->rows & 0x3ffff) || p->noted || progress_read_secs(p) < 1.0)
		return;
	p->noted = true;
	progress_note("%s (%zu rows so far)", p->what, p->rows);
}
