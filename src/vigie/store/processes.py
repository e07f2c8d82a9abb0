"""Contracting processes found in several imported files (their records carry the process
identifier, the OCDS ``ocid``), for merging their releases across files
(:mod:`vigie.sources.ocds_across`)."""

from __future__ import annotations

from collections.abc import Sequence

from vigie.store.workspace import Workspace


def shared_processes(workspace: Workspace, shas: Sequence[str]) -> frozenset[str]:
    """The process identifiers found in the records of more than one of the files ``shas``."""
    distinct = list(dict.fromkeys(shas))
    if len(distinct) < 2:
        return frozenset()
    marks = ", ".join("?" for _ in distinct)
    rows = workspace.con.execute(
        f"SELECT process_id FROM records WHERE file_sha256 IN ({marks}) "
        "AND process_id IS NOT NULL GROUP BY process_id "
        "HAVING count(DISTINCT file_sha256) > 1",
        distinct,
    ).fetchall()
    return frozenset(str(ocid) for (ocid,) in rows)
