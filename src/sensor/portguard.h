/*
 * portguard.h - keep the sensor port closed: nothing listens, nobody can.
 *
 * The method needs every SYN to the sensor port answered by a RST from the
 * kernel.  portguard_listeners() reads /proc/net/tcp and /proc/net/tcp6
 * (of the caller's network namespace) for sockets in LISTEN state on the
 * port; portguard_hold() then binds the port on the IPv4 and the IPv6
 * wildcard address (IPV6_V6ONLY) without listen(), so no other process can
 * bind it (no SO_REUSEADDR/SO_REUSEPORT here) while the kernel keeps
 * answering every SYN with a RST.  The sockets live until the process ends.
 */
#ifndef MX_PORTGUARD_H
#define MX_PORTGUARD_H

#include <stdint.h>
#include <stdio.h>

/* portguard_count_listen - LISTEN sockets on local port in one
 * /proc/net/tcp[6]-format stream; -1 when the text is not that format */
int portguard_count_listen(FILE *f, uint16_t port);

/* portguard_listeners - LISTEN sockets on port over IPv4 and IPv6 (0 = none);
 * -1 with a message in err when /proc/net/tcp cannot be read */
int portguard_listeners(uint16_t port, char *err, size_t errlen);

/* portguard_hold - bind port on 0.0.0.0 and [::] (v6only), never listen;
 * fds[0] IPv4, fds[1] IPv6 (-1 when the host has no IPv6).  0, or -1 with
 * a message in err (e.g. the port is taken, or no privilege for port < 1024) */
int portguard_hold(uint16_t port, int fds[2], char *err, size_t errlen);
/* portguard_listen - the same, but non-blocking sockets that listen
 * (capture --smtp); errors read "cannot listen on port N over IPvX" */
int portguard_listen(uint16_t port, int fds[2], char *err, size_t errlen);

#endif
