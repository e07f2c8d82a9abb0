"""Mentions of brands and products in contract texts: whole words, context, relation kind."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from vigie.kb import KnowledgeBase
from vigie.resolve.mentions import (
    MentionFinder,
    find_mentions,
    load_mention_config,
    term_words,
    text_tokens,
)


@pytest.fixture(scope="module")
def finder(kb: KnowledgeBase) -> MentionFinder:
    return MentionFinder(kb)


@pytest.mark.parametrize(
    ("text", "company_id", "kind"),
    [
        ("Acquisition de licences Microsoft", "microsoft", "purchase"),
        ("LICENCIAS Y SOPORTE ORACLE", "oracle", "purchase"),
        ("Prestations de support technique ORACLE", "oracle", "services"),
        ("Maintenance Cisco Webex", "cisco", "services"),
        ("Formation Microsoft Excel pour les agents", "microsoft", "mention"),
        ("Abonnement Office 365 pour 300 postes", "microsoft", "purchase"),
        ("Hébergement sur AWS", "aws", "services"),
        ("Licences Windows et Office", "microsoft", "purchase"),  # two ambiguous terms together
        ("Déploiement de Microsoft Windows", "microsoft", "services"),
    ],
)
def test_mentions_found_with_relation(
    finder: MentionFinder, text: str, company_id: str, kind: str
) -> None:
    found = finder.find(text)
    assert [(m.company_id, m.rule) for m in found] == [(company_id, kind)]
    assert found[0].score >= finder.config.threshold
    assert f"relation {kind}" in found[0].explanation


@pytest.mark.parametrize(
    "text",
    [
        "Fourniture de BOWINDOWS",  # not a whole word
        "Travaux rue FRANCISCO",
        "HP ALUMINIUM menuiserie",
        "Marché MICROSAT",
        "Licences Windows",  # an ambiguous term alone
        "Travaux de menuiserie: windows et portes",
        "Apprentissage de l'alphabet à l'école",  # a holding name is not a brand
        "Contrat d'assurance pour la régie des eaux du Pays d'Aix",  # a short term, no relation
        "Aménagements sur la commune d'AIX EN PROVENCE",
        "Tribunale dell'Unione europea",  # Italian "dell'" (of the) is not Dell
        "Servizi di traduzione dell’informatica",
        "El presupuesto máximo para este concurso",  # "máximo" is not IBM Maximo
        "O orçamento máximo para este concurso",
        "",
        "   ",
    ],
)
def test_no_mention(finder: MentionFinder, text: str) -> None:
    assert finder.find(text) == []


def test_possessive_and_plain_words_still_count(finder: MentionFinder) -> None:
    assert [m.company_id for m in finder.find("Microsoft's licences")] == ["microsoft"]
    assert [m.company_id for m in finder.find("Maintenance IBM Maximo")] == ["ibm"]
    assert [m.company_id for m in finder.find("Licences d'Oracle Database")] == ["oracle"]


def test_term_words() -> None:
    assert term_words("Tribunale dell'Unione; l'Oracle; máximo MAXIMO") == (
        "tribunale", "unione", "oracle", "máximo", "maximo",
    )  # fmt: skip


def test_short_term_needs_a_relation_word(finder: MentionFinder) -> None:
    # "IBM" is three letters: a company name that short counts only with a relation word
    assert [m.company_id for m in finder.find("Support IBM et maintenance")] == ["ibm"]
    assert finder.find("Réunion IBM du 3 mai") == []
    assert [m.company_id for m in finder.find("Réunion IBM Maximo")] == ["ibm"]  # two terms


def test_one_mention_per_group_best_term(finder: MentionFinder) -> None:
    found = finder.find("Licences Microsoft Azure et Microsoft 365, support Oracle Database")
    assert [(m.group_id, m.score) for m in found] == [("microsoft", 1.0), ("oracle", 1.0)]
    assert found[0].matched_alias in ("Microsoft Azure", "Microsoft 365")


def test_group_at_the_text_date(finder: MentionFinder) -> None:
    # Splunk joined Cisco's group in 2024: a 2019 text names Splunk's own group.
    before = finder.find("Licences Splunk Enterprise", "2019-05-01")
    after = finder.find("Licences Splunk Enterprise", "2025-05-01")
    assert [m.group_id for m in before] == ["splunk"]
    assert [m.group_id for m in after] == ["cisco"]


def test_find_mentions_reads_each_distinct_text_once(finder: MentionFinder) -> None:
    texts = ["Licences Microsoft", None, "Licences Microsoft", "Travaux", ""]
    found = find_mentions(texts, finder)
    assert [[m.company_id for m in f] for f in found] == [["microsoft"], [], ["microsoft"], [], []]
    assert found[0] is found[2]


def test_text_tokens() -> None:
    assert text_tokens("Licences d'Oracle® (É.-U.)") == ("licences", "d", "oracle", "e", "u")
    assert text_tokens("x" * 50, 10) == ("x" * 10,)


def test_config_is_validated(tmp_path: Path) -> None:
    raw = yaml.safe_load(
        (Path(__file__).parents[1] / "src/vigie/resolve/mentions.yaml").read_text("utf-8")
    )
    assert load_mention_config().scores.product_term == raw["scores"]["product_term"]
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump({**raw, "threshold": 2}), encoding="utf-8")
    with pytest.raises(ValidationError):
        load_mention_config(path)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_safe(finder: MentionFinder, text: str) -> None:
    for match in finder.find(text):
        assert match.score >= finder.config.threshold
        assert match.rule in {"purchase", "services", "mention", "unspecified"}


def test_demo_mentions_in_findings(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vigie.cli import app

    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["demo", "-o", str(out), "-w", str(tmp_path / "ws.duckdb"), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    with (out / "findings.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    mentions = [r for r in rows if r["match_kind"] == "mention"]
    assert sorted((r["group_id"], r["matched_text"]) for r in mentions) == [
        ("ibm", "IBM"),
        ("ibm", "IBM"),
        ("microsoft", "Microsoft"),
    ]
    licences = next(r for r in mentions if r["group_id"] == "microsoft")
    assert licences["title"] == "Acquisition de licences Microsoft"
    assert licences["supplier_name"] == "COMSOFT SOS DEVELOPERS SAS"  # the reseller
    # "Prestations de support technique ORACLE" is awarded to Oracle France itself:
    # the supplier finding covers it, no mention row is added.
    assert not any(r["group_id"] == "oracle" for r in mentions)
