"""Checking and evaluating answers to a questionnaire: visibility, stop rules, classes, gaps.

Pure functions of the questionnaire and the answers. Hidden questions (``when`` false) do not
count; sections after a stop rule fires are not assessed; every problem names its JSON pointer.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from vigie.ai.answers import AnswerProblem, AnswersError, load_json_answers
from vigie.ai.questionnaire_model import (
    RISK_FACTORS,
    Condition,
    Question,
    Questionnaire,
)

MAX_TEXT = 20_000
MAX_ITEMS = 500
RISK_TEXT_FIELDS = ("right", "description", "mitigation", "owner")


def is_answered(value: Any) -> bool:
    """A value counts as an answer unless it is missing, empty text or an empty list."""
    return value is not None and value not in ("", [])


def holds(condition: Condition, answers: dict[str, Any]) -> bool:
    """Whether a condition holds for the (effective) answers."""
    if condition.question is None:
        return all(holds(c, answers) for c in condition.all) and (
            not condition.any or any(holds(c, answers) for c in condition.any)
        )
    value = answers.get(condition.question)
    if condition.answered is not None:
        return is_answered(value) == condition.answered
    if condition.contains is not None:
        # SurveyJS semantics: an element of a list, or a substring of a text
        if isinstance(value, str):
            return condition.contains in value
        return isinstance(value, list) and condition.contains in value
    return is_answered(value) and value == condition.equals


def _problem(question: Question, code: str, **params: str) -> AnswerProblem:
    return AnswerProblem("/" + question.id, code, {"question": question.id, **params})


def _check_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _check_risk(question: Question, index: int, item: Any) -> list[AnswerProblem]:
    pointer = f"/{question.id}/{index}"
    if not isinstance(item, dict):
        return [AnswerProblem(pointer, "ai_q_bad_risk", {"question": question.id})]
    problems = []
    for key in item:
        if key not in (*RISK_FACTORS, *RISK_TEXT_FIELDS, "review_date"):
            problems.append(AnswerProblem(f"{pointer}/{key}", "ai_q_unknown_field", {}))
    for factor in RISK_FACTORS:
        value = item.get(factor)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            problems.append(AnswerProblem(f"{pointer}/{factor}", "ai_q_bad_factor", {}))
    if not isinstance(item.get("right"), str) or not item["right"].strip():
        problems.append(AnswerProblem(f"{pointer}/right", "ai_q_bad_text", {}))
    if "review_date" in item and not _check_date(item["review_date"]):
        problems.append(AnswerProblem(f"{pointer}/review_date", "ai_q_bad_date", {}))
    return problems


def _check_value(question: Question, value: Any) -> list[AnswerProblem]:  # noqa: PLR0911
    allowed = {c.value for c in question.choices}
    kind = question.type
    if kind == "boolean" and not isinstance(value, bool):
        return [_problem(question, "ai_q_bad_boolean")]
    if kind == "choice" and (not isinstance(value, str) or value not in allowed):
        return [_problem(question, "ai_q_bad_choice", value=repr(value)[:60])]
    if kind == "multi" and (
        not isinstance(value, list)
        or any(not isinstance(v, str) or v not in allowed for v in value)
        or len(set(value)) != len(value)
    ):
        return [_problem(question, "ai_q_bad_multi")]
    if kind == "text" and (not isinstance(value, str) or len(value) > MAX_TEXT):
        return [_problem(question, "ai_q_bad_text")]
    if kind == "number" and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        return [_problem(question, "ai_q_bad_number")]
    if kind == "date" and not _check_date(value):
        return [_problem(question, "ai_q_bad_date")]
    if kind in ("list", "risks") and (not isinstance(value, list) or len(value) > MAX_ITEMS):
        return [_problem(question, "ai_q_bad_list")]
    if kind == "list" and any(not isinstance(v, str) or not v.strip() for v in value):
        return [_problem(question, "ai_q_bad_list")]
    if kind == "risks":
        return [p for i, item in enumerate(value) for p in _check_risk(question, i, item)]
    return []


def validate(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[AnswerProblem]:
    """Every problem of an answers object: unknown ids and values that do not fit the type."""
    questions = questionnaire.questions()
    problems = [
        AnswerProblem("/" + key.replace("~", "~0").replace("/", "~1"), "ai_q_unknown", {})
        for key in answers
        if key not in questions
    ]
    for key, value in answers.items():
        if key in questions and value is not None:
            problems += _check_value(questions[key], value)
    return problems


def _risk_rows(register: Any) -> list[dict[str, Any]]:
    rows = []
    for item in register or []:
        severity = item["scale"] + item["scope"] + item["reversibility"]
        rows.append(
            {
                **{k: item.get(k) for k in (*RISK_TEXT_FIELDS, *RISK_FACTORS)},
                "review_date": str(item["review_date"]) if item.get("review_date") else None,
                "severity": severity,
                "gaps": [g for g in ("mitigation", "owner", "review_date") if not item.get(g)],
            }
        )
    return sorted(rows, key=lambda r: (-r["severity"], -r["probability"], r["right"]))


def _walk(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    effective: dict[str, Any] = {}
    sections, missing, ignored = [], [], []
    stop = None
    for section in questionnaire.sections:
        assessed = stop is None and (section.when is None or holds(section.when, effective))
        shown = []
        for question in section.questions:
            visible = assessed and (question.when is None or holds(question.when, effective))
            value = answers.get(question.id)
            if visible and is_answered(value):
                effective[question.id] = value
                shown.append(question.id)
            elif visible and question.required:
                missing.append(question.id)
            elif not visible and is_answered(value):
                ignored.append(question.id)
        sections.append({"id": section.id, "assessed": assessed, "answered": shown})
        if stop is None and assessed:
            stop = next(
                (r for r in questionnaire.stop_rules if holds(r.condition, effective)), None
            )
    return {
        "effective": effective,
        "sections": sections,
        "missing": missing,
        "ignored": ignored,
        "stop": stop,
    }


def evaluate(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """Status, stop rule, classes, gaps, missing answers and risk register of valid answers."""
    walk = _walk(questionnaire, answers)
    effective, stop = walk["effective"], walk["stop"]
    classes = {}
    gaps = []
    if stop is None:
        for classification in questionnaire.classifications:
            rule = next((r for r in classification.rules if holds(r.condition, effective)), None)
            outcome = rule or classification.default
            classes[classification.id] = outcome
        gaps = [check for check in questionnaire.checks if holds(check.condition, effective)]
    status = "stopped" if stop else ("incomplete" if walk["missing"] else "complete")
    return {
        "questionnaire": questionnaire.id,
        "version": questionnaire.version,
        "status": status,
        "stop": stop,
        "classifications": classes,
        "gaps": gaps,
        "missing": walk["missing"],
        "ignored_hidden_answers": walk["ignored"],
        "sections": walk["sections"],
        "answers": effective,
        "risks": _risk_rows(effective.get("risk_register")),
    }


def _dates_as_text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    return value


def load_answers(questionnaire: Questionnaire, path: str) -> dict[str, Any]:
    """Read (JSON or YAML) and validate an answers file; AnswersError lists every problem.

    YAML dates come back as ISO text (``2027-01-31``).
    """
    answers, prefix = load_json_answers(path)
    problems = validate(questionnaire, answers)
    if problems:
        raise AnswersError(path, [p.with_prefix(prefix) for p in problems])
    return {k: _dates_as_text(v) for k, v in answers.items()}
