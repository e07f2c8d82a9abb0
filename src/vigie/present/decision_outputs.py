"""Decision exports: decisions.csv, decisions.json and decisions.xlsx.

The CSV and XLSX have one row per case with the decision, the rules that fired and the facts
they tested; the JSON has, per case, every fact and, per fired rule, the facts that made it fire.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from vigie.assess.alternatives import view_record
from vigie.assess.decisions import CaseDecision
from vigie.present.i18n import Messages
from vigie.present.outputs import safe_cell, write_csv

DECISIONS_COLUMNS = (
    "source_file",
    "record_id",
    "buyer_id",
    "buyer_name",
    "supplier_name",
    "title",
    "amount",
    "currency",
    "date",
    "category",
    "company_id",
    "group_id",
    "group_name",
    "decision",
    "decision_label",
    "rules_fired",
    "reasons",
    "evidence",
    "severity",
    "severe_confidence",
    "heightened",
    "involvement",
    "leverage_level",
    "viable_alternatives",
    "policy_id",
    "policy_version",
)


def decision_row(case: CaseDecision, t: Messages) -> dict[str, object]:
    """One row of decisions.csv / decisions.xlsx, keyed by column name."""
    record, match = case.finding.record, case.finding.match
    facts = case.facts
    return {
        "source_file": record.source_file,
        "record_id": record.record_id,
        "buyer_id": record.buyer.id,
        "buyer_name": record.buyer.name,
        "supplier_name": case.finding.supplier.name,
        "title": record.title,
        "amount": record.amount,
        "currency": record.currency,
        "date": record.date,
        "category": record.category,
        "company_id": match.company_id,
        "group_id": match.group_id,
        "group_name": match.group_name,
        "decision": case.kind.value,
        "decision_label": t(f"decision_{case.kind.value}"),
        "rules_fired": ";".join(f.rule.id for f in case.decision.fired),
        "reasons": " | ".join(f.rule.reason.get(t.lang) for f in case.decision.fired),
        "evidence": ";".join(i.evidence.id for i in case.assessment.items),
        "severity": facts["assessment.severity"],
        "severe_confidence": facts["assessment.severe_confidence"],
        "heightened": facts["assessment.heightened"],
        "involvement": facts["assessment.involvement"],
        "leverage_level": facts["leverage.level"],
        "viable_alternatives": facts["alternatives.viable"],
        "policy_id": case.decision.policy_id,
        "policy_version": case.decision.policy_version,
    }


def write_decisions_csv(path: Path, decisions: Sequence[CaseDecision], t: Messages) -> int:
    """Write decisions.csv (formula-safe cells, reasons in the language of ``t``)."""
    return write_csv(path, DECISIONS_COLUMNS, (decision_row(c, t) for c in decisions))


def decisions_document(decisions: Sequence[CaseDecision], t: Messages) -> list[dict[str, Any]]:
    """The content of decisions.json: every case with all its facts and fired rules."""
    return [
        {
            **{k: v for k, v in decision_row(case, t).items() if k not in ("rules_fired",)},
            "facts": case.facts,
            "fired": [
                {
                    "rule": fired.rule.id,
                    "decision": fired.rule.decision.value,
                    "reason": fired.rule.reason.get(t.lang),
                    "cites": list(fired.rule.cites),
                    "because": [
                        {"fact": e.fact, "value": e.actual, "op": e.op, "expected": e.expected}
                        for e in fired.because
                    ],
                }
                for fired in case.decision.fired
            ],
            "alternatives": [view_record(view, t) for view in case.alternatives],
        }
        for case in decisions
    ]


def write_decisions_xlsx(path: Path, decisions: Sequence[CaseDecision], t: Messages) -> int:
    """Write decisions.xlsx (one sheet, header row, text cells formula-safe)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(t("decisions_title")[:31])
    sheet.append(list(DECISIONS_COLUMNS))
    for case in decisions:
        row = decision_row(case, t)
        sheet.append([_xlsx_cell(row[column]) for column in DECISIONS_COLUMNS])
    workbook.save(path)
    return len(decisions)


def _xlsx_cell(value: object) -> object:
    """A cell value: characters a published text may hold that XML (so XLSX) cannot, control
    characters and the noncharacters U+FFFE and U+FFFF, are shown as U+FFFD."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", safe_cell(value))
    return _NONCHARACTERS.sub("\ufffd", text)


_NONCHARACTERS = re.compile("[\ufffe\uffff]")
