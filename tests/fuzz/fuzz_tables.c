/*
 * fuzz_tables.c - libFuzzer harness for the tables and texts that come
 * from outside the captures and logs: the origin AS files of --asn
 * (pfx2as, IPASN-DAT, ip2asn TSV, AS names CSV, mmdb), the --ptr-file
 * lists, the class-of-service configuration of policyd / reputation, and
 * the DNS answers of the enrichment (Team Cymru's TXT records, PTR names
 * cut to their registered domain).
 *
 * The first byte picks the reader; the rest is the file or the text.
 * Each loaded table is then asked about addresses taken from the input
 * itself, so that look-ups run over whatever ranges the input built.
 *
 *   make fuzz FUZZ_ONLY=fuzz_tables
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "addr/addr.h"
#include "defence/cos.h"
#include "enrich/asn.h"
#include "enrich/dns.h"
#include "enrich/enrich.h"
#include "util/hash.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* addr_from - an address of the family picked by b, from up to 16 bytes */
static void addr_from(const uint8_t *p, size_t n, int b, struct addr *a)
{
	uint8_t raw[16] = { 0 };
	memcpy(raw, p, n < 16 ? n : 16);
	*a = b & 1 ? addr_from_v6(raw) : addr_from_v4(raw);
}

static void asn_case(const char *path, const uint8_t *data, size_t size)
{
	struct asn_db *db = asn_db_new();
	if (asn_db_load(db, path) == 0) {
		asn_db_build(db);
		const struct asn_stats *st = asn_db_stats(db);
		if (st->ranges4 + st->ranges6 > st->entries * 2 + 2)
			__builtin_trap();   /* the merge cannot more than double */
		for (size_t i = 0; i + 16 <= size && i < 16 * 64; i += 16) {
			struct addr a;
			struct asn_info info;
			addr_from(data + i, 16, data[i], &a);
			bool known = asn_db_lookup(db, &a, &info);
			uint32_t fast = asn_db_lookup_asn(db, &a);
			if (!memchr(info.name, '\0', sizeof info.name))
				__builtin_trap();
			if (!st->mmdbs && known && fast != info.asn)
				__builtin_trap();
		}
	}
	asn_db_free(db);
}

static void ptr_case(const char *path, const uint8_t *data, size_t size)
{
	const char *files[1] = { path };
	uint64_t bad = 0;
	struct ptr_map *m = ptr_map_load(files, 1, &bad);
	if (!m)
		return;
	/* ask in ascending order, as the enrichment does */
	struct addr q[64];
	size_t nq = 0;
	for (size_t i = 0; i + 16 <= size && nq < 64; i += 16)
		addr_from(data + i, 16, data[i], &q[nq++]);
	for (size_t i = 1; i < nq; i++)
		for (size_t j = i; j > 0 && addr_cmp(&q[j], &q[j - 1]) < 0; j--) {
			struct addr t = q[j];
			q[j] = q[j - 1];
			q[j - 1] = t;
		}
	for (size_t i = 0; i < nq; i++) {
		const char *name = ptr_map_get(m, &q[i]);
		if (name && strlen(name) >= DNS_TEXT_MAX)
			__builtin_trap();
	}
	ptr_map_free(m);
}

static void cos_case(const char *path, const uint8_t *data, size_t size)
{
	struct cos_config c;
	if (cos_load(&c, path) < 0)
		return;
	for (size_t i = 0; i + 16 <= size && i < 16 * 64; i += 16) {
		struct addr a;
		addr_from(data + i, 16, data[i], &a);
		struct prefix p = cos_key(&c, &a, 0);
		if (p.len > (p.a.family == 4 ? 32 : 128))
			__builtin_trap();
	}
	for (int k = 0; k < COS_NCLASS; k++) {
		char buf[COS_TEXT_MAX + 64];
		cos_action_text(&c.cls[k], buf, sizeof buf);
		if (!memchr(buf, '\0', sizeof buf))
			__builtin_trap();
	}
	cos_free(&c);
}

static void text_case(const uint8_t *data, size_t size)
{
	char txt[600];
	size_t n = size < sizeof txt - 1 ? size : sizeof txt - 1;
	memcpy(txt, data, n);
	txt[n] = '\0';
	uint32_t asn = 0;
	if (asn_cymru_parse(txt, &asn) == 0 && asn == 0)
		__builtin_trap();
	char name[ASN_NAME_MAX];
	if (asn_cymru_name_parse(txt, name, sizeof name) == 0 && !memchr(name, '\0', sizeof name))
		__builtin_trap();
	char dom[DNS_TEXT_MAX];
	enrich_registered_domain(txt, dom, sizeof dom);
	if (!memchr(dom, '\0', sizeof dom) || strlen(dom) > strlen(txt))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once) {
		once = 1;
		hash_seed_fixed(1);
		log_set_level(LOG_LVL_ERROR);
	}
	if (size < 1)
		return 0;
	int which = data[0] % 4;
	data++;
	size--;
	if (which == 3) {
		text_case(data, size);
		return 0;
	}
	int fd = memfd_create("table", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (which == 0)
		asn_case(path, data, size);
	else if (which == 1)
		ptr_case(path, data, size);
	else
		cos_case(path, data, size);
	close(fd);
	return 0;
}
