/*
 * smtp_cmd.h - the command reader of the sensor's SMTP listener: framing
 * a client's bytes into command lines and naming the verb of each line.
 * No sockets, no state beyond the caller's buffer, so it can be tested
 * and fuzzed on its own (tests/fuzz/fuzz_smtp.c).
 */
#ifndef MX_SMTP_CMD_H
#define MX_SMTP_CMD_H

#include <stddef.h>

enum smtp_verb {
	SMTP_V_OTHER,    /* not a command we know: 502 */
	SMTP_V_EHLO,
	SMTP_V_HELO,
	SMTP_V_MAIL,
	SMTP_V_RCPT,
	SMTP_V_DATA,
	SMTP_V_RSET,
	SMTP_V_NOOP,
	SMTP_V_QUIT,
	SMTP_V_STARTTLS,
	SMTP_V_VRFY,
};

/* What smtp_line() found at the start of the buffer. */
enum {
	SMTP_LINE_MORE = 0,   /* no complete line yet, and there is room */
	SMTP_LINE_LONG = -1,  /* a line longer than max_line (with its LF) */
};

/* smtp_line - the first line of buf[0, len): when it ends in LF within
 * max_line bytes, NUL-terminate it in place (a CR before the LF removed,
 * NUL bytes in it replaced by '?'), point *line at it and return the bytes
 * it used (LF included, > 0); else SMTP_LINE_MORE or SMTP_LINE_LONG.
 * len may exceed max_line; only the first max_line bytes are looked at. */
long smtp_line(char *buf, size_t len, size_t max_line, char **line);

/* smtp_verb - the verb of a command line (case-insensitive, followed by
 * end, ' ' or ':'); *arg points past it and the spaces after it, and for
 * MAIL and RCPT past "FROM:" / "TO:" and the spaces after those too */
enum smtp_verb smtp_verb(const char *line, const char **arg);

/* smtp_printable - copy s into out (size n > 0) with every byte outside
 * printable ASCII as '?', cut to n - 1 bytes; returns the length */
size_t smtp_printable(const char *s, char *out, size_t n);

#endif
