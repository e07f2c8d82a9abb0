"""Passwords, random tokens and CSRF tokens: pure functions over the standard library.

Passwords are hashed with scrypt (hashlib, n=2**14, r=8, p=1) and a random 16-byte salt per
user; the stored form is ``scrypt$n$r$p$salt_hex$hash_hex``. Session and API tokens are 32
random bytes; only their SHA-256 is stored. A CSRF token is the HMAC-SHA256 of the session
(or anonymous) cookie under the workspace's secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
ROLES = ("viewer", "reviewer", "admin")


class PasswordPolicyError(ValueError):
    """A password is too short or too long."""


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The scrypt hash of a password with a random (or given) salt, in the stored form."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"passwords have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt" or len(password) > MAX_PASSWORD_LENGTH:
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest_hex) // 2,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def new_token() -> str:
    """A random URL-safe token (32 bytes of entropy)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored for a token: its SHA-256 in hexadecimal."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(secret: str, bound_to: str) -> str:
    """The CSRF token of a session (or anonymous) cookie value."""
    return hmac.new(secret.encode("utf-8"), bound_to.encode("utf-8"), "sha256").hexdigest()


def csrf_valid(secret: str, bound_to: str, given: str | None) -> bool:
    """Whether ``given`` is the CSRF token of ``bound_to`` (constant-time comparison)."""
    if not given or not bound_to:
        return False
    return hmac.compare_digest(csrf_token(secret, bound_to), given)


def role_allows(role: str, needed: str) -> bool:
    """Whether ``role`` grants what ``needed`` requires (viewer < reviewer < admin)."""
    if role not in ROLES or needed not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)
