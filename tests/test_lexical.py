"""BM25 beside the dense index: tokenisation, derivation from Chroma, persistence, rebuild, glossary."""

import json

from bot.filters import Filters
from bot.lexical import WORDS_LEARNED_BY, Glossary, LexicalIndex, glossary_pairs, parallel_pairs, tokenize
from bot.service import Assistant

from .conftest import LIVE_RULES_ZH


def test_tokenizer_handles_chinese_english_and_mixed_text():
    assert tokenize("七日无理由退货") == ["七日", "无", "理由", "退货"]
    assert tokenize("Sellers' refunds: returning goods within 7 days") == [
        "seller",
        "refund",
        "return",
        "good",
        "within",
        "7",
        "day",
    ]
    assert tokenize("直播间 live room 营业执照") == ["直播", "直播间", "live", "room", "营业", "执照", "营业执照"]


def test_live_commerce_words_are_not_glued_to_their_neighbours():
    """jieba's guesser read "删差评" as one unknown word, so "直播间可以删差评吗？" shared no word with the rule
    "差评也不能删" and was refused."""
    assert {"删", "差评"} <= set(tokenize("直播间可以删差评吗？"))
    assert "主播" in tokenize("新主播第一次开播") and "坑位费" in tokenize("主播收了坑位费")
    assert set(tokenize("直播间可以删差评吗？")) & set(tokenize("商家不喜欢的差评也不能删。"))


def test_index_is_derived_persisted_and_rebuilt_when_the_collection_changes(assistant, corpus, monkeypatch):
    assistant.ingest([corpus])
    index = LexicalIndex(assistant.collection, assistant.settings.data_dir / "lexical-test" / "x")
    assert [index.metadatas[p]["articles"] for p, _ in index.search("营业执照", 1)] == [[2]]
    reloaded = LexicalIndex(assistant.collection, index.folder)
    monkeypatch.setattr(reloaded, "_build", lambda fingerprint: (_ for _ in ()).throw(AssertionError("rebuilt")))
    assert reloaded.search("营业执照", 1), "an unchanged collection loads the saved index"
    monkeypatch.undo()
    (corpus / "more.md").write_text(
        LIVE_RULES_ZH.replace("营业执照", "食品经营许可证").replace("测试规定", "补充规定"), encoding="utf-8"
    )
    assistant.ingest([corpus])
    hits = reloaded.search("补充规定 食品经营许可证", 3)
    assert any(reloaded.metadatas[p]["doc_id"] == "more" for p, _ in hits), "the new document is searchable"


def test_filters_apply_to_lexical_hits(assistant, corpus):
    assistant.ingest([corpus])
    index = LexicalIndex(assistant.collection, assistant.settings.data_dir / "lexical-test" / "y")
    hits = index.search("live streaming logistics 直播", 10, filters=Filters(doc_types=("paper",)))
    assert hits and all(index.metadatas[p]["doc_type"] == "paper" for p, _ in hits)


def test_glossary_from_topic_tags_expands_both_ways():
    text = "## Article 9\n\n- Topics · 主题: fake discount 虚假折扣; original price 原价\n\n**EN:** ..."
    pairs = glossary_pairs([text])
    assert pairs == [("fake discount", "虚假折扣"), ("original price", "原价")]
    glossary = Glossary(pairs)
    assert "原价" in glossary.expand("Is my original price honest?", tokenize("Is my original price honest?"))
    assert "discount" in glossary.expand("虚假折扣怎么处罚", tokenize("虚假折扣怎么处罚"))
    assert glossary.phrases("a fake discount") == ["虚假折扣"]


def test_parallel_halves_teach_word_translations():
    """Words that recur together across articles' English and Chinese halves are learned; a word seen in one
    article only is not."""
    english = [
        "Sellers must refund the buyer within 7 days.",
        "A refund is due for faulty goods.",
        "The platform must refund deposits.",
        "Hosts may not fake reviews.",
    ]
    chinese = ["卖家要在7日内向买家退款。", "商品有瑕疵的可以退款。", "平台须退款并退还押金。", "主播不得编造评价。"]
    texts, metadatas = [], []
    for article, (en, zh) in enumerate(zip(english, chinese), 1):
        texts += [en, zh]
        metadatas += [{"doc_id": "d", "articles": [article], "lang": lang} for lang in ("zh+en", "zh")]
    pairs = parallel_pairs(texts, metadatas)
    assert ("refund", "退款") in pairs
    assert not any(e == "review" or c == "评价" for e, c in pairs)
    glossary = Glossary([], pairs)
    assert "退款" in glossary.expand("When must I refund?", tokenize("When must I refund?"))
    assert "refund" in glossary.expand("什么时候退款", tokenize("什么时候退款"))


def test_an_index_whose_word_pairs_an_earlier_method_learned_is_rebuilt(assistant, corpus, monkeypatch):
    assistant.ingest([corpus])
    index = LexicalIndex(assistant.collection, assistant.settings.data_dir / "lexical-test" / "z")
    index.refresh()
    saved = index.folder / "chunks.json"
    payload = json.loads(saved.read_text(encoding="utf-8"))
    saved.write_text(json.dumps({**payload, "words_learned_by": "dice"}), encoding="utf-8")
    rebuilt = []
    reloaded = LexicalIndex(assistant.collection, index.folder)
    original = reloaded._build
    monkeypatch.setattr(reloaded, "_build", lambda fingerprint: rebuilt.append(fingerprint) or original(fingerprint))
    reloaded.refresh()
    assert rebuilt == [index.fingerprint]
    assert json.loads(saved.read_text(encoding="utf-8"))["words_learned_by"] == WORDS_LEARNED_BY


def test_the_index_is_the_same_whatever_order_documents_were_ingested_in(settings, embedder, corpus):
    """Chroma returns chunks in the order ingests added them; the index is built in reading order, so an updated
    index ranks as a rebuilt one does (an evaluation on each differed by a question before)."""
    first, second = corpus / "live-rules.md", corpus / "sample-paper.md"
    indexes = []
    for name, order in (("forward", [first, second]), ("reverse", [second, first])):
        assistant = Assistant(settings.model_copy(update={"collection": f"{settings.collection}-{name}"}), embedder)
        for path in order:
            assistant.ingest([path])
        index = LexicalIndex(assistant.collection, settings.data_dir / "lexical-test" / f"{settings.collection}-{name}")
        index.refresh()
        indexes.append(index)
    forward, reverse = indexes
    assert forward.ids == reverse.ids and forward.glossary.to_chinese == reverse.glossary.to_chinese
    assert forward.search("直播 live streaming 退货", 10) == reverse.search("直播 live streaming 退货", 10)
