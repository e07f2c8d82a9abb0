"""Library entry points of the questionnaires: evaluate an answers file, render it, fill one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vigie.ai.canada_aia import survey_document
from vigie.ai.questionnaire_eval import evaluate, load_answers
from vigie.ai.questionnaire_fill import Asker, fill
from vigie.ai.questionnaire_model import Questionnaire, load_questionnaire
from vigie.ai.questionnaire_render import render_questionnaire, to_document
from vigie.ai.suppliers import screen_suppliers
from vigie.ai.surveyjs import questionnaire_from_survey
from vigie.datamodel import Text
from vigie.present import Messages

FILLABLE = ("vigie-rights", "canada-aia")


def get_questionnaire(name: str) -> Questionnaire:
    """A questionnaire by name: vigie's own (YAML) or the Canada AIA (translated from SurveyJS)."""
    if name == "canada-aia":
        return questionnaire_from_survey(
            survey_document(),
            "canada-aia",
            Text(
                en="Algorithmic Impact Assessment (Government of Canada)",
                fr="Évaluation de l'incidence algorithmique (gouvernement du Canada)",
            ),
            Text(
                en="The official questionnaire, asked page by page; score the answers with "
                "vigie aia score -q canada-aia.",
                fr="Le questionnaire officiel, page par page ; noter les réponses avec "
                "vigie aia score -q canada-aia.",
            ),
        )
    return load_questionnaire(name)


def assess_file(name: str, path: str, t: Messages, screen: bool = True) -> dict[str, Any]:
    """Evaluate an answers file of a shipped questionnaire, in the language of ``t``.

    ``screen`` matches the suppliers named in the answers against the knowledge base. Raises
    AnswersError (bad file) or KeyError (unknown questionnaire).
    """
    questionnaire = load_questionnaire(name)
    answers = load_answers(questionnaire, path)
    result = evaluate(questionnaire, answers)
    names = result["answers"].get("supplier_names") or []
    suppliers = screen_suppliers(list(names)) if screen and names else []
    return to_document(questionnaire, result, t, suppliers)


def render_file(name: str, path: str, t: Messages, fmt: str, screen: bool = True) -> str:
    """Markdown or HTML report of an answers file."""
    return render_questionnaire(assess_file(name, path, t, screen), t, fmt)


def fill_to_file(name: str, asker: Asker, output: Path) -> dict[str, Any]:
    """Fill a questionnaire in the terminal and write the answers as YAML to ``output``."""
    answers = fill(get_questionnaire(name), asker)
    output.write_text(
        yaml.safe_dump(answers, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return answers
