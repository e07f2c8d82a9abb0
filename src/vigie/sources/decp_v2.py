"""Reader for French DECP schema 2.0.x JSON (published from 2024), plain or zipped.

Schema 2.0 files are ``{"marches": {"marche": [...], "contrat-concession": [...]}}``; each
party is ``{"titulaire": {"typeIdentifiant": "SIRET", "id": "..."}}`` (or
``"concessionnaire"``) and each modification ``{"modification": {...}}``. Parties carry
identifiers only: their names come from a SIRENE extract joined on the SIREN (first 9 digits
of a SIRET). Without an extract, records load with identifiers and no names, and a warning
counts them. Elements are read by the same engine as v1 (:mod:`vigie.sources.decp`), so
duplicates, republished versions and modifications are handled the same way.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from itertools import chain
from pathlib import Path

from vigie.sources.decp import V2_MARKERS, Dialect, read_with
from vigie.sources.files import Limits
from vigie.sources.jsonscan import BrokenElement, Element, JsonShapeError, find_array, iter_elements
from vigie.sources.records import Note, Party, ProcurementRecord, ReadResult, Warning_
from vigie.sources.sirene import SireneNames, siren_of

__all__ = ["DIALECT", "FORMAT", "read_decp_v2", "sniff"]

FORMAT = "decp-v2-json"
ARRAYS = ("marche", "contrat-concession")


def sniff(head: bytes, name: str) -> bool:
    """Whether the first bytes of a file look like DECP 2.0 JSON (``marches`` and 2.0 keys)."""
    del name
    return b'"marches"' in head and V2_MARKERS.search(head) is not None


def read_decp_v2(
    path: Path,
    label: str | None = None,
    limits: Limits | None = None,
    names: SireneNames | None = None,
    *,
    sha256: str | None = None,
) -> ReadResult:
    """Read a DECP 2.0 JSON file (or a zip of them); name parties from ``names`` if given.

    Raises :class:`vigie.sources.sirene.SireneError` if the SIRENE extract cannot be scanned.
    """
    result = read_with(path, label, limits, DIALECT, sha256)
    name_parties(result, names)
    return result


def _locate(text: str) -> Iterator[Element | BrokenElement]:
    """The elements of ``/marches/marche`` and ``/marches/contrat-concession`` (arrays or,
    as in the schema's examples, single objects); a flat ``/marches`` array is accepted."""
    found = []
    errors = []
    for key in ARRAYS:
        try:
            found.append(find_array(text, (("marches", key),)))
        except JsonShapeError as exc:
            errors.append(exc)
    if found:
        return chain.from_iterable(iter_elements(cursor, ptr) for cursor, ptr in found)
    try:
        cursor, pointer = find_array(text, (("marches",),))
    except JsonShapeError:
        single = _single_objects(text)
        if single:
            return iter(single)
        raise errors[0] from None
    return iter_elements(cursor, pointer)


DIALECT = Dialect(FORMAT, _locate, "decp_v2_not_decp")


def _single_objects(text: str) -> list[Element]:
    """``{"marches": {"marche": {...}}}``: each single object as one element."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return []
    marches = document.get("marches") if isinstance(document, Mapping) else None
    if not isinstance(marches, Mapping):
        return []
    elements = []
    for key in ARRAYS:
        value = marches.get(key)
        if isinstance(value, Mapping):
            at = text.find(f'"{key}"')
            line = text.count("\n", 0, max(at, 0)) + 1
            raw = json.dumps(value, ensure_ascii=False)
            elements.append(Element(value, f"/marches/{key}", line, raw))
    return elements


def name_parties(result: ReadResult, names: SireneNames | None) -> None:
    """Fill the names of buyers and suppliers published without one, from SIRENE.

    Adds, per source file, one warning counting the parties left without a name.
    """
    sirens = {
        siren
        for record in result.records
        for party in (record.buyer, *record.suppliers)
        if party.name is None and (siren := siren_of(party.id, party.scheme))
    }
    found = names.names(sirens) if names is not None and sirens else {}
    missing: Counter[str] = Counter()
    not_siret: Counter[str] = Counter()
    renamed = []
    for record in result.records:
        parties = [_named(p, found) for p in (record.buyer, *record.suppliers)]
        for party in parties:
            if party.name is None and (party.id or party.scheme):
                if siren_of(party.id, party.scheme):
                    missing[record.source_file] += 1
                else:
                    not_siret[record.source_file] += 1
        renamed.append(_with_parties(record, parties))
    result.records[:] = renamed
    for label in sorted(set(missing) | set(not_siret)):
        total = missing[label] + not_siret[label]
        if names is None:
            note = Note.of("decp_sirene_missing", n=total)
        else:
            note = Note.of(
                "decp_sirene_unnamed", n=total, not_found=missing[label], not_siret=not_siret[label]
            )
        result.warnings.append(Warning_(label, "(file)", note))


def _named(party: Party, found: Mapping[str, str]) -> Party:
    if party.name is not None:
        return party
    siren = siren_of(party.id, party.scheme)
    name = found.get(siren) if siren else None
    return dataclasses.replace(party, name=name) if name else party


def _with_parties(record: ProcurementRecord, parties: list[Party]) -> ProcurementRecord:
    buyer, *suppliers = parties
    if buyer == record.buyer and tuple(suppliers) == record.suppliers:
        return record
    return dataclasses.replace(record, buyer=buyer, suppliers=tuple(suppliers))
