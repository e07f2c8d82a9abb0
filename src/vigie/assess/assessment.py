"""Due-diligence assessment: severity, confidence, involvement, heightened due diligence, leverage.

Pure functions over the knowledge base and a procurement record; every number comes from the
weights in ``assessment.yaml`` and is kept with its inputs so that a reader can recompute it
(docs/methodology.md). The result of a case is a flat mapping of named facts that policies
(:mod:`vigie.assess.policy`) test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

import yaml
from pydantic import Field

from vigie.datamodel import Strict as _Strict
from vigie.kb import Evidence, KnowledgeBase, SourceType

Involvement = Literal["cause", "contribute", "directly_linked"]
INVOLVEMENT_ORDER: tuple[Involvement, ...] = ("cause", "contribute", "directly_linked")


class SeverityParts(_Strict):
    """UNGP 14/24 components, each from 1 (low) to 3 (high)."""

    scale: int = Field(ge=1, le=3)
    scope: int = Field(ge=1, le=3)
    irremediable: int = Field(ge=1, le=3)


class Leverage(_Strict):
    """Spend thresholds for the leverage level."""

    medium: float = Field(gt=0)
    high: float = Field(gt=0)


class AssessmentWeights(_Strict):
    """The validated content of ``assessment.yaml``."""

    severity: dict[str, SeverityParts]
    default_severity: SeverityParts
    severe_from: float = Field(ge=0, le=1)
    source_weights: dict[SourceType, float]
    source_rank: tuple[SourceType, ...]
    involvement: dict[str, Involvement]
    technologies: dict[str, tuple[str, ...]]
    leverage: Leverage

    def parts(self, category: str) -> SeverityParts:
        """Severity components of an evidence category (the default when not listed)."""
        return self.severity.get(category, self.default_severity)

    def involvement_of(self, category: str) -> Involvement:
        """UNGP 13 involvement recorded for a category (``directly_linked`` when not listed)."""
        return self.involvement.get(category, "directly_linked")


@cache
def load_weights() -> AssessmentWeights:
    """The assessment weights shipped with vigie (validated)."""
    text = files("vigie.assess").joinpath("assessment.yaml").read_text(encoding="utf-8")
    return AssessmentWeights.model_validate(yaml.safe_load(text))


@dataclass(frozen=True, slots=True)
class ItemAssessment:
    """One evidence item, weighed."""

    evidence: Evidence
    category: str
    parts: SeverityParts
    severity: float
    source_types: tuple[SourceType, ...]
    confidence: float
    heightened: bool
    responses: int


@dataclass(frozen=True, slots=True)
class GroupAssessment:
    """What the knowledge base documents about a group, weighed item by item."""

    group_id: str
    items: tuple[ItemAssessment, ...]

    @property
    def severity(self) -> float:
        """Highest item severity (0 without evidence)."""
        return max((i.severity for i in self.items), default=0.0)

    @property
    def confidence(self) -> float:
        """Highest item confidence (0 without evidence)."""
        return max((i.confidence for i in self.items), default=0.0)

    def confidence_from(self, min_severity: float) -> float:
        """Highest confidence among items at least this severe (0 when none)."""
        return max((i.confidence for i in self.items if i.severity >= min_severity), default=0.0)

    @property
    def heightened(self) -> bool:
        """Whether any item concerns a conflict-affected context."""
        return any(i.heightened for i in self.items)


def assess_group(kb: KnowledgeBase, group_id: str, weights: AssessmentWeights) -> GroupAssessment:
    """Weigh every evidence item about any company of the group."""
    items = tuple(
        _assess_item(kb, item, group_id, weights) for item in kb.evidence_for_group(group_id)
    )
    return GroupAssessment(group_id, items)


def _assess_item(
    kb: KnowledgeBase, item: Evidence, group_id: str, weights: AssessmentWeights
) -> ItemAssessment:
    # The item's most severe category decides its severity (first listed on a tie).
    category = max(item.categories, key=lambda c: _severity(weights.parts(c)))
    parts = weights.parts(category)
    types = tuple(kb.sources[s].type for s in dict.fromkeys(item.sources))
    context = kb.contexts.get(item.context) if item.context else None
    return ItemAssessment(
        evidence=item,
        category=category,
        parts=parts,
        severity=_severity(parts),
        source_types=types,
        confidence=corroborated_confidence(types, weights),
        heightened=bool(context and context.conflict_affected),
        responses=len(kb.responses_to(item.id, group_id)),
    )


def _severity(parts: SeverityParts) -> float:
    return round((parts.scale + parts.scope + parts.irremediable) / 9, 2)


def corroborated_confidence(types: Sequence[SourceType], weights: AssessmentWeights) -> float:
    """``1 - prod(1 - weight)`` over distinct sources, rounded to 2 decimals."""
    doubt = 1.0
    for source_type in types:
        doubt *= 1.0 - weights.source_weights[source_type]
    return round(1.0 - doubt, 2)


def strongest_source(assessment: GroupAssessment, weights: AssessmentWeights) -> str | None:
    """The strongest source type among the group's evidence (``source_rank`` order)."""
    present = {t for item in assessment.items for t in item.source_types}
    return next((t.value for t in weights.source_rank if t in present), None)


def involvement(
    assessment: GroupAssessment, category: str | None, weights: AssessmentWeights
) -> Involvement | None:
    """UNGP 13 involvement for a purchase of ``category`` from the group.

    For each category of each evidence item: when the conduct concerns the procured technology
    category, that category's involvement; otherwise ``directly_linked``. The closest
    involvement wins.
    """
    if not assessment.items:
        return None
    found: list[Involvement] = []
    for item in assessment.items:
        for kind in item.evidence.categories:
            concerned = weights.technologies.get(kind, ())
            if category is not None and category in concerned:
                found.append(weights.involvement_of(kind))
            else:
                found.append("directly_linked")
    return min(found, key=INVOLVEMENT_ORDER.index)


def leverage_level(spend: float | None, weights: AssessmentWeights) -> str | None:
    """``low``, ``medium`` or ``high`` from the buyer's spend with the group."""
    if spend is None:
        return None
    if spend >= weights.leverage.high:
        return "high"
    return "medium" if spend >= weights.leverage.medium else "low"


@dataclass(frozen=True, slots=True)
class CaseInputs:
    """What a case adds to the group assessment: the record and the buyer's relationship."""

    category: str | None
    dual_use_categories: tuple[str, ...]
    buyer_spend: float | None
    viable_alternatives: int


def case_facts(
    assessment: GroupAssessment, case: CaseInputs, weights: AssessmentWeights
) -> dict[str, str | int | float | bool | list[str] | None]:
    """The named facts that policies test, for one (record, group) case."""
    items = assessment.items
    return {
        "assessment.evidence_count": len(items),
        "assessment.severity": assessment.severity,
        "assessment.confidence": assessment.confidence,
        "assessment.severe_confidence": assessment.confidence_from(weights.severe_from),
        "assessment.heightened": assessment.heightened,
        "assessment.strongest_source": strongest_source(assessment, weights),
        "assessment.categories": sorted({c for i in items for c in i.evidence.categories}),
        "assessment.involvement": involvement(assessment, case.category, weights),
        "assessment.responses": sum(i.responses for i in items),
        "record.category": case.category,
        "record.dual_use": case.category in case.dual_use_categories,
        "leverage.spend": case.buyer_spend,
        "leverage.level": leverage_level(case.buyer_spend, weights),
        "alternatives.viable": case.viable_alternatives,
    }


def spend_by_buyer_and_group(
    rows: Sequence[tuple[str | None, str, float | None]],
) -> Mapping[tuple[str | None, str], float]:
    """Sum of amounts per (buyer id, group id) from (buyer, group, amount) rows."""
    totals: dict[tuple[str | None, str], float] = {}
    for buyer, group, amount in rows:
        if amount is not None:
            totals[(buyer, group)] = totals.get((buyer, group), 0.0) + amount
    return totals
