/*
 * capture.h - the live sensor: SYNs to the sensor port -> rotated capture
 * files (and a JSON-lines stream of SYN records), port held closed, run
 * as an unprivileged user.
 *
 * capture_run() does everything in this order: refuse when something
 * listens on the port; hold the port bound without listening
 * (sensor/portguard.h); open one libpcap handle per interface with the
 * SYN filter; drop privileges and verify the drop (sensor/privdrop.h);
 * check the output directory is writable; then capture until SIGTERM or
 * SIGINT.  With smtp, the port is listened on instead of held, and
 * sensor/smtp.h talks to the clients on the same event loop (epoll).
 * SIGHUP completes the current file and reopens the JSON-lines
 * file.  Signal handlers only set flags and call pcap_breakloop(); the
 * loop does the work, and drains every handle before it closes, so nothing
 * the kernel handed over is lost at rotation or shutdown.
 */
#ifndef MX_CAPTURE_H
#define MX_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/pcapw.h"
#include "sensor/smtp.h"

#define CAPTURE_MAX_IFACES 16

struct capture_cfg {
	const char *ifaces[CAPTURE_MAX_IFACES]; /* "any" when n_ifaces is 0 */
	int n_ifaces;
	uint16_t port;              /* sensor port (25) */
	int snaplen;                /* bytes kept per packet */
	int buffer_kib;             /* kernel capture buffer per interface */
	const char *pattern;        /* -w strftime pattern, or NULL */
	enum pcapw_format format;
	uint64_t rotate_size;       /* bytes, 0 = none */
	int64_t rotate_ns;          /* 0 = none */
	const char *jsonl;          /* JSON-lines file, "-" = stdout, or NULL */
	int64_t stats_ns;           /* stats log period, 0 = only at exit */
	const char *user;           /* user to run as */
	const char *chroot_dir;     /* or NULL */
	bool hold_port;             /* bind the port without listening (default) */
	bool smtp;                  /* listen and talk SMTP instead (never accepts mail) */
	struct smtp_cfg smtp_cfg;
	const char *smtp_log;       /* JSON-lines SMTP events, "-" = stdout, or NULL */
};

/* capture_filter - the BPF program text for port into buf; returns buf.
 * IPv4: TCP to port with SYN set and ACK clear.  IPv6: TCP right after the
 * fixed header, to port, SYN without ACK; plus every IPv6 packet whose
 * first next header is neither TCP, UDP nor ICMPv6 (extension headers),
 * for packet_parse() to decide: BPF cannot walk extension headers. */
char *capture_filter(uint16_t port, char *buf, size_t len);

/* capture_run - run the sensor until SIGTERM/SIGINT; returns the exit
 * status (0 clean stop, 1 runtime failure, 2 start-up/configuration error) */
int capture_run(const struct capture_cfg *cfg);

#endif
