"""Thumbs up/down (and an optional comment) on answers, kept in SQLite to find where answers go wrong.

A connection per call: Gradio runs handlers on worker threads, and sqlite3 connections stay on theirs.
"""

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    backend TEXT NOT NULL DEFAULT '',
    persona TEXT NOT NULL DEFAULT ''
)
"""


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction; the file and table are made on first use."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path)
        connection.row_factory = sqlite3.Row
        try:
            with connection:
                connection.execute(_SCHEMA)
                yield connection
        finally:
            connection.close()

    def record(
        self,
        question: str,
        answer: str,
        citations: list[dict],
        rating: int,
        comment: str = "",
        backend: str = "",
        persona: str = "",
    ) -> int:
        """Store one rating (+1 up, -1 down) and return its id, for a comment that follows."""
        if rating not in (1, -1):
            raise ValueError(f"rating must be 1 (up) or -1 (down), not {rating!r}")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        cited = json.dumps(citations, ensure_ascii=False)
        with self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO feedback (created, question, answer, citations, rating, comment, backend, persona)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (created, question, answer, cited, rating, comment, backend, persona),
            )
            return cursor.lastrowid

    def add_comment(self, feedback_id: int, comment: str) -> None:
        """Set the comment of a rating already given (the comment box comes after the thumb)."""
        with self._connect() as connection:
            updated = connection.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment, feedback_id))
            if not updated.rowcount:
                raise KeyError(f"no feedback with id {feedback_id}")

    def rows(self) -> list[dict]:
        """All feedback, newest first, citations decoded."""
        with self._connect() as connection:
            found = connection.execute("SELECT * FROM feedback ORDER BY id DESC").fetchall()
        return [{**dict(row), "citations": json.loads(row["citations"])} for row in found]
