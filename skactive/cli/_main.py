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

from ._registry import BUNDLED, MODELS, STRATEGIES, TEXT_MODELS, CLIError
from ._session import add_session_parsers


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
        "full-data accuracy, active gain over random) and writes a "
        "learning-curve PNG, the table as CSV and the curves as CSV/JSON.",
    )
    sim.add_argument(
        "--dataset",
        default="digits",
        help=f"bundled name ({', '.join(BUNDLED)}) or a .csv/.parquet file "
        "(default: digits)",
    )
    sim.add_argument(
        "--label-column",
        help="label column of a CSV/Parquet dataset (default: the last column)",
    )
    sim.add_argument(
        "--model",
        default="logreg",
        help=f"one of {', '.join(MODELS)} (default: logreg, scaled)",
    )
    sim.add_argument(
        "--strategies",
        default="random,margin,diverse_minibatch,badge",
        help="comma-separated names, see `skactive strategies` "
        "(default: random,margin,diverse_minibatch,badge)",
    )
    sim.add_argument("--initial-size", type=_positive_int, default=20)
    sim.add_argument("--batch-size", type=_positive_int, default=10)
    sim.add_argument(
        "--budget", type=_positive_int, default=200, help="labels after the initial set"
    )
    sim.add_argument("--repeats", type=_positive_int, default=3)
    sim.add_argument("--test-size", type=_fraction, default=0.25)
    sim.add_argument(
        "--noise-rate", type=_fraction, default=0.0, help="annotation noise"
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
def cmd_simulate(args) -> None:
    from sklearn.model_selection import train_test_split

    import skactive
    from skactive.utils import check_multiple_classes

    from ._io import load_dataset, write_csv, write_json
    from ._registry import make_model, make_strategy, parse_strategies

    names = parse_strategies(args.strategies)
    if args.model in TEXT_MODELS:
        raise CLIError(
            f"--model {args.model} reads a text column: simulate takes numeric "
            "features (text models are for `skactive query --text-column`)"
        )
    X, y = load_dataset(args.dataset, args.label_column)
    classes, counts = np.unique(y, return_counts=True)
    try:
        check_multiple_classes(classes)
    except ValueError as exc:
        raise CLIError(f"{args.dataset}: {exc}") from None
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=args.test_size or 0.25,
        stratify=y if counts.min() >= 2 else None,
        random_state=args.seed,
    )
    if args.initial_size + args.budget > len(y_train):
        raise CLIError(
            f"--initial-size + --budget = {args.initial_size + args.budget} "
            f"labels, but the training pool has {len(y_train)} samples"
        )
    full = make_model(args.model, args.seed).fit(X_train, y_train)
    full_accuracy = float(full.score(X_test, y_test))
    strategies = {
        n: make_strategy(n, args.model, args.batch_size, args.seed) for n in names
    }
    print(
        f"{args.dataset}: {len(y_train)} pool / {len(y_test)} test samples, "
        f"{X.shape[1]} features, {classes.shape[0]} classes; model {args.model} "
        f"reaches {full_accuracy:.3f} accuracy with every label"
    )
    result = skactive.compare(
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
    table = _simulation_table(result, names, full_accuracy)
    _print_table(table)

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "summary.csv", list(table[0]), [list(r.values()) for r in table])
    n_labels, curves = result.curves("accuracy")
    write_csv(
        out / "curves.csv",
        ["strategy", "repeat", "n_labels", "accuracy"],
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
            "model": args.model,
            "full_data_accuracy": full_accuracy,
            "settings": {k: getattr(args, k) for k in _SIMULATION_SETTINGS},
            "table": table,
        },
    )
    figure = _plot(result, full_accuracy, args.dataset, args.model, out)
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


def _plot(result, full_accuracy, dataset, model, out: Path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no learning-curve figure", file=sys.stderr)
        return None
    display = result.plot("accuracy")
    ax = display.ax_
    ax.axhline(full_accuracy, color="grey", linestyle="--", label="all labels")
    ax.set_title(f"{dataset}, {model}: mean accuracy and spread over repeats")
    ax.legend(loc="lower right")
    path = out / "learning_curves.png"
    display.figure_.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(display.figure_)
    return path


def cmd_strategies(args) -> None:
    width = max(map(len, STRATEGIES))
    for name, (_, text) in STRATEGIES.items():
        print(f"{name.ljust(width)}  {text}")


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
