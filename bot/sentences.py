"""The sentence index: every quotable sentence of every chunk, and every question a digest section lists,
embedded once at ingest.

The extractive answerer scores a passage's sentences against the question; embedding them at question time
was most of an answer's latency. The listed questions ("- Questions: …", "常见问题：…") are embedded as
queries, so a user's question finds the article whose listed question it resembles (question to question
is a closer match than question to legal text). A second Chroma collection beside the chunks holds both,
keyed by chunk id, so it lives wherever the chunks do (data dir or server). A chunk without sentences
there (an index from before, an ingest interrupted between the two writes) is embedded on demand.
"""

import hashlib

import numpy as np

from bot.chunking import candidate_sentences, listed_questions
from bot.embedding import Embedder
from bot.filters import Filters, Masks


class SentenceIndex:
    def __init__(self, collection, embedder: Embedder):
        self.collection = collection
        self.embedder = embedder
        self._held: tuple = (None, ([], Masks([]), np.zeros((0, embedder.dimension), dtype=np.float32)))

    def add(self, chunk_ids: list[str], texts: list[str], metadatas: list[dict]) -> None:
        """Embed and store the sentences and listed questions of these chunks (idempotent: ids hash the chunk
        id, kind and position)."""
        for kind, split, encode in (
            ("sentence", candidate_sentences, self.embedder.encode_documents),
            ("question", listed_questions, self.embedder.encode_queries),
        ):
            ids, documents, metas = [], [], []
            for chunk_id, text, meta in zip(chunk_ids, texts, metadatas):
                shared = {key: meta[key] for key in ("doc_id", "doc_type", "lang") if key in meta}
                for position, sentence in enumerate(split(text)):
                    ids.append(hashlib.sha1(f"{chunk_id}\0{kind}\0{position}".encode()).hexdigest())
                    documents.append(sentence)
                    metas.append({**shared, "chunk_id": chunk_id, "kind": kind, "position": position})
            if ids:
                self.collection.upsert(ids=ids, embeddings=encode(documents), documents=documents, metadatas=metas)

    def missing(self, chunks: dict[str, str]) -> set[str]:
        """The chunks (id → text) whose stored sentences or questions are not what this version splits: none
        stored (an index from before the sentence index, an interrupted ingest) or an older split."""
        if not chunks:
            return set()
        stored = self.collection.get(where={"chunk_id": {"$in": list(chunks)}}, include=["documents", "metadatas"])
        found: dict[tuple[str, str], list] = {}
        for text, meta in zip(stored["documents"], stored["metadatas"]):
            found.setdefault((meta["chunk_id"], meta.get("kind", "")), []).append((meta["position"], text))
        return {
            chunk_id
            for chunk_id, passage in chunks.items()
            for kind, split in (("sentence", candidate_sentences), ("question", listed_questions))
            if [text for _, text in sorted(found.get((chunk_id, kind), []))] != split(passage)
        }

    def remove(self, chunk_ids: list[str]) -> None:
        for start in range(0, len(chunk_ids), 500):
            self.collection.delete(where={"chunk_id": {"$in": chunk_ids[start : start + 500]}})

    def sentences(self, chunks: dict[str, str]) -> dict[str, tuple[list[str], np.ndarray]]:
        """Each chunk's quotable sentences in reading order with their vectors (``chunks``: id → text)."""
        if not chunks:
            return {}
        stored = self.collection.get(
            where={"$and": [{"chunk_id": {"$in": list(chunks)}}, {"kind": "sentence"}]},
            include=["documents", "metadatas", "embeddings"],
        )
        found: dict[str, list] = {}
        for text, meta, vector in zip(stored["documents"], stored["metadatas"], stored["embeddings"]):
            found.setdefault(meta["chunk_id"], []).append((meta["position"], text, vector))
        out = {}
        for chunk_id, passage in chunks.items():
            expected = candidate_sentences(passage)
            rows = sorted(found.get(chunk_id, []), key=lambda row: row[0])
            if not expected:
                out[chunk_id] = ([], np.zeros((0, self.embedder.dimension)))
            elif [text for _, text, _ in rows] == expected:
                out[chunk_id] = (expected, np.asarray([vector for _, _, vector in rows]))
            else:
                out[chunk_id] = (expected, self.embedder.encode_documents(expected))
        return out

    def nearest_chunks(
        self, vector: np.ndarray, k: int, filters: Filters | None = None, version: str = ""
    ) -> list[str]:
        """Ids of the chunks whose listed questions are nearest the query, best first, among those ``filters``
        admits. An exact search over the questions held in memory: Chroma's filtered query over the whole
        sentence collection took a quarter of a retrieval (29 of 110 ms). ``version`` names the chunks' state
        (chunk ids hash their text); the questions are read again when it or the number of entries changes, so
        ingests by another process are seen."""
        chunk_ids, masks, vectors = self._questions(version)
        if not chunk_ids:
            return []
        scores = _similarities(vectors, vector)
        if filters is not None:
            scores[~masks(filters)] = -np.inf
        nearest: dict[str, None] = {}
        for position in np.argsort(-scores):
            if scores[position] == -np.inf or len(nearest) == k:
                break
            nearest.setdefault(chunk_ids[position])
        return list(nearest)

    def nearest_question(self, vector: np.ndarray) -> float | None:
        """The similarity of the query to the nearest listed question of the whole knowledge base (None when no
        digest lists any), read from the questions retrieval last loaded: reading them under another version
        would make every search read them again."""
        held = self._held[0]
        _, _, vectors = self._questions(held[0] if held else "")
        if not len(vectors):
            return None
        return float(_similarities(vectors, vector).max())

    def _questions(self, version: str) -> tuple[list[str], Masks, np.ndarray]:
        key = (version, self.collection.count())
        if self._held[0] != key:
            stored = self.collection.get(where={"kind": "question"}, include=["metadatas", "embeddings"])
            # in a fixed order (the store's follows the history of ingests), so ties rank alike on every index
            order = sorted(range(len(stored["ids"])), key=lambda i: stored["ids"][i])
            metadatas = [stored["metadatas"][i] for i in order]
            vectors = np.asarray([stored["embeddings"][i] for i in order], dtype=np.float32)
            vectors = vectors.reshape(-1, self.embedder.dimension)
            chunk_ids = [meta["chunk_id"] for meta in metadatas]
            self._held = (key, (chunk_ids, Masks(metadatas), vectors))
        return self._held[1]


def _similarities(vectors: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Each listed question's similarity to the query. einsum, not BLAS: OpenBLAS's threads for this product kept
    spinning and slowed the next query's encoding by torch threefold (32 -> 106 ms)."""
    return np.einsum("ij,j->i", vectors, np.asarray(vector, dtype=np.float32))
