"""Response bodies out of HTTP recordings: vcrpy (YAML or JSON), R vcr and Betamax cassettes.

People who recorded their API calls with vcrpy/Betamax (and our tests, whose real payloads come
wrapped that way) can import them: each JSON response body is decoded and handed to the platform
parsers, which only ever see plain API JSON.

Shapes handled:
- vcrpy:   {"interactions": [{"request": ..., "response": {"body": {"string": "..."}}}]}
- Betamax: same, with "recorded_at" and base64 bodies as {"base64_string": "..."}
- R vcr:   {"http_interactions": [{"response": {"body": {"string": "..."}}}]}
A body that is not JSON (HTML error pages, empty 204s) is skipped: it holds no posts.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from hubbub.errors import HubbubError
from hubbub.model import PostRecord, Rejected


def is_cassette(raw: Any) -> bool:
    """True for a decoded cassette document (any of the shapes above)."""
    if not isinstance(raw, dict):
        return False
    interactions = raw.get("interactions", raw.get("http_interactions"))
    return isinstance(interactions, list)


def load_cassette(path: Path) -> Any:
    """The cassette document of a file: JSON if it parses as JSON, else YAML."""
    data = path.read_bytes()
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    import yaml  # only YAML cassettes need it

    try:
        # CSafeLoader is ~10x faster than the pure-Python loader on large recordings.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(data, Loader=loader)
    except yaml.YAMLError as exc:
        raise HubbubError(
            f"{path}: neither JSON nor YAML ({exc})".splitlines()[0],
            "pass a vcrpy/Betamax cassette or the API's JSON response itself",
        ) from None


def iter_cassette_bodies(path: Path | str) -> Iterator[Any]:
    """Each JSON response body of a cassette file, decoded, in recording order."""
    doc = load_cassette(Path(path))
    if not is_cassette(doc):
        raise HubbubError(
            f"{path}: not a vcrpy/Betamax cassette (no 'interactions' list)",
            "import the file as plain JSON/NDJSON with --format NAME instead",
        )
    yield from bodies_of(doc)


def bodies_of(doc: dict[str, Any]) -> Iterator[Any]:
    """The decoded JSON response bodies of an already loaded cassette document."""
    interactions = doc.get("interactions", doc.get("http_interactions")) or []
    for interaction in interactions:
        if not isinstance(interaction, dict):
            continue
        response = interaction.get("response")
        if not isinstance(response, dict):
            continue
        body = _body_bytes(response.get("body"))
        if not body:
            continue
        body = _decompress(body, response.get("headers"))
        try:
            yield orjson.loads(body)
        except orjson.JSONDecodeError:
            continue  # HTML error pages and the like carry no posts


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes):
        return body
    if not isinstance(body, dict):
        return b""
    if isinstance(body.get("base64_string"), str) and body["base64_string"]:
        return base64.b64decode(body["base64_string"])
    text = body.get("string")
    if isinstance(text, bytes):
        return text
    return text.encode() if isinstance(text, str) else b""


def _decompress(body: bytes, headers: Any) -> bytes:
    # vcrpy keeps gzip bodies as bytes when decode_compressed_response is off.
    if body[:2] == b"\x1f\x8b":
        return gzip.decompress(body)
    encoding = ""
    if isinstance(headers, dict):
        for key, value in headers.items():
            if str(key).lower() == "content-encoding":
                encoding = str(value[0] if isinstance(value, list) and value else value)
    if encoding.lower() == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return body
    return body


class CassetteFormat:
    """A whole cassette as one raw value: each body is parsed by the platform it looks like.

    This lets `--format auto` import a recording directly; the per-body platform is sniffed, so
    a cassette mixing endpoints (timeline + user lookup) still works.
    """

    name = "cassette"
    mapping_version = "cassette/1"

    def sniff(self, raw: Any) -> bool:
        return is_cassette(raw)

    def parse(self, raw: Any) -> Iterator[PostRecord | Rejected]:
        from hubbub.sources.registry import sniff_format

        if not is_cassette(raw):
            yield Rejected("not a vcrpy/Betamax cassette", "expected an 'interactions' list")
            return
        for body in bodies_of(raw):
            platform_format = sniff_format(body)
            if platform_format is None or platform_format is self:
                continue  # user lookups, rate-limit status, OAuth tokens: no posts
            yield from platform_format.parse(body)


FORMAT = CassetteFormat()
