"""Element-by-element reading of a JSON array inside a document, with positions.

A syntax error in one element must not lose the elements before it, and every element
must carry where it was found (JSON pointer and line), so this walks the text with
:meth:`json.JSONDecoder.raw_decode` instead of parsing the whole document at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_WS = " \t\n\r"
MAX_DEPTH_KEYS = 8


class JsonShapeError(ValueError):
    """The document is valid so far but not of the expected shape, or is broken JSON."""

    def __init__(self, message: str, line: int, pointer: str) -> None:
        super().__init__(message)
        self.line = line
        self.pointer = pointer


@dataclass(frozen=True, slots=True)
class Element:
    """An array element: its value, JSON pointer, first line and raw text (for excerpts)."""

    value: Any
    pointer: str
    line: int
    raw: str


@dataclass(frozen=True, slots=True)
class BrokenElement:
    """An element that is not valid JSON; the scan stops after it."""

    pointer: str
    line: int
    reason: str
    excerpt: str


class _Cursor:
    """Position in the text with an incrementally maintained line number."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.idx = 0
        self._line_idx = 0
        self._line = 1

    def line_at(self, idx: int) -> int:
        if idx < self._line_idx:
            return self.text.count("\n", 0, idx) + 1
        self._line += self.text.count("\n", self._line_idx, idx)
        self._line_idx = idx
        return self._line

    def skip_ws(self) -> str:
        text, n = self.text, len(self.text)
        while self.idx < n and text[self.idx] in _WS:
            self.idx += 1
        return text[self.idx] if self.idx < n else ""

    def expect(self, char: str, pointer: str) -> None:
        got = self.skip_ws()
        if got != char:
            shown = repr(got) if got else "end of file"
            raise JsonShapeError(
                f"expected {char!r} but found {shown}", self.line_at(self.idx), pointer
            )
        self.idx += 1

    def decode_value(self, pointer: str) -> tuple[Any, int]:
        self.skip_ws()
        start = self.idx
        try:
            value, end = _DECODER.raw_decode(self.text, start)
        except json.JSONDecodeError as exc:
            raise JsonShapeError(
                f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                exc.lineno,
                pointer,
            ) from None
        except RecursionError:
            raise JsonShapeError(
                "invalid JSON: nested too deeply", self.line_at(start), pointer
            ) from None
        except ValueError:  # an integer past sys.get_int_max_str_digits()
            raise JsonShapeError(
                "invalid JSON: number with too many digits", self.line_at(start), pointer
            ) from None
        self.idx = end
        return value, start


def find_array(text: str, path: tuple[tuple[str, ...], ...]) -> tuple[_Cursor, str]:
    """Move a cursor to the opening of the array reached by one of the key paths.

    ``path`` lists alternatives, each a sequence of object keys, e.g.
    ``(("marches",), ("marches", "marche"))``. Values of other keys are skipped.
    Raises :class:`JsonShapeError` when no alternative leads to an array.
    """
    cursor = _Cursor(text)
    prefixes = {alt[:i] for alt in path for i in range(1, len(alt) + 1)}
    wanted = set(path)
    trail: tuple[str, ...] = ()
    while True:
        cursor.expect("{", _pointer(trail))
        key = _scan_object_for(cursor, trail, prefixes)
        trail = (*trail, key)
        cursor.skip_ws()
        nxt = cursor.text[cursor.idx : cursor.idx + 1]
        if nxt == "[" and trail in wanted:
            cursor.idx += 1
            return cursor, _pointer(trail)
        if nxt != "{" or not any(p[: len(trail)] == trail and len(p) > len(trail) for p in path):
            expected = " or ".join("/" + "/".join(alt) for alt in sorted(path))
            raise JsonShapeError(
                f"{_pointer(trail)} is not an array; expected {expected}",
                cursor.line_at(cursor.idx),
                _pointer(trail),
            )


def _scan_object_for(
    cursor: _Cursor, trail: tuple[str, ...], prefixes: set[tuple[str, ...]]
) -> str:
    """Inside an object, skip members until a key in ``prefixes``; leave cursor at its value."""
    pointer = _pointer(trail)
    while True:
        if cursor.skip_ws() == "}":
            wanted = sorted("/" + "/".join(p) for p in prefixes if len(p) == len(trail) + 1)
            raise JsonShapeError(
                f"no key {' or '.join(wanted)} found", cursor.line_at(cursor.idx), pointer
            )
        key, _ = cursor.decode_value(pointer)
        if not isinstance(key, str):
            raise JsonShapeError("object key is not a string", cursor.line_at(cursor.idx), pointer)
        cursor.expect(":", pointer)
        if (*trail, key) in prefixes:
            return key
        cursor.decode_value(_pointer((*trail, key)))
        if cursor.skip_ws() == ",":
            cursor.idx += 1


def iter_elements(cursor: _Cursor, pointer: str) -> Iterator[Element | BrokenElement]:
    """Yield the elements of the array whose ``[`` the cursor just passed."""
    index = 0
    if cursor.skip_ws() == "]":
        return
    while True:
        element_pointer = f"{pointer}/{index}"
        try:
            value, start = cursor.decode_value(element_pointer)
        except JsonShapeError as exc:
            start = cursor.idx
            yield BrokenElement(
                element_pointer, cursor.line_at(start), str(exc), cursor.text[start : start + 200]
            )
            return
        yield Element(
            value, element_pointer, cursor.line_at(start), cursor.text[start : cursor.idx]
        )
        index += 1
        sep = cursor.skip_ws()
        if sep == "]":
            return
        if sep != ",":
            shown = repr(sep) if sep else "end of file"
            yield BrokenElement(
                f"{pointer}/{index}",
                cursor.line_at(cursor.idx),
                f"expected ',' or ']' after element but found {shown}",
                cursor.text[cursor.idx : cursor.idx + 200],
            )
            return
        cursor.idx += 1


def _pointer(trail: tuple[str, ...]) -> str:
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in trail)
