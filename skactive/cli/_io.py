"""Reading tables (CSV, Parquet) and writing results for the command line."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np

from ..loop import atomic_write_bytes
from ._registry import BUNDLED, CLIError


def read_table(path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file (or a Parquet file, through pandas)."""
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"no such file: {path}")
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            import pandas as pd

            frame = pd.read_parquet(path)
        except ImportError as exc:
            raise CLIError(
                f"reading {path.name} needs pandas and pyarrow: {exc}"
            ) from exc
        return [str(c) for c in frame.columns], frame.astype(str).values.tolist()
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = [row for row in csv.reader(f) if row]
    except UnicodeDecodeError as exc:
        raise CLIError(f"{path} is not a UTF-8 CSV file") from exc
    if not rows:
        raise CLIError(f"{path} is empty: expected a header row and data rows")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise CLIError(
                f"{path}, line {i}: {len(row)} fields, but the header has {len(header)}"
            )
    return header, body


def to_float(path, header, rows, columns, hint: str) -> np.ndarray:
    """The given columns of a table as a float array.

    A cell that is not a number is a :class:`CLIError` naming its column and
    row (counted from 0 below the header, as the ``row`` column of
    ``skactive query``), followed by ``hint``: what the user can do, with
    ``{column}`` replaced by the column's name.
    """
    index = [header.index(c) for c in columns]
    try:
        return np.array([[float(row[i]) for i in index] for row in rows], dtype=float)
    except ValueError:
        column, r, value = next(
            (column, r, row[i])
            for column, i in zip(columns, index)
            for r, row in enumerate(rows)
            if not _is_number(row[i])
        )
    raise CLIError(
        f"{path}: feature columns must be numeric, and column {column!r} holds "
        f"{value!r:.40} (row {r}); {hint.replace('{column}', column)}"
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_dataset(name: str, label_column: str | None):
    """A bundled data set by name, or a CSV/Parquet file with a label column."""
    if name in BUNDLED:
        return BUNDLED[name](return_X_y=True)
    if not Path(name).suffix:
        raise CLIError(
            f"unknown dataset {name!r}; choose from: {', '.join(sorted(BUNDLED))}, "
            "or give a .csv / .parquet file"
        )
    header, rows = read_table(name)
    label = label_column or header[-1]
    if label not in header:
        raise CLIError(f"{name}: no column {label!r} (columns: {', '.join(header)})")
    if len(rows) < 10:
        raise CLIError(f"{name}: {len(rows)} rows is too few to simulate")
    features = [c for c in header if c != label]
    y = np.array([row[header.index(label)] for row in rows])
    hint = f"if it holds the labels, give --label-column {{column}} (now {label!r})"
    return to_float(name, header, rows, features, hint), y


# A numeric label column of integers with more distinct values than this is
# a regression target (counts, prices in whole units); with fewer, classes.
MAX_CLASSES = 20


def numeric_target(y) -> np.ndarray | None:
    """The labels as floats, or ``None`` if one of them is not a number."""
    try:
        values = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return values if np.isfinite(values).all() else None


def detect_task(y) -> str:
    """``"regression"`` when every label is a number and either one of them
    is not an integer or there are more than :data:`MAX_CLASSES` distinct
    values; ``"classification"`` otherwise (``--task`` overrides it)."""
    values = numeric_target(y)
    if values is None:
        return "classification"
    if not np.all(values == np.round(values)):
        return "regression"
    if np.unique(values).shape[0] > MAX_CLASSES:
        return "regression"
    return "classification"


def write_text(path: Path, text: str) -> None:
    """Write a file atomically; a device or a pipe (``--output /dev/stdout``)
    is written to as it is, never replaced."""
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"{path} is a folder: give a file name")
    if path.exists() and not path.is_file():
        with path.open("wb") as f:
            f.write(text.encode("utf-8"))
        return
    atomic_write_bytes(path, text.encode("utf-8"))


# A cell starting with one of these is a formula to a spreadsheet (CSV
# injection): ``=HYPERLINK(...)``, ``@SUM(...)``, ``+cmd|...``; a tab or a
# carriage return hides such a start from some importers.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(cell):
    """A cell as a spreadsheet shows it, never runs it.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading single quote (as OWASP recommends, and as
    spreadsheets mark text), unless it is a plain number such as ``-1.5``
    or ``+2e3``, which stays a number. Other values (numbers) are unchanged.
    """
    if (
        isinstance(cell, str)
        and cell.startswith(_FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(cell)
    ):
        return "'" + cell
    return cell


def unquote_cell(text: str) -> str:
    """Undo :func:`neutralise_cell` on a cell read back (a label)."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS):
        return text[1:]
    return text


def write_csv(path: Path, header, rows) -> None:
    """Write a CSV file atomically; text cells are neutralised for
    spreadsheets (:func:`neutralise_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise_cell(cell) for cell in header])
    writer.writerows([neutralise_cell(cell) for cell in row] for row in rows)
    write_text(path, buffer.getvalue())


def write_json(path: Path, payload) -> None:
    write_text(path, json.dumps(payload, indent=2, default=float) + "\n")
