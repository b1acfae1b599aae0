"""`enrich_entities` (a column at a time) gives exactly what the per-text functions give.

The reference is the per-post loop `enrich_entities` was before it worked on whole columns
(entities_reference.py): the per-text functions (`hashtags_of`, ...) over `post_texts`, and
`domains_of` over the links. Every comparison is on values, column types and column order.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.enrich._columns import post_text_array, post_texts
from hubbub.enrich.entities import (
    ENTITY_COLUMNS,
    enrich_entities,
)
from hubbub.normalize import records_to_table

from ..realdata import semeval_tweets
from .conftest import posts_table
from .entities_reference import per_post_entities

STRINGS = pa.list_(pa.string())
GIVEN = ("hashtags", "mentions", "links", "domains")


def assert_same_as_reference(table: pa.Table) -> pa.Table:
    out = enrich_entities(table)
    expected = per_post_entities(table)
    assert out.column_names == expected.column_names
    for name in ENTITY_COLUMNS:
        assert out.schema.field(name).type == expected.schema.field(name).type == STRINGS, name
        assert out.column(name).to_pylist() == expected.column(name).to_pylist(), name
    assert out.num_rows == table.num_rows
    return out


# Characters and pieces that sit on the edges of the patterns: signs, look-behind characters,
# case folding (Kelvin sign, long s, dotted I, final sigma), emoji parts, separators.
_PIECES = [
    *"aZé İßΣς09_-./:#@$&;,!?)]}'\"<>[ \n\t\r\x00中",
    "\u212a", "\u017f", "h", "t", "p", "s", "H", "T", "P", "S", "k", "K",
    "🚀", "👍", "🏽", "\u200d", "\ufe0f", "\u20e3", "🇫", "🇷", "❤", "⌚", "↔", "\u3030", "\U000e0067",
    "http://", "https://", "HTTPS://", "HTTP\u017f://", "httpſ://", "ftp://", "www.", "WWW.",
    ".com", ".bsky.social", "@mastodon.social", "user@", ":8080", "[::1]", "#tag", "#123",
    "@user", "$AAPL", "$BRK.B", "$100", "&#39;", "👨‍👩‍👧", "🇫🇷", "1\ufe0f\u20e3",
]  # fmt: skip
texts_strategy = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.characters(codec="utf-8")), max_size=30
).map("".join)
maybe_list = st.one_of(
    st.none(), st.lists(st.sampled_from(["given", "x.com", "Given", ""]), max_size=3)
)


@st.composite
def post_tables(draw: st.DrawFn) -> pa.Table:
    n = draw(st.integers(0, 12))
    records: list[dict[str, object]] = []
    for i in range(n):
        record: dict[str, object] = {
            "id": f"t:{i}",
            "platform": "t",
            "native_id": str(i),
            "kind": "post",
            "text": draw(st.one_of(st.none(), texts_strategy)),
            "title": draw(st.one_of(st.none(), st.just(""), texts_strategy)),
        }
        for name in GIVEN:
            record[name] = draw(maybe_list)
        records.append(record)
    return records_to_table(records) if records else _empty_posts()


def _empty_posts() -> pa.Table:
    from hubbub.model import POST_SCHEMA

    return POST_SCHEMA.empty_table()


@settings(max_examples=400, deadline=None)
@given(post_tables())
def test_batch_equals_per_text_functions(table: pa.Table) -> None:
    assert_same_as_reference(table)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just(""), texts_strategy), max_size=10), st.data())
def test_post_text_array_equals_post_texts(texts: list[str | None], data: st.DataObject) -> None:
    titles = data.draw(
        st.lists(
            st.one_of(st.none(), st.just(""), texts_strategy),
            min_size=len(texts),
            max_size=len(texts),
        )
    )
    table = pa.table({"title": pa.array(titles, pa.string()), "text": pa.array(texts, pa.string())})
    assert post_text_array(table).to_pylist() == post_texts(table)
    assert post_text_array(table.drop_columns(["title"])).to_pylist() == post_texts(
        table.drop_columns(["title"])
    )


@pytest.mark.parametrize(
    "text",
    [
        "xhttp://a.com http://b.com/x. (https://c.com/y) HTTPS://D.COM:80/z?q#f",
        "see http://user:pw@evil.com/ and http://[::1]:8080/ and http://bücher.de/x",
        "httpſ://long-s.com and http\u212a://kelvin.com http://www.WWW.x.com",
        "a://http://b.com http://a.com:port/ https://x.com?q http://.com/ http:///path",
        "#123 #a1 a#b &#39; /#x #_ #é #İstanbul ##two @a. a@b @x@mastodon.social. @jay.bsky.team",
        "$AAPL $aapl $100 $BRK.B $TOOLONG $A$B x$Y 👨‍👩‍👧 🇫🇷🇫 👍🏽 ❤️ 1️⃣ ⌚↔〰",
        "",
    ],
)
def test_edge_cases_equal_the_reference(text: str) -> None:
    assert_same_as_reference(posts_table([text, text.upper(), text + "\n" + text]))


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def real_texts(shared_data: Path) -> list[str]:
    """Real posts with hashtags, mentions, cashtags, links, emoji (skin tones, ZWJ), and
    every string of recorded Bluesky and Mastodon payloads (handles, URLs, HTML content)."""
    texts = [t for _, _, t in semeval_tweets(shared_data)][:20_000]
    for task in ("offensive", "hate", "emotion"):
        texts += (
            (shared_data / "tweeteval" / task / "train_text.txt").read_text("utf-8").splitlines()
        )
    with (shared_data / "corpus/twitter_us_airline_sentiment/Tweets_part_shared.csv").open(
        encoding="utf-8"
    ) as f:
        texts += [row["text"] for row in csv.DictReader(f)]
    for payload in (
        "formats/bluesky/twitwi_resources/bluesky-posts_part1.json",
        "formats/mastodon/rtoot_vcr_fixtures/mastodonsocial.json",
    ):
        raw = (shared_data / payload).read_bytes()
        documents = [raw] if raw.lstrip().startswith(b"[") else raw.splitlines()  # or NDJSON
        for document in filter(None, documents):
            texts += list(_json_strings(orjson.loads(document)))
    return texts


@pytest.fixture(scope="module")
def real(shared_data: Path) -> list[str]:
    return real_texts(shared_data)


def test_real_posts_without_given_entities(real: list[str]) -> None:
    out = assert_same_as_reference(posts_table(real))
    # The data has every kind of entity, so the comparison above covers each pattern.
    for name in ENTITY_COLUMNS:
        assert sum(bool(v) for v in out.column(name).to_pylist()) > 10, name
    emoji = {e for row in out.column("emoji").to_pylist() for e in row}
    assert any("\u200d" in e for e in emoji) and any(
        "\U0001f3fb" <= c <= "\U0001f3ff" for e in emoji for c in e
    )
    mentions = {m for row in out.column("mentions").to_pylist() for m in row}
    assert any(m.endswith(".bsky.social") for m in mentions)


def test_real_posts_with_some_entities_given(real: list[str]) -> None:
    rng = random.Random(9)
    texts = real[:15_000]
    columns: dict[str, list[object]] = {}
    for name in GIVEN:
        # Given on most rows, null on others, and sometimes given as an empty list.
        columns[name] = [
            None if rng.random() < 0.3 else ([] if rng.random() < 0.2 else [f"given-{name}"])
            for _ in texts
        ]
    titles = [t if rng.random() < 0.1 else None for t in reversed(texts)]
    assert_same_as_reference(posts_table(texts, title=titles, **columns))


def test_given_lists_are_kept_whatever_the_chunking(real: list[str]) -> None:
    texts = real[:2_000]
    hashtags = [[f"h{i}"] for i in range(len(texts))]
    table = posts_table(texts, hashtags=hashtags)
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=300))
    out = assert_same_as_reference(chunked)
    assert out.column("hashtags").to_pylist() == hashtags


def test_a_link_urlsplit_rejects_has_no_domain_and_fails_nothing() -> None:
    out = enrich_entities(posts_table(["see http://[oops and http://www.Ok.com/x", "http://]x"]))
    assert out.column("links").to_pylist() == [
        ["http://[oops", "http://www.Ok.com/x"],
        ["http://]x"],
    ]
    assert out.column("domains").to_pylist() == [["ok.com"], []]


def test_a_table_with_only_text_gets_every_entity_column() -> None:
    table = pa.table({"text": ["#Tag @Who $AAPL http://x.com 👍🏽", None, ""]})
    out = assert_same_as_reference(table)
    assert out.column("domains").to_pylist() == [["x.com"], [], []]
