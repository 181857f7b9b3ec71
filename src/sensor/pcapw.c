/*
 * pcapw.c - rotating pcap/pcapng writer with temporary names (see pcapw.h).
 *
 * pcapng blocks written here (draft-ietf-opsawg-pcapng), all little/host
 * endian as the Byte-Order Magic says:
 *
 *   SHB  type 0x0A0D0D0A | len | 0x1A2B3C4D | major 1 | minor 0 |
 *        section length -1 (64 bit) | options | len
 *   IDB  type 1 | len | linktype(16) | reserved(16) | snaplen |
 *        if_name(2) | if_tsresol(9) = 9 | opt_endofopt | len
 *   EPB  type 6 | len | interface id | ts high | ts low | caplen | origlen |
 *        data padded to 32 bits | len
 *
 * Timestamps are in units of 10^-9 s (if_tsresol 9).
 */
#include "sensor/pcapw.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/log.h"
#include "util/path.h"

#define NAME_MAX_LEN 4096

struct pcapw {
	char *pattern;
	enum pcapw_format format;
	uint64_t rotate_size;
	int64_t rotate_ns;
	struct pcapw_iface *ifaces;
	int n_ifaces;

	FILE *f;                  /* open temporary file, or NULL */
	pcap_t *dead;             /* pcap format: libpcap's dump context */
	pcap_dumper_t *dumper;
	char final[NAME_MAX_LEN]; /* name when complete */
	char tmp[NAME_MAX_LEN];   /* ".name.tmp" beside it */
	int64_t slot_end;         /* close at or after this time; 0 = none */
	uint64_t size;            /* bytes in the open file */

	struct pcapw_stats st;
	char err[2 * NAME_MAX_LEN + 256];
};

enum pcapw_format pcapw_format_for(const char *pattern)
{
	size_t n = strlen(pattern);
	return n >= 7 && !strcmp(pattern + n - 7, ".pcapng") ? PCAPW_PCAPNG : PCAPW_PCAP;
}

int pcapw_name(const char *pattern, int64_t t_ns, char *buf, size_t len)
{
	time_t t = (time_t)(t_ns / 1000000000);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return -1;
	size_t n = strftime(buf, len, pattern, &tm);
	return n == 0 ? -1 : 0;
}

struct pcapw *pcapw_new(const struct pcapw_cfg *cfg, char *err, size_t errlen)
{
	char probe[NAME_MAX_LEN];

	if (cfg->n_ifaces < 1) {
		snprintf(err, errlen, "no interface");
		return NULL;
	}
	if (pcapw_name(cfg->pattern, 0, probe, sizeof probe) < 0) {
		snprintf(err, errlen, "file name pattern '%s' gives an empty or too long name",
			 cfg->pattern);
		return NULL;
	}
	if (cfg->format == PCAPW_PCAP)
		for (int i = 1; i < cfg->n_ifaces; i++)
			if (cfg->ifaces[i].dlt != cfg->ifaces[0].dlt) {
				snprintf(err, errlen,
					 "interfaces %s and %s have different link types; "
					 "a pcap file holds one: write pcapng instead",
					 cfg->ifaces[0].name, cfg->ifaces[i].name);
				return NULL;
			}
	struct pcapw *w = xcalloc(1, sizeof *w);
	w->pattern = xstrdup(cfg->pattern);
	w->format = cfg->format;
	w->rotate_size = cfg->rotate_size;
	w->rotate_ns = cfg->rotate_ns;
	w->n_ifaces = cfg->n_ifaces;
	w->ifaces = xcalloc((size_t)cfg->n_ifaces, sizeof *w->ifaces);
	for (int i = 0; i < cfg->n_ifaces; i++) {
		w->ifaces[i] = cfg->ifaces[i];
		w->ifaces[i].name = xstrdup(cfg->ifaces[i].name);
	}
	return w;
}

/* split_name - final name -> directory part length and base part start */
static size_t base_off(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path + 1) : 0;
}

/* name_k - name as it is (k 0), or with ".k" before its extension, into
 * out; false when it does not fit */
static bool name_k(const char *name, unsigned k, char *out, size_t len)
{
	size_t b = base_off(name);
	const char *dot = strrchr(name + b, '.');
	size_t stem = dot && dot != name + b ? (size_t)(dot - name) : strlen(name);
	int n = k == 0 ? snprintf(out, len, "%s", name)
		       : snprintf(out, len, "%.*s.%u%s", (int)stem, name, k, name + stem);
	return n >= 0 && (size_t)n < len;
}

/* pick_names - expand the pattern for t_ns into w->final (unique: .N before
 * the extension when taken) and w->tmp; 0 or -1 */
static int pick_names(struct pcapw *w, int64_t t_ns)
{
	char name[NAME_MAX_LEN];
	if (pcapw_name(w->pattern, t_ns, name, sizeof name) < 0) {
		snprintf(w->err, sizeof w->err, "file name pattern gives no name");
		return -1;
	}
	size_t b = base_off(name);
	for (unsigned k = 0; k < 100000; k++) {
		if (!name_k(name, k, w->final, sizeof w->final))
			break;
		int n = snprintf(w->tmp, sizeof w->tmp, "%.*s.%s.tmp", (int)b, w->final,
				 w->final + b);
		if (n < 0 || (size_t)n >= sizeof w->tmp)
			break;
		if (access(w->final, F_OK) < 0 && errno == ENOENT)
			return 0;
	}
	snprintf(w->err, sizeof w->err, "%s: no free file name", name);
	return -1;
}

/* whole_packets - the packets of the capture open as fd that libpcap
 * reads whole, and the offset just after the last of them; -1 when it is
 * no capture libpcap knows (its reason in err) */
static int64_t whole_packets(int fd, off_t *end, char *err)
{
	int dfd = dup(fd);
	FILE *f = dfd >= 0 ? fdopen(dfd, "rb") : NULL;
	if (!f) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fclose(f);
		return -1;
	}
	int64_t n = 0;
	*end = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		*end = ftello(f);
	}
	pcap_close(p);   /* closes f */
	return n;
}

/* recover_one - a leftover temporary file dir/name (".NAME.tmp"): cut,
 * renamed to NAME; 1 when kept, 0 when not */
static int recover_one(const char *dir, const char *name)
{
	char tmp[NAME_MAX_LEN], final[NAME_MAX_LEN], err[PCAP_ERRBUF_SIZE] = "";
	size_t n = strlen(name);
	if (snprintf(tmp, sizeof tmp, "%s%s", dir, name) >= (int)sizeof tmp ||
	    snprintf(final, sizeof final, "%s%.*s", dir, (int)(n - 5), name + 1) >= (int)sizeof final)
		return 0;
	int fd = open(tmp, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat sb;
	if (fd < 0) {
		warn("%s: left by a capture that did not stop, not read: %s", tmp, strerror(errno));
		return 0;
	}
	/* a capture that runs holds a lock on its file (open_file) */
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		debug("%s: being written, or no file: not a leftover", tmp);
		close(fd);
		return 0;
	}
	off_t end;
	int64_t k = whole_packets(fd, &end, err);
	if (k < 0 && sb.st_size >= 64) {
		warn("%s: left by a capture that did not stop, not a capture libpcap reads (%s):"
		     " left as it is", tmp, err);
		close(fd);
		return 0;
	}
	if (k <= 0) {   /* not even a header, or no whole packet: nothing to keep */
		close(fd);
		if (unlink(tmp) < 0) {
			warn("%s: %s", tmp, strerror(errno));
			return 0;
		}
		info("%s: left by a capture that did not stop, with no whole packet: removed", tmp);
		return 0;
	}
	bool cut = end < sb.st_size;
	if ((cut && ftruncate(fd, end) < 0) || fsync(fd) < 0) {
		warn("%s: left by a capture that did not stop: %s", tmp, strerror(errno));
		close(fd);
		return 0;
	}
	close(fd);
	/* NAME, or NAME.1 ... before the extension when taken (pick_names) */
	char to[NAME_MAX_LEN];
	bool fits = true;
	for (unsigned i = 0; fits && i < 100000; i++)
		if ((fits = name_k(final, i, to, sizeof to)) && access(to, F_OK) != 0)
			break;
	if (!fits || access(to, F_OK) == 0) {
		warn("%s: left by a capture that did not stop: no free name for it", tmp);
		return 0;
	}
	if (rename(tmp, to) < 0) {
		warn("%s: left by a capture that did not stop: not renamed to %s: %s", tmp, to,
		     strerror(errno));
		return 0;
	}
	path_sync_dir(to);
	char cutmsg[96] = "";
	if (cut)
		snprintf(cutmsg, sizeof cutmsg, ", cut after its last whole packet (%lld bytes"
			 " dropped)", (long long)(sb.st_size - end));
	info("%s: left by a capture that did not stop: %lld packets kept as %s%s", tmp,
	     (long long)k, to, cutmsg);
	return 1;
}

int pcapw_recover(const char *pattern, int64_t now_ns)
{
	char name[NAME_MAX_LEN], dir[NAME_MAX_LEN];
	if (pcapw_name(pattern, now_ns, name, sizeof name) < 0)
		return 0;
	size_t b = base_off(name);
	snprintf(dir, sizeof dir, "%.*s", (int)b, name);
	/* what every file name of the pattern begins and ends with: the
	 * literal text before its first conversion, and its extension (".N"
	 * goes before that when a name is taken: pick_names) */
	const char *base = pattern + base_off(pattern);
	const char *ext = strrchr(base, '.'), *conv = strchr(base, '%');
	if (!ext || ext == base || strchr(ext, '%'))
		ext = base + strlen(base);
	size_t head = (size_t)((conv && conv < ext ? conv : ext) - base);
	const char *tail = ext;
	size_t tn = strlen(tail);
	DIR *d = opendir(b ? dir : ".");
	if (!d)
		return 0;   /* no such directory yet: nothing left there */
	int kept = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *f = e->d_name;
		size_t n = strlen(f);
		/* "." NAME ".tmp", NAME = head ... tail */
		if (n < 1 + head + tn + 4 || f[0] != '.' || strcmp(f + n - 4, ".tmp") ||
		    strncmp(f + 1, base, head) || memcmp(f + n - 4 - tn, tail, tn))
			continue;
		kept += recover_one(dir, f);
	}
	closedir(d);
	return kept;
}

/* put - write bytes to the open file, counting them */
static int put(struct pcapw *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n) {
		snprintf(w->err, sizeof w->err, "%s: %s", w->tmp, strerror(errno));
		return -1;
	}
	w->size += n;
	return 0;
}

/* put32, put16 - one number in host byte order (pcapng says which) */
static int put32(struct pcapw *w, uint32_t v) { return put(w, &v, 4); }
static int put16(struct pcapw *w, uint16_t v) { return put(w, &v, 2); }

/* put_opt - one pcapng option (code, value padded to 32 bits) */
static int put_opt(struct pcapw *w, uint16_t code, const void *v, uint16_t len)
{
	static const uint8_t zero[4];
	if (put16(w, code) < 0 || put16(w, len) < 0 || put(w, v, len) < 0)
		return -1;
	return put(w, zero, (4 - len % 4) % 4);
}

/* opt_len - bytes of one option on disk */
static uint32_t opt_len(size_t len) { return 4 + (uint32_t)((len + 3) & ~(size_t)3); }

/* pcapng_head - SHB and one IDB per interface */
static int pcapng_head(struct pcapw *w)
{
	static const char app[] = "mxsensor " MXSENSOR_VERSION;
	uint32_t len = 28 + opt_len(strlen(app)) + 4;
	uint64_t section = UINT64_MAX;
	if (put32(w, 0x0A0D0D0A) < 0 || put32(w, len) < 0 || put32(w, 0x1A2B3C4D) < 0 ||
	    put16(w, 1) < 0 || put16(w, 0) < 0 || put(w, &section, 8) < 0 ||
	    put_opt(w, 4 /* shb_userappl */, app, (uint16_t)strlen(app)) < 0 ||
	    put32(w, 0) < 0 || put32(w, len) < 0)
		return -1;
	for (int i = 0; i < w->n_ifaces; i++) {
		const struct pcapw_iface *ifc = &w->ifaces[i];
		size_t nl = strlen(ifc->name);
		if (nl > 255)
			nl = 255;
		uint8_t tsresol = 9;
		len = 20 + opt_len(nl) + opt_len(1) + 4;
		if (put32(w, 1) < 0 || put32(w, len) < 0 || put16(w, (uint16_t)ifc->dlt) < 0 ||
		    put16(w, 0) < 0 || put32(w, (uint32_t)ifc->snaplen) < 0 ||
		    put_opt(w, 2 /* if_name */, ifc->name, (uint16_t)nl) < 0 ||
		    put_opt(w, 9 /* if_tsresol */, &tsresol, 1) < 0 ||
		    put32(w, 0) < 0 || put32(w, len) < 0)
			return -1;
	}
	return 0;
}

/* open_file - a new temporary file named for t_ns, with its header */
static int open_file(struct pcapw *w, int64_t t_ns)
{
	if (pick_names(w, t_ns) < 0)
		return -1;
	int fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0 || !(w->f = fdopen(fd, "wb"))) {
		snprintf(w->err, sizeof w->err, "%s: %s", w->tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* held while the file is written: another capture's pcapw_recover
	 * leaves it alone (the lock goes with the process) */
	(void)flock(fd, LOCK_EX | LOCK_NB);
	w->size = 0;
	w->slot_end = w->rotate_ns > 0 ? (t_ns / w->rotate_ns + 1) * w->rotate_ns : 0;
	if (w->format == PCAPW_PCAPNG)
		return pcapng_head(w);
	w->dead = pcap_open_dead_with_tstamp_precision(w->ifaces[0].dlt, w->ifaces[0].snaplen,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!w->dead || !(w->dumper = pcap_dump_fopen(w->dead, w->f))) {
		snprintf(w->err, sizeof w->err, "%s: %s", w->tmp,
			 w->dead ? pcap_geterr(w->dead) : "pcap_open_dead failed");
		return -1;
	}
	w->size = 24;
	return 0;
}

/* close_file - flush, fsync, close and rename the open file */
static int close_file(struct pcapw *w)
{
	if (!w->f)
		return 0;
	int rc = 0;
	if (w->dumper) {
		if (pcap_dump_flush(w->dumper) < 0)
			rc = -1;
	} else if (fflush(w->f) != 0) {
		rc = -1;
	}
	if (rc == 0 && fsync(fileno(w->f)) < 0)
		rc = -1;
	if (rc < 0)
		snprintf(w->err, sizeof w->err, "%s: %s", w->tmp, strerror(errno));
	if (w->dumper)
		pcap_dump_close(w->dumper);   /* closes w->f too */
	else if (fclose(w->f) != 0 && rc == 0) {
		snprintf(w->err, sizeof w->err, "%s: %s", w->tmp, strerror(errno));
		rc = -1;
	}
	if (w->dead)
		pcap_close(w->dead);
	w->f = NULL;
	w->dumper = NULL;
	w->dead = NULL;
	if (rc == 0 && rename(w->tmp, w->final) < 0) {
		snprintf(w->err, sizeof w->err, "rename %s -> %s: %s", w->tmp, w->final,
			 strerror(errno));
		rc = -1;
	}
	if (rc == 0) {
		path_sync_dir(w->final);   /* the rename itself durable */
		w->st.files++;
		debug("file done: %s", w->final);
	}
	return rc;
}

int pcapw_write(struct pcapw *w, int ifidx, const struct pcap_pkthdr *h,
		const uint8_t *data)
{
	if (ifidx < 0 || ifidx >= w->n_ifaces)
		BUG("interface index %d", ifidx);
	int64_t t_ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
	if (w->f && w->slot_end && t_ns >= w->slot_end && close_file(w) < 0)
		return -1;
	if (!w->f && open_file(w, t_ns) < 0)
		return -1;
	errno = 0;
	if (w->format == PCAPW_PCAP) {
		pcap_dump((u_char *)w->dumper, h, data);
		w->size += 16 + h->caplen;
	} else {
		uint32_t pad = (4 - h->caplen % 4) % 4;
		uint32_t len = 32 + h->caplen + pad;
		uint64_t ts = (uint64_t)t_ns;
		static const uint8_t zero[4];
		if (put32(w, 6) < 0 || put32(w, len) < 0 || put32(w, (uint32_t)ifidx) < 0 ||
		    put32(w, (uint32_t)(ts >> 32)) < 0 || put32(w, (uint32_t)ts) < 0 ||
		    put32(w, h->caplen) < 0 || put32(w, h->len) < 0 ||
		    put(w, data, h->caplen) < 0 || put(w, zero, pad) < 0 || put32(w, len) < 0)
			return -1;
	}
	if (ferror(w->f)) {
		snprintf(w->err, sizeof w->err, "%s: %s", w->tmp,
			 errno ? strerror(errno) : "write error");
		return -1;
	}
	w->st.packets++;
	w->st.bytes += 16 + h->caplen;
	if (w->rotate_size && w->size >= w->rotate_size)
		return close_file(w);
	return 0;
}

int pcapw_tick(struct pcapw *w, int64_t now_ns)
{
	if (w->f && w->slot_end && now_ns >= w->slot_end)
		return close_file(w);
	return 0;
}

int pcapw_rotate(struct pcapw *w) { return close_file(w); }

int pcapw_flush(struct pcapw *w)
{
	if (!w->f)
		return 0;
	errno = 0;
	int r = w->dumper ? pcap_dump_flush(w->dumper) : fflush(w->f);
	if (r != 0 || ferror(w->f)) {
		snprintf(w->err, sizeof w->err, "%s: %s", w->tmp,
			 errno ? strerror(errno) : "write error");
		return -1;
	}
	return 0;
}

const char *pcapw_current(const struct pcapw *w) { return w->f ? w->final : NULL; }
const struct pcapw_stats *pcapw_get_stats(const struct pcapw *w) { return &w->st; }
const char *pcapw_error(const struct pcapw *w) { return w->err; }

int pcapw_close(struct pcapw *w)
{
	if (!w)
		return 0;
	int rc = close_file(w);
	if (rc < 0)
		error("%s", w->err);
	for (int i = 0; i < w->n_ifaces; i++)
		free((char *)w->ifaces[i].name);
	free(w->ifaces);
	free(w->pattern);
	free(w);
	return rc;
}
