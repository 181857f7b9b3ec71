#!/usr/bin/env python3
"""syslog_send.py - replay syslog files into a syslog socket, as syslog(3) would.

usage: syslog_send.py SOCKET [--filler N] [--end TEXT] FILE...

Each line of the form "Mmm dd hh:mm:ss HOST PROG[PID]: MESSAGE" is sent
as one datagram "<22>Mmm dd hh:mm:ss PROG[PID]: MESSAGE" (mail.info, the
host dropped, as the C library sends it), its bytes as they are in the
file; other lines are left out.  --filler N first sends N lines of
another program (cron), as a system journal holds before its mail lines;
--end TEXT last sends TEXT from the program "mxtest", so that a reader
knows when everything has arrived.  Prints the number of MTA lines sent.
"""
import re
import socket
import sys

LINE = re.compile(rb'^([A-Z][a-z]{2}) +([0-9]{1,2}) ([0-9]{2}:[0-9]{2}:[0-9]{2}) \S+ '
                  rb'([^\s\[:]+(?:\[[0-9]+\])?): (.*)$')


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    path, filler, end, files = args[0], 0, None, []
    i = 1
    while i < len(args):
        if args[i] == '--filler':
            filler = int(args[i + 1])
            i += 2
        elif args[i] == '--end':
            end = args[i + 1].encode()
            i += 2
        else:
            files.append(args[i])
            i += 1
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect(path)
    for k in range(filler):
        s.send(b'<78>Jan  1 00:00:00 CRON[%d]: (root) CMD (test -x /usr/sbin/anacron)' % (100 + k))
    sent = 0
    for f in files:
        with open(f, 'rb') as fh:
            for raw in fh:
                m = LINE.match(raw.rstrip(b'\r\n'))
                if not m:
                    continue
                stamp = b'%s %2d %s' % (m.group(1), int(m.group(2)), m.group(3))
                s.send(b'<22>' + stamp + b' ' + m.group(4) + b': ' + m.group(5))
                sent += 1
    if end is not None:
        s.send(b'<22>Jan  1 00:00:00 mxtest[1]: ' + end)
    print(sent)


if __name__ == '__main__':
    main()
