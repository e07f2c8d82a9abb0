"""The column-mapping file of the spreadsheet reader (YAML, validated with pydantic).

A mapping says which column of a CSV or XLSX file holds the buyer, the supplier(s), the
amount... and how to read the file (encoding, delimiter, sheet, header row, date format).
See docs/inputs-spreadsheets.md and docs/examples/mapping.yaml.
"""

from __future__ import annotations

import codecs
import datetime
import warnings
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

MAX_MAPPING_BYTES = 1 << 20
Column = str | int
"""A column by its header text, or by its position counted from 1."""


class MappingError(ValueError):
    """The mapping file is unreadable or invalid; ``problems`` lists every defect."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: invalid column mapping:\n  " + "\n  ".join(problems))
        self.path = path
        self.problems = problems


class Columns(BaseModel):
    """Which column holds each field; every one is optional except a party (see below)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Column | None = None
    buyer_name: Column | None = None
    buyer_id: Column | None = None
    buyer_country: Column | None = None
    supplier_name: Column | None = None
    supplier_id: Column | None = None
    supplier_country: Column | None = None
    amount: Column | None = None
    currency: Column | None = None
    date: Column | None = None
    cpv: Column | None = None
    title: Column | None = None
    description: Column | None = None
    procedure: Column | None = None

    @field_validator("*")
    @classmethod
    def _positive_position(cls, value: Column | None) -> Column | None:
        if isinstance(value, int) and value < 1:
            raise ValueError("a column position counts from 1")
        if isinstance(value, str) and not value.strip():
            raise ValueError("a column name must not be empty")
        return value

    def mapped(self) -> dict[str, Column]:
        """Field name -> column, for the fields that are mapped."""
        return {name: value for name, value in self.model_dump().items() if value is not None}


class TabularMapping(BaseModel):
    """How to read one kind of spreadsheet into procurement records."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: Columns
    encoding: str | None = None
    """CSV text encoding (``utf-8``, ``cp1252``, ``latin-1``...); detected when absent."""
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    """CSV delimiter; detected among ``, ; TAB |`` when absent."""
    sheet: str | None = None
    """XLSX sheet name; the first sheet when absent."""
    header_row: int = Field(default=1, ge=1)
    """Row (counted from 1) holding the column names; rows above it are ignored."""
    decimal: Literal[".", ","] = "."
    """Decimal separator of amounts written as text."""
    date_format: str | None = None
    """``strptime`` format of dates written as text (``%d/%m/%Y``); ISO 8601 when absent."""
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    """Currency of every amount when there is no currency column (``EUR``)."""
    suppliers_separator: str | None = Field(default=None, min_length=1)
    """Separator between several suppliers in one cell (``|``)."""
    kind: Literal["contract", "concession"] = "contract"

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError as exc:
                raise ValueError(f"unknown encoding {value!r}") from exc
            try:  # any bytes, as a file may hold: idna and punycode refuse some even so
                with warnings.catch_warnings():  # unicode_escape on "\]": a warning only
                    warnings.simplefilter("ignore", DeprecationWarning)
                    bytes(range(256)).decode(value, "replace")
            except LookupError as exc:  # rot13, base64...
                raise ValueError(f"{value!r} is not a text encoding") from exc
            except UnicodeError as exc:
                raise ValueError(f"{value!r} cannot decode every file: {exc}") from exc
        return value

    @field_validator("date_format")
    @classmethod
    def _usable_format(cls, value: str | None) -> str | None:
        if value is not None:
            if "%" not in value:
                raise ValueError("a date format needs strptime directives such as %d/%m/%Y")
            datetime.date(2020, 1, 31).strftime(value)
        return value

    @model_validator(mode="after")
    def _has_a_party(self) -> TabularMapping:
        parties = ("buyer_name", "buyer_id", "supplier_name", "supplier_id")
        if not any(getattr(self.columns, name) is not None for name in parties):
            raise ValueError("map at least one of buyer_name, buyer_id, supplier_name, supplier_id")
        return self


def load_mapping(path: Path) -> TabularMapping:
    """Read and validate a mapping file; raise :class:`MappingError` listing every problem."""
    try:
        if path.stat().st_size > MAX_MAPPING_BYTES:
            raise MappingError(path, [f"larger than {MAX_MAPPING_BYTES} bytes"])
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(path, [str(exc)]) from exc
    if not isinstance(data, dict):
        raise MappingError(path, ["the mapping must be a YAML mapping with a 'columns' key"])
    try:
        return TabularMapping.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc']) or '(mapping)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise MappingError(path, problems) from exc
