"""Merging the releases of one OCDS contracting process spread over several files.

Bulk OCDS data is often published in one file per month or year, and a contract signed in
one file may be amended in the next. Each file is read (and stored) on its own, its releases
of each ocid merged; before screening, the processes found in several of a run's files (their
records carry the ``ocid``) are read again from those files (:func:`read_releases`: only
their lines are parsed) and merged from all their releases, in OCDS order (undated first, then
by date; between files with the same date, in the order the files were given; within a file,
file order).

The merged process's records replace those each file gave for it: they belong to the file
holding the latest release. A file whose records of the process are replaced keeps a warning
at each of them (``ocds_merged_across_files``), so nothing disappears unreported; its units
(releases) stay loaded. Amounts are then counted once, at their latest value.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from vigie.sources.files import Limits
from vigie.sources.ocds_fast import fast_ocid
from vigie.sources.ocds_map import Origin, process_records
from vigie.sources.ocds_merge import merge, sort_key
from vigie.sources.ocds_stream import (
    Unit,
    iter_units,
    line_views,
    plain_json_lines,
)
from vigie.sources.ocds_units import unit_states
from vigie.sources.parts import LINE_COUNTED, LINE_READ
from vigie.sources.records import Note, ProcurementRecord, ReadResult, Warning_, storable


@dataclasses.dataclass(frozen=True, slots=True)
class Release:
    """One release of a contracting process, as read (the fields vigie reads)."""

    ocid: str
    key: tuple[int, str, int]
    """Its order in its file (:func:`~vigie.sources.ocds_merge.sort_key`)."""
    origin: Origin
    state: dict[str, Any]


Shared = Mapping[str, Sequence[tuple[int, Release]]]
"""For each ocid: its releases, each with the index of its file among the results."""


def read_releases(path: Path, label: str, limits: Limits, ocids: Collection[str]) -> list[Release]:
    """The releases of ``ocids`` in an OCDS file, in file order, read as
    :func:`~vigie.sources.ocds.stream_ocds` reads them (in JSON lines, only the lines that
    may hold them are parsed)."""
    wanted = _lines_of(path, ocids) if plain_json_lines(path) else None
    found: list[Release] = []
    seq = 0
    for item in iter_units(path, label, limits, None, wanted):
        if not isinstance(item, Unit):
            continue
        states = unit_states(item)
        for ocid, state in states if isinstance(states, list) else ():
            if ocid in ocids:
                origin = Origin(item.source_file, item.position, item.line)
                found.append(Release(ocid, sort_key(state, seq), origin, state))
            seq += 1
    return found


def _lines_of(path: Path, ocids: Collection[str]) -> bytearray:
    """The lines of a JSON-lines file to parse: those whose single release is of one of
    ``ocids``, and those that are not a single release."""
    wanted = bytearray()
    with path.open("rb") as handle:
        reader: IO[bytes] = handle
        for number, raw in line_views(reader):
            ocid = fast_ocid(raw) if raw is not None else None
            keep = ocid is None or storable(ocid.strip()) in ocids
            wanted.extend(b"\x00" * (number + 1 - len(wanted)))
            wanted[number] = LINE_READ | LINE_COUNTED if keep else 0
    return wanted


@dataclasses.dataclass(slots=True)
class _File:
    """The records and warnings of one result, being rewritten."""

    records: list[ProcurementRecord | None]
    warnings: list[Warning_]
    index: list[tuple[str, str, int]]
    """(source file, position, record number), sorted: to find a process's records."""
    added: dict[int, list[ProcurementRecord]] = dataclasses.field(default_factory=dict)
    cleared: set[tuple[str, str]] = dataclasses.field(default_factory=set)
    """Positions whose warnings go (their records were replaced by merged ones)."""
    extra: list[Warning_] = dataclasses.field(default_factory=list)
    """Warnings added: the merged records' notes, and where records were merged away."""
    first: int = 0
    """Number of the first record removed by the last :meth:`take` (where merged ones go)."""

    @classmethod
    def of(cls, result: ReadResult) -> _File:
        index = sorted((r.source_file, r.position, n) for n, r in enumerate(result.records))
        return cls(list(result.records), list(result.warnings), index)

    def take(self, ocid: str, last: Origin) -> list[ProcurementRecord]:
        """Remove the records this file gave for the process whose latest release (in this
        file) is at ``last``, and return them."""
        base = last.position.rstrip("/")
        found = []
        for prefix, exact in ((last.position, True), (base + "/", False)):
            at = bisect.bisect_left(self.index, (last.source_file, prefix, -1))
            while at < len(self.index):
                source, position, number = self.index[at]
                matches = position == prefix if exact else position.startswith(prefix)
                if source != last.source_file or not matches:
                    break
                record = self.records[number]
                if record is not None and _of_process(record, ocid):
                    found.append(number)
                at += 1
        taken = [record for number in found if (record := self.records[number]) is not None]
        for number in found:
            self.records[number] = None
        self.first = min(found) if found else len(self.records)
        return taken


def merge_across_files(results: Sequence[ReadResult], shared: Shared) -> list[ReadResult]:
    """``results`` (in input order) with the processes of ``shared`` (ocid: its releases, each
    with the index of its file in ``results``) merged across files; ``results`` are not
    changed (new results are returned)."""
    if not shared:
        return list(results)
    files: dict[int, _File] = {}
    for ocid, rows in shared.items():
        _merge_process(ocid, rows, results, files)
    return [_rewritten(result, files.get(n)) for n, result in enumerate(results)]


def _merge_process(
    ocid: str,
    rows: Sequence[tuple[int, Release]],
    results: Sequence[ReadResult],
    files: dict[int, _File],
) -> None:
    """Merge one process's releases from every file; rewrite each file's records of it."""
    ordered = sorted(rows, key=lambda item: (item[1].key[:2], item[0], item[1].key[2]))
    states = [release.state for _, release in ordered]
    state = states[0] if len(states) == 1 else merge(states)
    target, last = ordered[-1]
    merged, notes = process_records(state, last.origin, ocid)
    for number in sorted({n for n, _ in rows}):
        file = files.get(number) or files.setdefault(number, _File.of(results[number]))
        local = max((r for n, r in rows if n == number), key=lambda r: r.key)
        taken = file.take(ocid, local.origin)
        if number == target:  # the merged records, and their notes, replace the file's
            file.added.setdefault(file.first, []).extend(merged)
            file.cleared.update((r.source_file, r.position) for r in taken)
            file.extra.extend(notes)
            continue
        note = Note.of("ocds_merged_across_files", ocid=ocid, file=results[target].path)
        file.extra.extend(Warning_(r.source_file, r.position, note) for r in taken)


def _rewritten(result: ReadResult, file: _File | None) -> ReadResult:
    if file is None:
        return result
    records: list[ProcurementRecord] = []
    for number, record in enumerate(file.records):
        records.extend(file.added.get(number, ()))
        if record is not None:
            records.append(record)
    records.extend(file.added.get(len(file.records), ()))
    kept = [w for w in file.warnings if (w.source_file, w.position) not in file.cleared]
    return dataclasses.replace(result, records=records, warnings=kept + file.extra)


def _of_process(record: ProcurementRecord, ocid: str) -> bool:
    if record.process_id is not None:
        return record.process_id == ocid
    return record.record_id == ocid or record.record_id.startswith(ocid + "/")
