"""The offline HTML report: one self-contained file, in French or English."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from vigie.assess import Finding, GroupDossier, GroupExposure
from vigie.assess.breakdown import KeyOf, Slice, breakdown, by_buyer, by_category, by_year
from vigie.assess.decisions import CaseDecision, decision_counts
from vigie.assess.policy import Policy
from vigie.kb import KnowledgeBase
from vigie.present.charts import Bar, bar_chart
from vigie.present.i18n import Messages
from vigie.sources import Rejection
from vigie.sources.taxonomy import default_taxonomy

MAX_REJECTIONS_SHOWN = 200
MAX_BARS = 15
BREAKDOWNS: tuple[tuple[str, str, KeyOf], ...] = (
    ("category", "exposure_by_category", by_category),
    ("buyer", "exposure_by_buyer", by_buyer),
    ("year", "exposure_by_year", by_year),
)


@dataclass(frozen=True, slots=True)
class DecisionsView:
    """The decisions of a run under one policy, for the report."""

    policy: Policy
    cases: Sequence[CaseDecision]

    @property
    def counts(self) -> dict[str, int]:
        """Cases per decision, most restrictive first."""
        return decision_counts(self.cases)


def shortpath(label: str) -> str:
    """A source label without its directories: ``/a/b/f.zip!m.json`` -> ``f.zip!m.json``."""
    outer, sep, member = label.partition("!")
    return PurePath(outer).name + sep + member


def environment() -> Environment:
    """The Jinja2 environment of every vigie page (autoescaped, strict)."""
    env = Environment(
        loader=PackageLoader("vigie.present", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shortpath"] = shortpath
    return env


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Everything the screening report shows."""

    summary: Mapping[str, Any]
    exposures: Sequence[GroupExposure]
    findings: Sequence[Finding]
    dossiers: Sequence[GroupDossier]
    rejections: Sequence[Rejection]
    kb: KnowledgeBase
    decisions: DecisionsView | None = None


def render_report(lang: str, content: ReportContent) -> str:
    """Render the screening report as a single HTML document (no external resources)."""
    c = content
    contexts = list(dict.fromkeys(ctx for d in c.dossiers for ctx in d.contexts))
    t = Messages(lang)
    sections = [(key, title, breakdown(c.findings, key_of)) for key, title, key_of in BREAKDOWNS]
    labels = _labels(t)
    charts = {
        key: _chart(t, title, slices[:MAX_BARS], labels[key]) for key, title, slices in sections
    }
    template = environment().get_template("report.html.j2")
    return template.render(
        t=t,
        breakdowns=sections,
        charts=charts,
        group_chart=bar_chart(
            t("chart_alt"),
            [Bar(e.group_name, float(e.records), t.number(e.records)) for e in c.exposures],
            lambda b: t("chart_records_alt", label=b.label, n=b.shown),
        ),
        labels=labels,
        fact=fact_formatter(t),
        decisions=c.decisions,
        summary=c.summary,
        exposures=c.exposures,
        findings=c.findings,
        dossiers=c.dossiers,
        contexts=contexts,
        rejections=c.rejections[:MAX_REJECTIONS_SHOWN],
        more_rejections=max(0, len(c.rejections) - MAX_REJECTIONS_SHOWN),
        kb=c.kb,
    )


def category_labeller(t: Messages) -> Callable[[str], str]:
    """The label of a technology category id (the id itself when it has no label)."""

    categories = default_taxonomy().categories

    def category(key: str) -> str:
        if key in categories:
            return categories[key].label.fr if t.lang == "fr" else categories[key].label.en
        label = f"category_{key.replace('-', '_')}"
        return t(label) if label in t else key

    return category


def _labels(t: Messages) -> dict[str, Callable[[str], str]]:
    """How the key of each breakdown is shown (category ids through the catalogue)."""
    return {"category": category_labeller(t), "buyer": str, "year": str}


def _chart(t: Messages, title: str, slices: Sequence[Slice], label: Callable[[str], str]) -> Markup:
    bars = [Bar(label(s.key), float(s.records), t.number(s.records)) for s in slices]
    return bar_chart(t(title), bars, lambda b: t("chart_records_alt", label=b.label, n=b.shown))


def fact_formatter(t: Messages) -> Callable[[object], str]:
    """How a fact's value is shown: yes/no, numbers with the language's separators, lists."""

    def show(value: object) -> str:
        if isinstance(value, bool):
            return t("answer_yes") if value else t("answer_no")
        if isinstance(value, float):
            return t.number(value, 2)
        if isinstance(value, list):
            return "[" + ", ".join(show(v) for v in value) + "]"
        return "–" if value is None else str(value)

    return show
