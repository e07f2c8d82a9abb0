"""Technology taxonomy of procurement records: categories from classification codes and text.

Public API: :func:`classify` (one record's codes and text -> :class:`CategoryResult`),
:func:`categorize_records` (fill ``category`` and ``category_reason`` of records),
:func:`category_totals` (records, amounts and findings per category), :func:`load_taxonomy`.
The data file is ``data/taxonomy.yaml``; the method is in docs/taxonomy.md.
"""

from vigie.sources.taxonomy.apply import (
    Translate,
    categorize_records,
    category_totals,
    describe_ref,
    reason_text,
)
from vigie.sources.taxonomy.classify import CategoryResult, classify
from vigie.sources.taxonomy.index import Taxonomy, TaxonomyError, default_taxonomy, load_taxonomy

__all__ = [
    "CategoryResult",
    "Taxonomy",
    "TaxonomyError",
    "Translate",
    "categorize_records",
    "category_totals",
    "classify",
    "default_taxonomy",
    "describe_ref",
    "load_taxonomy",
    "reason_text",
]
