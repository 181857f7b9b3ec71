/*
 * cmd_policyd.c - `mxsensor policyd`: the Postfix policy server.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "defence/cos.h"
#include "defence/policyd.h"
#include "util/log.h"
#include "util/num.h"

const char cmd_policyd_summary[] = "Postfix policy server: class of service per IPv6 prefix";

const char cmd_policyd_usage[] =
	"usage: mxsensor policyd --listen inet:HOST:PORT|unix:PATH [--user NAME]\n"
	"                        [--db PATH] [--config FILE] [--idle SECONDS]\n"
	"                        [--persist SECONDS] [--max-clients N] [--max-prefixes N]\n"
	"                        [--check-config]\n"
	"\n"
	"Answer Postfix policy delegation requests (check_policy_service) with\n"
	"limits per reputation prefix: every address of an IPv6 /64 (or the\n"
	"configured length) shares one set of counters and one class of service\n"
	"(good, mixed, bad, unknown).  The class comes from the reputation in the\n"
	"store (mxsensor reputation); prefixes without evidence are 'unknown' and\n"
	"get its strict limits.  Replies are DUNNO, SLEEP n (tarpit), or the\n"
	"class's action when a limit is hit; anything unusable gets DUNNO.\n"
	"\n"
	"Options:\n"
	"  -l, --listen SPEC      inet:127.0.0.1:10040, inet:[::1]:10040 or unix:PATH\n"
	"                         (a unix socket is created mode 0666)\n"
	"  -u, --user NAME        drop to this user after binding; required as root\n"
	"  -d, --db PATH          store with the reputation; outcomes are saved to its\n"
	"                         policy_outcomes table (default mxsensor.db; one that\n"
	"                         --user may only read gives the reputation, and the\n"
	"                         outcomes are not saved; missing: everything is\n"
	"                         unknown until a SIGHUP finds it)\n"
	"  -c, --config FILE      classes and prefix lengths (default: compiled-in,\n"
	"                         the values of docs/cos.conf.example)\n"
	"      --idle SECONDS     close a client idle this long (default 300)\n"
	"      --persist SECONDS  save outcomes this often (default 60)\n"
	"      --max-clients N    concurrent clients (default 1000)\n"
	"      --max-prefixes N   prefixes kept in memory, least recently used\n"
	"                         dropped first (default 100000)\n"
	"      --check-config     load the configuration, print it, exit\n"
	"\n"
	"Signals: SIGTERM/SIGINT save outcomes and exit; SIGHUP reloads the\n"
	"configuration and the reputation (the old ones stay on error) on a\n"
	"thread of its own, answering with the old ones until it is done; a\n"
	"store missing or read-only at the start is opened again, and its\n"
	"outcomes saved once --user may write it.\n"
	"\n"
	"Exit status: 0 after SIGTERM; 2 usage, configuration or socket error.\n"
	"\n"
	"Postfix main.cf:\n"
	"  smtpd_recipient_restrictions = ..., check_policy_service inet:127.0.0.1:10040\n"
	"  smtpd_policy_service_default_action = DUNNO\n"
	"\n"
	"Example:\n"
	"  mxsensor policyd --listen inet:127.0.0.1:10040 --user mxsensor --db /var/lib/mxsensor/mxsensor.db\n";

/* print_config - the effective configuration, in the file's syntax */
static void print_config(const struct cos_config *c)
{
	char buf[PREFIX_STRLEN];
	printf("prefix-len %u\nhalf-life %.0fs\nevidence-min %g\nbad-ratio %g\n"
	       "good-ratio %g\nsession-idle %us\n", c->len6, c->half_life_s,
	       c->evidence_min, c->bad_ratio, c->good_ratio, c->session_idle_s);
	for (size_t i = 0; i < c->nranges; i++)
		printf("prefix %s %u\n", prefix_format(&c->ranges[i].p, buf), c->ranges[i].len);
	for (int k = 0; k < COS_NCLASS; k++) {
		const struct cos_limits *l = &c->cls[k];
		char act[COS_TEXT_MAX + 32];
		cos_action_text(l, act, sizeof act);
		printf("\nclass %s\n  conn %u\n  msgs %u/%us %u/%us\n  rcpts %u/%us %u/%us\n"
		       "  rcpt-per-msg %u\n  retry-wait %us\n  tarpit %us\n  action %s\n",
		       cos_class_name(k), l->conn, l->msgs_short, l->short_s, l->msgs_long,
		       l->long_s, l->rcpts_short, l->short_s, l->rcpts_long, l->long_s,
		       l->rcpt_per_msg, l->retry_wait_s, l->tarpit_s, act);
	}
}

int cmd_policyd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "user", required_argument, NULL, 'u' },
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "idle", required_argument, NULL, 'I' },
		{ "persist", required_argument, NULL, 'P' },
		{ "max-clients", required_argument, NULL, 'C' },
		{ "max-prefixes", required_argument, NULL, 'M' },
		{ "check-config", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	struct policyd_opts o = {
		.db = "mxsensor.db", .idle_s = 300, .persist_s = 60,
		.max_clients = 1000, .max_prefixes = 100000,
	};
	bool check = false;
	unsigned long v;
	int opt;
	while ((opt = getopt_long(argc, argv, "l:u:d:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l': o.listen = optarg; break;
		case 'u': o.user = optarg; break;
		case 'd': o.db = optarg; break;
		case 'c': o.config = optarg; break;
		case 'I':
			if (num_ulong(optarg, 1, 86400, &v) < 0)
				return cmd_usage_error("policyd", "--idle: 1..86400 seconds, not '%s'", optarg);
			o.idle_s = (unsigned)v;
			break;
		case 'P':
			if (num_ulong(optarg, 1, 86400, &v) < 0)
				return cmd_usage_error("policyd", "--persist: 1..86400 seconds, not '%s'", optarg);
			o.persist_s = (unsigned)v;
			break;
		case 'C':
			if (num_ulong(optarg, 1, 100000, &v) < 0)
				return cmd_usage_error("policyd", "--max-clients: 1..100000, not '%s'", optarg);
			o.max_clients = v;
			break;
		case 'M':
			if (num_ulong(optarg, 1, 100000000, &v) < 0)
				return cmd_usage_error("policyd", "--max-prefixes: 1..100000000, not '%s'", optarg);
			o.max_prefixes = v;
			break;
		case 'K': check = true; break;
		default:
			return cmd_usage_error("policyd", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("policyd", "unexpected argument '%s'", argv[optind]);
	if (check) {
		struct cos_config c;
		if (o.config) {
			if (cos_load(&c, o.config) < 0)
				return 2;
		} else {
			cos_defaults(&c);
		}
		print_config(&c);
		cos_free(&c);
		return 0;
	}
	if (!o.listen)
		return cmd_usage_error("policyd", "--listen is required");
	return policyd_run(&o);
}
