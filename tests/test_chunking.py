"""Chunks follow the structure users cite: articles, sections, headings, sentences."""

from pathlib import Path

import pytest

from bot.chunking import MAX_TOKENS, approx_tokens, chunk_document, sentences
from bot.loaders import load
from bot.numerals import int_to_cn

from .conftest import ROOT, SHARED


def _law_fixture(path: Path) -> Path:
    """109 articles in 5 chapters (one with sections); article 7 has 3 paragraphs, article 50 is over-long."""
    lines = ["# 测试法", "", "（2020年1月1日通过 自2020年5月1日起施行）", ""]
    for n in range(1, 110):
        if n % 25 == 1:
            lines += [f"## 第{int_to_cn(n // 25 + 1)}章　第{n}条起", ""]
        if n == 30:
            lines += ["第一节 一般规定", ""]
        body = f"第{int_to_cn(n)}条　经营者应当履行第{n}项义务。"
        if n == 7:
            body += "\n\n第一款内容：直播间运营者应当公示信息。\n\n第二款内容：违反前款规定的，责令改正。"
        if n == 50:
            body += "".join(
                f"\n\n第{k}段：平台经营者应当建立健全直播营销管理制度，对直播间运营者进行资质审核并保存记录。" * 3
                for k in range(1, 12)
            )
        if n == 60:
            body += "\n\n第十二条规定的情形，不适用本条。"
        lines += [body, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_law_yields_every_article_once_with_chapters(tmp_path):
    chunks = chunk_document(load(_law_fixture(tmp_path / "law.md")))
    firsts = [c for c in chunks if c.key.endswith("/1")]
    assert [c.articles for c in firsts] == [[n] for n in range(1, 110)]
    by_number = {c.articles[0]: c for c in firsts}
    assert by_number[109].locator == "Article 109 · 第一百零九条"
    assert by_number[3].section == "第一章 第1条起"
    assert by_number[31].section == "第二章 第26条起 › 第一节 一般规定"
    assert by_number[7].text.count("\n") == 2 and "第二款内容" in by_number[7].text
    assert "第十二条规定的情形" in by_number[60].text, "a paragraph citing an earlier article is not a new article"


def test_long_article_splits_at_paragraphs_repeating_its_header(tmp_path):
    parts = [c for c in chunk_document(load(_law_fixture(tmp_path / "law.md"))) if c.articles == [50]]
    assert len(parts) > 1
    assert all(part.text.startswith(f"第五十条 ({i}/{len(parts)})") for i, part in enumerate(parts, 1))
    assert all(approx_tokens(part.text) <= MAX_TOKENS + 20 for part in parts)
    assert all(part.text.rstrip().endswith("记录。") for part in parts), "splits fall between paragraphs"


def test_english_article_numbering(tmp_path):
    path = tmp_path / "act.txt"
    path.write_text(
        "Consumer Act\n\nArticle 1 Purpose.\n\nArticle 2 Scope.\n\nArticle 3 Sellers must refund.\n", encoding="utf-8"
    )
    assert [c.locator for c in chunk_document(load(path))] == [
        "Article 1 · 第一条",
        "Article 2 · 第二条",
        "Article 3 · 第三条",
    ]


@pytest.mark.skipif(not SHARED.is_dir(), reason="official texts (../shared) not present")
@pytest.mark.parametrize(
    "path", sorted((SHARED / "regulations").glob("*.md")) if SHARED.is_dir() else [], ids=lambda p: p.stem
)
def test_official_texts_yield_every_article_once(path):
    text = path.read_text(encoding="utf-8")
    last = max(int(n) for n in [str(i) for i in range(1, 200)] if f"\n第{int_to_cn(int(n))}条" in text)
    firsts = [c.articles[0] for c in chunk_document(load(path)) if c.key.endswith("/1")]
    assert firsts == list(range(1, last + 1))


def test_paper_sections_have_ids():
    chunks = chunk_document(load(ROOT / "kb" / "paper" / "live-commerce-paper.md"))
    ids = list(dict.fromkeys(c.section for c in chunks))
    assert ids == [
        "abstract",
        "1",
        "1.1",
        "1.2",
        "1.2.1",
        "1.2.2",
        "1.2.3",
        "2",
        "2.1",
        "2.2",
        "2.3",
        "3",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "conclusion",
    ]
    assert next(c for c in chunks if c.section == "2.2").locator == "§2.2"


def test_plain_text_paper_numbered_headings(tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text(
        " Abstract \n\nWe study hosts.\n 1. Status of the industry \n\nIt grew.\n"
        "1.1. Definition of live delivery\n\nHosts sell goods live. It is popular.\n",
        encoding="utf-8",
    )
    assert [(c.section, c.locator) for c in chunk_document(load(path))] == [
        ("abstract", "Abstract"),
        ("1", "§1"),
        ("1.1", "§1.1"),
    ]


def test_sentence_splitting_respects_chinese_and_english_punctuation():
    assert sentences("第一句。第二句！第三句？第四句；Fifth one. Sixth!") == [
        "第一句。",
        "第二句！",
        "第三句？",
        "第四句；",
        "Fifth one.",
        "Sixth!",
    ]
    # an English sentence followed by a Chinese one opening with a title or a bracket
    assert sentences("In force since 2019-01-01. 《电子商务法》自2019年1月1日起施行。") == [
        "In force since 2019-01-01.",
        "《电子商务法》自2019年1月1日起施行。",
    ]
    assert sentences("Adopted in 2018. （2018年通过。）") == ["Adopted in 2018.", "（2018年通过。）"]


def test_sentences_do_not_end_at_abbreviations_or_inside_brackets():
    assert sentences('A promise (e.g. "we pay first", longer returns) binds it. See Art. 5 and No. 3. Done.') == [
        'A promise (e.g. "we pay first", longer returns) binds it.',
        "See Art. 5 and No. 3.",
        "Done.",
    ]
    assert sentences("Four kinds are excluded (custom goods; fresh goods; software). Others: returnable;") == [
        "Four kinds are excluded (custom goods; fresh goods; software).",
        "Others: returnable;",
    ]
    assert sentences("以下除外（定制的；鲜活易腐的）。其他；") == ["以下除外（定制的；鲜活易腐的）。", "其他；"]


def test_markdown_digest_headings_give_articles(tmp_path):
    path = tmp_path / "digest.md"
    path.write_text(
        "---\ndoc_id: demo\ntitle: Demo\ndoc_type: regulation\nstatus: digest\n---\n# Demo\n\nIntro.\n\n"
        "## Article 17 · 第十七条 — Truthful information\n\n**EN:** Tell the truth.\n\n"
        "## Articles 60–62 · 第六十条至第六十二条 — Penalties\n\n**EN:** Fines.\n",
        encoding="utf-8",
    )
    chunks = chunk_document(load(path))
    assert [(c.locator, c.articles) for c in chunks] == [
        ("Demo", []),
        ("Article 17 · 第十七条", [17]),
        ("Articles 60–62 · 第六十条至第六十二条", [60, 61, 62]),
    ]


def test_digest_lines_that_start_with_article_references_stay_in_their_section(tmp_path):
    path = tmp_path / "digest.md"
    path.write_text(
        "# D\n\n## Article 5 · 第五条 — A\n\n- Related · 相关条文: see\nArticle 12 (penalty).\nArticle 13.\n"
        "Article 14 (x).\n\n**EN:** Text.\n\n## Article 9 · 第九条 — B\n\n**EN:** More.\n",
        encoding="utf-8",
    )
    assert [c.articles for c in chunk_document(load(path))] == [[5], [9]]


def test_a_digest_sections_questions_go_with_their_language_and_keep_their_label(tmp_path):
    path = tmp_path / "digest.md"
    path.write_text(
        "# D\n\n## Article 5 · 第五条 — Returns\n\n**EN:** Buyers may return goods.\n\n**中文：** 消费者可以退货。\n\n"
        "- Questions: Can I refuse a return? | Who pays the shipping?\n\n**常见问题：** 能不能不给退？｜运费谁出？\n",
        encoding="utf-8",
    )
    english, chinese = chunk_document(load(path))
    assert "- Questions: Can I refuse a return?" in english.text and "常见问题" not in english.text
    assert chinese.text.endswith("消费者可以退货。\n常见问题：能不能不给退？｜运费谁出？")


def test_a_long_sections_metadata_and_questions_never_make_a_part_of_their_own(tmp_path):
    body = " ".join(f"Rule sentence number {n} says what a live-room seller must do." for n in range(70))
    path = tmp_path / "digest.md"
    path.write_text(
        "# D\n\n## Article 5 · 第五条 — Long\n\n- Topics · 主题: returns 退货; refunds 退款\n\n"
        f"**EN:** {body}\n\n- Questions: Can I refuse a return? | Who pays the shipping?\n",
        encoding="utf-8",
    )
    parts = chunk_document(load(path))
    assert len(parts) >= 2
    assert all("Rule sentence number" in part.text for part in parts)
    assert sum("- Questions: Can I refuse a return?" in part.text for part in parts) == 1
    assert sum("- Topics" in part.text for part in parts) == 1


def test_a_chinese_label_starts_its_own_chunk_without_a_blank_line_before_it(tmp_path):
    path = tmp_path / "digest.md"
    path.write_text(
        "# D\n\n## Article 5 · 第五条 — Returns\n\n**EN:** Buyers may return goods.\n**中文：** 消费者可以退货。\n",
        encoding="utf-8",
    )
    english, chinese = chunk_document(load(path))
    assert "消费者" not in english.text and chinese.text.endswith("消费者可以退货。")


def test_a_digest_sections_penalty_lines_go_with_their_language(tmp_path):
    path = tmp_path / "digest.md"
    path.write_text(
        "# D\n\n## Article 5 · 第五条 — Returns\n\n**EN:** Buyers may return goods. Penalty: see Article 9.\n\n"
        "**中文：** 消费者可以退货。处罚见第九条。\n**Penalty:** Article 9 — fine up to RMB 5,000.\n\n"
        "**罚则：**第九条——处五千元以下罚款。\n\n- Questions: Can I refuse a return? | Who pays?\n",
        encoding="utf-8",
    )
    english, chinese = chunk_document(load(path))
    assert "\nPenalty: Article 9 — fine up to RMB 5,000." in english.text and "罚则" not in english.text
    assert chinese.text.endswith("消费者可以退货。处罚见第九条。\n罚则：第九条——处五千元以下罚款。")
