/*
 * policy.c - policy delegation requests (parser) and class-of-service
 * decisions per reputation prefix (engine).
 *
 * The parser trusts nothing: every byte is counted against the line,
 * attribute and request limits of policy.h before it is kept, values are
 * copied with truncation into fixed fields, and the client address is
 * parsed as a numeric address (anything else is answered DUNNO).
 */
#include "defence/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

/* ---------------------------------------------------------------- parser */

void policy_parser_init(struct policy_parser *p)
{
	memset(p, 0, sizeof *p);
}

/* copy_field - value into a fixed field; a too-long value is malformed */
static void copy_field(struct policy_req *r, char *dst, size_t n, const char *v, size_t vl)
{
	if (vl >= n) {
		r->malformed = true;
		vl = n - 1;
	}
	memcpy(dst, v, vl);
	dst[vl] = '\0';
}

/* attr - one "name=value" line */
static void attr(struct policy_req *r, char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (++r->nattr > POLICY_ATTR_MAX) {
		r->malformed = true;
		return;
	}
	char *eq = memchr(line, '=', len);
	if (!eq) {
		r->malformed = true;
		return;
	}
	size_t nl = (size_t)(eq - line), vl = len - nl - 1;
	const char *v = eq + 1;
#define IS(s) (nl == sizeof(s) - 1 && !memcmp(line, s, nl))
	if (IS("request"))
		copy_field(r, r->request, sizeof r->request, v, vl);
	else if (IS("protocol_state"))
		copy_field(r, r->protocol_state, sizeof r->protocol_state, v, vl);
	else if (IS("client_address"))
		copy_field(r, r->client_address, sizeof r->client_address, v, vl);
	else if (IS("client_port"))
		copy_field(r, r->client_port, sizeof r->client_port, v, vl);
	else if (IS("instance"))
		copy_field(r, r->instance, sizeof r->instance, v, vl);
	else if (IS("recipient_count")) {
		unsigned long c = 0;
		for (size_t i = 0; i < vl && i < 9; i++) {
			if (v[i] < '0' || v[i] > '9') {
				c = 0;
				break;
			}
			c = c * 10 + (unsigned long)(v[i] - '0');
		}
		r->recipient_count = c;
	}
#undef IS
	/* every other name is ignored, as the protocol asks */
}

/* policy_feed - incremental: lines into attributes, empty line ends */
enum policy_feed_rc policy_feed(struct policy_parser *p, const char *buf, size_t n,
				size_t *used)
{
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];
		if (++p->total > POLICY_REQ_MAX) {
			*used = i + 1;
			return POLICY_ERROR;
		}
		if (c == '\n') {
			if (p->skip_line) {
				p->skip_line = false;
			} else if (p->len == 0) {
				*used = i + 1;
				p->total = 0;
				return POLICY_DONE;
			} else {
				attr(&p->req, p->line, p->len);
			}
			p->len = 0;
			continue;
		}
		if (p->skip_line)
			continue;
		if (c == '\0' || p->len >= POLICY_LINE_MAX) {
			p->req.malformed = true;
			p->skip_line = true;
			p->len = 0;
			continue;
		}
		p->line[p->len++] = c;
	}
	*used = n;
	return POLICY_MORE;
}

/* ---------------------------------------------------------------- engine */

struct sess {
	uint64_t id;               /* hash of client address and port */
	uint64_t inst;             /* hash of the current message's instance */
	int64_t last_ns;
	unsigned rcpts;            /* recipients of the current message */
};

struct pstate {
	struct prefix key;
	uint64_t h;
	struct pstate *hnext;      /* bucket chain */
	struct pstate *prev, *next;   /* LRU: head = most recent */
	enum cos_class cls;
	unsigned gen;
	struct sess *s;
	unsigned ns, scap;
	int64_t short_start, long_start;
	unsigned msgs_s, rcpts_s, msgs_l, rcpts_l;
	int64_t blocked_until;
	struct policy_delta d;     /* outcomes not yet saved */
};

struct policy_engine {
	const struct cos_config *c;
	const struct rep_table *rep;
	unsigned gen;
	struct pstate **bucket;
	size_t nbucket, count, max;
	struct pstate *head, *tail;
	struct policy_delta *evicted;   /* deltas of evicted prefixes */
	size_t nevicted, ecap;
	struct policy_stats stats;
};

struct policy_engine *policy_new(const struct cos_config *c, const struct rep_table *rep,
				 size_t max_prefixes)
{
	struct policy_engine *e = xcalloc(1, sizeof *e);
	e->c = c;
	e->rep = rep;
	e->gen = 1;
	e->max = max_prefixes ? max_prefixes : 1;
	e->nbucket = 16;
	while (e->nbucket < e->max)
		e->nbucket *= 2;
	e->bucket = xcalloc(e->nbucket, sizeof *e->bucket);
	return e;
}

void policy_free(struct policy_engine *e)
{
	if (!e)
		return;
	for (struct pstate *s = e->head, *nx; s; s = nx) {
		nx = s->next;
		free(s->s);
		free(s);
	}
	free(e->bucket);
	free(e->evicted);
	free(e);
}

void policy_reload(struct policy_engine *e, const struct cos_config *c,
		   const struct rep_table *rep)
{
	e->c = c;
	e->rep = rep;
	e->gen++;
}

const struct policy_stats *policy_stats(const struct policy_engine *e)
{
	return &e->stats;
}

static uint64_t key_hash(const struct prefix *k)
{
	uint8_t b[18];
	b[0] = k->a.family;
	b[1] = k->len;
	memcpy(b + 2, k->a.b, 16);
	return hash_bytes(b, sizeof b);
}

/* lru_unlink / lru_front - the recency list */
static void lru_unlink(struct policy_engine *e, struct pstate *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		e->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		e->tail = s->prev;
	s->prev = s->next = NULL;
}

static void lru_front(struct policy_engine *e, struct pstate *s)
{
	s->next = e->head;
	s->prev = NULL;
	if (e->head)
		e->head->prev = s;
	e->head = s;
	if (!e->tail)
		e->tail = s;
}

/* evict - drop the least recently used prefix, keeping its unsaved deltas */
static void evict(struct policy_engine *e)
{
	struct pstate *s = e->tail;
	if (!s)
		return;
	lru_unlink(e, s);
	struct pstate **pp = &e->bucket[s->h & (e->nbucket - 1)];
	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	/* bounded too: when saves keep failing, the oldest deltas are lost */
	if ((s->d.accepted || s->d.limited) && e->nevicted < POLICY_EVICTED_MAX(e->max)) {
		GROW(e->evicted, e->nevicted + 1, e->ecap);
		e->evicted[e->nevicted++] = s->d;
	}
	free(s->s);
	free(s);
	e->count--;
	e->stats.evicted++;
}

/* class_for - the reputation class of a key (unknown when not in the table) */
static enum cos_class class_for(const struct policy_engine *e, const struct prefix *k)
{
	return rep_class(e->rep, k);
}

/* get - the state of key, created (and the LRU tail evicted) when new */
static struct pstate *get(struct policy_engine *e, const struct prefix *key)
{
	uint64_t h = key_hash(key);
	struct pstate **b = &e->bucket[h & (e->nbucket - 1)];
	for (struct pstate *s = *b; s; s = s->hnext)
		if (s->h == h && !rep_prefix_cmp(&s->key, key)) {
			lru_unlink(e, s);
			lru_front(e, s);
			return s;
		}
	if (e->count >= e->max)
		evict(e);
	struct pstate *s = xcalloc(1, sizeof *s);
	s->key = *key;
	s->h = h;
	s->hnext = *b;
	*b = s;
	lru_front(e, s);
	e->count++;
	e->stats.prefixes = e->count;
	s->d.key = *key;
	return s;
}

enum cos_class policy_class_of(struct policy_engine *e, const struct addr *a)
{
	struct prefix k = cos_key(e->c, a, 0);
	return class_for(e, &k);
}

/* hit - a limit was reached: the class's action, and the retry wait */
static enum cos_class hit(struct policy_engine *e, struct pstate *s, const struct cos_limits *l,
			  int64_t now_ns, bool wait, char *out, size_t n)
{
	if (wait && l->retry_wait_s) {
		int64_t until = now_ns + (int64_t)l->retry_wait_s * 1000000000LL;
		if (until > s->blocked_until)
			s->blocked_until = until;
	}
	s->d.limited++;
	e->stats.limited++;
	cos_action_text(l, out, n);
	return s->cls;
}

/* over - count + 1 above a limit (0 = no limit) */
static bool over(unsigned count, unsigned limit)
{
	return limit && count + 1 > limit;
}

/* policy_decide - one request */
enum cos_class policy_decide(struct policy_engine *e, const struct policy_req *r,
			     int64_t now_ns, char *out, size_t n)
{
	struct addr a;
	e->stats.requests++;
	if (r->malformed) {
		e->stats.malformed++;
		snprintf(out, n, "DUNNO");
		return COS_NCLASS;
	}
	if (addr_parse(r->client_address, &a) < 0) {
		e->stats.dunno_errors++;
		snprintf(out, n, "DUNNO");
		return COS_NCLASS;
	}
	struct prefix key = cos_key(e->c, &a, 0);
	struct pstate *s = get(e, &key);
	if (s->gen != e->gen) {
		s->cls = class_for(e, &key);
		s->gen = e->gen;
	}
	s->d.cls = s->cls;
	if (!s->d.first_ns)
		s->d.first_ns = now_ns;
	s->d.last_ns = now_ns;
	const struct cos_limits *l = &e->c->cls[s->cls];

	/* sessions: forget the idle ones, find this one */
	int64_t idle = (int64_t)e->c->session_idle_s * 1000000000LL;
	unsigned k = 0;
	for (unsigned i = 0; i < s->ns; i++)
		if (now_ns - s->s[i].last_ns < idle)
			s->s[k++] = s->s[i];
	s->ns = k;
	char sid[80];
	snprintf(sid, sizeof sid, "%s:%s", r->client_address, r->client_port);
	uint64_t id = hash_bytes(sid, strlen(sid));
	struct sess *se = NULL;
	for (unsigned i = 0; i < s->ns; i++)
		if (s->s[i].id == id)
			se = &s->s[i];

	if (now_ns < s->blocked_until)
		return hit(e, s, l, now_ns, false, out, n);
	bool first = false;
	if (!se) {
		if (s->ns >= l->conn)
			return hit(e, s, l, now_ns, true, out, n);
		GROW(s->s, s->ns + 1, s->scap);
		se = &s->s[s->ns++];
		*se = (struct sess){ .id = id, .last_ns = now_ns };
		first = true;
	}
	se->last_ns = now_ns;

	if (!strcmp(r->protocol_state, "RCPT")) {
		int64_t sp = (int64_t)l->short_s * 1000000000LL;
		int64_t lp = (int64_t)l->long_s * 1000000000LL;
		if (now_ns - s->short_start >= sp || now_ns < s->short_start) {
			s->short_start = now_ns;
			s->msgs_s = s->rcpts_s = 0;
		}
		if (now_ns - s->long_start >= lp || now_ns < s->long_start) {
			s->long_start = now_ns;
			s->msgs_l = s->rcpts_l = 0;
		}
		uint64_t inst = hash_bytes(r->instance, strlen(r->instance));
		bool newmsg = se->rcpts == 0 || se->inst != inst;
		if (newmsg && (over(s->msgs_s, l->msgs_short) || over(s->msgs_l, l->msgs_long)))
			return hit(e, s, l, now_ns, true, out, n);
		if (over(s->rcpts_s, l->rcpts_short) || over(s->rcpts_l, l->rcpts_long))
			return hit(e, s, l, now_ns, true, out, n);
		if (over(newmsg ? 0 : se->rcpts, l->rcpt_per_msg))
			return hit(e, s, l, now_ns, false, out, n);
		if (newmsg) {
			se->inst = inst;
			se->rcpts = 0;
			s->msgs_s++;
			s->msgs_l++;
			s->d.accepted++;
			e->stats.accepted++;
		}
		se->rcpts++;
		s->rcpts_s++;
		s->rcpts_l++;
	} else if ((!strcmp(r->protocol_state, "DATA") ||
		    !strcmp(r->protocol_state, "END-OF-MESSAGE")) &&
		   l->rcpt_per_msg && r->recipient_count > l->rcpt_per_msg) {
		return hit(e, s, l, now_ns, false, out, n);
	}
	if (first && l->tarpit_s)
		snprintf(out, n, "SLEEP %u", l->tarpit_s);
	else
		snprintf(out, n, "DUNNO");
	return s->cls;
}

/* policy_save - hand every unsaved delta to fn, then clear them */
int policy_save(struct policy_engine *e, policy_save_fn fn, void *arg)
{
	size_t n = e->nevicted, cap = n + e->count;
	struct policy_delta *v = xcalloc(cap + 1, sizeof *v);
	if (n)
		memcpy(v, e->evicted, n * sizeof *v);
	for (struct pstate *s = e->head; s; s = s->next)
		if (s->d.accepted || s->d.limited)
			v[n++] = s->d;
	int rc = n ? fn(v, n, arg) : 0;
	if (rc == 0) {
		e->nevicted = 0;
		for (struct pstate *s = e->head; s; s = s->next) {
			s->d.accepted = s->d.limited = 0;
			s->d.first_ns = 0;
		}
	}
	free(v);
	return rc;
}
