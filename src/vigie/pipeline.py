"""The screening pipeline: sources -> store -> resolve -> assess -> present.

:func:`screen` is what ``vigie screen`` and ``vigie demo`` call; tests call it directly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vigie import __version__
from vigie.assess import Finding, GroupExposure, dossiers, exposure_by_group, find_supplier_matches
from vigie.assess.exposure import find_mention_matches, review_candidates
from vigie.kb import KnowledgeBase, load_knowledge_base
from vigie.present import (
    Messages,
    render_report,
    write_findings,
    write_json,
    write_rejected,
    write_warnings,
)
from vigie.resolve import Matcher
from vigie.resolve.mentions import MentionFinder
from vigie.sources import Limits, ReadResult, read_decp
from vigie.sources.decp import FORMAT as DECP_FORMAT
from vigie.sources.files import sha256_file
from vigie.store import RunRecord, Workspace
from vigie.store.review import ReviewStore

INPUT_SUFFIXES = (".json", ".zip")
READER_VERSION = f"{DECP_FORMAT}@{__version__}"
ProgressHook = Callable[[int, int, str], None]


class InputPathError(ValueError):
    """An input path does not exist or holds no readable file.

    ``code`` names the message (``cli_<code>`` in the catalogues) and ``path`` the input.
    """

    def __init__(self, code: str, path: Path) -> None:
        super().__init__(f"{path}: {code}")
        self.code = code
        self.path = path


@dataclass(frozen=True, slots=True)
class ScreenOptions:
    """How to screen: report language, input bounds, and optionally a preloaded knowledge base."""

    lang: str = "en"
    limits: Limits = field(default_factory=Limits)
    kb: KnowledgeBase | None = None


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """What a screening run produced."""

    summary: dict[str, Any]
    findings: list[Finding]
    exposures: list[GroupExposure]
    outdir: Path

    @property
    def report_path(self) -> Path:
        """Where the HTML report was written."""
        return self.outdir / "report.html"


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files to read: each file as given; for a directory, its .json and .zip files, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.suffix.lower() in INPUT_SUFFIXES and p.is_file()
            )
            if not found:
                raise InputPathError("empty_dir", path)
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputPathError("no_such_path", path)
    return list(dict.fromkeys(files))


def ingest(
    paths: Sequence[Path],
    workspace: Workspace,
    limits: Limits,
    progress: ProgressHook | None = None,
) -> list[ReadResult]:
    """Read each file into the workspace (skipping content already imported) and return results."""
    results = []
    for index, path in enumerate(paths):
        if progress:
            progress(index, len(paths), str(path))
        sha = sha256_file(path)
        if not workspace.is_imported(sha, READER_VERSION):
            result = read_decp(path, str(path), limits)
            workspace.save(result, READER_VERSION)
            sha = result.sha256
        results.append(workspace.load(sha, str(path)))
    if progress:
        progress(len(paths), len(paths), "")
    return results


def screen(
    inputs: Sequence[Path],
    outdir: Path,
    workspace: Workspace,
    options: ScreenOptions | None = None,
    progress: ProgressHook | None = None,
) -> ScreenResult:
    """Screen procurement files and write findings.csv, rejected.csv, warnings.csv,
    summary.json and report.html into ``outdir``."""
    options = options or ScreenOptions()
    kb = options.kb or load_knowledge_base()
    paths = expand_inputs(inputs)
    results = ingest(paths, workspace, options.limits, progress)
    records = [record for result in results for record in result.records]
    matcher, reviews = Matcher(kb), ReviewStore(workspace.con)
    judgements = reviews.judgements()
    findings = find_supplier_matches(records, matcher, judgements)
    findings += find_mention_matches(records, MentionFinder(kb), findings, judgements)
    exposures = exposure_by_group(findings)
    run_id = uuid.uuid4().hex
    reviews.record_candidates(run_id, review_candidates(findings, matcher))
    summary = build_summary(results, findings, exposures, kb, run_id)
    outdir.mkdir(parents=True, exist_ok=True)
    rejections = [r for result in results for r in result.rejections]
    write_findings(outdir / "findings.csv", findings)
    t = Messages(options.lang)
    write_rejected(outdir / "rejected.csv", rejections, t)
    write_warnings(outdir / "warnings.csv", [w for result in results for w in result.warnings], t)
    write_json(outdir / "summary.json", summary)
    html = render_report(
        lang=options.lang,
        summary=summary,
        exposures=exposures,
        findings=findings,
        dossiers=dossiers((e.group_id for e in exposures), kb),
        rejections=rejections,
        kb=kb,
    )
    (outdir / "report.html").write_text(html, encoding="utf-8")
    workspace.record_run(
        RunRecord(run_id, __version__, kb.version, summary["inputs"], str(outdir), len(findings))
    )
    return ScreenResult(summary, findings, exposures, outdir)


def build_summary(
    results: Sequence[ReadResult],
    findings: Sequence[Finding],
    exposures: Sequence[GroupExposure],
    kb: KnowledgeBase,
    run_id: str,
) -> dict[str, Any]:
    """The summary.json document; the first eight keys are the documented contract."""
    by_group = {
        e.group_name: {
            "group_id": e.group_id,
            "records": e.records,
            "amount": None if e.amount is None else round(e.amount, 2),
            "amount_by_currency": {k: round(v, 2) for k, v in sorted(e.amount_by_currency.items())},
            "records_without_amount": e.records_without_amount,
        }
        for e in exposures
    }
    return {
        "records_read": sum(r.records_read for r in results),
        "records_loaded": sum(len(r.records) for r in results),
        "records_rejected": sum(len(r.rejections) for r in results),
        "findings": len(findings),
        "by_group": by_group,
        "kb_version": kb.version,
        "inputs": [{"path": r.path, "sha256": r.sha256} for r in results],
        "vigie_version": __version__,
        "warnings": sum(len(r.warnings) for r in results),
        "files": [
            {
                "path": r.path,
                "format": r.format,
                "records_read": r.records_read,
                "records_loaded": len(r.records),
                "records_rejected": len(r.rejections),
            }
            for r in results
        ],
        "run_id": run_id,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
