"""Who is asking: sessions (cookie + CSRF token) and API tokens (Bearer), scoped to one workspace.

Routers use one dependency: `Depends(current_principal)` (any member), `Depends(require_editor)`
(owner or editor) or `Depends(require_owner)`, then `principal.workspace.use()` for the store.
A session or token belongs to one workspace: asking for another (X-Hubbub-Workspace header, or a
page under /w/OTHER/) is refused. Unsafe methods with a session need the session's CSRF token
(X-CSRF-Token header or a `csrf_token` form field); Bearer tokens are exempt (no ambient cookie).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hubbub.api import Hubbub
from hubbub.web.users import TOKEN_PREFIX, User, session_user, token_user
from hubbub.web.workspaces import Workspace

SESSION_COOKIE: Final = "hubbub_session"
CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FIELD: Final = "csrf_token"
WORKSPACE_HEADER: Final = "X-Hubbub-Workspace"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="An API token from `hubbub users token NAME`.")


@dataclass(frozen=True)
class Principal:
    workspace: Workspace
    user: User
    via: str  # "session" or "token"
    csrf: str | None = None  # the session's CSRF token (None for API tokens)


def workspaces(request: Request) -> dict[str, Workspace]:
    found: dict[str, Workspace] = request.app.state.workspaces
    return found


def session_principal(request: Request) -> Principal | None:
    """The signed-in user of the session cookie (cookie value: WORKSPACE.SECRET), or None."""
    name, _, secret = request.cookies.get(SESSION_COOKIE, "").partition(".")
    workspace = workspaces(request).get(name)
    if workspace is None or not secret:
        return None
    with workspace.use() as hb:
        found = session_user(hb.store, secret)
    return Principal(workspace, found[0], "session", found[1]) if found else None


def _token_principal(request: Request, token: str) -> Principal:
    if token.startswith(TOKEN_PREFIX):
        for workspace in workspaces(request).values():
            with workspace.use() as hb:
                user = token_user(hb.store, token)
            if user is not None:
                return Principal(workspace, user, "token")
    raise HTTPException(
        401,
        {"error": "unknown API token", "hint": "create one with `hubbub users token NAME`"},
        headers={"WWW-Authenticate": "Bearer"},
    )


async def csrf_ok(request: Request, expected: str | None) -> bool:
    """Does the request carry the session's CSRF token (header or form field)?"""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return bool(expected and sent and hmac.compare_digest(sent, expected))


async def current_principal(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Principal:
    """Any member of the workspace the session or token belongs to."""
    if credentials is not None:
        principal = _token_principal(request, credentials.credentials)
    else:
        found = session_principal(request)
        if found is None:
            raise HTTPException(
                401,
                {"error": "not signed in", "hint": "send Authorization: Bearer TOKEN or sign in"},
                headers={"WWW-Authenticate": "Bearer"},
            )
        principal = found
        if request.method not in SAFE_METHODS and not await csrf_ok(request, principal.csrf):
            raise HTTPException(
                403,
                {"error": "CSRF token missing or wrong", "hint": f"send the {CSRF_HEADER} header"},
            )
    wanted = request.headers.get(WORKSPACE_HEADER)
    if wanted is not None and wanted != principal.workspace.name:
        raise HTTPException(
            403,
            {
                "error": f"this credential belongs to workspace {principal.workspace.name!r}",
                "hint": f"use a token or session of workspace {wanted!r}",
            },
        )
    return principal


def require_editor(principal: Principal = Depends(current_principal)) -> Principal:
    """Owner or editor: viewers cannot change anything."""
    if not principal.user.can_edit:
        raise HTTPException(
            403, {"error": "viewers cannot change anything", "hint": "ask an owner for editor"}
        )
    return principal


def require_owner(principal: Principal = Depends(current_principal)) -> Principal:
    if not principal.user.is_owner:
        raise HTTPException(403, {"error": "only an owner can do this", "hint": "ask an owner"})
    return principal


class LoginLimiter:
    """At most `max_failures` failed sign-ins per (workspace, user, client address) per window."""

    def __init__(self, max_failures: int = 5, window_seconds: float = 60.0) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[tuple[str, str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, key: tuple[str, str, str]) -> bool:
        with self._lock:
            return len(self._recent(key, time.monotonic())) >= self.max_failures

    def failed(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # guessing many names must not grow memory forever
                for stale in [k for k in self._failures if not self._recent(k, now)]:
                    del self._failures[stale]

    def succeeded(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


def member_hubbub(principal: Principal = Depends(current_principal)) -> Iterator[Hubbub]:
    """The Hubbub of the caller's workspace, for any member: routers of other areas read with it."""
    with principal.workspace.use() as hb:
        yield hb


def editor_hubbub(principal: Principal = Depends(require_editor)) -> Iterator[Hubbub]:
    """The Hubbub of the caller's workspace, for owners and editors only (changes)."""
    with principal.workspace.use() as hb:
        yield hb
