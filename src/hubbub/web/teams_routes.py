"""REST routes for the team features: owned accounts, creative tests, the support queue.

`teams_router(read, write)` takes the app's FastAPI dependencies that hand out the Hubbub object:
`read` for GETs, `write` for everything that changes state (so a viewer's session can be refused
there). Post ids travel in the body or the query, never in the path: Mastodon and Bluesky ids
contain slashes.
"""

# No `from __future__ import annotations`: FastAPI must see the Depends() built inside the
# router function, which string annotations would hide from it.
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from hubbub.api import Hubbub
from hubbub.errors import HubbubError
from hubbub.query import QuerySyntaxError


class OwnedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handle: str = Field(min_length=1, max_length=200)
    platform: str = Field(default="*", max_length=50)
    label: str | None = Field(default=None, max_length=200)


class VariantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign: str = Field(min_length=1, max_length=200)
    variant: str = Field(min_length=1, max_length=200)
    rule: str | None = Field(default=None, max_length=10_000)


class TagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_ids: list[str] = Field(min_length=1, max_length=10_000)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_id: str = Field(min_length=1, max_length=1_000)
    assignee: str = Field(min_length=1, max_length=200)


class HandleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_id: str = Field(min_length=1, max_length=1_000)
    by: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=5_000)


class PostIdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_id: str = Field(min_length=1, max_length=1_000)


def _error(exc: HubbubError) -> HTTPException:
    """422 with the caret position for a bad rule; 404 for what is not there; else 400."""
    if isinstance(exc, QuerySyntaxError):
        return HTTPException(
            422,
            detail={"error": exc.problem, "line": exc.line, "column": exc.column, "hint": exc.hint},
        )
    missing = exc.message.startswith("no ") or "not in the support queue" in exc.message
    missing = missing or "is not an owned account" in exc.message
    return HTTPException(404 if missing else 400, detail={"error": exc.message, "hint": exc.hint})


def teams_router(read: Callable[..., Any], write: Callable[..., Any] | None = None) -> APIRouter:
    """Routes under /api/v1/owned, /api/v1/creative and /api/v1/support."""
    router = APIRouter(prefix="/api/v1")
    Reader = Annotated[Hubbub, Depends(read)]  # noqa: N806  (a type alias, named like one)
    Writer = Annotated[Hubbub, Depends(write or read)]  # noqa: N806

    # -- owned accounts ----------------------------------------------------------------------
    @router.get("/owned", tags=["owned"], summary="Owned accounts")
    def owned_list(hb: Reader) -> list[dict[str, Any]]:
        return [a.as_dict() for a in hb.owned.list()]

    @router.post("/owned", tags=["owned"], status_code=201, summary="Mark an account as ours")
    def owned_add(body: OwnedIn, hb: Writer) -> dict[str, Any]:
        try:
            return hb.owned.add(body.handle, body.platform, body.label).as_dict()
        except HubbubError as exc:
            raise _error(exc) from None

    @router.delete(
        "/owned", tags=["owned"], status_code=204, summary="Stop treating an account as ours"
    )
    def owned_remove(
        hb: Writer,
        handle: Annotated[str, Query(min_length=1, max_length=200)],
        platform: Annotated[str, Query(max_length=50)] = "*",
    ) -> None:
        try:
            hb.owned.remove(handle, platform)
        except HubbubError as exc:
            raise _error(exc) from None

    @router.get(
        "/owned/posts", tags=["owned"], summary="Owned posts with engagement rates and format"
    )
    def owned_posts(hb: Reader) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = hb.owned.posts().to_pylist()
        return rows

    @router.get(
        "/owned/performance",
        tags=["owned"],
        summary="Engagement rate of owned posts by format, hashtag, weekday or hour, with intervals",
    )
    def owned_performance(
        hb: Reader,
        by: Literal["format", "hashtag", "weekday", "hour"] = "format",
        rate: Literal["followers", "views"] = "followers",
        tz: Annotated[str, Query(max_length=64)] = "UTC",
        limit: Annotated[int, Query(ge=1, le=500)] = 20,
    ) -> dict[str, Any]:
        try:
            return hb.owned.performance(by, rate=rate, tz=tz, limit=limit).as_dict()
        except HubbubError as exc:
            raise _error(exc) from None

    @router.get(
        "/owned/best-times",
        tags=["owned"],
        summary="Best hour or weekday to post, each slot with its 90% interval",
    )
    def owned_best_times(
        hb: Reader,
        by: Literal["hour", "weekday"] = "hour",
        tz: Annotated[str, Query(max_length=64)] = "UTC",
        basis: Literal["auto", "owned", "audience"] = "auto",
    ) -> dict[str, Any]:
        try:
            return hb.owned.best_times(by, tz=tz, basis=basis).as_dict()
        except HubbubError as exc:
            raise _error(exc) from None

    # -- creative tests ------------------------------------------------------------------------
    @router.get("/creative", tags=["creative"], summary="Campaigns and their variants")
    def creative_list(hb: Reader) -> list[dict[str, Any]]:
        return hb.creative.list()

    @router.post("/creative", tags=["creative"], status_code=201, summary="Define a variant")
    def creative_add(body: VariantIn, hb: Writer) -> dict[str, Any]:
        try:
            hb.creative.add(body.campaign, body.variant, body.rule)
        except HubbubError as exc:
            raise _error(exc) from None
        return body.model_dump()

    @router.post(
        "/creative/{campaign}/{variant}/posts",
        tags=["creative"],
        summary="Tag posts into a variant",
    )
    def creative_tag(campaign: str, variant: str, body: TagIn, hb: Writer) -> dict[str, Any]:
        try:
            return {"tagged": hb.creative.tag(campaign, variant, body.post_ids)}
        except HubbubError as exc:
            raise _error(exc) from None

    @router.delete(
        "/creative/{campaign}", tags=["creative"], status_code=204, summary="Delete a campaign"
    )
    def creative_remove(campaign: str, hb: Writer) -> None:
        try:
            hb.creative.remove(campaign)
        except HubbubError as exc:
            raise _error(exc) from None

    @router.get(
        "/creative/{campaign}/compare",
        tags=["creative"],
        summary="Which variant wins on engagement rate, how sure, or not enough data",
    )
    def creative_compare(
        campaign: str,
        hb: Reader,
        trials: Literal["auto", "views", "followers"] = "auto",
        min_posts: Annotated[int, Query(ge=2, le=10_000)] = 5,
        alpha: Annotated[float, Query(gt=0, lt=0.5)] = 0.02,
    ) -> dict[str, Any]:
        try:
            return hb.creative.compare(
                campaign, trials=trials, min_posts=min_posts, alpha=alpha
            ).as_dict()
        except HubbubError as exc:
            raise _error(exc) from None

    # -- support queue -------------------------------------------------------------------------
    @router.get(
        "/support/queue", tags=["support"], summary="Posts to owned accounts, most urgent first"
    )
    def support_queue(
        hb: Reader,
        status: Literal["open", "assigned", "handled", "unhandled", "all"] = "unhandled",
        intent: Literal["complaint", "question", "praise", "other"] | None = None,
        assignee: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = hb.support.queue(
            status=None if status == "all" else status,
            intent=intent,
            assignee=assignee,
            limit=limit,
        ).to_pylist()
        return rows

    @router.post("/support/assign", tags=["support"], summary="Give a post to a teammate")
    def support_assign(body: AssignIn, hb: Writer) -> dict[str, Any]:
        try:
            hb.support.assign(body.post_id, body.assignee)
        except HubbubError as exc:
            raise _error(exc) from None
        return {"post_id": body.post_id, "status": "assigned", "assignee": body.assignee}

    @router.post("/support/handle", tags=["support"], summary="Mark a post handled")
    def support_handle(body: HandleIn, hb: Writer) -> dict[str, Any]:
        try:
            hb.support.handle(body.post_id, body.by, body.note)
        except HubbubError as exc:
            raise _error(exc) from None
        return {"post_id": body.post_id, "status": "handled"}

    @router.post(
        "/support/reopen", tags=["support"], summary="Put a handled post back in the queue"
    )
    def support_reopen(body: PostIdIn, hb: Writer) -> dict[str, Any]:
        try:
            hb.support.reopen(body.post_id)
        except HubbubError as exc:
            raise _error(exc) from None
        return {"post_id": body.post_id, "status": "reopened"}

    @router.get(
        "/support/stats", tags=["support"], summary="Queue counts and response times (hours)"
    )
    def support_stats(hb: Reader) -> dict[str, Any]:
        return hb.support.stats().as_dict()

    return router
