"""`vigie report ...`: pages for one company, from the knowledge base."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from vigie import __version__
from vigie.cli.app import LangOption, WorkspaceOption, app, console, fail, resolve_lang
from vigie.cli.screen import (
    PdfOption,
    PolicyOption,
    choose_policy,
    open_workspace,
    print_outcome,
    print_pdf,
)
from vigie.kb import KnowledgeBaseError, load_knowledge_base
from vigie.pipeline import ScreenOptions, report_workspace
from vigie.present import Messages
from vigie.present.dossier import render_company
from vigie.store import DEFAULT_WORKSPACE

report_app = typer.Typer(
    help="Reports: the workspace under a policy, a company dossier. / Rapports : l'espace de "
    "travail selon une politique, dossier d'une entreprise.",
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


@report_app.command("run")
def report_run(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output directory. / Dossier de sortie.")
    ],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: LangOption = None,
    policy: PolicyOption = None,
    pdf: PdfOption = False,
) -> None:
    """Decide and report on every file already in the workspace, without reading them again.
    / Décider et rendre compte de tous les fichiers déjà importés, sans les relire."""
    t = Messages(resolve_lang(lang))
    options = ScreenOptions(lang=t.lang, policy=choose_policy(policy, t))
    with open_workspace(workspace, t) as ws:
        if not ws.imports():
            fail(t, t("cli_workspace_empty", path=workspace))
        try:
            result = report_workspace(output, ws, options)
        except OSError as exc:
            fail(t, t("cli_io_error", error=exc))
    print_outcome(result, t)
    if pdf:
        print_pdf(result, t)
