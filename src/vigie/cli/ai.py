"""`vigie aia ...`, `vigie bias` and `vigie footprint`: assessing an AI system."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from vigie.ai.answers import AnswersError
from vigie.ai.assessment import FILLABLE, assess_file, fill_to_file, render_file
from vigie.ai.bias import RATES
from vigie.ai.bias_ci import BootstrapSettings
from vigie.ai.bias_data import BiasColumns, BiasInputError
from vigie.ai.bias_report import render_bias_html, run_bias_audit
from vigie.ai.canada_aia import AiaScore, score_answers_file
from vigie.ai.canada_aia_report import aia_record
from vigie.ai.footprint import FootprintError, compute_footprint, load_system
from vigie.ai.footprint_report import render_footprint_markdown
from vigie.ai.questionnaire_fill import Asker
from vigie.ai.questionnaire_model import QUESTIONNAIRES as OWN_QUESTIONNAIRES
from vigie.cli.app import LangOption, app, console, err, fail, resolve_lang
from vigie.present import Messages

aia_app = typer.Typer(
    help="Impact assessment questionnaires for AI systems. / "
    "Questionnaires d'évaluation d'incidence des systèmes d'IA.",
    no_args_is_help=True,
)
app.add_typer(aia_app, name="aia")

QUESTIONNAIRES = ("canada-aia", *OWN_QUESTIONNAIRES)
QuestionnaireOption = Annotated[
    str,
    typer.Option("--questionnaire", "-q", help="canada-aia or vigie-rights. / Questionnaire."),
]


class OutputFormat(StrEnum):
    """How a command prints its result."""

    text = "text"
    json = "json"


class ReportFormat(StrEnum):
    """How `vigie bias` prints its audit."""

    text = "text"
    json = "json"
    html = "html"


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


def _check_questionnaire(t: Messages, name: str, allowed: tuple[str, ...]) -> None:
    if name not in allowed:
        err.print(t("ai_unknown_questionnaire", name=name, choices=", ".join(allowed)))
        raise typer.Exit(2)


def _print_assessment(t: Messages, document: dict[str, Any]) -> None:
    console.print(f"[bold]{escape(document['title'])}[/bold]")
    console.print(t("ai_q_status_label") + " " + t("ai_q_status_" + document["status"]))
    if document["stop"]:
        console.print(f"[red]{escape(document['stop']['message'])}[/red]")
    for item in document["classifications"].values():
        console.print(t("ai_label_value", label=item["title"], value=item["label"]), markup=False)
    for gap in document["gaps"]:
        console.print(f"- {gap['message']}", markup=False)
    for missing in document["missing"]:
        console.print(f"? {missing['question']} ({missing['id']})", markup=False)


@aia_app.command("score")
def aia_score(
    answers: Annotated[
        Path, typer.Argument(help="Saved answers (JSON or YAML). / Réponses enregistrées.")
    ],
    questionnaire: QuestionnaireOption = "canada-aia",
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json. / Format de sortie.")
    ] = OutputFormat.text,
    lang: LangOption = None,
) -> None:
    """Score or evaluate an answers file. / Noter ou évaluer un fichier de réponses."""
    t = Messages(resolve_lang(lang))
    _check_questionnaire(t, questionnaire, QUESTIONNAIRES)
    try:
        if questionnaire != "canada-aia":
            document = assess_file(questionnaire, str(answers), t)
        else:
            result, unknown, hidden = score_answers_file(str(answers))
    except AnswersError as exc:
        report_answers_error(t, exc)
    if questionnaire != "canada-aia":
        if output is OutputFormat.json:
            typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            _print_assessment(t, document)
        return
    if unknown:
        shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        err.print(t("ai_unknown_names", n=len(unknown), names=shown), markup=False)
    if hidden:
        err.print(t("ai_aia_hidden", names=", ".join(hidden)), markup=False)
    if output is OutputFormat.json:
        typer.echo(json.dumps(result.summary()))
    else:
        _print_aia(t, result)


class DocumentFormat(StrEnum):
    """Formats of a written assessment."""

    md = "md"
    html = "html"


@aia_app.command("report")
def aia_report(
    answers: Annotated[Path, typer.Argument(help="Answers (YAML or JSON). / Réponses.")],
    questionnaire: QuestionnaireOption = "vigie-rights",
    output: Annotated[
        DocumentFormat, typer.Option("--format", help="md or html. / Format.")
    ] = DocumentFormat.md,
    lang: LangOption = None,
) -> None:
    """Write the assessment record. / Rédiger le compte rendu de l'évaluation."""
    t = Messages(resolve_lang(lang))
    _check_questionnaire(t, questionnaire, QUESTIONNAIRES)
    try:
        if questionnaire == "canada-aia":
            typer.echo(aia_record(str(answers), t, output.value))
        else:
            typer.echo(render_file(questionnaire, str(answers), t, output.value))
    except AnswersError as exc:
        report_answers_error(t, exc)


@aia_app.command("fill")
def aia_fill(
    out: Annotated[Path, typer.Option("--output", "-o", help="Answers file to write (YAML).")],
    questionnaire: QuestionnaireOption = "vigie-rights",
    lang: LangOption = None,
) -> None:
    """Answer a questionnaire in the terminal. / Répondre dans le terminal."""
    t = Messages(resolve_lang(lang))
    _check_questionnaire(t, questionnaire, FILLABLE)
    try:
        fill_to_file(questionnaire, Asker(console, t), out)
    except (EOFError, KeyboardInterrupt):
        fail(t, t("ai_q_fill_aborted"))
    except OSError as exc:
        fail(t, t("ai_problem_unreadable", error=exc.strerror or str(exc)))
    console.print(t("ai_q_fill_saved", path=str(out)), markup=False)


def _print_bias(t: Messages, document: dict[str, Any]) -> None:
    source = document["input"]
    console.print(
        t(
            "ai_bias_summary",
            loaded=t.number(source["rows_loaded"]),
            read=t.number(source["rows_read"]),
            rejected=t.number(source["rows_rejected"]),
            groups=len(document["groups"]),
        )
    )
    table = Table(title=t("ai_bias_title"))
    table.add_column(t("ai_bias_group"))
    table.add_column(t("ai_bias_count"), justify="right")
    for rate in RATES:
        table.add_column(t(f"ai_bias_short_{rate}"), justify="right")
    table.add_column("4/5", justify="right")
    for name, group in document["groups"].items():
        flag = " ⚑" if group["four_fifths_flag"] else ""
        table.add_row(
            escape(name),
            t.number(group["count"]),
            *(t.number(group[r], 3) for r in RATES),
            t.number(group["four_fifths_ratio"], 2) + flag,
        )
    console.print(table)
    console.print(t("ai_bias_short_legend"), markup=False)
    for key, value in document["disparities"].items():
        if isinstance(value, float):
            line = t("ai_label_value", label=t("ai_bias_" + key), value=t.number(value, 4))
            console.print(line, markup=False)


@app.command("bias")
def bias(
    data: Annotated[Path, typer.Argument(help="Decisions (CSV). / Décisions (CSV).")],
    group: Annotated[str, typer.Option("--group", help="Group column. / Colonne des groupes.")],
    label: Annotated[str, typer.Option("--label", help="True outcome column. / Résultat réel.")],
    label_positive: Annotated[
        str, typer.Option("--label-positive", help="Positive label value. / Valeur positive.")
    ],
    prediction: Annotated[
        str, typer.Option("--prediction", help="Decision column. / Colonne de la décision.")
    ],
    predicted_positive: Annotated[
        str,
        typer.Option(
            "--predicted-positive",
            help="Decision values counted as positive, comma-separated. / Valeurs positives.",
        ),
    ],
    reference: Annotated[
        str | None,
        typer.Option("--reference", help="Reference group (default: largest). / Référence."),
    ] = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text, json or html. / Format.")
    ] = ReportFormat.text,
    replicates: Annotated[
        int, typer.Option("--bootstrap", min=0, max=100_000, help="Bootstrap replicates.")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed. / Graine.")] = 0,
    delimiter: Annotated[str, typer.Option("--delimiter", help="CSV delimiter.")] = ",",
    lang: LangOption = None,
) -> None:
    """Audit decisions for disparities between groups. / Auditer les décisions par groupe."""
    t = Messages(resolve_lang(lang))
    columns = BiasColumns(
        group=group,
        label=label,
        label_positive=label_positive,
        prediction=prediction,
        predicted_positive=tuple(v for v in predicted_positive.split(",") if v.strip()),
        delimiter=delimiter,
    )
    settings = BootstrapSettings(replicates=replicates, seed=seed)
    try:
        document = run_bias_audit(data, columns, reference, settings)
    except BiasInputError as exc:
        fail(t, t(exc.code, **exc.params))
    for warning in document["warnings"]:
        err.print(t(warning, label=label, prediction=prediction), markup=False)
    if output is ReportFormat.json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    elif output is ReportFormat.html:
        typer.echo(render_bias_html(document, t))
    else:
        _print_bias(t, document)


class FootprintFormat(StrEnum):
    """How `vigie footprint` prints its result."""

    md = "md"
    json = "json"


@app.command("footprint")
def footprint(
    system: Annotated[
        Path, typer.Argument(help="System description (YAML). / Description du système.")
    ],
    output: Annotated[
        FootprintFormat, typer.Option("--format", help="md or json. / Format de sortie.")
    ] = FootprintFormat.md,
    lang: LangOption = None,
) -> None:
    """Energy, emissions and water of an AI system. / Empreinte d'un système d'IA."""
    t = Messages(resolve_lang(lang))
    try:
        document = compute_footprint(load_system(str(system)))
    except AnswersError as exc:
        report_answers_error(t, exc)
    except FootprintError as exc:
        fail(t, t(exc.code, **exc.params))
    if output is FootprintFormat.json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_footprint_markdown(document, t))
