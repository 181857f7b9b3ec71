/*
 * fuzz_smtp.c - libFuzzer harness for the --smtp command reader: the
 * bytes are one client's stream, arriving in chunks whose sizes come from
 * the first byte into a buffer of max_line bytes (the second byte picks
 * it, as the listener's option does), framed by smtp_line(), named by
 * smtp_verb(), and written as the listener's JSON record of the value.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sensor/smtp_cmd.h"
#include "util/out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink && !(sink = fopen("/dev/null", "w")))
		return 0;
	if (size < 2)
		return 0;
	size_t step = (size_t)data[0] % 64 + 1;
	size_t max_line = (size_t)data[1] % 2 ? 512 : (size_t)data[1] % 64 + 1;
	char in[512];
	size_t inlen = 0, off = 2;
	while (off < size) {
		size_t room = max_line - inlen, n = size - off;
		if (n > step)
			n = step;
		if (n > room)
			n = room;
		memcpy(in + inlen, data + off, n);
		inlen += n;
		off += n;
		for (;;) {
			char *line;
			long used = smtp_line(in, inlen, max_line, &line);
			if (used == SMTP_LINE_LONG)
				return 0;     /* the listener hangs up */
			if (used == SMTP_LINE_MORE)
				break;
			if (used < 1 || (size_t)used > inlen || strlen(line) >= (size_t)used)
				__builtin_trap();
			const char *arg;
			enum smtp_verb v = smtp_verb(line, &arg);
			if (arg < line || arg > line + strlen(line) || v > SMTP_V_VRFY)
				__builtin_trap();
			char val[520];
			size_t vl = smtp_printable(arg, val, sizeof val);
			if (vl != strlen(val))
				__builtin_trap();
			for (size_t i = 0; i < vl; i++)
				if (val[i] < 0x20 || val[i] > 0x7e)
					__builtin_trap();
			static const char *const names[] = { "event", "value" };
			static const bool isnum[] = { false, false };
			const char *vals[] = { "ehlo", val };
			out_row(sink, OUT_JSONL, 2, names, vals, isnum);
			memmove(in, in + used, inlen - (size_t)used);
			inlen -= (size_t)used;
		}
	}
	return 0;
}
