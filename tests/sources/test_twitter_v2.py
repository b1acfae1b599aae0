"""X API v2 pages, twarc2 JSONL (paged and flattened) from real recordings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from hubbub.sources.twitter_v2 import FORMAT, snowflake_time
from tests.sources.helpers import by_id, normalized, parse_file, parsed, with_unknown_fields

TWARC = "formats/twitter_v2/twarc2_jsonl"


def test_retweet_links_to_the_included_original(shared_data: Path) -> None:
    posts, rejected = parse_file(FORMAT, shared_data / TWARC / "noflat.jsonl")
    assert not rejected
    retweet = normalized(FORMAT, by_id(posts, "1380242611781386245"))
    assert retweet["kind"] == "repost"
    assert retweet["parent_id"] == "twitter:1380175475545362437"
    assert retweet["author_handle"] == "Alexandravm12"
    assert retweet["author_name"] == "Alexandra Machado"
    assert retweet["author_followers"] == 58
    assert retweet["created_at"] == datetime(2021, 4, 8, 19, 34, 16, tzinfo=UTC)
    assert retweet["mentions"] == ["williamserafino"]
    # The RT text is rebuilt from the included original instead of the cut-off "…" version.
    assert retweet["text"].endswith("La pandilla del Partido Demócrata hace sentir su regreso.")

    original = normalized(FORMAT, by_id(posts, "1380175475545362437"))
    assert original["kind"] == "post"
    assert original["author_handle"] == "williamserafino"
    assert original["author_followers"] == 28341
    assert original["author_verified"] is False
    assert (original["likes"], original["replies"], original["reposts"], original["quotes"]) == (
        241,
        13,
        410,
        16,
    )
    assert original["text"].startswith("De manera simultánea, vuelven a asediar")


def test_links_are_expanded(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / TWARC / "noflat.jsonl")
    post = normalized(FORMAT, by_id(posts, "1380242597881409537"))
    assert post["author_handle"] == "Qrtrhrsryder"
    assert post["links"][0].startswith(
        "https://www.thegatewaypundit.com/2021/04/nasa-emails-employees-seeking-volunteers"
    )
    assert post["domains"] == ["thegatewaypundit.com"]
    assert post["mentions"] == ["gatewaypundit"]


def test_flattened_and_paged_files_agree(shared_data: Path) -> None:
    flat, _ = parse_file(FORMAT, shared_data / TWARC / "flat.jsonl")
    paged, _ = parse_file(FORMAT, shared_data / TWARC / "noflat.jsonl")
    flat_ids = {p["native_id"] for p in flat}
    paged_by_id = {p["native_id"]: p for p in paged}
    # The same 100 tweets (flattened vs raw pages).
    first_line = orjson.loads((shared_data / TWARC / "noflat.jsonl").read_bytes().splitlines()[0])
    ids = [t["id"] for t in first_line["data"]]
    assert set(ids) <= flat_ids
    for post in flat:
        if post["native_id"] in ids:
            other = paged_by_id[post["native_id"]]
            for field in ("text", "author_handle", "kind", "parent_id", "likes", "links"):
                assert post.get(field) == other.get(field), (post["native_id"], field)


def test_views_hashtags_and_replies(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / TWARC / "entities_test.jsonl")
    tagged = normalized(FORMAT, posts[0])
    assert tagged["hashtags"] == ["Lega", "maratonamentana"]
    assert tagged["views"] == 0  # impression_count is present (0) in 2022 payloads
    replies = [p for p in posts if p["kind"] == "reply"]
    assert replies and all(p["parent_id"].startswith("twitter:") for p in replies)


def test_replies_have_their_conversation_as_root(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / TWARC / "noflat.jsonl")
    replies = [p for p in posts if p["kind"] == "reply"]
    assert replies and all(p["root_id"] for p in replies if p["parent_id"] != p["root_id"])


def test_country_from_included_place(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / TWARC / "geo_tweets.jsonl")
    assert "DE" in {p.get("country") for p in posts}


def test_minimal_fields_take_the_date_from_the_id(shared_data: Path) -> None:
    # tweepy's get_tweets asked for no tweet.fields: the date comes from the snowflake id.
    posts, _ = parse_file(
        FORMAT, shared_data / "formats/twitter_v2/tweepy_cassettes/test_asyncclient_get_tweets.yaml"
    )
    assert posts and all(normalized(FORMAT, p)["created_at"].year >= 2010 for p in posts)
    assert snowflake_time("1380242611781386245") == datetime(
        2021, 4, 8, 19, 34, 16, 973000, tzinfo=UTC
    )


def test_non_tweet_pages_yield_nothing(shared_data: Path) -> None:
    for name in ("users.jsonl", "counts.jsonl", "lists.jsonl", "tweets_compliance.jsonl"):
        assert parse_file(FORMAT, shared_data / TWARC / name) == ([], []), name


def test_unknown_fields_change_nothing(shared_data: Path) -> None:
    page = orjson.loads((shared_data / TWARC / "two_tweets.jsonl").read_bytes().splitlines()[0])
    assert parsed(FORMAT, with_unknown_fields(page)) == parsed(FORMAT, page)


def test_missing_id_or_text_is_rejected() -> None:
    _, no_id = parsed(FORMAT, {"data": [{"text": "hi", "author_id": "1"}]})
    _, no_text = parsed(FORMAT, {"data": [{"id": "1380242611781386245", "author_id": "1"}]})
    assert "no id" in no_id[0].reason
    assert "no text" in no_text[0].reason


def test_media_pages_are_not_links(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / TWARC / "media_policy_violation_off.jsonl")
    assert posts
    for post in posts:
        assert not any("/photo/" in link or "/video/" in link for link in post["links"])
