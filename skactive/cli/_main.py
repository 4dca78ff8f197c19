"""Entry point of the ``skactive`` command.

``skactive simulate`` compares strategies on a data set with learning curves;
``skactive query`` / ``skactive teach`` run a labelling session on a CSV pool.
Bad input gives one line on stderr and exit status 2, never a traceback (set
``SKACTIVE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np

from ._registry import BUNDLED, MODELS, STRATEGIES, CLIError


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
        default="random,margin,entropy,least_confident,coreset",
        help="comma-separated names, see `skactive strategies` "
        "(default: random,margin,entropy,least_confident,coreset)",
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

    session_help = (
        "the session file (JSON; created on the first query, updated "
        "atomically, safe to resume)"
    )
    query = sub.add_parser(
        "query",
        help="write the pool rows a person should label next",
        description="Open (or start) a labelling session on a CSV pool and "
        "write the next rows to label to --output, with an empty label column "
        "to fill in; then run `skactive teach` with that file.",
    )
    query.add_argument("--pool", required=True, help="CSV (or Parquet) pool file")
    query.add_argument("--session", required=True, help=session_help)
    query.add_argument("--strategy", default=None, help="default: margin")
    query.add_argument("--model", default=None, help="default: logreg")
    query.add_argument("--batch-size", type=_positive_int, default=None)
    query.add_argument("--id-column", help="a column identifying rows (not a feature)")
    query.add_argument(
        "--label-column", help="a label column in the pool file to ignore"
    )
    query.add_argument("--seed", type=int, default=None)
    query.add_argument(
        "--classes",
        type=_label_set,
        default=None,
        help="the label set of a new session, comma-separated: teaching any "
        "other label is an error (a typo never becomes a class)",
    )
    query.add_argument("--output", default="to_label.csv", help="default: to_label.csv")
    query.set_defaults(func=cmd_query)

    teach = sub.add_parser(
        "teach",
        help="record the labels a person filled in",
        description="Record the labels of a labels file (the output of "
        "`skactive query` with its label column filled in: columns 'row' and "
        "'label'; rows with an empty label are skipped) and save the session. "
        "Teaching the same file twice is harmless; a different label for an "
        "already labelled row is an error unless --relabel.",
    )
    teach.add_argument("--pool", required=True, help="CSV (or Parquet) pool file")
    teach.add_argument("--session", required=True, help=session_help)
    teach.add_argument("--labels", required=True, help="CSV with 'row' and 'label'")
    teach.add_argument("--relabel", action="store_true", help="allow changing labels")
    teach.set_defaults(func=cmd_teach)

    status = sub.add_parser("status", help="summarise a labelling session")
    status.add_argument("--pool", required=True, help="CSV (or Parquet) pool file")
    status.add_argument("--session", required=True, help=session_help)
    status.set_defaults(func=cmd_status)

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


# ---------------------------------------------------------------- sessions
_SESSION_DEFAULTS = {
    "strategy": "margin",
    "model": "logreg",
    "batch_size": 10,
    "seed": 0,
    "id_column": None,
    "label_column": None,
}


def _label_set(text: str) -> list[str]:
    """``--classes a,b,c``: at least two distinct, non-empty labels."""
    labels = [label.strip() for label in text.split(",")]
    if any(not label for label in labels) or len(set(labels)) < 2:
        raise argparse.ArgumentTypeError(
            f"expected at least 2 distinct comma-separated labels, got {text!r}"
        )
    return labels


def _settings_path(session: Path) -> Path:
    return session.with_name(session.name + ".cli.json")


def _settings(args, create: bool) -> dict:
    """The session's command-line settings: saved at creation, reused after."""
    session = Path(args.session)
    path = _settings_path(session)
    if path.is_file():
        try:
            saved = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise CLIError(f"{path} is not valid JSON: {exc}") from exc
    elif session.is_file():
        raise CLIError(f"{path} is missing: it holds the session's settings")
    elif not create:
        raise CLIError(f"no session {session}: start one with `skactive query`")
    else:
        saved = dict(_SESSION_DEFAULTS)
    for key in _SESSION_DEFAULTS:
        given = getattr(args, key, None)
        fixed = key in ("id_column", "label_column", "model", "strategy")
        if fixed and given is not None and path.is_file() and given != saved[key]:
            raise CLIError(
                f"--{key.replace('_', '-')} {given!r} differs from the "
                f"session's {saved[key]!r}"
            )
        if given is not None:
            saved[key] = given
    return saved


def _read_pool(path, settings):
    from ._io import read_table, to_float

    header, rows = read_table(path)
    for key in ("id_column", "label_column"):
        if settings[key] is not None and settings[key] not in header:
            raise CLIError(f"{path}: no column {settings[key]!r}")
    skip = {settings["id_column"], settings["label_column"]}
    features = [c for c in header if c not in skip]
    if not features:
        raise CLIError(f"{path}: no feature columns")
    X = to_float(path, header, rows, features)
    ids = (
        [row[header.index(settings["id_column"])] for row in rows]
        if settings["id_column"]
        else None
    )
    return X, features, ids


def _open_session(args, create: bool):
    from skactive import ActiveLearner

    from ._io import write_json
    from ._registry import make_strategy

    settings = _settings(args, create)
    X, features, ids = _read_pool(args.pool, settings)
    strategy = make_strategy(
        settings["strategy"],
        settings["model"],
        settings["batch_size"],
        settings["seed"],
    )
    session = Path(args.session)
    if session.is_file():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            learner = ActiveLearner.load(session, X, strategy, autosave=session)
        declared = getattr(args, "classes", None)
        if declared is not None and sorted(declared) != learner.classes.tolist():
            raise CLIError(
                f"--classes {','.join(declared)} differs from the session's "
                f"label set {learner.classes.tolist()!r}"
            )
    else:
        learner = ActiveLearner(
            strategy,
            X,
            autosave=session,
            random_state=settings["seed"],
            classes=getattr(args, "classes", None),
        )
        learner.save(session)
    write_json(_settings_path(session), settings)
    return learner, settings, X, features, ids


def cmd_query(args) -> None:
    from ._io import write_csv

    learner, settings, X, features, ids = _open_session(args, create=True)
    if learner.n_unlabelled == 0:
        print("every pool row is labelled: nothing to query")
        return
    idx = learner.query(min(settings["batch_size"], learner.n_unlabelled))
    header = ["row"] + (["id"] if ids else []) + features + ["label"]
    rows = [
        [int(i)] + ([ids[i]] if ids else []) + [repr(float(v)) for v in X[i]] + [""]
        for i in idx
    ]
    write_csv(Path(args.output), header, rows)
    shown = ", ".join(str(ids[i] if ids else i) for i in idx)
    print(
        f"{learner.n_labelled} of {learner.n_pool} rows labelled; label these "
        f"{len(idx)} {'ids' if ids else 'rows'} next: {shown}\n"
        f"written to {args.output}: fill in its 'label' column, then run "
        f"`skactive teach --pool {args.pool} --session {args.session} "
        f"--labels {args.output}`"
    )


def cmd_teach(args) -> None:
    from ._io import read_table

    learner, _, _, _, _ = _open_session(args, create=False)
    header, rows = read_table(args.labels)
    for column in ("row", "label"):
        if column not in header:
            raise CLIError(f"{args.labels}: no {column!r} column")
    r, lab = header.index("row"), header.index("label")
    pairs = [(row[r].strip(), row[lab].strip()) for row in rows if row[lab].strip()]
    try:
        indices = np.array([int(i) for i, _ in pairs], dtype=int)
    except ValueError as exc:
        raise CLIError(f"{args.labels}: the 'row' column must hold integers") from exc
    labels = np.array([label for _, label in pairs], dtype=object)
    if indices.size and (indices.min() < 0 or indices.max() >= learner.n_pool):
        raise CLIError(
            f"{args.labels}: row numbers must be in [0, {learner.n_pool - 1}]"
        )
    if len(set(indices.tolist())) != len(indices):
        raise CLIError(f"{args.labels}: a row is labelled twice")
    known = dict(zip(learner.labelled_indices.tolist(), learner.labels.tolist()))
    new = np.array([i not in known for i in indices], dtype=bool)
    changed = np.array(
        [i in known and str(known[i]) != str(v) for i, v in zip(indices, labels)]
    )
    if changed.any() and not args.relabel:
        i = indices[changed][0]
        raise CLIError(
            f"row {i} is already labelled {known[i]!r}; the file says "
            f"{labels[changed][0]!r} (use --relabel to change labels)"
        )
    if new.any():
        learner.teach(indices[new], labels[new].astype(str))
    if changed.any():
        learner.teach(indices[changed], labels[changed].astype(str), relabel=True)
    learner.save(Path(args.session))
    print(
        f"taught {int(new.sum())} new and {int(changed.sum())} changed labels "
        f"({len(pairs) - int(new.sum()) - int(changed.sum())} already known); "
        f"{learner.n_labelled} of {learner.n_pool} rows labelled, saved to "
        f"{args.session}"
    )


def cmd_status(args) -> None:
    learner, settings, _, _, _ = _open_session(args, create=False)
    print(repr(learner))
    print(
        f"strategy {settings['strategy']}, model {settings['model']}, "
        f"batch size {settings['batch_size']}"
    )


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
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        print(f"skactive: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
