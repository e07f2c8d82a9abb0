"""Canada Algorithmic Impact Assessment: scoring rules checked against hand-computed values.

Hand computations (from the questionnaire listing, see docs/ai-assessment.md):
* maximum raw score 167 and maximum mitigation 154 (77 for each of the design and implementation
  forks), so the deduction threshold is 0.8 x 154 / 2 = 61.6;
* all-minimum raw answers: aboutSystem11 1 + impact30 2 + seven impact dropdowns 7 + impact28 1
  + aboutDataSource3, 7 and 8 3 = 14;
* all-maximum: raw 167, mitigation 154 >= 61.6, total = round(0.85 x 167 = 141.95) = 142,
  142 > 0.75 x 167 = 125.25 so level 4.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from vigie.ai.answers import AnswersError
from vigie.ai.canada_aia import (
    canada_aia_survey,
    embedded_weight,
    js_round,
    parse_survey,
    score,
    score_answers_file,
    validate_answers,
)
from vigie.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "aia"
runner = CliRunner()


def _cli_json(path: Path) -> dict[str, Any]:
    result = runner.invoke(
        app, ["aia", "score", "--questionnaire", "canada-aia", str(path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_maxima_of_the_shipped_questionnaire() -> None:
    survey = canada_aia_survey()
    assert survey.max_raw_score == 167
    assert survey.max_mitigation_score == 154


def test_all_minimum() -> None:
    assert _cli_json(FIXTURES / "all-min.json") == {
        "raw_score": 14,
        "mitigation_score": 0,
        "total": 14,
        "level": 1,
    }


def test_all_maximum() -> None:
    assert _cli_json(FIXTURES / "all-max.json") == {
        "raw_score": 167,
        "mitigation_score": 154,
        "total": 142,
        "level": 4,
    }


def test_one_fork_of_mitigation_at_maximum() -> None:
    result, unknown, hidden = score_answers_file(str(FIXTURES / "design-mitigation-max.json"))
    assert (result.raw_score, result.mitigation_score, result.total) == (0, 77, 0)
    assert result.deduction_applied
    assert unknown == []
    assert hidden == []


def _design_max() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (FIXTURES / "design-mitigation-max.json").read_text(encoding="utf-8")
    )["data"]
    return data


def test_mitigation_just_below_the_threshold() -> None:
    answers = _design_max()
    # 77 - fairnessDesign21 (5 boxes of 1) - consultation (2 + 2 + 3 + 3) - privacyDesign3 (1) = 61
    answers["fairnessDesign21"] = []
    for name in ("consultationDesign1", "consultationDesign3"):
        answers[name] = "item2-0"
    for name in ("consultationDesign6", "consultationDesign7"):
        answers[name] = "item3-0"
    answers["privacyDesign3"] = "item2-0"
    answers["impact3"] = "item1-4"  # raw 4
    answers["riskProfile4"] = "item3-4"  # raw 8
    answers["aboutSystem6"] = "item2-2"  # raw 10
    result = score(canada_aia_survey(), answers)
    assert result.mitigation_score == 61
    assert not result.deduction_applied
    assert result.total == 10
    answers["privacyDesign3"] = "item1-1"  # 62 >= 61.6
    result = score(canada_aia_survey(), answers)
    assert result.mitigation_score == 62
    assert result.deduction_applied
    # 0.85 x 10 = 8.5, rounded half up as JavaScript does (Python's round would give 8)
    assert result.total == 9


def test_checkbox_lists_add_their_choices() -> None:
    answers = {"aboutDataSource14": ["item4-3", "item5-3", "item6-1"], "decisionSector1": []}
    result = score(canada_aia_survey(), answers)
    assert result.raw_score == 7
    answers["decisionSector1"] = ["item1-1", "item6-1"]
    assert score(canada_aia_survey(), answers).raw_score == 9


def _tiny_survey() -> dict[str, Any]:
    weights = [{"value": f"item{i}-{i}", "text": str(i)} for i in range(101)]
    return {
        "pages": [
            {
                "name": "p",
                "elements": [
                    {
                        "type": "panel",
                        "name": "risk-RS",
                        "elements": [
                            {"type": "dropdown", "name": "r", "choices": weights},
                            {"type": "dropdown", "name": "ignored-NS", "choices": weights},
                            {"type": "text", "name": "comment"},
                        ],
                    },
                    {
                        "type": "panel",
                        "name": "mitigation-MS",
                        "elements": [{"type": "radiogroup", "name": "m", "choices": weights[:11]}],
                    },
                    {"type": "radiogroup", "name": "alone", "choices": weights},
                    {"type": "checkbox", "name": "own-MS", "choices": weights[:3]},
                ],
            }
        ]
    }


def test_roles_come_from_the_name_then_the_panel() -> None:
    survey = parse_survey(_tiny_survey())
    assert {q.name: q.role for q in survey.scored} == {
        "r": "raw",
        "m": "mitigation",
        "own-MS": "mitigation",
    }
    assert survey.max_raw_score == 100
    assert survey.max_mitigation_score == 10 + (0 + 1 + 2)


@pytest.mark.parametrize(
    ("raw", "level"),
    [(0, 1), (25, 1), (26, 2), (50, 2), (51, 3), (75, 3), (76, 4), (100, 4)],
)
def test_level_boundaries(raw: int, level: int) -> None:
    survey = parse_survey(_tiny_survey())
    result = score(survey, {"r": f"item{raw}-{raw}"})
    assert (result.total, result.level) == (raw, level)


def test_deduction_changes_the_level() -> None:
    survey = parse_survey(_tiny_survey())
    # threshold 0.8 x 13 / 2 = 5.2: mitigation 6 cuts 30 to round(25.5) = 26, level 2
    result = score(survey, {"r": "item30-30", "m": "item6-6"})
    assert (result.total, result.level) == (26, 2)
    result = score(survey, {"r": "item30-30", "m": "item5-5"})
    assert (result.total, result.level) == (30, 2)
    result = score(survey, {"r": "item29-29", "m": "item6-6"})
    assert (result.total, result.level) == (25, 1)  # 24.65 -> 25


def test_weight_and_rounding_helpers() -> None:
    assert embedded_weight("item2-3") == 3
    assert embedded_weight("item-with-hyphens-12") == 12
    assert embedded_weight("item1") == 0
    assert embedded_weight("item1-x") == 0
    assert embedded_weight("item1-") == 0
    assert [js_round(x) for x in (8.5, 25.5, 24.65, 0.49999999999999994, 2.4)] == [9, 26, 25, 0, 2]


def _write(tmp_path: Path, text: str, name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "code", "pointer"),
    [
        ('{"riskProfile1": "item1-4"}', "ai_problem_not_choice", "/riskProfile1"),
        ('{"data": {"riskProfile1": 3}}', "ai_problem_not_choice", "/data/riskProfile1"),
        ('{"businessDrivers11": "item1-2"}', "ai_problem_not_list", "/businessDrivers11"),
        ('{"businessDrivers11": ["item1-2", 7]}', "ai_problem_not_choice", "/businessDrivers11/1"),
        (
            '{"businessDrivers11": ["item1-2", "item1-2"]}',
            "ai_problem_repeated",
            "/businessDrivers11",
        ),
        ('{"riskProfile1": "item1-3", "riskProfile1": "item2-0"}', "ai_problem_broken", ""),
        ("[1, 2]", "ai_problem_not_object", ""),
        ('{"data": []}', "ai_problem_not_object", "/data"),
        ('{"riskProfile1": ', "ai_problem_broken", ""),
        ("[" * 100_000, "ai_problem_broken", ""),
    ],
)
def test_malformed_answers_are_rejected(tmp_path: Path, text: str, code: str, pointer: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(AnswersError) as caught:
        score_answers_file(str(path))
    assert [(p.code, p.pointer) for p in caught.value.problems] == [(code, pointer)]


def test_not_utf8_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"x": "é"}'.encode("latin-1"))
    with pytest.raises(AnswersError) as caught:
        score_answers_file(str(path))
    assert caught.value.problems[0].code == "ai_problem_not_utf8"
    with pytest.raises(AnswersError) as caught:
        score_answers_file(str(tmp_path / "missing.json"))
    assert caught.value.problems[0].code == "ai_problem_unreadable"


def test_cli_reports_every_problem_and_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"riskProfile1": "item9-9", "impact6": ["item1-1"]}')
    result = runner.invoke(app, ["aia", "score", str(path), "--format", "json", "--lang", "en"])
    assert result.exit_code == 2
    assert "/riskProfile1" in result.stderr
    assert "/impact6" in result.stderr
    assert result.stdout == ""


def test_cli_warns_about_unknown_names_and_prints_text(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"riskProfile1": "item1-3", "notAQuestion": "x"}')
    result = runner.invoke(app, ["aia", "score", str(path), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "notAQuestion" in result.stderr
    assert "Note d'incidence brute" in result.stdout


def test_unknown_questionnaire(tmp_path: Path) -> None:
    path = _write(tmp_path, "{}")
    result = runner.invoke(app, ["aia", "score", "-q", "nope", str(path), "--lang", "en"])
    assert result.exit_code == 2


_names = st.sampled_from([q.name for q in canada_aia_survey().scored] + ["x", "data2"])
_values = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=12),
    st.lists(st.text(max_size=8), max_size=4),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(st.dictionaries(_names, _values, max_size=8))
def test_any_answers_are_scored_or_rejected_never_crash(answers: dict[str, Any]) -> None:
    survey = canada_aia_survey()
    problems = validate_answers(survey, answers)
    if not problems:
        result = score(survey, answers)
        assert 0 <= result.total <= result.raw_score <= survey.max_raw_score
        assert 1 <= result.level <= 4


def test_answers_on_hidden_pages_are_counted_and_reported() -> None:
    survey = canada_aia_survey()
    answers = {"projectDetailsPhase": "item2", "fairnessDesign1": "item1-1", "impact3": "item1-4"}
    assert survey.hidden_answers(answers) == ["fairnessDesign1"]
    assert score(survey, answers).mitigation_score == 1  # counted, as the official tool does
    result = runner.invoke(app, ["aia", "score", str(FIXTURES / "all-max.json"), "--lang", "en"])
    assert result.exit_code == 0
    assert "fairnessImplementation1" in result.stderr
    clean = runner.invoke(app, ["aia", "score", str(FIXTURES / "design-mitigation-max.json")])
    assert "hidden" not in clean.stderr and "masquées" not in clean.stderr


@pytest.mark.parametrize(("fmt", "lang"), [("md", "en"), ("html", "fr"), ("md", "fr")])
def test_record_of_a_canada_aia_assessment(fmt: str, lang: str) -> None:
    path = str(FIXTURES / "all-min.json")
    args = ["aia", "report", "-q", "canada-aia", path, "--format", fmt, "--lang", lang]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert ("Impact level" if lang == "en" else "Niveau d'incidence") in text
    assert "impact30" in text
    assert "2 / 4" in text  # impact30 answered at 2 points of 4
    if fmt == "html":
        assert '<html lang="fr">' in text


def test_surveyjs_expressions_become_conditions() -> None:
    from vigie.ai.questionnaire_eval import holds
    from vigie.ai.surveyjs import parse_expression

    condition = parse_expression(
        '({aboutSystem5} = "item1-0" or {aboutSystem5} = "item3-2") and {aboutSystem5B} = "item1-0"'
    )
    assert holds(condition, {"aboutSystem5": "item3-2", "aboutSystem5B": "item1-0"})
    assert not holds(condition, {"aboutSystem5": "item2-1", "aboutSystem5B": "item1-0"})
    # SurveyJS's contains: a substring of a radio value, an element of a checkbox list
    contains = parse_expression('{aboutSystem3} contains ["item2"]')
    assert holds(contains, {"aboutSystem3": "item2-0"})
    assert holds(parse_expression('{a} contains "item6"'), {"a": ["item1", "item6"]})
    for bad in ['{a} > "1"', '{a} = "1" xor {b} = "2"', "{a} =", "notempty {a}"]:
        with pytest.raises(ValueError):
            parse_expression(bad)


def test_fill_the_canada_aia_in_the_terminal(tmp_path: Path) -> None:
    out = tmp_path / "aia.yaml"
    typed = "\n" * 11 + "1\n" + "\n" * 400  # design phase, every optional question left blank
    result = runner.invoke(
        app, ["aia", "fill", "-q", "canada-aia", "-o", str(out), "--lang", "en"], input=typed
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Consultations") == 1  # the implementation fork was not asked
    assert _cli_json(out) == {"raw_score": 0, "mitigation_score": 0, "total": 0, "level": 1}
