"""Review of matches: candidates found by screening runs and people's judgements on them.

A pair is (kind, subject, company): ``kind`` is ``supplier`` or ``mention``, ``subject`` the
normalised supplier name or text (computed by the resolve layer; opaque here). Judgements are
appended, never overwritten; the latest one of a pair is the one applied by later runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

STATUSES = ("confirmed", "rejected")
PairKey = tuple[str, str, str]


def pair_id(kind: str, subject: str, company_id: str) -> str:
    """A short stable id of a pair (12 hexadecimal characters)."""
    raw = "\x1f".join((kind, subject, company_id)).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A match found by a run, as shown for review."""

    kind: str
    subject: str
    subject_text: str
    company_id: str
    company_name: str
    group_id: str
    group_name: str
    score: float
    rule: str
    explanation: str
    records: int
    example: str

    @property
    def pair_id(self) -> str:
        """The pair's id."""
        return pair_id(self.kind, self.subject, self.company_id)


@dataclass(frozen=True, slots=True)
class Judgement:
    """A person's decision on a pair: confirmed or rejected, who, when, why."""

    kind: str
    subject: str
    company_id: str
    status: str
    reviewer: str
    reviewed_at: str
    note: str = ""


class UnknownPairError(KeyError):
    """No candidate has this pair id."""


class ReviewStore:
    """Candidates and judgements in a workspace's DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def record_candidates(self, run_id: str, candidates: Sequence[Candidate]) -> None:
        """Store (or refresh) the candidates of a run."""
        now = datetime.now(UTC).replace(tzinfo=None)
        rows = [
            (c.pair_id, c.kind, c.subject, c.subject_text, c.company_id, c.company_name,
             c.group_id, c.group_name, c.score, c.rule, c.explanation, c.records, c.example,
             run_id, now)
            for c in candidates
        ]  # fmt: skip
        if rows:
            self.con.executemany(
                "INSERT OR REPLACE INTO match_candidates VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def candidates(self, pending_only: bool = True) -> list[Candidate]:
        """Candidates (by default only those with no judgement), best score first."""
        where = "WHERE pair_id NOT IN (SELECT pair_id FROM match_reviews)" if pending_only else ""
        rows = self.con.execute(
            "SELECT kind, subject, subject_text, company_id, company_name, group_id, group_name, "
            f"score, rule, explanation, records, example FROM match_candidates {where} "
            "ORDER BY score DESC, records DESC, pair_id"
        ).fetchall()
        return [Candidate(*row) for row in rows]

    def candidate(self, pair: str) -> Candidate:
        """The candidate with this pair id (``UnknownPairError`` when none)."""
        for candidate in self.candidates(pending_only=False):
            if candidate.pair_id == pair:
                return candidate
        raise UnknownPairError(pair)

    def judge(self, pair: str, status: str, reviewer: str, note: str = "") -> Judgement:
        """Record a judgement on a candidate pair and return it."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        if not reviewer.strip():
            raise ValueError("a judgement needs the reviewer's name")
        c = self.candidate(pair)
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        row = self.con.execute("SELECT coalesce(max(seq), 0) + 1 FROM match_reviews").fetchone()
        seq = int(row[0]) if row else 1
        self.con.execute(
            "INSERT INTO match_reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [seq, pair, c.kind, c.subject, c.company_id, status, reviewer.strip(), now, note],
        )
        return Judgement(c.kind, c.subject, c.company_id, status, reviewer.strip(),
                         now.isoformat(), note)  # fmt: skip

    def judgements(self) -> dict[PairKey, Judgement]:
        """The latest judgement of every judged pair, keyed by (kind, subject, company_id)."""
        rows = self.con.execute(
            "SELECT kind, subject, company_id, status, reviewer, reviewed_at, note "
            "FROM match_reviews ORDER BY seq"
        ).fetchall()
        out: dict[PairKey, Judgement] = {}
        for kind, subject, company, status, reviewer, when, note in rows:
            out[(kind, subject, company)] = Judgement(
                kind, subject, company, status, reviewer, when.isoformat(), note
            )
        return out

    def history(self) -> list[Judgement]:
        """Every judgement ever recorded, oldest first."""
        rows = self.con.execute(
            "SELECT kind, subject, company_id, status, reviewer, reviewed_at, note "
            "FROM match_reviews ORDER BY seq"
        ).fetchall()
        return [Judgement(k, s, c, st, r, w.isoformat(), n) for k, s, c, st, r, w, n in rows]
