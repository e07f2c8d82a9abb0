"""Writing batches of records, rejections and warnings into the workspace tables, fast.

Columns are built in Python and scanned by DuckDB as NumPy object arrays (far faster than list
parameters), each cast to its column's declared type.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import numpy
import orjson

from vigie.sources.records import Note, ProcurementRecord, Rejection, Warning_, storable

_BATCH_VIEW = "vigie_insert_batch"


class TableWriter:
    """Inserts rows into the tables of one DuckDB connection (column types read once)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._types: dict[str, dict[str, str]] = {}

    def insert_records(self, sha: str, records: Sequence[ProcurementRecord]) -> None:
        """Insert records with their suppliers and classification codes."""
        if not records:
            return
        buyers = [r.buyer for r in records]
        self.insert_columns(
            "records",
            {
                "file_sha256": [sha] * len(records),
                "source_file": [r.source_file for r in records],
                "position": [r.position for r in records],
                "line": [r.line for r in records],
                "record_id": [r.record_id for r in records],
                "kind": [r.kind for r in records],
                "buyer_id": [b.id for b in buyers],
                "buyer_scheme": [b.scheme for b in buyers],
                "buyer_name": [b.name for b in buyers],
                "title": [r.title for r in records],
                "amount": [r.amount for r in records],
                "currency": [r.currency for r in records],
                "date": [r.date for r in records],
                "cpv": [r.cpv for r in records],
                "cpv_raw": [r.cpv_raw for r in records],
                "procedure": [r.procedure for r in records],
                "content_hash": [r.content_hash for r in records],
                "buyer_country": [b.country for b in buyers],
                "description": [r.description for r in records],
                "date_time": [r.date_time for r in records],
                "category": [r.category for r in records],
                "category_reason": [r.category_reason for r in records],
                "process_id": [r.process_id for r in records],
            },
        )
        suppliers = [(r, i, s) for r in records for i, s in enumerate(r.suppliers)]
        self._insert_children(
            "record_suppliers",
            sha,
            suppliers,
            {
                "supplier_id": lambda s: s.id,
                "supplier_scheme": lambda s: s.scheme,
                "supplier_name": lambda s: s.name,
                "supplier_country": lambda s: s.country,
            },
        )
        codes = [(r, i, c) for r in records for i, c in enumerate(r.classifications)]
        self._insert_children(
            "record_classifications",
            sha,
            codes,
            {
                "scheme": lambda c: c.scheme,
                "code": lambda c: c.code,
                "description": lambda c: c.description,
            },
        )

    def _insert_children(
        self,
        table: str,
        sha: str,
        rows: Sequence[tuple[ProcurementRecord, int, Any]],
        fields: dict[str, Callable[[Any], Any]],
    ) -> None:
        """Insert the rows of a record's list (suppliers, codes): its key, index, fields."""
        if not rows:
            return
        columns: dict[str, list[Any]] = {
            "file_sha256": [sha] * len(rows),
            "source_file": [r.source_file for r, _, _ in rows],
            "position": [r.position for r, _, _ in rows],
            "idx": [i for _, i, _ in rows],
        }
        for name, read in fields.items():
            columns[name] = [read(item) for _, _, item in rows]
        self.insert_columns(table, columns)

    def insert_columns(self, table: str, columns: dict[str, list[Any]]) -> None:
        """Insert equal-length Python columns: DuckDB scans them as NumPy object arrays (far
        faster than list parameters), each cast to its column's declared type."""
        types = self.column_types(table)
        batch = {
            name: numpy.fromiter(values, dtype=object, count=len(values))
            for name, values in columns.items()
        }
        names = ", ".join(columns)
        casts = ", ".join(f'"{name}"::{types[name]}' for name in columns)
        self.con.register(_BATCH_VIEW, batch)
        try:
            self.con.execute(f"INSERT INTO {table} ({names}) SELECT {casts} FROM {_BATCH_VIEW}")
        finally:
            # After a failed insert the transaction is aborted and unregistering fails too:
            # the insert's error is the one to raise.
            with contextlib.suppress(duckdb.Error):
                self.con.unregister(_BATCH_VIEW)

    def column_types(self, table: str) -> dict[str, str]:
        """The columns of ``table`` in this database (not an attached one), in order, with
        their types (read once)."""
        found = self._types.get(table)
        if found is None:
            rows = self.con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = ? AND table_schema = 'main' "
                "AND table_catalog = current_database() ORDER BY ordinal_position",
                [table],
            ).fetchall()
            found = self._types[table] = {str(name): str(kind) for name, kind in rows}
        return found

    def insert_notes(
        self,
        sha: str,
        rejections: Sequence[Rejection],
        warnings: Sequence[Warning_],
        first: tuple[int, int],
    ) -> None:
        """Insert rejections and warnings, numbered from ``first`` (rejections, warnings)."""
        if rejections:
            columns = _note_columns(sha, first[0], rejections)
            columns["excerpt"] = [r.excerpt for r in rejections]
            self.insert_columns("rejections", columns)
        if warnings:
            self.insert_columns("warnings", _note_columns(sha, first[1], warnings))


def _note_columns(
    sha: str, first: int, notes: Sequence[Rejection] | Sequence[Warning_]
) -> dict[str, list[Any]]:
    return {
        "file_sha256": [sha] * len(notes),
        "seq": list(range(first, first + len(notes))),
        "source_file": [n.source_file for n in notes],
        "position": [n.position for n in notes],
        "code": [n.note.code for n in notes],
        "params": [note_params(n.note) for n in notes],
    }


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: building a batch's columns allocates millions
    of acyclic objects, which would only make it rescan the records already in memory."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def note_params(note: Note) -> str:
    """A note's parameters as stored (see :func:`params_json`)."""
    return params_json(note.as_dict())


def params_json(values: dict[str, Any]) -> str:
    """Parameters as a JSON object (orjson: a tenth of the standard encoder's time on a file
    with 40,000 warnings); the standard encoder for what orjson refuses (a lone surrogate, an
    integer past 64 bits)."""
    try:
        return orjson.dumps(values).decode("utf-8")
    except orjson.JSONEncodeError:
        return storable(json.dumps(values, ensure_ascii=False))
