"""Dense retrieval from Chroma, returned as LangChain Documents with their score and rank."""

from dataclasses import dataclass

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.embedding import Embedder


@dataclass(frozen=True)
class Filters:
    """Which documents may answer: by type (law, regulation, ...) and by doc_id."""

    doc_types: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()

    def where(self) -> dict | None:
        clauses = [
            {key: {"$in": list(values)}}
            for key, values in (("doc_type", self.doc_types), ("doc_id", self.doc_ids))
            if values
        ]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class DenseRetriever(BaseRetriever):
    """Nearest chunks by cosine similarity; ``score`` in metadata is the similarity (1 = identical)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    collection: object
    embedder: Embedder
    k: int = 10
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self.search(query, self.k, self.filters)

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[Document]:
        if self.collection.count() == 0:
            return []
        vector = self.embedder.encode_queries([query])[0]
        result = self.collection.query(
            query_embeddings=[vector],
            n_results=k,
            where=(filters or self.filters).where(),
            include=["documents", "metadatas", "distances"],
        )
        documents = []
        for rank, (text, meta, distance) in enumerate(
            zip(result["documents"][0], result["metadatas"][0], result["distances"][0]), 1
        ):
            documents.append(
                Document(
                    page_content=text,
                    id=result["ids"][0][rank - 1],
                    metadata={**meta, "score": round(1.0 - distance, 4), "rank": rank},
                )
            )
        return documents
