"""Exposure broken down by any key of a finding: category, buyer, year, group."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from vigie.assess.exposure import Finding, tally

KeyOf = Callable[[Finding], str]


@dataclass(slots=True)
class Slice:
    """Records and amounts (per currency) for one value of the key."""

    key: str
    records: int = 0
    amount_by_currency: dict[str, float] = field(default_factory=dict)
    records_without_amount: int = 0


def breakdown(findings: Iterable[Finding], key_of: KeyOf) -> list[Slice]:
    """Aggregate findings by ``key_of``; each record counts once per key, with its full amount.

    Sorted by number of records (descending), then key.
    """
    slices: dict[str, Slice] = {}
    counted: set[tuple[str, str, str]] = set()
    for finding in findings:
        key = key_of(finding)
        record = finding.record
        if (key, record.source_file, record.position) in counted:
            continue
        counted.add((key, record.source_file, record.position))
        tally(slices.setdefault(key, Slice(key)), record)
    return sorted(slices.values(), key=lambda s: (-s.records, s.key))


def by_category(finding: Finding) -> str:
    """The record's technology category, or ``unclassified``."""
    return finding.record.category or "unclassified"


def by_year(finding: Finding) -> str:
    """The year of the record's date, or ``unknown``."""
    return (finding.record.date or "")[:4] or "unknown"


def by_buyer(finding: Finding) -> str:
    """The buyer's name (else its identifier, else ``unknown``)."""
    buyer = finding.record.buyer
    return buyer.name or buyer.id or "unknown"


def by_group(finding: Finding) -> str:
    """The matched company's group name."""
    return finding.match.group_name
