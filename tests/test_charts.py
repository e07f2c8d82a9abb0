"""The report's SVG bar charts: spoken description, escaping, bounded labels."""

from __future__ import annotations

from vigie.present.charts import MAX_LABEL, Bar, bar_chart


def test_chart_states_every_value_and_escapes_text() -> None:
    bars = [Bar("<b>A&B</b>", 4.0, "4"), Bar("C", 2.0, "2")]
    svg = str(bar_chart("Title <x>", bars, lambda b: f"{b.label}: {b.shown}"))
    assert svg.startswith('<svg role="img"')
    assert "<title" in svg and "Title &lt;x&gt;" in svg
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;: 4; C: 2" in svg  # the <desc> read by screen readers
    assert "<b>" not in svg
    assert 'width="380.0"' in svg and 'width="190.0"' in svg  # proportional bars


def test_long_labels_are_shortened_and_empty_charts_are_nothing() -> None:
    svg = str(bar_chart("t", [Bar("x" * 100, 1.0, "1")], lambda b: b.label))
    assert "x" * (MAX_LABEL - 1) + "…" in svg
    assert str(bar_chart("t", [], lambda b: b.label)) == ""


def test_zero_values_do_not_divide_by_zero() -> None:
    svg = str(bar_chart("t", [Bar("a", 0.0, "0")], lambda b: b.label))
    assert 'width="0.0"' in svg
