"""REST endpoints for members, API tokens and saved dashboards (with their PDF/PNG report)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response

from hubbub.web import users as accounts
from hubbub.web.auth import Principal, current_principal, require_editor, require_owner
from hubbub.web.dashboards import delete_dashboard, get_dashboard, list_dashboards, save_dashboard
from hubbub.web.panels import PanelSpec
from hubbub.web.report import dashboard_html, html_to_bytes

router = APIRouter(prefix="/api/v1")
Member = Annotated[Principal, Depends(current_principal)]
Editor = Annotated[Principal, Depends(require_editor)]
Owner = Annotated[Principal, Depends(require_owner)]
Role = Literal["owner", "editor", "viewer"]
PanelKind = Literal[
    "volume", "sentiment", "sov", "top_posts", "top_authors", "top_hashtags", "headlines", "topics"
]


@router.get("/me", summary="Who the token or session belongs to, and in which workspace")
def me(p: Member) -> dict[str, Any]:
    return {"workspace": p.workspace.name, **p.user.as_dict()}


@router.get("/users", summary="Members of the workspace (owners only)")
def users(p: Owner) -> list[dict[str, Any]]:
    with p.workspace.use() as hb:
        return [u.as_dict() for u in accounts.list_users(hb.store)]


@router.post("/users", status_code=201, summary="Add a member with a role (owners only)")
def add_user(
    p: Owner,
    username: Annotated[str, Body(min_length=1, max_length=64)],
    password: Annotated[str, Body(min_length=1, max_length=1000)],
    role: Annotated[Role, Body()] = "viewer",
) -> dict[str, Any]:
    with p.workspace.use() as hb:
        return accounts.add_user(hb.store, username, password, role).as_dict()


@router.delete("/users/{username}", status_code=204, summary="Remove a member (owners only)")
def remove_user(p: Owner, username: str) -> None:
    with p.workspace.use() as hb:
        accounts.remove_user(hb.store, username)


@router.post("/tokens", status_code=201, summary="A new API token for yourself (shown once)")
def new_token(
    p: Member, label: Annotated[str | None, Body(embed=True, max_length=200)] = None
) -> dict[str, Any]:
    with p.workspace.use() as hb:
        return {"token": accounts.create_token(hb.store, p.user.username, label)}


@router.get("/dashboards", summary="Saved dashboards of the workspace")
def dashboards(p: Member) -> list[dict[str, Any]]:
    with p.workspace.use() as hb:
        return [d.as_dict() for d in list_dashboards(hb.store)]


@router.post("/dashboards", status_code=201, summary="Save a dashboard (a title and its panels)")
def create_dashboard(
    p: Editor,
    title: Annotated[str, Body(min_length=1, max_length=200)],
    panels: Annotated[list[dict[str, str | None]], Body(min_length=1, max_length=50)],
) -> dict[str, Any]:
    specs = [
        PanelSpec(str(x.get("kind") or ""), x.get("topic") or None, x.get("group") or None)
        for x in panels
    ]
    with p.workspace.use() as hb:
        return save_dashboard(hb.store, title, specs, p.user.username).as_dict()


@router.get("/dashboards/{slug}", summary="One saved dashboard")
def dashboard(p: Member, slug: str) -> dict[str, Any]:
    with p.workspace.use() as hb:
        return get_dashboard(hb.store, slug).as_dict()


@router.delete("/dashboards/{slug}", status_code=204, summary="Delete a saved dashboard")
def remove_dashboard(p: Editor, slug: str) -> None:
    with p.workspace.use() as hb:
        delete_dashboard(hb.store, slug)


@router.get(
    "/dashboards/{slug}/report",
    summary="The dashboard as a PDF or PNG report (rendered by headless Chromium)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}}}},
)
def report(
    p: Member, slug: str, format: Annotated[Literal["pdf", "png"], Query()] = "pdf"
) -> Response:
    with p.workspace.use() as hb:
        html = dashboard_html(hb, p.workspace.name, get_dashboard(hb.store, slug))
    media = "application/pdf" if format == "pdf" else "image/png"
    return Response(html_to_bytes(html, format), media_type=media)
