"""Label efficiency for regression: every regression strategy against random.

Simulated active learning (:func:`skactive.compare`) on real regression data
sets that load offline and on Friedman's three synthetic functions, each
strategy against random sampling over the same seeds (repeat ``i`` of every
strategy shares its test split and initial set). For every run it records
the learning curve (test RMSE, MAE and R² against the number of labels) and
reports, mean and standard deviation over the seeds:

- the paired **gain in area under the RMSE curve** over random sampling, in
  percent of random's area: ``100 * (area(random) - area(strategy)) /
  area(random)``, positive when the strategy's RMSE is lower on average
  over the budget (skactive's ``active_gain`` in RMSE is the same
  difference, in the target's units);
- the **labels to reach 1.1 x the full-data RMSE** (the same model fitted
  on the whole pool of that repeat, scored on the same test split);
- the final RMSE.

Data (``load``): scikit-learn's diabetes; seven sets of the ISLP package
(the data of *An Introduction to Statistical Learning*, shipped as CSV files
inside the package: ``pip install --no-deps ISLP==0.4.0``, skipped with a
message when it is missing): Auto (mpg), Bikeshare (hourly bikers, a random
3,000 of the 8,645 hours, seed 0; the casual and registered counts, whose
sum is the target, dropped), Carseats (Sales), College (Apps), Credit
(Balance), Hitters (Salary, the 263 players with one) and Wage (wage,
without logwage); categorical columns one-hot encoded. Friedman #1, #2 and
#3 (scikit-learn's generators, 1,000 samples, the noise of Friedman, 1991:
1, 125 and 0.1), a supplement. Nothing is downloaded.

Protocol: 5 seeds; 25% of each set held out per repeat (uniformly: no
classes to stratify); 10 initial labels drawn uniformly at random, then
batches of 10 up to a budget of 100 more. Three panels, one model each, the
same model for every strategy of a panel:

- ``linear``: ``make_pipeline(StandardScaler(), BayesianRidge())`` (its
  predictive std serves MaxStd, its pipeline's scaled features serve the
  distances of the greedy strategies and core-set, and EMCM's linear-model
  derivation is exact for it); query by committee (``qbc``) is MaxStd over
  a ``CommitteeRegressor`` of 5 bagged copies of it, whose fair baseline is
  ``random_committee`` (random sampling with the committee as the model);
- ``gp``: a Gaussian process on scaled features, ``ConstantKernel() *
  RBF() + WhiteKernel()`` with its hyperparameters fitted at every round
  (``normalize_y=True``): MaxStd is its posterior std;
- ``forest``: a random forest of 50 trees (``min_samples_leaf=2``): query
  by committee is MaxStd over its trees. The features are standardised
  upfront with the statistics of the whole set (in pool-based active
  learning the features of the pool are known), so that the greedy
  strategies' distances are those of the other panels.

BLAS/OpenMP use one thread in each process (set before NumPy is imported);
the runs of a comparison are spread over ``--n-jobs`` processes. Results do
not depend on ``--n-jobs``.

Writes ``benchmarks/results/regression.json`` (``_quick`` with ``--quick``)
and a Markdown table next to it (``regression.md``), and the learning curves
to ``docs/_static/benchmarks/regression.png`` (with ``--quick`` the table and
figure go to ``benchmarks/results/quick/``, which git ignores).

Usage::

    python benchmarks/bench_regression.py            # full (~10 min, 2 cores)
    python benchmarks/bench_regression.py --quick    # < 1 minute
    python benchmarks/bench_regression.py --report   # table and figure again
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # inherited by the joblib worker processes

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _common import RESULTS, environment, write_json  # noqa: E402
from bench_label_efficiency import (  # noqa: E402
    FIGURES,
    QUICK,
    _plt,
    clean,
    fmt_reach,
    have,
    run_compare,
    stats,
)
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_diabetes,
    make_friedman1,
    make_friedman2,
    make_friedman3,
)
from sklearn.ensemble import RandomForestRegressor  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.gaussian_process import GaussianProcessRegressor  # noqa: E402
from sklearn.gaussian_process.kernels import (  # noqa: E402
    RBF,
    ConstantKernel,
    WhiteKernel,
)
from sklearn.linear_model import BayesianRidge  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import skactive as sa  # noqa: E402
from skactive.metrics import labels_to_reach  # noqa: E402

TARGET_FACTOR = 1.1  # labels to reach RMSE <= 1.1 x the full-data RMSE
INITIAL = 10
BATCH = 10
BUDGET = 100
N_REPEATS = 5

# name -> (csv file in ISLP/data, target column, dropped columns)
ISLP_SETS = {
    "auto": ("Auto", "mpg", ["name"]),
    "bikeshare": ("Bikeshare", "bikers", ["casual", "registered", "day"]),
    "carseats": ("Carseats", "Sales", []),
    "college": ("College", "Apps", []),
    "credit": ("Credit", "Balance", ["ID"]),
    "hitters": ("Hitters", "Salary", []),
    "wage": ("Wage", "wage", ["logwage"]),
}
# Columns of numbers that name categories.
CATEGORICAL = {"auto": ["origin"], "bikeshare": ["season", "weekday"]}
MAX_ROWS = {"bikeshare": 3000}
FRIEDMAN = {
    "friedman1": (make_friedman1, 1.0),
    "friedman2": (make_friedman2, 125.0),
    "friedman3": (make_friedman3, 0.1),
}
DATASETS = ["diabetes", *ISLP_SETS, *FRIEDMAN]
QUICK_DATASETS = ["diabetes", "friedman1"]

PANELS = {
    "linear": [
        "random",
        "max_std",
        "emcm",
        "gsx",
        "gsy",
        "igs",
        "coreset",
        "random_committee",
        "qbc",
    ],
    "gp": ["random", "max_std", "emcm", "gsx", "gsy", "igs"],
    "forest": ["random", "qbc", "gsx", "gsy", "igs"],
}
QUICK_PANELS = {"linear": ["random", "max_std", "igs"], "gp": ["random", "max_std"]}
PLOTTED = ["random", "max_std", "emcm", "gsx", "igs", "qbc"]
PANEL_MODELS = {
    "linear": "make_pipeline(StandardScaler(), BayesianRidge())",
    "gp": "make_pipeline(StandardScaler(), GaussianProcessRegressor("
    "ConstantKernel() * RBF() + WhiteKernel(), normalize_y=True))",
    "forest": "RandomForestRegressor(n_estimators=50, min_samples_leaf=2) on "
    "standardised features",
}


# ---------------------------------------------------------------- data sets
def _islp_path():
    spec = importlib.util.find_spec("ISLP")  # does not import the package
    return Path(spec.origin).parent / "data"


def load(name: str):
    """``(X, y, info)`` of a data set, categorical columns one-hot encoded."""
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        info = {"source": "scikit-learn", "target": "disease progression"}
    elif name in FRIEDMAN:
        make, noise = FRIEDMAN[name]
        X, y = make(n_samples=1000, noise=noise, random_state=0)
        info = {"source": "scikit-learn generator", "noise": noise}
    else:
        import pandas as pd

        file, target, dropped = ISLP_SETS[name]
        frame = pd.read_csv(_islp_path() / f"{file}.csv").drop(columns=dropped)
        frame = frame.dropna(subset=[target]).reset_index(drop=True)
        n_total = len(frame)
        if name in MAX_ROWS and n_total > MAX_ROWS[name]:
            keep = np.random.default_rng(0).choice(n_total, MAX_ROWS[name], False)
            frame = frame.iloc[np.sort(keep)].reset_index(drop=True)
        y = frame.pop(target).to_numpy(dtype=np.float64)
        for column in CATEGORICAL.get(name, []):
            frame[column] = frame[column].astype(str)
        X = pd.get_dummies(frame, drop_first=True, dtype=float).to_numpy(np.float64)
        info = {"source": "ISLP 0.4.0", "target": target, "n_total": n_total}
    info.update(n_used=int(y.shape[0]), n_features=int(X.shape[1]))
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64), info


def available(names):
    if have("ISLP"):
        return names
    missing = [n for n in names if n in ISLP_SETS]
    if missing:
        print(
            f"ISLP is not installed: skipping {', '.join(missing)} "
            "(pip install --no-deps -r benchmarks/requirements.txt)"
        )
    return [n for n in names if n not in ISLP_SETS]


# --------------------------------------------------------------- strategies
def base_model(panel: str = "linear"):
    """The model every strategy of a panel wraps (a fresh, unfitted one)."""
    if panel == "gp":
        kernel = ConstantKernel() * RBF() + WhiteKernel()
        return make_pipeline(
            StandardScaler(),
            GaussianProcessRegressor(kernel, normalize_y=True, random_state=0),
        )
    if panel == "forest":
        return RandomForestRegressor(
            n_estimators=50, min_samples_leaf=2, random_state=0
        )
    return make_pipeline(StandardScaler(), BayesianRidge())


def strategies(panel: str, names) -> dict:
    model = base_model(panel)
    every = {
        "random": sa.RandomSampling(model),
        "max_std": sa.MaxStdSampling(model),
        "emcm": sa.ExpectedModelChange(model),
        "gsx": sa.GreedySamplingX(model),
        "gsy": sa.GreedySamplingY(model),
        "igs": sa.ImprovedGreedySampling(model),
        "coreset": sa.CoreSet(model),
    }
    if panel == "linear":
        committee = sa.CommitteeRegressor(
            estimator=base_model(), n_members=5, random_state=0
        )
        every["random_committee"] = sa.RandomSampling(committee)
        every["qbc"] = sa.MaxStdSampling(committee)
    elif panel == "forest":
        every["qbc"] = sa.MaxStdSampling(model)  # the std over the trees
    return {name: every[name] for name in names}


# ---------------------------------------------------------------- analysis
def full_data_rmse(panel, X, y, result) -> np.ndarray:
    """RMSE of the panel's model fitted on each repeat's whole pool."""
    n = y.shape[0]
    out = []
    for run in next(iter(result.results.values())):
        test = run.test_indices
        pool = np.setdiff1d(np.arange(n), test)
        fitted = clone(base_model(panel)).fit(X[pool], y[pool])
        out.append(float(np.sqrt(np.mean((fitted.predict(X[test]) - y[test]) ** 2))))
    return np.array(out)


def baseline_of(name: str, areas: dict) -> str:
    """``random_committee`` for the committee's strategies of the linear
    panel, else ``random``."""
    if name == "qbc" and "random_committee" in areas:
        return "random_committee"
    return "random"


def summarise(result, targets) -> dict:
    """Per strategy: RMSE area, relative gain over its baseline, labels to
    reach the target RMSE, final RMSE and R², mean curve."""
    areas = result.area_under_curve("rmse")
    grid, curves = result.curves("rmse")
    out = {}
    for name, runs in result.results.items():
        base = areas[baseline_of(name, areas)]
        reach = [
            labels_to_reach(r.n_labels, r.scores("rmse"), t, greater_is_better=False)
            for r, t in zip(runs, targets, strict=True)
        ]
        out[name] = {
            "baseline": baseline_of(name, areas),
            "area_rmse": stats(areas[name]),
            # positive: a lower RMSE than the baseline over the budget
            "gain_pct": stats(100.0 * (base - areas[name]) / base),
            "gain_over_random_pct": stats(
                100.0 * (areas["random"] - areas[name]) / areas["random"]
            ),
            "labels_to_reach": stats(reach),
            "final_rmse": stats([r.scores("rmse")[-1] for r in runs]),
            "final_r2": stats([r.scores("r2")[-1] for r in runs]),
            "final_n_labels": int(runs[0].n_labels[-1]),
            "curve": {
                "n_labels": grid.tolist(),
                "mean": np.nanmean(curves[name], axis=0).tolist(),
                "std": np.nanstd(curves[name], axis=0).tolist(),
            },
        }
    return out


def run(panel, datasets, names, n_repeats, budget, n_jobs) -> dict:
    out = {}
    for name in datasets:
        X, y, info = load(name)
        if panel == "forest":  # the pool's features are known: scale them
            X = StandardScaler().fit_transform(X)
        params = {"initial_size": INITIAL, "batch_size": BATCH, "budget": budget}
        result, seconds = run_compare(
            strategies(panel, names),
            X,
            y,
            n_repeats=n_repeats,
            n_jobs=n_jobs,
            random_state=0,
            **params,
        )
        full = full_data_rmse(panel, X, y, result)
        summary = summarise(result, TARGET_FACTOR * full)
        out[name] = {
            "data": info,
            "params": params,
            "seeds": result.seeds.tolist(),
            "full_data_rmse": stats(full),
            "target_rmse": stats(TARGET_FACTOR * full),
            "strategies": summary,
            "seconds": seconds,
        }
        print_table(f"{panel}, {name}", out[name])
    return out


# ------------------------------------------------------------------ output
def _pm(s: dict, digits: int = 1) -> str:
    if s["mean"] is None:
        return "n/a"
    return f"{s['mean']:+.{digits}f} ± {s['std']:.{digits}f}"


def print_table(name: str, entry: dict) -> None:
    info = entry["data"]
    print(
        f"\n== {name}: {info['n_used']:,} samples, {info['n_features']} features, "
        f"full-data RMSE {entry['full_data_rmse']['mean']:.4g}, "
        f"{entry['seconds']:.0f} s"
    )
    print(
        f"{'strategy':>17}  {'area RMSE':>10}  {'gain % (paired)':>16}  "
        f"{'labels to 1.1x':>15}  {'final RMSE':>11}"
    )
    for strategy, s in entry["strategies"].items():
        print(
            f"{strategy:>17}  {s['area_rmse']['mean']:>10.4g}  "
            f"{_pm(s['gain_pct']):>16}  "
            f"{fmt_reach(s['labels_to_reach'], s['final_n_labels']):>15}  "
            f"{s['final_rmse']['mean']:>11.4g}",
            flush=True,
        )


def markdown(payload: dict) -> str:
    return "\n".join(
        panel_markdown(panel, entries) for panel, entries in payload["panels"].items()
    )


def panel_markdown(panel: str, datasets: dict) -> str:
    sets = list(datasets)
    names = list(next(iter(datasets.values()))["strategies"])
    committee = " (`qbc` against `random_committee`)" if panel == "linear" else ""
    lines = [
        f"#### {panel}: `{PANEL_MODELS[panel]}`",
        "",
        "**Gain in area under the RMSE curve over random sampling** (% of "
        "random's area, paired by seed, mean ± std; positive is better)"
        f"{committee}:",
        "",
        "| strategy | " + " | ".join(sets) + " | sets won |",
        "|---|" + "---:|" * len(sets) + "---:|",
    ]
    for name in names:
        if name in ("random",):
            continue
        cells, won = [], 0
        for d in sets:
            s = datasets[d]["strategies"][name]["gain_pct"]
            cells.append(_pm(s))
            won += s["mean"] is not None and s["mean"] > 0
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {won}/{len(sets)} |")
    lines += [
        "",
        "**Labels to reach 1.1 x the full-data RMSE** (the 10 initial "
        "labels included; `> 110`: no seed reached it within the budget):",
        "",
        "| strategy | " + " | ".join(sets) + " |",
        "|---|" + "---:|" * len(sets),
    ]
    for name in names:
        cells = []
        for d in sets:
            s = datasets[d]["strategies"][name]
            cells.append(fmt_reach(s["labels_to_reach"], s["final_n_labels"]))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| data set | samples | features | full-data RMSE | random's final RMSE |",
        "|---|---:|---:|---:|---:|",
    ]
    for d, entry in datasets.items():
        info = entry["data"]
        final = entry["strategies"]["random"]["final_rmse"]["mean"]
        lines.append(
            f"| {d} | {info['n_used']:,} | {info['n_features']} | "
            f"{entry['full_data_rmse']['mean']:.4g} | {final:.4g} |"
        )
    return "\n".join(lines) + "\n"


def figure(panel: str, datasets: dict, path: Path) -> Path:
    plt = _plt()
    sets = list(datasets)
    cols = min(4, len(sets))
    rows = -(-len(sets) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.1 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), sets):
        entry = datasets[name]
        for strategy in PLOTTED:
            s = entry["strategies"].get(strategy)
            if s is None:
                continue
            x = np.asarray(s["curve"]["n_labels"], dtype=float)
            mean = np.asarray(s["curve"]["mean"], dtype=float)
            style = {"color": "black", "lw": 2} if strategy == "random" else {"lw": 1.2}
            ax.plot(x, mean, label=strategy, **style)
        ax.axhline(
            entry["full_data_rmse"]["mean"], color="grey", ls=":", lw=1, label="all"
        )
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("labels", fontsize=8)
        ax.set_ylabel("test RMSE", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(sets) :]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=7, loc="upper right")
    fig.suptitle(
        f"{panel}: {PANEL_MODELS[panel]}\ntest RMSE against labels (mean over "
        "the seeds; lower is better)",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def report(payload: dict, quick: bool) -> None:
    folder = QUICK if quick else RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    table = markdown(payload)
    (folder / ("regression_quick.md" if quick else "regression.md")).write_text(table)
    print("\n" + table)
    for panel, datasets in payload["panels"].items():
        folder = QUICK if quick else FIGURES
        path = figure(panel, datasets, folder / f"regression_{panel}.png")
        print(f"figure: {path}")


# --------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small version")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel runs")
    parser.add_argument(
        "--report", action="store_true", help="table and figure from the JSON"
    )
    args = parser.parse_args()
    name = "regression_quick" if args.quick else "regression"
    if args.report:
        payload = json.loads((RESULTS / f"{name}.json").read_text())
        report(payload, args.quick)
        return
    datasets = available(QUICK_DATASETS if args.quick else DATASETS)
    panels = QUICK_PANELS if args.quick else PANELS
    start = time.perf_counter()
    results, seconds = {}, {}
    with threadpool_limits(1), warnings.catch_warnings():
        # a GP's hyperparameters at their bounds on a few labels: expected
        warnings.simplefilter("ignore", ConvergenceWarning)
        for panel, names in panels.items():
            began = time.perf_counter()
            results[panel] = run(
                panel,
                datasets,
                names,
                n_repeats=2 if args.quick else N_REPEATS,
                budget=40 if args.quick else BUDGET,
                n_jobs=args.n_jobs,
            )
            seconds[panel] = time.perf_counter() - began
    payload = clean(
        {
            "environment": environment(threads=1),
            "n_jobs": args.n_jobs,
            "seconds": time.perf_counter() - start,
            "seconds_per_panel": seconds,
            "protocol": {
                "initial_size": INITIAL,
                "batch_size": BATCH,
                "budget": 40 if args.quick else BUDGET,
                "n_repeats": 2 if args.quick else N_REPEATS,
                "test_size": 0.25,
                "target": f"RMSE <= {TARGET_FACTOR} x full-data RMSE",
                "models": PANEL_MODELS,
            },
            "panels": results,
        }
    )
    print(f"\nwritten: {write_json(name, payload)}")
    report(payload, args.quick)


if __name__ == "__main__":
    main()
