"""Checking an import draft against the knowledge base it joins, and writing it.

The draft is merged, in memory, with the knowledge base it will be loaded with (starter data
and the user's directory). Every problem the checks report about the draft's own items
(unknown reference, duplicate id, cycle...) removes the faulty item and rejects the input
record it came from, with the check's message; the merge is checked again until clean.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from vigie.kb.base import KnowledgeBase
from vigie.kb.importing import Draft, Issue, write_yaml
from vigie.kb.model import KnowledgeBaseFile

_ITEM = re.compile(
    r"^(?P<label>company|product|evidence|response|context|relationship|source|extension of)"
    r" '(?P<id>[^']+)'"
)
_LINK = re.compile(r"^ownership\[(?P<index>\d+)\]")
_DUPLICATE = re.compile(r"^(?P<section>\w+) id '(?P<id>[^']+)' is defined twice")
_SECTIONS = {
    "company": "companies",
    "product": "products",
    "evidence": "evidence",
    "response": "responses",
    "context": "contexts",
    "relationship": "relationships",
    "source": "sources",
    "extension of": "extensions",
}
MAX_ROUNDS = 50


def finalise(
    draft: Draft, base: Sequence[tuple[str, KnowledgeBaseFile]], out_name: str
) -> KnowledgeBase:
    """Drop the draft's items that break the merged knowledge base; the merged result.

    ``base`` are the files the draft will be loaded with (without a previous version of
    ``out_name``, which the import replaces).
    """
    prefix = f"{out_name}: "
    for _ in range(MAX_ROUNDS):
        merged = KnowledgeBase.from_parts([*base, (out_name, draft.to_file())], version="draft")
        problems = [p[len(prefix) :] for p in merged.check() if p.startswith(prefix)]
        if not problems:
            return merged
        for problem in problems:
            _drop(draft, problem)
    draft.fatal = Issue.of(out_name, "breaks_knowledge_base", problem="too many rounds")
    return merged


def _drop(draft: Draft, problem: str) -> None:
    if found := _LINK.match(problem):
        index = int(found.group("index"))
        if index < len(draft.ownership):
            position = draft.ownership_positions[index]
            del draft.ownership[index]
            del draft.ownership_positions[index]
            draft.reject(position, "breaks_knowledge_base", problem=problem)
        return
    found = _ITEM.match(problem)
    section = _SECTIONS[found.group("label")] if found else None
    if found is None and (dup := _DUPLICATE.match(problem)):
        found, section = dup, dup.group("section")
    if found is None or section is None:
        draft.fatal = Issue.of("-", "breaks_knowledge_base", problem=problem)
        return
    item_id = found.group("id")
    table = _table(draft, section)
    if table is None or item_id not in table:
        draft.fatal = Issue.of("-", "breaks_knowledge_base", problem=problem)
        return
    del table[item_id]
    origin = draft.origin.get((section, item_id))
    if origin is not None:
        draft.reject(origin, "breaks_knowledge_base", problem=problem)


def _table(draft: Draft, section: str) -> dict[str, object] | None:
    tables: dict[str, dict[str, object]] = {
        "companies": draft.companies,  # type: ignore[dict-item]
        "extensions": draft.extensions,  # type: ignore[dict-item]
        "sources": draft.sources,  # type: ignore[dict-item]
        "evidence": draft.evidence,  # type: ignore[dict-item]
    }
    if section in tables:
        return tables[section]
    items = draft.other.get(section)
    if items is None:
        return None
    return _OtherTable(draft, section)


class _OtherTable(dict[str, object]):
    """A dict view over ``draft.other[section]`` (items with an ``id``) supporting deletion."""

    def __init__(self, draft: Draft, section: str) -> None:
        super().__init__({getattr(i, "id", ""): i for i in draft.other[section]})
        self._draft, self._section = draft, section

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._draft.other[self._section] = [
            i for i in self._draft.other[self._section] if getattr(i, "id", "") != key
        ]


def write_draft(draft: Draft, directory: Path, out_name: str, header: str) -> Path:
    """Write the finalised draft to ``directory/out_name``; the path written."""
    path = directory / out_name
    write_yaml(draft, path, header)
    return path
