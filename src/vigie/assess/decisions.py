"""Decisions: each (record, group) finding assessed and run through a procurement policy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vigie.assess.alternatives import AlternativeView, viable_count
from vigie.assess.assessment import (
    AssessmentWeights,
    CaseInputs,
    GroupAssessment,
    assess_group,
    case_facts,
    load_weights,
    spend_by_buyer_and_group,
)
from vigie.assess.exposure import Finding
from vigie.assess.policy import Decision, DecisionKind, FactValue, Policy, evaluate
from vigie.kb import KnowledgeBase

# The alternative providers considered for a technology category (None: category unknown).
AlternativesFor = Callable[[str | None], Sequence[AlternativeView]]


@dataclass(frozen=True, slots=True)
class CaseDecision:
    """One record bought from one group: the assessment facts and the policy's decision."""

    finding: Finding
    assessment: GroupAssessment
    facts: dict[str, FactValue]
    decision: Decision
    alternatives: tuple[AlternativeView, ...] = ()

    @property
    def kind(self) -> DecisionKind:
        """The decision (exclude, enhanced due diligence, engage and monitor, no finding)."""
        return self.decision.kind


def decide(
    findings: Sequence[Finding],
    kb: KnowledgeBase,
    policy: Policy,
    alternatives: AlternativesFor | None = None,
    weights: AssessmentWeights | None = None,
) -> list[CaseDecision]:
    """Assess and decide every (record, group) case of ``findings``, in their order.

    A record matched to several companies of one group is one case. Leverage uses the buyer's
    spend with the group over all the findings given (each record counted once per group).
    ``alternatives`` gives the providers considered for a category (asked once per category).
    """
    weights = weights or load_weights()
    cases = _cases(findings)
    spend = spend_by_buyer_and_group(
        [(f.record.buyer.id, f.match.group_id, f.record.amount) for f in cases]
    )
    groups: dict[str, GroupAssessment] = {}
    considered: dict[str | None, tuple[AlternativeView, ...]] = {}
    out = []
    for finding in cases:
        group_id = finding.match.group_id
        if group_id not in groups:
            groups[group_id] = assess_group(kb, group_id, weights)
        category = finding.record.category
        if category not in considered:
            considered[category] = tuple(alternatives(category)) if alternatives else ()
        inputs = CaseInputs(
            category=category,
            dual_use_categories=policy.dual_use_categories,
            buyer_spend=spend.get((finding.record.buyer.id, group_id)),
            viable_alternatives=viable_count(considered[category]),
        )
        facts = case_facts(groups[group_id], inputs, weights)
        decision = evaluate(policy, facts)
        case = CaseDecision(finding, groups[group_id], facts, decision, considered[category])
        out.append(case)
    return out


def _cases(findings: Sequence[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str]] = set()
    cases = []
    for finding in findings:
        key = (finding.record.source_file, finding.record.position, finding.match.group_id)
        if key not in seen:
            seen.add(key)
            cases.append(finding)
    return cases


def decision_counts(decisions: Sequence[CaseDecision]) -> dict[str, int]:
    """Number of cases per decision, every decision listed (most restrictive first)."""
    counts = {kind.value: 0 for kind in DecisionKind}
    for case in decisions:
        counts[case.kind.value] += 1
    return counts
