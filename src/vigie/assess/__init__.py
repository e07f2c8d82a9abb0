"""Assess: findings, exposure by corporate group, and the evidence documented about each."""

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
    "EvidenceView",
    "Finding",
    "GroupDossier",
    "GroupExposure",
    "dossiers",
    "exposure_by_group",
    "find_supplier_matches",
]
