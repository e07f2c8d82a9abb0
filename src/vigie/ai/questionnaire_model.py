"""Questionnaires as data: sections, questions, conditions, stop rules, classifications, checks.

A questionnaire is a YAML file validated on load; conditions are small structured expressions
(never code), so a questionnaire can be read, reviewed and translated without reading Python.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from vigie.datamodel import Text

QuestionType = Literal["boolean", "choice", "multi", "text", "number", "date", "list", "risks"]
RISK_FACTORS = ("scale", "scope", "reversibility", "probability")


ID = r"^[A-Za-z0-9_.-]+$"


class Choice(BaseModel):
    """One choice of a choice or multi question."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: str = Field(pattern=ID)
    text: Text


class Condition(BaseModel):
    """``question`` compared with one of ``equals``, ``contains`` or ``answered``; or all/any."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: str | None = None
    equals: bool | str | float | None = None
    contains: str | None = None
    answered: bool | None = None
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        tests = [self.equals is not None, self.contains is not None, self.answered is not None]
        if self.question is not None and sum(tests) != 1:
            raise ValueError(
                "a condition on a question needs exactly one of equals/contains/answered"
            )
        if self.question is None and not (self.all or self.any):
            raise ValueError("a condition needs a question, or all/any")
        return self

    def questions(self) -> set[str]:
        """Every question the condition reads."""
        found = {self.question} if self.question else set()
        for sub in (*self.all, *self.any):
            found |= sub.questions()
        return found


class Question(BaseModel):
    """A question; ``when`` hides it unless the condition holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID)
    type: QuestionType
    text: Text
    help: Text | None = None
    choices: tuple[Choice, ...] = ()
    required: bool = False
    when: Condition | None = None
    reference: str | None = None

    @model_validator(mode="after")
    def _choices_fit(self) -> Question:
        has_choices = self.type in ("choice", "multi")
        if has_choices != bool(self.choices):
            raise ValueError(f"question {self.id}: choices go with choice/multi questions only")
        values = [c.value for c in self.choices]
        if len(set(values)) != len(values):
            raise ValueError(f"question {self.id}: a choice value appears twice")
        return self


class Section(BaseModel):
    """A titled group of questions, with its source (law, guidance)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID)
    title: Text
    intro: Text | None = None
    reference: str | None = None
    when: Condition | None = None
    questions: tuple[Question, ...] = Field(min_length=1)


class Outcome(BaseModel):
    """What a rule means, in both languages, with the provision it rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Text | None = None
    message: Text
    reference: str | None = None


class Rule(Outcome):
    """A condition and what it means: stop the assessment, set a class, or report a gap."""

    condition: Condition


class Classification(BaseModel):
    """Ordered rules; the first that holds gives the class, else ``default``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: Text
    rules: tuple[Rule, ...]
    default: Outcome


class Questionnaire(BaseModel):
    """A whole questionnaire; references between its parts are checked on load."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: str
    title: Text
    intro: Text
    sections: tuple[Section, ...] = Field(min_length=1)
    stop_rules: tuple[Rule, ...] = ()
    classifications: tuple[Classification, ...] = ()
    checks: tuple[Rule, ...] = ()

    def questions(self) -> dict[str, Question]:
        """Every question by id."""
        return {q.id: q for s in self.sections for q in s.questions}

    @model_validator(mode="after")
    def _references(self) -> Questionnaire:
        ids = [q.id for s in self.sections for q in s.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("a question id appears twice")
        conditions = [q.when for s in self.sections for q in s.questions if q.when]
        conditions += [s.when for s in self.sections if s.when]
        rules = [*self.stop_rules, *self.checks]
        rules += [r for c in self.classifications for r in c.rules]
        conditions += [r.condition for r in rules]
        unknown = sorted({q for c in conditions for q in c.questions()} - set(ids))
        if unknown:
            raise ValueError(f"conditions name unknown questions: {', '.join(unknown)}")
        return self


QUESTIONNAIRES = ("vigie-rights",)


@cache
def load_questionnaire(name: str) -> Questionnaire:
    """A questionnaire shipped with vigie, by name (validated once)."""
    if name not in QUESTIONNAIRES:
        raise KeyError(name)
    path = files("vigie.ai").joinpath("data", "questionnaires", f"{name}.yaml")
    return parse_questionnaire(yaml.safe_load(path.read_text(encoding="utf-8")))


def parse_questionnaire(document: Any) -> Questionnaire:
    """Validate a questionnaire document (raises pydantic's ValidationError)."""
    return Questionnaire.model_validate(document)
