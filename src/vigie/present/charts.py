"""Accessible inline SVG bar charts for the offline reports (no JavaScript, no external files).

Each chart carries a ``<title>`` and ``<desc>`` (read by screen readers) that state every value,
and the report always shows the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

BAR_HEIGHT = 18
ROW = 26
LABEL_WIDTH = 260
BAR_WIDTH = 380
MAX_LABEL = 38
_ids = count()


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value and the text shown at its end."""

    label: str
    value: float
    shown: str


def bar_chart(title: str, bars: Sequence[Bar], describe: Callable[[Bar], str]) -> Markup:
    """A horizontal bar chart; ``describe`` gives the spoken text of a bar (label and value)."""
    if not bars:
        return Markup("")
    top = max(b.value for b in bars) or 1.0
    height = ROW * len(bars) + 8
    uid = f"chart-{next(_ids)}"
    parts = [
        f'<svg role="img" aria-labelledby="{uid}-t {uid}-d" width="100%" height="{height}" '
        f'viewBox="0 0 720 {height}" preserveAspectRatio="xMinYMin meet" class="chart">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape("; ".join(describe(b) for b in bars))}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = ROW * i
        width = round(BAR_WIDTH * max(bar.value, 0.0) / top, 1)
        label = bar.label if len(bar.label) <= MAX_LABEL else bar.label[: MAX_LABEL - 1] + "…"
        parts += [
            f'<text x="0" y="{y + 15}">{escape(label)}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" height="{BAR_HEIGHT}" width="{width}" '
            'fill="#0b4f8a"></rect>',
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}">{escape(bar.shown)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
