"""The in-memory knowledge base: lookups, reference checks and group resolution."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vigie.kb.model import (
    Category,
    Company,
    Context,
    Evidence,
    KnowledgeBaseFile,
    Response,
    Source,
)


@dataclass(frozen=True)
class KnowledgeBase:
    """Companies, sources, evidence, responses, contexts and categories, indexed by id."""

    version: str
    companies: dict[str, Company]
    sources: dict[str, Source]
    evidence: dict[str, Evidence]
    responses: dict[str, Response]
    contexts: dict[str, Context]
    categories: dict[str, Category]
    duplicates: tuple[str, ...] = ()
    _children: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _origins: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_parts(
        cls, parts: Sequence[tuple[str, KnowledgeBaseFile]], version: str
    ) -> KnowledgeBase:
        """Merge validated files; duplicate ids are kept aside for :meth:`check` to report."""
        tables: dict[str, dict[str, object]] = defaultdict(dict)
        duplicates: list[str] = []
        origins: dict[tuple[str, str], str] = {}
        for name, part in parts:
            for section in (
                "categories",
                "companies",
                "sources",
                "contexts",
                "evidence",
                "responses",
            ):
                for item in getattr(part, section):
                    if item.id in tables[section]:
                        duplicates.append(f"{name}: {section} id {item.id!r} is defined twice")
                    tables[section][item.id] = item
                    origins[(section, item.id)] = name
        children: dict[str, list[str]] = defaultdict(list)
        for company in tables["companies"].values():
            assert isinstance(company, Company)
            if company.parent:
                children[company.parent].append(company.id)
        return cls(
            version=version,
            companies=tables["companies"],  # type: ignore[arg-type]
            sources=tables["sources"],  # type: ignore[arg-type]
            evidence=tables["evidence"],  # type: ignore[arg-type]
            responses=tables["responses"],  # type: ignore[arg-type]
            contexts=tables["contexts"],  # type: ignore[arg-type]
            categories=tables["categories"],  # type: ignore[arg-type]
            duplicates=tuple(duplicates),
            _children=dict(children),
            _origins=origins,
        )

    def check(self) -> list[str]:
        """Every broken reference, cycle or unused source, as readable messages."""
        problems = list(self.duplicates)
        problems += self._check_companies()
        problems += self._check_evidence()
        used = {s for e in self.evidence.values() for s in e.sources}
        used |= {s for r in self.responses.values() for s in r.sources}
        used |= {s for c in self.contexts.values() for d in c.determinations for s in d.sources}
        problems += [
            f"{self._file('sources', s)}source {s!r} is cited by nothing"
            for s in sorted(set(self.sources) - used)
        ]
        return problems

    def _check_companies(self) -> list[str]:
        problems = []
        for company in self.companies.values():
            where = f"{self._file('companies', company.id)}company {company.id!r}"
            if company.parent and company.parent not in self.companies:
                problems.append(f"{where}: unknown parent {company.parent!r}")
            elif self._cycle_from(company.id):
                problems.append(f"{where}: parent links form a cycle")
        return problems

    def _check_evidence(self) -> list[str]:
        problems = []
        for item in self.evidence.values():
            where = f"{self._file('evidence', item.id)}evidence {item.id!r}"
            problems += self._missing(where, "company", item.companies, self.companies)
            problems += self._missing(where, "source", item.sources, self.sources)
            problems += self._missing(where, "category", (item.category,), self.categories)
            if item.context:
                problems += self._missing(where, "context", (item.context,), self.contexts)
        for response in self.responses.values():
            where = f"{self._file('responses', response.id)}response {response.id!r}"
            problems += self._missing(where, "company", (response.company,), self.companies)
            problems += self._missing(where, "evidence", response.answers, self.evidence)
            problems += self._missing(where, "source", response.sources, self.sources)
        for context in self.contexts.values():
            for det in context.determinations:
                problems += self._missing(
                    f"{self._file('contexts', context.id)}context {context.id!r}",
                    "source",
                    det.sources,
                    self.sources,
                )
        return problems

    def _file(self, section: str, item_id: str) -> str:
        """``"name.yaml: "`` for the file that defines an item ("" when not loaded from one)."""
        name = self._origins.get((section, item_id))
        return f"{name}: " if name else ""

    @staticmethod
    def _missing(
        where: str, kind: str, ids: Sequence[str], table: Mapping[str, object]
    ) -> list[str]:
        return [f"{where}: unknown {kind} {ref!r}" for ref in ids if ref not in table]

    def _cycle_from(self, company_id: str) -> bool:
        seen = {company_id}
        current = self.companies[company_id].parent
        while current is not None and current in self.companies:
            if current in seen:
                return True
            seen.add(current)
            current = self.companies[current].parent
        return False

    def group_of(self, company_id: str) -> Company:
        """The ultimate parent of a company (itself when it has none); stops at a cycle."""
        company = self.companies[company_id]
        seen = {company.id}
        while company.parent and company.parent in self.companies and company.parent not in seen:
            company = self.companies[company.parent]
            seen.add(company.id)
        return company

    def group_members(self, group_id: str) -> list[str]:
        """The group's parent and every company below it."""
        members, stack = [], [group_id]
        while stack:
            current = stack.pop()
            if current in members:
                continue
            members.append(current)
            stack.extend(self._children.get(current, []))
        return members

    def evidence_for_group(self, group_id: str) -> list[Evidence]:
        """Evidence items about any company of the group, most recent first."""
        members = set(self.group_members(group_id))
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
