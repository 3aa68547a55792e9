"""Read a file into text lines (with page numbers) and document metadata.

Every loader returns the same ``SourceDocument`` so the chunkers never care where text came from.
Metadata comes from a ``X.ext.meta.yaml`` sidecar beside the file (for PDFs and uploads, which carry no front
matter), then Markdown front matter, and what neither gives is inferred from the text.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.numerals import cn_to_int, parse_number

SUPPORTED = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".pdf": "pdf", ".html": "html", ".htm": "html"}
DOC_TYPES = ("paper", "law", "regulation", "judicial_interpretation", "platform_rule")


class LoadError(ValueError):
    """A file that cannot be read; the message says why, for the ingest report."""


@dataclass
class Line:
    text: str
    page: int | None = None


@dataclass
class SourceDocument:
    path: Path
    kind: str
    lines: list[Line]
    metadata: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def load(path: Path) -> SourceDocument:
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise LoadError(f"unsupported file type {path.suffix!r} (use {', '.join(sorted(SUPPORTED))})")
    try:
        document = {"markdown": _markdown, "text": _text, "pdf": _pdf, "html": _html}[kind](path)
    except LoadError:
        raise
    except UnicodeDecodeError:
        raise LoadError("not UTF-8 text") from None
    except Exception as error:  # noqa: BLE001 - any parser failure means "unreadable", reported and skipped
        raise LoadError(f"unreadable {kind}: {error}") from None
    if not any(line.text.strip() for line in document.lines):
        raise LoadError("no text found" + (" (a scanned PDF needs OCR first)" if kind == "pdf" else ""))
    document.metadata.update(_sidecar(path))
    document.metadata = infer_metadata(document)
    return document


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.yaml")


def _sidecar(path: Path) -> dict:
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        metadata = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise LoadError(f"{side.name} is not valid YAML: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(metadata, dict):
        raise LoadError(f"{side.name} must be a mapping of fields")
    return metadata


def _lines(text: str, page: int | None = None) -> list[Line]:
    return [Line(line.rstrip(), page) for line in text.replace("\r\n", "\n").split("\n")]


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def _markdown(path: Path) -> SourceDocument:
    text = path.read_text(encoding="utf-8")
    metadata: dict = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            metadata = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as error:
            raise LoadError(f"front matter is not valid YAML: {error.problem}") from None
        if not isinstance(metadata, dict):
            raise LoadError("front matter must be a mapping of fields")
        text = text[match.end() :]
    return SourceDocument(path, "markdown", _lines(text), metadata)


def _text(path: Path) -> SourceDocument:
    return SourceDocument(path, "text", _lines(path.read_text(encoding="utf-8")))


def _pdf(path: Path) -> SourceDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        lines = [
            line for number, page in enumerate(reader.pages, 1) for line in _lines(page.extract_text() or "", number)
        ]
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise LoadError(f"corrupt or unreadable PDF: {error}") from None
    metadata = {"title": (reader.metadata or {}).get("/Title")} if reader.metadata else {}
    return SourceDocument(path, "pdf", lines, {k: v for k, v in metadata.items() if v})


def _html(path: Path) -> SourceDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else None
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            heading.replace_with(f"\n{'#' * level} {heading.get_text(' ', strip=True)}\n")
    for block in soup.find_all(["p", "li", "div", "br", "tr"]):
        block.insert_after("\n")
    body = soup.body or soup
    text = re.sub(r"\n{3,}", "\n\n", body.get_text())
    return SourceDocument(path, "html", _lines(text), {"title": title} if title else {})


_CJK = re.compile(r"[\u3400-\u9fff]")
_EFFECTIVE = re.compile(
    r"(\d{4}|[〇零一二三四五六七八九]{4})年(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})日\s*(?:起)?\s*施行"
)


def detect_lang(text: str) -> str:
    """'zh', 'en' or 'zh+en' from the share of CJK characters among letters."""
    cjk = len(_CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if cjk and latin / 4 > cjk / 3:
        return "zh+en" if cjk >= 20 else "en"
    return "zh" if cjk else "en"


def infer_metadata(document: SourceDocument) -> dict:
    """Front matter wins; what it leaves out is inferred from the file name and text."""
    meta = {k: v for k, v in document.metadata.items() if v not in (None, "", [])}
    text = document.text
    heading = next((line.text.lstrip("# ").strip() for line in document.lines if line.text.startswith("# ")), None)
    first_line = next((line.text.strip() for line in document.lines if line.text.strip()), document.path.stem)
    meta.setdefault("doc_id", document.path.stem)
    title = meta.get("title") or heading or first_line[:120]
    meta["title"] = str(title)
    if _CJK.search(meta["title"]):
        meta.setdefault("title_zh", meta["title"])
    meta.setdefault("doc_type", _infer_doc_type(meta["title"], text))
    if meta["doc_type"] not in DOC_TYPES:
        raise LoadError(f"doc_type must be one of {', '.join(DOC_TYPES)} (got {meta['doc_type']!r})")
    meta.setdefault("status", "official_text")
    meta.setdefault("lang", detect_lang(text[:5000]))
    if "effective" not in meta and (match := _EFFECTIVE.search(text)):
        meta["effective"] = _date(*match.groups())
    return {key: str(value) if hasattr(value, "isoformat") else value for key, value in meta.items()}


def _infer_doc_type(title: str, text: str) -> str:
    if title.startswith("最高人民法院") or "司法解释" in title:
        return "judicial_interpretation"
    if re.search(r"(条例|办法|规定|规则)(（.+）)?$", title):
        return "regulation"
    if title.endswith("法"):
        return "law"
    articles = len(re.findall(r"^\s*第[零〇一二三四五六七八九十百千\d]+条", text, re.M))
    return "regulation" if articles >= 3 else "paper"


def _date(year: str, month: str, day: str) -> str:
    y = int(year) if year.isdigit() else cn_to_int(year)
    return f"{y:04d}-{parse_number(month):02d}-{parse_number(day):02d}"
