"""Normalising amounts, currencies, countries, CPV codes and dates (shared by the xml readers)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigie.sources import fieldvalues as fv
from vigie.sources.records import Classification, Note


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("7834899.64", ".", 7834899.64),
        ("12 500,50", ",", 12500.5),
        ("12\u00a0500,50", ",", 12500.5),
        ("1,234,567.5", ".", 1234567.5),
        ("1.234.567,5", ",", 1234567.5),
        ("1'000", ".", 1000.0),
        ("0", ".", 0.0),
    ],
)
def test_amounts(text: str, decimal: str, expected: float) -> None:
    notes: list[Note] = []
    assert fv.amount(text, notes, decimal) == expected
    assert notes == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (None, "no_amount"),
        ("  ", "no_amount"),
        ("abc", "amount_not_number"),
        ("-5", "amount_out_of_range"),
        ("1e999", "amount_out_of_range"),
        ("nan", "amount_out_of_range"),
    ],
)
def test_bad_amounts(text: str | None, code: str) -> None:
    notes: list[Note] = []
    assert fv.amount(text, notes) is None
    assert [n.code for n in notes] == [code]


def test_currencies_and_countries() -> None:
    notes: list[Note] = []
    assert fv.currency(" eur ", notes) == "EUR"
    assert fv.currency("€", notes) == "EUR"  # a known spelling (ISO 4217 table)
    assert fv.currency("XYZ", notes) is None  # three letters, but not an ISO 4217 code
    assert fv.currency(None, notes) is None
    assert fv.currency("EUR", notes) == "EUR"
    assert [n.code for n in notes] == [
        "xml_currency_repaired",
        "xml_currency_repaired",
        "xml_bad_currency",
        "xml_no_currency",
    ]
    notes.clear()
    assert [fv.country(c, notes) for c in ("FR", "fra", "UK", "EL", "ESP", None, "")] == [
        "fr",
        "fr",
        "gb",
        "gr",
        "es",
        None,
        None,
    ]
    assert [fv.country(c, notes) for c in ("ZZ", "France", "1A")] == [None, None, None]
    assert [n.code for n in notes] == ["xml_unknown_country"] * 3


def test_cpv() -> None:
    notes: list[Note] = []
    assert fv.cpv("72000000-5", notes) == "72000000"
    assert fv.cpv("3000000", notes) == "03000000"
    assert fv.cpv("CPV 72", notes) is None
    assert [n.code for n in notes] == ["cpv_leading_zero", "bad_cpv"]
    labels = {"72000000": "IT services"}
    assert fv.cpv_classifications(["72000000", "72000000-5", "48000000"], labels, []) == (
        Classification("CPV", "72000000", "IT services"),
        Classification("CPV", "48000000"),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-03-18", ("2020-03-18", None)),
        ("20200318", ("2020-03-18", None)),
        ("2020-03-18+01:00", ("2020-03-18", "2020-03-18T00:00:00+01:00")),
        ("2020-03-18Z", ("2020-03-18", "2020-03-18T00:00:00+00:00")),
        ("2020-03-18T10:30:00+02:00", ("2020-03-18", "2020-03-18T10:30:00+02:00")),
        ("2020-03-18T10:30:00", ("2020-03-18", None)),
        (None, (None, None)),
    ],
)
def test_dates(text: str | None, expected: tuple[str | None, str | None]) -> None:
    notes: list[Note] = []
    assert fv.iso_date(text, "f", notes) == expected
    assert notes == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2020-02-30", "impossible_date"),
        ("1850-01-01", "impossible_date"),
        ("18/03/2020", "bad_date"),
    ],
)
def test_bad_dates(text: str, code: str) -> None:
    notes: list[Note] = []
    assert fv.iso_date(text, "f", notes) == (None, None)
    assert [n.code for n in notes] == [code]


@given(st.text(max_size=30), st.sampled_from([".", ","]))
def test_amount_is_finite_or_noted(text: str, decimal: str) -> None:
    notes: list[Note] = []
    value = fv.amount(text, notes, decimal)
    assert (value is None) == bool(notes)
    if value is not None:
        assert math.isfinite(value) and value >= 0


@given(st.text(max_size=40))
def test_dates_never_crash(text: str) -> None:
    day, stamp = fv.iso_date(text, "f", [])
    assert stamp is None or (day is not None and stamp.startswith(day))
