"""``vigie kb import``: read a file in one of the supported formats into the user's directory.

The result is one YAML file, ``<format>-<file stem>.yaml``, in the user's knowledge
directory (re-importing the same file replaces it), checked against the starter data and
the other files of that directory before it is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vigie.kb.base import KnowledgeBase
from vigie.kb.csvimport import read_companies_csv
from vigie.kb.finalise import finalise, write_draft
from vigie.kb.ftm import read_ftm
from vigie.kb.gleif import read_gleif_l1, read_gleif_l2
from vigie.kb.importing import Draft, ImportLimits, Issue, slug
from vigie.kb.loader import KnowledgeBaseError, load_parts, starter_dir
from vigie.kb.userfile import read_kb_yaml

Reader = Callable[[Path, str, KnowledgeBase | None, ImportLimits | None], Draft]
READERS: dict[str, Reader] = {
    "ftm": read_ftm,
    "csv": read_companies_csv,
    "gleif-l1": read_gleif_l1,
    "gleif-l2": read_gleif_l2,
    "evidence": read_kb_yaml,
}
FORMATS = tuple(READERS)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import did: counts, issues, and the file written (None when nothing was)."""

    format: str
    source: str
    records_read: int
    records_loaded: int
    records_rejected: int
    rejected: tuple[Issue, ...]
    remarks: tuple[Issue, ...]
    written: Path | None
    fatal: Issue | None
    counts: dict[str, int]


def output_name(fmt: str, path: Path) -> str:
    """The file an import of ``path`` writes in the user's directory."""
    return f"{fmt}-{slug(path.stem, 80)}.yaml"


def import_file(
    path: Path, fmt: str, into: Path, limits: ImportLimits | None = None
) -> ImportOutcome:
    """Import ``path`` (format ``fmt``) into the knowledge directory ``into``.

    Raises :class:`KnowledgeBaseError` when the knowledge base it joins is itself invalid
    and ``ValueError`` for an unknown format.
    """
    if fmt not in READERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    limits = limits or ImportLimits()
    out_name = output_name(fmt, path)
    loaded = load_parts([starter_dir(), *([into] if into.is_dir() else [])], into / out_name)
    if loaded.problems:
        raise KnowledgeBaseError(loaded.problems)
    base = list(loaded.parts)
    size = path.stat().st_size
    if size > limits.max_bytes:
        draft = Draft(name=path.name)
        draft.fatal = Issue.of(path.name, "file_too_large", size=size, limit=limits.max_bytes)
        return _outcome(fmt, draft, None)
    draft = READERS[fmt](path, path.name, KnowledgeBase.from_parts(base, "base"), limits)
    if draft.fatal is None:
        finalise(draft, base, out_name)
    written = None
    if draft.fatal is None and _has_items(draft):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        header = (
            f"# Imported by `vigie kb import --format {fmt}` from {path.name} "
            f"(sha256 {digest}).\n# Human-editable; `vigie kb validate` checks it. "
            "Importing the same file again replaces this file."
        )
        written = write_draft(draft, into, out_name, header)
    return _outcome(fmt, draft, written)


def _has_items(draft: Draft) -> bool:
    return bool(
        draft.companies
        or draft.extensions
        or draft.ownership
        or draft.evidence
        or any(draft.other.values())
    )


def _order(position: str) -> tuple[str, int, str]:
    """Sort key: "row 10" after "row 9"; other positions by text."""
    head, _, tail = position.partition(" ")
    return (head, int(tail), "") if tail.isdigit() else (position, 0, position)


def _outcome(fmt: str, draft: Draft, written: Path | None) -> ImportOutcome:
    counts = {
        "companies": len(draft.companies),
        "extensions": len(draft.extensions),
        "ownership": len(draft.ownership),
        "evidence": len(draft.evidence),
        "sources": len(draft.sources),
        **{k: len(v) for k, v in draft.other.items()},
    }
    loaded = draft.records_loaded if written is not None else 0
    return ImportOutcome(
        format=fmt,
        source=draft.name,
        records_read=draft.records_read,
        records_loaded=loaded,
        records_rejected=draft.records_read - loaded,
        rejected=tuple(sorted(draft.rejected.values(), key=lambda i: _order(i.position))),
        remarks=tuple(draft.remarks),
        written=written,
        fatal=draft.fatal,
        counts=counts,
    )
