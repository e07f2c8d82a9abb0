"""The CLI application object, shared options and helpers used by every command module."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from vigie import __version__
from vigie.present import LANGUAGES, Messages

app = typer.Typer(
    help="vigie: human-rights due diligence for public technology procurement. / "
    "Diligence raisonnable en matière de droits humains pour les achats publics de technologies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(
    help="Knowledge base: check and describe it. / Base de connaissances : vérifier et décrire.",
    no_args_is_help=True,
)
app.add_typer(kb_app, name="kb")
console = Console()
err = Console(stderr=True)

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of the report and messages: fr or en (default: from VIGIE_LANG or LANG). "
        "/ Langue du rapport et des messages.",
    ),
]
WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        envvar="VIGIE_WORKSPACE",
        help="DuckDB workspace file. / Fichier DuckDB de l'espace de travail.",
    ),
]


def resolve_lang(lang: str | None) -> str:
    """The language to use: the option, else VIGIE_LANG, else LANG/LC_ALL, else English."""
    candidate = lang or os.environ.get("VIGIE_LANG") or ""
    if not candidate:
        env = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
        candidate = "fr" if env.lower().startswith("fr") else "en"
    candidate = candidate.lower()[:2]
    if candidate not in LANGUAGES:
        raise typer.BadParameter(
            f"{lang!r}: choose fr or en / choisir fr ou en", param_hint="--lang"
        )
    return candidate


def _version(value: bool) -> None:
    if value:
        console.print(f"vigie {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool | None,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version. / Afficher la version.",
        ),
    ] = None,
) -> None:
    """vigie: human-rights due diligence for public technology procurement and public-sector AI."""


def fail(t: Messages, message: str) -> NoReturn:
    """Print an error in the user's language and exit with status 2 (bad input or environment)."""
    err.print(f"[red]{escape(t('cli_error'))}[/] {escape(message)}")
    raise typer.Exit(2)
