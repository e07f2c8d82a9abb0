"""The workspace as the web pages see it: every imported record screened under one policy.

:func:`analyse` composes the library steps of :func:`vigie.pipeline.screen` (categorise,
match suppliers and mentions with the review judgements applied, aggregate exposure, decide)
over every file imported in the workspace; the
result is computed once and replaced after each screening run. Filters and breakdowns reuse
:mod:`vigie.assess.breakdown`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vigie import __version__
from vigie.assess import Finding, GroupExposure, exposure_by_group
from vigie.assess.breakdown import KeyOf, Slice, breakdown, by_buyer, by_category, by_group, by_year
from vigie.assess.decisions import CaseDecision, decide
from vigie.assess.policy import Policy
from vigie.kb import KnowledgeBase
from vigie.pipeline import alternatives_considered, find_all, merge_across_files
from vigie.present import Messages
from vigie.sources.records import ProcurementRecord
from vigie.sources.taxonomy import categorize_records
from vigie.store import Workspace

DIMENSIONS: dict[str, KeyOf] = {
    "group": by_group,
    "category": by_category,
    "buyer": by_buyer,
    "year": by_year,
}


def record_key(record: ProcurementRecord) -> str:
    """A stable short id of a record: its source label and position, hashed."""
    raw = f"{record.source_file}\x1f{record.position}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Records, findings, exposure and decisions of the whole workspace."""

    records: Mapping[str, ProcurementRecord]
    findings: Sequence[Finding]
    exposures: Sequence[GroupExposure]
    cases: Sequence[CaseDecision]
    policy: Policy
    rejected: int = 0
    inputs: Sequence[Mapping[str, str]] = ()
    kb_version: str = ""

    def summary(self) -> dict[str, Any]:
        """What the report's company and case pages show about the run."""
        return {
            "vigie_version": __version__,
            "kb_version": self.kb_version,
            "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "inputs": list(self.inputs),
        }

    def findings_of(self, key: str) -> list[Finding]:
        """The findings about one record."""
        return [f for f in self.findings if record_key(f.record) == key]

    def cases_of(self, key: str) -> list[tuple[int, CaseDecision]]:
        """The numbered decisions about one record."""
        return [
            (n, c) for n, c in enumerate(self.cases, start=1) if record_key(c.finding.record) == key
        ]

    def cases_of_group(self, group_id: str) -> list[tuple[int, CaseDecision]]:
        """The numbered decisions about one corporate group."""
        return [
            (n, c)
            for n, c in enumerate(self.cases, start=1)
            if c.finding.match.group_id == group_id
        ]


@dataclass(frozen=True, slots=True)
class Filters:
    """Dashboard filters: a value per dimension (group, category, buyer, year), or none."""

    values: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, params: Mapping[str, str | None]) -> Filters:
        """The filters among ``params`` (unknown keys and empty values ignored)."""
        return cls({k: v for k, v in params.items() if k in DIMENSIONS and v})

    def keep(self, finding: Finding) -> bool:
        """Whether a finding passes every filter."""
        return all(DIMENSIONS[k](finding) == v for k, v in self.values.items())

    def apply(self, findings: Sequence[Finding]) -> list[Finding]:
        """The findings that pass every filter."""
        return [f for f in findings if self.keep(f)]


def breakdowns(findings: Sequence[Finding]) -> dict[str, list[Slice]]:
    """Exposure by group, category, buyer and year (each record once per key)."""
    return {name: breakdown(findings, key_of) for name, key_of in DIMENSIONS.items()}


def analyse(workspace: Workspace, kb: KnowledgeBase, policy: Policy) -> Analysis:
    """Screen every record imported in the workspace, with the review judgements applied
    (as :func:`vigie.pipeline.find_all` does: the pending candidates are recorded for review
    under the run id ``web``; no other output is written)."""
    imported = [workspace.load(sha, path) for sha, path in workspace.imports()]
    loaded = merge_across_files(imported, workspace)
    t = Messages("en")
    records = categorize_records((r for result in loaded for r in result.records), t)
    matcher, findings = find_all(records, kb, workspace, "web")
    cases = decide(findings, kb, policy, alternatives_considered(kb, matcher, policy))
    return Analysis(
        records={record_key(r): r for r in records},
        findings=findings,
        exposures=exposure_by_group(findings),
        cases=cases,
        policy=policy,
        rejected=sum(len(result.rejections) for result in loaded),
        inputs=[{"path": result.path, "sha256": result.sha256} for result in loaded],
        kb_version=kb.version,
    )
