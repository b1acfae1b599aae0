"""Fetch API pages live: pagination, polite retries, and a checkpoint to resume from.

The loop is the same for every platform; what varies is how the next page is asked for
(`Paginator`: Reddit's `after`, X's `next_token`, Mastodon's `Link` header, ...). Each page is
handed over as decoded JSON, the raw value the platform parsers take, together with a JSON-able
`state`: store the page, then the state, and a later `fetch_pages(..., state=...)` continues
after the last stored page. Nothing here parses posts or touches the store.

Retries: 429 and 5xx answers, timeouts, connection errors and malformed (non-JSON) bodies are
retried with exponential backoff; a server's own wait (`Retry-After`, `x-rate-limit-reset`,
`X-RateLimit-Reset`) is honoured when it says one. Other 4xx answers stop at once with a
HubbubError, since retrying a bad token or a bad query cannot succeed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

import httpx
import orjson

from hubbub.errors import HubbubError

#: Given a page's JSON and headers, the query parameters of the next page (None: last page).
Paginator = Callable[[Any, httpx.Headers], dict[str, str] | None]

_RETRY_STATUSES: Final = frozenset({408, 425, 429, 500, 502, 503, 504})
_NEXT_LINK: Final = re.compile(r"<([^>]+)>\s*;\s*rel=\"?next\"?")
_EPOCH_2001: Final = 1_000_000_000


@dataclass(frozen=True)
class Endpoint:
    """One API listing to walk: where, with which fixed parameters, and how it pages."""

    name: str
    url: str
    paginator: Paginator
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """A fetched page (decoded JSON) and the checkpoint to store after it."""

    body: Any
    state: dict[str, Any]


class LiveFetchError(HubbubError):
    """Fetching stopped; `state` resumes from the page that failed."""

    def __init__(self, message: str, hint: str, state: dict[str, Any]) -> None:
        super().__init__(message, hint)
        self.state = state


@dataclass
class RetryPolicy:
    """How long to wait between attempts. `sleep` and `clock` are injectable for tests."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 900.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time

    def backoff(self, attempt: int) -> float:
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))

    def server_wait(self, headers: httpx.Headers) -> float | None:
        """Seconds the server asked us to wait, from whichever header it uses."""
        retry_after = headers.get("retry-after")
        if retry_after:
            if retry_after.strip().isdigit():
                return float(retry_after)
            try:
                return parsedate_to_datetime(retry_after).timestamp() - self.clock()
            except (TypeError, ValueError):
                pass
        # X: x-rate-limit-reset is an epoch second; Mastodon: X-RateLimit-Reset is an ISO time;
        # Reddit: X-Ratelimit-Reset is seconds until the window resets.
        reset = headers.get("x-rate-limit-reset") or headers.get("x-ratelimit-reset")
        if not reset:
            return None
        reset = reset.strip()
        try:
            number = float(reset)
        except ValueError:
            try:
                when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
            except ValueError:
                return None
            return when.replace(tzinfo=when.tzinfo or UTC).timestamp() - self.clock()
        return number - self.clock() if number > _EPOCH_2001 else number

    def delay(self, attempt: int, headers: httpx.Headers | None) -> float:
        wait = self.server_wait(headers) if headers is not None else None
        if wait is None:
            return self.backoff(attempt)
        return max(0.0, min(self.max_delay, wait))


def fetch_pages(
    client: httpx.Client,
    endpoint: Endpoint,
    *,
    state: Mapping[str, Any] | None = None,
    max_pages: int | None = None,
    retry: RetryPolicy | None = None,
) -> Iterator[Page]:
    """Walk `endpoint` page by page from `state` (a Page.state or LiveFetchError.state)."""
    retry = retry or RetryPolicy()
    current = _start_state(endpoint, state)
    fetched = 0
    while not current["done"] and (max_pages is None or fetched < max_pages):
        params = {**endpoint.params, **current["cursor"]}
        body, headers = _get_with_retries(client, endpoint, params, retry, current)
        cursor = endpoint.paginator(body, headers)
        current = {
            "endpoint": endpoint.name,
            "cursor": cursor or {},
            "pages": current["pages"] + 1,
            "done": cursor is None or cursor == current["cursor"],
        }
        fetched += 1
        yield Page(body, dict(current))


def _start_state(endpoint: Endpoint, state: Mapping[str, Any] | None) -> dict[str, Any]:
    if not state:
        return {"endpoint": endpoint.name, "cursor": {}, "pages": 0, "done": False}
    if state.get("endpoint") != endpoint.name:
        raise HubbubError(
            f"checkpoint is for {state.get('endpoint')!r}, not {endpoint.name!r}",
            "resume with the endpoint that produced the checkpoint",
        )
    return {
        "endpoint": endpoint.name,
        "cursor": dict(state.get("cursor") or {}),
        "pages": int(state.get("pages") or 0),
        "done": bool(state.get("done")),
    }


def _get_with_retries(
    client: httpx.Client,
    endpoint: Endpoint,
    params: dict[str, str],
    retry: RetryPolicy,
    state: dict[str, Any],
) -> tuple[Any, httpx.Headers]:
    problem = ""
    for attempt in range(1, retry.max_attempts + 1):
        headers: httpx.Headers | None = None
        try:
            response = client.get(endpoint.url, params=params, headers=dict(endpoint.headers))
        except httpx.TimeoutException:
            problem = "timed out"
        except httpx.TransportError as exc:
            problem = f"connection failed ({exc.__class__.__name__})"
        else:
            headers = response.headers
            if response.status_code in _RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
            elif response.status_code >= 400:
                raise LiveFetchError(
                    f"{endpoint.name}: HTTP {response.status_code} from {endpoint.url}",
                    _hint_for(response.status_code),
                    state,
                )
            else:
                try:
                    return orjson.loads(response.content), headers
                except orjson.JSONDecodeError:
                    problem = "the page is not valid JSON"
        if attempt < retry.max_attempts:
            retry.sleep(retry.delay(attempt, headers))
    raise LiveFetchError(
        f"{endpoint.name}: giving up after {retry.max_attempts} attempts: {problem}",
        "run again later with the saved state to resume from this page",
        state,
    )


def _hint_for(status: int) -> str:
    if status in (401, 403):
        return "check the access token and that your API tier allows this endpoint"
    if status == 404:
        return "check the endpoint URL and the ids in it"
    return "check the query parameters"


# Paginators for the platforms whose parsers hubbub ships.


def reddit_after(body: Any, headers: httpx.Headers) -> dict[str, str] | None:
    after = body.get("data", {}).get("after") if isinstance(body, dict) else None
    return {"after": after} if after else None


def x_next_token(param: str = "next_token") -> Paginator:
    """X v2: search pages with `next_token`, timelines with `pagination_token`."""

    def paginate(body: Any, headers: httpx.Headers) -> dict[str, str] | None:
        token = body.get("meta", {}).get("next_token") if isinstance(body, dict) else None
        return {param: token} if token else None

    return paginate


def link_header_next(body: Any, headers: httpx.Headers) -> dict[str, str] | None:
    """Mastodon (and other REST APIs): the query of the `Link: <...>; rel="next"` URL."""
    match = _NEXT_LINK.search(headers.get("link", ""))
    if not match or (isinstance(body, list) and not body):
        return None
    return dict(parse_qsl(urlsplit(match.group(1)).query))


def youtube_page_token(body: Any, headers: httpx.Headers) -> dict[str, str] | None:
    token = body.get("nextPageToken") if isinstance(body, dict) else None
    return {"pageToken": token} if token else None


def bluesky_cursor(body: Any, headers: httpx.Headers) -> dict[str, str] | None:
    cursor = body.get("cursor") if isinstance(body, dict) else None
    return {"cursor": cursor} if cursor else None


def algolia_page(body: Any, headers: httpx.Headers) -> dict[str, str] | None:
    if not isinstance(body, dict):
        return None
    page, pages = body.get("page"), body.get("nbPages")
    if isinstance(page, int) and isinstance(pages, int) and page + 1 < pages:
        return {"page": str(page + 1)}
    return None
