"""Hacker News Algolia responses (real, recorded by node-hacker-news-api)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from hubbub.sources.hackernews import FORMAT
from tests.sources.helpers import by_id, normalized, parse_file, parsed, with_unknown_fields

HN = "formats/hackernews/algolia_fixtures/algolia_responses_part1.json"


def test_story_hit(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / HN)
    story = normalized(FORMAT, by_id(posts, "3078128"))
    assert story["kind"] == "post"
    assert story["title"] == "Steve Jobs has passed away."
    assert story["author_handle"] == "patricktomas"
    assert (story["likes"], story["replies"]) == (4271, 376)
    assert story["links"] == ["http://www.apple.com/stevejobs/"]
    assert story["domains"] == ["apple.com"]
    assert story["created_at"] == datetime(2011, 10, 5, 23, 42, 23, tzinfo=UTC)
    assert story["url"] == "https://news.ycombinator.com/item?id=3078128"


def test_comment_hit_links_parent_and_story(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / HN)
    comment = normalized(FORMAT, by_id(posts, "6651926"))
    assert comment["kind"] == "comment"
    assert comment["author_handle"] == "pg"
    assert comment["text"].startswith("It's a little early to say for sure, but I predict")
    assert comment["parent_id"] == comment["root_id"] == "hackernews:6651704"
    assert comment["likes"] == 293
    assert (
        comment["title"] == "Patent war goes nuclear: Microsoft, Apple-owned Rockstar sues Google"
    )


def test_nested_item_yields_its_children(shared_data: Path) -> None:
    records = orjson.loads((shared_data / HN).read_bytes())
    item = next(r for r in records if r["url"] == "/api/v1/items/17")
    posts, _ = parsed(FORMAT, item)
    top = normalized(FORMAT, by_id(posts, "17"))
    assert top["text"] == "Is there anywhere to eat on Sandhill Road?"
    assert top["parent_id"] == "hackernews:15"
    assert top["root_id"] == "hackernews:1"
    assert top["created_at"] == datetime(2006, 10, 9, 19, 52, 45, tzinfo=UTC)
    child = normalized(FORMAT, by_id(posts, "1079"))
    assert child["text"] == "sure"
    assert child["parent_id"] == "hackernews:17"
    assert child["root_id"] == "hackernews:1"


def test_firebase_item() -> None:
    item = {
        "by": "dhouston",
        "descendants": 71,
        "id": 8863,
        "score": 104,
        "time": 1175714200,
        "title": "My YC app: Dropbox - Throw away your USB drive",
        "type": "story",
        "url": "http://www.getdropbox.com/u/2/screencast.html",
    }  # the API docs' example
    (post,), _ = parsed(FORMAT, item)
    assert (post["likes"], post["replies"], post["author_handle"]) == (104, 71, "dhouston")


def test_unknown_fields_change_nothing(shared_data: Path) -> None:
    records = orjson.loads((shared_data / HN).read_bytes())
    assert parsed(FORMAT, with_unknown_fields(records)) == parsed(FORMAT, records)


def test_missing_fields_are_rejected() -> None:
    _, no_id = parsed(
        FORMAT, {"hits": [{"created_at_i": 1, "comment_text": "x", "_tags": []}], "nbHits": 1}
    )
    _, no_date = parsed(FORMAT, {"hits": [{"objectID": "1", "comment_text": "x"}], "nbHits": 1})
    assert "objectID" in no_id[0].reason
    assert "created_at" in no_date[0].reason
