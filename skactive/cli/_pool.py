"""The pool of a command-line session, and new samples read like it.

A session's settings give the columns their roles: ``id_column`` names the
rows, ``label_column`` is ignored, ``text_column`` is the one column a text
model reads; every other column is a numeric feature (or, in a text
session, shown to the annotator only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._io import read_table, to_float
from ._registry import CLIError

# The columns of the labels file that `skactive teach` reads back.
_RESERVED = ("row", "label")


@dataclass
class Table:
    """Samples read from a CSV or Parquet file for a session.

    ``X`` is what the model reads: a float array of the feature columns, or
    an object array of the texts in a text session. ``columns`` and
    ``cells`` are the columns shown to the annotator (all but the id and
    label columns) with their cells as read; ``ids`` the id column's cells.
    """

    path: str
    X: np.ndarray
    columns: list
    cells: list
    ids: list | None

    @property
    def n_rows(self) -> int:
        return len(self.cells)


def read_pool(path, settings: dict) -> Table:
    """The pool file of a session; its id and text columns must be there."""
    header, rows = read_table(path)
    if not rows:
        raise CLIError(f"{path}: no rows below the header: the pool is empty")
    for key in ("id_column", "label_column", "text_column"):
        name = settings.get(key)
        if name is not None and name not in header:
            flag = "--" + key.replace("_", "-")
            raise CLIError(
                f"{path}: no column {name!r} ({flag}); columns: {', '.join(header)}"
            )
    shown = _shown_columns(header, settings)
    if not shown:
        raise CLIError(f"{path}: no feature columns")
    for name in _RESERVED:
        if name in shown:
            raise CLIError(
                f"{path}: a feature column is named {name!r}, as a column of the "
                "labels file; give it with --label-column to ignore it, or rename it"
            )
    hint = (
        "if it holds text, give --text-column {column}; if it names the rows "
        "or holds labels, --id-column {column} or --label-column {column}"
    )
    return _table(path, header, rows, shown, settings, hint)


def read_like_pool(path, settings: dict, pool: Table) -> Table:
    """New samples with the pool's columns (``skactive predict --input``).

    The id and label columns are optional; the feature columns (in a text
    session, the text column) must be the pool's, in any order.
    """
    header, rows = read_table(path)
    text = settings.get("text_column")
    if text is not None:
        if text not in header:
            raise CLIError(f"{path}: no text column {text!r}, which the model reads")
        shown = _shown_columns(header, settings)
    else:
        shown = _shown_columns(header, settings)
        missing = [c for c in pool.columns if c not in shown]
        extra = [c for c in shown if c not in pool.columns]
        problems = [
            f"{what} {', '.join(map(repr, names))}"
            for what, names in (("missing", missing), ("not in the pool", extra))
            if names
        ]
        if problems:
            raise CLIError(
                f"{path}: the feature columns differ from the pool's "
                f"({', '.join(pool.columns)}): {'; '.join(problems)}"
            )
        shown = list(pool.columns)
    if not rows:
        raise CLIError(f"{path}: no rows to predict")
    hint = f"the model reads numbers, as in the pool {pool.path}"
    return _table(path, header, rows, shown, settings, hint)


def _shown_columns(header, settings) -> list:
    skip = {settings.get("id_column"), settings.get("label_column")}
    return [c for c in header if c not in skip]


def _table(path, header, rows, shown, settings, hint) -> Table:
    text = settings.get("text_column")
    if text is not None:
        i = header.index(text)
        X = np.empty(len(rows), dtype=object)
        X[:] = [row[i] for row in rows]
    else:
        X = to_float(path, header, rows, shown, hint)
    index = [header.index(c) for c in shown]
    id_column = settings.get("id_column")
    ids = (
        [row[header.index(id_column)] for row in rows]
        if id_column is not None and id_column in header
        else None
    )
    return Table(
        path=str(path),
        X=X,
        columns=shown,
        cells=[[row[i] for i in index] for row in rows],
        ids=ids,
    )
