/* test_smtplog.c - sensor/smtplog.c: EHLO names of capture --smtp records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/assoc.h"
#include "sensor/smtplog.h"

static char path[64];

static void write_file(const char *text)
{
	snprintf(path, sizeof path, "/tmp/mxtest-smtplog-%d.jsonl", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_records(void **state)
{
	(void)state;
	write_file(
		"{\"time\":\"2026-01-01T00:00:00.000001Z\",\"event\":\"connect\",\"family\":6,"
		"\"src\":\"2001:db8::7\",\"sport\":50000,\"dst\":\"2001:db8:25::25\",\"dport\":25,\"value\":null}\n"
		"{\"time\":\"2026-01-01T00:00:00.1Z\",\"event\":\"ehlo\",\"family\":6,"
		"\"src\":\"2001:db8::7\",\"sport\":50000,\"dst\":\"2001:db8:25::25\",\"dport\":25,\"value\":\"bot.example\"}\n"
		"{\"time\":\"2026-01-01T00:00:01Z\",\"event\":\"helo\",\"family\":4,"
		"\"src\":\"198.51.100.7\",\"sport\":50004,\"dst\":\"192.0.2.25\",\"dport\":25,\"value\":\"BOT.example\"}\n"
		"not json at all\n"
		"{\"event\":\"ehlo\",\"src\":\"not-an-address\",\"sport\":1,\"value\":\"x\"}\n"
		"{\"event\":\"ehlo\",\"src\":\"198.51.100.8\",\"sport\":70000,\"value\":\"x\"}\n"
		"{\"event\":\"ehlo\",\"src\":\"198.51.100.9\",\"sport\":25000,\"value\":\"a\\u0001b c\"}\n"
		"{\"event\":\"ehlo\",\"src\":\"198.51.100.9\",\"sport\":25000");   /* cut short */
	struct smtplog *l = smtplog_new();
	assert_int_equal(smtplog_load(l, path), 0);
	struct addr a;
	addr_parse("2001:db8::7", &a);
	assert_string_equal(smtplog_ehlo(l, &a, 50000), "bot.example");
	assert_null(smtplog_ehlo(l, &a, 50001));
	addr_parse("198.51.100.7", &a);
	assert_string_equal(smtplog_ehlo(l, &a, 50004), "BOT.example");
	addr_parse("198.51.100.9", &a);
	assert_string_equal(smtplog_ehlo(l, &a, 25000), "a?b?c");   /* printable only */
	assert_int_equal(smtplog_count(l), 3);
	assert_int_equal(smtplog_bad(l), 4);
	smtplog_free(l);
	unlink(path);
	l = smtplog_new();
	assert_int_equal(smtplog_load(l, "/nonexistent/smtp.jsonl"), -1);
	smtplog_free(l);
}

static void test_evidence(void **state)
{
	(void)state;
	struct assoc_params p;
	assoc_params_default(&p);
	struct attempt a6, a4;
	memset(&a6, 0, sizeof a6);
	memset(&a4, 0, sizeof a4);
	addr_parse("2001:db8::7", &a6.src);
	addr_parse("198.51.100.7", &a4.src);
	a6.syns = a4.syns = 1;
	a6.wscale = a4.wscale = -1;
	struct assoc_cand c;
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_EHLO], 0);          /* no sessions: no say */
	a6.ehlo = "bot.example";
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_EHLO], 0);
	a4.ehlo = "BOT.EXAMPLE";
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_EHLO], 40);
	a4.ehlo = "other.example";
	assoc_score(&p, &a6, &a4, &c);
	assert_int_equal(c.ev[EV_EHLO], -20);
	assert_string_equal(assoc_ev_name(EV_EHLO), "ehlo");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_evidence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
