"""Accounts, sessions, API tokens, the secret key and the audit log, in the workspace.

Every method takes its connection from ``connect`` (one DuckDB cursor per thread), so the
store can be shared by the request threads of the server.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from vigie.web.security import ROLES, hash_password, new_token, token_digest, verify_password

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
Connect = Callable[[], duckdb.DuckDBPyConnection]
TOKEN_CACHE_SECONDS = 30.0
TOKEN_CACHE_SIZE = 10_000


class AccountError(ValueError):
    """A user cannot be created or changed; ``code`` names the message (``web_<code>``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in person: name and role."""

    username: str
    role: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    seq: int
    at: str
    username: str
    action: str
    target: str
    detail: dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class AccountStore:
    """Users, sessions, tokens and audit log of one workspace."""

    def __init__(self, connect: Connect, session_hours: int = 12) -> None:
        self.connect = connect
        self.session_hours = session_hours
        self._audit_lock = threading.Lock()
        self._tokens: dict[str, tuple[User | None, float]] = {}

    def add_user(self, username: str, password: str, role: str) -> User:
        """Create a user (``AccountError`` if the name is taken or invalid)."""
        if not USERNAME.match(username):
            raise AccountError("bad_username")
        if role not in ROLES:
            raise AccountError("bad_role")
        con = self.connect()
        if con.execute("SELECT 1 FROM web_users WHERE username = ?", [username]).fetchone():
            raise AccountError("user_exists")
        stored = hash_password(password)
        con.execute(
            "INSERT INTO web_users VALUES (?, ?, ?, ?, TRUE)", [username, role, stored, _now()]
        )
        return User(username, role)

    def users(self) -> list[User]:
        """Every active user, by name."""
        rows = (
            self.connect()
            .execute("SELECT username, role FROM web_users WHERE active ORDER BY username")
            .fetchall()
        )
        return [User(str(u), str(r)) for u, r in rows]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password matches, else None."""
        row = (
            self.connect()
            .execute(
                "SELECT role, password_hash FROM web_users WHERE username = ? AND active",
                [username],
            )
            .fetchone()
        )
        if row is None:
            verify_password(password, hash_password("timing-equaliser"))
            return None
        return User(username, str(row[0])) if verify_password(password, str(row[1])) else None

    def recent_failures(self, username: str, minutes: int = 15) -> int:
        """Failed sign-ins for ``username`` in the last ``minutes`` (from the audit log)."""
        row = (
            self.connect()
            .execute(
                "SELECT count(*) FROM web_audit WHERE action = 'login_failed' AND target = ? "
                "AND happened_at > ?",
                [username, _now() - timedelta(minutes=minutes)],
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def open_session(self, user: User) -> str:
        """A new session for ``user``; returns the cookie value (only its digest is stored).
        Expired sessions are deleted on the way."""
        token = new_token()
        now = _now()
        self.connect().execute("DELETE FROM web_sessions WHERE expires_at <= ?", [now])
        self.connect().execute(
            "INSERT INTO web_sessions VALUES (?, ?, ?, ?)",
            [token_digest(token), user.username, now, now + timedelta(hours=self.session_hours)],
        )
        return token

    def session_user(self, token: str) -> User | None:
        """The user of a live session cookie, else None."""
        return self._lookup(
            "SELECT u.username, u.role FROM web_sessions s JOIN web_users u USING (username) "
            "WHERE s.token_sha256 = ? AND s.expires_at > ? AND u.active",
            [token_digest(token), _now()],
        )

    def close_session(self, token: str) -> None:
        """End a session (logout)."""
        self.connect().execute(
            "DELETE FROM web_sessions WHERE token_sha256 = ?", [token_digest(token)]
        )

    def issue_token(self, username: str, label: str = "api") -> str:
        """A new API token for an existing user; shown once, only its digest is stored."""
        con = self.connect()
        if not con.execute("SELECT 1 FROM web_users WHERE username = ?", [username]).fetchone():
            raise AccountError("no_such_user")
        token = new_token()
        con.execute(
            "INSERT INTO web_tokens VALUES (?, ?, ?, ?)",
            [token_digest(token), username, label, _now()],
        )
        return token

    def token_user(self, token: str) -> User | None:
        """The user of an API token, else None (answers are kept ``TOKEN_CACHE_SECONDS``)."""
        digest = token_digest(token)
        now = time.monotonic()
        cached = self._tokens.get(digest)
        if cached is not None and cached[1] > now:
            return cached[0]
        user = self._lookup(
            "SELECT u.username, u.role FROM web_tokens t JOIN web_users u USING (username) "
            "WHERE t.token_sha256 = ? AND u.active",
            [digest],
        )
        if len(self._tokens) > TOKEN_CACHE_SIZE:
            self._tokens.clear()
        self._tokens[digest] = (user, now + TOKEN_CACHE_SECONDS)
        return user

    def _lookup(self, sql: str, params: list[Any]) -> User | None:
        row = self.connect().execute(sql, params).fetchone()
        return None if row is None else User(str(row[0]), str(row[1]))

    def secret_key(self) -> str:
        """The workspace's random secret key, created on first use."""
        con = self.connect()
        con.execute(
            "INSERT INTO web_settings VALUES ('secret_key', ?) ON CONFLICT DO NOTHING",
            [new_token()],
        )
        row = con.execute("SELECT value FROM web_settings WHERE key = 'secret_key'").fetchone()
        return str(row[0]) if row else ""

    def audit(self, username: str, action: str, target: str, detail: dict[str, Any]) -> None:
        """Append a line to the audit log."""
        con = self.connect()
        with self._audit_lock:
            row = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM web_audit").fetchone()
            seq = int(row[0]) if row else 1
            con.execute(
                "INSERT INTO web_audit VALUES (?, ?, ?, ?, ?, ?)",
                [seq, _now(), username, action, target, json.dumps(detail, ensure_ascii=False)],
            )

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        """The latest lines of the audit log, newest first."""
        rows = (
            self.connect()
            .execute(
                "SELECT seq, happened_at, username, action, target, detail FROM web_audit "
                "ORDER BY seq DESC LIMIT ?",
                [limit],
            )
            .fetchall()
        )
        return [
            AuditEntry(int(s), at.isoformat(), str(u), str(a), str(t), json.loads(d))
            for s, at, u, a, t, d in rows
        ]
