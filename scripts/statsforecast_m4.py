"""Scores statsforecast models on M4 Hourly exactly as `headroom backtest` scores its own.

Usage: python statsforecast_m4.py DATA_DIR [--full]
DATA_DIR holds Hourly-train.csv and Hourly-test.csv (M4's wide format). This is the M4 Hourly
case of statsforecast_bench.py, kept for the old command line: it runs
`statsforecast_bench.py m4-hourly --data DATA_DIR`, which prints one row per model with sMAPE,
MASE, OWA against Naive2, the coverage of 80% and 95% intervals, MSIS and CPU seconds.
--full adds AutoETS(24), about 200 CPU-s.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from statsforecast_bench import main  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1].startswith("--"):
        sys.exit(__doc__)
    main(["m4-hourly", "--data", sys.argv[1], *sys.argv[2:]])
