/*
 * fuzz_mtalog.c - libFuzzer harness for the MTA log parsers: the input is
 * one log file (any format, a systemd journal export or file too; gzip'd input
 * exercises zlib).
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -Isrc tests/fuzz/fuzz_mtalog.c src/mtalog/mtalog*.c src/addr/addr.c \
 *       src/util/[a-z]*.c -lz -ljson-c -lsystemd -o build/fuzz_mtalog
 *   build/fuzz_mtalog -max_total_time=60 CORPUS_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mtalog/mtalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("mtalog", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64], err[256];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	/* the first byte picks year resolution: a fixed year, a reference,
	 * or the captures' period (a year and a month long) */
	struct mtalog_opts o = { .year = size && (data[0] & 1) ? 2024 : 0,
	                         .ref_ns = 1700000000LL * 1000000000LL,
	                         .ref_end_ns = size && (data[0] & 2) ?
	                                       (1700000000LL + 34128000LL) * 1000000000LL : 0 };
	struct mtalog *m = mtalog_open(path, &o, err, sizeof err);
	if (m) {
		struct mta_event ev;
		while (mtalog_next(m, &ev) > 0) {
			char buf[ADDR_STRLEN];
			addr_format(&ev.addr, buf);
			if (ev.list[sizeof ev.list - 1] || ev.reason[sizeof ev.reason - 1])
				__builtin_trap();
		}
		mtalog_close(m);
	}
	close(fd);
	return 0;
}
