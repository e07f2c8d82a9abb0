"""Names of French legal units from a user-supplied SIRENE extract, looked up by SIREN.

The extract is INSEE's ``StockUniteLegale`` file (CSV, optionally gzipped, or Parquet), whole
or filtered: a ``siren`` column and at least one name column (``denominationUniteLegale``,
``denominationUsuelle1UniteLegale``, ``nomUniteLegale``...). It is read with DuckDB, which
scans large files without loading them into memory; only the rows of the SIREN numbers asked
for are fetched. Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import duckdb

from vigie.sources.files import NOT_UTF8_PATH, opens_in_duckdb, sha256_file
from vigie.sources.records import path_label

SIREN_COLUMN = "siren"
NAME_COLUMNS = (
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "prenomUsuelUniteLegale",
    "prenom1UniteLegale",
    "nomUsageUniteLegale",
    "nomUniteLegale",
    "sigleUniteLegale",
)
NOT_PUBLIC = "[ND]"  # INSEE's mark for a value that is not public (non-diffusible)
_SIREN_SQL = "lpad(trim(CAST({col} AS VARCHAR)), 9, '0')"
_VALID_SQL = "regexp_full_match({expr}, '[0-9]{{9}}')"


class SireneError(ValueError):
    """The SIRENE extract cannot be used (missing, unreadable, or without the columns)."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"{path_label(path)}: {detail}")
        self.path = path
        self.detail = detail


@dataclass(frozen=True, slots=True)
class SireneStats:
    """Rows of an extract: ``rows == valid + invalid``; ``distinct`` SIREN among the valid."""

    rows: int
    valid: int
    invalid: int
    distinct: int


def unite_legale_name(row: Mapping[str, str | None]) -> str | None:
    """The public name of a legal unit from its StockUniteLegale columns.

    In order: the legal name (``denominationUniteLegale``); a usual name
    (``denominationUsuelle1..3UniteLegale``); for a natural person, first name (usual, else
    first) and surname (usage, else birth); the acronym (``sigleUniteLegale``). Empty values
    and ``[ND]`` (not public) are skipped; ``None`` when nothing public remains.
    """

    def value(column: str) -> str | None:
        raw = row.get(column)
        if not isinstance(raw, str):
            return None
        cleaned = " ".join(raw.split())
        return cleaned if cleaned and cleaned != NOT_PUBLIC else None

    for column in NAME_COLUMNS[:4]:
        if found := value(column):
            return found
    surname = value("nomUsageUniteLegale") or value("nomUniteLegale")
    if surname:
        first = value("prenomUsuelUniteLegale") or value("prenom1UniteLegale")
        return f"{first} {surname}" if first else surname
    return value("sigleUniteLegale")


def siren_of(identifier: str | None, scheme: str | None) -> str | None:
    """The SIREN (9 digits) of a party identifier, or ``None`` when it has none.

    A SIRET (14 digits) starts with its SIREN; a SIREN is itself; a French VAT number
    (``FR`` + 2-digit key + SIREN) gives its SIREN when the key checks
    (key = (12 + 3 × (SIREN mod 97)) mod 97). Spaces are ignored.
    """
    if not identifier:
        return None
    compact = "".join(identifier.split()).upper()
    kind = (scheme or "").upper()
    if kind in {"", "SIRET", "SIREN"} and compact.isascii() and compact.isdigit():
        return compact[:9] if len(compact) in (9, 14) else None
    if kind in {"", "TVA"} and len(compact) == 13 and compact.startswith("FR"):
        key, siren = compact[2:4], compact[4:]
        if key.isdigit() and siren.isascii() and siren.isdigit():
            return siren if int(key) == (12 + 3 * (int(siren) % 97)) % 97 else None
    return None


class SireneNames:
    """An opened SIRENE extract. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, columns: dict[str, str]):
        self.path = path
        self._con = con
        self._columns = columns  # canonical name -> name in the file
        self._cache: dict[str, str | None] = {}
        self._fingerprint: str | None = None

    @classmethod
    def open(cls, path: Path) -> SireneNames:
        """Open an extract and check its columns; raise :class:`SireneError` if unusable."""
        if not path.is_file():
            raise SireneError(path, "no such file")
        with path.open("rb") as handle:
            head = handle.read(4)
        if head.startswith(b"PK"):
            raise SireneError(path, "a zip archive: extract the CSV file first")
        if not opens_in_duckdb(path):
            raise SireneError(path, NOT_UTF8_PATH)
        con = duckdb.connect(":memory:")
        try:
            relation = _relation(path, head == b"PAR1")
            con.execute(f"CREATE VIEW sirene AS SELECT * FROM {relation}")
            found = [row[0] for row in con.execute("DESCRIBE sirene").fetchall()]
        except duckdb.Error as exc:
            con.close()
            raise SireneError(path, _short(exc)) from None
        columns = _map_columns(found)
        if SIREN_COLUMN not in columns or not set(NAME_COLUMNS) & set(columns):
            con.close()
            detail = f"needs a siren column and a name column (found: {', '.join(found[:12])})"
            raise SireneError(path, detail)
        return cls(path, con, columns)

    def close(self) -> None:
        """Close the DuckDB connection."""
        self._con.close()

    def __enter__(self) -> SireneNames:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def fingerprint(self) -> str:
        """SHA-256 of the extract file (computed once): names depend on it, so an import made
        with it must be redone when it changes (put it in the reader version)."""
        if self._fingerprint is None:
            self._fingerprint = sha256_file(self.path)
        return self._fingerprint

    def names(self, sirens: Iterable[str]) -> dict[str, str]:
        """Public names of the given SIREN numbers that the extract holds (others absent;
        anything but 9 ASCII digits is never looked up).

        When a SIREN has several rows, the first row with a public name is used.
        Raises :class:`SireneError` if the file turns out to be unreadable while scanning.
        """
        asked = {s for s in sirens if len(s) == 9 and s.isascii() and s.isdigit()}
        wanted = sorted(s for s in asked if s not in self._cache)
        if wanted:
            for siren in wanted:
                self._cache[siren] = None
            for siren, name in self._fetch(wanted):
                if self._cache.get(siren) is None:
                    self._cache[siren] = name
        return {s: n for s in asked if (n := self._cache.get(s)) is not None}

    def _fetch(self, wanted: list[str]) -> Iterable[tuple[str, str | None]]:
        present = [c for c in NAME_COLUMNS if c in self._columns]
        siren = _SIREN_SQL.format(col=_quote(self._columns[SIREN_COLUMN]))
        selected = ", ".join(f"CAST({_quote(self._columns[c])} AS VARCHAR)" for c in present)
        sql = (
            f"SELECT {siren} AS s, {selected} FROM sirene "
            f"WHERE {siren} IN (SELECT unnest(?::VARCHAR[]))"
        )
        try:
            rows = self._con.execute(sql, [wanted]).fetchall()
        except duckdb.Error as exc:
            raise SireneError(self.path, _short(exc)) from None
        for row in rows:
            yield str(row[0]), unite_legale_name(dict(zip(present, row[1:], strict=True)))

    def stats(self) -> SireneStats:
        """Count the rows of the extract (a full scan)."""
        siren = _SIREN_SQL.format(col=_quote(self._columns[SIREN_COLUMN]))
        valid = _VALID_SQL.format(expr=siren)
        sql = (
            f"SELECT count(*), count(*) FILTER (WHERE {valid}), "
            f"count(DISTINCT {siren}) FILTER (WHERE {valid}) FROM sirene"
        )
        try:
            row = self._con.execute(sql).fetchone()
        except duckdb.Error as exc:
            raise SireneError(self.path, _short(exc)) from None
        rows, good, distinct = (int(x) for x in row) if row else (0, 0, 0)
        return SireneStats(rows, good, rows - good, distinct)


def load_sirene(path: Path) -> SireneNames:
    """Open a SIRENE StockUniteLegale extract (CSV, CSV.gz or Parquet) for name lookups."""
    return SireneNames.open(path)


def _relation(path: Path, parquet: bool) -> str:
    literal = "'" + str(path).replace("'", "''") + "'"
    if parquet:
        return f"read_parquet({literal})"
    return f"read_csv({literal}, header = true, all_varchar = true, auto_detect = true)"


def _map_columns(found: list[str]) -> dict[str, str]:
    by_lower = {name.lower(): name for name in found}
    wanted = (SIREN_COLUMN, *NAME_COLUMNS)
    return {name: by_lower[name.lower()] for name in wanted if name.lower() in by_lower}


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:299] + "…"
