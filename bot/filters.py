"""Which passages may answer: filters by document type, document and language, and the personas' presets.

A filter is checked against every chunk and every listed question on each search (about 5,500 on the shipped
knowledge base); ``Masks`` checks each one once per filter instead.
"""

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Filters:
    """Which passages may answer: by document type, document and language (zh, en, zh+en)."""

    doc_types: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict | None) -> "Filters":
        """From JSON (the app's API): ``{"doc_types": [...], "doc_ids": [...], "langs": [...]}``."""
        data = data or {}
        unknown = set(data) - {"doc_types", "doc_ids", "langs"}
        if unknown:
            raise ValueError(f"unknown filter(s) {', '.join(sorted(unknown))} (use doc_types, doc_ids, langs)")
        return cls(*(tuple(data.get(key) or ()) for key in ("doc_types", "doc_ids", "langs")))

    def where(self) -> dict | None:
        pairs = (("doc_type", self.doc_types), ("doc_id", self.doc_ids), ("lang", self.langs))
        clauses = [{key: {"$in": list(values)}} for key, values in pairs if values]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def allows(self, meta: dict) -> bool:
        return all(
            not values or meta.get(key) in values
            for key, values in (("doc_type", self.doc_types), ("doc_id", self.doc_ids), ("lang", self.langs))
        )


ALL_RULES = ("law", "regulation", "judicial_interpretation", "platform_rule")
PERSONAS = {
    "merchant": Filters(doc_types=ALL_RULES),
    "official": Filters(doc_types=("law", "regulation", "judicial_interpretation")),
    "student": Filters(),
}


def persona_filters(persona: str | None, filters: Filters | None = None) -> Filters:
    """A persona's preset, narrowed by explicit filters (explicit doc types win over the preset's)."""
    if persona and persona not in PERSONAS:
        raise ValueError(f"unknown persona {persona!r} (choose {', '.join(PERSONAS)})")
    preset = PERSONAS.get(persona or "student", Filters())
    if filters is None:
        return preset
    return replace(filters, doc_types=filters.doc_types or preset.doc_types)


class Masks:
    """Which of a fixed list of metadata each filter admits, computed once per filter (the list is replaced,
    not changed, when the index changes; the app uses a handful of filters, so a few are kept)."""

    def __init__(self, metadatas: list[dict], keep: int = 32):
        self.metadatas = metadatas
        self.keep = keep
        self._masks: dict[Filters, np.ndarray] = {}

    def __call__(self, filters: Filters) -> np.ndarray:
        mask = self._masks.get(filters)
        if mask is None:
            if len(self._masks) >= self.keep:
                self._masks.clear()
            mask = np.fromiter((filters.allows(meta) for meta in self.metadatas), bool, len(self.metadatas))
            self._masks[filters] = mask
        return mask
