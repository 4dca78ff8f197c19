"""Committees of classifiers for query by committee and BALD."""

from ._committee import Committee
from ._ensemble import EnsembleCommittee, is_committee_ensemble

__all__ = ["Committee", "EnsembleCommittee", "is_committee_ensemble"]
