"""Reading decisions from CSV through DuckDB: one aggregation pass to per-group confusion counts.

DuckDB streams the file, so memory grows with the number of groups, not of rows (10 million
rows take a few seconds). Values are compared as text, after trimming spaces. A line that does not
parse (wrong number of fields, unterminated quote, bad encoding) is rejected with its line
number; a row whose group, label or prediction is empty is rejected with its line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from vigie.ai.bias import Confusion

MAX_EXAMPLES = 20


@dataclass(frozen=True)
class BiasColumns:
    """Which columns hold the group, the true label and the decision, and what is positive."""

    group: str
    label: str
    label_positive: str
    prediction: str
    predicted_positive: tuple[str, ...]
    delimiter: str = ","


@dataclass(frozen=True)
class Rejection:
    """A rejected line or row: its line number in the file (1 = header), reason and detail."""

    line: int | None
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Decisions:
    """Per-group confusion counts and the accounting of every record read."""

    counts: dict[str, Confusion]
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    lines_in_file: int
    lenient_parsing: bool
    rejections_by_reason: dict[str, int]
    examples: list[Rejection] = field(default_factory=list)


class BiasInputError(ValueError):
    """The decisions file cannot be audited (unreadable, missing column, no usable row)."""

    def __init__(self, code: str, **params: str) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def read_header(path: Path, delimiter: str) -> list[str]:
    """Column names from the first line of a UTF-8 CSV file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(io.StringIO(handle.readline(1_000_000)), delimiter=delimiter))
    except (OSError, UnicodeDecodeError, StopIteration, csv.Error) as exc:
        raise BiasInputError("ai_bias_unreadable", path=str(path), error=str(exc)[:200]) from exc
    return header


def unique_names(header: list[str]) -> list[str]:
    """Column names made unique for DuckDB: a repeated name gets ``#2``, ``#3``... appended."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return names


def _newline(path: Path) -> str:
    """DuckDB's spelling of the file's line ending, judged on the header line."""
    with path.open("rb") as handle:
        first = handle.readline(1_000_000)
    return "\\r\\n" if first.endswith(b"\r\n") else "\\n"


def count_lines(path: Path) -> int:
    """Physical lines of the file (a last line without a line ending counts)."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _scan_sql(path: Path, header: list[str], delimiter: str, lenient: bool = False) -> str:
    columns = "{" + ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in header) + "}"
    return (
        f"read_csv({_literal(str(path))}, auto_detect=false, header=true, "
        f"delim={_literal(delimiter)}, quote='\"', escape='\"', new_line='{_newline(path)}', "
        f"{'strict_mode=false, ' if lenient else ''}columns={columns}, store_rejects=true)"
    )


def _aggregate_sql(scan: str, cols: BiasColumns) -> str:
    g, y, p = (f"trim({_ident(c)})" for c in (cols.group, cols.label, cols.prediction))
    positives = ", ".join(_literal(v.strip()) for v in cols.predicted_positive)
    return f"""
        SELECT
          CASE WHEN {g} IS NULL OR {g} = '' THEN 'empty_group'
               WHEN {y} IS NULL OR {y} = '' THEN 'empty_label'
               WHEN {p} IS NULL OR {p} = '' THEN 'empty_prediction' END AS problem,
          {g} AS grp,
          {y} = {_literal(cols.label_positive.strip())} AS actual,
          {p} IN ({positives}) AS predicted,
          count(*) AS n
        FROM {scan}
        GROUP BY ALL
    """


def _confusions(rows: list[tuple[Any, ...]]) -> tuple[dict[str, Confusion], dict[str, int]]:
    cells: dict[str, dict[str, int]] = {}
    problems: dict[str, int] = {}
    for problem, group, actual, predicted, n in rows:
        if problem is not None:
            problems[problem] = problems.get(problem, 0) + int(n)
            continue
        cell = ("tp" if predicted else "fn") if actual else ("fp" if predicted else "tn")
        counts = cells.setdefault(str(group), {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
        counts[cell] += int(n)
    return {g: Confusion(**c) for g, c in cells.items()}, problems


def _empty_examples(path: Path, header: list[str], cols: BiasColumns) -> list[Rejection]:
    """Line numbers of the first rows with an empty group, label or prediction."""
    wanted = [header.index(c) for c in (cols.group, cols.label, cols.prediction)]
    reasons = ("empty_group", "empty_label", "empty_prediction")
    found: list[Rejection] = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=cols.delimiter)
        next(reader, None)
        for row in reader:
            if len(row) != len(header):
                continue
            for index, reason in zip(wanted, reasons, strict=True):
                if not row[index].strip():
                    found.append(Rejection(reader.line_num, reason))
                    break
            if len(found) >= MAX_EXAMPLES:
                break
    return found


def _scan(
    path: Path, header: list[str], cols: BiasColumns, lenient: bool
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with duckdb.connect() as con:
        scan = _scan_sql(path, header, cols.delimiter, lenient)
        aggregated = con.execute(_aggregate_sql(scan, cols)).fetchall()
        errors = con.execute(
            "SELECT line, error_type, error_message FROM reject_errors ORDER BY line"
        ).fetchall()
    return aggregated, errors


def read_decisions(path: Path, cols: BiasColumns) -> Decisions:
    """Aggregate a CSV of decisions into per-group confusion counts, accounting for every line."""
    header = read_header(path, cols.delimiter)
    wanted = (cols.group, cols.label, cols.prediction)
    repeated = sorted({c for c in wanted if header.count(c) > 1})
    if repeated:
        raise BiasInputError(
            "ai_bias_duplicate_columns", path=str(path), columns=", ".join(repeated)
        )
    missing = [c for c in wanted if c not in header]
    if missing:
        raise BiasInputError(
            "ai_bias_missing_columns", missing=", ".join(missing), available=", ".join(header)
        )
    try:
        aggregated, errors = _scan(path, unique_names(header), cols, lenient=False)
        lenient = False
    except duckdb.Error:
        # Mixed line endings defeat DuckDB's strict parser; the lenient one reads them, but
        # ignores extra fields on a line, so the output says the file was read leniently.
        try:
            aggregated, errors = _scan(path, unique_names(header), cols, lenient=True)
            lenient = True
        except duckdb.Error as exc:
            raise BiasInputError(
                "ai_bias_unreadable", path=str(path), error=str(exc).splitlines()[0][:200]
            ) from exc
    counts, problems = _confusions(aggregated)
    malformed = len({line for line, _, _ in errors})
    if malformed:
        problems["malformed_line"] = malformed
    examples = [Rejection(int(line), "malformed_line", str(msg)[:120]) for line, _, msg in errors]
    if any(k.startswith("empty_") for k in problems):
        examples += _empty_examples(path, header, cols)
    rejected = sum(problems.values())
    loaded = sum(c.count for c in counts.values())
    return Decisions(
        counts=counts,
        rows_read=loaded + rejected,
        rows_loaded=loaded,
        rows_rejected=rejected,
        lines_in_file=count_lines(path),
        lenient_parsing=lenient,
        rejections_by_reason=dict(sorted(problems.items())),
        examples=sorted(examples[: 2 * MAX_EXAMPLES], key=lambda r: r.line or 0)[:MAX_EXAMPLES],
    )
