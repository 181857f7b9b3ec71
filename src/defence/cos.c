/*
 * cos.c - class-of-service configuration: defaults, file parsing, and the
 * mapping of an address to its reputation prefix.
 *
 * Trusts nothing in the file: unknown keys, bad numbers, out-of-range
 * values, a class key before any "class" line, or a malformed action are
 * all "FILE:LINE: what" errors.
 */
#include "defence/cos.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr/classify.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/num.h"

static const char *const class_names[COS_NCLASS] = {
	[COS_GOOD] = "good", [COS_MIXED] = "mixed", [COS_BAD] = "bad",
	[COS_UNKNOWN] = "unknown",
};

/* cos_class_name - stable name of a class */
const char *cos_class_name(enum cos_class k)
{
	return (unsigned)k < COS_NCLASS ? class_names[k] : "?";
}

/* cos_class_parse - class from its name */
int cos_class_parse(const char *s)
{
	for (int i = 0; i < COS_NCLASS; i++)
		if (!strcmp(s, class_names[i]))
			return i;
	return -1;
}

/* set - fill one class's limits */
static void set(struct cos_limits *l, unsigned conn, unsigned ms, unsigned rs,
		unsigned short_s, unsigned ml, unsigned rl, unsigned long_s,
		unsigned rpm, unsigned retry, unsigned tarpit, enum cos_act act,
		const char *text)
{
	*l = (struct cos_limits){
		.conn = conn, .msgs_short = ms, .rcpts_short = rs, .short_s = short_s,
		.msgs_long = ml, .rcpts_long = rl, .long_s = long_s,
		.rcpt_per_msg = rpm, .retry_wait_s = retry, .tarpit_s = tarpit,
		.act = act,
	};
	snprintf(l->text, sizeof l->text, "%s", text);
}

/* cos_defaults - compiled-in values; docs/cos.conf.example spells them out */
void cos_defaults(struct cos_config *c)
{
	memset(c, 0, sizeof *c);
	c->len6 = 64;
	c->half_life_s = 30 * 86400.0;
	c->evidence_min = 0.9;
	c->bad_ratio = 0.5;
	c->good_ratio = 0.1;
	c->session_idle_s = 10;
	set(&c->cls[COS_GOOD], 50, 300, 3000, 60, 20000, 200000, 86400, 500, 0, 0,
	    COS_ACT_DEFER_IF_PERMIT, "4.7.1 Rate limit for your network reached, try again later");
	set(&c->cls[COS_MIXED], 10, 30, 300, 60, 1000, 10000, 86400, 100, 60, 2,
	    COS_ACT_TEMPFAIL, "451 4.7.1 Rate limit for your network reached, try again later");
	set(&c->cls[COS_BAD], 1, 1, 5, 300, 5, 20, 86400, 5, 900, 10,
	    COS_ACT_REJECT, "5.7.1 Your IPv6 network sends spam");
	set(&c->cls[COS_UNKNOWN], 3, 3, 10, 60, 50, 200, 86400, 10, 60, 0,
	    COS_ACT_TEMPFAIL, "450 4.7.1 New sender network: rate limited, try again later");
}

void cos_free(struct cos_config *c)
{
	free(c->ranges);
	c->ranges = NULL;
	c->nranges = c->cap = 0;
}

/* dur_s - a duration in whole seconds within [lo, hi] */
static int dur_s(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	int64_t ns;
	if (num_duration_ns(s, (int64_t)lo * 1000000000LL, (int64_t)hi * 1000000000LL, &ns) < 0)
		return -1;
	*out = (unsigned)(ns / 1000000000LL);
	return 0;
}

/* rate - "N/DUR": count and interval */
static int rate(const char *s, unsigned *n, unsigned *per)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	unsigned long v;
	if (!slash || (size_t)(slash - s) >= sizeof buf)
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (num_ulong(buf, 0, 10000000, &v) < 0 || dur_s(slash + 1, 1, 366 * 86400, per) < 0)
		return -1;
	*n = (unsigned)v;
	return 0;
}

/* parse_action - "DEFER_IF_PERMIT text", "4NN text", "REJECT text", "SLEEP n" */
static int parse_action(struct cos_limits *l, char *rest)
{
	char *sp = rest + strcspn(rest, " \t");
	char *text = sp + strspn(sp, " \t");
	size_t wl = (size_t)(sp - rest);
	for (const char *p = text; *p; p++)
		if (!isprint((unsigned char)*p))
			return -1;
	if (strlen(rest) >= COS_TEXT_MAX)
		return -1;
	if (wl == 15 && !strncmp(rest, "DEFER_IF_PERMIT", wl)) {
		l->act = COS_ACT_DEFER_IF_PERMIT;
		snprintf(l->text, sizeof l->text, "%s", text);
	} else if (wl == 6 && !strncmp(rest, "REJECT", wl)) {
		l->act = COS_ACT_REJECT;
		snprintf(l->text, sizeof l->text, "%s", text);
	} else if (wl == 5 && !strncmp(rest, "SLEEP", wl)) {
		if (dur_s(text, 1, 3600, &l->sleep_s) < 0)
			return -1;
		l->act = COS_ACT_SLEEP;
		l->text[0] = '\0';
	} else if (wl == 3 && rest[0] == '4' && isdigit((unsigned char)rest[1]) &&
		   isdigit((unsigned char)rest[2])) {
		l->act = COS_ACT_TEMPFAIL;
		snprintf(l->text, sizeof l->text, "%s", rest);
	} else {
		return -1;
	}
	return 0;
}

/* add_range - "prefix P LEN" */
static int add_range(struct cos_config *c, const char *p, const char *len)
{
	struct cos_range r;
	unsigned long v;
	if (prefix_parse(p, &r.p, false) < 0 || r.p.a.family != 6)
		return -1;
	if (num_ulong(len, r.p.len, 128, &v) < 0)
		return -1;
	r.len = (unsigned)v;
	GROW(c->ranges, c->nranges + 1, c->cap);
	c->ranges[c->nranges++] = r;
	return 0;
}

/* cos_parse_line - one line; *cur is the class block being filled (-1: none) */
int cos_parse_line(struct cos_config *c, int *cur, const char *file,
		   unsigned long lineno, char *line)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	size_t n = strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	char *key = line + strspn(line, " \t");
	if (!*key)
		return 0;
	char *rest = key + strcspn(key, " \t");
	if (*rest)
		*rest++ = '\0';
	rest += strspn(rest, " \t");
	char *a1 = rest, *a2 = NULL;
	{
		char *sp = rest + strcspn(rest, " \t");
		if (*sp) {
			a2 = sp + strspn(sp, " \t");
			if (!*a2)
				a2 = NULL;
		}
	}
	char first[128] = "";
	size_t fl = strcspn(rest, " \t");
	if (fl < sizeof first) {
		memcpy(first, rest, fl);
		first[fl] = '\0';
	}
	unsigned long v;
	unsigned u;
	double d;
	struct cos_limits *l = *cur >= 0 ? &c->cls[*cur] : NULL;
	bool classkey = true;

	if (!strcmp(key, "class")) {
		int k = cos_class_parse(first);
		if (k < 0 || a2)
			return error_at(file, lineno, "class: good, mixed, bad or unknown, not '%s'", rest);
		*cur = k;
		return 0;
	}
	/* reputation settings, valid anywhere */
	classkey = false;
	if (!strcmp(key, "prefix-len")) {
		if (num_ulong(first, 16, 128, &v) < 0 || a2)
			return error_at(file, lineno, "prefix-len: a length 16..128, not '%s'", rest);
		c->len6 = (unsigned)v;
	} else if (!strcmp(key, "prefix")) {
		char p[128] = "";
		if (!a2 || fl >= sizeof p || strcspn(a2, " \t") != strlen(a2))
			return error_at(file, lineno, "prefix: want 'prefix IPV6-PREFIX LENGTH'");
		memcpy(p, rest, fl);
		if (add_range(c, p, a2) < 0)
			return error_at(file, lineno, "prefix: '%s': want an IPv6 prefix and a length from its own to 128", rest);
	} else if (!strcmp(key, "half-life")) {
		if (dur_s(first, 60, 3650 * 86400, &u) < 0 || a2)
			return error_at(file, lineno, "half-life: a duration 1m..3650d, not '%s'", rest);
		c->half_life_s = u;
	} else if (!strcmp(key, "evidence-min")) {
		if (num_double(first, 0, 1e9, &d) < 0 || a2)
			return error_at(file, lineno, "evidence-min: a number >= 0, not '%s'", rest);
		c->evidence_min = d;
	} else if (!strcmp(key, "bad-ratio") || !strcmp(key, "good-ratio")) {
		if (num_double(first, 0, 1, &d) < 0 || a2)
			return error_at(file, lineno, "%s: a number 0..1, not '%s'", key, rest);
		*(key[0] == 'b' ? &c->bad_ratio : &c->good_ratio) = d;
	} else if (!strcmp(key, "session-idle")) {
		if (dur_s(first, 1, 3600, &c->session_idle_s) < 0 || a2)
			return error_at(file, lineno, "session-idle: a duration 1s..1h, not '%s'", rest);
	} else {
		classkey = true;
	}
	if (!classkey)
		return 0;
	if (!l) {
		if (!strcmp(key, "conn") || !strcmp(key, "msgs") || !strcmp(key, "rcpts") ||
		    !strcmp(key, "rcpt-per-msg") || !strcmp(key, "retry-wait") ||
		    !strcmp(key, "tarpit") || !strcmp(key, "action"))
			return error_at(file, lineno, "%s: outside a 'class' block", key);
		return error_at(file, lineno, "unknown setting '%s'", key);
	}
	if (!strcmp(key, "conn")) {
		if (num_ulong(first, 1, COS_CONN_MAX, &v) < 0 || a2)
			return error_at(file, lineno, "conn: a number 1..%d, not '%s'", COS_CONN_MAX, rest);
		l->conn = (unsigned)v;
	} else if (!strcmp(key, "msgs") || !strcmp(key, "rcpts")) {
		char s1[64], s2[64];
		unsigned n1, p1, n2, p2;
		if (!a2 || fl >= sizeof s1 || strlen(a2) >= sizeof s2 ||
		    strcspn(a2, " \t") != strlen(a2))
			return error_at(file, lineno, "%s: want 'N/SHORT N/LONG', e.g. 3/1m 50/24h", key);
		memcpy(s1, rest, fl);
		s1[fl] = '\0';
		strcpy(s2, a2);
		if (rate(s1, &n1, &p1) < 0 || rate(s2, &n2, &p2) < 0)
			return error_at(file, lineno, "%s: want 'N/SHORT N/LONG', e.g. 3/1m 50/24h, not '%s'", key, rest);
		if (key[0] == 'm') {
			l->msgs_short = n1;
			l->msgs_long = n2;
		} else {
			l->rcpts_short = n1;
			l->rcpts_long = n2;
		}
		/* msgs and rcpts share the two intervals: the last line sets them */
		l->short_s = p1;
		l->long_s = p2;
	} else if (!strcmp(key, "rcpt-per-msg")) {
		if (num_ulong(first, 1, 100000, &v) < 0 || a2)
			return error_at(file, lineno, "rcpt-per-msg: a number 1..100000, not '%s'", rest);
		l->rcpt_per_msg = (unsigned)v;
	} else if (!strcmp(key, "retry-wait") || !strcmp(key, "tarpit")) {
		if (dur_s(first, 0, key[0] == 'r' ? 86400 : 300, &u) < 0 || a2)
			return error_at(file, lineno, "%s: a duration 0..%s, not '%s'", key,
					key[0] == 'r' ? "1d" : "5m", rest);
		*(key[0] == 'r' ? &l->retry_wait_s : &l->tarpit_s) = u;
	} else if (!strcmp(key, "action")) {
		if (parse_action(l, a1) < 0)
			return error_at(file, lineno, "action: DEFER_IF_PERMIT text, 4NN text, REJECT text or SLEEP n, not '%s'", a1);
	} else {
		return error_at(file, lineno, "unknown setting '%s'", key);
	}
	return 0;
}

/* cos_load - defaults, then every line of path */
int cos_load(struct cos_config *c, const char *path)
{
	cos_defaults(c);
	FILE *f = fopen(path, "r");
	if (!f)
		return error("%s: %s", path, strerror(errno));
	char line[1024];
	unsigned long lineno = 0;
	int cur = -1, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = error_at(path, lineno, "line longer than %zu bytes", sizeof line - 2);
			break;
		}
		if (cos_parse_line(c, &cur, path, lineno, line) < 0) {
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f))
		rc = error("%s: read error", path);
	fclose(f);
	if (rc)
		cos_free(c);
	return rc;
}

/* cos_key - the reputation prefix of a */
struct prefix cos_key(const struct cos_config *c, const struct addr *a, unsigned len_override)
{
	if (a->family == 4)
		return prefix_of(a, 32);
	struct addr v4;
	enum addr_v4_via via;
	if (addr_embedded_v4(a, &v4, &via) && (via == ADDR_V4_6TO4 || via == ADDR_V4_TEREDO))
		return prefix_of(&v4, 32);
	unsigned len = len_override ? len_override : c->len6, best = 0;
	for (size_t i = 0; i < c->nranges; i++) {
		const struct cos_range *r = &c->ranges[i];
		if (r->p.len >= best && prefix_contains(&r->p, a)) {
			best = r->p.len;
			len = r->len;
		}
	}
	return prefix_of(a, len);
}

/* cos_action_text - the action part of a policy reply for a limit hit */
void cos_action_text(const struct cos_limits *l, char *buf, size_t n)
{
	switch (l->act) {
	case COS_ACT_DEFER_IF_PERMIT:
		snprintf(buf, n, "DEFER_IF_PERMIT %s", l->text);
		break;
	case COS_ACT_TEMPFAIL:
		snprintf(buf, n, "%s", l->text);
		break;
	case COS_ACT_REJECT:
		snprintf(buf, n, "REJECT %s", l->text);
		break;
	case COS_ACT_SLEEP:
		snprintf(buf, n, "SLEEP %u", l->sleep_s);
		break;
	}
}
