"""Scores statsforecast models on M4 Hourly exactly as `headroom backtest` scores its own.

Usage: python statsforecast_m4.py DATA_DIR [--full]
DATA_DIR holds Hourly-train.csv and Hourly-test.csv (M4's wide format). Prints one row per
model: sMAPE, MASE, OWA (against Naive2 computed here the M4 way), 95% coverage, MSIS and
CPU seconds (time.process_time, one process). --full adds AutoETS(24), about 200 CPU-s.
"""
import csv
import sys
import time

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoETS, AutoTheta, SeasonalNaive

H, M, LEVEL = 48, 24, 95


def read_wide(path):
    rows = list(csv.reader(open(path)))[1:]
    return {r[0]: np.array([float(v) for v in r[1:] if v not in ("", "NA")]) for r in rows}


def smape(y, f):
    d = np.abs(y) + np.abs(f)
    t = np.where(d == 0, 0.0, np.abs(y - f) / np.where(d == 0, 1, d))
    return 200.0 * t.mean()


def scale(train):
    return np.abs(train[M:] - train[:-M]).mean()


def naive2(x):
    """M4's Naive2 (seasonality test, classical multiplicative decomposition)."""
    n = len(x)
    seasonal = False
    if n >= 3 * M:
        xm = x - x.mean()
        den = (xm * xm).sum()
        acf = np.array([(xm[: n - k] * xm[k:]).sum() / den for k in range(1, M + 1)])
        limit = 1.645 / np.sqrt(n) * np.sqrt(1 + 2 * (acf[: M - 1] ** 2).sum())
        seasonal = abs(acf[M - 1]) > limit
    if not seasonal:
        return np.repeat(x[-1], H)
    w = np.r_[0.5, np.ones(M - 1), 0.5] / M
    half = M // 2
    sums, counts = np.zeros(M), np.zeros(M)
    for t in range(half, n - half):
        sums[t % M] += x[t] / (w * x[t - half : t + half + 1]).sum()
        counts[t % M] += 1
    fig = sums / counts
    fig = fig / fig.mean()
    last = x[-1] / fig[(n - 1) % M]
    return np.array([last * fig[(n + h) % M] for h in range(H)])


def main():
    data = sys.argv[1]
    train = read_wide(f"{data}/Hourly-train.csv")
    test = read_wide(f"{data}/Hourly-test.csv")
    ids = list(train)
    df = pd.concat(
        pd.DataFrame({"unique_id": i, "ds": np.arange(len(train[i])), "y": train[i]}) for i in ids
    )
    models = {
        "SeasonalNaive(24)": SeasonalNaive(season_length=M),
        "AutoTheta(24)": AutoTheta(season_length=M),
        "MSTL(24,168)+AutoETS": MSTL(season_length=[24, 168], trend_forecaster=AutoETS(model="ZZN")),
    }
    if "--full" in sys.argv:
        models["AutoETS(24)"] = AutoETS(season_length=M)
    n2 = {i: naive2(train[i]) for i in ids}
    ref_s = np.mean([smape(test[i], n2[i]) for i in ids])
    ref_m = np.mean([np.abs(test[i] - n2[i]).mean() / scale(train[i]) for i in ids])
    print(f"{'model':<22} {'sMAPE':>8} {'MASE':>8} {'OWA':>7} {'CPU-s':>8} {'cover 95%':>10} {'MSIS':>8}")
    print(f"{'Naive2 (M4 code)':<22} {ref_s:>8.3f} {ref_m:>8.3f} {1.0:>7.3f}")
    for name, model in models.items():
        start = time.process_time()
        sf = StatsForecast(models=[model], freq=1, n_jobs=1)
        fc = sf.forecast(df=df, h=H, level=[LEVEL])
        cpu = time.process_time() - start
        col = [c for c in fc.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
        s_list, m_list, msis_list, inside, total = [], [], [], 0, 0
        for i in ids:
            part = fc[fc["unique_id"] == i]
            f = part[col].to_numpy()
            lo = part[f"{col}-lo-{LEVEL}"].to_numpy()
            hi = part[f"{col}-hi-{LEVEL}"].to_numpy()
            y, sc = test[i], scale(train[i])
            s_list.append(smape(y, f))
            m_list.append(np.abs(y - f).mean() / sc)
            a = 1 - LEVEL / 100
            msis_list.append(((hi - lo) + 2 / a * (lo - y) * (y < lo) + 2 / a * (y - hi) * (y > hi)).mean() / sc)
            inside += ((lo <= y) & (y <= hi)).sum()
            total += len(y)
        s, m = np.mean(s_list), np.mean(m_list)
        owa = 0.5 * (s / ref_s + m / ref_m)
        print(f"{name:<22} {s:>8.3f} {m:>8.3f} {owa:>7.3f} {cpu:>8.1f} {100 * inside / total:>9.1f}% {np.mean(msis_list):>8.3f}")


if __name__ == "__main__":
    main()
