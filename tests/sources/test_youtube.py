"""YouTube Data API v3 responses recorded by python-youtube."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import orjson

from hubbub.sources.youtube import FORMAT
from tests.sources.helpers import by_id, normalized, parse_file, parsed, with_unknown_fields

YT = "formats/youtube/python_youtube_apidata"


def test_video_is_a_post_with_title_and_description(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / YT / "videos_videos_info_multi.json")
    video = normalized(FORMAT, by_id(posts, "D-lhorsDlUQ"))
    assert video["kind"] == "post"
    assert video["title"] == "What are Actions on Google (Assistant on Air)"
    assert video["text"].startswith("In the first episode of Assistant on Air, Luke Davis")
    assert video["author_name"] == "Google Developers"
    assert video["author_id"] == "UC_x5XG1OV2P6uZZ5FSM9Ttw"
    assert video["created_at"] == datetime(2019, 3, 21, 20, 37, 49, tzinfo=UTC)
    assert video["links"] == [
        "http://bit.ly/2YabdS5",
        "https://goo.gle/2X0nBqG",
        "https://bit.ly/googledevs",
    ]
    assert video["url"] == "https://www.youtube.com/watch?v=D-lhorsDlUQ"


def test_statistics_strings_become_counts(shared_data: Path) -> None:
    # The recorded sample asked for part=snippet only; statistics (documented as strings) are added.
    page = orjson.loads((shared_data / YT / "videos_videos_info_multi.json").read_bytes())
    page = copy.deepcopy(page)
    page["items"][0]["statistics"] = {"viewCount": "1234", "likeCount": "56", "commentCount": "7"}
    video = by_id(parsed(FORMAT, page)[0], "D-lhorsDlUQ")
    assert (video["views"], video["likes"], video["replies"]) == (1234, 56, 7)


def test_comment_threads_are_comments_on_the_video(shared_data: Path) -> None:
    posts, _ = parse_file(
        FORMAT, shared_data / YT / "comment_threads_comment_threads_by_video_paged_1.json"
    )
    assert len(posts) == 5
    comment = normalized(FORMAT, by_id(posts, "Ugy4OzAuz5uJuFt3FH54AaABAg"))
    assert comment["kind"] == "comment"
    assert comment["text"] == "Please use CLS on your own search results page.."
    assert comment["author_name"] == "el bojo loco"
    assert comment["likes"] == 1
    assert comment["parent_id"] == comment["root_id"] == "youtube:F1UP7wRCPH8"
    assert comment["created_at"] == datetime(2019, 11, 21, 19, 18, 39, tzinfo=UTC)
    linked = normalized(FORMAT, by_id(posts, "UgyZ1jqkHKYvi1-ruOZ4AaABAg"))
    assert linked["text"] == "Google.com"
    assert linked["links"] == ["http://google.com/"]


def test_replies_point_at_their_comment(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / YT / "comments_comments_by_parent_paged_1.json")
    reply = normalized(FORMAT, by_id(posts, "Ugw5zYU6n9pmIgAZWvN4AaABAg.91zT3cYb5B291za6voUoRh"))
    assert reply["kind"] == "reply"
    assert reply["parent_id"] == "youtube:Ugw5zYU6n9pmIgAZWvN4AaABAg"
    assert reply["text"] == "this is the third reply!"


def test_search_results_skip_channels(shared_data: Path) -> None:
    posts, rejected = parse_file(FORMAT, shared_data / YT / "search_search_by_keywords_p1.json")
    assert posts and not rejected
    assert all(p["kind"] == "post" and p["title"] for p in posts)


def test_unknown_fields_change_nothing(shared_data: Path) -> None:
    page = orjson.loads(
        (shared_data / YT / "comment_threads_comment_threads_multi.json").read_bytes()
    )
    assert parsed(FORMAT, with_unknown_fields(page)) == parsed(FORMAT, page)


def test_missing_fields_are_rejected() -> None:
    _, no_date = parsed(FORMAT, {"kind": "youtube#video", "id": "x", "snippet": {"title": "t"}})
    _, no_id = parsed(FORMAT, {"kind": "youtube#comment", "snippet": {"textOriginal": "t"}})
    assert "publishedAt" in no_date[0].reason
    assert "comment id" in no_id[0].reason
