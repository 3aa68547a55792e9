"""The ranking metrics the evaluation reports."""

import pytest

from evals.metrics import mrr_at, ndcg_at, recall_at


def test_recall_and_mrr_look_at_the_first_hit():
    ranks = [False, False, True, False]
    assert (recall_at(ranks, 2), recall_at(ranks, 3)) == (0.0, 1.0)
    assert mrr_at(ranks) == pytest.approx(1 / 3)
    assert mrr_at([False] * 10 + [True]) == 0.0


def test_ndcg_is_one_for_an_ideal_ranking_and_never_above_one():
    assert ndcg_at([True, False, False], n_relevant=1) == pytest.approx(1.0)
    assert ndcg_at([False, True], n_relevant=1) == pytest.approx(0.6309, abs=1e-4)
    # one gold entry naming two articles that sit in two slots: two hits, still at most 1
    assert ndcg_at([True, True, False], n_relevant=1) == pytest.approx(1.0)
    assert ndcg_at([True, False, True], n_relevant=1) < 1.0
