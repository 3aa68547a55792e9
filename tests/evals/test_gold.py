"""The gold questions point at passages the knowledge base holds, so a miss is the bot's, not the
question's."""

from functools import cache

from bot.chunking import chunk_document
from bot.loaders import load
from evals.gold import load_items, relevant

from ..conftest import ROOT


@cache
def passages() -> dict[str, list[dict]]:
    found = {}
    for path in sorted((ROOT / "kb").glob("*/*.md")):
        document = load(path)
        found[document.metadata["doc_id"]] = [
            {"doc_id": document.metadata["doc_id"], "articles": c.articles, "section": c.section, "locator": c.locator}
            for c in chunk_document(document)
        ]
    return found


def test_every_gold_article_and_section_is_a_passage_of_the_knowledge_base():
    items = load_items()
    assert items and len({item.id for item in items}) == len(items)
    missing = []
    for item in items:
        for gold in item.gold:
            for number in gold.get("articles") or []:
                one = type(item)(item.id, "", "", "", [{**gold, "articles": [number]}])
                if not any(relevant(meta, one) for meta in passages().get(gold["doc_id"], [])):
                    missing.append((item.id, gold["doc_id"], number))
            if gold.get("section") and not any(relevant(meta, item) for meta in passages().get(gold["doc_id"], [])):
                missing.append((item.id, gold["doc_id"], gold["section"]))
        if item.answerable != bool(item.gold):
            missing.append((item.id, "answerable items name gold passages, unanswerable ones none"))
    assert not missing, missing
