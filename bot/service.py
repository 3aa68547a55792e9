"""Wires the parts together once: settings → embedder → Chroma → retriever → answerer.

The CLI, the app and the evaluations all go through this one object, so they behave alike.
"""

import time
from dataclasses import asdict
from pathlib import Path

from langchain_core.documents import Document

from bot.answer import Answer, ExtractiveAnswerer
from bot.conversation import Turn, standalone_question
from bot.embedding import Embedder, load_embedder
from bot.ingest import Ingestor, IngestReport, Progress
from bot.lexical import LexicalIndex
from bot.llm import LLMAnswerer, chat_model
from bot.retrieve import DenseRetriever, Filters, HybridRetriever, persona_filters
from bot.settings import Settings, get_settings
from bot.store import open_collection


class Assistant:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        """``embedder`` lets several assistants (tests, evaluations) share one loaded model."""
        self.settings = settings or get_settings()
        self.embedder = embedder or load_embedder(self.settings)
        self.collection = open_collection(self.settings, self.embedder.model_id)
        s = self.settings
        self.dense = DenseRetriever(collection=self.collection, embedder=self.embedder, k=s.top_k)
        self.lexical = LexicalIndex(self.collection, s.data_dir / "lexical" / s.collection)
        self.retriever = HybridRetriever(
            dense=self.dense,
            lexical=self.lexical,
            k=s.top_k,
            pool=s.pool,
            rrf_k=s.rrf_k,
            dense_weight=s.dense_weight,
            lexical_weight=s.lexical_weight,
        )
        self.answerer = ExtractiveAnswerer(self.embedder)
        model = chat_model(s)
        if model is not None:
            self.answerer = LLMAnswerer(model, self.answerer)

    def ingest(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        return Ingestor(self.collection, self.embedder, progress).run(paths)

    def ensure_index(self, progress: Progress | None = None) -> IngestReport | None:
        """Build the index from the knowledge base folder when it is empty (first start)."""
        if self.collection.count():
            return None
        return self.ingest([self.settings.kb_dir], progress)

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        history: list[Turn] | None = None,
        persona: str | None = None,
    ) -> list[Document]:
        query = standalone_question(question, history or [])
        return self.retriever.search(query, k or self.settings.top_k, persona_filters(persona, filters))

    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        persona: str | None = None,
    ) -> dict:
        started = time.perf_counter()
        search_query = standalone_question(question, history or [])
        documents = self.retriever.search(search_query, self.settings.top_k, persona_filters(persona, filters))
        retrieved = time.perf_counter()
        answer: Answer = self.answerer.answer(question, documents, search_query)
        done = time.perf_counter()
        result = asdict(answer)
        result["timings_ms"] = {
            "retrieve": round((retrieved - started) * 1000, 1),
            "answer": round((done - retrieved) * 1000, 1),
            "total": round((done - started) * 1000, 1),
        }
        return result
