"""The web app: REST API under /api/v1 (OpenAPI at /docs) and the dashboard under /w/NAME/.

Surfaces never compute a metric themselves: every endpoint calls the Python API. Each workspace
is one store (see workspaces.py); an API call works on the workspace of its token or session.
Every API endpoint needs a member (viewers read; editors and owners change); see auth.py.
Routers of other areas are included in one place: `include_routers` below.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

import pyarrow as pa
from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from hubbub.api import Hubbub
from hubbub.errors import HubbubError
from hubbub.query import QuerySyntaxError, parse
from hubbub.store import default_db_path
from hubbub.topics import add_topic, edit_topic, get_topic, list_topics, remove_topic, search
from hubbub.web import pages, support_pages
from hubbub.web.account_routes import router as account_router
from hubbub.web.auth import Principal, current_principal, require_editor
from hubbub.web.templating import STATIC_DIR
from hubbub.web.workspaces import open_workspaces

DEFINITIONS = {
    "volume": "matched posts per bucket (hour, day, week) in the requested time zone",
    "engagement": "likes + replies + reposts + quotes (missing counts as 0); views are separate",
    "potential_reach": "sum of author followers over the posts: an estimate, not people reached",
    "net_sentiment": "(positive - negative) / (positive + negative) x 100",
    "share_of_voice": "mentions(T) / sum of mentions of the group's topics x 100; also by engagement",
}


Topic = Annotated[list[str] | None, Query(description="Only posts matching these topics.")]
Group = Annotated[str | None, Query(description="Only posts matching a topic of this group.")]
Platform = Annotated[list[str] | None, Query(description="Only these platforms.")]
Bucket = Annotated[str, Query(pattern="^(hour|day|week|none)$")]
Noise = Annotated[bool, Query(description="Count spam, bot and campaign posts too.")]
Member = Annotated[Principal, Depends(current_principal)]
Editor = Annotated[Principal, Depends(require_editor)]


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def include_routers(app: FastAPI, api: APIRouter) -> None:
    """Every router of the app, in one place (areas built elsewhere are added here)."""
    from hubbub.web.alerts_routes import alerts_router
    from hubbub.web.auth import editor_hubbub, member_hubbub
    from hubbub.web.export_routes import export_router
    from hubbub.web.teams_routes import teams_router

    app.include_router(api)
    app.include_router(account_router)
    app.include_router(pages.router)
    app.include_router(support_pages.router)
    app.include_router(teams_router(member_hubbub, editor_hubbub))
    # Alert rules carry webhook URLs and addresses: editors and owners only. Exports only read.
    app.include_router(alerts_router(editor_hubbub))
    app.include_router(export_router(member_hubbub))


def create_app(db: str | None = None, workspaces: Mapping[str, str] | None = None) -> FastAPI:
    """The app serving `workspaces` ({name: DuckDB path}), or the one store `db` as "main"."""
    spaces = open_workspaces(dict(workspaces) if workspaces else {"main": db or default_db_path()})
    app = FastAPI(
        title="hubbub",
        version="0.1.0",
        description="Social listening and analytics. Authenticate with `Authorization: Bearer TOKEN`"
        " (`hubbub users token NAME`). Metric definitions: "
        + "; ".join(f"{k}: {v}" for k, v in DEFINITIONS.items()),
    )
    app.state.workspaces = spaces
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    api = APIRouter(dependencies=[Depends(current_principal)])

    @contextmanager
    def store(principal: Principal) -> Iterator[Hubbub]:
        with principal.workspace.use() as hb:
            yield hb

    @app.exception_handler(pages.PageDeniedError)
    def page_denied(_: Request, exc: pages.PageDeniedError) -> Response:
        return exc.response

    @app.exception_handler(QuerySyntaxError)
    def query_error(_: Request, exc: QuerySyntaxError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={
                "error": exc.problem,
                "line": exc.line,
                "column": exc.column,
                "hint": exc.hint,
                "excerpt": exc.excerpt(),
            },
        )

    @app.exception_handler(HubbubError)
    def hubbub_error(_: Request, exc: HubbubError) -> JSONResponse:
        status = 404 if exc.message.startswith("no ") else 400
        return JSONResponse(status_code=status, content={"error": exc.message, "hint": exc.hint})

    @api.get("/api/v1/status", summary="What the database holds")
    def status(p: Member) -> dict[str, Any]:
        with store(p) as h:
            return h.status().as_dict()

    @api.get("/api/v1/posts", summary="Newest posts, or those matching a query")
    def posts(
        p: Member,
        query: Annotated[
            str | None, Query(description="A query in hubbub's query language.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    ) -> dict[str, Any]:
        with store(p) as h:
            if query:
                total, table = search(h.store, query, limit)
                return {"total": total, "posts": _rows(table)}
            return {"posts": _rows(h.posts(limit=limit))}

    @api.post(
        "/api/v1/queries/validate",
        summary="Check a query; errors come with line, column and a hint",
    )
    def validate(query: Annotated[str, Body(embed=True, max_length=10_000)]) -> dict[str, Any]:
        parse(query)
        return {"valid": True}

    @api.get("/api/v1/topics", summary="Topics with their matches")
    def topics(p: Member) -> list[dict[str, Any]]:
        with store(p) as h:
            return [t.as_dict() for t in list_topics(h.store)]

    @api.get("/api/v1/topics/{name}", summary="One topic")
    def topic(p: Member, name: str) -> dict[str, Any]:
        with store(p) as h:
            return get_topic(h.store, name).as_dict()

    @api.post("/api/v1/topics", status_code=201, summary="Add a topic (stored posts are matched)")
    def create_topic(
        p: Editor,
        name: Annotated[str, Body(min_length=1, max_length=100)],
        query: Annotated[str, Body(min_length=1, max_length=10_000)],
        group: Annotated[str | None, Body(max_length=100)] = None,
    ) -> dict[str, Any]:
        with store(p) as h:
            return add_topic(h.store, name, query, group).as_dict()

    @api.put("/api/v1/topics/{name}", summary="Change a topic's query or group")
    def update_topic(
        p: Editor,
        name: str,
        query: Annotated[str | None, Body(max_length=10_000)] = None,
        group: Annotated[str | None, Body(max_length=100)] = None,
    ) -> dict[str, Any]:
        with store(p) as h:
            return edit_topic(h.store, name, query, group).as_dict()

    @api.delete("/api/v1/topics/{name}", status_code=204, summary="Remove a topic and its matches")
    def delete_topic(p: Editor, name: str) -> None:
        with store(p) as h:
            remove_topic(h.store, name)

    def scope(
        topic: list[str] | None,
        group: str | None,
        platform: list[str] | None,
        since: datetime | None,
        until: datetime | None,
        include_noise: bool,
    ) -> dict[str, Any]:
        return {
            "topics": topic or (),
            "group": group,
            "platforms": platform or (),
            "since": since,
            "until": until,
            "include_noise": include_noise,
        }

    @api.get("/api/v1/stats/volume", summary="Posts, engagement and potential reach per bucket")
    def volume(
        p: Member,
        topic: Topic = None,
        group: Group = None,
        platform: Platform = None,
        since: datetime | None = None,
        until: datetime | None = None,
        bucket: Bucket = "day",
        tz: str = "UTC",
        by_topic: bool = False,
        include_noise: Noise = False,
    ) -> dict[str, Any]:
        with store(p) as h:
            rows = h.stats.volume(
                bucket=None if bucket == "none" else bucket,
                tz=tz,
                by_topic=by_topic,
                **scope(topic, group, platform, since, until, include_noise),
            )
        return {"definition": DEFINITIONS["volume"], "rows": _rows(rows)}

    @api.get("/api/v1/stats/sov/{group_name}", summary="Share of voice of a topic group")
    def sov(
        p: Member,
        group_name: str,
        platform: Platform = None,
        since: datetime | None = None,
        until: datetime | None = None,
        bucket: Bucket = "none",
        tz: str = "UTC",
        include_noise: Noise = False,
    ) -> dict[str, Any]:
        with store(p) as h:
            s = scope(None, None, platform, since, until, include_noise)
            s.pop("group")
            rows = h.stats.share_of_voice(
                group_name, bucket=None if bucket == "none" else bucket, tz=tz, **s
            )
        return {"definition": DEFINITIONS["share_of_voice"], "rows": _rows(rows)}

    @api.get("/api/v1/stats/sentiment", summary="Sentiment counts and net sentiment per bucket")
    def sentiment(
        p: Member,
        topic: Topic = None,
        group: Group = None,
        platform: Platform = None,
        since: datetime | None = None,
        until: datetime | None = None,
        bucket: Bucket = "day",
        tz: str = "UTC",
        by_topic: bool = False,
        include_noise: Noise = False,
    ) -> dict[str, Any]:
        with store(p) as h:
            rows = h.stats.sentiment(
                bucket=None if bucket == "none" else bucket,
                tz=tz,
                by_topic=by_topic,
                **scope(topic, group, platform, since, until, include_noise),
            )
        return {"definition": DEFINITIONS["net_sentiment"], "rows": _rows(rows)}

    @api.get(
        "/api/v1/stats/top/{what}",
        summary="Top posts, authors, hashtags, mentions, domains or links",
    )
    def top(
        p: Member,
        what: str,
        topic: Topic = None,
        group: Group = None,
        platform: Platform = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 10,
        order: str = "posts",
        include_noise: Noise = False,
    ) -> dict[str, Any]:
        with store(p) as h:
            rows = h.stats.top(
                what,
                limit=limit,
                order=order,
                **scope(topic, group, platform, None, None, include_noise),
            )
        return {"rows": _rows(rows)}

    @api.get("/api/v1/stats/spikes", summary="Unusual buckets and what explains them")
    def spikes(
        p: Member,
        topic: Topic = None,
        group: Group = None,
        platform: Platform = None,
        bucket: Annotated[str, Query(pattern="^(hour|day|week)$")] = "hour",
        tz: str = "UTC",
        include_noise: Noise = False,
    ) -> dict[str, Any]:
        with store(p) as h:
            found = h.stats.spikes(
                bucket=bucket, tz=tz, **scope(topic, group, platform, None, None, include_noise)
            )
        return {"spikes": [s.as_dict() for s in found]}

    @api.get(
        "/api/v1/stats/forecast",
        summary="Volume forecast with 80/95% intervals and its backtest MASE",
    )
    def forecast(
        p: Member,
        topic: Topic = None,
        group: Group = None,
        bucket: Annotated[str, Query(pattern="^(hour|day|week)$")] = "day",
        horizon: Annotated[int, Query(ge=1, le=365)] = 14,
        tz: str = "UTC",
        include_noise: Noise = False,
    ) -> dict[str, Any]:
        with store(p) as h:
            return h.stats.forecast(
                bucket=bucket,
                horizon=horizon,
                tz=tz,
                **scope(topic, group, None, None, None, include_noise),
            ).as_dict()

    include_routers(app, api)
    return app
