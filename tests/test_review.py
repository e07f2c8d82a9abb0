"""Review: judgements stored in the workspace and applied by later screening runs."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigie.cli import app
from vigie.kb import KnowledgeBase
from vigie.pipeline import ScreenOptions, screen
from vigie.resolve import Matcher
from vigie.resolve.review import (
    MENTION,
    SUPPLIER,
    apply_judgement,
    confirmed_elsewhere,
    mention_subject,
    supplier_subject,
)
from vigie.store import Workspace
from vigie.store.migrations import available_migrations
from vigie.store.review import Candidate, Judgement, ReviewStore, UnknownPairError, pair_id

EXCERPT = Path(__file__).parent / "fixtures" / "decp-2019" / "excerpt.json"


def _input(tmp_path: Path) -> Path:
    """Two real records (ORACLE FRANCE, a Microsoft licence bought from a reseller), built
    from the excerpt's record /marches/13 with the title and supplier of a demo record."""
    data = json.loads(EXCERPT.read_text(encoding="utf-8"))
    oracle = data["marches"][13]
    licence = copy.deepcopy(oracle)
    licence["id"], licence["uid"] = "2019B00001", "uid-2019B00001"
    licence["objet"] = "Acquisition de licences Microsoft"
    licence["titulaires"] = [
        {"typeIdentifiant": "SIRET", "id": "00000000000000", "denominationSociale": "RESELLER"}
    ]
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"marches": [oracle, licence]}), encoding="utf-8")
    return path


def _findings(outdir: Path) -> list[tuple[str, str, str, str]]:
    with (outdir / "findings.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted((r["match_kind"], r["matched_text"], r["company_id"], r["score"]) for r in rows)


def test_migration_0003_is_shipped() -> None:
    assert (3, "reviews") in [(m.version, m.name) for m in available_migrations()]


def test_store_round_trip(workspace: Workspace) -> None:
    store = ReviewStore(workspace.con)
    c = Candidate(
        "supplier", "oracle france", "ORACLE FRANCE", "oracle-france", "Oracle France",
        "oracle", "Oracle Corporation", 1.0, "exact", "why", 3, "f.json /marches/13",
    )  # fmt: skip
    store.record_candidates("run1", [c])
    store.record_candidates("run2", [c])  # refreshed, not duplicated
    assert store.candidates() == [c]
    assert c.pair_id == pair_id("supplier", "oracle france", "oracle-france")
    judgement = store.judge(c.pair_id, "rejected", " alice ", "not this one")
    assert (judgement.status, judgement.reviewer, judgement.note) == (
        "rejected",
        "alice",
        "not this one",
    )
    assert store.candidates() == []
    assert store.candidates(pending_only=False) == [c]
    store.judge(c.pair_id, "confirmed", "bob")
    latest = store.judgements()[("supplier", "oracle france", "oracle-france")]
    assert (latest.status, latest.reviewer) == ("confirmed", "bob")
    assert [j.status for j in store.history()] == ["rejected", "confirmed"]
    with pytest.raises(UnknownPairError):
        store.judge("nope", "confirmed", "bob")
    with pytest.raises(ValueError, match="status"):
        store.judge(c.pair_id, "maybe", "bob")
    with pytest.raises(ValueError, match="reviewer"):
        store.judge(c.pair_id, "confirmed", "  ")


def test_apply_judgement(kb: KnowledgeBase) -> None:
    matcher = Matcher(kb)
    match = matcher.match_one("Groupe Oracle")
    assert match is not None
    rejected = Judgement("supplier", "groupe oracle", "oracle", "rejected", "a", "2026-01-02")
    confirmed = Judgement(
        "supplier", "groupe oracle", "oracle", "confirmed", "a", "2026-01-02", "ok"
    )
    assert apply_judgement(match, None) is match
    assert apply_judgement(match, rejected) is None
    sure = apply_judgement(match, confirmed)
    assert sure is not None
    assert (sure.score, sure.rule, sure.company_id) == (1.0, "review", "oracle")
    assert sure.explanation.startswith("confirmed by a on 2026-01-02: ok; alias ")


def test_confirmed_elsewhere_gives_a_match_the_matcher_does_not(kb: KnowledgeBase) -> None:
    judgements = {
        ("supplier", "ugap", "microsoft-france"): Judgement(
            "supplier", "ugap", "microsoft-france", "confirmed", "a", "2026-01-02"
        ),
        ("supplier", "ugap", "oracle"): Judgement(
            "supplier", "ugap", "oracle", "rejected", "a", "2026-01-02"
        ),
    }
    found = confirmed_elsewhere(kb, SUPPLIER, "ugap", "UGAP", judgements)
    assert [(m.company_id, m.group_id, m.score, m.rule) for m in found] == [
        ("microsoft-france", "microsoft", 1.0, "review")
    ]
    assert confirmed_elsewhere(kb, MENTION, "ugap", "UGAP", judgements) == []


def test_subjects_are_normalised(kb: KnowledgeBase) -> None:
    matcher = Matcher(kb)
    assert supplier_subject(matcher, "ORACLE FRANCE") == supplier_subject(
        matcher, "Oracle France SAS"
    )
    assert mention_subject("Licences  MICROSOFT") == "licences microsoft"


def test_judgements_apply_on_the_next_run(tmp_path: Path, kb: KnowledgeBase) -> None:
    source = _input(tmp_path)
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        screen([source], tmp_path / "run1", ws, ScreenOptions(kb=kb))
        store = ReviewStore(ws.con)
        pending = {(c.kind, c.company_id): c for c in store.candidates()}
        assert set(pending) == {("supplier", "oracle-france"), ("mention", "microsoft")}
        store.judge(pending[("mention", "microsoft")].pair_id, "rejected", "alice", "test")
        store.judge(pending[("supplier", "oracle-france")].pair_id, "confirmed", "alice")
        screen([source], tmp_path / "run2", ws, ScreenOptions(kb=kb))
        assert store.candidates() == []  # both judged; nothing new
    assert _findings(tmp_path / "run1") == [
        ("mention", "Microsoft", "microsoft", "0.9500"),
        ("supplier", "ORACLE FRANCE", "oracle-france", "1.0000"),
    ]
    # the rejected mention never comes back; the confirmed supplier match stays, certain
    assert _findings(tmp_path / "run2") == [
        ("supplier", "ORACLE FRANCE", "oracle-france", "1.0000")
    ]


def test_review_cli(tmp_path: Path) -> None:
    source = _input(tmp_path)
    ws = str(tmp_path / "ws.duckdb")
    runner = CliRunner()
    result = runner.invoke(app, ["screen", str(source), "-o", str(tmp_path / "o"), "-w", ws])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["review", "--list", "-w", ws, "--lang", "en"])
    assert listed.exit_code == 0, listed.output
    assert "2 match(es) waiting for review." in listed.output
    with Workspace.open(ws) as workspace:
        ids = {c.kind: c.pair_id for c in ReviewStore(workspace.con).candidates()}
    assert ids["supplier"] in listed.output
    done = runner.invoke(
        app,
        ["review", "--confirm", ids["supplier"], "--reject", ids["mention"], "--by", "alice",
         "--note", "checked", "-w", ws, "--lang", "fr"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Confirmé : ORACLE FRANCE -> Oracle France (par alice)" in done.output
    assert "Rejeté : " in done.output
    empty = runner.invoke(app, ["review", "-w", ws, "--lang", "en"])
    assert empty.exit_code == 0
    assert "No match is waiting for review." in empty.output
    unknown = runner.invoke(app, ["review", "--confirm", "nope", "--by", "a", "-w", ws])
    assert unknown.exit_code == 2


def test_review_interactive(tmp_path: Path) -> None:
    source = _input(tmp_path)
    ws = str(tmp_path / "ws.duckdb")
    runner = CliRunner()
    runner.invoke(app, ["screen", str(source), "-o", str(tmp_path / "o"), "-w", ws])
    # first pending: reject with a note; second: skip
    result = runner.invoke(
        app, ["review", "--by", "carol", "-w", ws, "--lang", "en"], input="r\nwrong\ns\n"
    )
    assert result.exit_code == 0, result.output
    with Workspace.open(ws) as workspace:
        store = ReviewStore(workspace.con)
        history = store.history()
        assert [(j.status, j.reviewer, j.note) for j in history] == [("rejected", "carol", "wrong")]
        assert len(store.candidates()) == 1
