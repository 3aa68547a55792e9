"""Every file type loads into lines and metadata; a bad file fails with a reason."""

import pytest
from fpdf import FPDF

from bot.ingest import discover
from bot.loaders import LoadError, load


def make_pdf(path, pages: list[str], title: str = ""):
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def test_pdf_keeps_page_numbers(tmp_path):
    path = make_pdf(
        tmp_path / "guide.pdf",
        ["Live room checklist\n\nShow the business licence.", "Returns\n\nAccept returns within 7 days."],
    )
    document = load(path)
    pages = {line.page for line in document.lines if "Returns" in line.text or "7 days" in line.text}
    assert pages == {2}
    assert document.metadata["doc_id"] == "guide" and document.metadata["lang"] == "en"


def test_corrupt_pdf_is_a_load_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n this is not really a pdf \x00\x01")
    with pytest.raises(LoadError, match="PDF|no text"):
        load(path)


def test_front_matter_wins_and_the_rest_is_inferred(tmp_path):
    path = tmp_path / "x.md"
    path.write_text(
        "---\ndoc_id: ecommerce-law\ntitle: E-Commerce Law\ndoc_type: law\neffective: 2019-01-01\n---\n"
        "# Ignored heading\n\nText.\n",
        encoding="utf-8",
    )
    meta = load(path).metadata
    assert (meta["doc_id"], meta["title"], meta["doc_type"], meta["effective"]) == (
        "ecommerce-law",
        "E-Commerce Law",
        "law",
        "2019-01-01",
    )


def test_inferred_metadata_for_a_chinese_regulation(tmp_path):
    path = tmp_path / "rules.txt"
    path.write_text(
        "网络直播营销管理办法\n\n第一条 为了规范。\n\n第二条 适用。\n\n第三条 本办法自2021年5月25日起施行。\n",
        encoding="utf-8",
    )
    meta = load(path).metadata
    assert meta["title"] == meta["title_zh"] == "网络直播营销管理办法"
    assert (meta["doc_type"], meta["lang"], meta["effective"], meta["doc_id"]) == (
        "regulation",
        "zh",
        "2021-05-25",
        "rules",
    )


def test_html_headings_become_markdown_headings(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Platform rules</title><script>x()</script></head><body>"
        "<h1>Rules</h1><p>Intro.</p><h2>1. Deposits</h2><p>Hosts pay a deposit.</p></body></html>",
        encoding="utf-8",
    )
    document = load(path)
    assert document.metadata["title"] == "Platform rules"
    assert "## 1. Deposits" in document.text and "x()" not in document.text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "no text"),
        ("latin1.txt", "café".encode("latin-1"), "UTF-8"),
        ("bad.md", b"---\ntitle: [unclosed\n---\nbody\n", "front matter"),
        ("type.md", b"---\ndoc_type: novel\n---\nbody\n", "doc_type"),
        ("data.xlsx", b"PK", "unsupported"),
    ],
)
def test_bad_files_say_why(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load(path)


def test_sidecar_metadata_wins_over_the_pdf_title_and_is_not_ingested_itself(tmp_path):
    path = make_pdf(tmp_path / "scan-0042.pdf", ["Hosts must show their licence."], title="Untitled export")
    (tmp_path / "scan-0042.pdf.meta.yaml").write_text(
        "doc_id: douyin-hosts\ntitle: Douyin host rules\ntitle_zh: 抖音主播规则\ndoc_type: platform_rule\n"
        "authority: Douyin\neffective: 2024-03-01\nurl: https://example.com/rules\n",
        encoding="utf-8",
    )
    meta = load(path).metadata
    assert {key: meta[key] for key in ("doc_id", "title", "title_zh", "doc_type", "authority", "effective", "url")} == {
        "doc_id": "douyin-hosts",
        "title": "Douyin host rules",
        "title_zh": "抖音主播规则",
        "doc_type": "platform_rule",
        "authority": "Douyin",
        "effective": "2024-03-01",
        "url": "https://example.com/rules",
    }
    assert discover([tmp_path]) == [path]


def test_sidecar_wins_over_front_matter_and_what_it_leaves_out_stays(tmp_path):
    path = tmp_path / "law.md"
    path.write_text("---\ndoc_id: old-id\ntitle: Old title\ndoc_type: law\n---\n# Heading\n\nText.\n", encoding="utf-8")
    (tmp_path / "law.md.meta.yaml").write_text("title: New title\n", encoding="utf-8")
    meta = load(path).metadata
    assert (meta["doc_id"], meta["title"], meta["doc_type"]) == ("old-id", "New title", "law")


@pytest.mark.parametrize(
    ("sidecar", "reason"),
    [
        ("title: [unclosed\n", "notes.txt.meta.yaml is not valid YAML"),
        ("- a list\n- not a mapping\n", "notes.txt.meta.yaml must be a mapping"),
        ("doc_type: memo\n", "doc_type must be one of"),
    ],
)
def test_invalid_sidecar_is_a_load_error_saying_why(tmp_path, sidecar, reason):
    path = tmp_path / "notes.txt"
    path.write_text("Some rules.\n", encoding="utf-8")
    (tmp_path / "notes.txt.meta.yaml").write_text(sidecar, encoding="utf-8")
    with pytest.raises(LoadError, match=reason):
        load(path)
