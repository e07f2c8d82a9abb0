"""Input formats: which reader reads a file, detected from its first bytes or named by the user.

Each reader is a :class:`ReaderSpec`: a name, a version, ``read(path, label, limits)`` returning
a :class:`ReadResult`, and ``sniff(head, name)`` telling from the first bytes of a file (or of
the first member of a zip) whether the reader recognises it. Readers that can write to the
workspace batch by batch, for files larger than memory, also give ``stream``.

Adding a reader is one line in :data:`READERS`, for a module that exports ``FORMAT``, a reader
``read_x(path, label=None, limits=None) -> ReadResult`` and ``sniff(head, name) -> bool``::

    ReaderSpec(ted.FORMAT, __version__, ted.read_ted, ted.sniff, suffixes=(".xml",)),

More specific readers come first, since the first whose ``sniff`` answers yes is chosen (a
DECP v2 reader before DECP v1, as both have ``"marches"``). A reader whose version changes has
its files read again; ``name@version`` is the workspace import key.
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from vigie import __version__
from vigie.sources import decp_v2, eforms, notices, ocds, tabular, ted
from vigie.sources.decp import FORMAT as DECP_FORMAT
from vigie.sources.decp import read_decp
from vigie.sources.files import Limits, MemberError
from vigie.sources.ocds_stream import BatchSink, ProgressFn, StreamSummary
from vigie.sources.parts import Part
from vigie.sources.records import Note, ReadResult, path_label
from vigie.sources.sirene import SireneNames
from vigie.sources.tabular_mapping import TabularMapping

HEAD_BYTES = 1 << 16
"""How many bytes of a file (or of a zip's first member) the readers' ``sniff`` see."""

SniffFn = Callable[[bytes, str], bool]


class ReadFn(Protocol):
    """Reads a whole file; ``sha256`` is the file's, when the caller has it already (the
    reader then does not hash the file again)."""

    def __call__(
        self,
        path: Path,
        label: str | None = None,
        limits: Limits | None = None,
        *,
        sha256: str | None = None,
    ) -> ReadResult: ...


class StreamFn(Protocol):
    """Reads a file batch by batch into ``sink``; ``sha256`` is the file's, when the caller
    has it already (the reader then does not hash the file again)."""

    def __call__(
        self,
        path: Path,
        label: str,
        limits: Limits,
        sink: BatchSink,
        progress: ProgressFn | None = None,
        *,
        sha256: str | None = None,
    ) -> StreamSummary: ...


PartStreamFn = Callable[[Path, str, Limits, BatchSink, ProgressFn | None, Part], StreamSummary]


@dataclass(frozen=True, slots=True)
class ReaderSpec:
    """A reader of one input format.

    ``key`` (name and version) is stored with each import, so that a file is read again when
    the reader that read it changes.
    """

    name: str
    version: str
    read: ReadFn
    sniff: SniffFn
    stream: StreamFn | None = None
    suffixes: tuple[str, ...] = (".json",)
    stream_part: PartStreamFn | None = None
    """Reads one :class:`~vigie.sources.parts.Part` of a file, for files that
    ``splittable`` accepts (see :mod:`vigie.ingest_parts`); a module-level function, since
    it runs in another process."""
    splittable: Callable[[Path], bool] | None = None

    @property
    def key(self) -> str:
        """``name@version``: the workspace import key of this reader."""
        return f"{self.name}@{self.version}"


def sniff_decp_v1(head: bytes, name: str) -> bool:
    """A JSON document whose first bytes hold the DECP ``"marches"`` key."""
    del name
    text = _strip_bom(head).lstrip()
    return text[:1] == b"{" and b'"marches"' in text


def sniff_ted_package(head: bytes, name: str) -> bool:
    """A TED package: a tar archive (plain, or gzipped and named .tar.gz or .tgz)."""
    gzipped = head[:2] == b"\x1f\x8b" and name.lower().endswith((".tar.gz", ".tgz"))
    return gzipped or notices.sniff(head, name)


READERS: tuple[ReaderSpec, ...] = (
    ReaderSpec(
        ocds.FORMAT,
        f"{ocds.VERSION}+{__version__}",
        ocds.read_ocds,
        ocds.sniff,
        ocds.stream_ocds,
        (".json", ".jsonl", ".ndjson"),
        ocds.stream_ocds,
        ocds.splittable,
    ),
    ReaderSpec(decp_v2.FORMAT, __version__, decp_v2.read_decp_v2, decp_v2.sniff),
    ReaderSpec(DECP_FORMAT, __version__, read_decp, sniff_decp_v1),
    ReaderSpec(ted.FORMAT, __version__, ted.read_ted, ted.sniff, suffixes=(".xml",)),
    ReaderSpec(eforms.FORMAT, __version__, eforms.read_eforms, eforms.sniff, suffixes=(".xml",)),
    ReaderSpec(
        notices.FORMAT,
        __version__,
        notices.read_notices,
        sniff_ted_package,
        suffixes=(".tar", ".tgz", ".gz"),
    ),
)


def configured_readers(
    mapping: tuple[TabularMapping, str] | None = None,
    sirene: tuple[SireneNames, str] | None = None,
) -> tuple[ReaderSpec, ...]:
    """:data:`READERS`, with what the user gave: a spreadsheet column mapping adds the CSV/XLSX
    reader; a SIRENE extract names the parties of DECP 2.0 files. Each comes with the SHA-256 of
    its file, which enters the reader's version so that a file is read again when it changes."""
    readers = list(READERS)
    if sirene is not None:
        names, digest = sirene

        def read_v2(
            path: Path,
            label: str | None = None,
            limits: Limits | None = None,
            *,
            sha256: str | None = None,
        ) -> ReadResult:
            return decp_v2.read_decp_v2(path, label, limits, names, sha256=sha256)

        version = f"{__version__}+sirene.{digest[:16]}"
        readers[0] = ReaderSpec(decp_v2.FORMAT, version, read_v2, decp_v2.sniff)
    if mapping is not None:
        columns, digest = mapping

        def read_sheet(
            path: Path,
            label: str | None = None,
            limits: Limits | None = None,
            *,
            sha256: str | None = None,
        ) -> ReadResult:
            return tabular.read_tabular(path, columns, label, limits, sha256=sha256)

        version = f"{__version__}+mapping.{digest[:16]}"
        suffixes = (*tabular.CSV_SUFFIXES, *tabular.XLSX_SUFFIXES)
        spec = ReaderSpec(tabular.FORMAT, version, read_sheet, tabular.sniff, None, suffixes)
        readers.append(spec)
    return tuple(readers)


class UnknownFormatError(ValueError):
    """A format name given with ``--format`` that no reader has."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = tuple(known)


def format_names(readers: Sequence[ReaderSpec] = READERS) -> list[str]:
    """The names accepted by ``--format``."""
    return [spec.name for spec in readers]


def input_suffixes(readers: Sequence[ReaderSpec] = READERS) -> tuple[str, ...]:
    """File suffixes read from a directory: every reader's, and ``.zip``."""
    found = {suffix for spec in readers for suffix in spec.suffixes}
    return tuple(sorted(found | {".zip"}))


def reader_named(name: str, readers: Sequence[ReaderSpec] = READERS) -> ReaderSpec:
    """The reader called ``name`` (case-insensitive); :class:`UnknownFormatError` if none."""
    for spec in readers:
        if spec.name.lower() == name.strip().lower():
            return spec
    raise UnknownFormatError(name, format_names(readers))


@dataclass(frozen=True, slots=True)
class Head:
    """The first bytes of a file, or of the first member of a zip, and that file's name."""

    data: bytes
    name: str


def read_head(path: Path, limits: Limits | None = None) -> Head | MemberError:
    """The bytes that ``sniff`` sees; a :class:`MemberError` when a zip cannot be opened."""
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            return Head(handle.read(HEAD_BYTES), path.name)
    try:
        return _zip_head(path, limits or Limits())
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        return MemberError(path_label(path), Note.of("zip_unreadable", error=exc))
    except Exception as exc:  # zlib.error, lzma.LZMAError on damaged members
        return MemberError(path_label(path), Note.of("zip_corrupt", error=exc))


def _zip_head(path: Path, limits: Limits) -> Head | MemberError:
    with zipfile.ZipFile(path) as archive:
        infos = [i for i in archive.infolist() if not i.filename.endswith("/")]
        if len(infos) > limits.max_members:
            note = Note.of("zip_too_many_members", n=len(infos), limit=limits.max_members)
            return MemberError(path_label(path), note)
        if not infos:
            return Head(b"", path.name)
        if infos[0].flag_bits & 0x1:
            return MemberError(f"{path}!{infos[0].filename}", Note.of("zip_encrypted"))
        with archive.open(infos[0]) as stream:  # reads HEAD_BYTES, whatever the ratio
            return Head(stream.read(HEAD_BYTES), infos[0].filename)


def detect_format(
    path: Path, readers: Sequence[ReaderSpec] = READERS, limits: Limits | None = None
) -> ReaderSpec | Note:
    """The first reader whose ``sniff`` recognises ``path``, else a note saying why none does."""
    head = read_head(path, limits)
    if isinstance(head, MemberError):
        return head.note
    if not head.data.strip():
        return Note.of("empty_file")
    for spec in readers:
        try:
            if spec.sniff(head.data, head.name):
                return spec
        except Exception:  # a sniffer must never stop detection
            continue
    return Note.of("unknown_format", formats=", ".join(format_names(readers)))


def _strip_bom(data: bytes) -> bytes:
    return data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
