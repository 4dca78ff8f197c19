"""Checks that a query strategy follows scikit-learn's and skactive's rules.

For people who write their own strategies, as scikit-learn's
:mod:`sklearn.utils.estimator_checks` is for estimators. skactive runs the
same checks on every strategy it ships (``tests/test_common.py``).

- :func:`parametrize_with_checks`: a pytest decorator that runs
  scikit-learn's estimator checks and skactive's query checks, one test per
  check and strategy;
- :func:`check_strategy`: the same checks in a plain loop (a notebook, a
  script);
- :func:`strategy_checks_generator`: the ``(strategy, check)`` pairs behind
  both;
- the query checks themselves, ``check_*(name, strategy)``: each clones the
  strategy, fits it on a small seeded problem (three classes for a
  classifier, a noisy linear target for a regressor, on the same samples)
  and asserts one property of ``query``;
- the protocol checks of committees and Bayesian models:
  ``predict_proba_samples`` (classifiers), ``predict_samples`` and
  ``predict(X, return_std=True)`` (regressors).

The query checks need only the public API of a strategy (``fit``,
``query``, ``utility`` where the strategy has a pointwise utility) and its
common parameters (``batch_size``, ``random_state``, ``chunk_size``,
``n_jobs``, ``pool_subsample``).
"""

from __future__ import annotations

import functools
import re
import warnings
from unittest import SkipTest

import numpy as np
from sklearn.base import clone, is_regressor
from sklearn.exceptions import NotFittedError, SkipTestWarning

from ._regression import has_predictive_std, supports_return_std

__all__ = [
    "check_pool_subsample",
    "check_predict_proba_samples",
    "check_predict_return_std",
    "check_predict_samples",
    "check_query_adds_no_attributes",
    "check_query_before_fit",
    "check_query_candidates",
    "check_query_does_not_modify_pool",
    "check_query_independent_of_chunk_size_and_n_jobs",
    "check_query_is_reproducible",
    "check_query_returns_unique_indices",
    "check_strategy",
    "check_utility_matches_query",
    "parametrize_with_checks",
    "strategy_checks_generator",
]


@functools.cache
def _data(regression: bool = False):
    """A seeded problem: 60 labelled samples and a pool of 200.

    Three classes, or (``regression=True``) a noisy linear target of the
    same samples, so that the pool is the same for both tasks.
    """
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=260, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    if regression:
        rng = np.random.RandomState(0)
        y = X @ rng.normal(size=X.shape[1]) + 0.3 * rng.normal(size=X.shape[0])
    X.setflags(write=False)
    y.setflags(write=False)
    return X[:60], y[:60], X[60:]


def _fitted(strategy_orig, **params):
    X, y, _ = _data(is_regressor(strategy_orig))
    return clone(strategy_orig).set_params(**params).fit(X.copy(), y.copy())


def _pool():
    return _data()[2].copy()


def _is_strategy(estimator) -> bool:
    return hasattr(estimator, "query") and hasattr(estimator, "fit")


# --------------------------------------------------------------- the checks
def check_query_before_fit(name, strategy_orig):
    """``query`` on an unfitted strategy raises ``NotFittedError``.

    Parameters
    ----------
    name : str
        The strategy's name, for the messages.
    strategy_orig : QueryStrategy
        The strategy to check (cloned, not modified).
    """
    try:
        clone(strategy_orig).query(_pool())
    except NotFittedError:
        return
    except Exception as exc:
        raise AssertionError(
            f"{name}.query before fit raised {type(exc).__name__} ({exc}); "
            "expected sklearn.exceptions.NotFittedError."
        ) from exc
    raise AssertionError(f"{name}.query before fit did not raise NotFittedError.")


def check_query_returns_unique_indices(name, strategy_orig):
    """``query`` returns ``batch_size`` distinct integer indices into the pool.

    Also checks that ``query(X_pool, batch_size=k)`` overrides the
    ``batch_size`` parameter.

    Parameters
    ----------
    name : str
        The strategy's name, for the messages.
    strategy_orig : QueryStrategy
        The strategy to check (cloned, not modified).
    """
    strategy = _fitted(strategy_orig, batch_size=7, random_state=0)
    X_pool = _pool()
    idx = np.asarray(strategy.query(X_pool))
    assert idx.shape == (7,), (
        f"{name}.query with batch_size=7 returned shape {idx.shape}; expected (7,)."
    )
    assert np.issubdtype(idx.dtype, np.integer), (
        f"{name}.query returned {idx.dtype} indices; expected integers."
    )
    assert np.unique(idx).shape[0] == 7, (
        f"{name}.query returned repeated indices: {idx.tolist()}."
    )
    assert idx.min() >= 0 and idx.max() < X_pool.shape[0], (
        f"{name}.query returned indices outside [0, {X_pool.shape[0]}): {idx.tolist()}."
    )
    shape = np.shape(strategy.query(X_pool, batch_size=3))
    assert shape == (3,), (
        f"{name}.query(X_pool, batch_size=3) returned shape {shape}; expected (3,)."
    )


def check_query_does_not_modify_pool(name, strategy_orig):
    """``query`` leaves the pool as it was (and works on a read-only pool).

    Parameters
    ----------
    name : str
        The strategy's name, for the messages.
    strategy_orig : QueryStrategy
        The strategy to check (cloned, not modified).
    """
    strategy = _fitted(strategy_orig, batch_size=5, random_state=0)
    X_pool = _pool()
    before = X_pool.copy()
    strategy.query(X_pool)
    np.testing.assert_array_equal(
        X_pool, before, err_msg=f"{name}.query modified the pool."
    )
    X_pool.setflags(write=False)
    strategy.query(X_pool)


def check_query_is_reproducible(name, strategy_orig):
    """With an int ``random_state``, queries are the same every time.

    The same fitted strategy queried twice, and a second clone fitted on the
    same data, return the same indices.

    Parameters
    ----------
    name : str
        The strategy's name, for the messages.
    strategy_orig : QueryStrategy
        The strategy to check (cloned, not modified).
    """
    strategy = _fitted(strategy_orig, batch_size=5, random_state=3)
    X_pool = _pool()
    first = strategy.query(X_pool)
    np.testing.assert_array_equal(
        first,
        strategy.query(X_pool),
        err_msg=f"{name}.query returned other indices the second time.",
    )
    np.testing.assert_array_equal(
        first,
        _fitted(strategy_orig, batch_size=5, random_state=3).query(X_pool),
        err_msg=f"{name}: two clones fitted alike queried other indices.",
    )


def check_query_adds_no_attributes(name, strategy_orig):
    """``query`` sets no attribute on the strategy: all it learns, it learns in
    ``fit``.

    Parameters
    ----------
    name : str
        The strategy's name, for the messages.
    strategy_orig : QueryStrategy
        The strategy to check (cloned, not modified).
    """
    strategy = _fitted(strategy_orig, batch_size=5, random_state=3)
    before = set(vars(strategy))
    strategy.query(_pool())
    added = sorted(set(vars(strategy)) - before)
    removed = sorted(before - set(vars(strategy)))
    assert not added and not removed, (
        f"{name}.query changed the strategy's attributes: added {added}, "
        f"removed {removed}. Learn in fit; keep per-query state local."
    )


def check_query_independent_of_chunk_size_and_n_jobs(name, strategy_orig):
    """The selected indices do not depend on ``chunk_size`` or ``n_jobs``.

    Parameters
    ----------
    name : str
        The strategy's name, for the messages.
    strategy_orig : QueryStrategy
        The strategy to check (cloned, not modified).
    """
    strategy = _fitted(strategy_orig, batch_size=9, random_state=1)
    X_pool = _pool()
    expected = strategy.query(X_pool)
    for chunk_size, n_jobs in [(1, 1), (13, 2), (50, 2), (10_000, None)]:
        strategy.set_params(chunk_size=chunk_size, n_jobs=n_jobs)
        np.testing.assert_array_equal(
            strategy.query(X_pool),
            expected,
            err_msg=(
                f"{name}.query with chunk_size={chunk_size}, n_jobs={n_jobs} "
                "selected other indices than with the defaults."
            ),
        )


def check_pool_subsample(name, strategy_orig):
    """With ``pool_subsample=20``, the batch is drawn from 20 scored samples.

    For a pointwise strategy, exactly 20 utilities are finite and those of
    the selected samples are among them.

    Parameters
    ----------
    name : str
        The strategy's name, for the messages.
    strategy_orig : QueryStrategy
        The strategy to check (cloned, not modified).
    """
    strategy = _fitted(strategy_orig, batch_size=4, pool_subsample=20, random_state=0)
    X_pool = _pool()
    idx = strategy.query(X_pool)
    assert np.unique(idx).shape[0] == 4, (
        f"{name}.query with pool_subsample=20 returned {idx.tolist()}; "
        "expected 4 distinct indices."
    )
    if hasattr(strategy, "utility"):
        _, utilities = strategy.query(X_pool, return_utilities=True)
        n_scored = int(np.isfinite(utilities).sum())
        assert n_scored == 20, (
            f"{name}: {n_scored} finite utilities with pool_subsample=20; "
            "expected 20 (NaN for the samples left out)."
        )
        assert np.isfinite(utilities[idx]).all(), (
            f"{name}.query picked samples outside the subsample."
        )


def check_query_candidates(name, strategy_orig):
    """``candidates=`` restricts the query to those rows, read in place.

    With every other row of the pool as candidates (indices or the same rows
    as a boolean mask), the batch is made of distinct candidates, does not
    depend on the form of ``candidates``, on ``chunk_size`` or on
    ``n_jobs``; a pointwise strategy scores the candidates as it scores a
    copy of those rows, and leaves every other utility ``NaN``.

    Parameters
    ----------
    name : str
        The strategy's name, for the messages.
    strategy_orig : QueryStrategy
        The strategy to check (cloned, not modified).
    """
    strategy = _fitted(strategy_orig, batch_size=5, random_state=0)
    X_pool = _pool()
    rows = np.arange(1, X_pool.shape[0], 2)
    idx = strategy.query(X_pool, candidates=rows)
    assert np.unique(idx).shape[0] == 5 and np.isin(idx, rows).all(), (
        f"{name}.query(X_pool, candidates=rows) returned {idx.tolist()}; "
        "expected 5 distinct rows among the candidates."
    )
    mask = np.zeros(X_pool.shape[0], dtype=bool)
    mask[rows] = True
    for form, params in [
        ("a boolean mask", {}),
        ("chunk_size=7, n_jobs=2", {"chunk_size": 7, "n_jobs": 2}),
    ]:
        strategy.set_params(**params)
        candidates = mask if not params else rows
        again = strategy.query(X_pool, candidates=candidates)
        assert np.array_equal(again, idx), (
            f"{name}.query with candidates as {form} returned {again.tolist()}, "
            f"not {idx.tolist()}."
        )
    if hasattr(strategy, "utility"):
        utilities = strategy.utility(X_pool, candidates=rows)
        assert np.isnan(np.delete(utilities, rows)).all(), (
            f"{name}.utility(X_pool, candidates=rows) scored rows outside rows."
        )
        np.testing.assert_allclose(
            utilities[rows],
            strategy.utility(X_pool[rows]),
            rtol=1e-5,  # float32 models round by the batch they see
            atol=1e-6,
            err_msg=f"{name} scores candidates unlike a copy of the same rows.",
        )


def check_utility_matches_query(name, strategy_orig):
    """A pointwise strategy queries the top of its own ``utility``.

    ``utility(X_pool)`` equals the utilities of ``query(...,
    return_utilities=True)``, the selected samples are in decreasing order of
    utility, and none left out scores higher than one selected. Strategies
    without ``utility`` (batch-aware ones) pass.

    Parameters
    ----------
    name : str
        The strategy's name, for the messages.
    strategy_orig : QueryStrategy
        The strategy to check (cloned, not modified).
    """
    strategy = _fitted(strategy_orig, batch_size=6, random_state=0)
    if not hasattr(strategy, "utility"):
        return
    X_pool = _pool()
    utility = np.asarray(strategy.utility(X_pool))
    assert utility.shape == (X_pool.shape[0],), (
        f"{name}.utility returned shape {utility.shape}; expected ({X_pool.shape[0]},)."
    )
    idx, utilities = strategy.query(X_pool, return_utilities=True)
    np.testing.assert_allclose(
        utilities,
        utility,
        err_msg=f"{name}: query(return_utilities=True) differs from utility().",
    )
    np.testing.assert_array_equal(idx, strategy.query(X_pool))
    chosen = utility[idx]
    assert np.all(np.diff(chosen) <= 0), (
        f"{name}.query did not return its batch best first: utilities "
        f"{chosen.tolist()}."
    )
    rest = np.delete(utility, idx)
    assert rest.size == 0 or chosen.min() >= rest.max(), (
        f"{name}.query left out a sample of utility {rest.max()} for one of "
        f"{chosen.min()}."
    )


def check_predict_proba_samples(name, estimator_orig):
    """``predict_proba_samples`` returns ``(n_samples, n_members, n_classes)``.

    The protocol that committees and Bayesian models share: samples first,
    classes in the order of ``classes_``, each member's probabilities summing
    to one.

    Parameters
    ----------
    name : str
        The estimator's name, for the messages.
    estimator_orig : estimator
        An estimator with ``predict_proba_samples`` (cloned, not modified).
    """
    X, y, X_pool = _data()
    estimator = clone(estimator_orig).fit(X.copy(), y.copy())
    samples = np.asarray(estimator.predict_proba_samples(X_pool[:11].copy()))
    assert samples.ndim == 3 and samples.shape[0] == 11, (
        f"{name}.predict_proba_samples of 11 samples returned shape "
        f"{samples.shape}; expected (11, n_members, n_classes)."
    )
    assert samples.shape[2] == len(estimator.classes_), (
        f"{name}.predict_proba_samples has {samples.shape[2]} columns for "
        f"{len(estimator.classes_)} classes."
    )
    np.testing.assert_allclose(
        samples.sum(axis=2),
        1.0,
        rtol=1e-5,
        err_msg=f"{name}.predict_proba_samples: probabilities do not sum to 1.",
    )


def check_predict_samples(name, estimator_orig):
    """``predict_samples`` returns ``(n_samples, n_members)`` finite predictions.

    The regressors' protocol of committees and Bayesian models: samples
    first, one column per member (or stochastic pass).

    Parameters
    ----------
    name : str
        The estimator's name, for the messages.
    estimator_orig : estimator
        A regressor with ``predict_samples`` (cloned, not modified).
    """
    X, y, X_pool = _data(regression=True)
    estimator = clone(estimator_orig).fit(X.copy(), y.copy())
    samples = np.asarray(estimator.predict_samples(X_pool[:11].copy()))
    assert samples.ndim == 2 and samples.shape[0] == 11 and samples.shape[1] >= 1, (
        f"{name}.predict_samples of 11 samples returned shape {samples.shape}; "
        "expected (11, n_members)."
    )
    assert np.isfinite(samples).all(), (
        f"{name}.predict_samples returned non-finite predictions."
    )


def check_predict_return_std(name, estimator_orig):
    """``predict(X, return_std=True)`` returns ``(mean, std)``, one per sample.

    The standard deviations are finite and non-negative; for a model whose
    ``predict`` is deterministic (two calls agree), the mean is ``predict(X)``.
    A strategy is checked when its fitted estimator gives a standard
    deviation (see :func:`skactive.utils.predict_mean_std`).

    Parameters
    ----------
    name : str
        The estimator's name, for the messages.
    estimator_orig : estimator
        A regressor whose ``predict`` takes ``return_std`` (cloned, not
        modified).
    """
    X, y, X_pool = _data(regression=True)
    estimator = clone(estimator_orig).fit(X.copy(), y.copy())
    if _is_strategy(estimator) and not has_predictive_std(estimator.estimator_):
        return
    rows = X_pool[:11].copy()
    result = estimator.predict(rows, return_std=True)
    assert isinstance(result, tuple) and len(result) == 2, (
        f"{name}.predict(X, return_std=True) returned {type(result).__name__}; "
        "expected a pair (mean, std)."
    )
    mean, std = (np.asarray(a) for a in result)
    assert mean.shape == (11,) and std.shape == (11,), (
        f"{name}.predict(X, return_std=True) of 11 samples returned shapes "
        f"{mean.shape} and {std.shape}; expected (11,) and (11,)."
    )
    assert np.isfinite(std).all() and (std >= 0).all(), (
        f"{name}.predict(X, return_std=True): the standard deviations must be "
        f"finite and non-negative, got {std.tolist()}."
    )
    prediction = np.asarray(estimator.predict(rows))
    if np.array_equal(prediction, np.asarray(estimator.predict(rows))):
        np.testing.assert_allclose(
            mean,
            prediction,
            rtol=1e-5,
            atol=1e-6,
            err_msg=f"{name}: predict(X, return_std=True)[0] differs from predict(X).",
        )


_QUERY_CHECKS = (
    check_query_before_fit,
    check_query_returns_unique_indices,
    check_query_does_not_modify_pool,
    check_query_is_reproducible,
    check_query_adds_no_attributes,
    check_query_independent_of_chunk_size_and_n_jobs,
    check_pool_subsample,
    check_query_candidates,
    check_utility_matches_query,
)


# ----------------------------------------------------------------- running them
def _check_name(check) -> str:
    """The name of a check, as in ``expected_failed_checks``."""
    if isinstance(check, functools.partial):
        kwargs = ",".join(f"{k}={v}" for k, v in sorted(check.keywords.items()))
        name = _check_name(check.func)
        return f"{name}({kwargs})" if kwargs else name
    return getattr(check, "__name__", str(check))


def _ids(obj) -> str:
    """Test ids: ``MarginSampling(batch_size=5)``, ``check_fit2d_1sample``."""
    if hasattr(obj, "get_params"):
        text = re.sub(r"\s", "", str(obj))
        name = type(obj).__name__
        # the class name alone for a long repr, or one of another form
        # (skorch's "<class ...>[initialized](...)")
        return text if text.startswith(name) and len(text) <= 80 else name
    return _check_name(obj)


def _query_checks(estimator):
    """skactive's own checks that apply to an estimator."""
    name = type(estimator).__name__
    checks = []
    if _is_strategy(estimator):
        checks += _QUERY_CHECKS
    if hasattr(estimator, "predict_proba_samples"):
        checks.append(check_predict_proba_samples)
    if is_regressor(estimator):
        if hasattr(estimator, "predict_samples"):
            checks.append(check_predict_samples)
        if supports_return_std(estimator):
            checks.append(check_predict_return_std)
    for check in checks:
        yield functools.partial(check, name)


def strategy_checks_generator(
    estimator, *, sklearn_checks=True, expected_failed_checks=None, mark=None
):
    """The checks of an estimator, as ``(estimator, check)`` pairs.

    Every check is called as ``check(estimator)``. First scikit-learn's
    (:func:`sklearn.utils.estimator_checks.estimator_checks_generator`),
    then skactive's: the query checks for a query strategy (an estimator
    with ``fit`` and ``query``), :func:`check_predict_proba_samples` for
    an estimator with ``predict_proba_samples``, and for a regressor
    :func:`check_predict_samples` (with ``predict_samples``) and
    :func:`check_predict_return_std` (when ``predict`` takes
    ``return_std``).

    Parameters
    ----------
    estimator : estimator
        The strategy (or committee, Bayesian model) to check.
    sklearn_checks : bool, default=True
        Include scikit-learn's estimator checks.
    expected_failed_checks : dict of str -> str, default=None
        The checks expected to fail, by name (``"check_fit2d_1sample"``,
        ``"check_query_adds_no_attributes"``), with the reason.
    mark : {"xfail", "skip"} or None, default=None
        With ``"xfail"`` or ``"skip"``, each expected failure is yielded as a
        ``pytest.param`` with that mark (needs pytest); with ``None`` as a
        plain pair.

    Yields
    ------
    estimator : estimator
        The estimator (or a ``pytest.param`` of the pair, see ``mark``).
    check : callable
        ``check(estimator)``, raising on failure.
    """
    expected_failed_checks = expected_failed_checks or {}
    if sklearn_checks:
        # imported here: it loads pytest, which skactive does not need
        from sklearn.utils.estimator_checks import estimator_checks_generator

        yield from estimator_checks_generator(
            estimator,
            legacy=True,
            expected_failed_checks=expected_failed_checks,
            mark=mark,
        )
    for check in _query_checks(estimator):
        reason = expected_failed_checks.get(_check_name(check))
        if reason is None or mark is None:
            yield estimator, check
            continue
        import pytest

        marker = pytest.mark.xfail if mark == "xfail" else pytest.mark.skip
        yield pytest.param(estimator, check, marks=marker(reason=reason))


def parametrize_with_checks(strategies, *, expected_failed_checks=None):
    """Pytest decorator: scikit-learn's and skactive's checks, one test each.

    Like :func:`sklearn.utils.estimator_checks.parametrize_with_checks`,
    with skactive's query checks after scikit-learn's. The decorated test
    takes ``estimator`` and ``check`` and calls ``check(estimator)``.

    Parameters
    ----------
    strategies : list of estimators
        The strategies (and committees, Bayesian models) to check,
        instances with cheap parameters.
    expected_failed_checks : callable, default=None
        ``expected_failed_checks(estimator) -> dict of check name -> reason``:
        the checks that cannot apply to an estimator, marked ``xfail``
        (they still run, and their failure is not an error).

    Returns
    -------
    decorator : pytest.mark.parametrize
        Parametrizes the test over ``(estimator, check)``.

    See Also
    --------
    check_strategy : the same checks without pytest.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import MarginSampling
    >>> from skactive.utils.estimator_checks import parametrize_with_checks
    >>> @parametrize_with_checks([MarginSampling(LogisticRegression())])
    ... def test_my_strategy(estimator, check):
    ...     check(estimator)
    """
    import pytest

    if not isinstance(strategies, list | tuple):
        raise TypeError(
            "strategies must be a list of estimator instances; got "
            f"{type(strategies).__name__}."
        )
    if any(isinstance(s, type) for s in strategies):
        raise TypeError("pass instances of the strategies, not their classes.")

    def pairs():
        for strategy in strategies:
            expected = (
                expected_failed_checks(strategy) if expected_failed_checks else None
            )
            yield from strategy_checks_generator(
                strategy, expected_failed_checks=expected, mark="xfail"
            )

    return pytest.mark.parametrize("estimator, check", list(pairs()), ids=_ids)


def check_strategy(strategy, *, sklearn_checks=True, expected_failed_checks=None):
    """Run scikit-learn's and skactive's checks on a strategy.

    Stops at the first failure, re-raising its error with the name of the
    check that failed.

    Parameters
    ----------
    strategy : QueryStrategy
        The strategy to check, an instance (it is cloned, not modified).
    sklearn_checks : bool, default=True
        Also run scikit-learn's estimator checks (about 50; skactive's
        query checks alone take well under a second on a cheap strategy).
    expected_failed_checks : dict of str -> str, default=None
        Checks that cannot apply, by name, with the reason: they are
        skipped with a :class:`~sklearn.exceptions.SkipTestWarning` (as is a
        check that skips itself, e.g. scikit-learn's array API checks
        without ``SCIPY_ARRAY_API=1``).

    Returns
    -------
    passed : list of str
        The names of the checks that ran and passed.

    Raises
    ------
    AssertionError (or the check's own error)
        From the first check that fails; the message starts with the check's
        name.

    See Also
    --------
    parametrize_with_checks : the same checks as pytest tests.

    Examples
    --------
    A strategy that queries the samples farthest from the decision boundary
    of a linear model (the opposite of margin sampling), checked:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import QueryStrategy
    >>> from skactive.utils.estimator_checks import check_strategy
    >>> class MostConfident(QueryStrategy):
    ...     def _utility(self, X, context=None):
    ...         return self.estimator_.predict_proba(X).max(axis=1)
    >>> passed = check_strategy(MostConfident(LogisticRegression()),
    ...                         sklearn_checks=False)
    >>> "check_query_returns_unique_indices" in passed
    True
    """
    expected_failed_checks = expected_failed_checks or {}
    passed = []
    for estimator, check in strategy_checks_generator(
        strategy, sklearn_checks=sklearn_checks
    ):
        name = _check_name(check)
        if name in expected_failed_checks:
            warnings.warn(
                f"{name} is skipped for {type(strategy).__name__}: "
                f"{expected_failed_checks[name]}",
                SkipTestWarning,
                stacklevel=2,
            )
            continue
        try:
            check(estimator)
        except SkipTest as exc:  # a check that does not apply here
            warnings.warn(
                f"{name} is skipped for {type(strategy).__name__}: {exc}",
                SkipTestWarning,
                stacklevel=2,
            )
            continue
        except Exception as exc:
            message = f"{name} failed: {exc}"
            try:
                error = type(exc)(message)
            except Exception:  # an error type with another signature
                error = AssertionError(message)
            raise error from exc
        passed.append(name)
    return passed
