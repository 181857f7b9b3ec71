#!/usr/bin/env python3
"""gen_addrs.py - a deterministic list of IPv6 addresses covering every
special range and every interface-ID class of `mxsensor addr` / addr6.

    python3 tests/tools/gen_addrs.py [--seed N] [--count N] > tests/data/addrs6.txt

Each prefix kind (global, documentation, link-local, site-local, ULA, 6to4,
Teredo, NAT64, mapped, compatible, reserved, ...) is combined with each
interface-ID shape (EUI-64 with and without the U bit, ISATAP 0/100/200/300,
IPv4 in the low 32 bits, "decimal" IPv4 in four groups, every service port
in both notations and both positions, low byte, patterned, random) and with
the edges between the shapes (0x255/0x256 groups, zero bytes 2/3, ...).
Output: one address per line, RFC 5952 text, no duplicates, stable order.
The same seed always gives the same list (tests/integration/addr6.sh
checks that the committed list is this script's output).
"""
import argparse
import ipaddress
import random

SERVICE_PORTS = [21, 22, 23, 25, 49, 53, 80, 110, 123, 179, 220, 389, 443,
                 547, 993, 995, 1194, 3306, 5060, 5061, 5432, 6446, 8080]


def a6(hi64, iid64):
    return ipaddress.IPv6Address((hi64 << 64) | (iid64 & (2**64 - 1)))


def groups(*g):
    v = 0
    for x in g:
        v = (v << 16) | (x & 0xffff)
    return v


def dec_as_hex(n):
    return int(str(n), 16)


def iid_shapes(r):
    """(name, iid64) pairs: every addr6 class and the edges between them."""
    out = []
    for _ in range(3):
        mac = [r.randrange(256) for _ in range(6)]
        for ubit in (0x02, 0x00):
            b0 = (mac[0] & ~0x03) | ubit
            out.append(("ieee", int.from_bytes(bytes([b0, mac[1], mac[2], 0xff, 0xfe,
                                                       mac[3], mac[4], mac[5]]), "big")))
    out.append(("ieee-group", int.from_bytes(bytes([0x03, 1, 2, 0xff, 0xfe, 3, 4, 5]), "big")))
    for b8 in (0x00, 0x02, 0x01, 0x03):
        v4 = r.getrandbits(32)
        out.append(("isatap", (b8 << 56) | (0x5efe << 32) | v4))
    out.append(("isatap-zero", 0x5efe << 32))
    for _ in range(3):
        out.append(("ipv4-32", (r.randrange(1, 256) << 24) | r.getrandbits(16) << 8 & 0xffff00
                    | r.randrange(1, 256)))
    out += [("ipv4-32-edge", 0x01000001), ("ipv4-32-edge", 0xff000001), ("ipv4-32-edge", 0xff000000),
            ("ipv4-32-edge", 0xffffffff), ("ipv4-32-edge", 0x0100ff00)]
    for _ in range(2):
        q = [r.randrange(256) for _ in range(4)]
        out.append(("ipv4-64", groups(*[dec_as_hex(x) for x in q])))
    out += [("ipv4-64-edge", groups(0x255, 0x255, 0x255, 0x255)),
            ("ipv4-64-edge", groups(0x256, 1, 1, 1)), ("ipv4-64-edge", groups(1, 0x256, 1, 1)),
            ("ipv4-64-edge", groups(1, 1, 0x256, 1)), ("ipv4-64-edge", groups(1, 1, 1, 0x256)),
            ("ipv4-64-edge", 0), ("ipv4-64-edge", groups(0, 0, 1, 0))]
    for p in SERVICE_PORTS:
        for v in (p, dec_as_hex(p)):
            if v > 0xffff:
                continue
            out.append(r.choice([("port", v), ("port-hi", (r.randrange(1, 256) << 16) | v)]))
            out.append(r.choice([("port-rev", (v << 16) | r.randrange(1, 256)), ("port-rev0", v << 16)]))
    out += [("low-byte", v) for v in (1, 2, 0x24, 0xff, 0x100, 0x101, 0xffff)]
    out += [("low-byte", (r.randrange(1, 256) << 16) | r.randrange(1, 0xffff)) for _ in range(3)]
    for nz in (2, 3, 4, 5, 6):
        for _ in range(2):
            b = [r.randrange(1, 256) for _ in range(8)]
            for i in r.sample(range(8), nz):
                b[i] = 0
            out.append(("zeros%d" % nz, int.from_bytes(bytes(b), "big")))
    out += [("random", r.getrandbits(64)) for _ in range(6)]
    return out


def prefixes(r):
    """(name, hi64) pairs for the address kinds that take any interface ID."""
    out = []
    for p in ("2001:470:1:2", "2a00:1450:4007:816", "2600:1901:0:7a0b", "2001:4f8:4:7",
              "2a03:2880:f030:13", "2001:1::", "2001:2::", "2400:cb00:2048:1", "3ffe:831e:1:2"):
        out.append(("global", int(ipaddress.IPv6Address(p + "::" if "::" not in p else p)) >> 64))
    out.append(("global-random", (0x2 << 61) | r.getrandbits(61)))
    out.append(("documentation", 0x20010db800000000 | r.getrandbits(32)))
    out.append(("documentation3fff", 0x3fff000000000000 | r.getrandbits(36)))
    out.append(("link-local", 0xfe80000000000000))
    out.append(("link-local-odd", 0xfebf000000000001))
    out.append(("site-local", 0xfec0000000000000 | r.getrandbits(16)))
    out.append(("ula", 0xfd00000000000000 | r.getrandbits(56)))
    out.append(("ula-fc", 0xfc00000000000000 | r.getrandbits(40)))
    for _ in range(3):
        out.append(("6to4", (0x2002 << 48) | (r.getrandbits(32) << 16) | r.getrandbits(16)))
    out.append(("6to4-zero", 0x2002 << 48))
    out.append(("nat64-local", 0x0064ff9b00010000 | r.getrandbits(16)))
    out.append(("reserved", 0x4000000000000000 | r.getrandbits(32)))
    out.append(("reserved-100", 0x0100000000000000))
    out.append(("reserved-0", 0x0000000100000000))
    return out


def teredo(r, n):
    out = []
    for i in range(n):
        flags = [0x8000, 0x0000, r.getrandbits(16) & 0xbcff | 0x0000,
                 r.getrandbits(16) | 0x0100, r.getrandbits(16)][i % 5]
        pre = 0x2001000000000000 if i % 7 else 0x3ffe831f00000000
        server = r.getrandbits(32)
        hi = pre | server
        iid = (flags << 48) | (r.getrandbits(16) << 32) | r.getrandbits(32)
        out.append(a6(hi, iid))
    return out


def special(r):
    out = [ipaddress.IPv6Address(s) for s in (
        "::", "::1", "::2", "::ffff", "::1:0", "::0.0.0.255", "::8.8.8.8",
        "::ffff:0:0", "::ffff:0:1", "::ffff:1.2.3.4", "::ffff:192.0.2.1", "::ffff:10.1.2.3",
        "64:ff9b::", "64:ff9b::1", "64:ff9b::192.0.2.33", "64:ff9b::808:808",
        "64:ff9b:1::808:808", "64:ff9b:2::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff",
        "2002:c058:6301::", "2002:c058:6301::1", "2002:c000:22a::c000:22a",
        "2001:db8:c000:221::", "2001:db8:1c0:2:21::", "2001:db8:122:c000:2:2100::",
        "2001:db8:122:3c0:0:221::", "2001:db8:122:344:c0:2:2100:0", "2001:db8:122:344::192.0.2.33",
        "fe80::5efe:c000:28f", "fe80::200:5efe:c000:28f", "fe80::ffff:ffff:fffe",
        "fe80::8000:f227:3d77:e3b3", "1fff:ffff:ffff:ffff::1", "2000::", "3fff:fff::1",
        "3fff:1000::1", "fe00::1", "feff:ffff::1", "ffff::1")]
    for scope in (0x1, 0x2, 0x4, 0x5, 0x8, 0xe, 0x0, 0x3, 0xf):
        for flags in (0x0, 0x1, 0x3, 0x7):
            out.append(ipaddress.IPv6Address(((0xff00 | flags << 4 | scope) << 112) | r.getrandbits(32)))
    for _ in range(20):
        out.append(ipaddress.IPv6Address(r.getrandbits(32)))               # compatible
        out.append(ipaddress.IPv6Address((0xffff << 32) | r.getrandbits(32)))  # mapped
        out.append(ipaddress.IPv6Address((0x64ff9b << 96) | r.getrandbits(32)))  # NAT64
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=20140601)
    ap.add_argument("--count", type=int, default=2400, help="at least this many")
    args = ap.parse_args()
    r = random.Random(args.seed)
    seen, order = set(), []

    def add(x):
        if x not in seen:
            seen.add(x)
            order.append(x)

    for x in special(r):
        add(x)
    for x in teredo(r, 140):
        add(x)
    shapes = iid_shapes(r)
    for _, hi in prefixes(r):
        for _, iid in shapes:
            add(a6(hi, iid))
    while len(order) < args.count:
        _, hi = r.choice(prefixes(r))
        _, iid = r.choice(shapes)
        add(a6(hi ^ r.getrandbits(16), iid ^ (r.getrandbits(8) if r.random() < 0.5 else 0)))
    for x in order:
        print(x.compressed)


if __name__ == "__main__":
    main()
