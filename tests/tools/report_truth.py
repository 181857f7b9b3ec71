#!/usr/bin/env python3
"""report_truth.py - hold `mxsensor report` against mxgen's ground truth.

usage: report_truth.py STORE.db TRUTH.csv CLIENTS.csv REPORT.json REPORT.txt [GROUPED.csv]

The truth lists the attempts the generator made; a sensor sees an attempt
as the SYNs of one (source, port) each within 25 s of the previous one, so
when a client reuses a port within 25 s (the misbehaving /64 tries every
5 s from random ports), two generated attempts are one attempt on the
wire.  The truth is regrouped by that rule first (and written to
GROUPED.csv when given, for the shell checks).

Every number is computed here a second way, never by asking the report's
code: from the generator's truth files (attempts, hosts, SYNs, address
types, ISO weeks, spammer labels, the misbehaving /64) or, where only the
analysis knows the answer (association labels, port distances), straight
from the store's tables with SQL of its own.  Prints one "ok - " or
"not ok - " line per check (tests/lib.sh conventions).
"""
import csv
import datetime
import ipaddress
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict


def check(name, got, want):
    if got == want:
        print(f"ok - {name}: {got}")
    else:
        print(f"not ok - {name}")
        print(f"    # report: {got}")
        print(f"    # truth:  {want}")


WINDOW_NS = 25 * 10**9
# the last SYN of an attempt: Windows retries at about +0.5 s and +1.5 s
LAST_NS = {1: 0, 3: 1_550_000_000}


def regroup(truth):
    """merge attempts of one (src, sport) within the attempt window"""
    out, last = [], {}
    for r in sorted(truth, key=lambda r: (r["src"], int(r["sport"]), int(r["first_ts_ns"]))):
        key = (r["src"], r["sport"])
        first = int(r["first_ts_ns"])
        end = first + LAST_NS.get(int(r["syns"]), 0)
        prev = last.get(key)
        if prev is not None and first - prev[1] <= WINDOW_NS:
            prev[0]["syns"] = str(int(prev[0]["syns"]) + int(r["syns"]))
            prev[1] = max(prev[1], end)
            continue
        row = dict(r)
        out.append(row)
        last[key] = [row, end]
    return sorted(out, key=lambda r: int(r["first_ts_ns"]))


def rows(table):
    return table["rows"] + ([table["total"]] if table["total"] else [])


def main():
    db, truth_path, clients_path, json_path, text_path = sys.argv[1:6]
    truth = regroup(list(csv.DictReader(open(truth_path))))
    if len(sys.argv) > 6:
        with open(sys.argv[6], "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(truth[0].keys()), lineterminator="\n")
            w.writeheader()
            w.writerows(truth)
    clients = list(csv.DictReader(open(clients_path)))
    rep = json.load(open(json_path))
    text = open(text_path).read()
    t = rep["tables"]
    con = sqlite3.connect(db)

    # attempts, hosts and SYNs per family
    att, hosts, syns = Counter(), defaultdict(set), Counter()
    for r in truth:
        f = "IPv" + r["family"]
        att[f] += 1
        hosts[f].add(r["src"])
        syns[f] += int(r["syns"])
    fam = {r["family"]: r for r in rows(t["families"])}
    for f in ("IPv4", "IPv6"):
        check(f"{f} attempts", fam[f]["attempts"], att[f])
        check(f"{f} hosts", fam[f]["hosts"], len(hosts[f]))
        check(f"{f} SYNs", fam[f]["syns"], syns[f])
        m = re.search(rf"^{f}\s+(\d+)\s+(\d+)\s", text, re.M)
        check(f"text: {f} hosts and attempts", m and (int(m[1]), int(m[2])),
              (len(hosts[f]), att[f]))
    check("total attempts", t["families"]["total"]["attempts"], len(truth))

    # IPv4 labels: listed in the truth = spammer in the report
    lab = {(r["family"], r["label"]): r for r in t["labels"]["rows"]}
    spam = [r for r in truth if r["family"] == "4" and r["listed"] == "1"]
    check("IPv4 spammer attempts", lab[("IPv4", "spammer")]["attempts"], len(spam))
    check("IPv4 spammer hosts", lab[("IPv4", "spammer")]["hosts"], len({r["src"] for r in spam}))
    # IPv6 labels: the hosts table, summed by the store, against the report
    for label in ("associated", "associated-unlisted", "unassociated"):
        h, a = con.execute("SELECT COUNT(*), COALESCE(SUM(attempts), 0) FROM hosts"
                           " WHERE family = 6 AND label = ?", (label,)).fetchone()
        r = lab.get(("IPv6", label), {"hosts": 0, "attempts": 0})
        check(f"IPv6 {label} hosts/attempts (store)", (r["hosts"], r["attempts"]), (h, a))

    # address types: truth addr_type -> report row
    kind = {"randomized": "other", "eui64": "EUI-64", "6to4": "6to4", "teredo": "Teredo"}
    ka, kh = Counter(), defaultdict(set)
    for r in truth:
        if r["family"] == "6":
            ka[kind[r["addr_type"]]] += 1
            kh[kind[r["addr_type"]]].add(r["src"])
    at = {r["addr_type"]: r for r in t["addr_type"]["rows"]}
    got = {k: (v["hosts_total"], v["attempts_total"]) for k, v in at.items() if v["attempts_total"]}
    check("IPv6 hosts and attempts per address type", got,
          {k: (len(kh[k]), ka[k]) for k in ka})
    tot = t["addr_type"]["total"]
    check("address types: associated + unassociated = total",
          tot["attempts_associated"] + tot["attempts_unassociated"], tot["attempts_total"])
    # associated attempts per address type, from the store's own columns
    store_assoc = Counter()
    type_of = {r["src"]: kind[r["addr_type"]] for r in truth if r["family"] == "6"}
    for src, n in con.execute("SELECT a.src, COUNT(*) FROM attempts a JOIN hosts h"
                              " ON h.addr = a.src WHERE a.family = 6 AND h.label = 'associated'"
                              " GROUP BY a.src"):
        store_assoc[type_of.get(src, "?")] += n
    check("associated IPv6 attempts per address type (store)",
          {k: v["attempts_associated"] for k, v in at.items() if v["attempts_associated"]},
          dict(store_assoc))

    # OS: IPv6 hosts and attempts per OS family, from the store's columns
    def osrow(x):
        return x if x in ("Windows", "Linux", "Mac OS X", "BSD") else ("Unknown" if not x or x == "Unknown" else "Other")
    oa = Counter()
    for os_, lab6, n in con.execute("SELECT a.os_family, h.label = 'associated', COUNT(*)"
                                    " FROM attempts a JOIN hosts h ON h.addr = a.src"
                                    " WHERE a.family = 6 GROUP BY 1, 2"):
        oa[(osrow(os_), "attempts_associated" if lab6 else "attempts_unassociated")] += n
    got = Counter()
    for r in t["os"]["rows"]:
        for k in ("attempts_associated", "attempts_unassociated"):
            if r[k]:
                got[(r["os"], k)] = r[k]
    check("IPv6 attempts per OS x associated (store)", dict(got), dict(oa))
    # the truth's Windows stacks are recognised over IPv6 (flow label 0):
    # checked once the store holds fingerprints
    if con.execute("SELECT COUNT(*) FROM attempts WHERE os_family IS NOT NULL").fetchone()[0]:
        win = sum(1 for r in truth if r["family"] == "6" and r["os"].startswith("windows"))
        osr = {r["os"]: r for r in t["os"]["rows"]}
        check("IPv6 Windows attempts (truth)", osr["Windows"]["attempts_total"], win)
    else:
        print("ok - IPv6 Windows attempts (truth) # SKIP the store holds no fingerprints yet")

    # the OS table with fingerprints: a copy of the store gets the truth's
    # OS families (attempts and hosts), the report of the copy must count
    # IPv6 hosts and attempts per truth OS x associated
    mx = os.environ.get("MXSENSOR")
    if mx:
        fam_of = {"windows7": "Windows", "windowsxp": "Windows", "linux": "Linux", "macos": "Mac OS X"}
        sim = db + ".os.db"
        shutil.copy(db, sim)
        c2 = sqlite3.connect(sim)
        c2.executemany("UPDATE attempts SET os_family = ? WHERE src = ? AND sport = ? AND first_ns = ?",
                       [(fam_of.get(r["os"]), r["src"], int(r["sport"]), int(r["first_ts_ns"]))
                        for r in truth])
        c2.executemany("UPDATE hosts SET os_family = ? WHERE addr = ?",
                       list({r["src"]: (fam_of.get(r["os"]), r["src"]) for r in truth}.values()))
        c2.commit()
        label = dict(c2.execute("SELECT addr, label = 'associated' FROM hosts WHERE family = 6"))
        c2.close()
        out = subprocess.run([mx, "report", "--db", sim, "--format", "json", "--table", "os"],
                             capture_output=True, text=True, check=True).stdout
        got = {r["os"]: (r["hosts_associated"], r["hosts_unassociated"],
                         r["attempts_associated"], r["attempts_unassociated"])
               for r in json.loads(out)["tables"]["os"]["rows"]}
        want = {k: [set(), set(), 0, 0] for k in got}
        for r in truth:
            if r["family"] != "6":
                continue
            w = want[fam_of.get(r["os"], "Unknown")]
            a = 0 if label.get(r["src"]) else 1
            w[a].add(r["src"])
            w[2 + a] += 1
        check("IPv6 hosts/attempts per truth OS x associated (fingerprinted copy)",
              got, {k: (len(v[0]), len(v[1]), v[2], v[3]) for k, v in want.items()})

    # SYNs per attempt per family
    sd = Counter((r["family"], min(int(r["syns"]), 5)) for r in truth)
    got = Counter()
    for r in t["syns"]["rows"]:
        for i, k in enumerate(("syns_1", "syns_2", "syns_3", "syns_4", "syns_5_plus")):
            if r[k]:
                got[(r["family"][3:], i + 1)] += r[k]
    check("SYNs per attempt per family", dict(got), dict(sd))

    # weekly: ISO weeks of the truth's first SYNs
    wk = defaultdict(lambda: [0, 0])
    for r in truth:
        d = datetime.datetime.fromtimestamp(int(r["first_ts_ns"]) // 10**9, datetime.timezone.utc)
        y, w, _ = d.isocalendar()
        wk[f"{y:04d}-W{w:02d}"][r["family"] == "6"] += 1
    got = {r["week"]: [r["ipv4_total"], r["ipv6_total"]] for r in t["weekly"]["rows"]}
    check("attempts per ISO week and family", got, dict(wk))
    check("weekly totals sum to the attempt total",
          sum(a + b for a, b in got.values()), t["families"]["total"]["attempts"])
    spam_w = sum(r["ipv4_spammer"] for r in t["weekly"]["rows"])
    check("weekly IPv4 spammer attempts", spam_w, len(spam))

    # the misbehaving /64
    mis = [c for c in clients if c["behaviour"] == "misbehaving"]
    nets = {ipaddress.ip_network(c["v6"] + "/64", strict=False) for c in mis}
    want = []
    per64 = Counter()
    for src, n in Counter(r["src"] for r in truth if r["family"] == "6").items():
        per64[str(ipaddress.ip_network(src + "/64", strict=False))] += n
    for n in sorted(nets):
        want.append((str(n), per64[str(n)]))
    got = [(r["prefix"], r["attempts"]) for r in t["misbehaving"]["rows"]]
    check("misbehaving /64s and their attempts", got, want)
    # the reason: attempts, the mean interval from the truth's times, no IPv4
    first64 = {}
    for r in truth:
        if r["family"] == "6":
            k = str(ipaddress.ip_network(r["src"] + "/64", strict=False))
            ts = int(r["first_ts_ns"])
            lo, hi = first64.get(k, (ts, ts))
            first64[k] = (min(lo, ts), max(hi, ts))
    for r in t["misbehaving"]["rows"]:
        lo, hi = first64.get(r["prefix"], (0, 0))
        n = r["attempts"]
        iv = (hi - lo) / 1e9 / (n - 1) if n > 1 else float("inf")
        why = r.get("reason") or ""
        pat = (rf"{n} attempts over (\S.*), one per {re.escape(f'{iv:.1f}')} s; 100% without "
               r"an IPv4 counterpart")
        m = re.fullmatch(pat, why)
        check(f"misbehaving {r['prefix']}: reason", why,
              why if m else f"{n} attempts over ..., one per {iv:.1f} s; 100% without an IPv4 counterpart")
    for p, n in want:
        check(f"text: misbehaving {p}", bool(re.search(rf"^{re.escape(p)}\s+\d+\s+{n}\s", text, re.M)), True)
    top = t["top64"]["rows"][0] if t["top64"]["rows"] else {}
    check("the top /64 is flagged", (top.get("prefix"), top.get("misbehaving")),
          (want[0][0] if want else None, "misbehaving"))

    # port distances of associated pairs: bins against the store's values
    def pbin(d):
        d = abs(d)
        if d <= 2:
            return d
        b, hi = 2, 2
        while d > hi and b < 17:
            hi *= 2
            b += 1
        return b
    pd = [(d, src) for d, src in con.execute(
        "SELECT c.port_dist, a.src FROM candidates c JOIN attempts a ON a.id = c.a6"
        " WHERE c.decision = 'associated'")]
    names = [r["distance"] for r in t["port_distance"]["rows"]]
    bins = Counter(pbin(d) for d, _ in pd)
    check("port-distance histogram (store)",
          {n: r["pairs"] for n, r in zip(names, t["port_distance"]["rows"]) if r["pairs"]},
          {names[b]: c for b, c in sorted(bins.items())})
    # Windows shares one sequential pool: its associated pairs are 1..8 apart
    wsrc = {r["src"] for r in truth if r["family"] == "6" and r["os"].startswith("windows")}
    wd = [d for d, src in pd if src in wsrc]
    check("associated Windows pairs (truth OS) with port distance in 1..8",
          (len(wd) > 20, all(1 <= abs(d) <= 8 for d in wd)), (True, True))
    # the report's Windows column (p0f's verdicts) sits in the bins 1..8
    pw = {r["distance"]: r["windows"] for r in t["port_distance"]["rows"]}
    nwin = con.execute("SELECT COUNT(*) FROM candidates c JOIN attempts a ON a.id = c.a6"
                       " WHERE c.decision = 'associated' AND a.os_family = 'Windows'").fetchone()[0]
    check("report: associated Windows pairs (p0f) all in the bins 1..8",
          (sum(pw.values()), sum(v for k, v in pw.items() if k in ("1", "2", "3-4", "5-8"))),
          (nwin, nwin))
    # time gaps: every associated pair counted once
    check("gap histogram counts every associated pair",
          sum(r["pairs"] for r in t["gap"]["rows"]), len(pd))


main()
