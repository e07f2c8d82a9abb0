"""Assess: findings, exposure by corporate group, and the evidence documented about each."""

from vigie.assess.alternatives import (
    AlternativeView,
    alternatives_for,
    load_alternatives,
    shipped_alternatives,
    viable_count,
)
from vigie.assess.exposure import (
    EvidenceView,
    Finding,
    GroupDossier,
    GroupExposure,
    dossiers,
    exposure_by_group,
    find_supplier_matches,
)

__all__ = [
    "AlternativeView",
    "EvidenceView",
    "Finding",
    "GroupDossier",
    "GroupExposure",
    "alternatives_for",
    "dossiers",
    "exposure_by_group",
    "find_supplier_matches",
    "load_alternatives",
    "shipped_alternatives",
    "viable_count",
]
