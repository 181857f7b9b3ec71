/*
 * fuzz_policy.c - libFuzzer harness for the policy server's input: the
 * bytes are one client's stream, fed to the request parser in chunks whose
 * sizes come from the first byte, and every complete request is decided by
 * an engine with a small LRU (so eviction runs too).
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -Isrc -DMXSENSOR_VERSION='"fuzz"' tests/fuzz/fuzz_policy.c \
 *       $(find src -name '[a-z]*.c' -not -path 'src/cmd*') $(pkg-config --cflags --libs \
 *       libpcap zlib sqlite3 libcares libpsl libmaxminddb) -lm -o build/fuzz_policy
 *   build/fuzz_policy -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "defence/cos.h"
#include "defence/policy.h"
#include "defence/reputation.h"
#include "util/hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cos_config c;
	static struct rep_table *rep;
	static struct policy_engine *e;
	if (!e) {
		hash_seed_fixed(1);
		cos_defaults(&c);
		rep = rep_new(&c, 0);
		rep_finish(rep, &c);
		e = policy_new(&c, rep, 8);
	}
	if (size == 0)
		return 0;
	size_t step = (size_t)data[0] % 64 + 1, off = 1;
	struct policy_parser p;
	policy_parser_init(&p);
	int64_t t = 1;
	while (off < size) {
		size_t used, n = size - off < step ? size - off : step;
		enum policy_feed_rc rc = policy_feed(&p, (const char *)data + off, n, &used);
		if (used > n)
			__builtin_trap();
		off += used;
		if (rc == POLICY_ERROR)
			break;
		if (rc == POLICY_DONE) {
			char out[COS_TEXT_MAX + 32];
			policy_decide(e, &p.req, t += 1000000000LL, out, sizeof out);
			if (strlen(out) >= sizeof out)
				__builtin_trap();
			memset(&p.req, 0, sizeof p.req);
		}
	}
	return 0;
}
