"""The footprint as Markdown, in French or English, with its coefficients and sources."""

from __future__ import annotations

import math
from typing import Any

from vigie.present import Messages


def significant(value: float, digits: int = 2) -> float:
    """A value rounded to a few significant figures (the coefficients carry no more)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _span(t: Messages, span: dict[str, float]) -> str:
    low, central, high = (significant(span[k]) for k in ("low", "central", "high"))
    decimals = 3 if central < 1 else 0
    text = t.number(central, decimals)
    if low != high:
        text += f" ({t.number(low, decimals)} – {t.number(high, decimals)})"
    return text


def _exact(t: Messages, span: dict[str, float]) -> str:
    """A coefficient as published (no rounding), with its range when it has one."""
    low, central, high = (span[k] for k in ("low", "central", "high"))
    text = f"{central:g}"
    if low != high:
        text += f" ({low:g} – {high:g})"
    return text.replace(".", ",") if t.lang == "fr" else text


def _scenario_row(t: Messages, name: str, result: dict[str, Any]) -> str:
    ratio = result.get("emissions_vs_base")
    shown = "" if ratio is None else f"× {t.number(significant(ratio), 2)}"
    cells = [_span(t, result[k]) for k in ("energy_kwh", "emissions_kg", "water_l")]
    return f"| {name} | {' | '.join(cells)} | {shown} |"


def _lines(t: Messages, result: dict[str, Any]) -> list[str]:
    out = [
        f"| {t('ai_fp_item')} | {t('ai_fp_quantity')} | {t('ai_fp_energy')} | "
        f"{t('ai_fp_emissions')} | {t('ai_fp_source')} |",
        "|---|---:|---:|---:|---|",
    ]
    for line in result["lines"]:
        note = "" if line["range_published"] else " *"
        out.append(
            f"| {line['item']}{note} | {t.number(line['quantity'])} | "
            f"{_span(t, line['energy_kwh'])} | {_span(t, line['emissions_kg'])} | "
            f"{line['source']} |"
        )
    return out


def render_footprint_markdown(document: dict[str, Any], t: Messages) -> str:
    """Markdown report: scenarios compared, the base broken down, factors and sources."""
    base = document["base"]
    out = [f"# {t('ai_fp_heading', name=document['system'])}", "", t("ai_fp_method"), ""]
    out += [
        f"| {t('ai_fp_scenario')} | {t('ai_fp_energy')} | {t('ai_fp_emissions')} | "
        f"{t('ai_fp_water')} | {t('ai_fp_vs_base')} |",
        "|---|---:|---:|---:|---:|",
        _scenario_row(t, t("ai_fp_base"), base),
    ]
    out += [_scenario_row(t, o["name"], o) for o in document["options"]]
    out += ["", f"## {t('ai_fp_breakdown')}", "", *_lines(t, base), "", t("ai_fp_star"), ""]
    out += [f"## {t('ai_fp_factors')}", ""]
    for key, factor in base["factors"].items():
        extra = f" ({factor['area']})" if "area" in factor else ""
        label = t("ai_fp_factor_" + key) + extra
        value = f"{_exact(t, factor['value'])} [{factor['source']}]"
        out.append("- " + t("ai_label_value", label=label, value=value))
    out += ["", f"## {t('ai_fp_sources')}", ""]
    for key, source in document["sources"].items():
        url = f" <{source['url']}>" if source.get("url") else ""
        out.append("- " + t("ai_label_value", label=f"**{key}**", value=source["citation"] + url))
        if source.get("note"):
            out.append(f"  {source['note']}")
    out += ["", t("ai_fp_version", version=document["coefficients_version"]), ""]
    return "\n".join(out)
