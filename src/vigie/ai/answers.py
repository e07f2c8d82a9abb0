"""Reading answers files (JSON or YAML) safely, with every problem located by a JSON pointer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_ANSWERS_BYTES = 5_000_000


@dataclass(frozen=True)
class AnswerProblem:
    """One problem in an answers file: where (JSON pointer), what (message key) and details."""

    pointer: str
    code: str
    params: dict[str, str] = field(default_factory=dict)

    def with_prefix(self, prefix: str) -> AnswerProblem:
        """The same problem, its pointer placed under ``prefix`` (e.g. ``/data``)."""
        return AnswerProblem(prefix + self.pointer, self.code, self.params)


class AnswersError(ValueError):
    """An answers file that cannot be scored; ``problems`` lists every reason."""

    def __init__(self, path: str, problems: list[AnswerProblem]) -> None:
        self.path = path
        self.problems = problems
        detail = "; ".join(f"{p.pointer or '/'}: {p.code} {p.params}" for p in problems[:5])
        super().__init__(f"{path}: {len(problems)} problem(s): {detail}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice")
        result[key] = value
    return result


def read_text(path: str) -> str:
    """The text of a small UTF-8 file (a BOM is allowed); AnswersError if too big or not UTF-8."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_ANSWERS_BYTES:
            raise AnswersError(
                path,
                [AnswerProblem("", "ai_problem_too_large", {"limit": str(MAX_ANSWERS_BYTES)})],
            )
        return file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswersError(path, [AnswerProblem("", "ai_problem_not_utf8", {})]) from exc
    except OSError as exc:
        raise AnswersError(
            path, [AnswerProblem("", "ai_problem_unreadable", {"error": exc.strerror or ""})]
        ) from exc


def parse_document(path: str, text: str) -> Any:
    """Parse JSON (``.json``) or YAML (anything else) text; AnswersError when it is broken."""
    try:
        if path.lower().endswith(".json"):
            return json.loads(text, object_pairs_hook=_no_duplicates)
        return yaml.safe_load(text)
    except (ValueError, RecursionError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise AnswersError(
            path, [AnswerProblem("", "ai_problem_broken", {"error": reason})]
        ) from exc


def load_json_answers(path: str) -> tuple[dict[str, Any], str]:
    """Answers of a SurveyJS saved file: the object itself or its ``data`` member.

    The official Canada AIA tool saves ``{"currentPage": n, "data": {name: value}}``; a bare
    ``{name: value}`` object is accepted too. Returns the answers and their JSON pointer prefix.
    """
    document = parse_document(path, read_text(path))
    if not isinstance(document, dict):
        raise AnswersError(path, [AnswerProblem("", "ai_problem_not_object", {})])
    if "data" in document:
        if not isinstance(document["data"], dict):
            raise AnswersError(path, [AnswerProblem("/data", "ai_problem_not_object", {})])
        return dict(document["data"]), "/data"
    return dict(document), ""
