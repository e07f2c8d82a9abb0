"""Describing the knowledge base: statistics and a company's profile (pure functions).

``vigie kb stats`` and ``vigie kb show`` print what these functions return.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from vigie.kb.base import KnowledgeBase
from vigie.kb.model import Company, Evidence, Ownership, Product, Relationship, Response


def kb_stats(kb: KnowledgeBase) -> dict[str, object]:
    """Counts by section, and evidence by category, source type and confidence."""
    groups = {kb.group_of(c).id for c in kb.companies}
    return {
        "version": kb.version,
        "companies": len(kb.companies),
        "groups": len(groups),
        "ownership": len(kb.ownership),
        "dated_ownership": sum(1 for o in kb.ownership if o.start or o.end),
        "products": len(kb.products),
        "sources": len(kb.sources),
        "evidence": len(kb.evidence),
        "responses": len(kb.responses),
        "contexts": len(kb.contexts),
        "relationships": len(kb.relationships),
        "identifiers": sum(len(c.identifiers) for c in kb.companies.values()),
        "evidence_by_category": dict(
            sorted(Counter(c for e in kb.evidence.values() for c in e.categories).items())
        ),
        "evidence_by_confidence": dict(
            sorted(Counter(e.confidence.value for e in kb.evidence.values()).items())
        ),
        "sources_by_type": dict(sorted(Counter(s.type.value for s in kb.sources.values()).items())),
        "products_by_category": dict(
            sorted(Counter(p.category for p in kb.products.values()).items())
        ),
    }


@dataclass(frozen=True, slots=True)
class EvidenceEntry:
    """An evidence item of the group's timeline with the group's responses to it."""

    evidence: Evidence
    responses: tuple[Response, ...]


@dataclass(frozen=True, slots=True)
class CompanyProfile:
    """Everything the knowledge base records about a company and its group on a day."""

    company: Company
    at: str | None
    chain: tuple[Company, ...]
    group: Company
    subsidiaries: tuple[Company, ...]
    links: tuple[Ownership, ...]
    products: tuple[Product, ...]
    timeline: tuple[EvidenceEntry, ...]
    relationships: tuple[Relationship, ...]


def find_company(kb: KnowledgeBase, ref: str) -> Company | None:
    """A company by id, else by exact name or alias (case-insensitive), else None."""
    if ref in kb.companies:
        return kb.companies[ref]
    wanted = ref.casefold().strip()
    matches = [
        c
        for c in kb.companies.values()
        if wanted in {n.casefold() for n in (c.name, *c.aliases, *c.former_names)}
    ]
    return matches[0] if len(matches) == 1 else None


def suggestions(kb: KnowledgeBase, ref: str, limit: int = 5) -> list[str]:
    """Company ids whose id or name contains ``ref`` (for an unknown company)."""
    wanted = ref.casefold().strip()
    found = [c.id for c in kb.companies.values() if wanted in c.id or wanted in c.name.casefold()]
    return sorted(found)[:limit]


def company_profile(kb: KnowledgeBase, company_id: str, at: str | None = None) -> CompanyProfile:
    """The profile of a company on day ``at`` (default: today's structure)."""
    company = kb.companies[company_id]
    chain = tuple(kb.companies[c] for c in kb.groups.chain(company_id, at) if c in kb.companies)
    group = chain[-1]
    links = tuple(o for o in kb.ownership if company_id in (o.child, o.parent))
    if company.parent:
        links = (Ownership(child=company.id, parent=company.parent), *links)
    timeline = tuple(
        EvidenceEntry(item, tuple(kb.responses_to(item.id, group.id)))
        for item in kb.evidence_for_group(group.id, at)
    )
    return CompanyProfile(
        company=company,
        at=at,
        chain=chain,
        group=group,
        subsidiaries=tuple(kb.companies[c] for c in kb.subsidiaries(company_id, at)),
        links=links,
        products=tuple(kb.products_of(group.id, at)),
        timeline=timeline,
        relationships=tuple(kb.relationships_of(group.id, at)),
    )
