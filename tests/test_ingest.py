"""Ingest adds only what changed, removes what is gone, skips bad files, and survives interruption."""

import re

import pytest

from bot.ingest import records
from bot.loaders import load
from bot.service import Assistant
from bot.store import ModelMismatchError, open_collection

from .conftest import LIVE_RULES_ZH, run_cli
from .test_loaders import make_pdf


def test_reingest_of_unchanged_files_embeds_nothing(assistant, corpus):
    first = assistant.ingest([corpus])
    assert first.documents == 2 and first.added == first.chunks > 0 and not first.skipped
    second = assistant.ingest([corpus])
    assert (second.added, second.removed, second.unchanged) == (0, 0, first.chunks)
    assert assistant.collection.count() == first.chunks


def test_changed_file_replaces_only_its_changed_chunks(assistant, corpus):
    before = assistant.ingest([corpus]).chunks
    path = corpus / "live-rules.md"
    path.write_text(LIVE_RULES_ZH.replace("不少于二年", "不少于三年"), encoding="utf-8")
    report = assistant.ingest([corpus])
    assert (report.added, report.removed, report.unchanged) == (1, 1, before - 1)
    stored = assistant.collection.get(where={"articles": {"$contains": 4}}, include=["documents"])["documents"]
    assert stored == [
        next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("第四条")).replace(
            "　", " "
        )
    ]


def test_removed_file_loses_its_chunks(assistant, corpus):
    assistant.ingest([corpus])
    (corpus / "sample-paper.md").unlink()
    report = assistant.ingest([corpus])
    assert report.removed > 0
    doc_ids = {m["doc_id"] for m in assistant.collection.get(include=["metadatas"])["metadatas"]}
    assert doc_ids == {"live-rules"}


def test_corrupt_pdf_is_skipped_with_its_reason_and_the_rest_ingests(assistant, corpus):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    make_pdf(corpus / "good.pdf", ["Hosts must disclose paid promotions.", "Second page about refunds."])
    report = assistant.ingest([corpus])
    assert len(report.skipped) == 1
    path, reason = report.skipped[0]
    assert path.endswith("broken.pdf") and "PDF" in reason
    pages = sorted(
        m["page"] for m in assistant.collection.get(where={"doc_id": "good"}, include=["metadatas"])["metadatas"]
    )
    assert pages == [1, 2]
    assert report.documents == 3


def test_interrupted_ingest_leaves_the_previous_index_usable(assistant, corpus, monkeypatch):
    assistant.ingest([corpus])
    before = assistant.collection.count()
    (corpus / "live-rules.md").write_text(LIVE_RULES_ZH.replace("七日", "十日"), encoding="utf-8")
    make_pdf(corpus / "extra.pdf", ["More rules about deposits."])

    def crash(texts):
        raise KeyboardInterrupt

    monkeypatch.setattr(assistant.embedder, "encode_documents", crash)
    with pytest.raises(KeyboardInterrupt):
        assistant.ingest([corpus])
    monkeypatch.undo()
    assert assistant.collection.count() == before
    assert assistant.retrieve("七日内退货", k=1)[0].metadata["articles"] == [5]
    report = assistant.ingest([corpus])
    assert report.added == 2 and report.removed == 1


def test_index_built_by_another_model_is_refused(settings, embedder, corpus):
    Assistant(settings, embedder).ingest([corpus])
    with pytest.raises(ModelMismatchError, match="re-ingest"):
        open_collection(settings, "all-minilm-l6-v2")


def test_ingest_command_prints_a_summary_table(settings, corpus):
    (corpus / "broken.pdf").write_bytes(b"not a pdf")
    result = run_cli(["ingest.py", str(corpus)], settings)
    assert result.returncode == 0, result.stderr
    assert "documents" in result.stdout and "added" in result.stdout
    assert "skipped" in result.stdout and "broken.pdf" in result.stdout
    assert re.search(r"done: 100%.* (\d+)/\1 ", result.stderr), "a progress bar is shown"
    assert result.stderr.count("\r") <= 3, "in a log (not a terminal) the bar is not rewritten on every update"


def test_cli_with_another_model_says_to_reingest(settings, embedder, corpus):
    Assistant(settings, embedder).ingest([corpus])
    result = run_cli(["-m", "bot", "retrieve", "退货"], settings, env={"BOT_EMBEDDING_MODEL": "all-minilm-l6-v2"})
    assert result.returncode == 2
    assert "re-ingest" in result.stderr and "all-minilm-l6-v2" in result.stderr


def test_a_sections_penalty_lines_are_stored_but_not_embedded(tmp_path):
    """They state another article's fines; in the vector, they pulled this article into fine questions."""
    path = tmp_path / "d.md"
    path.write_text(
        "---\ndoc_id: d\ntitle: D Law\ntitle_zh: 丁法\ndoc_type: law\nauthority: X\nstatus: digest\n---\n\n# D\n\n"
        "## Article 5 · 第五条 — Gifts\n\n**EN:** A host must say what the free gift is.\n\n"
        "**中文：** 主播要讲清赠品。\n\n**Penalty:** Article 9 — confiscation and a fine up to RMB 5,000.\n\n"
        "**罚则：**第九条——没收并罚款五千元以下。\n",
        encoding="utf-8",
    )
    english, chinese = records(load(path), "d.md")
    assert "Penalty: Article 9" in english.text and "Penalty" not in english.embed_text
    assert "free gift" in english.embed_text
    assert "罚则：第九条" in chinese.text and "罚则" not in chinese.embed_text


def test_an_edited_front_matter_replaces_the_stored_metadata(assistant, corpus):
    """The text is unchanged but the document has a new URL: its stored chunks must not keep the old metadata."""
    path = corpus / "sample-paper.md"
    before = assistant.ingest([corpus])
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("doc_type: paper\n", "doc_type: paper\nurl: https://example.org/v2\n"), "utf-8")
    report = assistant.ingest([corpus])
    paper = assistant.collection.get(where={"doc_id": "sample-paper"}, include=["metadatas"])["metadatas"]
    assert report.added == report.removed == len(paper) and report.unchanged == before.chunks - len(paper)
    assert {meta.get("url") for meta in paper} == {"https://example.org/v2"}
