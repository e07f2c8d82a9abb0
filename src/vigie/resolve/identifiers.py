"""Identifier keys: published identifiers and the knowledge base's, in one comparable form.

A key is ``(scheme, value)`` with the scheme in lower case and the value compacted. French
numbers meet at the SIREN (the legal unit): a SIRET (establishment) gives its first nine
digits, a French VAT number its last nine. Check digits are verified with python-stdnum
(a dependency of rigour) so that a malformed number never creates a key.
"""

from __future__ import annotations

import re

from stdnum.fr import siren, siret, tva
from stdnum.lei import is_valid as lei_is_valid

_SPACES = re.compile(r"[\s.\-/]")
_SCHEMES = {
    "siret": "siret",
    "siren": "siren",
    "tva": "vat",
    "tva_intracommunautaire": "vat",
    "vat": "vat",
    "lei": "lei",
    "duns": "duns",
    "wikidata": "wikidata",
    "gb-coh": "gb-coh",
}


def identifier_keys(scheme: str | None, value: str | None) -> frozenset[tuple[str, str]]:
    """Comparable keys of one identifier; empty when the scheme or the number is unusable."""
    if not value:
        return frozenset()
    compact = _SPACES.sub("", value).upper()
    name = _SCHEMES.get((scheme or "").strip().lower())
    if name is None and scheme is None and compact.isdigit() and siret.is_valid(compact):
        name = "siret"
    if name is None:
        return frozenset()
    keys: set[tuple[str, str]] = set()
    if name == "siret":
        if siret.is_valid(compact):
            keys |= {("siret", compact), ("siren", compact[:9])}
    elif name == "siren":
        if siren.is_valid(compact):
            keys.add(("siren", compact))
    elif name == "vat":
        keys.add(("vat", compact))
        if compact.startswith("FR") and tva.is_valid(compact):
            keys.add(("siren", compact[-9:]))
    elif name == "lei":
        if lei_is_valid(compact):
            keys.add(("lei", compact))
    else:
        keys.add((name, compact))
    return frozenset(keys)


def compare_keys(
    published: frozenset[tuple[str, str]], known: frozenset[tuple[str, str]]
) -> tuple[int, str]:
    """1 and the shared key when one key is shared; -1 when a scheme is shared with no equal
    value; 0 when the identifiers cannot be compared."""
    shared = published & known
    if shared:
        scheme, value = min(shared)
        return 1, f"{scheme} {value}"
    common = {s for s, _ in published} & {s for s, _ in known}
    if common:
        scheme = min(common)
        mine = sorted(v for s, v in published if s == scheme)
        return -1, f"{scheme} {mine[0]} is not the company's"
    return 0, ""


def guess_identifier_keys(value: str | None) -> frozenset[tuple[str, str]]:
    """Keys of an identifier published without its scheme, recognised by its check digits:
    SIRET (14 digits), SIREN (9 digits), French VAT (FR + 11), LEI (20 characters)."""
    if not value:
        return frozenset()
    compact = _SPACES.sub("", value).upper()
    for scheme, valid in (
        ("siret", siret.is_valid),
        ("siren", siren.is_valid),
        ("vat", tva.is_valid),
        ("lei", lei_is_valid),
    ):
        if valid(compact):
            return identifier_keys(scheme, compact)
    return frozenset()
