"""A SurveyJS questionnaire (such as the Canada AIA) as a vigie questionnaire, to fill it here.

Only the parts the Canada AIA uses are translated: pages, panels, radiogroup / dropdown /
checkbox / text / comment questions, bilingual texts, ``isRequired``, and ``visibleIf``
expressions made of ``{name} = "value"``, ``{name} contains "value"`` (or ``["value", ...]``),
``and``, ``or`` and parentheses. Anything else raises ValueError rather than being guessed.
"""

from __future__ import annotations

import re
from typing import Any

from vigie.ai.questionnaire_model import (
    Choice,
    Condition,
    Question,
    Questionnaire,
    Section,
)
from vigie.datamodel import Text

_TOKEN = re.compile(
    r'\s*(?:(?P<name>\{[^{}]+\})|(?P<string>"[^"]*")|(?P<word>and|or|contains)\b'
    r"|(?P<symbol>[()=\[\],]))"
)
TYPES = {
    "radiogroup": "choice",
    "dropdown": "choice",
    "checkbox": "multi",
    "text": "text",
    "comment": "text",
}


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"unsupported expression at {position}: {text!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over ``or`` / ``and`` / comparisons / parentheses."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self, value: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if token is None or (value is not None and token[1] != value):
            raise ValueError(f"expected {value or 'a token'} in expression")
        self.index += 1
        return token

    def parse(self) -> Condition:
        condition = self._either()
        if self._peek() is not None:
            raise ValueError("unexpected text after the expression")
        return condition

    def _either(self) -> Condition:
        parts = [self._both()]
        while self._peek() == ("word", "or"):
            self._take()
            parts.append(self._both())
        return parts[0] if len(parts) == 1 else Condition(any=tuple(parts))

    def _both(self) -> Condition:
        parts = [self._single()]
        while self._peek() == ("word", "and"):
            self._take()
            parts.append(self._single())
        return parts[0] if len(parts) == 1 else Condition(all=tuple(parts))

    def _values(self) -> list[str]:
        if self._peek() == ("symbol", "["):
            self._take("[")
            values = [self._take()[1].strip('"')]
            while self._peek() == ("symbol", ","):
                self._take(",")
                values.append(self._take()[1].strip('"'))
            self._take("]")
            return values
        kind, value = self._take()
        if kind != "string":
            raise ValueError("expected a quoted value")
        return [value.strip('"')]

    def _single(self) -> Condition:
        if self._peek() == ("symbol", "("):
            self._take("(")
            inner = self._either()
            self._take(")")
            return inner
        kind, name = self._take()
        if kind != "name":
            raise ValueError("expected {question}")
        question = name[1:-1].strip()
        operator = self._take()[1]
        values = self._values()
        if operator == "=" and len(values) == 1:
            return Condition(question=question, equals=values[0])
        if operator == "contains":
            parts = tuple(Condition(question=question, contains=v) for v in values)
            return parts[0] if len(parts) == 1 else Condition(all=parts)
        raise ValueError(f"unsupported operator {operator!r}")


def parse_expression(text: str) -> Condition:
    """A SurveyJS ``visibleIf`` expression as a vigie condition (ValueError if unsupported)."""
    return _Parser(text).parse()


def _text(value: Any, fallback: str) -> Text:
    if isinstance(value, dict):
        english = str(value.get("default") or value.get("en") or fallback)
        return Text(en=english, fr=str(value.get("fr") or english))
    return Text(en=str(value or fallback), fr=str(value or fallback))


def _question(element: dict[str, Any]) -> Question:
    name = str(element["name"])
    choices = tuple(
        Choice(
            value=str(c["value"] if isinstance(c, dict) else c),
            text=_text(c.get("text") if isinstance(c, dict) else c, str(c)),
        )
        for c in element.get("choices", [])
    )
    return Question(
        id=name,
        type=TYPES[element["type"]],  # type: ignore[arg-type]
        text=_text(element.get("title"), name),
        choices=choices,
        required=bool(element.get("isRequired", False)),
        when=parse_expression(element["visibleIf"]) if element.get("visibleIf") else None,
    )


def _questions(elements: list[Any], seen: set[str]) -> list[Question]:
    found = []
    for element in elements:
        if not isinstance(element, dict):
            continue
        if element.get("type") == "panel":
            found += _questions(element.get("elements", []), seen)
        elif element.get("type") in TYPES and element.get("name") not in seen:
            seen.add(str(element["name"]))
            found.append(_question(element))
    return found


def questionnaire_from_survey(
    document: dict[str, Any], identifier: str, title: Text, intro: Text
) -> Questionnaire:
    """Pages become sections (pages without questions are dropped), panels are flattened."""
    seen: set[str] = set()
    sections = []
    for page in document.get("pages", []):
        questions = _questions(page.get("elements", []), seen)
        if not questions:
            continue
        first = next((e for e in page.get("elements", []) if isinstance(e, dict)), {})
        sections.append(
            Section(
                id=str(page.get("name")),
                title=_text(page.get("title") or first.get("title"), str(page.get("name"))),
                when=parse_expression(page["visibleIf"]) if page.get("visibleIf") else None,
                questions=tuple(questions),
            )
        )
    return Questionnaire(
        id=identifier, version="survey-enfr", title=title, intro=intro, sections=tuple(sections)
    )
