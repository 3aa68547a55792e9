"""Ranking metrics over binary relevance lists (one bool per retrieved slot, best first)."""

import math

import numpy as np


def recall_at(ranks: list[bool], k: int) -> float:
    return float(any(ranks[:k]))


def mrr_at(ranks: list[bool], k: int = 10) -> float:
    return next((1.0 / i for i, hit in enumerate(ranks[:k], 1) if hit), 0.0)


def ndcg_at(ranks: list[bool], n_relevant: int, k: int = 10) -> float:
    """``n_relevant`` counts gold entries; one entry naming two articles in separate slots can give two hits,
    so the ideal list is at least as long as the hits found (nDCG never exceeds 1)."""
    n_relevant = max(n_relevant, sum(ranks[:k]))
    dcg = sum(1.0 / math.log2(i + 1) for i, hit in enumerate(ranks[:k], 1) if hit)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(max(n_relevant, 1), k) + 1))
    return dcg / ideal


def interval(groups: list[list[float]], resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% bootstrap interval of the mean over all values, resampling whole groups (one per question): a
    question's facts or citations stand or fall together, so resampling them one by one would understate how
    far the figure could move on another set of questions of the same kind."""
    groups = [group for group in groups if len(group)]
    if not groups:
        return (0.0, 0.0)
    sums = np.array([float(sum(group)) for group in groups])
    counts = np.array([len(group) for group in groups])
    picks = np.random.default_rng(seed).integers(0, len(groups), size=(resamples, len(groups)))
    low, high = np.percentile(sums[picks].sum(axis=1) / counts[picks].sum(axis=1), [2.5, 97.5])
    return float(low), float(high)


def summarize(rows: list[dict]) -> dict:
    """Mean metrics of per-question rows ({"ranks": [...], "n_relevant": int, "ms": float})."""
    if not rows:
        return {}
    latencies = [row["ms"] for row in rows]
    return {
        "n": len(rows),
        "R@1": np.mean([recall_at(r["ranks"], 1) for r in rows]),
        "R@5": np.mean([recall_at(r["ranks"], 5) for r in rows]),
        "R@10": np.mean([recall_at(r["ranks"], 10) for r in rows]),
        "MRR@10": np.mean([mrr_at(r["ranks"]) for r in rows]),
        "nDCG@10": np.mean([ndcg_at(r["ranks"], r["n_relevant"]) for r in rows]),
        "p50 ms": float(np.percentile(latencies, 50)),
        "p95 ms": float(np.percentile(latencies, 95)),
    }
