"""Present: CSV and JSON outputs, and the bilingual HTML report."""

from vigie.present.i18n import LANGUAGES, Messages
from vigie.present.outputs import (
    FINDINGS_COLUMNS,
    REJECTED_COLUMNS,
    write_findings,
    write_json,
    write_rejected,
    write_warnings,
)
from vigie.present.report import DecisionsView, ReportContent, render_report

__all__ = [
    "FINDINGS_COLUMNS",
    "LANGUAGES",
    "REJECTED_COLUMNS",
    "DecisionsView",
    "Messages",
    "ReportContent",
    "render_report",
    "write_findings",
    "write_json",
    "write_rejected",
    "write_warnings",
]
