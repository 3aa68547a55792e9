"""The extractive answerer: quotes only, cites every sentence, answers in the question's language, refuses
what the knowledge base does not cover."""

import re

import pytest
from langchain_core.documents import Document

from bot.answer import (
    _OFF_TOPIC,
    ExtractiveAnswerer,
    _incomplete,
    _quantity_first,
    _repeats,
    _spanned,
    _without_bare_references,
    make_citation,
    word_coverage,
)
from bot.chunking import candidate_sentences, clauses
from bot.filters import Filters

from .conftest import REVIEWS, ingest_rules


@pytest.fixture
def indexed(assistant, corpus):
    assistant.ingest([corpus])
    return assistant


@pytest.fixture
def lenient(indexed) -> ExtractiveAnswerer:
    """An answerer that refuses nothing, to test composition on passages made up for the test."""
    return ExtractiveAnswerer(indexed.embedder, indexed.sentences, min_score=0.0, min_margin=-1.0, min_coverage=0)


def test_every_sentence_is_quoted_from_the_passage_it_cites(indexed):
    result = indexed.ask("How long must I keep purchase inspection records when selling food?")
    assert not result["refused"] and result["citations"]
    by_n = {c["n"]: c for c in result["citations"]}
    claims = [line for line in result["answer"].splitlines() if line.endswith("]")]
    assert claims
    for line in claims:
        sentence, marker = line.removeprefix("- ").rsplit(" [", 1)
        assert sentence in by_n[int(marker.rstrip("]"))]["passage"]


def test_direct_answer_first_then_key_points(digest):
    """The best sentence stands alone on the first line; the rest are bullets under "Key points:"."""
    lines = digest.ask("What happens if a host inflates the sales numbers in a stream?")["answer"].splitlines()
    assert lines[0].startswith("Hosts and live-room operators may not invent") and lines[0].endswith("[1]")
    assert lines[1:3] == ["", "Key points:"] and len(lines) > 3 and all(line.startswith("- ") for line in lines[3:])
    zh = digest.ask("主播夸大直播销量会怎么处罚？")["answer"].splitlines()
    assert zh[0].endswith("[1]") and zh[2] == "要点：" and any("一万元以上十万元以下" in line for line in zh)


def test_chinese_only_evidence_is_flagged_for_an_english_question(indexed):
    """Asked of the Chinese-only regulation (filtered to it), the English answer says its sources are Chinese."""
    result = indexed.ask(
        "How long must I keep purchase inspection records when selling food?", filters=Filters(doc_ids=("live-rules",))
    )
    assert result["answer"].startswith("(The sources for this answer are in Chinese only.)")
    assert result["citations"][0]["articles"] == [4] and "二年" in result["answer"]


def test_notice_says_information_not_advice_with_rule_dates(indexed):
    result = indexed.ask("直播卖食品要查验什么？保存记录多久？")
    assert result["notice"].startswith("以上为信息参考，不构成法律意见。")


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("What do the US FTC endorsement guides require from influencers?", "mainland China"),
        ("欧盟数字服务法对平台有什么要求？", "中国大陆"),
        ("How do I bake sourdough bread?", "does not cover"),
    ],
)
def test_out_of_scope_and_off_topic_questions_are_refused(indexed, question, phrase):
    result = indexed.ask(question)
    assert result["refused"] and phrase in result["answer"] and result["citations"] == []


@pytest.mark.parametrize(
    "question",
    [
        "Which VAT rate applies to cosmetics we sell in our live room?",
        "How long may a probation period be for the streamers we hire?",
        "开一家直播带货的有限公司，注册资本最少要多少？",
        "主播的打赏收入要交多少个人所得税？",
        "主播个人所得税怎么交？",
        "直播时可以用别人的音乐当背景音乐吗？",
        "Can I play someone else's songs in my live stream?",
        "主播收了坑位费但销量很差，商家能要求退钱吗？",
        "How much hourly pay should I offer a host for my live room?",
        "What ring light should I buy for my live room?",
        "直播用什么声卡和麦克风好？",
        "How do I get more viewers to follow my live stream?",
        "直播间怎么快速涨粉？",
    ],
)
def test_questions_from_fields_the_knowledge_base_lacks_are_refused_by_field(indexed, question):
    """Tax rates and income tax, company formation, labour and pay, copyright, securities, slot fees, streaming
    equipment, growing an audience: passages on tax filing, registration or what a stream may show resemble these
    questions, and would answer them wrongly."""
    result = indexed.ask(question)
    assert result["refused"] and result["citations"] == []
    assert ("tax rates, company formation" in result["answer"]) or ("税率、公司设立" in result["answer"])


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("在小红书直播带货，平台规定一场直播最多能上架多少个商品链接？", "小红书"),
        ("What are Pinduoduo's rules on refunds?", "Pinduoduo"),
    ],
)
def test_questions_on_the_own_rules_of_a_platform_the_knowledge_base_lacks_are_refused(indexed, question, named):
    """Another platform's rules or a law would answer them as if they were that platform's."""
    result = indexed.ask(question)
    assert result["refused"] and result["citations"] == [] and named in result["answer"]
    assert "Douyin, Kuaishou" in result["answer"] or "抖音、快手" in result["answer"]


@pytest.mark.parametrize(
    ("question", "live_commerce"),
    [
        (
            "A viewer ordered a bracelet engraved with her daughter's name from my live room and now wants to send "
            "it back because she changed her mind. Do I have to take it back?",
            True,
        ),
        ("买家收到货三天后说不想要了，我必须退吗？", True),
        ("A brand wants me to rave on my stream about an air fryer I never tried. Can I read their script?", True),
        ("How do I stream on Twitch?", False),
        ("Can you recommend a good host for a wedding?", False),
    ],
)
def test_a_question_naming_live_commerce_needs_no_margin_over_generic_text(assistant, question, live_commerce):
    """A story told in everyday words resembles the generic off-topic passages almost as much as the rules;
    naming a live room or a party to the sale shows it is not general knowledge. Everyday words ("stream",
    "host") do not."""
    answerer = assistant.answerers["extractive"]
    vector = assistant.embedder.encode_queries([question])[0]
    background = float((assistant.embedder.encode_documents(_OFF_TOPIC) @ vector).max())
    assert background + 0.02 >= answerer.min_score
    assert answerer.covered(vector, background + 0.02, question) is live_commerce
    assert not answerer.covered(vector, background - 0.01, question)


def test_a_question_on_the_law_for_selling_on_another_platform_is_answered(indexed):
    result = indexed.ask("在京东直播卖食品，法律规定要查验什么？")
    assert not result["refused"] and result["citations"]


@pytest.mark.parametrize(
    "question",
    [
        "Do I need to register a company before I sell in my live room?",
        "Does the platform report my income to the tax bureau?",
        "主播在直播间推荐股票，要遵守广告法吗？",
        "个人主播要办税务登记吗？",
        "不用办营业执照的个人卖家要不要交税？",
        "视频号直播的背景音乐也归平台规范管吗？",
        "买粉涨粉违法吗？",
        "论文怎么看直播间的转化率？",
    ],
)
def test_questions_the_rules_answer_are_not_taken_for_other_fields(indexed, question):
    """Registration, tax filing, investment ads, what a stream may show, whether a way of growing an audience is
    allowed and what the paper says about it are in the knowledge base: only their neighbours are refused."""
    result = indexed.ask(question)
    assert "tax rates, company formation" not in result["answer"] and "税率、公司设立" not in result["answer"]


def test_candidate_sentences_skip_headings_and_metadata():
    passage = (
        "Article 5 · 第五条 — Returns\n- Roles · 适用对象: merchant\n- Topics · 主题: refund 退货\n"
        "**EN:** Buyers may return goods within 7 days. Sellers refund within 7 days.\n"
        "- Questions: Can I refuse a return?"
    )
    assert candidate_sentences("第五条\n消费者可以退货。\n常见问题：能不能不给退？") == ["消费者可以退货。"]
    assert candidate_sentences(passage) == ["Buyers may return goods within 7 days.", "Sellers refund within 7 days."]


def test_a_refusal_offers_at_most_three_related_provisions_and_off_topic_none(indexed):
    off_topic = indexed.ask("How do I bake sourdough bread?")
    assert off_topic["refused"] and off_topic["related"] == []
    strict = ExtractiveAnswerer(
        indexed.embedder, indexed.sentences, min_score=0.99, related_min=0.0
    )  # refuses everything
    documents = indexed.retrieve("直播间要公示营业执照吗？", k=5)
    refused = strict.answer("直播间要公示营业执照吗？", documents)
    assert refused.refused and refused.citations == []
    assert 1 <= len(refused.related) <= 3 and refused.related[0].articles == [2]
    assert refused.related[0].quote in documents[0].page_content


def test_an_answer_names_close_uncited_passages_as_see_also_not_as_claims(indexed):
    """A lead passage can be the wrong rule while the right one scores close behind it: named after the answer,
    never quoted in it, and only when close (within 0.7 of the lead's score, ranks 2 to 5)."""
    question = "直播间要公示营业执照吗？"
    documents = indexed.retrieve(question, k=5)
    for doc, score in zip(documents, [1.0, 0.9, 0.5, 0.8, 0.75]):
        doc.metadata["score"] = score
    lead_only = ExtractiveAnswerer(indexed.embedder, indexed.sentences, passages=1)
    answer = lead_only.answer(question, documents)
    locators = [doc.metadata["locator"] for doc in documents]
    assert not answer.refused and [c.locator for c in answer.citations] == locators[:1]
    assert [c.locator for c in answer.related] == [locators[1], locators[3], locators[4]]
    assert all(c.quote and c.quote not in answer.answer for c in answer.related)
    cited = [make_citation(1, documents[0]), make_citation(2, documents[3])]
    query = indexed.embedder.encode_queries([question])[0]
    assert [c.locator for c in lead_only.see_also(documents, cited, "zh", query)] == [locators[1], locators[4]]


def test_a_named_provision_shows_its_sentence_nearest_the_question(indexed):
    """Not its first sentence, which may be about something else (one item of a penalty article's list)."""

    def passage(article: int, text: str, score: float) -> Document:
        meta = {"doc_id": "d", "articles": [article], "locator": f"Article {article}", "score": score}
        return Document(page_content=text, metadata={**meta, "similarity": 0.9})

    documents = [
        passage(1, "直播间运营者应当在直播间显著位置公示营业执照信息。", 1.0),
        passage(2, "直播间运营者应当保存进货查验记录不少于二年。消费者收到商品七日内可以无理由退货。", 0.9),
    ]
    question = "买家收到货七天内能无理由退货吗？"
    query = indexed.embedder.encode_queries([question])[0]
    answerer = ExtractiveAnswerer(indexed.embedder, indexed.sentences)
    assert [c.quote for c in answerer.see_also(documents, [], "zh", query)] == ["消费者收到商品七日内可以无理由退货。"]


def test_streamed_text_is_the_answer_and_ends_with_the_result(digest):
    parts = list(digest.stream("主播夸大直播销量会怎么处罚？"))
    result = parts[-1]
    assert all(isinstance(part, str) for part in parts[:-1]) and len(parts) > 2
    assert "".join(parts[:-1]).strip() == result["answer"] and result["backend"] == "extractive"
    with pytest.raises(ValueError, match="not configured"):
        list(digest.stream("主播夸大直播销量会怎么处罚？", backend="openai"))


def test_everyday_words_count_as_the_rules_own_terms_for_them():
    """A buyer says 商家 and 厂家 where the rules say 销售者 and 生产者."""
    rule = Document("受害人可以向销售者索赔，也可以向生产者索赔。", metadata={"lang": "zh"})
    assert word_coverage("厂家让找商家，商家让找厂家", [rule], "zh") == 1.0
    assert word_coverage("厂家让找商家，到底该找谁？", [rule], "zh") == 2 / 3


def test_a_fault_told_in_everyday_words_is_judged_by_the_rules_words_for_it(assistant, tmp_path):
    """The question "买的电饭煲坏了，过了7天还能退吗？" has no word of two characters but the appliance's name, which
    no rule uses: the word-coverage floor refused it while the quality-return rule led. Retrieval searches with the
    rules' words for a fault ("质量问题"), and the answerer now judges the question by the same words."""
    ingest_rules(
        assistant,
        tmp_path,
        "# Rules\n\n## Article 24\n\n**中文：** 商品存在质量问题的，消费者可以自收货之日起七日内退货，或者要求换货、"
        "维修，运费等必要费用由经营者承担。\n",
    )
    question = "买的电饭煲坏了，过了7天还能退吗？"
    result = assistant.ask(question)
    assert not result["refused"] and result["citations"][0]["articles"] == [24]
    rule = Document(result["citations"][0]["passage"], metadata={"lang": "zh"})
    assert word_coverage(question, [rule], "zh") == 0.0


def test_a_claim_for_a_faulty_product_is_not_refused_as_an_everyday_matter(assistant, tmp_path):
    """A down jacket shedding feathers and a split seam make a story nearer the everyday questions (clothes and their
    care) than any the digest lists, and "网上买的羽绒服…开线了，能退吗？" was refused as an everyday matter while the
    quality-return rule led. Asking how to mend it oneself is still everyday."""
    ingest_rules(
        assistant,
        tmp_path,
        "---\ndoc_id: returns-digest\ntitle: Return rules (digest)\ndoc_type: regulation\nstatus: digest\n---\n"
        "# Digest\n\n## Article 24 · 第二十四条 — Returns, exchange and repair for quality problems\n\n"
        "- Topics · 主题: quality return 质量问题退货; exchange 换货; repair 维修; return shipping cost 运费\n\n"
        "**EN:** If goods fail quality requirements, the consumer may return them within 7 days of receipt, or "
        "demand exchange or repair; the business pays the transport costs.\n\n"
        "**中文：** 商品不符合质量要求的，消费者可以自收货之日起七日内退货，或者要求换货、维修；"
        "因质量问题退、换、修的，运费等必要费用由经营者承担。\n\n"
        "- Questions: Can I send back an item that stopped working? | Who pays the shipping when I return a faulty "
        "item?\n\n**常见问题：** 收到货发现质量问题，多少天内能退？｜质量问题退换货，运费谁出？\n",
    )
    claim = assistant.ask("网上买的羽绒服穿了一次就开始钻毛，还有一处开线了，能退吗？")
    assert not claim["refused"] and claim["citations"][0]["articles"] == [24]
    mending = assistant.ask("羽绒服开线了怎么自己修？")
    assert mending["refused"] and not mending["citations"]


def test_a_long_story_of_harm_is_answered_from_the_compensation_rule(assistant, tmp_path):
    """A story of harm shares few words with the rules (a hair dryer, a daughter, the ER), and the word-coverage floor
    refused it while the right article led; the rules' words for harm it now searches with also judge it."""
    ingest_rules(
        assistant,
        tmp_path,
        "# Rules\n\n## Article 44\n\n**EN:** For personal injury caused by a defective product, the liable party "
        "must pay compensation: medical costs, nursing costs and lost income. For property damage it must restore "
        "the property or pay its value.\n",
    )
    question = (
        "Long story: I grabbed a hair dryer in a live stream during the 618 sale. Last Sunday it overheated, the "
        "casing melted and my daughter got a burn on her forearm. We went to the ER. What can we ask for, just the "
        "medical bills or more?"
    )
    result = assistant.ask(question)
    assert not result["refused"] and result["citations"][0]["articles"] == [44]
    rule = Document(result["citations"][0]["passage"], metadata={"lang": "en"})
    assert word_coverage(question, [rule], "en") < 0.15


def test_a_question_nearer_an_everyday_question_than_any_listed_one_is_refused(indexed, lenient, tmp_path):
    """No word of the everyday list names jewellery; the question is told by resembling the everyday questions
    (``bot.everyday``) more than any question the digests list. With no listed questions there is nothing to
    compare with, so nothing is refused that way; a question nearer a listed one is answered."""
    jewellery = "Do silver or gold earrings look better on camera under warm light?"
    red_packets = "Can I give red packets to buyers who rate my shop five stars?"
    assert not lenient.answer(jewellery, indexed.retrieve(jewellery)).refused
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "reviews-digest.md").write_text(REVIEWS, encoding="utf-8")
    indexed.ingest([folder])
    refused = lenient.answer(jewellery, indexed.retrieve(jewellery))
    assert refused.refused and "everyday matters" in refused.answer and not refused.citations
    answered = lenient.answer(red_packets, indexed.retrieve(red_packets))
    assert not answered.refused and answered.citations[0].doc_id == "reviews-digest"


def test_the_rules_words_do_not_excuse_a_question_nearer_an_everyday_one(indexed, lenient, tmp_path):
    """ "Customers" is one of the rules' words, yet a question about earrings on camera stays nearer the everyday
    questions than the digest's questions on reviews; a question that asks what the paper says is not judged so."""
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "reviews-digest.md").write_text(REVIEWS, encoding="utf-8")
    indexed.ingest([folder])
    earrings = "My customers keep asking: do silver or gold earrings look better on camera under warm light?"
    refused = lenient.answer(earrings, indexed.retrieve(earrings))
    assert refused.refused and "everyday matters" in refused.answer
    paper = "What does the paper say about whether silver or gold earrings look better on camera?"
    assert lenient.everyday(indexed.embedder.encode_queries([paper])[0])
    assert not lenient.answer(paper, indexed.retrieve(paper)).refused


DELIVERY = (
    """\
---
doc_id: delivery-digest
title: Delivery rules (digest)
doc_type: regulation
status: digest
---
# Digest

## Article 20 · 第二十条 — Deliver as promised

**EN:** Sellers must deliver goods within the promised time and bear the risk of loss in transit.

"""
    "- Questions: Who bears the loss if a live-room order is damaged in transit? | "
    "How soon must live-room orders be delivered?\n"
)


def test_an_everyday_question_set_in_a_live_room_is_told_by_its_topic(indexed, lenient, tmp_path):
    """ "My live-room orders" makes a question about couriers' prices resemble the digest's questions on delivery
    more than any everyday question; without those words, it is nearer the everyday ones ("Which courier company
    is fastest?"). A question about a lost order stays nearer the digest's. ("Which courier company is cheapest
    for my live-room orders?" is now told as asked: it falls within the everyday margin.)"""
    folder = tmp_path / "delivery"
    folder.mkdir()
    (folder / "delivery-digest.md").write_text(DELIVERY, encoding="utf-8")
    indexed.ingest([folder])
    cheapest = "Which courier charges least for my live-room orders?"
    lost = "The courier lost two of my live-room orders. Who has to pay the buyers?"
    assert not lenient.everyday(indexed.embedder.encode_queries([cheapest])[0])
    assert lenient.everyday_topic(cheapest) and not lenient.everyday_topic(lost)
    refused = lenient.answer(cheapest, indexed.retrieve(cheapest))
    assert refused.refused and "everyday matters" in refused.answer


def test_contracted_stop_words_are_not_counted_among_a_questions_words():
    """Counted, "what's" and "they're" made half the question look absent from the passage that answers it."""
    rule = Document("Hosts selling on a live stream must state the seller's name.", metadata={"lang": "en"})
    assert word_coverage("What's the rule? They're selling, don't they state it?", [rule], "en") == 2 / 3
    assert word_coverage("What's the host's duty when they're selling?", [rule], "en") == 2 / 3


def test_a_question_whose_words_the_passages_lack_is_refused(indexed):
    """Similarity alone would answer (thresholds off); the passages share too few of the question's words."""
    lenient = ExtractiveAnswerer(indexed.embedder, indexed.sentences, min_score=0.0, min_margin=-1.0)
    near = "劳动合同的试用期最长多久？加班费怎么算？"
    documents = indexed.retrieve(near, k=5)
    assert word_coverage(near, documents[:3], "zh") < 0.15 and word_coverage(near, documents[:3], "en") == 1.0
    assert lenient.answer(near, documents).refused
    covered = "直播间运营者要公示营业执照信息吗？"
    documents = indexed.retrieve(covered, k=5)
    assert word_coverage(covered, documents[:3], "zh") > 0.5
    assert not lenient.answer(covered, documents).refused


def test_a_question_the_paper_does_not_discuss_says_so(indexed):
    """Asked about the paper, the papers alone are searched: the refusal says the paper does not discuss it
    (the rules do: the same question without "the paper" is answered from them)."""
    result = indexed.ask("What does the paper say about keeping purchase inspection records when selling food?")
    assert result["refused"] and "paper does not discuss" in result["answer"]
    assert not indexed.ask("How long must I keep purchase inspection records when selling food?")["refused"]


def _passage(text: str, score: float, **meta) -> Document:
    metadata = {"doc_id": "d", "lang": "en", "similarity": 0.9, "score": score, **meta}
    return Document(page_content=f"Heading\n{text}", id=None, metadata=metadata)


def test_a_passage_scored_far_below_the_lead_is_not_cited_unless_it_is_the_penalty(indexed):
    """Every sentence is close enough to quote (window 1.0): retrieval's score decides which passages may."""
    lenient = ExtractiveAnswerer(
        indexed.embedder, indexed.sentences, min_score=0.0, min_margin=-1.0, min_coverage=0, sentence_window=1.0
    )
    lead = _passage("Hosts must show the business licence in the live room.", 0.10, articles=[1])
    question = "Must hosts show the business licence?"
    close = _passage("Platforms keep transaction records for three years.", 0.09, articles=[2])
    assert [c.articles for c in lenient.answer(question, [lead, close]).citations] == [[1], [2]]
    far = _passage("Platforms keep transaction records for three years.", 0.08, articles=[2])
    assert [c.articles for c in lenient.answer(question, [lead, far]).citations] == [[1]]
    penalty = _passage("Breaches are fined RMB 10,000 to 100,000.", 0.0, articles=[9], followed="penalty")
    assert [c.articles for c in lenient.answer(question, [lead, penalty]).citations] == [[1], [9]]


def test_a_close_passage_the_leads_digest_lists_as_related_is_quoted_on_a_wider_window(indexed):
    """Here any sentence of a related passage is close enough (window 1.0), none of another (window 0)."""
    answerer = ExtractiveAnswerer(
        indexed.embedder,
        indexed.sentences,
        min_score=0.0,
        min_margin=-1.0,
        min_coverage=0,
        sentence_window=0.0,
        related_window=1.0,
    )
    lead = _passage("Hosts must show the business licence in the live room.", 0.10, articles=[1])
    question = "Must hosts show the business licence?"
    for related, cited in ((False, [[1]]), (True, [[1], [2]])):
        close = _passage("Licences are checked again every year.", 0.095, articles=[2], related=related)
        assert [c.articles for c in answerer.answer(question, [lead, close]).citations] == cited


def test_passages_with_nothing_to_quote_give_a_refusal_not_their_listed_questions(lenient):
    heading = _passage("- Questions: What are the main problems of live selling? | Who is to blame?", 0.1)
    result = lenient.answer("What are the main problems of live selling?", [heading])
    assert result.refused and "Questions" not in result.answer


def test_the_fine_a_digest_states_for_its_penalty_article_is_a_key_point(lenient):
    lead = _passage(
        "No ad may call a product the best.\nNo ad may use the national flag.\n"
        "Penalty: Article 57 — the advertiser is fined RMB 200,000 to 1 million.",
        0.1,
        articles=[9],
    )
    answer = lenient.answer("Can my host call our cream the best?", [lead])
    lines = answer.answer.splitlines()
    assert lines[-1] == "- Penalty: Article 57 — the advertiser is fined RMB 200,000 to 1 million. [1]"
    assert sum("RMB 200,000" in line for line in lines) == 1, "quoted once, even when it also scored"
    assert [c.articles for c in answer.citations] == [[9]]


def test_a_question_not_about_consequences_is_answered_by_the_rule_before_the_fine(lenient):
    """The penalty line names the conduct too and can score best; only a question about consequences gets it
    first."""
    lead = _passage(
        "Platforms must cooperate with price supervision.\n"
        "Platforms must not force merchants to join price promotions.\n"
        "Penalty: Article 24 — a platform that forces merchants to join promotions is fined up to RMB 30,000.",
        0.1,
        articles=[4],
    )
    first = lambda question: lenient.answer(question, [lead]).answer.splitlines()[0]  # noqa: E731
    assert first("Can a platform force merchants to join promotions?") == (
        "Platforms must not force merchants to join price promotions. [1]"
    )
    assert first("What is the penalty when a platform forces merchants to join promotions?").startswith("Penalty:")
    clause = _passage(  # the best clause is not the one opening the penalty line
        "Sellers must mark prices.\nPenalty: Article 9 — ordered to correct; refusal to correct: a live room "
        "selling goods with unmarked prices is fined up to RMB 5,000.",
        0.1,
        articles=[3],
    )
    assert lenient.answer("Can my live room sell goods with unmarked prices?", [clause]).answer.splitlines()[0] == (
        "Sellers must mark prices. [1]"
    )


def test_a_question_not_about_consequences_is_answered_by_the_rule_before_the_article_fining_it(lenient):
    """Retrieval can rank the penalty article above the rule it punishes, as both name the conduct."""
    fine = "A live-room lucky draw that does not state its prizes is fined RMB 50,000 to 500,000."
    penalty = _passage(fine, 0.1, articles=[27])
    rule = _passage(
        "Lucky draws must state their prizes and may not rig winners.\nPenalty: see Article 27.", 0.09, articles=[11]
    )
    first = lambda question: lenient.answer(question, [penalty, rule]).answer.splitlines()[0]  # noqa: E731
    assert first("Must a lucky draw in my live room state its prizes?") == (
        "Lucky draws must state their prizes and may not rig winners. [1]"
    )
    assert first("What is the fine for a live-room lucky draw that does not state its prizes?") == f"{fine} [1]"


def test_the_direct_answer_is_a_rule_that_stands_alone(lenient):
    """The example sentence "…needs such a notice." can match a question best, but answers nothing alone: the
    passage's best sentence that does not point back answers, and the example follows as a key point."""
    lead = _passage(
        "Before collecting personal information, the seller must tell buyers the purpose and how long it is kept.\n"
        "Changes must be announced.\n"
        "A live-room lucky draw that collects viewers' phone numbers needs such a notice.",
        0.1,
        articles=[17],
    )
    answer = lenient.answer("Can my live-room lucky draw collect viewers' phone numbers?", [lead]).answer
    assert answer.splitlines()[0] == (
        "Before collecting personal information, the seller must tell buyers the purpose and how long it is kept. [1]"
    )
    assert answer.splitlines()[-1] == (
        "- Changes must be announced. "
        "A live-room lucky draw that collects viewers' phone numbers needs such a notice. [1]"
    )


@pytest.mark.parametrize(
    ("text", "article", "question", "opening"),
    [
        (
            "就商品的性能功能、质量、销量、用户评价、获奖荣誉等，经营者不能做虚假的或让人误解的商业宣传，去欺骗、误导消费者和同行；"
            "也不得通过组织虚假交易、虚假评价等方式帮助其他经营者作虚假宣传——替店铺刷单、刷好评的组织者本身也违法。"
            "直播间虚报销量、编造获奖、伪造好评截图，都属于本条禁止的行为。处罚见第二十五条（构成虚假广告的，按《广告法》处罚）。\n"
            "罚则：第二十五条——责令停止违法行为，罚款一百万元以下。",
            9,
            "买粉丝刷人气违法吗？",
            "就商品的性能功能",
        ),
        (
            "卖出的产品不符合约定或者存在质量问题，销售者要负责修理、更换或退货；给消费者造成损失的还要赔偿。"
            "销售者不履行的，由市场监管部门责令改正。",
            40,
            "直播间买的榴莲到货就烂了，商家不给退，怎么办？",
            "卖出的产品",
        ),
    ],
)
def test_a_sentence_pointing_back_or_to_a_penalty_does_not_open_the_answer(lenient, text, article, question, opening):
    """When the best sentence points back ("…都属于本条禁止的行为。") or sanctions a failure to do what the sentence
    before it requires ("销售者不履行的，由市场监管部门责令改正。", which opened the answer to a rotten durian), the
    passage's best other sentence answers; "处罚见第二十五条（…）。" does not say whether the conduct is allowed, so the
    rule does."""
    lead = _passage(text, 0.1, articles=[article], lang="zh")
    assert lenient.answer(question, [lead]).answer.splitlines()[0].startswith(opening)


def test_a_sentence_sanctioning_a_failure_to_act_cannot_open_an_answer():
    """It names no duty, only the sanction for not doing the one stated before it."""
    assert _incomplete("销售者不履行的，由市场监管部门责令改正。")
    assert _incomplete("If the seller fails to do so, the regulator orders a correction.")


def test_a_bare_penalty_reference_gives_way_to_the_fine_in_the_question_language(lenient):
    """A bare "Penalty: see Article 59." tells a merchant nothing; the line stating the fine replaces it, and an
    English answer does not carry the Chinese penalty line."""
    lead = _passage(
        "Hosts must not fake sales figures in the live room. Penalty: see Article 59.\n"
        "Penalty: Article 59 — the operator is fined RMB 100,000 to 500,000.\n"
        "罚则：第五十九条 — 对经营者处十万元以上五十万元以下罚款。",
        0.1,
        articles=[17],
    )
    lines = lenient.answer("Can a host fake the sales figures?", [lead]).answer.splitlines()
    assert "- Penalty: Article 59 — the operator is fined RMB 100,000 to 500,000. [1]" in lines
    assert not any("see Article 59" in line for line in lines)
    assert not any("罚" in line for line in lines)


def test_a_document_the_knowledge_base_lacks_is_named_in_the_refusal(digest):
    """Answering from a similar document would mislead: related provisions are offered, not an answer."""
    held = digest.ask("《直播销售测试办法》对主播虚构销量怎么规定？")
    assert not held["refused"] and held["citations"][0]["articles"] == [3]
    lacked = digest.ask("《网络直播营销管理办法（试行）》对主播虚构销量怎么规定？")
    assert lacked["refused"] and lacked["answer"] == "知识库未收录《网络直播营销管理办法（试行）》，无法据此作答。"
    assert [c["articles"] for c in lacked["related"]][:1] == [[3]]


def _split(*passages: Document) -> list[list[str]]:
    return [clauses(passage.page_content) for passage in passages]


def test_clauses_of_one_list_become_one_line_from_the_clause_heading_it():
    passage = Document(
        "## Article 11\n**EN:** Sellers may not: hide the prize rules; cheat; change prizes midway; "
        "or offer a top prize worth more than RMB 50,000. Prizes must be delivered."
    )
    head, middle = "Sellers may not: hide the prize rules;", "cheat; change prizes midway;"
    last = "or offer a top prize worth more than RMB 50,000."
    whole = f"{head} {middle} {last}"
    assert _spanned([(0, last), (0, head)], _split(passage)) == [(0, whole)]
    assert _spanned([(0, "cheat;")], _split(passage)) == [(0, whole)]  # a list cut short would read as complete
    assert _spanned([(0, "change prizes midway;")], _split(passage)) == [(0, whole)]
    assert _spanned([(0, "Prizes must be delivered."), (0, last)], _split(passage)) == [
        (0, "Prizes must be delivered."),
        (0, whole),
    ]
    chinese = Document("## 第七条\n**中文：** 虚构原价的，罚款五千元以下；情节严重的，罚款五万元以下。另有规定的除外。")
    assert _spanned([(0, "情节严重的，罚款五万元以下。")], _split(chinese)) == [
        (0, "虚构原价的，罚款五千元以下；情节严重的，罚款五万元以下。")
    ]


def test_a_clause_ending_in_a_semicolon_is_joined_to_the_clause_that_ends_its_sentence():
    passage = Document(
        "## Article 77\n**EN:** A breach is fined RMB 50,000 to 200,000; in serious cases RMB 200,000 to 500,000. "
        "Sellers may not: hide fees; tie sales; or fake prices."
    )
    tiers = "A breach is fined RMB 50,000 to 200,000; in serious cases RMB 200,000 to 500,000."
    assert _spanned([(0, "A breach is fined RMB 50,000 to 200,000;")], _split(passage)) == [(0, tiers)]
    # the first item of a list brings the rest: "Sellers may not: hide fees;" would read as the whole ban
    assert _spanned([(0, "Sellers may not: hide fees;")], _split(passage)) == [
        (0, "Sellers may not: hide fees; tie sales; or fake prices.")
    ]
    penalty = Document(
        "## Article 9\nPenalty: Article 60 — fined RMB 5,000 to 50,000; individuals up to RMB 10,000; "
        "serious cases: licence revoked. Other laws prevail."
    )
    assert _spanned([(0, "Penalty: Article 60 — fined RMB 5,000 to 50,000;")], _split(penalty)) == [
        (0, penalty.page_content.splitlines()[1].removesuffix(" Other laws prevail."))
    ]


def test_a_sentence_pointing_back_is_quoted_with_the_sentence_it_points_to():
    """Quoted alone, "These records must be kept…" leaves the reader asking which records."""
    passage = Document(
        "## Article 31\n**EN:** Platforms must record the goods and transactions on them. These records must be kept "
        "for at least 3 years. It is a duty of every platform. Penalty: Article 80 — breaking these rules is fined.\n"
        "**中文：** 平台应当记录交易信息。其他法律另有规定的，从其规定。也就是说，记录不得删改。"
    )
    records = "Platforms must record the goods and transactions on them."
    kept, duty = "These records must be kept for at least 3 years.", "It is a duty of every platform."
    fine = "Penalty: Article 80 — breaking these rules is fined."
    assert _spanned([(0, kept)], _split(passage)) == [(0, f"{records} {kept}")]
    assert _spanned([(0, duty), (0, records)], _split(passage)) == [(0, f"{records} {kept} {duty}")]  # one line
    assert _spanned([(0, fine)], _split(passage)) == [(0, fine)]  # a penalty line's "these rules" are its article's
    assert _spanned([(0, "其他法律另有规定的，从其规定。")], _split(passage)) == [(0, "其他法律另有规定的，从其规定。")]
    assert _spanned([(0, "也就是说，记录不得删改。")], _split(passage)) == [
        (0, "其他法律另有规定的，从其规定。也就是说，记录不得删改。")
    ]
    lucky_draw = Document("## 第十七条\n**中文：** 收集前要告知处理目的。直播间抽奖收集手机号也要做到这些。")
    assert _spanned([(0, "直播间抽奖收集手机号也要做到这些。")], _split(lucky_draw)) == [
        (0, "收集前要告知处理目的。直播间抽奖收集手机号也要做到这些。")
    ]
    # a conclusion (opening or mid-sentence), a proviso, an example and an extension come with the rule before them
    for rule_zh, leaning_zh, rule_en, leaning_en in [
        (
            "禁止在网上发布烟草广告。",
            "因此直播间不能推广电子烟。",
            "Tobacco ads are banned.",
            "So a live room may not sell them.",
        ),
        (
            "可要求价款十倍的赔偿金。",
            "但标签瑕疵不影响安全的除外。",
            "Buyers may claim 10 times.",
            "However, label slips are exempt.",
        ),
        (
            "酒类广告不得出现饮酒动作。",
            "主播当场喝酒有违反本条的风险。",
            "Fakes are banned.",
            "A brand-like shop is a typical case.",
        ),
        (
            "带购物链接的测评属于广告。",
            "种草笔记因此要标明广告。",
            "Reviews with a cart link are ads.",
            "Seeding posts therefore need an ad label.",
        ),
        (
            "赠品造成损害的，经营者要赔偿。",
            "直播间福袋同样适用。",
            "Harm caused by free gifts must be compensated.",
            "The rule also applies to lucky-bag prizes.",
        ),
        (
            "商家不得虚构交易。",
            "在直播间这包括请托假装抢购。",
            "Sellers must not fake transactions.",
            "In a live room this covers paid fake buyers.",
        ),
        (
            "平台不得强迫商家参加促销。",
            "也不能用技术手段限定商家在哪里销售。",
            "Platforms may not force merchants into promotions.",
            "Also, they may not block merchants by technical means.",
        ),
    ]:
        article = Document(f"## 第六条\n**中文：** {rule_zh}{leaning_zh}\n\n**EN:** {rule_en} {leaning_en}")
        assert _spanned([(0, leaning_zh), (0, leaning_en)], _split(article)) == [
            (0, rule_zh + leaning_zh),
            (0, f"{rule_en} {leaning_en}"),
        ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What's the fine for hiding the seller's name?", "Breaking it is fined RMB 10,000 to 100,000."),
        ("不标明经营者信息会怎么罚？", "违反的，罚款一万元以上十万元以下。"),
        ("How long must the records be kept?", "Records are kept for at least 3 years."),
        ("How big can it get at most?", "Breaking it is fined RMB 10,000 to 100,000."),
        ("Must the live page show the seller?", "The live page must show the real seller."),
        ("When did these rules take effect?", "The rules are in force since 2026-02-01."),
        ("这些规定什么时候施行？", "本规定自2026年2月1日起施行。"),
        ("换了地址多久内要告诉平台？", "信息变更须在3个工作日内报给平台。"),
    ],
)
def test_a_question_asking_for_a_fine_a_period_or_a_date_gets_it_as_the_direct_answer(question, expected):
    picked = [
        (0, "The live page must show the real seller."),
        (0, "or RMB 500 a day until the seller is shown;"),
        (0, "Records are kept for at least 3 years."),
        (0, "Breaking it is fined RMB 10,000 to 100,000."),
        (0, "违反的，罚款一万元以上十万元以下。"),
        (0, "信息变更须在3个工作日内报给平台。"),
        (0, "The rules are in force since 2026-02-01."),
        (0, "本规定自2026年2月1日起施行。"),
    ]
    lang = "zh" if re.search(r"[\u4e00-\u9fff]", question) else "en"
    reordered = _quantity_first(question, picked, lang)
    assert reordered[0][1] == expected and sorted(reordered) == sorted(picked)


def test_an_amount_in_ten_thousands_is_an_amount():
    """ "5万" states an amount without "元": the prize cap, not the fine after it, answers the prize question."""
    picked = [(0, "有奖销售要公示兑奖条件。"), (0, "抽奖式有奖销售的最高奖不得超过5万。"), (0, "罚则：罚五万元以上。")]
    assert _quantity_first("抽奖的奖品最高能值多少钱？", picked, "zh")[0] == picked[1]


def test_a_penalty_line_answers_a_question_for_an_amount_only_when_it_asks_about_consequences():
    """ "Is there a cap?" asks for the rule's limit; the penalty line's fines answer "what's the fine?"."""
    rule, fine = "平台要按年龄段限制未成年人的单笔和单日打赏金额。", "罚则：第五十六条——罚款10万元以上100万元以下。"
    picked = [(0, rule), (0, fine)]
    assert _quantity_first("那他们刷礼物打赏呢？有没有上限？", picked, "zh")[0] == picked[0]
    assert _quantity_first("超过上限会怎么罚？", picked, "zh")[0] == picked[1]


def test_a_bare_penalty_reference_is_dropped_when_the_answer_quotes_the_fine_in_its_language():
    rule, bare = (0, "Platforms may not register hosts under 16."), (0, "Penalty: Article 127.")
    fine = (1, "Penalty: Article 127 — fined RMB 100,000 to 1 million.")
    top = [Document("", metadata={"doc_id": "law", "articles": [31]}), Document("", metadata={"doc_id": "law"})]
    assert _without_bare_references([rule, bare, fine], top) == [rule, fine]
    assert _without_bare_references([rule, bare], top) == [rule, bare]
    assert _without_bare_references([rule, (0, "罚则见第一百二十七条。"), fine], top) == [
        rule,
        (0, "罚则见第一百二十七条。"),
        fine,
    ]
    chinese_fine = (1, "罚则：第二十四条——可处三万元以下罚款。")
    assert _without_bare_references([rule, (0, "违反的处罚见第二十四条。"), chinese_fine], top) == [rule, chinese_fine]
    for bare_zh in (
        "违反的按第二十四条处罚。",
        "违反的依第二十四条处罚。",
        "违者按第二十四条处罚。",
        "处罚见第二十四条（适用《广告法》第五十七条）。",
    ):
        assert _without_bare_references([rule, (0, bare_zh), chinese_fine], top) == [rule, chinese_fine]
    pointers = [(0, "Amounts: see Penalty below."), (0, "罚款幅度见下方“罚则”。")]
    assert _without_bare_references([rule, *pointers, fine, chinese_fine], top) == [rule, fine, chinese_fine]
    graded = (0, "罚则见第二十四条（罚款幅度更高）。")  # says more than where the fine is
    assert _without_bare_references([rule, graded, chinese_fine], top) == [rule, graded, chinese_fine]


def test_a_bare_penalty_reference_is_dropped_when_the_answer_quotes_the_penalty_article_itself():
    """ "Penalty: see Article 66." beside a quote from Article 66 tells the reader nothing new."""
    rule, bare = (0, "The handler must notify the regulator at once."), (0, "Penalty: see Article 66.")
    fine = (1, "Failure to meet protection duties: a fine of up to RMB 1,000,000.")
    duty = Document("", metadata={"doc_id": "pipl", "articles": [57]})
    top = [duty, Document("", metadata={"doc_id": "pipl", "articles": [66]})]
    assert _without_bare_references([fine, rule, bare], top) == [fine, rule]
    other_law = [duty, Document("", metadata={"doc_id": "ecommerce-law", "articles": [66]})]
    assert _without_bare_references([fine, rule, bare], other_law) == [fine, rule, bare]
    assert _without_bare_references([(0, "违反的处罚见第六十六条。"), fine], top) == [fine]


def test_a_sentence_with_a_number_of_its_own_is_not_a_repeat_of_a_similar_one():
    fine = "If a fine is not paid on time, 3% of the fine is added for each day of delay."
    gains = "If confiscated illegal gains are not paid on time, 2‰ of the gains is added for each day of delay."
    assert not _repeats(gains, fine)
    assert _repeats("If a fine is not paid on time, 3% of it is added each day.", fine)
    assert not _repeats("个人经营者没有违法所得的，处五万元以下罚款。", "经营者没有违法所得的，处五十万元以下罚款。")
