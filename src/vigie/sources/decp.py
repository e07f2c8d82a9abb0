"""Reader for French DECP v1 JSON (``{"marches": [...]}``), plain or zipped.

Each element of ``marches`` is a contract (``_type`` "Marché") or a concession
("Contrat de concession"). Elements that are not objects or lack an identifier are
rejected; exact duplicates are rejected as such; other defects become warnings on a
loaded record. Every element is accounted for.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from vigie.sources.files import Limits, Member, MemberError, decode_text, iter_members, sha256_file
from vigie.sources.jsonscan import BrokenElement, Element, JsonShapeError, find_array, iter_elements
from vigie.sources.records import (
    Note,
    Party,
    ProcurementRecord,
    ReadResult,
    Rejection,
    Warning_,
)

FORMAT = "decp-v1-json"
ARRAY_PATHS = (("marches",), ("marches", "marche"))
EXCERPT_CHARS = 300
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_CPV = re.compile(r"^(\d{7,8})(?:-\d)?$", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")


def read_decp(path: Path, label: str | None = None, limits: Limits | None = None) -> ReadResult:
    """Read a DECP v1 JSON file (or a zip of them) into records, rejections and warnings."""
    limits = limits or Limits()
    label = label or str(path)
    result = ReadResult(label, sha256_file(path), path.stat().st_size, FORMAT)
    for member in iter_members(path, label, limits):
        if isinstance(member, MemberError):
            result.rejections.append(Rejection(member.label, "(file)", member.note))
        else:
            _read_member(member, result)
    return result


def _read_member(member: Member, result: ReadResult) -> None:
    decoded = decode_text(member.data)
    if decoded.repaired_bytes:
        note = Note.of("not_utf8", n=decoded.repaired_bytes)
        result.warnings.append(Warning_(member.label, "(file)", note))
    if decoded.lost_characters:
        note = Note.of("lost_characters", n=decoded.lost_characters)
        result.warnings.append(Warning_(member.label, "(file)", note))
    try:
        cursor, pointer = find_array(decoded.text, ARRAY_PATHS)
    except JsonShapeError as exc:
        result.rejections.append(
            Rejection(member.label, exc.pointer or "(file)", Note.of("not_decp", detail=exc))
        )
        return
    seen: dict[str, str] = {}
    for element in iter_elements(cursor, pointer):
        if isinstance(element, BrokenElement):
            result.rejections.append(
                Rejection(
                    member.label,
                    element.pointer,
                    Note.of("broken_json", detail=element.reason, line=element.line),
                    _clip(element.excerpt),
                )
            )
            return
        _read_element(member.label, element, seen, result)


def _read_element(label: str, element: Element, seen: dict[str, str], result: ReadResult) -> None:
    value = element.value
    if not isinstance(value, Mapping):
        kind = type(value).__name__
        result.rejections.append(
            Rejection(
                label,
                element.pointer,
                Note.of("not_object", kind=kind),
                _clip(element.raw),
            )
        )
        return
    content_hash = _content_hash(element)
    if content_hash in seen:
        result.rejections.append(
            Rejection(
                label,
                element.pointer,
                Note.of("duplicate", of=seen[content_hash]),
                _clip(element.raw),
            )
        )
        return
    seen[content_hash] = element.pointer
    record_id = _text(value.get("id"))
    if record_id is None:
        record_id = _text(value.get("uid"))
    if record_id is None:
        result.rejections.append(
            Rejection(label, element.pointer, Note.of("missing_id"), _clip(element.raw))
        )
        return
    notes: list[Note] = []
    result.records.append(_to_record(label, element, record_id, content_hash, notes))
    result.warnings.extend(Warning_(label, element.pointer, note) for note in notes)


def _content_hash(element: Element) -> str:
    """SHA-256 of the element as canonical JSON (of its raw text if too deeply nested)."""
    try:
        canonical = json.dumps(element.value, sort_keys=True, ensure_ascii=False)
    except RecursionError:
        canonical = element.raw
    # Lone surrogates (from "\ud800" escapes) are not encodable as plain UTF-8.
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _to_record(
    label: str, element: Element, record_id: str, content_hash: str, notes: list[Note]
) -> ProcurementRecord:
    value: Mapping[str, Any] = element.value
    concession = "concessionnaires" in value or "autoriteConcedante" in value
    buyer = _party(value.get("autoriteConcedante" if concession else "acheteur"), "SIRET")
    if buyer.id is None and buyer.name is None:
        notes.append(Note.of("no_buyer"))
    raw_suppliers = value.get("concessionnaires" if concession else "titulaires")
    if raw_suppliers is None:
        raw_suppliers = []
    if not isinstance(raw_suppliers, list):
        notes.append(Note.of("suppliers_not_list"))
        raw_suppliers = []
    suppliers = tuple(_party(item, None) for item in raw_suppliers)
    if not suppliers:
        notes.append(Note.of("no_supplier"))
    amount = _amount(value.get("valeurGlobale" if concession else "montant"), notes)
    date_field = "dateSignature" if concession else "dateNotification"
    cpv, cpv_raw = _cpv(value.get("codeCPV"), notes)
    return ProcurementRecord(
        source_file=label,
        position=element.pointer,
        line=element.line,
        record_id=record_id,
        kind="concession" if concession else "contract",
        buyer=buyer,
        suppliers=suppliers,
        title=_text(value.get("objet")),
        amount=amount,
        currency="EUR" if amount is not None else None,
        date=_date(value.get(date_field), date_field, notes),
        cpv=cpv,
        cpv_raw=cpv_raw,
        procedure=_text(value.get("procedure")),
        content_hash=content_hash,
    )


def _party(value: Any, default_scheme: str | None) -> Party:
    if not isinstance(value, Mapping):
        return Party(None, None, None)
    name = _text(value.get("nom")) or _text(value.get("denominationSociale"))
    scheme = _text(value.get("typeIdentifiant")) or default_scheme
    return Party(_text(value.get("id")), scheme, name)


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if "&" in value:
            value = html.unescape(value)
        value = _SURROGATE.sub("\ufffd", value)
        cleaned = " ".join(value.split())
        return cleaned or None
    return None


def _amount(value: Any, notes: list[Note]) -> float | None:
    if value is None or value == "":
        notes.append(Note.of("no_amount"))
        return None
    if isinstance(value, bool):
        notes.append(Note.of("amount_not_number", value=repr(value)))
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond the float range
            number = math.inf
    elif isinstance(value, str):
        try:
            number = float(value.replace(" ", "").replace(",", "."))
        except ValueError:
            notes.append(Note.of("amount_not_number", value=repr(value[:40])))
            return None
    else:
        notes.append(Note.of("amount_not_number", value=_shown(value)))
        return None
    if not math.isfinite(number) or number < 0:
        shown = repr(value[:40]) if isinstance(value, str) else _shown(value)
        notes.append(Note.of("amount_out_of_range", value=shown))
        return None
    return number


def _date(value: Any, field: str, notes: list[Note]) -> str | None:
    if value is None:
        notes.append(Note.of("no_date", field=field))
        return None
    text = value if isinstance(value, str) else _shown(value)
    match = _DATE.match(text)
    if not match:
        notes.append(Note.of("bad_date", field=field, value=repr(text[:40])))
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        valid = 1900 <= datetime.date(year, month, day).year <= 2100
    except ValueError:  # month or day out of range for the calendar
        valid = False
    if not valid:
        notes.append(Note.of("impossible_date", field=field, value=match.group(0)))
        return None
    return match.group(0)


def _shown(value: Any) -> str:
    """A short text for a non-string value in a note, never printing a (deep) structure."""
    if isinstance(value, int | float):
        return str(value)[:40]
    return f"<{type(value).__name__}>"


def _cpv(value: Any, notes: list[Note]) -> tuple[str | None, str | None]:
    raw = _text(value)
    if raw is None:
        return None, None
    match = _CPV.match(raw)
    if not match:
        notes.append(Note.of("bad_cpv", value=repr(raw[:40])))
        return None, raw
    digits = match.group(1)
    if len(digits) == 7:
        digits = "0" + digits
        notes.append(Note.of("cpv_leading_zero", raw=raw, fixed=digits))
    return digits, raw


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def iter_records(results: list[ReadResult]) -> Iterator[ProcurementRecord]:
    """All records of several read results, in input order."""
    for result in results:
        yield from result.records
