/*
 * fp_db.c - load p0f v3 signature files (p0f.fp) into a struct fpdb.
 *
 * The format and its checks follow p0f 3.09b's reader (readfp.c and the
 * signature parser in fp_tcp.c) so that a file p0f accepts loads here with
 * the same meaning, and a file p0f rejects is rejected here too, with
 * "FILE:LINE: what is wrong" instead of an exit.  Kept: [tcp:request]
 * signatures with their labels, the [mtu] section; [tcp:response] lines
 * are checked but only kept for duplicate detection; [http:*] sections are
 * skipped.
 *
 * Trusts nothing in the file: every field is range-checked, lines of any
 * length are fine, a NUL byte ends the text as it does for p0f.
 */
#include "fingerprint/fp_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/alloc.h"

/* characters p0f allows in OS names besides letters and digits */
#define FP_NAME_CHARS " ./-_!?()"

enum fp_state { NEED_SECT, NEED_LABEL, NEED_SYS, NEED_SIG };
enum fp_section { SEC_NONE, SEC_MTU, SEC_TCP_REQ, SEC_TCP_RESP, SEC_HTTP };

/* per-file parser state */
struct fp_parse {
	struct fpdb *db;
	const char *file;       /* owned by db->strs */
	unsigned line;
	enum fp_state state;
	enum fp_section sec;
	/* current label */
	bool generic, userland;
	const char *os_class, *os_name, *flavor, *label;
	char *err;
};

/* perr - record "FILE:LINE: what" (first error wins); returns -1 */
static int perr(struct fp_parse *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int perr(struct fp_parse *ps, const char *fmt, ...)
{
	if (ps->err)
		return -1;
	char *what;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	ps->err = xasprintf("%s:%u: %s", ps->file, ps->line, what ? what : "error");
	free(what);
	return -1;
}

/* own_str - keep s (malloc'd) until fpdb_free; returns it */
static char *own_str(struct fpdb *db, char *s)
{
	GROW(db->strs, db->nstrs + 1, db->capstrs);
	db->strs[db->nstrs++] = s;
	return s;
}

struct fpdb *fpdb_new(void)
{
	return xcalloc(1, sizeof(struct fpdb));
}

void fpdb_free(struct fpdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->nreq; i++)
		free(db->req[i]);
	for (size_t i = 0; i < db->nresp; i++)
		free(db->resp[i]);
	for (size_t i = 0; i < db->nclasses; i++)
		free(db->classes[i]);
	for (size_t i = 0; i < db->nnames; i++)
		free(db->names[i]);
	for (size_t i = 0; i < db->nstrs; i++)
		free(db->strs[i]);
	for (size_t i = 0; i < db->nvblocks; i++)
		free(db->vblocks[i]);
	free(db->req);
	free(db->resp);
	free(db->mtus);
	free(db->classes);
	free(db->names);
	free(db->strs);
	free(db->vblocks);
	free(db->memo);
	free(db);
}

size_t fpdb_count(const struct fpdb *db) { return db->nreq; }

const struct fp_entry *fpdb_entry(const struct fpdb *db, size_t i)
{
	return i < db->nreq ? db->req[i] : NULL;
}

const char *fpdb_mtu_link(const struct fpdb *db, unsigned mtu)
{
	for (size_t i = 0; i < db->nmtus; i++)
		if (db->mtus[i].mtu == mtu)
			return db->mtus[i].label;
	return NULL;
}

/* ---- one signature ------------------------------------------------------ */

/* digits - read a run of decimal digits at *p (maybe none) into *v, saturating */
static void digits(const char **p, long *v)
{
	long n = 0;
	while (isdigit((unsigned char)**p)) {
		if (n < 100000000)
			n = n * 10 + (**p - '0');
		(*p)++;
	}
	*v = n;
}

uint8_t fp_ittl(unsigned ttl)
{
	if (ttl <= 32)
		return 32;
	if (ttl <= 64)
		return 64;
	if (ttl <= 128)
		return 128;
	return 255;
}

static const struct {
	const char *name;
	uint8_t kind;
} opt_names[] = {
	/* order matters: prefixes are tried in this order, as p0f does */
	{ "eol", TCPOPT_EOL }, { "nop", TCPOPT_NOP }, { "mss", TCPOPT_MSS },
	{ "ws", TCPOPT_WS },   { "sok", TCPOPT_SOK }, { "sack", TCPOPT_SACK },
	{ "ts", TCPOPT_TS },
};

static const struct {
	const char *name;
	uint32_t bit;
	int not_ver;            /* invalid on this IP version */
} quirk_names[] = {
	{ "df", SYN_Q_DF, 6 },          { "id+", SYN_Q_NZ_ID, 6 },
	{ "id-", SYN_Q_ZERO_ID, 6 },    { "ecn", SYN_Q_ECN, 0 },
	{ "0+", SYN_Q_NZ_MBZ, 6 },      { "flow", SYN_Q_FLOW, 4 },
	{ "seq-", SYN_Q_ZERO_SEQ, 0 },  { "ack+", SYN_Q_NZ_ACK, 0 },
	{ "ack-", SYN_Q_ZERO_ACK, 0 },  { "uptr+", SYN_Q_NZ_URG, 0 },
	{ "urgf+", SYN_Q_URG, 0 },      { "pushf+", SYN_Q_PUSH, 0 },
	{ "ts1-", SYN_Q_OPT_ZERO_TS1, 0 }, { "ts2+", SYN_Q_OPT_NZ_TS2, 0 },
	{ "opt+", SYN_Q_OPT_EOL_NZ, 0 }, { "exws", SYN_Q_OPT_EXWS, 0 },
	{ "bad", SYN_Q_OPT_BAD, 0 },
};

/* parse_layout - "mss,nop,ws,...:" at *pp; leaves *pp after the ':' */
static int parse_layout(const char **pp, struct fp_sig *s, const char **why)
{
	const char *p = *pp;
	while (*p != ':') {
		if (s->nopts >= FP_MAX_OPTS)
			return *why = "too many TCP options", -1;
		size_t k;
		for (k = 0; k < sizeof opt_names / sizeof opt_names[0]; k++)
			if (!strncmp(p, opt_names[k].name, strlen(opt_names[k].name)))
				break;
		if (k < sizeof opt_names / sizeof opt_names[0]) {
			s->olayout[s->nopts++] = opt_names[k].kind;
			p += strlen(opt_names[k].name);
			if (opt_names[k].kind == TCPOPT_EOL) {
				long pad;
				if (*p != '+')
					return *why = "malformed EOL option (want eol+N)", -1;
				p++;
				digits(&p, &pad);
				if (!*p)
					return *why = "truncated TCP options", -1;
				if (*p != ':')
					return *why = "EOL must be the last TCP option", -1;
				if (pad > 255)
					return *why = "bogus EOL padding", -1;
				s->eol_pad = (uint8_t)pad;
			}
		} else if (*p == '?') {
			long kind;
			p++;
			digits(&p, &kind);
			if (*p != ':' && *p != ',')
				return *why = "malformed '?' TCP option", -1;
			if (kind > 255)
				return *why = "bogus '?' TCP option", -1;
			s->olayout[s->nopts++] = (uint8_t)kind;
		} else {
			return *why = "unrecognized TCP option", -1;
		}
		if (*p == ':')
			break;
		if (*p != ',')
			return *why = "malformed TCP options", -1;
		p++;
	}
	*pp = p + 1;
	return 0;
}

/* parse_quirks - "df,id+:" at *pp; leaves *pp after the ':' */
static int parse_quirks(const char **pp, struct fp_sig *s, const char **why)
{
	const char *p = *pp;
	while (*p != ':') {
		size_t k;
		for (k = 0; k < sizeof quirk_names / sizeof quirk_names[0]; k++)
			if (!strncmp(p, quirk_names[k].name, strlen(quirk_names[k].name)))
				break;
		if (k == sizeof quirk_names / sizeof quirk_names[0])
			return *why = "unrecognized quirk", -1;
		if (quirk_names[k].not_ver && s->ver == quirk_names[k].not_ver)
			return *why = s->ver == 6 ? "quirk not valid for IPv6"
						  : "quirk not valid for IPv4", -1;
		s->quirks |= quirk_names[k].bit;
		p += strlen(quirk_names[k].name);
		if (*p == ':')
			break;
		if (*p != ',')
			return *why = "malformed quirks", -1;
		p++;
	}
	*pp = p + 1;
	return 0;
}

int fp_sig_parse(const char *text, struct fp_sig *out, const char **why)
{
	struct fp_sig s;
	const char *p = text, *n;
	long v;

	memset(&s, 0, sizeof s);
	*why = NULL;

	/* ver */
	switch (*p) {
	case '4': s.ver = 4; break;
	case '6': s.ver = 6; break;
	case '*': s.ver = -1; break;
	default: return *why = "unrecognized IP version (want 4, 6 or *)", -1;
	}
	if (p[1] != ':')
		return *why = "malformed signature after IP version", -1;
	p += 2;

	/* ittl: "64", "57+7", "200+?" (raw_sig), "64-" (random TTL) */
	n = p;
	digits(&n, &v);
	if (*n != ':' && *n != '+' && *n != '-')
		return *why = "malformed initial TTL", -1;
	if (v < 1 || v > 255)
		return *why = "bogus initial TTL", -1;
	s.ittl = (uint8_t)v;
	if (*n == '-' && n[1] == ':') {
		/*
		 * p0f 3.09b steps over "-:" and one more character here, so
		 * the option length of a "ttl-" signature must be one digit
		 * (and reads as 0); kept for identical results.
		 */
		s.bad_ttl = true;
		if (!n[2])
			return *why = "truncated signature", -1;
		p = n + 3;
	} else if (*n == '+' && n[1] == '?' && n[2] == ':') {
		/* mxsensor extension: raw_sig "ttl+?" = next usual initial TTL */
		s.ittl = fp_ittl(s.ittl);
		p = n + 3;
	} else if (*n == '+') {
		long add;
		p = n + 1;
		n = p;
		digits(&n, &add);
		if (*n != ':')
			return *why = "malformed initial TTL distance", -1;
		if (v + add > 255)
			return *why = "bogus initial TTL", -1;
		s.ittl = (uint8_t)(v + add);
		p = n + 1;
	} else {
		p = n + 1;
	}

	/* olen */
	n = p;
	digits(&n, &v);
	if (*n != ':')
		return *why = "malformed IP option length", -1;
	if (v > 255)
		return *why = "bogus IP option length", -1;
	s.olen = (uint8_t)v;
	p = n + 1;

	/* mss */
	if (p[0] == '*' && p[1] == ':') {
		s.mss = -1;
		p += 2;
	} else {
		n = p;
		digits(&n, &v);
		if (*n != ':')
			return *why = "malformed MSS", -1;
		if (v > 65535)
			return *why = "bogus MSS", -1;
		s.mss = (int32_t)v;
		p = n + 1;
	}

	/* wsize */
	if (p[0] == '*' && p[1] == ',') {
		s.win_type = FP_WIN_ANY;
		s.win = 0;
		p += 2;
	} else if (*p == '%') {
		s.win_type = FP_WIN_MOD;
		n = ++p;
		digits(&n, &v);
		if (*n != ',')
			return *why = "malformed window size", -1;
		if (v < 2 || v > 65535)
			return *why = "bogus '%' window modulus (want 2..65535)", -1;
		s.win = (int32_t)v;
		p = n + 1;
	} else if (!strncmp(p, "mss*", 4) || !strncmp(p, "mtu*", 4)) {
		s.win_type = p[1] == 's' ? FP_WIN_MSS : FP_WIN_MTU;
		n = p += 4;
		digits(&n, &v);
		if (*n != ',')
			return *why = "malformed window size", -1;
		if (v < 1 || v > 1000)
			return *why = "bogus MSS/MTU window multiplier (want 1..1000)", -1;
		s.win = (int32_t)v;
		p = n + 1;
	} else {
		s.win_type = FP_WIN_NORMAL;
		n = p;
		digits(&n, &v);
		if (*n != ',')
			return *why = "malformed window size", -1;
		if (v > 65535)
			return *why = "bogus window size", -1;
		s.win = (int32_t)v;
		p = n + 1;
	}

	/* scale */
	if (p[0] == '*' && p[1] == ':') {
		s.wscale = -1;
		p += 2;
	} else {
		n = p;
		digits(&n, &v);
		if (*n != ':')
			return *why = "malformed window scale", -1;
		if (v > 255)
			return *why = "bogus window scale", -1;
		s.wscale = (int16_t)v;
		p = n + 1;
	}

	if (parse_layout(&p, &s, why) < 0 || parse_quirks(&p, &s, why) < 0)
		return -1;

	/* pclass */
	if (!strcmp(p, "*"))
		s.pclass = -1;
	else if (!strcmp(p, "0"))
		s.pclass = 0;
	else if (!strcmp(p, "+"))
		s.pclass = 1;
	else
		return *why = "malformed payload class (want *, 0 or +)", -1;

	*out = s;
	return 0;
}

/* ---- labels, names, classes --------------------------------------------- */

/* name_intern - the stored spelling of name[0..len) (case-insensitive), added if new */
static const char *name_intern(struct fpdb *db, const char *name, size_t len)
{
	for (size_t i = 0; i < db->nnames; i++)
		if (!strncasecmp(db->names[i], name, len) && !db->names[i][len])
			return db->names[i];
	GROW(db->names, db->nnames + 1, db->capnames);
	db->names[db->nnames] = xstrndup(name, len);
	return db->names[db->nnames++];
}

/* class_find - the classes= spelling of a class, or NULL */
static const char *class_find(struct fpdb *db, const char *c, size_t len)
{
	for (size_t i = 0; i < db->nclasses; i++)
		if (!strncasecmp(db->classes[i], c, len) && !db->classes[i][len])
			return db->classes[i];
	return NULL;
}

static bool is_name_char(int c)
{
	return isalnum((unsigned char)c) || (c && strchr(FP_NAME_CHARS, c));
}

/* parse_classes - "classes = win,unix,other" */
static int parse_classes(struct fp_parse *ps, const char *v)
{
	struct fpdb *db = ps->db;
	while (*v) {
		while (isblank((unsigned char)*v) || *v == ',')
			v++;
		const char *n = v;
		while (isalnum((unsigned char)*n))
			n++;
		if (n == v || (*n && *n != ','))
			return perr(ps, "malformed class entry (want classes = a,b,c)");
		if (!class_find(db, v, (size_t)(n - v))) {
			GROW(db->classes, db->nclasses + 1, db->capclasses);
			db->classes[db->nclasses++] = xstrndup(v, (size_t)(n - v));
		}
		v = n;
	}
	return 0;
}

/* parse_label - "s:unix:Linux:3.11 and newer" (or an [mtu] label) */
static int parse_label(struct fp_parse *ps, const char *v)
{
	struct fpdb *db = ps->db;

	if (ps->sec == SEC_MTU) {
		if (!*v)
			return perr(ps, "empty MTU label");
		ps->label = own_str(db, xstrdup(v));
		return 0;
	}
	if (*v == 'g')
		ps->generic = true;
	else if (*v == 's')
		ps->generic = false;
	else
		return perr(ps, "malformed label: want s: or g: first");
	if (v[1] != ':')
		return perr(ps, "malformed label: want s: or g: first");
	v += 2;

	const char *n = v;
	while (isalnum((unsigned char)*n) || *n == '!')
		n++;
	if (n == v || *n != ':')
		return perr(ps, "malformed class in label");
	if (v[0] == '!' && v[1] == ':') {
		ps->userland = true;
		ps->os_class = "!";
	} else {
		ps->userland = false;
		ps->os_class = class_find(db, v, (size_t)(n - v));
		if (!ps->os_class)
			return perr(ps, "unknown class '%.*s' (not in classes =)", (int)(n - v), v);
	}

	v = ++n;
	while (is_name_char(*n))
		n++;
	if (n == v || *n != ':')
		return perr(ps, "malformed OS name in label");
	ps->os_name = name_intern(db, v, (size_t)(n - v));
	ps->flavor = n[1] ? own_str(db, xstrdup(n + 1)) : "";
	ps->label = *ps->flavor ? own_str(db, xasprintf("%s %s", ps->os_name, ps->flavor))
				: ps->os_name;
	return 0;
}

/* parse_sys - "sys = Windows,@unix": names and classes a tool runs on */
static int parse_sys(struct fp_parse *ps, const char *v)
{
	while (*v) {
		while (isblank((unsigned char)*v) || *v == ',')
			v++;
		bool is_class = false;
		if (*v == '@') {
			is_class = true;
			v++;
		}
		const char *n = v;
		while (is_name_char(*n))
			n++;
		if (n == v || (*n && *n != ','))
			return perr(ps, "malformed sys entry");
		if (is_class) {
			if (!class_find(ps->db, v, (size_t)(n - v)))
				return perr(ps, "unknown class '%.*s' in sys", (int)(n - v), v);
		} else {
			name_intern(ps->db, v, (size_t)(n - v));
		}
		v = n;
	}
	return 0;
}

/* add_tcp_sig - parse, check for duplicates, register one tcp sig */
static int add_tcp_sig(struct fp_parse *ps, const char *v)
{
	struct fpdb *db = ps->db;
	struct fp_sig sig;
	const char *why;

	if (fp_sig_parse(v, &sig, &why) < 0)
		return perr(ps, "%s in signature '%s'", why, v);

	bool req = ps->sec == SEC_TCP_REQ;
	struct fp_entry **list = req ? db->req : db->resp;
	size_t n = req ? db->nreq : db->nresp;
	for (size_t i = 0; i < n; i++)
		if (fp_sig_covers(list[i], &sig)) {
			if (strcmp(list[i]->file, ps->file))
				return perr(ps, "signature is already covered by %s:%u",
					    list[i]->file, list[i]->line);
			return perr(ps, "signature is already covered by line %u", list[i]->line);
		}

	struct fp_entry *e = xcalloc(1, sizeof *e);
	e->sig = sig;
	e->generic = ps->generic;
	e->userland = ps->userland;
	e->os_class = ps->os_class;
	e->os_name = ps->os_name;
	e->flavor = ps->flavor;
	e->label = ps->label;
	e->file = ps->file;
	e->line = ps->line;
	if (req) {
		GROW(db->req, db->nreq + 1, db->capreq);
		db->req[db->nreq++] = e;
	} else {
		GROW(db->resp, db->nresp + 1, db->capresp);
		db->resp[db->nresp++] = e;
	}
	return 0;
}

/* add_mtu_sig - "sig = 1500" in [mtu] */
static int add_mtu_sig(struct fp_parse *ps, const char *v)
{
	const char *n = v;
	long mtu;
	digits(&n, &mtu);
	if (n == v || *n || mtu <= 0 || mtu > 65535)
		return perr(ps, "malformed MTU value '%s' (want 1..65535)", v);
	GROW(ps->db->mtus, ps->db->nmtus + 1, ps->db->capmtus);
	ps->db->mtus[ps->db->nmtus].mtu = (unsigned)mtu;
	ps->db->mtus[ps->db->nmtus].label = ps->label;
	ps->db->nmtus++;
	return 0;
}

/* parse_section - "[mtu]", "[tcp:request]", "[http:response]", ... */
static int parse_section(struct fp_parse *ps, const char *l)
{
	l++;
	if (!strcmp(l, "mtu]")) {
		ps->sec = SEC_MTU;
		ps->state = NEED_LABEL;
		return 0;
	}
	const char *dir = strchr(l, ':');
	if (!dir)
		return perr(ps, "malformed section identifier");
	size_t mlen = (size_t)(dir - l);
	bool tcp;
	if (mlen == 3 && !strncmp(l, "tcp", 3))
		tcp = true;
	else if (mlen == 4 && !strncmp(l, "http", 4))
		tcp = false;
	else
		return perr(ps, "unrecognized fingerprinting module '%.*s'", (int)mlen, l);
	dir++;
	bool request;
	if (!strcmp(dir, "request]"))
		request = true;
	else if (!strcmp(dir, "response]"))
		request = false;
	else
		return perr(ps, "unrecognized traffic direction (want request or response)");
	ps->sec = !tcp ? SEC_HTTP : request ? SEC_TCP_REQ : SEC_TCP_RESP;
	ps->state = NEED_LABEL;
	return 0;
}

/* parse_line - one statement (leading blanks gone, not a comment) */
static int parse_line(struct fp_parse *ps, char *l)
{
	if (*l == '[')
		return parse_section(ps, l);
	if (ps->sec == SEC_HTTP)
		return 0;       /* HTTP signatures are not used */

	char *v = l;
	while (isalpha((unsigned char)*v) || *v == '_')
		v++;
	char *eon = v;
	while (isblank((unsigned char)*v))
		v++;
	if (eon == l || *v != '=')
		return perr(ps, "unexpected statement (want name = value)");
	v++;
	while (isblank((unsigned char)*v))
		v++;
	*eon = 0;

	if (!strcmp(l, "classes")) {
		if (ps->state != NEED_SECT)
			return perr(ps, "misplaced 'classes' (must come before any section)");
		return parse_classes(ps, v);
	}
	if (!strcmp(l, "label")) {
		if (ps->state != NEED_LABEL && ps->state != NEED_SIG)
			return perr(ps, ps->state == NEED_SYS
				    ? "misplaced 'label' (want 'sys' after a '!' label)"
				    : "misplaced 'label' (want a [section] first)");
		if (parse_label(ps, v) < 0)
			return -1;
		ps->state = ps->sec != SEC_MTU && ps->userland ? NEED_SYS : NEED_SIG;
		return 0;
	}
	if (!strcmp(l, "sys")) {
		if (ps->state != NEED_SYS)
			return perr(ps, "misplaced 'sys' (only after a '!' label)");
		if (parse_sys(ps, v) < 0)
			return -1;
		ps->state = NEED_SIG;
		return 0;
	}
	if (!strcmp(l, "sig")) {
		if (ps->state != NEED_SIG)
			return perr(ps, ps->state == NEED_SYS
				    ? "misplaced 'sig' (want 'sys' after a '!' label)"
				    : "misplaced 'sig' (want a 'label' first)");
		return ps->sec == SEC_MTU ? add_mtu_sig(ps, v) : add_tcp_sig(ps, v);
	}
	if (!strcmp(l, "ua_os"))
		return perr(ps, "misplaced 'ua_os' (only in [http:request])");
	return perr(ps, "unrecognized field '%s'", l);
}

/* rollback - drop what a failed file added (counts taken before it) */
static void rollback(struct fpdb *db, size_t nreq, size_t nresp, size_t nmtus,
		     size_t ncl, size_t nnames)
{
	while (db->nreq > nreq)
		free(db->req[--db->nreq]);
	while (db->nresp > nresp)
		free(db->resp[--db->nresp]);
	db->nmtus = nmtus;
	while (db->nclasses > ncl)
		free(db->classes[--db->nclasses]);
	while (db->nnames > nnames)
		free(db->names[--db->nnames]);
	/* strings in db->strs stay until fpdb_free: they may be the file name */
}

int fpdb_load_text(struct fpdb *db, const char *name, const char *text,
		   size_t len, char **err)
{
	struct fp_parse ps;
	memset(&ps, 0, sizeof ps);
	ps.db = db;
	ps.file = own_str(db, xstrdup(name));
	ps.state = NEED_SECT;

	size_t nreq = db->nreq, nresp = db->nresp, nmtus = db->nmtus;
	size_t ncl = db->nclasses, nnames = db->nnames;

	/* like p0f, a NUL byte ends the text */
	const char *nul = memchr(text, 0, len);
	if (nul)
		len = (size_t)(nul - text);

	const char *cur = text, *end = text + len;
	int rc = 0;
	for (;;) {
		ps.line++;
		while (cur < end && isblank((unsigned char)*cur))
			cur++;
		const char *eol = memchr(cur, '\n', (size_t)(end - cur));
		if (!eol)
			eol = end;
		if (cur != eol && *cur != ';') {
			char *l = xstrndup(cur, (size_t)(eol - cur));
			rc = parse_line(&ps, l);
			free(l);
			if (rc < 0)
				break;
		}
		if (eol == end)
			break;
		cur = eol + 1;
	}
	if (rc < 0) {
		rollback(db, nreq, nresp, nmtus, ncl, nnames);
		if (err)
			*err = ps.err;
		else
			free(ps.err);
		return -1;
	}
	/* verdicts given so far stay valid, but are not reused */
	if (db->memo_cap)
		memset(db->memo, 0, db->memo_cap * sizeof *db->memo);
	db->memo_used = 0;
	return 0;
}

int fpdb_load_file(struct fpdb *db, const char *path, char **err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (err)
			*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		GROW(buf, len + 65536, cap);
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		if (err)
			*err = xasprintf("%s: read error", path);
		return -1;
	}
	int rc = fpdb_load_text(db, path, buf, len, err);
	free(buf);
	return rc;
}

struct fpdb *fpdb_open(const char *const *paths, size_t n, char **err)
{
	static const char *const dfl[] = { FP_DEFAULT_DB };
	if (n == 0) {
		paths = dfl;
		n = 1;
	}
	struct fpdb *db = fpdb_new();
	for (size_t i = 0; i < n; i++)
		if (fpdb_load_file(db, paths[i], err) < 0) {
			fpdb_free(db);
			/* the default missing: say where it comes from */
			if (paths == dfl && err && *err && access(FP_DEFAULT_DB, F_OK) != 0) {
				char *e = xasprintf("%s (Debian's p0f package installs it;"
						    " --fp-db names another signature file)", *err);
				free(*err);
				*err = e;
			}
			return NULL;
		}
	return db;
}
