"""The rights questionnaire and its engine: stop rules, classes, gaps, rendering, filling."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from vigie.ai.answers import AnswersError
from vigie.ai.assessment import assess_file
from vigie.ai.questionnaire_eval import evaluate, load_answers, validate
from vigie.ai.questionnaire_model import load_questionnaire, parse_questionnaire
from vigie.cli import app
from vigie.present import Messages

FIXTURES = Path(__file__).parent / "fixtures" / "aia"
BENEFITS = FIXTURES / "rights-benefits.yaml"
PROHIBITED = FIXTURES / "rights-prohibited.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def rights() -> Any:
    return load_questionnaire("vigie-rights")


def _answers(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_shipped_questionnaire_covers_the_brief(rights: Any) -> None:
    sections = [s.id for s in rights.sections]
    assert sections[:4] == ["system", "art5", "annex3", "art27"]
    assert {"discrimination", "surveillance", "art50", "environment", "suppliers", "risks"} <= set(
        sections
    )
    art5 = next(s for s in rights.sections if s.id == "art5")
    assert [q.reference for q in art5.questions] == [f"Art. 5(1)({c})" for c in "abcdefgh"]


def test_benefits_example_is_high_risk_with_gaps(rights: Any) -> None:
    result = evaluate(rights, load_answers(rights, str(BENEFITS)))
    assert result["status"] == "complete"
    assert result["classifications"]["ai_act_risk"].id == "high_risk"
    assert [g.id for g in result["gaps"]] == [
        "not_consulted",
        "flagged_without_mitigation",
        "authority_not_notified",
        "no_footprint",
    ]
    # severity 3 + 4 + 2 = 9 before 2 + 2 + 2 = 6
    assert [r["right"] for r in result["risks"]] == ["Non-discrimination", "Privacy"]
    assert result["risks"][0]["gaps"] == ["mitigation", "review_date"]
    assert result["answers"]["next_review"] == "2027-01-31"


def test_prohibited_practice_stops_the_assessment(rights: Any) -> None:
    result = evaluate(rights, load_answers(rights, str(PROHIBITED)))
    assert result["status"] == "stopped"
    assert result["stop"].id == "prohibited_practice"
    assessed = [s["id"] for s in result["sections"] if s["assessed"]]
    assert assessed == ["system", "art5"]
    assert result["classifications"] == {}
    assert result["gaps"] == []
    assert set(result["ignored_hidden_answers"]) == {"annex3_areas", "profiling"}
    assert "affected_groups" not in result["missing"]


def test_classification_paths(rights: Any) -> None:
    answers = _answers(BENEFITS)
    answers["profiling"] = False
    answers["art6_3_derogation"] = True
    assert evaluate(rights, answers)["classifications"]["ai_act_risk"].id == "annex3_derogation"
    answers["art6_3_derogation"] = False
    assert evaluate(rights, answers)["classifications"]["ai_act_risk"].id == "high_risk"
    answers["annex3_areas"] = []
    result = evaluate(rights, answers)
    assert result["classifications"]["ai_act_risk"].id == "not_listed"
    # the derogation question is hidden once no Annex III area is ticked
    assert "art6_3_derogation" in result["ignored_hidden_answers"]


def test_missing_required_answers_make_it_incomplete(rights: Any) -> None:
    answers = _answers(BENEFITS)
    del answers["complaint_mechanism"]
    del answers["art5_realtime_rbi"]
    result = evaluate(rights, answers)
    assert result["status"] == "incomplete"
    assert result["missing"] == ["art5_realtime_rbi", "complaint_mechanism"]


def test_transparency_checks(rights: Any) -> None:
    answers = _answers(BENEFITS) | {
        "interacts_with_people": True,
        "people_informed": False,
        "generates_content": True,
        "content_marked": False,
    }
    gaps = [g.id for g in evaluate(rights, answers)["gaps"]]
    assert "not_informed" in gaps
    assert "content_not_marked" in gaps


@pytest.mark.parametrize(
    ("change", "pointer", "code"),
    [
        ({"typo_question": True}, "/typo_question", "ai_q_unknown"),
        ({"profiling": "yes please"}, "/profiling", "ai_q_bad_boolean"),
        ({"decision_role": "maybe"}, "/decision_role", "ai_q_bad_choice"),
        ({"annex3_areas": ["education", "education"]}, "/annex3_areas", "ai_q_bad_multi"),
        ({"people_per_year": float("nan")}, "/people_per_year", "ai_q_bad_number"),
        ({"next_review": "31/01/2027"}, "/next_review", "ai_q_bad_date"),
        ({"supplier_names": ["", "x"]}, "/supplier_names", "ai_q_bad_list"),
        (
            {
                "risk_register": [
                    {"right": "x", "scale": 5, "scope": 1, "reversibility": 1, "probability": 1}
                ]
            },
            "/risk_register/0/scale",
            "ai_q_bad_factor",
        ),
        (
            {
                "risk_register": [
                    {
                        "right": "x",
                        "scale": 1,
                        "scope": 1,
                        "reversibility": 1,
                        "probability": 1,
                        "colour": "red",
                    }
                ]
            },
            "/risk_register/0/colour",
            "ai_q_unknown_field",
        ),
        ({"risk_register": ["not a risk"]}, "/risk_register/0", "ai_q_bad_risk"),
    ],
)
def test_invalid_answers_are_located(
    rights: Any, change: dict[str, Any], pointer: str, code: str
) -> None:
    problems = validate(rights, _answers(BENEFITS) | change)
    assert [(p.pointer, p.code) for p in problems] == [(pointer, code)]


def test_invalid_answers_file(tmp_path: Path, rights: Any) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("profiling: maybe\nwho: 1\n", encoding="utf-8")
    with pytest.raises(AnswersError) as caught:
        load_answers(rights, str(path))
    assert {p.pointer for p in caught.value.problems} == {"/profiling", "/who"}


@pytest.mark.parametrize(
    "mutation",
    [
        lambda d: d["sections"][0]["questions"].append(d["sections"][0]["questions"][0]),
        lambda d: d["checks"].append(
            {
                "id": "x",
                "condition": {"question": "nope", "equals": True},
                "message": {"en": "a", "fr": "b"},
            }
        ),
        lambda d: d["sections"][0]["questions"][0].update(
            {"choices": [{"value": "a", "text": {"en": "a", "fr": "a"}}]}
        ),
        lambda d: d["checks"].append(
            {"id": "x", "condition": {"question": "profiling"}, "message": {"en": "a", "fr": "b"}}
        ),
        lambda d: d["sections"][0]["title"].pop("fr"),
    ],
)
def test_broken_questionnaires_are_refused(mutation: Any) -> None:
    path = Path(__file__).parents[1] / "src/vigie/ai/data/questionnaires/vigie-rights.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutation(document)
    with pytest.raises(ValidationError):
        parse_questionnaire(document)


def test_suppliers_are_screened_against_the_knowledge_base() -> None:
    document = assess_file("vigie-rights", str(BENEFITS), Messages("en"))
    by_name = {s["name"]: s for s in document["suppliers"]}
    assert by_name["Microsoft France"]["matched"]
    assert by_name["Microsoft France"]["group"] == "Microsoft Corporation"
    assert not by_name["Boulangerie Dupont"]["matched"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cli_report_and_score(lang: str) -> None:
    md = runner.invoke(app, ["aia", "report", str(BENEFITS), "--lang", lang])
    assert md.exit_code == 0, md.output
    assert ("Risk register" if lang == "en" else "Registre des risques") in md.stdout
    html = runner.invoke(
        app, ["aia", "report", str(PROHIBITED), "--format", "html", "--lang", lang]
    )
    assert html.exit_code == 0, html.output
    assert f'<html lang="{lang}">' in html.stdout
    assert "Article 5" in html.stdout or "article 5" in html.stdout
    score = runner.invoke(
        app,
        ["aia", "score", "-q", "vigie-rights", str(BENEFITS), "--format", "json", "--lang", lang],
    )
    assert score.exit_code == 0, score.output
    document = json.loads(score.stdout)
    assert document["classifications"]["ai_act_risk"]["id"] == "high_risk"
    assert document["status"] == "complete"


def test_cli_rejects_bad_answers(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("art5_social_scoring: 3\n", encoding="utf-8")
    result = runner.invoke(app, ["aia", "report", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert "/art5_social_scoring" in result.stderr


def test_fill_in_the_terminal_stops_at_a_prohibited_practice(tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    typed = "System\nAgency\nScoring\nMonthly\n1000\n3\n" + "y\n" + "n\n" * 7
    result = runner.invoke(app, ["aia", "fill", "-o", str(out), "--lang", "en"], input=typed)
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert answers["decision_role"] == "prioritises"
    assert answers["people_per_year"] == 1000
    assert answers["art5_manipulation"] is True
    assert "annex3_areas" not in answers
    assert "prohibited by Article 5" in result.stdout
    rights = load_questionnaire("vigie-rights")
    assert evaluate(rights, load_answers(rights, str(out)))["status"] == "stopped"


def test_fill_a_whole_assessment(tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    typed = "".join(
        [
            "S\nA\nP\nF\n10\n2\n",  # system
            "n\n" * 8,  # article 5
            "5\n",  # Annex III: essential services
            "n\n",  # profiling
            "n\n",  # Article 6(3) derogation documented? no
            "G\nR\nO\nM\nC\n",  # Article 27 texts
            "n\n",  # authority notified
            "3,2\n",  # vulnerable groups
            "y\nUnions, March\n",  # consulted
            "6\n",  # sensitive inputs
            "n\n",  # bias audit
            "n\nn\ny\n\n",  # surveillance
            "n\nn\n",  # Article 50
            "n\n\n",  # environment
            "Microsoft France\n\n",  # suppliers
            "y\nPrivacy\n2\n2\n1\n3\nReview\nDPO\n2027-05-01\nn\n",  # one risk
            "2027-01-31\n",  # next review
        ]
    )
    result = runner.invoke(app, ["aia", "fill", "-o", str(out), "--lang", "fr"], input=typed)
    assert result.exit_code == 0, result.output
    rights = load_questionnaire("vigie-rights")
    answers = load_answers(rights, str(out))
    assert answers["vulnerable_groups"] == ["low_income", "disability"]
    assert answers["risk_register"][0]["probability"] == 3
    evaluation = evaluate(rights, answers)
    assert evaluation["status"] == "complete"
    assert evaluation["classifications"]["ai_act_risk"].id == "high_risk"
    assert [g.id for g in evaluation["gaps"]] == ["authority_not_notified", "no_footprint"]


_ids = st.sampled_from([*sorted(load_questionnaire("vigie-rights").questions()), "zz"])
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.text(max_size=10),
    st.lists(st.text(max_size=12), max_size=3),
    st.lists(st.dictionaries(st.text(max_size=6), st.integers(0, 5), max_size=3), max_size=2),
)


@settings(max_examples=200)
@given(st.dictionaries(_ids, _values, max_size=12))
def test_any_answers_are_validated_or_evaluated(answers: dict[str, Any]) -> None:
    rights = load_questionnaire("vigie-rights")
    if not validate(rights, answers):
        result = evaluate(rights, answers)
        assert result["status"] in {"stopped", "complete", "incomplete"}


def test_locales_have_the_same_keys() -> None:
    root = Path(__file__).parents[1] / "src/vigie/present/locales"
    en = yaml.safe_load((root / "en/ai.yaml").read_text(encoding="utf-8"))
    fr = yaml.safe_load((root / "fr/ai.yaml").read_text(encoding="utf-8"))
    assert sorted(en) == sorted(fr)
    assert all(key.startswith("ai_") for key in en)


def test_cnaf_worked_example_records_only_sourced_answers(rights: Any) -> None:
    result = evaluate(rights, load_answers(rights, str(FIXTURES / "rights-cnaf.yaml")))
    assert result["status"] == "incomplete"
    assert result["classifications"]["ai_act_risk"].id == "high_risk"
    assert result["missing"][:8] == [q.id for q in rights.sections[1].questions]
    assert "next_review" in result["missing"]
    assert result["gaps"] == []


def test_yaml_alias_bomb_in_answers_is_rejected(tmp_path: Path, rights: Any) -> None:
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for name, previous in zip("bcdefg", "abcdef", strict=True):
        levels.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join([*levels, "supplier_names: *g", ""]), encoding="utf-8")
    with pytest.raises(AnswersError) as caught:
        load_answers(rights, str(path))
    assert {p.pointer for p in caught.value.problems} >= {"/supplier_names", "/a"}


def test_fill_with_input_cut_short_saves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    result = runner.invoke(app, ["aia", "fill", "-o", str(out), "--lang", "en"], input="S\nA\n")
    assert result.exit_code == 2
    assert "nothing was saved" in result.stderr
    assert not out.exists()
