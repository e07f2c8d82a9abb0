"""Bias audit of a classifier's decisions: per-group rates and disparities, from confusion counts.

Everything here is a pure function of per-group confusion counts (true/false positives and
negatives), so the figures can be recomputed by hand and agree with fairlearn's definitions:
selection rate = predicted positives / count, true positive rate = TP / (TP + FN), false positive
rate = FP / (FP + TN), false negative rate = FN / (TP + FN), precision = TP / (TP + FP), base rate
= actual positives / count. A rate whose denominator is zero is undefined (``None``; fairlearn
reports 0 there) and is left out of the disparities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FOUR_FIFTHS = 0.8
RATES = (
    "base_rate",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
)


@dataclass(frozen=True)
class Confusion:
    """Confusion counts of one group."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def count(self) -> int:
        """Number of decisions in the group."""
        return self.tp + self.fp + self.fn + self.tn

    def rates(self) -> dict[str, float | None]:
        """The six rates of the group (``None`` when the denominator is zero)."""
        return {
            "base_rate": _ratio(self.tp + self.fn, self.count),
            "selection_rate": _ratio(self.tp + self.fp, self.count),
            "true_positive_rate": _ratio(self.tp, self.tp + self.fn),
            "false_positive_rate": _ratio(self.fp, self.fp + self.tn),
            "false_negative_rate": _ratio(self.fn, self.tp + self.fn),
            "precision": _ratio(self.tp, self.tp + self.fp),
        }


@dataclass(frozen=True)
class BiasAudit:
    """Per-group figures and disparities; ``groups`` is ordered by group value."""

    groups: dict[str, dict[str, Any]]
    disparities: dict[str, Any]


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _spread(values: list[float | None]) -> tuple[float | None, float | None]:
    """(max - min, min / max) over the defined values; None with fewer than two."""
    defined = [v for v in values if v is not None]
    if len(defined) < 2:
        return None, None
    high, low = max(defined), min(defined)
    return high - low, _ratio(low, high)


def default_reference(counts: dict[str, Confusion]) -> str:
    """The largest group (ties broken by group value), as Aequitas's 'majority' reference."""
    return min(counts, key=lambda g: (-counts[g].count, g))


def _four_fifths(rates: dict[str, dict[str, float | None]]) -> dict[str, Any]:
    selection = {g: r["selection_rate"] for g, r in rates.items()}
    defined = {g: v for g, v in selection.items() if v is not None}
    highest = min(defined, key=lambda g: (-defined[g], g)) if defined else None
    top = defined.get(highest) if highest is not None else None
    ratios = {g: (_ratio(v, top) if top else None) for g, v in defined.items()}
    flagged = sorted(g for g, r in ratios.items() if r is not None and r < FOUR_FIFTHS)
    return {
        "rule": "29 CFR 1607.4(D)",
        "threshold": FOUR_FIFTHS,
        "highest_group": highest,
        "ratios_to_highest": ratios,
        "flagged_groups": flagged,
    }


def audit(counts: dict[str, Confusion], reference: str | None = None) -> BiasAudit:
    """Per-group rates, ratios to the reference group, four-fifths flags and disparities.

    Raises ValueError when there is no group or the reference group is not among them.
    """
    if not counts:
        raise ValueError("no group to audit")
    ref = default_reference(counts) if reference is None else reference
    if ref not in counts:
        raise ValueError(f"reference group {ref!r} is not in the data")
    rates = {g: counts[g].rates() for g in sorted(counts)}
    fifths = _four_fifths(rates)
    groups: dict[str, dict[str, Any]] = {}
    for group, values in rates.items():
        c = counts[group]
        ratios = {name: _safe_div(values[name], rates[ref][name]) for name in RATES}
        groups[group] = {
            "count": c.count,
            **{"tp": c.tp, "fp": c.fp, "fn": c.fn, "tn": c.tn},
            **values,
            "ratios_to_reference": ratios,
            "four_fifths_ratio": fifths["ratios_to_highest"].get(group),
            "four_fifths_flag": group in fifths["flagged_groups"],
        }
    return BiasAudit(
        groups=groups,
        disparities=disparities(rates)
        | {
            "reference_group": ref,
            "reference_method": "given" if reference is not None else "largest group",
            "four_fifths": fifths,
        },
    )


def _safe_div(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None:
        return None
    return _ratio(value, reference)


def disparities(rates: dict[str, dict[str, float | None]]) -> dict[str, float | None]:
    """Demographic parity difference and ratio, equalized odds difference (fairlearn's
    ``between_groups`` method and ``worst_case`` aggregation), TPR and FPR differences."""
    dp_diff, dp_ratio = _spread([r["selection_rate"] for r in rates.values()])
    tpr_diff, _ = _spread([r["true_positive_rate"] for r in rates.values()])
    fpr_diff, _ = _spread([r["false_positive_rate"] for r in rates.values()])
    eo = [d for d in (tpr_diff, fpr_diff) if d is not None]
    return {
        "demographic_parity_difference": dp_diff,
        "demographic_parity_ratio": dp_ratio,
        "equalized_odds_difference": max(eo) if eo else None,
        "true_positive_rate_difference": tpr_diff,
        "false_positive_rate_difference": fpr_diff,
    }
