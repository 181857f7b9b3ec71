#!/usr/bin/env python3
"""enrich_fixture.py - DNS zones and tables for the enrichment tests, and
the check of what `mxsensor analyze` made of them.

usage: enrich_fixture.py gen TRUTH.csv DIR
       enrich_fixture.py check STORE.db TRUTH.csv DIR

gen writes, from an mxgen truth file (one client = one IPv4 and one IPv6
address or a 6to4/Teredo address):
  DIR/in-addr.zone, DIR/ip6.zone  PTR records for the clients' addresses
  DIR/cymru.zone                  Team Cymru-style origin/origin6 TXT and
                                  AS<N> name TXT records (asn.cymru.com)
  DIR/expected.csv                addr,ptr,domain,asn,as_name per host
  DIR/pfx2as, DIR/ip2asn.tsv      the same ASes as offline tables (IPv4 and
                                  tunnels as /32 and /128 prefixes, IPv6 as
                                  ranges), DIR/asnames.csv their names
  DIR/ptr.txt                     the same names as a --ptr-file
Client N gets AS 64500 + N % 40.  Names: N % 5 == 0 none (NXDOMAIN);
N even: one name for both families, mail.clientN.co.uk; N odd: v6
a.mail.clientN.co.uk, v4 b.clientN.co.uk (same registered domain).
6to4/Teredo addresses have no name and the relay's AS 64999: the
association must use the gateway's.

check verifies the store: every host's ptr, ptr_domain, asn and as_name,
and every candidate's ev_asn / ev_ptr (true pairs get the points their
names and ASes earn; pairs of different clients no PTR points).
"""
import csv
import ipaddress
import os
import sqlite3
import sys


def clients(truth):
    by = {}
    with open(truth) as f:
        for r in csv.DictReader(f):
            c = by.setdefault(int(r["client_id"]), {"4": set(), "6": set(), "tunnel": set()})
            if r["addr_type"] in ("6to4", "teredo"):
                c["tunnel"].add(r["src"])
            else:
                c[r["family"]].add(r["src"])
    return by


def names(cid, fam):
    if cid % 5 == 0:
        return None
    if cid % 2 == 0:
        return "mail.client%d.co.uk" % cid
    return ("a.mail.client%d.co.uk" if fam == "6" else "b.client%d.co.uk") % cid


def asn_of(cid):
    return 64500 + cid % 40


def rev(addr):
    a = ipaddress.ip_address(addr)
    return a.reverse_pointer + "."


def cymru_name(addr):
    a = ipaddress.ip_address(addr)
    if a.version == 4:
        return ".".join(reversed(str(a).split("."))) + ".origin.asn.cymru.com."
    return ".".join(reversed(a.exploded.replace(":", ""))) + ".origin6.asn.cymru.com."


SOA = "@ 3600 IN SOA ns.test. admin.test. 1 3600 600 86400 60\n@ 3600 IN NS ns.test.\n"


def gen(truth, d):
    by = clients(truth)
    z4 = open(os.path.join(d, "in-addr.zone"), "w")
    z6 = open(os.path.join(d, "ip6.zone"), "w")
    zc = open(os.path.join(d, "cymru.zone"), "w")
    for z, o in ((z4, "in-addr.arpa."), (z6, "ip6.arpa."), (zc, "asn.cymru.com.")):
        z.write("$ORIGIN %s\n$TTL 3600\n%s" % (o, SOA))
    exp = csv.writer(open(os.path.join(d, "expected.csv"), "w"))
    exp.writerow(["addr", "ptr", "domain", "asn", "as_name"])
    pfx = open(os.path.join(d, "pfx2as"), "w")
    tsv = open(os.path.join(d, "ip2asn.tsv"), "w")
    ptrf = open(os.path.join(d, "ptr.txt"), "w")
    ptrf.write("# address name\n")
    asns = set()
    for cid, c in sorted(by.items()):
        asn = asn_of(cid)
        for fam in ("4", "6"):
            for a in sorted(c[fam]):
                n = names(cid, fam)
                if n:
                    (z4 if fam == "4" else z6).write("%s IN PTR %s.\n" % (rev(a), n))
                    ptrf.write("%s %s\n" % (a, n))
                zc.write('%s IN TXT "%d | %s | ZZ | test | 2026-01-01"\n'
                         % (cymru_name(a), asn, a))
                exp.writerow([a, n or "", n and "client%d.co.uk" % cid or "", asn,
                              "CLIENT-NET-%d, ZZ" % asn])
                asns.add(asn)
                if fam == "4":
                    pfx.write("%s\t32\t%d\n" % (a, asn))
                else:
                    tsv.write("%s\t%s\t%d\tZZ\tCLIENT-NET-%d, ZZ\n" % (a, a, asn, asn))
        for a in sorted(c["tunnel"]):
            zc.write('%s IN TXT "64999 | 2002::/16 | ZZ | test | 2026-01-01"\n' % cymru_name(a))
            exp.writerow([a, "", "", 64999, "RELAY-NET, ZZ"])
            asns.add(64999)
            pfx.write("%s\t128\t64999\n" % a)
    names_csv = csv.writer(open(os.path.join(d, "asnames.csv"), "w"))
    names_csv.writerow(["asn", "name", "country", "registry"])
    for asn in sorted(asns):
        nm = "RELAY-NET, ZZ" if asn == 64999 else "CLIENT-NET-%d, ZZ" % asn
        names_csv.writerow(["AS%d" % asn, nm, "ZZ", "test"])
        zc.write('AS%d IN TXT "%d | ZZ | test | 2026-01-01 | %s"\n' % (asn, asn, nm))


def check(db, truth, d):
    con = sqlite3.connect(db)
    bad = []
    hosts = {r[0]: r[1:] for r in con.execute(
        "SELECT addr, ptr, ptr_domain, asn, as_name FROM hosts")}
    n = 0
    with open(os.path.join(d, "expected.csv")) as f:
        for r in csv.DictReader(f):
            h = hosts.get(r["addr"])
            if h is None:
                continue
            n += 1
            want = (r["ptr"] or None, r["domain"] or None, int(r["asn"]), r["as_name"])
            if tuple(h) != want:
                bad.append("host %s: got %s want %s" % (r["addr"], h, want))
    if n != len(hosts):
        bad.append("hosts checked %d of %d" % (n, len(hosts)))
    # candidates: truth pairs by (src, sport, first_ns)
    by = clients(truth)
    owner = {}
    for cid, c in by.items():
        for k in ("4", "6", "tunnel"):
            for a in c[k]:
                owner[a] = cid
    tunnel = {a for c in by.values() for a in c["tunnel"]}
    pairs = 0
    for a6, a4, ea, ep in con.execute(
            "SELECT x.src, y.src, c.ev_asn, c.ev_ptr FROM candidates c"
            " JOIN attempts x ON x.id = c.a6 JOIN attempts y ON y.id = c.a4"):
        c6, c4 = owner.get(a6), owner.get(a4)
        if c6 is None or c4 is None:
            bad.append("candidate of unknown hosts %s %s" % (a6, a4))
            continue
        if c6 == c4:
            pairs += 1
            want_a = 10
            if c6 % 5 == 0:
                want_p = 0
            elif a6 in tunnel or c6 % 2 == 0:
                want_p = 20
            else:
                want_p = 10
        else:
            want_a = 10 if asn_of(c6) == asn_of(c4) else 0
            want_p = 0
        if (ea, ep) != (want_a, want_p):
            bad.append("candidate %s %s: ev_asn %s ev_ptr %s, want %s %s"
                       % (a6, a4, ea, ep, want_a, want_p))
    if pairs == 0:
        bad.append("no candidate of one client")
    tot = con.execute("SELECT COUNT(*) FROM candidates WHERE score !="
                      " ev_embed + ev_stack + ev_os + ev_syns + ev_port + ev_gap"
                      " + ev_tsclock + ev_asn + ev_ptr + ev_ehlo").fetchone()[0]
    if tot:
        bad.append("%d candidates whose score is not the sum of their evidence" % tot)
    for b in bad[:20]:
        print(b)
    print("hosts %d, candidates of one client %d, problems %d" % (n, pairs, len(bad)))
    return 1 if bad else 0


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "gen":
        gen(a[1], a[2])
        return 0
    if len(a) == 4 and a[0] == "check":
        return check(a[1], a[2], a[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
