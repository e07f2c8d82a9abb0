"""The workspace: an embedded DuckDB file holding imported records and the audit trail."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import msgspec

from vigie.sources.files import NOT_UTF8_PATH, opens_in_duckdb
from vigie.sources.records import (
    Classification,
    Note,
    Party,
    ProcurementRecord,
    ReadResult,
    Rejection,
    Warning_,
    path_label,
    storable,
)
from vigie.store.inserts import TableWriter, collector_paused
from vigie.store.migrations import migrate

DEFAULT_WORKSPACE = Path("vigie-data") / "vigie.duckdb"
_RECORD_TABLES = ("imports", "records", "record_suppliers", "record_classifications")


RECORD_COLUMNS = (
    "file_sha256, source_file, position, line, record_id, kind, buyer_id, buyer_scheme, "
    "buyer_name, title, amount, currency, date, cpv, cpv_raw, procedure, content_hash, "
    "buyer_country, description, date_time, category, category_reason, process_id"
)


_LOADED_COLUMNS = ", ".join(
    "CAST(date AS VARCHAR)" if name == "date" else name  # YYYY-MM-DD, made by DuckDB
    for name in RECORD_COLUMNS.split(", ")[1:]
)
"""The columns of a record loaded back (all but its file's key)."""


class WorkspacePathError(ValueError):
    """The workspace's path cannot be opened by DuckDB (bytes that are not valid UTF-8)."""


class DuplicatePositionError(ValueError):
    """Two records of one file were given the same position (positions identify records)."""


@dataclass(frozen=True, slots=True)
class ImportInfo:
    """The file being imported: content hash, path, format, size and reader key."""

    sha256: str
    path: str
    format: str
    size: int
    reader_version: str


class ImportWriter:
    """Writes one file's records, rejections and warnings batch by batch (see
    :meth:`Workspace.begin_import`); :meth:`commit` records the import and its counts."""

    def __init__(self, workspace: Workspace, info: ImportInfo) -> None:
        self._ws = workspace
        self.info = info
        self.rejected = 0
        self.warned = 0

    def add(
        self,
        records: Sequence[ProcurementRecord],
        rejections: Sequence[Rejection] = (),
        warnings: Sequence[Warning_] = (),
    ) -> None:
        """Insert one batch."""
        with collector_paused():
            self._ws.tables.insert_records(self.info.sha256, records)
            first = (self.rejected, self.warned)
            self._ws.tables.insert_notes(self.info.sha256, rejections, warnings, first)
        self.rejected += len(rejections)
        self.warned += len(warnings)

    def commit(self, units_read: int) -> None:
        """Record the import (units read, loaded, rejected) and commit the transaction.

        Raises :class:`DuplicatePositionError` when two records of the file share a position
        (a reader's error: the caller rolls back)."""
        info = self.info
        row = self._ws.con.execute(
            "SELECT count(*) - count(DISTINCT (source_file, position)) FROM records "
            "WHERE file_sha256 = ?",
            [info.sha256],
        ).fetchone()
        if row and row[0]:
            raise DuplicatePositionError(f"{info.path}: {row[0]} records share a position")
        self._ws.con.execute(
            "INSERT INTO imports (file_sha256, path, format, size_bytes, reader_version, "
            "records_read, records_loaded, records_rejected, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                info.sha256,
                info.path,
                info.format,
                info.size,
                info.reader_version,
                units_read,
                units_read - self.rejected,
                self.rejected,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        self._ws.con.execute("COMMIT")

    def rollback(self) -> None:
        """Abandon the import: nothing of it stays in the workspace."""
        self._ws.con.execute("ROLLBACK")


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What a screening run used and produced, for the audit trail."""

    run_id: str
    vigie_version: str
    kb_version: str
    inputs: Sequence[dict[str, str]]
    outdir: str
    findings: int


class Workspace:
    """A DuckDB workspace. Use as a context manager; the schema is migrated on open."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self.con = con
        self.path = path
        self.tables = TableWriter(con)

    @classmethod
    def open(cls, path: Path | str = DEFAULT_WORKSPACE) -> Workspace:
        """Open (creating and migrating if needed) the workspace at ``path`` or ``:memory:``."""
        target = str(path)
        if not opens_in_duckdb(target):
            raise WorkspacePathError(f"{storable(target)}: {NOT_UTF8_PATH}")
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(target)
        migrate(con)
        return cls(con, target)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def is_imported(self, sha256: str, reader_version: str) -> bool:
        """Whether this exact file content was already imported by this reader version."""
        row = self.con.execute(
            "SELECT count(*) FROM imports WHERE file_sha256 = ? AND reader_version = ?",
            [sha256, reader_version],
        ).fetchone()
        return bool(row and row[0])

    def save(self, result: ReadResult, reader_version: str) -> None:
        """Store a read result, replacing any earlier import of the same content (idempotent)."""
        writer = self.begin_import(
            ImportInfo(result.sha256, result.path, result.format, result.size, reader_version)
        )
        try:
            writer.add(result.records, result.rejections, result.warnings)
            writer.commit(result.records_read)
        except Exception:
            writer.rollback()
            raise

    def begin_import(self, info: ImportInfo) -> ImportWriter:
        """Start importing a file batch by batch, in one transaction that first removes any
        earlier import of the same content (so importing twice changes nothing)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            for table in (*_RECORD_TABLES, "rejections", "warnings"):
                self.con.execute(f"DELETE FROM {table} WHERE file_sha256 = ?", [info.sha256])
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        return ImportWriter(self, info)

    def load(self, sha256: str, path: str) -> ReadResult:
        """Rebuild the read result of an imported file, relabelled with its current ``path``."""
        row = self.con.execute(
            "SELECT path, format, size_bytes, records_read, location FROM imports "
            "WHERE file_sha256 = ?",
            [sha256],
        ).fetchone()
        if row is None:
            raise KeyError(sha256)
        old_path, fmt, size, units_read, location = row

        def relabel(label: str) -> str:
            if old_path == path:  # the usual case: read again from where it was imported
                return label
            return path + label[len(old_path) :] if label.startswith(old_path) else label

        result = ReadResult(path, sha256, int(size), str(fmt), units_read=int(units_read))
        if location is not None:
            result.file = Path(os.fsdecode(bytes(location)))
        with collector_paused():
            result.records = self._load_records(sha256, relabel)
        for source, position, code, params, excerpt in self.con.execute(
            "SELECT source_file, position, code, params, excerpt FROM rejections "
            "WHERE file_sha256 = ? ORDER BY seq",
            [sha256],
        ).fetchall():
            note = _note(code, params)
            result.rejections.append(Rejection(relabel(source), position, note, excerpt))
        for source, position, code, params in self.con.execute(
            "SELECT source_file, position, code, params FROM warnings "
            "WHERE file_sha256 = ? ORDER BY seq",
            [sha256],
        ).fetchall():
            result.warnings.append(Warning_(relabel(source), position, _note(code, params)))
        return result

    def _load_records(self, sha256: str, relabel: Any) -> list[ProcurementRecord]:
        suppliers: dict[tuple[str, str], list[Party]] = defaultdict(list)
        for source, position, sid, scheme, name, country in self.con.execute(
            "SELECT source_file, position, supplier_id, supplier_scheme, supplier_name, "
            "supplier_country FROM record_suppliers WHERE file_sha256 = ? "
            "ORDER BY source_file, position, idx",
            [sha256],
        ).fetchall():
            suppliers[(source, position)].append(Party(sid, scheme, name, country))
        codes: dict[tuple[str, str], list[Classification]] = defaultdict(list)
        for source, position, scheme, code, label in self.con.execute(
            "SELECT source_file, position, scheme, code, description FROM record_classifications "
            "WHERE file_sha256 = ? ORDER BY source_file, position, idx",
            [sha256],
        ).fetchall():
            codes[(source, position)].append(Classification(scheme, code, label))
        rows = self.con.execute(
            f"SELECT {_LOADED_COLUMNS} FROM records WHERE file_sha256 = ? "
            # Positions share their member's prefix (/marches/N): shorter first is numeric
            # order, so that the records of a one-line (minified) file keep the file's order.
            "ORDER BY source_file, line, length(position), position",
            [sha256],
        ).fetchall()
        return [_record_from_row(row, suppliers, codes, relabel) for row in rows]

    def note_location(self, sha256: str, path: Path) -> None:
        """Keep where an imported file is when its label cannot name it (bytes of its name
        not valid UTF-8, shown as U+FFFD): :meth:`load` gives it as the result's ``file``."""
        if path_label(path) != str(path):
            self.con.execute(
                "UPDATE imports SET location = ? WHERE file_sha256 = ?",
                [os.fsencode(path), sha256],
            )

    def imports(self) -> list[tuple[str, str]]:
        """(SHA-256, path) of every imported file, in the order they were imported."""
        rows = self.con.execute(
            "SELECT file_sha256, path FROM imports ORDER BY imported_at, path"
        ).fetchall()
        return [(str(sha), str(path)) for sha, path in rows]

    def record_run(self, run: RunRecord) -> None:
        """Append a screening run to the audit trail."""
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                datetime.now(UTC).replace(tzinfo=None),
                run.vigie_version,
                run.kb_version,
                json.dumps(list(run.inputs)),
                storable(run.outdir),
                run.findings,
            ],
        )

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (for tests and ``vigie`` status output)."""
        out = {}
        for table in (*_RECORD_TABLES, "rejections", "warnings", "runs"):
            row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
            out[table] = int(row[0]) if row else 0
        return out


def _record_from_row(
    row: tuple[Any, ...],
    suppliers: dict[tuple[str, str], list[Party]],
    codes: dict[tuple[str, str], list[Classification]],
    relabel: Any,
) -> ProcurementRecord:
    (source, position, line, record_id, kind, buyer_id, buyer_scheme, buyer_name, title,
     amount, currency, day, cpv, cpv_raw, procedure, content_hash, buyer_country, description,
     date_time, category, category_reason, process_id) = row  # fmt: skip
    return ProcurementRecord(
        source_file=relabel(source),
        position=position,
        line=line,
        record_id=record_id,
        kind=kind,
        buyer=Party(buyer_id, buyer_scheme, buyer_name, buyer_country),
        suppliers=tuple(suppliers.get((source, position), [])),
        title=title,
        amount=amount,
        currency=currency,
        date=day,
        cpv=cpv,
        cpv_raw=cpv_raw,
        procedure=procedure,
        content_hash=content_hash,
        description=description,
        classifications=tuple(codes.get((source, position), [])),
        date_time=date_time,
        category=category,
        category_reason=category_reason,
        process_id=process_id,
    )


def _note(code: str, params: str) -> Note:
    try:  # msgspec: integers of any size kept exact, unlike orjson
        values = msgspec.json.decode(params)
    except (msgspec.DecodeError, UnicodeEncodeError):  # NaN, lone surrogates: json takes them
        values = json.loads(params)
    return Note(code, tuple(values.items()))
