"""`vigie kb ...`: the knowledge-base commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vigie.cli.app import LangOption, console, err, kb_app, resolve_lang
from vigie.kb import KnowledgeBaseError, load_knowledge_base
from vigie.present import Messages


@kb_app.command("validate")
def kb_validate(
    directories: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Knowledge-base directories (default: the starter data). / Dossiers de la base."
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Check schema, references and sources; list every problem. / Vérifier la base."""
    t = Messages(resolve_lang(lang))
    try:
        kb = load_knowledge_base(directories or None)
    except KnowledgeBaseError as exc:
        err.print(f"[red]{t('cli_kb_invalid', n=len(exc.problems))}[/]")
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False)
        raise typer.Exit(1) from None
    console.print(
        t(
            "cli_kb_valid",
            version=kb.version,
            companies=len(kb.companies),
            evidence=len(kb.evidence),
            responses=len(kb.responses),
            sources=len(kb.sources),
            contexts=len(kb.contexts),
        )
    )
