"""Scores statsforecast models on a benchmark data set the way `headroom backtest` scores its own.

Usage: python statsforecast_bench.py DATASET [--full] [--prophet] [--data PATH]

DATASET is one of:
  m4-hourly        M4 Hourly, wide Hourly-train.csv and Hourly-test.csv; horizon 48, seasons 24
                   and 168, MASE and Naive2 season 24.
  m4-weekly        M4 Weekly, wide Weekly-train.csv and Weekly-test.csv; horizon 13, season 52
                   for the models (statsforecast takes whole seasons only), MASE season 1 and
                   Naive2 without seasonal adjustment, as M4 scored weekly data.
  m3-monthly       M3 Monthly, long id,timestamp,value; the last 18 values of each series are
                   held out; season 12, MASE season 12.
  tourism-monthly  Tourism Monthly, long id,timestamp,value; the last 24 values held out;
                   season 12, MASE season 12.
  daily=PATH       a long CSV id,timestamp,value with dates YYYY-MM-DD and gaps. The test part of
                   a series is its rows dated within the last 90 days of its span; the training
                   part is every earlier row, put on a daily grid with missing days linearly
                   interpolated. Models forecast the 90 days after the training part and are
                   scored only on the dates the test part has. Seasons 7 and 365, MASE season 7,
                   Naive2 with season 7.
The first four read data/forecast/<name>/ in this repository unless --data names another
folder (M4) or file (M3, Tourism).

Models, each run by StatsForecast with n_jobs=1: SeasonalNaive, AutoETS and AutoTheta with the
set's main season, and MSTL with all of the set's seasons and AutoETS(model="ZZN") for the
trend. On M4 Hourly AutoETS(24) takes about 200 CPU-s, so there it runs only with --full; on
the other sets it always runs. With a daily set, --prophet also runs Prophet with its default
settings (yearly and weekly seasonality, no daily), fitted on each series' training rows by
their dates and forecast at its test rows' own dates.

Prints one row per model in the style of `headroom backtest`: sMAPE, MASE, OWA against Naive2
(computed here the M4 way), the coverage of the models' own 80% and 95% intervals, MSIS of the
95% interval and CPU seconds. sMAPE and MASE are averaged over series, and OWA is half the sum
of each one's ratio to Naive2's. MASE and MSIS are scaled by the mean |y_t - y_(t-m)| of the
training part; a series where that is zero (or that is not longer than m) is left out of them,
as headroom does. CPU seconds are this process's time (time.process_time) plus that of the
child processes it waited for, which counts the CmdStan optimiser Prophet runs; numpy's
thread pools are limited to one thread so the count is one core's work.
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import csv  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from statsforecast import StatsForecast  # noqa: E402
from statsforecast.models import MSTL, AutoETS, AutoTheta, SeasonalNaive  # noqa: E402

LEVELS = (80, 95)
MSIS_LEVEL = 95
REPO = Path(__file__).resolve().parent.parent


def cpu():
    """CPU seconds of this process and of the children it has waited for."""
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


# ---- reading --------------------------------------------------------------------------------


def read_wide(path):
    rows = list(csv.reader(open(path)))[1:]
    return {r[0]: np.array([float(v) for v in r[1:] if v not in ("", "NA")]) for r in rows}


def read_long(path):
    """Series of a long id,timestamp,value CSV in the order of their first rows, each as a list
    of (timestamp text, value) sorted by timestamp."""
    series = {}
    with open(path) as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            if row:
                series.setdefault(row[0], []).append((row[1], float(row[2])))
    return {i: sorted(rows) for i, rows in series.items()}


def holdout(i, train, test):
    """A series split for scoring: the models forecast len(test) steps after train and are
    scored at every one of them."""
    return {"id": i, "train": train, "test": test, "steps": np.arange(len(test))}


def load_m4(folder, name):
    train = read_wide(f"{folder}/{name}-train.csv")
    test = read_wide(f"{folder}/{name}-test.csv")
    return [holdout(i, train[i], test[i]) for i in train], "M4 train/test"


def load_last(path, h):
    out = []
    for i, rows in read_long(path).items():
        y = np.array([v for _, v in rows])
        if len(y) <= h:
            sys.exit(f"series '{i}' has {len(y)} values, not more than the horizon {h}")
        out.append(holdout(i, y[:-h], y[-h:]))
    return out, "last values held out"


def load_daily(path, window):
    """Test part: the rows dated within the last `window` days of each series' span. Training
    part: every earlier row on a daily grid, missing days linearly interpolated. Each test row's
    step is its distance in days from the training part's last day (1 = the next day)."""
    out = []
    for i, rows in read_long(path).items():
        dates = [date.fromisoformat(d) for d, _ in rows]
        values = np.array([v for _, v in rows])
        if len(set(dates)) != len(dates):
            sys.exit(f"series '{i}' has two rows on one date")
        cut = dates[-1] - timedelta(days=window - 1)
        n_train = sum(d < cut for d in dates)
        if n_train < 2:
            sys.exit(f"series '{i}' has fewer than 2 rows before its last {window} days")
        first, last = dates[0], dates[n_train - 1]
        day = np.array([(d - first).days for d in dates])
        grid = np.arange(day[n_train - 1] + 1)
        train = np.interp(grid, day[:n_train], values[:n_train])
        out.append(
            {
                "id": i,
                "train": train,
                "test": values[n_train:],
                "steps": np.array([(d - last).days - 1 for d in dates[n_train:]]),
                "train_dates": dates[:n_train],
                "train_values": values[:n_train],
                "test_dates": dates[n_train:],
            }
        )
    return out, f"test part: rows in each series' last {window} days, gaps not scored"


def dataset(spec, data, full):
    """The set's series and how it is scored."""
    def folder(name):
        return data or REPO / "data/forecast" / name

    if spec == "m4-hourly":
        series, split = load_m4(folder("m4-hourly"), "Hourly")
        return dict(series=series, split=split, h=48, seasons=[24, 168], m=24, naive2_m=24, ets=full)
    if spec == "m4-weekly":
        series, split = load_m4(folder("m4-weekly"), "Weekly")
        return dict(series=series, split=split, h=13, seasons=[52], m=1, naive2_m=1, ets=True)
    if spec == "m3-monthly":
        series, split = load_last(data or folder("m3-monthly") / "M3-monthly.csv", 18)
        return dict(series=series, split=split, h=18, seasons=[12], m=12, naive2_m=12, ets=True)
    if spec == "tourism-monthly":
        series, split = load_last(data or folder("tourism-monthly") / "tourism-monthly.csv", 24)
        return dict(series=series, split=split, h=24, seasons=[12], m=12, naive2_m=12, ets=True)
    if spec.startswith("daily="):
        series, split = load_daily(spec[len("daily="):], 90)
        return dict(series=series, split=split, h=90, seasons=[7, 365], m=7, naive2_m=7, ets=True)
    sys.exit(f"unknown data set '{spec}' (m4-hourly, m4-weekly, m3-monthly, tourism-monthly, daily=PATH)")


# ---- metrics and M4's Naive2 ----------------------------------------------------------------


def smape(y, f):
    d = np.abs(y) + np.abs(f)
    t = np.where(d == 0, 0.0, np.abs(y - f) / np.where(d == 0, 1, d))
    return 200.0 * t.mean()


def scale(train, m):
    """MASE's in-sample scale, None where it is undefined (as headroom's mase_scale)."""
    if len(train) <= m:
        return None
    s = np.abs(train[m:] - train[:-m]).mean()
    return s if s > 0 else None


def seasonal(x, m):
    """M4's seasonality test: |r_m| above the 90% limit, given three seasons of data."""
    n = len(x)
    if m <= 1 or n < 3 * m:
        return False
    xm = x - x.mean()
    den = (xm * xm).sum()
    if den == 0:
        return False
    acf = np.array([(xm[: n - k] * xm[k:]).sum() / den for k in range(1, m + 1)])
    limit = 1.645 / np.sqrt(n) * np.sqrt(1 + 2 * (acf[: m - 1] ** 2).sum())
    return abs(acf[m - 1]) > limit


def indices(x, m):
    """Seasonal indices of R's decompose(type = "multiplicative"): a centred moving average of
    order m as the trend (m + 1 weights with halves at the ends when m is even), the ratios to it
    averaged by position and normalised to mean 1. Ratios to a trend that is not positive are
    left out, and all ones come back when a position has none, as in headroom's baseline.rs."""
    n = len(x)
    w = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    half = len(w) // 2
    sums, counts = np.zeros(m), np.zeros(m)
    for t in range(half, n - half):
        trend = (w * x[t - half : t + half + 1]).sum()
        if trend > 0:
            sums[t % m] += x[t] / trend
            counts[t % m] += 1
    with np.errstate(divide="ignore", invalid="ignore"):
        fig = sums / counts
        fig = fig / fig.mean()
    return fig if np.all(np.isfinite(fig) & (fig > 0)) else np.ones(m)


def naive2(x, h, m):
    """M4's Naive2: naive on the seasonally adjusted series when the test finds season m."""
    n = len(x)
    if not seasonal(x, m):
        return np.repeat(x[-1], h)
    fig = indices(x, m)
    last = x[-1] / fig[(n - 1) % m]
    return np.array([last * fig[(n + k) % m] for k in range(h)])


# ---- models ---------------------------------------------------------------------------------


def run_statsforecast(model, series, horizon):
    """Point forecasts and intervals of one statsforecast model, horizon steps for every series."""
    df = pd.concat(
        pd.DataFrame({"unique_id": s["id"], "ds": np.arange(len(s["train"])), "y": s["train"]})
        for s in series
    )
    sf = StatsForecast(models=[model], freq=1, n_jobs=1)
    fc = sf.forecast(df=df, h=horizon, level=list(LEVELS))
    col = [c for c in fc.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
    parts = {i: g.sort_values("ds") for i, g in fc.groupby("unique_id", sort=False)}
    out = {}
    for s in series:
        part = parts[s["id"]]
        out[s["id"]] = {
            "point": part[col].to_numpy(),
            **{lv: (part[f"{col}-lo-{lv}"].to_numpy(), part[f"{col}-hi-{lv}"].to_numpy()) for lv in LEVELS},
        }
    return out


def run_prophet(series):
    """Prophet with its defaults, fitted on each series' training rows by date and forecast at
    its test rows' dates. Both intervals are the percentiles Prophet's predict() takes of its
    own posterior predictive samples (1000 draws), taken here once for both levels."""
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)  # "Importing plotly failed"
    from cmdstanpy.utils import get_logger
    from prophet import Prophet

    # cmdstanpy's logger is set to DEBUG when it gets its handler; its INFO lines, two for every
    # fit, are not wanted here.
    get_logger().setLevel(logging.WARNING)

    out = {}
    for s in series:
        np.random.seed(0)
        model = Prophet()
        model.fit(pd.DataFrame({"ds": pd.to_datetime(s["train_dates"]), "y": s["train_values"]}))
        future = pd.DataFrame({"ds": pd.to_datetime(s["test_dates"])})
        draws = model.predictive_samples(future)["yhat"]
        model.uncertainty_samples = 0
        point = model.predict(future)["yhat"].to_numpy()
        fc = {"point": point}
        for lv in LEVELS:
            lo = model.percentile(draws, 100 * (1 - lv / 100) / 2, axis=1)
            hi = model.percentile(draws, 100 * (1 + lv / 100) / 2, axis=1)
            fc[lv] = (lo, hi)
        out[s["id"]] = fc
    return out


# ---- scoring --------------------------------------------------------------------------------


def score(series, fc, m, at_steps=True):
    """Mean sMAPE, MASE and MAPE (defined series only), interval coverage and MSIS. With at_steps each
    forecast runs over the whole horizon and is read at the series' scored steps; otherwise it
    is already one value per test row (Prophet)."""
    s_list, m_list, msis_list, p_list = [], [], [], []
    inside = {lv: 0 for lv in LEVELS}
    total, nan_series = 0, 0
    for s in series:
        f = fc[s["id"]]
        pick = (lambda a: a[s["steps"]]) if at_steps else (lambda a: a)
        y, point = s["test"], pick(f["point"])
        if not np.all(np.isfinite(point)):
            nan_series += 1
        sc = scale(s["train"], m)
        s_list.append(smape(y, point))
        if len(y) and np.all(y != 0):
            p_list.append(100 * np.mean(np.abs(y - point) / np.abs(y)))
        if sc is not None:
            m_list.append(np.abs(y - point).mean() / sc)
        total += len(y)
        if LEVELS[0] in f:
            for lv in LEVELS:
                lo, hi = pick(f[lv][0]), pick(f[lv][1])
                inside[lv] += ((lo <= y) & (y <= hi)).sum()
            lo, hi = pick(f[MSIS_LEVEL][0]), pick(f[MSIS_LEVEL][1])
            a = 1 - MSIS_LEVEL / 100
            if sc is not None:
                msis_list.append(((hi - lo) + 2 / a * (lo - y) * (y < lo) + 2 / a * (y - hi) * (y > hi)).mean() / sc)
    cover = {lv: 100 * inside[lv] / total for lv in LEVELS} if LEVELS[0] in fc[series[0]["id"]] else None
    return {
        "smape": np.mean(s_list),
        "mase": np.mean(m_list),
        "mape": np.mean(p_list) if p_list else float("nan"),
        "cover": cover,
        "msis": np.mean(msis_list) if cover else None,
        "nan_series": nan_series,
    }


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = {a for a in argv if a.startswith("--") and a != "--data"}
    data = None
    if "--data" in argv:
        k = argv.index("--data")
        data = Path(argv[k + 1])
        args.remove(argv[k + 1])
    unknown = flags - {"--full", "--prophet"}
    if len(args) != 1 or unknown:
        sys.exit(__doc__)
    spec = args[0]
    full, prophet = "--full" in flags, "--prophet" in flags
    if prophet and not spec.startswith("daily="):
        sys.exit("--prophet is for daily=PATH sets only")
    ds = dataset(spec, data, full)
    series, h, seasons, m = ds["series"], ds["h"], ds["seasons"], ds["m"]
    horizon = max(int(s["steps"].max()) + 1 for s in series)
    main_season = seasons[0]
    shown = ",".join(str(p) for p in seasons)
    models = {f"SeasonalNaive({main_season})": SeasonalNaive(season_length=main_season)}
    if ds["ets"]:
        models[f"AutoETS({main_season})"] = AutoETS(season_length=main_season)
    models[f"AutoTheta({main_season})"] = AutoTheta(season_length=main_season)
    models[f"MSTL({shown})+AutoETS"] = MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"))

    print(
        f"{len(series)} series, horizon {h}, seasons {', '.join(str(p) for p in seasons)}, "
        f"MASE season {m}, Naive2 season {ds['naive2_m']} ({ds['split']})"
    )
    names = ["Naive2 (M4 code)", *models, *(["Prophet"] if prophet else [])]
    width = max(12, *(len(n) for n in names))
    cover_heads = "".join(f" {f'cover {lv}%':>10}" for lv in LEVELS)
    print(f"{'model':<{width}} {'sMAPE':>8} {'MASE':>8} {'OWA':>7} {'MAPE':>8}{cover_heads} {'MSIS':>8} {'CPU-s':>8}")

    start = cpu()
    n2 = {s["id"]: {"point": naive2(s["train"], horizon, ds["naive2_m"])} for s in series}
    ref = score(series, n2, m)
    ref["cpu"] = cpu() - start
    results = [("Naive2 (M4 code)", ref)]

    def row(name, r):
        owa = 0.5 * (r["smape"] / ref["smape"] + r["mase"] / ref["mase"])
        if r["cover"]:
            iv = "".join(f" {r['cover'][lv]:>9.1f}%" for lv in LEVELS) + f" {r['msis']:>8.3f}"
        else:
            iv = " " * (11 * len(LEVELS) + 9)
        print(f"{name:<{width}} {r['smape']:>8.3f} {r['mase']:>8.3f} {owa:>7.3f} {r['mape']:>8.3f}{iv} {r['cpu']:>8.3f}", flush=True)

    row(*results[0])
    for name, model in models.items():
        start = cpu()
        fc = run_statsforecast(model, series, horizon)
        elapsed = cpu() - start
        r = score(series, fc, m)
        r["cpu"] = elapsed
        results.append((name, r))
        row(name, r)
    if prophet:
        start = cpu()
        fc = run_prophet(series)
        elapsed = cpu() - start
        r = score(series, fc, m, at_steps=False)
        r["cpu"] = elapsed
        results.append(("Prophet", r))
        row("Prophet", r)
    undefined = sum(scale(s["train"], m) is None for s in series)
    if undefined:
        print(f"  {undefined} series left out of MASE and MSIS: their training part never changes at lag {m}")
    for name, r in results:
        if r["nan_series"]:
            print(f"  {name}: {r['nan_series']} series with forecasts that are not finite numbers")


if __name__ == "__main__":
    main(sys.argv[1:])
