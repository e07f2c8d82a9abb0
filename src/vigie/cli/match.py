"""`vigie match`: match a CSV column of names to companies and groups of the knowledge base."""

from __future__ import annotations

import csv
import gc
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from vigie.cli.app import LangOption, app, console, err, fail, resolve_lang
from vigie.kb import load_knowledge_base
from vigie.present import Messages
from vigie.resolve import Matcher
from vigie.resolve.files import FORMATS, ColumnError, MatchFileOptions, MatchFileStats, match_file


@app.command("match")
def match_command(
    source: Annotated[
        Path, typer.Argument(help="CSV file with a header row. / Fichier CSV avec en-tête.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output file. / Fichier de sortie.")
    ],
    name_column: Annotated[
        str, typer.Option("--name-column", help="Column of names. / Colonne des noms.")
    ],
    country_column: Annotated[
        str | None,
        typer.Option("--country-column", help="Column of countries. / Colonne des pays."),
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column",
            help="Column of identifiers (SIRET, SIREN, VAT, LEI). / Colonne des identifiants.",
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="csv or jsonl. / csv ou jsonl.")
    ] = "csv",
    lang: LangOption = None,
) -> None:
    """Match names to companies and groups, one output row per input row. / Rapprocher des
    noms des sociétés et groupes, une ligne de sortie par ligne d'entrée."""
    t = Messages(resolve_lang(lang))
    if output_format not in FORMATS:
        fail(t, t("match_bad_format", value=output_format))
    options = MatchFileOptions(name_column, country_column, id_column, output_format)
    stats = _run(source, output, options, t)
    console.print(
        t("match_done", rows=stats.rows, distinct=stats.distinct, matched=stats.matched,
          path=output)
    )  # fmt: skip


def _run(source: Path, output: Path, options: MatchFileOptions, t: Messages) -> MatchFileStats:
    matcher = Matcher(load_knowledge_base())
    # The knowledge base and index live until the end of this command: keep their objects
    # out of the garbage collector's scans (a large speed-up on big files), then give back.
    gc.freeze()
    try:
        return _match_with_progress(source, output, matcher, options, t)
    finally:
        gc.unfreeze()


def _match_with_progress(
    source: Path, output: Path, matcher: Matcher, options: MatchFileOptions, t: Messages
) -> MatchFileStats:
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=err, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task(t("match_reading"), total=None)

        def hook(rows: int) -> None:
            progress.update(task, description=f"{t('match_reading')} {t.number(rows)}")

        try:
            return match_file(source, output, matcher, options, hook)
        except ColumnError as exc:
            if exc.column is None:
                fail(t, t("match_empty_input", path=source))
            fail(t, t("match_no_column", column=exc.column, path=source,
                      columns=", ".join(exc.columns)))  # fmt: skip
        except (OSError, UnicodeError, ValueError, csv.Error) as exc:
            fail(t, t("cli_io_error", error=exc))
