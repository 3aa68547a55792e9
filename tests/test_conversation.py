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


def test_a_follow_up_to_a_follow_up_borrows_from_the_question_that_began_the_thread():
    """ "And what's the fine for the platform?" after "What if she's 17?" alone was answered by the fine for
    platforms restricting merchants: the topic (a teenage host) is two questions back."""

    def turns(*questions: str) -> list[dict]:
        return [
            turn for q in questions for turn in ({"role": "user", "content": q}, {"role": "assistant", "content": "…"})
        ]

    thread = turns("Can a 15-year-old be a host in my live room?", "What if she's 17?")
    assert standalone_question("And what's the fine for the platform?", thread) == (
        "Can a 15-year-old be a host in my live room? What if she's 17? And what's the fine for the platform?"
    )
    new_topic = turns("Can a 15-year-old be a host in my live room?", "Do I need to show my business licence?")
    assert (
        standalone_question("What's the fine?", new_topic) == "Do I need to show my business licence? What's the fine?"
    )
    long = turns("Must I label ads?", "And for food?", "What about drinks?", "And snacks?")
    assert standalone_question("What's the fine?", long) == "Must I label ads? And snacks? What's the fine?"
