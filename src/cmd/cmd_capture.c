/*
 * cmd_capture.c - `mxsensor capture`: the live sensor.
 *
 * Options only; the work is capture_run() (sensor/capture.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "sensor/capture.h"
#include "sensor/privdrop.h"
#include "util/log.h"
#include "util/num.h"

const char cmd_capture_summary[] =
	"live sensor: capture SYNs to port 25 (IPv4+IPv6), keep the port closed, rotate files";

const char cmd_capture_usage[] =
	"usage: mxsensor capture [-i IFACE]... -w PATTERN [--rotate-size SIZE]\n"
	"                        [--rotate-seconds T] [--format pcap|pcapng]\n"
	"                        [--jsonl FILE|-] [--user NAME] [--chroot DIR]\n"
	"                        [options]\n"
	"\n"
	"Capture every TCP SYN to the sensor port over IPv4 and IPv6 and write\n"
	"them to rotated capture files, while the port stays closed: capture\n"
	"refuses to start when anything listens on the port, then binds it on\n"
	"0.0.0.0 and [::] without listening, so the kernel answers every SYN\n"
	"with a RST and no other process can take the port.  After opening the\n"
	"interfaces and the port it runs as an unprivileged user with no\n"
	"capabilities.\n"
	"\n"
	"Each file is written as .NAME.tmp and renamed to NAME when complete,\n"
	"so readers only ever see whole files.  The .NAME.tmp a capture that\n"
	"did not stop left (kill -9, a crash, power lost) is completed at the\n"
	"next start: cut after its last whole packet and renamed.\n"
	"\n"
	"Options:\n"
	"  -i, --interface IFACE  capture on IFACE (repeatable, at most 16;\n"
	"                         default: any, all interfaces)\n"
	"  -p, --port N           sensor port (1-65535; default 25)\n"
	"  -w, --write PATTERN    file names, strftime(3) pattern in UTC, e.g.\n"
	"                         'syn-%Y%m%d-%H%M%S.pcap'; '.1', '.2' are put\n"
	"                         before the extension when a name is taken\n"
	"  -F, --format FMT       pcap or pcapng (default: pcapng when PATTERN\n"
	"                         ends in .pcapng, else pcap; pcap needs all\n"
	"                         interfaces to share one link type)\n"
	"  -C, --rotate-size SIZE start a new file after SIZE bytes (suffix k, M,\n"
	"                         G = 1024-based; default: no size limit)\n"
	"  -G, --rotate-seconds T start a new file every T (seconds or 30s, 10m,\n"
	"                         1h, 1d; slots aligned to the epoch; default: none)\n"
	"  -j, --jsonl FILE       also write one JSON line per SYN (fields as\n"
	"                         'mxsensor syns --format jsonl' plus iface and\n"
	"                         file); '-' = standard output; reopened on SIGHUP\n"
	"  -u, --user NAME        run as NAME (default: mxsensor if that user\n"
	"                         exists, else nobody); never root\n"
	"      --chroot DIR       chroot to DIR before dropping privileges (paths\n"
	"                         of -w and --jsonl are then inside DIR)\n"
	"  -s, --snaplen N        bytes kept per packet (128-262144; default 65535)\n"
	"  -B, --buffer-size KIB  kernel capture buffer per interface (default 8192)\n"
	"      --stats-interval T log capture and drop counters every T (default\n"
	"                         15m; 0 = only at exit)\n"
	"      --no-hold-port     do not bind the port (when an nftables rule\n"
	"                         'tcp dport 25 reject with tcp reset' guards it)\n"
	"      --syslog           log to syslog (daemon facility), not stderr\n"
	"\n"
	"SMTP mode (opt-in; still never accepts mail):\n"
	"      --smtp             listen on the port instead of holding it closed:\n"
	"                         greet with 220, record EHLO/HELO, MAIL FROM and\n"
	"                         RCPT TO, answer MAIL with 4xx (never 2xx to\n"
	"                         MAIL, RCPT or DATA); SYNs are still captured\n"
	"      --smtp-log FILE    JSON lines, one per event (connect, ehlo, helo,\n"
	"                         mail, rcpt, data, close, refused) with time,\n"
	"                         family, src, sport, dst, dport, value; '-' =\n"
	"                         standard output; reopened on SIGHUP\n"
	"      --smtp-reject-at WHEN  mail (default) or rcpt: answer MAIL with\n"
	"                         250 to learn recipients, RCPT and DATA with 4xx\n"
	"      --smtp-code N      the 4xx code (400-499; default 451)\n"
	"      --smtp-hostname NAME  name in the greeting (default: host name)\n"
	"      --smtp-max-clients N  at once (default 4096)\n"
	"      --smtp-max-per-prefix N  at once per source prefix (default 8)\n"
	"      --smtp-prefix4 N, --smtp-prefix6 N  that prefix (default /32, /64)\n"
	"      --smtp-max-commands N  per connection (default 50)\n"
	"      --smtp-max-bytes SIZE  received per connection (default 64k)\n"
	"      --smtp-max-duration T  per connection (default 5m)\n"
	"      --smtp-idle T      without a command (default 60s)\n"
	"      --smtp-max-line N  command line length with CRLF (default 512)\n"
	"      --smtp-tarpit T    delay before every reply (default 0)\n"
	"  -v, --verbose          debug messages\n"
	"\n"
	"Signals: SIGHUP completes the current file and reopens the JSON-lines\n"
	"file; SIGTERM and SIGINT read what the kernel still holds, complete\n"
	"the files and exit.  Counters (received, dropped by the kernel and the\n"
	"interface, SYNs kept) are logged every --stats-interval and at exit.\n"
	"\n"
	"Exit status: 0 stopped by a signal; 1 capture or write failure;\n"
	"2 usage error or refused start (port in use, interface, user,\n"
	"output directory not writable by the user).\n"
	"\n"
	"Examples:\n"
	"  mxsensor capture -w '/var/lib/mxsensor/syn-%Y%m%d-%H%M.pcap' -G 1h\n"
	"  mxsensor capture -i eth0 -w 'syn-%Y%m%d.pcapng' -C 100M --jsonl -\n";

/* parse_size - "100", "64k", "100M", "2G" -> bytes */
static int parse_size(const char *s, uint64_t *out)
{
	char num[32];
	size_t n = strlen(s);
	unsigned long mult = 1, v;
	if (n == 0 || n >= sizeof num)
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': mult = 1024; break;
	case 'm': case 'M': mult = 1024 * 1024; break;
	case 'g': case 'G': mult = 1024ul * 1024 * 1024; break;
	default: break;
	}
	if (mult != 1)
		num[n - 1] = '\0';
	if (num_ulong(num, 1, (1ul << 50) / mult, &v) < 0)
		return -1;
	*out = (uint64_t)v * mult;
	return 0;
}

int cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "write", required_argument, NULL, 'w' },
		{ "format", required_argument, NULL, 'F' },
		{ "rotate-size", required_argument, NULL, 'C' },
		{ "rotate-seconds", required_argument, NULL, 'G' },
		{ "jsonl", required_argument, NULL, 'j' },
		{ "user", required_argument, NULL, 'u' },
		{ "chroot", required_argument, NULL, 'R' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "buffer-size", required_argument, NULL, 'B' },
		{ "stats-interval", required_argument, NULL, 'S' },
		{ "no-hold-port", no_argument, NULL, 'N' },
		{ "syslog", no_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "smtp", no_argument, NULL, 1000 },
		{ "smtp-log", required_argument, NULL, 1001 },
		{ "smtp-reject-at", required_argument, NULL, 1002 },
		{ "smtp-code", required_argument, NULL, 1003 },
		{ "smtp-hostname", required_argument, NULL, 1004 },
		{ "smtp-max-clients", required_argument, NULL, 1005 },
		{ "smtp-max-per-prefix", required_argument, NULL, 1006 },
		{ "smtp-prefix4", required_argument, NULL, 1007 },
		{ "smtp-prefix6", required_argument, NULL, 1008 },
		{ "smtp-max-commands", required_argument, NULL, 1009 },
		{ "smtp-max-bytes", required_argument, NULL, 1010 },
		{ "smtp-max-duration", required_argument, NULL, 1011 },
		{ "smtp-idle", required_argument, NULL, 1012 },
		{ "smtp-max-line", required_argument, NULL, 1013 },
		{ "smtp-tarpit", required_argument, NULL, 1014 },
		{ NULL, 0, NULL, 0 }
	};
	struct capture_cfg cfg = {
		.port = 25, .snaplen = 65535, .buffer_kib = 8192,
		.stats_ns = 15 * 60 * 1000000000LL, .hold_port = true,
		.smtp_cfg = {
			.reject_code = 451, .max_clients = 4096, .max_per_prefix = 8,
			.prefix4 = 32, .prefix6 = 64, .max_commands = 50, .max_bytes = 65536,
			.max_duration_ns = 300 * 1000000000LL, .idle_ns = 60 * 1000000000LL,
			.max_line = 512, .tarpit_ns = 0,
		},
	};
	struct smtp_cfg *sc = &cfg.smtp_cfg;
	static char hostname[256];
	uint64_t size;
	bool smtp_opt = false;
	const char *fmt = NULL;
	unsigned long v;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "i:p:w:F:C:G:j:u:s:B:v", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (cfg.n_ifaces == CAPTURE_MAX_IFACES)
				return cmd_usage_error(argv[0], "at most %d interfaces",
						       CAPTURE_MAX_IFACES);
			for (int k = 0; k < cfg.n_ifaces; k++)
				if (!strcmp(cfg.ifaces[k], optarg))
					return cmd_usage_error(argv[0], "interface %s given twice",
							       optarg);
			cfg.ifaces[cfg.n_ifaces++] = optarg;
			break;
		case 'p':
			if (num_ulong(optarg, 1, 65535, &v) < 0)
				return cmd_usage_error(argv[0], "--port: '%s' is not 1-65535", optarg);
			cfg.port = (uint16_t)v;
			break;
		case 'w':
			if (!*optarg)
				return cmd_usage_error(argv[0], "--write: empty pattern");
			cfg.pattern = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "pcap") && strcmp(optarg, "pcapng"))
				return cmd_usage_error(argv[0], "--format: pcap or pcapng, not '%s'",
						       optarg);
			fmt = optarg;
			break;
		case 'C':
			if (parse_size(optarg, &cfg.rotate_size) < 0 || cfg.rotate_size < 1024)
				return cmd_usage_error(argv[0],
						       "--rotate-size: '%s' is not a size of 1k or more",
						       optarg);
			break;
		case 'G':
			if (num_duration_ns(optarg, 1000000000LL, 366 * 86400 * 1000000000LL,
					    &cfg.rotate_ns) < 0)
				return cmd_usage_error(argv[0],
						       "--rotate-seconds: '%s' is not 1s to 366d", optarg);
			break;
		case 'j':
			cfg.jsonl = optarg;
			break;
		case 'u':
			cfg.user = optarg;
			break;
		case 'R':
			cfg.chroot_dir = optarg;
			break;
		case 's':
			if (num_ulong(optarg, 128, 262144, &v) < 0)
				return cmd_usage_error(argv[0], "--snaplen: '%s' is not 128-262144",
						       optarg);
			cfg.snaplen = (int)v;
			break;
		case 'B':
			if (num_ulong(optarg, 64, 1024 * 1024, &v) < 0)
				return cmd_usage_error(argv[0],
						       "--buffer-size: '%s' is not 64-1048576 KiB", optarg);
			cfg.buffer_kib = (int)v;
			break;
		case 'S':
			if (strcmp(optarg, "0") == 0)
				cfg.stats_ns = 0;
			else if (num_duration_ns(optarg, 1000000000LL, 7 * 86400 * 1000000000LL,
						 &cfg.stats_ns) < 0)
				return cmd_usage_error(argv[0],
						       "--stats-interval: '%s' is not 0 or 1s to 7d",
						       optarg);
			break;
		case 'N':
			cfg.hold_port = false;
			break;
		case 'L':
			log_use_syslog(LOG_DAEMON);
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 1000:
			cfg.smtp = true;
			break;
		case 1001:
			cfg.smtp_log = optarg;
			smtp_opt = true;
			break;
		case 1002:
			if (strcmp(optarg, "mail") && strcmp(optarg, "rcpt"))
				return cmd_usage_error(argv[0], "--smtp-reject-at: mail or rcpt");
			sc->reject_at_rcpt = !strcmp(optarg, "rcpt");
			smtp_opt = true;
			break;
		case 1003:
			if (num_ulong(optarg, 400, 499, &v) < 0)
				return cmd_usage_error(argv[0], "--smtp-code: '%s' is not 400-499", optarg);
			sc->reject_code = (int)v;
			smtp_opt = true;
			break;
		case 1004:
			if (!*optarg || strlen(optarg) > 200 || strpbrk(optarg, " \r\n"))
				return cmd_usage_error(argv[0], "--smtp-hostname: bad name");
			sc->hostname = optarg;
			smtp_opt = true;
			break;
		case 1005: case 1006: case 1007: case 1008: case 1009: case 1013: {
			static const struct { unsigned long lo, hi; const char *name; } r[] = {
				{ 1, 65000, "--smtp-max-clients" }, { 1, 65000, "--smtp-max-per-prefix" },
				{ 1, 32, "--smtp-prefix4" }, { 1, 128, "--smtp-prefix6" },
				{ 1, 100000, "--smtp-max-commands" }, { 0, 0, "" }, { 0, 0, "" },
				{ 0, 0, "" }, { 64, 65536, "--smtp-max-line" },
			};
			int k = ch - 1005;
			if (num_ulong(optarg, r[k].lo, r[k].hi, &v) < 0)
				return cmd_usage_error(argv[0], "%s: '%s' is not %lu-%lu", r[k].name,
						       optarg, r[k].lo, r[k].hi);
			int *dst[] = { &sc->max_clients, &sc->max_per_prefix, &sc->prefix4,
				       &sc->prefix6, &sc->max_commands, NULL, NULL, NULL,
				       &sc->max_line };
			*dst[k] = (int)v;
			smtp_opt = true;
			break;
		}
		case 1010:
			if (parse_size(optarg, &size) < 0 || size < 64)
				return cmd_usage_error(argv[0], "--smtp-max-bytes: '%s' is not a size of 64 or more",
						       optarg);
			sc->max_bytes = (int64_t)size;
			smtp_opt = true;
			break;
		case 1011: case 1012: case 1014: {
			int64_t *dst = ch == 1011 ? &sc->max_duration_ns :
				       ch == 1012 ? &sc->idle_ns : &sc->tarpit_ns;
			int64_t lo = ch == 1014 ? 0 : 1000000000LL;
			if (strcmp(optarg, "0") == 0 && ch == 1014)
				*dst = 0;
			else if (num_duration_ns(optarg, lo, 86400 * 1000000000LL, dst) < 0)
				return cmd_usage_error(argv[0], "%s: '%s' is not a duration of %s to 1d",
						       opts[ch - 1000 + 15].name, optarg,
						       ch == 1014 ? "0" : "1s");
			smtp_opt = true;
			break;
		}
		default:
			return cmd_usage_error(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
	if (smtp_opt && !cfg.smtp)
		return cmd_usage_error(argv[0], "--smtp-* options need --smtp");
	if (cfg.smtp && !cfg.hold_port)
		return cmd_usage_error(argv[0], "--smtp and --no-hold-port do not go together");
	if (!cfg.pattern && !cfg.jsonl && !cfg.smtp_log)
		return cmd_usage_error(argv[0],
				       "nothing to write: give -w PATTERN, --jsonl or --smtp-log");
	if (cfg.smtp && !sc->hostname) {
		if (gethostname(hostname, sizeof hostname - 1) < 0 || !hostname[0])
			snprintf(hostname, sizeof hostname, "localhost");
		sc->hostname = hostname;
	}
	if (!cfg.pattern && (cfg.rotate_size || cfg.rotate_ns || fmt))
		return cmd_usage_error(argv[0], "--rotate-*/--format need -w PATTERN");
	if (cfg.pattern)
		cfg.format = fmt ? (!strcmp(fmt, "pcapng") ? PCAPW_PCAPNG : PCAPW_PCAP)
				 : pcapw_format_for(cfg.pattern);
	if (!cfg.user)
		cfg.user = privdrop_default_user();
	return capture_run(&cfg);
}
