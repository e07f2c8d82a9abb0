"""Contract modifications and republished versions in DECP files, so amounts count once.

A DECP modification (avenant) publishes the contract's *new* amount (``montant``, or
``valeurGlobale`` for a concession: "Nouveau montant" in the schemas), its new duration and
its suppliers after the modification. It never publishes an increment. So a record carries
the amount and suppliers of its latest modification that gives them, and the initial amount
is never added to it. See docs/inputs.md, "Modifications".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vigie.sources import decp_fields as f
from vigie.sources.records import Note, Party, ProcurementRecord

MODIFICATION_WRAPPER = "modification"
_DATE_FIELDS = (
    "dateNotificationModification",
    "dateSignatureModification",
    "datePublicationDonneesModification",
)


@dataclass(frozen=True, slots=True)
class Modification:
    """One modification as published: when, and the new amount and suppliers if given."""

    index: int
    order: int | None
    day: str | None
    amount: float | None
    suppliers: tuple[Party, ...] | None


def parse_modifications(
    value: Any, concession: bool, notes: list[Note]
) -> tuple[Modification, ...]:
    """The modifications of an element (v1 plain objects or v2 ``{"modification": {...}}``)."""
    if value is None or value == []:
        return ()
    if not isinstance(value, list):
        notes.append(Note.of("decp_modifications_not_list"))
        return ()
    parsed = []
    for index, raw in enumerate(value):
        item = raw
        if isinstance(raw, dict) and len(raw) == 1 and MODIFICATION_WRAPPER in raw:
            item = raw[MODIFICATION_WRAPPER]
        if not isinstance(item, dict):
            notes.append(Note.of("decp_bad_modification", index=index))
            continue
        parsed.append(_modification(index, item, concession, notes))
    return tuple(parsed)


def _modification(
    index: int, item: Mapping[str, Any], concession: bool, notes: list[Note]
) -> Modification:
    raw_amount = item.get("valeurGlobale" if concession else "montant")
    new_amount = None
    if raw_amount is not None and raw_amount != "":
        amount_notes: list[Note] = []
        new_amount = f.amount(raw_amount, amount_notes)
        if amount_notes:
            shown = repr(raw_amount[:40]) if isinstance(raw_amount, str) else f.shown(raw_amount)
            notes.append(Note.of("decp_modification_bad_amount", index=index, value=shown))
    raw_suppliers = item.get("concessionnaires" if concession else "titulaires")
    suppliers = None
    if isinstance(raw_suppliers, list) and raw_suppliers:
        parties = tuple(f.party(p, None) for p in raw_suppliers)
        suppliers = tuple(p for p in parties if p.id or p.name) or None
    day = None
    for field in _DATE_FIELDS:
        if item.get(field) is not None:
            day, _ = f.date(item.get(field), field, [])
            if day:
                break
    order = item.get("id")
    order = order if isinstance(order, int) and not isinstance(order, bool) else None
    return Modification(index, order, day, new_amount, suppliers)


def chronological(mods: Sequence[Modification]) -> list[Modification]:
    """Modifications oldest first: by date when every one is dated, else by published
    number (``id``, sequential in schema 2.0) when every one has it, else in array order."""
    if all(m.day is not None for m in mods):
        return sorted(mods, key=lambda m: (m.day or "", m.order or 0, m.index))
    if all(m.order is not None for m in mods):
        return sorted(mods, key=lambda m: (m.order or 0, m.index))
    return sorted(mods, key=lambda m: m.index)


def apply_modifications(
    record: ProcurementRecord, mods: Sequence[Modification], notes: list[Note]
) -> ProcurementRecord:
    """The record as of its latest modification: last amount given, last suppliers given."""
    if not mods:
        return record
    amount = record.amount
    suppliers = record.suppliers
    amount_from = suppliers_from = None
    for number, mod in enumerate(chronological(mods), start=1):
        if mod.amount is not None:
            amount, amount_from = mod.amount, number
        if mod.suppliers is not None:
            suppliers, suppliers_from = mod.suppliers, number
    if amount_from is not None and amount != record.amount:
        notes.append(
            Note.of(
                "decp_modified_amount",
                n=len(mods),
                initial=_money(record.amount),
                final=_money(amount),
            )
        )
    if suppliers_from is not None and suppliers != record.suppliers:
        notes.append(
            Note.of(
                "decp_modified_suppliers",
                initial=_parties(record.suppliers),
                final=_parties(suppliers),
            )
        )
    currency = "EUR" if amount is not None else None
    return dataclasses.replace(record, amount=amount, currency=currency, suppliers=suppliers)


def _money(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _parties(parties: Sequence[Party]) -> str:
    shown = ", ".join(p.name or p.id or "?" for p in parties[:5])
    return shown + (", …" if len(parties) > 5 else "") if shown else "–"


# --- republished versions of one contract ---------------------------------------------------

VersionKey = tuple[str, str | None, str]
_COMPARED = ("title", "date", "cpv", "procedure", "amount")
_COMPLETED = ("title", "date", "date_time", "cpv", "cpv_raw", "procedure", "classifications")


def version_key(record: ProcurementRecord) -> VersionKey:
    """Kind, buyer (identifier, else name) and record identifier."""
    return (record.kind, record.buyer.id or record.buyer.name, record.record_id)


def same_contract(a: ProcurementRecord, b: ProcurementRecord) -> bool:
    """Whether two records of one key are versions of one contract rather than two lots.

    They are when title, notification day, CPV, procedure, initial amount and suppliers agree
    wherever both versions give them (a field left empty in one version does not count).
    """
    for name in _COMPARED:
        left, right = getattr(a, name), getattr(b, name)
        if left is not None and right is not None and left != right:
            return False
    if a.suppliers and b.suppliers:
        return _identities(a.suppliers) == _identities(b.suppliers)
    return True


def _identities(parties: Sequence[Party]) -> set[str | None]:
    return {p.id or p.name for p in parties}


def complete(
    first: ProcurementRecord, later: ProcurementRecord
) -> tuple[ProcurementRecord, list[str]]:
    """``first`` with the fields it leaves empty taken from a later version, and their names."""
    changes: dict[str, Any] = {
        name: getattr(later, name)
        for name in _COMPLETED
        if not getattr(first, name) and getattr(later, name)
    }
    if first.amount is None and later.amount is not None:
        changes.update(amount=later.amount, currency=later.currency)
    if not first.suppliers and later.suppliers:
        changes["suppliers"] = later.suppliers
    if not changes:
        return first, []
    names = [name for name in (*_COMPLETED, "amount", "suppliers") if name in changes]
    return dataclasses.replace(first, **changes), names


@dataclass(slots=True)
class _Versions:
    initial: ProcurementRecord
    mods: list[Modification]


class VersionBook:
    """Tracks, within one file, the records of each key and the modifications to apply.

    Records are added to ``records`` as first seen (before modifications); :meth:`finish`
    replaces those with modifications by their latest state.
    """

    def __init__(self, records: list[ProcurementRecord]) -> None:
        self._records = records
        # hash of the key -> index (or indices) of the records loaded with it: kept small,
        # as it holds one entry per record; keys are compared again on lookup.
        self._by_hash: dict[int, int | list[int]] = {}
        self._pending: dict[int, _Versions] = {}

    def _indices(self, key: VersionKey) -> list[int]:
        entry = self._by_hash.get(hash(key))
        if entry is None:
            return []
        candidates = [entry] if isinstance(entry, int) else entry
        return [i for i in candidates if version_key(self._records[i]) == key]

    def _initial(self, index: int) -> ProcurementRecord:
        pending = self._pending.get(index)
        return pending.initial if pending else self._records[index]

    def match(self, record: ProcurementRecord) -> tuple[int | None, ProcurementRecord | None]:
        """The loaded record of which ``record`` is a version (index, record as published),
        else ``(None, first record of the same key)`` (``None`` when the key is new)."""
        indices = self._indices(version_key(record))
        if not indices:
            return None, None
        for index in indices:
            if same_contract(self._initial(index), record):
                return index, self._initial(index)
        return None, self._initial(indices[0])

    def add(self, record: ProcurementRecord, mods: Sequence[Modification]) -> None:
        """Load a record (the first of its key, or a lot that shares an identifier)."""
        index = len(self._records)
        slot = hash(version_key(record))
        entry = self._by_hash.get(slot)
        if entry is None:
            self._by_hash[slot] = index
        elif isinstance(entry, int):
            self._by_hash[slot] = [entry, index]
        else:
            entry.append(index)
        self._records.append(record)
        if mods:
            self._pending[index] = _Versions(record, list(mods))

    def merge(
        self, index: int, record: ProcurementRecord, mods: Sequence[Modification]
    ) -> list[str]:
        """Fold a later version into the loaded record at ``index``; return the names of the
        fields the later version completed."""
        pending = self._pending.get(index)
        if pending is None:
            pending = self._pending[index] = _Versions(self._records[index], [])
        pending.initial, completed = complete(pending.initial, record)
        self._records[index] = pending.initial
        seen = {_identity(m) for m in pending.mods}
        for mod in mods:
            if _identity(mod) not in seen:
                seen.add(_identity(mod))
                pending.mods.append(mod)
        return completed

    def folded(self) -> list[tuple[ProcurementRecord, tuple[Modification, ...]]]:
        """Each loaded record as first published (completed from its later versions) with
        the modifications of all its versions, before :meth:`finish` applies them."""
        out: list[tuple[ProcurementRecord, tuple[Modification, ...]]] = []
        for index, record in enumerate(self._records):
            pending = self._pending.get(index)
            out.append((pending.initial, tuple(pending.mods)) if pending else (record, ()))
        return out

    def finish(self) -> list[tuple[str, Note]]:
        """Apply the modifications; return (position, note) for each change made."""
        return [(self._records[index].position, note) for index, note in self.finish_indexed()]

    def finish_indexed(self) -> list[tuple[int, Note]]:
        """Apply the modifications; return (index of the record, note) for each change made."""
        notes_at: list[tuple[int, Note]] = []
        for index, pending in sorted(self._pending.items()):
            notes: list[Note] = []
            self._records[index] = apply_modifications(pending.initial, pending.mods, notes)
            notes_at.extend((index, note) for note in notes)
        self._pending.clear()
        return notes_at


def _identity(mod: Modification) -> tuple[Any, ...]:
    return (mod.order, mod.day, mod.amount, mod.suppliers)
