"""Library entry points of the questionnaires: evaluate an answers file, render it, fill one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vigie.ai.questionnaire_eval import evaluate, load_answers
from vigie.ai.questionnaire_fill import Asker, fill
from vigie.ai.questionnaire_model import load_questionnaire
from vigie.ai.questionnaire_render import render_questionnaire, to_document
from vigie.ai.suppliers import screen_suppliers
from vigie.present import Messages


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
    answers = fill(load_questionnaire(name), asker)
    output.write_text(
        yaml.safe_dump(answers, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return answers
