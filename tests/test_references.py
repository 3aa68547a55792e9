import pytest

from bot.chunking import stated_penalties
from bot.references import (
    CONSEQUENCES,
    Reference,
    asks_the_paper,
    find_references,
    named_documents,
    penalty_articles,
    related_provisions,
    unknown_titles,
)

TITLES = {
    "ecommerce-law": ["E-Commerce Law of the People's Republic of China", "中华人民共和国电子商务法"],
    "consumer-rights-protection-law": [
        "Law of the People's Republic of China on the Protection of Consumer Rights and Interests",
        "中华人民共和国消费者权益保护法",
    ],
    "consumer-rights-protection-law-implementing-regulations": [
        "Regulations for the Implementation of the Law on the Protection of Consumer Rights and Interests",
        "中华人民共和国消费者权益保护法实施条例",
    ],
    "live-commerce-paper": ["Live-Streaming E-Commerce in China (research paper)", "中国直播电商研究"],
}


def test_english_and_chinese_article_references():
    assert find_references("What does Article 17 of the E-Commerce Law require?", TITLES, []) == [
        Reference("ecommerce-law", article=17)
    ]
    assert find_references("E-Commerce Law Article 38: platform liability", TITLES, []) == [
        Reference("ecommerce-law", article=38)
    ]
    assert find_references("电子商务法第十七条怎么理解？", TITLES, []) == [Reference("ecommerce-law", article=17)]
    assert find_references("《消费者权益保护法》第二十五条", TITLES, []) == [
        Reference("consumer-rights-protection-law", article=25)
    ]
    assert find_references("消费者权益保护法实施条例第十四条", TITLES, []) == [
        Reference("consumer-rights-protection-law-implementing-regulations", article=14)
    ]


def test_paper_sections_and_no_false_references():
    assert find_references("What does §2.2 of the paper say?", TITLES, ["live-commerce-paper"]) == [
        Reference("live-commerce-paper", section="2.2")
    ]
    assert find_references("论文第3.1节讲了什么？", TITLES, ["live-commerce-paper"]) == [
        Reference("live-commerce-paper", section="3.1")
    ]
    assert find_references("Can I sell for 7 days at a discount?", TITLES, ["live-commerce-paper"]) == []
    assert find_references("Article 5 of the Martian Trade Code", TITLES, []) == []


def test_penalty_articles_named_by_digests():
    assert penalty_articles("Live-room draws must follow these rules. Penalty: Article 27.") == [27]
    assert penalty_articles("- Related · 相关条文: Article 58 (penalty: 1–3 times the ad fee); Article 9") == [58]
    assert penalty_articles("处罚见第三十条。罚则见第五十条（罚款幅度更高）。") == [30, 50]
    assert penalty_articles("违反的按第五十九条处罚，并依第六十八条承担民事责任") == [59]
    assert penalty_articles("See Article 17 for the duty; Related: Articles 9, 81") == []
    assert penalty_articles("Deleting reviews is fined under Article 81. Penalties: Articles 77") == [81, 77]
    assert penalty_articles("罚则为第五十条；或依第六十条第一款处罚") == [50, 60]
    assert penalty_articles("Penalty: not in Article 3; punished under Advertising Law Article 55") == []


def test_consequence_questions():
    assert CONSEQUENCES.search("What is the fine for fake reviews?")
    assert CONSEQUENCES.search("刷单会被怎么罚？")
    assert not CONSEQUENCES.search("Do I need a business licence?")


def test_fines_stated_on_a_digest_sections_penalty_lines():
    passage = (
        "Article 9\nNo ad may use absolute terms. Penalty: see Article 57.\n"
        "Penalty: Article 57 — the advertiser is fined RMB 200,000 to 1 million.\n"
        "- Related · 相关条文: Article 57 (penalty: RMB 5)\n"
        "罚则：第五十七条——对广告主处二十万元以上一百万元以下罚款。"
    )
    assert stated_penalties(passage) == [
        "Penalty: Article 57 — the advertiser is fined RMB 200,000 to 1 million.",
        "罚则：第五十七条——对广告主处二十万元以上一百万元以下罚款。",
    ]
    assert penalty_articles("罚则：第五十七条——罚款") == [57]


def test_documents_named_in_book_title_marks_that_the_knowledge_base_lacks():
    titles = {"ecommerce-law": ["E-Commerce Law of the People's Republic of China", "中华人民共和国电子商务法"]}
    assert unknown_titles("《中华人民共和国电子商务法》第九条", titles) == []
    assert unknown_titles("《电商法》和《电子商务法》说的平台是什么？", titles) == [], "short forms count"
    asked = "《网络直播营销管理办法（试行）》和《电商法》有什么不同？"
    assert unknown_titles(asked, titles) == ["《网络直播营销管理办法（试行）》"]


def test_documents_the_question_names_by_title_or_short_title():
    titles = {
        **TITLES,
        "price-law": ["Price Law of the People's Republic of China", "中华人民共和国价格法", "Price Law", "价格法"],
        "pipl": ["Personal Information Protection Law", "个人信息保护法", "PIPL"],
    }
    assert named_documents("What's the maximum fine under the Price Law?", titles) == {"price-law"}
    assert named_documents("Under PIPL, may I keep buyers' phone numbers?", titles) == {"pipl"}
    assert named_documents("按照《中华人民共和国电子商务法》，平台要审核商家吗？", titles) == {"ecommerce-law"}
    assert named_documents("价格法和个人信息保护法都管吗？", titles) == {"price-law", "pipl"}
    implementing = "消费者权益保护法实施条例对直播有什么规定？"
    assert named_documents(implementing, titles) == {"consumer-rights-protection-law-implementing-regulations"}
    assert named_documents("Is it lawful to price this lower for members?", titles) == set(), "whole words only"
    assert named_documents("Can I raise the price before a sale?", titles) == set()


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("What does the paper say about data fraud?", True),
        ("According to the research paper, why are anchors unprofessional?", True),
        ("And what does the author propose to fix that?", True),
        ("论文怎么看主播刷单？", True),
        ("作者建议怎么改？", True),
        ("Can I pack the goods in the paper bag from the supermarket?", False),
        ("Do I need the author's permission to play a song in my stream?", False),
        ("我转载别人的带货视频，需要作者同意吗？", False),
    ],
)
def test_questions_about_the_paper_are_told_from_paper_products(question, asked):
    assert asks_the_paper(question) is asked


def test_short_titles_resolve_article_references():
    titles = {
        **TITLES,
        "consumer-rights-protection-law": [*TITLES["consumer-rights-protection-law"], "Consumer Protection Law"],
    }
    found = find_references("What does Article 25 of the Consumer Protection Law say?", titles, [])
    assert found == [Reference("consumer-rights-protection-law", article=25)]
    assert find_references("What does Article 25 of the Consumer Protection Law say?", TITLES, []) == []


def test_related_provisions_listed_by_a_digest():
    titles = {
        **TITLES,
        "consumer-rights-protection-law": [*TITLES["consumer-rights-protection-law"], "CRPL"],
        "price-law": ["Price Law"],
        "advertising-law": ["Advertising Law"],
        "online-rules": ["Online Rules"],
        "anti-unfair-competition-law": ["Anti-Unfair Competition Law", "AUCL"],
    }
    line = (
        "Article 9\n- Related · 相关条文: Articles 44, 48–49 and 52, 56 item (8); "
        "Article 77 (penalty for paragraph 1); price-law Article 14; advertising-law; "
        "online-rules Article 34 (this rule was Article 20 in the 2017 text); "
        "Article 50 paragraph 3 and CRPL Article 55; Civil Code Article 1168; Civil Code; "
        "online-rules Article 19 and Article 53; "
        'cites AUCL "Article 18" of the 2019 text; '
        "under the 2025 AUCL the penalty is anti-unfair-competition-law Article 25"
    )
    assert related_provisions(line, "own", titles) == {
        *(("own", n) for n in (44, 48, 49, 50, 52, 56, 77)),
        ("price-law", 14),
        ("advertising-law", None),
        *(("online-rules", n) for n in (19, 34, 53)),
        ("consumer-rights-protection-law", 55),
        ("anti-unfair-competition-law", 25),
    }
    assert related_provisions("Article 9\nRelated: Article 5. Penalty: see Article 57.", "own", titles) == set()
