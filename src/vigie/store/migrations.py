"""Versioned schema migrations: numbered SQL files applied in order, each in a transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

import duckdb

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step."""

    version: int
    name: str
    sql: str


class WorkspaceVersionError(RuntimeError):
    """The workspace was written by a newer vigie than this one."""


def available_migrations() -> list[Migration]:
    """The migrations shipped with this version of vigie, in order."""
    found = []
    for entry in files("vigie.store").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of a workspace (0 when empty)."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    row = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration newer than the workspace; return the versions applied."""
    version = current_version(con)
    migrations = available_migrations()
    latest = migrations[-1].version if migrations else 0
    if version > latest:
        raise WorkspaceVersionError(
            f"workspace schema version {version} is newer than this vigie supports ({latest}); "
            "upgrade vigie / le schéma de l'espace de travail est plus récent que cette "
            "version de vigie"
        )
    applied = []
    for migration in migrations:
        if migration.version <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, current_timestamp)",
                [migration.version, migration.name],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied
