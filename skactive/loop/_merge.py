"""Optimistic concurrency for session files: merge another writer's labels.

A session remembers, for each file it read or wrote, what the file held
then (:class:`Base`: its digest, labels and number of rounds). A save, under
the file's lock, reads the file again; if its digest changed, another
process saved in between, and :func:`merge_sessions` combines both:

- labels of rows that only one side changed since the base are kept, from
  that side (rows labelled elsewhere become labelled here too);
- a row both sides labelled, with the same label, is one label;
- a row both sides labelled differently is a conflict: nothing is saved
  (:class:`~skactive.exceptions.SessionConflictError` names the rows);
- a label is never dropped: a row labelled here and missing from the file
  (a hand-edited or restored file) is written again;
- the history is the file's rounds followed by this session's new ones.

A file on another pool, with another label set or labels of another kind
is a conflict too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..exceptions import SessionConflictError
from ._persist import SessionFile, label_kind

__all__ = ["Base", "merge_sessions"]

_MISSING = object()


@dataclass(frozen=True)
class Base:
    """What a session last read from, or wrote to, one session file."""

    digest: str
    fingerprint: str
    indices: np.ndarray
    labels: np.ndarray
    n_rounds: int

    @classmethod
    def of(cls, content: SessionFile) -> Base:
        return cls(
            digest=content.digest,
            fingerprint=content.fingerprint,
            indices=content.indices,
            labels=content.labels,
            n_rounds=len(content.rounds),
        )


def _label_map(indices: np.ndarray, labels: np.ndarray) -> dict:
    return dict(zip(indices.tolist(), labels.tolist()))


def _label_array(values: list, *arrays: np.ndarray) -> np.ndarray:
    """``values`` as a label array of the kind of the non-empty ``arrays``."""
    arrays = [a for a in arrays if a.size]
    if not arrays:
        return np.asarray(values)
    if any(a.dtype.kind == "O" for a in arrays):
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    if arrays[0].dtype.kind in "US":
        return np.array(values, dtype=str)
    return np.array(values, dtype=np.result_type(*arrays))


def _check_compatible(ours: SessionFile, theirs: SessionFile, base, shown) -> None:
    pools = {ours.fingerprint} | ({base.fingerprint} if base is not None else set())
    if theirs.n_pool != ours.n_pool or theirs.fingerprint not in pools:
        raise SessionConflictError(
            f"{shown} now holds a session on another pool ({theirs.n_pool} rows, "
            f"saved with {theirs.strategy_repr:.60}), written since this session "
            "last read it: nothing was saved. Save to another path, or remove "
            "that file if it is not needed."
        )
    declared = [
        None if c is None else np.asarray(c).tolist()
        for c in (ours.settings["classes"], theirs.settings["classes"])
    ]
    if declared[0] != declared[1]:
        raise SessionConflictError(
            f"{shown} was saved since this session read it with another label "
            f"set ({declared[1]!r}; this session: {declared[0]!r}): nothing was "
            "saved."
        )
    if (
        ours.labels.size
        and theirs.labels.size
        and label_kind(ours.labels) != label_kind(theirs.labels)
    ):
        raise SessionConflictError(
            f"{shown} was saved since this session read it with labels that "
            f"are {label_kind(theirs.labels)}s, and this session's are "
            f"{label_kind(ours.labels)}s: nothing was saved."
        )


def merge_sessions(
    ours: SessionFile, theirs: SessionFile, base: Base | None, shown
) -> tuple[SessionFile, bool]:
    """This session's content merged with what another writer saved.

    Parameters
    ----------
    ours : SessionFile
        This session's content, to be saved.
    theirs : SessionFile
        The file as it is now.
    base : Base or None
        The file as this session last saw it (``None``: never).
    shown : str
        The file's name, for errors.

    Returns
    -------
    merged : SessionFile
        ``ours`` with the other writer's labels and rounds.
    changed : bool
        Whether ``merged`` holds labels that ``ours`` does not.

    Raises
    ------
    SessionConflictError
        Rows labelled differently by both writers, or a file on another pool,
        with another label set or labels of another kind.
    """
    _check_compatible(ours, theirs, base, shown)
    base_map = {} if base is None else _label_map(base.indices, base.labels)
    their_map = _label_map(theirs.indices, theirs.labels)
    our_map = _label_map(ours.indices, ours.labels)
    ours_changed = {
        row: label
        for row, label in our_map.items()
        if base_map.get(row, _MISSING) != label
    }
    conflicts = sorted(
        row
        for row, label in ours_changed.items()
        if row in their_map
        and their_map[row] != label
        and their_map[row] != base_map.get(row, _MISSING)
    )
    if conflicts:
        shown_rows = "; ".join(
            f"row {row}: {their_map[row]!r} there, {our_map[row]!r} here"
            for row in conflicts[:5]
        )
        more = f" (and {len(conflicts) - 5} more)" if len(conflicts) > 5 else ""
        raise SessionConflictError(
            f"{shown} was saved by another writer since this session read it, "
            f"with other labels for {len(conflicts)} "
            f"row{'s' if len(conflicts) != 1 else ''}: {shown_rows}"
            f"{more}. Nothing was saved; load the session again to see the other "
            "labels, then teach with relabel=True (--relabel) those to change.",
            rows=conflicts,
        )
    order = theirs.indices.tolist()
    values = [ours_changed.get(row, their_map[row]) for row in order]
    for row in ours.indices.tolist():
        if row not in their_map:
            order.append(row)
            values.append(our_map[row])
    changed = len(order) != len(our_map) or any(
        our_map.get(row, _MISSING) != value for row, value in zip(order, values)
    )
    n_base = 0 if base is None else min(base.n_rounds, len(ours.rounds))
    appended = ours.rounds[n_base:]
    in_new_rounds = set()
    for entry in appended:
        in_new_rounds.update(entry["indices"].tolist())
    labelled = set(their_map) | (set(our_map) - in_new_rounds)
    rounds = list(theirs.rounds)
    for entry in appended:
        labelled.update(entry["indices"].tolist())
        rounds.append({**entry, "n_labels": len(labelled)})
    merged = SessionFile(
        n_pool=ours.n_pool,
        pool_shape=ours.pool_shape,
        fingerprint=ours.fingerprint,
        strategy_class=ours.strategy_class,
        strategy_repr=ours.strategy_repr,
        settings=ours.settings,
        indices=np.array(order, dtype=np.intp),
        labels=_label_array(values, theirs.labels, ours.labels),
        rounds=rounds,
        model=ours.model,
        strategy_state=ours.strategy_state,
    )
    return merged, changed
