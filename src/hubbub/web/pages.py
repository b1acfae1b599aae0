"""The dashboard: server-rendered pages under /w/NAME/, one workspace per store.

Every page needs a session of its workspace (a session of another workspace gets 403), every
form carries the session's CSRF token, and viewers see no editing controls (and get 403 if they
post anyway). Numbers come from the Python API through the panels; pages compute none.
"""

from __future__ import annotations

import secrets
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from hubbub.errors import HubbubError
from hubbub.query import QuerySyntaxError, parse
from hubbub.topics import add_topic, get_topic, list_topics, remove_topic
from hubbub.web import users as accounts
from hubbub.web.auth import (
    CSRF_FIELD,
    SESSION_COOKIE,
    LoginLimiter,
    Principal,
    csrf_ok,
    session_principal,
    workspaces,
)
from hubbub.web.dashboards import delete_dashboard, get_dashboard, list_dashboards, save_dashboard
from hubbub.web.panels import PANEL_KINDS, PanelSpec, render_panel
from hubbub.web.report import dashboard_html, html_to_bytes
from hubbub.web.templating import render
from hubbub.web.workspaces import Workspace

PRE_SESSION_COOKIE: Final = "hubbub_form"  # double-submit CSRF token for login and setup forms

router = APIRouter(include_in_schema=False)
limiter = LoginLimiter()


class PageDeniedError(Exception):
    """Raised by page helpers; the app turns it into a redirect or an error page."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _workspace(request: Request, name: str) -> Workspace:
    found = workspaces(request).get(name)
    if found is None:
        raise PageDeniedError(
            _error_page(404, "No such workspace", f"There is no workspace {name!r}.")
        )
    return found


def _error_page(status: int, title: str, message: str) -> HTMLResponse:
    return HTMLResponse(render("error.html", title=title, message=message, p=None), status)


def member(request: Request, name: str, *, edit: bool = False) -> Principal:
    """The signed-in member of workspace `name`, else a redirect to sign in (or 403)."""
    workspace = _workspace(request, name)
    principal = session_principal(request)
    if principal is None:
        with workspace.use() as hb:
            first_run = not accounts.has_users(hb.store)
        target = "setup" if first_run else "login"
        raise PageDeniedError(RedirectResponse(f"{workspace.base}/{target}", 303))
    if principal.workspace is not workspace:
        raise PageDeniedError(
            _error_page(
                403,
                "Not your workspace",
                f"You are signed in to workspace {principal.workspace.name!r}, not {name!r}. "
                f"Sign in to {name!r} with an account of that workspace.",
            )
        )
    if edit and not principal.user.can_edit:
        raise PageDeniedError(_error_page(403, "Read only", "Viewers cannot change anything."))
    return principal


async def member_posting(request: Request, name: str, *, edit: bool = True) -> Principal:
    principal = member(request, name, edit=edit)
    if not await csrf_ok(request, principal.csrf):
        raise PageDeniedError(
            _error_page(403, "Form expired", "The form's CSRF token is missing or wrong; reload.")
        )
    return principal


def page(template: str, request: Request, p: Principal | None, **context: Any) -> HTMLResponse:
    return HTMLResponse(
        render(
            template,
            p=p,
            csrf=p.csrf if p else "",
            csrf_field=CSRF_FIELD,
            kinds=PANEL_KINDS,
            request=request,
            **context,
        )
    )


def _groups(p: Principal) -> list[str]:
    with p.workspace.use() as hb:
        return sorted({t.group for t in list_topics(hb.store) if t.group})


# -- the way in --------------------------------------------------------------------------------------
@router.get("/")
def home(request: Request) -> Response:
    spaces = workspaces(request)
    if len(spaces) == 1:
        return RedirectResponse(next(iter(spaces.values())).base + "/", 303)
    return page("workspaces.html", request, None, spaces=sorted(spaces))


def _form_page(
    template: str, request: Request, ws: Workspace, status: int = 200, **ctx: Any
) -> HTMLResponse:
    token = request.cookies.get(PRE_SESSION_COOKIE) or secrets.token_urlsafe(24)
    response = HTMLResponse(
        render(template, p=None, csrf=token, csrf_field=CSRF_FIELD, ws=ws, **ctx), status
    )
    response.set_cookie(
        PRE_SESSION_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


def _secure(request: Request) -> bool:
    """Secure cookies, except over plain HTTP on loopback (browsers treat it as a secure
    context, but HTTP clients would drop a Secure cookie there)."""
    return request.url.scheme == "https" or request.url.hostname not in (
        "127.0.0.1",
        "localhost",
        "::1",
    )


async def _pre_session_form(request: Request) -> dict[str, str]:
    form = await request.form()
    sent, expected = form.get(CSRF_FIELD), request.cookies.get(PRE_SESSION_COOKIE)
    if not (isinstance(sent, str) and expected and secrets.compare_digest(sent, expected)):
        raise PageDeniedError(
            _error_page(403, "Form expired", "The form's CSRF token is missing or wrong; reload.")
        )
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _signed_in(request: Request, ws: Workspace, username: str) -> Response:
    with ws.use() as hb:
        secret, _ = accounts.create_session(hb.store, username)
    response = RedirectResponse(ws.base + "/", 303)
    response.set_cookie(
        SESSION_COOKIE,
        f"{ws.name}.{secret}",
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",  # lax: a shared dashboard link opened from chat or e-mail still works
        secure=_secure(request),
        path="/",
    )
    return response


@router.get("/w/{ws}/setup")
def setup_form(request: Request, ws: str) -> Response:
    workspace = _workspace(request, ws)
    with workspace.use() as hb:
        if accounts.has_users(hb.store):
            return RedirectResponse(workspace.base + "/login", 303)
    return _form_page("setup.html", request, workspace)


@router.post("/w/{ws}/setup")
async def setup(request: Request, ws: str) -> Response:
    workspace = _workspace(request, ws)
    form = await _pre_session_form(request)
    with workspace.use() as hb:
        if accounts.has_users(hb.store):  # only the very first account is created this way
            return _error_page(403, "Already set up", "This workspace has an owner; sign in.")
        try:
            accounts.add_user(hb.store, form.get("username", ""), form.get("password", ""), "owner")
        except HubbubError as exc:
            return _form_page("setup.html", request, workspace, 400, error=exc)
    return _signed_in(request, workspace, form["username"])


@router.get("/w/{ws}/login")
def login_form(request: Request, ws: str) -> Response:
    return _form_page("login.html", request, _workspace(request, ws))


@router.post("/w/{ws}/login")
async def login(request: Request, ws: str) -> Response:
    workspace = _workspace(request, ws)
    form = await _pre_session_form(request)
    username = form.get("username", "")
    key = (workspace.name, username.lower(), request.client.host if request.client else "?")
    if limiter.blocked(key):
        return _form_page(
            "login.html",
            request,
            workspace,
            429,
            error=HubbubError("too many failed sign-ins", "wait a minute and try again"),
        )
    with workspace.use() as hb:
        user = accounts.authenticate(hb.store, username, form.get("password", ""))
    if user is None:
        limiter.failed(key)
        return _form_page(
            "login.html",
            request,
            workspace,
            401,
            error=HubbubError("wrong username or password", "check both and try again"),
        )
    limiter.succeeded(key)
    return _signed_in(request, workspace, user.username)


@router.post("/w/{ws}/logout")
async def logout(request: Request, ws: str) -> Response:
    p = await member_posting(request, ws, edit=False)
    secret = request.cookies.get(SESSION_COOKIE, "").partition(".")[2]
    with p.workspace.use() as hb:
        accounts.end_session(hb.store, secret)
    response = RedirectResponse(p.workspace.base + "/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- reading -----------------------------------------------------------------------------------------
def _panels(p: Principal, specs: list[PanelSpec]) -> list[Any]:
    with p.workspace.use() as hb:
        return [render_panel(hb, spec) for spec in specs]


@router.get("/w/{ws}/")
def overview(request: Request, ws: str) -> Response:
    p = member(request, ws)
    specs = [
        PanelSpec("volume"),
        PanelSpec("sentiment"),
        PanelSpec("topics"),
        PanelSpec("headlines"),
    ]
    return page("overview.html", request, p, panels=_panels(p, specs), groups=_groups(p))


@router.get("/w/{ws}/panels/{kind}")
def one_panel(
    request: Request, ws: str, kind: str, topic: str | None = None, group: str | None = None
) -> Response:
    p = member(request, ws)
    (panel,) = _panels(p, [PanelSpec(kind, topic or None, group or None)])
    return page("panel.html", request, p, panel=panel)


@router.get("/w/{ws}/topics")
def topics_page(request: Request, ws: str) -> Response:
    p = member(request, ws)
    with p.workspace.use() as hb:
        topics = list_topics(hb.store)
    return page("topics.html", request, p, topics=topics, groups=_groups(p), error=None, form={})


@router.post("/w/{ws}/topics")
async def create_topic(request: Request, ws: str) -> Response:
    p = await member_posting(request, ws)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    name, query, group = (
        form.get("name", "").strip(),
        form.get("query", ""),
        form.get("group", "").strip(),
    )
    error: Any = None
    with p.workspace.use() as hb:
        try:
            topic = add_topic(hb.store, name, query, group or None)
        except QuerySyntaxError as exc:
            error = {
                "message": exc.problem,
                "hint": exc.hint,
                "excerpt": exc.excerpt(),
                "line": exc.line,
                "column": exc.column,
            }
        except HubbubError as exc:
            error = {"message": exc.message, "hint": exc.hint, "excerpt": ""}
        topics = list_topics(hb.store)
    if error is None:
        return RedirectResponse(f"{p.workspace.base}/topics/{topic.name}", 303)
    response = page(
        "topics.html", request, p, topics=topics, groups=_groups(p), error=error, form=form
    )
    response.status_code = 422
    return response


@router.get("/w/{ws}/topics/{name}")
def topic_page(request: Request, ws: str, name: str) -> Response:
    p = member(request, ws)
    with p.workspace.use() as hb:
        try:
            topic = get_topic(hb.store, name)
        except HubbubError as exc:
            return _error_page(404, "No such topic", exc.message)
    specs = [PanelSpec("volume", name), PanelSpec("sentiment", name)]
    if topic.group:
        specs.append(PanelSpec("sov", group=topic.group))
    specs += [PanelSpec(k, name) for k in ("top_authors", "top_hashtags", "headlines", "top_posts")]
    return page("topic.html", request, p, topic=topic, panels=_panels(p, specs))


@router.post("/w/{ws}/topics/{name}/delete")
async def delete_topic(request: Request, ws: str, name: str) -> Response:
    p = await member_posting(request, ws)
    with p.workspace.use() as hb:
        remove_topic(hb.store, name)
    return RedirectResponse(f"{p.workspace.base}/topics", 303)


@router.get("/w/{ws}/compare")
def compare_page(request: Request, ws: str, group: str | None = None) -> Response:
    p = member(request, ws)
    groups = _groups(p)
    chosen = group or (groups[0] if groups else None)
    panels = (
        _panels(p, [PanelSpec("sov", group=chosen), PanelSpec("volume", group=chosen)])
        if chosen
        else []
    )
    return page("compare.html", request, p, groups=groups, group=chosen, panels=panels)


@router.get("/w/{ws}/explore")
def explore(
    request: Request,
    ws: str,
    query: str = "",
    platform: str = "",
    sentiment: str = "",
    order: str = "engagement",
) -> Response:
    p = member(request, ws)
    error, rows, total = None, [], 0
    filters: dict[str, Any] = {
        "query": query or None,
        "platforms": [platform] if platform else [],
        "sentiments": [sentiment] if sentiment else [],
    }
    with p.workspace.use() as hb:
        try:
            if query:
                parse(query)
            rows = hb.stats.top(
                "posts",
                limit=50,
                order=order if order in ("engagement", "posts") else "engagement",
                **filters,
            ).to_pylist()
            counted = hb.stats.volume(bucket=None, **filters).to_pylist()
            total = int(counted[0]["posts"]) if counted else 0
        except QuerySyntaxError as exc:
            error = {"message": exc.problem, "hint": exc.hint, "excerpt": exc.excerpt()}
        except HubbubError as exc:
            error = {"message": exc.message, "hint": exc.hint, "excerpt": ""}
        platforms = [c.platform for c in hb.status().platforms]
    return page(
        "explore.html",
        request,
        p,
        rows=rows,
        total=total,
        error=error,
        query=query,
        platform=platform,
        sentiment=sentiment,
        platforms=platforms,
    )


@router.get("/w/{ws}/validate")
def validate(request: Request, ws: str, query: str = "") -> Response:
    """Live validation for the query builder: the error with its caret, as the user types."""
    member(request, ws)
    try:
        parse(query)
    except QuerySyntaxError as exc:
        return JSONResponse(
            {
                "valid": False,
                "error": exc.problem,
                "hint": exc.hint,
                "line": exc.line,
                "column": exc.column,
                "excerpt": exc.excerpt(),
            }
        )
    return JSONResponse({"valid": True})


@router.get("/w/{ws}/suggest")
def suggest_terms(request: Request, ws: str, query: str = "") -> Response:
    p = member(request, ws)
    from hubbub.analytics.suggest import suggest

    try:
        with p.workspace.use() as hb:
            return JSONResponse(suggest(hb.store, query, limit=8))
    except (QuerySyntaxError, HubbubError) as exc:
        return JSONResponse({"error": str(exc)}, 422)


# -- dashboards -----------------------------------------------------------------------------------
@router.get("/w/{ws}/dashboards")
def dashboards_page(request: Request, ws: str) -> Response:
    p = member(request, ws)
    with p.workspace.use() as hb:
        found = list_dashboards(hb.store)
        topics = list_topics(hb.store)
    return page(
        "dashboards.html",
        request,
        p,
        dashboards=found,
        topics=topics,
        groups=_groups(p),
        error=None,
    )


@router.post("/w/{ws}/dashboards")
async def create_dashboard(request: Request, ws: str) -> Response:
    p = await member_posting(request, ws)
    form = await request.form()
    specs = []
    for value in form.getlist("panel"):
        kind, _, subject = str(value).partition(":")
        if kind == "sov":
            specs.append(PanelSpec(kind, group=subject or None))
        else:
            specs.append(PanelSpec(kind, subject or None))
    with p.workspace.use() as hb:
        try:
            made = save_dashboard(hb.store, str(form.get("title", "")), specs, p.user.username)
        except HubbubError as exc:
            response = page(
                "dashboards.html",
                request,
                p,
                dashboards=list_dashboards(hb.store),
                topics=list_topics(hb.store),
                groups=[],
                error=exc,
            )
            response.status_code = 400
            return response
    return RedirectResponse(f"{p.workspace.base}/d/{made.slug}", 303)


@router.get("/w/{ws}/d/{slug}")
def dashboard_page(request: Request, ws: str, slug: str) -> Response:
    p = member(request, ws)
    with p.workspace.use() as hb:
        try:
            board = get_dashboard(hb.store, slug)
        except HubbubError as exc:
            return _error_page(404, "No such dashboard", exc.message)
    share = str(request.url_for("dashboard_page", ws=ws, slug=slug))
    return page(
        "dashboard.html", request, p, board=board, panels=_panels(p, board.panels), share=share
    )


@router.get("/w/{ws}/d/{slug}/report.{fmt}")
def dashboard_report_page(request: Request, ws: str, slug: str, fmt: str) -> Response:
    p = member(request, ws)
    if fmt not in ("pdf", "png"):
        return _error_page(404, "Unknown format", "Reports are report.pdf or report.png.")
    with p.workspace.use() as hb:
        html = dashboard_html(hb, p.workspace.name, get_dashboard(hb.store, slug))
    data = html_to_bytes(html, fmt)
    return Response(data, media_type="application/pdf" if fmt == "pdf" else "image/png")


@router.post("/w/{ws}/d/{slug}/delete")
async def remove_dashboard(request: Request, ws: str, slug: str) -> Response:
    p = await member_posting(request, ws)
    with p.workspace.use() as hb:
        delete_dashboard(hb.store, slug)
    return RedirectResponse(f"{p.workspace.base}/dashboards", 303)


# -- members --------------------------------------------------------------------------------------
@router.get("/w/{ws}/users")
def users_page(request: Request, ws: str) -> Response:
    p = member(request, ws)
    with p.workspace.use() as hb:
        found = accounts.list_users(hb.store)
    return page("users.html", request, p, users=found, roles=accounts.ROLES, error=None, token=None)


@router.post("/w/{ws}/users")
async def users_change(request: Request, ws: str) -> Response:
    p = await member_posting(request, ws, edit=False)  # a viewer may make a token for itself
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    action, error, token = form.get("action", "add"), None, None
    with p.workspace.use() as hb:
        try:
            if action == "token":  # anyone may make a token for themselves
                token = accounts.create_token(hb.store, p.user.username, form.get("label") or None)
            elif not p.user.is_owner:
                raise HubbubError("only an owner can add or remove users", "ask an owner")
            elif action == "remove":
                accounts.remove_user(hb.store, form.get("username", ""))
            else:
                accounts.add_user(
                    hb.store,
                    form.get("username", ""),
                    form.get("password", ""),
                    form.get("role", "viewer"),
                )
        except HubbubError as exc:
            error = exc
        found = accounts.list_users(hb.store)
    response = page(
        "users.html", request, p, users=found, roles=accounts.ROLES, error=error, token=token
    )
    if error is not None:
        response.status_code = 400
    return response
