"""The knowledge-base model, validated on load (pydantic).

Companies with identifiers and their dated ownership links; products and brands with the
words that identify them in texts; sources; evidence items (attributed claims) and the
companies' responses; conflict-affected contexts with dated determinations; relationships
other than contracts (sponsorship, partnership). Claims and summaries are written in the
project's own words, in English and French. See docs/knowledge-base.md.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from vigie.datamodel import Strict as _Strict
from vigie.datamodel import Text
from vigie.kb.dates import end_of, parse_partial, start_of
from vigie.kb.identifiers import normalise_identifier

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)]


class SourceType(StrEnum):
    """Kinds of source, kept so that assessment and policy can weigh them differently."""

    COURT = "court"
    UN_BODY = "un_body"
    JOURNALISM = "journalism"
    NGO = "ngo"
    ADVOCACY = "advocacy"
    COMPANY = "company"
    GOVERNMENT = "government"
    REGISTRY = "registry"
    DATASET = "dataset"


def _check_partial_date(value: str | None) -> str | None:
    if value is not None:
        parse_partial(value)
    return value


def _check_period(start: str | None, end: str | None) -> None:
    if start and end and end_of(end) <= start_of(start):
        raise ValueError(f"end {end} is before start {start}")


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


class Identifier(_Strict):
    """An official identifier (scheme and value), normalised and check-digit validated."""

    scheme: str
    value: str

    @field_validator("value")
    @classmethod
    def _normalise(cls, value: str, info: ValidationInfo) -> str:
        scheme = info.data.get("scheme")
        if not isinstance(scheme, str):
            return value  # the scheme itself is invalid and already reported
        return normalise_identifier(scheme, value)

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class Company(_Strict):
    """A legal entity or brand owner.

    ``parent`` is an undated shorthand for an ownership link in force with no known dates;
    dated links are recorded in the ``ownership`` section.
    """

    id: Slug
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    country: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    parent: Slug | None = None
    sources: tuple[Slug, ...] = ()
    note: str | None = None

    def identifier(self, scheme: str) -> str | None:
        """The first identifier of ``scheme``, or None."""
        return next((i.value for i in self.identifiers if i.scheme == scheme), None)


class Extension(_Strict):
    """Names and identifiers added to a company defined in another file.

    This is how a user's knowledge directory adds, for instance, an LEI or an alias to a
    starter company without editing the starter data.
    """

    company: Slug
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    sources: tuple[Slug, ...] = ()


class ProductKind(StrEnum):
    """What a product entry names."""

    BRAND = "brand"
    PRODUCT = "product"
    SERVICE = "service"


class Product(_Strict):
    """A brand, product or service of a company, with the words that identify it in texts.

    ``terms`` are matched in contract titles and descriptions; ``ambiguous_terms`` are words
    that identify the product only with context (for instance "Teams" or "Watson"), so a
    matcher must not count them alone.
    """

    id: Slug
    company: Slug
    name: str = Field(min_length=1)
    kind: ProductKind
    category: Slug
    terms: tuple[str, ...] = Field(min_length=1)
    ambiguous_terms: tuple[str, ...] = ()
    sources: tuple[Slug, ...] = ()
    note: str | None = None

    @field_validator("terms", "ambiguous_terms")
    @classmethod
    def _non_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not term.strip() for term in value):
            raise ValueError("terms must not be blank")
        return value


class Ownership(_Strict):
    """A dated ownership (control) link: ``parent`` owns ``child`` from ``start`` to ``end``.

    ``end`` is the date the link ended (a sale, a merger); a link is in force on day D when
    ``start <= D`` and D is before ``end`` (a partial end date such as ``2021`` covers the
    whole year). A ``share`` under 50 (percent) is a minority stake, recorded but not used
    to resolve groups.
    """

    child: Slug
    parent: Slug
    start: str | None = None
    end: str | None = None
    share: float | None = Field(default=None, ge=0, le=100)
    sources: tuple[Slug, ...] = ()
    note: str | None = None

    _dates = field_validator("start", "end")(_check_partial_date)

    @model_validator(mode="after")
    def _ordered(self) -> Ownership:
        _check_period(self.start, self.end)
        return self

    @property
    def controlling(self) -> bool:
        """True unless the share is known to be a minority stake."""
        return self.share is None or self.share >= 50


class Confidence(StrEnum):
    """How firmly the sources establish the claim (see docs/knowledge-base.md)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Evidence(_Strict):
    """An attributed claim about one or more companies, backed by at least one source."""

    id: Slug
    companies: tuple[Slug, ...] = Field(min_length=1)
    categories: tuple[Slug, ...] = Field(min_length=1)
    context: Slug | None = None
    date: str | None = None
    claim: Text
    sources: tuple[Slug, ...] = Field(min_length=1)
    confidence: Confidence

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


class RelationshipKind(StrEnum):
    """Relationships between a public body and a company other than a contract."""

    SPONSORSHIP = "sponsorship"
    PARTNERSHIP = "partnership"


class Relationship(_Strict):
    """A sourced sponsorship or partnership between a public body and a company."""

    id: Slug
    kind: RelationshipKind
    company: Slug
    public_body: str = Field(min_length=1)
    start: str | None = None
    end: str | None = None
    description: Text
    sources: tuple[Slug, ...] = Field(min_length=1)

    _dates = field_validator("start", "end")(_check_partial_date)

    @model_validator(mode="after")
    def _ordered(self) -> Relationship:
        _check_period(self.start, self.end)
        return self


class Category(_Strict):
    """An evidence category of the documented taxonomy."""

    id: Slug
    label: Text
    description: Text


class TechnologyCategory(_Strict):
    """A technology category of products (cloud, ai, software...)."""

    id: Slug
    label: Text
    description: Text


class KnowledgeBaseFile(_Strict):
    """The content of one knowledge-base YAML file; every section is optional."""

    categories: tuple[Category, ...] = ()
    technology_categories: tuple[TechnologyCategory, ...] = ()
    companies: tuple[Company, ...] = ()
    extensions: tuple[Extension, ...] = ()
    ownership: tuple[Ownership, ...] = ()
    products: tuple[Product, ...] = ()
    sources: tuple[Source, ...] = ()
    contexts: tuple[Context, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    responses: tuple[Response, ...] = ()
    relationships: tuple[Relationship, ...] = ()
