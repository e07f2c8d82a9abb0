"""ISO 4217 currencies: codes kept, spellings repaired, unknown values rejected."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigie.sources.currency import currency_table, normalize_currency


@pytest.mark.parametrize(
    ("raw", "code", "status"),
    [
        ("EUR", "EUR", "ok"),
        ("PYG", "PYG", "ok"),
        ("HRK", "HRK", "ok"),  # historic codes stay valid for old data
        ("mdl", "MDL", "repaired"),
        (" eur. ", "EUR", "repaired"),
        ("Eur", "EUR", "repaired"),
        ("EURO", "EUR", "repaired"),
        ("euros", "EUR", "repaired"),
        ("€", "EUR", "repaired"),
        ("US$", "USD", "repaired"),
        ("us $", "USD", "repaired"),
        ("£", "GBP", "repaired"),
        ("RD$", "DOP", "repaired"),
        ("грн", "UAH", "repaired"),
        ("", None, "missing"),
        ("   ", None, "missing"),
        (None, None, "missing"),
        ("XYZ", None, "unknown"),
        ("$", None, "unknown"),  # several dollars: ambiguous, never guessed
        ("C$", None, "unknown"),
        ("FCFA", None, "unknown"),
        (978, None, "unknown"),
        (["EUR"], None, "unknown"),
    ],
)
def test_normalize_currency(raw: object, code: str | None, status: str) -> None:
    result = normalize_currency(raw)
    assert (result.code, result.status) == (code, status)


def test_table_is_valid_and_complete_enough() -> None:
    table = currency_table()
    assert len([c for c in table.codes.values() if c.status == "active"]) > 150
    assert {"EUR", "USD", "GBP", "UAH", "MDL", "PYG", "COP", "NGN", "TWD", "UGX", "AMD"} <= set(
        table.codes
    )
    assert set(table.aliases.values()) <= set(table.codes)


@given(st.one_of(st.text(max_size=60), st.integers(), st.none(), st.floats()))
def test_normalize_currency_never_raises(value: object) -> None:
    result = normalize_currency(value)
    assert result.status in {"ok", "repaired", "unknown", "missing"}
    assert result.code is None or result.code in currency_table().codes
    assert len(result.raw) <= 40
