"""The knowledge base as documents: listed and read from the index, uploaded with metadata, deleted safely."""

import re

import pytest

from bot.library import catalogue, delete, read, save_upload
from bot.loaders import LoadError

from .test_loaders import make_pdf


@pytest.fixture
def indexed(assistant, corpus):
    """The conftest corpus (a Chinese regulation, an English paper) plus a two-page PDF guide, ingested."""
    make_pdf(corpus / "host-guide.pdf", ["Host disclosure guide\n\nShow the licence.", "Refunds within seven days."])
    report = assistant.ingest([corpus])
    assert report.documents == 3 and not report.skipped
    return assistant.collection


def _chunks(collection, doc_id: str) -> int:
    return len(collection.get(where={"doc_id": doc_id}, include=[])["ids"])


def test_catalogue_lists_each_document_once_by_type_then_title(indexed):
    documents = catalogue(indexed)
    assert [(d.doc_id, d.doc_type, d.title) for d in documents] == [
        ("live-rules", "regulation", "直播营销测试规定"),
        ("host-guide", "paper", "Host disclosure guide"),
        ("sample-paper", "paper", "Live streaming and rural sales (sample paper)"),
    ]
    assert all(d.chunks == _chunks(indexed, d.doc_id) > 0 for d in documents)
    assert sum(d.chunks for d in documents) == indexed.count()
    rules = documents[0]
    assert rules.title_zh == "直播营销测试规定" and rules.status == "official_text"
    assert rules.source_path.endswith("corpus/live-rules.md")


def test_read_returns_sections_in_reading_order(assistant, indexed, corpus):
    rules = corpus / "live-rules.md"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("第二条 直播间", "第二条 直播间（含小程序）"), encoding="utf-8"
    )
    assert assistant.ingest([corpus]).added == 1, "article 2 is now stored after the others"
    sections = read(indexed, "live-rules")
    articles = [s for s in sections if s.locator.startswith("Article")]
    assert [s.locator.split(" ·")[0] for s in articles] == [f"Article {n}" for n in range(1, 6)]
    assert "含小程序" in articles[1].text and "编造用户评价" in articles[2].text
    assert [s.page for s in read(indexed, "host-guide")] == [1, 2]
    assert read(indexed, "no-such-document") == []


def test_upload_is_ingested_with_the_metadata_given(assistant, tmp_path):
    incoming = make_pdf(tmp_path / "网络直播规则.pdf", ["Deposit rules\n\nHosts pay a deposit before selling."])
    uploads = tmp_path / "uploads"
    saved = save_upload(
        incoming,
        uploads,
        title="Douyin deposit rules",
        title_zh="抖音保证金规则",
        doc_type="platform_rule",
        authority="Douyin",
        effective="2024-03-01",
    )
    assert saved.parent == uploads and saved.suffix == ".pdf" and saved.read_bytes() == incoming.read_bytes()
    assert (uploads / f"{saved.name}.meta.yaml").is_file()
    assert assistant.ingest([saved]).added > 0
    (info,) = catalogue(assistant.collection)
    assert re.fullmatch(r"[a-z0-9-]+", info.doc_id)
    assert (info.title, info.title_zh, info.doc_type, info.authority, info.effective) == (
        "Douyin deposit rules",
        "抖音保证金规则",
        "platform_rule",
        "Douyin",
        "2024-03-01",
    )


def test_uploads_never_overwrite_each_other_and_chinese_names_get_distinct_ids(assistant, tmp_path):
    uploads = tmp_path / "uploads"
    sources = []
    for folder, name, text in [
        ("a", "规则.pdf", "First rules."),
        ("b", "规则.pdf", "Second."),
        ("c", "细则.pdf", "Third."),
    ]:
        (tmp_path / folder).mkdir()
        sources.append(make_pdf(tmp_path / folder / name, [text]))
    saved = [save_upload(path, uploads) for path in sources]
    assert len(set(saved)) == 3
    assert [path.read_bytes() for path in saved] == [path.read_bytes() for path in sources]
    assert save_upload(sources[0], uploads) == saved[0], "the same file uploaded again is not duplicated"
    assistant.ingest(saved)
    ids = [d.doc_id for d in catalogue(assistant.collection)]
    assert len(set(ids)) == 3 and all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)


@pytest.mark.parametrize(
    ("name", "fields", "reason"),
    [
        ("rules.docx", {}, r"\.docx"),
        ("rules.md", {"doc_type": "memo"}, "document type must be one of"),
        ("rules.md", {"effective": "2024/03/01"}, "YYYY-MM-DD"),
        ("rules.md", {"effective": "2024-02-30"}, "YYYY-MM-DD"),
    ],
)
def test_invalid_upload_is_refused_and_leaves_nothing_behind(tmp_path, name, fields, reason):
    source = tmp_path / name
    source.write_text("# Rules\n\nHosts must be honest.\n", encoding="utf-8")
    uploads = tmp_path / "uploads"
    with pytest.raises(LoadError, match=reason):
        save_upload(source, uploads, **fields)
    assert not uploads.exists() or not any(uploads.iterdir())


def test_unreadable_upload_is_refused_and_leaves_nothing_behind(tmp_path):
    source = tmp_path / "broken.pdf"
    source.write_bytes(b"%PDF-1.4\ngarbage")
    uploads = tmp_path / "uploads"
    with pytest.raises(LoadError, match="PDF"):
        save_upload(source, uploads)
    assert not any(uploads.iterdir())


def test_delete_removes_an_upload_with_its_file_but_never_a_knowledge_base_file(assistant, indexed, corpus, tmp_path):
    uploads = tmp_path / "uploads"
    saved = save_upload(make_pdf(tmp_path / "extra.pdf", ["Extra rules on deposits."]), uploads)
    assistant.ingest([saved])
    upload = next(d for d in catalogue(indexed) if d.source_path.endswith("uploads/extra.pdf"))
    before = indexed.count()

    assert delete(indexed, upload.doc_id, uploads) == upload.chunks > 0
    assert not saved.exists() and not any(uploads.iterdir()), "the upload and its sidecar are gone"
    assert indexed.count() == before - upload.chunks

    removed = delete(indexed, "live-rules", uploads)
    assert removed > 0 and _chunks(indexed, "live-rules") == 0
    assert (corpus / "live-rules.md").is_file(), "a knowledge-base file is never deleted"
    assert [d.doc_id for d in catalogue(indexed)] == ["host-guide", "sample-paper"]
    assert delete(indexed, "no-such-document", uploads) == 0
