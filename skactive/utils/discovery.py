"""Find every public estimator of skactive (used by the common tests)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator

__all__ = ["all_estimators"]

# Subpackages that need optional dependencies; skipped when those are missing.
_OPTIONAL = ("skactive.deep", "skactive.widgets")

# Base classes: estimators to subclass, not to use (they have no hook).
_BASE_CLASSES = frozenset(
    {"BaseQueryStrategy", "QueryStrategy", "RegressionQueryStrategy"}
)


def all_estimators() -> list[tuple[str, type]]:
    """Public, concrete estimator classes of skactive, sorted by name.

    Modules of optional subpackages (``skactive.deep``) are skipped when their
    dependencies are not installed.

    Returns
    -------
    estimators : list of (name, class) tuples

    Examples
    --------
    >>> from skactive.utils.discovery import all_estimators
    >>> dict(all_estimators())["MarginSampling"].__name__
    'MarginSampling'
    """
    import skactive

    found = {}
    for info in pkgutil.walk_packages(skactive.__path__, prefix="skactive."):
        if ".tests" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            if info.name.startswith(_OPTIONAL):
                continue
            raise
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and not name.startswith("_")
                and cls.__module__.startswith("skactive")
                and not inspect.isabstract(cls)
                and name not in _BASE_CLASSES
            ):
                found[name] = cls
    return sorted(found.items())
