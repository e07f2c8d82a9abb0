"""The screening pipeline: sources -> store -> resolve -> assess -> present.

:func:`screen` is what ``vigie screen`` and ``vigie demo`` call; tests call it directly.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vigie import __version__
from vigie.assess import Finding, GroupExposure, dossiers, exposure_by_group, find_supplier_matches
from vigie.assess.alternatives import AlternativeView, alternatives_for, shipped_alternatives
from vigie.assess.decisions import AlternativesFor, CaseDecision, decide, decision_counts
from vigie.assess.exposure import find_mention_matches, review_candidates
from vigie.assess.policy import Policy, load_policy
from vigie.ingest_parts import can_split, import_in_parts
from vigie.kb import KnowledgeBase, load_knowledge_base
from vigie.present import DecisionsView, Messages, ReportContent
from vigie.present.run import write_run_outputs
from vigie.resolve import Matcher
from vigie.resolve.mentions import MentionFinder
from vigie.sources import Limits, ReadResult
from vigie.sources.decp_across import merge_contracts_across_files
from vigie.sources.files import FileSignature, sha256_file
from vigie.sources.ocds import FORMAT as OCDS_FORMAT
from vigie.sources.ocds_across import Release, read_releases
from vigie.sources.ocds_across import merge_across_files as merge_ocds_across_files
from vigie.sources.records import Note, ProcurementRecord, Rejection, Warning_, path_label
from vigie.sources.registry import READERS, ReaderSpec, detect_format, input_suffixes, reader_named
from vigie.sources.taxonomy import categorize_records, category_totals
from vigie.store import ImportInfo, RunRecord, Workspace
from vigie.store.processes import shared_processes
from vigie.store.review import ReviewStore

INPUT_SUFFIXES = input_suffixes()
ProgressHook = Callable[[int, int, str], None]
"""Called with bytes read so far, bytes to read in total, and the file being read."""
DEFAULT_POLICY = "ungp-baseline"


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
    policy: str | Path | Policy = DEFAULT_POLICY
    input_format: str | None = None
    """A reader name (``--format``) that overrides detection for every input."""
    readers: tuple[ReaderSpec, ...] = READERS
    """The readers to detect from (see :func:`~vigie.sources.registry.configured_readers`)."""
    workers: int = 1
    """Processes reading one large file at once (see :mod:`vigie.ingest_parts`)."""


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """What a screening run produced."""

    summary: dict[str, Any]
    findings: list[Finding]
    exposures: list[GroupExposure]
    outdir: Path
    decisions: list[CaseDecision] = field(default_factory=list)

    @property
    def report_path(self) -> Path:
        """Where the HTML report was written."""
        return self.outdir / "report.html"


def expand_inputs(paths: Iterable[Path], suffixes: Sequence[str] = INPUT_SUFFIXES) -> list[Path]:
    """Files to read: each file as given; for a directory, its .json and .zip files, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.suffix.lower() in suffixes and p.is_file()
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
    input_format: str | None = None,
    readers: Sequence[ReaderSpec] = READERS,
    workers: int = 1,
) -> list[ReadResult]:
    """Read each file into the workspace (skipping content already imported) and return results.

    The reader is the one named by ``input_format``, else the one detected from the file's
    first bytes; a file no reader recognises is one rejection. A large file is read in
    ``workers`` processes when its reader can (see :mod:`vigie.ingest_parts`). Raises
    :class:`~vigie.sources.registry.UnknownFormatError` for an unknown ``input_format``.
    """
    forced = reader_named(input_format, readers) if input_format else None
    total = sum(path.stat().st_size for path in paths)
    done = 0
    results = []
    for path in paths:
        if progress:
            progress(done, total, path_label(path))
        spec = forced or detect_format(path, readers, limits)
        if isinstance(spec, Note):
            results.append(_unreadable(path, spec))
        else:
            report = _offset(progress, done, total)
            sha = import_file(path, spec, workspace, limits, report, workers)
            workspace.note_location(sha, path)
            loaded = workspace.load(sha, path_label(path))
            loaded.file = path
            results.append(loaded)
        done += path.stat().st_size
    if progress:
        progress(total, total, "")
    return results


def _offset(progress: ProgressHook | None, done: int, total: int) -> Callable[[int, str], None]:
    def report(n: int, path: str) -> None:
        if progress:
            progress(done + n, total, path)

    return report


def _unreadable(path: Path, note: Note) -> ReadResult:
    """The result for a file that no reader recognises: one rejection."""
    label = path_label(path)
    result = ReadResult(label, sha256_file(path), path.stat().st_size, "unknown")
    result.rejections.append(Rejection(label, "(file)", note))
    return result


def import_file(
    path: Path,
    spec: ReaderSpec,
    workspace: Workspace,
    limits: Limits,
    progress: Callable[[int, str], None] | None = None,
    workers: int = 1,
) -> str:
    """Import one file with ``spec`` (streamed batch by batch when the reader can; read in
    ``workers`` processes at once when it is large and the reader can read it in parts)
    unless this content was already imported by this reader version; return its SHA-256.
    Raises :class:`~vigie.sources.files.FileChangedError` (nothing stored) when the file
    changes while it is read."""
    label = path_label(path)
    report = (lambda n: progress(n, label)) if progress else None
    if can_split(spec, path, workers):
        return import_in_parts(spec, path, workspace, limits, workers, report)
    signature = FileSignature(path)
    sha = sha256_file(path)
    if workspace.is_imported(sha, spec.key):
        return sha
    if spec.stream is None:
        result = spec.read(path, label, limits, sha256=sha)
        signature.check()
        workspace.save(result, spec.key)
        return sha
    info = ImportInfo(sha, label, spec.name, path.stat().st_size, spec.key)
    writer = workspace.begin_import(info)
    try:
        summary = spec.stream(
            path,
            label,
            limits,
            lambda b: writer.add(b.records, b.rejections, b.warnings),
            report,
            sha256=sha,
        )
        signature.check()
        writer.commit(summary.units_read)
    except BaseException:
        writer.rollback()
        raise
    return sha


def screen(
    inputs: Sequence[Path],
    outdir: Path,
    workspace: Workspace,
    options: ScreenOptions | None = None,
    progress: ProgressHook | None = None,
) -> ScreenResult:
    """Screen procurement files, decide every case under the policy, and write the outputs
    (findings, rejections, warnings, summary, decisions, report) into ``outdir``."""
    options = options or ScreenOptions()
    paths = expand_inputs(inputs, input_suffixes(options.readers))
    results = ingest(
        paths,
        workspace,
        options.limits,
        progress,
        options.input_format,
        options.readers,
        options.workers,
    )
    return decide_and_report(results, outdir, workspace, options)


def report_workspace(
    outdir: Path, workspace: Workspace, options: ScreenOptions | None = None
) -> ScreenResult:
    """Decide and report on every file already imported into the workspace, without reading
    the files again (for instance under another policy or knowledge base)."""
    results = [workspace.load(sha, path) for sha, path in workspace.imports()]
    return decide_and_report(results, outdir, workspace, options or ScreenOptions())


def decide_and_report(
    results: Sequence[ReadResult], outdir: Path, workspace: Workspace, options: ScreenOptions
) -> ScreenResult:
    """Categorise, match, assess and decide the records of ``results``; write every output.

    The OCDS processes and DECP contracts found in several of the files are first merged
    across them (:func:`merge_across_files`)."""
    results = merge_across_files(results, workspace, options.limits)
    kb = options.kb or load_knowledge_base()
    policy = options.policy
    if not isinstance(policy, Policy):
        policy = load_policy(policy)
    t = Messages(options.lang)
    records = categorize_records((record for result in results for record in result.records), t)
    run_id = uuid.uuid4().hex
    matcher, findings = find_all(records, kb, workspace, run_id)
    exposures = exposure_by_group(findings)
    cases = decide(findings, kb, policy, alternatives_considered(kb, matcher, policy))
    summary = build_summary(results, findings, exposures, kb, run_id, records)
    summary["policy"] = {"id": policy.id, "version": policy.version}
    summary["alternatives_version"] = shipped_alternatives().version
    summary["decisions"] = decision_counts(cases)
    content = ReportContent(
        summary=summary,
        exposures=exposures,
        findings=findings,
        dossiers=dossiers((e.group_id for e in exposures), kb),
        rejections=[r for result in results for r in result.rejections],
        kb=kb,
        decisions=DecisionsView(policy, cases),
    )
    warnings = [w for result in results for w in result.warnings]
    write_run_outputs(outdir, content, warnings, options.lang)
    workspace.record_run(
        RunRecord(run_id, __version__, kb.version, summary["inputs"], str(outdir), len(findings))
    )
    return ScreenResult(summary, findings, exposures, outdir, cases)


def merge_across_files(
    results: Sequence[ReadResult], workspace: Workspace, limits: Limits | None = None
) -> list[ReadResult]:
    """``results`` with what several of their files give for one contract merged: OCDS
    processes (:func:`merge_processes_across_files`) and DECP contracts
    (:func:`~vigie.sources.decp_across.merge_contracts_across_files`)."""
    merged = merge_processes_across_files(results, workspace, limits)
    return merge_contracts_across_files(merged, limits)


def merge_processes_across_files(
    results: Sequence[ReadResult], workspace: Workspace, limits: Limits | None = None
) -> list[ReadResult]:
    """``results`` with the releases of each OCDS process found in several of their files
    merged (the files are read again for those processes only), its records given once, in
    the file of its latest release. A file no longer where it was read, or changed since,
    cannot be read again: a warning says so, and its processes are not merged."""
    ocds = [(n, r) for n, r in enumerate(results) if r.format == OCDS_FORMAT]
    ocids = shared_processes(workspace, [r.sha256 for _, r in ocds]) if len(ocds) > 1 else None
    if not ocids:
        return list(results)
    found: dict[str, list[tuple[int, Release]]] = {}
    unavailable: dict[int, Note] = {}
    for number, result in ocds:
        path = result.location
        if not path.is_file() or sha256_file(path) != result.sha256:
            unavailable[number] = Note.of("ocds_merge_unavailable", path=result.path)
            continue
        for release in read_releases(path, result.path, limits or Limits(), ocids):
            found.setdefault(release.ocid, []).append((number, release))
    shared = {o: rows for o, rows in found.items() if len({n for n, _ in rows}) > 1}
    merged = merge_ocds_across_files(results, shared)
    for number, note in unavailable.items():
        result = merged[number]
        warning = Warning_(result.path, "(file)", note)
        merged[number] = dataclasses.replace(result, warnings=[*result.warnings, warning])
    return merged


def find_all(
    records: Sequence[ProcurementRecord], kb: KnowledgeBase, workspace: Workspace, run_id: str
) -> tuple[Matcher, list[Finding]]:
    """Suppliers and mentions in texts matched to the knowledge base, with the review
    judgements of the workspace applied; the pending candidates are recorded for review."""
    matcher, reviews = Matcher(kb), ReviewStore(workspace.con)
    judgements = reviews.judgements()
    findings = find_supplier_matches(records, matcher, judgements)
    findings += find_mention_matches(records, MentionFinder(kb), findings, judgements)
    reviews.record_candidates(run_id, review_candidates(findings, matcher))
    return matcher, findings


def alternatives_considered(kb: KnowledgeBase, matcher: Matcher, policy: Policy) -> AlternativesFor:
    """The alternatives considered for a category, screened and judged under the policy."""

    def considered(category: str | None) -> list[AlternativeView]:
        if category is None:
            return []
        return alternatives_for(category, kb, matcher, policy.alternatives)

    return considered


def build_summary(
    results: Sequence[ReadResult],
    findings: Sequence[Finding],
    exposures: Sequence[GroupExposure],
    kb: KnowledgeBase,
    run_id: str,
    records: Sequence[ProcurementRecord] | None = None,
) -> dict[str, Any]:
    """The summary.json document; the first eight keys are the documented contract.

    ``by_category`` counts ``records`` (the categorised records; by default those of
    ``results``) per technology category (docs/taxonomy.md).
    """
    if records is None:
        records = [record for result in results for record in result.records]
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
        "records_loaded": sum(r.records_loaded for r in results),
        "records_rejected": sum(r.records_rejected for r in results),
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
                "records_loaded": r.records_loaded,
                "records_rejected": r.records_rejected,
                "records_stored": len(r.records),
            }
            for r in results
        ],
        "run_id": run_id,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "by_category": category_totals(records, [f.record for f in findings]),
    }
