"""Decisions over findings: one case per (record, group), leverage from spend, policy applied."""

from __future__ import annotations

import dataclasses

import pytest

from vigie.assess import find_supplier_matches
from vigie.assess.alternatives import AlternativeView, shipped_alternatives
from vigie.assess.decisions import decide, decision_counts
from vigie.assess.policy import DecisionKind, load_policy
from vigie.kb import KnowledgeBase
from vigie.resolve import Matcher
from vigie.sources.records import Party, ProcurementRecord


def _record(
    position: str, supplier: str, amount: float | None, category: str | None
) -> ProcurementRecord:
    return ProcurementRecord(
        source_file="/in/a.json",
        position=position,
        line=1,
        record_id="id" + position,
        kind="contract",
        buyer=Party("b1", "SIRET", "Ville de Test"),
        suppliers=(Party("s", "SIRET", supplier),),
        title="Contrat",
        amount=amount,
        currency="EUR",
        date="2024-03-18",
        cpv=None,
        cpv_raw=None,
        procedure=None,
        content_hash="h" + position,
        category=category,
    )


VIABLE = AlternativeView(shipped_alternatives().providers[0], True, (), ())


@pytest.fixture(scope="module")
def matcher(kb: KnowledgeBase) -> Matcher:
    return Matcher(kb)


def test_seed_policy_on_microsoft_cloud(kb: KnowledgeBase, matcher: Matcher) -> None:
    records = [
        _record("/marches/0", "MICROSOFT FRANCE", 80_000.0, "cloud-data"),
        _record("/marches/1", "Microsoft Ireland Operations Limited", 40_000.0, "software"),
    ]
    findings = find_supplier_matches(records, matcher)
    policy = load_policy("seed-ethical-procurement")
    without = decide(findings, kb, policy)
    with_alternative = decide(findings, kb, policy, alternatives=lambda category: [VIABLE])
    # No viable alternative: the exclusion rule cannot fire.
    assert [c.kind for c in without] == [DecisionKind.ENHANCED_DUE_DILIGENCE] * 2
    # Cloud is dual-use under this policy, software is not.
    assert [c.kind for c in with_alternative] == [
        DecisionKind.EXCLUDE,
        DecisionKind.ENHANCED_DUE_DILIGENCE,
    ]
    first = with_alternative[0]
    assert first.facts["leverage.spend"] == 120_000.0  # both records, same buyer and group
    assert first.facts["leverage.level"] == "medium"
    assert first.decision.fired[0].rule.id == "exclude-dual-use-with-alternative"
    assert decision_counts(with_alternative) == {
        "exclude": 1,
        "enhanced_due_diligence": 1,
        "engage_and_monitor": 0,
        "no_finding": 0,
    }


def test_baseline_policy_never_excludes(kb: KnowledgeBase, matcher: Matcher) -> None:
    findings = find_supplier_matches(
        [_record("/m/0", "ORACLE FRANCE", 10.0, "cloud-data")], matcher
    )
    cases = decide(findings, kb, load_policy("ungp-baseline"), alternatives=lambda c: [VIABLE] * 3)
    assert [c.kind for c in cases] == [DecisionKind.ENHANCED_DUE_DILIGENCE]
    # Oracle is documented by an advocacy source only (confidence 0.2).
    assert cases[0].facts["assessment.confidence"] == 0.2


def test_one_case_per_record_and_group(kb: KnowledgeBase, matcher: Matcher) -> None:
    record = _record("/m/0", "ORACLE FRANCE", 10.0, None)
    record = dataclasses.replace(
        record, suppliers=(*record.suppliers, Party("t", "SIRET", "Oracle Corporation"))
    )
    findings = find_supplier_matches([record], matcher)
    assert len(findings) == 2  # two companies of one group
    assert len(decide(findings, kb, load_policy("ungp-baseline"))) == 1


def test_no_findings_no_decisions(kb: KnowledgeBase) -> None:
    assert decide([], kb, load_policy("ungp-baseline")) == []


def test_seed_policy_excludes_cloud_with_screened_alternatives(
    kb: KnowledgeBase, matcher: Matcher
) -> None:
    from vigie.assess.alternatives import alternatives_for
    from vigie.present.dossier import render_case

    policy = load_policy("seed-ethical-procurement")
    record = _record("/m/0", "MICROSOFT IRELAND OPERATIONS LTD", 250_000.0, "cloud-data")
    findings = find_supplier_matches([record], matcher)
    cases = decide(
        findings,
        kb,
        policy,
        alternatives=lambda c: alternatives_for(c, kb, matcher, policy.alternatives) if c else [],
    )
    assert [c.kind for c in cases] == [DecisionKind.EXCLUDE]
    case = cases[0]
    assert case.facts["alternatives.viable"] == sum(a.viable for a in case.alternatives) >= 1
    summary = {"vigie_version": "t", "kb_version": kb.version, "inputs": []}
    page = render_case("en", kb, (1, case), policy, summary)
    for alternative in case.alternatives:
        assert alternative.provider.name in page
    assert "exclude-dual-use-with-alternative" in page
