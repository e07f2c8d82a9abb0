"""Importing a user's knowledge: shared machinery for every import format.

A reader turns an input file into a :class:`Draft` (companies, extensions, ownership links,
sources, evidence...) and rejects, record by record, what it cannot use, saying where and
why. :func:`finalise` then checks the draft against the knowledge base it will be merged
with, drops the items that would break it (each drop is reported against the input record
it came from) and :func:`write_draft` writes the rest as one YAML file in the user's
knowledge directory. Nothing is lost: ``records_read == records_loaded + records_rejected``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from vigie.kb.base import KnowledgeBase
from vigie.kb.dates import parse_partial
from vigie.kb.identifiers import normalise_identifier
from vigie.kb.loader import dump_yaml
from vigie.kb.model import (
    Company,
    Evidence,
    Extension,
    Identifier,
    KnowledgeBaseFile,
    Ownership,
    Source,
)

ISSUE_CODES = frozenset(
    {
        "file_too_large",
        "too_many_records",
        "line_too_long",
        "invalid_utf8",
        "not_utf8",
        "unreadable_archive",
        "broken_json",
        "not_object",
        "unknown_schema",
        "missing_name",
        "missing_field",
        "bad_identifier",
        "bad_date",
        "bad_value",
        "unknown_reference",
        "not_control_link",
        "inactive_without_end",
        "redundant_link",
        "annulled",
        "unmapped_topics",
        "breaks_knowledge_base",
        "invalid_item",
        "unknown_columns",
        "merged",
    }
)
"""Codes of import issues; each has a ``kb_issue_<code>`` message in both languages."""


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Bounds on hostile or oversized input."""

    max_bytes: int = 512 * 1024 * 1024
    max_line_bytes: int = 1024 * 1024
    max_records: int = 2_000_000


@dataclass(frozen=True, slots=True)
class Issue:
    """A rejected record or a remark: where (line, row, item), a code and its parameters."""

    position: str
    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, position: str, code: str, **params: object) -> Issue:
        """Build an issue; parameter values are kept as text (and shortened)."""
        assert code in ISSUE_CODES, code
        return cls(position, code, tuple((k, str(v)[:300]) for k, v in params.items()))

    def as_dict(self) -> dict[str, str]:
        """The parameters as a mapping (for message formatting)."""
        return dict(self.params)


@dataclass
class Draft:
    """What a reader extracted, with the input position of every item."""

    name: str
    records_read: int = 0
    rejected: dict[str, Issue] = field(default_factory=dict)
    remarks: list[Issue] = field(default_factory=list)
    companies: dict[str, Company] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)
    ownership: list[Ownership] = field(default_factory=list)
    ownership_positions: list[str] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    other: dict[str, list[BaseModel]] = field(default_factory=dict)
    origin: dict[tuple[str, str], str] = field(default_factory=dict)
    fatal: Issue | None = None

    def reject(self, position: str, code: str, **params: object) -> None:
        """Reject the input record at ``position`` (only the first reason is kept)."""
        self.rejected.setdefault(position, Issue.of(position, code, **params))

    def remark(self, position: str, code: str, **params: object) -> None:
        """Note something about a loaded record."""
        self.remarks.append(Issue.of(position, code, **params))

    def add_link(self, link: Ownership, position: str) -> None:
        """Add an ownership link read at ``position``."""
        self.ownership.append(link)
        self.ownership_positions.append(position)

    def add_source(self, source: Source) -> str:
        """Add a source (once per id) and return its id."""
        self.sources.setdefault(source.id, source)
        return source.id

    @property
    def records_rejected(self) -> int:
        """Input records rejected."""
        return len(self.rejected)

    @property
    def records_loaded(self) -> int:
        """Input records loaded (read minus rejected)."""
        return self.records_read - len(self.rejected)

    def to_file(self) -> KnowledgeBaseFile:
        """The draft as a knowledge-base file."""
        return KnowledgeBaseFile(
            companies=tuple(self.companies.values()),
            extensions=tuple(self.extensions.values()),
            ownership=tuple(self.ownership),
            sources=tuple(self.sources.values()),
            evidence=tuple(self.evidence.values()),
            **{k: tuple(v) for k, v in self.other.items()},  # type: ignore[arg-type]
        )


def slug(text: str, limit: int = 60) -> str:
    """A lower-case ASCII identifier made of the words of ``text``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].strip("-") or "x"


def short_hash(text: str) -> str:
    """Eight hexadecimal characters derived from ``text`` (stable across runs)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def identifiers_from(
    pairs: Iterable[tuple[str, str]], draft: Draft, position: str
) -> tuple[Identifier, ...]:
    """Valid identifiers among (scheme, raw value) pairs; invalid ones are reported."""
    out: dict[str, Identifier] = {}
    for scheme, raw in pairs:
        if not raw.strip():
            continue
        try:
            value = normalise_identifier(scheme, raw)
        except ValueError as exc:
            draft.remark(position, "bad_identifier", scheme=scheme, value=raw, reason=exc)
            continue
        out.setdefault(f"{scheme}:{value}", Identifier(scheme=scheme, value=value))
    return tuple(out.values())


def partial_date(raw: str | None) -> str | None:
    """The partial date at the start of ``raw`` (``2021-03-04T...`` gives ``2021-03-04``)."""
    if not raw:
        return None
    found = re.match(r"^\d{4}(-\d{2}(-\d{2})?)?", raw.strip())
    if not found:
        raise ValueError(f"not a date: {raw!r}")
    parse_partial(found.group(0))
    return found.group(0)


class Resolver:
    """Finds the existing company an imported entity is: by identifier, then by exact name."""

    def __init__(self, kb: KnowledgeBase | None) -> None:
        self._by_identifier: dict[str, str] = {}
        self._by_name: dict[str, set[str]] = {}
        self._ids: set[str] = set()
        for company in kb.companies.values() if kb else ():
            self.add(company)

    def add(self, company: Company) -> None:
        """Index a company's identifiers and names."""
        self._ids.add(company.id)
        for ident in company.identifiers:
            self._by_identifier.setdefault(str(ident), company.id)
        for name in (company.name, *company.aliases):
            self._by_name.setdefault(name.casefold().strip(), set()).add(company.id)

    def known(self, company_id: str) -> bool:
        """Whether a company with this id exists."""
        return company_id in self._ids

    def find(self, identifiers: Sequence[Identifier], names: Sequence[str]) -> str | None:
        """The id of the company with one of these identifiers or exactly one of these names."""
        for ident in identifiers:
            if str(ident) in self._by_identifier:
                return self._by_identifier[str(ident)]
        for name in names:
            ids = self._by_name.get(name.casefold().strip(), set())
            if len(ids) == 1:
                return next(iter(ids))
        return None


def add_company(
    draft: Draft, resolver: Resolver, company: Company, position: str
) -> tuple[str, bool]:
    """Add an imported company, or extend the existing one it matches; (id, merged)."""
    existing = resolver.find(company.identifiers, (company.name, *company.aliases))
    if existing is not None and existing not in draft.companies:
        draft.remark(position, "merged", company=existing)
        previous = draft.extensions.get(existing)
        names = tuple(n for n in (company.name, *company.aliases) if n)
        ext = Extension(
            company=existing,
            aliases=tuple(dict.fromkeys((*(previous.aliases if previous else ()), *names))),
            former_names=tuple(
                dict.fromkeys((*(previous.former_names if previous else ()), *company.former_names))
            ),
            identifiers=tuple(
                {
                    str(i): i
                    for i in (*(previous.identifiers if previous else ()), *company.identifiers)
                }.values()
            ),
            sources=tuple(
                dict.fromkeys((*(previous.sources if previous else ()), *company.sources))
            ),
        )
        draft.extensions[existing] = ext
        draft.origin[("extensions", existing)] = position
        return existing, True
    if existing is not None:
        return existing, True
    draft.companies[company.id] = company
    draft.origin[("companies", company.id)] = position
    resolver.add(company)
    return company.id, False


def validated(model: type[BaseModel], data: dict[str, Any], draft: Draft, position: str) -> Any:
    """``model`` built from ``data``, or None with the record rejected (first error shown)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(p) for p in error["loc"])
        draft.reject(position, "invalid_item", field=loc or "-", reason=error["msg"])
        return None


def write_yaml(draft: Draft, path: Path, header: str) -> None:
    """Write the draft as a commented, human-editable YAML knowledge-base file."""
    data = draft.to_file().model_dump(mode="json", exclude_defaults=True)
    text = dump_yaml(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(f"{header}\n{text}", encoding="utf-8")
    tmp.replace(path)
