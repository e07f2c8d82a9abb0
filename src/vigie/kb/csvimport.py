"""The documented CSV layout for a user's companies and ownership links.

One row per company (UTF-8, comma-separated, header row). Columns (only ``name`` is
required; unknown columns are reported once and ignored):

``id``, ``name``, ``aliases``, ``former_names``, ``country`` (ISO 3166 alpha-2),
``parent`` (id or exact name of a company in the file or the knowledge base),
``parent_start``, ``parent_end`` (partial dates), ``parent_share`` (percent),
``lei``, ``siren``, ``siret``, ``vat``, ``duns``, ``wikidata``, ``gb-coh``,
``source_publisher``, ``source_title``, ``source_url``, ``source_date``, ``note``.

Several aliases or former names are separated by ``|``. A row whose company already exists
(same identifier or exact name) extends it. See docs/knowledge-base.md.
"""

from __future__ import annotations

from pathlib import Path

from vigie.kb.base import KnowledgeBase
from vigie.kb.csvrows import Row, iter_csv_rows
from vigie.kb.identifiers import SCHEMES
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
from vigie.kb.model import Company, Ownership, Source, SourceType

COLUMNS = (
    "id",
    "name",
    "aliases",
    "former_names",
    "country",
    "parent",
    "parent_start",
    "parent_end",
    "parent_share",
    *SCHEMES,
    "source_publisher",
    "source_title",
    "source_url",
    "source_date",
    "note",
)


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in value.split("|") if v.strip()))


def read_companies_csv(
    path: Path, name: str, kb: KnowledgeBase | None, limits: ImportLimits | None = None
) -> Draft:
    """Read the documented CSV layout into companies, extensions and ownership links."""
    draft = Draft(name=name)
    resolver = Resolver(kb)
    file_source = draft.add_source(
        Source(
            id=f"import-{slug(name)}", type=SourceType.DATASET, publisher="User file", title=name
        )
    )
    rows = list(iter_csv_rows(path, draft, limits or ImportLimits(), ("name",)))
    if rows:
        unknown = sorted(set(rows[0][1]) - set(COLUMNS))
        if unknown:
            draft.remark("header", "unknown_columns", columns=", ".join(unknown))
    ids: dict[str, str] = {}
    for position, row in rows:
        company_id = _company(draft, resolver, row, position, file_source)
        if company_id:
            ids[position] = company_id
    for position, row in rows:
        if row.get("parent") and position in ids:
            _link(draft, resolver, ids[position], row, position)
            if position in draft.rejected and draft.origin.get(("companies", ids[position])):
                del draft.companies[ids[position]]  # the whole row is rejected
    return draft


def _row_source(draft: Draft, row: Row, position: str, default: str) -> str | None:
    if not (row.get("source_url") or row.get("source_publisher") or row.get("source_title")):
        return default
    data = {
        "id": f"src-{slug(draft.name, 30)}-{short_hash(position)}",
        "type": SourceType.DATASET,
        "publisher": row.get("source_publisher") or "User file",
        "title": row.get("source_title") or row.get("source_url") or draft.name,
        "url": row.get("source_url") or None,
        "date": row.get("source_date") or None,
    }
    source = validated(Source, data, draft, position)
    return draft.add_source(source) if source is not None else None


def _company(
    draft: Draft, resolver: Resolver, row: Row, position: str, file_source: str
) -> str | None:
    if not row.get("name"):
        draft.reject(position, "missing_name")
        return None
    source = _row_source(draft, row, position, file_source)
    if source is None:
        return None
    pairs = [(scheme, row.get(scheme, "")) for scheme in SCHEMES]
    data = {
        "id": row.get("id") or f"{slug(row['name'])}-{short_hash(draft.name + position)}",
        "name": row["name"],
        "aliases": _split(row.get("aliases", "")),
        "former_names": _split(row.get("former_names", "")),
        "identifiers": identifiers_from(pairs, draft, position),
        "country": (row.get("country") or "").lower() or None,
        "sources": (source,),
        "note": row.get("note") or None,
    }
    company = validated(Company, data, draft, position)
    if company is None:
        return None
    return add_company(draft, resolver, company, position)[0]


def _link(draft: Draft, resolver: Resolver, child: str, row: Row, position: str) -> None:
    parent_ref = row["parent"]
    parent = parent_ref if parent_ref in draft.companies else resolver.find((), (parent_ref,))
    if parent is None and resolver.known(parent_ref):
        parent = parent_ref
    if parent is None:
        draft.reject(position, "unknown_reference", ref=parent_ref)
        return
    try:
        start, end = partial_date(row.get("parent_start")), partial_date(row.get("parent_end"))
    except ValueError:
        value = f"{row.get('parent_start', '')}/{row.get('parent_end', '')}"
        draft.reject(position, "bad_date", field="parent_start/parent_end", value=value)
        return
    share: float | None = None
    if row.get("parent_share"):
        try:
            share = float(row["parent_share"].rstrip("%").replace(",", "."))
        except ValueError:
            draft.reject(position, "bad_value", field="parent_share", value=row["parent_share"])
            return
    sources = (f"import-{slug(draft.name)}",)
    data = {"child": child, "parent": parent, "start": start, "end": end, "share": share}
    link = validated(Ownership, {**data, "sources": sources}, draft, position)
    if link is not None:
        draft.add_link(link, position)
