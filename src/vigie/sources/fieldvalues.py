"""Normalising published field values (amounts, currencies, countries, CPV codes, dates).

Shared by the TED, eForms and spreadsheet readers. Each function returns the normalised value
or None, and appends a :class:`Note` to ``notes`` when it had to repair or drop something.
"""

from __future__ import annotations

import datetime
import math
import re
from functools import lru_cache

from rigour.territories import lookup_territory

from vigie.sources.currency import normalize_currency
from vigie.sources.records import Classification, Note

_CPV = re.compile(r"^(\d{7,8})(?:-\d)?$", re.ASCII)
_CURRENCY = re.compile(r"^[A-Za-z]{3}$", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(.*)$", re.ASCII)
_OFFSET = re.compile(r"^(?:Z|[+-]\d{2}:\d{2})$", re.ASCII)
_SPACES = re.compile(r"[\s\u00a0\u202f']+")
MIN_YEAR, MAX_YEAR = 1900, 2100
_GLOBAL = "zz"  # rigour's "Global" territory, not a country


def amount(text: str | None, notes: list[Note], decimal: str = ".") -> float | None:
    """A non-negative finite number from published text (``1 234,56`` with ``decimal=","``).

    Spaces, no-break spaces and apostrophes are read as thousands separators, as is the other
    of ``.``/``,`` when ``decimal`` is given. Unreadable or out-of-range values give a note.
    """
    if text is None or not text.strip():
        notes.append(Note.of("no_amount"))
        return None
    cleaned = _SPACES.sub("", text)
    other = "," if decimal == "." else "."
    cleaned = cleaned.replace(other, "").replace(decimal, ".")
    try:
        number = float(cleaned)
    except ValueError:
        notes.append(Note.of("amount_not_number", value=repr(text[:40])))
        return None
    if not math.isfinite(number) or number < 0:
        notes.append(Note.of("amount_out_of_range", value=repr(text[:40])))
        return None
    return number


def currency(text: str | None, notes: list[Note]) -> str | None:
    """An ISO 4217 code, or None with a note (the ingest currency table, docs/inputs.md).

    ``EUR`` is taken as is; ``eur``, `` EUR ``, ``EURO`` or ``€`` give ``EUR`` with the note
    ``xml_currency_repaired``; an empty value gives ``xml_no_currency``; anything that is not
    an ISO 4217 code nor a known spelling of one gives ``xml_bad_currency``.
    """
    result = normalize_currency(text)
    if result.status == "missing":
        notes.append(Note.of("xml_no_currency"))
    elif result.status == "unknown":
        notes.append(Note.of("xml_bad_currency", value=repr(result.raw[:20])))
    elif result.status == "repaired":
        notes.append(
            Note.of("xml_currency_repaired", value=repr(result.raw[:20]), fixed=result.code)
        )
    return result.code


def country(text: str | None, notes: list[Note]) -> str | None:
    """An ISO 3166-1 alpha-2 code in lower case from an alpha-2 or alpha-3 code.

    TED's own codes ``UK`` and ``EL`` give ``gb`` and ``gr``. Unknown codes give a note.
    """
    if text is None or not text.strip():
        return None
    code = _country_code(text.strip().upper())
    if code is None:
        notes.append(Note.of("xml_unknown_country", value=repr(text.strip()[:20])))
    return code


@lru_cache(maxsize=1024)
def _country_code(code: str) -> str | None:
    if not (2 <= len(code) <= 3 and code.isascii() and code.isalpha()):
        return None
    territory = lookup_territory(code)
    if territory is None or len(territory.code) != 2 or territory.code == _GLOBAL:
        return None
    return territory.code


def cpv(raw: str | None, notes: list[Note]) -> str | None:
    """The 8 digits of a CPV code (``72000000-5`` -> ``72000000``), or None with a note."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    match = _CPV.match(value)
    if not match:
        notes.append(Note.of("bad_cpv", value=repr(value[:40])))
        return None
    digits = match.group(1)
    if len(digits) == 7:
        digits = "0" + digits
        notes.append(Note.of("cpv_leading_zero", raw=value, fixed=digits))
    return digits


def cpv_classifications(
    codes: list[str], labels: dict[str, str], notes: list[Note]
) -> tuple[Classification, ...]:
    """CPV classifications from raw codes, in order and without repeats, with known labels."""
    seen: dict[str, Classification] = {}
    for raw in codes:
        code = cpv(raw, notes)
        if code is not None and code not in seen:
            seen[code] = Classification("CPV", code, labels.get(code))
    return tuple(seen.values())


def iso_date(text: str | None, field: str, notes: list[Note]) -> tuple[str | None, str | None]:
    """The day and, when an offset is published, the day's start as an ISO 8601 timestamp.

    ``2020-03-18+01:00`` (an ``xs:date`` with its time zone) gives ``("2020-03-18",
    "2020-03-18T00:00:00+01:00")``; ``20200318`` or ``2020-03-18`` give the day only.
    """
    if text is None or not text.strip():
        return None, None
    value = text.strip()
    if len(value) == 8 and value.isdigit():
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    match = _ISO_DATE.match(value)
    if not match:
        notes.append(Note.of("bad_date", field=field, value=repr(value[:40])))
        return None, None
    day = _valid_day(match, field, notes)
    if day is None:
        return None, None
    rest = match.group(4)
    if _OFFSET.match(rest):
        offset = "+00:00" if rest == "Z" else rest
        return day, f"{day}T00:00:00{offset}"
    if rest.startswith("T"):
        return day, _timestamp(value)
    return day, None


def _timestamp(value: str) -> str | None:
    """A full ISO 8601 timestamp with its offset, or None when no offset is published."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.isoformat() if moment.tzinfo is not None else None


def _valid_day(match: re.Match[str], field: str, notes: list[Note]) -> str | None:
    year, month, day = (int(part) for part in match.groups()[:3])
    try:
        valid = MIN_YEAR <= datetime.date(year, month, day).year <= MAX_YEAR
    except ValueError:
        valid = False
    if not valid:
        notes.append(Note.of("impossible_date", field=field, value=match.group(0)[:10]))
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
