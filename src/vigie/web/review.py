"""The review queue of matches, on the matching layer's review store (``vigie.store.review``).

Candidates are recorded by every screening run; a reviewer confirms or rejects one, and the
next run (and the server's analysis) applies the latest judgement of each pair. Each
judgement is also written to the web audit log with who and when.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from vigie.store.review import STATUSES, ReviewStore
from vigie.web.accounts import AccountStore, Connect

__all__ = ["STATUSES", "ReviewItem", "ReviewQueue"]


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A (supplier name or text, company) pair found by screening, with its latest judgement."""

    pair_id: str
    kind: str
    subject_text: str
    company_id: str
    company_name: str
    group_name: str
    score: float
    explanation: str
    records: int
    example: str
    status: str = ""
    reviewer: str = ""
    reviewed_at: str = ""
    note: str = ""


class ReviewQueue:
    """The review store of the workspace, seen by the web pages and the API."""

    def __init__(self, connect: Connect, accounts: AccountStore) -> None:
        self.connect = connect
        self.accounts = accounts
        self._lock = threading.Lock()

    def items(self) -> list[ReviewItem]:
        """Every candidate with its latest judgement: pending first, then by score."""
        store = ReviewStore(self.connect())
        judged = store.judgements()
        out = []
        for c in store.candidates(pending_only=False):
            j = judged.get((c.kind, c.subject, c.company_id))
            out.append(
                ReviewItem(
                    c.pair_id, c.kind, c.subject_text, c.company_id, c.company_name,
                    c.group_name, c.score, c.explanation, c.records, c.example,
                    j.status if j else "", j.reviewer if j else "",
                    j.reviewed_at if j else "", j.note if j else "",
                )
            )  # fmt: skip
        return sorted(out, key=lambda i: (bool(i.status), -i.score, -i.records, i.pair_id))

    def judge(self, pair: str, status: str, reviewer: str, note: str) -> None:
        """Record a judgement (``KeyError`` for an unknown pair, ``ValueError`` for a bad
        status) in the review store and the audit log."""
        with self._lock:
            judgement = ReviewStore(self.connect()).judge(pair, status, reviewer, note[:2000])
        detail = {
            "status": status,
            "note": judgement.note,
            "kind": judgement.kind,
            "subject": judgement.subject,
            "company_id": judgement.company_id,
        }
        self.accounts.audit(reviewer, "judgement", pair, detail)
