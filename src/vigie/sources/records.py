"""Plain data types produced by the readers: records, rejections and warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` with its lone surrogates replaced by U+FFFD: they come from JSON escapes such
    as ``\\ud800`` and from file names whose bytes are not valid in the file system's
    encoding, and cannot be stored or written as UTF-8."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def path_label(path: Path) -> str:
    """How a file is named in records, rejections and reports: its path, storable."""
    return storable(str(path))


@dataclass(frozen=True, slots=True)
class Party:
    """A buyer or supplier as published: identifier, its scheme (SIRET, TVA...) and name.

    ``country`` is an ISO 3166-1 alpha-2 code in lower case when the source gives one.
    """

    id: str | None
    scheme: str | None
    name: str | None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Classification:
    """A classification code as published: scheme (``CPV``, ``UNSPSC``...), code, label."""

    scheme: str
    code: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ProcurementRecord:
    """One procurement record (a contract or concession) as read from a source file.

    ``date`` is the award or notification day (``YYYY-MM-DD``); ``date_time`` the full
    ISO 8601 timestamp with its UTC offset when the source publishes one. ``cpv`` is the main
    CPV code (8 digits); ``classifications`` every code published (CPV, UNSPSC, others).
    ``category`` is the technology category derived by the taxonomy and ``category_reason``
    why (filled after reading, not by readers); ``process_id`` the OCDS ``ocid``.
    """

    source_file: str
    position: str
    line: int
    record_id: str
    kind: str
    buyer: Party
    suppliers: tuple[Party, ...]
    title: str | None
    amount: float | None
    currency: str | None
    date: str | None
    cpv: str | None
    cpv_raw: str | None
    procedure: str | None
    content_hash: str
    description: str | None = None
    classifications: tuple[Classification, ...] = ()
    date_time: str | None = None
    category: str | None = None
    category_reason: str | None = None
    process_id: str | None = None
    """The contracting process the record comes from, when the source has one (OCDS
    ``ocid``): its releases may be spread over several files."""


@dataclass(frozen=True, slots=True)
class Note:
    """A reason or remark as a message code with parameters, translated when presented.

    Codes are listed in :data:`vigie.sources.codes.CODES`; each has an English and a
    French text in the message catalogues (``present/locales``).
    """

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> Note:
        """Build a note; parameter values are kept as text (:func:`storable`: a note may quote
        what a file holds, and is written to the workspace and to reports)."""
        return cls(code, tuple((k, storable(str(v))) for k, v in params.items()))

    def as_dict(self) -> dict[str, str]:
        """Parameters as a dict, for formatting."""
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A unit of input that was not loaded, with where it is and why."""

    source_file: str
    position: str
    note: Note
    excerpt: str = ""


@dataclass(frozen=True, slots=True)
class Warning_:
    """A data-quality note about a loaded record (the record is kept)."""

    source_file: str
    position: str
    note: Note


@dataclass(slots=True)
class ReadResult:
    """Everything one input file yielded."""

    path: str
    sha256: str
    size: int
    format: str
    records: list[ProcurementRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    units_read: int | None = None
    """Input units read, for readers whose unit is not one record (OCDS: one release or
    compiled record yields one record per award or contract). ``None``: one unit per record."""
    file: Path | None = None
    """The file read, to read it again (merging across files): ``path`` is its label, which
    shows bytes of its name that are not valid UTF-8 as U+FFFD (:func:`path_label`)."""

    @property
    def location(self) -> Path:
        """Where the file is: :attr:`file`, else :attr:`path`."""
        return self.file if self.file is not None else Path(self.path)

    @property
    def records_read(self) -> int:
        """Units read: every one is either loaded or rejected."""
        if self.units_read is not None:
            return self.units_read
        return len(self.records) + len(self.rejections)

    @property
    def records_loaded(self) -> int:
        """Units loaded (``records_read - records_rejected``)."""
        return self.records_read - len(self.rejections)

    @property
    def records_rejected(self) -> int:
        """Units rejected, each with its position and reason."""
        return len(self.rejections)
