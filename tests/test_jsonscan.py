"""Tests for vigie.sources.jsonscan: locating the array and walking its elements."""

from __future__ import annotations

import pytest

from vigie.sources.jsonscan import (
    BrokenElement,
    Element,
    JsonShapeError,
    find_array,
    iter_elements,
)

PATHS = (("marches",), ("marches", "marche"))


def _scan(text: str) -> tuple[str, list[Element | BrokenElement]]:
    cursor, pointer = find_array(text, PATHS)
    return pointer, list(iter_elements(cursor, pointer))


def _shape_error(text: str) -> JsonShapeError:
    with pytest.raises(JsonShapeError) as info:
        find_array(text, PATHS)
    return info.value


# --- find_array ----------------------------------------------------------------------------


def test_find_array_top_level() -> None:
    text = '{"marches": [1, 2]}'
    cursor, pointer = find_array(text, PATHS)
    assert pointer == "/marches"
    assert text[: cursor.idx] == '{"marches": ['


def test_find_array_nested_marche() -> None:
    pointer, elements = _scan('{"marches": {"marche": [{"a": 1}]}}')
    assert pointer == "/marches/marche"
    assert elements == [Element({"a": 1}, "/marches/marche/0", 1, '{"a": 1}')]


def test_find_array_skips_other_keys_before() -> None:
    text = (
        '{"source": {"x": [1, {"marches": [9]}], "s": "]}["},'
        ' "n": 3.5, "ok": true, "nil": null, "marches": [true]}'
    )
    assert _scan(text) == ("/marches", [Element(True, "/marches/0", 1, "true")])


def test_find_array_skips_other_keys_inside_marches() -> None:
    text = '{"marches": {"meta": {"marche": 1}, "n": [], "marche": ["x"]}}'
    assert _scan(text) == ("/marches/marche", [Element("x", "/marches/marche/0", 1, '"x"')])


def test_find_array_escaped_key_is_matched() -> None:
    assert _scan('{"m\\u0061rches": [0]}') == ("/marches", [Element(0, "/marches/0", 1, "0")])


def test_find_array_pointer_escapes_tilde_and_slash() -> None:
    cursor, pointer = find_array('{"a/b~c": [5]}', (("a/b~c",),))
    assert pointer == "/a~1b~0c"
    assert list(iter_elements(cursor, pointer)) == [Element(5, "/a~1b~0c/0", 1, "5")]


def test_find_array_with_surrounding_whitespace() -> None:
    text = '\n\n  {\r\n\t"marches"  :\n [ ] }'
    assert _scan(text) == ("/marches", [])


@pytest.mark.parametrize(
    ("text", "message", "line", "pointer"),
    [
        ("[]", "expected '{' but found '['", 1, ""),
        ("", "expected '{' but found end of file", 1, ""),
        ("  \n ", "expected '{' but found end of file", 2, ""),
        ("{}", "no key /marches found", 1, ""),
        ('{"foo": 1}', "no key /marches found", 1, ""),
        ('{\n"foo": 1,\n"bar": 2\n}', "no key /marches found", 4, ""),
        (
            '{"marches": 5}',
            "/marches is not an array; expected /marches or /marches/marche",
            1,
            "/marches",
        ),
        (
            '{"marches":\n\n "x"}',
            "/marches is not an array; expected /marches or /marches/marche",
            3,
            "/marches",
        ),
        (
            '{"marches": null}',
            "/marches is not an array; expected /marches or /marches/marche",
            1,
            "/marches",
        ),
        ('{"marches": {"foo": []}}', "no key /marches/marche found", 1, "/marches"),
        (
            '{"marches": {"marche": 3}}',
            "/marches/marche is not an array; expected /marches or /marches/marche",
            1,
            "/marches/marche",
        ),
        (
            '{"marches": {"marche": {}}}',
            "/marches/marche is not an array; expected /marches or /marches/marche",
            1,
            "/marches/marche",
        ),
        (
            '{"marches": {"marche": {"x": []}}}',
            "/marches/marche is not an array; expected /marches or /marches/marche",
            1,
            "/marches/marche",
        ),
        ("{1: 2}", "object key is not a string", 1, ""),
        ('{"marches" []}', "expected ':' but found '['", 1, ""),
        (
            '{"a": [1,, 2], "marches": []}',
            "invalid JSON: Expecting value (line 1, column 10)",
            1,
            "/a",
        ),
        ('{"a":\n {"b": tru}}', "invalid JSON: Expecting value (line 2, column 8)", 2, "/a"),
        ('{"a": 1', "invalid JSON: Expecting value (line 1, column 8)", 1, ""),
    ],
)
def test_find_array_shape_errors(text: str, message: str, line: int, pointer: str) -> None:
    error = _shape_error(text)
    assert (str(error), error.line, error.pointer) == (message, line, pointer)


def test_shape_error_is_a_value_error() -> None:
    assert isinstance(_shape_error("[]"), ValueError)


def test_deeply_nested_skipped_value_is_a_shape_error() -> None:
    depth = 100_000
    error = _shape_error('{"a": ' + "[" * depth + "]" * depth + ', "marches": []}')
    assert error.pointer == "/a"
    assert str(error).startswith("invalid JSON")


def test_huge_integer_in_skipped_value_is_a_shape_error() -> None:
    error = _shape_error('{"n": 1' + "0" * 5000 + ', "marches": []}')
    assert error.pointer == "/n"
    assert str(error).startswith("invalid JSON")


# --- iter_elements -------------------------------------------------------------------------


def test_iter_elements_pointers_lines_and_raw() -> None:
    text = '{\n  "marches": [\n    {"id": "a"},\n    {\n      "id": "b"\n    },\n    7\n  ]\n}\n'
    assert _scan(text) == (
        "/marches",
        [
            Element({"id": "a"}, "/marches/0", 3, '{"id": "a"}'),
            Element({"id": "b"}, "/marches/1", 4, '{\n      "id": "b"\n    }'),
            Element(7, "/marches/2", 7, "7"),
        ],
    )


def test_iter_elements_empty_array() -> None:
    assert _scan('{"marches": [ \n ]}') == ("/marches", [])


def test_iter_elements_every_json_type() -> None:
    _, elements = _scan('{"marches": [null, true, false, 1, -2.5e3, "s", [], {}]}')
    assert [e.value for e in elements if isinstance(e, Element)] == [
        None,
        True,
        False,
        1,
        -2500.0,
        "s",
        [],
        {},
    ]
    assert [e.pointer for e in elements] == [f"/marches/{i}" for i in range(8)]


def test_iter_elements_many_lines_counted_incrementally() -> None:
    body = ",\n".join(f'{{"id": {i}}}' for i in range(500))
    _, elements = _scan('{"marches": [\n' + body + "\n]}")
    assert [e.line for e in elements] == list(range(2, 502))
    assert elements[-1] == Element({"id": 499}, "/marches/499", 501, '{"id": 499}')


def test_cursor_line_at_can_go_backwards() -> None:
    cursor, _ = find_array('{\n"marches"\n:\n[\n1]}', PATHS)
    assert cursor.line_at(len(cursor.text)) == 5
    assert cursor.line_at(0) == 1
    assert cursor.line_at(3) == 2


def test_broken_element_after_good_ones() -> None:
    text = '{"marches": [{"id": 1}, {"id": 2,, {"id": 3}]}'
    assert _scan(text)[1] == [
        Element({"id": 1}, "/marches/0", 1, '{"id": 1}'),
        BrokenElement(
            "/marches/1",
            1,
            "invalid JSON: Expecting property name enclosed in double quotes (line 1, column 34)",
            '{"id": 2,, {"id": 3}]}',
        ),
    ]


def test_truncated_element() -> None:
    _, elements = _scan('{"marches": [{"id": 1}, {"id": 2')
    assert elements[1:] == [
        BrokenElement(
            "/marches/1", 1, "invalid JSON: Expecting ',' delimiter (line 1, column 33)", '{"id": 2'
        )
    ]


def test_missing_comma_between_elements() -> None:
    assert _scan('{"marches": [1 2]}')[1] == [
        Element(1, "/marches/0", 1, "1"),
        BrokenElement("/marches/1", 1, "expected ',' or ']' after element but found '2'", "2]}"),
    ]


def test_end_of_file_after_element() -> None:
    assert _scan('{"marches": [1')[1] == [
        Element(1, "/marches/0", 1, "1"),
        BrokenElement(
            "/marches/1", 1, "expected ',' or ']' after element but found end of file", ""
        ),
    ]


def test_end_of_file_after_opening_bracket() -> None:
    assert _scan('{"marches": [')[1] == [
        BrokenElement("/marches/0", 1, "invalid JSON: Expecting value (line 1, column 14)", "")
    ]


def test_trailing_comma_is_broken() -> None:
    assert _scan('{"marches": [1,]}')[1] == [
        Element(1, "/marches/0", 1, "1"),
        BrokenElement("/marches/1", 1, "invalid JSON: Expecting value (line 1, column 16)", "]}"),
    ]


def test_broken_element_line_and_nothing_after_it() -> None:
    text = '{"marches": [\n1,\n\n  x, 3, 4]}'
    assert _scan(text)[1] == [
        Element(1, "/marches/0", 2, "1"),
        BrokenElement(
            "/marches/1", 4, "invalid JSON: Expecting value (line 4, column 3)", "x, 3, 4]}"
        ),
    ]


def test_broken_element_excerpt_is_bounded() -> None:
    _, elements = _scan('{"marches": [' + "x" * 1000)
    broken = elements[0]
    assert isinstance(broken, BrokenElement)
    assert broken.excerpt == "x" * 200


def test_deeply_nested_element_is_broken_not_a_crash() -> None:
    depth = 100_000
    text = '{"marches": [{"id": 1},\n' + "[" * depth + "]" * depth + ", 3]}"
    _, elements = _scan(text)
    assert elements[0] == Element({"id": 1}, "/marches/0", 1, '{"id": 1}')
    assert len(elements) == 2
    broken = elements[1]
    assert isinstance(broken, BrokenElement)
    assert (broken.pointer, broken.line) == ("/marches/1", 2)
    assert broken.reason.startswith("invalid JSON")


def test_huge_integer_element_is_broken_not_a_crash() -> None:
    _, elements = _scan('{"marches": [1, 2' + "0" * 5000 + "]}")
    assert elements[0] == Element(1, "/marches/0", 1, "1")
    assert len(elements) == 2
    broken = elements[1]
    assert isinstance(broken, BrokenElement)
    assert broken.pointer == "/marches/1"
    assert broken.reason.startswith("invalid JSON")


def test_large_but_allowed_integer_is_read() -> None:
    digits = "9" * 4000
    _, elements = _scan('{"marches": [' + digits + "]}")
    assert elements == [Element(int(digits), "/marches/0", 1, digits)]
