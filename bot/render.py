"""Answers and sources as the app shows and exports them: HTML for the sources panel, Markdown for chat and export.

Pure functions of the ``Assistant.ask`` result, so the look of an answer can be tested without a browser.
"""

import html
import re

from bot.chunking import METADATA_LINE

_MARKER = re.compile(r"\[(\d+)\]")
TYPE_LABELS = {
    "law": ("Law", "法律"),
    "regulation": ("Regulation", "法规规章"),
    "judicial_interpretation": ("Judicial interpretation", "司法解释"),
    "platform_rule": ("Platform rule", "平台规则"),
    "paper": ("Paper", "论文"),
}
WORDS = {
    "en": {
        "effective": "in force from",
        "official": "Official text ↗",
        "answer": "Answer",
        "related": "Related provisions (not an answer):",
        "also": "See also (close matches this answer does not rely on):",
        "by": "Answered by",
        "no_sources": "Sources of each answer appear here. Click a marker like [1] in an answer to bring its source "
        "into view.",
        "question": "Question",
        "sources": "Sources",
    },
    "zh": {
        "effective": "施行日期",
        "official": "官方文本 ↗",
        "answer": "回答",
        "related": "相关条款（仅供参考，并非答案）：",
        "also": "另见（相近条款，本回答未采用）：",
        "by": "回答方式",
        "no_sources": "每个回答的来源显示在这里。点击回答中的 [1] 等标记即可定位到对应来源。",
        "question": "问题",
        "sources": "来源",
    },
}


def type_label(doc_type: str, lang: str) -> str:
    english, chinese = TYPE_LABELS.get(doc_type, (doc_type or "Document", doc_type or "文件"))
    return english if lang == "en" else chinese


def related_heading(result: dict, lang: str) -> str:
    """A refusal's related provisions are not an answer; an answer's are close matches it did not rely on."""
    return WORDS[lang]["related" if result.get("refused") else "also"]


def named_line(citation: dict, lang: str, quoted: bool = False) -> str:
    """A provision named but not relied on, as a list line titled in the reader's language (and its quote)."""
    title = (lang == "zh" and citation.get("title_zh")) or citation["title"]
    quote = f": “{citation['quote']}”" if quoted and citation.get("quote") else ""
    return f"- {title} · {citation['locator']}{quote}"


def linked_markers(text: str, turn: int) -> str:
    """[n] becomes a link to source n of this turn; the page's script scrolls the sources panel to it."""
    return _MARKER.sub(lambda m: f'<a class="cite" href="#src-{turn}-{m.group(1)}">[{m.group(1)}]</a>', text)


def reply_markdown(result: dict, turn: int, lang: str) -> str:
    """The chat message for one answer: linked markers, related provisions, notice, backend."""
    words = WORDS[lang]
    parts = [linked_markers(result["answer"], turn)]
    if result.get("related"):
        parts.append(
            related_heading(result, lang)
            + "\n"
            + "\n".join(named_line(c, lang, quoted=True) for c in result["related"])
        )
    if result.get("notice"):
        parts.append(f"*{result['notice']}*")
    timing = result.get("timings_ms", {}).get("total")
    parts.append(
        f"<small>{words['by']}: {result.get('backend', '')}" + (f" · {timing:.0f} ms" if timing else "") + "</small>"
    )
    return "\n\n".join(parts)


def highlight(passage: str, quote: str) -> str:
    """The passage as HTML with the quoted sentence(s) marked; digest metadata lines (roles, topics) left out."""
    body = "\n".join(line for line in passage.splitlines() if not METADATA_LINE.match(line))
    escaped = html.escape(body)
    for sentence in sorted({s for s in re.split(r"(?<=[。！？；.!?;])\s*", quote) if len(s.strip()) > 3}, key=len)[
        ::-1
    ]:
        target = html.escape(sentence.strip())
        if target in escaped:
            escaped = escaped.replace(target, f"<mark>{target}</mark>", 1)
    return escaped.replace("\n", "<br>")


def source_card(citation: dict, turn: int, lang: str) -> str:
    words = WORDS[lang]
    title_zh = citation.get("title_zh", "")
    second = (
        f'<div class="title-zh">{html.escape(title_zh)}</div>' if title_zh and title_zh != citation["title"] else ""
    )
    meta = [html.escape(citation.get("locator", ""))]
    if citation.get("page"):
        meta.append(f"p. {citation['page']}")
    if citation.get("effective"):
        meta.append(f"{words['effective']} {html.escape(citation['effective'])}")
    if citation.get("authority"):
        meta.append(html.escape(citation["authority"]))
    url = citation.get("url", "")
    link = (
        f'<a href="{html.escape(url)}" target="_blank" rel="noopener">{words["official"]}</a>'
        if url.startswith("http")
        else ""
    )
    doc_type = citation.get("doc_type", "")
    return (
        f'<div class="source" id="src-{turn}-{citation["n"]}">'
        f'<div class="source-head"><span class="n">[{citation["n"]}]</span>'
        f'<span class="badge badge-{html.escape(doc_type)}">{type_label(doc_type, lang)}</span>'
        f'<span class="title">{html.escape(citation["title"])}</span></div>{second}'
        f'<div class="meta">{" · ".join(m for m in meta if m)}</div>'
        f'<div class="passage">{highlight(citation.get("passage") or citation["quote"], citation["quote"])}</div>'
        f"{link}</div>"
    )


def sources_html(turns: list[dict], lang: str) -> str:
    """Every answer's sources, newest first, so a marker in an earlier answer still finds its source."""
    words = WORDS[lang]
    if not any(turn["result"].get("citations") for turn in turns):
        return f'<div class="sources-empty">{words["no_sources"]}</div>'
    sections = []
    for number, turn in reversed(list(enumerate(turns, 1))):
        citations = turn["result"].get("citations") or []
        if not citations:
            continue
        cards = "".join(source_card(c, number, lang) for c in citations)
        sections.append(
            f'<section class="turn"><div class="turn-head">{words["answer"]} {number}: '
            f"{html.escape(turn['question'])}</div>{cards}</section>"
        )
    return "".join(sections)


def conversation_markdown(turns: list[dict], lang: str) -> str:
    """The whole chat with its citations, for the export button."""
    lines = ["# Live-commerce policy assistant · 直播带货政策助手", ""]
    for number, turn in enumerate(turns, 1):
        result = turn["result"]
        lines += [f"## {number}. {turn['question']}", "", result["answer"], ""]
        for c in result.get("citations") or []:
            where = " · ".join(x for x in (c["locator"], c.get("effective", ""), c.get("url", "")) if x)
            lines.append(f"- [{c['n']}] {c['title']} · {where}\n  > {c['quote']}")
        if result.get("related"):
            lines.append(related_heading(result, lang))
            lines += [named_line(c, lang) for c in result["related"]]
        if result.get("notice"):
            lines += ["", f"*{result['notice']}*"]
        lines.append("")
    return "\n".join(lines)
