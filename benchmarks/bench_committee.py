"""Query time and memory of query by committee and BALD against the members.

For pools of 10^4, 10^5 and 10^6 samples (50 features, 10 classes) and a
committee of 5 bagged LogisticRegression members fitted on 2,000 labels, it
reports the query time (batch of 100) of each disagreement measure divided by
the members' own ``predict_proba`` time: the sum over the 5 members of
``predict_proba`` on the whole pool, in the same process (target: at most
1.15). For comparison it also times a textbook implementation: stack the
members' probabilities into one (n_pool, 5, 10) array, apply the formula over
the whole array, ``argsort``. At the largest pool it reports the peak extra
memory (tracemalloc) of a query, of the textbook version and of the members'
``predict_proba`` alone. At 10^4 (one chunk) it also times the scoring alone,
``predict_proba_samples`` plus the measure without the query engine, to
separate the engine's fixed cost per query.

BLAS/OpenMP thread pools are pinned to one thread (threadpoolctl) while
timing: multi-threaded BLAS is many times slower on small 2-core machines.
Every time is the best of at least 3 runs (more for the small pools); each
run follows a run of the members' ``predict_proba``, and the median of those
paired ratios is reported too, as the machine may be shared.

Usage::

    python benchmarks/bench_committee.py            # full: up to 10^6
    python benchmarks/bench_committee.py --quick    # up to 10^5
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import best_time, environment, peak_memory, write_json
from scipy.special import entr, rel_entr
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from skactive import BALD, Committee, QueryByCommittee

N_MEMBERS, N_FEATURES, N_CLASSES, BATCH = 5, 50, 10, 100
METHODS = ["vote_entropy", "consensus_entropy", "kl_divergence", "bald"]


def make_data(n_pool: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(0).normal(scale=2.0, size=(N_CLASSES, N_FEATURES))
    y = rng.integers(N_CLASSES, size=2_000)
    X = centers[y] + rng.normal(size=(2_000, N_FEATURES))
    pool = (
        rng.normal(size=(n_pool, N_FEATURES))
        + centers[rng.integers(N_CLASSES, size=n_pool)]
    )
    return X, y, pool


def strategy(committee, method):
    if method == "bald":
        return BALD(committee, batch_size=BATCH, random_state=0)
    return QueryByCommittee(committee, method=method, batch_size=BATCH, random_state=0)


def textbook_query(members, pool, method):
    """Stack the members' probabilities, apply the formula, argsort."""
    P = np.stack([m.predict_proba(pool) for m in members], axis=1)
    if method == "vote_entropy":
        votes = np.eye(P.shape[2])[P.argmax(axis=2)].sum(axis=1)
        utilities = entr(votes / P.shape[1]).sum(axis=1)
    elif method == "consensus_entropy":
        utilities = entr(P.mean(axis=1)).sum(axis=1)
    elif method == "kl_divergence":
        utilities = rel_entr(P, P.mean(axis=1, keepdims=True)).sum(axis=2).mean(axis=1)
    else:
        utilities = entr(P.mean(axis=1)).sum(axis=1) - entr(P).sum(axis=2).mean(axis=1)
    return np.argsort(-utilities)[:BATCH]


def fit_committee():
    X, y, _ = make_data(0)
    committee = Committee(
        estimator=LogisticRegression(max_iter=300),
        n_members=N_MEMBERS,
        random_state=0,
    )
    return X, y, committee.fit(X, y)


def paired_times(reference, fns: dict, repeats: int):
    """Best times of ``reference`` and of each function, and paired ratios.

    Each function runs right after a run of ``reference`` (the members'
    ``predict_proba``), round after round: the best times give the
    best-of-``repeats`` ratio, and the ratio of each pair, taken under the
    same load, gives a median that the load of other processes on a shared
    machine barely moves.
    """
    best = dict.fromkeys(fns, float("inf"))
    best_reference = float("inf")
    ratios = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t_reference = best_time(reference, 1)
            t = best_time(fn, 1)
            best_reference = min(best_reference, t_reference)
            best[name] = min(best[name], t)
            ratios[name].append(t / t_reference)
    medians = {name: float(np.median(r)) for name, r in ratios.items()}
    return best_reference, best, medians


def speed(sizes, textbook):
    X, y, committee = fit_committee()
    members = committee.estimators_
    strategies = {m: strategy(committee, m).fit(X, y) for m in METHODS}
    rows = []
    for n in sizes:
        _, _, pool = make_data(n, seed=n)

        def reference():
            return [m.predict_proba(pool) for m in members]

        fns = {"predict_proba_samples": lambda: committee.predict_proba_samples(pool)}
        for method, s in strategies.items():
            fns[method] = lambda s=s: s.query(pool)
            if n <= 40_000:  # one chunk: the query is the engine plus this
                fns["scoring " + method] = lambda s=s: s._utility(pool)
        if textbook:
            for method in METHODS:
                fns["textbook " + method] = lambda method=method: textbook_query(
                    members, pool, method
                )
        # Best of 3 at least; more for the small pools, whose times are short
        # and noisier.
        bare, times, medians = paired_times(reference, fns, max(3, 2_000_000 // n))
        for method in ["predict_proba_samples", *METHODS]:
            t = times[method]
            row = {
                "n_pool": n,
                "method": method,
                "members_predict_proba_s": bare,
                "query_s": t,
                "ratio": t / bare,
                "median_paired_ratio": medians[method],
            }
            line = (
                f"| {n:>9,} | {method:>21} | {bare:8.3f} | {t:8.3f} | "
                f"{t / bare:6.3f} | {medians[method]:6.3f} |"
            )
            for extra in ("textbook", "scoring"):
                key = f"{extra} {method}"
                if key in times:
                    row.update(
                        {
                            f"{extra}_s": times[key],
                            f"{extra}_ratio": times[key] / bare,
                            f"{extra}_median_paired_ratio": medians[key],
                        }
                    )
                    line += f" {times[key] / bare:6.3f} | {medians[key]:6.3f} |"
            rows.append(row)
            print(line, flush=True)
    return rows


def memory(n):
    X, y, committee = fit_committee()
    members = committee.estimators_
    _, _, pool = make_data(n, seed=n)
    bare = peak_memory(lambda: [m.predict_proba(pool) for m in members])
    rows = []
    for method in METHODS:
        s = strategy(committee, method).fit(X, y)
        peak = peak_memory(lambda: s.query(pool))
        text = peak_memory(lambda: textbook_query(members, pool, method))
        rows.append(
            {
                "n_pool": n,
                "method": method,
                "pool_bytes": pool.nbytes,
                "query_peak_extra_bytes": peak,
                "textbook_peak_extra_bytes": text,
                "members_predict_proba_peak_extra_bytes": bare,
            }
        )
        print(
            f"memory n={n:,} {method:>17}: pool {pool.nbytes / 2**20:.0f} MiB, "
            f"query peak extra {peak / 2**20:6.1f} MiB, textbook "
            f"{text / 2**20:6.1f} MiB, members' predict_proba alone "
            f"{bare / 2**20:6.1f} MiB"
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pools up to 10^5")
    parser.add_argument(
        "--no-textbook", action="store_true", help="skip the textbook implementation"
    )
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    print(
        "| n_pool | query | members' predict_proba (s) | query (s) | ratio "
        "| median paired | textbook ratio | median paired | scoring ratio "
        "| median paired |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    with threadpool_limits(1):
        payload = {
            "environment": environment(threads=1),
            "setup": {
                "n_members": N_MEMBERS,
                "n_features": N_FEATURES,
                "n_classes": N_CLASSES,
                "batch_size": BATCH,
                "estimator": "LogisticRegression(max_iter=300), bagged",
                "timing": "best of max(3, 2e6 / n_pool) runs, each after a run of "
                "the members' predict_proba; also the median of those paired "
                "ratios",
            },
            "speed": speed(sizes, textbook=not args.no_textbook),
            "memory": memory(sizes[-1]),
        }
    path = write_json("committee" + ("_quick" if args.quick else ""), payload)
    print(f"written {path}")


if __name__ == "__main__":
    main()
