"""Reading OCDS field values: text, amounts with their currency, dates with their offset, codes.

Pure functions: each returns the normalised value and appends :class:`Note` s for what it had
to repair or could not read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from rigour.territories import lookup_by_identifier, lookup_territory

from vigie.sources.currency import normalize_currency
from vigie.sources.records import Classification, Note

_SURROGATE = re.compile("[\ud800-\udfff]")
_CPV = re.compile(r"^(\d{7,8})(?:-\d)?$", re.ASCII)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_FRACTION = re.compile(r"(\.\d{6})\d+")
MAX_TEXT = 10_000
MIN_YEAR, MAX_YEAR = 1900, 2100


def text(value: Any) -> str | None:
    """A published text, spaces collapsed; numbers as text; anything else ``None``."""
    if (
        type(value) is str
        and value
        and len(value) <= MAX_TEXT
        # printable: no separator other than the ASCII space, no control, no surrogate
        and value.isprintable()
        and "  " not in value
        and value[0] != " "
        and value[-1] != " "
    ):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value) if not isinstance(value, float) or math.isfinite(value) else None
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            value = value[:MAX_TEXT]
        value = _SURROGATE.sub("\ufffd", value)
        cleaned = " ".join(value.split())
        return cleaned or None
    return None


def shown(value: Any) -> str:
    """A short text of a value for a message, never printing a whole structure."""
    if isinstance(value, str):
        return repr(value[:40])
    if isinstance(value, int | float | bool) or value is None:
        return str(value)[:40]
    return f"<{type(value).__name__}>"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount and its ISO 4217 currency, either possibly unknown."""

    amount: float | None
    currency: str | None


def money(value: Any, where: str, notes: list[Note]) -> Money:
    """Read an OCDS ``Value`` object (``{"amount": ..., "currency": ...}``).

    Unknown currencies are rejected: the amount is not kept (it could not be summed with
    others) and a ``currency_unknown`` note says so. Lowercase codes and known misspellings are
    repaired (``currency_repaired``).
    """
    if not isinstance(value, dict):
        return Money(None, None)
    amount = _amount(value.get("amount"), where, notes)
    currency = normalize_currency(value.get("currency"))
    if currency.status == "repaired":
        notes.append(Note.of("currency_repaired", raw=repr(currency.raw), iso=currency.code))
    elif currency.status == "unknown":
        if amount is not None:
            notes.append(Note.of("currency_unknown", value=currency.raw, field=where))
        return Money(None, None)
    elif currency.status == "missing" and amount is not None:
        notes.append(Note.of("no_currency", field=where))
    return Money(amount, currency.code)


def _amount(value: Any, where: str, notes: list[Note]) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        notes.append(Note.of("amount_not_number", value=f"{where}: {shown(value)}"))
        return None
    try:
        number = (
            float(value.replace(" ", "").replace(",", "."))
            if isinstance(value, str)
            else (float(value))
        )
    except (ValueError, OverflowError):
        if not isinstance(value, str):
            number = math.inf
        else:
            notes.append(Note.of("amount_not_number", value=f"{where}: {shown(value)}"))
            return None
    if not math.isfinite(number) or number < 0:
        notes.append(Note.of("amount_out_of_range", value=f"{where}: {shown(value)}"))
        return None
    return number


@dataclass(frozen=True, slots=True)
class When:
    """A published date: the day (``YYYY-MM-DD``, as published, in the publisher's offset) and
    the full ISO 8601 timestamp with its UTC offset when one was published."""

    day: str | None
    date_time: str | None


def when(value: Any, where: str, notes: list[Note]) -> When:
    """Normalise an OCDS date-time: ``Z`` becomes ``+00:00``, the offset is kept.

    A bare day (``2017-01-03``) gives the day and no timestamp; a timestamp without an offset
    gives the day and the timestamp without an offset.
    """
    if value is None or value == "":
        return When(None, None)
    if not isinstance(value, str):
        notes.append(Note.of("bad_date", field=where, value=shown(value)))
        return When(None, None)
    raw = value.strip()
    parsed = _parse(raw)
    if parsed is None:
        notes.append(Note.of("bad_date", field=where, value=shown(raw)))
        return When(None, None)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        notes.append(Note.of("impossible_date", field=where, value=raw[:10]))
        return When(None, None)
    day = parsed.date().isoformat()
    if _DAY.match(raw):
        return When(day, None)
    return When(day, parsed.isoformat())


@lru_cache(maxsize=4096)
def _parse(raw: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(_FRACTION.sub(r"\1", raw[:40]))
    except ValueError:
        return None


def classification(value: Any) -> Classification | None:
    """A ``Classification`` object as (upper-cased scheme, code, description)."""
    if not isinstance(value, dict):
        return None
    scheme = text(value.get("scheme"))
    code = text(value.get("id"))
    if scheme is None or code is None:
        return None
    return Classification(scheme.upper(), code, text(value.get("description")))


def item_classifications(items: Any) -> list[Classification]:
    """Every classification of a list of items (main and additional), first seen first."""
    if not isinstance(items, list):
        return []
    seen: set[tuple[Any, Any]] = set()
    found: dict[tuple[str, str], Classification] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        _collect(item.get("classification"), seen, found)
        extra = item.get("additionalClassifications")
        if isinstance(extra, list):
            for raw in extra:
                _collect(raw, seen, found)
    return list(found.values())


def _collect(
    raw: Any, seen: set[tuple[Any, Any]], found: dict[tuple[str, str], Classification]
) -> None:
    if not isinstance(raw, dict):
        return
    key = (raw.get("scheme"), raw.get("id"))
    try:
        if key in seen:
            return
        seen.add(key)
    except TypeError:  # an unhashable value where a code is expected
        return
    code = classification(raw)
    if code is not None:
        found.setdefault((code.scheme, code.code), code)


def main_cpv(codes: Iterable[Classification], notes: list[Note]) -> tuple[str | None, str | None]:
    """The first CPV code as 8 digits (check digit dropped) and as published."""
    for code in codes:
        if code.scheme != "CPV":
            continue
        match = _CPV.match(code.code)
        if match is None:
            notes.append(Note.of("bad_cpv", value=shown(code.code)))
            continue
        digits = match.group(1)
        if len(digits) == 7:
            notes.append(Note.of("cpv_leading_zero", raw=code.code, fixed="0" + digits))
            digits = "0" + digits
        return digits, code.code
    return None, None


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 (lower case) of a country name or code, when recognised.

    As rigour's ``lookup_territory``: a code first, then a name. A name written exactly as one
    of rigour's names of a territory (``Україна``, ``Canada``) is found in a small table
    (:func:`strong_names`), sparing each process the second or so that rigour takes to build
    its table of every name normalised; other names (``UKRAINE``) go to rigour."""
    if len(name) > 100:
        return None
    territory = lookup_by_identifier(name)
    code = territory.code if territory is not None else strong_names().get(name)
    if code is None:
        territory = lookup_territory(name)
        code = territory.code if territory is not None else None
    return str(code) if code is not None and len(code) == 2 else None


@cache
def strong_names() -> dict[str, str]:
    """rigour's strong and weak names of territories, as written, with their territory's code;
    a strong name wins over a weak one, as in rigour, and a name of several territories is
    left out (rigour decides). Empty when this version of rigour does not expose its names the
    way this reads them."""
    try:
        from rigour.territories.lookup import _load_territory_names  # noqa: PLC0415
    except ImportError:
        return {}
    strong: dict[str, str] = {}
    weak: dict[str, str] = {}
    ambiguous: set[str] = set()
    for territory, strongs, weaks, _ in _load_territory_names():
        for table, names in ((strong, strongs), (weak, weaks)):
            for name in names:
                if table.setdefault(name, territory.code) != territory.code:
                    ambiguous.add(name)
    found = {**{k: v for k, v in weak.items() if k not in strong}, **strong}
    for key in ambiguous:
        found.pop(key, None)
    return found
