"""`vigie screen` and `vigie demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from vigie.cli.app import LangOption, WorkspaceOption, app, console, err, fail, resolve_lang
from vigie.demo import demo_files
from vigie.pipeline import InputPathError, ScreenOptions, ScreenResult, screen
from vigie.present import Messages
from vigie.sources.registry import UnknownFormatError
from vigie.store import DEFAULT_WORKSPACE, Workspace, WorkspaceVersionError


def _run_screen(
    inputs: list[Path], outdir: Path, workspace: Path, options: ScreenOptions
) -> ScreenResult:
    t = Messages(options.lang)
    try:
        ws = Workspace.open(workspace)
    except (duckdb.Error, WorkspaceVersionError) as exc:
        fail(t, t("cli_workspace_locked", path=workspace, error=exc))
    with (
        ws,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
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
            result = screen(inputs, outdir, ws, options, progress=hook)
        except UnknownFormatError as exc:
            fail(t, t("ingest_unknown_format_option", name=exc.name, known=", ".join(exc.known)))
        except InputPathError as exc:
            fail(t, t("cli_" + exc.code, path=exc.path))
        except OSError as exc:
            fail(t, t("cli_io_error", error=exc))
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
            help="Procurement files (OCDS JSON or JSON lines, DECP v1 JSON), zips of them, "
            "or directories. / Fichiers de marchés (OCDS, DECP), zip ou dossiers."
        ),
    ],
    outdir: Annotated[
        Path, typer.Option("--output", "-o", help="Output directory. / Dossier de sortie.")
    ],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: LangOption = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Read every input with this reader (ocds, decp-v1-json...) instead of "
            "detecting it. / Lire chaque entrée avec ce lecteur au lieu de le détecter.",
        ),
    ] = None,
) -> None:
    """Screen procurement files against the knowledge base. / Cribler des fichiers de marchés."""
    options = ScreenOptions(lang=resolve_lang(lang), input_format=input_format)
    _run_screen(files, outdir, workspace, options)


@app.command("demo")
def demo_command(
    outdir: Annotated[
        Path, typer.Option("--output", "-o", help="Output directory. / Dossier de sortie.")
    ] = Path("vigie-demo"),
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: LangOption = None,
) -> None:
    """Screen the bundled French DECP 2019 sample. / Cribler l'échantillon DECP 2019 fourni."""
    _run_screen(demo_files(), outdir, workspace, ScreenOptions(lang=resolve_lang(lang)))
