"""Matching a CSV file of names, streamed in chunks (bounded memory), to CSV or JSON Lines.

One output row per input row, in input order, with :data:`OUTPUT_COLUMNS` (empty fields when
there is no match). Each chunk goes through the batch API; a cache of distinct names is shared
between chunks and emptied when it grows past a bound, so memory stays bounded on any input.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from vigie.resolve.batch import OUTPUT_COLUMNS, match_queries
from vigie.resolve.identifiers import guess_identifier_keys
from vigie.resolve.matcher import Match, Matcher, Query

FORMATS = ("csv", "jsonl")
MAX_FIELD = 10 * 1024 * 1024  # a longer cell is an error (csv.Error), not a memory hog
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ColumnError(ValueError):
    """A column named by the user is not in the input's header (or there is no header)."""

    def __init__(self, column: str | None, columns: list[str]) -> None:
        super().__init__(column or "")
        self.column = column
        self.columns = columns


@dataclass(frozen=True, slots=True)
class MatchFileOptions:
    """Which columns to read and how to write the result."""

    name_column: str
    country_column: str | None = None
    id_column: str | None = None
    output_format: str = "csv"
    chunk_rows: int = 50_000
    max_cache: int = 500_000


@dataclass(frozen=True, slots=True)
class MatchFileStats:
    """What a run over a file did."""

    rows: int
    distinct: int
    matched: int


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = f"{value:.4f}" if isinstance(value, float) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(name: str, match: Match | None) -> dict[str, Any]:
    if match is None:
        return {"name": name, **dict.fromkeys(OUTPUT_COLUMNS[1:])}
    return {"name": name, **{c: getattr(match, c) for c in OUTPUT_COLUMNS[1:]}}


def _chunks(reader: Iterator[dict[str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    while chunk := list(islice(reader, size)):
        yield chunk


def match_file(
    source: Path,
    target: Path,
    matcher: Matcher,
    options: MatchFileOptions,
    progress: Callable[[int], None] | None = None,
) -> MatchFileStats:
    """Match the names of a CSV file (UTF-8; undecodable bytes become U+FFFD, which
    normalisation drops) and write one row per input row to ``target``."""
    csv.field_size_limit(MAX_FIELD)
    with (
        source.open(encoding="utf-8-sig", errors="replace", newline="") as handle,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        if not columns:
            raise ColumnError(None, columns)
        for column in (options.name_column, options.country_column, options.id_column):
            if column is not None and column not in columns:
                raise ColumnError(column, columns)
        return _stream(reader, out, matcher, options, progress)


def _query(record: dict[str, str], options: MatchFileOptions) -> Query:
    name = record.get(options.name_column) or ""
    country = record.get(options.country_column) if options.country_column else None
    ident = record.get(options.id_column) if options.id_column else None
    return Query(name, country or None, guess_identifier_keys(ident))


def _stream(
    reader: csv.DictReader[str],
    out: IO[str],
    matcher: Matcher,
    options: MatchFileOptions,
    progress: Callable[[int], None] | None,
) -> MatchFileStats:
    writer = csv.writer(out) if options.output_format == "csv" else None
    if writer is not None:
        writer.writerow(OUTPUT_COLUMNS)
    cache: dict[Query, Match | None] = {}
    rows = matched = distinct = 0
    for chunk in _chunks(iter(reader), options.chunk_rows):
        queries = [_query(record, options) for record in chunk]
        before = len(cache)
        matches = match_queries(queries, matcher, cache)
        distinct += len(cache) - before
        for query, match in zip(queries, matches, strict=True):
            matched += match is not None
            row = _row(query.name, match)
            if writer is not None:
                writer.writerow([_cell(row[c]) for c in OUTPUT_COLUMNS])
            else:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        rows += len(chunk)
        if len(cache) > options.max_cache:
            cache.clear()
        if progress:
            progress(rows)
    return MatchFileStats(rows, distinct, matched)
