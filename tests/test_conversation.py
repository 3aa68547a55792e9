"""Follow-ups from the gold set are recognised and completed; standalone questions are left alone."""

import pytest

from bot.conversation import asks_for_penalty, is_follow_up, standalone_question
from evals.gold import load_items

FOLLOW_UPS = [item for item in load_items() if item.follow_up]


def test_gold_set_has_real_follow_ups():
    assert len(FOLLOW_UPS) >= 20


@pytest.mark.parametrize("item", FOLLOW_UPS, ids=lambda item: item.id)
def test_gold_follow_ups_are_completed_from_the_conversation(item):
    assert is_follow_up(item.question)
    previous = [turn["content"] for turn in item.history if turn["role"] == "user"][-1]
    assert standalone_question(item.question, item.history).startswith(previous)


@pytest.mark.parametrize(
    "question",
    [
        "Can I use an AI-generated virtual host to sell goods in my live room?",
        "直播间运营者需要公示营业执照吗？",
        "What fine applies when a platform fails to verify hosts' identities?",
        "消费者收到货后几天内可以无理由退货？",
    ],
)
def test_standalone_questions_are_left_alone(question):
    assert not is_follow_up(question)
    assert standalone_question(question, [{"role": "user", "content": "earlier"}]) == question


def test_only_a_follow_up_about_consequences_asks_for_the_penalty():
    history = [{"role": "user", "content": "Can hosts fake their sales numbers?"}]
    assert asks_for_penalty("那罚款是多少？", history) and asks_for_penalty("And what's the fine?", history)
    assert not asks_for_penalty("What about food?", history), "a follow-up, not about consequences"
    assert not asks_for_penalty("What is the fine for fake reviews on a platform?", history), "stands alone"
    assert not asks_for_penalty("那罚款是多少？", [])
