"""The registry (names, aliases, sniffing) and reading vcrpy / Betamax / R-vcr cassettes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from hubbub.errors import HubbubError
from hubbub.model import Rejected
from hubbub.sources.cassette import FORMAT as CASSETTE
from hubbub.sources.cassette import iter_cassette_bodies, load_cassette
from hubbub.sources.registry import FORMATS, get_format, sniff_format

F = "formats"


def test_every_format_is_registered_under_its_name() -> None:
    for name, fmt in FORMATS.items():
        assert fmt.name == name
        assert fmt.mapping_version.startswith(name + "/")
    expected = {"reddit", "twitter_v2", "twitter_v1", "mastodon", "bluesky", "youtube"}
    assert expected | {"hackernews", "tiktok", "linkedin", "feed", "cassette"} == set(FORMATS)


def test_get_format_and_aliases() -> None:
    assert get_format("reddit") is FORMATS["reddit"]
    assert get_format("X") is FORMATS["twitter_v2"]
    assert get_format("rss") is get_format("atom") is FORMATS["feed"]


def test_unknown_format_names_the_known_ones() -> None:
    with pytest.raises(HubbubError) as info:
        get_format("myspace")
    assert "myspace" in info.value.message
    for name in ("reddit", "mastodon", "twitter_v2"):
        assert name in info.value.hint


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("twitter_v2/twarc2_jsonl/noflat.jsonl", "twitter_v2"),
        ("twitter_v2/twarc2_jsonl/flat.jsonl", "twitter_v2"),
        ("twitter_v2/twitwi_resources/payload-v2.json", "twitter_v2"),
        ("twitter_v1/twitwi_resources/normalization-payload-show.json", "twitter_v1"),
        ("bluesky/jetstream_v1/golden_v1.jsonl", "bluesky"),
        ("bluesky/twitwi_resources/bluesky-posts_part1.json", "bluesky"),
        ("mastodon/rtoot_vcr_fixtures/mastodonsocial.json", "mastodon"),
        ("youtube/python_youtube_apidata/videos_videos_info_multi.json", "youtube"),
        ("hackernews/algolia_fixtures/algolia_responses_part1.json", "hackernews"),
        ("reddit/praw_cassettes/TestFront.test_hot.json", "cassette"),
        ("mastodon/rtoot_vcr_fixtures/get_context_default.yml", "cassette"),
    ],
)
def test_sniff_the_first_raw_value(shared_data: Path, path: str, expected: str) -> None:
    file = shared_data / F / path
    data = file.read_bytes()
    if file.suffix == ".jsonl" or (data.lstrip()[:1] == b"{" and b"\n{" in data[:200_000]):
        first = orjson.loads(data.splitlines()[0])
    else:
        first = load_cassette(file)
        first = first[0] if isinstance(first, list) else first
    fmt = sniff_format(first)
    assert fmt is not None and fmt.name == expected


def test_cassette_bodies_of_each_recorder(shared_data: Path) -> None:
    betamax = list(
        iter_cassette_bodies(shared_data / F / "reddit/praw_cassettes/TestFront.test_hot.json")
    )
    assert betamax[1]["kind"] == "Listing"  # [0] is the OAuth token response
    vcrpy_yaml = list(
        iter_cassette_bodies(
            shared_data / F / "twitter_v2/tweepy_cassettes/test_asyncclient_get_tweets.yaml"
        )
    )
    assert "data" in vcrpy_yaml[0]
    vcrpy_json = list(
        iter_cassette_bodies(shared_data / F / "twitter_v1/tweepy_cassettes/testgetstatus.json")
    )
    assert vcrpy_json[0]["id_str"]
    r_vcr = list(
        iter_cassette_bodies(
            shared_data / F / "mastodon/rtoot_vcr_fixtures/handle_params_max_id.yml"
        )
    )
    assert len(r_vcr) == 4 and all(isinstance(page, list) for page in r_vcr)


def test_base64_bodies(tmp_path: Path) -> None:
    cassette = tmp_path / "b.json"
    body = '{"kind": "youtube#videoListResponse", "items": []}'
    import base64

    encoded = base64.b64encode(body.encode()).decode()
    cassette.write_text(
        orjson.dumps(
            {"interactions": [{"response": {"body": {"base64_string": encoded}}}]}
        ).decode()
    )
    assert list(iter_cassette_bodies(cassette)) == [orjson.loads(body)]


def test_not_a_cassette(tmp_path: Path) -> None:
    plain = tmp_path / "plain.json"
    plain.write_text('{"data": []}')
    with pytest.raises(HubbubError):
        list(iter_cassette_bodies(plain))


def test_a_whole_cassette_is_one_raw_value(shared_data: Path) -> None:
    doc = load_cassette(shared_data / F / "mastodon/rtoot_vcr_fixtures/get_context_default.yml")
    posts = [p for p in CASSETTE.parse(doc) if not isinstance(p, Rejected)]
    assert len(posts) == 127
    assert {p["platform"] for p in posts} == {"mastodon"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("hackernews/algolia_fixtures/algolia_responses_part1.json", "hackernews"),
        ("bluesky/twitwi_resources/bluesky-posts_part1.json", "bluesky"),
        ("bluesky/twitwi_resources/bluesky-firehose-posts.json", "bluesky"),
    ],
)
def test_sniff_a_whole_json_array_document(shared_data: Path, path: str, expected: str) -> None:
    doc = orjson.loads((shared_data / F / path).read_bytes())
    fmt = sniff_format(doc)
    assert fmt is not None and fmt.name == expected
    assert any(not isinstance(item, Rejected) for item in fmt.parse(doc))
