/*
 * fuzz_packet.c - libFuzzer harness for packet_parse(): one captured frame
 * of any link type mxsensor decodes -> SYN record.
 *
 * Input: byte 0 picks the link type (index into the supported DLTs),
 * byte 1 how much shorter than captured the wire length claims to be
 * (lying lengths), the rest is the frame.  Seeds: frames of the corpus
 * captures with that prefix (tests/fuzz/run writes them).
 */
#include <stdint.h>
#include <string.h>

#include <pcap/dlt.h>

#include "packet/parse.h"
#include "packet/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
	DLT_EN10MB, 12, 14, 101, DLT_IPV4, DLT_IPV6, DLT_NULL, 108,
	DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_PPP, DLT_PPP_WITH_DIR, DLT_PPP_SERIAL,
	DLT_C_HDLC, DLT_C_HDLC_WITH_DIR, DLT_NFLOG, DLT_IPOIB, DLT_IEEE802_11,
	DLT_IEEE802_11_RADIO, DLT_ARCNET_LINUX,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int dlt = dlts[data[0] % (sizeof dlts / sizeof *dlts)];
	if (!packet_dlt_supported(dlt))
		return 0;
	size_t caplen = size - 2;
	/* the frame in its own allocation, so ASan sees any read past it */
	uint8_t *frame = caplen ? __builtin_malloc(caplen) : NULL;
	if (caplen)
		memcpy(frame, data + 2, caplen);
	size_t less = data[1];
	size_t wirelen = data[1] & 0x80 ? caplen + (less & 0x7f) * 97 : (caplen > less ? caplen - less : 0);
	struct syn s;
	struct pcapin_stats st;
	memset(&st, 0, sizeof st);
	packet_parse(dlt, frame, caplen, wirelen, &s, &st);
	__builtin_free(frame);
	return 0;
}
