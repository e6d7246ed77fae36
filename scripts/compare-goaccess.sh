#!/usr/bin/env bash
# headroom ingest against GoAccess on the same large Apache Combined log, side by side:
# lines per CPU-second, wall time, peak RSS, their ratios, and the totals of both.
#
#   scripts/compare-goaccess.sh            # 4,000,000 lines in each layout below
#   COPIES=100 RUNS=3 scripts/compare-goaccess.sh   # 1,000,000 lines; RUNS: runs of each,
#                                                   # medians quoted (5)
#   SHIFT=86400 scripts/compare-goaccess.sh   # copies a day apart: 400 days of partitions
#   ORDERS=generated scripts/compare-goaccess.sh   # one layout only
#
# Each layout of the log is compared in turn: `generated`, a log with real-world
# diversity from scripts/gen-log.py (Zipf paths and hosts growing with the log, IPv6,
# bots, mixed offsets, out-of-order lines, 0.1% junk; 28 days; its known totals checked
# against headroom's), `time`, copies of the bundled log with every line in time order
# as a web server writes it, and `copies`, the copies one after another (the log runs
# through its days 400 times: the worst case for headroom's locality; make-big-log.py).
# The copies repeat one small log's paths, agents and visitors, so they flatter any
# analyser's caches: quote the generated row.
#
# Needs python3 (builds the log) and GoAccess (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${COPIES:-400}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v goaccess >/dev/null || { apt-get update -qq && apt-get install -y -qq goaccess >/dev/null; }
command -v /usr/bin/time >/dev/null 2>&1 || apt-get install -y -qq time >/dev/null
cargo build --release --quiet
headroom=${CARGO_TARGET_DIR:-target}/release/headroom

# wall s, user s, sys s, peak RSS KiB; one line per run, RUNS runs each (the medians are
# quoted: on a shared 2-core machine single runs vary by 10-20%). Each headroom run
# writes a fresh dataset: re-ingesting into the same one would be a no-op.
runs=${RUNS:-5}
measure() {
    local name=$1 i
    shift
    for i in $(seq "$runs"); do
        rm -rf "$work/ds1" "$work/ds"
        /usr/bin/time -a -f '%e %U %S %M' -o "$work/$name.time" "$@" >/dev/null 2>&1
    done
}

for order in ${ORDERS:-generated time copies}; do
rm -f "$work"/*.time "$work/truth.json"
if [ "$order" = generated ]; then
    python3 scripts/gen-log.py "$((copies * 10000))" --seed 1 --out "$work/big.log" --truth "$work/truth.json"
    lines=$(wc -l <"$work/big.log")
    echo
    echo "== generated log (scripts/gen-log.py, seed 1, 28 days): $lines lines, $(du -h "$work/big.log" | cut -f1)"
else
ORDER=$order python3 scripts/make-big-log.py "$copies" "$work/big.log" "${SHIFT:-37}"
lines=$(wc -l <"$work/big.log")
echo
echo "== log in $order order: $lines lines, $(du -h "$work/big.log" | cut -f1) ($copies copies of data/logs/elastic_apache_logs.log, each ${SHIFT:-37} s after the last)"
fi
cat "$work/big.log" >/dev/null # page cache warm for both

measure goaccess goaccess "$work/big.log" --log-format=COMBINED --no-progress -o "$work/goaccess.json"
measure headroom "$headroom" ingest "$work/big.log" --out "$work/ds" --format combined
measure headroom1 "$headroom" ingest "$work/big.log" --out "$work/ds1" --format combined --threads 1
echo "medians of $runs runs each"

python3 - "$work" "$lines" "$(goaccess --version | head -1)" <<'PY'
import json, sys
work, lines, version = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def t(name):
    from statistics import median
    runs = [[float(x) for x in l.split()] for l in open(f"{work}/{name}.time") if l.strip()]
    wall = median(r[0] for r in runs)
    cpu = median(r[1] + r[2] for r in runs)
    rss = median(r[3] for r in runs)
    return {"wall": wall, "cpu": cpu, "lps": lines / cpu, "rss": rss / 1024}
ga, h1, hn = t("goaccess"), t("headroom1"), t("headroom")
print(f"\n{'':28}{'GoAccess':>14}{'headroom -j1':>14}{'headroom':>14}{'ratio (j1/GA)':>15}")
print(f"{'lines per CPU-second':28}{ga['lps']:>14,.0f}{h1['lps']:>14,.0f}{hn['lps']:>14,.0f}{h1['lps']/ga['lps']:>14.1f}x")
print(f"{'wall time, s':28}{ga['wall']:>14.2f}{h1['wall']:>14.2f}{hn['wall']:>14.2f}{ga['wall']/h1['wall']:>14.1f}x")
print(f"{'CPU time, s':28}{ga['cpu']:>14.2f}{h1['cpu']:>14.2f}{hn['cpu']:>14.2f}")
print(f"{'peak RSS, MiB':28}{ga['rss']:>14.1f}{h1['rss']:>14.1f}{hn['rss']:>14.1f}{h1['rss']/ga['rss']:>14.3f}x")
g = json.load(open(f"{work}/goaccess.json"))
s = json.load(open(f"{work}/ds1/summary.json"))
status = {x["data"][:1]: x["hits"]["count"] for x in g["status_codes"]["data"]}
rows = [
    ("requests (valid)", g["general"]["valid_requests"], s["requests"]),
    ("lines failed / rejected", g["general"]["failed_requests"], s["lines_rejected"]),
    ("bytes", g["general"]["bandwidth"], s["bytes"]),
    *[(f"status {c}xx", status.get(c, 0), s["status"][f"s{c}xx"]) for c in "12345"],
    ("distinct hosts", g["hosts"]["metadata"]["data"]["total"]["value"], round(s["unique_hosts"])),
    ("unique visitors (GoAccess def.)", g["general"]["unique_visitors"], round(s["goaccess_unique_visitors"])),
]
print(f"\n{'total':34}{'GoAccess':>19}{'headroom':>19}{'difference':>12}")
for name, a, b in rows:
    diff = "" if a == b else f"{(b - a) / a * 100:+.2f}%" if a else "n/a"
    print(f"{name:34}{a:>19,}{b:>19,}{diff:>12}")
print(f"\n{version}; headroom counts hosts and visitors with HLL (lgK 12, ~1.6% standard error);")
print("GoAccess keys panel items by a 32-bit hash, so its distinct counts undercount at scale.")
import os
if os.path.exists(f"{work}/truth.json"):
    truth = json.load(open(f"{work}/truth.json"))
    keys = ["lines_read", "lines_parsed", "lines_rejected", "requests", "bytes", "status"]
    wrong = [k for k in keys if s[k] != truth[k]]
    print("generator's totals:", "all equal headroom's" if not wrong else f"DIFFER in {wrong}")
PY
done
