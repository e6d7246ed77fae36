#!/usr/bin/env bash
# headroom backtest against statsforecast on M4 Hourly (414 series, horizon 48), one run,
# both tables printed one after the other with the same metrics (sMAPE, MASE, OWA against
# Naive2, 95% coverage, MSIS, CPU seconds on one core).
#
# Installs statsforecast 2.1.1 into a virtual environment under target/ (needs PyPI);
# the test suite never needs it. Pass --full to add statsforecast's AutoETS(24) (~200 CPU-s).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/statsforecast-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'statsforecast==2.1.1'
fi
cargo build --release --quiet
data=data/forecast/m4-hourly
echo "== headroom backtest (release build, one thread)"
./target/release/headroom backtest "$data/Hourly-train.csv" --test "$data/Hourly-test.csv" \
    --horizon 48 --season 24 --level 95
echo
echo "== statsforecast 2.1.1 (n_jobs=1)"
"$venv/bin/python" scripts/statsforecast_m4.py "$data" "$@"
