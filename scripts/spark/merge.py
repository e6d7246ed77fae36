"""Merges headroom partial rollups into a headroom dataset with Spark SQL.

    spark-submit scripts/spark/merge.py PARTIALS... --out DATASET

PARTIALS are folders written by `headroom ingest --partials` (hive-partitioned by
date=YYYY-MM-DD) or single partial files (`--stdin-partials` to stdout). The result is a
dataset that `headroom summary`, `forecast`, `plan` and `report` read like one written by
`headroom ingest`: minute counters summed, hour sketches merged with `hll_union_agg` and
`kll_merge_agg_double` (Spark 4.1+), day heavy hitters merged with the Apache DataSketches
Python package (Spark has no frequent-items aggregate), and manifest.json. summary.json is
computed by headroom the first time it reads the dataset.

A row seen twice (the same source, grain and time: partials written twice) counts once.
Needs `pip install pyspark>=4.1 datasketches` on the driver and the executors.
"""

import argparse
import json
import os
import sys

from pyspark.sql import SparkSession, functions as F, types as T

COUNTERS = [
    "requests",
    "bytes",
    "status_1xx",
    "status_2xx",
    "status_3xx",
    "status_4xx",
    "status_5xx",
    "pages",
    "static_assets",
    "bots",
    "duration_count",
    "duration_sum_us",
    "duration_max_us",
]

# The partial table as headroom writes it (crates/headroom-traffic/src/partial.rs), with
# the hive partition column declared rather than inferred: `date` is a DATE, and is null
# in date=__HIVE_DEFAULT_PARTITION__ (inputs with no parsed line) and in single files.
PARTIAL_SCHEMA = T.StructType(
    [
        T.StructField("source", T.StringType()),
        T.StructField("grain", T.StringType()),
        T.StructField("time", T.TimestampType()),
        *[T.StructField(c, T.LongType()) for c in COUNTERS],
        T.StructField("visitors_hll", T.BinaryType()),
        T.StructField("hosts_hll", T.BinaryType()),
        T.StructField("durations_ms_kll", T.BinaryType()),
        T.StructField("paths_frequent", T.BinaryType()),
        T.StructField("user_agents_frequent", T.BinaryType()),
        T.StructField("input", T.StringType()),
        T.StructField("date", T.DateType()),
    ]
)

TABLES = ["minutes", "hours", "days"]
GENERATION = 1


def session(app):
    # Local runs: Python workers use this interpreter (the one with datasketches).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.appName(app)
        # Minutes, hours and days are UTC, as in every headroom dataset.
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS")
        .getOrCreate()
    )


class Fs:
    """The Hadoop file system of a path (local, HDFS, S3A…), through Spark's JVM."""

    def __init__(self, spark, root):
        self.jvm = spark.sparkContext._jvm
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        self.fs = self.path(root).getFileSystem(conf)

    def path(self, p):
        return self.jvm.org.apache.hadoop.fs.Path(p)

    def exists(self, p):
        return self.fs.exists(self.path(p))

    def listdir(self, p):
        return [s.getPath() for s in self.fs.listStatus(self.path(p))]

    def write_text(self, p, text):
        # Written aside and renamed, as headroom commits its manifest.
        tmp = p + ".tmp"
        out = self.fs.create(self.path(tmp), True)
        out.write(bytearray(text.encode("utf-8")))
        out.close()
        self.fs.rename(self.path(tmp), self.path(p))


def merge_frequent(a, b):
    """Merges two serialised frequent-strings sketches."""
    from datasketches import frequent_strings_sketch

    left = frequent_strings_sketch.deserialize(bytes(a))
    left.merge(frequent_strings_sketch.deserialize(bytes(b)))
    return bytearray(left.serialize())


def merge(spark, partials, out):
    fs = Fs(spark, out)
    if fs.exists(out) and fs.listdir(out):
        sys.exit(f"{out}: exists and is not empty; merge into a new folder "
                 "(`headroom merge` adds to an existing dataset)")
    rows = (
        spark.read.schema(PARTIAL_SCHEMA)
        .parquet(*partials)
        .dropDuplicates(["source", "grain", "time"])
    )
    rows.cache()
    tmp = out + "/_spark"

    minutes = (
        rows.where("grain = 'minute'")
        .groupBy(F.col("time").alias("minute"))
        .agg(
            *[F.sum(c).alias(c) for c in COUNTERS if c != "duration_max_us"],
            F.max("duration_max_us").alias("duration_max_us"),
        )
        .select("minute", *COUNTERS)
    )
    hours = (
        rows.where("grain = 'hour'")
        .groupBy(F.col("time").alias("hour"))
        .agg(
            F.expr("hll_union_agg(visitors_hll)").alias("visitors_hll"),
            F.expr("hll_union_agg(hosts_hll)").alias("hosts_hll"),
            F.expr("kll_merge_agg_double(durations_ms_kll)").alias("durations_ms_kll"),
        )
    )
    merged_days = (
        rows.where("grain = 'day'")
        .select("time", "paths_frequent", "user_agents_frequent")
        .rdd.map(lambda r: (r[0], (r[1], r[2])))
        .reduceByKey(lambda a, b: (merge_frequent(a[0], b[0]), merge_frequent(a[1], b[1])))
        .map(lambda kv: (kv[0], kv[1][0], kv[1][1]))
    )
    day_schema = T.StructType(
        [
            T.StructField("day", T.TimestampType()),
            T.StructField("paths_frequent", T.BinaryType()),
            T.StructField("user_agents_frequent", T.BinaryType()),
        ]
    )
    days = spark.createDataFrame(merged_days, day_schema)

    dates = set()
    for table, df, key in [("minutes", minutes, "minute"), ("hours", hours, "hour"), ("days", days, "day")]:
        (
            df.withColumn("date", F.to_date(key))
            # One file per day, rows in time order, as headroom writes them.
            .repartition("date")
            .sortWithinPartitions(key)
            .write.partitionBy("date")
            .parquet(f"{tmp}/{table}")
        )
        for part in fs.listdir(f"{tmp}/{table}"):
            name = part.getName()
            if not name.startswith("date="):
                continue
            files = [f for f in fs.listdir(part.toString()) if f.getName().endswith(".parquet")]
            if len(files) != 1:
                sys.exit(f"{part}: expected one Parquet file, found {len(files)}")
            dest = f"{out}/{table}/{name}"
            fs.fs.mkdirs(fs.path(dest))
            fs.fs.rename(files[0], fs.path(f"{dest}/g{GENERATION:06d}.parquet"))
            dates.add(name[len("date="):])

    inputs = [
        json.loads(r["input"])
        for r in rows.where("grain = 'input'").dropDuplicates(["source"]).select("input").collect()
    ]
    inputs.sort(key=lambda e: (e["input"], e["xxh3_128"]))
    manifest = {"inputs": inputs, "partitions": {d: GENERATION for d in sorted(dates)}}
    # The manifest is the commit: written last, and by rename.
    fs.fs.delete(fs.path(tmp), True)
    fs.write_text(f"{out}/manifest.json", json.dumps(manifest, indent=2))
    rows.unpersist()
    return inputs, sorted(dates)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("partials", nargs="+", help="partial folders or files")
    parser.add_argument("--out", required=True, help="dataset folder to create")
    args = parser.parse_args()
    spark = session("headroom-merge")
    inputs, dates = merge(spark, args.partials, args.out)
    lines = sum(e["lines_read"] for e in inputs)
    print(f"merged {len(inputs)} inputs ({lines} lines) over {len(dates)} days into {args.out}")


if __name__ == "__main__":
    main()
