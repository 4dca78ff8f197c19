"""Whether a scikit-learn search is varying a strategy's query parameters.

A query strategy's ``score`` is its model's accuracy, which a parameter of
how it queries (``method``, ``batch_size``...) does not change. A search that
varies such a parameter and scores with ``score`` ties every candidate and
silently keeps the first. scikit-learn hands ``score`` neither the search nor
its parameters, so they are read from the frame of
``sklearn.model_selection._validation._fit_and_score``, whose ``parameters``
argument holds the candidate's parameters (it has had that name since
scikit-learn 0.18). If the frame is not found, nothing is reported.
"""

from __future__ import annotations

import sys

_MAX_DEPTH = 40


def searched_query_params(strategy) -> list[str]:
    """The candidate's parameters of a running search that only change queries.

    Parameters
    ----------
    strategy : BaseQueryStrategy
        The strategy whose ``score`` is being called.

    Returns
    -------
    names : list of str
        Names, as the search gives them (``"method"``, ``"al__batch_size"``),
        of the searched parameters that belong to ``strategy`` itself (not
        its ``estimator``, nor the estimator's parameters); empty outside a
        search.
    """
    frame = sys._getframe(1)
    for _ in range(_MAX_DEPTH):
        if frame is None:
            return []
        if frame.f_code.co_name == "_fit_and_score" and frame.f_globals.get(
            "__name__", ""
        ).startswith("sklearn.model_selection"):
            break
        frame = frame.f_back
    else:
        return []
    parameters = frame.f_locals.get("parameters")
    searched_estimator = frame.f_locals.get("estimator")
    if not isinstance(parameters, dict) or searched_estimator is None:
        return []
    nested = searched_estimator.get_params(deep=True)
    own = set(strategy.get_params(deep=False)) - {"estimator"}
    searched = []
    for name in parameters:
        prefix, _, last = name.rpartition("__")
        owner = nested.get(prefix) if prefix else searched_estimator
        if owner is strategy and last in own:
            searched.append(name)
    return sorted(searched)
