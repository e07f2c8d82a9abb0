"""The ``vigie`` command line: thin wrappers over library functions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, NoReturn

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vigie import __version__
from vigie.demo import demo_files
from vigie.kb import KnowledgeBaseError, load_knowledge_base
from vigie.pipeline import InputPathError, ScreenOptions, ScreenResult, screen
from vigie.present import LANGUAGES, Messages
from vigie.store import DEFAULT_WORKSPACE, Workspace, WorkspaceVersionError

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


def _fail(t: Messages, message: str) -> NoReturn:
    """Print an error in the user's language and exit with status 2 (bad input or environment)."""
    err.print(f"[red]{escape(t('cli_error'))}[/] {escape(message)}")
    raise typer.Exit(2)


def _run_screen(inputs: list[Path], outdir: Path, workspace: Path, lang: str) -> ScreenResult:
    t = Messages(lang)
    try:
        ws = Workspace.open(workspace)
    except (duckdb.Error, WorkspaceVersionError) as exc:
        _fail(t, t("cli_workspace_locked", path=workspace, error=exc))
    with (
        ws,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task(t("cli_reading"), total=None)

        def hook(done: int, total: int, path: str) -> None:
            progress.update(
                task,
                completed=done,
                total=total,
                description=f"{t('cli_reading')} {Path(path).name}",
            )

        try:
            result = screen(inputs, outdir, ws, ScreenOptions(lang=lang), progress=hook)
        except InputPathError as exc:
            _fail(t, t("cli_" + exc.code, path=exc.path))
        except OSError as exc:
            _fail(t, t("cli_io_error", error=exc))
    s = result.summary
    console.print(
        t(
            "cli_screen_done",
            files=len(s["inputs"]),
            read=s["records_read"],
            loaded=s["records_loaded"],
            rejected=s["records_rejected"],
            findings=s["findings"],
            groups=len(s["by_group"]),
        )
    )
    console.print(t("cli_outputs", outdir=outdir))
    console.print(t("cli_report", path=result.report_path.resolve().as_uri()))
    return result


@app.command("screen")
def screen_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="DECP v1 JSON files, zips of them, or directories. "
            "/ Fichiers DECP v1 JSON, zip ou dossiers."
        ),
    ],
    outdir: Annotated[
        Path, typer.Option("--output", "-o", help="Output directory. / Dossier de sortie.")
    ],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: LangOption = None,
) -> None:
    """Screen procurement files against the knowledge base. / Cribler des fichiers de marchés."""
    _run_screen(files, outdir, workspace, resolve_lang(lang))


@app.command("demo")
def demo_command(
    outdir: Annotated[
        Path, typer.Option("--output", "-o", help="Output directory. / Dossier de sortie.")
    ] = Path("vigie-demo"),
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: LangOption = None,
) -> None:
    """Screen the bundled French DECP 2019 sample. / Cribler l'échantillon DECP 2019 fourni."""
    _run_screen(demo_files(), outdir, workspace, resolve_lang(lang))


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


def main() -> None:
    """Console-script entry point."""
    app()
