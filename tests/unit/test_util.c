/* test_util.c - util/: numbers, wire reader, hashing, allocation helpers,
 * CSV/JSON escaping, output files replaced whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/hash.h"
#include "util/itab.h"
#include "util/log.h"
#include "util/num.h"
#include "util/out.h"
#include "util/replace.h"
#include "util/sort.h"
#include "util/strpool.h"
#include "util/wire.h"

static void test_num_ulong_ranges(void **state)
{
	(void)state;
	unsigned long v = 7;
	assert_int_equal(num_ulong("25", 1, 65535, &v), 0);
	assert_int_equal(v, 25);
	assert_int_equal(num_ulong("0", 1, 65535, &v), -1);
	assert_int_equal(num_ulong("65536", 1, 65535, &v), -1);
	assert_int_equal(num_ulong("-1", 0, 10, &v), -1);
	assert_int_equal(num_ulong("12x", 0, 100, &v), -1);
	assert_int_equal(num_ulong("", 0, 100, &v), -1);
	assert_int_equal(num_ulong("99999999999999999999999", 0, ~0UL, &v), -1);
	assert_int_equal(v, 25);
}

static void test_num_duration(void **state)
{
	(void)state;
	int64_t ns;
	assert_int_equal(num_duration_ns("25", 0, INT64_MAX, &ns), 0);
	assert_true(ns == 25000000000LL);
	assert_int_equal(num_duration_ns("1.5s", 0, INT64_MAX, &ns), 0);
	assert_true(ns == 1500000000LL);
	assert_int_equal(num_duration_ns("300ms", 0, INT64_MAX, &ns), 0);
	assert_true(ns == 300000000LL);
	assert_int_equal(num_duration_ns("2h", 0, INT64_MAX, &ns), 0);
	assert_true(ns == 7200000000000LL);
	assert_int_equal(num_duration_ns("7d", 0, INT64_MAX, &ns), 0);
	assert_int_equal(num_duration_ns("5y", 0, INT64_MAX, &ns), -1);
	assert_int_equal(num_duration_ns("-5", 0, INT64_MAX, &ns), -1);
	assert_int_equal(num_duration_ns("10", 0, 5000000000LL, &ns), -1);
}

static void test_wire_bounds(void **state)
{
	(void)state;
	const uint8_t buf[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	struct wire w = wire_make(buf, sizeof buf);
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;
	assert_true(wire_get_u32(&w, &v32));
	assert_int_equal(v32, 0x12345678);
	assert_false(wire_get_u16(&w, &v16));   /* one byte left */
	assert_int_equal(wire_left(&w), 1);     /* unchanged by the failure */
	assert_true(wire_get_u8(&w, &v8));
	assert_int_equal(v8, 0x9a);
	assert_false(wire_get_u8(&w, &v8));
	assert_false(wire_skip(&w, 1));
	struct wire empty = wire_make(NULL, 0);
	assert_int_equal(wire_left(&empty), 0);
	assert_false(wire_get_u8(&empty, &v8));
	struct wire w2 = wire_make(buf, sizeof buf), sub;
	assert_false(wire_sub(&w2, 6, &sub));
	assert_true(wire_sub(&w2, 2, &sub));
	assert_int_equal(wire_left(&sub), 2);
	assert_int_equal(wire_left(&w2), 3);
}

static void test_hash_seeded(void **state)
{
	(void)state;
	hash_seed_fixed(1);
	uint64_t a = hash_bytes("2001:db8::1", 11);
	assert_true(a == hash_bytes("2001:db8::1", 11));
	assert_true(a != hash_bytes("2001:db8::2", 11));
	hash_seed_fixed(2);
	assert_true(a != hash_bytes("2001:db8::1", 11));
}

static void test_grow(void **state)
{
	(void)state;
	int *v = NULL;
	size_t cap = 0;
	for (int i = 0; i < 1000; i++) {
		GROW(v, (size_t)i + 1, cap);
		v[i] = i;
	}
	assert_true(cap >= 1000);
	assert_int_equal(v[999], 999);
	free(v);
	char *s = xasprintf("%s/%d", "a", 5);
	assert_string_equal(s, "a/5");
	free(s);
}

/* streamed - what out_csv_field (json false) or out_json_str writes */
static char *streamed(const char *in, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (json)
		out_json_str(f, in);
	else
		out_csv_field(f, in);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_out_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in, *csv, *json;
	} c[] = {
		{ "plain", "plain", "\"plain\"" },
		{ "", "", "\"\"" },
		{ "a,b", "\"a,b\"", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"", "\"say \\\"hi\\\"\"" },
		{ "l1\nl2\r", "\"l1\nl2\r\"", "\"l1\\u000al2\\u000d\"" },
		{ "back\\slash\x7f\x01", "back\\slash\x7f\x01", "\"back\\\\slash\\u007f\\u0001\"" },
		{ "caf\xc3\xa9", "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		/* well-formed UTF-8 passes whole: 2, 3 and 4 bytes, the edges */
		{ "\xe2\x82\xac\xf0\x9d\x84\x9e", "\xe2\x82\xac\xf0\x9d\x84\x9e",
		  "\"\xe2\x82\xac\xf0\x9d\x84\x9e\"" },
		{ "\xc2\x80\xed\x9f\xbf\xf4\x8f\xbf\xbf", "\xc2\x80\xed\x9f\xbf\xf4\x8f\xbf\xbf",
		  "\"\xc2\x80\xed\x9f\xbf\xf4\x8f\xbf\xbf\"" },
		/* ill-formed: one U+FFFD per maximal subpart (CSV keeps the bytes) */
		{ "h\xffst", "h\xffst", "\"h\\ufffdst\"" },
		{ "\xc0\xaf", "\xc0\xaf", "\"\\ufffd\\ufffd\"" },          /* overlong */
		{ "\xed\xa0\x80", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" }, /* surrogate */
		{ "\xf4\x90\x80\x80", "\xf4\x90\x80\x80",
		  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },                         /* > U+10FFFF */
		{ "\xe2\x82" "A", "\xe2\x82" "A", "\"\\ufffd" "A\"" },              /* cut short */
		{ "\xf0\x9d\x84", "\xf0\x9d\x84", "\"\\ufffd\"" },        /* ... at the end */
		{ "\x80\xbf", "\x80\xbf", "\"\\ufffd\\ufffd\"" },          /* lone continuations */
		{ "caf\xe9,", "\"caf\xe9,\"", "\"caf\\ufffd,\"" },          /* Latin-1 */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char b[OUT_ESC_MAX(16)];
		assert_int_equal(out_csv_escape(b, c[i].in), strlen(c[i].csv));
		assert_string_equal(b, c[i].csv);
		assert_int_equal(out_json_escape(b, c[i].in), strlen(c[i].json));
		assert_string_equal(b, c[i].json);
		char *sc = streamed(c[i].in, false), *sj = streamed(c[i].in, true);
		assert_string_equal(sc, c[i].csv);
		assert_string_equal(sj, c[i].json);
		free(sc);
		free(sj);
	}
	/* worst case fills OUT_ESC_MAX exactly; long text takes the heap path */
	char in[2001], want[OUT_ESC_MAX(2000)];
	memset(in, '\x1f', 2000);
	in[2000] = '\0';
	assert_int_equal(out_json_escape(want, in), OUT_ESC_MAX(2000) - 1);
	char *got = streamed(in, true);
	assert_string_equal(got, want);
	free(got);
	/* ... and so do 2000 bytes that are each replaced */
	memset(in, '\xff', 2000);
	assert_int_equal(out_json_escape(want, in), OUT_ESC_MAX(2000) - 1);
}

/* sort_inplace and sort_heap against qsort: elements compared on all
 * their bytes, so equal ones are identical and the results must match
 * byte for byte; sizes around the insertion-sort cut-off, many equal
 * keys, runs already in order and in reverse, element sizes 4 to 64 */
static int cmp_bytes_n;
static int cmp_bytes(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)cmp_bytes_n);
}

static void test_sort_inplace(void **state)
{
	(void)state;
	static const size_t ns[] = { 0, 1, 2, 3, 15, 16, 17, 18, 33, 100, 1000, 65537 };
	static const size_t sizes[] = { 4, 12, 24, 64 };
	uint64_t x = 88172645463325252ULL;
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
		size_t size = sizes[si];
		cmp_bytes_n = (int)size;
		for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
			size_t n = ns[ni];
			for (int shape = 0; shape < 5; shape++) {
				unsigned char *a = malloc(n * size + 1), *b = malloc(n * size + 1),
					      *c = malloc(n * size + 1);
				assert_non_null(a);
				for (size_t i = 0; i < n * size; i++) {
					x ^= x << 13; x ^= x >> 7; x ^= x << 17;
					/* shape 1: few distinct values; 4: all equal */
					a[i] = shape == 1 ? (unsigned char)(x % 3)
					       : shape == 4 ? 7 : (unsigned char)x;
				}
				if (shape == 2 || shape == 3) {   /* in order, reversed */
					qsort(a, n, size, cmp_bytes);
					if (shape == 3)
						for (size_t i = 0; i < n / 2; i++)
							for (size_t k = 0; k < size; k++) {
								unsigned char t = a[i * size + k];
								a[i * size + k] = a[(n - 1 - i) * size + k];
								a[(n - 1 - i) * size + k] = t;
							}
				}
				memcpy(b, a, n * size);
				memcpy(c, a, n * size);
				qsort(a, n, size, cmp_bytes);
				sort_inplace(b, n, size, cmp_bytes);
				sort_heap(c, n, size, cmp_bytes);
				if (n && memcmp(a, b, n * size))
					fail_msg("sort_inplace: %zu x %zu bytes, shape %d", n, size, shape);
				if (n && memcmp(a, c, n * size))
					fail_msg("sort_heap: %zu x %zu bytes, shape %d", n, size, shape);
				free(a);
				free(b);
				free(c);
			}
		}
	}
}

/* itab: each element found again through the table's growth, a new key
 * gets an empty slot, a hash that collides everywhere still works */
static uint64_t u32_hash(const void *arr, uint32_t i)
{
	return hash_u64(((const uint32_t *)arr)[i]);
}

static uint64_t u32_hash_same(const void *arr, uint32_t i)
{
	(void)arr;
	(void)i;
	return 7;
}

static bool u32_eq(const void *arr, uint32_t i, const void *key)
{
	return ((const uint32_t *)arr)[i] == *(const uint32_t *)key;
}

static void test_itab(void **state)
{
	(void)state;
	for (int same = 0; same < 2; same++) {
		uint64_t (*h)(const void *, uint32_t) = same ? u32_hash_same : u32_hash;
		struct itab m = { 0 };
		enum { N = 5000 };
		static uint32_t v[N];
		size_t n = 0;
		for (uint32_t round = 0; round < 2; round++)
			for (uint32_t k = 0; k < (same ? 300u : (uint32_t)N); k++) {
				uint32_t key = k * 2654435761u;
				uint32_t *slot = itab_slot(&m, n, same ? 7 : hash_u64(key), v, &key,
							   u32_eq, h);
				if (round) {
					assert_int_equal(*slot, k + 1);
					continue;
				}
				assert_int_equal(*slot, 0);
				v[n] = key;
				*slot = (uint32_t)++n;
			}
		assert_true(m.size * 3 >= n * 4);
		uint32_t missing = 12345;
		assert_int_equal(*itab_slot(&m, n, same ? 7 : hash_u64(missing), v, &missing,
					    u32_eq, h), 0);
		itab_free(&m);
		assert_null(m.t);
	}
}

/* strpool: one index per distinct text, kept across the table's growth */
static void test_strpool(void **state)
{
	(void)state;
	struct strpool p = { 0 };
	char buf[32];
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 1000; i++) {
			snprintf(buf, sizeof buf, "list-%d.example", i);
			assert_int_equal(strpool_id(&p, buf), (uint32_t)i);
		}
	assert_int_equal(p.n, 1000);
	assert_string_equal(strpool_get(&p, 7), "list-7.example");
	assert_int_equal(strpool_id(&p, ""), 1000);
	assert_int_equal(strpool_id(&p, ""), 1000);
	/* texts over many blocks, one bigger than a block, each intact */
	static char big[100000];
	memset(big, 'x', sizeof big - 1);
	assert_int_equal(strpool_id(&p, big), 1001);
	for (int i = 0; i < 20000; i++) {
		snprintf(buf, sizeof buf, "2001:db8::%x:%x", i, i * 7);
		assert_int_equal(strpool_id(&p, buf), (uint32_t)i + 1002);
	}
	assert_int_equal(strpool_id(&p, big), 1001);
	assert_int_equal(strlen(strpool_get(&p, 1001)), sizeof big - 1);
	for (int i = 0; i < 20000; i++) {
		snprintf(buf, sizeof buf, "2001:db8::%x:%x", i, i * 7);
		assert_string_equal(strpool_get(&p, (uint32_t)i + 1002), buf);
	}
	assert_string_equal(strpool_get(&p, 7), "list-7.example");
	assert_string_equal(strpool_get(&p, 1000), "");
	strpool_free(&p);
	assert_int_equal(p.n, 0);
	assert_int_equal(strpool_id(&p, "zen.spamhaus.org"), 0);
	strpool_free(&p);
}

/* log_hold keeps a thread's first error and drops the rest, then lets
 * errors through again; a thread's hold is its own */
struct held {
	char buf[64];
	int rc;
};

static void *hold_thread(void *p)
{
	struct held *h = p;
	log_hold(h->buf, sizeof h->buf);
	h->rc = error("other thread");
	log_hold(NULL, 0);
	return NULL;
}

static void test_log_hold(void **state)
{
	(void)state;
	char buf[16];
	log_hold(buf, sizeof buf);
	assert_int_equal(error("first %d", 1), -1);
	assert_int_equal(error("second"), -1);
	assert_string_equal(buf, "first 1");
	struct held h = { "", 0 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, hold_thread, &h), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_string_equal(h.buf, "other thread");
	assert_int_equal(h.rc, -1);
	assert_string_equal(buf, "first 1");   /* untouched by the other thread */
	error("a message longer than the buffer holds");
	assert_string_equal(buf, "first 1");
	log_hold(NULL, 0);
	log_hold(buf, sizeof buf);
	error("a message longer than the buffer holds");
	assert_string_equal(buf, "a message longe");   /* cut to fit */
	log_hold(NULL, 0);
}

/* entries - the names in dir but . and .., sorted, space-separated */
static void entries(const char *dir, char *buf, size_t len)
{
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort);
	assert_true(n >= 0);
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? " " : "",
				 v[i]->d_name);
		free(v[i]);
	}
	free(v);
}

/* content - the file's text ("" when there is none) */
static void content(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static FILE *(*const openers[2])(struct replace *, const char *) = {
	replace_open, replace_open_named,
};

/* a file replaced whole: nothing under its name until the commit, the old
 * file's mode and a link's target kept, an abort leaving the old file,
 * nothing else left in the directory; with an unnamed file and with a
 * temporary name (the file systems without unnamed files) */
static void test_replace(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	char dir[256], out[300], link[300], got[128], names[256];
	snprintf(dir, sizeof dir, "%s/mxs-replace.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(link, sizeof link, "%s/link", dir);
	mode_t mask = umask(022);
	for (int k = 0; k < 2; k++) {
		struct replace r;
		struct stat st;
		/* a new file */
		FILE *f = openers[k](&r, out);
		assert_non_null(f);
		fputs("new\n", f);
		assert_int_equal(stat(out, &st), -1);
		assert_int_equal(replace_commit(&r), 0);
		content(out, got, sizeof got);
		assert_string_equal(got, "new\n");
		assert_int_equal(stat(out, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		entries(dir, names, sizeof names);
		assert_string_equal(names, "out");
		/* an old one, whose mode stays, seen whole until the commit */
		put(out, "old\n");
		assert_int_equal(chmod(out, 0640), 0);
		assert_non_null(f = openers[k](&r, out));
		fputs("newer\n", f);
		fflush(f);
		content(out, got, sizeof got);
		assert_string_equal(got, "old\n");
		assert_int_equal(replace_commit(&r), 0);
		content(out, got, sizeof got);
		assert_string_equal(got, "newer\n");
		assert_int_equal(stat(out, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0640);
		/* given up: the old file, nothing else */
		assert_non_null(f = openers[k](&r, out));
		fputs("dropped\n", f);
		replace_abort(&r);
		content(out, got, sizeof got);
		assert_string_equal(got, "newer\n");
		entries(dir, names, sizeof names);
		assert_string_equal(names, "out");
		/* through a link: its target replaced, the link kept */
		assert_int_equal(symlink("out", link), 0);
		assert_non_null(f = openers[k](&r, link));
		fputs("linked\n", f);
		assert_int_equal(replace_commit(&r), 0);
		struct stat lst;
		assert_int_equal(lstat(link, &lst), 0);
		assert_true(S_ISLNK(lst.st_mode));
		content(out, got, sizeof got);
		assert_string_equal(got, "linked\n");
		assert_int_equal(unlink(link), 0);
		entries(dir, names, sizeof names);
		assert_string_equal(names, "out");
		/* no regular file: written in place */
		assert_non_null(f = openers[k](&r, "/dev/null"));
		fputs("gone\n", f);
		assert_int_equal(replace_commit(&r), 0);
		assert_int_equal(stat("/dev/null", &st), 0);
		assert_true(S_ISCHR(st.st_mode));
		/* a directory that does not exist: said, nothing open */
		char bad[320], msg[512];
		snprintf(bad, sizeof bad, "%s/no/such", dir);
		log_hold(msg, sizeof msg);
		assert_null(openers[k](&r, bad));
		log_hold(NULL, 0);
		assert_non_null(strstr(msg, bad));
		assert_int_equal(unlink(out), 0);
	}
	umask(mask);
	assert_int_equal(rmdir(dir), 0);
}

/* replaced_in_child - in a child process: how (0: as is, 1: without /proc,
 * in a mount namespace of its own, 2: as nobody), replace dir/out with
 * "child\n"; the child's exit status: 0 when the file then holds it */
static int replaced_in_child(const char *dir, int how)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (how == 1 && (unshare(CLONE_NEWNS) < 0 ||
				 mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
				 umount2("/proc", MNT_DETACH) < 0 || access("/proc/self", F_OK) == 0))
			_exit(10);
		if (how == 2 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(11);
		char out[300], got[64];
		snprintf(out, sizeof out, "%s/out", dir);
		struct replace r;
		FILE *f = replace_open(&r, out);
		if (!f)
			_exit(12);
		fputs("child\n", f);
		if (replace_commit(&r) < 0)
			_exit(13);
		content(out, got, sizeof got);
		_exit(strcmp(got, "child\n") ? 14 : 0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* the unnamed file's ways to a name: by its descriptor (root, also where
 * no /proc is mounted; any user since Linux 6.10) and through /proc (other
 * users on older kernels): as root without /proc, and as nobody */
static void test_replace_link(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	char dir[256], out[300], got[64];
	snprintf(dir, sizeof dir, "%s/mxs-replace.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(out, sizeof out, "%s/out", dir);
	assert_int_equal(replaced_in_child(dir, 0), 0);
	if (geteuid() == 0) {   /* make check runs as root, as its peers need */
		assert_int_equal(replaced_in_child(dir, 1), 0);
		assert_int_equal(unlink(out), 0);
		assert_int_equal(replaced_in_child(dir, 2), 0);
		struct stat st;
		assert_int_equal(stat(out, &st), 0);
		assert_int_equal(st.st_uid, 65534);
	}
	content(out, got, sizeof got);
	assert_string_equal(got, "child\n");
	assert_int_equal(unlink(out), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num_ulong_ranges),
		cmocka_unit_test(test_num_duration),
		cmocka_unit_test(test_wire_bounds),
		cmocka_unit_test(test_hash_seeded),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_out_escape),
		cmocka_unit_test(test_sort_inplace),
		cmocka_unit_test(test_itab),
		cmocka_unit_test(test_strpool),
		cmocka_unit_test(test_log_hold),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_replace_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
