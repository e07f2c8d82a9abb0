"""Findings (record x matched company) and exposure aggregated by corporate group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vigie.kb import Evidence, KnowledgeBase, Response
from vigie.resolve import Match, Matcher, Query, match_queries
from vigie.resolve.identifiers import identifier_keys
from vigie.sources import Party, ProcurementRecord


@dataclass(frozen=True, slots=True)
class Finding:
    """A procurement record tied to a knowledge-base company, and how."""

    record: ProcurementRecord
    supplier: Party
    match: Match
    match_kind: str = "supplier"


@dataclass(slots=True)
class GroupExposure:
    """Records and amounts (per currency) attributed to one corporate group."""

    group_id: str
    group_name: str
    records: int = 0
    amount_by_currency: dict[str, float] = field(default_factory=dict)
    records_without_amount: int = 0
    companies: set[str] = field(default_factory=set)

    @property
    def amount(self) -> float | None:
        """The total when every amount is in one currency, else None."""
        if len(self.amount_by_currency) == 1:
            return next(iter(self.amount_by_currency.values()))
        return 0.0 if not self.amount_by_currency else None


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """An evidence item with the responses from the group that answer it."""

    evidence: Evidence
    responses: tuple[Response, ...]


@dataclass(frozen=True, slots=True)
class GroupDossier:
    """What the knowledge base documents about a matched group."""

    group_id: str
    group_name: str
    evidence: tuple[EvidenceView, ...]
    contexts: tuple[str, ...]


def find_supplier_matches(records: Sequence[ProcurementRecord], matcher: Matcher) -> list[Finding]:
    """Match every supplier of every record; one finding per (record, company).

    Supplier names go through the batch matcher in one call, so each distinct name is
    scored once however many records carry it.
    """
    pairs = [(record, supplier) for record in records for supplier in record.suppliers]
    queries = (
        Query(s.name, s.country, identifier_keys(s.scheme, s.id)) if s.name else None
        for _, s in pairs
    )
    matches = match_queries(queries, matcher)
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for (record, supplier), found in zip(pairs, matches, strict=True):
        if found is None:
            continue
        match = matcher.at_date(found, record.date)
        key = (record.source_file, record.position, match.company_id)
        if key in seen:
            continue
        seen.add(key)
        findings.append(Finding(record, supplier, match))
    return findings


def exposure_by_group(findings: Iterable[Finding]) -> list[GroupExposure]:
    """Aggregate findings by group: each record counts once per group, with its full amount.

    A record awarded to several suppliers is counted with its whole amount for each group
    among them (the published amount is not split between co-contractors). Sorted by number
    of records, then name.
    """
    groups: dict[str, GroupExposure] = {}
    counted: set[tuple[str, str, str]] = set()
    for finding in findings:
        match, record = finding.match, finding.record
        exposure = groups.setdefault(
            match.group_id, GroupExposure(match.group_id, match.group_name)
        )
        exposure.companies.add(match.company_id)
        key = (match.group_id, record.source_file, record.position)
        if key in counted:
            continue
        counted.add(key)
        exposure.records += 1
        if record.amount is None or record.currency is None:
            exposure.records_without_amount += 1
        else:
            totals = exposure.amount_by_currency
            totals[record.currency] = totals.get(record.currency, 0.0) + record.amount
    return sorted(groups.values(), key=lambda g: (-g.records, g.group_name))


def dossiers(group_ids: Iterable[str], kb: KnowledgeBase) -> list[GroupDossier]:
    """The evidence (with responses) documented about each group, in the order given."""
    out = []
    for group_id in dict.fromkeys(group_ids):
        views = tuple(
            EvidenceView(item, tuple(kb.responses_to(item.id, group_id)))
            for item in kb.evidence_for_group(group_id)
        )
        contexts = tuple(dict.fromkeys(v.evidence.context for v in views if v.evidence.context))
        out.append(GroupDossier(group_id, kb.companies[group_id].name, views, contexts))
    return out
