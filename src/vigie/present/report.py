"""The offline HTML report: one self-contained file, in French or English."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vigie.assess import Finding, GroupDossier, GroupExposure
from vigie.kb import KnowledgeBase
from vigie.present.i18n import Messages
from vigie.sources import Rejection

MAX_REJECTIONS_SHOWN = 200


def shortpath(label: str) -> str:
    """A source label without its directories: ``/a/b/f.zip!m.json`` -> ``f.zip!m.json``."""
    outer, sep, member = label.partition("!")
    return PurePath(outer).name + sep + member


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("vigie.present", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shortpath"] = shortpath
    return env


def render_report(
    *,
    lang: str,
    summary: Mapping[str, Any],
    exposures: Sequence[GroupExposure],
    findings: Sequence[Finding],
    dossiers: Sequence[GroupDossier],
    rejections: Sequence[Rejection],
    kb: KnowledgeBase,
) -> str:
    """Render the screening report as a single HTML document (no external resources)."""
    contexts = list(dict.fromkeys(c for d in dossiers for c in d.contexts))
    template = _environment().get_template("report.html.j2")
    return template.render(
        t=Messages(lang),
        summary=summary,
        exposures=exposures,
        findings=findings,
        dossiers=dossiers,
        contexts=contexts,
        rejections=rejections[:MAX_REJECTIONS_SHOWN],
        more_rejections=max(0, len(rejections) - MAX_REJECTIONS_SHOWN),
        kb=kb,
    )
