"""Findings (record x matched company) and exposure aggregated by corporate group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from vigie.kb import Evidence, KnowledgeBase, Response
from vigie.resolve import Match, Matcher, Query, match_queries
from vigie.resolve.identifiers import identifier_keys
from vigie.resolve.mentions import MentionFinder, find_mentions
from vigie.resolve.review import (
    MENTION,
    SUPPLIER,
    JudgementLike,
    PairKey,
    apply_judgement,
    confirmed_elsewhere,
    mention_subject,
    supplier_subject,
)
from vigie.sources import Party, ProcurementRecord
from vigie.store.review import Candidate


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


def find_supplier_matches(
    records: Sequence[ProcurementRecord],
    matcher: Matcher,
    judgements: Mapping[PairKey, JudgementLike] | None = None,
) -> list[Finding]:
    """Match every supplier of every record; one finding per (record, company).

    Supplier names (with their identifiers and country) go through the batch matcher in one
    call, so each distinct name is scored once however many records carry it. Review
    judgements apply: rejected pairs are dropped, confirmed ones are certain.
    """
    judged = judgements or {}
    pairs = [(record, supplier) for record in records for supplier in record.suppliers]
    queries = (
        Query(s.name, s.country, identifier_keys(s.scheme, s.id)) if s.name else None
        for _, s in pairs
    )
    matches = match_queries(queries, matcher)
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for (record, supplier), found in zip(pairs, matches, strict=True):
        if not supplier.name:
            continue
        subject = supplier_subject(matcher, supplier.name) if judged else ""
        candidates = [] if found is None else [matcher.at_date(found, record.date)]
        if judged:
            candidates = [
                m
                for m in (apply_judgement(c, judged.get((SUPPLIER, subject, c.company_id)))
                          for c in candidates)
                if m is not None
            ]  # fmt: skip
            known = {c.company_id for c in candidates}
            candidates += [
                m
                for m in confirmed_elsewhere(
                    matcher.kb, SUPPLIER, subject, supplier.name, judged, record.date
                )
                if m.company_id not in known
            ]
        for match in candidates:
            key = (record.source_file, record.position, match.company_id)
            if key not in seen:
                seen.add(key)
                findings.append(Finding(record, supplier, match))
    return findings


def find_mention_matches(
    records: Sequence[ProcurementRecord],
    finder: MentionFinder,
    already: Iterable[Finding] = (),
    judgements: Mapping[PairKey, JudgementLike] | None = None,
) -> list[Finding]:
    """Brands and products named in each record's title and description (``mention``
    findings), except groups the record is already tied to by a supplier finding."""
    judged = judgements or {}
    covered = {(f.record.source_file, f.record.position, f.match.group_id) for f in already}
    texts = [" ".join(t for t in (r.title, r.description) if t) for r in records]
    found = find_mentions(texts, finder, [r.date for r in records])
    findings = []
    for record, text, matches in zip(records, texts, found, strict=True):
        subject = mention_subject(text) if judged and matches else ""
        supplier = record.suppliers[0] if record.suppliers else Party(None, None, None)
        for match in matches:
            if (record.source_file, record.position, match.group_id) in covered:
                continue
            kept = apply_judgement(match, judged.get((MENTION, subject, match.company_id)))
            if kept is not None:
                findings.append(Finding(record, supplier, kept, match_kind=MENTION))
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
        tally(exposure, record)
    return sorted(groups.values(), key=lambda g: (-g.records, g.group_name))


class Tally(Protocol):
    """Anything that counts records and sums their amounts per currency."""

    records: int
    records_without_amount: int
    amount_by_currency: dict[str, float]


def tally(entry: Tally, record: ProcurementRecord) -> None:
    """Count ``record`` in ``entry``: one more record, its amount added to its currency's total
    (or one more record without amount)."""
    entry.records += 1
    if record.amount is None or record.currency is None:
        entry.records_without_amount += 1
    else:
        totals = entry.amount_by_currency
        totals[record.currency] = totals.get(record.currency, 0.0) + record.amount


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


def review_candidates(findings: Iterable[Finding], matcher: Matcher) -> list[Candidate]:
    """One review candidate per (kind, subject, company) among the findings, with the number
    of records and one example position."""
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.match_kind == MENTION:
            text = " ".join(t for t in (f.record.title, f.record.description) if t)
            subject = mention_subject(text)
        else:
            subject = supplier_subject(matcher, f.supplier.name or "")
        grouped.setdefault((f.match_kind, subject, f.match.company_id), []).append(f)
    out = []
    for (kind, subject, _), items in grouped.items():
        first, match = items[0], items[0].match
        shown = (
            " ".join(t for t in (first.record.title, first.record.description) if t)[:300]
            if kind == MENTION
            else first.supplier.name or ""
        )
        out.append(
            Candidate(kind, subject, shown, match.company_id, match.company_name,
                      match.group_id, match.group_name, match.score, match.rule,
                      match.explanation, len(items),
                      f"{first.record.source_file} {first.record.position}")
        )  # fmt: skip
    return out
