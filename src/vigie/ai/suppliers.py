"""Screening the suppliers and model providers named in an assessment against the knowledge base.

Uses only the knowledge base and matcher public APIs. A match means the name corresponds to a
company documented in the knowledge base; it is not a finding about the company.
"""

from __future__ import annotations

from typing import Any

from vigie.kb import KnowledgeBase, load_knowledge_base
from vigie.resolve import Matcher


def screen_suppliers(names: list[str], kb: KnowledgeBase | None = None) -> list[dict[str, Any]]:
    """Each name with its match (company, group, score, rule) and the number of attributed
    claims the knowledge base documents about the group; ``matched`` is False otherwise."""
    base = kb or load_knowledge_base()
    matcher = Matcher(base)
    rows: list[dict[str, Any]] = []
    for name in names:
        match = matcher.match_one(name)
        if match is None:
            rows.append({"name": name, "matched": False})
            continue
        rows.append(
            {
                "name": name,
                "matched": True,
                "company": match.company_name,
                "group": match.group_name,
                "score": match.score,
                "rule": match.rule,
                "evidence_items": len(base.evidence_for_group(match.group_id)),
            }
        )
    return rows
