"""`vigie screen` and `vigie demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vigie.cli.app import LangOption, WorkspaceOption, app, console, err, fail, resolve_lang
from vigie.demo import demo_files
from vigie.pipeline import InputPathError, ScreenOptions, ScreenResult, screen
from vigie.present import Messages
from vigie.store import DEFAULT_WORKSPACE, Workspace, WorkspaceVersionError


def _run_screen(inputs: list[Path], outdir: Path, workspace: Path, lang: str) -> ScreenResult:
    t = Messages(lang)
    try:
        ws = Workspace.open(workspace)
    except (duckdb.Error, WorkspaceVersionError) as exc:
        fail(t, t("cli_workspace_locked", path=workspace, error=exc))
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
