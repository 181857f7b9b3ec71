/*
 * reader.c - pcap/pcapng input through zlib and libpcap.
 *
 * The file (or stdin) is opened with zlib's gzdopen(): gzread() passes
 * non-gzip data through unchanged, so one path serves plain and gzip'd
 * input alike.  The gzFile is wrapped in a FILE* with fopencookie(3) and
 * handed to pcap_fopen_offline_with_tstamp_precision() (nanoseconds).
 *
 * libpcap gives every timestamp in nanoseconds but not what the file
 * itself records, so the first bytes are read ahead (and then served to
 * libpcap from that buffer) to learn it: the pcap magic (a1b2c3d4 = usec,
 * a1b23c4d = nsec) or, for pcapng, the if_tsresol option of the interface
 * blocks in that first part (finer than a microsecond on any = 9 digits).
 *
 * Trusts nothing in the file: libpcap checks the record framing; the
 * read-ahead parser of pcapng blocks checks every length against the
 * buffer; packet contents go to packet_parse().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <zlib.h>

#include "packet/parse.h"
#include "packet/reader.h"
#include "util/alloc.h"

#define PEEK_LEN 65536          /* bytes read ahead for the resolution */

struct gzcookie {
	gzFile gz;
	uint8_t *pre;           /* read-ahead bytes, served first */
	size_t pre_len, pre_off;
};

struct pcapin {
	char *path;
	pcap_t *pc;
	int dlt;
	int prec;               /* 6 or 9 */
	int state;              /* 0 reading, 1 clean end, -1 damaged */
	uint64_t pkt_no;
	struct pcapin_stats st;
	char err[PCAP_ERRBUF_SIZE + 256];
};

/* ck_read - fopencookie read: the read-ahead buffer, then gzread() */
static ssize_t ck_read(void *cookie, char *buf, size_t size)
{
	struct gzcookie *ck = cookie;
	size_t done = 0;
	if (ck->pre_off < ck->pre_len) {
		size_t n = ck->pre_len - ck->pre_off;
		if (n > size)
			n = size;
		memcpy(buf, ck->pre + ck->pre_off, n);
		ck->pre_off += n;
		done = n;
		if (ck->pre_off == ck->pre_len) {
			free(ck->pre);
			ck->pre = NULL;
		}
	}
	while (done < size) {
		size_t want = size - done;
		if (want > (1u << 30))
			want = 1u << 30;
		int n = gzread(ck->gz, buf + done, (unsigned)want);
		if (n < 0) {
			if (done)
				break;
			errno = EIO;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* ck_close - fopencookie close: free the buffer, close the gzFile */
static int ck_close(void *cookie)
{
	struct gzcookie *ck = cookie;
	int r = gzclose(ck->gz);
	free(ck->pre);
	free(ck);
	return r == Z_OK ? 0 : -1;
}

static uint32_t rd32(const uint8_t *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const uint8_t *p, bool be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* tsresol_finer - true when a pcapng if_tsresol value is finer than 1 us */
static bool tsresol_finer(uint8_t v)
{
	if (v & 0x80)
		return (v & 0x7f) >= 20;   /* 2^-20 s < 1 us */
	return v > 6;
}

/*
 * pcapng_prec - walk the blocks in the read-ahead (pcapng 4.1, 4.2):
 *   block: type(4) total length(4) body total length(4)
 *   SHB body: byte-order magic 1a2b3c4d(4) major(2) minor(2) length(8) options
 *   IDB body: linktype(2) reserved(2) snaplen(4) options
 *   option: code(2) length(2) value padded to 4; code 9 = if_tsresol
 */
static int pcapng_prec(const uint8_t *b, size_t n)
{
	size_t o = 0;
	bool be = false;
	int prec = 6;
	while (o + 12 <= n) {
		uint32_t type = rd32(b + o, be);
		if (type == 0x0a0d0d0a) {
			if (o + 12 > n)
				break;
			uint32_t bom = rd32(b + o + 8, true);
			if (bom == 0x1a2b3c4d)
				be = true;
			else if (bom == 0x4d3c2b1a)
				be = false;
			else
				break;
		}
		uint32_t len = rd32(b + o + 4, be);
		if (len < 12 || len % 4 || len > n - o)
			break;
		if (type == 1 && len >= 20) {
			size_t p = o + 16, end = o + len - 4;
			while (p + 4 <= end) {
				uint16_t code = rd16(b + p, be), olen = rd16(b + p + 2, be);
				if (code == 0)
					break;
				if ((size_t)olen > end - p - 4)
					break;
				if (code == 9 && olen >= 1 && tsresol_finer(b[p + 4]))
					prec = 9;
				p += 4 + (((size_t)olen + 3) & ~(size_t)3);
			}
		}
		o += len;
	}
	return prec;
}

/* file_prec - 6 or 9 from the first bytes of the file */
static int file_prec(const uint8_t *b, size_t n)
{
	if (n < 4)
		return 6;
	uint32_t m = rd32(b, true);
	if (m == 0xa1b23c4d || m == 0x4d3cb2a1)
		return 9;
	if (m == 0x0a0d0d0a)
		return pcapng_prec(b, n);
	return 6;
}

struct pcapin *pcapin_open(const char *path, char *err, size_t errlen)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		close(fd);
		return NULL;
	}
	gzFile gz = gzdopen(fd, "rb");
	if (!gz) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno ? errno : ENOMEM));
		close(fd);
		return NULL;
	}
	gzbuffer(gz, 1u << 17);
	struct gzcookie *ck = xcalloc(1, sizeof(*ck));
	ck->gz = gz;
	ck->pre = xmalloc(PEEK_LEN);
	size_t got = 0;
	while (got < PEEK_LEN) {
		int n = gzread(gz, ck->pre + got, (unsigned)(PEEK_LEN - got));
		if (n < 0) {
			int zerr;
			const char *msg = gzerror(gz, &zerr);
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 zerr == Z_ERRNO ? strerror(errno) : msg);
			ck_close(ck);
			return NULL;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0) {
		snprintf(err, errlen, "%s: empty file, not a pcap or pcapng capture", path);
		ck_close(ck);
		return NULL;
	}
	ck->pre_len = got;
	int prec = file_prec(ck->pre, got);

	cookie_io_functions_t io = { .read = ck_read, .close = ck_close };
	FILE *f = fopencookie(ck, "r", io);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ck_close(ck);
		return NULL;
	}
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!pc) {
		snprintf(err, errlen, "%s: %s", path, ebuf);
		fclose(f);
		return NULL;
	}
	int dlt = pcap_datalink(pc);
	if (!packet_dlt_supported(dlt)) {
		snprintf(err, errlen, "%s: unsupported link type %s (%d)", path,
			 packet_dlt_name(dlt), dlt);
		pcap_close(pc);
		return NULL;
	}
	struct pcapin *in = xcalloc(1, sizeof(*in));
	in->path = xstrdup(path);
	in->pc = pc;
	in->dlt = dlt;
	in->prec = prec;
	return in;
}

int pcapin_next(struct pcapin *in, struct syn *out)
{
	if (in->state)
		return in->state > 0 ? 0 : -1;
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int r = pcap_next_ex(in->pc, &h, &d);
		if (r == 1) {
			in->pkt_no++;
			in->st.packets++;
			if (!packet_parse(in->dlt, d, h->caplen, h->len, out, &in->st))
				continue;
			out->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
			out->ts_prec = (uint8_t)in->prec;
			out->pkt_no = in->pkt_no;
			return 1;
		}
		if (r == PCAP_ERROR_BREAK) {
			in->state = 1;
			return 0;
		}
		snprintf(in->err, sizeof(in->err), "%s: packet %llu: %s", in->path,
			 (unsigned long long)in->pkt_no + 1,
			 r == 0 ? "no packet" : pcap_geterr(in->pc));
		in->state = -1;
		return -1;
	}
}

const char *pcapin_error(const struct pcapin *in)
{
	return in->err;
}

const struct pcapin_stats *pcapin_get_stats(const struct pcapin *in)
{
	return &in->st;
}

const char *pcapin_path(const struct pcapin *in)
{
	return in->path;
}

int pcapin_dlt(const struct pcapin *in)
{
	return in->dlt;
}

int pcapin_ts_prec(const struct pcapin *in)
{
	return in->prec;
}

void pcapin_close(struct pcapin *in)
{
	if (!in)
		return;
	pcap_close(in->pc);
	free(in->path);
	free(in);
}
