#!/usr/bin/env bash
# Shows that Spark merges headroom's partials into the dataset one machine builds: the
# bundled logs, split into several files, are ingested by `headroom ingest` into one
# dataset, and also (1) as partials merged by scripts/spark/merge.py, written twice over
# to prove a rerun never double counts, (2) piped through headroom by Spark's RDD.pipe
# (scripts/spark/ingest.py), (2b) as one partial per file on stdout, kept flat, merged by
# merge.py, and (3) as partials merged by `headroom merge`. compare.py
# then checks each against the single-machine dataset: every counter exactly, distinct
# counts exactly, duration quantiles within the KLL rank error. CI runs it after the tests.
#
# Needs Java 17 and python3 with venv and pip (PyPI reachable the first time): pyspark
# (which brings Spark's jars) and the DataSketches Python package go into
# target/spark-venv, pinned.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venv=target/spark-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pyspark, datasketches' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check pyspark==4.1.4 datasketches==5.2.0
fi
py="$root/$venv/bin/python"
# The binary as the tests build it (see check-notebooks.sh).
cargo test --workspace --no-run --quiet
headroom="$root/target/debug/headroom"
# Two local cores, few shuffle partitions: the data is small, and 200 tasks per stage
# would spend the time scheduling.
export PYSPARK_SUBMIT_ARGS="--master local[2] --conf spark.sql.shuffle.partitions=4 --conf spark.ui.showConsoleProgress=false pyspark-shell"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spark_log="$work/spark.log"
# Spark's own logging goes to a file, shown only when a step fails.
spark() {
    if ! "$py" "$@" 2>>"$spark_log"; then
        tail -n 60 "$spark_log" >&2
        echo "spark step failed: $*" >&2
        exit 1
    fi
}

netnea='%h %{GEOIP_COUNTRY_CODE}e %u [%{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %v %A %p %R %{BALANCER_WORKER_ROUTE}e %X "%{cookie}n" %{UNIQUE_ID}e %{SSL_PROTOCOL}x %{SSL_CIPHER}x %I %O %{ratio}n%% %D %{ModSecTimeIn}e %{ApplicationTime}e %{ModSecTimeOut}e %{ModSecAnomalyScoreIn}e %{ModSecAnomalyScoreOut}e'

check() {
    local name=$1 log=$2 parts=$3 format=$4 pieces=$5
    local dir="$work/$name"
    mkdir -p "$dir/logs"
    split -n "l/$parts" -d --additional-suffix=.log "$root/$log" "$dir/logs/part"
    # One split compressed: both paths read gzip (headroom by content, Spark by name).
    gzip "$dir/logs/part01.log"
    "$headroom" ingest --quiet --format "$format" "$dir/logs" --out "$dir/single" >/dev/null 2>&1
    "$headroom" summary --json "$dir/single" >"$dir/single.json"

    # (1) Partials, then Spark SQL. The first file is written a second time, in a batch
    # of its own: its rows appear twice and must count once.
    "$headroom" ingest --quiet --format "$format" "$dir/logs" --partials "$dir/parts" >/dev/null 2>&1
    "$headroom" ingest --quiet --format "$format" "$dir/logs/part00.log" --partials "$dir/parts" >/dev/null 2>&1
    spark "$root/scripts/spark/merge.py" "$dir/parts" --out "$dir/spark-merged"
    "$headroom" summary --json "$dir/spark-merged" >"$dir/spark-merged.json"
    spark "$root/scripts/spark/compare.py" "$dir/single" "$dir/spark-merged" \
        --summaries "$dir/single.json" "$dir/spark-merged.json"

    # (2) Spark reads the logs and pipes each split through headroom.
    spark "$root/scripts/spark/ingest.py" "$dir/logs" --partials "$dir/piped-parts" \
        --out "$dir/spark-piped" --headroom "$headroom" --format "$format" --splits "$pieces"
    "$headroom" summary --json "$dir/spark-piped" >"$dir/spark-piped.json"
    spark "$root/scripts/spark/compare.py" "$dir/single" "$dir/spark-piped" \
        --summaries "$dir/single.json" "$dir/spark-piped.json" --split-inputs

    # (2b) A batch runner's way: each file on stdin, its partial on stdout, kept flat.
    mkdir -p "$dir/flat"
    for f in "$dir"/logs/*; do
        zcat -f "$f" | "$headroom" ingest --stdin-partials --quiet --format "$format" \
            --source "$(basename "$f")" >"$dir/flat/$(basename "$f").parquet"
    done
    spark "$root/scripts/spark/merge.py" "$dir/flat" --out "$dir/spark-flat"
    "$headroom" summary --json "$dir/spark-flat" >"$dir/spark-flat.json"
    spark "$root/scripts/spark/compare.py" "$dir/single" "$dir/spark-flat" \
        --summaries "$dir/single.json" "$dir/spark-flat.json" --split-inputs

    # (3) The same partials merged on one machine.
    "$headroom" merge "$dir/parts" --out "$dir/local-merged" >/dev/null 2>&1
    "$headroom" summary --json "$dir/local-merged" >"$dir/local-merged.json"
    spark "$root/scripts/spark/compare.py" "$dir/single" "$dir/local-merged" \
        --summaries "$dir/single.json" "$dir/local-merged.json"
    echo "$name: Spark merge, Spark pipe and headroom merge all agree with one ingest"
}

start=$SECONDS
# name, log, files to split it into, format, pieces Spark pipes (0: one per split)
check elastic data/logs/elastic_apache_logs.log 4 combined 0
check netnea data/logs/netnea_labor07_apache_extended_isotime_10000.log 3 "$netnea" 2
echo "spark check done in $((SECONDS - start)) s"
