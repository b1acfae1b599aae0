"""The support queue in the dashboard: /w/NAME/support.

Support people work the queue from here: posts that mention or reply to our accounts, most
urgent first, each with the parts of its urgency score, its intent and complaint reason. Editors
and owners assign a post to a teammate, mark it handled or reopen it; viewers read the same queue
with no controls and get 403 if they post anyway. The numbers come from `hb.support`, the same
functions the CLI and REST use.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hubbub.errors import HubbubError
from hubbub.teams.intent import INTENTS
from hubbub.teams.support import STATUSES, WEIGHTS
from hubbub.web import users as accounts
from hubbub.web.auth import Principal
from hubbub.web.pages import member, member_posting, page

router = APIRouter(include_in_schema=False)

STATUS_CHOICES: Final = ("unhandled", *STATUSES)
ACTIONS: Final = ("assign", "handle", "reopen")


def _choice(value: str | None, allowed: tuple[str, ...], default: str | None) -> str | None:
    """A filter value from the URL; anything unknown falls back to the default, not to an error."""
    return value if value in allowed else default


@router.get("/w/{ws}/support")
def support_page(
    request: Request, ws: str, status: str | None = None, intent: str | None = None
) -> Response:
    return _queue_page(request, member(request, ws), status, intent, None)


def _queue_page(
    request: Request, p: Principal, status: str | None, intent: str | None, error: str | None
) -> Response:
    chosen_status = _choice(status, STATUS_CHOICES, "unhandled")
    chosen_intent = _choice(intent, INTENTS, None)
    with p.workspace.use() as hb:
        owned = hb.owned.list()
        rows = (
            hb.support.queue(status=chosen_status, intent=chosen_intent, limit=100).to_pylist()
            if owned
            else []
        )
        stats = hb.support.stats()
        teammates = [u.username for u in accounts.list_users(hb.store)]
    response = page(
        "support.html",
        request,
        p,
        owned=owned,
        rows=[r for r in rows if r.get("urgency") is not None],
        stats=stats,
        teammates=teammates,
        statuses=STATUS_CHOICES,
        intents=INTENTS,
        status=chosen_status,
        intent=chosen_intent,
        weights=WEIGHTS,
        error=error,
    )
    if error:
        response.status_code = 400
    return response


@router.post("/w/{ws}/support")
async def support_change(request: Request, ws: str) -> Response:
    """Assign, handle or reopen one post, then back to the queue with the same filters."""
    p = await member_posting(request, ws)  # editors and owners only
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    action, post_id = form.get("action", ""), form.get("post_id", "")
    back = {k: form[k] for k in ("status", "intent") if form.get(k)}
    try:
        if action not in ACTIONS:
            raise HubbubError(f"unknown action {action!r}", f"use one of {', '.join(ACTIONS)}")
        with p.workspace.use() as hb:
            if action == "assign":
                hb.support.assign(post_id, form.get("assignee", ""))
            elif action == "handle":
                hb.support.handle(post_id, p.user.username, form.get("note") or None)
            else:
                hb.support.reopen(post_id)
    except HubbubError as exc:
        # Shown on the queue page; the failed change is the only thing not applied.
        back["error"] = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        return _queue_page(request, p, back.get("status"), back.get("intent"), back["error"])
    query = f"?{urlencode(back)}" if back else ""
    return RedirectResponse(f"{p.workspace.base}/support{query}#post-{post_id}", 303)
