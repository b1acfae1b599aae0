"""Users of a workspace (one store): roles, argon2 password hashes, sessions and API tokens.

`hubbub users add|list|remove|token` call these functions; the web app signs people in with them.
Sessions and API tokens are random secrets handed out once; only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hubbub.errors import HubbubError
from hubbub.store import Store

ROLES: Final = ("owner", "editor", "viewer")
MIN_PASSWORD: Final = 8
SESSION_LIFETIME: Final = timedelta(days=7)
TOKEN_PREFIX: Final = "hb_"
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing of "no such user" and
# "wrong password" alike, so the login form does not reveal which usernames exist.
_DUMMY_HASH: Final = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    username: str
    role: str
    created_at: datetime

    @property
    def can_edit(self) -> bool:
        return self.role in ("owner", "editor")

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"

    def as_dict(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role, "created_at": self.created_at}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise HubbubError(f"unknown role {role!r}", f"use one of: {', '.join(ROLES)}")
    return role


def has_users(store: Store) -> bool:
    row = store.one("SELECT count(*) FROM users")
    return bool(row and row[0])


def get_user(store: Store, username: str) -> User | None:
    row = store.one("SELECT username, role, created_at FROM users WHERE username = ?", [username])
    return User(*row) if row else None


def list_users(store: Store) -> list[User]:
    rows = store.con.execute(
        "SELECT username, role, created_at FROM users ORDER BY username"
    ).fetchall()
    return [User(*r) for r in rows]


def add_user(store: Store, username: str, password: str, role: str = "editor") -> User:
    """Add a user with an argon2 hash of the password (the password itself is never stored)."""
    if not _USERNAME.match(username):
        raise HubbubError(
            f"invalid username {username!r}",
            "use 1-64 letters, digits or . _ @ - (no spaces)",
        )
    if len(password) < MIN_PASSWORD:
        raise HubbubError(
            f"the password is too short ({len(password)} characters)",
            f"use at least {MIN_PASSWORD} characters",
        )
    _check_role(role)
    if get_user(store, username) is not None:
        raise HubbubError(
            f"the user {username!r} already exists", "pick another name or `hubbub users remove` it"
        )
    now = datetime.now(UTC)
    store.con.execute(
        "INSERT INTO users VALUES (?, ?, ?, ?)", [username, _hasher.hash(password), role, now]
    )
    user = get_user(store, username)
    assert user is not None
    return user


def remove_user(store: Store, username: str) -> None:
    """Remove a user with their sessions and tokens. The last owner stays (someone must admin)."""
    user = get_user(store, username)
    if user is None:
        raise HubbubError(f"no user {username!r}", "see `hubbub users list`")
    owners = store.one("SELECT count(*) FROM users WHERE role = 'owner'")
    if user.is_owner and owners is not None and owners[0] <= 1:
        raise HubbubError(
            f"{username!r} is the only owner of this workspace",
            "add another owner first (`hubbub users add NAME --role owner`)",
        )
    with store.transaction() as con:
        for table in ("sessions", "api_tokens", "users"):
            con.execute(f"DELETE FROM {table} WHERE username = ?", [username])


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The user if the password is right, else None."""
    row = store.one("SELECT password_hash FROM users WHERE username = ?", [username])
    try:
        _hasher.verify(row[0] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return get_user(store, username) if row else None


# -- sessions -------------------------------------------------------------------------------------
def create_session(store: Store, username: str) -> tuple[str, str]:
    """(session secret for the cookie, CSRF token for the forms of this session)."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    store.con.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])  # keep the table small
    store.con.execute(
        "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
        [_digest(secret), username, csrf, now, now + SESSION_LIFETIME],
    )
    return secret, csrf


def session_user(store: Store, secret: str) -> tuple[User, str] | None:
    """(user, CSRF token) of a live session, or None."""
    row = store.one(
        "SELECT s.username, s.csrf FROM sessions s WHERE s.token_hash = ? AND s.expires_at > ?",
        [_digest(secret), datetime.now(UTC)],
    )
    if row is None:
        return None
    user = get_user(store, row[0])
    return (user, row[1]) if user else None


def end_session(store: Store, secret: str) -> None:
    store.con.execute("DELETE FROM sessions WHERE token_hash = ?", [_digest(secret)])


# -- API tokens -----------------------------------------------------------------------------------
def create_token(store: Store, username: str, label: str | None = None) -> str:
    """A new API token for `username` (shown once: only its hash is kept)."""
    if get_user(store, username) is None:
        raise HubbubError(f"no user {username!r}", "see `hubbub users list`")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    store.con.execute(
        "INSERT INTO api_tokens VALUES (?, ?, ?, ?)",
        [_digest(token), username, label, datetime.now(UTC)],
    )
    return token


def token_user(store: Store, token: str) -> User | None:
    row = store.one("SELECT username FROM api_tokens WHERE token_hash = ?", [_digest(token)])
    return get_user(store, row[0]) if row else None
