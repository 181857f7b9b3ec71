/*
 * smtp_cmd.c - framing and verbs of SMTP command lines (see smtp_cmd.h).
 *
 * Trusts nothing: a line is only looked for within max_line bytes, a verb
 * must be followed by end, ' ' or ':' ("MAILX" is not MAIL), and every
 * byte a record will carry is cut to printable ASCII.
 */
#include "sensor/smtp_cmd.h"

#include <string.h>
#include <strings.h>

long smtp_line(char *buf, size_t len, size_t max_line, char **line)
{
	size_t look = len < max_line ? len : max_line;
	char *nl = memchr(buf, '\n', look);
	if (!nl)
		return len >= max_line ? SMTP_LINE_LONG : SMTP_LINE_MORE;
	size_t n = (size_t)(nl - buf);
	*nl = '\0';
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '?';
	*line = buf;
	return (long)(nl - buf) + 1;
}

/* word - line starts with w followed by end, ' ' or ':'; the argument */
static const char *word(const char *line, const char *w)
{
	size_t n = strlen(w);
	if (strncasecmp(line, w, n))
		return NULL;
	if (line[n] && line[n] != ' ' && line[n] != ':')
		return NULL;
	const char *arg = line + n;
	while (*arg == ' ')
		arg++;
	return arg;
}

/* after - skip an optional case-insensitive prefix and the spaces after */
static const char *after(const char *arg, const char *pfx)
{
	size_t n = strlen(pfx);
	if (!strncasecmp(arg, pfx, n))
		arg += n;
	while (*arg == ' ')
		arg++;
	return arg;
}

enum smtp_verb smtp_verb(const char *line, const char **arg)
{
	static const struct {
		const char *w;
		enum smtp_verb v;
	} verbs[] = {
		{ "EHLO", SMTP_V_EHLO }, { "HELO", SMTP_V_HELO }, { "MAIL", SMTP_V_MAIL },
		{ "RCPT", SMTP_V_RCPT }, { "DATA", SMTP_V_DATA }, { "RSET", SMTP_V_RSET },
		{ "NOOP", SMTP_V_NOOP }, { "QUIT", SMTP_V_QUIT },
		{ "STARTTLS", SMTP_V_STARTTLS }, { "VRFY", SMTP_V_VRFY },
	};
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		const char *a = word(line, verbs[i].w);
		if (!a)
			continue;
		if (verbs[i].v == SMTP_V_MAIL)
			a = after(a, "FROM:");
		else if (verbs[i].v == SMTP_V_RCPT)
			a = after(a, "TO:");
		*arg = a;
		return verbs[i].v;
	}
	*arg = line + strlen(line);
	return SMTP_V_OTHER;
}

size_t smtp_printable(const char *s, char *out, size_t n)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		out[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[i] = '\0';
	return i;
}
