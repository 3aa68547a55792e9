"""The sentence index: written with the chunks, removed with them, and what answers are scored from."""

import numpy as np
import pytest

from bot.chunking import candidate_sentences
from bot.filters import Filters
from bot.service import Assistant

from .conftest import LIVE_RULES_ZH, REVIEWS


def _stored(assistant: Assistant) -> dict:
    return assistant.sentences.collection.get(include=["documents", "metadatas"])


def test_ingest_stores_every_quotable_sentence_of_every_chunk(digest):
    chunks = digest.collection.get(include=["documents"])
    expected = sorted(s for text in chunks["documents"] for s in candidate_sentences(text))
    stored = _stored(digest)
    assert sorted(stored["documents"]) == expected and len(expected) >= 7
    assert {meta["chunk_id"] for meta in stored["metadatas"]} <= set(chunks["ids"])


def test_stored_vectors_are_the_models_vectors_and_answers_embed_no_passage(digest, monkeypatch):
    documents = digest.retrieve("Can I inflate my view counts during a stream?", k=2)
    found = digest.sentences.sentences({doc.id: doc.page_content for doc in documents})
    sentences, vectors = found[documents[0].id]
    assert np.allclose(vectors, digest.embedder.encode_documents(sentences), atol=1e-4)
    digest.ask("Who must keep purchase records?")  # the answerer embeds its off-topic references once
    embedded = []
    original = digest.embedder.encode_documents
    monkeypatch.setattr(digest.embedder, "encode_documents", lambda texts: embedded.append(texts) or original(texts))
    digest.ask("Can I inflate my view counts during a stream?")
    assert embedded == []


def test_changed_and_deleted_chunks_lose_their_sentences(assistant, corpus):
    assistant.ingest([corpus])
    (corpus / "live-rules.md").write_text(LIVE_RULES_ZH.replace("七日内", "十日内"), encoding="utf-8")
    assistant.ingest([corpus])
    texts = _stored(assistant)["documents"]
    assert any("十日内" in s for s in texts) and not any("七日内" in s for s in texts)
    assistant.delete("live-rules")
    assert not any("十日内" in s for s in _stored(assistant)["documents"])
    assert _stored(assistant)["documents"]  # the paper's remain


def test_a_chunk_missing_from_the_sentence_index_is_embedded_on_demand(digest):
    """An index from before the sentence index (or interrupted between the two writes) still answers."""
    digest.sentences.collection.delete(where={"doc_id": "live-digest"})
    result = digest.ask("Can buyers return goods without a reason?")
    assert not result["refused"] and "seven days" in result["answer"]


def test_sentences_split_by_an_earlier_version_are_split_again_on_the_next_ingest(digest, tmp_path):
    """A change to how sentences are split reaches an existing index without re-embedding its chunks."""
    chunk = digest.collection.get(where={"doc_id": "live-digest"}, include=["documents"])
    chunk_id, text = chunk["ids"][0], chunk["documents"][0]
    digest.sentences.collection.delete(where={"chunk_id": chunk_id})
    digest.sentences.add([chunk_id], ["# heading\nAn older split. Of this chunk."], [{"doc_id": "live-digest"}])
    assert digest.sentences.missing({chunk_id: text}) == {chunk_id}
    report = digest.ingest([tmp_path / "digest"])
    assert report.added == 0 and digest.sentences.missing({chunk_id: text}) == set()
    stored = digest.sentences.sentences({chunk_id: text})[chunk_id][0]
    assert stored == candidate_sentences(text) and "Of this chunk." not in stored


def test_listed_questions_another_process_adds_are_searched_next_time(digest, settings, embedder, tmp_path):
    """The listed questions are searched in memory; an ingest through another Assistant on the same store (another
    process, or the CLI while the app runs) is seen by the next search, and filters still apply."""
    vector = digest.embedder.encode_queries(["Can I hand out red packets for five-star reviews?"])[0]
    digest.lexical.refresh()
    before = digest.sentences.nearest_chunks(vector, 3, None, digest.lexical.fingerprint)
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "reviews-digest.md").write_text(REVIEWS, encoding="utf-8")
    Assistant(settings, embedder).ingest([folder])
    added = digest.collection.get(where={"doc_id": "reviews-digest"})["ids"]
    digest.lexical.refresh()
    after = digest.sentences.nearest_chunks(vector, 3, None, digest.lexical.fingerprint)
    assert added and added[0] not in before and after[0] == added[0]
    only_live = digest.sentences.nearest_chunks(
        vector, 3, Filters(doc_ids=("live-digest",)), digest.lexical.fingerprint
    )
    assert added[0] not in only_live


def test_nearest_question_is_the_similarity_of_the_closest_listed_question(digest, tmp_path):
    """What the answerer compares a question with; a knowledge base whose digests list no questions has none."""
    listed, other = digest.embedder.encode_queries(
        ["Can I pay people to write five-star reviews?", "How long is the Great Wall?"]
    )
    assert digest.sentences.nearest_question(listed) is None
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "reviews-digest.md").write_text(REVIEWS, encoding="utf-8")
    digest.ingest([folder])
    nearest = digest.sentences.nearest_question(listed)
    assert nearest == pytest.approx(1.0, abs=1e-3) and digest.sentences.nearest_question(other) < nearest - 0.05
