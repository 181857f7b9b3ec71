/* test_sensor.c - sensor/: the /proc listener scan, the BPF filter (run by
 * libpcap's own filter engine over crafted frames), and the rotating writer
 * (read back with the pcap reader). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "packet/parse.h"
#include "packet/reader.h"
#include "sensor/capture.h"
#include "sensor/dnscheck.h"
#include "sensor/pcapw.h"
#include "sensor/portguard.h"
#include "sensor/privdrop.h"
#include "sensor/smtp_cmd.h"

/* a real /proc/net/tcp6 excerpt: LISTEN on 25 (v6), ESTABLISHED from 25,
 * LISTEN on 2525 */
static const char tcp6_table[] =
	"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 00000000000000000000000000000000:0019 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20934 1 0000000000000000 100 0 0 10 0\n"
	"   1: 00000000000000000000000001000000:0019 00000000000000000000000001000000:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1\n"
	"   2: 00000000000000000000000000000000:09DD 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20935 1 0000000000000000 100 0 0 10 0\n";

static int count_in(const char *text, uint16_t port)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	int n = portguard_count_listen(f, port);
	fclose(f);
	return n;
}

static void test_portguard_scan(void **state)
{
	(void)state;
	assert_int_equal(count_in(tcp6_table, 25), 1);
	assert_int_equal(count_in(tcp6_table, 2525), 1);
	assert_int_equal(count_in(tcp6_table, 587), 0);
	assert_int_equal(count_in("no header here\n", 25), -1);
	assert_int_equal(count_in("  sl  local_address rem_address st\n garbage\n", 25), 0);
}

/* frame building: Ethernet + IPv4/IPv6 (+ hop-by-hop) + TCP with MSS */
static size_t eth(uint8_t *p, uint16_t type)
{
	memset(p, 0, 12);
	p[0] = 0x02;
	p[6] = 0x02;
	p[11] = 1;
	p[12] = (uint8_t)(type >> 8);
	p[13] = (uint8_t)type;
	return 14;
}

static size_t tcp(uint8_t *p, uint16_t dport, uint8_t flags)
{
	memset(p, 0, 24);
	p[0] = 0xc3;            /* sport 50000 */
	p[1] = 0x50;
	p[2] = (uint8_t)(dport >> 8);
	p[3] = (uint8_t)dport;
	p[7] = 1;               /* seq */
	p[12] = 6 << 4;         /* 24 bytes */
	p[13] = flags;
	p[14] = 0xfa;           /* window 64240 */
	p[15] = 0xf0;
	p[20] = 2;              /* MSS 1460 */
	p[21] = 4;
	p[22] = 0x05;
	p[23] = 0xb4;
	return 24;
}

static size_t frame4(uint8_t *buf, uint16_t dport, uint8_t flags)
{
	size_t n = eth(buf, 0x0800);
	uint8_t *ip = buf + n;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[3] = 44;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 192; ip[13] = 0; ip[14] = 2; ip[15] = 1;
	ip[16] = 192; ip[17] = 0; ip[18] = 2; ip[19] = 25;
	return n + 20 + tcp(ip + 20, dport, flags);
}

/* frame6 - nh 6 = TCP directly, 0 = hop-by-hop then TCP, 17 = UDP,
 * 58 = ICMPv6 (8 bytes of body) */
static size_t frame6(uint8_t *buf, uint8_t nh, uint16_t dport, uint8_t flags)
{
	size_t n = eth(buf, 0x86dd);
	uint8_t *ip = buf + n;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[6] = nh;
	ip[7] = 64;
	ip[8] = 0x20; ip[9] = 0x01; ip[10] = 0x0d; ip[11] = 0xb8; ip[23] = 1;
	ip[24] = 0x20; ip[25] = 0x01; ip[26] = 0x0d; ip[27] = 0xb8; ip[39] = 0x25;
	size_t body = 40;
	if (nh == 0) {
		uint8_t *h = ip + body;
		memset(h, 0, 8);
		h[0] = 6;           /* next: TCP; length 0 = 8 bytes; PadN */
		h[2] = 1;
		h[3] = 4;
		body += 8;
		body += tcp(ip + body, dport, flags);
	} else if (nh == 6) {
		body += tcp(ip + body, dport, flags);
	} else {
		memset(ip + body, 0, 8);
		body += 8;
	}
	ip[4] = (uint8_t)((body - 40) >> 8);
	ip[5] = (uint8_t)(body - 40);
	return n + body;
}

static bool passes(const struct bpf_program *prog, const uint8_t *buf, size_t len)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len };
	return pcap_offline_filter(prog, &h, buf) != 0;
}

static void test_filter_ext_headers(void **state)
{
	(void)state;
	char text[512];
	struct bpf_program prog;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	assert_non_null(p);
	assert_int_equal(pcap_compile(p, &prog, capture_filter(25, text, sizeof text), 1,
				      PCAP_NETMASK_UNKNOWN), 0);
	uint8_t buf[256];
	size_t n;
	struct syn s;
	struct pcapin_stats st;

	n = frame4(buf, 25, 0x02);
	assert_true(passes(&prog, buf, n));
	assert_false(passes(&prog, buf, frame4(buf, 25, 0x12)));   /* SYN+ACK */
	assert_false(passes(&prog, buf, frame4(buf, 25, 0x04)));   /* RST */
	assert_false(passes(&prog, buf, frame4(buf, 80, 0x02)));   /* other port */
	assert_true(passes(&prog, buf, frame6(buf, 6, 25, 0x02)));
	assert_false(passes(&prog, buf, frame6(buf, 6, 25, 0x12)));
	assert_false(passes(&prog, buf, frame6(buf, 6, 587, 0x02)));
	assert_false(passes(&prog, buf, frame6(buf, 17, 0, 0)));
	assert_false(passes(&prog, buf, frame6(buf, 58, 0, 0)));
	/* behind an extension header: the filter lets it through, the parser
	 * decides, and finds the SYN to port 25 */
	n = frame6(buf, 0, 25, 0x02);
	assert_true(passes(&prog, buf, n));
	memset(&st, 0, sizeof st);
	assert_int_equal(packet_parse(DLT_EN10MB, buf, n, n, &s, &st), 1);
	assert_int_equal(s.dport, 25);
	assert_int_equal(s.ipver, 6);
	assert_int_equal(s.mss, 1460);
	n = frame6(buf, 0, 25, 0x12);
	assert_true(passes(&prog, buf, n));
	assert_int_equal(packet_parse(DLT_EN10MB, buf, n, n, &s, &st), 0);
	pcap_freecode(&prog);
	pcap_close(p);

	/* the same text compiles for the "any" pseudo-interface */
	p = pcap_open_dead(DLT_LINUX_SLL2, 65535);
	assert_int_equal(pcap_compile(p, &prog, text, 1, PCAP_NETMASK_UNKNOWN), 0);
	pcap_freecode(&prog);
	pcap_close(p);
}

/* dir_count - files in dir whose name ends with suffix */
static int dir_count(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);
		if (l >= sl && !strcmp(e->d_name + l - sl, suffix))
			n++;
	}
	closedir(d);
	return n;
}

/* read_all - SYNs in every file of dir ending in suffix, in name order;
 * checks the MSS of each and that the packet numbers continue 1, 2, ... */
static int read_all(const char *dir, const char *suffix, uint32_t *seq_sum)
{
	struct dirent **list;
	int nf = scandir(dir, &list, NULL, alphasort);
	assert_true(nf >= 0);
	int total = 0;
	for (int i = 0; i < nf; i++) {
		size_t l = strlen(list[i]->d_name), sl = strlen(suffix);
		if (l >= sl && !strcmp(list[i]->d_name + l - sl, suffix) &&
		    list[i]->d_name[0] != '.') {
			char path[4096], err[256];
			snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
			struct pcapin *in = pcapin_open(path, err, sizeof err);
			assert_non_null(in);
			struct syn s;
			int r;
			while ((r = pcapin_next(in, &s)) == 1) {
				assert_int_equal(s.mss, 1460);
				assert_int_equal(s.ts_prec, 9);
				*seq_sum += (uint32_t)(s.ts_ns % 1000000000);
				total++;
			}
			assert_int_equal(r, 0);
			pcapin_close(in);
		}
		free(list[i]);
	}
	free(list);
	return total;
}

static void rotate_round(enum pcapw_format fmt, const char *ext)
{
	char dir[] = "/tmp/mxpcapw.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char pattern[256];
	snprintf(pattern, sizeof pattern, "%s/syn-%%Y%%m%%d-%%H%%M%%S%s", dir, ext);
	struct pcapw_iface ifc[2] = { { "eth0", DLT_EN10MB, 65535 },
				      { "eth1", DLT_EN10MB, 65535 } };
	struct pcapw_cfg cfg = { pattern, fmt, 2048, 10 * 1000000000LL, ifc, 2 };
	char err[256];
	struct pcapw *w = pcapw_new(&cfg, err, sizeof err);
	assert_non_null(w);

	uint8_t buf[256];
	size_t n = frame4(buf, 25, 0x02);
	uint32_t want = 0;
	const int total = 100;
	for (int i = 0; i < total; i++) {
		/* all in one second (names collide: .1, .2, ...) except the last
		 * ten, in the next ten-second slot */
		struct pcap_pkthdr h = { .caplen = (bpf_u_int32)n, .len = (bpf_u_int32)n };
		h.ts.tv_sec = 1700000000 + (i >= 90 ? 10 : 0);
		h.ts.tv_usec = 1000 + i;   /* nanoseconds */
		want += (uint32_t)(1000 + i);
		assert_int_equal(pcapw_write(w, i % 2, &h, buf), 0);
		if (i == 50)
			assert_int_equal(dir_count(dir, ".tmp"), 1);
	}
	assert_non_null(pcapw_current(w));
	assert_int_equal(pcapw_tick(w, 1700000000LL * 1000000000 + 5), 0);
	assert_non_null(pcapw_current(w));        /* slot not over yet */
	assert_int_equal(pcapw_tick(w, 1700000020LL * 1000000000), 0);
	assert_null(pcapw_current(w));            /* time rotation */
	assert_int_equal(pcapw_get_stats(w)->packets, total);
	uint64_t files = pcapw_get_stats(w)->files;
	assert_true(files >= 3);
	assert_int_equal(pcapw_close(w), 0);
	assert_int_equal(dir_count(dir, ".tmp"), 0);
	assert_int_equal(dir_count(dir, ext), (int)files);

	uint32_t got = 0;
	assert_int_equal(read_all(dir, ext, &got), total);
	assert_int_equal(got, want);

	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_pcapw_rotate_pcap(void **state)
{
	(void)state;
	rotate_round(PCAPW_PCAP, ".pcap");
}

static void test_pcapw_rotate_pcapng(void **state)
{
	(void)state;
	rotate_round(PCAPW_PCAPNG, ".pcapng");
}

static void test_pcapw_config(void **state)
{
	(void)state;
	char err[256], name[64];
	struct pcapw_iface ifc[2] = { { "eth0", DLT_EN10MB, 65535 },
				      { "any", DLT_LINUX_SLL2, 65535 } };
	struct pcapw_cfg cfg = { "x.pcap", PCAPW_PCAP, 0, 0, ifc, 2 };
	assert_null(pcapw_new(&cfg, err, sizeof err));
	assert_non_null(strstr(err, "pcapng"));
	cfg.format = PCAPW_PCAPNG;
	struct pcapw *w = pcapw_new(&cfg, err, sizeof err);
	assert_non_null(w);
	assert_int_equal(pcapw_close(w), 0);
	cfg.pattern = "";
	assert_null(pcapw_new(&cfg, err, sizeof err));

	assert_int_equal(pcapw_format_for("a/syn-%H.pcapng"), PCAPW_PCAPNG);
	assert_int_equal(pcapw_format_for("a/syn-%H.pcap"), PCAPW_PCAP);
	assert_int_equal(pcapw_name("syn-%Y%m%d-%H%M%S.pcap", 1700000000LL * 1000000000, name,
				    sizeof name), 0);
	assert_string_equal(name, "syn-20231114-221320.pcap");
}

static void test_privdrop_lookup(void **state)
{
	(void)state;
	struct privdrop_user u;
	char err[128];
	assert_int_equal(privdrop_lookup("no-such-user-mxsensor", &u, err, sizeof err), -1);
	assert_non_null(strstr(err, "no such user"));
	assert_int_equal(privdrop_lookup("root", &u, err, sizeof err), 0);
	assert_int_equal(u.uid, 0);
	const char *d = privdrop_default_user();
	assert_true(!strcmp(d, "mxsensor") || !strcmp(d, "nobody"));
}

/* host - add one MX host with na A and n6 AAAA records */
static void host(struct dnscheck *d, const char *name, int pref, int na, int n6)
{
	struct dnscheck_host *h = &d->host[d->n++];
	memset(h, 0, sizeof *h);
	snprintf(h->name, sizeof h->name, "%s", name);
	h->pref = pref;
	for (int i = 0; i < na; i++)
		snprintf(h->a[h->n_a++], 46, "192.0.2.%d", i + 1);
	for (int i = 0; i < n6; i++)
		snprintf(h->aaaa[h->n_aaaa++], 46, "2001:db8::%d", i + 1);
}

static void test_dnscheck_judge(void **state)
{
	(void)state;
	struct dnscheck *d = calloc(1, sizeof *d);
	assert_non_null(d);
	snprintf(d->domain, sizeof d->domain, "example.org");
	host(d, "mx1.example.org", 10, 2, 0);
	host(d, "sensor.example.org", 30, 1, 1);
	assert_true(dnscheck_judge(d, NULL));
	assert_int_equal(d->host[1].role, DNSCHECK_SENSOR);
	assert_true(dnscheck_judge(d, "Sensor.Example.org."));
	assert_false(dnscheck_judge(d, "mx1.example.org"));     /* no AAAA on it */
	assert_false(d->host[0].ok);
	assert_false(dnscheck_judge(d, "mx9.example.org"));
	assert_non_null(strstr(d->why, "not an MX"));
	/* a tie at the largest preference */
	host(d, "mx2.example.org", 30, 1, 0);
	assert_false(dnscheck_judge(d, NULL));
	assert_non_null(strstr(d->why, "share the largest preference"));
	assert_false(dnscheck_judge(d, "sensor.example.org"));  /* not larger than mx2 */
	d->host[2].pref = 20;
	assert_true(dnscheck_judge(d, NULL));
	d->host[2].n_aaaa = 1;                                  /* production with AAAA */
	assert_false(dnscheck_judge(d, NULL));
	assert_non_null(strstr(d->host[2].why, "AAAA"));
	/* the sensor alone */
	d->n = 1;
	d->host[0] = d->host[1];
	assert_false(dnscheck_judge(d, NULL));
	assert_non_null(strstr(d->why, "no production MX"));
	d->n = 0;
	assert_false(dnscheck_judge(d, NULL));
	free(d);
}

static void test_dnscheck_server(void **state)
{
	(void)state;
	char b[128];
	assert_int_equal(dnscheck_server_csv("127.0.0.1", b, sizeof b), 0);
	assert_string_equal(b, "127.0.0.1:53");
	assert_int_equal(dnscheck_server_csv("127.0.0.1:5353", b, sizeof b), 0);
	assert_string_equal(b, "127.0.0.1:5353");
	assert_int_equal(dnscheck_server_csv("::1", b, sizeof b), 0);
	assert_string_equal(b, "[::1]:53");
	assert_int_equal(dnscheck_server_csv("[2001:db8::1]:54", b, sizeof b), 0);
	assert_string_equal(b, "[2001:db8::1]:54");
	assert_int_equal(dnscheck_server_csv("[::1]", b, sizeof b), 0);
	assert_int_equal(dnscheck_server_csv("ns.example.org", b, sizeof b), -1);
	assert_int_equal(dnscheck_server_csv("[::1]x", b, sizeof b), -1);
	assert_int_equal(dnscheck_server_csv("1.2.3.4:0", b, sizeof b), -1);
	assert_int_equal(dnscheck_server_csv("1.2.3.4:65536", b, sizeof b), -1);
	assert_int_equal(dnscheck_server_csv("[::1:53", b, sizeof b), -1);
}

/* smtp_line frames CRLF and bare LF lines, strips the CR, masks NULs,
 * waits for more when there is room and refuses a line that cannot fit */
static void test_smtp_line(void **state)
{
	(void)state;
	char buf[64], *line = NULL;
	memcpy(buf, "EHLO a\r\nQUIT\n", 13);
	assert_int_equal(smtp_line(buf, 13, 512, &line), 8);
	assert_string_equal(line, "EHLO a");
	assert_int_equal(smtp_line(buf + 8, 5, 512, &line), 5);
	assert_string_equal(line, "QUIT");
	memcpy(buf, "HE\0LO\n", 6);
	assert_int_equal(smtp_line(buf, 6, 512, &line), 6);
	assert_string_equal(line, "HE?LO");
	memcpy(buf, "EHLO partial", 12);
	assert_int_equal(smtp_line(buf, 12, 512, &line), SMTP_LINE_MORE);
	/* max_line counts the LF: "ABCDEFG\n" is 8 bytes */
	memcpy(buf, "ABCDEFG\n", 8);
	assert_int_equal(smtp_line(buf, 8, 8, &line), 8);
	memcpy(buf, "ABCDEFGH\n", 9);
	assert_int_equal(smtp_line(buf, 9, 8, &line), SMTP_LINE_LONG);
	assert_int_equal(smtp_line(buf, 8, 8, &line), SMTP_LINE_LONG);
	assert_int_equal(smtp_line(buf, 7, 8, &line), SMTP_LINE_MORE);
	memcpy(buf, "\r\n", 2);
	assert_int_equal(smtp_line(buf, 2, 8, &line), 2);
	assert_string_equal(line, "");
}

/* smtp_verb: case-insensitive verbs that must end at a word boundary,
 * MAIL/RCPT arguments past FROM:/TO: */
static void test_smtp_verb(void **state)
{
	(void)state;
	const char *arg;
	assert_int_equal(smtp_verb("ehlo  mx.example.net", &arg), SMTP_V_EHLO);
	assert_string_equal(arg, "mx.example.net");
	assert_int_equal(smtp_verb("HELO", &arg), SMTP_V_HELO);
	assert_string_equal(arg, "");
	assert_int_equal(smtp_verb("MAIL FROM: <a@b.example> SIZE=10", &arg), SMTP_V_MAIL);
	assert_string_equal(arg, "<a@b.example> SIZE=10");
	assert_int_equal(smtp_verb("mail from:<>", &arg), SMTP_V_MAIL);
	assert_string_equal(arg, "<>");
	assert_int_equal(smtp_verb("RCPT To:<c@d.example>", &arg), SMTP_V_RCPT);
	assert_string_equal(arg, "<c@d.example>");
	assert_int_equal(smtp_verb("RCPT <c@d.example>", &arg), SMTP_V_RCPT);
	assert_string_equal(arg, "<c@d.example>");
	assert_int_equal(smtp_verb("MAILX FROM:<x>", &arg), SMTP_V_OTHER);
	assert_int_equal(smtp_verb("DATA", &arg), SMTP_V_DATA);
	assert_int_equal(smtp_verb("rset", &arg), SMTP_V_RSET);
	assert_int_equal(smtp_verb("NOOP x", &arg), SMTP_V_NOOP);
	assert_int_equal(smtp_verb("QUIT", &arg), SMTP_V_QUIT);
	assert_int_equal(smtp_verb("STARTTLS", &arg), SMTP_V_STARTTLS);
	assert_int_equal(smtp_verb("STARTTLSX", &arg), SMTP_V_OTHER);
	assert_int_equal(smtp_verb("VRFY root", &arg), SMTP_V_VRFY);
	assert_int_equal(smtp_verb("", &arg), SMTP_V_OTHER);
	assert_string_equal(arg, "");
	assert_int_equal(smtp_verb("EHL", &arg), SMTP_V_OTHER);
}

/* smtp_printable: bytes outside printable ASCII become '?', cut to fit */
static void test_smtp_printable(void **state)
{
	(void)state;
	char out[8];
	assert_int_equal(smtp_printable("a\x01\xff\"b", out, sizeof out), 5);
	assert_string_equal(out, "a??\"b");
	assert_int_equal(smtp_printable("0123456789", out, sizeof out), 7);
	assert_string_equal(out, "0123456");
	assert_int_equal(smtp_printable("x", out, 1), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_portguard_scan),
		cmocka_unit_test(test_filter_ext_headers),
		cmocka_unit_test(test_pcapw_rotate_pcap),
		cmocka_unit_test(test_pcapw_rotate_pcapng),
		cmocka_unit_test(test_pcapw_config),
		cmocka_unit_test(test_privdrop_lookup),
		cmocka_unit_test(test_dnscheck_judge),
		cmocka_unit_test(test_dnscheck_server),
		cmocka_unit_test(test_smtp_line),
		cmocka_unit_test(test_smtp_verb),
		cmocka_unit_test(test_smtp_printable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
