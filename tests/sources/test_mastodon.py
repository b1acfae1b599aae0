"""Mastodon statuses from rtoot's real public timelines and Mastodon.py's API-shape cassettes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hubbub.sources.cassette import iter_cassette_bodies
from hubbub.sources.mastodon import FORMAT
from tests.sources.helpers import by_id, normalized, parse_file, parsed, with_unknown_fields

RTOOT = "formats/mastodon/rtoot_vcr_fixtures"


def test_boost_is_a_repost_of_the_yielded_original(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / RTOOT / "get_timeline_home_default.yml")
    boost = normalized(FORMAT, by_id(posts, "sciences.social/109309086053688167"))
    assert boost["kind"] == "repost"
    assert boost["parent_id"] == "mastodon:sciences.social/109309073216177910"
    assert boost["author_handle"] == "pmyteh@sciences.social"
    original = normalized(FORMAT, by_id(posts, "sciences.social/109309073216177910"))
    assert original["author_handle"] == "JulianBrigstocke@sciences.social"
    assert original["author_name"] == "Julian Brigstocke"
    assert original["author_followers"] == 101
    assert original["created_at"] == datetime(2022, 11, 8, 16, 14, 50, tzinfo=UTC)
    assert original["text"].startswith("#ucurising #ucu strike dates announced for November 24")
    assert original["hashtags"] == ["anticasualisation", "pensions", "ucu", "ucurising"]
    assert (original["likes"], original["replies"], original["reposts"]) == (0, 0, 1)
    assert original["lang"] == "en"
    assert boost["text"] == original["text"]  # a boost is indexed with the boosted words


def test_thread_context_replies_link_to_the_parent(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / RTOOT / "get_context_default.yml")
    reply = normalized(FORMAT, by_id(posts, "mastodon.social/109294723149683916"))
    assert reply["kind"] == "reply"
    assert reply["parent_id"] == "mastodon:mastodon.social/109294719267373593"
    assert reply["text"] == "@austinkocher @Gargron @Mastodon Thank you 🙏"
    assert reply["mentions"] == [
        "austinkocher@mastodon.social",
        "Gargron@mastodon.social",
        "Mastodon@mastodon.social",
    ]
    assert reply["likes"] == 2
    assert reply["created_at"] == datetime(2022, 11, 6, 3, 25, 26, 183000, tzinfo=UTC)


def test_html_becomes_text_and_links(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / RTOOT / "get_timeline_public_anonymous.yml")
    assert posts
    for post in posts:
        assert "<p>" not in post["text"] and "<br" not in post["text"]
        assert all(link.startswith("http") for link in post["links"])


def test_stream_capture_lines(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / RTOOT / "mastodonsocial.json")
    assert len({p["native_id"] for p in posts}) >= 40
    first = normalized(FORMAT, by_id(posts, "mastodon.social/109381959558229264"))
    assert first["author_handle"] == "linfavourite@mastodon.social"
    assert first["text"].startswith("其實廢台派要指教馬來西亞政治可以考慮用馬來文或英文。")


def test_unknown_fields_change_nothing(shared_data: Path) -> None:
    body = next(iter_cassette_bodies(shared_data / RTOOT / "process_request_bigger.yml"))
    assert parsed(FORMAT, with_unknown_fields(body)) == parsed(FORMAT, body)


def test_missing_fields_are_rejected() -> None:
    account = {"acct": "a", "url": "https://example.social/@a"}
    base = {"id": "1", "content": "<p>hi</p>", "account": account}
    _, no_uri = parsed(FORMAT, base)
    dated = {**base, "uri": "https://example.social/users/a/statuses/1"}
    _, no_date = parsed(FORMAT, dated)
    assert "uri" in no_uri[0].reason
    assert "created_at" in no_date[0].reason
    posts, _ = parsed(FORMAT, {**dated, "created_at": "2024-01-01T00:00:00Z"})
    assert posts[0]["native_id"] == "example.social/1"
