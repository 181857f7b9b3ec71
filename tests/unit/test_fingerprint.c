/* test_fingerprint.c - fingerprint/: p0f.fp loading, errors, matching rules, memo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint/fp.h"
#include "util/hash.h"

/* a small database in p0f.fp form: every window form, generic and fuzzy cases */
static const char small_db[] =
	"; test database\n"
	"classes = win,unix,other\n"
	"\n"
	"[mtu]\n"
	"label = Ethernet or modem\n"
	"sig   = 1500\n"
	"label = DSL\n"
	"sig   = 1492\n"
	"\n"
	"[tcp:request]\n"
	"label = g:unix:Linux:generic\n"
	"sig   = *:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0\n"
	"label = s:unix:Linux:3.11 and newer\n"
	"sig   = *:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0\n"
	"label = s:win:Windows:7 or 8\n"
	"sig   = *:128:0:*:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0\n"
	"label = s:unix:FreeBSD:mod\n"
	"sig   = 4:64:0:*:%1000,6:mss,nop,ws,sok,ts:df,id+:0\n"
	"label = s:unix:OpenVMS:mtu\n"
	"sig   = 4:128:0:1460:mtu*2,0:mss,nop,ws::0\n"
	"label = s:other:Anything:any\n"
	"sig   = *:255:0:*:*,*:mss,ws::0\n"
	"label = s:!:NMap:SYN scan\n"
	"sys   = @unix,@win\n"
	"sig   = *:64-:0:1460:1024,0:mss::0\n"
	"label = s:unix:linux:lower case\n"
	"sig   = 4:64:0:*:1234,0:mss::0\n"
	"\n"
	"[tcp:response]\n"
	"label = s:unix:Linux:resp\n"
	"sig   = *:64:0:*:mss*10,0:mss::0\n"
	"[http:request]\n"
	"ua_os = Linux,Windows\n"
	"label = s:unix:whatever:\n"
	"sig   = *:Host,User-Agent:Accept:Mozilla\n";

static struct fpdb *load_small(void)
{
	struct fpdb *db = fpdb_new();
	char *err = NULL;
	int rc = fpdb_load_text(db, "small.fp", small_db, strlen(small_db), &err);
	if (rc)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, 0);
	assert_null(err);
	return db;
}

/* syn_linux - a Linux 3.11+ style SYN: mss,sok,ts,nop,ws with df, id+ */
static struct syn syn_linux(int ver, int ttl, int mss, int win, int ws)
{
	struct syn s;
	memset(&s, 0, sizeof s);
	s.ipver = (uint8_t)ver;
	s.ttl = (uint8_t)ttl;
	s.mss = (uint16_t)mss;
	s.win = (uint16_t)win;
	s.wscale = (int16_t)ws;
	static const uint8_t lay[] = { TCPOPT_MSS, TCPOPT_SOK, TCPOPT_TS, TCPOPT_NOP, TCPOPT_WS };
	memcpy(s.olayout, lay, sizeof lay);
	s.nopts = sizeof lay;
	s.has_ts = true;
	s.tsval = 12345;
	s.df = ver == 4;
	s.ipid = ver == 4 ? 999 : 0;
	s.quirks = ver == 4 ? SYN_Q_DF | SYN_Q_NZ_ID : 0;
	return s;
}

static struct syn syn_layout(int ver, int ttl, int mss, int win, int ws,
			     const uint8_t *lay, int n, uint32_t quirks)
{
	struct syn s = syn_linux(ver, ttl, mss, win, ws);
	memcpy(s.olayout, lay, (size_t)n);
	s.nopts = (uint8_t)n;
	s.quirks = quirks;
	s.has_ts = false;
	for (int i = 0; i < n; i++)
		if (lay[i] == TCPOPT_TS)
			s.has_ts = true;
	return s;
}

static void test_load_p0f_fp(void **state)
{
	(void)state;
	char *err = NULL;
	struct fpdb *db = fpdb_open(NULL, 0, &err);
	if (!db)
		fprintf(stderr, "%s\n", err);
	assert_non_null(db);
	/* every "sig" line of [tcp:request] became one entry */
	FILE *f = fopen(FP_DEFAULT_DB, "r");
	assert_non_null(f);
	char line[4096];
	size_t want = 0;
	bool in = false;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '[')
			in = !strncmp(line, "[tcp:request]", 13);
		else if (in && !strncmp(line, "sig", 3))
			want++;
	}
	fclose(f);
	assert_true(want > 50);
	assert_int_equal(fpdb_count(db), want);
	assert_non_null(fpdb_mtu_link(db, 1500));
	fpdb_free(db);
}

struct bad_case {
	const char *text;
	unsigned line;
	const char *what;
};

static void test_loader_errors(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:0:0:*:*,*:mss::0\n", 4, "initial TTL" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:256:0:*:*,*:mss::0\n", 4, "initial TTL" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:6x:0:*:*,*:mss::0\n", 4, "initial TTL" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64+200:0:*:*,*:mss::0\n", 4, "initial TTL" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = 5:64:0:*:*,*:mss::0\n", 4, "IP version" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:mss*0,*:mss::0\n", 4, "multiplier" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:%1,*:mss::0\n", 4, "'%'" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:65536,*:mss::0\n", 4, "window size" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:mtu*x,*:mss::0\n", 4, "window size" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:70000:*,*:mss::0\n", 4, "MSS" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:*,300:mss::0\n", 4, "window scale" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:*,*:mss,foo::0\n", 4, "TCP option" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:*,*:eol+1,mss::0\n", 4, "EOL must be the last" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:*,*:mss;ws::0\n", 4, "malformed TCP options" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:*,*:mss:df,xyz:0\n", 4, "quirk" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = 6:64:0:*:*,*:mss:df:0\n", 4, "not valid for IPv6" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = 4:64:0:*:*,*:mss:flow:0\n", 4, "not valid for IPv4" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:*,*:mss::1\n", 4, "payload class" },
		{ "classes = win,unix\n[tcp:request]\nsig = *:64:0:*:*,*:mss::0\n", 3, "want a 'label' first" },
		{ "classes = win,unix\nlabel = s:unix:X:y\n", 2, "misplaced 'label'" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:bsd:X:y\n", 3, "unknown class 'bsd'" },
		{ "classes = win,unix\n[tcp:request]\nlabel = x:unix:X:y\n", 3, "s: or g:" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X\n", 3, "OS name" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:!:Tool:x\nsig = *:64:0:*:*,*:mss::0\n", 4, "want 'sys'" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsys = Linux\n", 4, "misplaced 'sys'" },
		{ "[tcp:request]\nclasses = win\n", 2, "misplaced 'classes'" },
		{ "classes = win,\n", 1, "class entry" },
		{ "classes = win\n[udp:request]\n", 2, "module 'udp'" },
		{ "classes = win\n[tcp:sideways]\n", 2, "direction" },
		{ "classes = win\n[mtu]\nlabel = \n", 3, "empty MTU label" },
		{ "classes = win\n[mtu]\nlabel = x\nsig = 0\n", 4, "MTU value" },
		{ "classes = win\n[mtu]\nlabel = x\nsig = 1500x\n", 4, "MTU value" },
		{ "classes = win\nfoo = bar\n", 2, "unrecognized field 'foo'" },
		{ "classes = win\njust words\n", 2, "unexpected statement" },
		{ "classes = win,unix\n[tcp:request]\nlabel = s:unix:X:y\nsig = *:64:0:*:8192,*:mss::0\n"
		  "label = s:unix:Z:z\n\nsig = *:64:0:*:8192,*:mss::0\n", 7, "already covered by line 4" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fpdb *db = fpdb_new();
		char *err = NULL;
		int rc = fpdb_load_text(db, "t.fp", cases[i].text, strlen(cases[i].text), &err);
		char want[32];
		snprintf(want, sizeof want, "t.fp:%u: ", cases[i].line);
		if (rc != -1 || !err || strncmp(err, want, strlen(want)) ||
		    !strstr(err, cases[i].what))
			fail_msg("case %zu: rc %d, err '%s', want '%s...%s'", i, rc,
				 err ? err : "(none)", want, cases[i].what);
		assert_int_equal(fpdb_count(db), 0);
		free(err);
		fpdb_free(db);
	}
}

static void test_sig_parse_forms(void **state)
{
	(void)state;
	struct fp_sig s;
	const char *why;
	assert_int_equal(fp_sig_parse("4:57+7:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0", &s, &why), 0);
	assert_int_equal(s.ver, 4);
	assert_int_equal(s.ittl, 64);
	assert_int_equal(s.win_type, FP_WIN_MSS);
	assert_int_equal(s.win, 20);
	assert_int_equal(s.nopts, 5);
	assert_int_equal(s.quirks, SYN_Q_DF | SYN_Q_NZ_ID);
	/* "+?" (raw_sig of a far host): the usual initial TTL above */
	assert_int_equal(fp_sig_parse("4:90+?:0:1460:8192,2:mss::0", &s, &why), 0);
	assert_int_equal(s.ittl, 128);
	assert_int_equal(fp_sig_parse("*:64-:0:1460:1024,0:mss::0", &s, &why), 0);
	assert_true(s.bad_ttl);
	assert_int_equal(s.ver, -1);
	assert_int_equal(fp_sig_parse("6:64:0:*:%8,*:mss,?30,eol+3:flow,ecn:+", &s, &why), 0);
	assert_int_equal(s.win_type, FP_WIN_MOD);
	assert_int_equal(s.mss, -1);
	assert_int_equal(s.wscale, -1);
	assert_int_equal(s.olayout[1], 30);
	assert_int_equal(s.olayout[2], TCPOPT_EOL);
	assert_int_equal(s.eol_pad, 3);
	assert_int_equal(s.pclass, 1);
	assert_int_equal(fp_sig_parse("*:64:0:*:mtu*4,0:::*", &s, &why), 0);
	assert_int_equal(s.win_type, FP_WIN_MTU);
	assert_int_equal(s.nopts, 0);
	assert_int_equal(s.pclass, -1);
	assert_int_equal(fp_sig_parse("*:64:0:*:mss*20,7:mss", &s, &why), -1);
	assert_non_null(why);
}

static void test_window_forms(void **state)
{
	(void)state;
	struct fpdb *db = load_small();
	/* mss*N */
	struct syn s = syn_linux(4, 64, 1460, 1460 * 20, 7);
	const struct fp_verdict *v = fp_match(db, &s);
	assert_string_equal(v->label, "Linux 3.11 and newer");
	assert_int_equal(v->kind, FP_EXACT);
	assert_int_equal(v->dist, 0);
	assert_string_equal(v->raw_sig, "4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0");
	assert_string_equal(v->link, "Ethernet or modem");
	assert_int_equal(v->mtu, 1500);

	/* literal */
	static const uint8_t win7[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SOK };
	s = syn_layout(4, 120, 1452, 8192, 8, win7, 6, SYN_Q_DF | SYN_Q_NZ_ID);
	v = fp_match(db, &s);
	assert_string_equal(v->label, "Windows 7 or 8");
	assert_string_equal(v->os_class, "win");
	assert_int_equal(v->dist, 8);
	assert_string_equal(v->link, "DSL");
	assert_string_equal(v->raw_sig, "4:120+8:0:1452:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0");

	/* %N */
	static const uint8_t bsd[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WS, TCPOPT_SOK, TCPOPT_TS };
	s = syn_layout(4, 61, 1400, 3000, 6, bsd, 5, SYN_Q_DF | SYN_Q_NZ_ID);
	v = fp_match(db, &s);
	assert_string_equal(v->label, "FreeBSD mod");
	assert_string_equal(v->link, "???");
	s.win = 3001;
	assert_int_equal(fp_match(db, &s)->kind, FP_NONE);

	/* mtu*N */
	static const uint8_t vms[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WS };
	s = syn_layout(4, 128, 1460, 3000, 0, vms, 3, 0);
	v = fp_match(db, &s);
	assert_string_equal(v->label, "OpenVMS mtu");
	assert_string_equal(v->raw_sig, "4:128+0:0:1460:mtu*2,0:mss,nop,ws::0");
	s.win = 2920;           /* mss*2: not an MTU multiple */
	assert_int_equal(fp_match(db, &s)->kind, FP_NONE);

	/* "*" */
	static const uint8_t any[] = { TCPOPT_MSS, TCPOPT_WS };
	s = syn_layout(6, 250, 1440, 12345, 3, any, 2, 0);
	v = fp_match(db, &s);
	assert_string_equal(v->label, "Anything any");
	assert_int_equal(v->dist, 5);
	assert_int_equal(v->mtu, 1500);
	fpdb_free(db);
}

static void test_fuzzy_ttl_and_quirks(void **state)
{
	(void)state;
	struct fpdb *db = load_small();
	/* 48 hops is past p0f's 35: fuzzy, distance guessed from the TTL */
	static const uint8_t win7[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SOK };
	struct syn s = syn_layout(4, 80, 1460, 8192, 8, win7, 6, SYN_Q_DF | SYN_Q_NZ_ID);
	const struct fp_verdict *v = fp_match(db, &s);
	assert_int_equal(v->kind, FP_FUZZY);
	assert_true(v->fuzzy);
	assert_false(v->generic);
	assert_string_equal(v->label, "Windows 7 or 8");
	assert_int_equal(v->dist, 48);
	assert_string_equal(v->raw_sig, "4:80+?:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0");
	/* TTL above the initial TTL: fuzzy too, distance guessed */
	s.ttl = 130;
	v = fp_match(db, &s);
	assert_int_equal(v->kind, FP_FUZZY);
	assert_int_equal(v->dist, 125);
	assert_string_equal(v->raw_sig, "4:130+?:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0");
	/* the first fuzzy candidate in file order wins: here a generic one */
	s = syn_linux(4, 20, 1460, 1460 * 20, 7);
	v = fp_match(db, &s);
	assert_int_equal(v->kind, FP_FUZZY);
	assert_true(v->generic);
	assert_string_equal(v->label, "Linux generic");
	assert_int_equal(v->dist, 12);
	assert_string_equal(v->raw_sig, "4:20+12:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0");
	/* far TTL gives "+?" */
	s = syn_linux(4, 200, 1460, 1, 7);
	assert_string_equal(fp_match(db, &s)->raw_sig, "4:200+?:0:1460:1,7:mss,sok,ts,nop,ws:df,id+:0");
	/*
	 * 'df' and 'id+' gone, 'ecn' added: fuzzy, and the first fuzzy
	 * candidate in file order wins, here the generic one; another quirk:
	 * no match
	 */
	s = syn_linux(4, 64, 1460, 1460 * 20, 7);
	s.quirks = SYN_Q_ECN;
	v = fp_match(db, &s);
	assert_int_equal(v->kind, FP_FUZZY);
	assert_true(v->generic);
	assert_string_equal(v->label, "Linux generic");
	s.quirks = SYN_Q_DF | SYN_Q_NZ_ID | SYN_Q_PUSH;
	assert_int_equal(fp_match(db, &s)->kind, FP_NONE);
	assert_int_equal(fp_match(db, &s)->dist, 0);
	assert_null(fp_match(db, &s)->label);
	/* a "*" signature drops df/id+ for IPv6: exact */
	s = syn_linux(6, 60, 1440, 1440 * 20, 7);
	v = fp_match(db, &s);
	assert_int_equal(v->kind, FP_EXACT);
	assert_int_equal(v->dist, 4);
	assert_string_equal(v->raw_sig, "6:60+4:0:1440:mss*20,7:mss,sok,ts,nop,ws::0");
	fpdb_free(db);
}

static void test_generic_fallback(void **state)
{
	(void)state;
	struct fpdb *db = load_small();
	/* scale 9 fits no specific signature: the generic one, listed first, wins */
	struct syn s = syn_linux(4, 50, 1460, 1460 * 20, 9);
	const struct fp_verdict *v = fp_match(db, &s);
	assert_int_equal(v->kind, FP_GENERIC);
	assert_true(v->generic);
	assert_false(v->fuzzy);
	assert_string_equal(v->label, "Linux generic");
	assert_int_equal(v->dist, 14);
	/* a specific match beats the generic signature listed before it */
	s.wscale = 7;
	assert_int_equal(fp_match(db, &s)->kind, FP_EXACT);
	assert_string_equal(fp_os_family(fp_match(db, &s)), "Linux");
	fpdb_free(db);
}

static void test_userland_and_names(void **state)
{
	(void)state;
	struct fpdb *db = load_small();
	static const uint8_t mss[] = { TCPOPT_MSS };
	struct syn s = syn_layout(4, 40, 1460, 1024, -1, mss, 1, 0);
	const struct fp_verdict *v = fp_match(db, &s);
	assert_int_equal(v->kind, FP_EXACT);
	assert_true(v->userland);
	assert_true(v->bad_ttl);
	assert_string_equal(v->os_class, "!");
	assert_string_equal(v->label, "NMap SYN scan");
	assert_int_equal(v->dist, 24);
	assert_string_equal(fp_os_family(v), "Other");
	/* TTL above a random-TTL signature: no match */
	s.ttl = 65;
	assert_int_equal(fp_match(db, &s)->kind, FP_NONE);
	/* names keep their first spelling, case-insensitively */
	s = syn_layout(4, 64, 1460, 1234, -1, mss, 1, 0);
	v = fp_match(db, &s);
	assert_int_equal(v->kind, FP_EXACT);
	assert_string_equal(v->label, "Linux lower case");
	/* no MSS: no link */
	s = syn_layout(4, 64, 0, 4321, -1, mss, 1, 0);
	v = fp_match(db, &s);
	assert_null(v->link);
	assert_int_equal(v->mtu, 0);
	assert_string_equal(fp_os_family(v), "Unknown");
	fpdb_free(db);
}

static void test_memoization(void **state)
{
	(void)state;
	struct fpdb *db = load_small();
	struct syn a = syn_linux(4, 64, 1460, 1460 * 20, 7);
	struct syn b = a;
	b.src.family = 4;
	b.src.b[0] = 10;        /* other host, same signature */
	b.sport = 4444;
	b.tsval = 999;
	const struct fp_verdict *va = fp_match(db, &a), *vb = fp_match(db, &b);
	assert_ptr_equal(va, vb);
	assert_int_equal(fp_memo_size(db), 1);
	struct syn c = a;
	c.ttl = 63;
	const struct fp_verdict *vc = fp_match(db, &c);
	assert_ptr_not_equal(va, vc);
	assert_int_equal(fp_memo_size(db), 2);
	assert_int_equal(vc->dist, 1);
	/* the first verdict is intact after many others */
	for (int i = 0; i < 5000; i++) {
		struct syn d = a;
		d.win = (uint16_t)i;
		d.ttl = (uint8_t)(1 + i % 255);
		(void)fp_match(db, &d);
	}
	assert_ptr_equal(fp_match(db, &a), va);
	assert_string_equal(va->label, "Linux 3.11 and newer");
	assert_false(fp_memo_full(db));
	fpdb_free(db);
}

static void test_memo_full(void **state)
{
	(void)state;
	struct fpdb *db = load_small();
	struct syn a = syn_linux(4, 64, 1460, 1460 * 20, 7);
	const struct fp_verdict *va = fp_match(db, &a);
	/* fill the memo with distinct signatures */
	struct syn d = a;
	for (unsigned i = 0; !fp_memo_full(db); i++) {
		d.win = (uint16_t)i;
		d.ttl = (uint8_t)(1 + (i >> 16));
		(void)fp_match(db, &d);
	}
	assert_int_equal(fp_memo_size(db), FP_MEMO_MAX);
	/* memoized verdicts are still served; a new one is computed correctly */
	assert_ptr_equal(fp_match(db, &a), va);
	struct syn n = syn_linux(4, 61, 1460, 1460 * 20, 7);
	const struct fp_verdict *vn = fp_match(db, &n);
	assert_string_equal(vn->label, "Linux 3.11 and newer");
	assert_int_equal(vn->dist, 3);
	assert_int_equal(fp_memo_size(db), FP_MEMO_MAX);
	fpdb_free(db);
}

static void test_multiple_files(void **state)
{
	(void)state;
	struct fpdb *db = load_small();
	size_t n = fpdb_count(db);
	static const char extra[] =
		"[tcp:request]\n"
		"label = s:other:Printer:HP\n"
		"sig = 4:64:0:*:mss*7,0:mss,nop,nop,sok::0\n";
	char *err = NULL;
	assert_int_equal(fpdb_load_text(db, "extra.fp", extra, strlen(extra), &err), 0);
	assert_int_equal(fpdb_count(db), n + 1);
	static const uint8_t lay[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SOK };
	struct syn s = syn_layout(4, 60, 1460, 1460 * 7, -1, lay, 4, 0);
	const struct fp_verdict *v = fp_match(db, &s);
	assert_string_equal(v->label, "Printer HP");
	assert_string_equal(v->entry->file, "extra.fp");
	assert_int_equal(v->entry->line, 3);
	/* a broken later file adds nothing and names its own line */
	static const char broken[] =
		"[tcp:request]\nlabel = s:other:Thing:x\nsig = 4:64:0:*:*,0:mss::0\nsig = 4:64:0:*:*,0:mss:bogus:0\n";
	assert_int_equal(fpdb_load_text(db, "broken.fp", broken, strlen(broken), &err), -1);
	assert_non_null(strstr(err, "broken.fp:4: "));
	free(err);
	assert_int_equal(fpdb_count(db), n + 1);
	/* a duplicate of an earlier file's signature names that file */
	static const char dup[] =
		"[tcp:request]\nlabel = s:other:Again:x\nsig = 4:64:0:*:mss*7,0:mss,nop,nop,sok::0\n";
	err = NULL;
	assert_int_equal(fpdb_load_text(db, "dup.fp", dup, strlen(dup), &err), -1);
	assert_non_null(strstr(err, "dup.fp:3: signature is already covered by extra.fp:3"));
	free(err);
	/* missing file */
	err = NULL;
	assert_int_equal(fpdb_load_file(db, "/nonexistent/p0f.fp", &err), -1);
	assert_non_null(strstr(err, "/nonexistent/p0f.fp"));
	free(err);
	fpdb_free(db);
}

static void test_odd_packets(void **state)
{
	(void)state;
	struct fpdb *db = load_small();
	/* more options than p0f records: 24 kept, 'bad' added */
	struct syn s;
	memset(&s, 0, sizeof s);
	s.ipver = 4;
	s.ttl = 64;
	s.nopts = 30;
	memset(s.olayout, TCPOPT_NOP, 30);
	s.wscale = -1;
	const struct fp_verdict *v = fp_match(db, &s);
	assert_int_equal(v->kind, FP_NONE);
	assert_non_null(strstr(v->raw_sig, ":bad:0"));
	/* unknown option kinds print as ?N; eol+N; payload '+'; the ACK quirk
	 * as packet_parse() sets it (p0f's reading of the field, test_packet.c) */
	static const uint8_t lay[] = { TCPOPT_MSS, 30, TCPOPT_EOL };
	s = syn_layout(6, 64, 1220, 0, -1, lay, 3, SYN_Q_FLOW);
	s.eol_pad = 2;
	s.payload_len = 10;
	s.ack = 0x02000001;
	assert_string_equal(fp_match(db, &s)->raw_sig, "6:64+0:0:1220:0,0:mss,?30,eol+2:flow:+");
	s.quirks |= SYN_Q_NZ_ACK;
	assert_string_equal(fp_match(db, &s)->raw_sig, "6:64+0:0:1220:0,0:mss,?30,eol+2:flow,ack+:+");
	assert_string_equal(fp_kind_name(FP_FUZZY), "fuzzy");
	assert_string_equal(fp_os_family(NULL), "Unknown");
	fpdb_free(db);
}

int main(void)
{
	hash_seed_fixed(42);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_p0f_fp),
		cmocka_unit_test(test_loader_errors),
		cmocka_unit_test(test_sig_parse_forms),
		cmocka_unit_test(test_window_forms),
		cmocka_unit_test(test_fuzzy_ttl_and_quirks),
		cmocka_unit_test(test_generic_fallback),
		cmocka_unit_test(test_userland_and_names),
		cmocka_unit_test(test_memoization),
		cmocka_unit_test(test_memo_full),
		cmocka_unit_test(test_multiple_files),
		cmocka_unit_test(test_odd_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
