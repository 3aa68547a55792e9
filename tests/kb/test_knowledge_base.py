"""The shipped knowledge base ingests cleanly, carries complete metadata, and answers its gold questions."""

import re

import pytest

from bot.chunking import METADATA_LINE
from bot.filters import Filters
from bot.loaders import load
from bot.references import penalty_articles
from bot.service import Assistant
from evals.__main__ import OTHER_LANGUAGE, run
from evals.answers import evaluate
from evals.gold import load_items
from evals.metrics import summarize
from evals.systems import Project

from ..conftest import ROOT

KB = ROOT / "kb"
REQUIRED = {"doc_id", "title", "title_zh", "doc_type", "authority", "status"}
REGULATION_FIELDS = {"effective", "adopted", "in_force", "status_as_of"}
DOC_ID = re.compile(
    r"\b(" + "|".join(sorted((re.escape(p.stem) for p in KB.glob("*/*.md")), key=len, reverse=True)) + r")\b(?![./]md)"
)


@pytest.fixture(scope="module")
def kb_index(base_settings, embedder):
    settings = base_settings.model_copy(update={"collection": "test-kb"})
    assistant = Assistant(settings, embedder)
    report = assistant.ingest([KB])
    return assistant, report


def test_whole_kb_ingests_without_warnings(kb_index):
    _, report = kb_index
    assert report.skipped == []
    assert report.documents == len([p for p in KB.rglob("*.md") if not p.stem.replace("_", "").isupper()])


@pytest.mark.parametrize("path", sorted(KB.glob("*/*.md")), ids=lambda p: p.stem)
def test_documents_carry_complete_metadata(path):
    meta = load(path).metadata
    assert set(meta) >= REQUIRED, f"missing {REQUIRED - set(meta)}"
    assert meta["doc_id"] == path.stem
    if path.parent.name == "regulations":
        assert set(meta) >= REGULATION_FIELDS and meta["status"] == "digest"
        assert meta["doc_type"] in ("law", "regulation", "judicial_interpretation")
    if path.parent.name == "platform-rules":
        assert (meta["doc_type"], meta["status"]) == ("platform_rule", "digest")


@pytest.mark.parametrize("path", sorted(KB.glob("regulations/*.md")), ids=lambda p: p.stem)
def test_each_overview_says_since_when_the_rules_apply_in_both_languages(path):
    """ "When did the E-Commerce Law take effect?" is answered by quoting the overview, in the question's
    language: each states the date in force of its front matter, as 2019-01-01 and as 2019年1月1日."""
    effective = str(load(path).metadata["effective"])
    year, month, day = (int(part) for part in effective.split("-"))
    overview = path.read_text(encoding="utf-8").split("\n## ", 1)[0].split("\n# ", 1)[1]
    english = [s for s in re.split(r"(?<=\.)\s+", overview) if effective in s and "in force" in s]
    assert english and f"{year}年{month}月{day}日起施行" in overview, effective


@pytest.mark.parametrize("path", sorted(KB.glob("*/*.md")), ids=lambda p: p.stem)
def test_every_section_lists_the_questions_it_answers_in_both_languages(path):
    """Users ask in everyday words; each digest and paper section says, in both languages, which questions it
    answers."""
    problems = []
    for section in re.split(r"(?m)^#{2,4} ", path.read_text(encoding="utf-8"))[1:]:
        english = re.findall(r"(?m)^- Questions: (.+)$", section)
        chinese = re.findall(r"(?m)^\*\*常见问题：\*\* (.+)$", section)
        asked = [q.strip() for q in english[0].split(" | ")] if len(english) == 1 else []
        asked_zh = [q.strip() for q in chinese[0].split("｜")] if len(chinese) == 1 else []
        if not (
            len(asked) >= 3
            and all(q.endswith("?") for q in asked)
            and len(asked_zh) >= 3
            and all(q.endswith("？") for q in asked_zh)
        ):
            problems.append(section.splitlines()[0])
    assert not problems, f"sections without 3+ questions in each language: {problems}"


@pytest.mark.parametrize("path", sorted(KB.glob("*/*.md")), ids=lambda p: p.stem)
def test_quotable_text_names_other_documents_by_title_not_doc_id(path):
    """Answers quote these lines: "applying anti-unfair-competition-law Article 25" reads as a file name to a
    merchant; "applying the Anti-Unfair Competition Law Article 25" does not. Metadata lines (Related, Source)
    keep doc_ids: they are not quoted."""
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
    found = [line.strip()[:80] for line in body.splitlines() if DOC_ID.search(line) and not METADATA_LINE.match(line)]
    assert not found, f"lines naming a document by its doc_id: {found}"


@pytest.mark.parametrize("path", sorted(KB.glob("regulations/*.md")), ids=lambda p: p.stem)
def test_sections_that_name_a_penalty_state_it_in_both_languages(path):
    """A merchant asking "may I" also needs the consequence: a section that names the article punishing a
    breach states that article's fine on a **Penalty:** line and a **罚则：** line, so an answer in either
    language can quote it from the passage it cites."""
    problems = []
    for section in re.split(r"(?m)^## ", path.read_text(encoding="utf-8"))[1:]:
        if penalty_articles(section) and not (
            re.search(r"(?m)^\*\*Penalty:\*\* Articles? \d", section) and re.search(r"(?m)^\*\*罚则：\*\*第", section)
        ):
            problems.append(section.splitlines()[0])
    assert not problems, f"sections naming a penalty article without both penalty lines: {problems}"


def test_retrieval_regression_guard(kb_index):
    """Every second answerable gold question (follow-ups with their history): thresholds a little under the
    figures in evals/results/retrieval.md, so a change that makes retrieval worse fails here."""
    assistant, _ = kb_index
    system = Project(assistant, "hybrid")
    items = [item for item in load_items() if item.answerable][::2]
    summary = summarize(run(system, items))
    assert summary["R@5"] >= 0.95 and summary["MRR@10"] >= 0.92, summary
    single = [item for item in items if not item.follow_up]
    cross = summarize(run(system, single, lambda item: Filters(langs=OTHER_LANGUAGE[item.lang])))
    assert cross["R@5"] >= 0.89 and cross["MRR@10"] >= 0.74, cross


def test_answer_regression_guard(kb_index):
    """All unanswerable gold questions and every fourth answerable one: thresholds a little under the figures
    of evals/results/answers.md (on this subset: refusal 1.0, false refusals 0, must-mention .856,
    citation precision .861)."""
    assistant, _ = kb_index
    unanswerable = [item for item in load_items() if not item.answerable]
    summary = evaluate(assistant, unanswerable + [item for item in load_items() if item.answerable][::4])
    assert summary["refusal recall"] >= 0.95 and summary["false refusals"] <= 0.05, summary
    assert summary["sentences supported"] == 1.0, summary
    assert summary["must-mention recall"] >= 0.83 and summary["citation precision"] >= 0.83, summary


def test_a_follow_ups_own_words_find_its_new_subject(kb_index):
    """ "Does that apply to MCNs too?" after a question on hosts' identity checks wants the MCN article: on the
    gold follow-ups, the dense channel on the follow-up's own words ranks more gold passages first."""
    assistant, _ = kb_index
    items = [item for item in load_items() if item.answerable and item.follow_up]
    without = summarize(run(Project(assistant, "without", follow_up_weight=0.0), items))
    with_own_words = summarize(run(Project(assistant, "with"), items))
    assert with_own_words["R@1"] > without["R@1"] and with_own_words["MRR@10"] > without["MRR@10"]
    mcn = next(item for item in items if item.question == "Does that apply to MCNs too?")
    assert run(Project(assistant, "with"), [mcn])[0]["ranks"][0]


def test_a_question_about_the_papers_view_is_answered_from_the_paper(kb_index):
    """The paper does not use the words "data fraud", so without its name the E-Commerce Law's rule on fake sales
    figures leads; the user asked what the paper says."""
    assistant, _ = kb_index
    answer = assistant.ask("What does the paper say about data fraud in live commerce?")
    assert answer["citations"][0]["doc_id"] == "live-commerce-paper", answer["citations"][0]


@pytest.mark.parametrize(
    "question", ["Can I say my face cream is the best in China during a livestream?", "带货时能不能说“顶级”“最好”？"]
)
def test_the_absolute_terms_ban_answers_everyday_superlatives(kb_index, question):
    """The most common live-room question: "best", "最好", "顶级" are absolute terms (Advertising Law Art. 9),
    though the law names only 国家级, 最高级 and 最佳."""
    assistant, _ = kb_index
    top = assistant.retrieve(question, k=1)[0].metadata
    assert (top["doc_id"], top["articles"]) == ("advertising-law", [9])


@pytest.mark.parametrize(
    ("question", "section", "words"),
    [
        ("What are the main problems of live commerce according to the paper?", "2", "three problems"),
        ("What countermeasures does the paper propose?", "3", "four countermeasures"),
    ],
)
def test_the_papers_problems_and_countermeasures_are_answered_in_english_from_their_sections(
    kb_index, question, section, words
):
    """The author wrote no text under Sections 2 and 3, only under their subsections: an English question got
    the Conclusion's or the Abstract's generalities until each carried an English overview of its subsections."""
    assistant, _ = kb_index
    answer = assistant.ask(question)
    first = answer["citations"][0]
    assert (first["doc_id"], first["section"]) == ("live-commerce-paper", section), first
    assert words in answer["answer"].splitlines()[0] and answer["lang"] == "en"


@pytest.mark.parametrize(
    "question",
    [
        "My voice gets hoarse after six-hour live streams. Any home remedies to soothe my throat between sessions?",
        "Can you suggest some catchy names for a live room that sells handmade scented candles?",
        "I bought a wool coat during a live stream. How do I wash it at home without it shrinking?",
        "主播嗓子哑了怎么办？",
        "直播间买的真丝衬衫起皱了，在家咋熨不伤料子？",
        "在直播间买了个铸铁锅，第一次用要咋开锅啊？",
        "Tell me a fun fact about pandas I can share with my viewers tonight.",
        "直播间买的汉服到了，发髻怎么自己盘？手残党求教程",
        "How do I take a screenshot on a Mac? want to save a funny comment from my live",
    ],
)
def test_everyday_matters_are_refused_though_they_name_a_live_room(kb_index, question):
    """Naming a live room, they resembled the rules as much as rule questions do, and each was answered from some
    article (the hoarse voice from the paper, the silk shirt from a platform's rules; the pandas from the online
    unfair-competition provisions and the hair bun from the live-commerce measures, until the example questions
    covered daily life more widely, with none on pandas or hair buns; the screenshot, slightly nearer a listed
    question than any everyday one, from the measures' article on comments, until the everyday margin allowed for
    that)."""
    assistant, _ = kb_index
    result = assistant.ask(question)
    assert result["refused"] and result["citations"] == []
    assert "everyday matters" in result["answer"] or "日常问题" in result["answer"]


@pytest.mark.parametrize(
    "question",
    [
        "How do I keep the roses I bought in a live stream fresh longer?",
        "What's a good gift for my dad from the live room's gadgets?",
        "How many people live in Hangzhou, where our live room is?",
        "我们直播间想换个新logo，什么颜色显得高级？",
    ],
)
def test_everyday_matters_no_listed_word_names_are_told_by_the_questions_they_resemble(kb_index, question):
    """Flowers, gifts, a city's population and a logo's colours are in no word list; each was answered from an
    article on live rooms (the logo from the rule on a live room's title, cover and setting)."""
    assistant, _ = kb_index
    result = assistant.ask(question)
    assert result["refused"] and result["citations"] == []
    assert "everyday matters" in result["answer"] or "日常问题" in result["answer"]


@pytest.mark.parametrize(
    ("question", "doc_id", "articles"),
    [
        ("被平台拉进黑名单了，咋申诉？换个号重新注册行不？", "livestream-ecommerce-supervision-measures", [14]),
        (
            "我爸妈被直播间忽悠买了一堆说能治百病的养生产品，这种卖法违法不？该咋整？",
            "consumer-rights-protection-law-implementing-regulations",
            [15],
        ),
        (
            "How do I get a shop to delete my personal information after I withdraw consent?",
            "personal-information-protection-law",
            [47],
        ),
        ("主播刚才口误把99说成了9块9，我们运营这时候该怎么处理？", "livestream-ecommerce-supervision-measures", [31]),
        (
            "孩子在直播间一天打赏了好几千，怎么办？平台对未成年人花钱就没个限额吗？",
            "minors-online-protection-regulations",
            [44],
        ),
    ],
)
def test_asking_how_to_handle_a_legal_matter_is_not_taken_for_an_everyday_matter(kb_index, question, doc_id, articles):
    """ "咋申诉", "该咋整", "How do I get … deleted": the rules' words (申诉, 违法, personal information, 处理,
    未成年人) show that the question asks what the rules say."""
    assistant, _ = kb_index
    result = assistant.ask(question)
    assert not result["refused"], result["answer"]
    assert (result["citations"][0]["doc_id"], result["citations"][0]["articles"]) == (doc_id, articles)


def test_a_buyers_words_for_the_seller_and_the_maker_count_as_the_rules_words(kb_index):
    """商家 and 厂家 are the rules' 销售者 and 生产者: by the letter the passages held 1 of this question's 9 words,
    and the coverage floor refused it."""
    assistant, _ = kb_index
    result = assistant.ask("直播间买的电热毯漏电把人电伤了，厂家让找商家，商家让找厂家，到底该找谁赔？")
    assert not result["refused"], result["answer"]
    assert "生产者" in result["answer"] and "销售者" in result["answer"]
