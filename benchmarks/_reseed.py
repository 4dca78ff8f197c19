"""Strategies that draw fresh random numbers at every query of a loop.

Work-around for the loop's seeding (reported with issue 8): a strategy with an
int ``random_state`` makes a new ``RandomState(random_state)`` at every
``query``, and ``simulate``/``ActiveLearner`` keep the same int from round to
round. So every round draws the *same* random numbers: ``RandomSampling``
picks the same positions of the (shrinking) unlabelled pool each round
(with ``batch_size=1``: consecutive rows, 686, 687, 688, ...),
``pool_subsample`` scores nearly the same candidates every round, and
tie-breaking and k-means initialisations repeat. On data sets stored sorted
by class that makes the random baseline far from random.

``reseeded(strategy)`` returns the same strategy as an instance of a subclass
whose ``query`` uses the seed ``SeedSequence([random_state, n])`` at its
``n``-th call (``n`` counts the queries of this fitted object, which the loop
refits in place), and leaves the strategy otherwise unchanged: same
parameters, ``clone`` and pickle work (the subclasses are module globals, so
that worker processes find them).
"""

from __future__ import annotations

import numbers

import numpy as np

import skactive as sa


class ReseedEachQuery:
    """Mixin: the ``n``-th query uses ``SeedSequence([random_state, n])``."""

    def query(self, X_pool, batch_size=None, **kwargs):
        count = self.__dict__.get("_bench_n_queries", 0)
        self.__dict__["_bench_n_queries"] = count + 1
        seed = self.random_state
        if not isinstance(seed, numbers.Integral):
            return super().query(X_pool, batch_size=batch_size, **kwargs)
        fresh = np.random.SeedSequence([int(seed), count]).generate_state(1)[0]
        self.random_state = int(fresh >> 1)
        try:
            return super().query(X_pool, batch_size=batch_size, **kwargs)
        finally:
            self.random_state = seed


_CLASSES = {}
for _cls in (
    sa.RandomSampling,
    sa.LeastConfidentSampling,
    sa.MarginSampling,
    sa.EntropySampling,
    sa.VariationRatioSampling,
    sa.ExpectedGradientLength,
    sa.BADGE,
    sa.CoreSet,
    sa.DiverseMiniBatch,
    sa.InformationDensity,
    sa.HybridSampling,
    sa.TypiClust,
    sa.QueryByCommittee,
    sa.BALD,
    sa.BatchBALD,
    sa.MeanSTD,
):
    _name = f"Reseeded{_cls.__name__}"
    _CLASSES[_cls] = globals()[_name] = type(
        _name,
        (ReseedEachQuery, _cls),
        {"__module__": __name__, "__doc__": _cls.__doc__},
    )


def reseeded(strategy):
    """``strategy`` as its ``Reseeded...`` subclass (same parameters)."""
    return _CLASSES[type(strategy)](**strategy.get_params(deep=False))
