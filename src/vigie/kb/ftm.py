"""FollowTheMoney (FtM) entities: import from JSON lines, export for other tools.

Import reads the line-delimited JSON that OpenSanctions and Aleph export (one entity per
line: ``{"id", "schema", "properties": {name: [values]}}``; fragments with the same id are
merged). Company, Organization and LegalEntity become companies (or extend the existing
company they match), Ownership becomes a dated ownership link, Sanction and Risk become
attributed evidence. Other schemas (Person, Address...) are reported as not imported.
Export writes companies and ownership links as FtM entities (docs/knowledge-base.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from vigie.datamodel import Text
from vigie.kb.base import KnowledgeBase
from vigie.kb.importing import (
    Draft,
    ImportLimits,
    Resolver,
    add_company,
    identifiers_from,
    partial_date,
    short_hash,
    slug,
    validated,
)
from vigie.kb.model import Company, Evidence, Ownership, Source, SourceType

COMPANY_SCHEMAS = frozenset({"Company", "Organization", "LegalEntity"})
EVIDENCE_SCHEMAS = frozenset({"Sanction", "Risk"})
IDENTIFIER_PROPS = {
    "leiCode": "lei",
    "dunsCode": "duns",
    "vatCode": "vat",
    "wikidataId": "wikidata",
}
RISK_TOPICS = {
    "sanction": "sanctions",
    "sanction.linked": "sanctions",
    "sanction.counter": "sanctions",
    "debarment": "sanctions",
    "export.control": "sanctions",
    "export.risk": "sanctions",
    "mil": "military-security-supply",
}
"""FtM topics mapped to evidence categories; a Risk with none of them is not imported."""

Entity = dict[str, Any]


@cache
def _texts() -> dict[str, Text]:
    raw = files("vigie.kb").joinpath("import_texts.yaml").read_text(encoding="utf-8")
    return {key: Text.model_validate(value) for key, value in yaml.safe_load(raw).items()}


def iter_json_lines(path: Path, draft: Draft, limits: ImportLimits) -> Iterator[tuple[str, Any]]:
    """(position, parsed value) of every non-blank line; bad lines are rejected and skipped."""
    with path.open("rb") as handle:
        lineno = 0
        while True:
            line = handle.readline(limits.max_line_bytes + 1)
            if not line:
                return
            lineno += 1
            position = f"line {lineno}"
            if len(line) > limits.max_line_bytes and not line.endswith(b"\n"):
                draft.records_read += 1
                draft.reject(position, "line_too_long", limit=limits.max_line_bytes)
                _skip_rest_of_line(handle)
                continue
            if not line.strip():
                continue
            draft.records_read += 1
            if draft.records_read > limits.max_records:
                draft.reject(position, "too_many_records", limit=limits.max_records)
                continue
            try:
                yield position, json.loads(line.decode("utf-8"))
            except UnicodeDecodeError:
                draft.reject(position, "invalid_utf8")
            except (ValueError, RecursionError) as exc:
                draft.reject(position, "broken_json", reason=str(exc)[:120])


def _skip_rest_of_line(handle: Any) -> None:
    while chunk := handle.readline(1024 * 1024):
        if chunk.endswith(b"\n"):
            return


def _values(entity: Entity, prop: str) -> list[str]:
    raw = entity.get("properties", {}).get(prop, [])
    values = raw if isinstance(raw, list) else [raw]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _collect(path: Path, draft: Draft, limits: ImportLimits) -> dict[str, tuple[str, Entity]]:
    """Entities by FtM id (fragments merged), with the position of their first line."""
    entities: dict[str, tuple[str, Entity]] = {}
    for position, value in iter_json_lines(path, draft, limits):
        if not isinstance(value, dict):
            draft.reject(position, "not_object")
            continue
        ftm_id, schema, props = value.get("id"), value.get("schema"), value.get("properties")
        if not isinstance(ftm_id, str) or not isinstance(schema, str) or not ftm_id:
            draft.reject(position, "missing_field", field="id/schema")
            continue
        if not isinstance(props, dict):
            draft.reject(position, "missing_field", field="properties")
            continue
        if ftm_id in entities:
            merged = entities[ftm_id][1]["properties"]
            for key, vals in props.items():
                merged.setdefault(key, [])
                merged[key] = [*merged[key], *(vals if isinstance(vals, list) else [vals])]
            continue
        entities[ftm_id] = (position, {"schema": schema, "properties": dict(props)})
    return entities


def read_ftm(
    path: Path, name: str, kb: KnowledgeBase | None, limits: ImportLimits | None = None
) -> Draft:
    """Read a FollowTheMoney JSON-lines file into an import draft."""
    limits = limits or ImportLimits()
    draft = Draft(name=name)
    entities = _collect(path, draft, limits)
    publisher = next(
        (v for _, e in entities.values() for v in _values(e, "publisher")), "FollowTheMoney data"
    )
    file_source = draft.add_source(
        Source(id=f"import-{slug(name)}", type=SourceType.DATASET, publisher=publisher, title=name)
    )
    resolver, ids = Resolver(kb), {}
    for ftm_id, (position, entity) in entities.items():
        if entity["schema"] in COMPANY_SCHEMAS:
            company_id = _company(draft, resolver, ftm_id, entity, position, file_source)
            if company_id:
                ids[ftm_id] = company_id
    for ftm_id, (position, entity) in entities.items():
        schema = entity["schema"]
        if schema == "Ownership":
            _ownership(draft, ids, entity, position, file_source)
        elif schema in EVIDENCE_SCHEMAS:
            _evidence(draft, ids, ftm_id, entity, position, publisher)
        elif schema not in COMPANY_SCHEMAS:
            draft.reject(position, "unknown_schema", schema=schema)
    return draft


def _company(
    draft: Draft, resolver: Resolver, ftm_id: str, entity: Entity, position: str, source: str
) -> str | None:
    names = _values(entity, "name")
    if not names:
        draft.reject(position, "missing_name")
        return None
    countries = [c.lower() for c in _values(entity, "country") if len(c) == 2 and c.isalpha()]
    pairs = [(s, v) for prop, s in IDENTIFIER_PROPS.items() for v in _values(entity, prop)]
    if countries[:1] == ["fr"]:
        pairs += [("siren", v) for v in _values(entity, "registrationNumber") if len(v) == 9]
    if countries[:1] == ["gb"]:
        pairs += [("gb-coh", v) for v in _values(entity, "registrationNumber")]
    data = {
        "id": f"{slug(names[0])}-{short_hash(ftm_id)}",
        "name": names[0],
        "aliases": tuple(dict.fromkeys((*names[1:], *_values(entity, "alias")))),
        "former_names": tuple(_values(entity, "previousName")),
        "identifiers": identifiers_from(pairs, draft, position),
        "country": countries[0] if countries else None,
        "sources": (source,),
    }
    company = validated(Company, data, draft, position)
    if company is None:
        return None
    return add_company(draft, resolver, company, position)[0]


def _dates(entity: Entity, draft: Draft, position: str, *props: str) -> list[str | None] | None:
    out: list[str | None] = []
    for prop in props:
        try:
            out.append(partial_date(next(iter(_values(entity, prop)), None)))
        except ValueError:
            draft.reject(position, "bad_date", field=prop, value=_values(entity, prop)[0])
            return None
    return out


def _ownership(
    draft: Draft, ids: dict[str, str], entity: Entity, position: str, source: str
) -> None:
    owner, asset = _values(entity, "owner")[:1], _values(entity, "asset")[:1]
    if not owner or not asset:
        draft.reject(position, "missing_field", field="owner/asset")
        return
    if owner[0] not in ids or asset[0] not in ids:
        missing = asset[0] if owner[0] in ids else owner[0]
        draft.reject(position, "unknown_reference", ref=missing)
        return
    dates = _dates(entity, draft, position, "startDate", "endDate")
    if dates is None:
        return
    share = None
    if pct := _values(entity, "percentage"):
        try:
            share = float(pct[0].rstrip("%").replace(",", "."))
        except ValueError:
            draft.remark(position, "bad_value", field="percentage", value=pct[0])
    data = {"child": ids[asset[0]], "parent": ids[owner[0]], "start": dates[0], "end": dates[1]}
    link = validated(Ownership, {**data, "share": share, "sources": (source,)}, draft, position)
    if link is not None:
        draft.add_link(link, position)


def _evidence(
    draft: Draft, ids: dict[str, str], ftm_id: str, entity: Entity, position: str, publisher: str
) -> None:
    target = _values(entity, "entity")[:1]
    if not target:
        draft.reject(position, "missing_field", field="entity")
        return
    if target[0] not in ids:
        draft.reject(position, "unknown_reference", ref=target[0])
        return
    is_sanction = entity["schema"] == "Sanction"
    topics = _values(entity, "topics")
    categories = (
        ["sanctions"] if is_sanction else [RISK_TOPICS[t] for t in topics if t in RISK_TOPICS]
    )
    if not categories:
        draft.reject(position, "unmapped_topics", topics=", ".join(topics) or "-")
        return
    dates = _dates(entity, draft, position, "listingDate", "startDate", "date")
    if dates is None:
        return
    company_id = ids[target[0]]
    company = draft.companies.get(company_id)
    values = {
        "authority": (_values(entity, "authority") or [""])[0],
        "program": (_values(entity, "program") or [""])[0],
        "company": company.name if company else company_id,
        "topics": ", ".join(topics),
    }
    source_id = _evidence_source(draft, ftm_id, entity, values, publisher, dates)
    claim = _claim("sanction_claim" if is_sanction else "risk_claim", values)
    data = {
        "id": f"{slug(values['authority'] or entity['schema'], 40)}-{short_hash(ftm_id)}",
        "companies": (company_id,),
        "categories": tuple(dict.fromkeys(categories)),
        "date": next((d for d in dates if d), None),
        "claim": claim,
        "sources": (source_id,),
        "confidence": "high" if is_sanction else "medium",
    }
    item = validated(Evidence, data, draft, position)
    if item is not None:
        draft.evidence[item.id] = item
        draft.origin[("evidence", item.id)] = position


def _evidence_source(
    draft: Draft,
    ftm_id: str,
    entity: Entity,
    values: dict[str, str],
    publisher: str,
    dates: list[str | None],
) -> str:
    urls = [u for u in _values(entity, "sourceUrl") + _values(entity, "programUrl")]
    url = next((u for u in urls if u.startswith(("https://", "http://"))), None)
    title = values["program"] or f"{entity['schema']} {ftm_id}"
    return draft.add_source(
        Source(
            id=f"src-{short_hash(ftm_id)}",
            type=SourceType.GOVERNMENT if entity["schema"] == "Sanction" else SourceType.DATASET,
            publisher=values["authority"] or publisher,
            title=title,
            date=next((d for d in dates if d), None),
            url=url,
        )
    )


def _claim(key: str, values: dict[str, str]) -> Text:
    texts = _texts()
    out = {}
    for lang in ("en", "fr"):
        filled = dict(values)
        filled["authority"] = values["authority"] or texts["unknown_authority"].get(lang)
        filled["program"] = values["program"] or texts["unknown_program"].get(lang)
        out[lang] = texts[key].get(lang).format(**filled)
    return Text(**out)


# --- export ------------------------------------------------------------------------------------

_EXPORT_IDS = {"lei": "leiCode", "duns": "dunsCode", "vat": "vatCode", "wikidata": "wikidataId"}


def ftm_id(company_id: str) -> str:
    """The FtM entity id under which a company is exported."""
    return f"vigie-{company_id}"


def export_entities(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    """Companies, then ownership links (the ``parent`` shorthands and dated links) as FtM."""
    for company in kb.companies.values():
        props: dict[str, list[str]] = {"name": [company.name]}
        if company.aliases:
            props["alias"] = list(company.aliases)
        if company.former_names:
            props["previousName"] = list(company.former_names)
        if company.country:
            props["country"] = [company.country]
        for ident in company.identifiers:
            prop = _EXPORT_IDS.get(ident.scheme, "registrationNumber")
            props.setdefault(prop, []).append(ident.value)
        if company.note:
            props["notes"] = [company.note]
        yield {"id": ftm_id(company.id), "schema": "Company", "properties": props}
    for link in kb.groups.links:
        own = link.ownership
        props = {"owner": [ftm_id(own.parent)], "asset": [ftm_id(own.child)]}
        for prop, value in (("startDate", own.start), ("endDate", own.end)):
            if value:
                props[prop] = [value]
        if own.share is not None:
            props["percentage"] = [f"{own.share:g}"]
        key = f"{own.child}|{own.parent}|{own.start}|{own.end}"
        yield {"id": f"vigie-own-{short_hash(key)}", "schema": "Ownership", "properties": props}


def write_ftm(kb: KnowledgeBase, path: Path) -> int:
    """Write the export as JSON lines; the number of entities written."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for entity in export_entities(kb):
            handle.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count
