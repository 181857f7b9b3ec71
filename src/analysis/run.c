/*
 * run.c - the analysis pipeline (see run.h).
 */
#include "analysis/run.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr/classify.h"
#include "analysis/attempt.h"
#include "analysis/mtasum.h"
#include "fingerprint/fp.h"
#include "mtalog/mtalog.h"
#include "packet/reader.h"
#include "sensor/smtplog.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/path.h"
#include "util/spill.h"
#include <sys/statvfs.h>
#include <time.h>
#include <zlib.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push(char ***list, size_t *n, size_t *cap, char *s)
{
	GROW(*list, *n + 1, *cap);
	(*list)[(*n)++] = s;
}

struct file_id {
	dev_t dev;
	ino_t ino;
	size_t i;       /* its place in the list */
};

static int cmp_file_id(const void *a, const void *b)
{
	const struct file_id *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void analysis_dedupe_inputs(char **list, size_t *n, const char *what)
{
	struct file_id *v = xcalloc(*n ? *n : 1, sizeof *v);
	size_t m = 0;
	for (size_t i = 0; i < *n; i++) {
		struct stat sb;
		if (strcmp(list[i], "-") && stat(list[i], &sb) == 0)
			v[m++] = (struct file_id){ sb.st_dev, sb.st_ino, i };
	}
	qsort(v, m, sizeof *v, cmp_file_id);
	/* in each run of one file (sorted by place), all but the first go */
	bool *drop = xcalloc(*n ? *n : 1, sizeof *drop);
	for (size_t k = 1, first = 0; k < m; k++) {
		if (v[k].dev != v[first].dev || v[k].ino != v[first].ino) {
			first = k;
			continue;
		}
		if (!strcmp(list[v[k].i], list[v[first].i]))
			warn("%s: %s given twice: read once", list[v[k].i], what);
		else
			warn("%s: the same %s as %s: read once", list[v[k].i], what,
			     list[v[first].i]);
		drop[v[k].i] = true;
	}
	size_t w = 0;
	for (size_t i = 0; i < *n; i++) {
		if (drop[i])
			free(list[i]);
		else
			list[w++] = list[i];
	}
	*n = w;
	free(drop);
	free(v);
}

int analysis_expand_inputs(const char *path, char ***list, size_t *n, size_t *cap)
{
	struct stat sb;
	if (!strcmp(path, "-") || stat(path, &sb) == 0) {
		if (strcmp(path, "-") && S_ISDIR(sb.st_mode)) {
			DIR *d = opendir(path);
			if (!d)
				return error("%s: cannot read directory", path);
			size_t first = *n;
			struct dirent *e;
			while ((e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				size_t pl = strlen(path);
				char *p = xasprintf("%s%s%s", path,
						    pl && path[pl - 1] == '/' ? "" : "/", e->d_name);
				struct stat fs;
				if (stat(p, &fs) == 0 && S_ISREG(fs.st_mode))
					push(list, n, cap, p);
				else
					free(p);
			}
			closedir(d);
			if (*n == first)   /* else "no capture given", or nothing said */
				return error("%s: no files in this directory", path);
			qsort(*list + first, *n - first, sizeof **list, cmp_str);
			return 0;
		}
		push(list, n, cap, xstrdup(path));
		return 0;
	}
	glob_t g;
	int rc = glob(path, GLOB_ERR, NULL, &g);
	if (rc == GLOB_NOMATCH)
		return error("%s: no such file", path);
	if (rc != 0)
		return error("%s: cannot expand", path);
	for (size_t i = 0; i < g.gl_pathc; i++)
		push(list, n, cap, xstrdup(g.gl_pathv[i]));
	globfree(&g);
	return 0;
}

/* --- input records held back while the log thread owns the store --- */

struct input_row {
	const char *kind;           /* static */
	char *path, *note;
	uint64_t records, errors;
};

/* struct inputs - store_add_input, or, while `held` (the MTA logs are
 * read on their own thread, which alone writes to the store meanwhile),
 * the same rows kept in order for inputs_release */
struct inputs {
	bool held;
	struct input_row *v;
	size_t n, cap;
};

static void inputs_add(struct inputs *in, struct store *st, const char *kind, const char *path,
		       uint64_t records, uint64_t errors, const char *note)
{
	if (!in->held) {
		store_add_input(st, kind, path, records, errors, note);
		return;
	}
	GROW(in->v, in->n + 1, in->cap);
	in->v[in->n++] = (struct input_row){ kind, xstrdup(path), note ? xstrdup(note) : NULL,
					     records, errors };
}

/* inputs_release - write the held rows (when st is not NULL) and free them */
static void inputs_release(struct inputs *in, struct store *st)
{
	for (size_t i = 0; i < in->n; i++) {
		struct input_row *r = &in->v[i];
		if (st)
			store_add_input(st, r->kind, r->path, r->records, r->errors, r->note);
		free(r->path);
		free(r->note);
	}
	free(in->v);
	*in = (struct inputs){ 0 };
}

/* --- time merge over capture files --- */

struct src {
	const char *path;
	struct pcapin *in;
	struct syn next;
	bool have;          /* next holds a SYN */
	int64_t first_ns;   /* first SYN time, from the peek */
	uint64_t size;      /* the file's bytes (0: standard input) */
	bool gz;            /* gzip'd */
	bool done;
};

struct merge {
	struct src *v;
	size_t n;
	size_t pending;     /* v[pending..] not opened yet (sorted by first_ns) */
	size_t *heap;       /* indexes of open sources with a SYN, min-heap on time */
	size_t nheap;
	unsigned errors;
	uint64_t total;     /* bytes of all files */
	uint64_t read;      /* ... of those read to their end */
	double raw;         /* their pcap bytes, a gzip'd file's guessed (room_check) */
	struct analysis_summary *sum;
	struct store *st;
	struct inputs *inputs;
};

static bool src_less(const struct merge *m, size_t a, size_t b)
{
	const struct src *x = &m->v[a], *y = &m->v[b];
	if (x->next.ts_ns != y->next.ts_ns)
		return x->next.ts_ns < y->next.ts_ns;
	return a < b;   /* stable across files: the order given */
}

static void heap_up(struct merge *m, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!src_less(m, m->heap[i], m->heap[p]))
			break;
		size_t t = m->heap[i];
		m->heap[i] = m->heap[p];
		m->heap[p] = t;
		i = p;
	}
}

static void heap_down(struct merge *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, s = i;
		if (l < m->nheap && src_less(m, m->heap[l], m->heap[s]))
			s = l;
		if (r < m->nheap && src_less(m, m->heap[r], m->heap[s]))
			s = r;
		if (s == i)
			return;
		size_t t = m->heap[i];
		m->heap[i] = m->heap[s];
		m->heap[s] = t;
		i = s;
	}
}

static void src_finish(struct merge *m, struct src *s, int rc)
{
	if (rc < 0) {
		error("%s", pcapin_error(s->in));
		m->errors++;
	}
	const struct pcapin_stats *ps = pcapin_get_stats(s->in);
	m->sum->packets += ps->packets;
	inputs_add(m->inputs, m->st, "pcap", s->path, ps->syns, rc < 0,
		   rc < 0 ? pcapin_error(s->in) : NULL);
	pcapin_close(s->in);
	s->in = NULL;
	s->have = false;
	s->done = true;
	m->read += s->size;
}

/* src_advance - read the next SYN of s; false at the end */
static bool src_advance(struct merge *m, struct src *s)
{
	int rc = pcapin_next(s->in, &s->next);
	if (rc == 1)
		return (s->have = true);
	src_finish(m, s, rc);
	return false;
}

static int cmp_first(const void *a, const void *b)
{
	const struct src *x = a, *y = b;
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return 0;
}

/* gz_raw - the pcap bytes of a gzip'd capture of csize bytes: its
 * trailer's ISIZE, the size modulo 2^32 (of its last member), with as
 * many 2^32 added as put it nearest the synthetic traces' ratio of 3.4
 * among those a capture gives (0.99 to 100 times csize; deflate can do
 * 1032, on nothing but zeros; the example capture of SYNs compresses 5.9
 * times); 3.4 times csize when the trailer cannot be read or fits none
 * of them (several members, the last one small) */
static double gz_raw(const char *path, uint64_t csize)
{
	const double wrap = 4294967296.0, guess = 3.4 * (double)csize;
	unsigned char t[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool got = fd >= 0 && csize >= 18 && pread(fd, t, 4, (off_t)csize - 4) == 4;
	if (fd >= 0)
		close(fd);
	if (!got)
		return guess;
	double best = 0, v = (double)((uint32_t)t[0] | (uint32_t)t[1] << 8 |
				      (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24);
	for (; v <= 100.0 * (double)csize; v += wrap)
		if (v >= 0.99 * (double)csize && (best == 0 || fabs(log(v / guess)) <
						  fabs(log(best / guess))))
			best = v;
	return best ? best : guess;
}

/* merge_init - peek every file's first SYN; files stay closed until the
 * merge needs them (stdin cannot be read twice, so it stays open); the
 * earliest first SYN, and in *latest the latest one (0: none) */
static int64_t merge_init(struct merge *m, const char *const *paths, size_t n,
			  int64_t *latest)
{
	*latest = 0;
	m->v = xcalloc(n ? n : 1, sizeof *m->v);
	m->heap = xcalloc(n ? n : 1, sizeof *m->heap);
	int64_t start = INT64_MAX;
	for (size_t i = 0; i < n; i++) {
		char err[512];
		struct src *s = &m->v[m->n];
		s->path = paths[i];
		s->in = pcapin_open(paths[i], err, sizeof err);
		if (!s->in) {
			error("%s", err);
			m->errors++;
			inputs_add(m->inputs, m->st, "pcap", paths[i], 0, 1, err);
			continue;
		}
		m->n++;
		struct stat sb;
		if (strcmp(paths[i], "-") && stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode))
			m->total += s->size = (uint64_t)sb.st_size;
		s->gz = pcapin_gzipped(s->in);
		m->raw += s->gz ? gz_raw(paths[i], s->size) : (double)s->size;
		int rc = pcapin_next(s->in, &s->next);
		if (rc != 1) {
			src_finish(m, s, rc);    /* no SYN at all: read completely */
			s->first_ns = INT64_MIN;
			continue;
		}
		s->have = true;
		s->first_ns = s->next.ts_ns;
		if (s->first_ns < start)
			start = s->first_ns;
		if (s->first_ns > *latest)
			*latest = s->first_ns;
		if (strcmp(paths[i], "-") != 0) {
			pcapin_close(s->in);     /* a peek: read again when needed */
			s->in = NULL;
			s->have = false;
		}
	}
	qsort(m->v, m->n, sizeof *m->v, cmp_first);
	/* two files that begin with the very same SYN are one capture twice
	 * (a copy elsewhere, the file beside its .gz): read twice, every
	 * attempt would have twice its SYNs.  Said, not dropped: which one
	 * is whole is not known here */
	for (size_t i = 1; i < m->n; i++) {
		if (m->v[i].first_ns == INT64_MIN)
			continue;   /* no SYN in it */
		for (size_t j = i; j-- > 0 && m->v[j].first_ns == m->v[i].first_ns;) {
			const struct syn *a = &m->v[i].next, *b = &m->v[j].next;
			if (a->sport == b->sport && a->seq == b->seq && addr_eq(&a->src, &b->src) &&
			    addr_eq(&a->dst, &b->dst)) {
				warn("%s begins with the same SYN as %s: the same capture twice?"
				     " (both are read)", m->v[i].path, m->v[j].path);
				break;
			}
		}
	}
	m->pending = 0;
	while (m->pending < m->n && m->v[m->pending].done)
		m->pending++;
	return start == INT64_MAX ? 0 : start;
}

/* merge_activate - open the next pending file and put it on the heap */
static void merge_activate(struct merge *m)
{
	struct src *s = &m->v[m->pending++];
	if (!s->in) {
		char err[512];
		s->in = pcapin_open(s->path, err, sizeof err);
		if (!s->in) {
			error("%s", err);
			m->errors++;
			s->done = true;
			m->read += s->size;
			return;
		}
		if (!src_advance(m, s))
			return;
	}
	size_t idx = (size_t)(s - m->v);
	m->heap[m->nheap++] = idx;
	heap_up(m, m->nheap - 1);
}

/* merge_next - the earliest SYN over all files; false when all are done */
static bool merge_next(struct merge *m, struct syn *out)
{
	for (;;) {
		/* open every file that starts no later than the current minimum */
		while (m->pending < m->n &&
		       (m->nheap == 0 ||
			m->v[m->pending].first_ns <= m->v[m->heap[0]].next.ts_ns))
			merge_activate(m);
		if (m->nheap == 0)
			return false;
		struct src *s = &m->v[m->heap[0]];
		*out = s->next;
		if (src_advance(m, s)) {
			heap_down(m, 0);
		} else {
			m->heap[0] = m->heap[--m->nheap];
			if (m->nheap)
				heap_down(m, 0);
		}
		return true;
	}
}

/* merge_done - the share of the captures' bytes read so far (0 to 1;
 * -1: not known, standard input) */
static double merge_done(const struct merge *m)
{
	if (!m->total)
		return -1;
	uint64_t read = m->read;
	for (size_t i = 0; i < m->nheap; i++) {
		const struct src *s = &m->v[m->heap[i]];
		uint64_t off = pcapin_offset(s->in);
		read += off < s->size ? off : s->size;
	}
	return read >= m->total ? 1.0 : (double)read / (double)m->total;
}

static void merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->n; i++)
		pcapin_close(m->v[i].in);
	free(m->v);
	free(m->heap);
}

/* --- the pipeline --- */

struct pipe {
	const struct analysis_opts *o;
	struct smtplog *smtp;
	struct store *st;
	struct assoc *assoc;
	struct decider *dec;
	struct analysis_summary *sum;
	int err;
};

static void on_attempt(const struct attempt *a0, void *arg)
{
	struct pipe *p = arg;
	struct attempt a = *a0;
	if (p->smtp)
		a.ehlo = smtplog_ehlo(p->smtp, &a.src, a.sport);
	if (a.src.family == 6)
		a.emb_kind = (uint8_t)assoc_emb_embedded(&a.src, &a.emb4);
	p->sum->attempts[a.src.family == 6]++;
	if (decider_attempt(p->dec, &a) < 0)
		p->err = -1;
	assoc_add(p->assoc, &a);
}

static void on_cand(const struct assoc_cand *c, const struct attempt *a6,
		    const struct attempt *a4, void *arg)
{
	struct pipe *p = arg;
	if (decider_cand(p->dec, c, a6, a4) < 0)
		p->err = -1;
}

/* --- MTA log outcomes, added up per (address, kind, list): mtasum.h --- */

static int mta_row(const struct mta_sum_row *r, void *arg)
{
	return store_add_mta_event(arg, r->a, mtalog_kind_name(r->kind), r->list, r->first_ns,
				   r->last_ns, r->count, r->format) < 0 ? -1 : 0;
}

/* first_line - the first line of a plain or gzip'd file, malloc'd; NULL
 * for none, for standard input (it cannot be read twice), or for a
 * systemd journal file (binary: its "line" may end within the header that
 * every journal file shares) */
static char *first_line(const char *path)
{
	if (!strcmp(path, "-"))
		return NULL;
	gzFile z = gzopen(path, "rb");
	if (!z)
		return NULL;
	char buf[1024];
	char *r = gzgets(z, buf, sizeof buf) && buf[0] && strncmp(buf, MTALOG_JOURNAL_MAGIC, 8) ?
		  xstrdup(buf) : NULL;
	gzclose(z);
	return r;
}

/* read_logs - every MTA log into the store; *lines (when not NULL) the
 * lines read so far, for the progress of a run that waits for them */
static int read_logs(const struct analysis_opts *o, struct store *st, int64_t ref_ns,
		     int64_t ref_end_ns, struct analysis_summary *sum, _Atomic uint64_t *lines)
{
	struct mta_sum *agg = mta_sum_new(0);
	int ret = 0;
	struct mtalog_opts mo = { .year = o->year, .ref_ns = ref_ns, .ref_end_ns = ref_end_ns,
				  .strict = o->strict };
	/* two logs that begin with the very same line are one log twice (a
	 * copy, the file beside its .gz): every rejection would count twice
	 * in the listings and the reputation's evidence.  Said, not dropped:
	 * which one is whole is not known here */
	char **firsts = xcalloc(o->nlogs ? o->nlogs : 1, sizeof *firsts);
	for (size_t i = 0; i < o->nlogs; i++) {
		firsts[i] = first_line(o->logs[i]);
		for (size_t j = 0; firsts[i] && j < i; j++)
			if (firsts[j] && !strcmp(firsts[i], firsts[j])) {
				warn("%s begins with the same line as %s: the same log twice?"
				     " (both are read)", o->logs[i], o->logs[j]);
				break;
			}
	}
	for (size_t i = 0; i < o->nlogs; i++)
		free(firsts[i]);
	free(firsts);
	for (size_t i = 0; i < o->nlogs; i++) {
		char err[512];
		struct mtalog *m = mtalog_open(o->logs[i], &mo, err, sizeof err);
		if (!m) {
			error("%s", err);
			sum->input_errors++;
			store_add_input(st, "mta-log", o->logs[i], 0, 1, err);
			continue;
		}
		sum->logs_opened++;
		struct mta_event ev;
		int rc;
		uint64_t n = 0, events = 0;
		uint64_t before = sum->log_lines;
		while ((rc = mtalog_next(m, &ev)) == 1) {
			if (o->stop && *o->stop)
				break;
			if (lines && (events++ & 0x3fff) == 0)
				atomic_store_explicit(lines, before + mtalog_get_stats(m)->lines,
						      memory_order_relaxed);
			if (ev.kind == MTA_CONNECT)
				continue;   /* counted by the parser; not stored */
			n++;
			if ((ret = mta_sum_add(agg, &ev)) < 0)
				break;
		}
		const struct mtalog_stats *ms = mtalog_get_stats(m);
		sum->log_lines += ms->lines;
		sum->dnsbl_events += ms->dnsbl;
		sum->other_rejects += ms->other_reject;
		sum->unparsed_rejects += ms->unparsed_reject;
		char note[160];
		const char *jk = mtalog_journal_kind(m);
		snprintf(note, sizeof note, "format=%s%s%s dnsbl=%" PRIu64 " other=%" PRIu64
			 " unparsed=%" PRIu64, mtalog_format(m), jk ? " journal=" : "", jk ? jk : "",
			 ms->dnsbl, ms->other_reject, ms->unparsed_reject);
		if (rc < 0)
			sum->input_errors++;
		store_add_input(st, "mta-log", o->logs[i], n, rc < 0, note);
		mtalog_close(m);
		if (ret < 0)
			break;
	}
	if (ret == 0)
		ret = mta_sum_each(agg, mta_row, st);
	mta_sum_free(agg);
	return ret;
}

/* struct logs_job - read_logs on its own thread, beside the capture pass
 * (which needs nothing from the logs: labels join the hosts afterwards);
 * until it is joined, it alone writes to the store */
struct logs_job {
	const struct analysis_opts *o;
	struct store *st;
	int64_t ref_ns, ref_end_ns;   /* the captures' period (year resolution) */
	struct analysis_summary sum;   /* its own counters, added when joined */
	int rc;
	double secs;
	pthread_t th;
	bool running;
	_Atomic uint64_t lines;        /* read so far (progress) */
};

static void *logs_run(void *arg)
{
	struct logs_job *j = arg;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	j->rc = read_logs(j->o, j->st, j->ref_ns, j->ref_end_ns, &j->sum, &j->lines);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	j->secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return NULL;
}

/* logs_start - the thread, or (when none can be made) the logs read here */
static void logs_start(struct logs_job *j, struct inputs *held)
{
	if (pthread_create(&j->th, NULL, logs_run, j) == 0) {
		j->running = true;
		held->held = true;
	} else {
		logs_run(j);
	}
}

/* logs_join - wait for the logs, add their counters; then the held input
 * rows go to the store after theirs (the order of a run without the
 * thread); their result: 0 or -1 */
static int logs_join(struct logs_job *j, struct inputs *held, struct analysis_summary *sum)
{
	/* logs that outlast the capture pass (a year of them, or a journal's
	 * JSON, which reads some 9 times slower than syslog text) are said
	 * while the run waits, so that it does not look stuck */
	if (j->running && j->o->progress) {
		bool said = false;
		int r = pthread_tryjoin_np(j->th, NULL);
		while (r != 0 && !(j->o->stop && *j->o->stop)) {
			fprintf(stderr, "\rmxsensor: waiting for the MTA logs: %" PRIu64 " lines read",
				atomic_load_explicit(&j->lines, memory_order_relaxed));
			said = true;
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 500000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			r = pthread_timedjoin_np(j->th, NULL, &ts);
		}
		if (r == 0)
			j->running = false;
		if (said)
			fputc('\n', stderr);
	}
	if (j->running)
		pthread_join(j->th, NULL);
	j->running = false;
	sum->log_lines += j->sum.log_lines;
	sum->dnsbl_events += j->sum.dnsbl_events;
	sum->other_rejects += j->sum.other_rejects;
	sum->unparsed_rejects += j->sum.unparsed_rejects;
	sum->input_errors += j->sum.input_errors;
	sum->logs_opened += j->sum.logs_opened;
	debug("MTA logs, read beside the capture pass: %.3f s", j->secs);
	inputs_release(held, j->rc < 0 ? NULL : j->st);
	return j->rc;
}

static bool to_sensor(const struct analysis_opts *o, const struct syn *s)
{
	if (s->dport != o->port)
		return false;
	if (!o->nsensor)
		return true;
	for (size_t i = 0; i < o->nsensor; i++)
		if (addr_eq(&o->sensor[i], &s->dst))
			return true;
	return false;
}

/* phase - log the wall and CPU time a phase took (debug level: analyze -v) */
static void phase(const char *what, struct timespec t0[2])
{
	struct timespec t1[2];
	clock_gettime(CLOCK_MONOTONIC, &t1[0]);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1[1]);
	double d[2];
	for (int i = 0; i < 2; i++)
		d[i] = (double)(t1[i].tv_sec - t0[i].tv_sec) +
		       (double)(t1[i].tv_nsec - t0[i].tv_nsec) / 1e9;
	debug("%s: %.3f s (%.3f s CPU)", what, d[0], d[1]);
	t0[0] = t1[0];
	t0[1] = t1[1];
}

/* store_stopped - after a store call failed: 0 and an interrupted run
 * when a signal made it fail (store_set_stop), else -1 */
static int store_stopped(const struct analysis_opts *o, struct store *st,
			 struct analysis_summary *sum)
{
	store_set_stop(st, NULL);
	if (!o->stop || !*o->stop)
		return -1;
	sum->interrupted = true;
	return 0;
}

/* gbytes - bytes as "1.2 GB" or "340 MB" */
static const char *gbytes(uint64_t b, char buf[32])
{
	if (b >= 1000000000)
		snprintf(buf, 32, "%.1f GB", (double)b / 1e9);
	else
		snprintf(buf, 32, "%.0f MB", (double)b / 1e6);
	return buf;
}

/* room_check - say at the start when the temporary files' directory or
 * the store's looks too small, rather than after the minutes it takes to
 * fill it.  Against the captures' pcap size (merge's raw: a gzip'd
 * capture's from its trailer, gz_raw), the temporary records peak at about 1.4 times it (10M SYNs:
 * 0.93 GB of pcap, 1.2 GB; 50M: 4.6 GB, 6.5 GB) and the results take
 * about 3 times it in an SQLite store (2.7 and 14 GB; 2.2 times without
 * the lost candidates): the file grows by that on a first run, and a
 * re-run's WAL holds that much until the commit.  On one file system the
 * two add up (the records peak while the rows are written). */
static void room_check(const struct analysis_opts *o, struct store *st, double pcap)
{
	double tmp = 1.4 * pcap, res = (o->no_lost ? 2.2 : 3.0) * pcap;
	uint64_t avail;
	char a[32], n[32];
	if (tmp >= 1e6 && spill_room(&avail) == 0 && (double)avail < tmp)
		warn("%s has %s free; this run's temporary files may need about %s there "
		     "(TMPDIR names a directory with more room)", spill_dir(), gbytes(avail, a),
		     gbytes((uint64_t)tmp, n));
	if (strcmp(store_backend_name(st), "sqlite"))
		return;
	char *dir = path_dir(store_location(st));
	struct statvfs sv;
	struct stat ss, ts;
	if (statvfs(dir, &sv) == 0) {
		avail = (uint64_t)sv.f_bavail * sv.f_frsize;
		if (stat(dir, &ss) == 0 && stat(spill_dir(), &ts) == 0 && ss.st_dev == ts.st_dev)
			res += tmp;
		if (res >= 1e6 && (double)avail < res)
			warn("%s: %s free on its file system; this run's results may need about "
			     "%s more there (the store grows by them, or a re-run's WAL holds them "
			     "until the commit)", store_location(st), gbytes(avail, a),
			     gbytes((uint64_t)res, n));
	}
	free(dir);
}

int analysis_run(const struct analysis_opts *o, struct store *st,
		 struct analysis_summary *sum)
{
	memset(sum, 0, sizeof *sum);
	struct inputs held = { 0 };
	struct merge m = { .sum = sum, .st = st, .inputs = &held };

	char opts[512];
	snprintf(opts, sizeof opts,
		 "{\"port\":%u,\"attempt_window_ns\":%" PRId64 ",\"assoc_window_ns\":%" PRId64
		 ",\"threshold\":%d,\"margin\":%d,\"top_k\":%d,\"host_weight\":%d"
		 ",\"listing_window_ns\":%" PRId64 ",\"lost_candidates\":%s}",
		 o->port, o->attempt_window_ns, o->assoc.window_ns, o->assoc.threshold,
		 o->assoc.margin, o->assoc.top_k, o->assoc.host_weight, o->listing_window_ns,
		 o->no_lost ? "false" : "true");
	struct store_run run = { o->sensor_name, o->argv, opts };
	struct timespec t0[2];
	clock_gettime(CLOCK_MONOTONIC, &t0[0]);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0[1]);
	/* a signal stops the store's statements too: deleting the previous
	 * results, and after the capture pass (which checks o->stop itself)
	 * the decisions' writes, the index builds and the listings queries,
	 * on 10M SYNs 80 % of the run */
	store_set_stop(st, o->stop);
	if (store_run_begin(st, &run) < 0)
		return store_stopped(o, st, sum);
	phase("clear previous results", t0);
	int64_t latest;
	int64_t start = merge_init(&m, o->pcaps, o->npcaps, &latest);
	room_check(o, st, m.raw);
	/* syslog stamps without a year: the year that puts a log's first
	 * line nearest to the captures' period, from the first file's first
	 * SYN to the last file's (mtalog.h), so that the logs of a year of
	 * rotated captures (the November log of a capture that began in
	 * January) stay in the captures' year, where the latest year within
	 * 31 days after the start put all but a month of them in the year
	 * before */
	struct logs_job logs = { .o = o, .st = st, .ref_ns = start, .ref_end_ns = latest };
	logs_start(&logs, &held);

	struct fpdb *fp = NULL;
	if (!o->no_fp) {
		char *err = NULL;
		fp = fpdb_open(o->fp_dbs, o->nfp, &err);
		if (!fp) {
			error("%s", err ? err : "cannot load the p0f signatures");
			free(err);
			merge_free(&m);
			logs_join(&logs, &held, sum);
			return -1;
		}
	}
	struct pipe p = { .o = o, .st = st, .sum = sum };
	if (o->nsmtp) {
		p.smtp = smtplog_new();
		for (size_t i = 0; i < o->nsmtp; i++) {
			if (smtplog_load(p.smtp, o->smtp_logs[i]) < 0)
				sum->input_errors++;
			inputs_add(&held, st, "smtp-log", o->smtp_logs[i], smtplog_count(p.smtp),
				   smtplog_bad(p.smtp) != 0, NULL);
		}
	}
	struct assoc_params ap = o->assoc;
	ap.attempt_window_ns = o->attempt_window_ns;
	char err[256];
	if (!(p.dec = decider_new(&ap, err, sizeof err))) {
		error("%s", err);
		fpdb_free(fp);
		smtplog_free(p.smtp);
		merge_free(&m);
		logs_join(&logs, &held, sum);
		return -1;
	}
	decider_keep_lost(p.dec, !o->no_lost);
	p.assoc = assoc_new(&ap, on_cand, &p);
	struct attempt_grouper *g = attempt_grouper_new(o->attempt_window_ns, ap.max_span_ns,
							on_attempt, &p);
	struct syn s;
	debug("capture pass: started");
	while (p.err == 0 && merge_next(&m, &s)) {
		sum->syns++;
		if (o->stop && *o->stop) {
			sum->interrupted = true;
			break;
		}
		if (o->progress && (sum->syns & 0xfffff) == 0) {
			double f = merge_done(&m);
			fprintf(stderr, "\rmxsensor: %" PRIu64 " SYNs, %" PRIu64 " attempts",
				sum->syns, sum->attempts[0] + sum->attempts[1]);
			if (f >= 0)
				fprintf(stderr, " (%.0f %% of the captures read)", 100 * f);
		}
		if (!to_sensor(o, &s))
			continue;
		sum->syns_used++;
		const char *os = NULL, *family = NULL;
		if (fp) {
			/* labels live as long as the database (fp.h) */
			const struct fp_verdict *v = fp_match(fp, &s);
			if (v->kind != FP_NONE && v->entry) {
				os = v->entry->label;
				family = fp_os_family(v);
			}
		}
		attempt_grouper_add(g, &s, os, family);
		assoc_advance(p.assoc, s.ts_ns);
	}
	/* the end of the pass: said whatever its size (the count above
	 * shows every 2^20 SYNs) */
	if (o->progress && !sum->interrupted)
		fprintf(stderr, "%smxsensor: the captures are read: %" PRIu64 " SYNs\n",
			sum->syns >= 0x100000 ? "\n" : "", sum->syns);
	else if (o->progress && sum->syns >= 0x100000)
		fputc('\n', stderr);
	sum->input_errors += m.errors;
	/* not one capture could be opened (missing, not a capture, a link
	 * type not supported): an analysis of nothing would replace the
	 * previous results, so it stops as a signal would */
	sum->no_capture = m.n == 0 && o->npcaps > 0;
	merge_free(&m);
	int lrc = logs_join(&logs, &held, sum);
	if (o->stop && *o->stop)
		sum->interrupted = true;   /* maybe while only the logs were read */
	sum->no_log = o->nlogs > 0 && sum->logs_opened == 0;
	if (sum->interrupted || sum->no_capture || sum->no_log || p.err || lrc < 0) {
		attempt_grouper_free(g);
		assoc_free(p.assoc);
		fpdb_free(fp);
		smtplog_free(p.smtp);
		decider_free(p.dec);
		return p.err || lrc < 0 ? -1 : 0;
	}
	attempt_grouper_finish(g);
	assoc_finish(p.assoc);
	attempt_grouper_free(g);
	assoc_free(p.assoc);
	smtplog_free(p.smtp);
	/* what the pass freed (the grouping windows, the logs thread's
	 * arena) back to the system before the decisions allocate theirs */
	malloc_trim(0);
	phase("captures, attempts, candidates", t0);
	/* the last attempts and candidates, closed by the finish, may have
	 * failed too (a full TMPDIR), said once by the decider */
	int rc = p.err ? -1 : 0;
	/* enrichment: ASN and PTR evidence for the candidates, after the
	 * pass, before the decisions (enrich/enrich.h) */
	if (rc == 0 && o->enrich && enrich_wanted(o->enrich)) {
		sum->enriched = true;
		struct decide_enrich_points pts = { o->enrich->asn_points, o->enrich->ptr_points,
						    o->enrich->domain_points };
		rc = enrich_run(o->enrich, st, decider_each_source, p.dec, &sum->enrich) < 0 ||
		     decider_enrich(p.dec, st, &pts) < 0 ? -1 : 0;
		phase("enrichment", t0);
	}
	struct decide_host_stats hs;
	if (rc == 0 && (rc = decider_run(p.dec, st, &sum->decide)) == 0) {
		phase("decisions", t0);
		rc = decider_hosts(p.dec, st, o->listing_window_ns, &hs);
	}
	decider_free(p.dec);
	fpdb_free(fp);   /* no attempt or host points at its labels any more */
	if (rc == 0) {
		progress_note("building the indexes and committing");
		rc = store_run_end(st);
	}
	if (rc < 0)
		return store_stopped(o, st, sum);
	store_set_stop(st, NULL);
	phase("hosts, labels, commit", t0);
	sum->hosts[0] = hs.hosts[0];
	sum->hosts[1] = hs.hosts[1];
	sum->listed_v4 = hs.listed_v4;
	sum->v6_associated = hs.v6_associated;
	sum->v6_assoc_unlisted = hs.v6_assoc_unlisted;
	sum->v6_unassociated = hs.v6_unassociated;
	return 0;
}
