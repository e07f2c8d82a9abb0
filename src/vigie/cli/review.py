"""`vigie review`: list matches waiting for review and record judgements.

Interactive by default (one prompt per pending match); ``--list`` only lists; ``--confirm ID``
and ``--reject ID`` record judgements without prompting (for scripts and tests).
"""

from __future__ import annotations

import os
from typing import Annotated

import duckdb
import typer
from rich.markup import escape
from rich.table import Table

from vigie.cli.app import LangOption, WorkspaceOption, app, console, fail, resolve_lang
from vigie.present import Messages
from vigie.sources.records import path_label
from vigie.store import DEFAULT_WORKSPACE, Workspace, WorkspacePathError, WorkspaceVersionError
from vigie.store.review import Candidate, ReviewStore, UnknownPairError

_ANSWERS = {"c": "confirmed", "r": "rejected"}


@app.command("review")
def review_command(
    list_only: Annotated[
        bool, typer.Option("--list", help="List pending matches only. / Lister seulement.")
    ] = False,
    confirm: Annotated[
        list[str] | None,
        typer.Option("--confirm", help="Confirm a match by id. / Confirmer par id."),
    ] = None,
    reject: Annotated[
        list[str] | None,
        typer.Option("--reject", help="Reject a match by id. / Rejeter par id."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", envvar="VIGIE_REVIEWER", help="Reviewer's name. / Nom du relecteur."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why. / Pourquoi.")] = "",
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: LangOption = None,
) -> None:
    """Review matches: confirmed pairs are certain, rejected ones never come back. / Relire
    les rapprochements : confirmés, ils sont certains ; rejetés, ils ne reviennent plus."""
    t = Messages(resolve_lang(lang))
    try:
        ws = Workspace.open(workspace)
    except (duckdb.Error, WorkspaceVersionError, WorkspacePathError) as exc:
        fail(t, t("cli_workspace_locked", path=path_label(workspace), error=exc))
    with ws:
        store = ReviewStore(ws.con)
        decisions = [(p, "confirmed") for p in confirm or []]
        decisions += [(p, "rejected") for p in reject or []]
        if decisions:
            reviewer = _reviewer(by, t)
            for pair, status in decisions:
                _judge(store, pair, status, reviewer, note, t)
        elif list_only:
            _list(store.candidates(), t)
        else:
            _interactive(store, by, t)


def _reviewer(by: str | None, t: Messages) -> str:
    reviewer = (by or os.environ.get("USER") or "").strip()
    if not reviewer:
        fail(t, t("review_need_reviewer"))
    return reviewer


def _judge(
    store: ReviewStore, pair: str, status: str, reviewer: str, note: str, t: Messages
) -> None:
    try:
        judgement = store.judge(pair, status, reviewer, note)
        candidate = store.candidate(pair)
    except UnknownPairError:
        fail(t, t("review_unknown_id", pair=pair))
    console.print(
        t("review_recorded", status=t(f"review_status_{judgement.status}"),
          subject=candidate.subject_text, company=candidate.company_name, reviewer=reviewer),
        markup=False,
    )  # fmt: skip


def _list(pending: list[Candidate], t: Messages) -> None:
    if not pending:
        console.print(t("review_none_pending"))
        return
    console.print(t("review_pending_count", n=len(pending)))
    table = Table()
    for key in ("id", "kind", "subject", "company", "score", "records"):
        table.add_column(t(f"review_col_{key}"))
    for c in pending:
        table.add_row(
            c.pair_id, c.kind, escape(c.subject_text[:80]),
            escape(f"{c.company_name} ({c.group_name})"), t.number(c.score, 4), str(c.records),
        )  # fmt: skip
    console.print(table)


def _interactive(store: ReviewStore, by: str | None, t: Messages) -> None:
    pending = store.candidates()
    _list(pending, t)
    if not pending:
        return
    reviewer = _reviewer(by, t)
    for c in pending:
        console.print(f"\n[bold]{c.pair_id}[/] {escape(c.subject_text[:200])}")
        console.print(
            f"  -> {escape(c.company_name)} ({escape(c.group_name)}) {t.number(c.score, 4)}"
        )
        console.print(f"  {t('review_explanation')} {escape(c.explanation)}")
        console.print(f"  {t('review_example')} {escape(c.example)}")
        answer = typer.prompt(t("review_prompt"), default="s").strip().lower()[:1]
        if answer == "q":
            break
        if answer in _ANSWERS:
            text = typer.prompt(t("review_note_prompt"), default="", show_default=False)
            _judge(store, c.pair_id, _ANSWERS[answer], reviewer, text, t)
