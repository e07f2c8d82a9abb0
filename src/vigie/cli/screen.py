"""`vigie screen` and `vigie demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vigie.assess.policy import PolicyError, load_policy
from vigie.cli.app import LangOption, WorkspaceOption, app, console, err, fail, resolve_lang
from vigie.demo import demo_files
from vigie.pipeline import DEFAULT_POLICY, InputPathError, ScreenOptions, ScreenResult, screen
from vigie.present import Messages
from vigie.present.pdf import PdfUnavailable, html_to_pdf
from vigie.store import DEFAULT_WORKSPACE, Workspace, WorkspaceVersionError

PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        "-p",
        help="Procurement policy: a YAML file or a shipped policy (ungp-baseline, "
        "seed-ethical-procurement); default ungp-baseline. / Politique d'achat : fichier YAML "
        "ou politique fournie.",
    ),
]


PdfOption = Annotated[
    bool,
    typer.Option(
        "--pdf",
        help="Also print report.pdf with headless Chromium when it is installed. "
        "/ Produire aussi report.pdf avec Chromium sans interface s'il est installé.",
    ),
]


def _print_pdf(result: ScreenResult, t: Messages) -> None:
    pdf = result.report_path.with_suffix(".pdf")
    try:
        html_to_pdf(result.report_path, pdf)
    except PdfUnavailable as exc:
        err.print(f"[yellow]{escape(t('cli_pdf_unavailable', error=exc))}[/]")
        return
    console.print(t("cli_pdf_written", path=pdf))


def _run_screen(
    inputs: list[Path], outdir: Path, workspace: Path, lang: str, policy_name: str | None
) -> ScreenResult:
    t = Messages(lang)
    try:
        policy = load_policy(policy_name or DEFAULT_POLICY)
    except PolicyError as exc:
        err.print(f"[red]{escape(t('cli_policy_invalid', path=exc.path))}[/]")
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False)
        raise typer.Exit(2) from None
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
            result = screen(
                inputs, outdir, ws, ScreenOptions(lang=lang, policy=policy), progress=hook
            )
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
    decided = ", ".join(f"{t('decision_' + k)} {n}" for k, n in s["decisions"].items())
    console.print(t("cli_decisions", policy=s["policy"]["id"], counts=decided))
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
    policy: PolicyOption = None,
    pdf: PdfOption = False,
) -> None:
    """Screen procurement files against the knowledge base. / Cribler des fichiers de marchés."""
    result = _run_screen(files, outdir, workspace, resolve_lang(lang), policy)
    if pdf:
        _print_pdf(result, Messages(resolve_lang(lang)))


@app.command("demo")
def demo_command(
    outdir: Annotated[
        Path, typer.Option("--output", "-o", help="Output directory. / Dossier de sortie.")
    ] = Path("vigie-demo"),
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: LangOption = None,
    policy: PolicyOption = None,
    pdf: PdfOption = False,
) -> None:
    """Screen the bundled French DECP 2019 sample. / Cribler l'échantillon DECP 2019 fourni."""
    result = _run_screen(demo_files(), outdir, workspace, resolve_lang(lang), policy)
    if pdf:
        _print_pdf(result, Messages(resolve_lang(lang)))
