#!/usr/bin/env python3
"""Generates an access log that looks like a busy web service's, with known totals.

Unlike make-big-log.py (copies of one small real log, whose paths, agents and visitors
repeat with every copy), every cardinality here grows with the log the way a real
service's does, and follows published measurements where there are some:

- Path popularity is Zipf-like, p(i) ∝ 1/i^a with a = 0.75: Breslau, Cao, Fan, Phillips
  and Shenker, "Web Caching and Zipf-like Distributions: Evidence and Implications",
  INFOCOM 1999, found exponents varying from trace to trace, between about 0.64 and 0.83.
- The catalogue is large and concentrated: Arlitt and Williamson, "Web Server Workload
  Characterization: The Search for Invariants", SIGMETRICS 1996: about 10% of the files
  take 90% of the requests, a third of the files are asked for once, about 88% of
  requests succeed (200), transfers average under 21 KB with a heavy (Pareto) tail.
  Here: one path per ~50 requests (pages, static assets, queries), 200 for ~88%.
- Clients are Zipf-like too (a = 1.0: a few crawlers and NATs make most requests, most
  hosts a handful): one host per ~90 requests (43 k hosts a month for a 4 M-line month),
  each with one to three user agents, so visitors (host, agent) number ~1.7 per host.
- Bots: the 2024 Imperva Bad Bot Report measured 49.6% of 2023's traffic as automated,
  17.6% "good" bots that say what they are (search engines, monitors, AI crawlers) and
  32% bad bots that mostly pose as browsers. Here 17.6% of requests come from agents
  that name themselves as bots (headroom and GoAccess count these); the rest pose as
  browsers and count as people, as they would in any log analyser.
- IPv6: about 45% of users reached Google over IPv6 in 2024 (Google's IPv6 adoption
  statistics, google.com/ipv6); here 45% of hosts are IPv6.
- A day peaks in the evening and bottoms out before dawn (peak about 3× the trough) and
  a weekend day carries 85% of a weekday's traffic: ASSUMPTION, the shape the bundled
  real logs show, not a published figure.
- Lines are written when a response completes, stamped with the time the request
  arrived, so lines within a minute are out of order by their response times (lognormal,
  median 40 ms, some seconds); 30% of lines come from servers logging in UTC, the rest
  in +0900 (one file from two regions); 0.1% of lines are junk (cut short, binary noise,
  a broken date), which must be counted and rejected, never lost.

The log is Apache Combined. It is written in time order minute by minute, so any size
streams in constant memory (100 M lines: pipe it into `headroom ingest -`).

Usage: gen-log.py LINES [--seed S] [--days D] [--out FILE] [--truth FILE.json]
Prints (or writes to --truth) the totals an ingest must reproduce exactly: lines read,
parsed and rejected, requests, bytes, status classes, bots and static assets.
"""
import argparse
import bisect
import json
import math
import random
import sys
import time

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
START = 1_704_067_200  # 2024-01-01T00:00:00Z, a Monday
STATIC_SHARE = 0.55
BOT_SHARE = 0.176
IPV6_SHARE = 0.45
JUNK_SHARE = 0.001
UTC_SHARE = 0.30


def zipf_cum(n, a):
    """Cumulative weights of ranks 1..n under p ∝ 1/rank^a, for random.choices."""
    total, out = 0.0, []
    for i in range(1, n + 1):
        total += 1.0 / i**a
        out.append(total)
    return out


def browsers(rng, n):
    """n distinct browser agents: Chrome, Safari, Firefox and Edge on several systems."""
    systems = [
        "Windows NT 10.0; Win64; x64",
        "Macintosh; Intel Mac OS X 10_15_7",
        "X11; Linux x86_64",
        "Linux; Android 14; Pixel 8",
        "Linux; Android 13; SM-S918B",
        "Linux; Android 12; SO-51B",
    ]
    out = set()
    while len(out) < n:
        kind = rng.random()
        major = rng.randint(100, 131)
        build = f"{major}.0.{rng.randint(4000, 6800)}.{rng.randint(0, 250)}"
        if kind < 0.55:
            system = rng.choice(systems)
            mobile = " Mobile" if "Android" in system else ""
            out.add(f"Mozilla/5.0 ({system}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{build}{mobile} Safari/537.36")
        elif kind < 0.80:
            ios = f"{rng.randint(15, 17)}_{rng.randint(0, 7)}"
            device = rng.choice(["iPhone; CPU iPhone OS", "iPad; CPU OS"])
            out.add(f"Mozilla/5.0 ({device} {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{ios.split('_')[0]}.{rng.randint(0, 6)} Mobile/15E148 Safari/604.1")
        elif kind < 0.92:
            system = rng.choice(systems[:3])
            v = rng.randint(100, 132)
            out.add(f"Mozilla/5.0 ({system}; rv:{v}.0) Gecko/20100101 Firefox/{v}.0")
        else:
            out.add(f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{build} Safari/537.36 Edg/{major}.0.{rng.randint(1000, 2900)}.{rng.randint(0, 99)}")
    return sorted(out)


BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
]


def hosts(rng, n):
    """n distinct client addresses, IPV6_SHARE of them IPv6."""
    out = set()
    while len(out) < n:
        if rng.random() < IPV6_SHARE:
            out.add("2400:%x:%x:%x::%x" % (rng.randint(0x4000, 0xFFFF), rng.randint(0, 0xFFFF), rng.randint(0, 0xFFFF), rng.randint(1, 0xFFFF)))
        else:
            out.add("%d.%d.%d.%d" % (rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)))
    out = sorted(out)
    rng.shuffle(out)
    return out


def catalogue(rng, n):
    """n pages and n static assets, most popular first."""
    words = "entry user tag search hot new keyword category ranking about help".split()
    pages, assets = [], []
    for i in range(n):
        kind = words[i % len(words)]
        if kind == "search":
            pages.append(f"/search?q=w{rng.randint(1, 50 * n)}&page={rng.randint(1, 5)}")
        elif kind == "user":
            pages.append(f"/user/u{i}/entries?page={rng.randint(1, 9)}")
        else:
            pages.append(f"/{kind}/{rng.randint(10**9, 10**10)}")
        ext = rng.choice(["jpg", "jpg", "png", "webp", "gif", "js", "css", "svg", "woff2", "ico"])
        assets.append(f"/static/{ext}/{rng.getrandbits(48):012x}.{ext}")
    return pages, assets


def minute_weights(days):
    """Each minute's share of the traffic: a daily cycle peaking at 21:00 +0900 (12:00
    UTC), its trough at about a third of the peak, weekends at 85%."""
    out = []
    for m in range(days * 1440):
        day, minute = divmod(m, 1440)
        phase = 2 * math.pi * (minute - 12 * 60) / 1440
        daily = 1.0 + 0.5 * math.cos(phase)
        weekend = 0.85 if day % 7 >= 5 else 1.0
        out.append(daily * weekend)
    return out


def stamp_prefix(minute, utc):
    """Apache's %t up to the seconds for the minute starting at Unix time `minute`, in
    UTC or +0900 (seconds and the zone are added per line)."""
    tm = time.gmtime(minute + (0 if utc else 9 * 3600))
    return "%02d/%s/%04d:%02d:%02d:" % (tm.tm_mday, MONTHS[tm.tm_mon - 1], tm.tm_year, tm.tm_hour, tm.tm_min)


class Truth:
    """What an ingest must count."""

    def __init__(self):
        self.read = self.parsed = self.bytes = self.bots = self.static = 0
        self.status = [0] * 5
        self.first = self.last = None

    def request(self, minute, status, size, bot, static):
        self.read += 1
        self.parsed += 1
        self.bytes += size
        self.status[status // 100 - 1] += 1
        self.bots += bot
        self.static += static and not bot
        self.first = minute if self.first is None else min(self.first, minute)
        self.last = minute if self.last is None else max(self.last, minute)

    def json(self):
        iso = lambda m: time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(m))
        return {
            "lines_read": self.read,
            "lines_parsed": self.parsed,
            "lines_rejected": self.read - self.parsed,
            "requests": self.parsed,
            "bytes": self.bytes,
            "status": dict(zip(["s1xx", "s2xx", "s3xx", "s4xx", "s5xx"], self.status)),
            "bots": self.bots,
            "static_assets": self.static,
            "first_minute": iso(self.first),
            "last_minute": iso(self.last),
        }


def response(rng, static, bot):
    """Status and bytes: ~88% 200, 304s for cached assets, redirects, 404s, errors."""
    r = rng.random()
    if static and not bot and r < 0.08:
        return 304, 0
    if r < 0.895:
        median = 12_000 if static else 24_000
        size = int(rng.lognormvariate(math.log(median), 1.0))
        if rng.random() < 0.01:  # Pareto tail: the odd large download
            size = int(200_000 * rng.paretovariate(1.2))
        return (206 if static and rng.random() < 0.004 else 200), size
    if r < 0.925:
        return rng.choice([301, 302]), rng.randint(180, 260)
    if r < 0.990:
        return rng.choice([404, 404, 404, 403, 400]), rng.randint(150, 500)
    return rng.choice([500, 502, 503, 504]), rng.randint(100, 700)


def junk(rng, good):
    """A line no access-log format accepts: cut short inside the request, binary noise,
    or a broken date."""
    kind = rng.random()
    if kind < 0.5:
        return good[: good.index('"') + rng.randint(1, 8)]
    if kind < 0.8:
        return "".join(chr(rng.randint(0x21, 0x7E)) for _ in range(rng.randint(5, 60)))
    return good.replace("/20", "/2O", 1)


def generate(lines, seed, days, out, truth):
    rng = random.Random(seed)
    n_hosts = max(200, lines // 90)
    n_paths = max(200, lines // 100)
    host_list = hosts(rng, n_hosts)
    host_cum = zipf_cum(n_hosts, 1.0)
    agents = browsers(rng, max(50, n_hosts // 40))
    # Each host's agents: one to three browsers, or one bot.
    host_agents = [[agents[rng.randrange(len(agents))] for _ in range(rng.choice([1, 1, 2, 3]))] for _ in range(n_hosts)]
    bot_hosts = [hosts(rng, 8) for _ in BOTS]
    pages, assets = catalogue(rng, n_paths)
    path_cum = zipf_cum(n_paths, 0.75)
    weights = minute_weights(days)
    scale = lines / sum(weights)
    carry = 0.0
    written = 0
    write = out.write
    for m, w in enumerate(weights):
        carry += w * scale
        count = int(carry)
        if m == len(weights) - 1:
            count = lines - written
        carry -= count
        written += count
        minute = START + m * 60
        prefixes = (stamp_prefix(minute, False), stamp_prefix(minute, True))
        batch = []
        for _ in range(count):
            bot = rng.random() < BOT_SHARE
            if bot:
                b = rng.randrange(len(BOTS))
                host, agent = rng.choice(bot_hosts[b]), BOTS[b]
                static = rng.random() < 0.05
            else:
                h = bisect.bisect_left(host_cum, rng.random() * host_cum[-1])
                host, agent = host_list[h], rng.choice(host_agents[h])
                static = rng.random() < STATIC_SHARE
            rank = bisect.bisect_left(path_cum, rng.random() * path_cum[-1])
            path = assets[rank] if static else pages[rank]
            method = "GET" if rng.random() < 0.96 else rng.choice(["POST", "HEAD"])
            status, size = response(rng, static, bot)
            second = rng.random() * 60
            done = second + rng.lognormvariate(math.log(0.04), 1.5)
            referer = "-" if bot or rng.random() < 0.3 else "https://example.jp" + pages[rng.randrange(min(50, n_paths))]
            utc = rng.random() < UTC_SHARE
            stamp = "%s%02d %s" % (prefixes[utc], int(second), "+0000" if utc else "+0900")
            line = '%s - - [%s] "%s %s HTTP/1.1" %d %s "%s" "%s"' % (host, stamp, method, path, status, size if size else "-", referer, agent)
            truth.request(minute, status, size, bot, static)
            batch.append((done, line))
            if rng.random() < JUNK_SHARE:
                truth.read += 1
                batch.append((done, junk(rng, line)))
        batch.sort(key=lambda x: x[0])
        write("\n".join(l for _, l in batch))
        if batch:
            write("\n")
    return truth


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("lines", type=int)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--days", type=int, default=28)
    p.add_argument("--out", default="-")
    p.add_argument("--truth")
    a = p.parse_args()
    out = sys.stdout if a.out == "-" else open(a.out, "w", buffering=1 << 20)
    truth = generate(a.lines, a.seed, a.days, out, Truth())
    out.flush()
    text = json.dumps(truth.json(), indent=2)
    if a.truth:
        with open(a.truth, "w") as f:
            f.write(text + "\n")
    else:
        print(text, file=sys.stderr)


if __name__ == "__main__":
    main()
