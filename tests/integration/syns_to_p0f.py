#!/usr/bin/env python3
"""syns_to_p0f.py - `mxsensor syns --os --format jsonl` records as p0f-style
lines (pkt=|cli=|srv=|os= or app=|dist=|params=|raw_sig=|link=) for
p0f_compare.awk: addresses written as p0f writes them, params rebuilt the
way p0f builds them (generic, fuzzy, random_ttl, excess_dist, tos:0xNN)."""
import ipaddress
import json
import sys


def p0f_addr(a):
    ip = ipaddress.ip_address(a)
    if ip.version == 4:
        return str(ip)
    return ":".join("%x" % int(g, 16) for g in ip.exploded.split(":"))


for line in sys.stdin:
    r = json.loads(line)
    flags = r["os_flags"].split()
    dist = r["os_dist"]
    params = list(flags)
    if dist > 35:
        params.append("excess_dist")
    if r["tos"] >> 2:
        params.append("tos:0x%02x" % (r["tos"] >> 2))
    key = "app" if r["os_class"] == "!" else "os"
    print("pkt=%s|cli=%s/%s|srv=%s/%s|%s=%s|dist=%s%d|params=%s|raw_sig=%s|link=%s" % (
        r["packet"], p0f_addr(r["src"]), r["sport"], p0f_addr(r["dst"]), r["dport"],
        key, r["os"] if r["os"] is not None else "???",
        "<= " if "random_ttl" in flags else "", dist,
        " ".join(params) if params else "none", r["raw_sig"],
        r["os_link"] if r["os_link"] is not None else "-"))
