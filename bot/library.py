"""The knowledge base as documents, for browsing, uploading and deleting them.

The Chroma collection is the source of truth (it is what answers draw on), so listing and reading go
to its chunks, not to files. Uploads carry their metadata in a sidecar the loader reads at ingest.
"""

import filecmp
import hashlib
import itertools
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.loaders import DOC_TYPES, SUPPORTED, LoadError, load, sidecar_path

TYPE_ORDER = ("law", "regulation", "judicial_interpretation", "platform_rule", "paper")
_INFO_FIELDS = ("title", "title_zh", "doc_type", "authority", "effective", "status", "source_path")


@dataclass
class DocumentInfo:
    doc_id: str = ""
    title: str = ""
    title_zh: str = ""
    doc_type: str = ""
    authority: str = ""
    effective: str = ""
    status: str = ""
    chunks: int = 0
    source_path: str = ""


@dataclass
class Section:
    locator: str
    text: str
    page: int | None = None


def catalogue(collection) -> list[DocumentInfo]:
    """One entry per document, read in a single pass over the chunks' metadata."""
    documents: dict[str, DocumentInfo] = {}
    for meta in collection.get(include=["metadatas"])["metadatas"]:
        doc_id = str(meta.get("doc_id", ""))
        if doc_id not in documents:
            documents[doc_id] = DocumentInfo(doc_id, **{key: str(meta.get(key, "")) for key in _INFO_FIELDS})
        documents[doc_id].chunks += 1
    return sorted(documents.values(), key=_type_then_title)


def _type_then_title(info: DocumentInfo) -> tuple:
    rank = TYPE_ORDER.index(info.doc_type) if info.doc_type in TYPE_ORDER else len(TYPE_ORDER)
    return rank, info.doc_type, info.title.casefold()


def read(collection, doc_id: str) -> list[Section]:
    """The document's chunks in reading order."""
    stored = collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
    chunks = sorted(zip(stored["metadatas"], stored["documents"]), key=lambda pair: pair[0].get("position", 0))
    return [Section(meta.get("locator") or meta.get("section", ""), text, meta.get("page")) for meta, text in chunks]


def save_upload(
    source: Path,
    uploads_dir: Path,
    title: str = "",
    doc_type: str = "",
    authority: str = "",
    effective: str = "",
    title_zh: str = "",
    url: str = "",
) -> Path:
    """Copy an upload beside its metadata sidecar; a file that would not ingest leaves nothing behind."""
    given = dict(title=title, title_zh=title_zh, doc_type=doc_type, authority=authority, effective=effective, url=url)
    fields = {key: value.strip() for key, value in given.items() if value and value.strip()}
    _validate(source, fields)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    target = _free_name(source, uploads_dir)
    new = not target.exists()
    try:
        shutil.copyfile(source, target)
        sidecar_path(target).write_text(
            yaml.safe_dump({"doc_id": _doc_id(target.stem), **fields}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        load(target)
    except (LoadError, OSError):
        if new:
            target.unlink(missing_ok=True)
            sidecar_path(target).unlink(missing_ok=True)
        raise
    return target


def _validate(source: Path, fields: dict) -> None:
    if source.suffix.lower() not in SUPPORTED:
        kind = f"{source.suffix} files" if source.suffix else "files without a suffix"
        raise LoadError(f"cannot read {kind}: upload one of {', '.join(SUPPORTED)}")
    if "doc_type" in fields and fields["doc_type"] not in DOC_TYPES:
        raise LoadError(f"document type must be one of {', '.join(DOC_TYPES)}, not {fields['doc_type']!r}")
    if "effective" in fields and not _is_date(fields["effective"]):
        raise LoadError(f"effective date must be a date written YYYY-MM-DD, not {fields['effective']!r}")


def _is_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _free_name(source: Path, uploads_dir: Path) -> Path:
    """A safe name in uploads_dir: the same file uploaded again reuses its name, another file gets -2, -3…"""
    stem = re.sub(r"[^\w.-]+", "-", source.stem).strip("-.")[:80] or "upload"
    for number in itertools.count(1):
        target = uploads_dir / f"{stem}{'' if number == 1 else f'-{number}'}{source.suffix.lower()}"
        if not target.exists() and not sidecar_path(target).exists():
            return target
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            return target


def _doc_id(stem: str) -> str:
    """ASCII slug of the file name, prefixed so an upload never shares a knowledge-base document's id; a lossy
    slug (Chinese names, changed case) carries a short hash of the name, so different names keep apart."""
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if slug != stem:
        slug = f"{slug}-{hashlib.sha1(stem.encode()).hexdigest()[:8]}".lstrip("-")
    return f"upload-{slug}"


def delete(collection, doc_id: str, uploads_dir: Path, sentences=None) -> int:
    """Remove the document's chunks (and their sentences); its file and sidecar go too only when they are an
    upload."""
    stored = collection.get(where={"doc_id": doc_id}, include=["metadatas"])
    if not stored["ids"]:
        return 0
    collection.delete(ids=stored["ids"])
    if sentences:
        sentences.remove(stored["ids"])
    uploads = uploads_dir.resolve()
    for source in {meta.get("source_path", "") for meta in stored["metadatas"]}:
        path = Path(source).resolve()
        if source and path.is_relative_to(uploads):
            path.unlink(missing_ok=True)
            sidecar_path(path).unlink(missing_ok=True)
    return len(stored["ids"])
