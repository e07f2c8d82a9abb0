"""`vigie screen` and `vigie demo`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from vigie.assess.policy import Policy, PolicyError, load_policy
from vigie.cli.app import LangOption, WorkspaceOption, app, console, err, fail, resolve_lang
from vigie.demo import demo_files
from vigie.ingest_parts import PartFailedError, default_workers
from vigie.pipeline import DEFAULT_POLICY, InputPathError, ScreenOptions, ScreenResult, screen
from vigie.present import Messages
from vigie.present.pdf import PdfUnavailable, html_to_pdf
from vigie.sources.files import sha256_file
from vigie.sources.records import path_label
from vigie.sources.registry import ReaderSpec, UnknownFormatError, configured_readers
from vigie.sources.sirene import SireneError, load_sirene
from vigie.sources.tabular_mapping import MappingError, load_mapping
from vigie.store import DEFAULT_WORKSPACE, Workspace, WorkspacePathError, WorkspaceVersionError

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


def choose_policy(name: str | None, t: Messages) -> Policy:
    """The policy to apply; an invalid one lists every problem and exits with status 2."""
    try:
        return load_policy(name or DEFAULT_POLICY)
    except PolicyError as exc:
        err.print(f"[red]{escape(t('cli_policy_invalid', path=exc.path))}[/]")
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False)
        raise typer.Exit(2) from None


WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Processes reading one large (256 MiB or more) OCDS JSON-lines file at once "
        "(default: the cores available, at most 8; 1 reads in this process). / Processus "
        "lisant ensemble un grand fichier OCDS en lignes JSON (256 Mio ou plus ; par défaut : "
        "les cœurs disponibles, 8 au plus).",
    ),
]
MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        help="Column mapping (YAML) to read CSV and XLSX files; see docs/inputs-spreadsheets.md. "
        "/ Correspondance des colonnes pour lire les fichiers CSV et XLSX.",
    ),
]
SireneOption = Annotated[
    Path | None,
    typer.Option(
        "--sirene",
        help="SIRENE StockUniteLegale extract (CSV or Parquet) naming the parties of DECP 2.0 "
        "files. / Extrait SIRENE pour nommer les parties des fichiers DECP 2.0.",
    ),
]


@contextmanager
def _readers(
    mapping: Path | None, sirene: Path | None, t: Messages
) -> Iterator[tuple[ReaderSpec, ...]]:
    """The readers to use; a bad mapping or SIRENE extract is an error with exit status 2."""
    columns = None
    if mapping is not None:
        try:
            columns = (load_mapping(mapping), sha256_file(mapping))
        except MappingError as exc:
            fail(t, t("cli_mapping_invalid", path=mapping, error="; ".join(exc.problems)))
    if sirene is None:
        yield configured_readers(columns)
        return
    try:
        names = load_sirene(sirene)
    except SireneError as exc:
        fail(t, t("cli_sirene_invalid", error=exc))
    with names:
        yield configured_readers(columns, (names, sha256_file(sirene)))


def print_pdf(result: ScreenResult, t: Messages) -> None:
    pdf = result.report_path.with_suffix(".pdf")
    try:
        html_to_pdf(result.report_path, pdf)
    except PdfUnavailable as exc:
        err.print(f"[yellow]{escape(t('cli_pdf_unavailable', error=exc))}[/]")
        return
    console.print(t("cli_pdf_written", path=pdf))


def _run_screen(
    inputs: list[Path], outdir: Path, workspace: Path, options: ScreenOptions
) -> ScreenResult:
    t = Messages(options.lang)
    ws = open_workspace(workspace, t)
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
        except (OSError, PartFailedError) as exc:
            fail(t, t("cli_io_error", error=exc))
    print_outcome(result, t)
    return result


def open_workspace(path: Path, t: Messages) -> Workspace:
    """Open the workspace; a locked or too-new one is an error with exit status 2."""
    try:
        return Workspace.open(path)
    except (duckdb.Error, WorkspaceVersionError, WorkspacePathError) as exc:
        fail(t, t("cli_workspace_locked", path=path_label(path), error=exc))


def print_outcome(result: ScreenResult, t: Messages) -> None:
    """Counts, decisions and where the outputs are."""
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
    console.print(t("cli_outputs", outdir=result.outdir))
    console.print(t("cli_report", path=result.report_path.resolve().as_uri()))


@app.command("screen")
def screen_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Procurement files (OCDS JSON or JSON lines, DECP JSON, TED XML, eForms), zips "
            "of them, or directories. / Fichiers de marchés (OCDS, DECP, TED), zip ou dossiers."
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
    policy: PolicyOption = None,
    pdf: PdfOption = False,
    mapping: MappingOption = None,
    sirene: SireneOption = None,
    workers: WorkersOption = None,
) -> None:
    """Screen procurement files against the knowledge base. / Cribler des fichiers de marchés."""
    t = Messages(resolve_lang(lang))
    chosen = choose_policy(policy, t)
    with _readers(mapping, sirene, t) as readers:
        options = ScreenOptions(
            lang=t.lang,
            input_format=input_format,
            policy=chosen,
            readers=readers,
            workers=workers or default_workers(),
        )
        result = _run_screen(files, outdir, workspace, options)
    if pdf:
        print_pdf(result, t)


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
    t = Messages(resolve_lang(lang))
    options = ScreenOptions(lang=t.lang, policy=choose_policy(policy, t))
    result = _run_screen(demo_files(), outdir, workspace, options)
    if pdf:
        print_pdf(result, t)
