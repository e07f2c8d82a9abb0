"""Apply the taxonomy to records, and count records, amounts and findings per category."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Protocol

from vigie.sources.records import Note, ProcurementRecord
from vigie.sources.taxonomy.classify import classify
from vigie.sources.taxonomy.codes import code_title
from vigie.sources.taxonomy.index import Taxonomy, default_taxonomy
from vigie.sources.taxonomy.model import Scheme

UNCATEGORISED = "uncategorised"
_UNCATEGORISED_LABEL = {"en": "Not categorised", "fr": "Non catégorisé"}
_CODE_PARAMS = ("ref", "via")


class Translate(Protocol):
    """A message catalogue of one language (``vigie.present.Messages`` is one)."""

    lang: str

    def __call__(self, key: str, **values: object) -> str:
        """The message ``key`` formatted with ``values``."""
        ...


@lru_cache(maxsize=65536)
def describe_ref(ref: str, lang: str, taxonomy: Taxonomy, published: str = "") -> str:
    """``SCHEME CODE Title`` for a code reference ``SCHEME CODE`` of a reason.

    The title is CPV 2008's in ``lang``, else the taxonomy's, else the one the source
    published; without any, the reference alone. Cached: records share few codes.
    """
    scheme_name, _, code = ref.partition(" ")
    try:
        scheme = Scheme(scheme_name)
    except ValueError:
        return ref
    mapping = taxonomy.index.lookup(scheme, code)
    title = code_title(scheme, code, lang, mapping) or published
    return f"{ref} {title}" if title else ref


def reason_text(note: Note, translate: Translate, taxonomy: Taxonomy | None = None) -> str:
    """The reason of a :class:`CategoryResult` as a sentence in ``translate``'s language."""
    taxonomy = taxonomy or default_taxonomy()
    values = note.as_dict()
    for key in _CODE_PARAMS:
        if key in values:
            published = values.get(f"{key}_published", "")
            values[key] = describe_ref(values[key], translate.lang, taxonomy, published)
    return translate(note.code, **values)


def categorize_records(
    records: Iterable[ProcurementRecord],
    translate: Translate,
    taxonomy: Taxonomy | None = None,
) -> list[ProcurementRecord]:
    """Copies of ``records`` with ``category`` and ``category_reason`` filled.

    The reason is written in ``translate``'s language (the pipeline passes its message
    catalogue). The records given are not changed.
    """
    taxonomy = taxonomy or default_taxonomy()
    out = []
    for record in records:
        result = classify(
            record.classifications, record.cpv, record.title, record.description, taxonomy
        )
        reason = reason_text(result.reason, translate, taxonomy)
        out.append(replace(record, category=result.category, category_reason=reason))
    return out


@dataclass(slots=True)
class _Totals:
    records: int = 0
    findings: int = 0
    records_without_amount: int = 0
    amount_by_currency: dict[str, float] = field(default_factory=dict)

    def add(self, record: ProcurementRecord) -> None:
        self.records += 1
        if record.amount is None or record.currency is None:
            self.records_without_amount += 1
        else:
            totals = self.amount_by_currency
            totals[record.currency] = totals.get(record.currency, 0.0) + record.amount

    def as_dict(self, label: dict[str, str]) -> dict[str, Any]:
        by_currency = {k: round(v, 2) for k, v in sorted(self.amount_by_currency.items())}
        amount = None
        if len(by_currency) == 1:
            amount = next(iter(by_currency.values()))
        elif not by_currency:
            amount = 0.0
        return {
            "label": label,
            "records": self.records,
            "amount": amount,
            "amount_by_currency": by_currency,
            "records_without_amount": self.records_without_amount,
            "findings": self.findings,
        }


def category_totals(
    records: Iterable[ProcurementRecord],
    finding_records: Iterable[ProcurementRecord] = (),
    taxonomy: Taxonomy | None = None,
) -> dict[str, dict[str, Any]]:
    """Per category (every one, in priority order): records, amounts, findings.

    ``amount`` is the total when all amounts are in one currency (else None, see
    ``amount_by_currency``); ``findings`` counts the findings whose record is in the category
    (``finding_records``: one record per finding). Records without a category are counted
    under ``uncategorised``, which appears only when there are some.
    """
    taxonomy = taxonomy or default_taxonomy()
    totals = {category: _Totals() for category in taxonomy.categories}
    for record in records:
        totals.setdefault(record.category or UNCATEGORISED, _Totals()).add(record)
    for record in finding_records:
        totals.setdefault(record.category or UNCATEGORISED, _Totals()).findings += 1
    out = {}
    for key, value in totals.items():
        category = taxonomy.categories.get(key)
        label = {"en": category.label.en, "fr": category.label.fr} if category else None
        out[key] = value.as_dict(label or _UNCATEGORISED_LABEL)
    return out
