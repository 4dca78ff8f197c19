"""Nearest-neighbour search over embeddings, exact or approximate.

:class:`NearestNeighborsIndex` is the one search component of skactive:
TypiClust's typicality, ProbCover's covering balls and the data-centric
tools query it. Its backends are scikit-learn's exact search (the default)
and, as optional extras, the approximate indexes of faiss (``pip install
faiss-cpu``, the ``ann`` extra), hnswlib and pynndescent; ``backend="auto"``
chooses by size and sparsity (see docs/engine.md, "Nearest-neighbour
search").
"""

from ._backends import available_backends
from ._index import AUTO_EXACT_BELOW, BACKENDS, NearestNeighborsIndex

__all__ = [
    "AUTO_EXACT_BELOW",
    "BACKENDS",
    "NearestNeighborsIndex",
    "available_backends",
]
