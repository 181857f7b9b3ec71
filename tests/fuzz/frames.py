#!/usr/bin/env python3
"""frames.py - seeds for fuzz_packet: every frame of the classic pcap files
given, prefixed with the harness's link-type index and a zero length byte.

usage: frames.py OUTDIR FILE...
"""
import hashlib
import os
import struct
import sys

DLTS = [1, 12, 14, 101, 228, 229, 0, 108, 113, 276, 9, 204, 50, 104, 205,
        239, 242, 105, 127, 129]

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for path in sys.argv[2:]:
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    if len(data) < 24:
        continue
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        continue
    dlt = struct.unpack(e + "I", data[20:24])[0] & 0xffff
    if dlt not in DLTS:
        continue
    idx = DLTS.index(dlt)
    off, n = 24, 0
    while off + 16 <= len(data) and n < 64:
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        seed = bytes([idx, 0]) + frame
        name = hashlib.sha1(seed).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(seed)
