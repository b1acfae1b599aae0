"""REST routes for alert rules, their events, test-fires and digests.

`alerts_router(get_hubbub)` builds the router around the app's own way of handing out the
Hubbub object (a FastAPI dependency), so it can be mounted behind any authentication.
"""

# No `from __future__ import annotations`: FastAPI must see the Depends() built inside the
# router function, which string annotations would hide from it.
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from hubbub.api import Hubbub
from hubbub.errors import HubbubError
from hubbub.query import QuerySyntaxError

Kind = Literal["volume_spike", "sentiment_drop", "emerging_term", "sov_change"]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    kind: Kind
    topic: str | None = Field(default=None, max_length=100)
    group: str | None = Field(default=None, max_length=100)
    query: str | None = Field(default=None, max_length=10_000)
    params: dict[str, str | float | int] = Field(default_factory=dict)
    webhook_url: str | None = Field(default=None, max_length=2_000)
    secret_env: str | None = Field(default=None, max_length=200)
    emails: list[str] = Field(default_factory=list, max_length=50)
    enabled: bool = True


class DigestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    every: Literal["daily", "weekly"] = "daily"
    emails: list[str] = Field(min_length=1, max_length=50)
    topic: str | None = Field(default=None, max_length=100)
    group: str | None = Field(default=None, max_length=100)
    query: str | None = Field(default=None, max_length=10_000)
    headlines: int = Field(default=5, ge=1, le=20)


def _http_error(exc: HubbubError, *, creating: bool = False) -> HTTPException:
    """404 for a rule or digest that is not there; 400 for a bad body (an unknown topic in a new
    rule is a mistake in the request, not a missing resource); 409 for a name taken."""
    if isinstance(exc, QuerySyntaxError):
        detail: dict[str, Any] = {
            "error": exc.problem,
            "line": exc.line,
            "column": exc.column,
            "hint": exc.hint,
        }
        return HTTPException(status_code=422, detail=detail)
    missing = exc.message.startswith("no ") and "named" in exc.message
    status = 404 if missing and not creating else 400
    if "exists already" in exc.message:
        status = 409
    return HTTPException(status_code=status, detail={"error": exc.message, "hint": exc.hint})


def alerts_router(get_hubbub: Callable[..., Any]) -> APIRouter:
    """Routes under /api/v1/alerts and /api/v1/digests; `get_hubbub` is a FastAPI dependency
    that yields (or returns) the Hubbub to use."""
    router = APIRouter(prefix="/api/v1", tags=["alerts"])

    @router.get("/alerts", summary="Alert rules")
    def list_rules(hb: Annotated[Hubbub, Depends(get_hubbub)]) -> list[dict[str, Any]]:
        return [r.as_dict() for r in hb.alerts.list()]

    @router.post(
        "/alerts", status_code=201, summary="Add an alert rule (checked before it is saved)"
    )
    def create_rule(rule: RuleIn, hb: Annotated[Hubbub, Depends(get_hubbub)]) -> dict[str, Any]:
        try:
            return hb.alerts.add(
                rule.name,
                rule.kind,
                topic=rule.topic,
                group=rule.group,
                query=rule.query,
                params=rule.params,
                webhook_url=rule.webhook_url,
                secret_env=rule.secret_env,
                emails=rule.emails,
                enabled=rule.enabled,
            ).as_dict()
        except HubbubError as exc:
            raise _http_error(exc, creating=True) from None

    @router.get("/alerts/events", summary="Fired events, newest first")
    def events(
        hb: Annotated[Hubbub, Depends(get_hubbub)],
        rule: Annotated[
            str | None, Query(max_length=100, description="Only this rule's events.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = hb.alerts.events(rule, limit).to_pylist()
        return rows

    @router.get(
        "/alerts/events/{event_id}", summary="One fired event with its evidence and deliveries"
    )
    def event(event_id: int, hb: Annotated[Hubbub, Depends(get_hubbub)]) -> dict[str, Any]:
        try:
            return hb.alerts.event(event_id)
        except HubbubError as exc:
            raise HTTPException(404, detail={"error": exc.message, "hint": exc.hint}) from None

    @router.post("/alerts/run", summary="Evaluate the enabled rules now and deliver new events")
    def run(
        hb: Annotated[Hubbub, Depends(get_hubbub)],
        at: Annotated[datetime | None, Query(description="Evaluate as of this time.")] = None,
        deliver: bool = True,
    ) -> dict[str, Any]:
        return hb.alerts.run(at=at, deliver=deliver).as_dict()

    @router.get("/alerts/{name}", summary="One alert rule")
    def get_rule(name: str, hb: Annotated[Hubbub, Depends(get_hubbub)]) -> dict[str, Any]:
        try:
            return hb.alerts.get(name).as_dict()
        except HubbubError as exc:
            raise _http_error(exc) from None

    @router.delete("/alerts/{name}", status_code=204, summary="Remove an alert rule")
    def delete_rule(name: str, hb: Annotated[Hubbub, Depends(get_hubbub)]) -> None:
        try:
            hb.alerts.remove(name)
        except HubbubError as exc:
            raise _http_error(exc) from None

    @router.post("/alerts/{name}/enabled", summary="Switch a rule on or off")
    def set_enabled(
        name: str,
        hb: Annotated[Hubbub, Depends(get_hubbub)],
        enabled: Annotated[bool, Query()] = True,
    ) -> dict[str, Any]:
        try:
            rule = hb.alerts.enable(name) if enabled else hb.alerts.disable(name)
        except HubbubError as exc:
            raise _http_error(exc) from None
        return rule.as_dict()

    @router.post("/alerts/{name}/test", summary="Send a test event through the rule's channels")
    def test_fire(name: str, hb: Annotated[Hubbub, Depends(get_hubbub)]) -> dict[str, Any]:
        try:
            return hb.alerts.test(name).as_dict()
        except HubbubError as exc:
            raise _http_error(exc) from None

    @router.get("/digests", summary="Scheduled digests", tags=["digests"])
    def list_digests(hb: Annotated[Hubbub, Depends(get_hubbub)]) -> list[dict[str, Any]]:
        return [d.as_dict() for d in hb.digests.list()]

    @router.post("/digests", status_code=201, summary="Add a digest", tags=["digests"])
    def create_digest(
        digest: DigestIn, hb: Annotated[Hubbub, Depends(get_hubbub)]
    ) -> dict[str, Any]:
        try:
            return hb.digests.add(
                digest.name,
                digest.every,
                digest.emails,
                topic=digest.topic,
                group=digest.group,
                query=digest.query,
                headlines=digest.headlines,
            ).as_dict()
        except HubbubError as exc:
            raise _http_error(exc, creating=True) from None

    @router.delete("/digests/{name}", status_code=204, summary="Remove a digest", tags=["digests"])
    def delete_digest(name: str, hb: Annotated[Hubbub, Depends(get_hubbub)]) -> None:
        try:
            hb.digests.remove(name)
        except HubbubError as exc:
            raise _http_error(exc) from None

    @router.post("/digests/run", summary="Send the digests that are due", tags=["digests"])
    def run_digests(
        hb: Annotated[Hubbub, Depends(get_hubbub)],
        now: Annotated[datetime | None, Query(description="Act as if it were this time.")] = None,
        force: bool = False,
    ) -> list[dict[str, Any]]:
        return [s.as_dict() for s in hb.digests.run(now=now, force=force)]

    return router
