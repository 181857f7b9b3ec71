#!/usr/bin/env python3
"""report_dom.py - check the DOM a browser built from the HTML report.

usage: report_dom.py DOM.html REPORT.json

DOM.html is what `chromium --dump-dom` printed after loading the page.
Checks: every chart is an <svg> with tick labels on its axes and drawn
marks; every table of the JSON report is in the page with the same
numbers, cell by cell; nothing is loaded from elsewhere (no script, no
external src/href/url()).  One "ok - " / "not ok - " line per check.
"""
import json
import re
import sys
from html.parser import HTMLParser

# charts per section (the weekly section adds the ratio chart)
CHARTS = {"families": 1, "labels": 1, "os": 1, "addr_type": 1, "weekly": 2,
          "syns": 1, "port_distance": 1, "gap": 1}


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.section = None
        self.svgs = {}          # section -> list of {"ticks": [...], "marks": n}
        self.tables = {}        # table key -> rows of cell texts
        self.table = None
        self.row = None
        self.cell = None
        self.tick = None
        self.external = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            v = a.get(k)
            if v is not None and not v.startswith("#"):
                self.external.append(f"{tag} {k}={v}")
        if tag == "script":
            self.scripts += 1
        if tag == "section":
            self.section = a.get("id")
        elif tag == "svg":
            self.svgs.setdefault(self.section, []).append({"ticks": [], "marks": 0})
        elif tag in ("rect", "path", "circle") and self.section in self.svgs:
            self.svgs[self.section][-1]["marks"] += 1
        elif tag == "text" and "tick" in (a.get("class") or ""):
            self.tick = ""
        elif tag == "table":
            self.table = (a.get("id") or "")[len("table-"):]
            self.tables[self.table] = []
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "text" and self.tick is not None:
            self.svgs[self.section][-1]["ticks"].append(self.tick.strip())
            self.tick = None
        elif tag == "td" and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.row:
                self.tables[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.tick is not None:
            self.tick += data
        if self.cell is not None:
            self.cell += data


def same(col, cell, v):
    if v is None:
        return cell == ""
    if col["type"] == "count":
        return cell == str(v)
    if col["type"] in ("percent", "number"):
        try:
            return abs(float(cell) - v) <= max(0.051, abs(v) * 0.006)
        except ValueError:
            return False
    return cell == v


def main():
    text = open(sys.argv[1]).read()
    rep = json.load(open(sys.argv[2]))
    d = Dom()
    d.feed(text)
    bad = []
    if d.scripts:
        bad.append(f"{d.scripts} script elements")
    bad += d.external
    if re.search(r"url\(|@import", text):
        bad.append("url() or @import in the page")
    print(("ok - " if not bad else "not ok - ") + "self-contained: no script, no external resource")
    for b in bad[:5]:
        print(f"    # {b}")
    for sec, n in CHARTS.items():
        svgs = d.svgs.get(sec, [])
        ticks = [s for s in svgs if len([t for t in s["ticks"] if t]) >= 3 and all(s["ticks"])]
        marks = [s for s in svgs if s["marks"] >= 2]
        if len(svgs) == n and len(ticks) == n and len(marks) == n:
            print(f"ok - {sec}: {n} chart(s) with axis tick labels "
                  f"({', '.join(str(len(s['ticks'])) for s in svgs)}) and marks")
        else:
            print(f"not ok - {sec}: charts {len(svgs)}/{n}, with ticks {len(ticks)}, with marks {len(marks)}")
    for key, t in rep["tables"].items():
        want = t["rows"] + ([t["total"]] if t["total"] else [])
        got = d.tables.get(key)
        if got is None:
            print(f"not ok - table {key} in the page")
            continue
        diffs = []
        if len(got) != len(want):
            diffs.append(f"{len(got)} rows, JSON {len(want)}")
        for i, (g, w) in enumerate(zip(got, want)):
            for j, col in enumerate(t["columns"]):
                if j >= len(g) or not same(col, g[j], w[col["key"]]):
                    diffs.append(f"row {i} {col['key']}: page {g[j] if j < len(g) else None!r}, JSON {w[col['key']]!r}")
        if diffs:
            print(f"not ok - table {key}: the page shows the JSON numbers")
            for x in diffs[:5]:
                print(f"    # {x}")
        else:
            print(f"ok - table {key}: {len(got)} rows as in JSON")


main()
