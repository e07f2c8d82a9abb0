"""The bias audit of a decisions file as a JSON-ready document, and its HTML rendering."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vigie.ai.bias import RATES, audit
from vigie.ai.bias_ci import BootstrapSettings, bootstrap
from vigie.ai.bias_data import BiasColumns, BiasInputError, read_decisions
from vigie.present import Messages

DISPARITIES_WITH_CI = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
)


def run_bias_audit(
    path: Path,
    columns: BiasColumns,
    reference: str | None = None,
    settings: BootstrapSettings | None = None,
) -> dict[str, Any]:
    """Read, aggregate and audit a decisions file; returns the whole audit as plain data.

    ``settings=None`` uses the default bootstrap; ``replicates=0`` skips it.
    """
    boot = settings or BootstrapSettings()
    if not columns.predicted_positive or not columns.label_positive.strip():
        raise BiasInputError("ai_bias_no_positive_value")
    decisions = read_decisions(path, columns)
    if not decisions.counts:
        raise BiasInputError("ai_bias_no_rows", path=str(path))
    try:
        result = audit(decisions.counts, reference)
    except ValueError as exc:
        raise BiasInputError("ai_bias_bad_reference", reference=str(reference)) from exc
    intervals = bootstrap(decisions.counts, boot) if boot.replicates > 0 else {}
    groups = result.groups
    for group, figures in groups.items():
        figures["confidence_intervals"] = {
            name: intervals[f"{group}/{name}"] for name in RATES if intervals
        }
    disparities = dict(result.disparities)
    disparities["confidence_intervals"] = {
        name: intervals[name] for name in DISPARITIES_WITH_CI if intervals
    }
    counts = decisions.counts.values()
    warnings = []
    if not any(c.tp + c.fn for c in counts):
        warnings.append("ai_bias_warn_no_actual_positive")
    if not any(c.tp + c.fp for c in counts):
        warnings.append("ai_bias_warn_no_predicted_positive")
    return {
        "warnings": warnings,
        "input": {
            "file": str(path),
            "rows_read": decisions.rows_read,
            "rows_loaded": decisions.rows_loaded,
            "rows_rejected": decisions.rows_rejected,
            "lines_in_file": decisions.lines_in_file,
            "lenient_parsing": decisions.lenient_parsing,
            "rejections_by_reason": decisions.rejections_by_reason,
            "rejection_examples": [asdict(r) for r in decisions.examples],
        },
        "definitions": {
            "group": columns.group,
            "label": columns.label,
            "label_positive": columns.label_positive,
            "prediction": columns.prediction,
            "predicted_positive": list(columns.predicted_positive),
        },
        "bootstrap": asdict(boot),
        "groups": groups,
        "disparities": disparities,
    }


def render_bias_html(document: dict[str, Any], t: Messages) -> str:
    """A self-contained HTML page of the audit in the language of ``t``."""
    env = Environment(
        loader=PackageLoader("vigie.ai", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "–" if v is None else t.number(100 * v, 1) + "\u202f%"
    env.filters["num"] = lambda v, d=3: t.number(v, d)
    template = env.get_template("bias.html.j2")
    return template.render(doc=document, t=t, rates=RATES, lang=t.lang)
