"""Committees of classifiers for query by committee and BALD."""

from ._committee import Committee

__all__ = ["Committee"]
