"""The batch API: a column of names in, a column of matches out.

Pure functions over plain lists (or anything a columnar engine gives as Python sequences, such
as ``pyarrow.RecordBatch.to_pydict()``); each distinct query is scored once. No global state:
the caller owns the :class:`Matcher` and, optionally, a cache shared between chunks, so the same
code runs in process, in a pool of workers, or in a cluster engine (Spark ``mapInArrow``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from itertools import repeat
from typing import Any

from vigie.resolve.identifiers import guess_identifier_keys
from vigie.resolve.matcher import Match, Matcher, Query

OUTPUT_COLUMNS = (
    "name",
    "company_id",
    "company_name",
    "group_id",
    "group_name",
    "score",
    "explanation",
)


def match_queries(
    queries: Iterable[Query | None],
    matcher: Matcher,
    cache: MutableMapping[Query, Match | None] | None = None,
) -> list[Match | None]:
    """Match queries in order; each distinct query is scored once (``cache`` may be shared
    between calls by the caller). Empty names and None give None."""
    seen: MutableMapping[Query, Match | None] = {} if cache is None else cache
    out: list[Match | None] = []
    for query in queries:
        if query is None or not query.name:
            out.append(None)
            continue
        if query not in seen:
            seen[query] = matcher.match_query(query)
        out.append(seen[query])
    return out


def match_names(
    names: Iterable[str | None],
    matcher: Matcher,
    countries: Iterable[str | None] | None = None,
    identifiers: Iterable[str | None] | None = None,
) -> list[Match | None]:
    """Match a column of names (with optional country and identifier columns, same length).

    Identifiers are recognised by their check digits (SIRET, SIREN, French VAT, LEI).
    Output order = input order.
    """
    queries = (
        Query(name, country, guess_identifier_keys(ident)) if name else None
        for name, country, ident in zip(
            names,
            repeat(None) if countries is None else countries,
            repeat(None) if identifiers is None else identifiers,
            strict=False,
        )
    )
    return match_queries(queries, matcher)


def match_columns(
    columns: Mapping[str, Sequence[Any]],
    matcher: Matcher,
    name_column: str = "name",
    country_column: str | None = None,
    id_column: str | None = None,
) -> dict[str, list[Any]]:
    """Columns in, columns out (``OUTPUT_COLUMNS``, one row per input row, in order).

    ``name`` is the input name as given; the other columns are None when there is no match.
    The result can be turned into an Arrow batch with ``pyarrow.RecordBatch.from_pydict``.
    """
    names = [None if v is None else str(v) for v in columns[name_column]]
    countries = columns[country_column] if country_column else None
    ids = columns[id_column] if id_column else None
    matches = match_names(names, matcher, countries, ids)
    out: dict[str, list[Any]] = {c: [] for c in OUTPUT_COLUMNS}
    for name, match in zip(names, matches, strict=True):
        out["name"].append(name)
        for column in OUTPUT_COLUMNS[1:]:
            out[column].append(getattr(match, column) if match else None)
    return out
