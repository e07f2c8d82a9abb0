"""Write every output of a screening run into one directory."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vigie.present.decision_outputs import (
    decisions_document,
    write_decisions_csv,
    write_decisions_xlsx,
)
from vigie.present.dossier import write_dossiers
from vigie.present.i18n import Messages
from vigie.present.outputs import write_findings, write_json, write_rejected, write_warnings
from vigie.present.report import ReportContent, render_report
from vigie.sources import Warning_

OUTPUT_FILES = (
    "findings.csv",
    "rejected.csv",
    "warnings.csv",
    "summary.json",
    "decisions.csv",
    "decisions.json",
    "decisions.xlsx",
    "report.html",
)


def write_run_outputs(
    outdir: Path, content: ReportContent, warnings: Sequence[Warning_], lang: str
) -> Path:
    """Write the CSV, JSON, XLSX and HTML outputs (OUTPUT_FILES); return the report's path."""
    outdir.mkdir(parents=True, exist_ok=True)
    t = Messages(lang)
    write_findings(outdir / "findings.csv", content.findings)
    write_rejected(outdir / "rejected.csv", content.rejections, t)
    write_warnings(outdir / "warnings.csv", warnings, t)
    write_json(outdir / "summary.json", content.summary)
    cases = content.decisions.cases if content.decisions else []
    write_decisions_csv(outdir / "decisions.csv", cases, t)
    policy = content.decisions.policy if content.decisions else None
    write_json(
        outdir / "decisions.json",
        {
            "policy": {"id": policy.id, "version": policy.version} if policy else None,
            "kb_version": content.summary.get("kb_version"),
            "cases": decisions_document(cases, t),
        },
    )
    write_decisions_xlsx(outdir / "decisions.xlsx", cases, t)
    if content.decisions:
        decided = (content.decisions.policy, content.decisions.cases)
        write_dossiers(outdir, lang, content.kb, decided, content.summary)
    report = outdir / "report.html"
    report.write_text(render_report(lang, content), encoding="utf-8")
    return report
