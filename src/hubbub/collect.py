"""Live collection: named API sources, fetched page by page into the normal import path.

`hubbub sources add` records where to fetch (URL, fixed parameters, how it pages, and the *name*
of the environment variable holding the token - never the token). `hubbub collect` walks each
source from its checkpoint: every page is landed and imported exactly like a file (so it is
validated, quarantined if bad, and idempotent), and only then is the source's checkpoint saved.
A crash between the two re-fetches that page next time; the upsert makes that harmless.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx
import orjson

from hubbub.errors import HubbubError
from hubbub.sources import live
from hubbub.sources.registry import get_format

PAGINATORS: Final = {
    "link": live.link_header_next,
    "reddit": live.reddit_after,
    "x": live.x_next_token(),
    "youtube": live.youtube_page_token,
    "bluesky": live.bluesky_cursor,
    "algolia": live.algolia_page,
}
DEFAULT_PAGINATOR: Final = {
    "mastodon": "link",
    "reddit": "reddit",
    "twitter_v2": "x",
    "youtube": "youtube",
    "bluesky": "bluesky",
    "hackernews": "algolia",
}


@dataclass
class LiveSource:
    name: str
    format: str
    url: str
    paginator: str
    params: dict[str, str] = field(default_factory=dict)
    token_env: str | None = None
    state: dict[str, Any] | None = None
    posts_collected: int = 0
    last_run: datetime | None = None
    last_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CollectReport:
    source: str
    pages: int = 0
    new: int = 0
    updated: int = 0
    rejected: int = 0
    done: bool = False
    error: str | None = None


def add_source(
    hb: Any,
    name: str,
    fmt: str,
    url: str,
    *,
    params: dict[str, str] | None = None,
    paginator: str | None = None,
    token_env: str | None = None,
) -> LiveSource:
    platform = get_format(fmt).name
    chosen = paginator or DEFAULT_PAGINATOR.get(platform, "link")
    if chosen not in PAGINATORS:
        raise HubbubError(f"unknown paginator {chosen!r}", "use one of " + ", ".join(PAGINATORS))
    if not url.startswith(("http://", "https://")):
        raise HubbubError(f"{url!r} is not an http(s) URL", "give the API listing's full URL")
    if hb.store.one("SELECT count(*) FROM live_sources WHERE name = ?", [name]) != (0,):
        raise HubbubError(
            f"source {name!r} exists already", f"remove it first: hubbub sources remove {name}"
        )
    hb.store.con.execute(
        "INSERT INTO live_sources (name, format, url, paginator, params, token_env, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            name,
            platform,
            url,
            chosen,
            orjson.dumps(params or {}).decode(),
            token_env,
            datetime.now(UTC),
        ],
    )
    return get_source(hb, name)


def list_sources(hb: Any) -> list[LiveSource]:
    rows = hb.store.con.execute(
        "SELECT name, format, url, paginator, params, token_env, state, posts_collected, last_run,"
        " last_error FROM live_sources ORDER BY name"
    ).fetchall()
    return [
        LiveSource(
            r[0],
            r[1],
            r[2],
            r[3],
            orjson.loads(r[4] or "{}"),
            r[5],
            orjson.loads(r[6]) if r[6] else None,
            r[7],
            r[8],
            r[9],
        )
        for r in rows
    ]


def get_source(hb: Any, name: str) -> LiveSource:
    for source in list_sources(hb):
        if source.name == name:
            return source
    raise HubbubError(f"no source named {name!r}", "see `hubbub sources list`")


def remove_source(hb: Any, name: str) -> None:
    get_source(hb, name)
    hb.store.con.execute("DELETE FROM live_sources WHERE name = ?", [name])


def _headers(source: LiveSource) -> dict[str, str]:
    if not source.token_env:
        return {"User-Agent": "hubbub/0.1 (social listening; +https://github.com)"}
    token = os.environ.get(source.token_env)
    if not token:
        raise HubbubError(
            f"source {source.name!r} needs a token in ${source.token_env}",
            f"export {source.token_env}=... (see the README's Platforms section for how to get one)",
        )
    return {"Authorization": f"Bearer {token}", "User-Agent": "hubbub/0.1"}


def collect_source(
    hb: Any,
    source: LiveSource,
    *,
    max_pages: int | None = None,
    restart: bool = False,
    retry: live.RetryPolicy | None = None,
    timeout: float = 30.0,
) -> CollectReport:
    """Fetch `source` from its checkpoint (or from the start with `restart`), importing each page."""
    report = CollectReport(source.name)
    endpoint = live.Endpoint(
        source.name, source.url, PAGINATORS[source.paginator], params=source.params
    )
    state = None if restart or (source.state or {}).get("done") else source.state
    with (
        httpx.Client(timeout=timeout, headers=_headers(source), follow_redirects=True) as client,
        tempfile.TemporaryDirectory() as tmp,
    ):
        try:
            for page in live.fetch_pages(
                client, endpoint, state=state, max_pages=max_pages, retry=retry
            ):
                path = Path(tmp) / f"{source.name}-{page.state['pages']}.ndjson"
                path.write_bytes(orjson.dumps(page.body) + b"\n")
                result = hb.import_files([path], format=source.format)
                report.pages += 1
                report.new += result.new
                report.updated += result.updated
                report.rejected += result.rejected
                _save(hb, source.name, page.state, result.new + result.updated, None)
                report.done = bool(page.state.get("done"))
        except live.LiveFetchError as exc:
            report.error = exc.message
            _save(hb, source.name, exc.state, 0, exc.message)
    return report


def _save(hb: Any, name: str, state: dict[str, Any], collected: int, error: str | None) -> None:
    hb.store.con.execute(
        "UPDATE live_sources SET state = ?, last_run = ?, last_error = ?,"
        " posts_collected = posts_collected + ? WHERE name = ?",
        [orjson.dumps(state).decode(), datetime.now(UTC), error, collected, name],
    )


def parse_every(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit() or int(number) == 0:
        raise HubbubError(f"cannot read --every {text!r}", "write it like 30s, 5m or 1h")
    return float(int(number) * units[unit])


def sleep_until(deadline: float) -> None:
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, 1.0))
