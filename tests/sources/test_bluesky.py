"""Bluesky app-view posts, repo records and Jetstream events from real recordings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from hubbub.sources.bluesky import FORMAT
from tests.sources.helpers import by_id, normalized, parse_file, parsed, with_unknown_fields

BSKY = "formats/bluesky"
QUOTE = "at://did:plc:crmrddqmbqzyqd24yjlpibz2/app.bsky.feed.post/3lkizm6uvhc2b"
QUOTED = "at://did:plc:crmrddqmbqzyqd24yjlpibz2/app.bsky.feed.post/3lkicuf37nc2v"


def test_post_view_fields_and_quote(shared_data: Path) -> None:
    posts, _ = parse_file(FORMAT, shared_data / BSKY / "twitwi_resources/bluesky-posts_part1.json")
    quote = normalized(FORMAT, by_id(posts, QUOTE))
    assert quote["kind"] == "quote"
    assert quote["parent_id"] == "bluesky:" + QUOTED
    assert quote["author_handle"] == "pecqueuxanthony.bsky.social"
    assert quote["author_name"] == "Anthony Pecqueux"
    assert quote["created_at"] == datetime(2025, 3, 16, 16, 9, 9, 779000, tzinfo=UTC)
    assert (quote["likes"], quote["replies"], quote["reposts"]) == (34, 2, 8)
    assert quote["hashtags"] == ["HCERES", "ESR"]
    assert quote["lang"] == "fr"
    assert quote["media_count"] == 1
    assert quote["url"] == "https://bsky.app/profile/pecqueuxanthony.bsky.social/post/3lkizm6uvhc2b"
    quoted = normalized(FORMAT, by_id(posts, QUOTED))  # the embedded original is yielded too
    assert quoted["text"].startswith('#ESR #HCERES "Un désastre')


def test_feed_view_reply_links_parent_and_root(shared_data: Path) -> None:
    raw = orjson.loads(
        (shared_data / BSKY / "twitwi_resources/bluesky-posts_part1.json").read_bytes()
    )
    item = next(x for x in raw if "reply" in x and "post" in x)
    posts, _ = parsed(FORMAT, item)
    reply = by_id(posts, item["post"]["uri"])
    assert reply["kind"] == "reply"
    assert reply["parent_id"] == "bluesky:" + item["post"]["record"]["reply"]["parent"]["uri"]
    assert reply["root_id"] == "bluesky:" + item["reply"]["root"]["uri"]
    assert by_id(posts, item["reply"]["root"]["uri"])["author_handle"] == "bearstech.com"
    root = by_id(posts, item["reply"]["root"]["uri"])
    assert "https://github.com/medialab/xan" in root["links"]


def test_jetstream_posts_only(shared_data: Path) -> None:
    posts, rejected = parse_file(FORMAT, shared_data / BSKY / "jetstream_v1/golden_v1.jsonl")
    assert not rejected
    assert len(posts) == 1  # likes, reposts, follows, profiles, identity events: not posts
    reply = normalized(FORMAT, posts[0])
    uri = "at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223"
    assert reply["native_id"] == uri
    assert reply["text"] == "Try RSV for a good time !!"
    assert reply["kind"] == "reply"
    parent = "bluesky:at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26"
    assert reply["parent_id"] == parent
    assert reply["author_id"] == "did:plc:q235v55g5unth4zjjdpacfdr"
    assert reply["created_at"] == datetime(2026, 5, 25, 14, 23, 28, 757000, tzinfo=UTC)


def test_nanosecond_timestamps(shared_data: Path) -> None:
    posts, _ = parse_file(
        FORMAT, shared_data / BSKY / "twitwi_resources/bluesky-firehose-posts.json"
    )
    first = normalized(FORMAT, posts[0])
    assert first["created_at"] == datetime(2025, 12, 5, 10, 16, 59, 783492, tzinfo=UTC)
    assert first["text"] == "all that i got is what you see, and isn't a lot, just lil' ol' me."


def test_unknown_fields_change_nothing(shared_data: Path) -> None:
    raw = orjson.loads(
        (shared_data / BSKY / "twitwi_resources/bluesky-posts_part1.json").read_bytes()
    )
    assert parsed(FORMAT, with_unknown_fields(raw)) == parsed(FORMAT, raw)


def test_missing_fields_are_rejected() -> None:
    record = {"$type": "app.bsky.feed.post", "text": "hi"}
    _, no_uri = parsed(FORMAT, {**record, "createdAt": "2024-01-01T00:00:00Z"})
    _, no_date = parsed(FORMAT, {"uri": "at://did:plc:x/app.bsky.feed.post/1", "value": record})
    assert "uri" in no_uri[0].reason
    assert "createdAt" in no_date[0].reason


def test_tap_record_events() -> None:
    # One event as Bluesky's Tap sync tool emits it (copied from medialab/twitwi's
    # test/resources/bluesky-tap-posts.json, MIT; not in the shared data set).
    event = {
        "id": 1553510,
        "type": "record",
        "record": {
            "live": False,
            "did": "did:plc:whubiapecod3q5lebxfsqv3t",
            "rev": "3mc7ffzllzi2n",
            "collection": "app.bsky.feed.post",
            "rkey": "3lerfcje5522g",
            "action": "create",
            "record": {
                "$type": "app.bsky.feed.post",
                "createdAt": "2025-01-02T15:28:38.267Z",
                "langs": ["en"],
                "reply": {
                    "parent": {
                        "uri": "at://did:plc:whubiapecod3q5lebxfsqv3t/app.bsky.feed.post/3lerezaqxec2t"
                    },
                    "root": {
                        "uri": "at://did:plc:whubiapecod3q5lebxfsqv3t/app.bsky.feed.post/3lerezaqxec2t"
                    },
                },
                "text": "Hopefully the link works.",
            },
            "cid": "bafyreifgdrmxyo2ozly7x2kn75xj5o22hbv72f3ywjao3z3e2qxc55xxd4",
        },
    }
    assert FORMAT.sniff(event)
    (post,), _ = parsed(FORMAT, event)
    assert (
        post["native_id"]
        == "at://did:plc:whubiapecod3q5lebxfsqv3t/app.bsky.feed.post/3lerfcje5522g"
    )
    assert post["kind"] == "reply"
    assert (
        post["parent_id"]
        == "bluesky:at://did:plc:whubiapecod3q5lebxfsqv3t/app.bsky.feed.post/3lerezaqxec2t"
    )
    identity = {"id": 1, "type": "identity", "identity": {"did": "did:plc:x", "handle": "x.test"}}
    assert FORMAT.sniff(identity) and parsed(FORMAT, identity) == ([], [])
