"""Bootstrap confidence intervals for the bias audit, drawn on the confusion counts.

Resampling N rows with replacement from the data gives per-(group, cell) counts that follow a
multinomial distribution with the observed proportions. Drawing those counts directly is the same
bootstrap as resampling rows, at a cost that depends on the number of groups, not of rows. The
intervals are percentile intervals; replicates where a rate is undefined (a group absent or
without positives) are left out for that rate, and their number is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vigie.ai.bias import Confusion

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BootstrapSettings:
    """Number of replicates, random seed and confidence level."""

    replicates: int = 1000
    seed: int = 0
    level: float = 0.95


def _divide(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _rates(cells: FloatArray) -> dict[str, FloatArray]:
    """Rates per replicate and group from counts shaped (replicates, groups, [tp, fp, fn, tn])."""
    tp, fp, fn, tn = (cells[..., i] for i in range(4))
    count = tp + fp + fn + tn
    return {
        "base_rate": _divide(tp + fn, count),
        "selection_rate": _divide(tp + fp, count),
        "true_positive_rate": _divide(tp, tp + fn),
        "false_positive_rate": _divide(fp, fp + tn),
        "false_negative_rate": _divide(fn, tp + fn),
        "precision": _divide(tp, tp + fp),
    }


def _spread(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per replicate, max - min and min / max over defined groups (NaN with fewer than two)."""
    defined = (~np.isnan(values)).sum(axis=1)
    filled_hi = np.where(np.isnan(values), -np.inf, values).max(axis=1)
    filled_lo = np.where(np.isnan(values), np.inf, values).min(axis=1)
    ok = defined >= 2
    diff = np.where(ok, filled_hi - filled_lo, np.nan)
    ratio = np.full(diff.shape, np.nan)
    np.divide(filled_lo, filled_hi, out=ratio, where=ok & (filled_hi > 0))
    return diff, ratio


def _interval(samples: FloatArray, level: float) -> dict[str, Any]:
    defined = samples[~np.isnan(samples)]
    if defined.size == 0:
        return {"low": None, "high": None, "replicates": 0}
    tail = (1 - level) / 2
    low, high = np.quantile(defined, [tail, 1 - tail])
    return {"low": float(low), "high": float(high), "replicates": int(defined.size)}


def bootstrap(
    counts: dict[str, Confusion], settings: BootstrapSettings
) -> dict[str, dict[str, Any]]:
    """Intervals for every group rate (key ``GROUP/rate``) and for the disparities."""
    groups = sorted(counts)
    observed = np.array([[counts[g].tp, counts[g].fp, counts[g].fn, counts[g].tn] for g in groups])
    total = int(observed.sum())
    rng = np.random.default_rng(settings.seed)
    draws = rng.multinomial(total, observed.ravel() / total, size=settings.replicates)
    cells = draws.reshape(settings.replicates, len(groups), 4).astype(np.float64)
    rates = _rates(cells)
    out: dict[str, dict[str, Any]] = {}
    for name, values in rates.items():
        for index, group in enumerate(groups):
            out[f"{group}/{name}"] = _interval(values[:, index], settings.level)
    dp_diff, dp_ratio = _spread(rates["selection_rate"])
    tpr_diff, _ = _spread(rates["true_positive_rate"])
    fpr_diff, _ = _spread(rates["false_positive_rate"])
    eo = np.where(np.isnan(tpr_diff), fpr_diff, np.fmax(tpr_diff, fpr_diff))
    out["demographic_parity_difference"] = _interval(dp_diff, settings.level)
    out["demographic_parity_ratio"] = _interval(dp_ratio, settings.level)
    out["equalized_odds_difference"] = _interval(eo, settings.level)
    return out
