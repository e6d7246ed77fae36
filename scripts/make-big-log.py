#!/usr/bin/env python3
"""Builds a large Apache Combined log from data/logs/elastic_apache_logs.log for benchmarks.

Copy k of the 10,000 lines is shifted k × SHIFT seconds later and its client addresses
moved to another /8 (first octet + k), so hosts and visitors grow with the copies the way
a real service's would. SHIFT defaults to 37 s: 400 copies then make 4 million lines over
about four days, a busy log; SHIFT=86400 spreads them over 400 days instead.

ORDER=copies (the default) writes the copies one after another, so the log runs through
its days COPIES times: the worst case for locality, since every copy revisits every
minute, hour and day. ORDER=time sorts all lines by time (stable), the way a web server
writes its log; the bundled log itself is sorted by minute only.
Usage: [ORDER=copies|time] make-big-log.py COPIES OUT [SHIFT]
"""
import datetime as dt
import os
import re
import sys

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
TIME = re.compile(rb"\[(\d\d)/(\w\w\w)/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\]")


def main():
    copies, out = int(sys.argv[1]), sys.argv[2]
    shift_s = int(sys.argv[3]) if len(sys.argv) > 3 else 37
    src = open(__file__.rsplit("/", 2)[0] + "/data/logs/elastic_apache_logs.log", "rb").read().splitlines()
    parsed = []
    for line in src:
        m = TIME.search(line)
        d, mon, y, hh, mm, ss, zone = m.groups()
        t = dt.datetime(int(y), MONTHS.index(mon.decode()) + 1, int(d), int(hh), int(mm), int(ss))
        host, rest = line.split(b" ", 1)
        pre, post = rest[: m.start() - len(host) - 1], rest[m.end() - len(host) - 1 :]
        parsed.append((host, pre, t, zone, post))
    def copy(k):
        shift = dt.timedelta(seconds=k * shift_s)
        for host, pre, t, zone, post in parsed:
            parts = host.split(b".")
            if len(parts) == 4 and parts[0].isdigit():
                parts[0] = str((int(parts[0]) - 1 + k) % 223 + 1).encode()
                host = b".".join(parts)
            stamp = (t + shift).strftime("%d/%b/%Y:%H:%M:%S").encode()
            yield t + shift, b"%s %s[%s %s]%s\n" % (host, pre, stamp, zone, post)

    order = os.environ.get("ORDER", "copies")
    if order == "copies":
        lines = (line for k in range(copies) for _, line in copy(k))
    elif order == "time":
        stamped = [x for k in range(copies) for x in copy(k)]
        stamped.sort(key=lambda x: x[0])
        lines = (line for _, line in stamped)
    else:
        sys.exit(f"ORDER must be copies or time, not {order}")
    with open(out, "wb") as f:
        buf = []
        for line in lines:
            buf.append(line)
            if len(buf) == 65536:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))

if __name__ == "__main__":
    main()
