"""The server's state: workspace connection (one cursor per thread), knowledge base, matcher,
policy, accounts, the cached analysis, and screening jobs run in background threads."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from vigie.assess.policy import Policy, load_policy
from vigie.kb import KnowledgeBase, load_knowledge_base
from vigie.pipeline import ScreenOptions, ScreenResult, screen
from vigie.resolve import Matcher
from vigie.store import Workspace
from vigie.web.accounts import AccountStore
from vigie.web.analysis import Analysis, analyse
from vigie.web.review import ReviewQueue
from vigie.web.settings import WebSettings


@dataclass(slots=True)
class Job:
    """A screening run started from the browser or the API."""

    id: str
    filename: str
    username: str
    status: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    run_id: str = ""
    error: str = ""
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The job as JSON for the progress page."""
        return {
            "id": self.id,
            "filename": self.filename,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "run_id": self.run_id,
            "error": self.error,
            "summary": self.summary,
        }


MAX_JOBS = 500


class AppState:
    """Everything the request handlers share; built once by :func:`vigie.web.create_app`."""

    def __init__(self, settings: WebSettings, kb: KnowledgeBase | None = None) -> None:
        self.settings = settings
        self.workspace = Workspace.open(settings.workspace)
        self._open = True
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self.kb = kb or load_knowledge_base()
        self.matcher = Matcher(self.kb)
        self.policy: Policy = load_policy(settings.policy)
        self.accounts = AccountStore(self.cursor, settings.session_hours)
        self.secret = self.accounts.secret_key()
        self.reviews = ReviewQueue(self.cursor, self.accounts)
        self.jobs: dict[str, Job] = {}
        self._analysis: Analysis | None = None
        self._analysis_lock = threading.Lock()
        self._screen_lock = threading.Lock()
        settings.files_dir.mkdir(parents=True, exist_ok=True)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the workspace."""
        con: duckdb.DuckDBPyConnection | None = getattr(self._local, "con", None)
        if con is None:
            con = self.workspace.con.cursor()
            self._local.con = con
            self._cursors.append(con)
        return con

    def analysis(self) -> Analysis:
        """The analysis of the workspace (computed on first use, replaced after screening)."""
        with self._analysis_lock:
            if self._analysis is None:
                ws = Workspace(self.cursor(), self.workspace.path)
                self._analysis = analyse(ws, self.kb, self.policy)
            return self._analysis

    def judge(self, pair: str, status: str, reviewer: str, note: str) -> None:
        """Record a judgement on a candidate match; the analysis applies it from now on."""
        self.reviews.judge(pair, status, reviewer, note)
        self.invalidate()

    def invalidate(self) -> None:
        """Forget the analysis (the next page computes it again)."""
        with self._analysis_lock:
            self._analysis = None

    def new_job(self, filename: str, username: str) -> Job:
        """Register a screening job."""
        job = Job(uuid.uuid4().hex, filename, username)
        while len(self.jobs) >= MAX_JOBS:  # the oldest job is forgotten (its run stays)
            del self.jobs[next(iter(self.jobs))]
        self.jobs[job.id] = job
        return job

    def run_screen(self, job: Job, path: Path, lang: str) -> ScreenResult | None:
        """Screen one uploaded file into a new run directory; progress and outcome go into
        ``job``; the judgement of the run is written to the audit log."""

        def progress(done: int, total: int, _path: str) -> None:
            job.done, job.total = done, total

        job.status = "running"
        outdir = self.settings.files_dir / "runs" / job.id
        options = ScreenOptions(lang=lang, kb=self.kb, policy=self.policy)
        try:
            with self._screen_lock:
                ws = Workspace(self.workspace.con.cursor(), self.workspace.path)
                try:
                    result = screen([path], outdir, ws, options, progress)
                finally:
                    ws.close()
        except Exception as exc:  # the job reports any failure of the pipeline
            job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
            self.accounts.audit(job.username, "screen_failed", job.filename, {"error": job.error})
            return None
        job.run_id = str(result.summary["run_id"])
        job.summary = {k: result.summary[k] for k in _SUMMARY_KEYS if k in result.summary}
        job.status = "done"
        detail = {"run_id": job.run_id, "file": job.filename, **job.summary}
        self.accounts.audit(job.username, "screen", job.run_id, detail)
        self.invalidate()
        return result

    def reopen(self) -> None:
        """Open the workspace again after :meth:`close` (an application started twice)."""
        if not self._open:
            self.workspace = Workspace.open(self.settings.workspace)
            self._local = threading.local()
            self._open = True

    def close(self) -> None:
        """Close the workspace."""
        if self._open:
            for cursor in self._cursors:
                cursor.close()
            self._cursors.clear()
            self.workspace.close()
            self._open = False


_SUMMARY_KEYS = (
    "records_read",
    "records_loaded",
    "records_rejected",
    "findings",
    "decisions",
    "policy",
)
