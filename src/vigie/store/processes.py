"""OCDS releases kept in the workspace: those of the contracting processes found in several
of a run's files, for merging them across files (:mod:`vigie.sources.ocds_across`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from vigie.sources.ocds_stream import ReleaseRow
from vigie.store.workspace import Workspace

SharedReleases = dict[str, list[tuple[int, ReleaseRow]]]
"""For each ocid found in several files: its releases, each with the index of its file."""


def shared_releases(workspace: Workspace, files: Sequence[tuple[str, str]]) -> SharedReleases:
    """The releases of every ocid found in more than one of ``files`` ((SHA-256, path as
    given now) in input order), each with the index of its file in ``files``; the file names
    in the releases are those given now (as :meth:`Workspace.load` gives them)."""
    index: dict[str, int] = {}
    for number, (sha, _) in enumerate(files):
        index.setdefault(sha, number)
    if len(index) < 2:
        return {}
    con = workspace.con
    shas = list(index)
    marks = ", ".join("?" for _ in shas)
    rows = con.execute(
        "WITH shared AS (SELECT ocid FROM ocds_releases "
        f"WHERE file_sha256 IN ({marks}) GROUP BY ocid HAVING count(DISTINCT file_sha256) > 1) "
        "SELECT r.file_sha256, i.path, r.ocid, r.rank, r.date, r.seq, r.source_file, r.position, "
        "r.line, r.state FROM ocds_releases r JOIN shared USING (ocid) "
        "JOIN imports i ON i.file_sha256 = r.file_sha256 "
        f"WHERE r.file_sha256 IN ({marks}) ORDER BY r.ocid, r.file_sha256, r.seq",
        [*shas, *shas],
    ).fetchall()
    found: SharedReleases = defaultdict(list)
    for sha, old_path, ocid, rank, date, seq, stored, position, line, state in rows:
        number = index[sha]
        path = files[number][1]
        source = path + stored[len(old_path) :] if stored.startswith(old_path) else stored
        release = ReleaseRow(ocid, rank, date, seq, source, position, line, state)
        found[ocid].append((number, release))
    return dict(found)
