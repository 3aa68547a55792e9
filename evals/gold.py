"""The gold set: questions users would ask, each naming the article or section that answers it."""

import json
from dataclasses import dataclass, field
from pathlib import Path

GOLD_DIR = Path(__file__).parent / "gold"
# Questions written from kb/ by someone who never saw the gold set or the bot, with no threshold or weight tuned
# on them: the gap between the two sets is how far the tuning fits the gold set rather than users' questions.
HOLDOUT_DIR = Path(__file__).parent / "holdout"


@dataclass
class Item:
    id: str
    question: str
    lang: str
    persona: str
    gold: list[dict]
    must_mention: list[str] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    answerable: bool = True
    kind: str = ""

    @property
    def follow_up(self) -> bool:
        return bool(self.history)


def load_items(folder: Path = GOLD_DIR) -> list[Item]:
    items = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                items.append(
                    Item(
                        id=raw["id"],
                        question=raw["question"],
                        lang=raw["lang"],
                        persona=raw.get("persona", ""),
                        gold=raw.get("gold", []),
                        must_mention=raw.get("must_mention", []),
                        history=raw.get("history", []),
                        answerable=raw.get("answerable", True),
                        kind=raw.get("kind", ""),
                    )
                )
    return items


def relevant(meta: dict, item: Item) -> bool:
    """A retrieved passage answers the item if it is in a gold document and covers a gold article or section."""
    for gold in item.gold:
        if meta.get("doc_id") != gold["doc_id"]:
            continue
        if gold.get("articles") and set(gold["articles"]) & set(meta.get("articles") or []):
            return True
        if gold.get("section") and gold["section"] in (meta.get("section"), meta.get("locator", "").split(" (")[0]):
            return True
    return False
