"""The knowledge-base model, validated on load (pydantic).

Companies and their parent links; sources; evidence items (attributed claims) and the
companies' responses; conflict-affected contexts with dated determinations. Claims and
summaries are written in the project's own words, in English and French.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)]
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A user-facing text in both languages."""

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``fr`` or ``en``)."""
        return self.fr if lang == "fr" else self.en


class SourceType(StrEnum):
    """Kinds of source, kept so that assessment and policy can weigh them differently."""

    COURT = "court"
    UN_BODY = "un_body"
    JOURNALISM = "journalism"
    NGO = "ngo"
    ADVOCACY = "advocacy"
    COMPANY = "company"


def _check_partial_date(value: str | None) -> str | None:
    if value is not None and not _PARTIAL_DATE.match(value):
        raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return value


class Source(_Strict):
    """A document that reports something: who published it, when, where it can be read."""

    id: Slug
    type: SourceType
    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    date: str | None = None
    url: str | None = None
    document_symbol: str | None = None
    retrieved_from: tuple[str, ...] = ()
    note: Text | None = None

    _date = field_validator("date")(_check_partial_date)

    @field_validator("url", "retrieved_from")
    @classmethod
    def _http_only(cls, value: str | tuple[str, ...] | None) -> str | tuple[str, ...] | None:
        urls = (value,) if isinstance(value, str) else value or ()
        for url in urls:
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"URL {url!r} must start with http:// or https://")
        return value


class Company(_Strict):
    """A legal entity or brand owner; ``parent`` links a subsidiary to its owner."""

    id: Slug
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    country: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    parent: Slug | None = None
    note: str | None = None


class Evidence(_Strict):
    """An attributed claim about one or more companies, backed by at least one source."""

    id: Slug
    companies: tuple[Slug, ...] = Field(min_length=1)
    category: Slug
    context: Slug | None = None
    date: str | None = None
    claim: Text
    sources: tuple[Slug, ...] = Field(min_length=1)

    _date = field_validator("date")(_check_partial_date)


class Response(_Strict):
    """A company's own response, linked to the evidence items it answers."""

    id: Slug
    company: Slug
    answers: tuple[Slug, ...] = Field(min_length=1)
    date: str | None = None
    summary: Text
    sources: tuple[Slug, ...] = Field(min_length=1)

    _date = field_validator("date")(_check_partial_date)


class Determination(_Strict):
    """A dated determination by a court or UN body about a context."""

    date: str
    summary: Text
    sources: tuple[Slug, ...] = Field(min_length=1)

    _date = field_validator("date")(_check_partial_date)


class Context(_Strict):
    """A situation (for instance conflict-affected) that evidence items refer to."""

    id: Slug
    name: Text
    conflict_affected: bool
    determinations: tuple[Determination, ...] = ()


class Category(_Strict):
    """An evidence category of the documented taxonomy."""

    id: Slug
    label: Text
    description: Text


class KnowledgeBaseFile(_Strict):
    """The content of one knowledge-base YAML file; every section is optional."""

    categories: tuple[Category, ...] = ()
    companies: tuple[Company, ...] = ()
    sources: tuple[Source, ...] = ()
    contexts: tuple[Context, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    responses: tuple[Response, ...] = ()
