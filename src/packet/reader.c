/*
 * reader.c - pcap/pcapng input through zlib and libpcap.
 *
 * The file (or stdin) is opened with zlib's gzdopen(): gzread() passes
 * non-gzip data through unchanged, so one path serves plain and gzip'd
 * input alike.  The gzFile is wrapped in a FILE* with fopencookie(3) and
 * handed to pcap_fopen_offline_with_tstamp_precision() (nanoseconds).
 *
 * libpcap gives every timestamp in nanoseconds but not what the file
 * itself records.  For pcap the magic, read first, tells (a1b2c3d4 = usec,
 * a1b23c4d = nsec).  pcapng goes to libpcap block by block through the
 * cookie, which notes each interface's if_tsresol and link type and, per
 * packet block, which interface it came from (a FIFO that pcapin_next()
 * pops as libpcap returns the packets in the same order).  libpcap 1.10
 * refuses interfaces whose snapshot length or link type differ from the
 * first one (as in files merged from several captures); the cookie hands
 * it every interface with snaplen 0 and the first link type, and
 * packet_parse() gets each packet's true link type from the FIFO.
 *
 * Trusts nothing in the file: libpcap checks the record framing; the
 * pcapng block walk checks every length before using it and, on anything
 * that does not frame, passes the rest through untouched for libpcap to
 * report; packet contents go to packet_parse().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <zlib.h>

#include "packet/parse.h"
#include "packet/reader.h"
#include "util/alloc.h"

#define NG_MAX_BLOCK (16u << 20)  /* libpcap's own limit; larger: passed through raw */

/* link type and timestamp digits of one pcapng interface or packet */
struct ifinfo {
	int dlt;
	int prec;
};

struct gzcookie {
	gzFile gz;
	bool ng;                /* pcapng: pass whole blocks through ng_block() */
	bool raw;               /* stop looking at blocks: plain pass-through */
	bool be;                /* byte order of the current section */
	uint8_t *buf;           /* bytes ready for libpcap: buf[off..len) */
	size_t len, off, cap;
	struct ifinfo *ifs;     /* interfaces of the current section */
	size_t nif, ifcap;
	int first_dlt;          /* link type of the first interface, or -1 */
	struct ifinfo *fifo;    /* packet blocks read ahead of libpcap */
	size_t fhead, ftail, fcap;
	uint8_t pre[4];         /* the magic, read at open, given out first */
	size_t npre, opre;
};

struct pcapin {
	char *path;
	pcap_t *pc;
	struct gzcookie *ck;    /* owned by the FILE libpcap holds; NULL: plain pcap file */
	int dlt;
	int prec;               /* 6 or 9: pcap magic; pcapng per interface */
	int state;              /* 0 reading, 1 clean end, -1 damaged */
	uint64_t pkt_no;
	struct pcapin_stats st;
	char err[PCAP_ERRBUF_SIZE + 256];
};

/* gz_full - read up to n bytes (fewer only at the end); -1 on error */
static ssize_t gz_full(gzFile gz, uint8_t *dst, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t want = n - done;
		if (want > (1u << 30))
			want = 1u << 30;
		int r = gzread(gz, dst + done, (unsigned)want);
		if (r < 0)
			return done ? (ssize_t)done : -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

/* src_read - the file's bytes: the magic read at open, then gz_full() */
static ssize_t src_read(struct gzcookie *ck, uint8_t *dst, size_t n)
{
	size_t done = 0;
	while (done < n && ck->opre < ck->npre)
		dst[done++] = ck->pre[ck->opre++];
	if (done == n)
		return (ssize_t)done;
	ssize_t r = gz_full(ck->gz, dst + done, n - done);
	if (r < 0)
		return done ? (ssize_t)done : -1;
	return (ssize_t)done + r;
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

static void wr16(uint8_t *p, bool be, uint16_t v)
{
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
	p[be ? 1 : 0] = (uint8_t)v;
}

/* tsresol_prec - 9 when a pcapng if_tsresol value is finer than 1 us */
static int tsresol_prec(uint8_t v)
{
	if (v & 0x80)
		return (v & 0x7f) >= 20 ? 9 : 6;   /* 2^-20 s < 1 us */
	return v > 6 ? 9 : 6;
}

/* fifo_push - remember the interface of a packet block libpcap will return */
static void fifo_push(struct gzcookie *ck, struct ifinfo fi)
{
	if (ck->fhead && ck->fhead == ck->ftail)
		ck->fhead = ck->ftail = 0;
	if (ck->ftail == ck->fcap && ck->fhead > ck->fcap / 2) {
		memmove(ck->fifo, ck->fifo + ck->fhead,
			(ck->ftail - ck->fhead) * sizeof(*ck->fifo));
		ck->ftail -= ck->fhead;
		ck->fhead = 0;
	}
	GROW(ck->fifo, ck->ftail + 1, ck->fcap);
	ck->fifo[ck->ftail++] = fi;
}

/*
 * ng_look - note what a whole pcapng block (pcapng 4.1-4.4) tells us:
 *   block: type(4) total length(4) body total length(4)
 *   SHB body: byte-order magic 1a2b3c4d(4) ...: starts a section
 *   IDB body: linktype(2) reserved(2) snaplen(4) options; option code(2)
 *             length(2) value padded to 4, code 9 = if_tsresol
 *   EPB body: interface(4) ...; PB: interface(2) ...; SPB: interface 0
 * libpcap (1.10) refuses interfaces whose snapshot length or link type
 * differ from the first one; every IDB is rewritten to snaplen 0 (no
 * limit) and the first link type, and the true link type and resolution
 * of each packet are kept here, in block order, for pcapin_next().
 */
static void ng_look(struct gzcookie *ck, uint8_t *b, size_t len)
{
	uint32_t type = rd32(b, ck->be);
	if (type == 0x0a0d0d0a) {
		ck->nif = 0;
		return;
	}
	if (type == 1 && len >= 20) {
		struct ifinfo fi = { rd16(b + 8, ck->be), 6 };
		size_t p = 16, end = len - 4;
		while (p + 4 <= end) {
			uint16_t code = rd16(b + p, ck->be), olen = rd16(b + p + 2, ck->be);
			if (code == 0 || (size_t)olen > end - p - 4)
				break;
			if (code == 9 && olen >= 1)
				fi.prec = tsresol_prec(b[p + 4]);
			p += 4 + (((size_t)olen + 3) & ~(size_t)3);
		}
		if (ck->first_dlt < 0)
			ck->first_dlt = fi.dlt;
		wr16(b + 8, ck->be, (uint16_t)ck->first_dlt);
		memset(b + 12, 0, 4);
		GROW(ck->ifs, ck->nif + 1, ck->ifcap);
		ck->ifs[ck->nif++] = fi;
		return;
	}
	size_t ifid;
	if (type == 6 && len >= 12 + 4)
		ifid = rd32(b + 8, ck->be);
	else if (type == 2 && len >= 12 + 2)
		ifid = rd16(b + 8, ck->be);
	else if (type == 3)
		ifid = 0;
	else
		return;
	struct ifinfo none = { -1, 6 };
	fifo_push(ck, ifid < ck->nif ? ck->ifs[ifid] : none);
}

/* ng_block - read the next pcapng block into ck->buf; 0 at the end.
 * Anything that does not frame as a block is passed on as it is (from
 * then on, raw) for libpcap to report. */
static int ng_block(struct gzcookie *ck)
{
	uint8_t h[12];
	ck->off = ck->len = 0;
	ssize_t n = src_read(ck, h, 8);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	size_t hl = 8;
	if (n == 8 && rd32(h, false) == 0x0a0d0d0a) {
		ssize_t m = src_read(ck, h + 8, 4);
		if (m < 0)
			return -1;
		n += m;
		hl = 12;
		if (m == 4) {
			uint32_t bom = rd32(h + 8, true);
			if (bom == 0x1a2b3c4d)
				ck->be = true;
			else if (bom == 0x4d3c2b1a)
				ck->be = false;
			else
				ck->raw = true;
		}
	}
	GROW(ck->buf, (size_t)n, ck->cap);
	memcpy(ck->buf, h, (size_t)n);
	ck->len = (size_t)n;
	if ((size_t)n < hl || ck->raw)
		return ck->raw = true, 1;
	uint32_t blen = rd32(h + 4, ck->be);
	if (blen < 12 || blen % 4 || blen > NG_MAX_BLOCK) {
		ck->raw = true;
		return 1;
	}
	GROW(ck->buf, blen, ck->cap);
	ssize_t m = src_read(ck, ck->buf + hl, blen - hl);
	if (m < 0)
		return -1;
	ck->len = hl + (size_t)m;
	if (ck->len < blen) {
		ck->raw = true;        /* cut short: libpcap says so */
		return 1;
	}
	ng_look(ck, ck->buf, blen);
	return 1;
}

/* ck_read - fopencookie read: ready bytes, whole pcapng blocks, or gzread() */
static ssize_t ck_read(void *cookie, char *buf, size_t size)
{
	struct gzcookie *ck = cookie;
	size_t done = 0;
	while (done < size) {
		if (ck->off < ck->len) {
			size_t n = ck->len - ck->off;
			if (n > size - done)
				n = size - done;
			memcpy(buf + done, ck->buf + ck->off, n);
			ck->off += n;
			done += n;
			continue;
		}
		if (!ck->ng || ck->raw) {
			ssize_t n = src_read(ck, (uint8_t *)buf + done, size - done);
			if (n < 0)
				break;
			done += (size_t)n;
			break;
		}
		int r = ng_block(ck);
		if (r <= 0)
			break;
	}
	if (done == 0 && gzeof(ck->gz) == 0) {
		int zerr;
		gzerror(ck->gz, &zerr);
		if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
			errno = EIO;
			return -1;
		}
	}
	return (ssize_t)done;
}

/* ck_close - fopencookie close: close the gzFile, free the rest */
static int ck_close(void *cookie)
{
	struct gzcookie *ck = cookie;
	int r = gzclose(ck->gz);
	free(ck->buf);
	free(ck->ifs);
	free(ck->fifo);
	free(ck);
	return r == Z_OK ? 0 : -1;
}

/* ts_ns - seconds + nanoseconds as ns since the epoch; pcapng's 64-bit
 * stamps can lie beyond int64 ns (year 2262): those saturate */
static int64_t ts_ns(int64_t sec, int64_t nsec)
{
	int64_t r;
	if (__builtin_mul_overflow(sec, (int64_t)1000000000, &r) ||
	    __builtin_add_overflow(r, nsec, &r))
		return sec < 0 ? INT64_MIN : INT64_MAX;
	return r;
}

/* plain_pcap - the first four bytes are a pcap magic (either byte order,
 * micro- or nanoseconds) */
static bool plain_pcap(const uint8_t m[4])
{
	uint32_t magic = rd32(m, true);
	return magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d ||
	       magic == 0x4d3cb2a1;
}

/* pcapin_new - the reader over an open pcap_t (ck: the gzip cookie, or
 * NULL for a plain file); closes pc on a link type it cannot parse */
static struct pcapin *pcapin_new(const char *path, pcap_t *pc, struct gzcookie *ck, int prec,
				 char *err, size_t errlen)
{
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
	in->ck = ck;
	return in;
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
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	uint8_t m4[4];
	pcap_t *pc;
	if (!is_stdin && S_ISREG(sb.st_mode) && pread(fd, m4, 4, 0) == 4 && plain_pcap(m4)) {
		/* an uncompressed pcap file: libpcap reads it through an
		 * ordinary FILE, as tcpdump does (a third of the reading cost
		 * of the gzip cookie below, which every other input takes) */
		FILE *f = fdopen(fd, "rb");
		if (!f) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return NULL;
		}
		setvbuf(f, NULL, _IOFBF, 1u << 17);
		/* one thread reads a pcapin at a time: stdio's lock on every
		 * fread (two a packet) is pure cost */
		__fsetlocking(f, FSETLOCKING_BYCALLER);
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		if (!(pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
								    ebuf))) {
			snprintf(err, errlen, "%s: %s", path, ebuf);
			fclose(f);
			return NULL;
		}
		uint32_t magic = rd32(m4, true);
		return pcapin_new(path, pc, NULL,
				  magic == 0xa1b23c4d || magic == 0x4d3cb2a1 ? 9 : 6, err, errlen);
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
	ck->first_dlt = -1;
	ssize_t got = gz_full(gz, ck->pre, 4);
	if (got < 0) {
		int zerr;
		const char *msg = gzerror(gz, &zerr);
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 zerr == Z_ERRNO ? strerror(errno) : msg);
		ck_close(ck);
		return NULL;
	}
	if (got == 0) {
		snprintf(err, errlen, "%s: empty file, not a pcap or pcapng capture", path);
		ck_close(ck);
		return NULL;
	}
	int prec = 6;
	uint32_t magic = got == 4 ? rd32(ck->pre, true) : 0;
	if (magic == 0xa1b23c4d || magic == 0x4d3cb2a1)
		prec = 9;
	ck->npre = (size_t)got;
	ck->ng = magic == 0x0a0d0d0a;   /* the SHB goes through ng_block() */

	cookie_io_functions_t io = { .read = ck_read, .close = ck_close };
	FILE *f = fopencookie(ck, "r", io);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ck_close(ck);
		return NULL;
	}
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!pc) {
		snprintf(err, errlen, "%s: %s", path, ebuf);
		fclose(f);
		return NULL;
	}
	return pcapin_new(path, pc, ck, prec, err, errlen);
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
			int dlt = in->dlt, prec = in->prec;
			struct gzcookie *ck = in->ck;
			if (ck && ck->ng && ck->fhead < ck->ftail) {
				struct ifinfo fi = ck->fifo[ck->fhead++];
				dlt = fi.dlt;
				prec = fi.prec;
			}
			in->pkt_no++;
			in->st.packets++;
			if (!packet_parse(dlt, d, h->caplen, h->len, out, &in->st))
				continue;
			out->ts_ns = ts_ns(h->ts.tv_sec, h->ts.tv_usec);
			out->ts_prec = (uint8_t)prec;
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

bool pcapin_gzipped(const struct pcapin *in)
{
	return in->ck && !gzdirect(in->ck->gz);
}

uint64_t pcapin_offset(const struct pcapin *in)
{
	off_t off = in->ck ? gzoffset(in->ck->gz) : ftello(pcap_file(in->pc));
	return off > 0 ? (uint64_t)off : 0;
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
