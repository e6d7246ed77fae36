#!/usr/bin/env bash
# headroom backtest against statsforecast on one benchmark data set, one run: both tables
# printed one after the other with the same metrics (sMAPE, MASE, OWA against Naive2, interval
# coverage, MSIS, CPU seconds on one core).
#
# Usage: scripts/compare-statsforecast.sh [DATASET] [--full] [--prophet]
# DATASET is m4-hourly (the default; 414 series, horizon 48), m4-weekly (359, horizon 13),
# m3-monthly (1,428, horizon 18), tourism-monthly (366, horizon 24), daily-web (the shipped
# three Wikipedia series, data/forecast/daily-web) or daily=PATH, a long CSV of daily series
# with gaps whose last 90 days are held out (see scripts/statsforecast_bench.py
# for how each set is split and scored). The flags go to the Python side: --full adds
# statsforecast's AutoETS(24) on M4 Hourly (~200 CPU-s; the other sets always run it), and
# --prophet adds Prophet on a daily set.
#
# Installs statsforecast 2.1.1 into a virtual environment under target/ (needs PyPI), and
# Prophet 1.1.6 there too the first time --prophet is given; the test suite never needs them.
# Prophet 1.1.6 ships its own CmdStan without the makefile that cmdstanpy 1.3 insists on, so
# cmdstanpy is held at 1.2.5.
set -euo pipefail
cd "$(dirname "$0")/.."
set_name=m4-hourly
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
    set_name=$1
    shift
fi
models=naive2,snaive,theta,dotm,ets,mstl-ets,auto
data=data/forecast
case "$set_name" in
m4-hourly)
    flags=("$data/m4-hourly/Hourly-train.csv" --test "$data/m4-hourly/Hourly-test.csv"
        --horizon 48 --season 24 --level 95) ;;
m4-weekly)
    flags=("$data/m4-weekly/Weekly-train.csv" --test "$data/m4-weekly/Weekly-test.csv"
        --horizon 13 --season 52.18 --mase-season 1 --level 95) ;;
m3-monthly)
    flags=("$data/m3-monthly/M3-monthly.csv" --horizon 18 --season 12 --level 95) ;;
tourism-monthly)
    flags=("$data/tourism-monthly/tourism-monthly.csv" --horizon 24 --season 12 --level 95) ;;
daily-web)
    # The shipped set is a daily=PATH set with its path filled in (falls through).
    set_name=daily=$data/daily-web/daily-web.csv ;&
daily=*)
    flags=("${set_name#daily=}" --horizon 90 --season 7,365.24 --mase-season 7 --level 95) ;;
*)
    echo "unknown data set '$set_name' (m4-hourly, m4-weekly, m3-monthly, tourism-monthly, daily-web, daily=PATH)" >&2
    exit 2 ;;
esac
venv=target/statsforecast-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'statsforecast==2.1.1'
fi
for arg in "$@"; do
    if [ "$arg" = --prophet ] && ! "$venv/bin/python" -c 'import prophet' 2>/dev/null; then
        "$venv/bin/pip" install --quiet 'prophet==1.1.6' 'cmdstanpy==1.2.5'
    fi
done
cargo build --release --quiet
echo "== headroom backtest (release build, one thread)"
./target/release/headroom backtest "${flags[@]}" --models "$models"
echo
echo "== statsforecast 2.1.1 (n_jobs=1)"
"$venv/bin/python" scripts/statsforecast_bench.py "$set_name" "$@"
