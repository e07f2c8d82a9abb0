"""Classification codes: normalise them, find their mapping (longest prefix), name them.

CPV codes are 8 digits, optionally followed by a check digit (``72000000-5``); UNSPSC codes are
8 digits, optionally followed by a 2-digit business function. Other schemes are not mapped.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from vigie.sources.records import Classification
from vigie.sources.taxonomy.model import CodeMapping, Match, Scheme

CPV_LABELS_FILE = "cpv-2008-labels.csv.gz"
_CPV = re.compile(r"^\s*(\d{8})(?:\s*-\s*\d)?\s*$")
_UNSPSC = re.compile(r"^\s*(\d{8})(?:\d{2})?\s*$")


def normalize_code(scheme: str, code: str) -> tuple[Scheme, str] | None:
    """``(scheme, 8 digits)`` for a CPV or UNSPSC code as published, or None."""
    name = scheme.strip().upper()
    pattern = {"CPV": _CPV, "UNSPSC": _UNSPSC}.get(name)
    if pattern is None:
        return None
    match = pattern.match(code)
    return (Scheme(name), match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A recognised code of a record, with the title its source published, if any."""

    scheme: Scheme
    code: str
    published_label: str | None


def candidates(classifications: Iterable[Classification], cpv: str | None) -> list[Candidate]:
    """The record's recognised codes: the main CPV first, then the others as published.

    Each code appears once; unrecognised schemes and malformed codes are left out.
    """
    published = list(classifications)
    found: dict[tuple[Scheme, str], Candidate] = {}
    entries: list[tuple[str, str | None, str | None]] = [("CPV", cpv, None)] if cpv else []
    entries += [(c.scheme, c.code, c.description) for c in published]
    for scheme, code, label in entries:
        if not code:
            continue
        key = normalize_code(scheme, code)
        if key is None:
            continue
        previous = found.get(key)
        if previous is None or (previous.published_label is None and label):
            found[key] = Candidate(key[0], key[1], (label or "").strip() or None)
    return list(found.values())


class CodeIndex:
    """Mappings by prefix; :meth:`lookup` returns the longest prefix covering a code."""

    def __init__(self, mappings: Iterable[CodeMapping]) -> None:
        self._prefix: dict[tuple[Scheme, str], CodeMapping] = {}
        self._exact: dict[tuple[Scheme, str], CodeMapping] = {}
        for mapping in mappings:
            table = self._exact if mapping.match is Match.EXACT else self._prefix
            table[(mapping.scheme, mapping.prefix)] = mapping

    def lookup(self, scheme: Scheme, code: str) -> CodeMapping | None:
        """The mapping of an 8-digit code: exact entry first, then the longest prefix."""
        exact = self._exact.get((scheme, code))
        if exact is not None:
            return exact
        for length in range(len(code), 1, -1):
            mapping = self._prefix.get((scheme, code[:length]))
            if mapping is not None:
                return mapping
        return None


@cache
def cpv_labels() -> Mapping[str, tuple[str, str]]:
    """Every CPV 2008 code with its English and French titles (from the packaged list)."""
    raw = files("vigie.sources.taxonomy").joinpath("data", CPV_LABELS_FILE).read_bytes()
    text = gzip.decompress(raw).decode("utf-8")
    return {row["code"]: (row["en"], row["fr"]) for row in csv.DictReader(io.StringIO(text))}


def code_title(
    scheme: Scheme, code: str, lang: str, mapping: CodeMapping | None = None
) -> str | None:
    """A code's title in ``lang``: CPV 2008's, else the taxonomy's when ``mapping`` is this code."""
    if scheme is Scheme.CPV:
        titles = cpv_labels().get(code)
        if titles is not None:
            return titles[1] if lang == "fr" else titles[0]
    if mapping is not None and mapping.scheme is scheme and mapping.code == code:
        return mapping.label.get(lang)
    return None
