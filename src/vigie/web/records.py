"""Records and findings as API documents."""

from __future__ import annotations

from collections.abc import Sequence

from vigie.assess import Finding
from vigie.sources.records import ProcurementRecord
from vigie.web.api_models import RecordOut


def record_out(key: str, record: ProcurementRecord, findings: Sequence[Finding]) -> RecordOut:
    """A record with the companies its suppliers were matched to."""
    return RecordOut(
        id=key,
        source_file=record.source_file,
        position=record.position,
        record_id=record.record_id,
        buyer=record.buyer.name or record.buyer.id,
        title=record.title,
        amount=record.amount,
        currency=record.currency,
        date=record.date,
        category=record.category,
        suppliers=[s.name for s in record.suppliers],
        matches=[
            {
                "kind": f.match_kind,
                "supplier": f.supplier.name,
                "company_id": f.match.company_id,
                "group_id": f.match.group_id,
                "group_name": f.match.group_name,
                "score": f.match.score,
                "explanation": f.match.explanation,
            }
            for f in findings
        ],
    )
