"""Every regulation digest must stay true to the official text it summarises.

Runs only where ``../shared/reference/regulations`` (the official texts) sits beside the repository.
For each digest article: the article exists in the official text, every number the digest states
occurs in that official article, and the digest does not copy long runs of the official wording. The
fines a section states on its ``**Penalty:**`` / ``**罚则：**`` lines are checked against the penalty
articles that line names (in this document, or in another one named by its short title).
"""

import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from bot.numerals import CN_NUMERAL, arabic_numbers, chinese_numbers, parse_number

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = ROOT.parent / "shared" / "reference" / "regulations"
DIGESTS = ROOT / "kb" / "regulations"
LONGEST_COPY = 25

pytestmark = pytest.mark.skipif(not OFFICIAL.is_dir(), reason="official texts (../shared) not present")

_OFFICIAL_ARTICLE = re.compile(rf"^第({CN_NUMERAL}+)条[\s　]*", re.M)
_DIGEST_HEADING = re.compile(r"^## Articles? ([\d ,–\-and]+?) · ", re.M)
_NUM = r"\d+|" + CN_NUMERAL + "+"
_REFERENCES = [
    rf"\b(?:Articles?|Arts?\.?|paragraphs?|paras?\.?|items?|Chapters?|sub-?paragraphs?)\s*\(?(?:{_NUM})\)?"
    rf"(?:\s*(?:,|and|or|to|through|–|-|、)\s*\(?(?:{_NUM})\)?)*",
    rf"第(?:{_NUM})[条款项章节目](?:(?:至|到|、|和|或)第?(?:{_NUM})[条款项章节目]?)*",
    r"[(（](?:\d+|[一二三四五六七八九十]+)[)）]",
    r"§\s*[\d.]+",
]
_CN_UNITS = r"个?月|日|天|年|周岁|岁|倍|元|小时|分钟|次|个工作日|%|％"
_SKIPPED_LINES = ("- Chapter", "- Related", "**Penalty", "**罚则")
_PENALTY_LINE = re.compile(r"^\*\*(Penalty:|罚则：)\*\*(.+)$", re.M)
_TITLES = {  # a digest's English short titles -> its doc_id, for "applying the E-Commerce Law Article 80"
    title.strip(): path.stem
    for path in DIGESTS.glob("*.md")
    for title in re.search(r'^short_titles: "(.*)"', path.read_text(encoding="utf-8"), re.M).group(1).split("|")
    if title.strip().isascii()
}
_NAMED_ARTICLES = re.compile(
    rf"(?:\bthe ({'|'.join(sorted(map(re.escape, _TITLES), key=len, reverse=True))})\s+)?"
    r"\bArticles?\s+(\d+(?:\s*(?:,|–|-|and)\s*\d+)*)"
)


def _official(doc_id: str) -> dict[int, str]:
    path = OFFICIAL / f"{doc_id}.md"
    return _articles(path.read_text(encoding="utf-8")) if path.exists() else {}


def _penalty_problems(doc_id: str, label: str, section: str) -> list[str]:
    """Both penalty lines or neither; the English one names the articles, and the numbers of both occur in
    those official articles."""
    lines = dict((kind, text) for kind, text in _PENALTY_LINE.findall(section))
    if not lines:
        return []
    if set(lines) != {"Penalty:", "罚则："}:
        return [f"{label}: a penalty line in one language only"]
    named = [
        (_TITLES.get(title, doc_id), n)
        for title, numbers in _NAMED_ARTICLES.findall(lines["Penalty:"])
        for n in _article_numbers(numbers)
    ]
    missing = [f"{doc} {n}" for doc, n in named if n not in _official(doc)]
    if not named or missing:
        return [f"{label}: the penalty line names no article of an official text: {missing or lines['Penalty:']}"]
    source = "".join(_official(doc)[n] for doc, n in named)
    problems = []
    for kind, text in lines.items():
        stated = _without_references(text)
        unsupported = (arabic_numbers(stated) | chinese_numbers(stated, units=_CN_UNITS)) - _official_numbers(source)
        if unsupported:
            problems.append(f"{label}: {kind} numbers not in the penalty articles {named}: {sorted(unsupported)}")
        problems += _copies(f"{label} {kind}", text, source)
    return problems


def _copies(label: str, text: str, source: str) -> list[str]:
    match = SequenceMatcher(None, text, source, autojunk=False).find_longest_match(0, len(text), 0, len(source))
    if match.size >= LONGEST_COPY:
        return [f"{label}: copies {match.size} characters: {text[match.a : match.a + match.size]!r}"]
    return []


def _articles(text: str) -> dict[int, str]:
    body = text.split("<!-- INFO END -->", 1)[-1]
    matches = list(_OFFICIAL_ARTICLE.finditer(body))
    articles: dict[int, str] = {}
    for match, following in zip(matches, matches[1:] + [None]):
        end = following.start() if following else len(body)
        articles[parse_number(match.group(1))] = body[match.start() : end]
    return articles


def _article_numbers(label: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r",|and", label):
        bounds = [int(n) for n in re.findall(r"\d+", part)]
        if len(bounds) == 2:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def _digest_sections(text: str) -> list[tuple[list[int], str]]:
    matches = list(_DIGEST_HEADING.finditer(text))
    sections = []
    for match, following in zip(matches, matches[1:] + [None]):
        end = following.start() if following else len(text)
        sections.append((_article_numbers(match.group(1)), text[match.start() : end]))
    return sections


def _stated_numbers(section: str) -> set[float]:
    lines = [line for line in section.splitlines()[1:] if not line.lstrip().startswith(_SKIPPED_LINES)]
    heading_title = section.splitlines()[0].split("—", 1)[-1]
    text = _without_references(heading_title + "\n" + "\n".join(lines))
    return arabic_numbers(text) | chinese_numbers(text, units=_CN_UNITS)


def _official_numbers(article: str) -> set[float]:
    text = _without_references(_OFFICIAL_ARTICLE.sub(" ", article))
    return arabic_numbers(text) | chinese_numbers(text)


def _without_references(text: str) -> str:
    """Article, paragraph and item references locate a rule; they are not facts to check."""
    for pattern in _REFERENCES:
        text = re.sub(pattern, " ", text, flags=re.I)
    return text


def _cases():
    if not OFFICIAL.is_dir():
        return []
    return [pytest.param(path, id=path.stem) for path in sorted(DIGESTS.glob("*.md"))]


def test_every_official_text_has_a_digest():
    missing = sorted(p.stem for p in OFFICIAL.glob("*.md") if not (DIGESTS / p.name).exists())
    assert not missing, f"no digest in kb/regulations for: {missing}"


@pytest.mark.parametrize("digest", _cases())
def test_digest_matches_official_text(digest: Path):
    official_path = OFFICIAL / digest.name
    assert official_path.exists(), f"{digest.name}: no official text with that doc_id"
    official = _articles(official_path.read_text(encoding="utf-8"))
    sections = _digest_sections(digest.read_text(encoding="utf-8"))
    assert sections, f"{digest.name}: no '## Article N · 第N条 — title' sections"
    problems = []
    for numbers, section in sections:
        label = f"Article {numbers[0]}" if len(numbers) == 1 else f"Articles {numbers}"
        absent = [n for n in numbers if n not in official]
        if absent:
            problems.append(f"{label}: not in the official text: {absent}")
            continue
        source = "".join(official[n] for n in numbers)
        unsupported = _stated_numbers(section) - _official_numbers(source)
        if unsupported:
            problems.append(f"{label}: numbers not in the official article: {sorted(unsupported)}")
        problems += _penalty_problems(digest.stem, label, section)
        problems += _copies(label, section, source)
    assert not problems, f"{digest.name}:\n" + "\n".join(problems)
