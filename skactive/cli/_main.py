"""Entry point of the ``skactive`` command.

``skactive simulate`` compares strategies on a data set with learning curves;
``skactive query`` / ``teach`` / ``status`` / ``export`` / ``predict`` /
``suspicious`` run a labelling session on a CSV pool (:mod:`skactive.cli._session`).
Bad input gives one line on stderr and exit status 2, never a traceback (set
``SKACTIVE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from ._registry import (
    BUNDLED,
    MODELS,
    REGRESSION_MODELS,
    REGRESSION_STRATEGIES,
    STRATEGIES,
    TEXT_MODELS,
    CLIError,
)
from ._session import add_session_parsers

# The strategies simulate compares when --strategies is not given.
DEFAULT_STRATEGIES = {
    "classification": "random,margin,diverse_minibatch,adaptive",
    "regression": "random,gsx,igs,max_std",
}
# labels_to_<pct>pct of a regression table: the labels to get the RMSE down
# to this multiple of the full-data RMSE.
RMSE_TARGET = 1.1


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skactive",
        description="Pool-based active learning: simulate strategies, or label "
        "a pool with a person in the loop.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser(
        "simulate",
        help="compare strategies against random sampling with learning curves",
        description="Simulate active learning with the true labels as the "
        "annotator, repeated over seeds, and compare strategies: prints a table "
        "(area under the learning curve, labels to reach 90% / 95% of the "
        "full-data accuracy, active gain over random; for regression the area "
        "under the RMSE curve, the labels to get the RMSE down to 1.1 x the "
        "full-data RMSE and the gain over random, positive when better) and "
        "writes a learning-curve PNG, the table as CSV and the curves as "
        "CSV/JSON.",
    )
    sim.add_argument(
        "--dataset",
        default="digits",
        help=f"bundled name ({', '.join(BUNDLED)}) or a .csv/.parquet file "
        "(default: digits)",
    )
    sim.add_argument(
        "--task",
        choices=("auto", "classification", "regression"),
        default="auto",
        help="auto (default): regression when every label is a number and one "
        "is not an integer or there are more than 20 distinct values, "
        "classification otherwise",
    )
    sim.add_argument(
        "--label-column",
        help="label column of a CSV/Parquet dataset (default: the last column)",
    )
    classifiers = [m for m in MODELS if m not in REGRESSION_MODELS]
    sim.add_argument(
        "--model",
        default=None,
        help=f"classification: one of {', '.join(classifiers)} (default: logreg, "
        f"scaled); regression: one of {', '.join(REGRESSION_MODELS)} (default: "
        "bayesian_ridge, scaled)",
    )
    sim.add_argument(
        "--strategies",
        default=None,
        help="comma-separated names, see `skactive strategies` (default: "
        f"{DEFAULT_STRATEGIES['classification']}; regression: "
        f"{DEFAULT_STRATEGIES['regression']})",
    )
    sim.add_argument("--initial-size", type=_positive_int, default=20)
    sim.add_argument("--batch-size", type=_positive_int, default=10)
    sim.add_argument(
        "--budget", type=_positive_int, default=200, help="labels after the initial set"
    )
    sim.add_argument("--repeats", type=_positive_int, default=3)
    sim.add_argument("--test-size", type=_fraction, default=0.25)
    sim.add_argument(
        "--noise-rate",
        type=_fraction,
        default=0.0,
        help="annotation noise: the share of labels flipped to another class; "
        "regression: Gaussian noise of this times the targets' std",
    )
    sim.add_argument("--output", default="skactive-results", help="output folder")
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--n-jobs", type=int, default=None, help="repeats in parallel")
    sim.add_argument("--progress", action="store_true", help="show a progress bar")
    sim.set_defaults(func=cmd_simulate)

    add_session_parsers(sub, _positive_int)

    names = sub.add_parser("strategies", help="list the strategy names")
    names.set_defaults(func=cmd_strategies)
    return parser


# ---------------------------------------------------------------- simulate
def _simulation_task(args, y) -> str:
    """The task: --task, else detected from the labels; --model must fit it."""
    from ._io import detect_task
    from ._registry import model_task

    task = detect_task(y) if args.task == "auto" else args.task
    if args.model is not None and args.model in MODELS:
        wanted = model_task(args.model)
        if wanted != task:
            if args.task != "auto":
                raise CLIError(
                    f"--model {args.model} is a "
                    f"{'regressor' if wanted == 'regression' else 'classifier'}, "
                    f"and --task is {task}"
                )
            task = wanted  # the model says what the labels are
    return task


def cmd_simulate(args) -> None:
    from sklearn.model_selection import train_test_split

    from ._io import load_dataset, numeric_target
    from ._registry import DEFAULT_MODEL, make_model

    X, y = load_dataset(args.dataset, args.label_column)
    task = _simulation_task(args, y)
    model = args.model or DEFAULT_MODEL[task]
    make_model(model, args.seed)  # an unknown name is an error now
    if model in TEXT_MODELS:
        raise CLIError(
            f"--model {model} reads a text column: simulate takes numeric "
            "features (text models are for `skactive query --text-column`)"
        )
    if task == "regression":
        values = numeric_target(y)
        if values is None:
            bad = next(v for v in np.asarray(y).tolist() if numeric_target([v]) is None)
            raise CLIError(
                f"{args.dataset}: regression needs numeric labels, and the label "
                f"column holds {bad!r:.40}"
            )
        y, stratify = values, None
    else:
        from skactive.utils import check_multiple_classes

        classes, counts = np.unique(y, return_counts=True)
        try:
            check_multiple_classes(classes)
        except ValueError as exc:
            raise CLIError(f"{args.dataset}: {exc}") from None
        stratify = y if counts.min() >= 2 else None
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=args.test_size or 0.25,
        stratify=stratify,
        random_state=args.seed,
    )
    if args.initial_size + args.budget > len(y_train):
        raise CLIError(
            f"--initial-size + --budget = {args.initial_size + args.budget} "
            f"labels, but the training pool has {len(y_train)} samples"
        )
    if task == "regression":
        _simulate_regression(args, model, X_train, X_test, y_train, y_test)
    else:
        _simulate_classification(args, model, X_train, X_test, y_train, y_test)


def _compare(args, names, model, X_train, X_test, y_train, y_test):
    import skactive

    from ._registry import make_strategy

    strategies = {n: make_strategy(n, model, args.batch_size, args.seed) for n in names}
    return skactive.compare(
        strategies,
        X_train,
        y_train,
        X_test,
        y_test,
        n_repeats=args.repeats,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        progress=args.progress,
        initial_size=args.initial_size,
        batch_size=args.batch_size,
        budget=args.budget,
        noise_rate=args.noise_rate,
    )


def _simulate_classification(args, model, X_train, X_test, y_train, y_test) -> None:
    from ._registry import make_model, parse_strategies

    names = parse_strategies(
        args.strategies or DEFAULT_STRATEGIES["classification"], "classification"
    )
    full = make_model(model, args.seed).fit(X_train, y_train)
    full_accuracy = float(full.score(X_test, y_test))
    n_classes = np.unique(np.concatenate([y_train, y_test])).shape[0]
    print(
        f"{args.dataset}: {len(y_train)} pool / {len(y_test)} test samples, "
        f"{X_train.shape[1]} features, {n_classes} classes; model {model} "
        f"reaches {full_accuracy:.3f} accuracy with every label"
    )
    result = _compare(args, names, model, X_train, X_test, y_train, y_test)
    table = _simulation_table(result, names, full_accuracy)
    _write_results(
        args, result, table, model, "accuracy", {"full_data_accuracy": full_accuracy}
    )


def _simulate_regression(args, model, X_train, X_test, y_train, y_test) -> None:
    from ._registry import make_model, parse_strategies

    names = parse_strategies(
        args.strategies or DEFAULT_STRATEGIES["regression"], "regression"
    )
    full = make_model(model, args.seed).fit(X_train, y_train)
    full_rmse = float(np.sqrt(np.mean((full.predict(X_test) - y_test) ** 2)))
    print(
        f"{args.dataset}: {len(y_train)} pool / {len(y_test)} test samples, "
        f"{X_train.shape[1]} features, a real-valued target (regression); model "
        f"{model} reaches an RMSE of {full_rmse:.4g} with every label"
    )
    result = _compare(args, names, model, X_train, X_test, y_train, y_test)
    table = _regression_table(result, names, full_rmse)
    _write_results(args, result, table, model, "rmse", {"full_data_rmse": full_rmse})


def _write_results(args, result, table, model, metric, full: dict) -> None:
    from ._io import write_csv, write_json

    _print_table(table)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "summary.csv", list(table[0]), [list(r.values()) for r in table])
    n_labels, curves = result.curves(metric)
    write_csv(
        out / "curves.csv",
        ["strategy", "repeat", "n_labels", metric],
        [
            [name, repeat, int(n), float(score)]
            for name, scores in curves.items()
            for repeat, row in enumerate(scores)
            for n, score in zip(n_labels, row)
            if np.isfinite(score)
        ],
    )
    write_json(
        out / "summary.json",
        {
            "dataset": args.dataset,
            "task": result.task,
            "model": model,
            **full,
            "settings": {k: getattr(args, k) for k in _SIMULATION_SETTINGS},
            "table": table,
        },
    )
    figure = _plot(result, metric, next(iter(full.values())), args.dataset, model, out)
    written = ", ".join(str(out / f) for f in ("summary.csv", "curves.csv"))
    print(f"\nwritten: {written}" + (f", {figure}" if figure else ""))


_SIMULATION_SETTINGS = (
    "initial_size", "batch_size", "budget", "repeats", "noise_rate", "seed",
    "test_size",
)  # fmt: skip


def _simulation_table(result, names, full_accuracy) -> list[dict]:
    area = result.area_under_curve()
    final = {
        name: np.array([r.scores("accuracy")[-1] for r in runs])
        for name, runs in result.results.items()
    }
    reach = {pct: result.labels_to_reach(pct / 100 * full_accuracy) for pct in (90, 95)}
    gains = result.active_gain() if "random" in names else None
    balanced = (
        result.active_gain(metric="balanced_accuracy") if "random" in names else None
    )
    rows = []
    for name in names:
        row = {
            "strategy": name,
            "alc": f"{np.mean(area[name]):.4f}",
            "alc_std": f"{np.std(area[name]):.4f}",
            "final_accuracy": f"{np.mean(final[name]):.4f}",
        }
        for pct, labels in reach.items():
            row[f"labels_to_{pct}pct"] = _reach_text(labels[name])
        row["gain_over_random"] = (
            "" if gains is None or name == "random" else f"{np.mean(gains[name]):+.4f}"
        )
        row["balanced_gain"] = (
            ""
            if balanced is None or name == "random"
            else f"{np.mean(balanced[name]):+.4f}"
        )
        rows.append(row)
    return rows


def _regression_table(result, names, full_rmse) -> list[dict]:
    """Area under the RMSE curve (lower is better), final RMSE and R², labels
    to reach RMSE <= 1.1 x the full-data RMSE, and the gains over random in
    RMSE area and R² area (positive is better)."""
    area = result.area_under_curve("rmse")
    final = {
        metric: {
            name: np.array([r.scores(metric)[-1] for r in runs])
            for name, runs in result.results.items()
        }
        for metric in ("rmse", "r2")
    }
    reach = result.labels_to_reach(RMSE_TARGET * full_rmse, "rmse")
    gains = result.active_gain(metric="rmse") if "random" in names else None
    r2_gains = result.active_gain(metric="r2") if "random" in names else None
    rows = []
    for name in names:
        rows.append(
            {
                "strategy": name,
                "area_rmse": f"{np.mean(area[name]):.4g}",
                "area_rmse_std": f"{np.std(area[name]):.3g}",
                "final_rmse": f"{np.mean(final['rmse'][name]):.4g}",
                "final_r2": f"{np.mean(final['r2'][name]):.3f}",
                "labels_to_1.1x_rmse": _reach_text(reach[name]),
                "gain_over_random": ""
                if gains is None or name == "random"
                else f"{np.mean(gains[name]):+.4g}",
                "r2_gain": ""
                if r2_gains is None or name == "random"
                else f"{np.mean(r2_gains[name]):+.4f}",
            }
        )
    return rows


def _reach_text(labels: np.ndarray) -> str:
    reached = labels[np.isfinite(labels)]
    if reached.size == labels.size:
        return f"{reached.mean():.0f}"
    if reached.size == 0:
        return "never"
    return f"{reached.mean():.0f} ({reached.size}/{labels.size} runs)"


def _print_table(rows: list[dict]) -> None:
    header = list(rows[0])
    widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in header]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(r[h]).ljust(w) for h, w in zip(header, widths)))


def _plot(result, metric, full, dataset, model, out: Path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no learning-curve figure", file=sys.stderr)
        return None
    display = result.plot(metric)
    ax = display.ax_
    ax.axhline(full, color="grey", linestyle="--", label="all labels")
    name = "RMSE" if metric == "rmse" else metric
    ax.set_title(f"{dataset}, {model}: mean {name} and spread over repeats")
    ax.legend(loc="upper right" if metric == "rmse" else "lower right")
    path = out / "learning_curves.png"
    display.figure_.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(display.figure_)
    return path


def cmd_strategies(args) -> None:
    """One line per strategy: its name, its task and what it queries."""
    width = max(map(len, [*STRATEGIES, *REGRESSION_STRATEGIES]))
    tasks = {}
    for name in [*STRATEGIES, *REGRESSION_STRATEGIES]:
        both = name in STRATEGIES and name in REGRESSION_STRATEGIES
        tasks[name] = (
            "both" if both else "classification" if name in STRATEGIES else "regression"
        )
    descriptions = {**STRATEGIES, **REGRESSION_STRATEGIES}
    for name, task in tasks.items():
        print(f"{name.ljust(width)}  {task.ljust(14)}  {descriptions[name][1]}")


# ---------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Run the ``skactive`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        args.func(args)
    except KeyboardInterrupt:
        print("skactive: interrupted", file=sys.stderr)
        return 130
    except (CLIError, ValueError, TypeError, OSError) as exc:
        if os.environ.get("SKACTIVE_DEBUG"):
            raise
        print(f"skactive: error: {_first_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not bad input: still one line
        if os.environ.get("SKACTIVE_DEBUG"):
            raise
        print(
            f"skactive: unexpected error: {type(exc).__name__}: {_first_line(exc)} "
            "(set SKACTIVE_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1
    return 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else repr(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
