/* test_dnsbl.c - defence/dnsbl: aggregation of listed prefixes, reversed
 * nibble and octet names, and the two output formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defence/dnsbl.h"

static struct prefix P(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p, true), 0);
	return p;
}

static void add(struct dnsbl_list *l, const char *s, const char *why)
{
	struct prefix p = P(s);
	dnsbl_add(l, &p, why);
}

static const char *fmt(const struct dnsbl_list *l, size_t i)
{
	static char buf[PREFIX_STRLEN];
	return prefix_format(&l->v[i].p, buf);
}

static void test_contained_dropped(void **state)
{
	(void)state;
	struct dnsbl_list l = { 0 };
	add(&l, "2001:db8:1:2::/64", "a");
	add(&l, "2001:db8:1:2::1/128", "a");
	add(&l, "2001:db8:1:2:ffff::7/128", "b");
	add(&l, "2001:db8:1:2:8000::/65", "a");
	add(&l, "2001:db8:1:3::5/128", "a");
	dnsbl_aggregate(&l);
	assert_int_equal(l.n, 2);
	assert_string_equal(fmt(&l, 0), "2001:db8:1:2::/64");
	assert_string_equal(fmt(&l, 1), "2001:db8:1:3::5/128");
	dnsbl_free(&l);
}

static void test_siblings_merged(void **state)
{
	(void)state;
	struct dnsbl_list l = { 0 };
	/* four adjacent /64s: one /62; a fifth /64 that is not adjacent stays */
	add(&l, "2001:db8:0:7::/64", "r");
	add(&l, "2001:db8:0:4::/64", "r");
	add(&l, "2001:db8:0:6::/64", "r");
	add(&l, "2001:db8:0:5::/64", "r");
	add(&l, "2001:db8:0:9::/64", "r");
	/* two adjacent /64s with different reasons are not merged */
	add(&l, "2001:db8:0:a::/64", "x");
	add(&l, "2001:db8:0:b::/64", "y");
	/* adjacent numerically but not siblings (3 and 4 differ above /63) */
	add(&l, "2001:db8:1:3::/64", "r");
	add(&l, "2001:db8:1:4::/64", "r");
	/* IPv4 siblings */
	add(&l, "192.0.2.0/32", "r");
	add(&l, "192.0.2.1/32", "r");
	dnsbl_aggregate(&l);
	const char *want[] = {
		"192.0.2.0/31", "2001:db8:0:4::/62", "2001:db8:0:9::/64", "2001:db8:0:a::/64",
		"2001:db8:0:b::/64", "2001:db8:1:3::/64", "2001:db8:1:4::/64",
	};
	assert_int_equal(l.n, sizeof want / sizeof *want);
	for (size_t i = 0; i < l.n; i++)
		assert_string_equal(fmt(&l, i), want[i]);
	dnsbl_free(&l);

	/* many /128s of one /64 stay many unless the /64 itself is listed;
	 * 65536 consecutive /128s collapse to one /112 */
	struct dnsbl_list m = { 0 };
	struct prefix p = P("2001:db8:ff::/128");
	for (unsigned i = 0; i < 65536; i++) {
		p.a.b[14] = (uint8_t)(i >> 8);
		p.a.b[15] = (uint8_t)i;
		dnsbl_add(&m, &p, "r");
	}
	dnsbl_aggregate(&m);
	assert_int_equal(m.n, 1);
	assert_string_equal(fmt(&m, 0), "2001:db8:ff::/112");
	dnsbl_free(&m);
}

static void test_names(void **state)
{
	(void)state;
	char buf[128];
	struct prefix p = P("2001:db8::1/128");
	/* RFC 5782 section 2.4 example form */
	assert_int_equal(dnsbl_name(&p.a, 128, buf, sizeof buf), 63);
	assert_string_equal(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2");
	p = P("2001:db8:abcd:12::/64");
	dnsbl_name(&p.a, 64, buf, sizeof buf);
	assert_string_equal(buf, "2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2");
	/* rounded up to the nibble */
	dnsbl_name(&p.a, 62, buf, sizeof buf);
	assert_string_equal(buf, "2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2");
	dnsbl_name(&p.a, 48, buf, sizeof buf);
	assert_string_equal(buf, "d.c.b.a.8.b.d.0.1.0.0.2");
	p = P("192.0.2.99/32");
	dnsbl_name(&p.a, 32, buf, sizeof buf);
	assert_string_equal(buf, "99.2.0.192");
	dnsbl_name(&p.a, 24, buf, sizeof buf);
	assert_string_equal(buf, "2.0.192");
	assert_int_equal(dnsbl_name(&p.a, 32, buf, 5), -1);
}

/* count - lines of s that contain needle */
static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_zone(void **state)
{
	(void)state;
	struct dnsbl_list l = { 0 };
	add(&l, "2001:db8:abcd:12::/64", "spam \"quoted\" $x");
	add(&l, "2001:db8:abcd:20::/63", "r");       /* two /64 wildcards */
	add(&l, "2001:db8:1::5/128", "r");           /* exact name */
	add(&l, "192.0.2.7/32", "r");
	dnsbl_aggregate(&l);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(dnsbl_write_zone(&l, f, "bl.example", 1), 0);
	fclose(f);
	assert_non_null(strstr(out, "$ORIGIN bl.example.\n"));
	assert_non_null(strstr(out, "*.2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2\tIN A 127.0.0.2\n"));
	assert_non_null(strstr(out, "*.0.2.0.0.d.c.b.a.8.b.d.0.1.0.0.2\tIN A"));
	assert_non_null(strstr(out, "*.1.2.0.0.d.c.b.a.8.b.d.0.1.0.0.2\tIN A"));
	assert_non_null(strstr(out, "\n5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2\tIN A"));
	assert_non_null(strstr(out, "\n7.2.0.192\tIN A 127.0.0.2"));
	/* the reason cannot break the TXT string or be a template */
	assert_non_null(strstr(out, "\"spam  quoted   x\""));
	/* RFC 5782 section 5 test entries */
	assert_non_null(strstr(out, "\n2.0.0.127\tIN A 127.0.0.2"));
	assert_int_equal(count(out, "IN TXT"), count(out, "IN A 127.0.0.2"));
	free(out);

	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(dnsbl_write_rbldnsd(&l, f, 6), 0);
	fclose(f);
	assert_non_null(strstr(out, "\n2001:db8:abcd:12::/64 :127.0.0.2:spam  quoted   x\n"));
	assert_non_null(strstr(out, "\n2001:db8:abcd:20::/63 :127.0.0.2:r\n"));
	assert_non_null(strstr(out, "\n2002:c000:207::/48 :127.0.0.2:r (6to4 of 192.0.2.7)\n"));
	assert_null(strstr(out, "\n192.0.2.7"));
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(dnsbl_write_rbldnsd(&l, f, 4), 0);
	fclose(f);
	assert_non_null(strstr(out, "\n192.0.2.7/32 :127.0.0.2:r\n"));
	assert_null(strstr(out, "2001:"));
	free(out);
	dnsbl_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contained_dropped),
		cmocka_unit_test(test_siblings_merged),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
