"""Reference, date and orphan checks over a merged knowledge base (``vigie kb validate``).

Each check returns readable messages that start with the file defining the faulty item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from vigie.kb.dates import start_of
from vigie.kb.groups import today

if TYPE_CHECKING:
    from vigie.kb.base import KnowledgeBase


def check_knowledge_base(kb: KnowledgeBase) -> list[str]:
    """Every problem found across the merged files, in a stable order."""
    return [
        *_companies(kb),
        *_extensions(kb),
        *_ownership(kb),
        *_products(kb),
        *_evidence(kb),
        *_responses(kb),
        *_contexts(kb),
        *_relationships(kb),
        *_unused_sources(kb),
        *_future_dates(kb),
    ]


def _future_dates(kb: KnowledgeBase) -> list[str]:
    """Dates after today: a typing error (a source cannot be published in the future)."""
    now = today()
    dated: list[tuple[str, str, str, str | None]] = [
        ("sources", s.id, "source", s.date) for s in kb.sources.values()
    ]
    dated += [("evidence", e.id, "evidence", e.date) for e in kb.evidence.values()]
    dated += [("responses", r.id, "response", r.date) for r in kb.responses.values()]
    dated += [
        ("contexts", c.id, "context", d.date)
        for c in kb.contexts.values()
        for d in c.determinations
    ]
    return [
        f"{_where(kb, section, item_id, label)}: date {value} is in the future"
        for section, item_id, label, value in dated
        if value and start_of(value) > now
    ]


def _where(kb: KnowledgeBase, section: str, item_id: str, label: str) -> str:
    name = kb.origin(section, item_id)
    return f"{name + ': ' if name else ''}{label} {item_id!r}"


def _missing(where: str, kind: str, ids: Iterable[str], table: Mapping[str, object]) -> list[str]:
    return [f"{where}: unknown {kind} {ref!r}" for ref in ids if ref not in table]


def _companies(kb: KnowledgeBase) -> list[str]:
    problems = []
    in_cycles = kb.groups.cycle_members()
    for company in kb.companies.values():
        where = _where(kb, "companies", company.id, "company")
        problems += _missing(where, "source", company.sources, kb.sources)
        if company.parent and company.parent not in kb.companies:
            problems.append(f"{where}: unknown parent {company.parent!r}")
        elif company.id in in_cycles:
            problems.append(f"{where}: parent links form a cycle")
    return problems


def _extensions(kb: KnowledgeBase) -> list[str]:
    problems = []
    for ext in kb.extensions:
        where = _where(kb, "extensions", ext.company, "extension of")
        problems += _missing(where, "company", (ext.company,), kb.companies)
        problems += _missing(where, "source", ext.sources, kb.sources)
    return problems


def _ownership(kb: KnowledgeBase) -> list[str]:
    problems = []
    for index, link in enumerate(kb.ownership):
        where = kb.ownership_origin(index) or f"ownership[{index}]"
        where += f" ({link.child} -> {link.parent})"
        problems += _missing(where, "company", (link.child, link.parent), kb.companies)
        problems += _missing(where, "source", link.sources, kb.sources)
        if link.child == link.parent:
            problems.append(f"{where}: a company cannot own itself")
    return problems


def _products(kb: KnowledgeBase) -> list[str]:
    problems = []
    for product in kb.products.values():
        where = _where(kb, "products", product.id, "product")
        problems += _missing(where, "company", (product.company,), kb.companies)
        problems += _missing(
            where, "technology category", (product.category,), kb.technology_categories
        )
        problems += _missing(where, "source", product.sources, kb.sources)
    return problems


def _evidence(kb: KnowledgeBase) -> list[str]:
    problems = []
    for item in kb.evidence.values():
        where = _where(kb, "evidence", item.id, "evidence")
        problems += _missing(where, "company", item.companies, kb.companies)
        problems += _missing(where, "source", item.sources, kb.sources)
        problems += _missing(where, "category", item.categories, kb.categories)
        if item.context:
            problems += _missing(where, "context", (item.context,), kb.contexts)
    return problems


def _responses(kb: KnowledgeBase) -> list[str]:
    problems = []
    for response in kb.responses.values():
        where = _where(kb, "responses", response.id, "response")
        problems += _missing(where, "company", (response.company,), kb.companies)
        problems += _missing(where, "evidence", response.answers, kb.evidence)
        problems += _missing(where, "source", response.sources, kb.sources)
        if response.company not in kb.companies:
            continue
        group = kb.group_of(response.company).id
        for answered in response.answers:
            item = kb.evidence.get(answered)
            if item and not any(
                c in kb.companies and kb.group_of(c).id == group for c in item.companies
            ):
                problems.append(
                    f"{where}: answers evidence {answered!r}, which is not about its group"
                )
    return problems


def _contexts(kb: KnowledgeBase) -> list[str]:
    problems = []
    used = {e.context for e in kb.evidence.values() if e.context}
    for context in kb.contexts.values():
        where = _where(kb, "contexts", context.id, "context")
        for det in context.determinations:
            problems += _missing(where, "source", det.sources, kb.sources)
        if context.id not in used:
            problems.append(f"{where}: no evidence refers to it")
    return problems


def _relationships(kb: KnowledgeBase) -> list[str]:
    problems = []
    for rel in kb.relationships.values():
        where = _where(kb, "relationships", rel.id, "relationship")
        problems += _missing(where, "company", (rel.company,), kb.companies)
        problems += _missing(where, "source", rel.sources, kb.sources)
    return problems


def _cited(kb: KnowledgeBase) -> set[str]:
    lists: list[Sequence[str]] = [e.sources for e in kb.evidence.values()]
    lists += [r.sources for r in kb.responses.values()]
    lists += [d.sources for c in kb.contexts.values() for d in c.determinations]
    lists += [c.sources for c in kb.companies.values()]
    lists += [p.sources for p in kb.products.values()]
    lists += [o.sources for o in kb.ownership]
    lists += [r.sources for r in kb.relationships.values()]
    lists += [e.sources for e in kb.extensions]
    return {s for sources in lists for s in sources}


def _unused_sources(kb: KnowledgeBase) -> list[str]:
    cited = _cited(kb)
    return [
        f"{_where(kb, 'sources', s, 'source')} is cited by nothing"
        for s in sorted(set(kb.sources) - cited)
    ]
