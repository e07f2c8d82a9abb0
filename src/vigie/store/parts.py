"""Importing a file read in parts: each part was written by its own process into a workspace
file of its own; their rows are copied into the workspace in one transaction.

Records, suppliers and classifications are copied as they are (each row's position is the
same as when the file is read whole). Rejections and warnings are numbered again in file
order (line, then part); the file-level warnings each part gives (bytes repaired, say) become
one, their counts added.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from vigie.store.inserts import params_json
from vigie.store.workspace import ImportInfo, Workspace

_COPIED = ("records", "record_suppliers", "record_classifications")
PART_SHA256 = "(part)"
"""The file key the parts write their rows under (the file is hashed while they read); the
rows take the file's SHA-256 when copied."""
WARNING_ORDER = "part_warning_order"
"""A table of each part's workspace file: where the reading was when each warning was given."""
WARNING_ORDER_TABLE = (
    f"CREATE TABLE {WARNING_ORDER} (seq INTEGER, line BIGINT, unit BIGINT, state BIGINT)"
)
_FILE_LEVEL = "(file)"
_LINE_OF = r"TRY_CAST(regexp_extract(t.position, '^line (\d+)', 1) AS BIGINT)"


def import_parts(
    workspace: Workspace, info: ImportInfo, databases: Sequence[Path], units_read: int
) -> None:
    """Replace any earlier import of ``info`` by the rows of the part ``databases`` (workspace
    files holding one import each, under :data:`PART_SHA256`), in one transaction."""
    con = workspace.con
    aliases: list[str] = []
    try:
        for index, database in enumerate(databases):
            con.execute(f"ATTACH '{_quoted(database)}' AS vigie_part{index} (READ_ONLY)")
            aliases.append(f"vigie_part{index}")
        with _any_insertion_order(con):
            _copy_parts(workspace, info, aliases, units_read)
    finally:
        for alias in aliases:
            con.execute(f"DETACH {alias}")


def _copy_parts(
    workspace: Workspace, info: ImportInfo, aliases: Sequence[str], units_read: int
) -> None:
    """Copy the attached parts in one transaction, rolled back if anything fails."""
    writer = workspace.begin_import(info)
    try:
        _copy_rows(workspace, aliases, info.sha256)
        writer.rejected = _renumber(workspace, "rejections", aliases, info.sha256)
        writer.warned = _renumber(workspace, "warnings", aliases, info.sha256)
        writer.warned += _file_warnings(workspace, aliases, info.sha256, writer.warned)
        writer.commit(units_read)
    except BaseException:
        writer.rollback()
        raise


def _copy_rows(workspace: Workspace, aliases: Sequence[str], sha: str) -> None:
    """Copy the records, suppliers and codes of every part, under the file's SHA-256."""
    for table in _COPIED:
        columns = _columns(workspace, table)
        listed, selected = ", ".join(columns), ", ".join(_keyed(columns, ""))
        union = " UNION ALL ".join(
            f"SELECT {selected} FROM {alias}.{table} WHERE file_sha256 = ?" for alias in aliases
        )
        workspace.con.execute(
            f"INSERT INTO {table} ({listed}) {union}", [sha, PART_SHA256] * len(aliases)
        )


@contextmanager
def _any_insertion_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB insert rows in any order, in parallel (about a tenth faster here): the
    workspace is always read back with an ``ORDER BY``. Set outside the transaction, and
    restored after it ends, committed or rolled back (in an aborted transaction, setting it
    would fail and hide the error)."""
    row = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    before = bool(row[0]) if row else True
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {str(before).lower()}")


def _renumber(workspace: Workspace, table: str, aliases: Sequence[str], sha: str) -> int:
    """Copy the rows of ``table`` (file-level warnings aside) numbered in file order: for
    rejections, by line; for warnings, by where the reading was when each was given (so that
    they come in the order one process gives them); return how many were copied."""
    columns = [name for name in _columns(workspace, table) if name != '"seq"']
    listed = ", ".join(columns)
    qualified = ", ".join(_keyed(columns, "t."))
    if table == "warnings":
        joined = f"LEFT JOIN {{alias}}.{WARNING_ORDER} k ON k.seq = t.seq"
        key = "k.line AS k_line, k.unit AS k_unit, k.state AS k_state"
        order = "k_line, k_unit, k_state, part, seq"
    else:
        joined = ""
        key = f"{_LINE_OF} AS k_line"
        order = "k_line NULLS FIRST, part, seq"
    union = " UNION ALL ".join(
        f"SELECT {qualified}, t.seq AS seq, {index} AS part, {key} "
        f"FROM {alias}.{table} t {joined.format(alias=alias)} "
        f"WHERE t.file_sha256 = ? AND t.position <> '{_FILE_LEVEL}'"
        for index, alias in enumerate(aliases)
    )
    workspace.con.execute(
        f"INSERT INTO {table} ({listed}, seq) SELECT {listed}, "
        f"row_number() OVER (ORDER BY {order}) - 1 FROM ({union})",
        [sha, PART_SHA256] * len(aliases),
    )
    row = workspace.con.execute(
        f"SELECT count(*) FROM {table} WHERE file_sha256 = ?", [sha]
    ).fetchone()
    return int(row[0]) if row else 0


def _file_warnings(workspace: Workspace, aliases: Sequence[str], sha: str, first_seq: int) -> int:
    """Add the parts' file-level warnings, one per code with counts summed; return how many."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for alias in aliases:
        rows = workspace.con.execute(
            f"SELECT source_file, code, params FROM {alias}.warnings "
            f"WHERE file_sha256 = ? AND position = '{_FILE_LEVEL}' ORDER BY seq",
            [PART_SHA256],
        ).fetchall()
        for source, code, params in rows:
            found = merged.setdefault((str(source), str(code)), {})
            for key, value in json.loads(params).items():
                found[key] = _summed(found[key], value) if key in found else value
    for offset, ((source, code), params) in enumerate(merged.items()):
        text = params_json(params)
        workspace.con.execute(
            "INSERT INTO warnings (file_sha256, seq, source_file, position, code, params) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [sha, first_seq + offset, source, _FILE_LEVEL, code, text],
        )
    return len(merged)


def _summed(first: Any, second: Any) -> Any:
    """Two parts' values of a file-level warning's parameter: counts (decimal text, as notes
    keep their parameters) are added, anything else is the first part's."""
    counts = isinstance(first, str) and isinstance(second, str)
    if counts and first.isdecimal() and second.isdecimal():
        return str(int(first) + int(second))
    return first


def _keyed(columns: Sequence[str], prefix: str) -> list[str]:
    """The columns to select from a part, the file key given as a parameter."""
    return [
        '?::VARCHAR AS "file_sha256"' if name == '"file_sha256"' else prefix + name
        for name in columns
    ]


def _columns(workspace: Workspace, table: str) -> list[str]:
    return [f'"{name}"' for name in workspace.tables.column_types(table)]


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
