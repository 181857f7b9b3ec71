/*
 * main.c - the command table and the dispatcher, nothing else.
 *
 * `mxsensor CMD [options]` runs cmd_CMD(); `mxsensor help CMD` and
 * `mxsensor CMD --help` print its usage; a new command is one
 * cmd/cmd_<name>.c plus one line in commands[].
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/hash.h"
#include "util/replace.h"

#define CMD(n) { #n, cmd_##n, cmd_##n##_summary, cmd_##n##_usage }

/* in the order of the work: deploy, read, analyse, look, defend */
static const struct cmd commands[] = {
	{ "check-dns", cmd_check_dns, cmd_check_dns_summary, cmd_check_dns_usage },
	CMD(capture),
	CMD(syns),
	CMD(logs),
	CMD(analyze),
	CMD(report),
	CMD(explain),
	CMD(hosts),
	CMD(addr),
	CMD(asn),
	CMD(reputation),
	CMD(policyd),
	CMD(dnsbl),
	{ NULL, NULL, NULL, NULL }
};

const struct cmd *cmd_find(const char *name)
{
	for (const struct cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int cmd_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mxsensor %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'mxsensor help %s'.\n", name);
	return 2;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mxsensor [--version] [--help] COMMAND [ARGS]\n"
		"\n"
		"Measure abusive SMTP over IPv6 with a sensor MX, and turn it into\n"
		"IPv6 defences.  Commands:\n\n");
	for (const struct cmd *c = commands; c->name; c++)
		fprintf(f, "   %-12s %s\n", c->name, c->summary);
	fprintf(f, "\n'mxsensor help COMMAND' explains one command.\n");
}

static int help(const char *name)
{
	const struct cmd *c = cmd_find(name);
	if (!c) {
		fprintf(stderr, "mxsensor: '%s' is not a command; see 'mxsensor --help'\n", name);
		return 2;
	}
	return stdout_put(c->usage) < 0 ? 1 : 0;
}

/* stdout_end - output that did not all reach standard output (a full
 * disk, a pipe closed with SIGPIPE ignored) fails the command: exit 1
 * and one message, as a command's own write errors do.  A command that
 * failed has said why already; one that writes through util/replace has
 * flushed and checked standard output itself. */
static int stdout_end(int rc)
{
	if (rc == 0 && stdout_flush() < 0)
		rc = 1;
	return rc;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("mxsensor %s\n", MXSENSOR_VERSION);
		return 0;
	}
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		return help(argv[2]);
	}
	const struct cmd *c = cmd_find(name);
	if (!c) {
		fprintf(stderr, "mxsensor: '%s' is not a command; see 'mxsensor --help'\n", name);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return help(name);
	}
	return c->fn(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	hash_seed_init();
	return stdout_end(dispatch(argc, argv));
}
