"""The retrieval systems compared: the project's hybrid retriever, its two halves alone, and the naive
recipe a typical user builds from the LangChain tutorial (whole files, 1000/200 character chunks, Chroma
similarity search, same embedding model, same documents)."""

import hashlib
import re
from pathlib import Path

from langchain_core.documents import Document

from bot.chunking import heading_articles
from bot.conversation import asks_for_penalty, standalone_question
from bot.filters import Filters
from bot.retrieve import HybridRetriever
from bot.service import Assistant
from bot.store import client

KB = Path(__file__).resolve().parents[1] / "kb"


class Project:
    """The project's retriever with given fusion weights (1/0 and 0/1 give dense-only and lexical-only)."""

    def __init__(self, assistant: Assistant, name: str, dense_weight=None, lexical_weight=None, **params):
        """Given weights make a half of the retriever alone: listed-question vectors then stay out too."""
        self.name = name
        base = assistant.retriever
        whole = dense_weight is None and lexical_weight is None
        self.retriever = HybridRetriever(
            dense=base.dense,
            lexical=base.lexical,
            k=10,
            pool=params.get("pool", base.pool),
            rrf_k=params.get("rrf_k", base.rrf_k),
            dense_weight=base.dense_weight if dense_weight is None else dense_weight,
            cross_dense_weight=base.cross_dense_weight if dense_weight is None else dense_weight,
            lexical_weight=base.lexical_weight if lexical_weight is None else lexical_weight,
            lexical_score_weight=base.lexical_score_weight,
            questions=base.questions,
            question_weight=params.get("question_weight", base.question_weight if whole else 0.0),
            expansion_terms=params.get("expansion_terms", base.expansion_terms),
            sibling_weight=params.get("sibling_weight", base.sibling_weight),
            named_boost=params.get("named_boost", base.named_boost),
            subsection_ratio=params.get("subsection_ratio", base.subsection_ratio),
            follow_up_weight=params.get("follow_up_weight", base.follow_up_weight),
        )

    def search(self, question: str, history: list[dict], filters: Filters | None = None) -> list[dict]:
        query = standalone_question(question, history)
        hits = self.retriever.search(
            query, 10, filters or Filters(), asks_for_penalty(question, history), asked=question
        )
        return [doc.metadata for doc in hits]


class NaiveRecipe:
    """Whole files, RecursiveCharacterTextSplitter(1000, 200), top-10 similarity search. Each chunk is
    labelled with the article or section heading in force where it starts, so it can be judged."""

    name = "naive LangChain recipe"

    def __init__(self, assistant: Assistant):
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.embedder = assistant.embedder
        files = sorted(p for p in KB.rglob("*.md") if not p.stem.replace("_", "").isupper())
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        chunks: list[Document] = []
        for path in files:
            text = path.read_text(encoding="utf-8")
            for chunk in splitter.create_documents([text], metadatas=[{"doc_id": path.stem}]):
                chunk.metadata.update(_position(text, chunk.metadata["start_index"]))
                chunks.append(chunk)
        fingerprint = hashlib.sha1("".join(c.page_content for c in chunks).encode()).hexdigest()[:12]
        chroma = client(assistant.settings)
        name = f"eval-naive-{fingerprint}"
        self.collection = chroma.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        if self.collection.count() != len(chunks):
            vectors = self.embedder.encode_documents([c.page_content for c in chunks])
            self.collection.upsert(
                ids=[str(i) for i in range(len(chunks))],
                embeddings=vectors,
                documents=[c.page_content for c in chunks],
                metadatas=[_flat(c.metadata) for c in chunks],
            )

    def search(self, question: str, history: list[dict], filters: Filters | None = None) -> list[dict]:
        vector = self.embedder.encode_queries([question])[0]
        result = self.collection.query(query_embeddings=[vector], n_results=10, include=["metadatas"])
        return result["metadatas"][0]


def _position(text: str, offset: int) -> dict:
    """The heading in force at ``offset``: its articles or section id."""
    headings = [m for m in re.finditer(r"^(#{1,6})\s+(.+)$", text[: offset + 1], re.M)]
    if not headings:
        return {}
    title = headings[-1].group(2).strip()
    articles = heading_articles(title)
    if articles:
        return {"articles": articles}
    numbered = re.match(r"^(\d+(?:\.\d+)*)\.?\s", title)
    section = numbered.group(1) if numbered else title.lower() if title.lower() in ("abstract", "conclusion") else title
    return {"section": section}


def _flat(meta: dict) -> dict:
    return {key: value for key, value in meta.items() if value not in (None, [], "")}
