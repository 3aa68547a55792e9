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
