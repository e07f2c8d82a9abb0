"""`vigie report ...`: pages for one company, from the knowledge base."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from vigie import __version__
from vigie.cli.app import LangOption, app, console, fail, resolve_lang
from vigie.kb import KnowledgeBaseError, load_knowledge_base
from vigie.present import Messages
from vigie.present.dossier import render_company

report_app = typer.Typer(
    help="Reports: a company dossier. / Rapports : dossier d'une entreprise.",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")


@report_app.command("company")
def report_company(
    company: Annotated[
        str, typer.Argument(help="Company id of the knowledge base. / Identifiant d'entreprise.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="HTML file to write. / Fichier HTML.")
    ],
    lang: LangOption = None,
) -> None:
    """Write the dossier of a company's group. / Écrire le dossier du groupe d'une entreprise."""
    t = Messages(resolve_lang(lang))
    try:
        kb = load_knowledge_base()
    except KnowledgeBaseError as exc:
        fail(t, t("cli_kb_invalid", n=len(exc.problems)))
    if company not in kb.companies:
        fail(t, t("cli_unknown_company", company=company))
    group = kb.group_of(company)
    summary = {
        "vigie_version": __version__,
        "kb_version": kb.version,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    html = render_company(t.lang, kb, group.id, [], summary)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(html, encoding="utf-8")
    except OSError as exc:
        fail(t, t("cli_io_error", error=exc))
    console.print(t("cli_report", path=output.resolve().as_uri()))
