"""Assessment: every figure recomputed by hand from assessment.yaml and the starter data."""

from __future__ import annotations

import pytest

from vigie.assess.assessment import (
    AssessmentWeights,
    CaseInputs,
    assess_group,
    case_facts,
    corroborated_confidence,
    involvement,
    leverage_level,
    load_weights,
    spend_by_buyer_and_group,
    strongest_source,
)
from vigie.kb import KnowledgeBase, SourceType


@pytest.fixture(scope="module")
def weights() -> AssessmentWeights:
    return load_weights()


def test_weights_cover_every_starter_category(
    kb: KnowledgeBase, weights: AssessmentWeights
) -> None:
    for category in kb.categories:
        assert category in weights.severity
        assert category in weights.involvement
        assert category in weights.technologies
    assert set(weights.source_rank) == set(SourceType)
    assert set(weights.source_weights) == set(SourceType)


def test_unknown_category_gets_the_default(weights: AssessmentWeights) -> None:
    assert weights.parts("a-users-own-category") == weights.default_severity
    assert weights.involvement_of("a-users-own-category") == "directly_linked"


def test_corroboration_by_hand(weights: AssessmentWeights) -> None:
    # 1 - (1 - 0.6) * (1 - 0.5) = 0.8
    types = [SourceType.JOURNALISM, SourceType.NGO]
    assert corroborated_confidence(types, weights) == 0.8
    assert corroborated_confidence([SourceType.ADVOCACY], weights) == 0.2
    assert corroborated_confidence([], weights) == 0.0


def test_oracle_is_documented_by_advocacy_only(
    kb: KnowledgeBase, weights: AssessmentWeights
) -> None:
    oracle = assess_group(kb, "oracle", weights)
    assert [i.evidence.id for i in oracle.items] == ["bds-2025-geneva-call"]
    item = oracle.items[0]
    # military-security-supply: (3 + 3 + 3) / 9
    assert item.severity == 1.0
    assert item.confidence == 0.2
    assert oracle.heightened
    assert strongest_source(oracle, weights) == "advocacy"
    assert oracle.confidence_from(weights.severe_from) == 0.2


def test_microsoft_items(kb: KnowledgeBase, weights: AssessmentWeights) -> None:
    microsoft = assess_group(kb, "microsoft", weights)
    by_id = {i.evidence.id: i for i in microsoft.items}
    guardian = by_id["guardian-2025-unit-8200-azure"]
    # surveillance (3 + 3 + 2) / 9 = 0.89 and military-security-supply (3 + 3 + 3) / 9 = 1.0:
    # the most severe category decides; one journalism source -> 0.6
    assert set(guardian.evidence.categories) == {"surveillance", "military-security-supply"}
    assert (guardian.category, guardian.severity, guardian.confidence) == (
        "military-security-supply",
        1.0,
        0.6,
    )
    assert guardian.responses >= 1  # Microsoft's statements answer it
    assert microsoft.confidence == max(i.confidence for i in microsoft.items)
    assert strongest_source(microsoft, weights) == "un_body"


def test_involvement_depends_on_the_procured_technology(
    kb: KnowledgeBase, weights: AssessmentWeights
) -> None:
    oracle = assess_group(kb, "oracle", weights)
    assert involvement(oracle, "cloud-data", weights) == "contribute"
    assert involvement(oracle, None, weights) == "directly_linked"
    assert involvement(oracle, "other", weights) == "directly_linked"
    nobody = assess_group(kb, "no-such-group-has-evidence", weights)
    assert involvement(nobody, "cloud-data", weights) is None


def test_leverage_thresholds(weights: AssessmentWeights) -> None:
    assert leverage_level(None, weights) is None
    assert leverage_level(99_999.99, weights) == "low"
    assert leverage_level(100_000, weights) == "medium"
    assert leverage_level(1_000_000, weights) == "high"


def test_spend_sums_per_buyer_and_group() -> None:
    rows = [
        ("b1", "oracle", 10.0),
        ("b1", "oracle", 5.5),
        ("b2", "oracle", None),
        (None, "ibm", 1.0),
    ]
    assert spend_by_buyer_and_group(rows) == {("b1", "oracle"): 15.5, (None, "ibm"): 1.0}


def test_case_facts(kb: KnowledgeBase, weights: AssessmentWeights) -> None:
    oracle = assess_group(kb, "oracle", weights)
    facts = case_facts(oracle, CaseInputs("hardware", ("cloud-data", "ai"), 51430.44, 0), weights)
    assert facts == {
        "assessment.evidence_count": 1,
        "assessment.severity": 1.0,
        "assessment.confidence": 0.2,
        "assessment.severe_confidence": 0.2,
        "assessment.heightened": True,
        "assessment.strongest_source": "advocacy",
        "assessment.categories": ["military-security-supply"],
        "assessment.involvement": "contribute",
        "assessment.responses": 0,
        "record.category": "hardware",
        "record.dual_use": False,
        "leverage.spend": 51430.44,
        "leverage.level": "low",
        "alternatives.viable": 0,
    }
