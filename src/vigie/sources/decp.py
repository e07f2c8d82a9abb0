"""Reader for French DECP v1 JSON (``{"marches": [...]}``), plain or zipped.

Each element of ``marches`` is a contract (``_type`` "Marché") or a concession
("Contrat de concession"). Elements that are not objects or lack an identifier are
rejected; exact duplicates are rejected as such; a later version of a contract already read
(same buyer and identifier, republished with its modifications) is folded into the first
and rejected as republished; other defects become warnings on a loaded record. Every element
is accounted for. The element-to-record engine here is shared with the v2 reader.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import orjson

from vigie.sources import decp_fields as f
from vigie.sources.decp_fields import EXCERPT_CHARS, party, text
from vigie.sources.decp_fields import amount as parse_amount
from vigie.sources.decp_fields import cpv as parse_cpv
from vigie.sources.decp_fields import date as parse_date
from vigie.sources.decp_merge import (
    Modification,
    VersionBook,
    VersionKey,
    parse_modifications,
)
from vigie.sources.files import (
    Limits,
    Member,
    MemberError,
    decode_text,
    hashing_meanwhile,
    iter_members,
)
from vigie.sources.jsonscan import BrokenElement, Element, JsonShapeError, find_array, iter_elements
from vigie.sources.records import (
    Classification,
    Note,
    Party,
    ProcurementRecord,
    ReadResult,
    Rejection,
    Warning_,
    path_label,
)

__all__ = [
    "ARRAY_PATHS",
    "DIALECT",
    "EXCERPT_CHARS",
    "FORMAT",
    "Dialect",
    "Version",
    "iter_records",
    "read_decp",
    "read_versions",
    "read_with",
    "sniff",
]

FORMAT = "decp-v1-json"
ARRAY_PATHS = (("marches",), ("marches", "marche"))
Locator = Callable[[str], Iterator[Element | BrokenElement]]
# Keys found only in schema 2.0 files: party and modification wrappers, and 2.0-only fields.
V2_MARKERS = re.compile(
    rb'"(titulaire|concessionnaire|modification|contrat-concession|ccag|offresRecues'
    rb"|marcheInnovant|considerationsSociales|typesPrix|attributionAvance|sousTraitanceDeclaree"
    rb'|typeGroupementOperateurs|modalitesExecution)"\s*:'
)


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between DECP JSON versions: format name, where the elements are, and
    the rejection code when a file is not of that shape."""

    format: str
    locate: Locator
    shape_code: str = "not_decp"


def sniff(head: bytes, name: str) -> bool:
    """Whether the first bytes of a file look like DECP v1 JSON (``marches``, no 2.0 markers)."""
    del name
    return b'"marches"' in head and V2_MARKERS.search(head) is None


def read_decp(
    path: Path, label: str | None = None, limits: Limits | None = None, *, sha256: str | None = None
) -> ReadResult:
    """Read a DECP v1 JSON file (or a zip of them) into records, rejections and warnings
    (``sha256``: the file's, when the caller has it; otherwise it is hashed meanwhile)."""
    return read_with(path, label, limits, DIALECT, sha256)


def read_with(
    path: Path,
    label: str | None,
    limits: Limits | None,
    dialect: Dialect,
    sha256: str | None = None,
) -> ReadResult:
    """Read a DECP JSON file (or zip) whose elements the dialect locates in each member."""
    limits = limits or Limits()
    label = label or path_label(path)
    result = ReadResult(label, sha256 or "", path.stat().st_size, dialect.format)
    with hashing_meanwhile(path) if sha256 is None else nullcontext(None) as sha:
        for member in iter_members(path, label, limits):
            if isinstance(member, MemberError):
                result.rejections.append(Rejection(member.label, "(file)", member.note))
            else:
                with _collector_paused():
                    _read_member(member, result, dialect)
        if sha is not None:  # hashed on another core while read
            result.sha256 = sha.result()
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a member is read (restored after).

    Reading creates millions of objects and no reference cycles; the collector's repeated
    passes over them cost about a fifth of the reading time (benchmarks/bench_decp.py).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _locate_v1(text: str) -> Iterator[Element | BrokenElement]:
    """``/marches`` or ``/marches/marche``; with the latter, ``/marches/contrat-concession``
    too when present, so that no concession of a nested file is left unread."""
    cursor, pointer = find_array(text, ARRAY_PATHS)
    elements = iter_elements(cursor, pointer)
    if pointer != "/marches/marche":
        return elements
    try:
        more = find_array(text, (("marches", "contrat-concession"),))
    except JsonShapeError:
        return elements
    return chain(elements, iter_elements(*more))


DIALECT = Dialect(FORMAT, _locate_v1)


@dataclass(frozen=True, slots=True)
class Version:
    """One element as published: its record before any modification, and its modifications."""

    record: ProcurementRecord
    mods: tuple[Modification, ...]


def read_versions(
    path: Path, label: str, limits: Limits, dialect: Dialect, keys: Collection[VersionKey]
) -> list[Version]:
    """The elements of a DECP file whose record has one of ``keys``
    (:func:`~vigie.sources.decp_merge.version_key`), in file order, as reading finds them
    (exact duplicates within a member left out); for merging versions across files."""
    found: list[Version] = []
    for member in iter_members(path, label, limits):
        if isinstance(member, MemberError):
            continue
        try:
            elements = dialect.locate(decode_text(member.data).text)
        except JsonShapeError:
            continue
        seen: set[str] = set()
        with _collector_paused():
            for element in elements:
                if isinstance(element, BrokenElement):
                    break
                version = _version(member.label, element, seen, keys)
                if version is not None:
                    found.append(version)
    return found


def _version(
    label: str, element: Element, seen: set[str], keys: Collection[VersionKey]
) -> Version | None:
    """The element as a version, when its key is one of ``keys`` (checked first: most
    elements are left before being hashed or mapped)."""
    value = element.value
    if not isinstance(value, dict):
        return None
    record_id = text(value.get("id"))
    if record_id is None:
        record_id = text(value.get("uid"))
    if record_id is None:
        return None
    concession, buyer = _kind_and_buyer(value)
    kind = "concession" if concession else "contract"
    if (kind, buyer.id or buyer.name, record_id) not in keys:
        return None
    content_hash = _content_hash(element)
    if content_hash in seen:
        return None
    seen.add(content_hash)
    record, mods = _to_record(label, element, record_id, content_hash, [])
    return Version(record, mods)


def _kind_and_buyer(value: dict[str, Any]) -> tuple[bool, Party]:
    """Whether the element is a concession, and its buyer (or granting authority)."""
    concession = "concessionnaires" in value or "autoriteConcedante" in value
    return concession, party(value.get("autoriteConcedante" if concession else "acheteur"), "SIRET")


def _read_member(member: Member, result: ReadResult, dialect: Dialect) -> None:
    decoded = decode_text(member.data)
    if decoded.repaired_bytes:
        note = Note.of("not_utf8", n=decoded.repaired_bytes)
        result.warnings.append(Warning_(member.label, "(file)", note))
    if decoded.lost_characters:
        note = Note.of("lost_characters", n=decoded.lost_characters)
        result.warnings.append(Warning_(member.label, "(file)", note))
    try:
        elements = dialect.locate(decoded.text)
    except JsonShapeError as exc:
        note = Note.of(dialect.shape_code, detail=exc)
        result.rejections.append(Rejection(member.label, exc.pointer or "(file)", note))
        return
    seen: dict[str, str] = {}
    book = VersionBook(result.records)
    for element in elements:
        if isinstance(element, BrokenElement):
            result.rejections.append(
                Rejection(
                    member.label,
                    element.pointer,
                    Note.of("broken_json", detail=element.reason, line=element.line),
                    f.clip(element.excerpt),
                )
            )
            break
        _read_element(member.label, element, seen, book, result)
    result.warnings.extend(Warning_(member.label, pos, note) for pos, note in book.finish())


def _reject(result: ReadResult, label: str, element: Element, note: Note) -> None:
    result.rejections.append(Rejection(label, element.pointer, note, f.clip(element.raw)))


def _read_element(
    label: str, element: Element, seen: dict[str, str], book: VersionBook, result: ReadResult
) -> None:
    value = element.value
    if not isinstance(value, dict):
        _reject(result, label, element, Note.of("not_object", kind=type(value).__name__))
        return
    content_hash = _content_hash(element)
    if content_hash in seen:
        _reject(result, label, element, Note.of("duplicate", of=seen[content_hash]))
        return
    seen[content_hash] = element.pointer
    record_id = text(value.get("id"))
    if record_id is None:
        record_id = text(value.get("uid"))
    if record_id is None:
        _reject(result, label, element, Note.of("missing_id"))
        return
    notes: list[Note] = []
    record, mods = _to_record(label, element, record_id, content_hash, notes)
    index, first = book.match(record)
    if index is not None and first is not None:
        completed = book.merge(index, record, mods)
        _reject(result, label, element, Note.of("decp_republished", of=first.position))
        if completed:
            note = Note.of("decp_completed", fields=", ".join(completed), of=element.pointer)
            result.warnings.append(Warning_(label, first.position, note))
        return
    if first is not None:
        notes.append(Note.of("decp_same_id", of=first.position))
    book.add(record, mods)
    result.warnings.extend(Warning_(label, element.pointer, note) for note in notes)


def _content_hash(element: Element) -> str:
    """SHA-256 of the element as canonical JSON: compact, keys sorted, UTF-8 (orjson).

    Values orjson cannot serialise (lone surrogates, integers beyond 64 bits, nesting past
    its limit) use the same form from :mod:`json`; a value too deep even for that, its raw text.
    """
    try:
        return hashlib.sha256(orjson.dumps(element.value, option=orjson.OPT_SORT_KEYS)).hexdigest()
    except (orjson.JSONEncodeError, RecursionError):
        pass
    try:
        canonical = json.dumps(
            element.value, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
    except (RecursionError, ValueError):
        canonical = element.raw
    # Lone surrogates (from "\ud800" escapes) are not encodable as plain UTF-8.
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _to_record(
    label: str, element: Element, record_id: str, content_hash: str, notes: list[Note]
) -> tuple[ProcurementRecord, tuple[Modification, ...]]:
    """The record as first published (modifications not applied) and its modifications."""
    value: dict[str, Any] = element.value
    get = value.get
    concession, buyer = _kind_and_buyer(value)
    if buyer.id is None and buyer.name is None:
        notes.append(Note.of("no_buyer"))
    raw_suppliers = get("concessionnaires" if concession else "titulaires")
    if raw_suppliers is None:
        raw_suppliers = []
    elif not isinstance(raw_suppliers, list):
        notes.append(Note.of("suppliers_not_list"))
        raw_suppliers = []
    suppliers = tuple([party(item, None) for item in raw_suppliers])
    if not suppliers:
        notes.append(Note.of("no_supplier"))
    amount = parse_amount(get("valeurGlobale" if concession else "montant"), notes)
    date_field = "dateSignature" if concession else "dateNotification"
    cpv, cpv_raw = parse_cpv(get("codeCPV"), notes)
    day, date_time = parse_date(get(date_field), date_field, notes)
    raw_mods = get("modifications")
    mods = parse_modifications(raw_mods, concession, notes) if raw_mods is not None else ()
    record = ProcurementRecord(
        source_file=label,
        position=element.pointer,
        line=element.line,
        record_id=record_id,
        kind="concession" if concession else "contract",
        buyer=buyer,
        suppliers=suppliers,
        title=text(get("objet")),
        amount=amount,
        currency="EUR" if amount is not None else None,
        date=day,
        cpv=cpv,
        cpv_raw=cpv_raw,
        procedure=text(get("procedure")),
        content_hash=content_hash,
        classifications=(Classification("CPV", cpv),) if cpv else (),
        date_time=date_time,
    )
    return record, mods


def iter_records(results: list[ReadResult]) -> Iterator[ProcurementRecord]:
    """All records of several read results, in input order."""
    for result in results:
        yield from result.records
