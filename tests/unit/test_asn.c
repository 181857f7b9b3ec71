/* test_asn.c - enrich/asn.c: the range table against brute force, file
 * formats, AS number and Team Cymru TXT parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "enrich/asn.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_parse_number(void **state)
{
	(void)state;
	uint32_t v = 0;
	assert_int_equal(asn_parse_number("15169", &v), 0);
	assert_int_equal(v, 15169);
	assert_int_equal(asn_parse_number("AS3356", &v), 0);
	assert_int_equal(v, 3356);
	assert_int_equal(asn_parse_number("6939_1101_25192", &v), 0);
	assert_int_equal(v, 6939);
	assert_int_equal(asn_parse_number("271,7860,8111", &v), 0);
	assert_int_equal(v, 271);
	assert_int_equal(asn_parse_number("{64512,64513}", &v), 0);
	assert_int_equal(v, 64512);
	assert_int_equal(asn_parse_number("1.10", &v), 0);       /* asdot */
	assert_int_equal(v, 65536 + 10);
	assert_int_equal(asn_parse_number("4294967295", &v), 0);
	assert_int_equal(v, 4294967295U);
	v = 7;
	assert_int_equal(asn_parse_number("4294967296", &v), -1);
	assert_int_equal(asn_parse_number("", &v), -1);
	assert_int_equal(asn_parse_number("AS", &v), -1);
	assert_int_equal(asn_parse_number("12x", &v), -1);
	assert_int_equal(asn_parse_number("70000.1", &v), -1);
	assert_int_equal(v, 7);
}

static void test_cymru(void **state)
{
	(void)state;
	uint32_t asn = 0;
	assert_int_equal(asn_cymru_parse("15169 | 8.8.8.0/24 | US | arin | 2000-03-30", &asn), 0);
	assert_int_equal(asn, 15169);
	assert_int_equal(asn_cymru_parse("23028 3356 | 216.90.108.0/24 | US | arin |", &asn), 0);
	assert_int_equal(asn, 23028);
	assert_int_equal(asn_cymru_parse("no bar here", &asn), -1);
	assert_int_equal(asn_cymru_parse(" | x", &asn), -1);
	char name[64];
	assert_int_equal(asn_cymru_name_parse("15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US ",
					      name, sizeof name), 0);
	assert_string_equal(name, "GOOGLE - Google LLC, US");
	assert_int_equal(asn_cymru_name_parse("15169 | US | arin", name, sizeof name), -1);
	struct addr a;
	char q[128];
	addr_parse("192.0.2.10", &a);
	assert_string_equal(asn_cymru_qname(&a, NULL, NULL, q, sizeof q),
			    "10.2.0.192.origin.asn.cymru.com");
	addr_parse("2001:db8::1", &a);
	assert_string_equal(asn_cymru_qname(&a, NULL, "o6.test", q, sizeof q),
			    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.o6.test");
}

/* brute force: narrowest prefix holding a, first added among equals */
struct pfx {
	struct addr a;
	unsigned len;
	uint32_t asn;
};

static uint32_t brute(const struct pfx *p, size_t n, const struct addr *a)
{
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		struct prefix x = { p[i].a, (uint8_t)p[i].len };
		if (p[i].a.family != a->family || !prefix_contains(&x, a))
			continue;
		if (best < 0 || p[i].len > p[best].len)
			best = (int)i;
	}
	return best < 0 ? 0 : p[best].asn;
}

static struct addr last_of(const struct pfx *p)
{
	struct addr l = p->a;
	unsigned bits = p->a.family == 4 ? 32 : 128;
	for (unsigned i = p->len; i < bits; i++)
		l.b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	return l;
}

static void step(struct addr *a, int dir)
{
	int n = a->family == 4 ? 4 : 16;
	for (int i = n - 1; i >= 0; i--) {
		a->b[i] = (uint8_t)(a->b[i] + dir);
		if (a->b[i] != (dir > 0 ? 0 : 0xff))
			return;
	}
}

static void check_family(int fam)
{
	enum { N = 400 };
	struct pfx p[N];
	struct asn_db *db = asn_db_new();
	unsigned bits = fam == 4 ? 32 : 128;
	for (int i = 0; i < N; i++) {
		struct addr a = { .family = (uint8_t)fam };
		/* a small space so that prefixes nest and collide */
		a.b[0] = fam == 4 ? 10 : 0x20;
		a.b[1] = (uint8_t)(rnd() & 3);
		for (unsigned k = 2; k < bits / 8; k++)
			a.b[k] = (uint8_t)rnd();
		unsigned len = i == 0 ? 0 : 8 + (unsigned)(rnd() % (bits - 8 + 1));
		addr_mask(&a, len);
		p[i] = (struct pfx){ a, len, (uint32_t)(1 + rnd() % 100000) };
		/* identical prefixes: the first added wins, like brute() */
		bool dup = false;
		for (int j = 0; j < i; j++)
			if (p[j].len == len && addr_eq(&p[j].a, &a))
				dup = true;
		if (dup)
			p[i].asn = 0;    /* never expected */
		struct addr l = last_of(&p[i]);
		asn_db_add_range(db, &a, &l, dup ? 999999 : p[i].asn);
	}
	asn_db_build(db);
	for (int i = 0; i < N; i++) {
		struct addr probes[4];
		probes[0] = p[i].a;
		probes[1] = last_of(&p[i]);
		probes[2] = p[i].a;
		step(&probes[2], -1);
		probes[3] = probes[1];
		step(&probes[3], +1);
		for (int k = 0; k < 4; k++) {
			uint32_t want = brute(p, N, &probes[k]);
			assert_int_equal(asn_db_lookup_asn(db, &probes[k]), want);
		}
	}
	for (int i = 0; i < 20000; i++) {
		struct addr a = { .family = (uint8_t)fam };
		for (unsigned k = 0; k < bits / 8; k++)
			a.b[k] = (uint8_t)rnd();
		if (i & 1) {
			a.b[0] = fam == 4 ? 10 : 0x20;
			a.b[1] &= 3;
		}
		assert_int_equal(asn_db_lookup_asn(db, &a), brute(p, N, &a));
	}
	/* the ends of the space (the /0 of p[0]) */
	struct addr lo = { .family = (uint8_t)fam }, hi = lo;
	memset(hi.b, 0xff, bits / 8);
	assert_int_equal(asn_db_lookup_asn(db, &lo), brute(p, N, &lo));
	assert_int_equal(asn_db_lookup_asn(db, &hi), brute(p, N, &hi));
	asn_db_free(db);
}

static void test_table_v4(void **state)
{
	(void)state;
	check_family(4);
}

static void test_table_v6(void **state)
{
	(void)state;
	check_family(6);
}

static void test_empty_and_ranges(void **state)
{
	(void)state;
	struct asn_db *db = asn_db_new();
	struct addr a, b, q;
	addr_parse("8.8.8.8", &q);
	asn_db_build(db);
	assert_int_equal(asn_db_lookup_asn(db, &q), 0);
	/* an arbitrary range (ip2asn) inside a prefix; the range wins */
	addr_parse("8.0.0.0", &a);
	addr_parse("8.255.255.255", &b);
	asn_db_add_range(db, &a, &b, 3356);
	addr_parse("8.8.4.0", &a);
	addr_parse("8.8.8.255", &b);
	asn_db_add_range(db, &a, &b, 15169);
	/* a reversed range and a mixed one are ignored */
	asn_db_add_range(db, &b, &a, 1);
	addr_parse("2001:db8::", &b);
	asn_db_add_range(db, &a, &b, 2);
	asn_db_add_name(db, 15169, "GOOGLE");
	asn_db_add_name(db, 15169, "LATER");
	asn_db_add_name(db, 3356, "LEVEL\x1b[2J3\x7f\t");
	asn_db_build(db);
	assert_int_equal(asn_db_lookup_asn(db, &q), 15169);
	addr_parse("8.8.9.0", &q);
	assert_int_equal(asn_db_lookup_asn(db, &q), 3356);
	addr_parse("8.8.3.255", &q);
	assert_int_equal(asn_db_lookup_asn(db, &q), 3356);
	addr_parse("9.0.0.0", &q);
	assert_int_equal(asn_db_lookup_asn(db, &q), 0);
	struct asn_info ai;
	addr_parse("8.8.8.8", &q);
	assert_true(asn_db_lookup(db, &q, &ai));
	assert_string_equal(ai.name, "GOOGLE");
	/* control bytes (a terminal's escape sequences) do not come through */
	assert_string_equal(asn_db_name(db, 3356), "LEVEL?[2J3??");
	assert_int_equal(asn_db_stats(db)->entries, 2);
	asn_db_free(db);
}

static char *write_tmp(const char *text, bool gz)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/test_asn.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	if (gz) {
		close(fd);
		gzFile z = gzopen(path, "wb");
		gzputs(z, text);
		gzclose(z);
	} else {
		assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
		close(fd);
	}
	return path;
}

static uint32_t look(struct asn_db *db, const char *s)
{
	struct addr a;
	assert_int_equal(addr_parse(s, &a), 0);
	return asn_db_lookup_asn(db, &a);
}

static void test_formats(void **state)
{
	(void)state;
	struct asn_db *db = asn_db_new();
	char *p = write_tmp("2001:db8::\t32\t64500_64501\n2001:db8:1::\t48\t64502,64503\n"
			    "10.0.0.0\t8\t64504\n10.0.0.0\t33\t1\nbogus line\n", false);
	assert_int_equal(asn_db_load(db, p), 0);
	unlink(p);
	p = write_tmp("; IP-ASN32-DAT file\n;\n192.0.2.0/24\t64510\n192.0.2.0/25\t64511\n"
		      "192.0.2.1/24\t9\n", true);
	assert_int_equal(asn_db_load(db, p), 0);
	unlink(p);
	p = write_tmp("198.51.100.0\t198.51.100.99\t64520\tZZ\tTEST-NET-2, ZZ\n"
		      "203.0.113.0\t203.0.113.255\t0\tNone\tNot routed\n", false);
	assert_int_equal(asn_db_load(db, p), 0);
	unlink(p);
	p = write_tmp("asn,name,country,registry\nAS64504,\"TEN, NET\",ZZ,test\n", false);
	assert_int_equal(asn_db_load(db, p), 0);
	unlink(p);
	asn_db_build(db);
	assert_int_equal(look(db, "2001:db8:ffff::1"), 64500);
	assert_int_equal(look(db, "2001:db8:1::1"), 64502);
	assert_int_equal(look(db, "10.9.9.9"), 64504);
	assert_int_equal(look(db, "192.0.2.200"), 64510);
	assert_int_equal(look(db, "192.0.2.100"), 64511);
	assert_int_equal(look(db, "198.51.100.99"), 64520);
	assert_int_equal(look(db, "198.51.100.100"), 0);
	assert_int_equal(look(db, "203.0.113.1"), 0);
	assert_string_equal(asn_db_name(db, 64504), "TEN, NET");
	assert_string_equal(asn_db_name(db, 64520), "TEST-NET-2, ZZ");
	assert_null(asn_db_name(db, 64510));
	/* /33 on IPv4, "bogus line", 192.0.2.1/24 with host bits */
	assert_int_equal(asn_db_stats(db)->bad_lines, 3);
	/* unknown format, missing file */
	p = write_tmp("hello world\n", false);
	assert_int_equal(asn_db_load(db, p), -1);
	unlink(p);
	assert_int_equal(asn_db_load(db, "/nonexistent/asn.tsv"), -1);
	asn_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_number),
		cmocka_unit_test(test_cymru),
		cmocka_unit_test(test_table_v4),
		cmocka_unit_test(test_table_v6),
		cmocka_unit_test(test_empty_and_ranges),
		cmocka_unit_test(test_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
