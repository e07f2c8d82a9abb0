"""Partial dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) as bounds of periods.

A partial date names a period (a year, a month, a day). A start date is taken at the first
day of its period; an end date at the day after its period, so a link that ended "in 2021"
is still counted on 2021-12-31 (when unsure, a company stays in its group) and no longer on
2022-01-01. Comparisons are on ISO strings, which sort like dates.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial(value: str) -> tuple[int, int | None, int | None]:
    """Year, month and day of a partial date; ``ValueError`` when it is not a real date."""
    found = PARTIAL_DATE.match(value)
    if not found:
        raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(found.group(1))
    month = int(found.group(2)) if found.group(2) else None
    day = int(found.group(3)) if found.group(3) else None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"date {value!r} has no month {month}")
    if month is not None and day is not None:
        date(year, month, day)  # raises ValueError for 2023-02-30
    if year < 1000:
        raise ValueError(f"date {value!r} has an implausible year")
    return year, month, day


def start_of(value: str) -> str:
    """The first day (ISO) of the period a partial date names."""
    year, month, day = parse_partial(value)
    return date(year, month or 1, day or 1).isoformat()


def end_of(value: str) -> str:
    """The day (ISO) after the period a partial date names: an exclusive upper bound."""
    year, month, day = parse_partial(value)
    if month is None:
        return date(year + 1, 1, 1).isoformat()
    if day is None:
        last = calendar.monthrange(year, month)[1]
        return (date(year, month, last) + timedelta(days=1)).isoformat()
    return date(year, month, day).isoformat()


def in_force(start: str | None, end: str | None, at: str) -> bool:
    """Whether a period from ``start`` to ``end`` (partial dates, open when None) covers ``at``."""
    day = start_of(at)
    if start is not None and day < start_of(start):
        return False
    return end is None or day < end_of(end)
