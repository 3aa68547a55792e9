"""The gold and held-out questions point at passages the knowledge base holds, so a miss is the bot's, not the
question's."""

import json

import pytest

from bot.chunking import chunk_document
from bot.loaders import load
from evals.gold import GOLD_DIR, HOLDOUT_DIR, load_items, relevant

from ..conftest import ROOT


@pytest.mark.parametrize("folder", [GOLD_DIR, HOLDOUT_DIR], ids=["gold", "held-out"])
def test_every_gold_article_and_section_is_a_passage_of_the_knowledge_base(folder):
    held: dict[str, set] = {}  # doc_id -> its article numbers and section names, as evals.gold.relevant reads them
    for path in sorted((ROOT / "kb").glob("*/*.md")):
        document = load(path)
        chunks = chunk_document(document)
        names = {c.section for c in chunks} | {c.locator.split(" (")[0] for c in chunks}
        held[document.metadata["doc_id"]] = names | {n for c in chunks for n in c.articles}
    items = load_items(folder)
    assert items and len({item.id for item in items}) == len(items)
    missing = []
    for item in items:
        for gold in item.gold:
            wanted = [*(gold.get("articles") or []), *([gold["section"]] if gold.get("section") else [])]
            missing += [(item.id, gold["doc_id"], x) for x in wanted if x not in held.get(gold["doc_id"], set())]
        if item.answerable != bool(item.gold):
            missing.append((item.id, "answerable items name gold passages, unanswerable ones none"))
    assert not missing, missing


def test_the_blind_reviews_answering_passages_are_the_gold_sets_pooled_alternatives():
    """Every passage the blind review (evals/pooled-review.jsonl) rated as answering is an alternative of its item,
    and every passage it rated as not answering is not gold: the file records why the gold set says what it says."""
    items = {item.id: item for item in load_items()}
    reviewed = [json.loads(line) for line in (GOLD_DIR.parent / "pooled-review.jsonl").read_text().splitlines()]
    assert len(reviewed) == 166
    wrong = []
    for grade in reviewed:
        passage = {"doc_id": grade["doc_id"], "articles": grade.get("articles", []), "section": grade.get("section")}
        gold = relevant(passage, items[grade["item"]])
        if gold != (grade["grade"] == "A") and grade["kind"] != "cited_right":
            wrong.append(grade)
    assert not wrong, wrong
