"""The app in a real browser: Debian's headless Chromium driven by Playwright against app.py on 127.0.0.1."""

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .browser import launch
from .conftest import LIVE_RULES_ZH, PAPER_EN, start_app, stop_app
from .test_loaders import make_pdf

RULES_EN = """\
---
doc_id: test-platform-rules
title: Test platform rules for live rooms
title_zh: 测试平台直播规则
doc_type: platform_rule
authority: Test Platform
effective: 2024-05-01
url: https://example.com/rules
---
## Article 1 Prices
Hosts must state the price, quantity and after-sale terms of every product before selling it in a live room.

## Article 2 Sales data
A host who lies about sales volume is suspended from live streaming for seven days.
"""


@pytest.fixture(scope="module")
def app(base_settings, tmp_path_factory):
    kb = tmp_path_factory.mktemp("kb")
    (kb / "live-rules.md").write_text(LIVE_RULES_ZH, encoding="utf-8")
    (kb / "sample-paper.md").write_text(PAPER_EN, encoding="utf-8")
    (kb / "rules-en.md").write_text(RULES_EN, encoding="utf-8")
    settings = base_settings.model_copy(update={"collection": "ui-test", "kb_dir": kb})
    process, url, _ = start_app(settings)
    yield url, settings
    stop_app(process)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(app, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(app[0])
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def ask(page, question: str) -> None:
    """Type a question, send it, and wait until its sources (or a refusal) have arrived."""
    answered = page.locator("#chat .message-row").filter(has_text=re.compile("Answered by|回答方式"))
    before = answered.count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    expect(answered).to_have_count(before + 1, timeout=30_000)


def test_english_and_chinese_questions_get_cited_answers_with_sources(page):
    ask(page, "Do I have to tell viewers the price before I sell something in my live room?")
    answer = page.locator("#chat .message-row").last
    expect(answer.locator("a.cite").first).to_have_text("[1]")
    card = page.locator("#src-1-1")
    expect(card.locator(".title")).to_have_text("Test platform rules for live rooms")
    expect(card.locator(".title-zh")).to_have_text("测试平台直播规则")
    expect(card.locator(".badge")).to_have_text("Platform rule")
    expect(card.locator("mark")).to_contain_text("state the price")
    expect(card).to_contain_text("in force from 2024-05-01")
    expect(card.locator("a")).to_have_attribute("href", "https://example.com/rules")

    ask(page, "直播卖食品要查验什么？")
    answer = page.locator("#chat .message-row").last
    expect(answer).to_contain_text("食品生产经营许可证")
    card = page.locator("#src-2-1")
    expect(card).to_contain_text("第四条")
    expect(card.locator(".badge")).to_have_text("Regulation")


def test_clicking_a_marker_brings_its_source_into_view(page):
    ask(page, "直播间要公示营业执照吗？")
    ask(page, "Who studied rural live streaming and logistics?")
    # The sources panel can re-render just after the answer shows; click once it holds the newest turn.
    expect(page.locator("#sources .turn-head").first).to_contain_text("Who studied")
    page.locator("#chat .message-row").nth(1).locator("a.cite").first.click()
    card = page.locator("#src-1-1")
    expect(card).to_have_class(re.compile("flash"))
    expect(card).to_be_in_viewport()


def test_persona_switch_changes_examples_and_what_is_searched(page):
    examples = page.locator("button.example")
    expect(examples.first).to_have_text("Can I use an AI virtual host in my live room?")
    page.get_by_label("Student").check()
    expect(examples.first).to_have_text(re.compile("paper"))
    ask(page, "What is the main bottleneck for fresh produce sold in live rooms?")
    expect(page.locator("#src-1-1 .badge")).to_have_text("Paper")
    page.get_by_label("Official").check()
    expect(page.locator("#persona")).to_contain_text("judicial interpretations")
    ask(page, "What is the main bottleneck for fresh produce sold in live rooms?")
    expect(page.locator("#sources .badge-paper")).to_have_count(1)  # still only the student's answer cites it


def test_interface_language_switches_labels(page):
    page.get_by_label("中文").check()
    expect(page.get_by_role("tab", name="知识库")).to_be_visible()
    expect(page.locator("#new-chat")).to_have_text("新对话")
    page.get_by_label("English").check()
    expect(page.locator("#new-chat")).to_have_text("New chat")


def test_uploaded_pdf_is_listed_and_cited(page, tmp_path):
    pdf = make_pdf(
        tmp_path / "pet-sales.pdf",
        [
            "Pet sales in live rooms\n\nA host who sells live pets must show the animal quarantine certificate "
            "on screen before the sale."
        ],
    )
    page.get_by_role("tab", name="Knowledge base").click()
    page.locator("#upload input[type=file]").set_input_files(str(pdf))
    page.fill("#upload-title textarea, #upload-title input", "Pet sales test rules")
    page.fill("#upload-authority textarea, #upload-authority input", "Test Bureau")
    page.fill("#upload-effective textarea, #upload-effective input", "2025-03-01")
    page.locator("#upload-type input").click()
    page.get_by_role("option", name="Regulation").click()
    page.click("#ingest")
    expect(page.locator("#upload-note")).to_contain_text("Added Pet sales test rules", timeout=60_000)
    expect(page.locator("#catalogue")).to_contain_text("Test Bureau")

    page.get_by_role("tab", name="Chat").click()
    ask(page, "Must I show a quarantine certificate when selling pets in a live stream?")
    card = page.locator("#src-1-1")
    expect(card).to_contain_text("Pet sales test rules")
    expect(card).to_contain_text("2025-03-01")
    expect(card).to_contain_text("p. 1")


def test_a_bad_upload_shows_an_error_and_changes_nothing(page, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n not a real pdf \x00\x01")
    page.get_by_role("tab", name="Knowledge base").click()
    rows = page.locator("#catalogue tbody tr").count()
    page.locator("#upload input[type=file]").set_input_files(str(broken))
    page.click("#ingest")
    expect(page.locator("#upload-note")).to_contain_text("Could not add broken.pdf", timeout=60_000)
    expect(page.locator("#upload-note")).to_contain_text("Nothing else was changed")
    expect(page.locator("#catalogue tbody tr")).to_have_count(rows)


def test_feedback_is_stored_with_question_answer_and_citations(page, app):
    ask(page, "直播间运营者要公示什么信息？")
    page.get_by_role("button", name="Like", exact=True).last.click()
    expect(page.locator("#note")).to_contain_text("rating is saved")
    page.fill("#comment textarea", "Clear and cited.")
    page.click("#send-comment")
    expect(page.locator("#note")).to_contain_text("comment is saved")
    with sqlite3.connect(app[1].data_dir / "feedback.sqlite3") as db:
        query = "SELECT rating, comment, answer, citations FROM feedback WHERE question = ?"
        row = db.execute(query, ("直播间运营者要公示什么信息？",)).fetchone()
    assert row[0] == 1 and row[1] == "Clear and cited." and "[1]" in row[2] and "live-rules" in row[3]


def test_export_and_new_chat(page):
    ask(page, "直播间要公示营业执照吗？")
    with page.expect_download() as download:
        page.click("#export")
    text = download.value.path().read_text(encoding="utf-8")
    assert "## 1. 直播间要公示营业执照吗？" in text and "[1] 直播营销测试规定" in text
    page.click("#new-chat")
    expect(page.locator("#chat .message-row")).to_have_count(0)
    expect(page.locator("#sources .source")).to_have_count(0)


def test_exports_share_one_folder_and_never_overwrite_another_chat():
    from bot.ui import _export

    def chat(question: str) -> list[dict]:
        return [{"question": question, "result": {"answer": "答案。[1]", "citations": []}}]

    first, second = _export(chat("直播间要公示营业执照吗？"), "zh"), _export(chat("能刷单吗？"), "zh")
    assert first != second and Path(first).parent.parent == Path(second).parent.parent
    assert "营业执照" in Path(first).read_text(encoding="utf-8"), "the second export left the first intact"
    assert _export(chat("能刷单吗？"), "zh") == second and Path(second).name == "live-commerce-chat.md"
