"""Field parsers shared by the DECP v1 and v2 readers: pure functions from JSON values.

Each parser returns the normalised value (or ``None``) and appends a :class:`Note` to
``notes`` when the published value had to be repaired or could not be used.
"""

from __future__ import annotations

import datetime
import html
import math
import re
from functools import lru_cache
from typing import Any

from vigie.sources.records import Note, Party

EXCERPT_CHARS = 300
_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
_CPV = re.compile(r"^(\d{7,8})(?:-\d)?$", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Wrappers of schema 2.0 around each party: [{"titulaire": {...}}, {"concessionnaire": {...}}].
PARTY_WRAPPERS = ("titulaire", "concessionnaire")


def text(value: Any) -> str | None:
    """A published text: entities unescaped, spaces collapsed, lone surrogates replaced."""
    kind = type(value)
    if kind is str:
        return _clean(value)
    if value is None or kind is bool:
        return None
    if kind is int or kind is float or isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):  # a str subclass
        return text(str(value))
    return None


def _clean(value: str) -> str | None:
    """:func:`text` of a string."""
    if "&" in value:
        value = html.unescape(value)
    # printable: no whitespace but the ASCII space, no control, no surrogate (most texts)
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value or None
    if not value.isascii():
        value = _SURROGATE.sub("\ufffd", value)
    cleaned = " ".join(value.split())
    return cleaned or None


def party(value: Any, default_scheme: str | None) -> Party:
    """A buyer or supplier object (``id``, ``typeIdentifiant``, ``nom``/``denominationSociale``).

    The wrapped form of schema 2.0 (``{"titulaire": {...}}``) is unwrapped.
    """
    if not isinstance(value, dict):
        return Party(None, None, None)
    if len(value) == 1:
        for wrapper in PARTY_WRAPPERS:
            if wrapper in value:
                value = value[wrapper]
                if not isinstance(value, dict):
                    return Party(None, None, None)
                break
    get = value.get
    name = text(get("nom")) or text(get("denominationSociale"))
    scheme = text(get("typeIdentifiant")) or default_scheme
    return Party(text(get("id")), scheme, name)


def amount(value: Any, notes: list[Note]) -> float | None:
    """An amount in euros: a non-negative finite number, or ``None`` with a note."""
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
        notes.append(Note.of("amount_not_number", value=shown(value)))
        return None
    if not math.isfinite(number) or number < 0:
        value_shown = repr(value[:40]) if isinstance(value, str) else shown(value)
        notes.append(Note.of("amount_out_of_range", value=value_shown))
        return None
    return number


def date(value: Any, field: str, notes: list[Note]) -> tuple[str | None, str | None]:
    """The day (``YYYY-MM-DD``) and, when a time or UTC offset is published, the timestamp.

    A time without offset gives a local timestamp (``2019-03-18T10:00:00``); a day with an
    offset but no time, as the PES files publish (``2019-03-18+01:00``), gives the start of
    that day at that offset (``2019-03-18T00:00:00+01:00``). ``Z`` is written ``+00:00``.
    """
    if value is None:
        notes.append(Note.of("no_date", field=field))
        return None, None
    raw = value if isinstance(value, str) else shown(value)
    parse = _parse_date_cached if len(raw) <= 40 else _parse_date
    day_text, stamp, problem = parse(raw)
    if problem == "bad_date":
        notes.append(Note.of("bad_date", field=field, value=repr(raw[:40])))
    elif problem:
        notes.append(Note.of("impossible_date", field=field, value=day_text))
        return None, None
    return day_text, stamp


def _parse_date(raw: str) -> tuple[str | None, str | None, str | None]:
    """(day, timestamp, problem code) of a published date text (pure)."""
    match = _DATE.match(raw)
    if not match:
        return None, None, "bad_date"
    year, month, day = (int(part) for part in match.group(1, 2, 3))
    try:
        valid = 1900 <= datetime.date(year, month, day).year <= 2100
    except ValueError:  # month or day out of range for the calendar
        valid = False
    day_text = f"{match.group(1)}-{match.group(2)}-{match.group(3)}"
    if not valid:
        return day_text, None, "impossible_date"
    return day_text, _timestamp(day_text, match), None


# Dates repeat a lot: short texts are memoised (bounded in number and size).
_parse_date_cached = lru_cache(maxsize=4096)(_parse_date)


def _timestamp(day_text: str, match: re.Match[str]) -> str | None:
    hour, minute, second, fraction, offset = match.group(4, 5, 6, 7, 8)
    if hour is None and offset is None:
        return None
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59):
        return None
    clock = f"{hour or '00'}:{minute or '00'}:{second or '00'}{fraction or ''}"
    if offset is None:
        return f"{day_text}T{clock}"
    if offset == "Z":
        offset = "+00:00"
    elif ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    if int(offset[1:3]) > 14 or int(offset[4:6]) > 59:
        return None
    return f"{day_text}T{clock}{offset}"


def cpv(value: Any, notes: list[Note]) -> tuple[str | None, str | None]:
    """The 8-digit CPV code and the raw text published (``30234000-8`` gives ``30234000``)."""
    raw = text(value)
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


def shown(value: Any) -> str:
    """A short text for a non-string value in a note, never printing a (deep) structure."""
    if isinstance(value, int | float):
        return str(value)[:40]
    return f"<{type(value).__name__}>"


def clip(raw: str) -> str:
    """A one-line excerpt of at most :data:`EXCERPT_CHARS` characters."""
    flat = " ".join(raw.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"
