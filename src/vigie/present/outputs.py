"""Machine-readable outputs: findings.csv, rejected.csv, warnings.csv and summary.json."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from vigie.assess import Finding
from vigie.present.i18n import Messages
from vigie.sources import Rejection, Warning_

FINDINGS_COLUMNS = (
    "source_file",
    "record_id",
    "buyer_id",
    "buyer_name",
    "supplier_id",
    "supplier_name",
    "title",
    "amount",
    "currency",
    "date",
    "cpv",
    "match_kind",
    "matched_text",
    "company_id",
    "company_name",
    "group_id",
    "group_name",
    "score",
    "category",
    "category_reason",
)
REJECTED_COLUMNS = ("source_file", "position", "reason", "excerpt")
WARNINGS_COLUMNS = ("source_file", "position", "code", "message")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula (text only; numbers unchanged)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def finding_row(finding: Finding) -> dict[str, object]:
    """One findings.csv row, keyed by column name."""
    record, match = finding.record, finding.match
    return {
        "source_file": record.source_file,
        "record_id": record.record_id,
        "buyer_id": record.buyer.id,
        "buyer_name": record.buyer.name,
        "supplier_id": finding.supplier.id,
        "supplier_name": finding.supplier.name,
        "title": record.title,
        "amount": record.amount,
        "currency": record.currency,
        "date": record.date,
        "cpv": record.cpv,
        "match_kind": finding.match_kind,
        "matched_text": match.name,
        "company_id": match.company_id,
        "company_name": match.company_name,
        "group_id": match.group_id,
        "group_name": match.group_name,
        "score": f"{match.score:.4f}",
        "category": record.category,
        "category_reason": record.category_reason,
    }


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write rows (UTF-8, header first, formula-safe cells); return the number of data rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_cell(row.get(column)) for column in columns])
            count += 1
    return count


def write_findings(path: Path, findings: Iterable[Finding]) -> int:
    """Write findings.csv."""
    return write_csv(path, FINDINGS_COLUMNS, (finding_row(f) for f in findings))


def write_rejected(path: Path, rejections: Iterable[Rejection], t: Messages) -> int:
    """Write rejected.csv, reasons in the language of ``t``."""
    rows = (
        {
            "source_file": r.source_file,
            "position": r.position,
            "reason": t.note(r.note),
            "excerpt": r.excerpt,
        }
        for r in rejections
    )
    return write_csv(path, REJECTED_COLUMNS, rows)


def write_warnings(path: Path, warnings: Iterable[Warning_], t: Messages) -> int:
    """Write warnings.csv (data-quality notes on loaded records), in the language of ``t``."""
    rows = (
        {
            "source_file": w.source_file,
            "position": w.position,
            "code": w.note.code,
            "message": t.note(w.note),
        }
        for w in warnings
    )
    return write_csv(path, WARNINGS_COLUMNS, rows)


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write a JSON document (UTF-8, indented, keys in insertion order)."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
