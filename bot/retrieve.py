"""Retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank, one slot per article.

Everything downstream receives LangChain Documents whose metadata carries ``rank``, ``score`` (the fused
score, which orders the list) and ``similarity`` (cosine similarity to the question, which the answerer
uses to judge whether the evidence is relevant at all).
"""

import re
from dataclasses import replace

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.embedding import Embedder
from bot.filters import Filters
from bot.lexical import LexicalIndex
from bot.loaders import detect_lang
from bot.references import (
    CONSEQUENCES,
    IN_FORCE,
    PERMISSION,
    Reference,
    asks_the_paper,
    find_references,
    named_documents,
    penalty_articles,
    related_provisions,
)
from bot.sentences import SentenceIndex


def slot(meta: dict) -> tuple:
    """Passages that cite the same thing share a result slot: both languages of a digest, its official
    text, and the parts of one long article."""
    articles = tuple(meta.get("articles") or ())
    if articles:
        return meta.get("doc_id"), articles
    return meta.get("doc_id"), meta.get("section") or meta.get("locator", "").split(" (")[0]


class DenseRetriever(BaseRetriever):
    """Nearest chunks by cosine similarity in Chroma."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    collection: object
    embedder: Embedder
    k: int = 10
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self.search(query, self.k, self.filters)

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[Document]:
        return self.search_vector(self.embedder.encode_queries([query])[0], k, filters)

    def search_vector(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[Document]:
        result = self.collection.query(
            query_embeddings=[vector],
            n_results=k,
            where=(filters or self.filters).where(),
            include=["documents", "metadatas", "distances"],
        )
        documents = []
        for rank, (chunk_id, text, meta, distance) in enumerate(
            zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]), 1
        ):
            similarity = round(1.0 - distance, 4)
            metadata = {**meta, "score": similarity, "similarity": similarity, "rank": rank}
            documents.append(Document(page_content=text, id=chunk_id, metadata=metadata))
        return documents


# A child's age stated as a number ("a 15-year-old", "15岁的孩子"): the rules say "minor" (未成年人) and "under
# 16" instead, and neither BM25 nor the embedding ties the two.
_CHILD_AGE = re.compile(
    r"\b(?:1[0-7]|[1-9])[- ]years?[- ]olds?\b|\baged (?:1[0-7]|[1-9])\b|(?<!\d)(?:1[0-7]|[1-9])\s*周?岁|"
    r"(?<![一二三四五六七八九十百])(?:十[一二三四五六七]?|[一二三四五六七八九])周?岁",
    re.I,
)
# A rank claimed as a number ("No. 1 in China", "#1"): the rules say "number one" (第一), and BM25 reads "No. 1"
# as the words "no" and "1" ("Can I say my product is No. 1 in China?" led with the Measures' scope, in China).
_NUMBER_ONE = re.compile(r"(?:(?<![a-z])(?:no\.?|number)|#)\s*1(?!\d|\.\d)", re.I)
# A fault told as what went wrong ("the zipper is broken", "用了三天就坏了", "开线了") in a question asking for a
# return, exchange or repair, or who pays the postage: the rules say "quality problem" (质量问题退换货), and without
# those words "The sofa cover has torn seams; must I pay return postage?" led with the no-reason return article,
# whose "the consumer pays return shipping" is wrong for a fault. A fault alone is not enough, nor one that hurt
# someone ("漏电把人电伤了，找谁赔？" asks who is liable for an injury: ``_HARM_CLAIM``) or one to mend oneself
# ("冰箱不制冷怎么自己修？").
_FAULT = (
    r"\b(?:(?:broken|broke|damaged)(?!\s+(?:even|up|into|out)\b)"
    r"(?!\s+(?:[\w']+\s+){0,2}(?:rules?|laws?|regulations?|promises?|contracts?|agreements?|terms|records?|news|"
    r"reputation|image))|faulty|defective|dead on arrival|DOA|malfunction\w*|"
    r"(?:stopped|stops|quit) (?:working|charging|heating|cooling|spinning)|not working|no sound|dead pixels?|"
    r"(?:doesn't|does not|won't|will not|didn't|did not|never) (?:\w+ )?(?:(?:work|heat|cool|spin|close|lock|light)"
    r"(?:s|es|ed|d|ing)?|(?:turn|switch|power)(?:s|es|ed|ing)? on|hold a charge|"
    r"charg(?:e|es|ing)(?! (?:me|us|you|them|for|a|any|shipping|fees?|postage)\b))|"
    r"not (?:\w+ )?(?:heating|cooling|charging|lighting|closing|locking|spinning|(?:turning|switching|powering) on)|"
    r"keeps? (?:rebooting|restarting|shutting|cutting|dying|leaking)|cuts? out|(?:is|was|came|arrived) busted|"
    r"jammed|bent(?! (?:the )?rules?)|shrank|swell\w*|swollen|oozing|rattl\w+|buzz(?:es|ing)|too hot|"
    r"crack(?:ed|s)?(?! down)|torn|ripped(?! off)|snapped|shattered|smashed|dented|split (?:open|down|apart)|"
    r"is split|(?<!data )leak(?:s|ed|ing|y)|peel(?:s|ed|ing)|melted|overheat\w*|sparked|smells? burn(?:t|ing)|"
    r"missing (?:parts?|pieces?|screws?)|(?:fall(?:s|en|ing)?|fell|c[oa]m(?:e|ing)) (?:apart|off|unglued|undone|loose))"
    r"\b|"
    r"坏了|坏掉|损坏|破损|故障|瑕疵|次品|漏电|漏水|漏气|滴水|渗水|不出水|开线|脱线|破了|裂(?!变)|碎了|(?<![网播流])断了|"
    r"散架|失灵|不灵|起球|掉毛|起皮|掉色|褪色|开胶|脱胶|掉漆|掉涂层|钻毛|跑绒|鼓包|变形|生锈|变质|分层|冒烟|火花|焦味|"
    r"烧焦|怪味|异味|发烫|发热严重|卡死|死机|重启|罢工|没反应|不转了|转不动|不亮|不响|没声音|杂音|滋滋|"
    r"异响|嗡嗡|坏点|断连|报错|不制冷|不制热|不加热|充不[进上了]电|开不了机|不开机|关不严|关不上|合不上|扣不上|缺件|"
    r"少了?配件|坏的|质量有问题|东西出了?问题"
)
_REMEDY = (
    r"\b(?:return\w*|send\w* (?:\w+ )?back|sent (?:\w+ )?back|take (?:it|them|this|these) back|money back|"
    r"refund\w*|exchang\w*|replac\w*|repair\w*|shipping|postage|(?:my|our) (?:rights|options)|entitled|new one|"
    r"reimburs\w*)\b|"
    r"退|换|修|运费|售后|什么权利|维权"
)
_MEND_IT_ONESELF = (
    r"\b(?:how (?:do|can|to|should) (?:I|we|you) (?:fix|repair)|(?:should|do|can) I (?:\w+ (?:it|them) or )?"
    r"(?:fix|repair|replace) (?:it|them)|(?:buy|order) a new one|DIY)\b|怎么修|怎样修|自己(?:动手)?[修换]"
)
_HURT = r"\b(?:hurt|injur\w*|burn(?:ed|t) (?:my|his|her|their|our))\b|伤|住院|医药费"
_FAULT_REMEDY = re.compile(rf"(?s)^(?!.*(?:{_HURT}|{_MEND_IT_ONESELF}))(?=.*(?:{_FAULT}))(?=.*(?:{_REMEDY}))", re.I)
# Harm a product did ("it caught fire and burned the sofa", "用了起疹子", "漏水把电脑泡坏了") in a question asking who
# must make it good: the rules say a defect that harms a person or property is compensated (缺陷 人身 财产 损害 赔偿),
# and without those words "A power bank… burned a hole through my sofa. Can I make the seller pay for the sofa?" led
# with the Price Law's refund of overcharges, and long stories were refused for sharing under 15% of their words
# with the passages.
_HARM = (
    rf"{_HURT}|"
    r"\b(?:burn(?:ed|t|s|ing)?|blisters?|scar(?:red)?|stitches|cut (?:my|his|her|their|our)|bleed\w*|rash|allerg\w*|"
    r"swollen|poison\w*|diarrh\w*|vomit\w*|(?:got|made \w+|fell) (?:sick|ill)|hospital\w*|(?-i:ER)|emergency room|"
    r"medical (?:bills?|costs?)|lost (?:wages|income)|(?:electric )?shock(?:ed)?|caught fire|on fire|explod\w*|"
    r"blew (?:up|off)|burst|short[- ]circuit\w*|fried|flood\w*|warped|ruin\w*|stain\w*|dyed)\b|"
    r"烫|急诊|医院|误工|过敏|起疹|疹子|起痘|红肿|中毒|拉肚子|腹泻|呕吐|电了|触电|起火|着火|失火|爆炸|炸了|"
    r"烧[了坏黑焦穿着]|熏|短路|泡坏|泡了|淹了|染[红色了]|串色|划破|流血|噎"
)
_LIABLE = (
    r"\b(?:compensat\w*|damages|liab\w*|responsib\w*|sue|go after|off the hook)\b|"
    r"赔|负责|责任|担责|损失|谁承担|算谁的"
)
_WHO_PAYS = (
    r"\b(?:pay (?:for|me|my|anything)|(?:make|get) (?:\w+ ){1,3}pay|cover (?:the|my|our) (?:costs?|loss\w*|bills?)|"
    r"who(?:'s| is)? (?:pays|to blame)|entitled|what can (?:I|we) (?:\w+ )?(?:ask|claim|get)|"
    r"(?:costs?|wages|bills?) back)\b|谁出|找谁|维权|[让要叫](?:卖家|商家|店家|厂家)出|找厂家|找工厂|找品牌"
)
_HARM_CLAIMED = rf"(?s)^(?!.*(?:{_MEND_IT_ONESELF}))(?=.*(?:{_HARM}))(?=.*(?:{_LIABLE}|{_WHO_PAYS}))"
_HARM_CLAIM = re.compile(_HARM_CLAIMED, re.I)
# Such a question asking whom to claim from (the shop, the factory, the brand): the rules let the victim choose the
# seller or the producer. Said for every harm claim, those words led "能赔多少钱？" to that article, not to what
# compensation covers; said when the question names the host ("这个明星要赔吗？还是只能找厂家"), they led away from
# the host's liability (``_HOST_CLAIM``).
_WHOM = (
    r"\b(?:go after|who (?:do|should|can|is)|manufacturers?|factory|maker|producers?|brand)\b|"
    r"找谁|厂家|工厂|品牌|生产"
)
_HOST = (
    r"\b(?:hosts?|streamers?|influencers?|celebrit(?:y|ies)|KOLs?|anchors?|presenters?)\b|"
    r"主播|网红|明星|达人|博主|带货的"
)
_WHOM_AFTER_HARM = re.compile(rf"{_HARM_CLAIMED}(?!.*(?:{_HOST}))(?=.*(?:{_WHOM}))", re.I)
# A fault that harmed nothing else, in a question asking for compensation ("商家说过了七天就不管了，可铸铁锅用了十来天就
# 裂开了，真的不用赔吗？"): the seller's duty to repair, replace, take back and make good the loss. It needs a word of
# liability: after a fault, asking who pays is more often about the return postage ("坏了，运费谁出？").
_FAULT_CLAIM = re.compile(rf"(?s)^(?!.*(?:{_MEND_IT_ONESELF}|{_HARM}))(?=.*(?:{_FAULT}))(?=.*(?:{_LIABLE}))", re.I)
# A buyer's claim against the platform after a fake, a faulty or harmful product or a seller who vanished
# ("抖音说他们只是提供技术服务，商品出问题跟平台无关，真的是这样吗" led with the article saying a technical-service
# provider is no ad publisher): the rules speak of the platform's joint liability and of paying when it cannot name the
# seller.
_PLATFORM_CLAIM = re.compile(
    r"(?s)^(?=.*(?:\b(?:platform|app)\b|平台))"
    r"(?=.*(?:\b(?:liab\w*|responsib\w*|compensat\w*|accountable|obligat\w*|claim\w* against)\b|连带|责任|赔|管不管|"
    r"无关|义务))"
    rf"(?=.*(?:{_FAULT}|{_HARM}|\b(?:fake|counterfeit|knock-?off|vanish\w*|disappear\w*|can't reach|unreachable)\b|"
    r"假|跑路|联系不上|找不到人|质量|出了?问题|有问题))",
    re.I,
)
# A buyer asking whether the host who sold them something harmful, fake or falsely praised must answer for it
# ("宝宝吃了网红直播间推荐的米粉拉肚子住院了 主播能告吗" led with when a live stream is an advertisement): the rules
# make whoever recommends goods in false promotion jointly liable with the seller (主播 虚假宣传 连带责任). A shop's
# own employee is another rule's matter: the shop answers for what its staff say.
_HOST_BLAMED = (
    r"\b(?:on the hook|accountable|blame|(?:have|has) to pay)\b|"
    r"能告|告(?:他|她|主播|网红|明星)|起诉|找(?:他|她|主播|网红|明星)|有没有责任"
)
_PASSED_OFF = (
    r"\b(?:fake|counterfeit|false\w*|lied|lies|lying|exaggerat\w*|mislead\w*|scam\w*|not (?:real|genuine)|"
    r"knock-?offs?)\b|假(?:货|的|冒|名牌)|是假|造假|掺假|虚假|骗|夸大|乱说|吹嘘|吹牛|瞎吹|乱吹"
)
_WHO_SELLS = (
    r"\bwho(?:'s| is| was)? (?:\w+ )?(?:the )?(?:real |actual )?(?:seller|selling)\b|\bdon't know who (?:sold|sells)\b|"
    r"谁是卖家|谁在卖|谁卖的|卖家是谁|不知道.{0,6}卖家|搞不清.{0,6}卖家"
)
# Said by a buyer, or of buyers: "主播夸大宣传谁负责？" asks what the rules do to the host, not what a buyer may claim.
_BUYER = (
    r"\b(?:I|we|my|me|us|buyers?|viewers?|consumers?|customers?|received|ordered|paid)\b|"
    r"我|买|收到|孩子|宝宝|妈|爸|家人"
)
_PROMISED = r"\bpromis\w*\b|承诺|假一赔|赔十"
_HOST_CLAIM = re.compile(
    rf"(?s)^(?!.*(?:员工|雇员|\b(?:employees?|staff)\b|{_PROMISED}|{_WHO_SELLS}))"
    rf"(?=.*(?:{_HOST}))(?=.*(?:{_LIABLE}|{_HOST_BLAMED}))"
    rf"(?=.*(?:{_BUYER}))(?=.*(?:{_HARM}|{_FAULT}|{_PASSED_OFF}))",
    re.I,
)
# A host's own promise of a refund or pay-out, and a buyer asking whether it binds ("主播在直播间说无效退款，现在我要
# 退款他装死，能告他吗"): the rules say promises made while promoting goods must be kept.
_HOST_PROMISE = re.compile(
    rf"(?s)^(?=.*(?:{_HOST}))"
    rf"(?=.*(?:{_PROMISED}|\bI(?:'ll| will) (?:\w+ ){{0,2}}(?:refund|pay)\b|money back|退款|退钱|赔))"
    r"(?=.*(?:\b(?:binding|valid|hold (?:him|her|them) to|pay up|refus\w*|back(?:ed|ing)? out|just (?:a )?joke\w*)\b|"
    r"有效|算数|不算|认账|装死|不回|耍赖|开玩笑|能告))",
    re.I,
)
# A buyer with a claim who cannot tell who sold the goods ("直播间根本没写是谁在卖…现在东西出问题了找谁啊"): the
# rules make the live room answer as the seller unless it showed who the real seller is.
_SELLER_UNKNOWN = re.compile(
    rf"(?s)^(?=.*(?:{_WHO_SELLS}))(?=.*(?:{_FAULT}|{_HARM}|{_LIABLE}|{_WHO_PAYS}|\bclaim\w*|出了?问题))", re.I
)
# A claim for a multiple of the price ("three times the price back", "10x", "退一赔三"): the rules call it punitive
# damages (惩罚性赔偿), and "Can I get three times the price back?" led with the fines of several times the illegal
# gains. A fine's multiple is no claim. (A Chinese question says 十倍 as the food law does; "ten times compensation"
# in its words led "直播间卖的月饼过期了，我能要十倍赔偿吗" away from it.)
_NOT_A_FINE = r"(?s)^(?!.*(?:\bfine[ds]?\b|\bpenalt|illegal (?:gains|income)|违法所得|罚))"
_THRICE_CLAIMED = re.compile(
    rf"{_NOT_A_FINE}(?=.*(?:\b(?:three|3) times\b|\b3x\b|\btreble|\btriple|\bpunitive|refund one|退一赔三|"
    r"假一赔三|三倍|赔三))",
    re.I,
)
_TENFOLD_CLAIMED = re.compile(rf"{_NOT_A_FINE}(?=.*\b(?:(?:ten|10) times|10x)\b)", re.I)
_RULE_WORDS = [
    (_CHILD_AGE, ["minor", "未成年人"]),
    (_NUMBER_ONE, ["number one", "第一"]),
    (_FAULT_REMEDY, ["quality problem return", "质量问题 退换货"]),
    (_HARM_CLAIM, ["defect injury property damage compensation", "缺陷 人身 财产 损害 赔偿"]),
    (_WHOM_AFTER_HARM, ["claim from seller or producer", "向销售者 生产者 索赔"]),
    (_FAULT_CLAIM, ["quality problem seller compensate loss", "质量问题 销售者 赔偿损失"]),
    (_PLATFORM_CLAIM, ["platform joint liability", "平台 连带责任"]),
    (_HOST_CLAIM, ["host false promotion joint liability", "主播 虚假宣传 连带责任"]),
    (_HOST_PROMISE, ["host promise must be kept", "主播 承诺 兑现"]),
    (_SELLER_UNKNOWN, ["live room operator seller liability", "直播间运营者 销售者责任"]),
    (_THRICE_CLAIMED, ["punitive damages", "惩罚性赔偿"]),
    (_TENFOLD_CLAIMED, ["ten times compensation", "十倍赔偿"]),
]


def claims_for_product(query: str) -> bool:
    """Whether the question asks to have a faulty product put right, or the harm a product did or its fault made
    good: a consumer's claim, however everyday its story."""
    return any(pattern.search(query) for pattern in (_FAULT_REMEDY, _HARM_CLAIM, _FAULT_CLAIM))


def rule_words(query: str) -> list[str]:
    """The words the rules use for what the question states in its own terms: a child's age, a claimed rank, a
    fault to be put right, a claim against the platform or the host."""
    return [word for pattern, words in _RULE_WORDS if pattern.search(query) for word in words]


def _languages_of(question: str) -> tuple[str, ...]:
    """The passage languages (chunk ``lang``) that answer in the question's language."""
    return ("zh",) if detect_lang(question) in ("zh", "zh+en") else ("en", "zh+en")


def _numbered(results: list[Document]) -> list[Document]:
    """The results with their ranks renumbered after a reordering."""
    for rank, doc in enumerate(results, 1):
        doc.metadata["rank"] = rank
    return results


def _is_overview(meta: dict) -> bool:
    """A law's opening passage, before its articles: what it is, who issued it, since when it applies. (A platform's
    rules are several documents, each dated in its own section.)"""
    return not meta.get("articles") and meta.get("doc_type") not in ("platform_rule", "paper")


class HybridRetriever(BaseRetriever):
    """Dense + BM25 (+ the digests' listed questions nearest the query) fused by weighted reciprocal rank,
    documents the question names boosted, the paper demoted when a merchant asks "may I …?"
    (``paper_permission_factor``: a rule answers that; "我能在直播间用'最后一天'促销吗" led with the paper's account
    of how hosts sell); a question about the paper searches the paper; direct article references first, and for
    a question on when a named law took effect, its overview (which states the dates); one slot per article; a
    law's overview gives way to its best article, and a subsection close behind its overview section leads; the
    passages the lead's digest lists as related are marked (``related``). Pool sizes and weights were tuned on the
    evaluation set (``python -m evals --tune``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    dense: DenseRetriever
    lexical: LexicalIndex
    k: int = 10
    pool: int = 40
    rrf_k: int = 10
    dense_weight: float = 1.0
    cross_dense_weight: float = 0.6
    lexical_weight: float = 1.0
    lexical_score_weight: float = 0.015
    questions: SentenceIndex | None = None
    question_weight: float = 0.5
    sibling_weight: float = 0.25
    expansion_terms: int = 8
    named_boost: float = 2.0
    paper_permission_factor: float = 0.5
    subsection_ratio: float = 0.75
    follow_up_weight: float = 1.5
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self.search(query, self.k, self.filters)

    def search(
        self, query: str, k: int, filters: Filters | None = None, penalty_first: bool = False, asked: str = ""
    ) -> list[Document]:
        """``penalty_first``: a follow-up asked about consequences, so a followed penalty article leads.
        ``asked``: the user's own words when ``query`` was completed from the conversation; their language,
        not the earlier turn's, decides which half of a bilingual digest is shown, and a search of their own
        (``follow_up_weight``) keeps the earlier topic from drowning what is new in them ("Does that apply to MCNs
        too?" wants the MCN article, not the earlier host-verification one; "那他们刷礼物打赏呢？有没有上限？" the caps
        on minors' spending), except when it asks for the consequences of the earlier topic. Searching them by words
        and against the listed questions as well as by meaning raised follow-ups' R@1 on the gold set .792 -> .917
        (3 of 24 gained, none lost)."""
        self.lexical.refresh()
        papers = self._papers()
        filters = self._paper_asked(asked or query, filters or self.filters, papers)
        stated = rule_words(query)
        terms = [*stated, *self.lexical.glossary.phrases(query)][: self.expansion_terms]
        vector = self.dense.embedder.encode_queries([" ".join([query, *terms])])[0]
        fused: dict[str, list] = {}  # chunk id -> [fused score, Document]
        dense_weight = self.dense_weight if self._same_language(asked or query, filters) else self.cross_dense_weight
        if dense_weight:
            self._add_dense(fused, vector, dense_weight, filters)
        if self.lexical_weight:
            self._add_lexical(fused, " ".join([query, *stated]), self.lexical_weight, filters)
        if self.question_weight and self.questions is not None:
            self._add_questions(fused, vector, self.question_weight, filters)
        if self.follow_up_weight and asked and asked != query and not penalty_first:  # not "what's the fine?"
            self._add_own_words(fused, asked, filters)
        titles = self.titles()
        named = named_documents(query, titles)
        own_words = asked or query
        rules_asked = PERMISSION.search(own_words) and not asks_the_paper(own_words)
        for entry in fused.values():
            if entry[1].metadata["doc_id"] in named:
                entry[0] *= self.named_boost
            if rules_asked and entry[1].metadata["doc_id"] in papers:
                entry[0] *= self.paper_permission_factor
        ranked = sorted(fused.values(), key=lambda entry: -entry[0])
        wanted = find_references(query, titles, papers)
        if IN_FORCE.search(own_words):  # "take effect" would otherwise find the articles on taking measures
            wanted += [Reference(doc_id, overview=True) for doc_id in sorted(named)]
        referenced = self._direct(wanted, filters)
        direct = [[1.0 + 0.01 * (len(ranked) - i), doc] for i, doc in enumerate(referenced)]
        results = self._specific_first(self._collapse(direct + ranked, k), named)
        results = self._in_language(asked or query, results, filters)
        results = self._follow_penalty(query, results, filters, k, penalty_first)
        self._mark_related(results, titles)
        self._add_similarity(results, vector)
        return results

    @staticmethod
    def _same_language(query: str, filters: Filters) -> bool:
        """Whether passages in the question's language may answer; when only the other language's may, the
        cross-lingual dense channel is the weaker one (cross-language R@5 .884 -> .905 at weight 0.6)."""
        return not filters.langs or any(lang in filters.langs for lang in _languages_of(query))

    def _add_dense(self, fused: dict[str, list], vector: np.ndarray, weight: float, filters: Filters) -> None:
        """Fuse the chunks nearest ``vector``."""
        for rank, doc in enumerate(self.dense.search_vector(vector, self.pool, filters)):
            fused.setdefault(doc.id, [0.0, doc])[0] += weight / (self.rrf_k + rank + 1)

    def _add_own_words(self, fused: dict[str, list], asked: str, filters: Filters) -> None:
        """Fuse what a follow-up's own words find, searched as a question is (by meaning, by words, against the
        listed questions), each channel at ``follow_up_weight`` times its weight (one weighted 0 stays off)."""
        vector = self.dense.embedder.encode_queries([asked])[0]
        if self.dense_weight:
            self._add_dense(fused, vector, self.follow_up_weight * self.dense_weight, filters)
        if self.lexical_weight:
            self._add_lexical(fused, asked, self.follow_up_weight * self.lexical_weight, filters)
        if self.question_weight and self.questions is not None:
            self._add_questions(fused, vector, self.follow_up_weight * self.question_weight, filters)

    def _add_lexical(self, fused: dict[str, list], text: str, weight: float, filters: Filters) -> None:
        """Fuse the chunks BM25 ranks best for ``text``, by rank and, at ``lexical_score_weight``, by score scaled
        between the pool's lowest (0 when fewer chunks match than the pool holds) and highest: ranks alone hide how
        far BM25's best hit stands ahead, which is where a question's rare words tell ("关闭选项" for personalised
        recommendations, "records of checking the suppliers"). On the gold set R@1 .871 -> .895 (6 gained, none
        lost), MRR@10 .917 -> .931; held out, R@1 and MRR unchanged."""
        found = self.lexical.search(text, self.pool, filters, refresh=False)
        if not found:
            return
        scores = np.array([score for _, score in found])
        low = scores.min() if len(found) == self.pool else 0.0
        scaled = (scores - low) / (scores[0] - low) if scores[0] > low else np.ones_like(scores)
        for rank, (position, _) in enumerate(found):
            entry = fused.setdefault(self.lexical.ids[position], [0.0, self._document(position)])
            entry[0] += weight * (1 / (self.rrf_k + rank + 1) + self.lexical_score_weight * scaled[rank])

    def _add_questions(self, fused: dict[str, list], vector: np.ndarray, weight: float, filters: Filters) -> None:
        """Fuse the chunks whose listed questions are nearest ``vector``."""
        positions = self.lexical.positions
        nearest = self.questions.nearest_chunks(vector, self.pool, filters, self.lexical.fingerprint)
        for rank, chunk_id in enumerate(nearest):
            if chunk_id in positions:
                entry = fused.setdefault(chunk_id, [0.0, self._document(positions[chunk_id])])
                entry[0] += weight / (self.rrf_k + rank + 1)

    def _document(self, position: int) -> Document:
        return Document(
            page_content=self.lexical.texts[position],
            id=self.lexical.ids[position],
            metadata=dict(self.lexical.metadatas[position]),
        )

    def titles(self) -> dict[str, list[str]]:
        """Each indexed document's English and Chinese titles and short titles, by doc_id, as of the last search
        (which refreshes the index; a fingerprint check costs 2 ms, and the answerer asks right after retrieval)."""
        titles: dict[str, list[str]] = {}
        for meta in self.lexical.metadatas:
            if meta["doc_id"] not in titles:
                short = [name.strip() for name in meta.get("short_titles", "").split("|") if name.strip()]
                titles[meta["doc_id"]] = [meta.get("title", ""), meta.get("title_zh", ""), *short]
        return titles

    def _papers(self) -> list[str]:
        return list(dict.fromkeys(m["doc_id"] for m in self.lexical.metadatas if m.get("doc_type") == "paper"))

    def _paper_asked(self, question: str, filters: Filters, papers: list[str]) -> Filters:
        """A question about what the paper says searches the papers alone, when the filters admit one: "What does
        the paper say about minors?" was answered from the Minors Protection Law, which the paper never cites.
        A follow-up keeps to the papers only when its own words ask them."""
        if not asks_the_paper(question):
            return filters
        allowed = self.lexical.masks(filters)
        admitted = {m["doc_id"] for m, ok in zip(self.lexical.metadatas, allowed) if ok and m["doc_id"] in papers}
        return replace(filters, doc_ids=tuple(sorted(admitted))) if admitted else filters

    def _direct(self, wanted: list[Reference], filters: Filters) -> list[Document]:
        """The passages the question points at: an article or section it references, or the overview of a law
        whose dates it asks."""
        documents = []
        for reference in wanted:
            for position, meta in enumerate(self.lexical.metadatas):
                if meta["doc_id"] != reference.doc_id or not filters.allows(meta):
                    continue
                if (
                    (reference.article and reference.article in (meta.get("articles") or []))
                    or (reference.section and meta.get("section") == reference.section)
                    or (reference.overview and _is_overview(meta))
                ):
                    document = self._document(position)
                    document.metadata["direct"] = True
                    documents.append(document)
        return documents

    def _in_language(self, query: str, results: list[Document], filters: Filters) -> list[Document]:
        """Each slot shown by its passage in the question's language when it has one (a digest's English and
        Chinese halves share a slot, and translated query words can make the other half rank first)."""
        wanted = _languages_of(query)
        allowed = self.lexical.masks(filters)
        by_slot: dict[tuple, int] = {}
        for position, meta in enumerate(self.lexical.metadatas):
            if allowed[position] and meta.get("lang") in wanted:
                by_slot.setdefault(slot(meta), position)
        shown = []
        for doc in results:
            position = by_slot.get(slot(doc.metadata))
            if doc.metadata.get("lang") in wanted or position is None:
                shown.append(doc)
                continue
            swapped = self._document(position)
            keep = {key: doc.metadata[key] for key in ("score", "rank", "also", "direct") if key in doc.metadata}
            swapped.metadata.update(keep)
            shown.append(swapped)
        return shown

    def _follow_penalty(
        self, query: str, results: list[Document], filters: Filters, k: int, first: bool
    ) -> list[Document]:
        """A question about consequences gets, second (``first``: first), the article that punishes a breach
        of the best passage: digests name it ("Penalty: Article 58", "处罚见第三十条"), and the fines are what
        the user asked."""
        if not results or not CONSEQUENCES.search(query):
            return results
        lead = results[0].metadata
        for article in penalty_articles(results[0].page_content):
            positions = [
                position
                for position, meta in enumerate(self.lexical.metadatas)
                if meta["doc_id"] == lead["doc_id"] and article in (meta.get("articles") or []) and filters.allows(meta)
            ]
            if not positions or article in (lead.get("articles") or []):
                continue
            position = next(
                (p for p in positions if self.lexical.metadatas[p].get("lang") == lead.get("lang")), positions[0]
            )
            document = self._document(position)
            document.metadata.update(followed="penalty", also=[], score=lead.get("score"))
            rest = [doc for doc in results[1:] if slot(doc.metadata) != slot(document.metadata)]
            return _numbered((([document, results[0]] if first else [results[0], document]) + rest)[:k])
        return results

    def _mark_related(self, results: list[Document], titles: dict[str, list[str]]) -> None:
        """Mark (``related``) the passages the lead's digest lists as related to it ("Related · 相关条文: Articles
        44, 48; price-law Article 14"), in any of the lead's passages: the answerer quotes them more readily."""
        if not results:
            return
        lead = results[0].metadata
        key = slot(lead)
        digest = "\n".join(
            text
            for text, meta in zip(self.lexical.texts, self.lexical.metadatas)
            if meta["doc_id"] == lead["doc_id"] and slot(meta) == key
        )
        listed = related_provisions(digest, lead["doc_id"], titles)
        for doc in results[1:]:
            meta = doc.metadata
            meta["related"] = (meta["doc_id"], None) in listed or any(
                (meta["doc_id"], article) in listed for article in meta.get("articles") or []
            )

    def _collapse(self, ranked: list[list], k: int) -> list[Document]:
        """One slot per article, shown by its best passage and scored by it plus ``sibling_weight`` times its
        other passages' scores: an article whose digest halves and official text all match is likelier right."""
        slots: dict[tuple, list] = {}  # slot -> [score, best passage]
        for score, doc in ranked:
            key = slot(doc.metadata)
            if key in slots:
                slots[key][0] += self.sibling_weight * score
                slots[key][1].metadata["also"].append(doc.metadata.get("locator", ""))
                continue
            doc.metadata["also"] = []
            slots[key] = [score, doc]
        results = sorted(slots.values(), key=lambda entry: -entry[0])[:k]
        for rank, (score, doc) in enumerate(results, 1):
            doc.metadata.update(score=round(score, 5), rank=rank)
        return [doc for _, doc in results]

    def _specific_first(self, results: list[Document], named: set[str] = frozenset()) -> list[Document]:
        """A passage that leads only by its overview gives way to a more specific one of its document, which takes
        its score (as a followed penalty article does: scores still descend):
        - a law's overview ("This digest covers … children hosting live streams (Art 61, Art 76)"), unless the
          question names the law (``named``), to the law's best article among the results: the overview says
          where the rule is, not what it says (on the gold set no overview leads);
        - a section ("Part 3 proposes four measures: …") to one of its subsections in the next two places scoring
          within ``subsection_ratio`` of it: a question naming one measure wants that subsection (on the gold
          set, 2 paper questions gain rank 1 and none lose it)."""
        if not results or results[0].metadata.get("direct"):
            return results
        lead = results[0].metadata
        same = [(index, doc.metadata) for index, doc in enumerate(results[1:], 1)]
        same = [(index, meta) for index, meta in same if meta.get("doc_id") == lead.get("doc_id")]
        articles = [index for index, meta in same if meta.get("articles")]
        subsections = [
            index
            for index, meta in same
            if index <= 2
            and lead.get("section")
            and str(meta.get("section") or "").startswith(f"{lead['section']}.")
            and (meta.get("score") or 0) >= self.subsection_ratio * (lead.get("score") or 0)
        ]
        overview = not lead.get("articles") and lead.get("doc_id") not in named
        chosen = articles[0] if overview and articles else subsections[0] if subsections else None
        if chosen is None:
            return results
        results[chosen].metadata["score"] = lead.get("score")
        return _numbered([results[chosen], *results[:chosen], *results[chosen + 1 :]])

    def _add_similarity(self, documents: list[Document], vector: np.ndarray) -> None:
        """Cosine similarity for passages found only lexically (dense ones carry it already)."""
        missing = [doc for doc in documents if "similarity" not in doc.metadata]
        if not missing:
            return
        stored = self.dense.collection.get(ids=[doc.id for doc in missing], include=["embeddings"])
        by_id = dict(zip(stored["ids"], stored["embeddings"]))
        for doc in missing:
            doc.metadata["similarity"] = round(float(np.asarray(by_id[doc.id]) @ vector), 4)
