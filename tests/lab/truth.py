#!/usr/bin/env python3
"""tests/lab/truth.py - hold mxsensor's lab results against the lab's truth.

Inputs (all written by tests/lab/run): the client table (which addresses
each client has, which sender it runs, whether the lab listed it), the
SYNs every client's own kernel sent (tcpdump -nn -tt text of the client
captures), `mxsensor hosts` CSV, and the production MXs' logs.

Prints one "ok - ..." / "not ok - ..." line per check and, as "# " lines,
what each sender did: the order of the MXs it tried, IPv6 before IPv4 or
after, SYNs per attempt, the gap between the failed attempt at one family
and the next at the other, source ports.  Exit status 1 when a check
failed.  Trusts its inputs: they come from the lab itself.
"""

import argparse
import csv
import gzip
import ipaddress
import re
import sys
from collections import defaultdict

LINE = re.compile(r'^(\d+\.\d+) IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\]')

failed = 0


def ok(name, cond, why=None):
    """ok - print one check line; remember a failure"""
    global failed
    if cond:
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name}")
        if why:
            for w in str(why).splitlines():
                print(f"    # {w}")


def norm(a):
    """norm - an address in RFC 5952 form ('' stays '')"""
    return str(ipaddress.ip_address(a)) if a else ''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--truth', required=True)
    ap.add_argument('--hosts', required=True)
    ap.add_argument('--client-syns', required=True)
    ap.add_argument('--sensor4', required=True)
    ap.add_argument('--sensor6', required=True)
    ap.add_argument('--mx1', required=True)
    ap.add_argument('--mx2', required=True)
    ap.add_argument('--mx-log', action='append', default=[])
    ap.add_argument('--sensor-syns', help='the sensor capture as tcpdump -nn -tt text:'
                    ' shown beside the client\'s SYNs when a count differs')
    a = ap.parse_args()

    clients = list(csv.DictReader(open(a.truth)))
    for c in clients:
        c['v4'] = norm(c['v4'])
        c['v6'] = norm(c['v6'])
        c['listed'] = c['listed'] == '1'
    owner = {}
    for c in clients:
        for k in ('v4', 'v6'):
            if c[k]:
                owner[c[k]] = c
    sen4, sen6 = norm(a.sensor4), norm(a.sensor6)
    names = {sen4: 'sensor4', sen6: 'sensor6', norm(a.mx1): 'mx1', norm(a.mx2): 'mx2'}

    # the clients' own SYNs: (time, src, sport, dst name)
    syns = defaultdict(list)
    for line in open(a.client_syns):
        m = LINE.match(line)
        if not m or 'S' not in m.group(6) or m.group(5) != '25':
            continue
        src, dst = norm(m.group(2)), norm(m.group(4))
        if src in owner:
            syns[owner[src]['client']].append(
                (float(m.group(1)), src, int(m.group(3)), names.get(dst, dst)))

    # truth at the sensor: attempts = (src, sport) groups, SYNs per address
    want = {}
    for c in clients:
        for t, src, sport, dst in syns[c['client']]:
            if dst in ('sensor4', 'sensor6'):
                w = want.setdefault(src, {'attempts': set(), 'syns': 0})
                w['attempts'].add(sport)
                w['syns'] += 1

    hosts = {norm(h['addr']): h for h in csv.DictReader(open(a.hosts))}

    # --- the lab itself: every listed client met the DNSBL, no other did
    rejected = defaultdict(int)
    for path in a.mx_log:
        opener = gzip.open if path.endswith('.gz') else open
        for line in opener(path, 'rt', errors='replace'):
            m = re.search(r'reject: RCPT from [^\[]*\[([^\]]+)\].*blocked using', line)
            if m:
                rejected[norm(m.group(1))] += 1
    reached_mx = {c['client'] for c in clients
                  if any(d in ('mx1', 'mx2') for _, _, _, d in syns[c['client']])}
    ok('lab: every listed client that reached an MX was rejected by the DNSBL',
       all(rejected[c['v4']] > 0 for c in clients if c['listed'] and c['client'] in reached_mx),
       {c['client']: rejected[c['v4']] for c in clients if c['listed']})
    ok('lab: no unlisted client was rejected by the DNSBL',
       all(rejected[c['v4']] == 0 for c in clients if not c['listed']))
    ok('lab: every client reached the sensor',
       all(any(d.startswith('sensor') for _, _, _, d in syns[c['client']]) for c in clients),
       [c['client'] for c in clients
        if not any(d.startswith('sensor') for _, _, _, d in syns[c['client']])])

    # --- attempts and SYNs: the sensor's view = what the clients sent
    for addr, w in sorted(want.items()):
        h = hosts.get(addr)
        name = f"{owner[addr]['client']} {addr}: attempts and SYNs as the client sent them"
        if h is None:
            ok(name, False, 'not in mxsensor hosts')
            continue
        got = (int(h['attempts']), int(h['syns']))
        exp = (len(w['attempts']), w['syns'])
        why = f"mxsensor: {got}, client kernel: {exp}"
        if got != exp:
            # what each side holds: a SYN the sensor's file lacks is a
            # capture loss, one it holds is the analysis's
            sent = sorted((t, p, d) for t, src, p, d in syns[owner[addr]['client']]
                          if src == addr and d in ('sensor4', 'sensor6'))
            why += "\nclient kernel sent: " + ", ".join(f"{t:.6f} port {p}" for t, p, _ in sent)
            if a.sensor_syns:
                held = [(float(m.group(1)), int(m.group(3))) for m in map(LINE.match, open(a.sensor_syns))
                        if m and 'S' in m.group(6) and norm(m.group(2)) == addr]
                why += "\nsensor file holds: " + (", ".join(f"{t:.6f} port {p}" for t, p in held)
                                                  or "none")
        ok(name + f" ({exp[0]}/{exp[1]})", got == exp, why)
    extra = sorted(set(hosts) - set(want))
    ok('no host at the sensor that no client sent', not extra, ' '.join(extra))

    # --- labels
    for c in clients:
        h = hosts.get(c['v4'])
        if h is None:
            continue
        exp = 'spammer' if c['listed'] else 'unlisted'
        ok(f"{c['client']} {c['v4']} labelled {exp}", h['label'] == exp, h['label'])
    for c in clients:
        if not c['v6'] or c['v6'] not in hosts:
            continue
        h = hosts[c['v6']]
        partners = {p.split('/')[0] for p in h['partners'].split()} if h['partners'] else set()
        stranger = {p for p in partners if p != c['v4']}
        ok(f"{c['client']} {c['v6']} associated with nobody else's IPv4", not stranger,
           f"partners {h['partners']}")
        if c['listed'] and c['v4'] in hosts:
            ok(f"{c['client']} {c['v6']} (listed) associated with its IPv4 {c['v4']}",
               h['label'] == 'associated' and c['v4'] in partners,
               f"label {h['label']} partners {h['partners']!r}")
        if not c['listed']:
            ok(f"{c['client']} {c['v6']} (not listed) not labelled associated",
               h['label'] != 'associated', h['label'])

    # --- the tables' counts
    fam = defaultdict(int)
    lab = defaultdict(int)
    for h in hosts.values():
        fam[h['family']] += 1
        lab[(h['family'], h['label'])] += 1
    exp4 = sum(1 for x in want if ':' not in x)
    exp6 = sum(1 for x in want if ':' in x)
    ok(f"hosts: {exp4} IPv4 and {exp6} IPv6 hosts", (fam['4'], fam['6']) == (exp4, exp6),
       dict(fam))
    exp_sp = sum(1 for c in clients if c['listed'] and c['v4'] in want)
    ok(f"hosts: {exp_sp} IPv4 spammers", lab[('4', 'spammer')] == exp_sp, dict(lab))
    exp_as = sum(1 for c in clients if c['listed'] and c['v6'] in want and c['v4'] in want)
    ok(f"hosts: {exp_as} IPv6 hosts associated with a listed IPv4", lab[('6', 'associated')] == exp_as,
       dict(lab))

    # --- what each sender did
    print("# client   sender  MXs in order of first SYN             syns/att  "
          "6->4 gap ms (port delta)   4->6 gap ms")
    for c in clients:
        s = sorted(syns[c['client']])
        atts = {}
        for t, src, sport, dst in s:
            k = (src, sport, dst)
            if k not in atts:
                atts[k] = [t, t, 0, dst, sport]
            atts[k][1] = t
            atts[k][2] += 1
        seq = sorted(atts.values())
        order = []
        for at in seq:
            if not order or order[-1][0] != at[3]:
                order.append([at[3], 0])
            order[-1][1] += 1
        spa = sorted({at[2] for at in seq})
        g64, g46 = [], []
        for i, at in enumerate(seq[:-1]):
            nx = seq[i + 1]
            if at[3] == 'sensor6' and nx[3] == 'sensor4':
                g64.append(f"{(nx[0] - at[1]) * 1000:.1f} ({nx[4] - at[4]:+d})")
            if at[3] == 'sensor4' and nx[3] == 'sensor6':
                g46.append(f"{(nx[0] - at[1]) * 1000:.1f}")
        o = ' '.join(f"{d}x{n}" if n > 1 else d for d, n in order)
        print(f"# {c['client']:8} {c['sender']:7} {o[:40]:40} {','.join(map(str, spa)):8}  "
              f"{' '.join(g64) or '-':27}{' '.join(g46) or '-'}")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
