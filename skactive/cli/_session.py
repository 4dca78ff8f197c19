"""Labelling sessions on files: ``query``, ``teach``, ``status``, ``export``,
``predict``, ``suspicious``.

A command-line session is two files: the session file that
:meth:`skactive.ActiveLearner.save` writes (labels, rounds, a fingerprint
of the pool) and ``<session>.cli.json``, the command-line settings (strategy,
model, batch size, seed and the roles of the pool's columns), saved when the
session starts and reused after.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from ..exceptions import SessionFileError
from ._registry import TEXT_MODELS, CLIError

_SESSION_DEFAULTS = {
    "strategy": None,  # adaptive; gsx with a regressor
    "model": None,  # logreg; tfidf_logreg with a text column
    "batch_size": 10,
    "seed": 0,
    "id_column": None,
    "label_column": None,
    "text_column": None,
}
# Settings a later command may not change: they define the session's model
# and what its pool's columns mean.
_FIXED = ("strategy", "model", "id_column", "label_column", "text_column")

_SESSION_HELP = (
    "the session file (JSON; created on the first query, updated "
    "atomically, safe to resume)"
)
_NO_CHECK_POOL_HELP = (
    "do not check that --pool holds the values of the session's pool, in the "
    "same order (its number of rows is always checked)"
)
_ACCEPT_POOL_HELP = (
    "make --pool the session's pool from now on (a corrected file with the "
    "same rows in the same order): it is checked as a new session's pool and "
    "its fingerprint is saved"
)
# The settings file is small; a larger one is not read.
_MAX_SETTINGS_BYTES = 1 << 20


def _seed(text: str) -> int:
    """``--seed``: an int in [0, 2**32 - 1], as a random_state."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"expected an integer in [0, 2**32 - 1], got {value}"
        )
    return value


def _folds(text: str) -> int:
    """``--cv``: an int >= 2."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected at least 2 folds, got {value}")
    return value


def _label_set(text: str) -> list[str]:
    """``--classes a,b,c``: at least two distinct, non-empty labels."""
    labels = [label.strip() for label in text.split(",")]
    if any(not label for label in labels) or len(set(labels)) < 2:
        raise argparse.ArgumentTypeError(
            f"expected at least 2 distinct comma-separated labels, got {text!r}"
        )
    return labels


def add_session_parsers(sub, positive_int) -> None:
    """The session subcommands, on the ``skactive`` parser's subparsers."""
    query = sub.add_parser(
        "query",
        help="write the pool rows a person should label next",
        description="Open (or start) a labelling session on a CSV pool and "
        "write the next rows to label to --output, with an empty label column "
        "to fill in; then run `skactive teach` with that file. Starting a "
        "session checks that the model reads the pool (a model fitted on a "
        "few rows queries the whole pool) before anything is saved.",
    )
    query.add_argument("--pool", required=True, help="CSV (or Parquet) pool file")
    query.add_argument("--session", required=True, help=_SESSION_HELP)
    query.add_argument(
        "--strategy",
        default=None,
        help="default: adaptive; gsx with a regression --model",
    )
    query.add_argument(
        "--model",
        default=None,
        help="default: logreg, or tfidf_logreg with --text-column; a regressor "
        "(bayesian_ridge, gp, rf_regressor, ridge_committee) makes a regression "
        "session, whose labels are numbers",
    )
    query.add_argument("--batch-size", type=positive_int, default=None)
    query.add_argument("--id-column", help="a column identifying rows (not a feature)")
    query.add_argument(
        "--label-column", help="a label column in the pool file to ignore"
    )
    query.add_argument(
        "--text-column",
        help="a column of texts: the model (default tfidf_logreg) reads it as "
        "raw strings; the other columns are shown in --output, not read",
    )
    query.add_argument("--seed", type=_seed, default=None)
    query.add_argument(
        "--classes",
        type=_label_set,
        default=None,
        help="the label set of a new session, comma-separated: teaching any "
        "other label is an error (a typo never becomes a class); "
        "classification only",
    )
    query.add_argument("--no-check-pool", action="store_true", help=_NO_CHECK_POOL_HELP)
    query.add_argument("--accept-pool", action="store_true", help=_ACCEPT_POOL_HELP)
    query.add_argument(
        "--examples",
        default=None,
        help="query by example: a CSV (or Parquet) file of examples (with a "
        "'row' column: pool rows; else rows with the pool's feature columns, "
        "such as validation samples the model gets wrong); this query returns "
        "their nearest unlabelled rows, in turns so that every example gets a "
        "share, instead of the session's strategy (needs labels of 2 classes)",
    )
    query.add_argument("--output", default="to_label.csv", help="default: to_label.csv")
    query.set_defaults(func=cmd_query)

    teach = sub.add_parser(
        "teach",
        help="record the labels a person filled in",
        description="Record the labels of a labels file (the output of "
        "`skactive query` with its label column filled in: columns 'row' and "
        "'label'; rows with an empty label are skipped; numbers for a "
        "regression session) and save the session. "
        "Teaching the same file twice is harmless; a different label for an "
        "already labelled row is an error unless --relabel.",
    )
    teach.add_argument("--pool", required=True, help="CSV (or Parquet) pool file")
    teach.add_argument("--session", required=True, help=_SESSION_HELP)
    teach.add_argument("--labels", required=True, help="CSV with 'row' and 'label'")
    teach.add_argument("--relabel", action="store_true", help="allow changing labels")
    teach.add_argument("--no-check-pool", action="store_true", help=_NO_CHECK_POOL_HELP)
    teach.add_argument("--accept-pool", action="store_true", help=_ACCEPT_POOL_HELP)
    teach.set_defaults(func=cmd_teach)

    status = sub.add_parser(
        "status",
        help="summarise a labelling session",
        description="Print the labelled rows, the labels per class (a "
        "regression session: their range, mean and std) and the "
        "session's strategy, model and batch size, from the session file "
        "alone; with --pool, the pool is checked and the model refitted too.",
    )
    status.add_argument("--session", required=True, help=_SESSION_HELP)
    status.add_argument("--pool", help="the pool file (optional)")
    status.add_argument(
        "--no-check-pool", action="store_true", help=_NO_CHECK_POOL_HELP
    )
    status.set_defaults(func=cmd_status)

    export = sub.add_parser(
        "export",
        help="write the labels of a session as CSV",
        description="Write every label of a session to --output as CSV, one "
        "row per labelled pool row, in pool order: columns 'row' (the pool "
        "row, from 0), 'id' (with --pool, when the session has an id column) "
        "and 'label'. Without --pool, the session file alone is read.",
    )
    export.add_argument("--session", required=True, help=_SESSION_HELP)
    export.add_argument("--pool", help="the pool file (optional: for the 'id' column)")
    export.add_argument("--output", default="labels.csv", help="default: labels.csv")
    export.add_argument(
        "--no-check-pool", action="store_true", help=_NO_CHECK_POOL_HELP
    )
    export.set_defaults(func=cmd_export)

    suspicious = sub.add_parser(
        "suspicious",
        help="list the labels that look wrong, to check and correct",
        description="Rank the labelled rows by how likely their label is wrong "
        "(confident learning on out-of-fold probabilities of the session's "
        "model) and write them to --output, most suspicious first: 'row', "
        "'id', 'given_label', 'suggested_label' (the most probable class out "
        "of fold), 'score' (label quality, lower is more suspicious), the "
        "pool's columns, and 'label', filled with the current label. Correct "
        "'label' where it is wrong, then run `skactive teach --relabel` with "
        "the file.",
    )
    suspicious.add_argument("--session", required=True, help=_SESSION_HELP)
    suspicious.add_argument("--pool", required=True, help="the session's pool file")
    suspicious.add_argument(
        "--output", default="suspicious.csv", help="default: suspicious.csv"
    )
    suspicious.add_argument(
        "--n",
        type=positive_int,
        default=None,
        help="write the N rows of lowest label quality (default: the rows "
        "confident learning flags)",
    )
    suspicious.add_argument(
        "--cv", type=_folds, default=5, help="cross-validation folds (default: 5)"
    )
    suspicious.add_argument(
        "--no-check-pool", action="store_true", help=_NO_CHECK_POOL_HELP
    )
    suspicious.set_defaults(func=cmd_suspicious)

    predict = sub.add_parser(
        "predict",
        help="predict new rows with the session's model",
        description="Fit the session's model on the labelled pool rows and "
        "predict the rows of --input, a CSV (or Parquet) file with the pool's "
        "feature columns (its id and label columns are optional). Writes "
        "--output with columns 'row' (of --input, from 0), 'id' (when --input "
        "has the session's id column), 'prediction' and, for a model with "
        "probabilities, 'proba_<class>' for every class; for a regressor with "
        "a predictive uncertainty, 'std'.",
    )
    predict.add_argument("--session", required=True, help=_SESSION_HELP)
    predict.add_argument("--pool", required=True, help="the session's pool file")
    predict.add_argument("--input", required=True, help="CSV (or Parquet) rows")
    predict.add_argument(
        "--output", default="predictions.csv", help="default: predictions.csv"
    )
    predict.add_argument(
        "--no-check-pool", action="store_true", help=_NO_CHECK_POOL_HELP
    )
    predict.set_defaults(func=cmd_predict)


# ---------------------------------------------------------------- settings
def _settings_path(session: Path) -> Path:
    return session.with_name(session.name + ".cli.json")


def _check_setting(path, key, value):
    """One saved setting, of its type and among the names the command knows."""
    from ._registry import ALL_STRATEGIES, MODELS

    def fail(what):
        raise SessionFileError(path, what, key, kind="settings")

    if key in ("strategy", "model"):
        known = ALL_STRATEGIES if key == "strategy" else MODELS
        if value is None:
            return
        if not isinstance(value, str) or value not in known:
            fail(f"must be one of {', '.join(sorted(known))}, got {value!r:.60}")
    elif key in ("batch_size", "seed"):
        low, high = (1, 2**31) if key == "batch_size" else (0, 2**32 - 1)
        if not isinstance(value, int) or isinstance(value, bool):
            fail(f"must be an integer, got {value!r:.60}")
        if not low <= value <= high:
            fail(f"must be in [{low}, {high}], got {value}")
    elif value is not None and (not isinstance(value, str) or len(value) > 10_000):
        fail(f"must be a column name or null, got {value!r:.60}")


def _read_settings(path: Path) -> dict:
    """The settings file, checked: every key known, of its type."""
    from skactive.loop import read_bytes

    try:
        data = read_bytes(path, _MAX_SETTINGS_BYTES)
    except SessionFileError as exc:  # too large, or not a regular file
        raise SessionFileError(path, exc.what, kind="settings") from None
    try:
        loaded = json.loads(data)
    except RecursionError:
        raise SessionFileError(
            path, "JSON nested too deeply", kind="settings"
        ) from None
    except UnicodeDecodeError:
        raise SessionFileError(path, "not UTF-8 text", kind="settings") from None
    except ValueError as exc:
        raise SessionFileError(path, f"not JSON ({exc})", kind="settings") from None
    if not isinstance(loaded, dict):
        raise SessionFileError(path, "must hold a JSON object", kind="settings")
    for key, value in loaded.items():
        if key not in _SESSION_DEFAULTS:
            raise SessionFileError(
                path,
                f"unknown setting (known: {', '.join(_SESSION_DEFAULTS)})",
                f"{key:.60}",
                kind="settings",
            )
        _check_setting(path, key, value)
    return {**_SESSION_DEFAULTS, **loaded}


def _settings(args, create: bool) -> dict:
    """The session's command-line settings: saved at creation, reused after.

    The session file is written after its settings file: a settings file
    without a session file is what a start that was interrupted left, and
    a new start ignores it (and replaces it).
    """
    session = Path(args.session)
    path = _settings_path(session)
    started = session.is_file()
    if not started and not create:
        raise CLIError(f"no session {session}: start one with `skactive query`")
    if started and path.is_file():
        saved = _read_settings(path)
    elif started and not create:
        raise CLIError(
            f"{path} is missing: it holds the settings of the session {session}; "
            f"run `skactive query --pool POOL --session {session}` with the "
            "--strategy, --model, --batch-size and column options the session "
            "started with, to write it again"
        )
    else:  # a new session, or settings to write again (query)
        saved = dict(_SESSION_DEFAULTS)
        if started:
            print(
                f"skactive: note: {path} was missing; it is written again from "
                "the options given (and the defaults)",
                file=sys.stderr,
            )
    for key in _SESSION_DEFAULTS:
        given = getattr(args, key, None)
        if given is None:
            continue
        if key in _FIXED and started and path.is_file() and given != saved[key]:
            raise CLIError(
                f"--{key.replace('_', '-')} {given!r} differs from the "
                f"session's {saved[key]!r}"
            )
        saved[key] = given
    from ._registry import DEFAULT_STRATEGY, model_task

    if saved["model"] is None:
        saved["model"] = "tfidf_logreg" if saved["text_column"] else "logreg"
    if saved["strategy"] is None:
        saved["strategy"] = DEFAULT_STRATEGY[model_task(saved["model"])]
    return saved


def _check_text_model(settings) -> None:
    """A text column goes with a text model, and a text model with one."""
    model, text = settings["model"], settings["text_column"]
    if text is not None and model not in TEXT_MODELS:
        raise CLIError(
            f"--model {model} reads numbers, but --text-column {text} is text: "
            f"use --model {' or '.join(sorted(TEXT_MODELS))} (the default)"
        )
    if text is None and model in TEXT_MODELS:
        raise CLIError(
            f"--model {model} reads a text column: name it with --text-column"
        )


# ---------------------------------------------------------------- opening
def _open_session(args, create: bool = False):
    """``(learner, settings, pool)``: the session loaded with its pool, or
    started (``create=True``) after checking that the model reads the pool.

    A start holds the session's lock from its check that no session exists
    to its save, so two starts never both write one; the loser resumes the
    winner's session, with its settings.
    """
    from skactive.loop import session_lock

    from ._pool import read_pool
    from ._registry import make_strategy

    session = Path(args.session)
    for _ in range(2):
        settings = _settings(args, create)
        pool = read_pool(args.pool, settings)
        strategy = make_strategy(
            settings["strategy"],
            settings["model"],
            settings["batch_size"],
            settings["seed"],
        )
        if session.is_file():
            break
        with session_lock(session, shown=str(session)):
            if session.is_file():
                continue  # started meanwhile: its settings may differ
            return _start(session, pool, strategy, settings, args), settings, pool
    learner = _load(session, pool, strategy, settings, args)
    _write_settings(session, settings)
    return learner, settings, pool


def _write_settings(session: Path, settings: dict) -> None:
    from ._io import write_json

    path = _settings_path(session)
    try:
        same = path.is_file() and _read_settings(path) == settings
    except (SessionFileError, OSError):
        same = False
    if not same:
        write_json(path, settings)


def _start(session: Path, pool, strategy, settings, args):
    """A new session: the pool checked, the settings written, then the
    session file (the commit: without it, the start did not happen)."""
    from skactive import ActiveLearner
    from skactive.exceptions import InvalidPoolError

    from ._registry import model_task

    _check_text_model(settings)
    if getattr(args, "classes", None) is not None and (
        model_task(settings["model"]) == "regression"
    ):
        raise CLIError(
            f"--classes is for classification: --model {settings['model']} is a "
            "regressor, whose labels are numbers"
        )
    try:
        learner = ActiveLearner(
            strategy,
            pool.X,
            random_state=settings["seed"],
            classes=getattr(args, "classes", None),
            validate_pool=True,
        )
    except InvalidPoolError as exc:
        raise CLIError(
            f"--model {settings['model']} with --strategy {settings['strategy']} "
            f"cannot read the pool {pool.path}, so no session was started: "
            f"{_pool_problem(exc, pool, settings)}"
        ) from exc
    _write_settings(session, settings)
    learner.save(session)
    learner.autosave = str(session)
    return learner


def _pool_problem(exc, pool, settings) -> str:
    """What is wrong with the pool, in the file's terms (its rows and
    columns) when a value is at fault."""
    row, column = getattr(exc, "row", None), getattr(exc, "column", None)
    if row is None or column is None or settings["text_column"] is not None:
        return getattr(exc, "reason", str(exc))
    name = pool.columns[column]
    if np.isnan(exc.value):
        return (
            f"row {row}, column {name!r} is missing (NaN), which --model "
            f"{settings['model']} does not accept: fill it in, or use --model "
            "hgb, which accepts missing values"
        )
    return f"row {row}, column {name!r} is infinite ({pool.cells[row][column]!r})"


def _load(session: Path, pool, strategy, settings, args):
    from skactive import ActiveLearner
    from skactive.exceptions import InvalidPoolError, PoolMismatchError
    from skactive.loop import read_session

    saved = read_session(session)
    if saved.n_pool != pool.n_rows:
        raise CLIError(
            f"--pool {pool.path} has {pool.n_rows} rows, but the session "
            f"{session} was started on a pool of {saved.n_pool}: give its pool"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            learner = ActiveLearner.load(
                session,
                pool.X,
                strategy,
                autosave=session,
                check_pool=not args.no_check_pool,
                accept_pool=getattr(args, "accept_pool", False),
            )
    except PoolMismatchError as exc:
        raise CLIError(
            f"--pool {pool.path} differs from the pool of the session {session} "
            "(fingerprints differ): give the same pool file, rows in the same "
            "order; --no-check-pool if you know it holds the same samples; or "
            "--accept-pool to make this file the session's pool from now on"
        ) from exc
    except InvalidPoolError as exc:
        raise CLIError(
            f"--accept-pool: the session's model cannot read {pool.path}: "
            f"{_pool_problem(exc, pool, settings)}"
        ) from exc
    declared = getattr(args, "classes", None)
    if declared is not None and learner.is_regression:
        raise CLIError(
            f"--classes is for classification: the session {session} is a "
            "regression session, whose labels are numbers"
        )
    if declared is not None and sorted(declared) != learner.classes.tolist():
        raise CLIError(
            f"--classes {','.join(declared)} differs from the session's "
            f"label set {learner.classes.tolist()!r}"
        )
    if getattr(args, "accept_pool", False):
        learner.save(session)
        print(f"the pool of the session {session} is now {pool.path}")
    return learner


# ---------------------------------------------------------------- commands
def cmd_query(args) -> None:
    from ._io import write_csv

    learner, settings, pool = _open_session(args, create=True)
    if learner.n_unlabelled == 0:
        print("every pool row is labelled: nothing to query")
        return
    batch_size = min(settings["batch_size"], learner.n_unlabelled)
    if args.examples is not None:
        idx, what = _query_by_example(args, learner, settings, pool, batch_size)
    else:
        idx, what = learner.query(batch_size), "next"
    ids = pool.ids
    header = ["row"] + (["id"] if ids else []) + pool.columns + ["label"]
    rows = [[int(i)] + ([ids[i]] if ids else []) + pool.cells[i] + [""] for i in idx]
    write_csv(Path(args.output), header, rows)
    shown = ", ".join(str(ids[i] if ids else i) for i in idx)
    print(
        f"{learner.n_labelled} of {learner.n_pool} rows labelled; label these "
        f"{len(idx)} {'ids' if ids else 'rows'} {what}: {shown}\n"
        f"written to {args.output}: fill in its 'label' column, then run "
        f"`skactive teach --pool {args.pool} --session {args.session} "
        f"--labels {args.output}`"
    )


def _read_examples(path, settings, pool):
    """The examples of ``--examples``: pool rows (a 'row' column) or samples
    with the pool's feature columns (in a text session, its text column)."""
    from ._io import read_table
    from ._pool import read_like_pool

    header, rows = read_table(path)
    if not rows:
        raise CLIError(f"--examples {path}: no rows below the header")
    if "row" not in header:
        return read_like_pool(path, settings, pool).X
    r = header.index("row")
    try:
        numbers = np.array([int(row[r]) for row in rows], dtype=int)
    except ValueError:
        raise CLIError(
            f"--examples {path}: the 'row' column must hold pool row numbers"
        ) from None
    if numbers.min() < 0 or numbers.max() >= pool.n_rows:
        raise CLIError(
            f"--examples {path}: row numbers must be in [0, {pool.n_rows - 1}]"
        )
    return pool.X[numbers]


def _query_by_example(args, learner, settings, pool, batch_size):
    """This query's rows by :class:`skactive.QueryByExample` over the
    session's model, and how to say so."""
    from sklearn.frozen import FrozenEstimator

    from skactive import QueryByExample

    examples = _read_examples(args.examples, settings, pool)
    labelled = learner.labelled_classes
    if labelled.shape[0] < 2:
        raise CLIError(
            f"--examples: the session {args.session} has labels of "
            f"{labelled.shape[0]} class{'es' if labelled.shape[0] != 1 else ''}; "
            "its model (whose features place the neighbours) needs 2: label "
            "rows with `skactive query` and `skactive teach` first"
        )
    model = learner.fit_model().strategy_.estimator_
    strategy = QueryByExample(
        FrozenEstimator(model),
        examples=examples,
        batch_size=batch_size,
        random_state=settings["seed"],
    )
    strategy.fit(pool.X[learner.labelled_indices], learner.labels)
    idx = strategy.query(pool.X, candidates=learner.unlabelled_indices)
    n = len(examples)
    return idx, f"(neighbours of the {n} example{'s' if n != 1 else ''})"


def cmd_suspicious(args) -> None:
    from ._io import write_csv

    learner, _, pool = _open_session(args)
    labelled = learner.labelled_classes
    if labelled.shape[0] < 2:
        raise CLIError(
            f"the session {args.session} has labels of {labelled.shape[0]} "
            f"class{'es' if labelled.shape[0] != 1 else ''}: checking labels "
            "needs a model, which needs 2"
        )
    counts = np.unique(learner.labels, return_counts=True)[1]
    if counts.max() < args.cv:
        raise CLIError(
            f"--cv {args.cv}: no class has {args.cv} labels yet (the most is "
            f"{counts.max()}); label more rows, or give fewer folds"
        )
    with warnings.catch_warnings():
        # classes with fewer labels than folds: said in --help and the docs
        warnings.simplefilter("ignore", UserWarning)
        issues = learner.suspicious_labels(n=args.n, cv=args.cv)
    ids = pool.ids
    header = (
        ["row"] + (["id"] if ids else [])
        + ["given_label", "suggested_label", "score"] + pool.columns + ["label"]
    )  # fmt: skip
    rows = [
        [int(i)] + ([ids[i]] if ids else [])
        + [str(given), str(suggested), f"{score:.4f}"] + pool.cells[i] + [str(given)]
        for i, given, suggested, score in zip(
            issues.indices, issues.labels, issues.suggested_labels, issues.scores
        )
    ]  # fmt: skip
    write_csv(Path(args.output), header, rows)
    which = (
        f"the {len(issues)} of lowest label quality"
        if args.n is not None
        else f"{len(issues)} look wrong"
    )
    print(
        f"of {learner.n_labelled} labels, {which} (confident learning, "
        f"{args.cv}-fold; about {issues.n_estimated} wrong labels estimated)\n"
        f"written to {args.output}: check each row, correct its 'label' where "
        "it is wrong, then run `skactive teach --pool "
        f"{args.pool} --session {args.session} --labels {args.output} --relabel`"
    )


def cmd_teach(args) -> None:
    from ._io import read_table, unquote_cell

    learner, _, _ = _open_session(args)
    header, rows = read_table(args.labels)
    for column in ("row", "label"):
        if column not in header:
            raise CLIError(f"{args.labels}: no {column!r} column")
    r, lab = header.index("row"), header.index("label")
    pairs = [
        (row[r].strip(), unquote_cell(row[lab].strip()))
        for row in rows
        if row[lab].strip()
    ]
    try:
        indices = np.array([int(i) for i, _ in pairs], dtype=int)
    except ValueError as exc:
        raise CLIError(f"{args.labels}: the 'row' column must hold integers") from exc
    if learner.is_regression:
        labels = _numeric_labels(args.labels, pairs)
    else:
        labels = np.array([label for _, label in pairs], dtype=object)
    if indices.size and (indices.min() < 0 or indices.max() >= learner.n_pool):
        raise CLIError(
            f"{args.labels}: row numbers must be in [0, {learner.n_pool - 1}]"
        )
    if len(set(indices.tolist())) != len(indices):
        raise CLIError(f"{args.labels}: a row is labelled twice")
    known = dict(zip(learner.labelled_indices.tolist(), learner.labels.tolist()))
    new = np.array([i not in known for i in indices], dtype=bool)
    # numbers compare as numbers (2.50 is 2.5), class labels as text
    same = (lambda a, b: a == b) if learner.is_regression else (
        lambda a, b: str(a) == str(b)
    )  # fmt: skip
    changed = np.array(
        [i in known and not same(known[i], v) for i, v in zip(indices, labels)],
        dtype=bool,
    )
    if changed.any() and not args.relabel:
        i = indices[changed][0]
        raise CLIError(
            f"row {i} is already labelled {known[i]!r}; the file says "
            f"{labels[changed].tolist()[0]!r} (use --relabel to change labels)"
        )
    kind = float if learner.is_regression else str
    if new.any():
        learner.teach(indices[new], labels[new].astype(kind))
    if changed.any():
        learner.teach(indices[changed], labels[changed].astype(kind), relabel=True)
    print(
        f"taught {int(new.sum())} new and {int(changed.sum())} changed labels "
        f"({len(pairs) - int(new.sum()) - int(changed.sum())} already known); "
        f"{learner.n_labelled} of {learner.n_pool} rows labelled, saved to "
        f"{args.session}"
    )


def _numeric_labels(path, pairs) -> np.ndarray:
    """The labels of a regression session's labels file, as finite floats."""
    values = []
    for row, label in pairs:
        try:
            value = float(label)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value):
            raise CLIError(
                f"{path}: row {row} is labelled {label!r:.40}, and a regression "
                "session's labels are finite numbers"
            )
        values.append(value)
    return np.array(values, dtype=np.float64)


def cmd_status(args) -> None:
    if args.pool is not None:
        learner, settings, _ = _open_session(args)
        print(repr(learner))
    else:
        from skactive.loop import read_session

        from ._registry import model_task

        settings = _settings(args, create=False)
        content = read_session(args.session)
        n_labelled = content.indices.shape[0]
        pct = 100.0 * n_labelled / content.n_pool
        head = (
            f"session {args.session}\n"
            f"  pool: {content.n_pool:,} rows; labelled: {n_labelled:,} "
            f"({pct:.1f}%) in {len(content.rounds)} rounds"
        )
        if model_task(settings["model"]) == "regression":
            t = content.target_summary()
            labels = (
                f"  labels: {t['n_labels']:,} in [{t['min']:.4g}, {t['max']:.4g}], "
                f"mean {t['mean']:.4g}, std {t['std']:.4g}"
                if t["n_labels"]
                else "  labels: none yet"
            )
            print(f"{head}, real-valued labels\n{labels}")
        else:
            n_classes = np.unique(content.labels).shape[0]  # as repr(learner)
            counts = ", ".join(f"{c!r}: {n}" for c, n in content.class_counts().items())
            print(
                f"{head}, {n_classes} class{'es' if n_classes != 1 else ''}\n"
                f"  labels per class: {{{counts}}}"
            )
        print("  model: not fitted (give --pool to fit it and check the pool)")
    text = settings["text_column"]
    print(
        f"strategy {settings['strategy']}, model {settings['model']}, "
        f"batch size {settings['batch_size']}"
        + (f", text column {text}" if text else "")
    )


def cmd_export(args) -> None:
    from ._io import write_csv

    if args.pool is not None:
        learner, _, pool = _open_session(args)
        indices, labels, ids = learner.labelled_indices, learner.labels, pool.ids
    else:
        from skactive.loop import read_session

        _settings(args, create=False)
        content = read_session(args.session)
        indices, labels, ids = content.indices, content.labels, None
    order = np.argsort(indices, kind="stable")
    header = ["row"] + (["id"] if ids else []) + ["label"]
    rows = [
        [int(indices[k])] + ([ids[indices[k]]] if ids else []) + [labels[k]]
        for k in order
    ]
    write_csv(Path(args.output), header, rows)
    print(f"{len(rows)} labels written to {args.output}")


def cmd_predict(args) -> None:
    from ._io import write_csv
    from ._pool import read_like_pool

    learner, settings, pool = _open_session(args)
    new = read_like_pool(args.input, settings, pool)
    if learner.is_regression:
        _predict_regression(args, learner, settings, new)
        return
    labelled = learner.labelled_classes.tolist()
    if len(labelled) < 2:
        raise CLIError(
            f"the session {args.session} has labels of {len(labelled)} "
            f"class{'es' if len(labelled) != 1 else ''} "
            f"({', '.join(map(str, labelled)) or 'none'}): the model needs 2; "
            "label more rows with `skactive query` and `skactive teach`"
        )
    model = learner.fit_model().strategy_
    prediction = model.predict(new.X)
    header = ["row"] + (["id"] if new.ids else []) + ["prediction"]
    proba = None
    if hasattr(model, "predict_proba"):
        # a column per class of the session (its declared set, if any): a
        # class not labelled yet has probability 0
        header += [f"proba_{c}" for c in learner.classes]
        columns = np.searchsorted(learner.classes, model.classes_)
        proba = np.zeros((new.n_rows, learner.classes.shape[0]))
        proba[:, columns] = model.predict_proba(new.X)
    rows = [
        [r] + ([new.ids[r]] if new.ids else []) + [prediction[r]]
        + ([] if proba is None else [repr(float(p)) for p in proba[r]])
        for r in range(new.n_rows)
    ]  # fmt: skip
    write_csv(Path(args.output), header, rows)
    print(
        f"{new.n_rows} rows of {args.input} predicted by --model "
        f"{settings['model']} fitted on {learner.n_labelled} labels, written to "
        f"{args.output}"
    )


def _predict_regression(args, learner, settings, new) -> None:
    """A regression session's predictions, with the model's predictive std
    when it gives one."""
    from skactive.utils import predict_mean_std

    from ._io import write_csv

    if learner.n_labelled < 2:
        raise CLIError(
            f"the session {args.session} has {learner.n_labelled} label"
            f"{'s' if learner.n_labelled != 1 else ''}: the model needs 2; "
            "label more rows with `skactive query` and `skactive teach`"
        )
    model = learner.fit_model().strategy_
    try:
        prediction, std = predict_mean_std(model.estimator_, new.X)
    except TypeError:  # no predictive uncertainty (a plain regressor)
        prediction, std = model.predict(new.X), None
    header = ["row"] + (["id"] if new.ids else []) + ["prediction"]
    header += [] if std is None else ["std"]
    rows = [
        [r] + ([new.ids[r]] if new.ids else []) + [repr(float(prediction[r]))]
        + ([] if std is None else [repr(float(std[r]))])
        for r in range(new.n_rows)
    ]  # fmt: skip
    write_csv(Path(args.output), header, rows)
    print(
        f"{new.n_rows} rows of {args.input} predicted by --model "
        f"{settings['model']} fitted on {learner.n_labelled} labels, written to "
        f"{args.output}"
    )
