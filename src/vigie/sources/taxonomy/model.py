"""The technology taxonomy as data (``data/taxonomy.yaml``), validated on load with pydantic.

Categories in priority order, classification codes (CPV 2008, UNSPSC) mapped to categories by
prefix, and text cues by category and language. docs/taxonomy.md describes every field.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator

from vigie.datamodel import Strict as _Strict
from vigie.datamodel import Text

CategoryId = Annotated[str, Field(pattern=r"^[a-z][a-z-]*[a-z]$", max_length=40)]
OTHER = "other"
LANGUAGES = ("fr", "en", "de", "es", "it", "nl", "pt", "pl")
_CODE = re.compile(r"^\d{8}$")


class CodeLabel(_Strict):
    """A code's title as published: English always, French when the scheme has one (CPV)."""

    en: str = Field(min_length=1)
    fr: str | None = Field(default=None, min_length=1)

    def get(self, lang: str) -> str:
        """The title in ``lang``, the English one when there is no French title."""
        return self.fr if lang == "fr" and self.fr else self.en


class Category(_Strict):
    """A technology category.

    ``specific`` categories may be set by a text cue over a ``refinable`` code category
    (CPV 2008 has no code for AI or cloud, so such a cue says more than the code).
    """

    id: CategoryId
    label: Text
    description: Text
    specific: bool = False
    refinable: bool = False


class Scheme(StrEnum):
    """Classification schemes the taxonomy maps."""

    CPV = "CPV"
    UNSPSC = "UNSPSC"


class Match(StrEnum):
    """How a mapping covers codes: every code under its prefix, or the code itself only."""

    PREFIX = "prefix"
    EXACT = "exact"


def code_prefix(scheme: Scheme, code: str) -> str:
    """The prefix a mapping covers: CPV drops trailing zeros, UNSPSC trailing ``00`` pairs.

    Never shorter than the two digits of a CPV division or UNSPSC segment.
    """
    if scheme is Scheme.CPV:
        stripped = code.rstrip("0")
    else:
        stripped = code
        while stripped.endswith("00"):
            stripped = stripped[:-2]
    return code[: max(2, len(stripped))]


class CodeMapping(_Strict):
    """A classification code and the category of every code under it."""

    scheme: Scheme
    code: str
    category: CategoryId
    label: CodeLabel
    match: Match = Match.PREFIX
    note: str | None = None

    @field_validator("code")
    @classmethod
    def _eight_digits(cls, value: str) -> str:
        if not _CODE.match(value):
            raise ValueError(f"code {value!r} is not 8 digits")
        return value

    @model_validator(mode="after")
    def _cpv_is_bilingual(self) -> Self:
        if self.scheme is Scheme.CPV and self.label.fr is None:
            raise ValueError(f"CPV {self.code}: the French label is missing")
        return self

    @property
    def prefix(self) -> str:
        """The digits a code must start with to be covered (the whole code if ``exact``)."""
        return self.code if self.match is Match.EXACT else code_prefix(self.scheme, self.code)


class CueSet(_Strict):
    """Text cues of one category: terms by language, case-sensitive acronyms, exclusions."""

    terms: dict[str, list[Annotated[str, Field(min_length=2)]]]
    acronyms: list[Annotated[str, Field(min_length=2)]] = Field(default_factory=list)
    exclude: list[Annotated[str, Field(min_length=2)]] = Field(default_factory=list)

    @field_validator("terms")
    @classmethod
    def _known_languages(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown languages {unknown}; expected some of {list(LANGUAGES)}")
        return value


class TaxonomyFile(_Strict):
    """The whole data file, with cross-references checked."""

    version: str = Field(min_length=1)
    categories: list[Category] = Field(min_length=2)
    codes: list[CodeMapping]
    cues: dict[CategoryId, CueSet]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [c.id for c in self.categories]
        if len(set(ids)) != len(ids):
            raise ValueError("a category id is listed twice")
        if OTHER not in ids:
            raise ValueError(f"the category {OTHER!r} is required")
        known = set(ids)
        for mapping in self.codes:
            if mapping.category not in known:
                raise ValueError(f"{mapping.scheme} {mapping.code}: unknown category")
        seen: set[tuple[Scheme, str, Match]] = set()
        for mapping in self.codes:
            key = (mapping.scheme, mapping.prefix, mapping.match)
            if key in seen:
                raise ValueError(f"{mapping.scheme} {mapping.code}: prefix mapped twice")
            seen.add(key)
        owner: dict[str, str] = {}
        for category, cues in self.cues.items():
            if category not in known or category == OTHER:
                raise ValueError(f"cues for unknown or non-technology category {category!r}")
            for term in (t.lower() for terms in cues.terms.values() for t in terms):
                if owner.setdefault(term, category) != category:
                    raise ValueError(f"cue {term!r} is listed for two categories")
        return self
