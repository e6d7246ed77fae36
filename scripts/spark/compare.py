"""Checks that two headroom datasets hold the same traffic, reading both with Spark:
every minute counter exactly, each hour's distinct visitors and hosts exactly (Spark's
own hll_sketch_estimate of both sketches), each hour's duration quantiles within the KLL
rank error (Apache DataSketches for Python reads both), and the two `headroom summary --json` files alike (input names aside: a
piped split is named <stdin>).

    python scripts/spark/compare.py EXPECTED ACTUAL --summaries EXPECTED.json ACTUAL.json
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import merge  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

QUANTILES = [0.5, 0.9, 0.99]


def rank_error(k=1000):
    from datasketches import kll_doubles_sketch

    return kll_doubles_sketch.get_normalized_rank_error(k, False)


def compare_tables(spark, expected, actual):
    problems = []
    a = spark.read.parquet(f"{expected}/minutes").drop("date")
    b = spark.read.parquet(f"{actual}/minutes").drop("date")
    joined = a.alias("a").join(b.alias("b"), "minute", "full_outer")
    differ = F.lit(False)
    for c in merge.COUNTERS:
        differ = differ | ~F.col(f"a.{c}").eqNullSafe(F.col(f"b.{c}"))
    bad = joined.where(differ).count()
    minutes = joined.count()
    print(f"minutes: {minutes} compared, {bad} differ")
    if bad or minutes == 0:
        problems.append(f"{bad} of {minutes} minutes differ")

    def hours(path):
        return spark.read.parquet(f"{path}/hours").select(
            "hour",
            F.expr("hll_sketch_estimate(visitors_hll)").alias("visitors"),
            F.expr("hll_sketch_estimate(hosts_hll)").alias("hosts"),
            F.expr("kll_sketch_get_n_double(durations_ms_kll)").alias("n"),
            F.col("durations_ms_kll").alias("kll"),
        )

    h = hours(expected).alias("a").join(hours(actual).alias("b"), "hour", "full_outer")
    bad = h.where(
        ~F.col("a.visitors").eqNullSafe(F.col("b.visitors"))
        | ~F.col("a.hosts").eqNullSafe(F.col("b.hosts"))
        | ~F.col("a.n").eqNullSafe(F.col("b.n"))
    ).count()
    print(f"hours: {h.count()} compared, {bad} differ in visitors, hosts or durations counted")
    if bad:
        problems.append(f"{bad} hours differ in distinct counts or duration counts")

    from datasketches import kll_doubles_sketch

    # KLL compaction flips coins, so sketches of the same stream merged in another order
    # may answer a quantile with a neighbouring item: each answer's rank is within eps of
    # the truth, so two answers are within 2 eps of each other.
    bound = 2 * rank_error()
    worst = 0.0
    everything = kll_doubles_sketch(1000)
    for row in h.where("a.n > 0").select("a.kll", "b.kll").collect():
        a_kll = kll_doubles_sketch.deserialize(bytes(row[0]))
        b_kll = kll_doubles_sketch.deserialize(bytes(row[1]))
        everything.merge(a_kll)
        for q in QUANTILES:
            gap = a_kll.get_rank(b_kll.get_quantile(q)) - a_kll.get_rank(a_kll.get_quantile(q))
            worst = max(worst, abs(gap))
    print(f"durations by hour: worst quantile rank gap {worst:.5f} (bound {bound:.5f})")
    if worst > bound:
        problems.append(f"hourly duration quantiles differ by rank {worst} > {bound}")
    return problems, everything
    return problems


def comparable(summary):
    """The summary without input names and per-input order (piped splits are <stdin>)."""
    s = dict(summary)
    # The hash of the manifest a summary describes names its inputs, not the traffic.
    s.pop("manifest_xxh3", None)
    files = s.pop("files")
    s["files_lines"] = sorted(
        (f["lines_read"], f["lines_parsed"], f["lines_rejected"]) for f in files
    )
    # A piped split's samples say <stdin>:N, a file's name:N.
    s.pop("reject_samples")
    return s


def compare_summaries(expected, actual, split_inputs, durations):
    with open(expected) as f:
        a = comparable(json.load(f))
    with open(actual) as f:
        b = comparable(json.load(f))
    if split_inputs:
        # Spark cut the inputs into other pieces: totals agree, per-input lines do not.
        a.pop("files_lines")
        b.pop("files_lines")
    problems = []
    da, db = a.pop("durations"), b.pop("durations")
    if (da is None) != (db is None):
        problems.append(f"durations: {da!r} != {db!r}")
    elif da is not None:
        exact = ["count", "mean_ms", "max_ms", "rank_error"]
        problems += [f"durations {k}: {da[k]} != {db[k]}" for k in exact if da[k] != db[k]]
        # The quantiles come from merging the hour sketches (coin flips again): each
        # must sit where the other does among all durations, within 2 eps.
        bound = 2 * rank_error()
        for k in ["p50_ms", "p90_ms", "p99_ms"]:
            gap = abs(durations.get_rank(da[k]) - durations.get_rank(db[k]))
            if gap > bound:
                problems.append(f"durations {k}: {da[k]} vs {db[k]}, rank gap {gap} > {bound}")
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    print(f"summary: {len(a) + 1} fields compared, differing: {differ or 'none'}"
          f"{'; durations differ' if problems else ''}")
    return problems + [f"summary field {k}: {a.get(k)!r} != {b.get(k)!r}" for k in differ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--summaries", nargs=2, required=True)
    parser.add_argument("--split-inputs", action="store_true",
                        help="ACTUAL's inputs are Spark splits, not the files")
    args = parser.parse_args()
    spark = merge.session("headroom-compare")
    problems, durations = compare_tables(spark, args.expected, args.actual)
    problems += compare_summaries(*args.summaries, args.split_inputs, durations)
    for p in problems:
        print(f"DIFFERENT: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{args.actual} agrees with {args.expected}")


if __name__ == "__main__":
    main()
