"""The extractive answerer: quotes only, cites every sentence, answers in the question's language, refuses
what the knowledge base does not cover."""

import pytest

from bot.answer import candidate_sentences
from bot.retrieve import Filters


@pytest.fixture
def indexed(assistant, corpus):
    assistant.ingest([corpus])
    return assistant


def test_every_sentence_is_quoted_from_the_passage_it_cites(indexed):
    result = indexed.ask("How long must I keep purchase inspection records when selling food?")
    assert not result["refused"] and result["citations"]
    by_n = {c["n"]: c for c in result["citations"]}
    for line in result["answer"].splitlines()[1:]:
        sentence, marker = line.removeprefix("- ").rsplit(" [", 1)
        assert sentence in by_n[int(marker.rstrip("]"))]["passage"]


def test_chinese_only_evidence_is_flagged_for_an_english_question(indexed):
    """Asked of the Chinese-only regulation (filtered to it), the English answer says its sources are Chinese."""
    result = indexed.ask(
        "How long must I keep purchase inspection records when selling food?", filters=Filters(doc_ids=("live-rules",))
    )
    assert result["answer"].startswith("From the knowledge base (the sources are in Chinese only):")
    assert result["citations"][0]["articles"] == [4] and "二年" in result["answer"]


def test_notice_says_information_not_advice_with_rule_dates(indexed):
    result = indexed.ask("直播卖食品要查验什么？保存记录多久？")
    assert result["notice"].startswith("以上为信息参考，不构成法律意见。")


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("What do the US FTC endorsement guides require from influencers?", "mainland China"),
        ("欧盟数字服务法对平台有什么要求？", "中国大陆"),
        ("How do I bake sourdough bread?", "does not cover"),
    ],
)
def test_out_of_scope_and_off_topic_questions_are_refused(indexed, question, phrase):
    result = indexed.ask(question)
    assert result["refused"] and phrase in result["answer"] and result["citations"] == []


def test_candidate_sentences_skip_headings_and_metadata():
    passage = (
        "Article 5 · 第五条 — Returns\n- Roles · 适用对象: merchant\n- Topics · 主题: refund 退货\n"
        "**EN:** Buyers may return goods within 7 days. Sellers refund within 7 days."
    )
    assert candidate_sentences(passage) == ["Buyers may return goods within 7 days.", "Sellers refund within 7 days."]
