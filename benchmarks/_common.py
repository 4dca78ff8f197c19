"""Shared helpers of the benchmark scripts: machine description, timing, memory."""

from __future__ import annotations

import json
import os
import platform
import time
import tracemalloc
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def environment(threads: int) -> dict:
    """What the numbers were measured on: machine, versions, thread settings."""
    import joblib
    import numpy
    import scipy
    import sklearn

    import skactive

    return {
        "machine": platform.machine(),
        "processor": platform.processor() or platform.uname().machine,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
        "skactive": skactive.__version__,
        "blas_openmp_threads": threads,
    }


def best_time(fn, repeats: int = 3) -> float:
    """Best wall-clock time of ``repeats`` calls (seconds)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_memory(fn) -> int:
    """Peak bytes allocated through Python/NumPy during ``fn()`` (tracemalloc)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def write_json(name: str, payload: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
