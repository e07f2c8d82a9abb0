"""Applying people's judgements to matches: a rejected pair never comes back, a confirmed one
is certain (score 1, with who confirmed it and when in the explanation).

Pairs are keyed by (kind, subject, company): the subject is the normalised supplier name (so
"ORACLE FRANCE" and "Oracle France SAS" share a judgement) or the normalised contract text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol

from vigie.kb import KnowledgeBase
from vigie.resolve.matcher import Match, Matcher
from vigie.resolve.mentions import text_tokens

SUPPLIER = "supplier"
MENTION = "mention"
_MAX_SUBJECT = 500
PairKey = tuple[str, str, str]


class JudgementLike(Protocol):
    """What applying a judgement needs (``vigie.store.review.Judgement`` has it)."""

    @property
    def status(self) -> str: ...
    @property
    def reviewer(self) -> str: ...
    @property
    def reviewed_at(self) -> str: ...
    @property
    def note(self) -> str: ...


def supplier_subject(matcher: Matcher, name: str) -> str:
    """The review subject of a supplier name: its normalised words."""
    return " ".join(matcher.tokens(name))


def mention_subject(text: str) -> str:
    """The review subject of a contract text: its normalised words (first 500 characters)."""
    return " ".join(text_tokens(text, 10_000))[:_MAX_SUBJECT]


def apply_judgement(match: Match, judgement: JudgementLike | None) -> Match | None:
    """None for a rejected pair; the match with score 1 for a confirmed one; else unchanged."""
    if judgement is None:
        return match
    if judgement.status == "rejected":
        return None
    return confirmed(match, judgement)


def confirmed(match: Match, judgement: JudgementLike) -> Match:
    """The match as confirmed by a person."""
    note = f": {judgement.note}" if judgement.note else ""
    why = f"confirmed by {judgement.reviewer} on {judgement.reviewed_at[:10]}{note}"
    explanation = f"{why}; {match.explanation}" if match.explanation else why
    return replace(match, score=1.0, rule="review", explanation=explanation)


def confirmed_elsewhere(
    kb: KnowledgeBase,
    kind: str,
    subject: str,
    name: str,
    judgements: Mapping[PairKey, JudgementLike],
    date: str | None = None,
) -> list[Match]:
    """Matches confirmed for this subject that the matcher did not (or no longer) find."""
    out = []
    for (k, s, company_id), judgement in sorted(judgements.items()):
        if k != kind or s != subject or judgement.status != "confirmed":
            continue
        if company_id not in kb.companies:
            continue
        company = kb.companies[company_id]
        group = kb.group_of(company_id, at=date)
        base = Match(name, company.id, company.name, group.id, group.name, 1.0, "review",
                     company.name, "")  # fmt: skip
        out.append(confirmed(base, judgement))
    return out
