/* test_policy.c - defence/: policy request parsing and its limits, class
 * of service counters per prefix, configuration errors, evidence decay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "defence/cos.h"
#include "defence/policy.h"
#include "defence/reputation.h"
#include "util/hash.h"

#define SEC 1000000000LL

/* feed_all - feed s (in chunks of step bytes); the result of the last call */
static enum policy_feed_rc feed_all(struct policy_parser *p, const char *s, size_t n,
				    size_t step, size_t *consumed)
{
	size_t off = 0;
	enum policy_feed_rc rc = POLICY_MORE;
	while (off < n) {
		size_t used, len = n - off < step ? n - off : step;
		rc = policy_feed(p, s + off, len, &used);
		off += used;
		if (rc != POLICY_MORE)
			break;
	}
	*consumed = off;
	return rc;
}

static void test_parse_request(void **state)
{
	(void)state;
	static const char req[] =
		"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
		"client_address=2001:db8::1\nclient_port=4711\ninstance=abc.123\n"
		"recipient_count=0\nsome_future_attribute=x=y\n\n"
		"request=smtpd_access_policy\n";
	for (size_t step = 1; step <= sizeof req; step += 7) {
		struct policy_parser p;
		policy_parser_init(&p);
		size_t used;
		assert_int_equal(feed_all(&p, req, sizeof req - 1, step, &used), POLICY_DONE);
		/* stops right after the empty line: the next request is untouched */
		assert_int_equal(used, strstr(req, "\n\n") - req + 2);
		assert_string_equal(p.req.client_address, "2001:db8::1");
		assert_string_equal(p.req.client_port, "4711");
		assert_string_equal(p.req.instance, "abc.123");
		assert_string_equal(p.req.protocol_state, "RCPT");
		assert_int_equal(p.req.nattr, 8);
		assert_false(p.req.malformed);
	}
}

static void test_parse_limits(void **state)
{
	(void)state;
	struct policy_parser p;
	size_t used;
	/* an over-long line: malformed, skipped to the end of the request */
	size_t n = POLICY_LINE_MAX + 100;
	char *big = malloc(n + 64);
	memset(big, 'a', n);
	memcpy(big, "sender=", 7);
	strcpy(big + n, "\nclient_address=192.0.2.1\n\n");
	policy_parser_init(&p);
	assert_int_equal(feed_all(&p, big, strlen(big), 4096, &used), POLICY_DONE);
	assert_true(p.req.malformed);
	assert_string_equal(p.req.client_address, "192.0.2.1");
	free(big);

	/* one line short of the limit is fine */
	char *ok = malloc(POLICY_LINE_MAX + 16);
	memset(ok, 'b', POLICY_LINE_MAX);
	memcpy(ok, "sender=", 7);
	strcpy(ok + POLICY_LINE_MAX, "\n\n");
	policy_parser_init(&p);
	assert_int_equal(feed_all(&p, ok, strlen(ok), 100, &used), POLICY_DONE);
	assert_false(p.req.malformed);
	free(ok);

	/* too many attributes */
	char buf[8192] = "";
	size_t o = 0;
	for (int i = 0; i <= POLICY_ATTR_MAX; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "x%d=1\n", i);
	strcpy(buf + o, "\n");
	policy_parser_init(&p);
	assert_int_equal(feed_all(&p, buf, strlen(buf), 1000, &used), POLICY_DONE);
	assert_true(p.req.malformed);

	/* a line without '=' and a NUL byte */
	policy_parser_init(&p);
	assert_int_equal(feed_all(&p, "garbage\n\n", 9, 9, &used), POLICY_DONE);
	assert_true(p.req.malformed);
	policy_parser_init(&p);
	assert_int_equal(feed_all(&p, "a=b\0c\n\n", 7, 7, &used), POLICY_DONE);
	assert_true(p.req.malformed);

	/* a client address longer than its field */
	policy_parser_init(&p);
	char lng[200];
	snprintf(lng, sizeof lng, "client_address=%0100d\n\n", 1);
	assert_int_equal(feed_all(&p, lng, strlen(lng), 50, &used), POLICY_DONE);
	assert_true(p.req.malformed);

	/* never an empty line: a protocol error once the request is too big */
	char *flood = malloc(POLICY_REQ_MAX + 10);
	for (size_t i = 0; i < POLICY_REQ_MAX + 10; i++)
		flood[i] = i % 10 == 9 ? '\n' : 'z';
	policy_parser_init(&p);
	assert_int_equal(feed_all(&p, flood, POLICY_REQ_MAX + 10, 4096, &used), POLICY_ERROR);
	free(flood);
}

/* rcpt - one RCPT request from addr:port in message inst */
static const char *rcpt(struct policy_engine *e, const char *addr, const char *port,
			const char *inst, int64_t t, enum cos_class *cls)
{
	static char out[300];
	struct policy_req r = { 0 };
	strcpy(r.protocol_state, "RCPT");
	snprintf(r.client_address, sizeof r.client_address, "%s", addr);
	snprintf(r.client_port, sizeof r.client_port, "%s", port);
	snprintf(r.instance, sizeof r.instance, "%s", inst);
	enum cos_class k = policy_decide(e, &r, t, out, sizeof out);
	if (cls)
		*cls = k;
	return out;
}

static void test_counters_per_prefix(void **state)
{
	(void)state;
	struct cos_config c;
	cos_defaults(&c);
	struct rep_table *rep = rep_new(&c, 0);
	rep_finish(rep, &c);
	struct policy_engine *e = policy_new(&c, rep, 1000);
	const struct cos_limits *u = &c.cls[COS_UNKNOWN];
	char addr[64], port[8], inst[16];
	int64_t t = 1000 * SEC;
	enum cos_class k;
	/* one message each from distinct addresses of one /64 (sessions end
	 * before the next starts): the /64 gets msgs_short messages */
	unsigned ok = 0;
	for (unsigned i = 0; i < u->msgs_short + 3; i++) {
		snprintf(addr, sizeof addr, "2001:db8:1:2::%x", i + 1);
		snprintf(port, sizeof port, "%u", 1000 + i);
		snprintf(inst, sizeof inst, "m%u", i);
		const char *a = rcpt(e, addr, port, inst, t + (int64_t)i * 11 * SEC, &k);
		assert_int_equal(k, COS_UNKNOWN);
		if (!strcmp(a, "DUNNO"))
			ok++;
		else
			assert_string_equal(a, u->text);
	}
	assert_int_equal(ok, u->msgs_short);
	/* the same number from distinct /64s all pass */
	for (unsigned i = 0; i < u->msgs_short + 3; i++) {
		snprintf(addr, sizeof addr, "2001:db8:1:%x::1", 100 + i);
		assert_string_equal(rcpt(e, addr, "25", "x", t, NULL), "DUNNO");
	}
	/* retry wait: the limited /64 stays limited until it is over */
	int64_t after = t + (int64_t)(u->msgs_short + 3) * 11 * SEC;
	assert_string_not_equal(rcpt(e, "2001:db8:1:2::99", "1", "y", after + SEC, NULL), "DUNNO");
	int64_t later = after + (int64_t)(u->retry_wait_s + u->short_s + 1) * SEC;
	assert_string_equal(rcpt(e, "2001:db8:1:2::99", "2", "z", later, NULL), "DUNNO");

	/* concurrency: conn open sessions, the next one is refused */
	for (unsigned i = 0; i < u->conn; i++) {
		snprintf(port, sizeof port, "%u", 2000 + i);
		assert_string_equal(rcpt(e, "2001:db8:7::1", port, "c", t, NULL), "DUNNO");
	}
	assert_string_equal(rcpt(e, "2001:db8:7::2", "3000", "c", t, NULL), u->text);

	/* recipients per message */
	char msgi[8];
	unsigned passed = 0;
	for (unsigned i = 0; i < u->rcpt_per_msg + 2; i++) {
		snprintf(msgi, sizeof msgi, "one");
		if (!strcmp(rcpt(e, "2001:db8:8::1", "4000", msgi, t, NULL), "DUNNO"))
			passed++;
	}
	assert_int_equal(passed, u->rcpt_per_msg);

	/* 6to4 and its IPv4 share one state: 2002:c000:0201::/48 is 192.0.2.1 */
	struct addr a6, a4;
	addr_parse("2002:c000:201::1", &a6);
	addr_parse("192.0.2.1", &a4);
	struct prefix k6 = cos_key(&c, &a6, 0), k4 = cos_key(&c, &a4, 0);
	assert_int_equal(rep_prefix_cmp(&k6, &k4), 0);
	/* Teredo (RFC 4380): client 192.0.2.45 is ~0x3ffffdd2 in the last 32 bits */
	addr_parse("2001:0:4136:e378:8000:63bf:3fff:fdd2", &a6);
	addr_parse("192.0.2.45", &a4);
	k6 = cos_key(&c, &a6, 0);
	k4 = cos_key(&c, &a4, 0);
	assert_int_equal(rep_prefix_cmp(&k6, &k4), 0);
	assert_int_equal(k6.len, 32);

	/* an unusable address is DUNNO, never a block */
	char out[64];
	struct policy_req bad = { 0 };
	strcpy(bad.client_address, "unknown");
	assert_int_equal(policy_decide(e, &bad, t, out, sizeof out), COS_NCLASS);
	assert_string_equal(out, "DUNNO");
	bad.malformed = true;
	assert_int_equal(policy_decide(e, &bad, t, out, sizeof out), COS_NCLASS);
	policy_free(e);
	rep_free(rep);
	cos_free(&c);
}

/* save_count - sum the accepted messages handed to the store */
static int save_count(const struct policy_delta *d, size_t n, void *arg)
{
	uint64_t *total = arg;
	for (size_t i = 0; i < n; i++)
		*total += d[i].accepted;
	return 0;
}

static void test_lru_bounded(void **state)
{
	(void)state;
	struct cos_config c;
	cos_defaults(&c);
	struct rep_table *rep = rep_new(&c, 0);
	rep_finish(rep, &c);
	struct policy_engine *e = policy_new(&c, rep, 50);
	char addr[64];
	for (int i = 0; i < 500; i++) {
		snprintf(addr, sizeof addr, "2001:db8:%x::1", i);
		rcpt(e, addr, "1", "m", 5 * SEC, NULL);
	}
	const struct policy_stats *s = policy_stats(e);
	assert_true(s->prefixes <= 50);
	assert_int_equal(s->evicted, 450);
	/* evicted outcomes are still saved: one accepted message per prefix */
	uint64_t total = 0;
	assert_int_equal(policy_save(e, save_count, &total), 0);
	assert_int_equal(total, 500);
	total = 0;
	assert_int_equal(policy_save(e, save_count, &total), 0);
	assert_int_equal(total, 0);   /* nothing twice */
	/* a store that never takes them: the kept deltas stay bounded */
	size_t bound = 50 + POLICY_EVICTED_MAX(50);
	for (int i = 0; i < 5000; i++) {
		snprintf(addr, sizeof addr, "2001:db8:1:%x::1", i);
		rcpt(e, addr, "1", "m", 6 * SEC, NULL);
	}
	total = 0;
	assert_int_equal(policy_save(e, save_count, &total), 0);
	assert_int_equal(total, bound);
	policy_free(e);
	rep_free(rep);
	cos_free(&c);
}

static void test_classes_from_reputation(void **state)
{
	(void)state;
	struct cos_config c;
	cos_defaults(&c);
	struct rep_table *rep = rep_new(&c, 0);
	struct addr a;
	addr_parse("2001:db8:bad::1", &a);
	struct prefix k = cos_key(&c, &a, 0);
	rep_evidence(rep, &k, REP_ASSOC, 3, 100 * SEC);
	addr_parse("2001:db8:900d::1", &a);
	k = cos_key(&c, &a, 0);
	rep_evidence(rep, &k, REP_ACCEPT, 50, 100 * SEC);
	addr_parse("2001:db8:1111::1", &a);
	k = cos_key(&c, &a, 0);
	rep_evidence(rep, &k, REP_ACCEPT, 3, 100 * SEC);
	rep_evidence(rep, &k, REP_DNSBL, 1, 100 * SEC);
	addr_parse("2001:db8:7::1", &a);       /* too little evidence: unknown */
	k = cos_key(&c, &a, 0);
	rep_evidence(rep, &k, REP_POL_LIMIT, 1, 100 * SEC);
	rep_finish(rep, &c);
	assert_int_equal(rep_count(rep), 4);
	/* the whole table, then only the classes as policyd keeps them */
	for (int round = 0; round < 2; round++) {
		struct policy_engine *e = policy_new(&c, rep, 100);
		addr_parse("2001:db8:bad::ffff", &a);
		assert_int_equal(policy_class_of(e, &a), COS_BAD);
		addr_parse("2001:db8:900d:0:1:2:3:4", &a);
		assert_int_equal(policy_class_of(e, &a), COS_GOOD);
		addr_parse("2001:db8:1111::77", &a);
		assert_int_equal(policy_class_of(e, &a), COS_MIXED);
		addr_parse("2001:db8:bad:1::1", &a);   /* the next /64 */
		assert_int_equal(policy_class_of(e, &a), COS_UNKNOWN);
		addr_parse("2001:db8:7::2", &a);
		assert_int_equal(policy_class_of(e, &a), COS_UNKNOWN);
		addr_parse("2001:db8:0:ffff::1", &a);   /* below the first key */
		assert_int_equal(policy_class_of(e, &a), COS_UNKNOWN);
		addr_parse("2001:db9::1", &a);          /* after the last */
		assert_int_equal(policy_class_of(e, &a), COS_UNKNOWN);
		policy_free(e);
		if (!round) {
			rep_keep_classes(rep);
			assert_int_equal(rep_count(rep), 3);
		}
	}
	rep_free(rep);
	cos_free(&c);
}

/* the raw counts of an entry stop at UINT32_MAX (they are 32 bits);
 * the weights count every item */
static void test_counts_saturate(void **state)
{
	(void)state;
	struct cos_config c;
	cos_defaults(&c);
	struct rep_table *rep = rep_new(&c, 0);
	struct addr a;
	addr_parse("2001:db8:5a7::1", &a);
	struct prefix k = cos_key(&c, &a, 0);
	rep_evidence(rep, &k, REP_DNSBL, UINT32_MAX - 2, 100 * SEC);
	rep_evidence(rep, &k, REP_DNSBL, 2, 100 * SEC);
	rep_evidence(rep, &k, REP_ACCEPT, 7, 100 * SEC);
	rep_evidence(rep, &k, REP_DNSBL, 5, 100 * SEC);
	rep_evidence(rep, &k, REP_REJECT, UINT64_MAX, 100 * SEC);
	rep_finish(rep, &c);
	const struct rep_entry *e = rep_find(rep, &k);
	assert_non_null(e);
	assert_int_equal(e->n[REP_DNSBL], UINT32_MAX);
	assert_int_equal(e->n[REP_ACCEPT], 7);
	assert_int_equal(e->n[REP_REJECT], UINT32_MAX);
	assert_int_equal(e->hosts, 5);
	assert_true(e->bad > 2.0 * UINT32_MAX);
	assert_true(e->good == 7.0);
	rep_free(rep);
	cos_free(&c);
}

static void test_decay(void **state)
{
	(void)state;
	double h = 86400;
	assert_true(fabs(rep_decay(8, 0, h) - 8) < 1e-12);
	assert_true(fabs(rep_decay(8, (int64_t)h * SEC, h) - 4) < 1e-9);
	assert_true(fabs(rep_decay(8, 3 * (int64_t)h * SEC, h) - 1) < 1e-9);
	/* old bad evidence weighs less than fresh good evidence */
	struct cos_config c;
	cos_defaults(&c);
	c.half_life_s = h;
	struct prefix p;
	prefix_parse("2001:db8:5::/64", &p, false);
	int64_t now = 100 * 86400 * SEC;
	struct rep_table *rep = rep_new(&c, now);
	rep_evidence(rep, &p, REP_DNSBL, 10, now - 10 * 86400 * SEC);   /* 10 * 2^-10 */
	rep_evidence(rep, &p, REP_ACCEPT, 2, now);
	rep_finish(rep, &c);
	const struct rep_entry *r = rep_find(rep, &p);
	assert_non_null(r);
	assert_true(fabs(r->bad - 10.0 / 1024) < 1e-9);
	assert_true(fabs(r->good - 2) < 1e-9);
	assert_int_equal(r->cls, COS_GOOD);
	assert_int_equal(r->n[REP_DNSBL], 10);
	rep_free(rep);
	/* the same evidence, fresh: bad */
	rep = rep_new(&c, 0);
	rep_evidence(rep, &p, REP_DNSBL, 10, now);
	rep_evidence(rep, &p, REP_ACCEPT, 2, now);
	rep_finish(rep, &c);
	assert_int_equal(rep_find(rep, &p)->cls, COS_BAD);
	rep_free(rep);

	/* evidence in any order, decayed to the newest of the whole table
	 * (another prefix's): each item by its own age */
	struct prefix q;
	prefix_parse("2001:db8:6::/64", &q, false);
	rep = rep_new(&c, 0);
	rep_evidence(rep, &p, REP_DNSBL, 4, now - 5 * 86400 * SEC);
	rep_evidence(rep, &p, REP_DNSBL, 10, now - 10 * 86400 * SEC);
	rep_evidence(rep, &p, REP_ACCEPT, 2, now - 2 * 86400 * SEC);
	rep_evidence(rep, &p, REP_DNSBL, 8, now - 7 * 86400 * SEC);
	rep_evidence(rep, &q, REP_ACCEPT, 1, now);
	rep_finish(rep, &c);
	assert_true(rep_now(rep) == now);
	r = rep_find(rep, &p);
	assert_true(fabs(r->bad - (4.0 / 32 + 10.0 / 1024 + 8.0 / 128)) < 1e-12);
	assert_true(fabs(r->good - 2.0 / 4) < 1e-12);
	assert_int_equal(r->n[REP_DNSBL], 22);
	assert_int_equal(r->hosts, 4);
	assert_true(r->last_ns == now - 2 * 86400 * SEC);
	assert_true(fabs(rep_find(rep, &q)->good - 1) < 1e-12);
	rep_free(rep);

	/* a given now: evidence after it counts undecayed, the rest by its
	 * age before now */
	rep = rep_new(&c, now);
	rep_evidence(rep, &p, REP_ACCEPT, 2, now + 3 * 86400 * SEC);
	rep_evidence(rep, &p, REP_DNSBL, 8, now - 3 * 86400 * SEC);
	rep_evidence(rep, &p, REP_ACCEPT, 1, now + 1 * 86400 * SEC);
	rep_finish(rep, &c);
	assert_true(rep_now(rep) == now);
	r = rep_find(rep, &p);
	assert_true(fabs(r->good - 3) < 1e-12);
	assert_true(fabs(r->bad - 1) < 1e-12);
	assert_true(r->last_ns == now + 3 * 86400 * SEC);
	rep_free(rep);

	/* no half-life: nothing decays */
	c.half_life_s = 0;
	rep = rep_new(&c, 0);
	rep_evidence(rep, &p, REP_DNSBL, 8, 0);
	rep_evidence(rep, &p, REP_ACCEPT, 1, now);
	rep_finish(rep, &c);
	assert_true(fabs(rep_find(rep, &p)->bad - 8) < 1e-12);
	rep_free(rep);
	cos_free(&c);
}

/* many prefixes, in no order: the table grows, each prefix keeps its
 * own evidence, rep_at walks them in key order */
static void test_many_prefixes(void **state)
{
	(void)state;
	struct cos_config c;
	cos_defaults(&c);
	struct rep_table *rep = rep_new(&c, 0);
	enum { N = 5000 };
	for (unsigned round = 0; round < 3; round++)
		for (unsigned i = 0; i < N; i++) {
			unsigned v = (i * 761u) % N;    /* a permutation of 0..N-1 (761, N coprime) */
			char text[64];
			snprintf(text, sizeof text, "2001:db8:%x:%x::/64", v >> 8, v & 0xff);
			struct prefix p;
			assert_int_equal(prefix_parse(text, &p, false), 0);
			rep_evidence(rep, &p, v % 2 ? REP_ACCEPT : REP_DNSBL, v + 1, 1000 * SEC);
		}
	rep_finish(rep, &c);
	assert_int_equal(rep_count(rep), N);
	for (size_t i = 0; i < N; i++) {
		const struct rep_entry *e = rep_at(rep, i);
		if (i)
			assert_true(rep_prefix_cmp(&rep_at(rep, i - 1)->key, &e->key) < 0);
		unsigned v = (unsigned)e->key.a.b[4] << 24 | (unsigned)e->key.a.b[5] << 16 |
			     (unsigned)e->key.a.b[6] << 8 | e->key.a.b[7];
		v = (v >> 16) << 8 | (v & 0xff);
		assert_true(v < N);
		assert_int_equal(e->hosts, 3);
		assert_int_equal(e->n[v % 2 ? REP_ACCEPT : REP_DNSBL], 3 * (v + 1));
		assert_ptr_equal(rep_find(rep, &e->key), e);
	}
	rep_free(rep);
	cos_free(&c);
}

static void test_config(void **state)
{
	(void)state;
	char path[] = "/tmp/test_policy_cfgXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("# test\nprefix-len 60\nprefix 2001:db8:100::/40 48\nhalf-life 7d\n"
	      "class unknown\n  conn 4\n  msgs 2/30s 9/2h\n  rcpts 5/30s 20/2h\n"
	      "  action DEFER_IF_PERMIT slow down\nclass bad\n  action SLEEP 7\n", f);
	fclose(f);
	struct cos_config c;
	assert_int_equal(cos_load(&c, path), 0);
	assert_int_equal(c.len6, 60);
	assert_true(fabs(c.half_life_s - 7 * 86400) < 1e-9);
	assert_int_equal(c.cls[COS_UNKNOWN].conn, 4);
	assert_int_equal(c.cls[COS_UNKNOWN].msgs_short, 2);
	assert_int_equal(c.cls[COS_UNKNOWN].msgs_long, 9);
	assert_int_equal(c.cls[COS_UNKNOWN].short_s, 30);
	assert_int_equal(c.cls[COS_UNKNOWN].long_s, 7200);
	char act[300];
	cos_action_text(&c.cls[COS_UNKNOWN], act, sizeof act);
	assert_string_equal(act, "DEFER_IF_PERMIT slow down");
	cos_action_text(&c.cls[COS_BAD], act, sizeof act);
	assert_string_equal(act, "SLEEP 7");
	struct addr a;
	addr_parse("2001:db8:1ab:cd00::1", &a);
	assert_int_equal(cos_key(&c, &a, 0).len, 48);   /* inside the range */
	addr_parse("2001:db8:2ab:cd00::1", &a);
	assert_int_equal(cos_key(&c, &a, 0).len, 60);
	assert_int_equal(cos_key(&c, &a, 56).len, 56);
	cos_free(&c);

	/* each error names its line */
	static const char *const bad[] = {
		"conn 3\n",                       /* outside a class */
		"class great\n",
		"class good\nconn 0\n",
		"class good\nmsgs 3\n",
		"class good\naction 550 no\n",
		"prefix 2001:db8::/32 16\n",
		"prefix-len 200\n",
		"class mixed\ntarpit 1h\n",
		"frobnicate 1\n",
	};
	char errpath[] = "/tmp/test_policy_errXXXXXX";
	int efd = mkstemp(errpath);
	assert_true(efd >= 0);
	int saved = dup(2);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		f = fopen(path, "w");
		fprintf(f, "# comment\n%s", bad[i]);
		fclose(f);
		/* the error is on the last line of the file */
		unsigned long want = 1;
		for (const char *q = bad[i]; *q; q++)
			want += *q == '\n';
		assert_int_equal(ftruncate(efd, 0), 0);
		lseek(efd, 0, SEEK_SET);
		fflush(stderr);
		dup2(efd, 2);
		assert_int_equal(cos_load(&c, path), -1);
		fflush(stderr);
		dup2(saved, 2);
		char msg[512] = "", expect[128];
		assert_true(pread(efd, msg, sizeof msg - 1, 0) > 0);
		snprintf(expect, sizeof expect, "mxsensor: %s:%lu: ", path, want);
		if (strncmp(msg, expect, strlen(expect)))
			fail_msg("case %zu: want '%s...', got '%s'", i, expect, msg);
	}
	close(saved);
	close(efd);
	unlink(errpath);
	unlink(path);
}

int main(void)
{
	hash_seed_fixed(42);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_request),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_counters_per_prefix),
		cmocka_unit_test(test_lru_bounded),
		cmocka_unit_test(test_classes_from_reputation),
		cmocka_unit_test(test_counts_saturate),
		cmocka_unit_test(test_decay),
		cmocka_unit_test(test_many_prefixes),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
