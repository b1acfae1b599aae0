"""Reddit listings from PRAW's real cassettes: exact values of real records."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hubbub.sources.cassette import iter_cassette_bodies
from hubbub.sources.reddit import FORMAT
from tests.sources.helpers import by_id, normalized, parse_file, parsed, with_unknown_fields

CASSETTES = "formats/reddit/praw_cassettes"


def test_submission_and_comments_of_a_thread(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / CASSETTES / "TestMore.test_comments.json")
    submission = normalized(FORMAT, by_id(posts, "t3_3hahrw"))
    assert submission["kind"] == "post"
    assert submission["title"] == "Ba Dum Tsss"
    assert submission["author_handle"] == "your_local_librarian"
    assert submission["created_at"] == datetime(2015, 8, 17, 7, 44, 40, tzinfo=UTC)
    assert (submission["likes"], submission["replies"]) == (11703, 543)
    assert submission["links"] == ["http://i.imgur.com/eoF76hj.gifv"]
    assert submission["url"] == "https://www.reddit.com/r/funny/comments/3hahrw/ba_dum_tsss/"

    comment = normalized(FORMAT, by_id(posts, "t1_cu5tead"))
    assert comment["kind"] == "comment"
    assert comment["text"] == "He saw the chance and he took it, this kid is going places"
    assert comment["author_handle"] == "lava1o"
    assert comment["created_at"] == datetime(2015, 8, 17, 12, 55, 4, tzinfo=UTC)
    assert comment["likes"] == -2
    assert comment["parent_id"] == comment["root_id"] == "reddit:t3_3hahrw"
    assert "/r/funny/" in comment["url"]  # subreddit: queryable through the URL


def test_nested_replies_link_to_their_parent_comment(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / CASSETTES / "TestMore.test_comments.json")
    replies = [p for p in posts if p.get("parent_id") == "reddit:t1_cu5pebp"]
    assert replies
    assert all(r["root_id"] == "reddit:t3_3hahrw" for r in replies)


def test_deleted_comments_are_rejected_with_a_reason(shared_data: Path) -> None:
    _, rejected = parse_file(FORMAT, shared_data / CASSETTES / "TestMore.test_comments.json")
    assert rejected and all("deleted or removed" in r.reason for r in rejected)


def test_unknown_fields_change_nothing(shared_data: Path) -> None:
    body = list(iter_cassette_bodies(shared_data / CASSETTES / "TestFront.test_hot.json"))[1]
    assert parsed(FORMAT, with_unknown_fields(body)) == parsed(FORMAT, body)
    assert len(parsed(FORMAT, body)[0]) == 100


def test_missing_id_or_date_is_rejected() -> None:
    _, no_id = parsed(FORMAT, {"kind": "t1", "data": {"body": "hi", "created_utc": 1.0}})
    _, no_date = parsed(FORMAT, {"kind": "t3", "data": {"name": "t3_x", "title": "hi"}})
    assert "no id" in no_id[0].reason
    assert "created_utc" in no_date[0].reason
