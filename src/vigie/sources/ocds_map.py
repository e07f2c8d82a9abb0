"""From the latest state of one OCDS contracting process to vigie records.

One record per contract; one per award that no contract refers to; and, for a process with
neither (planning or tender only), one record for the process itself. Amounts come from the
latest state, so an amended contract value is counted once, at its latest value; cancelled or
unsuccessful awards and cancelled contracts are kept without amount.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vigie.sources.ocds_values import (
    country_code,
    item_classifications,
    main_cpv,
    money,
    text,
    when,
)
from vigie.sources.records import Classification, Note, Party, ProcurementRecord, Warning_

NOT_COUNTED_AWARD = frozenset({"cancelled", "unsuccessful"})
NOT_COUNTED_CONTRACT = frozenset({"cancelled"})
_NO_PARTY = Party(None, None, None)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the process was read: file (or zip member), position of its latest unit, line."""

    source_file: str
    position: str
    line: int


@dataclass(frozen=True, slots=True)
class _Process:
    ocid: str
    state: Mapping[str, Any]
    parties: dict[str, Mapping[str, Any]]
    buyer: Party
    tender: Mapping[str, Any]
    key: str | None = None


def process_records(
    state: Mapping[str, Any], origin: Origin, key: str | None = None
) -> tuple[list[ProcurementRecord], list[Warning_]]:
    """The records of one merged contracting process, and notes about them; ``key`` is the
    process's ocid as the releases were grouped by (kept as each record's ``process_id``)."""
    parties = _party_index(state.get("parties"))
    tender = _mapping(state.get("tender"))
    process = _Process(
        text(state.get("ocid")) or "",
        state,
        parties,
        _buyer(state, parties, tender),
        tender,
        key,
    )
    awards = [a for a in _list(state.get("awards")) if isinstance(a, dict)]
    by_id = {str(a.get("id")): a for a in awards if a.get("id") is not None}
    records: list[ProcurementRecord] = []
    warnings: list[Warning_] = []
    used: set[str] = set()
    for index, contract in enumerate(_list(state.get("contracts"))):
        if not isinstance(contract, dict):
            continue
        award_id = contract.get("awardID")
        award = by_id.get(str(award_id)) if award_id is not None else None
        if award is not None:
            used.add(str(award_id))
        draft = _contract(process, contract, award, f"contracts/{index}")
        _add(records, warnings, draft, (process, origin))
    for index, award in enumerate(awards):
        if str(award.get("id")) not in used:
            _add(records, warnings, _award(process, award, f"awards/{index}"), (process, origin))
    if not records:
        _add(records, warnings, _tender(process), (process, origin))
    return records, warnings


@dataclass(frozen=True, slots=True)
class _Draft:
    suffix: str
    kind: str
    key: str
    suppliers: tuple[Party, ...]
    parts: tuple[Mapping[str, Any], ...]
    value: Any
    date: Any
    date_field: str
    notes: list[Note]


def _contract(
    process: _Process, contract: Mapping[str, Any], award: Mapping[str, Any] | None, suffix: str
) -> _Draft:
    notes: list[Note] = []
    value = contract.get("value")
    if not isinstance(value, dict) and award is not None:
        value = award.get("value")
    status = text(contract.get("status"))
    if status in NOT_COUNTED_CONTRACT:
        notes.append(Note.of("ocds_not_counted", what=suffix, status=status))
        value = None
    suppliers = _suppliers(process, award, notes) if award is not None else ()
    parts = (contract, award) if award is not None else (contract,)
    date_field = "dateSigned" if contract.get("dateSigned") else "date"
    date = contract.get("dateSigned") or (award or {}).get("date") or process.state.get("date")
    key = f"contract/{text(contract.get('id')) or suffix}"
    return _Draft(suffix, "contract", key, suppliers, parts, value, date, date_field, notes)


def _award(process: _Process, award: Mapping[str, Any], suffix: str) -> _Draft:
    notes: list[Note] = []
    value = award.get("value")
    status = text(award.get("status"))
    if status in NOT_COUNTED_AWARD:
        notes.append(Note.of("ocds_not_counted", what=suffix, status=status))
        value = None
    suppliers = _suppliers(process, award, notes)
    date = award.get("date") or process.state.get("date")
    key = f"award/{text(award.get('id')) or suffix}"
    return _Draft(suffix, "award", key, suppliers, (award,), value, date, "date", notes)


def _tender(process: _Process) -> _Draft:
    tender = process.tender
    date = process.state.get("date")
    return _Draft("", "tender", "", (), (tender,), tender.get("value"), date, "date", [])


def _add(
    records: list[ProcurementRecord],
    warnings: list[Warning_],
    draft: _Draft,
    context: tuple[_Process, Origin],
) -> None:
    process, origin = context
    base = origin.position.rstrip("/")
    position = f"{base}/{draft.suffix}" if draft.suffix else origin.position
    notes = draft.notes
    records.append(_record(process, draft, origin, position))
    warnings.extend(Warning_(origin.source_file, position, note) for note in notes)


def _record(process: _Process, draft: _Draft, origin: Origin, position: str) -> ProcurementRecord:
    notes = draft.notes
    where = f"{draft.suffix or 'tender'}/value"
    value = money(draft.value, where, notes)
    published = when(draft.date, draft.date_field, notes)
    codes = _codes(draft.parts, process.tender)
    cpv, cpv_raw = main_cpv(codes, notes)
    title = _first(draft.parts, process.tender, "title")
    record_id = f"{process.ocid}/{draft.key}" if draft.key else process.ocid
    return ProcurementRecord(
        source_file=origin.source_file,
        position=position,
        line=origin.line,
        record_id=record_id,
        kind=draft.kind,
        buyer=process.buyer,
        suppliers=draft.suppliers,
        title=title,
        amount=value.amount,
        currency=value.currency,
        date=published.day,
        cpv=cpv,
        cpv_raw=cpv_raw,
        procedure=text(process.tender.get("procurementMethodDetails"))
        or text(process.tender.get("procurementMethod")),
        content_hash=content_hash(
            record_id,
            value.amount,
            value.currency,
            published.date_time or published.day,
            process.buyer.name,
            *(s.name for s in draft.suppliers),
            title,
        ),
        description=_first(draft.parts, process.tender, "description"),
        classifications=tuple(codes),
        date_time=published.date_time,
        process_id=process.key,
    )


def _codes(parts: Sequence[Mapping[str, Any]], tender: Mapping[str, Any]) -> list[Classification]:
    """Classifications of the contract's items, else the award's, else the tender's."""
    for part in (*parts, tender):
        found = item_classifications(part.get("items"))
        if found:
            return found
    return []


def _first(parts: Sequence[Mapping[str, Any]], tender: Mapping[str, Any], key: str) -> str | None:
    for part in (*parts, tender):
        found = localized(part, key)
        if found:
            return found
    return None


def localized(obj: Mapping[str, Any], key: str) -> str | None:
    """``obj[key]``, else its English variant (``key_en``), French (``key_fr``), else any."""
    found = text(obj.get(key))
    if found is not None:
        return found
    for variant in (f"{key}_en", f"{key}_fr"):
        found = text(obj.get(variant))
        if found is not None:
            return found
    prefix = key + "_"
    for name, value in obj.items():
        if name.startswith(prefix) and (found := text(value)) is not None:
            return found
    return None


def _party_index(parties: Any) -> dict[str, Mapping[str, Any]]:
    index: dict[str, Mapping[str, Any]] = {}
    for party in _list(parties):
        if isinstance(party, dict) and party.get("id") is not None:
            index.setdefault(str(party["id"]), party)
    return index


def _buyer(
    state: Mapping[str, Any], parties: dict[str, Mapping[str, Any]], tender: Mapping[str, Any]
) -> Party:
    if isinstance(state.get("buyer"), dict):
        return _party(state["buyer"], parties)
    for party in parties.values():
        roles = party.get("roles")
        if isinstance(roles, list) and "buyer" in roles:
            return _party(party, parties)
    if isinstance(tender.get("procuringEntity"), dict):
        return _party(tender["procuringEntity"], parties)
    return _NO_PARTY


def _suppliers(process: _Process, award: Mapping[str, Any], notes: list[Note]) -> tuple[Party, ...]:
    found = []
    for ref in _list(award.get("suppliers")):
        if not isinstance(ref, dict):
            continue
        party = _party(ref, process.parties)
        if party.name is None and party.id is None:
            notes.append(Note.of("ocds_party_unresolved", ref=text(ref.get("id")) or "?"))
        found.append(party)
    return tuple(found)


def _party(ref: Mapping[str, Any], parties: Mapping[str, Mapping[str, Any]]) -> Party:
    """An organisation reference resolved through ``parties`` (1.1) or read in full (1.0)."""
    ref_id = ref.get("id")
    full = parties.get(str(ref_id)) if ref_id is not None else None
    sources = (ref, full) if full is not None else (ref,)
    name = identifier_id = scheme = country = None
    for source in sources:
        identifier = _mapping(source.get("identifier"))
        name = name or localized(source, "name") or localized(identifier, "legalName")
        identifier_id = identifier_id or text(identifier.get("id"))
        scheme = scheme or text(identifier.get("scheme"))
        country = country or _country(_mapping(source.get("address")))
    return Party(identifier_id, scheme if identifier_id else None, name, country)


def _country(address: Mapping[str, Any]) -> str | None:
    for key in ("countryCode", "country", "countryName"):
        value = text(address.get(key))
        if value:
            code = country_code(value)
            if code:
                return code
    return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def content_hash(*parts: object) -> str:
    """SHA-256 of the fields that identify a record's content (id, amount, currency, date,
    buyer, suppliers, title)."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()
