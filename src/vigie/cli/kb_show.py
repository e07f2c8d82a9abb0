"""Printing a company profile (``vigie kb show``) in the user's language."""

from __future__ import annotations

from rich.console import Console

from vigie.kb import KnowledgeBase
from vigie.kb.describe import CompanyProfile
from vigie.kb.model import Ownership
from vigie.present import Messages


def _period(t: Messages, link: Ownership) -> str:
    if not link.start and not link.end:
        return t("kb_show_period_open")
    unknown = t("kb_show_unknown_date")
    if not link.end:
        return f"{t('kb_show_since')} {link.start}"
    return t("kb_show_period", start=link.start or unknown, end=link.end)


def _link_line(t: Messages, kb: KnowledgeBase, link: Ownership) -> str:
    def name(company_id: str) -> str:
        company = kb.companies.get(company_id)
        return company.name if company else company_id

    share = t("kb_show_link_share", share=t.number(link.share)) if link.share is not None else ""
    return t(
        "kb_show_link",
        child=name(link.child),
        parent=name(link.parent),
        period=_period(t, link),
        share=share,
    )


def _header(out: Console, t: Messages, profile: CompanyProfile) -> None:
    company = profile.company
    out.print(t("kb_show_company", name=company.name, id=company.id), style="bold", markup=False)
    at = t("kb_show_as_of", at=profile.at) if profile.at else t("kb_show_today")
    out.print(at, markup=False)
    colon = t("colon")
    for key, values in (
        ("kb_show_country", [company.country.upper()] if company.country else []),
        ("kb_show_aliases", list(company.aliases)),
        ("kb_show_former_names", list(company.former_names)),
        ("kb_show_identifiers", [str(i) for i in company.identifiers]),
    ):
        if values:
            out.print(f"{t(key)}{colon}{', '.join(values)}", markup=False)
    out.print(t("kb_show_group", name=profile.group.name, id=profile.group.id), markup=False)
    chain = " → ".join(c.name for c in profile.chain)
    out.print(f"{t('kb_show_chain')}{colon}{chain}", markup=False)


def _lists(out: Console, t: Messages, kb: KnowledgeBase, profile: CompanyProfile) -> None:
    colon, none = t("colon"), t("kb_show_none")
    out.print(f"\n{t('kb_show_links')}{colon}", style="bold", markup=False)
    for link in profile.links or ():
        out.print(f"  - {_link_line(t, kb, link)}", markup=False)
    if not profile.links:
        out.print(f"  {none}", markup=False)
    out.print(f"\n{t('kb_show_subsidiaries', n=len(profile.subsidiaries))}", style="bold")
    for sub in profile.subsidiaries:
        out.print(f"  - {sub.name} ({sub.id})", markup=False)
    out.print(f"\n{t('kb_show_products', n=len(profile.products))}", style="bold")
    for product in profile.products:
        terms = ", ".join(product.terms)
        out.print(f"  - {product.name} [{product.category}]{colon}{terms}", markup=False)


def _timeline(out: Console, t: Messages, kb: KnowledgeBase, profile: CompanyProfile) -> None:
    out.print(f"\n{t('kb_show_evidence', n=len(profile.timeline))}", style="bold")
    undated = t("undated")
    for entry in profile.timeline:
        item = entry.evidence
        out.print(f"\n  {item.date or undated} · {', '.join(item.categories)}", markup=False)
        for source_id in item.sources:
            source = kb.sources[source_id]
            out.print(
                "  "
                + t(
                    "kb_show_reported",
                    publisher=source.publisher,
                    type=t(f"type_{source.type.value}"),
                    date=source.date or undated,
                ),
                markup=False,
            )
        out.print(f"    {item.claim.get(t.lang)}", markup=False)
        confidence = t(f"kb_confidence_{item.confidence.value}")
        out.print(f"    ({t('kb_show_confidence', confidence=confidence)})", markup=False)
        for response in entry.responses:
            who = kb.companies[response.company].name
            out.print(
                "    " + t("kb_show_response", company=who, date=response.date or undated),
                markup=False,
            )
            out.print(f"      {response.summary.get(t.lang)}", markup=False)
        if not entry.responses:
            out.print(f"    {t('kb_show_no_response')}", markup=False)
    out.print(f"\n{t('kb_show_relationships', n=len(profile.relationships))}", style="bold")
    for rel in profile.relationships:
        out.print(f"  - {rel.start or undated}: {rel.description.get(t.lang)}", markup=False)


def print_profile(out: Console, t: Messages, kb: KnowledgeBase, profile: CompanyProfile) -> None:
    """Print a company profile: identity, group, links, subsidiaries, products, evidence."""
    _header(out, t, profile)
    _lists(out, t, kb, profile)
    _timeline(out, t, kb, profile)
