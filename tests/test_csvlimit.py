"""The csv field-size limit is restored after a reader changed it (it is process-wide)."""

from __future__ import annotations

import csv

import pytest

from vigie.csvlimit import CSV_DEFAULT_FIELD_LIMIT, csv_field_limit


def test_limit_is_restored() -> None:
    before = csv.field_size_limit()
    with csv_field_limit(10):
        assert csv.field_size_limit() == 10
    assert csv.field_size_limit() == before


def test_limit_is_restored_after_an_error() -> None:
    before = csv.field_size_limit()
    with pytest.raises(csv.Error), csv_field_limit(5):
        next(csv.reader(["x" * 10]))
    assert csv.field_size_limit() == before


def test_default_matches_the_csv_module() -> None:
    with csv_field_limit(CSV_DEFAULT_FIELD_LIMIT):
        pass
    assert CSV_DEFAULT_FIELD_LIMIT == 131072
