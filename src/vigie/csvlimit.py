"""The csv module's field-size limit is process-wide: set it only for the time of one read."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager

CSV_DEFAULT_FIELD_LIMIT = 131072  # the csv module's own default


@contextmanager
def csv_field_limit(limit: int) -> Iterator[None]:
    """Use ``limit`` as csv.field_size_limit inside the block, then restore the previous one."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)
