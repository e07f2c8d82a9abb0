"""Filling a questionnaire in the terminal with Rich prompts.

Questions are asked in order, hidden ones skipped (their conditions read the answers given so
far), and the questions stop as soon as a stop rule holds. The result is a plain answers object,
checked by the same validation as an answers file.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from rich.console import Console
from rich.prompt import Confirm, IntPrompt, Prompt

from vigie.ai.questionnaire_eval import holds
from vigie.ai.questionnaire_model import RISK_FACTORS, Question, Questionnaire
from vigie.present import Messages


class Asker:
    """Prompts for every question type, on one console, in one language."""

    def __init__(self, console: Console, t: Messages) -> None:
        self.console = console
        self.t = t

    def _choices(self, question: Question) -> None:
        for number, choice in enumerate(question.choices, start=1):
            self.console.print(f"  {number}. {choice.text.get(self.t.lang)}", markup=False)

    def _numbers(self, text: str, count: int) -> list[int] | None:
        try:
            numbers = [int(p) for p in text.replace(" ", "").split(",") if p]
        except ValueError:
            return None
        if any(not 1 <= n <= count for n in numbers) or len(set(numbers)) != len(numbers):
            return None
        return numbers

    def choice(self, question: Question) -> str | None:
        """One choice, by number."""
        self._choices(question)
        while True:
            text = Prompt.ask(self.t("ai_q_fill_choose"), console=self.console, default="")
            numbers = self._numbers(text, len(question.choices))
            if text == "" and not question.required:
                return None
            if numbers is not None and len(numbers) == 1:
                return question.choices[numbers[0] - 1].value
            self.console.print(self.t("ai_q_fill_invalid"))

    def multi(self, question: Question) -> list[str]:
        """Several choices, by numbers separated by commas."""
        self._choices(question)
        while True:
            text = Prompt.ask(self.t("ai_q_fill_multi"), console=self.console, default="")
            numbers = self._numbers(text, len(question.choices))
            if numbers is not None:
                return [question.choices[n - 1].value for n in numbers]
            self.console.print(self.t("ai_q_fill_invalid"))

    def date(self, label: str, required: bool) -> str | None:
        """A date in ISO form (YYYY-MM-DD)."""
        while True:
            text = Prompt.ask(label, console=self.console, default="").strip()
            if not text and not required:
                return None
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                self.console.print(self.t("ai_q_bad_date"))

    def number(self, required: bool) -> float | int | None:
        """A number (blank allowed when the question is optional)."""
        while True:
            text = Prompt.ask(">", console=self.console, default="").strip().replace(",", ".")
            if not text and not required:
                return None
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if math.isfinite(value):
                return int(value) if value.is_integer() else value
            self.console.print(self.t("ai_q_bad_number"))

    def names(self) -> list[str]:
        """Texts until a blank line."""
        items = []
        while text := Prompt.ask(self.t("ai_q_fill_list_item"), console=self.console, default=""):
            items.append(text.strip())
        return [i for i in items if i]

    def risks(self) -> list[dict[str, Any]]:
        """Risks of the register, each with its four factors from 1 to 4."""
        register = []
        while Confirm.ask(self.t("ai_q_fill_add_risk"), console=self.console, default=False):
            risk: dict[str, Any] = {"right": ""}
            while not risk["right"]:
                risk["right"] = Prompt.ask(self.t("ai_q_right"), console=self.console).strip()
            for factor in RISK_FACTORS:
                value = 0
                while not 1 <= value <= 4:
                    value = IntPrompt.ask(f"{self.t('ai_q_' + factor)} (1-4)", console=self.console)
                risk[factor] = value
            for field in ("mitigation", "owner"):
                text = Prompt.ask(self.t("ai_q_" + field), console=self.console, default="")
                if text:
                    risk[field] = text
            review = self.date(self.t("ai_q_review"), required=False)
            if review:
                risk["review_date"] = review
            register.append(risk)
        return register

    def ask(self, question: Question) -> Any:
        """The answer to one question (None when an optional question is left blank)."""
        self.console.print(f"\n[bold]{question.text.get(self.t.lang)}[/bold]", highlight=False)
        handlers: dict[str, Any] = {
            "boolean": lambda: Confirm.ask(">", console=self.console),
            "choice": lambda: self.choice(question),
            "multi": lambda: self.multi(question),
            "number": lambda: self.number(question.required),
            "date": lambda: self.date(">", question.required),
            "list": self.names,
            "risks": self.risks,
        }
        if question.type in handlers:
            return handlers[question.type]()
        text = Prompt.ask(">", console=self.console, default="").strip()
        return text or None


def fill(questionnaire: Questionnaire, asker: Asker) -> dict[str, Any]:
    """Ask the questionnaire's questions; stop after the section where a stop rule holds."""
    answers: dict[str, Any] = {}
    asker.console.print(f"[bold]{questionnaire.title.get(asker.t.lang)}[/bold]")
    asker.console.print(questionnaire.intro.get(asker.t.lang), markup=False)
    asker.console.print(asker.t("ai_q_fill_intro"), markup=False)
    for section in questionnaire.sections:
        if section.when is not None and not holds(section.when, answers):
            continue
        asker.console.rule(section.title.get(asker.t.lang))
        for question in section.questions:
            if question.when is not None and not holds(question.when, answers):
                continue
            value = asker.ask(question)
            if value is not None and value != []:
                answers[question.id] = value
        stop = next((r for r in questionnaire.stop_rules if holds(r.condition, answers)), None)
        if stop is not None:
            asker.console.print(f"\n[red]{stop.message.get(asker.t.lang)}[/red]", highlight=False)
            break
    return answers
