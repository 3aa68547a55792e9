"""How answers look in the app and in the export: linked markers, highlighted quotes, escaped text."""

from bot.render import conversation_markdown, highlight, linked_markers, reply_markdown, source_card, sources_html

CITATION = {
    "n": 1,
    "doc_id": "ecommerce-law",
    "title": "E-Commerce Law",
    "title_zh": "电子商务法",
    "locator": "Article 17 · 第十七条",
    "quote": "经营者应当全面、真实、准确、及时地披露商品信息。",
    "passage": "第十七条 电子商务经营者应当全面、真实、准确、及时地披露商品信息。不得虚构交易。",
    "url": "https://example.gov.cn/law",
    "effective": "2019-01-01",
    "doc_type": "law",
    "authority": "NPC Standing Committee",
    "page": None,
}
RESULT = {
    "answer": "根据知识库：\n- 经营者应当全面、真实、准确、及时地披露商品信息。 [1]",
    "lang": "zh",
    "refused": False,
    "citations": [CITATION],
    "related": [],
    "notice": "以上为信息参考，不构成法律意见。",
    "backend": "extractive",
    "timings_ms": {"total": 182.4},
}


def test_markers_link_to_their_turns_source():
    assert linked_markers("Yes. [2]", 3) == 'Yes. <a class="cite" href="#src-3-2">[2]</a>'


def test_the_quoted_sentence_is_highlighted_and_markup_escaped():
    passage = "Article 9\n- Topics · 主题: prices\nA <b>bold</b> claim. Hosts must disclose prices."
    marked = highlight(passage, "Hosts must disclose prices.")
    assert "&lt;b&gt;" in marked and "<mark>Hosts must disclose prices.</mark>" in marked and "Topics" not in marked


def test_source_card_shows_both_titles_type_locator_date_and_link():
    card = source_card(CITATION, 2, "en")
    assert 'id="src-2-1"' in card and "电子商务法" in card and ">Law<" in card
    assert "in force from 2019-01-01" in card and 'href="https://example.gov.cn/law"' in card
    assert "<mark>" in card and "第十七条" in card
    assert ">法律<" in source_card(CITATION, 2, "zh")


def test_sources_of_every_turn_newest_first():
    turns = [{"question": "Q1", "result": RESULT}, {"question": "Q<2>", "result": RESULT}]
    html = sources_html(turns, "en")
    assert html.index('id="src-2-1"') < html.index('id="src-1-1"') and "Q&lt;2&gt;" in html
    assert "Click a marker" in sources_html([], "en")


def test_reply_has_notice_backend_and_related_on_refusal():
    reply = reply_markdown(RESULT, 1, "zh")
    assert 'href="#src-1-1"' in reply and "不构成法律意见" in reply and "extractive · 182 ms" in reply
    refusal = {**RESULT, "refused": True, "answer": "Not covered.", "citations": [], "related": [CITATION]}
    assert "Related provisions (not an answer):\n- E-Commerce Law · Article 17" in reply_markdown(refusal, 1, "en")


def test_an_answers_close_matches_are_see_also_titled_in_the_readers_language():
    answered = {**RESULT, "related": [CITATION]}
    reply = reply_markdown(answered, 1, "zh")
    assert "另见（相近条款，本回答未采用）：\n- 电子商务法 · Article 17 · 第十七条: “经营者应当" in reply
    assert "相关条款（仅供参考" not in reply
    assert "See also (close matches this answer does not rely on):\n- E-Commerce Law" in conversation_markdown(
        [{"question": "Q", "result": answered}], "en"
    )


def test_export_holds_questions_answers_and_citations():
    text = conversation_markdown([{"question": "商品信息要怎么披露？", "result": RESULT}], "zh")
    assert "## 1. 商品信息要怎么披露？" in text
    assert "- [1] E-Commerce Law · Article 17 · 第十七条 · 2019-01-01 · https://example.gov.cn/law" in text
