"""REST download of posts and matches as CSV or Parquet.

The export streams from DuckDB into a temporary file while the app's Hubbub is held (DuckDB's
connection is not for concurrent use), then the file is sent and deleted: memory stays at one
Arrow batch whatever the size, and a slow client never holds the database.
"""

# No `from __future__ import annotations`: FastAPI must see the Depends() built inside the
# router function, which string annotations would hide from it.
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from hubbub.api import Hubbub
from hubbub.errors import HubbubError
from hubbub.query import QuerySyntaxError

FileFormat = Literal["csv", "parquet"]
_MEDIA = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def _temp_file(fmt: str) -> Path:
    handle, name = tempfile.mkstemp(prefix="hubbub-export-", suffix=f".{fmt}")
    os.close(handle)
    return Path(name)


def _send(path: Path, fmt: str, download: str) -> FileResponse:
    return FileResponse(
        path,
        media_type=_MEDIA[fmt],
        filename=download,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


def _fail(path: Path, exc: HubbubError) -> HTTPException:
    path.unlink(missing_ok=True)
    if isinstance(exc, QuerySyntaxError):
        return HTTPException(
            422,
            detail={"error": exc.problem, "line": exc.line, "column": exc.column, "hint": exc.hint},
        )
    return HTTPException(
        404 if exc.message.startswith("no ") else 400,
        detail={"error": exc.message, "hint": exc.hint},
    )


def export_router(get_hubbub: Callable[..., Any]) -> APIRouter:
    """GET /api/v1/export/posts and /api/v1/export/matches; `get_hubbub` is a FastAPI dependency."""
    router = APIRouter(prefix="/api/v1/export", tags=["exports"])

    @router.get("/posts", summary="Download posts as CSV or Parquet", response_class=FileResponse)
    def posts(
        hb: Annotated[Hubbub, Depends(get_hubbub)],
        format: FileFormat = "csv",
        topic: Annotated[list[str] | None, Query(description="Only these topics.")] = None,
        since: datetime | None = None,
        until: datetime | None = None,
        query: Annotated[
            str | None, Query(max_length=10_000, description="Only posts matching this query.")
        ] = None,
        include_noise: bool = True,
    ) -> FileResponse:
        path = _temp_file(format)
        try:
            hb.export_posts(
                path,
                format=format,
                topics=topic or [],
                since=since,
                until=until,
                query=query,
                include_noise=include_noise,
            )
        except HubbubError as exc:
            raise _fail(path, exc) from None
        return _send(path, format, f"posts.{format}")

    @router.get(
        "/matches", summary="Download topic matches as CSV or Parquet", response_class=FileResponse
    )
    def matches(
        hb: Annotated[Hubbub, Depends(get_hubbub)],
        format: FileFormat = "csv",
        topic: Annotated[list[str] | None, Query(description="Only these topics.")] = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> FileResponse:
        path = _temp_file(format)
        try:
            hb.export_matches(path, format=format, topics=topic or [], since=since, until=until)
        except HubbubError as exc:
            raise _fail(path, exc) from None
        return _send(path, format, f"matches.{format}")

    return router
