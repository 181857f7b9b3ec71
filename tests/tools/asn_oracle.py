#!/usr/bin/env python3
"""asn_oracle.py - an independent origin-AS look-up, to hold `mxsensor asn`
against (Python's ipaddress module, per-length prefix dictionaries).

usage: asn_oracle.py lookup FILE... < ADDRESSES   CSV address,asn,as_name
       asn_oracle.py sample N SEED FILE...         N addresses: half inside
                                                   the files' entries, half
                                                   anywhere (IPv4, 2000::/3)
       asn_oracle.py pick N SEED ADDRS FILE...     both: the sample into ADDRS,
                                                   its look-ups on stdout

FILE: RouteViews pfx2as (PREFIX LEN AS; "a_b" and "a,b" keep a), pyasn
IPASN-DAT (PREFIX/LEN AS, ';' comments, may be gzip'd), ip2asn TSV (FIRST
LAST AS CC NAME; AS 0 ignored), AS names CSV (asn,name,...).  The
narrowest matching prefix or range wins; among equal ones, the first file.
"""
import csv
import gzip
import ipaddress
import random
import re
import sys


def asn_num(s):
    m = re.match(r"\s*\{?(?:AS|as)?(\d+)", s)
    return int(m.group(1)) if m else None


def read(path):
    op = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with op(path, "rt", errors="replace") as f:
        return f.read().splitlines()


def load(files):
    prefixes = {}     # (version, length) -> {network int: (asn, seq)}
    ranges = []       # (first, last, version, asn, seq)
    names = {}
    seq = 0
    for path in files:
        lines = read(path)
        if lines and lines[0].lower().startswith("asn,"):
            for r in csv.reader(lines[1:]):
                n = asn_num(r[0])
                if n and n not in names:
                    names[n] = r[1]
            continue
        for l in lines:
            if not l.strip() or l[0] in ";#":
                continue
            f = l.split("\t")
            seq += 1
            try:
                if len(f) in (2, 3):
                    a, ln = f[0].split("/") if len(f) == 2 else (f[0], f[1])
                    a, ln = ipaddress.ip_address(a), int(ln)
                    bits = 32 if a.version == 4 else 128
                    if not 0 <= ln <= bits or int(a) & ((1 << (bits - ln)) - 1):
                        continue    # host bits set: not a prefix
                    asn = asn_num(f[-1])
                else:
                    a, b = ipaddress.ip_address(f[0]), ipaddress.ip_address(f[1])
                    asn = asn_num(f[2])
                    if asn:
                        ranges.append((int(a), int(b), a.version, asn, seq))
                        if len(f) >= 5 and asn not in names:
                            names[asn] = f[4]
                    continue
            except ValueError:
                continue
            if asn:
                d = prefixes.setdefault((a.version, ln), {})
                key = int(a)
                if key not in d:
                    d[key] = (asn, seq)
    return prefixes, ranges, names


def lookup(db, text):
    prefixes, ranges, names = db
    a = ipaddress.ip_address(text)
    bits = 32 if a.version == 4 else 128
    v = int(a)
    best = None     # (size, seq, asn)
    for (ver, ln), d in prefixes.items():
        if ver != a.version:
            continue
        key = v & (((1 << ln) - 1) << (bits - ln)) if ln else 0
        if key in d:
            cand = (1 << (bits - ln), d[key][1], d[key][0])
            if best is None or cand < best:
                best = cand
    for first, last, ver, asn, seq in ranges:
        if ver == a.version and first <= v <= last:
            cand = (last - first + 1, seq, asn)
            if best is None or cand < best:
                best = cand
    if best is None:
        return str(a), "", ""
    return str(a), str(best[2]), names.get(best[2], "")


def sample(n, seed, db):
    rnd = random.Random(seed)
    prefixes, ranges, _ = db
    entries = []
    for (ver, ln), d in prefixes.items():
        for k in d:
            entries.append((ver, k, k + (1 << ((32 if ver == 4 else 128) - ln)) - 1))
    for first, last, ver, _, _ in ranges:
        entries.append((ver, first, last))
    entries.sort()
    out = []
    for i in range(n):
        if entries and i % 2 == 0:
            ver, first, last = rnd.choice(entries)
            v = rnd.randint(first, last)
        else:
            ver = 4 if rnd.random() < 0.5 else 6
            v = rnd.getrandbits(32) if ver == 4 else (1 << 125) | rnd.getrandbits(125)
        out.append(str(ipaddress.ip_address(v) if ver == 4 else ipaddress.IPv6Address(v)))
    return out


def main():
    a = sys.argv[1:]
    if len(a) >= 2 and a[0] == "lookup":
        db = load(a[1:])
        w = csv.writer(sys.stdout, lineterminator="\n")
        for line in sys.stdin:
            if line.strip():
                w.writerow(lookup(db, line.strip()))
        return 0
    if len(a) >= 4 and a[0] == "sample":
        print("\n".join(sample(int(a[1]), int(a[2]), load(a[3:]))))
        return 0
    if len(a) >= 5 and a[0] == "pick":
        db = load(a[4:])
        addrs = sample(int(a[1]), int(a[2]), db)
        with open(a[3], "w") as f:
            f.write("\n".join(addrs) + "\n")
        w = csv.writer(sys.stdout, lineterminator="\n")
        for x in addrs:
            w.writerow(lookup(db, x))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
