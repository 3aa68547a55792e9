"""Follow-up questions ("what about food?", "那罚款是多少？") made standalone before retrieval.

Deterministic: a question that cannot stand alone borrows the previous question's words. Retrieval then
sees both topics, and the answer still answers the follow-up.
"""

import re

from bot.references import CONSEQUENCES

Turn = dict  # {"role": "user" | "assistant", "content": str}

_LEADS_EN = re.compile(
    r"^(and|but|also|so|then|what about|how about|what if|what happens if|and if|same for|ok|okay|"
    r"(does|do|is|are|can|would|will) (that|this|it|they|these|those))\b",
    re.I,
)
_REFERS_EN = re.compile(
    r"\b(it|that|this|they|them|those|these|such|same|there|too|also|as well|either|she|he|her|him|his|their|"
    r"we|us|if (we|i|they|you) (don't|do not|didn't|can't))\b",
    re.I,
)
_LEADS_ZH = re.compile(r"^(那|那么|如果|要是|假如|还有|另外|此外|这|这个|那个|它|他们|同样|也)")
_REFERS_ZH = re.compile(r"这些|那些|这个|那个|这种|上述|(?<!应)该|它|他|她")
_ENDS_ZH = re.compile(r"(呢|吗|么)[？?。]*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def is_follow_up(question: str) -> bool:
    text = question.strip()
    cjk = len(_CJK.findall(text))
    if cjk:
        return bool(_LEADS_ZH.match(text) or _REFERS_ZH.search(text)) or cjk <= 10
    words = re.findall(r"[A-Za-z']+", text)
    return bool(_LEADS_EN.match(text)) or len(words) <= 5 or (len(words) <= 10 and bool(_REFERS_EN.search(text)))


def standalone_question(question: str, history: list[Turn]) -> str:
    """A follow-up to a follow-up ("What if she's 17?", then "And the fine for the platform?") also borrows the
    question that began the thread: the one before alone has lost the topic."""
    earlier = [turn["content"].strip() for turn in history if turn.get("role") == "user" and turn.get("content")]
    if not earlier or not is_follow_up(question):
        return question
    start = len(earlier) - 1
    while start > 0 and is_follow_up(earlier[start]):
        start -= 1
    return " ".join(dict.fromkeys([earlier[start], earlier[-1], question.strip()]))


def asks_for_penalty(question: str, history: list[Turn]) -> bool:
    """A follow-up about consequences ("那罚款是多少？") after a question about a duty: the user has the duty,
    and wants the penalty for breaching it."""
    return standalone_question(question, history) != question and bool(CONSEQUENCES.search(question))
