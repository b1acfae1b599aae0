"""X API v1.1 tweets from tweepy's and twitwi's real recordings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hubbub.sources.cassette import iter_cassette_bodies
from hubbub.sources.twitter_v1 import FORMAT
from tests.sources.helpers import by_id, normalized, parse_file, parsed, with_unknown_fields

V1 = "formats/twitter_v1"


def test_retweet_yields_the_original_with_its_counts(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / V1 / "tweepy_cassettes/testsearchtweets.json")
    retweet = normalized(FORMAT, by_id(posts, "1149825924029980674"))
    assert retweet["kind"] == "repost"
    assert retweet["parent_id"] == "twitter:1149803446704443392"
    assert retweet["author_handle"] == "tweepy_pie"
    assert retweet["created_at"] == datetime(2019, 7, 12, 23, 40, 37, tzinfo=UTC)
    original = normalized(FORMAT, by_id(posts, "1149803446704443392"))
    assert original["kind"] == "post"
    assert original["author_handle"] == "KassidyCook1"
    assert original["author_name"] == "Kassidy Cook"
    assert original["author_followers"] == 25941
    assert original["author_verified"] is True
    assert (original["likes"], original["reposts"]) == (47, 7)
    assert (
        original["text"] == "Me, during the season 3 Stranger Things finale https://t.co/zoXlQF2TrZ"
    )
    assert original["media_count"] == 1


def test_extended_tweets_use_the_full_text_and_link_quotes(shared_data: Path) -> None:
    posts, _ = parse_file(
        FORMAT, shared_data / V1 / "twitwi_resources/normalization-payload-stream.json"
    )
    quote = normalized(FORMAT, by_id(posts, "1552622999664205829"))
    assert quote["kind"] == "quote"
    assert quote["parent_id"] == "twitter:1552568929406664705"
    assert quote["author_handle"] == "ericcoquerel"
    assert quote["author_followers"] == 107395
    assert quote["text"].endswith("contre 17,54 en moyenne pour les 300 plus grosses)")
    retweet = normalized(FORMAT, by_id(posts, "1552687856111566848"))
    # The RT text is rebuilt from the embedded original, not the cut-off "…" version.
    assert retweet["text"] == "RT @ericcoquerel: " + quote["text"]
    quoted = normalized(FORMAT, by_id(posts, "1552568929406664705"))
    assert quoted["created_at"] == datetime(2022, 7, 28, 8, 17, 32, tzinfo=UTC)
    assert quoted["mentions"] == ["TotalEnergies", "bastamedia_"]
    assert (quoted["likes"], quoted["reposts"]) == (1499, 979)


def test_replies_link_to_their_parent(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / V1 / "tweepy_cassettes/testusertimeline.json")
    replies = [p for p in posts if p["kind"] == "reply"]
    assert replies and all(p["parent_id"].startswith("twitter:") for p in replies)


def test_user_objects_yield_nothing(shared_data: Path) -> None:
    assert parse_file(FORMAT, shared_data / V1 / "twitwi_resources/api-users-v1.json") == ([], [])
    assert parse_file(FORMAT, shared_data / V1 / "tweepy_cassettes/testgetlistmembers.json") == (
        [],
        [],
    )


def test_unknown_fields_change_nothing(shared_data: Path) -> None:
    body = next(iter_cassette_bodies(shared_data / V1 / "tweepy_cassettes/testhometimeline.json"))
    assert parsed(FORMAT, with_unknown_fields(body)) == parsed(FORMAT, body)


def test_missing_id_or_text_is_rejected() -> None:
    user = {"screen_name": "a"}
    _, no_id = parsed(FORMAT, {"text": "hi", "created_at": "Wed Oct 10 20:19:24 +0000 2018"})
    _, no_text = parsed(FORMAT, {"id_str": "1050118621198921728", "user": user})
    assert "no id_str" in no_id[0].reason
    assert "no text" in no_text[0].reason
