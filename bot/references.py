"""References: direct ones in a question ("Article 17 of the E-Commerce Law", "电子商务法第十七条", "§2.2 of the
paper"), which name exactly what the user wants, so retrieval puts those passages first; and those a digest makes
to the article punishing a breach of it and to related provisions.
"""

import re
from dataclasses import dataclass

from bot.numerals import CN_NUMERAL, parse_number

_EN_AFTER = re.compile(
    r"\b(?:Article|Art\.?)\s*(\d+)\s+(?:of\s+)?(?:the\s+)?([A-Z][\w\s,'’()\-]*?(?:Law|Measures|Regulations|Provisions|Rules|Code))",
    re.I,
)
_EN_BEFORE = re.compile(
    r"\b([A-Z][\w\s'’\-]*?(?:Law|Measures|Regulations|Provisions|Rules|Code))[’']?s?\s*,?\s*(?:Article|Art\.?)\s*(\d+)",
    re.I,
)
_ZH = re.compile(
    rf"《?([\u4e00-\u9fff（）]{{2,40}}?(?:法|条例|办法|规定|规则)(?:（[一二三四五]）)?)》?\s*第({CN_NUMERAL}+|\d+)条"
)
_SECTION = re.compile(r"(?:§\s*|\bsection\s+|第\s*)(\d+(?:\.\d+)*)(?:\s*节)?", re.I)
_PAPER = re.compile(r"\bpaper\b|论文|研究|文章", re.I)
_STRIP = re.compile(r"中华人民共和国|of the people'?s republic of china|\bthe\b|\bprc\b|[\s《》\"'’]", re.I)


@dataclass(frozen=True)
class Reference:
    doc_id: str
    article: int | None = None
    section: str | None = None
    overview: bool = False  # the law's opening passage, which states its dates


def _normal(name: str) -> str:
    return _STRIP.sub("", name).lower()


def _resolve(name: str, titles: dict[str, list[str]]) -> str | None:
    """The doc_id whose title matches ``name`` exactly, else the shortest title that contains it."""
    wanted = _normal(name)
    if len(wanted) < 2:
        return None
    exact = [doc_id for doc_id, names in titles.items() if any(_normal(n) == wanted for n in names)]
    if exact:
        return exact[0]
    containing = [
        (min(len(_normal(n)) for n in names if wanted in _normal(n)), doc_id)
        for doc_id, names in titles.items()
        if any(wanted in _normal(n) for n in names)
    ]
    return min(containing)[1] if containing else None


def find_references(question: str, titles: dict[str, list[str]], paper_ids: list[str]) -> list[Reference]:
    """``titles``: doc_id → its titles (English and Chinese); ``paper_ids``: documents with numbered sections."""
    found: list[Reference] = []
    for pattern, name_group, number_group in ((_EN_AFTER, 2, 1), (_EN_BEFORE, 1, 2), (_ZH, 1, 2)):
        for match in pattern.finditer(question):
            doc_id = _resolve(match.group(name_group), titles)
            if doc_id:
                found.append(Reference(doc_id, article=parse_number(match.group(number_group))))
    if paper_ids and _PAPER.search(question):
        found += [Reference(paper_ids[0], section=m.group(1)) for m in _SECTION.finditer(question)]
    return list(dict.fromkeys(found))


_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORDS = re.compile(r"[^a-z0-9\u4e00-\u9fff]+")


def named_documents(question: str, titles: dict[str, list[str]]) -> set[str]:
    """Documents the question names by title or short title ("under the Price Law", "按《电商法》"), with or
    without an article: the user said where to look. A name inside a longer named one counts as the longer
    (消费者权益保护法 in 消费者权益保护法实施条例)."""
    english = f" {_WORDS.sub(' ', question.lower())} "
    chinese = _normal(question)
    matched: dict[str, str] = {}  # doc_id -> the longest of its names the question holds
    for doc_id, names in titles.items():
        for name in names:
            if _CJK.search(name):
                found = len(key := _normal(name)) >= 3 and key in chinese
            else:
                key = _WORDS.sub(" ", name.lower()).strip()
                found = len(key) >= 4 and f" {key} " in english
            if found and len(key) > len(matched.get(doc_id, "")):
                matched[doc_id] = key
    keys = list(matched.values())
    return {doc_id for doc_id, key in matched.items() if not any(key != other and key in other for other in keys)}


_BOOK_TITLE = re.compile(r"《([^》]{2,60})》")


def unknown_titles(question: str, titles: dict[str, list[str]]) -> list[str]:
    """Documents the question names in 《》 that the knowledge base does not hold. A short form counts as
    held when its characters appear in order in a held title (《电商法》 is the 电子商务法, 《消法》 the
    消费者权益保护法)."""
    held = [_normal(name) for names in titles.values() for name in names if name]
    return [
        f"《{name}》"
        for name in dict.fromkeys(_BOOK_TITLE.findall(question))
        if not any(_in_order(_normal(name), title) for title in held)
    ]


def _in_order(short: str, title: str) -> bool:
    rest = iter(title)
    return all(char in rest for char in short)


# Where a digest names the article that punishes a breach: "Penalty: see Article 58", "fined under Article 77",
# "Article 27 (penalty)", "处罚见第三十条", "罚则为第五十条", "按第五十九条处罚".
_PENALTY = re.compile(
    r"Penalt(?:y|ies)(?: and liability)?:\s*(?:see\s+)?Articles?\s*(\d+)|Articles?\s*(\d+)\s*\(penalt"
    r"|(?:fined|punished|penalised|penalized)\s+(?:under|in|as in)\s+Article\s*(\d+)"
    rf"|(?:处罚|罚则)(?:见|为|（|：)第({CN_NUMERAL}+)条|(?:按照|按|依照|依)第({CN_NUMERAL}+)条(?:第.款)?处罚"
)
CONSEQUENCES = re.compile(
    r"\bpenalt|\bfine[ds]?\b|\bpunish|\bsanction|\bconsequence|what happens if|\bliable\b|罚|后果|怎么处理|追究", re.I
)

# A question about what "the paper" or "its author" says, not about a paper product ("paper bags", "the paper
# invoice") or a video's author ("我转载视频需要作者同意吗？").
_ABOUT_THE_PAPER = re.compile(
    r"\b(?:the|this|that|your|research) (?:research )?paper\b(?!\s+(?:bags?|cups?|straws?|box(?:es)?|packag\w*|"
    r"invoices?|receipts?|towels?|tissues?|cartons?|labels?|tags?|products?|goods))|"
    r"\bthe authors?(?:'s|’s)? (?:\w+ )?(?:says?|said|propos\w*|suggest\w*|argu\w*|think\w*|recommend\w*|"
    r"conclu\w*|mean\w*|believ\w*|see\w*|view|opinion)\b|"
    r"论文|作者(?:认为|建议|提出|指出|说|觉得|怎么|如何|主张|的观点|的建议)",
    re.I,
)


# A merchant asking whether they may (or must) do something ("Can I …?", "我能…吗？", "…合法吗？"): the rules
# answer that, and the paper (an analysis of the industry, not a rule) should not.
PERMISSION = re.compile(
    r"\b(?:can|may|could|must|should) (?:I|we|my|our)\b|\bis it (?:legal|illegal|allowed|ok|okay)\b|\bam I allowed\b|"
    r"我们?(?:能|可以|可不可以|能不能|必须|需要|得)|直播间里?(?:能|可以|能不能)|合法吗|违法吗|允许吗|行不行|行吗|可以吗",
    re.I,
)
# A question asking since when a rule applies, which a law's overview states (its dates).
IN_FORCE = re.compile(
    r"\b(?:take|takes|took|taken|come|comes|came) (?:into )?(?:effect|force)\b|\bin force\b|"
    r"\beffective (?:date|from|since)\b|施行|生效|实施(?:日期|时间)|什么时候(?:开始)?实施",
    re.I,
)


def asks_the_paper(question: str) -> bool:
    """The question asks what the research paper (or its author) says."""
    return bool(_ABOUT_THE_PAPER.search(question))


def without_the_paper(question: str) -> str:
    """The question without its words naming the paper, which are not evidence that the paper covers it (its
    abstract says "this paper")."""
    return _ABOUT_THE_PAPER.sub(" ", question)


def penalty_articles(passage: str) -> list[int]:
    """The articles a passage names as the penalty for breaching it, in the order it names them."""
    found = [parse_number(next(g for g in match.groups() if g)) for match in _PENALTY.finditer(passage)]
    return list(dict.fromkeys(found))


# A digest's list of related provisions: "- Related · 相关条文: Articles 44, 48–49; price-law Article 14 item (3);
# CRPL Article 56; advertising-law". A parenthesised note ("(penalty)", "(this rule was Article 24 in the 2017 text)")
# is no reference, nor is a quoted article of an earlier text ('cites AUCL "Article 18" of the 2019 text').
_RELATED_LINE = re.compile(r"^- Related · 相关条文[:：]\s*(.+)$", re.M)
_CITED = re.compile(
    r"(?:\b([A-Za-z][\w\-]*(?: [A-Za-z][\w\-]*)*) )?(?<![\"“])Articles?\s+(\d+(?:\s*(?:,|–|-|and)\s*\d+)*)"
)


def related_provisions(passage: str, doc_id: str, titles: dict[str, list[str]]) -> set[tuple[str, int | None]]:
    """The provisions a digest (of ``doc_id``) lists as related, as (doc_id, article), with None for a whole
    document. Another document is named by its doc_id or a title (``titles``: doc_id → its titles and short titles,
    "CRPL"); one the knowledge base does not hold ("Civil Code Article 1168") is left out, and "and Article 53" is
    of the document named before it."""
    found: set[tuple[str, int | None]] = set()
    for line in _RELATED_LINE.findall(passage):
        for part in re.sub(r"\([^)]*\)", "", line).split(";"):
            cited = list(_CITED.finditer(part))
            if not cited and (target := _held(part.strip(), titles)):
                found.add((target, None))
            target = doc_id
            for match in cited:
                if re.search(r"[A-Z-]", match.group(1) or ""):  # a document's name, not "and Article 53"
                    target = _held(match.group(1), titles)
                if target:
                    found |= {(target, n) for n in _numbers(match.group(2))}
    return found


def _held(name: str, titles: dict[str, list[str]]) -> str | None:
    """The doc_id a name ends with ("and CRPL", "… penalty is anti-unfair-competition-law"): a doc_id, or a title
    or short title exactly."""
    words = name.split()
    for start in range(len(words)):
        wanted = " ".join(words[start:])
        for doc_id, names in titles.items():
            if wanted == doc_id or any(_normal(wanted) == _normal(title) for title in names if title):
                return doc_id
    return None


def _numbers(span: str) -> list[int]:
    """ "44, 48–49 and 52" → [44, 48, 49, 52]."""
    numbers = []
    for piece in re.split(r"\s*(?:,|\band\b)\s*", span):
        first, _, last = re.sub(r"\s", "", piece).replace("–", "-").partition("-")
        numbers += range(int(first), int(last or first) + 1)
    return numbers
