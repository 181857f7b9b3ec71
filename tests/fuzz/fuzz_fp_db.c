/*
 * fuzz_fp_db.c - libFuzzer target for the p0f.fp loader and the matcher.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_fp_db.c src/fingerprint/fp_db.c src/fingerprint/fp_match.c \
 *       src/util/alloc.c src/util/hash.c src/util/log.c -o fuzz_fp_db
 *
 * The input is database text; when it loads, SYN records derived from the
 * same bytes are matched against it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint/fp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fpdb *db = fpdb_new();
	char *err = NULL;
	if (fpdb_load_text(db, "fuzz.fp", (const char *)data, size, &err) == 0) {
		for (size_t off = 0; off + 16 <= size && off < 512; off += 16) {
			const uint8_t *b = data + off;
			struct syn s;
			memset(&s, 0, sizeof s);
			s.ipver = b[0] & 1 ? 6 : 4;
			s.ttl = b[1];
			s.ip_olen = b[2] % 41;
			s.mss = (uint16_t)(b[3] << 8 | b[4]);
			s.win = (uint16_t)(b[5] << 8 | b[6]);
			s.wscale = (int16_t)(b[7] == 255 ? -1 : b[7]);
			s.nopts = b[8] % (SYN_MAX_OPTS + 1);
			for (int i = 0; i < s.nopts; i++)
				s.olayout[i] = data[(off + (size_t)i) % size] % 12;
			s.eol_pad = b[9] % 40;
			s.quirks = (uint32_t)(b[10] | b[11] << 8 | b[12] << 16);
			s.ack = (uint32_t)b[13] << 24;
			s.has_ts = b[14] & 1;
			s.tsval = b[15];
			s.payload_len = b[14] >> 1;
			const struct fp_verdict *v = fp_match(db, &s);
			if (strlen(v->raw_sig) >= FP_RAW_MAX)
				abort();
		}
	}
	free(err);
	fpdb_free(db);
	return 0;
}
