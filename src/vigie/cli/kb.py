"""`vigie kb ...`: check, describe, import into and export the knowledge base."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vigie.cli.app import LangOption, console, err, fail, kb_app, resolve_lang
from vigie.cli.kb_show import print_profile
from vigie.kb import KnowledgeBase, KnowledgeBaseError, load_knowledge_base, user_dir
from vigie.kb.dates import parse_partial
from vigie.kb.describe import company_profile, find_company, kb_stats, suggestions
from vigie.kb.ftm import write_ftm
from vigie.kb.importing import Issue
from vigie.kb.imports import FORMATS, ImportOutcome, import_file
from vigie.present import Messages

DirsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--kb",
        help="Knowledge-base directory, repeatable (default: the starter data, then "
        "$VIGIE_KB_DIR or ./vigie-data/kb). / Dossier de la base, répétable.",
    ),
]
SHOWN_ISSUES = 20


def _load(t: Messages, directories: list[Path] | None) -> KnowledgeBase:
    try:
        return load_knowledge_base(directories or None)
    except KnowledgeBaseError as exc:
        err.print(f"[red]{escape(t('cli_kb_invalid', n=len(exc.problems)))}[/]")
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None


@kb_app.command("validate")
def kb_validate(
    directories: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Knowledge-base directories (default: the starter data, then the user "
            "directory). / Dossiers de la base (par défaut : données de départ, puis "
            "dossier de l'utilisateur)."
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Check schema, references, sources, dates and orphans; list every problem. / Vérifier."""
    t = Messages(resolve_lang(lang))
    kb = _load(t, directories)
    console.print(
        t(
            "cli_kb_valid",
            version=kb.version,
            companies=len(kb.companies),
            evidence=len(kb.evidence),
            responses=len(kb.responses),
            sources=len(kb.sources),
            contexts=len(kb.contexts),
        ),
        markup=False,
    )


@kb_app.command("stats")
def kb_stats_command(directories: DirsOption = None, lang: LangOption = None) -> None:
    """Counts by section, evidence by category and confidence. / Statistiques de la base."""
    t = Messages(resolve_lang(lang))
    stats = kb_stats(_load(t, directories))
    table = Table(title=t("kb_stats_title", version=stats["version"]))
    table.add_column(t("kb_stats_section"))
    table.add_column(t("kb_stats_count"), justify="right")
    for key in (
        "companies",
        "groups",
        "ownership",
        "dated_ownership",
        "identifiers",
        "products",
        "sources",
        "evidence",
        "responses",
        "contexts",
        "relationships",
    ):
        table.add_row(t(f"kb_stats_{key}"), t.number(stats[key]))  # type: ignore[arg-type]
    console.print(table)
    for key, title in (
        ("evidence_by_category", "kb_stats_by_category"),
        ("evidence_by_confidence", "kb_stats_by_confidence"),
        ("sources_by_type", "kb_stats_by_source_type"),
        ("products_by_category", "kb_stats_by_product_category"),
    ):
        counts = stats[key]
        assert isinstance(counts, dict)
        line = ", ".join(f"{name} {t.number(n)}" for name, n in counts.items())
        console.print(f"{t(title)}{t('colon')}{line}", markup=False)


def _check_date(t: Messages, at: str | None) -> str | None:
    if at is None:
        return None
    try:
        parse_partial(at)
    except ValueError:
        fail(t, t("kb_bad_date", value=at))
    return at


@kb_app.command("show")
def kb_show(
    company: Annotated[str, typer.Argument(help="Company id or exact name. / Id ou nom exact.")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="Date of the structure (YYYY-MM-DD; default today)."),
    ] = None,
    directories: DirsOption = None,
    lang: LangOption = None,
) -> None:
    """A company: group, subsidiaries, products, evidence and responses. / Fiche entreprise."""
    t = Messages(resolve_lang(lang))
    day = _check_date(t, at)
    kb = _load(t, directories)
    found = find_company(kb, company)
    if found is None:
        err.print(t("kb_show_unknown", ref=company), markup=False)
        if hints := suggestions(kb, company):
            err.print(t("kb_show_suggest", ids=", ".join(hints)), markup=False)
        raise typer.Exit(1)
    print_profile(console, t, kb, company_profile(kb, found.id, day))


@kb_app.command("import")
def kb_import(
    file: Annotated[Path, typer.Argument(help="File to import. / Fichier à importer.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")],
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="User knowledge directory (default $VIGIE_KB_DIR or ./vigie-data/kb). "
            "/ Dossier de connaissances de l'utilisateur.",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write every rejection and remark to this CSV file."),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Import FtM, CSV, GLEIF or evidence files into the user directory. / Importer."""
    t = Messages(resolve_lang(lang))
    if fmt not in FORMATS:
        fail(t, t("kb_import_format", fmt=fmt, formats=", ".join(FORMATS)))
    if not file.is_file():
        fail(t, t("cli_no_such_path", path=file))
    try:
        outcome = import_file(file, fmt, into or user_dir())
    except KnowledgeBaseError as exc:
        err.print(f"[red]{escape(t('cli_kb_invalid', n=len(exc.problems)))}[/]")
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        fail(t, t("cli_io_error", error=exc))
    _print_outcome(t, outcome, report)
    if outcome.fatal is not None:
        raise typer.Exit(1)


def _issue_text(t: Messages, issue: Issue) -> str:
    return t(f"kb_issue_{issue.code}", **issue.as_dict())


def _print_outcome(t: Messages, outcome: ImportOutcome, report: Path | None) -> None:
    console.print(
        t(
            "kb_import_done",
            file=outcome.source,
            format=outcome.format,
            read=t.number(outcome.records_read),
            loaded=t.number(outcome.records_loaded),
            rejected=t.number(outcome.records_rejected),
        ),
        markup=False,
    )
    if outcome.fatal is not None:
        err.print(t("kb_import_fatal", reason=_issue_text(t, outcome.fatal)), markup=False)
    if outcome.written is not None:
        counts = ", ".join(f"{k} {v}" for k, v in outcome.counts.items() if v)
        console.print(t("kb_import_counts", counts=counts), markup=False)
        console.print(t("kb_import_written", path=outcome.written), markup=False)
    else:
        console.print(t("kb_import_nothing"), markup=False)
    for title, issues in (
        ("kb_import_rejected", outcome.rejected),
        ("kb_import_remarks", outcome.remarks),
    ):
        if issues:
            console.print(f"{t(title)}{t('colon')}", markup=False)
            for issue in issues[:SHOWN_ISSUES]:
                console.print(
                    f"  {issue.position}: {_issue_text(t, issue)}", markup=False, soft_wrap=True
                )
            if len(issues) > SHOWN_ISSUES:
                console.print(t("kb_import_more", n=len(issues) - SHOWN_ISSUES), markup=False)
    if report is not None:
        _write_report(t, outcome, report)
        console.print(t("kb_import_report", path=report), markup=False)


def _write_report(t: Messages, outcome: ImportOutcome, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "position", "kind", "code", "message"])
        for kind, issues in (("rejected", outcome.rejected), ("remark", outcome.remarks)):
            for issue in issues:
                writer.writerow(
                    [outcome.source, issue.position, kind, issue.code, _issue_text(t, issue)]
                )


@kb_app.command("export")
def kb_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (JSON lines).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Export format: ftm.")] = "ftm",
    directories: DirsOption = None,
    lang: LangOption = None,
) -> None:
    """Export companies and ownership as FollowTheMoney entities. / Exporter en FtM."""
    t = Messages(resolve_lang(lang))
    if fmt != "ftm":
        fail(t, t("kb_export_format", fmt=fmt))
    kb = _load(t, directories)
    try:
        count = write_ftm(kb, output)
    except OSError as exc:
        fail(t, t("cli_io_error", error=exc))
    console.print(t("kb_export_done", n=count, path=output), markup=False)
