"""Reader for the Open Contracting Data Standard (OCDS 1.0 and 1.1).

Unit of accounting: one release, or one record of a record package (a JSON line holding a
single release counts as that release). Every unit is loaded or rejected:
``records_read == records_loaded + records_rejected`` counts units. A loaded unit contributes
to the latest state of its contracting process (its ``ocid``): the releases of one ``ocid`` in
a file are merged (:mod:`vigie.sources.ocds_merge`); a record brings its compiled release, or
its embedded releases merged when it has none. Each process then yields records, one per
contract or award (:mod:`vigie.sources.ocds_map`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigie.sources.files import Limits, hashing_meanwhile
from vigie.sources.ocds_count import count_ocids
from vigie.sources.ocds_map import Origin, process_records
from vigie.sources.ocds_merge import merge, sort_key
from vigie.sources.ocds_stream import (
    Batch,
    BatchSink,
    Broken,
    Item,
    ProgressFn,
    StreamSummary,
    Unit,
    iter_units,
    plain_json_lines,
)
from vigie.sources.ocds_units import unit_states
from vigie.sources.ocds_values import shown
from vigie.sources.parts import Part
from vigie.sources.records import Note, ReadResult, Rejection, Warning_, path_label

FORMAT = "ocds"
VERSION = "2"
"""Changed when what is stored changes (2: each record keeps its process's ocid), so that
files imported before are read again."""
BATCH = 5000
SNIFF_KEYS = tuple(
    f'"{key}"'.encode()
    for key in (
        "ocid",
        "initiationType",
        "compiledRelease",
        "releases",
        "records",
        "awardID",
        "dateSigned",
        "procuringEntity",
        "tenderPeriod",
        "procurementMethod",
    )
)
_END = 1 << 62
"""The line key of what is given after the last line (processes emitted at the end)."""


def sniff(head: bytes, name: str) -> bool:
    """Whether the first bytes look like OCDS JSON: a JSON object or array holding one of the
    keys of :data:`SNIFF_KEYS` (and not a DECP ``marches`` document). ``ocid`` may come last in
    a release, so release-level keys such as ``initiationType`` count too."""
    del name
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] not in (b"{", b"["):
        return False
    if b'"marches"' in text:
        return False
    return any(key in text for key in SNIFF_KEYS)


@dataclass(slots=True)
class _Entry:
    key: tuple[int, str, int]
    state: dict[str, Any]
    origin: Origin


@dataclass(slots=True)
class _Reading:
    label: str
    sink: BatchSink
    part: Part | None = None
    batch: Batch = field(default_factory=Batch)
    groups: dict[str, list[_Entry]] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    """Releases of each ocid in the file (JSON lines): a process is emitted once complete."""
    units: int = 0
    records: int = 0
    rejections: int = 0
    warnings: int = 0
    at: tuple[int, int, int] = (0, 0, 0)
    """Where the reading is: line, unit in the line, release state in the unit. A warning is
    given this key (:attr:`Batch.warning_order`): the parts of a file then put their warnings
    in the order one process gives them."""

    def reject(self, item: Broken) -> None:
        self.batch.rejections.append(
            Rejection(item.source_file, item.position, item.note, item.excerpt)
        )
        self.rejections += 1
        self._maybe_flush()

    def warn(self, warning: Warning_) -> None:
        self.batch.warnings.append(warning)
        self.batch.warning_order.append(self.at)
        self.warnings += 1
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if len(self.batch):
            self.sink(self.batch)
            self.batch = Batch()


def stream_ocds(
    path: Path,
    label: str,
    limits: Limits,
    sink: BatchSink,
    progress: ProgressFn | None = None,
    part: Part | None = None,
    *,
    sha256: str | None = None,
) -> StreamSummary:
    """Read an OCDS file, handing records, rejections and warnings to ``sink`` in batches.

    In a plain JSON-lines file, a first pass counts the releases of each ocid, so that each
    process is merged, written and forgotten as soon as its last release is read: memory holds
    only the processes whose releases are still to come. In other shapes, memory holds the
    projected state of each process (the fields vigie reads) until the end of the file.

    With ``part`` (plain JSON lines only, see :func:`splittable`), only the processes of that
    part are read, and only the units they come from are counted: the parts of a file, read
    in separate processes, together give what the whole file gives. The summary's SHA-256 is
    then empty (the caller knows the file's). A caller that has hashed the file gives its
    ``sha256``; otherwise the file is hashed in a thread while it is read.
    """
    if part is not None and not plain_json_lines(path):
        raise ValueError(f"{path}: only a plain JSON-lines file is read in parts")
    reading = _Reading(label, sink, part)
    # Not for a part: the caller hashes the file once for all its parts.
    wanted = part is None and sha256 is None
    with hashing_meanwhile(path) if wanted else nullcontext(None) as digest:
        _read_file(reading, path, limits, progress)
        sha256 = digest.result() if digest is not None else (sha256 or "")
    return StreamSummary(
        label,
        sha256,
        path.stat().st_size,
        FORMAT,
        reading.units,
        reading.records,
        reading.rejections,
        reading.warnings,
    )


def _read_file(reading: _Reading, path: Path, limits: Limits, progress: ProgressFn | None) -> None:
    """Read every unit of the file into ``reading`` (a first pass over JSON lines counts the
    releases of each ocid, so that each process is emitted as soon as it is complete)."""
    size = path.stat().st_size
    wanted = None
    # Two passes, each half of the progress. A part was checked to be of plain JSON lines when
    # it started: not asked again, lest a file changing meanwhile leave the others waiting for
    # its share of the first pass.
    if reading.part is not None or plain_json_lines(path):
        counted = count_ocids(path, reading.label, _half(progress, 0), reading.part)
        reading.expected, wanted = counted.counts, counted.lines
        progress = _half(progress, size // 2)
    collecting = gc.isenabled()
    gc.disable()  # millions of live, acyclic containers: collections would only rescan them
    try:
        _read_units(reading, iter_units(path, reading.label, limits, progress, wanted))
        _emit_processes(reading)
        reading.flush()
    finally:
        if collecting:
            gc.enable()
    if progress:
        progress(size)


def splittable(path: Path) -> bool:
    """Whether ``path`` can be read in parts (:class:`Part`): a plain JSON-lines file."""
    return plain_json_lines(path)


def _read_units(reading: _Reading, items: Iterator[Item]) -> None:
    seq = 0
    part = reading.part
    line, unit = -1, 0
    for item in items:
        if isinstance(item, Warning_):  # file level: each part's own counts, summed when stored
            reading.at = (_END, 0, 0)
            reading.warn(item)
            continue
        unit = unit + 1 if item.line == line else 0
        line = item.line
        reading.at = (line, unit, 0)
        if isinstance(item, Broken):
            if part is None or part.owns_line(item.line):
                reading.units += 1
                reading.reject(item)
            continue
        seq = _take(reading, item, seq)


def _take(reading: _Reading, unit: Unit, seq: int) -> int:
    """Validate one unit and add its states to their process; returns the next sequence."""
    states = unit_states(unit)
    part = reading.part
    if isinstance(states, Note):
        if part is None or part.owns_line(unit.line):
            reading.units += 1
            excerpt = shown(unit.value) if not isinstance(unit.value, dict) else ""
            reading.reject(Broken(unit.source_file, unit.position, unit.line, states, excerpt))
        return seq
    if part is None or part.holds(states[0][0]):
        reading.units += 1  # a unit is counted in the part of its first process
    numbered = list(enumerate(states))
    if part is not None:
        numbered = [(k, (ocid, state)) for k, (ocid, state) in numbered if part.holds(ocid)]
    origin = Origin(unit.source_file, unit.position, unit.line)
    for k, (ocid, state) in numbered:
        reading.at = (*reading.at[:2], k)
        entry = _Entry(sort_key(state, seq), state, origin)
        group = reading.groups.setdefault(ocid, [])
        group.append(entry)
        seq += 1
        if len(group) == reading.expected.get(ocid):
            _emit(reading, ocid, reading.groups.pop(ocid))
    return seq


def _emit_processes(reading: _Reading) -> None:
    for number, (ocid, entries) in enumerate(_drain(reading.groups)):
        reading.at = (_END, number, 0)
        _emit(reading, ocid, entries)


def _emit(reading: _Reading, ocid: str, entries: list[_Entry]) -> None:
    """Merge one process's releases, map them to records and queue them for the sink."""
    entries.sort(key=lambda e: e.key)
    state = entries[0].state if len(entries) == 1 else merge(e.state for e in entries)
    records, warnings = process_records(state, entries[-1].origin, ocid)
    reading.batch.records.extend(records)
    reading.records += len(records)
    for warning in warnings:
        reading.warn(warning)
    if len(reading.batch) >= BATCH:
        reading.flush()


def _half(progress: ProgressFn | None, offset: int) -> ProgressFn | None:
    """Progress of one of two passes over a file: half the bytes, after ``offset``."""
    if progress is None:
        return None
    report = progress
    return lambda n: report(offset + n // 2)


def _drain(groups: dict[str, list[_Entry]]) -> Iterator[tuple[str, list[_Entry]]]:
    """The groups in first-seen order, each released from memory once yielded."""
    for ocid in list(groups):
        yield ocid, groups.pop(ocid)


def read_ocds(
    path: Path, label: str | None = None, limits: Limits | None = None, *, sha256: str | None = None
) -> ReadResult:
    """Read an OCDS file into memory (see :func:`stream_ocds` for large files)."""
    result = ReadResult(label or path_label(path), "", 0, FORMAT)

    def collect(batch: Batch) -> None:
        result.records.extend(batch.records)
        result.rejections.extend(batch.rejections)
        result.warnings.extend(batch.warnings)

    summary = stream_ocds(
        path, label or path_label(path), limits or Limits(), collect, sha256=sha256
    )
    result.sha256, result.size, result.units_read = summary.sha256, summary.size, summary.units_read
    return result
