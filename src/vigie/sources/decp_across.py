"""Merging the versions of one DECP contract published in several files.

DECP data comes as successive exports (one file per month or year, or a consolidated file
beside the exports it consolidates), and a contract published in one may be republished, with
its modifications, in the next. Each file (each member of a zip) is read and stored on its own,
its versions of a contract folded into one record
(:class:`~vigie.sources.decp_merge.VersionBook`). Before screening, the contracts whose key
(kind, buyer, identifier: :func:`~vigie.sources.decp_merge.version_key`) has records in
several files or members are read again from them (:func:`~vigie.sources.decp.read_versions`):
each file's versions are folded as its reading folded them, then the files' records are folded
together by the same rules, in the order the files were given.

Each contract then gives one record, in the file and at the position of its first version,
with the modifications of every version applied, so its amount counts once. A record of
another file that is a version of it is replaced there by the warning
``decp_merged_across_files``; its element stays loaded, and what each file's reading rejected
stays rejected. A file gone or changed since it was read cannot be read again:
``decp_merge_unavailable``, and its records are left as they are.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

from vigie.sources import decp, decp_v2
from vigie.sources.decp import Dialect, Version
from vigie.sources.decp_merge import Modification, VersionBook, VersionKey, version_key
from vigie.sources.files import Limits, sha256_file
from vigie.sources.records import Note, Party, ProcurementRecord, ReadResult, Warning_

DIALECTS: dict[str, Dialect] = {decp.FORMAT: decp.DIALECT, decp_v2.FORMAT: decp_v2.DIALECT}
_REBUILT = frozenset({"decp_modified_amount", "decp_modified_suppliers", "decp_same_id"})
"""Warnings the merge gives again for the records it rebuilds."""
_GONE = frozenset({"decp_completed"})
"""Warnings that go with a record merged away (the record it went to has its fields)."""

Place = tuple[str, str]
"""Where a record is: source file (or zip member) and position."""
_Folded = tuple[int, ProcurementRecord, tuple[Modification, ...]]
"""A record as one file's reading folded it: result number, record, pooled modifications."""


def merge_contracts_across_files(
    results: Sequence[ReadResult], limits: Limits | None = None
) -> list[ReadResult]:
    """``results`` (in input order) with the DECP contracts found in several of their files
    (or zip members) merged; ``results`` are not changed (new results are returned)."""
    decp_results = [(n, r) for n, r in enumerate(results) if r.format in DIALECTS]
    keys = shared_keys([r for _, r in decp_results])
    if not keys:
        return list(results)
    out = list(results)
    folded: list[_Folded] = []
    for number, result in decp_results:
        if not any(version_key(record) in keys for record in result.records):
            continue
        path = result.location
        if not path.is_file() or sha256_file(path) != result.sha256:
            note = Note.of("decp_merge_unavailable", path=result.path)
            warning = Warning_(result.path, "(file)", note)
            out[number] = dataclasses.replace(result, warnings=[*result.warnings, warning])
            continue
        dialect = DIALECTS[result.format]
        versions = decp.read_versions(path, result.path, limits or Limits(), dialect, keys)
        folded.extend((number, record, mods) for record, mods in _fold_members(versions))
    if len({(n, r.source_file) for n, r, _ in folded}) < 2:
        return out
    merged = _fold_across(folded, [results[n] for n in sorted({n for n, _, _ in folded})])
    for number in sorted({n for n, _, _ in folded}):
        out[number] = _rewritten(out[number], number, keys, merged)
    return out


def shared_keys(results: Sequence[ReadResult]) -> frozenset[VersionKey]:
    """The contract keys with records in more than one file or zip member of ``results``."""
    first: dict[VersionKey, tuple[int, str]] = {}
    shared: set[VersionKey] = set()
    for number, result in enumerate(results):
        for record in result.records:
            key, unit = version_key(record), (number, record.source_file)
            if first.setdefault(key, unit) != unit:
                shared.add(key)
    return frozenset(shared)


def _fold_members(
    versions: Sequence[Version],
) -> list[tuple[ProcurementRecord, tuple[Modification, ...]]]:
    """The versions of each member folded as reading it folded them (first version completed
    by the later ones, modifications pooled), members in file order."""
    folded: list[tuple[ProcurementRecord, tuple[Modification, ...]]] = []
    books: dict[str, VersionBook] = {}
    records: dict[str, list[ProcurementRecord]] = {}
    for version in versions:
        member = version.record.source_file
        if member not in books:
            records[member] = []
            books[member] = VersionBook(records[member])
        book = books[member]
        index, first = book.match(version.record)
        if index is not None and first is not None:
            book.merge(index, version.record, version.mods)
        else:
            book.add(version.record, version.mods)
    for book in books.values():
        folded.extend(book.folded())
    return folded


@dataclasses.dataclass(slots=True)
class _Merged:
    """The records of the shared contracts, each with the result of its first version; the
    warnings to add to each result; where each record merged away went, by result."""

    records: dict[int, dict[Place, ProcurementRecord]]
    warnings: dict[int, list[Warning_]]
    moved: dict[int, dict[Place, Place]]


def _fold_across(folded: Sequence[_Folded], stored: Sequence[ReadResult]) -> _Merged:
    """Fold the files' records of the shared contracts together, files in input order."""
    records: list[ProcurementRecord] = []
    book = VersionBook(records)
    home: list[int] = []
    warnings: dict[int, list[Warning_]] = defaultdict(list)
    moved: dict[int, dict[Place, Place]] = defaultdict(dict)
    for number, record, mods in folded:
        index, first = book.match(record)
        if index is None or first is None:
            book.add(record, mods)
            home.append(number)
            if first is not None:  # a lot: noted as reading one file notes it
                same = first.source_file == record.source_file
                note = Note.of("decp_same_id", of=first.position if same else _shown(first))
                warnings[number].append(Warning_(record.source_file, record.position, note))
            continue
        completed = book.merge(index, record, mods)
        if completed:
            note = Note.of("decp_completed", fields=", ".join(completed), of=_shown(record))
            warnings[home[index]].append(Warning_(first.source_file, first.position, note))
        moved[number][(record.source_file, record.position)] = (first.source_file, first.position)
    for index, note in book.finish_indexed():
        record = records[index]
        warnings[home[index]].append(Warning_(record.source_file, record.position, note))
    names = _known_names(stored)
    merged: dict[int, dict[Place, ProcurementRecord]] = defaultdict(dict)
    for number, record in zip(home, records, strict=True):
        merged[number][(record.source_file, record.position)] = _named(record, names)
    return _Merged(merged, warnings, moved)


def _shown(record: ProcurementRecord) -> str:
    return f"{record.source_file} {record.position}"


def _rewritten(
    result: ReadResult, number: int, keys: frozenset[VersionKey], merged: _Merged
) -> ReadResult:
    """The result's records of the shared contracts replaced by the merged ones it holds (in
    place), each record merged away replaced by a warning saying where it went; the notes of
    modifications given again by the merge."""
    mine = dict(merged.records.get(number, {}))
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
        if at not in moved:  # not found again (cannot happen with unique places): kept
            records.append(record)
            continue
        source, position = moved[at]
        note = Note.of("decp_merged_across_files", of=position, file=source)
        added.append(Warning_(record.source_file, record.position, note))
    records.extend(mine.values())
    gone = moved.keys()
    warnings = [
        w
        for w in result.warnings
        if not (w.note.code in _REBUILT and (w.source_file, w.position) in replaced)
        and not (w.note.code in _GONE and (w.source_file, w.position) in gone)
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
