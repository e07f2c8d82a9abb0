"""An evaluated questionnaire as plain data (JSON), Markdown or HTML, in French or English."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vigie.ai.questionnaire_model import RISK_FACTORS, Outcome, Question, Questionnaire
from vigie.present import Messages


def _outcome(outcome: Outcome | None, lang: str) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return {
        "id": outcome.id,
        "label": outcome.label.get(lang) if outcome.label else outcome.id,
        "message": outcome.message.get(lang),
        "reference": outcome.reference,
    }


def display(question: Question, value: Any, t: Messages) -> str:
    """An answer as a reader sees it (labels of choices, yes/no, lists joined)."""
    labels = {c.value: c.text.get(t.lang) for c in question.choices}
    shown: dict[str, Any] = {
        "boolean": lambda: t("ai_q_yes") if value else t("ai_q_no"),
        "choice": lambda: labels.get(value, str(value)),
        "multi": lambda: "; ".join(labels.get(v, str(v)) for v in value),
        "list": lambda: "; ".join(str(v) for v in value),
        "number": lambda: t.number(value, 0 if float(value).is_integer() else 2),
        "risks": lambda: t("ai_q_n_risks", n=len(value)),
    }
    return str(shown[question.type]()) if question.type in shown else str(value)


def _sections(
    questionnaire: Questionnaire, result: dict[str, Any], t: Messages
) -> list[dict[str, Any]]:
    questions = questionnaire.questions()
    sections = []
    for section, state in zip(questionnaire.sections, result["sections"], strict=True):
        rows = [
            {
                "id": qid,
                "question": questions[qid].text.get(t.lang),
                "answer": display(questions[qid], result["answers"][qid], t),
                "reference": questions[qid].reference,
            }
            for qid in state["answered"]
        ]
        sections.append(
            {
                "id": section.id,
                "title": section.title.get(t.lang),
                "reference": section.reference,
                "assessed": state["assessed"],
                "rows": rows,
            }
        )
    return sections


def to_document(
    questionnaire: Questionnaire,
    result: dict[str, Any],
    t: Messages,
    suppliers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The evaluation as plain data in one language (for JSON and the templates)."""
    questions = questionnaire.questions()
    lang = t.lang
    sections = _sections(questionnaire, result, t)
    return {
        "questionnaire": questionnaire.id,
        "version": questionnaire.version,
        "title": questionnaire.title.get(lang),
        "intro": questionnaire.intro.get(lang),
        "status": result["status"],
        "stop": _outcome(result["stop"], lang),
        "classifications": {
            cid: {
                "title": next(
                    c.title.get(lang) for c in questionnaire.classifications if c.id == cid
                ),
                **(_outcome(o, lang) or {}),
            }
            for cid, o in result["classifications"].items()
        },
        "gaps": [_outcome(g, lang) for g in result["gaps"]],
        "missing": [{"id": q, "question": questions[q].text.get(lang)} for q in result["missing"]],
        "ignored_hidden_answers": result["ignored_hidden_answers"],
        "sections": sections,
        "risks": result["risks"],
        "suppliers": suppliers or [],
        "answers": result["answers"],
    }


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("vigie.ai", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    return env


def render_questionnaire(document: dict[str, Any], t: Messages, fmt: str) -> str:
    """Markdown (``md``) or HTML (``html``) report of an evaluated questionnaire."""
    name = "questionnaire.html.j2" if fmt == "html" else "questionnaire.md.j2"
    template = _environment().get_template(name)
    return template.render(doc=document, t=t, factors=RISK_FACTORS, lang=t.lang)
