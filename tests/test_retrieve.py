"""Dense retrieval finds the right article across English and Chinese, and honours filters."""

import pytest
from langchain_core.documents import Document

from bot.filters import Filters
from bot.retrieve import HybridRetriever, rule_words

from .conftest import ingest_rules


@pytest.fixture
def indexed(assistant, corpus):
    assistant.ingest([corpus])
    return assistant


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("直播间要公示营业执照吗？", 2),
        ("主播可以刷单造假销量吗？", 3),
        ("消费者收到货后几天内可以无理由退货？", 5),
    ],
)
def test_finds_the_article_for_chinese_questions(indexed, question, article):
    top = indexed.retrieve(question, k=1)[0]
    assert (top.metadata["doc_id"], top.metadata.get("articles")) == ("live-rules", [article])


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("Where must a live room show its business licence?", 2),
        ("Can a host fake the sales numbers or make up reviews?", 3),
        ("How long must I keep purchase inspection records when selling food?", 4),
        ("Can buyers return goods without a reason?", 5),
    ],
)
def test_english_questions_find_the_right_chinese_article(indexed, question, article):
    """Within the Chinese-only regulation, English questions land on the right article."""
    top = indexed.retrieve(question, k=1, filters=Filters(doc_ids=("live-rules",)))[0]
    assert top.metadata["articles"] == [article]


def test_english_question_answered_by_chinese_only_passage(indexed):
    """Unfiltered, against an English paper too."""
    top = indexed.retrieve("Do sellers of food have to check the supplier's licence?", k=1)[0]
    assert top.metadata["lang"] == "zh" and "许可证" in top.page_content


def test_chinese_question_finds_english_paper_section(indexed):
    top = indexed.retrieve("生鲜农产品直播销售的主要瓶颈是什么？", k=1, filters=Filters(doc_types=("paper",)))[0]
    assert (top.metadata["doc_id"], top.metadata["section"]) == ("sample-paper", "1.1")


def test_filters_by_type_and_document(indexed):
    hits = indexed.retrieve("Can buyers return goods without a reason?", k=10, filters=Filters(doc_types=("paper",)))
    assert hits and {h.metadata["doc_type"] for h in hits} == {"paper"}
    hits = indexed.retrieve("logistics", k=10, filters=Filters(doc_ids=("live-rules",)))
    assert hits and {h.metadata["doc_id"] for h in hits} == {"live-rules"}


def test_scores_descend_and_ranks_count_up(indexed):
    hits = indexed.retrieve("退货", k=5)
    assert [h.metadata["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert [h.metadata["score"] for h in hits] == sorted((h.metadata["score"] for h in hits), reverse=True)
    assert all(-1 <= h.metadata["similarity"] <= 1 for h in hits), "every hit carries its cosine similarity"


def test_langchain_retriever_interface(indexed):
    retriever = indexed.retriever.model_copy(update={"k": 2})
    assert type(retriever).__name__ == "HybridRetriever"
    documents = retriever.invoke("营业执照")
    assert len(documents) == 2 and documents[0].metadata["articles"] == [2]


def test_empty_index_returns_nothing(assistant):
    assert assistant.retrieve("anything") == []


def test_direct_reference_goes_straight_to_the_article(indexed):
    top = indexed.retrieve("直播营销测试规定第四条是什么意思？", k=3)[0]
    assert top.metadata["articles"] == [4] and top.metadata["direct"] is True
    top = indexed.retrieve("What does §1.1 of the paper say?", k=3)[0]
    assert (top.metadata["doc_id"], top.metadata["section"]) == ("sample-paper", "1.1")


def test_digest_and_official_text_of_one_article_share_a_slot(assistant, corpus):
    (corpus / "digest").mkdir()
    (corpus / "digest" / "live-rules.md").write_text(
        "---\ndoc_id: live-rules\ntitle: Live marketing test rules (digest)\ntitle_zh: 直播营销测试规定\n"
        "doc_type: regulation\nstatus: digest\n---\n# Digest\n\n"
        "## Article 5 · 第五条 — 7-day returns without reason\n\n"
        "**EN:** Buyers may return goods within 7 days of receipt without giving a reason.\n\n"
        "**中文：** 买家收货后7日内可以无理由退货。\n",
        encoding="utf-8",
    )
    assistant.ingest([corpus])
    hits = assistant.retrieve("Can buyers return goods within 7 days without a reason?", k=5)
    slots = [(h.metadata["doc_id"], tuple(h.metadata.get("articles") or ())) for h in hits]
    assert slots.count(("live-rules", (5,))) == 1
    top = next(h for h in hits if h.metadata.get("articles") == [5])
    assert len(top.metadata["also"]) == 2, "the other language and the official text are listed with it"


def test_a_question_about_the_paper_searches_the_paper(indexed):
    """Without "论文" this question finds the article on no-reason returns; asked about the paper, the paper
    answers, unless the persona leaves the paper out."""
    assert indexed.retrieve("消费者收到货后几天内可以无理由退货？", k=1)[0].metadata["doc_id"] == "live-rules"
    about_the_paper = "论文怎么看消费者收到货后几天内可以无理由退货？"
    hits = indexed.retrieve(about_the_paper, k=5)
    assert hits and {h.metadata["doc_id"] for h in hits} == {"sample-paper"}
    assert indexed.retrieve(about_the_paper, k=1, persona="official")[0].metadata["doc_id"] == "live-rules"


def test_a_merchant_asking_whether_they_may_gets_a_rule_before_the_paper(assistant, corpus):
    """The paper analyses the industry and rules on nothing: "may I …?" gets the rule the paper's words resemble
    less, unless it asks the paper."""
    paper = "---\ndoc_id: sample-paper\ndoc_type: paper\n---\n## 2. 问题\n"
    paper += "不少直播间虚增交易量吸引买家，买家因此越来越不信任直播间。\n"
    (corpus / "sample-paper.md").write_text(paper, encoding="utf-8")
    assistant.ingest([corpus])
    retriever = assistant.retriever
    lead = lambda question: retriever.search(question, 1)[0].metadata["doc_id"]  # noqa: E731
    for question in ("我能在直播间虚增交易量吸引买家吗？", "直播间可以虚增交易量吸引买家吗？"):
        assert lead(question) == "live-rules"
        assert lead(f"论文怎么看：{question}") == "sample-paper"
    retriever.paper_permission_factor = 1.0
    assert lead("我能在直播间虚增交易量吸引买家吗？") == "sample-paper"


MEASURES = """---
doc_id: live-measures
title: Live Selling Test Measures
title_zh: 直播销售测试办法
short_titles: "Live Selling Measures | 直播销售办法"
doc_type: regulation
status: digest
---
# Live Selling Test Measures · 直播销售测试办法

Rules for selling goods in live streams. The Live Selling Measures have been in force since 2026-02-01.
《直播销售办法》自2026年2月1日起施行。

## Article 5 · 第五条 — Platforms take measures against harm

**EN:** A platform must take effective measures when a host's conduct harms consumers, and take the listing down.

**中文：** 平台发现主播损害消费者权益的，应当采取有效措施，下架商品。

## Article 6 · 第六条 — Hosts must show their identity

**EN:** Hosts must show their real identity in the live room.

**中文：** 主播应当在直播间亮明真实身份。
"""


@pytest.mark.parametrize(
    ("question", "date"),
    [("When did the Live Selling Measures take effect?", "2026-02-01"), ("直播销售办法什么时候施行？", "2026年2月1日")],
)
def test_a_question_on_when_a_named_document_took_effect_is_answered_from_its_overview(
    assistant, tmp_path, question, date
):
    """The overview states the dates; "take effect" otherwise matches the article on taking effective measures."""
    (tmp_path / "measures").mkdir()
    (tmp_path / "measures" / "live-measures.md").write_text(MEASURES, encoding="utf-8")
    assistant.ingest([tmp_path / "measures"])
    assert not assistant.retrieve(question, k=1)[0].metadata.get("articles")
    assert date in assistant.ask(question)["answer"].splitlines()[0]
    other = assistant.retrieve("What must platforms do under the Live Selling Measures when hosts harm consumers?")
    assert other[0].metadata["articles"] == [5]


def test_personas_preset_the_document_types(indexed):
    official = indexed.retrieve("live streaming rural produce logistics", k=10, persona="official")
    assert official and all(h.metadata["doc_type"] != "paper" for h in official)
    student = indexed.retrieve("live streaming rural produce logistics", k=10, persona="student")
    assert student[0].metadata["doc_type"] == "paper"
    with pytest.raises(ValueError, match="persona"):
        indexed.retrieve("x", persona="pirate")


def test_follow_up_uses_the_conversation(indexed):
    history = [
        {"role": "user", "content": "直播卖食品要查验什么证件？"},
        {"role": "assistant", "content": "许可证。[1]"},
    ]
    top = indexed.retrieve("那记录要保存多久？", k=1, history=history)[0]
    assert top.metadata["articles"] == [4]


def test_language_filter_gives_evidence_in_one_language(indexed):
    hits = indexed.retrieve("Where must the business licence be shown?", k=5, filters=Filters(langs=("zh",)))
    assert hits and {h.metadata["lang"] for h in hits} == {"zh"}


def test_a_question_about_consequences_gets_the_penalty_article_second(digest):
    hits = digest.retrieve("What happens if a host inflates the sales numbers in a stream?", k=3)
    assert [h.metadata["articles"] for h in hits[:2]] == [[3], [9]] and hits[1].metadata["followed"] == "penalty"
    answer = digest.ask("What happens if a host inflates the sales numbers in a stream?")
    assert "RMB 10,000 to 100,000" in answer["answer"] and [c["articles"] for c in answer["citations"]] == [[3], [9]]
    duty = digest.retrieve("May a host inflate the sales numbers in a stream?", k=3)
    assert "followed" not in duty[1].metadata, "only a question about consequences follows the penalty"


def test_a_follow_up_about_consequences_gets_the_penalty_article_first(digest):
    """The previous answer gave the duty; "what's the fine?" wants the penalty for breaching it."""
    history = [{"role": "user", "content": "May a host inflate the sales numbers in a stream?"}]
    hits = digest.retrieve("And what's the fine?", k=3, history=history)
    assert [h.metadata["articles"] for h in hits[:2]] == [[9], [3]] and hits[0].metadata["followed"] == "penalty"
    answer = digest.ask("那罚款是多少？", history=[{"role": "user", "content": "主播可以虚构直播销量吗？"}])
    assert answer["citations"][0]["articles"] == [9] and "一万元以上十万元以下" in answer["answer"].splitlines()[0]


def test_each_article_is_shown_in_the_question_language(digest):
    for question, langs in (("主播可以夸大销量吗？", {"zh"}), ("May a host inflate sales numbers?", {"en", "zh+en"})):
        hits = digest.retrieve(question, k=3)
        assert hits and {h.metadata["lang"] for h in hits} <= langs


def test_an_article_matched_in_several_passages_outranks_one_matched_once(assistant):
    """A slot scores its best passage plus ``sibling_weight`` times the others (digest halves, official text)."""
    retriever = assistant.retriever.model_copy()

    def passage(article: int, lang: str) -> Document:
        return Document(page_content="…", metadata={"doc_id": "d", "articles": [article], "lang": lang})

    def ranked():
        return [[0.10, passage(1, "en")], [0.09, passage(2, "en")], [0.08, passage(2, "zh")]]

    retriever.sibling_weight = 0.25
    first, second = retriever._collapse(ranked(), 5)
    assert first.metadata["articles"] == [2] and first.metadata["score"] == pytest.approx(0.11)
    assert len(first.metadata["also"]) == 1 and second.metadata["also"] == []
    retriever.sibling_weight = 0.0
    assert [doc.metadata["articles"] for doc in retriever._collapse(ranked(), 5)] == [[1], [2]]


def test_a_hit_bm25_scores_far_ahead_gains_more_than_its_rank(digest):
    """Ranks alone give BM25's best hit the same lead over the next whether it scores 10 times the next or barely
    more; its score, scaled between the pool's lowest and highest, adds ``lexical_score_weight`` at most. When
    fewer chunks match than the pool holds, the lowest is an unmatched chunk's 0."""
    retriever = digest.retriever.model_copy()
    question = "Can buyers return goods bought during a stream within seven days without giving a reason?"
    found = retriever.lexical.search(question, retriever.pool, Filters())
    assert len(found) >= 2 and found[0][1] > 3 * found[1][1], "one passage matches far better than the rest"
    rank_step = 1 / (retriever.rrf_k + 1) - 1 / (retriever.rrf_k + 2)

    def lead_over_next(weight: float) -> float:
        retriever.lexical_score_weight = weight
        fused: dict[str, list] = {}
        retriever._add_lexical(fused, question, 1.0, Filters())
        first, second = (fused[retriever.lexical.ids[position]][0] for position, _ in found[:2])
        return first - second

    assert lead_over_next(0.0) == pytest.approx(rank_step)
    assert len(found) < retriever.pool
    assert lead_over_next(0.015) == pytest.approx(rank_step + 0.015 * (1 - found[1][1] / found[0][1]))
    assert lead_over_next(0.015) > rank_step
    retriever.pool = 2  # the next hit is the pool's lowest
    assert lead_over_next(0.015) == pytest.approx(rank_step + 0.015)


def test_a_follow_up_in_another_language_is_answered_in_its_own(digest):
    """The completed query is mostly the earlier English question; the Chinese follow-up still gets Chinese."""
    history = [{"role": "user", "content": "May a host inflate the sales numbers in a stream?"}]
    hits = digest.retrieve("那罚款是多少？", k=3, history=history)
    assert hits[0].metadata["articles"] == [9] and {h.metadata["lang"] for h in hits} == {"zh"}
    answer = digest.ask("那罚款是多少？", history=history)["answer"]
    assert answer.startswith("违反第三条的") and "英文" not in answer


def test_dense_weight_drops_when_only_the_other_language_may_answer(indexed):
    """Filtered to the other language's passages, the cross-lingual dense channel counts ``cross_dense_weight``:
    at 0, with the lexical and listed-question channels off, nothing is found, while a filter that admits the
    question's language (or a Chinese question over Chinese passages) still finds by meaning."""
    retriever = indexed.retriever.model_copy(
        update={"dense_weight": 1.0, "cross_dense_weight": 0.0, "lexical_weight": 0.0, "question_weight": 0.0}
    )
    english, chinese = "Can buyers return goods without a reason?", "买家可以无理由退货吗？"
    assert retriever.search(english, 5, Filters(langs=("zh",))) == []
    assert retriever.search(english, 5, Filters(langs=("zh", "en")))
    top = retriever.search(chinese, 5, Filters(langs=("zh",)))[0]
    assert top.metadata["articles"] == [5]
    retriever.cross_dense_weight = 0.6
    top = retriever.search(english, 5, Filters(langs=("zh",)))[0]
    assert top.metadata["articles"] == [5] and top.metadata["score"] == pytest.approx(0.6 / 11, abs=1e-5)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("按照直播营销测试规定，主播可以虚构销量吗？", "live-rules"),
        ("按照直播销售测试办法，主播可以虚构销量吗？", "live-digest"),
        ("Under the Live selling test measures, may a host fake sales numbers?", "live-digest"),
    ],
)
def test_a_document_the_question_names_is_searched_first(digest, corpus, question, named):
    """Both documents forbid faked sales numbers in their Article 3; the one the user names answers."""
    digest.ingest([corpus])
    top = digest.retrieve(question, k=3)[0]
    assert (top.metadata["doc_id"], top.metadata["articles"]) == (named, [3])


def test_a_subsection_close_behind_its_overview_section_leads(assistant):
    def hit(section: str, score: float, doc_id: str = "paper") -> Document:
        return Document(page_content=section, metadata={"doc_id": doc_id, "section": section, "score": score})

    retriever = assistant.retriever
    close = retriever._specific_first([hit("3", 0.24), hit("2", 0.22), hit("3.2", 0.21)])
    assert [d.metadata["section"] for d in close] == ["3.2", "3", "2"]
    assert [d.metadata["score"] for d in close] == [0.24, 0.24, 0.22] and close[0].metadata["rank"] == 1
    far = [hit("3", 0.24), hit("3.2", 0.12)]
    assert [d.metadata["section"] for d in retriever._specific_first(far)] == ["3", "3.2"]
    other = [hit("3", 0.24), hit("3.2", 0.21, doc_id="another-paper")]
    assert [d.metadata["section"] for d in retriever._specific_first(other)] == ["3", "3.2"]


def test_a_laws_overview_gives_way_to_its_best_article_unless_the_law_is_named(assistant):
    def hit(doc_id: str, score: float, articles: list[int] | None = None) -> Document:
        return Document(page_content=doc_id, metadata={"doc_id": doc_id, "articles": articles or [], "score": score})

    retriever = assistant.retriever
    results = [hit("minors-law", 0.17), hit("online-rules", 0.15, [31]), hit("minors-law", 0.12, [76])]
    first = retriever._specific_first(results, named=set())[0].metadata
    assert (first["doc_id"], first["articles"], first["score"], first["rank"]) == ("minors-law", [76], 0.17, 1)
    results = [hit("minors-law", 0.17), hit("online-rules", 0.15, [31]), hit("minors-law", 0.12, [76])]
    assert retriever._specific_first(results, named={"minors-law"})[0].metadata["articles"] == []
    platform = [hit("douyin-rules", 0.2), hit("douyin-rules", 0.1)]
    assert retriever._specific_first(platform, named=set()) == platform, "a document without articles keeps its order"


def test_a_child_whose_age_the_question_states_finds_the_rules_on_minors(assistant, tmp_path):
    """The rules say "minor" and "under 16", never "a 15-year-old": without the words the rules use, the live-room
    operator's seller liability outranked the streamer-age rule."""
    ingest_rules(
        assistant,
        tmp_path,
        "# Rules\n\n## Article 12\n\n**EN:** If a consumer is harmed after buying goods in a live room, the "
        "live-room operator bears the seller's liability unless it shows clearly that it is not the seller.\n\n"
        "## Article 76\n\n**EN:** Platforms must not open a streamer account for a minor under 16; a minor aged 16 "
        "or 17 needs a guardian's consent to host.\n",
    )
    top = assistant.retrieve("Can a 15-year-old be a host in my live room?", k=1)[0]
    assert top.metadata["articles"] == [76]
    assert rule_words("十五岁的孩子能当主播吗？") == rule_words("my 8 year old daughter") == ["minor", "未成年人"]
    assert rule_words("二十岁的主播") == rule_words("15 years of selling experience") == []


def test_a_rank_claimed_as_a_number_finds_the_ban_on_absolute_terms(assistant, tmp_path):
    """BM25 reads "No. 1" as "no" and "1", so "No. 1 in China" matched a scope article's "in China" and missed the
    ban, which says "number one" (第一)."""
    ingest_rules(
        assistant,
        tmp_path,
        "# Rules\n\n## Article 2\n\n**EN:** These rules apply to selling products by live stream in China.\n\n"
        "## Article 9\n\n**EN:** No advertisement may use absolute terms. In a live stream, calling a product "
        '"the best" or "number one" (第一) breaches this ban.\n',
    )
    for question in ('Can I say my product is "No. 1 in China" in my live stream?', "直播间能说我们是No.1吗？"):
        assert assistant.retrieve(question, k=1)[0].metadata["articles"] == [9], question
    assert rule_words("Is a #1 bestseller claim OK?") == ["number one", "第一"]
    assert rule_words("SAMR Order No. 117") == rule_words("No. 1.5") == []


def test_a_fault_told_in_everyday_words_finds_the_quality_return_rule(assistant, tmp_path):
    """Buyers say what broke ("torn seams", "坏了"); the rules say "quality problem". Without those words, the no-reason
    return article, with its "the consumer pays return shipping", led a question about returning a faulty item."""
    ingest_rules(
        assistant,
        tmp_path,
        "# Rules\n\n## Article 24\n\n**EN:** If goods fail quality requirements (a quality problem), the consumer "
        "may return them within 7 days of receipt or demand exchange or repair, and the business pays the transport "
        "costs.\n\n## Article 25\n\n**EN:** Goods bought online may be returned within 7 days of receipt without "
        "giving any reason. The consumer pays the return shipping unless agreed otherwise.\n",
    )
    question = "The sofa cover I ordered has torn seams. The seller says I must pay the return shipping. Is that right?"
    assert assistant.retrieve(question, k=1)[0].metadata["articles"] == [24]
    assert rule_words("直播间买的吹风机用了三天就坏了，能退吗？") == ["quality problem return", "质量问题 退换货"]
    assert rule_words("My kettle is faulty, what a shame") == [], "a fault alone asks for no remedy"
    injury = "直播间买的电热毯漏电把人电伤了，找谁赔？"
    assert "quality problem return" not in rule_words(injury), "an injury is not a quality return"
    assert rule_words("If I have broken the advertising rules, must I refund buyers?") == []
    assert rule_words("I feel ripped off by a fake discount; can I get a refund?") == []
    told = [
        "I bought a blender in a live stream and the blade snapped off. Can I get my money back?",
        "The kid's toy car was dead on arrival. Who pays return shipping?",
        "Ordered sneakers in a live room and the sole is coming unglued after a week. Must I pay shipping?",
        "在直播间买的电风扇，用了三天就不转了，运费谁出啊？",
        "在主播那买的运动鞋穿了一周就开胶了，他们说不退怎么办？",
        "网上买的实木餐桌桌腿断了一根，我能要求换新的吗？",
    ]
    assert all(rule_words(question) for question in told), "faults told in buyers' words"
    assert rule_words("冰箱不制冷怎么自己修？") == [], "mending it oneself is not a claim"
    assert rule_words("补光灯有几个灯珠不亮了，能自己换灯珠吗？") == []
    assert rule_words("My laptop battery won't hold a charge; should I buy a new one?") == []
    assert rule_words("It's not cool that the shop won't refund me.") == []
    assert rule_words("The seller did not charge shipping; may they ask me to pay the return postage?") == []
    assert rule_words("直播断了一个小时，平台能退推广费吗？") == [], "a stream cut off is no faulty product"
    assert rule_words("做了裂变营销活动，商家能退保证金吗？") == []
    assert rule_words("The host broke the rules on price claims; can buyers get refunds?") == []


def test_the_passages_the_leads_digest_lists_as_related_are_marked(assistant, tmp_path):
    """Whichever half of the lead's digest retrieval shows, its Related line (in the English half) decides."""
    ingest_rules(
        assistant,
        tmp_path,
        "---\ndoc_id: draw-rules\ntitle: Lucky draw rules (digest)\ndoc_type: regulation\nstatus: digest\n---\n"
        "# Digest\n\n## Article 2 · 第二条 — Lucky draws state their prizes\n\n"
        "- Related · 相关条文: Articles 7 (penalty); price-law Article 3\n\n"
        "**EN:** A live-room lucky draw must state its prizes, their value and how winners are chosen.\n\n"
        "**中文：** 直播间抽奖应当写明奖品、奖品价值和中奖方式。\n\n"
        "## Article 7 · 第七条 — Fines for draws\n\n"
        "**EN:** A lucky draw that hides its prizes is fined RMB 50,000 to 500,000.\n\n"
        "**中文：** 抽奖隐瞒奖品的，处五万元以上五十万元以下罚款。\n\n"
        "## Article 8 · 第八条 — Draw records\n\n"
        "**EN:** The live room keeps the records of each lucky draw and its winners for a year.\n\n"
        "**中文：** 直播间保存每次抽奖及中奖人记录一年。\n",
    )
    for question in ("What must a live-room lucky draw state about its prizes?", "直播间抽奖要写明奖品吗？"):
        hits = assistant.retrieve(question, k=3)
        assert hits[0].metadata["articles"] == [2] and "related" not in hits[0].metadata
        assert {tuple(h.metadata["articles"]): h.metadata["related"] for h in hits[1:]} == {(7,): True, (8,): False}


def test_a_follow_ups_own_words_are_searched_by_their_words_too(assistant, tmp_path, monkeypatch):
    """Completed from the conversation, "And for a digital human?" is mostly the earlier question on verifying
    hosts; the follow-up's own words, searched lexically as well as by meaning, find the article on digital humans.
    By meaning alone they do not."""
    ingest_rules(
        assistant,
        tmp_path,
        "# Rules\n\n## Article 8\n\n**EN:** Live-room operators must verify each host's real identity and report the "
        "host to the platform before every stream.\n\n## Article 37\n\n**EN:** A host generated by software, such as "
        "a digital human, must carry a visible label throughout the stream.\n\n## Article 40\n\n**EN:** Hosts may not "
        "stream while drunk or in a vulgar manner, and must keep their language civil.\n",
    )
    history = [{"role": "user", "content": "Must operators verify a host's real identity before each stream?"}]
    follow_up = "And for a digital human?"
    assert assistant.retrieve(follow_up, k=3, history=history)[0].metadata["articles"] == [37]
    searched = HybridRetriever._add_lexical
    monkeypatch.setattr(
        HybridRetriever,
        "_add_lexical",
        lambda self, fused, text, *rest: None if text == follow_up else searched(self, fused, text, *rest),
    )
    assert assistant.retrieve(follow_up, k=3, history=history)[0].metadata["articles"] == [8]


def test_harm_a_product_did_finds_the_rules_on_compensating_it(assistant, tmp_path):
    """Buyers tell what the product did ("caught fire", "泡坏了"); the rules say a defect harmed a person or property.
    Without those words, a power bank that burned a sofa led with the Price Law's refund of overcharges, which also
    says "compensate". Asking whom to claim from adds the words of the article letting the victim choose the seller or
    the maker; asking how much does not."""
    ingest_rules(
        assistant,
        tmp_path,
        "# Rules\n\n## Article 41\n\n**EN:** If a defect in a product injures a person or damages property other "
        "than the product itself, the producer must pay compensation.\n\n## Article 43\n\n**EN:** A person harmed "
        "by a defective product may claim compensation from the producer or from the seller, as they choose.\n\n"
        "## Article 60\n\n**EN:** If a business makes a buyer pay more than the lawful price, it must refund the "
        "overcharge, and compensate any loss the buyer suffered.\n",
    )
    burned = "A power bank I bought in a live sale caught fire and burned a hole in my sofa. Can I make the seller pay?"
    assert assistant.retrieve(burned, k=1)[0].metadata["articles"] == [41]
    whom = "My kid got a rash from a sunscreen bought in a live room. Do I go after the shop or the brand?"
    assert "claim from seller or producer" in rule_words(whom)
    assert "向销售者 生产者 索赔" not in rule_words("直播间买的减肥茶喝了狂拉肚子，住了三天院，能赔多少钱")
    told = [
        "直播间买的洗衣机漏水，把楼下邻居家天花板泡了，我能找商家赔吗？",
        "买了个加湿器漏水，把桌上的笔记本电脑泡坏了，电脑的钱能让卖家出吗",
        "直播间买的减肥茶喝了狂拉肚子，住了三天院，能赔多少钱",
        "The hair straightener sparked and burned two of my fingers. Can I ask for compensation?",
    ]
    assert all("defect injury property damage compensation" in rule_words(question) for question in told)
    assert "quality problem seller compensate loss" in rule_words("铸铁锅用了十来天就裂开了，商家真的不用赔吗")
    not_claims = [
        "How should I treat a minor burn from a curling iron at home?",
        "Which home insurance policies cover damage from a burst pipe?",
        "Who's to blame for the team's loss last night?",
        "The recall scandal damaged the brand's reputation. Who is responsible for PR?",
        "被开水烫伤了起了个水泡，要不要把泡挑破？",
        "这次丑闻对公司品牌伤害太大了，股价还能涨回来吗",
        "直播间买的卷发棒把手烫伤了，怎么自己修一下开关？",
    ]
    assert not any(rule_words(question) for question in not_claims)


def test_a_buyers_claim_against_the_platform_finds_its_joint_liability(assistant, tmp_path):
    """A buyer asks whether the platform answers for a faulty product or a vanished seller; the rules speak of the
    platform's joint liability (连带责任), and "抖音说他们只是提供技术服务…" led with an article on who counts as an
    internet information service, which says nothing of the buyer's claim."""
    ingest_rules(
        assistant,
        tmp_path,
        "# Rules\n\n## Article 4\n\n**中文：** 为广告主发布广告提供技术服务的互联网信息服务提供者，"
        "不属于广告发布者。\n\n"
        "## Article 38\n\n**中文：** 平台经营者知道或者应当知道平台内经营者销售的商品不符合安全要求而未采取必要措施的，"
        "与该经营者承担连带责任。\n",
    )
    question = "抖音说他们只是提供技术服务，商品出问题跟平台无关，真的是这样吗"
    assert assistant.retrieve(question, k=1)[0].metadata["articles"] == [38]
    assert "平台 连带责任" in rule_words("商家跑路了，快手一直不给说法，平台有没有义务把商家的真实名称和地址告诉我？")
    assert "平台 连带责任" not in rule_words("平台对主播有什么培训义务？"), "a platform's duty, no buyer's claim"
    assert "platform joint liability" not in rule_words("Is the platform responsible for verifying hosts' identity?")


def test_a_buyers_claim_against_the_host_finds_the_recommenders_joint_liability(assistant, tmp_path):
    """A buyer asks whether the host who sold them something harmful or falsely praised answers for it; the rules make
    whoever recommends goods in false promotion jointly liable (连带责任), and "…主播能告吗" led with the article on
    when a live stream is an advertisement, which says nothing of the buyer's claim. A host's promise and a seller
    nobody named get words of their own."""
    ingest_rules(
        assistant,
        tmp_path,
        "# Rules\n\n## Article 35\n\n**中文：** 直播营销活动构成商业广告的，直播间运营者、主播应当依照广告法履行"
        "广告发布者、广告代言人的义务。\n\n"
        "## Article 45\n\n**中文：** 个人（如主播、网红、明星）在虚假广告或者虚假宣传中推荐食品、保健品等商品，"
        "造成消费者损害的，与经营者承担连带责任。\n",
    )
    lead = assistant.retrieve("宝宝吃了网红直播间推荐的米粉拉肚子住院了 主播能告吗", k=1)[0]
    assert lead.metadata["articles"] == [45]
    assert "host false promotion joint liability" in rule_words(
        "Host said it was imported from Japan, it's fake and I received a Chinese copy. Can I go after the host?"
    )
    named = rule_words("孩子的奶粉是在明星直播间买的，喝了以后身上起疹子，这个明星要赔吗？还是只能找厂家")
    assert "主播 虚假宣传 连带责任" in named and "向销售者 生产者 索赔" not in named, (
        "whom to claim from leads elsewhere"
    )
    assert "主播 虚假宣传 连带责任" not in rule_words("主播夸大宣传谁负责？"), (
        "what the rules do to a host, no buyer's claim"
    )
    assert "主播 虚假宣传 连带责任" not in rule_words("明星因为代言虚假广告被罚过，多久以内不能再请他代言？")
    assert "主播 虚假宣传 连带责任" not in rule_words("主播卖的吹风机，我能找主播退吗"), "吹 in 吹风机 is no boast"
    assert "主播 虚假宣传 连带责任" not in rule_words("店铺员工主播在直播里虚假宣传，我买的东西是假的，能找店铺赔吗？")
    promised = rule_words("主播在直播间说无效退款，现在我要退款他装死，能告他吗")
    assert "主播 承诺 兑现" in promised and "主播 虚假宣传 连带责任" not in promised
    assert "直播间运营者 销售者责任" in rule_words(
        "直播间根本没写是谁在卖 主播就一直喊大家点小黄车 现在东西出问题了找谁啊"
    )
    assert "live room operator seller liability" not in rule_words(
        "What's the fine if my live page doesn't show who the real seller is?"
    ), "a penalty, no claim"
