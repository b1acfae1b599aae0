"""TikTok Research API, LinkedIn Community Management API and RSS/Atom feeds.

No real recorded payloads exist for these: the fixtures in fixtures/ are HAND-WRITTEN from the
platforms' documented response shapes (each file says so in its header).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from hubbub.sources import feeds, linkedin, tiktok
from hubbub.sources.registry import sniff_format
from tests.sources.helpers import by_id, normalized, parsed, with_unknown_fields

FIXTURES = Path(__file__).parent / "fixtures"


def _fixture(name: str) -> dict[str, object]:
    return orjson.loads((FIXTURES / name).read_bytes())  # type: ignore[no-any-return]


def test_tiktok_videos_and_comments() -> None:
    doc = _fixture("tiktok_research_api.json")
    assert sniff_format(doc["videos_response"]) is tiktok.FORMAT
    posts, rejected = parsed(tiktok.FORMAT, doc["videos_response"])
    assert not rejected and len(posts) == 2
    video = normalized(tiktok.FORMAT, by_id(posts, "7217069755123633413"))
    assert video["created_at"] == datetime(2023, 4, 1, tzinfo=UTC)
    assert video["author_handle"] == "example_creator"
    assert video["country"] == "US"
    assert (video["likes"], video["replies"], video["reposts"], video["views"]) == (
        1520,
        48,
        12,
        40211,
    )
    assert video["hashtags"] == ["running", "shoes"]
    assert video["url"] == "https://www.tiktok.com/@example_creator/video/7217069755123633413"
    comments, _ = parsed(tiktok.FORMAT, doc["comments_response"])
    top, reply = (normalized(tiktok.FORMAT, c) for c in comments)
    assert top["kind"] == "comment" and top["parent_id"] == "tiktok:7217069755123633413"
    assert reply["kind"] == "reply" and reply["parent_id"] == "tiktok:7217101234567890001"
    assert reply["root_id"] == "tiktok:7217069755123633413"


def test_tiktok_unknown_and_missing_fields() -> None:
    page = _fixture("tiktok_research_api.json")["videos_response"]
    assert parsed(tiktok.FORMAT, with_unknown_fields(page)) == parsed(tiktok.FORMAT, page)
    _, rejected = parsed(tiktok.FORMAT, {"data": {"videos": [{"video_description": "x"}]}})
    assert "no id" in rejected[0].reason
    error = {"data": {"videos": []}, "error": {"code": "rate_limit_exceeded", "message": "quota"}}
    assert "quota" in parsed(tiktok.FORMAT, error)[1][0].reason


def test_linkedin_posts_and_comments() -> None:
    doc = _fixture("linkedin_community_api.json")
    assert sniff_format(doc["posts_response"]) is linkedin.FORMAT
    posts, _ = parsed(linkedin.FORMAT, doc["posts_response"])
    assert [p["native_id"] for p in posts] == [
        "urn:li:share:7047970512345678901",
        "urn:li:ugcPost:7047970511111111111",  # the DRAFT is skipped
    ]
    share = normalized(linkedin.FORMAT, posts[0])
    assert share["created_at"] == datetime(2023, 4, 1, tzinfo=UTC)
    assert share["text"] == "Our new product is live! Read more #launch"
    assert share["author_id"] == "urn:li:organization:5515715"
    assert share["links"] == ["https://example.com/blog/launch"]
    assert share["hashtags"] == ["launch"]
    reshare = normalized(linkedin.FORMAT, posts[1])
    assert reshare["kind"] == "quote" and reshare["parent_id"] == "linkedin:" + share["native_id"]
    comments, _ = parsed(linkedin.FORMAT, doc["comments_response"])
    first, answer = (normalized(linkedin.FORMAT, c) for c in comments)
    assert first["kind"] == "comment" and first["parent_id"] == "linkedin:" + share["native_id"]
    assert first["likes"] == 3 and first["text"] == "Congratulations!"
    assert answer["kind"] == "reply" and answer["parent_id"] == "linkedin:" + first["native_id"]
    assert answer["root_id"] == "linkedin:" + share["native_id"]


def test_linkedin_unknown_and_missing_fields() -> None:
    page = _fixture("linkedin_community_api.json")["posts_response"]
    assert parsed(linkedin.FORMAT, with_unknown_fields(page)) == parsed(linkedin.FORMAT, page)
    _, rejected = parsed(
        linkedin.FORMAT, {"elements": [{"id": "urn:li:share:1", "commentary": "x"}]}
    )
    assert "createdAt" in rejected[0].reason


def test_rss_feed() -> None:
    raw = {
        "feed_xml": (FIXTURES / "feed_rss2.xml").read_text(),
        "feed_url": "https://blog.example.com/feed",
    }
    assert sniff_format(raw) is feeds.FORMAT
    posts, rejected = parsed(feeds.FORMAT, raw)
    assert len(posts) == 1 and "published" in rejected[0].reason  # the undated item
    post = normalized(feeds.FORMAT, posts[0])
    assert post["native_id"] == "blog.example.com/post-42"
    assert post["created_at"] == datetime(2024, 5, 1, 7, 30, tzinfo=UTC)
    assert post["title"] == "Trail shoes reviewed"
    assert post["text"] == "We tried the new trail shoe.\n\nVerdict: good."
    assert post["author_name"] == "Jane Runner"
    assert post["hashtags"] == ["reviews", "running"]
    assert post["links"] == [
        "https://blog.example.com/2024/05/trail-shoes",
        "https://shop.example.org/trail",
        "https://blog.example.com/media/trail.jpg",
    ]


def test_atom_feed_as_bare_text() -> None:
    posts, _ = parsed(feeds.FORMAT, (FIXTURES / "feed_atom.xml").read_text())
    post = normalized(feeds.FORMAT, posts[0])
    assert post["native_id"] == "tag:atom.example.net,2024:release-2.0"
    assert post["created_at"] == datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert post["text"] == "Version 2.0 is out."
    assert post["author_name"] == "Release Bot"


def test_not_a_feed_is_rejected() -> None:
    _, rejected = parsed(feeds.FORMAT, {"feed_xml": "<html><body>nope"})
    assert rejected and "RSS/Atom" in rejected[0].reason
