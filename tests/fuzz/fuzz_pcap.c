/*
 * fuzz_pcap.c - libFuzzer harness for a whole capture file: the input is
 * read as a pcap, pcapng or gzip'd file through pcapin_open/pcapin_next
 * (libpcap's reader, our zlib wrapper and pcapng normalisation, then
 * packet_parse on every frame).
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "packet/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("pcap", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64], err[512];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct pcapin *in = pcapin_open(path, err, sizeof err);
	if (in) {
		struct syn s;
		/* bounded: a file yields at most one record per frame */
		for (int i = 0; i < 1000000 && pcapin_next(in, &s) == 1; i++)
			;
		pcapin_close(in);
	}
	close(fd);
	return 0;
}
