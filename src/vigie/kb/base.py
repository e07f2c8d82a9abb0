"""The in-memory knowledge base: lookups, merged files and group resolution by date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from vigie.kb.checks import check_knowledge_base
from vigie.kb.groups import GroupIndex, links_from
from vigie.kb.model import (
    Category,
    Company,
    Context,
    Evidence,
    Extension,
    KnowledgeBaseFile,
    Ownership,
    Product,
    Relationship,
    Response,
    Source,
    TechnologyCategory,
)

ID_SECTIONS = (
    "categories",
    "technology_categories",
    "companies",
    "products",
    "sources",
    "contexts",
    "evidence",
    "responses",
    "relationships",
)
"""Sections whose items have an ``id``, unique across every loaded file."""


@dataclass(frozen=True)
class KnowledgeBase:
    """Companies, ownership, products, sources, evidence, responses, contexts, relationships."""

    version: str
    companies: dict[str, Company]
    sources: dict[str, Source]
    evidence: dict[str, Evidence]
    responses: dict[str, Response]
    contexts: dict[str, Context]
    categories: dict[str, Category]
    products: dict[str, Product] = field(default_factory=dict)
    ownership: tuple[Ownership, ...] = ()
    relationships: dict[str, Relationship] = field(default_factory=dict)
    technology_categories: dict[str, TechnologyCategory] = field(default_factory=dict)
    duplicates: tuple[str, ...] = ()
    extensions: tuple[Extension, ...] = ()
    _groups: GroupIndex = field(default_factory=lambda: GroupIndex(()), repr=False)
    _origins: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _ownership_origins: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def from_parts(
        cls, parts: Sequence[tuple[str, KnowledgeBaseFile]], version: str
    ) -> KnowledgeBase:
        """Merge validated files; duplicate ids are kept aside for :meth:`check` to report."""
        tables: dict[str, dict[str, object]] = defaultdict(dict)
        duplicates: list[str] = []
        origins: dict[tuple[str, str], str] = {}
        ownership: list[Ownership] = []
        ownership_origins: list[str] = []
        for name, part in parts:
            for section in ID_SECTIONS:
                for item in getattr(part, section):
                    if item.id in tables[section]:
                        duplicates.append(f"{name}: {section} id {item.id!r} is defined twice")
                    tables[section][item.id] = item
                    origins[(section, item.id)] = name
            for ext in part.extensions:
                origins[("extensions", ext.company)] = name
            for index, link in enumerate(part.ownership):
                ownership.append(link)
                ownership_origins.append(f"{name}: ownership[{index}]")
        companies: dict[str, Company] = tables["companies"]  # type: ignore[assignment]
        extensions = [e for _, part in parts for e in part.extensions]
        companies = _extend(companies, extensions)
        return cls(
            version=version,
            companies=companies,
            sources=tables["sources"],  # type: ignore[arg-type]
            evidence=tables["evidence"],  # type: ignore[arg-type]
            responses=tables["responses"],  # type: ignore[arg-type]
            contexts=tables["contexts"],  # type: ignore[arg-type]
            categories=tables["categories"],  # type: ignore[arg-type]
            products=tables["products"],  # type: ignore[arg-type]
            ownership=tuple(ownership),
            relationships=tables["relationships"],  # type: ignore[arg-type]
            technology_categories=tables["technology_categories"],  # type: ignore[arg-type]
            duplicates=tuple(duplicates),
            _groups=GroupIndex(links_from(companies.values(), ownership)),
            _origins=origins,
            _ownership_origins=tuple(ownership_origins),
            extensions=tuple(extensions),
        )

    @property
    def groups(self) -> GroupIndex:
        """The ownership links indexed for resolution by date."""
        return self._groups

    def origin(self, section: str, item_id: str) -> str | None:
        """The file that defines an item, or None."""
        return self._origins.get((section, item_id))

    def ownership_origin(self, index: int) -> str | None:
        """``"file.yaml: ownership[i]"`` for the ``index``-th merged ownership link."""
        return self._ownership_origins[index] if index < len(self._ownership_origins) else None

    def check(self) -> list[str]:
        """Every broken reference, cycle, orphan or unused source, as readable messages."""
        return [*self.duplicates, *check_knowledge_base(self)]

    # --- groups -------------------------------------------------------------------------------

    def parent_of(self, company_id: str, at: str | None = None) -> Company | None:
        """The controlling parent of a company on day ``at`` (default: today), or None."""
        parent = self._groups.parent_of(company_id, at)
        return self.companies.get(parent) if parent else None

    def group_of(self, company_id: str, at: str | None = None) -> Company:
        """The ultimate parent of a company on day ``at`` (YYYY-MM-DD; default: today).

        The company itself when it has no parent; stops before a cycle. ``KeyError`` for an
        unknown company.
        """
        company = self.companies[company_id]
        chain = [c for c in self._groups.chain(company.id, at) if c in self.companies]
        return self.companies[chain[-1]]

    def group_members(self, group_id: str, at: str | None = None) -> list[str]:
        """The group's parent first, then every company below it on day ``at``."""
        return [m for m in self._groups.members(group_id, at) if m in self.companies]

    def subsidiaries(self, group_id: str, at: str | None = None) -> list[str]:
        """Every company below ``group_id`` on day ``at`` (not the group itself)."""
        return [m for m in self.group_members(group_id, at) if m != group_id]

    # --- products, evidence and responses ------------------------------------------------------

    def products_of(self, group_id: str, at: str | None = None) -> list[Product]:
        """Products and brands of every company of the group on day ``at``."""
        members = set(self.group_members(group_id, at))
        return sorted(
            (p for p in self.products.values() if p.company in members), key=lambda p: p.id
        )

    def evidence_for_group(self, group_id: str, at: str | None = None) -> list[Evidence]:
        """Evidence items about any company of the group, most recent first."""
        members = set(self.group_members(group_id, at))
        items = [e for e in self.evidence.values() if members.intersection(e.companies)]
        return sorted(items, key=lambda e: (e.date or "", e.id), reverse=True)

    def responses_to(self, evidence_id: str, group_id: str | None = None) -> list[Response]:
        """Responses that answer an evidence item (optionally only from one group)."""
        members = set(self.group_members(group_id)) if group_id else None
        return [
            r
            for r in self.responses.values()
            if evidence_id in r.answers and (members is None or r.company in members)
        ]

    def relationships_of(self, group_id: str, at: str | None = None) -> list[Relationship]:
        """Sponsorships and partnerships of any company of the group."""
        members = set(self.group_members(group_id, at))
        return sorted(
            (r for r in self.relationships.values() if r.company in members),
            key=lambda r: (r.start or "", r.id),
            reverse=True,
        )


def _extend(companies: dict[str, Company], extensions: Sequence[Extension]) -> dict[str, Company]:
    """Companies with the aliases, former names and identifiers of their extensions added."""
    out = dict(companies)
    for ext in extensions:
        company = out.get(ext.company)
        if company is None:
            continue  # reported by the checks
        known = {str(i) for i in company.identifiers}
        out[ext.company] = company.model_copy(
            update={
                "aliases": tuple(dict.fromkeys((*company.aliases, *ext.aliases))),
                "former_names": tuple(dict.fromkeys((*company.former_names, *ext.former_names))),
                "identifiers": (
                    *company.identifiers,
                    *(i for i in ext.identifiers if str(i) not in known),
                ),
                "sources": tuple(dict.fromkeys((*company.sources, *ext.sources))),
            }
        )
    return out
