"""Merging the versions of one DECP contract published in several files.

DECP data comes as successive exports (one file per month or year, or a consolidated file
beside the exports it consolidates), and a contract published in one may be republished, with
its modifications, in the next. Each file is read (and stored) on its own, its versions of a
contract folded into one record (:class:`~vigie.sources.decp_merge.VersionBook`); before
screening, the contracts whose key (kind, buyer, identifier:
:func:`~vigie.sources.decp_merge.version_key`) has records in several of a run's DECP files
are read again from those files (:func:`~vigie.sources.decp.read_versions`) and their
versions folded as if the files were one, in the order the files were given.

Each contract then gives one record, in the file and at the position of its first version,
with the modifications of every version applied, so its amount counts once. A record of a
later file that is a version of it is replaced there by the warning
``decp_merged_across_files``; its element stays loaded. A file gone or changed since it was
read cannot be read again: ``decp_merge_unavailable``, and its records are left as they are.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from vigie.sources import decp, decp_v2
from vigie.sources.decp import Dialect, Version
from vigie.sources.decp_merge import VersionBook, VersionKey, version_key
from vigie.sources.files import Limits, sha256_file
from vigie.sources.records import Note, Party, ProcurementRecord, ReadResult, Warning_

DIALECTS: dict[str, Dialect] = {decp.FORMAT: decp.DIALECT, decp_v2.FORMAT: decp_v2.DIALECT}
_REBUILT = frozenset({"decp_modified_amount", "decp_modified_suppliers", "decp_completed"})
"""Warnings given again by the merge, for the records it rebuilds."""


def merge_contracts_across_files(
    results: Sequence[ReadResult], limits: Limits | None = None
) -> list[ReadResult]:
    """``results`` (in input order) with the DECP contracts found in several of them merged;
    ``results`` are not changed (new results are returned)."""
    numbers = [n for n, result in enumerate(results) if result.format in DIALECTS]
    keys = shared_keys([results[n] for n in numbers])
    if not keys:
        return list(results)
    out = list(results)
    versions: list[tuple[int, Version]] = []
    for number in numbers:
        result = results[number]
        path = Path(result.path)
        if not path.is_file() or sha256_file(path) != result.sha256:
            note = Note.of("decp_merge_unavailable", path=result.path)
            out[number] = _with_warnings(result, [Warning_(result.path, "(file)", note)])
            continue
        dialect = DIALECTS[result.format]
        read = decp.read_versions(path, result.path, limits or Limits(), dialect, keys)
        versions.extend((number, version) for version in read)
    files = {number for number, _ in versions}
    if len(files) < 2:
        return out
    merged = _fold(versions, [results[n] for n in sorted(files)])
    for number in files:
        out[number] = _rewritten(out[number], number, keys, merged)
    return out


def shared_keys(results: Sequence[ReadResult]) -> frozenset[VersionKey]:
    """The contract keys with records in more than one of ``results``."""
    first: dict[VersionKey, int] = {}
    shared: set[VersionKey] = set()
    for number, result in enumerate(results):
        for record in result.records:
            key = version_key(record)
            if first.setdefault(key, number) != number:
                shared.add(key)
    return frozenset(shared)


Place = tuple[str, str]
"""Where a record is: source file (or zip member) and position."""


@dataclasses.dataclass(slots=True)
class _Merged:
    """The records of the shared contracts, each with the file of its first version; the
    warnings to add to each file; where each later version went, by file."""

    records: list[tuple[int, ProcurementRecord]]
    warnings: dict[int, list[Warning_]]
    moved: dict[int, dict[Place, Place]]


def _fold(versions: Sequence[tuple[int, Version]], stored: Sequence[ReadResult]) -> _Merged:
    """Fold the versions (in file order, files in input order) as one file's reading does."""
    records: list[ProcurementRecord] = []
    book = VersionBook(records)
    home: list[int] = []
    warnings: dict[int, list[Warning_]] = defaultdict(list)
    moved: dict[int, dict[Place, Place]] = defaultdict(dict)
    for number, version in versions:
        record = version.record
        index, first = book.match(record)
        if index is None or first is None:
            book.add(record, version.mods)
            home.append(number)
            continue
        completed = book.merge(index, record, version.mods)
        if completed:
            note = Note.of("decp_completed", fields=", ".join(completed), of=record.position)
            warnings[home[index]].append(Warning_(first.source_file, first.position, note))
        moved[number][(record.source_file, record.position)] = (first.source_file, first.position)
    for index, note in book.finish_indexed():
        record = records[index]
        warnings[home[index]].append(Warning_(record.source_file, record.position, note))
    names = _known_names(stored)
    folded = [(n, _named(r, names)) for n, r in zip(home, records, strict=True)]
    return _Merged(folded, warnings, moved)


def _rewritten(
    result: ReadResult, number: int, keys: frozenset[VersionKey], merged: _Merged
) -> ReadResult:
    """The file's records of the shared contracts replaced by the merged ones it holds (in
    place where the file had a record at that position, else at the end); the warnings the
    merge gives again replaced by its own."""
    mine = {(r.source_file, r.position): r for n, r in merged.records if n == number}
    moved = merged.moved.get(number, {})
    replaced: set[Place] = set()
    records: list[ProcurementRecord] = []
    added: list[Warning_] = []
    for record in result.records:
        at = (record.source_file, record.position)
        if version_key(record) not in keys:
            records.append(record)
            continue
        replaced.add(at)
        if at in mine:
            records.append(mine.pop(at))
            continue
        source, position = moved.get(at, ("?", "?"))
        note = Note.of("decp_merged_across_files", of=position, file=source)
        added.append(Warning_(record.source_file, record.position, note))
    records.extend(mine.values())
    warnings = [
        w
        for w in result.warnings
        if w.note.code not in _REBUILT or (w.source_file, w.position) not in replaced
    ]
    warnings.extend(merged.warnings.get(number, ()))
    return dataclasses.replace(result, records=records, warnings=warnings + added)


def _known_names(results: Sequence[ReadResult]) -> dict[str, str]:
    """Names the stored records give to party identifiers (a DECP 2.0 file is read with the
    names of a SIRENE extract, which reading it again here does not have)."""
    names: dict[str, str] = {}
    for result in results:
        for record in result.records:
            for party in (record.buyer, *record.suppliers):
                if party.id and party.name:
                    names.setdefault(party.id, party.name)
    return names


def _named(record: ProcurementRecord, names: dict[str, str]) -> ProcurementRecord:
    def named(party: Party) -> Party:
        if party.name or not party.id or party.id not in names:
            return party
        return dataclasses.replace(party, name=names[party.id])

    buyer, suppliers = named(record.buyer), tuple(named(p) for p in record.suppliers)
    if buyer == record.buyer and suppliers == record.suppliers:
        return record
    return dataclasses.replace(record, buyer=buyer, suppliers=suppliers)


def _with_warnings(result: ReadResult, warnings: Sequence[Warning_]) -> ReadResult:
    return dataclasses.replace(result, warnings=[*result.warnings, *warnings])
