"""The alternatives data file: providers with sourced attributes, validated on load.

See docs/alternatives.md. Every attribute carries the ids of its sources; an attribute left
out is *unknown*, never false. :func:`load_alternatives` reports every problem at once
(schema errors with their location, duplicate ids, unknown source, law or scheme ids,
unused sources) and refuses YAML aliases, so a hostile file cannot expand exponentially.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator

from vigie.datamodel import Strict as _Strict
from vigie.kb import Text

MAX_FILE_BYTES = 2 * 1024 * 1024
CATEGORIES = (
    "cloud-data",
    "ai",
    "software",
    "it-services",
    "hardware",
    "telecom",
    "surveillance-security",
)
CategoryId = Literal[
    "cloud-data", "ai", "software", "it-services", "hardware", "telecom", "surveillance-security"
]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)]
Country = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
PartialDate = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
SourceIds = Annotated[tuple[Slug, ...], Field(min_length=1)]


class SourceType(StrEnum):
    """Kinds of source behind an attribute."""

    LAW = "law"
    REGULATOR = "regulator"
    GOVERNMENT = "government"
    COMPANY = "company"
    JOURNALISM = "journalism"
    REFERENCE = "reference"


class AltSource(_Strict):
    """A document an attribute rests on; ``url`` where it was read, or the copies it was read in."""

    id: Slug
    type: SourceType
    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    date: PartialDate | None = None
    url: str | None = None
    retrieved_from: tuple[str, ...] = ()

    @field_validator("url", "retrieved_from")
    @classmethod
    def _http_only(cls, value: str | tuple[str, ...] | None) -> str | tuple[str, ...] | None:
        for url in (value,) if isinstance(value, str) else value or ():
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"URL {url!r} must start with http:// or https://")
        return value


class Law(_Strict):
    """An extraterritorial data-access law."""

    id: Slug
    name: Text
    jurisdiction: Country
    sources: SourceIds


class Scheme(_Strict):
    """A certification or qualification scheme."""

    id: Slug
    name: Text
    issuer: str = Field(min_length=1)
    sources: SourceIds


class Categories(_Strict):
    """The technology categories a provider serves."""

    ids: tuple[CategoryId, ...] = Field(min_length=1)
    sources: SourceIds


class Headquarters(_Strict):
    """Where the provider's head office is."""

    country: Country
    city: str | None = None
    sources: SourceIds


class Exposure(_Strict):
    """Whether a law reaches the provider's data (``exposed``), and on what basis."""

    law: Slug
    exposed: bool
    basis: Text
    sources: SourceIds


class Certification(_Strict):
    """A scheme the provider holds (``qualified``) or is documented as not yet holding."""

    scheme: Slug
    status: Literal["qualified", "in_progress"]
    version: str | None = None
    offer: str | None = None
    date: PartialDate | None = None
    sources: SourceIds


class OpenSource(_Strict):
    """Whether the provider's product is published under an open-source licence."""

    value: bool
    licence: str | None = None
    sources: SourceIds


class Tie(_Strict):
    """A company that owns, controls, funds or supplies the provider; screened like a name."""

    name: str = Field(min_length=1)
    relation: Literal["parent", "shareholder", "investor", "technology"]
    controlling: bool
    detail: Text | None = None
    sources: SourceIds


class PublicReference(_Strict):
    """A public-sector buyer or partner of the provider."""

    buyer: str = Field(min_length=1)
    country: Country
    date: PartialDate | None = None
    summary: Text
    sources: SourceIds


class Provider(_Strict):
    """An alternative provider; every attribute but the identity is optional (unknown)."""

    id: Slug
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    sources: SourceIds
    categories: Categories
    headquarters: Headquarters | None = None
    exposure: tuple[Exposure, ...] = ()
    certifications: tuple[Certification, ...] = ()
    open_source: OpenSource | None = None
    ties: tuple[Tie, ...] = ()
    public_sector: tuple[PublicReference, ...] = ()


class AlternativesFile(_Strict):
    """The validated content of an alternatives data file."""

    laws: tuple[Law, ...] = ()
    schemes: tuple[Scheme, ...] = ()
    providers: tuple[Provider, ...] = Field(min_length=1)
    sources: tuple[AltSource, ...] = Field(min_length=1)
    version: str = ""

    def source(self, source_id: str) -> AltSource:
        """The source with this id."""
        return next(s for s in self.sources if s.id == source_id)


class AlternativesError(ValueError):
    """An alternatives file is invalid; ``problems`` lists every defect (location: message)."""

    def __init__(self, path: str, problems: Sequence[str]) -> None:
        super().__init__(f"{path}: invalid alternatives file:\n  " + "\n  ".join(problems))
        self.path = path
        self.problems = list(problems)


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses YAML aliases (no exponential expansion of hostile files)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed", mark)
        return super().compose_node(parent, index)


def shipped_path() -> Path:
    """The alternatives file shipped with vigie."""
    return Path(str(files("vigie.assess").joinpath("alternatives.yaml")))


@cache
def shipped_alternatives() -> AlternativesFile:
    """The shipped alternatives, validated (loaded once)."""
    return load_alternatives(shipped_path())


def load_alternatives(path: Path) -> AlternativesFile:
    """Load and validate an alternatives file; ``version`` is the SHA-256 (16 hex) of its bytes.

    Raises :class:`AlternativesError` listing every problem found.
    """
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise AlternativesError(str(path), [f"file is over {MAX_FILE_BYTES} bytes"])
        raw = path.read_bytes()
    except OSError as exc:
        raise AlternativesError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    return parse_alternatives(raw, str(path))


def parse_alternatives(raw: bytes, name: str = "<bytes>") -> AlternativesFile:
    """Validate the bytes of an alternatives file (see :func:`load_alternatives`)."""
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_NoAliasLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AlternativesError(name, [f"not valid UTF-8 YAML: {exc}"]) from None
    except RecursionError:
        raise AlternativesError(name, ["YAML nesting is too deep"]) from None
    if not isinstance(data, dict):
        raise AlternativesError(name, ["top level must be a mapping"])
    data = {**data, "version": hashlib.sha256(raw).hexdigest()[:16]}
    try:
        parsed = AlternativesFile.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_loc(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise AlternativesError(name, problems) from None
    problems = check_references(parsed)
    if problems:
        raise AlternativesError(name, problems)
    return parsed


def _loc(parts: Iterable[int | str]) -> str:
    return ".".join(str(p) for p in parts) or "(top level)"


def check_references(data: AlternativesFile) -> list[str]:
    """Duplicate ids, unknown source/law/scheme ids and unused sources, as readable messages."""
    problems: list[str] = []
    for section in ("laws", "schemes", "providers", "sources"):
        counts = Counter(item.id for item in getattr(data, section))
        problems += [f"{section}: id {i!r} is defined twice" for i, n in counts.items() if n > 1]
    known = {s.id for s in data.sources}
    cited: set[str] = set()
    for where, ids in _citations(data):
        cited.update(ids)
        problems += [f"{where}: unknown source {i!r}" for i in ids if i not in known]
    laws, schemes = {law.id for law in data.laws}, {s.id for s in data.schemes}
    for provider in data.providers:
        where = f"provider {provider.id!r}"
        for exposure in provider.exposure:
            if exposure.law not in laws:
                problems.append(f"{where}: unknown law {exposure.law!r}")
        for cert in provider.certifications:
            if cert.scheme not in schemes:
                problems.append(f"{where}: unknown certification scheme {cert.scheme!r}")
        for label, values in (
            ("law", [e.law for e in provider.exposure]),
            ("certification scheme", [c.scheme for c in provider.certifications]),
        ):
            twice = sorted(v for v, n in Counter(values).items() if n > 1)
            problems += [f"{where}: {label} {v!r} is given twice" for v in twice]
    problems += [f"sources: source {s!r} is cited by nothing" for s in sorted(known - cited)]
    return problems


def _citations(data: AlternativesFile) -> Iterable[tuple[str, tuple[str, ...]]]:
    """(location, source ids) of every sourced item."""
    for law in data.laws:
        yield f"law {law.id!r}", law.sources
    for scheme in data.schemes:
        yield f"scheme {scheme.id!r}", scheme.sources
    for p in data.providers:
        where = f"provider {p.id!r}"
        yield where, p.sources
        yield f"{where}.categories", p.categories.sources
        if p.headquarters:
            yield f"{where}.headquarters", p.headquarters.sources
        if p.open_source:
            yield f"{where}.open_source", p.open_source.sources
        for name in ("exposure", "certifications", "ties", "public_sector"):
            for index, item in enumerate(getattr(p, name)):
                yield f"{where}.{name}.{index}", item.sources
