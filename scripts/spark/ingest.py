"""Ingests raw access logs on Spark: headroom runs on every split through RDD.pipe, then
the partials are merged (merge.py) into a headroom dataset.

    spark-submit --py-files scripts/spark/merge.py scripts/spark/ingest.py \
        'LOGS...' --partials /shared/partials/2026-11 --out /shared/datasets/2026-11 \
        --headroom /opt/headroom/bin/headroom [--format combined]

LOGS are anything Spark's textFile reads (folders, globs; .gz, .bz2, .zst by name). Each
split (a whole compressed file, or a block of a plain one) is piped to
`headroom ingest --stdin-partials`, which writes its partial under --partials, named by
its content hash: rerunning writes the same files again, and the merge counts a row once.
--partials must be a folder every executor can write and the driver can read; --headroom
a binary present on every executor.

Spark splits lines at LF, CR and CRLF and decodes them as UTF-8 (invalid bytes become
U+FFFD); headroom reading the same files itself splits at LF only and keeps the bytes.
"""

import argparse
import json
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import merge  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="+", help="log files, folders or globs")
    parser.add_argument("--partials", required=True, help="shared folder for partials")
    parser.add_argument("--out", required=True, help="dataset folder to create")
    parser.add_argument("--headroom", default="headroom", help="the headroom binary")
    parser.add_argument("--format", default="auto", help="as `headroom ingest --format`")
    parser.add_argument("--splits", type=int, default=0,
                        help="pipe this many pieces (coalescing Spark's splits): fewer, "
                             "larger partials; 0 keeps one per split")
    args = parser.parse_args()

    spark = merge.session("headroom-ingest")
    # Executors unpickle merge.merge_frequent by module name.
    spark.sparkContext.addPyFile(merge.__file__)
    command = " ".join(
        shlex.quote(a)
        for a in [
            args.headroom,
            "ingest",
            "--stdin-partials",
            "--quiet",
            "--partials",
            os.path.abspath(args.partials) if "://" not in args.partials else args.partials,
            "--format",
            args.format,
        ]
    )
    splits = spark.sparkContext.textFile(",".join(args.logs))
    if args.splits:
        # Partials are about 1/1,800 of a log's bytes: one per 128 MB split makes many
        # small files, which Spark reads slower than a few large ones.
        splits = splits.coalesce(args.splits)
    reports = [json.loads(line) for line in splits.pipe(command, checkCode=True).collect()]
    read = sum(r["lines_read"] for r in reports)
    parsed = sum(r["lines_parsed"] for r in reports)
    rejected = sum(r["lines_rejected"] for r in reports)
    print(f"{splits.getNumPartitions()} splits piped through headroom: "
          f"{read} lines, {parsed} parsed, {rejected} rejected")
    inputs, dates = merge.merge(spark, [args.partials], args.out)
    print(f"merged {len(inputs)} partial inputs over {len(dates)} days into {args.out}")


if __name__ == "__main__":
    main()
