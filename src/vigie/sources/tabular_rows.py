"""Turning one spreadsheet row into a procurement record, following a column mapping."""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from vigie.sources import fieldvalues as fv
from vigie.sources.records import Note, Party, ProcurementRecord
from vigie.sources.tabular_mapping import Column, TabularMapping

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Row:
    """One row as read: its index among rows (from 1), its line or row number, its cells."""

    index: int
    line: int
    position: str
    cells: tuple[object, ...]


def resolve_columns(header: Sequence[object], mapping: TabularMapping) -> dict[str, int] | str:
    """Field -> 0-based cell index, or the names of the mapped columns the header lacks."""
    names = [cell_text(cell) or "" for cell in header]
    folded = [name.casefold() for name in names]
    found: dict[str, int] = {}
    missing: list[str] = []
    for field, column in mapping.columns.mapped().items():
        index = _column_index(column, names, folded)
        if index is None:
            missing.append(str(column))
        else:
            found[field] = index
    return ", ".join(missing) if missing else found


def _column_index(column: Column, names: list[str], folded: list[str]) -> int | None:
    if isinstance(column, int):
        return column - 1  # a position in the rows, whatever the header holds
    wanted = column.strip()
    if wanted in names:
        return names.index(wanted)
    if wanted.casefold() in folded:
        return folded.index(wanted.casefold())
    return None


def cell_text(value: object) -> str | None:
    """A cell as collapsed text (numbers without a useless ``.0``, dates in ISO 8601)."""
    if type(value) is str:  # the common case first
        return " ".join(value.split()) or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return " ".join(str(value).split()) or None


def _number_text(value: float) -> str:
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def to_record(
    row: Row,
    texts: Sequence[str | None],
    columns: dict[str, int],
    mapping: TabularMapping,
    label: str,
    notes: list[Note],
) -> ProcurementRecord | Note:
    """The record of a row (whose cells as text are ``texts``), or why it is rejected."""

    def raw(field: str) -> object:
        index = columns.get(field)
        return None if index is None or index >= len(row.cells) else row.cells[index]

    def text(field: str) -> str | None:
        index = columns.get(field)
        return None if index is None or index >= len(texts) else texts[index]

    buyer_country = _country(text("buyer_country"), notes)
    buyer = Party(text("buyer_id"), None, text("buyer_name"), buyer_country)
    suppliers = _suppliers(text, mapping, notes)
    if buyer.id is None and buyer.name is None and not suppliers:
        return Note.of("tabular_no_party")
    amount, currency = _amount(raw("amount"), text("currency"), "amount" in columns, mapping, notes)
    date, date_time = _date(raw("date"), mapping, notes)
    cpv_raw = text("cpv")
    classifications = fv.cpv_classifications([cpv_raw] if cpv_raw else [], {}, notes)
    digest = hashlib.sha256("\x1f".join(t or "" for t in texts).encode())
    return ProcurementRecord(
        source_file=label,
        position=row.position,
        line=row.line,
        record_id=text("id") or f"{label}:{row.line}",
        kind=mapping.kind,
        buyer=buyer,
        suppliers=suppliers,
        title=text("title"),
        amount=amount,
        currency=currency,
        date=date,
        cpv=classifications[0].code if classifications else None,
        cpv_raw=cpv_raw,
        procedure=text("procedure"),
        content_hash=digest.hexdigest(),
        description=text("description"),
        classifications=classifications,
        date_time=date_time,
    )


def _country(text: str | None, notes: list[Note]) -> str | None:
    return fv.country(text, notes)


def _suppliers(
    get: Callable[[str], str | None], mapping: TabularMapping, notes: list[Note]
) -> tuple[Party, ...]:
    names = _split(get("supplier_name"), mapping.suppliers_separator)
    ids = _split(get("supplier_id"), mapping.suppliers_separator)
    country = _country(get("supplier_country"), notes)
    count = max(len(names), len(ids))
    return tuple(
        Party(
            ids[i] if i < len(ids) else None,
            None,
            names[i] if i < len(names) else None,
            country,
        )
        for i in range(count)
    )


def _split(value: str | None, separator: str | None) -> list[str]:
    if value is None:
        return []
    parts = value.split(separator) if separator else [value]
    return [part.strip() for part in parts if part.strip()]


def _amount(
    value: object,
    currency_text: str | None,
    mapped: bool,
    mapping: TabularMapping,
    notes: list[Note],
) -> tuple[float | None, str | None]:
    if not mapped:
        return None, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number: float | None = float(value)
        if not math.isfinite(float(value)) or float(value) < 0:
            notes.append(Note.of("amount_out_of_range", value=cell_text(value)))
            number = None
    else:
        number = fv.amount(cell_text(value), notes, mapping.decimal)
    if number is None:
        return None, None
    currency = fv.currency(currency_text or mapping.currency, notes)
    return (number, currency) if currency else (None, None)


def _date(
    value: object, mapping: TabularMapping, notes: list[Note]
) -> tuple[str | None, str | None]:
    if isinstance(value, datetime.datetime):
        stamp = value.isoformat() if value.tzinfo is not None else None
        return fv.iso_date(value.date().isoformat(), "date", notes)[0], stamp
    if isinstance(value, datetime.date):
        return fv.iso_date(value.isoformat(), "date", notes)
    text = cell_text(value)
    if text is None or mapping.date_format is None:
        return fv.iso_date(text, "date", notes)
    parsed = _strptime(text, mapping.date_format)
    if parsed is None:
        if _ISO_DAY.match(text):  # ISO 8601 is unambiguous: accepted beside the format
            return fv.iso_date(text, "date", notes)
        notes.append(Note.of("bad_date", field="date", value=repr(text[:40])))
        return None, None
    stamp = parsed.isoformat() if parsed.tzinfo is not None else None
    return fv.iso_date(parsed.date().isoformat(), "date", notes)[0], stamp


@lru_cache(maxsize=4096)
def _strptime(text: str, date_format: str) -> datetime.datetime | None:
    """``strptime``, remembered: registers repeat the same dates on many rows."""
    try:
        return datetime.datetime.strptime(text, date_format)
    except ValueError:
        return None
