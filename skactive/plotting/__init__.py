"""Plots of active learning results (matplotlib, imported lazily)."""

from ._learning_curve import ActiveLearningCurveDisplay

__all__ = ["ActiveLearningCurveDisplay"]
