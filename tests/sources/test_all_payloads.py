"""Every real recorded payload in ../shared/data/formats parses: no crash, posts where there are posts."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubbub.model import Rejected
from hubbub.sources.registry import FORMATS, sniff_format
from tests.sources.helpers import PAYLOAD_SUFFIXES, BadLine, normalized, raw_values

#: Files that hold no posts: user/list lookups, tweet counts, compliance jobs, profiles, likes.
NO_POSTS = {
    "counts.jsonl",
    "tweets_compliance.jsonl",
    "users_compliance.jsonl",
    "users.jsonl",
    "lists.jsonl",
    "tweet_tweets_counts_recent_resp.json",
    "test_asyncclient_get_recent_tweets_count.yaml",
    "api-users-v1.json",
    "testgetlistmembers.json",
    "testmentionstimeline.json",  # an empty timeline
    "get_favourited_by_default.yml",
    "get_instance_trends_default.yml",
    "bluesky-profiles.json",
    "get_follows.json",
    "like_record.json",
    "feed_record.json",
}


def _payload_files(shared_data: Path) -> list[Path]:
    root = shared_data / "formats"
    return sorted(p for p in root.rglob("*") if p.suffix in PAYLOAD_SUFFIXES)


def test_there_are_payloads_for_every_recorded_platform(shared_data: Path) -> None:
    platforms = {
        p.relative_to(shared_data / "formats").parts[0] for p in _payload_files(shared_data)
    }
    assert {"reddit", "twitter_v2", "twitter_v1", "mastodon", "bluesky", "youtube"} <= platforms
    assert platforms <= set(FORMATS)


def test_every_payload_parses(shared_data: Path) -> None:
    failures = []
    for path in _payload_files(shared_data):
        platform = path.relative_to(shared_data / "formats").parts[0]
        posts = 0
        for raw in raw_values(path):
            if isinstance(raw, BadLine):
                continue  # the importer quarantines non-JSON lines before any parser sees them
            fmt = sniff_format(raw)
            if fmt is None:
                continue  # OAuth tokens, instance info, empty pages
            assert fmt.name == platform, f"{path.name}: sniffed as {fmt.name}"
            for item in fmt.parse(raw):
                if isinstance(item, Rejected):
                    assert item.reason.startswith(platform.split("_")[0]), item
                    continue
                normalized(fmt, item)
                posts += 1
        if path.name in NO_POSTS:
            if posts:
                failures.append(f"{path.name}: {posts} posts from a file without posts")
        elif not posts:
            failures.append(f"{path.name}: no posts")
    assert not failures, failures


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_formats_never_raise_on_odd_values(name: str) -> None:
    fmt = FORMATS[name]
    for raw in (None, 1, "text", [], {}, [1, "x"], {"data": None}, {"items": [None]}):
        assert fmt.sniff(raw) in (True, False)
        for item in fmt.parse(raw):
            assert isinstance(item, Rejected)
