"""Ingest: files → chunks → embeddings → Chroma (and each chunk's sentences), adding only what changed.

Chunk ids hash the source, position and text, so an unchanged file costs nothing, a changed one
swaps just its changed chunks, and a removed file's chunks go. New chunks are written before stale
ones are deleted: an interrupted run leaves the previous index answering questions.
"""

import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from bot.chunking import Chunk, chunk_document, searchable
from bot.embedding import Embedder
from bot.loaders import SUPPORTED, LoadError, SourceDocument, detect_lang, load
from bot.sentences import SentenceIndex

Progress = Callable[[int, int, str], None]


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """Ingest progress on a tqdm bar (the ingest command, the app's first start). Written to a log rather
    than a terminal, it adds a line every 30 s instead of one per update."""
    with tqdm(total=1, unit="chunk", dynamic_ncols=True, mininterval=0.1 if sys.stderr.isatty() else 30) as bar:

        def progress(done: int, total: int, stage: str) -> None:
            bar.total = max(total, 1)
            bar.set_description(stage[:40], refresh=False)
            bar.update(done - bar.n)

        yield progress


_METADATA_FIELDS = (
    "doc_id",
    "title",
    "title_zh",
    "short_titles",
    "doc_type",
    "authority",
    "authority_zh",
    "effective",
    "url",
    "status",
)


@dataclass
class Record:
    id: str
    text: str
    embed_text: str
    metadata: dict


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def table(self) -> str:
        rate = f"{self.added / self.seconds:.1f}" if self.added and self.seconds else "-"
        rows = [
            ("documents", self.documents),
            ("chunks in these documents", self.chunks),
            ("added", self.added),
            ("unchanged", self.unchanged),
            ("removed", self.removed),
            ("skipped", len(self.skipped)),
            ("seconds", f"{self.seconds:.1f}"),
            ("chunks embedded per second", rate),
        ]
        width = max(len(name) for name, _ in rows)
        lines = [f"{name:<{width}}  {value}" for name, value in rows]
        lines += [f"  skipped {path}: {reason}" for path, reason in self.skipped]
        return "\n".join(lines)


def discover(paths: Iterable[Path]) -> list[Path]:
    """Supported files under the paths. Files with an all-caps name (README.md, COVERAGE.md) describe
    the knowledge base and are not part of it."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        found += [
            p
            for p in sorted(path.rglob("*"))
            if p.is_file() and p.suffix.lower() in SUPPORTED and not p.stem.replace("_", "").isupper()
        ]
    return found


def source_path(path: Path) -> str:
    resolved = path.resolve()
    return (resolved.relative_to(Path.cwd()) if resolved.is_relative_to(Path.cwd()) else resolved).as_posix()


def records(document: SourceDocument, source: str) -> list[Record]:
    meta = document.metadata
    base = {key: str(meta[key]) for key in _METADATA_FIELDS if meta.get(key) not in (None, "")}
    out = []
    for position, chunk in enumerate(chunk_document(document)):
        metadata = {
            **base,
            **_chunk_metadata(chunk),
            "source_path": source,
            "position": position,
            "lang": detect_lang(chunk.text),
        }
        embed_text = f"{meta['title']} · {chunk.locator}\n{searchable(chunk.text)}"
        # The id covers what is stored, not only the text: an edited front matter (title, URL, dates) replaces
        # the chunks that carry it.
        fields = json.dumps(metadata, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha1(f"{source}\0{chunk.key}\0{chunk.text}\0{embed_text}\0{fields}".encode()).hexdigest()
        out.append(Record(digest, chunk.text, embed_text, metadata))
    return out


def _chunk_metadata(chunk: Chunk) -> dict:
    values = {"locator": chunk.locator, "section": chunk.section, "articles": chunk.articles, "page": chunk.page}
    return {key: value for key, value in values.items() if value not in (None, "", [])}


class Ingestor:
    def __init__(
        self, collection, embedder: Embedder, progress: Progress | None = None, sentences: SentenceIndex | None = None
    ):
        self.collection = collection
        self.embedder = embedder
        self.progress = progress or (lambda done, total, stage: None)
        self.sentences = sentences

    def run(self, paths: list[Path]) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files = discover(paths)
        pending: list[Record] = []
        kept: list[Record] = []
        stale: set[str] = set()
        present: set[str] = set()
        for index, path in enumerate(files):
            self.progress(index, len(files), f"reading {path.name}")
            source = source_path(path)
            present.add(source)
            try:
                new = records(load(path), source)
            except LoadError as error:
                report.skipped.append((source, str(error)))
                continue
            existing = set(self.collection.get(where={"source_path": source}, include=[])["ids"])
            new_ids = {record.id for record in new}
            pending += [record for record in new if record.id not in existing]
            kept += [record for record in new if record.id in existing]
            stale |= existing - new_ids
            report.documents += 1
            report.chunks += len(new)
            report.unchanged += len(existing & new_ids)
        self._add(pending)
        report.added = len(pending)
        if self.sentences:
            self._backfill(kept)
        stale |= self._orphans(paths, present)
        if stale:
            self.collection.delete(ids=sorted(stale))
            if self.sentences:
                self.sentences.remove(sorted(stale))
        report.removed = len(stale)
        report.seconds = time.perf_counter() - started
        return report

    def _add(self, pending: list[Record]) -> None:
        batch = max(self.embedder.batch_size, 1)
        for start in range(0, len(pending), batch):
            self.progress(start, len(pending), "embedding")
            part = pending[start : start + batch]
            if self.sentences:  # before the chunks: a chunk never lacks sentences unless interrupted here
                self.sentences.add([r.id for r in part], [r.text for r in part], [r.metadata for r in part])
            vectors = self.embedder.encode_documents([record.embed_text for record in part])
            self.collection.upsert(
                ids=[r.id for r in part],
                embeddings=vectors,
                documents=[r.text for r in part],
                metadatas=[r.metadata for r in part],
            )
        self.progress(len(pending), len(pending), "done")

    def _backfill(self, kept: list[Record]) -> None:
        """Unchanged chunks whose sentences are missing (an index built before the sentence index, an interrupted
        ingest) or were split by an earlier version get them."""
        missing = self.sentences.missing({record.id: record.text for record in kept})
        todo = [record for record in kept if record.id in missing]
        for start in range(0, len(todo), self.embedder.batch_size):
            self.progress(start, len(todo), "indexing sentences")
            part = todo[start : start + self.embedder.batch_size]
            self.sentences.remove([r.id for r in part])
            self.sentences.add([r.id for r in part], [r.text for r in part], [r.metadata for r in part])

    def _orphans(self, paths: list[Path], present: set[str]) -> set[str]:
        """Chunks of files that were under an ingested folder and are gone now."""
        folders = tuple("" if source_path(p) == "." else source_path(p) + "/" for p in paths if p.is_dir())
        if not folders:
            return set()
        stored = self.collection.get(include=["metadatas"])
        return {
            chunk_id
            for chunk_id, meta in zip(stored["ids"], stored["metadatas"])
            if meta.get("source_path") not in present and str(meta.get("source_path", "")).startswith(folders)
        }
