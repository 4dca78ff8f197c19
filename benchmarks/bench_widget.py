"""Click-to-next-sample latency of the labelling widget's logic.

A person labels 100 digits and 100 short texts through
:class:`skactive.widgets.LabellingQueue` (the Python side of
``LabellingWidget``), with an autosaving session (each label written and
fsync'd before the next sample is returned) and the refit and query in a
background thread, as in the notebook. Measured per click: the time
``queue.label()`` takes, i.e. teach + atomic save + the next queued row,
split by whether a background refit was running at the time. Clicks that
found the queue empty (waiting for a query) are counted apart: the widget
shows "choosing the next samples" then. The person is simulated at one
click every 50 ms. The browser adds its own round trip (about 60 ms median
in headless Chromium: ``tests/test_widget_browser.py`` prints it).

Run: ``python benchmarks/bench_widget.py``; writes
``benchmarks/results/widget.json``.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from skactive import ActiveLearner, EntropySampling, MarginSampling
from skactive.widgets import LabellingQueue

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_widget_browser import TEXTS_CODE

RESULTS = Path(__file__).resolve().parent / "results"


def make_texts():
    namespace = {"np": np}
    exec(TEXTS_CODE, namespace)
    return namespace["make_texts"]()


def run(name, strategy, X, y, classes, folder, n=100, think=0.05):
    learner = ActiveLearner(
        strategy,
        X,
        autosave=folder / f"{name}.json",
        classes=classes,
        random_state=0,
    )
    queue = LabellingQueue(learner)
    busy, idle, waits = [], [], 0
    while queue.n_new < n:
        if queue.current is None:
            waits += 1
            queue.wait()
            continue
        was_busy = queue.busy
        start = time.perf_counter()
        queue.label(y[queue.current])
        (busy if was_busy else idle).append(time.perf_counter() - start)
        time.sleep(think)
    queue.wait()
    all_ms = 1000 * np.array(busy + idle)
    row = {
        "task": name,
        "clicks": len(all_ms),
        "median_ms": round(float(np.median(all_ms)), 1),
        "p90_ms": round(float(np.percentile(all_ms, 90)), 1),
        "p99_ms": round(float(np.percentile(all_ms, 99)), 1),
        "max_ms": round(float(all_ms.max()), 1),
        "over_200ms": int((all_ms > 200).sum()),
        "clicks_during_refit": len(busy),
        "median_during_refit_ms": round(1000 * float(np.median(busy)), 1)
        if busy
        else None,
        "empty_queue_waits": waits,
        "labels": learner.n_labelled,
    }
    return row


def main():
    X, y = load_digits(return_X_y=True)
    texts, topics = make_texts()
    rows = []
    with threadpool_limits(1), tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows.append(
            run(
                "digits",
                MarginSampling(
                    LogisticRegression(max_iter=300), batch_size=10, random_state=0
                ),
                X / 16,
                y,
                range(10),
                folder,
            )
        )
        rows.append(
            run(
                "texts",
                EntropySampling(
                    make_pipeline(TfidfVectorizer(), LogisticRegression()),
                    batch_size=8,
                    random_state=0,
                ),
                texts,
                topics,
                ["cooking", "science", "sports"],
                folder,
            )
        )
    for row in rows:
        print(row)
    RESULTS.mkdir(exist_ok=True)
    out = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "threads": 1,
        "rows": rows,
    }
    (RESULTS / "widget.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
