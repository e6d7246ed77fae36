#!/usr/bin/env python3
"""Build daily-web.csv, three daily web-traffic series with a yearly cycle, from their sources.

Usage (from this folder; standard library only):
    python3 convert_daily_web.py source daily-web.csv

Series (id: source file in source/, what a value is):
- en.wikipedia: traces_en_wikipedia.csv, `YYYY-MM-DD HH:MM:SS;requests` per hour to the
  English Wikipedia's desktop site, summed per day. Only days with all 24 hours are
  written: a day with missing hours would read as a drop in traffic, so it is a gap.
- peyton_manning, R: example_wp_log_peyton_manning.csv and example_wp_log_R.csv,
  `"ds","y"` with y the natural log of a day's views of the English Wikipedia article;
  written as views, round(exp(y)). Days the files do not hold are gaps.

Writes `id,timestamp,value` (timestamp YYYY-MM-DD), each series in date order.
Checks: no duplicate dates, every value a positive integer, each series over four
years long (the benchmark holds out its last 90 days and needs years before them).
"""
import collections
import csv
import datetime
import math
import os
import sys


def hourly_to_daily(path):
    sums, hours = collections.Counter(), collections.Counter()
    with open(path) as f:
        for line in f:
            stamp, value = line.strip().split(";")
            day = stamp[:10]
            sums[day] += int(value)
            hours[day] += 1
    return {day: sums[day] for day in sums if hours[day] == 24}


def log_views(path):
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            day = row["ds"]
            if day in out:
                sys.exit(f"{path}: {day} twice")
            out[day] = round(math.exp(float(row["y"])))
    return out


def main(source, target):
    series = {
        "en.wikipedia": hourly_to_daily(os.path.join(source, "traces_en_wikipedia.csv")),
        "peyton_manning": log_views(os.path.join(source, "example_wp_log_peyton_manning.csv")),
        "R": log_views(os.path.join(source, "example_wp_log_R.csv")),
    }
    with open(target, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "timestamp", "value"])
        for sid, days in series.items():
            dates = sorted(days)
            first = datetime.date.fromisoformat(dates[0])
            last = datetime.date.fromisoformat(dates[-1])
            span = (last - first).days + 1
            if span < 4 * 365:
                sys.exit(f"{sid}: {span} days, fewer than four years")
            for day in dates:
                if days[day] <= 0:
                    sys.exit(f"{sid}: {day} has {days[day]}")
                w.writerow([sid, day, days[day]])
            print(f"{sid}: {len(dates)} days from {dates[0]} to {dates[-1]} ({span - len(dates)} gaps)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
