"""Wires the parts together once: settings → embedder → Chroma → retriever → answerer.

The CLI, the app and the evaluations all go through this one object, so they behave alike.
"""

import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from langchain_core.documents import Document

from bot import library
from bot.answer import Answer, ExtractiveAnswerer
from bot.conversation import Turn, asks_for_penalty, standalone_question
from bot.embedding import Embedder, load_embedder
from bot.feedback import FeedbackStore
from bot.filters import Filters, persona_filters
from bot.ingest import Ingestor, IngestReport, Progress, source_path
from bot.lexical import LexicalIndex
from bot.library import DocumentInfo, Section
from bot.llm import LLMAnswerer, chat_model
from bot.loaders import LoadError, sidecar_path
from bot.retrieve import DenseRetriever, HybridRetriever
from bot.sentences import SentenceIndex
from bot.settings import Settings, get_settings
from bot.store import SENTENCES, open_collection


class Assistant:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        """``embedder`` lets several assistants (tests, evaluations) share one loaded model."""
        self.settings = settings or get_settings()
        self.embedder = embedder or load_embedder(self.settings)
        self.collection = open_collection(self.settings, self.embedder.model_id)
        self.sentences = SentenceIndex(open_collection(self.settings, self.embedder.model_id, SENTENCES), self.embedder)
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
            cross_dense_weight=s.cross_dense_weight,
            lexical_weight=s.lexical_weight,
            lexical_score_weight=s.lexical_score_weight,
            questions=self.sentences,
            question_weight=s.question_weight,
            named_boost=s.named_boost,
            subsection_ratio=s.subsection_ratio,
            follow_up_weight=s.follow_up_weight,
        )
        extractive = ExtractiveAnswerer(self.embedder, self.sentences, titles=self.retriever.titles)
        self.answerers: dict[str, ExtractiveAnswerer | LLMAnswerer] = {"extractive": extractive}
        model = chat_model(s)
        if model is not None:
            self.answerers[s.answer_backend] = LLMAnswerer(model, extractive)
        self.backend = s.answer_backend
        self.uploads_dir = s.data_dir / "uploads"
        self.feedback = FeedbackStore(s.data_dir / "feedback.sqlite3")

    def ingest(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        return Ingestor(self.collection, self.embedder, progress, self.sentences).run(paths)

    def documents(self) -> list[DocumentInfo]:
        return library.catalogue(self.collection)

    def read(self, doc_id: str) -> list[Section]:
        return library.read(self.collection, doc_id)

    def delete(self, doc_id: str) -> int:
        return library.delete(self.collection, doc_id, self.uploads_dir, self.sentences)

    def add_document(self, path: Path, metadata: dict, progress: Progress | None = None) -> DocumentInfo:
        """Save an uploaded file with its metadata and ingest it. A file that cannot be read raises LoadError,
        and leaves neither a saved copy nor any change to the index."""
        saved = library.save_upload(path, self.uploads_dir, **metadata)
        source = source_path(saved)
        self.collection.delete(where={"source_path": source})  # the same file again: its new metadata must show
        report = self.ingest([saved], progress)
        if report.skipped:
            saved.unlink()
            sidecar_path(saved).unlink(missing_ok=True)
            raise LoadError(report.skipped[0][1])
        return next(info for info in self.documents() if info.source_path == source)

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
        history = history or []
        query = standalone_question(question, history)
        filters = persona_filters(persona, filters)
        return self.retriever.search(
            query, k or self.settings.top_k, filters, asks_for_penalty(question, history), asked=question
        )

    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        persona: str | None = None,
        backend: str | None = None,
    ) -> dict:
        """The answer as JSON-ready data (the CLI's ``--json``, the app's API)."""
        return list(self.stream(question, history, filters, persona, backend))[-1]

    def stream(
        self,
        question: str,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        persona: str | None = None,
        backend: str | None = None,
    ) -> Iterator[str | dict]:
        """Text as the answer is written, then the result dict. ``backend`` picks one of ``answerers``
        for this question (the app lets each chat choose); unset, the configured one answers."""
        backend = backend or self.backend
        if backend not in self.answerers:
            raise ValueError(f"answer backend {backend!r} is not configured (available: {', '.join(self.answerers)})")
        started = time.perf_counter()
        search_query = standalone_question(question, history or [])
        documents = self.retrieve(question, None, filters, history, persona)
        retrieved = time.perf_counter()
        for part in self.answerers[backend].stream(question, documents, search_query):
            if isinstance(part, Answer):
                answer = part
            else:
                yield part
        done = time.perf_counter()
        result = asdict(answer)
        result["backend"] = backend
        result["timings_ms"] = {
            "retrieve": round((retrieved - started) * 1000, 1),
            "answer": round((done - retrieved) * 1000, 1),
            "total": round((done - started) * 1000, 1),
        }
        yield result
