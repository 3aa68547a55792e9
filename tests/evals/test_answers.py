"""The answer metrics' fact matcher (what counts as an answer mentioning a gold fact) and diagnostic."""

from pathlib import Path

from evals.answers import _normal, gold_lead, load_paraphrases, mentions, states
from evals.gold import Item, load_items, relevant

KB_DIR = Path(__file__).parents[2] / "kb"


def test_numbers_match_by_value_not_by_digits():
    assert mentions("fined RMB 500,000 to 2 million", "RMB 500,000 to 2,000,000")
    assert mentions("处十万元以上一百万元以下罚款", "10万以上100万以下")
    # "500,000" holds the digits of "50,000" but not its value
    assert not mentions("fine of RMB 100,000 to RMB 500,000", "RMB 50,000 to RMB 500,000")


def test_words_match_in_other_forms_but_not_other_words():
    assert mentions("it is ordered to suspend business", "suspension")
    assert mentions("the platform is jointly and severally liable", "joint and several liability")
    assert mentions("the business is fined RMB 50,000 to 500,000", "fine RMB 50,000 to 500,000")
    assert not mentions("unsafe products must not be sold", "the seller can recover from the producer")


def test_a_judged_restatement_counts_only_while_the_answer_quotes_it():
    quoted = "保存期从交易完成时起算，至少3年；法律、行政法规另有要求的从其规定。"
    answer = f"{quoted} [1]\n\n要点：\n- 平台要保存直播回放。 [1]"
    assert not mentions(answer, "不少于3年")
    assert states(answer, "不少于3年", [[quoted]])
    assert not states("平台要保存直播回放。 [1]", "不少于3年", [[quoted]])
    assert not states(answer, "不少于3年", [[quoted, "交易完成之日起"]])  # every sentence of the restatement


def test_every_judged_restatement_names_a_gold_fact_and_quotes_the_knowledge_base():
    facts = {(item.id, fact) for item in load_items() for fact in item.must_mention}
    text = "".join(path.read_text(encoding="utf-8") for path in KB_DIR.rglob("*.md"))
    kb = _normal(text.replace("*", ""))  # without the bold of the penalty lines
    judged = load_paraphrases()
    assert judged
    for key, restatements in judged.items():
        assert key in facts, key
        assert all(_normal(sentence) in kb for sentences in restatements for sentence in sentences), key


def test_the_gold_lead_answer_leads_with_the_gold_passage_the_retriever_ranked_lower(assistant, corpus):
    """The diagnostic row's answers: the same passages, the first gold one moved to the lead and cited first."""
    assistant.ingest([corpus])
    question = "直播间要公示营业执照吗？"
    retrieved = assistant.retrieve(question)
    second = retrieved[1].metadata
    item = Item("t-1", question, "zh", "merchant", [{"doc_id": second["doc_id"], "articles": second["articles"]}])
    assert not relevant(retrieved[0].metadata, item)
    assert relevant(gold_lead(assistant)(item)["citations"][0], item)
    assert not relevant(assistant.ask(question)["citations"][0], item)
