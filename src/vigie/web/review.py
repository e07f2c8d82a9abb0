"""The review queue of matches: candidates, confirm or reject, with who and when.

Until the match branch's review store (``vigie.store.review``) is on main,
:class:`AuditReviewQueue` derives the candidates from the workspace's findings and keeps
the judgements in the web audit log (append-only, the latest one of a pair counts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from vigie.assess import Finding
from vigie.web.accounts import AccountStore

STATUSES = ("confirmed", "rejected")


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A (supplier name, company) pair found by screening, with its latest judgement."""

    pair_id: str
    subject_text: str
    company_id: str
    company_name: str
    group_name: str
    score: float
    explanation: str
    records: int
    status: str = ""
    reviewer: str = ""
    reviewed_at: str = ""


def pair_id(subject: str, company_id: str) -> str:
    """A short stable id of a (supplier name, company) pair."""
    raw = "\x1f".join(("supplier", subject.casefold().strip(), company_id)).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:12]


def candidates(findings: Sequence[Finding]) -> dict[str, ReviewItem]:
    """One candidate per (supplier name, company), with the number of records."""
    out: dict[str, ReviewItem] = {}
    counts: dict[str, int] = {}
    for finding in findings:
        name = finding.supplier.name or ""
        pid = pair_id(name, finding.match.company_id)
        counts[pid] = counts.get(pid, 0) + 1
        if pid not in out:
            m = finding.match
            out[pid] = ReviewItem(
                pid, name, m.company_id, m.company_name, m.group_name, m.score, m.explanation, 0
            )
    return {pid: replace(item, records=counts[pid]) for pid, item in out.items()}


class AuditReviewQueue:
    """Judgements kept in the web audit log (action ``judgement``, target the pair id)."""

    def __init__(self, accounts: AccountStore) -> None:
        self.accounts = accounts

    def latest(self) -> dict[str, tuple[str, str, str]]:
        """pair id -> (status, reviewer, when) of its latest judgement."""
        rows = (
            self.accounts.connect()
            .execute(
                "SELECT target, json_extract_string(detail, '$.status'), username, happened_at "
                "FROM web_audit WHERE action = 'judgement' ORDER BY seq"
            )
            .fetchall()
        )
        return {str(t): (str(s), str(u), at.isoformat()) for t, s, u, at in rows}

    def items(self, findings: Sequence[Finding]) -> list[ReviewItem]:
        """Every candidate pair with its latest judgement, pending first, then by score."""
        judged = self.latest()
        out = []
        for pid, item in candidates(findings).items():
            status, who, when = judged.get(pid, ("", "", ""))
            out.append(replace(item, status=status, reviewer=who, reviewed_at=when))
        return sorted(out, key=lambda i: (bool(i.status), -i.score, -i.records, i.pair_id))

    def judge(
        self, pair: str, status: str, reviewer: str, note: str, findings: Sequence[Finding]
    ) -> ReviewItem:
        """Record a judgement on a candidate of ``findings``."""
        if status not in STATUSES:
            raise ValueError(status)
        found = candidates(findings)
        if pair not in found:
            raise KeyError(pair)
        item = found[pair]
        detail = {
            "status": status,
            "note": note[:2000],
            "subject": item.subject_text,
            "company_id": item.company_id,
        }
        self.accounts.audit(reviewer, "judgement", pair, detail)
        return item
