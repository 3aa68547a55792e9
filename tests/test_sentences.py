"""The sentence index: written with the chunks, removed with them, and what answers are scored from."""

import numpy as np

from bot.chunking import candidate_sentences
from bot.service import Assistant

from .conftest import LIVE_RULES_ZH


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
