"""The Government of Canada Algorithmic Impact Assessment (AIA), scored as the official tool does.

The questionnaire is the SurveyJS file of the official open-source tool (canada-ca/aia-eia-js,
MIT), shipped in ``data/canada-aia``. The rules reproduce that tool's ``calculateFinalScore``:

* a radiogroup, checkbox or dropdown question is scored when its own name, else its parent
  panel's name, ends in ``-RS`` (raw risk) or ``-MS`` (mitigation); ``-NS`` or no suffix means
  unscored;
* an answer's weight is the number after the last hyphen of its value (``"item2-3"`` -> 3), a
  checkbox's answer is the sum of its selected values;
* a radiogroup or dropdown's maximum is its largest choice, a checkbox's the sum of its choices;
  the maxima run over every scored question of every page (so both the design and the
  implementation forks of the mitigation section);
* if mitigation >= 80 % of (maximum mitigation / 2), ``total`` = round(0.85 x raw), otherwise
  ``total`` = raw; the impact level is 1 to 4 at <= 25 %, <= 50 %, <= 75 %, > 75 % of the maximum
  raw score, compared with ``total``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from vigie.ai.answers import AnswerProblem, AnswersError, load_json_answers

SCORED_TYPES = frozenset({"radiogroup", "checkbox", "dropdown"})
MITIGATION_SHARE = 0.8
DEDUCTION = 0.15
THRESHOLDS = (0.25, 0.5, 0.75)
_JS_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_SIMPLE_CONDITION = re.compile(r'\s*\{([^{}]+)\}\s*=\s*"([^"]*)"\s*')

Role = Literal["raw", "mitigation", "none"]


class AiaChoice(BaseModel):
    """One choice of a question: its SurveyJS value, weight and bilingual label."""

    model_config = ConfigDict(frozen=True)
    value: str
    weight: float
    text_en: str
    text_fr: str


class AiaQuestion(BaseModel):
    """A question of the questionnaire, with its role in the score."""

    model_config = ConfigDict(frozen=True)
    name: str
    type: str
    role: Role
    page: str
    title_en: str
    title_fr: str
    choices: tuple[AiaChoice, ...]

    @property
    def max_score(self) -> float:
        """Largest choice (radiogroup, dropdown) or sum of the choices (checkbox)."""
        weights = [c.weight for c in self.choices]
        if self.type == "checkbox":
            return float(sum(weights))
        return max([0.0, *weights])


@dataclass(frozen=True)
class AiaPage:
    """A page: its bilingual title and, when it is that simple, its ``{question} = "value"``
    visibility condition."""

    name: str
    title_en: str
    title_fr: str
    visible_if: tuple[str, str] | None


@dataclass(frozen=True)
class AiaSurvey:
    """Every question of the questionnaire, in order, by name (the first of a duplicated name)."""

    questions: dict[str, AiaQuestion]
    pages: dict[str, AiaPage] = field(default_factory=dict)

    def hidden_answers(self, answers: dict[str, Any]) -> list[str]:
        """Scored answers on pages that the answers themselves hide (the official tool still
        counts them; a user usually did not mean them to count)."""
        hidden = []
        for question in self.scored:
            page = self.pages.get(question.page)
            if question.name not in answers or page is None or page.visible_if is None:
                continue
            condition, value = page.visible_if
            if condition in answers and answers[condition] != value:
                hidden.append(question.name)
        return hidden

    @property
    def scored(self) -> list[AiaQuestion]:
        """The questions that count towards the raw or mitigation score."""
        return [q for q in self.questions.values() if q.type in SCORED_TYPES and q.role != "none"]

    @property
    def max_raw_score(self) -> float:
        """Sum of the maxima of the raw-risk questions."""
        return float(sum(q.max_score for q in self.scored if q.role == "raw"))

    @property
    def max_mitigation_score(self) -> float:
        """Sum of the maxima of the mitigation questions (both design and implementation)."""
        return float(sum(q.max_score for q in self.scored if q.role == "mitigation"))


class AiaScore(BaseModel):
    """The result of the official scoring rule, with the figures needed to check it by hand."""

    raw_score: float
    mitigation_score: float
    total: float
    level: int
    max_raw_score: float
    max_mitigation_score: float
    mitigation_threshold: float
    deduction_applied: bool

    def summary(self) -> dict[str, int | float]:
        """The four figures the official tool shows: raw, mitigation, total (current) and level."""
        return {
            "raw_score": _plain(self.raw_score),
            "mitigation_score": _plain(self.mitigation_score),
            "total": _plain(self.total),
            "level": self.level,
        }


def js_number(text: str) -> float:
    """JavaScript ``Number(text)`` for decimal literals; anything else is NaN, counted as 0."""
    stripped = text.strip()
    if not stripped:
        return 0.0
    if _JS_DECIMAL.fullmatch(stripped):
        value = float(stripped)
        return value if math.isfinite(value) else 0.0
    return 0.0


def embedded_weight(value: str) -> float:
    """The number after the last hyphen of a SurveyJS value (``"item2-3"`` -> 3.0), else 0."""
    position = value.rfind("-")
    return js_number(value[position + 1 :]) if position != -1 else 0.0


def js_round(value: float) -> int:
    """JavaScript ``Math.round``: nearest integer, halves rounded towards +infinity."""
    floor = math.floor(value)
    return int(floor + 1) if value - floor >= 0.5 else int(floor)


def _role(name: str) -> Role | None:
    if name.endswith("-RS"):
        return "raw"
    if name.endswith("-MS"):
        return "mitigation"
    if name.endswith("-NS"):
        return "none"
    return None


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        text = value.get("fr" if lang == "fr" else "default") or value.get("default") or ""
        return str(text)
    return "" if value is None else str(value)


def _choice(raw: Any) -> AiaChoice:
    value = str(raw.get("value")) if isinstance(raw, dict) else str(raw)
    label = raw.get("text", value) if isinstance(raw, dict) else value
    return AiaChoice(
        value=value,
        weight=embedded_weight(value),
        text_en=_text(label, "en"),
        text_fr=_text(label, "fr"),
    )


def _walk(elements: list[Any], parent: str, page: str, out: dict[str, AiaQuestion]) -> None:
    for element in elements:
        if not isinstance(element, dict):
            continue
        name = str(element.get("name", ""))
        kind = str(element.get("type", ""))
        if kind == "panel":
            _walk(element.get("elements", []), name, page, out)
            continue
        if not name or name in out:
            continue
        out[name] = AiaQuestion(
            name=name,
            type=kind,
            role=_role(name) or _role(parent) or "none",
            page=page,
            title_en=_text(element.get("title", name), "en"),
            title_fr=_text(element.get("title", name), "fr"),
            choices=tuple(_choice(c) for c in element.get("choices", [])),
        )


def parse_survey(document: Any) -> AiaSurvey:
    """Questions of a SurveyJS document (``{"pages": [{"name", "elements": [...]}]}``)."""
    if not isinstance(document, dict) or not isinstance(document.get("pages"), list):
        raise ValueError("not a SurveyJS questionnaire: no list of pages")
    questions: dict[str, AiaQuestion] = {}
    pages: dict[str, AiaPage] = {}
    for page in document["pages"]:
        if isinstance(page, dict):
            page_name = str(page.get("name", ""))
            _walk(page.get("elements", []), page_name, page_name, questions)
            pages[page_name] = _page(page_name, page)
    return AiaSurvey(questions=questions, pages=pages)


def _page(name: str, page: dict[str, Any]) -> AiaPage:
    match = _SIMPLE_CONDITION.fullmatch(str(page.get("visibleIf", "")))
    title = page.get("title") or next(
        (e.get("title") for e in page.get("elements", []) if isinstance(e, dict)), name
    )
    return AiaPage(
        name=name,
        title_en=_text(title, "en"),
        title_fr=_text(title, "fr"),
        visible_if=(match.group(1), match.group(2)) if match else None,
    )


@cache
def survey_document() -> Any:
    """The SurveyJS document of the Canada AIA shipped with vigie (read once; do not mutate)."""
    path = files("vigie.ai").joinpath("data", "canada-aia", "survey-enfr.json")
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def canada_aia_survey() -> AiaSurvey:
    """The Canada AIA questionnaire shipped with vigie (parsed once)."""
    return parse_survey(survey_document())


def _plain(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def answer_value(question: AiaQuestion, answer: Any) -> float:
    """Weight of a validated answer: its choice's weight, or the sum over a checkbox list."""
    if isinstance(answer, list):
        return float(sum(embedded_weight(v) for v in answer))
    return embedded_weight(answer) if isinstance(answer, str) else 0.0


def score(survey: AiaSurvey, answers: dict[str, Any]) -> AiaScore:
    """Raw, mitigation, total and impact level of validated answers (see the module docstring)."""
    raw = mitigation = 0.0
    for question in survey.scored:
        if question.name not in answers:
            continue
        value = answer_value(question, answers[question.name])
        if question.role == "raw":
            raw += value
        else:
            mitigation += value
    max_raw = survey.max_raw_score
    threshold = MITIGATION_SHARE * (survey.max_mitigation_score / 2)
    deduct = mitigation >= threshold
    total = float(js_round((1 - DEDUCTION) * raw)) if deduct else raw
    level = 1 + sum(1 for share in THRESHOLDS if total > max_raw * share)
    return AiaScore(
        raw_score=raw,
        mitigation_score=mitigation,
        total=total,
        level=level,
        max_raw_score=max_raw,
        max_mitigation_score=survey.max_mitigation_score,
        mitigation_threshold=threshold,
        deduction_applied=deduct,
    )


def _check_answer(question: AiaQuestion, answer: Any, pointer: str) -> list[AnswerProblem]:
    allowed = {c.value for c in question.choices}
    if question.type == "checkbox":
        if not isinstance(answer, list):
            return [AnswerProblem(pointer, "ai_problem_not_list", {"question": question.name})]
        problems = [
            AnswerProblem(f"{pointer}/{i}", "ai_problem_not_choice", {"value": repr(item)})
            for i, item in enumerate(answer)
            if not isinstance(item, str) or item not in allowed
        ]
        if not problems and len(set(answer)) != len(answer):
            problems.append(AnswerProblem(pointer, "ai_problem_repeated", {}))
        return problems
    if not isinstance(answer, str) or answer not in allowed:
        return [AnswerProblem(pointer, "ai_problem_not_choice", {"value": repr(answer)[:80]})]
    return []


def validate_answers(survey: AiaSurvey, answers: dict[str, Any]) -> list[AnswerProblem]:
    """Problems with answers to scored questions (a value that is not one of the choices)."""
    problems: list[AnswerProblem] = []
    for question in survey.scored:
        if question.name in answers:
            pointer = "/" + question.name.replace("~", "~0").replace("/", "~1")
            problems += _check_answer(question, answers[question.name], pointer)
    return problems


def unknown_names(survey: AiaSurvey, answers: dict[str, Any]) -> list[str]:
    """Answer names that are no question of the questionnaire (the official tool ignores them)."""
    return [name for name in answers if name not in survey.questions]


def score_answers_file(path: str) -> tuple[AiaScore, list[str], list[str]]:
    """Score a saved answers file; returns the score, the unknown names that were ignored and
    the scored answers on pages hidden by the answers (counted, as the official tool does).

    Raises :class:`AnswersError` listing every problem (file, JSON pointer, reason).
    """
    survey = canada_aia_survey()
    answers, prefix = load_json_answers(path)
    problems = validate_answers(survey, answers)
    if problems:
        raise AnswersError(path, [p.with_prefix(prefix) for p in problems])
    return score(survey, answers), unknown_names(survey, answers), survey.hidden_answers(answers)
