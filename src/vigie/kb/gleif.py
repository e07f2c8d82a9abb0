"""GLEIF golden-copy CSV: Level 1 (LEI records) and Level 2 (relationship records).

Level 1 rows become companies with their LEI (or extend the existing company with the same
LEI or exact name). Level 2 rows become dated ownership links between two LEIs already known
(from the knowledge base, a previous Level 1 import, or the same import directory):
``IS_DIRECTLY_CONSOLIDATED_BY`` and ``IS_INTERNATIONAL_BRANCH_OF`` give the direct parent;
``IS_ULTIMATELY_CONSOLIDATED_BY`` is used only when the file gives no direct parent for the
child; fund relationships are not control links. Dates come from the period whose type is
``RELATIONSHIP_PERIOD`` (accounting periods are not ownership periods). See
docs/knowledge-base.md for the columns read.
"""

from __future__ import annotations

import re
from pathlib import Path

from vigie.kb.base import KnowledgeBase
from vigie.kb.csvrows import Row, iter_csv_rows
from vigie.kb.identifiers import normalise_identifier
from vigie.kb.importing import (
    Draft,
    ImportLimits,
    Resolver,
    add_company,
    identifiers_from,
    partial_date,
    slug,
    validated,
)
from vigie.kb.model import Company, Ownership, Source, SourceType

GLEIF_URL = "https://www.gleif.org/"
L1_REQUIRED = ("LEI", "Entity.LegalName")
L2_REQUIRED = (
    "Relationship.StartNode.NodeID",
    "Relationship.EndNode.NodeID",
    "Relationship.RelationshipType",
)
DIRECT = frozenset({"IS_DIRECTLY_CONSOLIDATED_BY", "IS_INTERNATIONAL_BRANCH_OF"})
ULTIMATE = "IS_ULTIMATELY_CONSOLIDATED_BY"


def _source(draft: Draft, level: str) -> str:
    return draft.add_source(
        Source(
            id=f"import-{slug(draft.name)}",
            type=SourceType.REGISTRY,
            publisher="Global Legal Entity Identifier Foundation (GLEIF)",
            title=f"GLEIF golden copy, {level} ({draft.name})",
            url=GLEIF_URL,
        )
    )


def read_gleif_l1(
    path: Path, name: str, kb: KnowledgeBase | None, limits: ImportLimits | None = None
) -> Draft:
    """Read LEI records (Level 1 golden-copy CSV) into companies."""
    draft = Draft(name=name)
    resolver = Resolver(kb)
    source = _source(draft, "Level 1 LEI records")
    for position, row in iter_csv_rows(path, draft, limits or ImportLimits(), L1_REQUIRED):
        status = row.get("Registration.RegistrationStatus", "")
        if status in {"ANNULLED", "DUPLICATE"}:
            draft.reject(position, "annulled", status=status)
            continue
        if not row["Entity.LegalName"]:
            draft.reject(position, "missing_name")
            continue
        country = row.get("Entity.LegalAddress.Country", "").lower()
        pairs = [("lei", row["LEI"])]
        registered = row.get("Entity.RegisteredAs", "")
        if country == "fr" and len(registered.replace(" ", "")) == 9:
            pairs.append(("siren", registered))
        try:
            normalise_identifier("lei", row["LEI"])
        except ValueError as exc:
            draft.reject(position, "bad_identifier", scheme="lei", value=row["LEI"], reason=exc)
            continue
        identifiers = identifiers_from(pairs, draft, position)
        aliases, former = _other_names(row)
        data = {
            "id": f"{slug(row['Entity.LegalName'], 50)}-{row['LEI'].lower()}",
            "name": row["Entity.LegalName"],
            "aliases": aliases,
            "former_names": former,
            "identifiers": identifiers,
            "country": country if len(country) == 2 and country.isalpha() else None,
            "sources": (source,),
            "note": "Entity status INACTIVE in GLEIF."
            if row.get("Entity.EntityStatus") == "INACTIVE"
            else None,
        }
        company = validated(Company, data, draft, position)
        if company is not None:
            add_company(draft, resolver, company, position)
    return draft


_OTHER_NAME = re.compile(
    r"^Entity\.(Transliterated)?OtherEntityNames\.(Transliterated)?OtherEntityName\.(\d+)$"
)


def _other_names(row: Row) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Aliases and former names from the numbered OtherEntityName columns and their type."""
    aliases: dict[str, None] = {}
    former: dict[str, None] = {}
    for column, value in row.items():
        if value and _OTHER_NAME.match(column) and value != row["Entity.LegalName"]:
            kind = row.get(f"{column}.type", "")
            (former if kind == "PREVIOUS_LEGAL_NAME" else aliases)[value] = None
    return tuple(aliases), tuple(former)


def _period(row: Row) -> tuple[str, str] | None:
    """Start and end of the relationship period (the period typed RELATIONSHIP_PERIOD)."""
    for n in (1, 2, 3, 4, 5):
        if row.get(f"Relationship.Period.{n}.periodType") == "RELATIONSHIP_PERIOD":
            start = row.get(f"Relationship.Period.{n}.startDate", "")
            end = row.get(f"Relationship.Period.{n}.endDate", "")
            return start, end
    return None


def read_gleif_l2(
    path: Path, name: str, kb: KnowledgeBase | None, limits: ImportLimits | None = None
) -> Draft:
    """Read relationship records (Level 2 golden-copy CSV) into ownership links."""
    draft = Draft(name=name)
    source = _source(draft, "Level 2 relationship records")
    by_lei = {
        i.value: c.id
        for c in (kb.companies.values() if kb else ())
        for i in c.identifiers
        if i.scheme == "lei"
    }
    rows = list(iter_csv_rows(path, draft, limits or ImportLimits(), L2_REQUIRED))
    direct_children = {
        r["Relationship.StartNode.NodeID"]
        for _, r in rows
        if r["Relationship.RelationshipType"] in DIRECT
    }
    for position, row in rows:
        link = _link(draft, row, position, by_lei, direct_children)
        if link is not None:
            link = validated(Ownership, {**link, "sources": (source,)}, draft, position)
            if link is not None:
                draft.add_link(link, position)
    return draft


def _refusal(
    row: Row, by_lei: dict[str, str], direct_children: set[str]
) -> tuple[str, dict[str, str]] | None:
    """Why a relationship row is not a usable control link (code, parameters), or None."""
    kind = row["Relationship.RelationshipType"]
    child_lei, parent_lei = row["Relationship.StartNode.NodeID"], row["Relationship.EndNode.NodeID"]
    status = row.get("Registration.RegistrationStatus", "")
    refusal: tuple[str, dict[str, str]] | None = None
    if kind not in DIRECT and kind != ULTIMATE:
        refusal = ("not_control_link", {"kind": kind})
    elif kind == ULTIMATE and child_lei in direct_children:
        refusal = ("redundant_link", {"lei": child_lei})
    elif status in {"ANNULLED", "DUPLICATE"}:
        refusal = ("annulled", {"status": status})
    else:
        unknown = [lei for lei in (child_lei, parent_lei) if lei.upper() not in by_lei]
        if unknown:
            refusal = ("unknown_reference", {"ref": unknown[0]})
    return refusal


def _link(
    draft: Draft, row: Row, position: str, by_lei: dict[str, str], direct_children: set[str]
) -> dict[str, object] | None:
    refusal = _refusal(row, by_lei, direct_children)
    if refusal is not None:
        draft.reject(position, refusal[0], **refusal[1])
        return None
    child_lei, parent_lei = row["Relationship.StartNode.NodeID"], row["Relationship.EndNode.NodeID"]
    period = _period(row) or ("", "")
    try:
        start, end = partial_date(period[0]), partial_date(period[1])
    except ValueError:
        draft.reject(position, "bad_date", field="Relationship.Period", value=period)
        return None
    if row.get("Relationship.RelationshipStatus") == "INACTIVE" and not end:
        draft.reject(position, "inactive_without_end", lei=child_lei)
        return None
    return {
        "child": by_lei[child_lei.upper()],
        "parent": by_lei[parent_lei.upper()],
        "start": start,
        "end": end,
    }
