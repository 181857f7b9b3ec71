#!/usr/bin/env python3
"""truth_eval.py - score mxsensor's associations against mxgen's truth file.

usage: truth_eval.py STORE.db TRUTH.csv [--min-precision P] [--min-recall R]

Attempts are matched by (source address, source port, first SYN time).
Precision: of the IPv6 attempts mxsensor associated, the share whose IPv4
partner is the true one.  Recall: of the IPv6 attempts whose client really
fell back to IPv4 (a partner in the truth), the share associated with that
partner.  Also checks attempt grouping (every true attempt found with its
SYN count) and the spammer labels.  Prints the figures; exits 1 when a
bound is missed.
"""
import csv
import sqlite3
import sys


def main():
    args = sys.argv[1:]
    minp, minr = 0.0, 0.0
    if "--min-precision" in args:
        i = args.index("--min-precision"); minp = float(args[i + 1]); del args[i:i + 2]
    if "--min-recall" in args:
        i = args.index("--min-recall"); minr = float(args[i + 1]); del args[i:i + 2]
    db, truth = args
    con = sqlite3.connect(db)
    store = {}
    for aid, src, sport, first, syns, partner in con.execute(
            "SELECT id, src, sport, first_ns, syns, partner FROM attempts"):
        store[(src, int(sport), int(first))] = (aid, int(syns), partner)
    by_truth = {}
    rows = list(csv.DictReader(open(truth)))
    missing = wrong_syns = 0
    for r in rows:
        key = (r["src"], int(r["sport"]), int(r["first_ts_ns"]))
        s = store.get(key)
        if s is None:
            missing += 1
            continue
        by_truth[r["attempt_id"]] = s
        if s[1] != int(r["syns"]):
            wrong_syns += 1
    tp = fp = fn = 0
    errors = []
    for r in rows:
        if r["family"] != "6" or r["attempt_id"] not in by_truth:
            continue
        aid, _, partner = by_truth[r["attempt_id"]]
        want = by_truth.get(r["partner_attempt_id"]) if r["partner_attempt_id"] else None
        want_id = want[0] if want else None
        if partner is not None:
            if partner == want_id:
                tp += 1
            else:
                fp += 1
                if len(errors) < 10:
                    errors.append("false: %s:%s (%s, %s) -> attempt %s, truth %s" % (
                        r["src"], r["sport"], r["os"], r["addr_type"], partner, want_id))
        if want_id is not None and partner != want_id:
            fn += 1
    assoc = tp + fp
    trueset = tp + fn
    precision = tp / assoc if assoc else 1.0
    recall = tp / trueset if trueset else 1.0
    # spammer labels: every truth-listed IPv4 source seen is listed in the store
    listed_truth = {r["src"] for r in rows if r["family"] == "4" and r["listed"] == "1"}
    unlisted_truth = {r["src"] for r in rows if r["family"] == "4" and r["listed"] == "0"}
    listed_store = {a for (a,) in con.execute("SELECT addr FROM hosts WHERE family = 4 AND listed")}
    label_fn = len(listed_truth - listed_store)
    label_fp = len(listed_store & unlisted_truth)
    print("attempts: %d in truth, %d not found, %d with other SYN count" % (len(rows), missing, wrong_syns))
    print("association: %d made, %d correct, %d false, %d missed of %d true pairs" % (assoc, tp, fp, fn, trueset))
    print("precision %.4f  recall %.4f" % (precision, recall))
    print("labels: %d listed IPv4 hosts, %d missed, %d unlisted labelled spammer" % (len(listed_truth), label_fn, label_fp))
    for e in errors:
        print("  " + e)
    ok = (precision >= minp and recall >= minr and missing == 0 and wrong_syns == 0
          and label_fn == 0 and label_fp == 0)
    sys.exit(0 if ok else 1)


main()
