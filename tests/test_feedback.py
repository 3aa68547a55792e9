"""Ratings on answers are kept, commented, listed newest first, and survive a restart."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.feedback import FeedbackStore

CITATIONS = [{"n": 1, "doc_id": "ecommerce-law", "locator": "Article 17 · 第十七条", "title_zh": "电子商务法"}]


def test_record_comment_and_list_newest_first(tmp_path):
    store = FeedbackStore(tmp_path / "nested" / "feedback.sqlite")
    up = store.record("七日无理由退货?", "可以退货 [1]", CITATIONS, 1, backend="extractive", persona="consumer")
    down = store.record("Deposit rules?", "Not sure.", [], -1)
    store.add_comment(down, "未引用抖音规则")
    rows = store.rows()
    assert [row["id"] for row in rows] == [down, up]
    assert (rows[0]["rating"], rows[0]["comment"], rows[0]["citations"]) == (-1, "未引用抖音规则", [])
    first = rows[1]
    assert (first["question"], first["answer"], first["citations"]) == ("七日无理由退货?", "可以退货 [1]", CITATIONS)
    assert (first["rating"], first["comment"], first["backend"], first["persona"]) == (1, "", "extractive", "consumer")
    created = datetime.fromisoformat(first["created"])
    assert created.tzinfo is not None and abs(datetime.now(UTC) - created) < timedelta(minutes=1)


@pytest.mark.parametrize("rating", [0, 2, -2, 5])
def test_rating_must_be_up_or_down(tmp_path, rating):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    with pytest.raises(ValueError, match="rating"):
        store.record("q", "a", [], rating)
    assert store.rows() == []


def test_comment_on_unknown_feedback_is_an_error(tmp_path):
    with pytest.raises(KeyError):
        FeedbackStore(tmp_path / "feedback.sqlite").add_comment(42, "lost")


def test_feedback_persists_across_instances_in_the_schema_given(tmp_path):
    path = tmp_path / "feedback.sqlite"
    feedback_id = FeedbackStore(path).record("q", "a", CITATIONS, -1, comment="wrong article")
    assert [(r["id"], r["comment"], r["citations"]) for r in FeedbackStore(path).rows()] == [
        (feedback_id, "wrong article", CITATIONS)
    ]
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(feedback)")]
        stored = connection.execute("SELECT citations FROM feedback").fetchone()[0]
    assert columns == ["id", "created", "question", "answer", "citations", "rating", "comment", "backend", "persona"]
    assert "电子商务法" in stored, "citations are readable JSON"
