"""Company identifiers: schemes, normalisation and check-digit validation.

Each scheme has a normaliser that returns the canonical form of a value (digits only for a
SIREN, upper case without spaces for a VAT number...) or raises ``ValueError`` with a reason.
LEI, SIREN, SIRET and VAT numbers are checked with python-stdnum (ISO 7064 mod 97-10, Luhn,
per-country VAT rules). See docs/knowledge-base.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum import lei, vatin
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret

_SPACES = re.compile(r"[\s.\-/]+")


def _stdnum(validate: Callable[[str], str]) -> Callable[[str], str]:
    def normalise(value: str) -> str:
        try:
            return validate(value)
        except StdnumError as exc:
            raise ValueError(str(exc) or type(exc).__name__) from None

    return normalise


def _duns(value: str) -> str:
    digits = _SPACES.sub("", value)
    if not re.fullmatch(r"\d{9}", digits):
        raise ValueError("a DUNS number has 9 digits")
    return digits


def _wikidata(value: str) -> str:
    text = value.strip().upper()
    if not re.fullmatch(r"Q[1-9]\d{0,11}", text):
        raise ValueError("a Wikidata item id is Q followed by digits")
    return text


def _gb_coh(value: str) -> str:
    text = _SPACES.sub("", value).upper()
    if text.isdigit() and len(text) < 8:
        text = text.zfill(8)
    if not re.fullmatch(r"[0-9]{8}|[A-Z]{2}[0-9]{6}", text):
        raise ValueError("a Companies House number is 8 digits or 2 letters and 6 digits")
    return text


def _vat(value: str) -> str:
    return _stdnum(vatin.validate)(_SPACES.sub("", value).upper())


NORMALISERS: dict[str, Callable[[str], str]] = {
    "lei": _stdnum(lei.validate),
    "siren": _stdnum(siren.validate),
    "siret": _stdnum(siret.validate),
    "vat": _vat,
    "duns": _duns,
    "wikidata": _wikidata,
    "gb-coh": _gb_coh,
}
"""Identifier schemes known to the knowledge base, with their normalisers."""

SCHEMES: tuple[str, ...] = tuple(NORMALISERS)


def normalise_identifier(scheme: str, value: str) -> str:
    """The canonical form of ``value`` under ``scheme``; ``ValueError`` when it is invalid."""
    if scheme not in NORMALISERS:
        raise ValueError(f"unknown identifier scheme {scheme!r} (known: {', '.join(SCHEMES)})")
    if not value.strip():
        raise ValueError("empty identifier")
    return NORMALISERS[scheme](value)
