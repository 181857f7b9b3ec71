/*
 * cmd.h - the subcommands.  Each lives in cmd/cmd_<name>.c and exports its
 * entry point and its usage text; src/main.c lists them in one table.
 *
 * An entry point gets argv with argv[0] = the command name and returns the
 * process exit status: 0 success, 1 the work failed (bad input data),
 * 2 usage or configuration error.
 */
#ifndef MX_CMD_H
#define MX_CMD_H

#include <stdbool.h>

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;   /* one line for `mxsensor --help` */
	const char *usage;     /* the full text for `mxsensor help NAME` */
};

/* cmd_usage_error - print "mxsensor NAME: msg" and the usage hint; returns 2 */
int cmd_usage_error(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* cmd_label_ok - whether s is a host label (hosts and report --label),
 * one of CMD_LABELS: spammer, unlisted (IPv4), associated,
 * associated-unlisted, unassociated (IPv6) */
bool cmd_label_ok(const char *s);
#define CMD_LABELS "spammer, unlisted, associated, associated-unlisted, unassociated"
/* cmd_find - the table entry for name, or NULL */
const struct cmd *cmd_find(const char *name);

#define CMD_DECLARE(n)                          \
	int cmd_##n(int argc, char **argv);     \
	extern const char cmd_##n##_usage[];    \
	extern const char cmd_##n##_summary[]

CMD_DECLARE(analyze);
CMD_DECLARE(explain);
CMD_DECLARE(hosts);
CMD_DECLARE(addr);
CMD_DECLARE(asn);
CMD_DECLARE(syns);
CMD_DECLARE(reputation);
CMD_DECLARE(policyd);
CMD_DECLARE(dnsbl);
CMD_DECLARE(report);
CMD_DECLARE(logs);
CMD_DECLARE(capture);
CMD_DECLARE(check_dns);

#endif
