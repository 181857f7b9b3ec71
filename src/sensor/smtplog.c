/*
 * smtplog.c - greetings of capture --smtp, by client (see smtplog.h).
 *
 * Each line is parsed by json-c (a well-kept JSON parser; the lines are
 * written by us but may be cut or damaged); only "ehlo" and "helo" events
 * are kept, in an open-addressing table keyed by (address, port).  A
 * later greeting of the same (address, port) replaces an earlier one.
 */
#include "sensor/smtplog.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <json-c/json.h>
#include <zlib.h>

#include "util/alloc.h"
#include "util/hash.h"
#include "util/log.h"

#define LINE_MAX_LEN 4096

struct entry {
	struct addr src;
	uint16_t sport;
	char *name;             /* NULL: empty slot */
};

struct smtplog {
	struct entry *tab;
	size_t cap, n, bad;
};

struct smtplog *smtplog_new(void)
{
	struct smtplog *l = xcalloc(1, sizeof *l);
	l->cap = 256;
	l->tab = xcalloc(l->cap, sizeof *l->tab);
	return l;
}

static uint64_t key_hash(const struct addr *a, uint16_t port)
{
	uint8_t k[19];
	k[0] = a->family;
	memcpy(k + 1, a->b, 16);
	k[17] = (uint8_t)(port >> 8);
	k[18] = (uint8_t)port;
	return hash_bytes(k, sizeof k);
}

static struct entry *slot(const struct smtplog *l, const struct addr *a, uint16_t port)
{
	size_t mask = l->cap - 1;
	for (size_t i = key_hash(a, port) & mask;; i = (i + 1) & mask) {
		struct entry *e = &l->tab[i];
		if (!e->name || (e->sport == port && addr_eq(&e->src, a)))
			return e;
	}
}

static void put(struct smtplog *l, const struct addr *a, uint16_t port, const char *name)
{
	if ((l->n + 1) * 2 > l->cap) {
		struct entry *old = l->tab;
		size_t ocap = l->cap;
		l->cap *= 2;
		l->tab = xcalloc(l->cap, sizeof *l->tab);
		for (size_t i = 0; i < ocap; i++)
			if (old[i].name)
				*slot(l, &old[i].src, old[i].sport) = old[i];
		free(old);
	}
	struct entry *e = slot(l, a, port);
	if (e->name) {
		free(e->name);
	} else {
		l->n++;
		e->src = *a;
		e->sport = port;
	}
	/* printable ASCII only, bounded */
	size_t n = strnlen(name, SMTPLOG_NAME_MAX);
	e->name = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		e->name[i] = ch >= 0x21 && ch < 0x7f ? (char)ch : '?';
	}
	e->name[n] = '\0';
}

/* field - a string member of obj, or NULL */
static const char *field(struct json_object *obj, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* one_line - a record, or false when the line is not one */
static bool one_line(struct smtplog *l, const char *line, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj = json_tokener_parse_ex(tok, line, (int)len);
	bool ok = obj && json_tokener_get_error(tok) == json_tokener_success &&
		  json_object_is_type(obj, json_type_object);
	json_tokener_free(tok);
	if (!ok) {
		json_object_put(obj);
		return false;
	}
	const char *ev = field(obj, "event"), *src = field(obj, "src"), *name = field(obj, "value");
	struct json_object *sp;
	struct addr a;
	ok = ev && src && json_object_object_get_ex(obj, "sport", &sp) &&
	     json_object_is_type(sp, json_type_int) && addr_parse(src, &a) == 0;
	if (ok) {
		int64_t port = json_object_get_int64(sp);
		if (port < 1 || port > 65535)
			ok = false;
		else if ((!strcmp(ev, "ehlo") || !strcmp(ev, "helo")) && name && *name)
			put(l, &a, (uint16_t)port, name);
	}
	json_object_put(obj);
	return ok;
}

int smtplog_load(struct smtplog *l, const char *path)
{
	gzFile f = strcmp(path, "-") ? gzopen(path, "rb") : gzdopen(dup(0), "rb");
	if (!f)
		return error("%s: cannot open", path);
	char buf[LINE_MAX_LEN + 2];
	unsigned long lineno = 0;
	unsigned reported = 0;
	bool skipping = false;   /* inside a line longer than the buffer */
	while (gzgets(f, buf, sizeof buf)) {
		size_t n = strlen(buf);
		bool whole = n && buf[n - 1] == '\n';
		if (skipping) {
			skipping = !whole;
			continue;
		}
		lineno++;
		if (!whole && !gzeof(f)) {
			skipping = true;
			l->bad++;
			continue;
		}
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		if (!n)
			continue;
		if (!one_line(l, buf, n)) {
			l->bad++;
			if (reported++ < 5)
				warn("%s:%lu: not a capture --smtp record", path, lineno);
		}
	}
	int err;
	const char *msg = gzerror(f, &err);
	int rc = err && err != Z_STREAM_END ? error("%s: %s", path, msg) : 0;
	gzclose(f);
	return rc;
}

const char *smtplog_ehlo(const struct smtplog *l, const struct addr *src, uint16_t sport)
{
	return slot(l, src, sport)->name;
}

size_t smtplog_count(const struct smtplog *l) { return l->n; }
size_t smtplog_bad(const struct smtplog *l) { return l->bad; }

void smtplog_free(struct smtplog *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->cap; i++)
		free(l->tab[i].name);
	free(l->tab);
	free(l);
}
