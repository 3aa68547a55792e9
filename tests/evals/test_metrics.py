"""The ranking metrics the evaluation reports."""

import pytest

from evals.metrics import interval, mrr_at, ndcg_at, recall_at


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


def test_the_interval_brackets_the_figure_and_narrows_with_more_questions():
    few = [[True, False], [True], [False], [True, True]]  # 4 of 6 facts mentioned
    low, high = interval(few)
    assert low < 4 / 6 < high
    many_low, many_high = interval(few * 25)
    assert low < many_low < 4 / 6 < many_high < high
    assert interval([[True], [True, True]]) == (1.0, 1.0)


def test_the_interval_resamples_questions_not_their_facts_one_by_one():
    """Ten questions, five with all ten facts right and five with all wrong, could as well have been eight and
    two: the interval must be as wide as ten questions allow, not as narrow as a hundred independent facts."""
    facts = [[True] * 10] * 5 + [[False] * 10] * 5
    width = lambda bounds: bounds[1] - bounds[0]  # noqa: E731
    assert width(interval(facts)) > 2.5 * width(interval([[fact] for group in facts for fact in group]))
