"""Reader for CSV and XLSX spreadsheets, with a column-mapping file (``--mapping FILE``).

Each non-blank row below the header row is one unit: a record, or a rejection with its line
(CSV) or row (XLSX) and the reason. A CSV may be zipped. An XLSX workbook is a zip archive: its
declared sizes, expansion ratios and member count are checked against the limits before
openpyxl opens it (read-only, cached values; XML parsed through defusedxml).
See docs/inputs-spreadsheets.md.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vigie.csvlimit import CSV_DEFAULT_FIELD_LIMIT, csv_field_limit
from vigie.sources.files import Limits, Member, MemberError, decode_text, iter_members, sha256_file
from vigie.sources.records import Note, ReadResult, Rejection, Warning_, path_label, storable
from vigie.sources.tabular_mapping import MappingError, TabularMapping, load_mapping
from vigie.sources.tabular_rows import Row, cell_text, resolve_columns, to_record
from vigie.sources.xmlsafe import PROLOG_BYTES, prolog_declares_doctype

FORMAT = "tabular"
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 1024
"""Cells read in a workbook's header row (Excel allows 16,384 columns)."""
XLSX_MAX_ROWS = 1_048_576
"""Excel's last row: a workbook claiming rows past it is damaged or hostile."""
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError)

__all__ = ["FORMAT", "MappingError", "TabularMapping", "load_mapping", "read_tabular", "sniff"]


class _Broken(Exception):
    """The rest of a file cannot be read, from ``position``."""

    def __init__(self, position: str, note: Note) -> None:
        super().__init__(note.code)
        self.position = position
        self.note = note


def sniff(head: bytes, name: str) -> bool:
    """Whether a file is a spreadsheet this reader takes (by its name; it needs a mapping)."""
    lower = name.lower()
    if lower.endswith(XLSX_SUFFIXES):
        return head.startswith(b"PK\x03\x04")
    return lower.endswith(CSV_SUFFIXES)


def read_tabular(
    path: Path,
    mapping: TabularMapping,
    label: str | None = None,
    limits: Limits | None = None,
    *,
    sha256: str | None = None,
) -> ReadResult:
    """Read a CSV (plain or zipped) or XLSX file into records following ``mapping``."""
    limits = limits or Limits()
    label = label or path_label(path)
    result = ReadResult(label, sha256 or sha256_file(path), path.stat().st_size, FORMAT)
    if _is_xlsx(path):
        note = _check_xlsx(path, limits)
        if note is not None:
            result.rejections.append(Rejection(label, "(file)", note))
        else:
            _read_rows(label, _xlsx_rows(path, mapping), mapping, result)
        return result
    for member in iter_members(path, label, limits):
        if isinstance(member, MemberError):
            result.rejections.append(Rejection(member.label, "(file)", member.note))
        else:
            _read_rows(member.label, _csv_rows(member, mapping, result), mapping, result)
    return result


def _read_rows(
    label: str, rows: Iterator[Row], mapping: TabularMapping, result: ReadResult
) -> None:
    columns: dict[str, int] | None = None
    width = 0
    seen: dict[str, str] = {}
    try:
        for row in rows:
            if row.index < mapping.header_row:
                continue
            if columns is None:
                resolved = resolve_columns(row.cells, mapping)
                if isinstance(resolved, str):
                    note = Note.of("tabular_missing_columns", columns=resolved[:200])
                    result.rejections.append(Rejection(label, row.position, note))
                    return
                columns = resolved
                width = _header_width(row.cells, mapping)
                continue
            _read_row(label, row, columns, width, mapping, seen, result)
    except _Broken as broken:
        result.rejections.append(Rejection(label, broken.position, broken.note))
        return
    if columns is None:
        note = Note.of("tabular_no_header", row=mapping.header_row)
        result.rejections.append(Rejection(label, "(file)", note))


def _header_width(cells: tuple[object, ...], mapping: TabularMapping) -> int:
    """Cells up to the last named column of the header, or the last column mapped by position."""
    named = max((i + 1 for i, cell in enumerate(cells) if cell_text(cell)), default=0)
    positions = [c for c in mapping.columns.mapped().values() if isinstance(c, int)]
    return max([named, *positions])


def _read_row(
    label: str,
    row: Row,
    columns: dict[str, int],
    width: int,
    mapping: TabularMapping,
    seen: dict[str, str],
    result: ReadResult,
) -> None:
    cells = row.cells
    if cells.count(None) + cells.count("") == len(cells):
        return  # a blank row holds no record (documented); counted in C for wide sheets
    texts = [cell_text(cell) for cell in cells]
    if not any(texts):
        return
    excerpt = " | ".join(t or "" for t in texts)[:300]
    if any(texts[width:]):
        note = Note.of("tabular_extra_cells", n=len(texts), m=width)
        result.rejections.append(Rejection(label, row.position, note, excerpt))
        return
    key = "\x1f".join(t or "" for t in texts[:width])
    if key in seen:
        note = Note.of("duplicate", of=seen[key])
        result.rejections.append(Rejection(label, row.position, note, excerpt))
        return
    seen[key] = row.position
    notes: list[Note] = []
    record = to_record(row, texts, columns, mapping, label, notes)
    if isinstance(record, Note):
        result.rejections.append(Rejection(label, row.position, record, excerpt))
        return
    result.records.append(record)
    result.warnings.extend(Warning_(label, row.position, note) for note in notes)


def _csv_rows(member: Member, mapping: TabularMapping, result: ReadResult) -> Iterator[Row]:
    text = _decode(member, mapping, result)
    delimiter = mapping.delimiter or _guess_delimiter(text, mapping.header_row)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    index = 0
    while True:
        start = previous + 1
        try:
            with csv_field_limit(CSV_DEFAULT_FIELD_LIMIT):
                cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            note = Note.of("tabular_broken_csv", error=str(exc)[:200], line=start)
            raise _Broken(f"line {start}", note) from exc
        index += 1
        previous = reader.line_num
        yield Row(index, start, f"line {start}", tuple(cells))


def _decode(member: Member, mapping: TabularMapping, result: ReadResult) -> str:
    if mapping.encoding is not None:
        try:  # storable: some codecs (UTF-7, unicode_escape) can give lone surrogates
            text = storable(member.data.decode(mapping.encoding, errors="replace"))
        except UnicodeError:  # a codec that refuses some bytes even so: guessed as below
            note = Note.of("tabular_encoding_failed", encoding=mapping.encoding)
            result.warnings.append(Warning_(member.label, "(file)", note))
            return _guessed(member, result)
        if text.startswith("\ufeff"):
            text = text[1:]
        lost = text.count("\ufffd")
        if lost:
            note = Note.of("lost_characters", n=lost)
            result.warnings.append(Warning_(member.label, "(file)", note))
        return text
    if member.data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return member.data.decode("utf-16", errors="replace")
    return _guessed(member, result)


def _guessed(member: Member, result: ReadResult) -> str:
    """The text of a file as UTF-8, its stray bytes read as Windows-1252 (with a warning)."""
    decoded = decode_text(member.data)
    if decoded.repaired_bytes:
        note = Note.of("tabular_encoding_guessed", encoding="Windows-1252")
        result.warnings.append(Warning_(member.label, "(file)", note))
    return decoded.text


def _guess_delimiter(text: str, header_row: int) -> str:
    """The candidate delimiter found most often in the header line (``,`` on a tie)."""
    lines = itertools.islice(io.StringIO(text), header_row - 1, header_row)
    header = next(lines, "")
    return max(DELIMITERS, key=lambda d: (header.count(d), d == ","))


def _is_xlsx(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except _ZIP_ERRORS:
        return path.name.lower().endswith(XLSX_SUFFIXES)


def _check_xlsx(path: Path, limits: Limits) -> Note | None:
    """Why the workbook must not be opened (sizes, ratio, members), or None.

    Python's zipfile never decompresses past a member's declared size, so bounding declared
    sizes bounds what openpyxl can inflate.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            note = _check_sizes(infos, limits) or _check_doctypes(archive, infos)
    except (*_ZIP_ERRORS, zlib.error) as exc:
        return Note.of("tabular_unreadable", error=str(exc)[:200])
    return note


def _check_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> Note | None:
    if len(infos) > limits.max_members:
        return Note.of("zip_too_many_members", n=len(infos), limit=limits.max_members)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            return Note.of("zip_encrypted")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            return Note.of("zip_ratio", ratio=f"{limits.max_ratio:g}")
    if total > limits.max_member_bytes:
        return Note.of("zip_member_too_large", limit=limits.max_member_bytes)
    return None


def _check_doctypes(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> Note | None:
    """Refuse a workbook any of whose XML parts declares a DTD (entity attacks)."""
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as stream:
                if prolog_declares_doctype(stream.read(PROLOG_BYTES)):
                    return Note.of("xml_dtd")
    return None


def _xlsx_rows(path: Path, mapping: TabularMapping) -> Iterator[Row]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only spreadsheets need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged workbooks
        raise _Broken("(file)", Note.of("tabular_unreadable", error=str(exc)[:200])) from exc
    try:
        names = workbook.sheetnames
        if mapping.sheet is not None and mapping.sheet not in names:
            note = Note.of("tabular_no_sheet", sheet=mapping.sheet, sheets=", ".join(names)[:200])
            raise _Broken("(file)", note)
        sheets = workbook.worksheets
        sheet = workbook[mapping.sheet] if mapping.sheet is not None else next(iter(sheets), None)
        if not hasattr(sheet, "iter_rows") or not hasattr(sheet, "reset_dimensions"):
            note = Note.of("tabular_unreadable", error="no worksheet to read (a chart sheet?)")
            raise _Broken("(file)", note)
        yield from _sheet_rows(sheet, mapping)
    finally:
        workbook.close()


def _sheet_rows(sheet: Any, mapping: TabularMapping) -> Iterator[Row]:
    """The rows of a sheet, read in two passes so that no row is wider than the header.

    A workbook's declared dimensions and row numbers are not trusted: rows are read up to
    the header (at most :data:`MAX_COLUMNS` cells), then every later row up to the header's
    width plus one cell (to notice shifted rows), and never past Excel's last row.
    """
    sheet.reset_dimensions()
    header_row = mapping.header_row
    title = str(getattr(sheet, "title", "?"))
    header: tuple[object, ...] = ()
    for number, values in _numbered(sheet, title, 1, header_row, MAX_COLUMNS):
        header = values
        yield Row(number, number, f"{title}!{number}:{number}", values)
    width = _header_width(header, mapping)
    if width == 0:
        return
    for number, values in _numbered(sheet, title, header_row + 1, None, width + 1):
        if number > XLSX_MAX_ROWS:
            note = Note.of("tabular_unreadable", error=f"row {number} is past row {XLSX_MAX_ROWS}")
            raise _Broken(f"{title}!{number}:{number}", note)
        yield Row(number, number, f"{title}!{number}:{number}", values)


def _numbered(
    sheet: Any, title: str, first: int, last: int | None, columns: int
) -> Iterator[tuple[int, tuple[object, ...]]]:
    rows = sheet.iter_rows(min_row=first, max_row=last, max_col=columns, values_only=True)
    number = first - 1
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet: report where reading stopped
            note = Note.of("tabular_unreadable", error=str(exc)[:200] or type(exc).__name__)
            raise _Broken(f"{title}!{number + 1}:{number + 1}", note) from exc
        number += 1
        yield number, tuple(values)
