"""The Canada AIA result as a record: the score, how it was reached, and every scored answer."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vigie.ai.answers import AnswersError, load_json_answers
from vigie.ai.canada_aia import (
    THRESHOLDS,
    AiaQuestion,
    answer_value,
    canada_aia_survey,
    score,
    unknown_names,
    validate_answers,
)
from vigie.present import Messages


def _answer_text(question: AiaQuestion, answer: Any, lang: str) -> str:
    labels = {c.value: (c.text_fr if lang == "fr" else c.text_en) for c in question.choices}
    values = answer if isinstance(answer, list) else [answer]
    return "; ".join(labels.get(v, str(v)) for v in values) or "–"


def aia_document(answers: dict[str, Any], lang: str) -> dict[str, Any]:
    """Score, thresholds and the scored answers page by page, in one language."""
    survey = canada_aia_survey()
    result = score(survey, answers)
    hidden = set(survey.hidden_answers(answers))
    pages: dict[str, dict[str, Any]] = {}
    for question in survey.scored:
        if question.name not in answers:
            continue
        page = survey.pages[question.page]
        entry = pages.setdefault(
            question.page,
            {"title": page.title_fr if lang == "fr" else page.title_en, "rows": []},
        )
        entry["rows"].append(
            {
                "name": question.name,
                "role": question.role,
                "question": question.title_fr if lang == "fr" else question.title_en,
                "answer": _answer_text(question, answers[question.name], lang),
                "points": answer_value(question, answers[question.name]),
                "max": question.max_score,
                "hidden": question.name in hidden,
            }
        )
    return {
        "score": result.model_dump(),
        "summary": result.summary(),
        "level_bounds": [result.max_raw_score * share for share in THRESHOLDS],
        "pages": list(pages.values()),
        "hidden": sorted(hidden),
        "unknown": unknown_names(survey, answers),
    }


def aia_record(path: str, t: Messages, fmt: str) -> str:
    """Markdown or HTML record of a saved Canada AIA answers file."""
    answers, prefix = load_json_answers(path)
    problems = validate_answers(canada_aia_survey(), answers)
    if problems:
        raise AnswersError(path, [p.with_prefix(prefix) for p in problems])
    env = Environment(
        loader=PackageLoader("vigie.ai", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    env.filters["num"] = lambda value, d=0: t.number(value, d)
    name = "canada_aia.html.j2" if fmt == "html" else "canada_aia.md.j2"
    return env.get_template(name).render(doc=aia_document(answers, t.lang), t=t, lang=t.lang)
