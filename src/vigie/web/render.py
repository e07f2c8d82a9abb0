"""Rendering pages: the web templates, with the report's templates (style, evidence,
contexts) available to include, through the report's autoescaped, strict environment."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader

from vigie.present import Messages
from vigie.present.report import category_labeller, environment, fact_formatter
from vigie.web.analysis import record_key
from vigie.web.deps import csrf_for, lang_of, user_of


@cache
def web_environment() -> Environment:
    """The report's environment with the web templates looked up first."""
    env = environment()
    assert env.loader is not None
    env.loader = ChoiceLoader([PackageLoader("vigie.web", "templates"), env.loader])
    return env


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render a web page for this request (language, user, CSRF token, links)."""
    t = Messages(lang_of(request))
    html = (
        web_environment()
        .get_template(template)
        .render(
            t=t,
            user=user_of(request),
            csrf=csrf_for(request),
            path=request.url.path,
            query=str(request.url.query),
            fact=fact_formatter(t),
            category_label=category_labeller(t),
            key=record_key,
            **values,
        )
    )
    return HTMLResponse(html, status_code=status)
