"""Currencies as ISO 4217 codes: known codes kept, lowercase and known misspellings repaired.

The codes are a data file (``sources/data/iso4217.csv``: alphabetic code, ``active`` or
``historic``, English name) and so are the repairs (``sources/data/currency_aliases.csv``:
symbols and spellings seen in procurement data, such as ``EURO``, ``US$``, ``£``, ``RD$``,
each mapped to one code). Aliases that could mean several currencies (``$``, ``C$``, ``¥``,
``FCFA``) are deliberately absent: they stay unknown.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

_STRIP = " \t\r\n.,;:-_'\"()[]"
MAX_RAW = 40


class CurrencyCode(BaseModel):
    """One row of the ISO 4217 data file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z]{3}$")
    status: Literal["active", "historic"]
    name: str = Field(min_length=1)


class CurrencyAlias(BaseModel):
    """One row of the alias file: a spelling or symbol and the ISO code it stands for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alias: str = Field(min_length=1)
    code: str = Field(pattern=r"^[A-Z]{3}$")


class CurrencyDataError(ValueError):
    """A currency data file is invalid (a packaging error, not an input error)."""


@dataclass(frozen=True, slots=True)
class CurrencyTable:
    """ISO 4217 codes and the repairs applied to spellings that are not codes."""

    codes: dict[str, CurrencyCode]
    aliases: dict[str, str]


@dataclass(frozen=True, slots=True)
class CurrencyResult:
    """A published currency read as a code: ``status`` says if it was ``ok``, ``repaired``,
    ``unknown`` (not a code: rejected) or ``missing`` (absent or empty)."""

    code: str | None
    status: Literal["ok", "repaired", "unknown", "missing"]
    raw: str = ""


def _rows(name: str) -> list[dict[str, str]]:
    text = files("vigie.sources").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def currency_table() -> CurrencyTable:
    """The packaged table, validated on first use."""
    try:
        codes = [CurrencyCode.model_validate(row) for row in _rows("iso4217.csv")]
        aliases = [CurrencyAlias.model_validate(row) for row in _rows("currency_aliases.csv")]
    except ValidationError as exc:
        raise CurrencyDataError(f"invalid currency data: {exc}") from exc
    by_code = {c.code: c for c in codes}
    if len(by_code) != len(codes):
        raise CurrencyDataError("invalid currency data: a code is listed twice")
    unknown = sorted({a.code for a in aliases} - set(by_code))
    if unknown:
        raise CurrencyDataError(f"invalid currency data: aliases to unknown codes {unknown}")
    return CurrencyTable(by_code, {_key(a.alias): a.code for a in aliases})


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).upper()
    return " ".join(folded.strip(_STRIP).split())


def normalize_currency(value: object, table: CurrencyTable | None = None) -> CurrencyResult:
    """Read a published currency value as an ISO 4217 code.

    ``"EUR"`` is ``ok``; ``"eur"``, ``" Eur. "``, ``"EURO"``, ``"€"`` are ``repaired`` to
    ``EUR``; ``""`` or ``None`` is ``missing``; anything else (``"XYZ"``, ``"$"``, a number, a
    list) is ``unknown``. ``raw`` is the published value, clipped, for messages.
    """
    table = table or currency_table()
    if value is None or (isinstance(value, str) and not value.strip()):
        return CurrencyResult(None, "missing")
    if not isinstance(value, str):
        return CurrencyResult(None, "unknown", f"<{type(value).__name__}>")
    raw = value[:MAX_RAW]
    if value in table.codes:
        return CurrencyResult(value, "ok", raw)
    key = _key(value)
    if key in table.codes:
        return CurrencyResult(key, "repaired", raw)
    code = table.aliases.get(key) or table.aliases.get(key.replace(" ", ""))
    if code is not None:
        return CurrencyResult(code, "repaired", raw)
    return CurrencyResult(None, "unknown", raw)
