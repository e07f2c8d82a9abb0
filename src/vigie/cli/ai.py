"""`vigie aia ...`, `vigie bias` and `vigie footprint`: assessing an AI system."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vigie.ai.answers import AnswersError
from vigie.ai.canada_aia import AiaScore, score_answers_file
from vigie.cli.app import LangOption, app, console, err, resolve_lang
from vigie.present import Messages

aia_app = typer.Typer(
    help="Impact assessment questionnaires for AI systems. / "
    "Questionnaires d'évaluation d'incidence des systèmes d'IA.",
    no_args_is_help=True,
)
app.add_typer(aia_app, name="aia")

QUESTIONNAIRES = ("canada-aia",)


class OutputFormat(StrEnum):
    """How a command prints its result."""

    text = "text"
    json = "json"


def report_answers_error(t: Messages, exc: AnswersError) -> None:
    """Print every problem of an answers file, located by JSON pointer, then exit with status 2."""
    err.print(
        f"[red]{escape(t('cli_error'))}[/] "
        + escape(t("ai_invalid_answers", path=exc.path, n=len(exc.problems)))
    )
    for problem in exc.problems:
        err.print(
            f"  - {problem.pointer or '/'}: {t(problem.code, **problem.params)}", markup=False
        )
    raise typer.Exit(2)


def _print_aia(t: Messages, result: AiaScore) -> None:
    table = Table(title=t("ai_aia_title"), show_header=False)
    table.add_row(t("ai_raw_score"), t.number(result.raw_score, 0))
    table.add_row(t("ai_mitigation_score"), t.number(result.mitigation_score, 0))
    table.add_row(t("ai_total"), t.number(result.total, 0))
    table.add_row(t("ai_level"), str(result.level))
    table.add_row(t("ai_max_raw"), t.number(result.max_raw_score, 0))
    table.add_row(t("ai_threshold"), t.number(result.mitigation_threshold, 1))
    console.print(table)
    console.print(t("ai_deduction_yes" if result.deduction_applied else "ai_deduction_no"))


@aia_app.command("score")
def aia_score(
    answers: Annotated[
        Path, typer.Argument(help="Saved answers (JSON). / Réponses enregistrées (JSON).")
    ],
    questionnaire: Annotated[
        str,
        typer.Option("--questionnaire", "-q", help="canada-aia. / Questionnaire à noter."),
    ] = "canada-aia",
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json. / Format de sortie.")
    ] = OutputFormat.text,
    lang: LangOption = None,
) -> None:
    """Score an answers file. / Noter un fichier de réponses."""
    t = Messages(resolve_lang(lang))
    if questionnaire not in QUESTIONNAIRES:
        err.print(
            t("ai_unknown_questionnaire", name=questionnaire, choices=", ".join(QUESTIONNAIRES))
        )
        raise typer.Exit(2)
    try:
        result, unknown = score_answers_file(str(answers))
    except AnswersError as exc:
        report_answers_error(t, exc)
    if unknown:
        shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        err.print(t("ai_unknown_names", n=len(unknown), names=shown), markup=False)
    if output is OutputFormat.json:
        typer.echo(json.dumps(result.summary()))
    else:
        _print_aia(t, result)
